//! Runs the shared image reference table, `tests/fixtures/image/references.json`.
//!
//! Every test collects all failing inputs and reports them in one assertion.

use relman::ImageRef;
use serde_json::Value;

const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/image/references.json"
);

/// A digest valid for any reference, to check `with_digest`.
const SOME_DIGEST: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn table() -> Value {
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("reading {TABLE}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {TABLE}: {e}"))
}

/// The non-empty array `key` of the table.
fn cases(table: &Value, key: &str) -> Vec<Value> {
    let cases = table[key]
        .as_array()
        .unwrap_or_else(|| panic!("{TABLE}: no array {key:?}"));
    assert!(!cases.is_empty(), "{TABLE}: array {key:?} is empty");
    cases.clone()
}

fn text<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("{TABLE}: case {case} has no string {field:?}"))
}

/// A field that is a string or `null`.
fn optional<'a>(case: &'a Value, field: &str) -> Option<&'a str> {
    match &case[field] {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => panic!("{TABLE}: case {case}: {field:?} is {other}, not a string or null"),
    }
}

fn assert_no_failures(what: &str, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} {what} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Compares `actual` with `expected`, recording a failure for `input`.
fn check<T: PartialEq + std::fmt::Debug>(
    failures: &mut Vec<String>,
    input: &str,
    what: &str,
    actual: T,
    expected: T,
) {
    if actual != expected {
        failures.push(format!("{input:?}: {what} is {actual:?}, expected {expected:?}"));
    }
}

#[test]
fn valid_references_parse_into_their_parts() {
    let table = table();
    let mut failures = Vec::new();
    for case in cases(&table, "valid") {
        let input = text(&case, "input");
        let image = match ImageRef::parse(input) {
            Ok(image) => image,
            Err(e) => {
                failures.push(format!("{input:?}: did not parse: {e}"));
                continue;
            }
        };
        let f = &mut failures;
        check(f, input, "domain()", image.domain(), text(&case, "domain"));
        check(f, input, "path()", image.path(), text(&case, "path"));
        check(f, input, "tag()", image.tag(), optional(&case, "tag"));
        check(f, input, "digest()", image.digest(), optional(&case, "digest"));
        check(f, input, "name()", image.name().as_str(), text(&case, "name"));
        check(f, input, "to_string()", image.to_string().as_str(), input);
        check(f, input, "as_str()", image.as_str(), input);

        let mut repository = image.domain().to_owned();
        if !repository.is_empty() {
            repository.push('/');
        }
        repository.push_str(image.path());
        check(f, input, "repository()", image.repository(), repository.as_str());

        let shown = image.to_string();
        let reparsed = ImageRef::parse(&shown).map_err(|e| e.to_string());
        check(f, input, "parse(display)", reparsed, Ok(image.clone()));
        let from_str = input.parse::<ImageRef>().map_err(|e| e.to_string());
        check(f, input, "FromStr", from_str, Ok(image.clone()));
        check(
            f,
            input,
            "same_repository(self)",
            image.same_repository(&image),
            true,
        );
    }
    assert_no_failures("valid references", failures);
}

#[test]
fn with_tag_and_with_digest_round_trip() {
    let table = table();
    let mut failures = Vec::new();
    for case in cases(&table, "valid") {
        let input = text(&case, "input");
        let Ok(image) = ImageRef::parse(input) else {
            failures.push(format!("{input:?}: did not parse"));
            continue;
        };
        let f = &mut failures;

        match image.with_tag("v2.0.1") {
            Ok(tagged) => {
                let expected = format!("{}:v2.0.1", image.repository());
                check(f, input, "with_tag display", tagged.to_string(), expected);
                check(f, input, "with_tag tag()", tagged.tag(), Some("v2.0.1"));
                check(f, input, "with_tag digest()", tagged.digest(), None);
                check(f, input, "with_tag domain()", tagged.domain(), image.domain());
                check(f, input, "with_tag path()", tagged.path(), image.path());
                check(f, input, "with_tag name()", tagged.name(), image.name());
                let shown = tagged.to_string();
                let reparsed = ImageRef::parse(&shown).map_err(|e| e.to_string());
                check(f, input, "with_tag reparsed", reparsed, Ok(tagged.clone()));
                if let (Some(tag), None) = (image.tag(), image.digest()) {
                    let back = tagged.with_tag(tag).map_err(|e| e.to_string());
                    check(
                        f,
                        input,
                        "with_tag back to the original tag",
                        back,
                        Ok(image.clone()),
                    );
                }
            }
            Err(e) => f.push(format!("{input:?}: with_tag failed: {e}")),
        }

        match image.with_digest(SOME_DIGEST) {
            Ok(pinned) => {
                let expected = match image.tag() {
                    Some(tag) => format!("{}:{tag}@{SOME_DIGEST}", image.repository()),
                    None => format!("{}@{SOME_DIGEST}", image.repository()),
                };
                check(f, input, "with_digest display", pinned.to_string(), expected);
                check(f, input, "with_digest tag()", pinned.tag(), image.tag());
                check(
                    f,
                    input,
                    "with_digest digest()",
                    pinned.digest(),
                    Some(SOME_DIGEST),
                );
                check(
                    f,
                    input,
                    "with_digest repository()",
                    pinned.repository(),
                    image.repository(),
                );
                let shown = pinned.to_string();
                let reparsed = ImageRef::parse(&shown).map_err(|e| e.to_string());
                check(f, input, "with_digest reparsed", reparsed, Ok(pinned.clone()));
                if let Some(digest) = image.digest() {
                    let back = pinned.with_digest(digest).map_err(|e| e.to_string());
                    check(
                        f,
                        input,
                        "with_digest back to the original",
                        back,
                        Ok(image.clone()),
                    );
                }
            }
            Err(e) => f.push(format!("{input:?}: with_digest failed: {e}")),
        }

        for bad_tag in ["", "a:b", "-x", " x"] {
            if image.with_tag(bad_tag).is_ok() {
                f.push(format!("{input:?}: with_tag({bad_tag:?}) was accepted"));
            }
        }
        for bad_digest in ["", "sha256:", "sha256:abc", "@sha256:0", "md5"] {
            if image.with_digest(bad_digest).is_ok() {
                f.push(format!("{input:?}: with_digest({bad_digest:?}) was accepted"));
            }
        }
    }
    assert_no_failures("with_tag/with_digest round trips", failures);
}

