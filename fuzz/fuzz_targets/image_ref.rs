//! The image reference parser: whatever parses displays as a string that parses back to an
//! equal value with equal parts, and displaying that again gives the same string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::ImageRef;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(first) = ImageRef::parse(text) else { return };
    let shown = first.to_string();
    let second = ImageRef::parse(&shown)
        .unwrap_or_else(|e| panic!("{text:?} displays as {shown:?}, which fails: {e}"));
    assert_eq!(first, second, "{text:?} -> {shown:?}");
    assert_eq!(second.to_string(), shown);
    assert_eq!(
        (first.domain(), first.path(), first.tag(), first.digest()),
        (second.domain(), second.path(), second.tag(), second.digest())
    );
});
