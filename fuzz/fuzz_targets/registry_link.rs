//! `Link` headers of a tag list page (one value per line): any text gives the `rel="next"`
//! target or none, never a panic; a target is non-empty and holds no `<` or `>`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::registry::next_link;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let values: Vec<&str> = text.lines().collect();
    if let Some(target) = next_link(&values) {
        assert!(!target.is_empty() && !target.contains(['<', '>']), "{text:?} -> {target:?}");
    }
});