#[test]
fn valid_references_serialise_as_their_text() {
    let table = table();
    let mut failures = Vec::new();
    for case in cases(&table, "valid") {
        let input = text(&case, "input");
        let Ok(image) = ImageRef::parse(input) else {
            failures.push(format!("{input:?}: did not parse"));
            continue;
        };
        let json = serde_json::to_value(&image).map_err(|e| e.to_string());
        check(&mut failures, input, "serialised", json, Ok(Value::from(input)));
        let back = serde_json::from_value::<ImageRef>(Value::from(input)).map_err(|e| e.to_string());
        check(&mut failures, input, "deserialised", back, Ok(image));
    }
    assert_no_failures("serde round trips", failures);
}

#[test]
fn invalid_references_are_refused() {
    let table = table();
    let mut failures = Vec::new();
    for case in cases(&table, "invalid") {
        let input = text(&case, "input");
        let why = text(&case, "why");
        match ImageRef::parse(input) {
            Ok(image) => failures.push(format!("{input:?} ({why}): parsed as {image:?}")),
            Err(e) if e.code() != "invalid_image_reference" => {
                failures.push(format!(
                    "{input:?} ({why}): code {}, not invalid_image_reference",
                    e.code()
                ));
            }
            Err(e) if e.message().is_empty() => {
                failures.push(format!("{input:?} ({why}): empty error message"));
            }
            Err(_) => {}
        }
        if serde_json::from_value::<ImageRef>(Value::from(input)).is_ok() {
            failures.push(format!("{input:?} ({why}): deserialised"));
        }
    }
    assert_no_failures("invalid references", failures);
}

#[test]
fn same_name_groups_share_a_name() {
    let table = table();
    let mut failures = Vec::new();
    for group in cases(&table, "same_name") {
        let inputs: Vec<&str> = group
            .as_array()
            .unwrap_or_else(|| panic!("{TABLE}: same_name entry {group} is not an array"))
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{TABLE}: {v} is not a string"))
            })
            .collect();
        assert!(
            inputs.len() >= 2,
            "{TABLE}: same_name group {group} has fewer than two inputs"
        );
        let images: Vec<ImageRef> = match inputs.iter().map(|s| ImageRef::parse(s)).collect() {
            Ok(images) => images,
            Err(e) => {
                failures.push(format!("{inputs:?}: {e}"));
                continue;
            }
        };
        let first = &images[0];
        for image in &images[1..] {
            if image.name() != first.name() {
                failures.push(format!(
                    "{image} has name {:?}, {first} has {:?}",
                    image.name(),
                    first.name()
                ));
            }
        }
        for a in &images {
            for b in &images {
                if !a.same_repository(b) {
                    failures.push(format!("{a}.same_repository({b}) is false"));
                }
            }
        }
    }
    assert_no_failures("same_name groups", failures);
}

#[test]
fn different_name_pairs_differ() {
    let table = table();
    let mut failures = Vec::new();
    for pair in cases(&table, "different_name") {
        let (a, b) = match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(a), Value::String(b)]) => (a.as_str(), b.as_str()),
            _ => panic!("{TABLE}: different_name entry {pair} is not a pair of strings"),
        };
        let (a, b) = match (ImageRef::parse(a), ImageRef::parse(b)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                failures.push(format!("{pair}: did not parse: {a:?} {b:?}"));
                continue;
            }
        };
        if a.name() == b.name() {
            failures.push(format!("{a} and {b} both have name {:?}", a.name()));
        }
        if a.same_repository(&b) || b.same_repository(&a) {
            failures.push(format!("{a} and {b}: same_repository is true"));
        }
    }
    assert_no_failures("different_name pairs", failures);
}
