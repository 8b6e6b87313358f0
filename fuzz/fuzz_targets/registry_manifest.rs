//! A registry's manifest or index: any bytes (the first line taken as the `Content-Type`, the
//! rest as the body) parse to a manifest or an error, never a panic; every digest a manifest
//! names (the config, the chosen child of an index) is one relman may put in a URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::registry::{Manifest, is_valid_digest, parse_manifest};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(0);
    let content_type = String::from_utf8_lossy(&data[..split]);
    let body = &data[(split + 1).min(data.len())..];
    match parse_manifest(body, &content_type) {
        Ok(Manifest::Image { config }) => {
            assert!(is_valid_digest(&config), "{config:?}");
            assert!(!config.contains(['/', '?', '#', ' ']), "{config:?}");
        }
        Ok(Manifest::Index { child: Some(child) }) => {
            assert!(is_valid_digest(&child), "{child:?}");
            assert!(!child.contains(['/', '?', '#', ' ']), "{child:?}");
        }
        Ok(Manifest::Index { child: None }) | Err(_) => {}
    }
});
