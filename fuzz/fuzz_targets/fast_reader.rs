//! The fast reader against libyaml: for any UTF-8 text, the reader contract of
//! `core/tests/reader_contract.rs` (included here, so the tests and the fuzzer check the same
//! thing): equal documents from `Stream::parse` and `Stream::parse_with_libyaml` when both
//! succeed, the same error when libyaml fails, and the fast reader never accepts a text
//! libyaml's parser rejects.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../core/tests/reader_contract.rs"]
#[allow(dead_code)]
mod reader_contract;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(difference) = reader_contract::check_contract(text) {
        panic!("{text:?}: {difference}");
    }
});
