//! The reader: any bytes (invalid UTF-8 is cut to its valid prefix and also tried lossily)
//! give slots or an error, never a panic; the slots' lines and columns lie inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::{Options, list_images, read_policy};

fuzz_target!(|data: &[u8]| {
    let lossy = String::from_utf8_lossy(data);
    let options = Options::default();
    if let Ok(slots) = list_images(&lossy, &options) {
        // Lines as libyaml (YAML 1.1) counts them: CRLF, LF, a lone CR, NEL, LS and PS.
        let lines = lossy
            .replace("\r\n", "\n")
            .matches(['\r', '\n', '\u{85}', '\u{2028}', '\u{2029}'])
            .count()
            + 1;
        for slot in &slots {
            assert!(
                slot.line >= 1 && slot.line <= lines,
                "slot line {} of {lines}",
                slot.line
            );
            let _ = read_policy(&lossy, &slot.workload, &options);
        }
    }
});
