//! A registry's tag list page (`GET /v2/<name>/tags/list`): any bytes parse to a page or an
//! error, never a panic; a page parses the same twice, and the tags relman keeps (those of the
//! distribution grammar) are short, non-empty and hold no `/`, `:` or space.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::registry::{is_valid_tag, parse_tag_list};

fuzz_target!(|data: &[u8]| {
    let Ok(page) = parse_tag_list(data) else { return };
    assert_eq!(parse_tag_list(data).ok(), Some(page.clone()));
    for tag in page.tags.iter().filter(|t| is_valid_tag(t)) {
        assert!(!tag.is_empty() && tag.len() <= 128, "{tag:?}");
        assert!(!tag.contains(['/', ':', ' ', '?', '#']), "{tag:?}");
    }
});
