//! An image config blob: any bytes give the `created` text, none, or an error, never a panic;
//! a `created` is never empty, and reading it as a catalog time never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::registry::parse_config_created;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(created)) = parse_config_created(data) {
        assert!(!created.is_empty());
        let _ = relman::release::ImageInfo::new("t").with_created_str(&created);
    }
});
