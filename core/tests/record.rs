//! `ReleaseRecord::parse` on the cases of `tests/fixtures/record/parse.json` (format:
//! `tests/fixtures/README.md`): exactly the format relman writes is a record, anything else is
//! not.

use std::path::Path;

use relman::release::ReleaseRecord;
use serde_json::Value;

#[test]
fn record_fixtures() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/record/parse.json");
    let table: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("parse.json")).expect("JSON");
    let cases = table["cases"].as_array().expect("cases");
    assert!(!cases.is_empty(), "no record case in {}", path.display());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let message = case["message"].as_str().expect("message");
            let got = serde_json::to_value(ReleaseRecord::parse(message)).expect("serialises");
            let want = &case["record"];
            (got != *want).then(|| {
                format!(
                    "{}: {message:?}\n  expected {want}\n  got      {got}",
                    case["description"].as_str().unwrap_or("?")
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} record cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // A record read back gives its trailers, and those trailers after a summary read back as
    // the same record.
    for case in cases {
        if let Some(record) = ReleaseRecord::parse(case["message"].as_str().expect("message")) {
            let again = ReleaseRecord::parse(&format!("Summary\n\n{}", record.trailers()));
            assert_eq!(again.as_ref(), Some(&record));
        }
    }
}
