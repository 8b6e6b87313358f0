//! A `WWW-Authenticate` header: any text gives a list of challenges, never a panic; parameter
//! names are lower-case, and the parse is bounded (no more parameters than the header has
//! `=` signs, past its first 16 KiB nothing is read).
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::registry::parse_challenges;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let challenges = parse_challenges(text);
    let params: usize = challenges.iter().map(|c| c.params.len()).sum();
    assert!(params <= text.matches('=').count(), "{text:?}: {challenges:?}");
    for c in &challenges {
        for (name, _) in &c.params {
            assert_eq!(name, &name.to_ascii_lowercase());
        }
    }
    assert_eq!(parse_challenges(text), challenges, "deterministic");
});
