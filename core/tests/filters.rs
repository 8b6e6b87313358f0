//! Runs the tag filter tables of `tests/fixtures/filters/` (format: the `README.md` there):
//! `match.json`, `constraints.json` and `select.json`.
//!
//! Every test collects all failing rows and reports them in one assertion.

use std::cmp::Ordering;

use relman::policy::{Constraint, RejectReason, Selection, choose, compare, parse_version, select};
use relman::release::ImageInfo;
use relman::{TagFilter, VersionMode};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/filters/");

fn table(name: &str) -> Value {
    let path = format!("{DIR}{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// The non-empty array `key` of a table.
fn rows<'a>(table: &'a Value, name: &str, key: &str) -> &'a [Value] {
    let rows = table[key]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: no array {key:?}"));
    assert!(!rows.is_empty(), "{name}: array {key:?} is empty");
    rows
}

fn text<'a>(row: &'a Value, field: &str) -> &'a str {
    row[field]
        .as_str()
        .unwrap_or_else(|| panic!("row {row} has no string {field:?}"))
}

fn strings<'a>(row: &'a Value, field: &str) -> Vec<&'a str> {
    match &row[field] {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .unwrap_or_else(|| panic!("row {row}: {field:?} holds {i}"))
            })
            .collect(),
        other => panic!("row {row}: {field:?} is {other}, not an array"),
    }
}

fn mode(row: &Value) -> VersionMode {
    match &row["mode"] {
        Value::Null => VersionMode::Default,
        value => serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("row {row}: mode: {e}")),
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

#[test]
fn filters_match() {
    let table = table("match.json");
    let mut failures = Vec::new();
    for row in rows(&table, "match.json", "match") {
        let (source, text) = (row["source"].as_str().unwrap_or(""), text(row, "filter"));
        let mode = mode(row);
        let filter = match TagFilter::parse(text) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{source} {text:?}: does not parse: {e}"));
                continue;
            }
        };
        if filter.as_str() != text || filter.to_string() != text {
            failures.push(format!("{source} {text:?}: displays as {:?}", filter.as_str()));
        }
        if let Some(kind) = row["kind"].as_str() {
            let got = serde_json::to_value(filter.kind()).unwrap();
            if got != kind {
                failures.push(format!("{source} {text:?}: kind {got}, expected {kind}"));
            }
        }
        if let Some(order) = row["order"].as_str() {
            if filter.order().code() != order {
                failures.push(format!(
                    "{source} {text:?}: order {}, expected {order}",
                    filter.order()
                ));
            }
        }
        if let Some(extract) = row.get("extract") {
            if filter.extract() != extract.as_str() {
                failures.push(format!(
                    "{source} {text:?}: extract {:?}, expected {extract}",
                    filter.extract()
                ));
            }
        }
        if let Some(values) = row["values"].as_object() {
            for (tag, want) in values {
                let got = filter.value_of(tag);
                if got.as_deref() != want.as_str() {
                    failures.push(format!(
                        "{source} {text:?}: value of {tag:?} is {got:?}, expected {want}"
                    ));
                }
            }
        }
        let (yes, no) = (strings(row, "match"), strings(row, "no_match"));
        if yes.is_empty() && no.is_empty() {
            failures.push(format!("{source} {text:?}: row without tags"));
        }
        for (tags, want) in [(yes, true), (no, false)] {
            for tag in tags {
                if filter.matches_in(tag, mode) != want {
                    failures.push(format!("{source} {text:?} ({mode}) on {tag:?}: expected {want}"));
                }
                if mode == VersionMode::Default && filter.matches(tag) != filter.matches_in(tag, mode) {
                    failures.push(format!(
                        "{source} {text:?}: matches({tag:?}) differs from matches_in"
                    ));
                }
            }
        }
    }
    assert_no_failures("filter rows", failures);
}

#[test]
fn invalid_filters() {
    let table = table("match.json");
    let mut failures = Vec::new();
    for row in rows(&table, "match.json", "invalid") {
        let text = text(row, "filter");
        match TagFilter::parse(text) {
            Ok(f) => failures.push(format!("{text:?}: parsed as {f:?}")),
            Err(e) if e.code() != "invalid_filter" => failures.push(format!("{text:?}: code {}", e.code())),
            Err(e) => {
                if let Some(needle) = row["contains"].as_str() {
                    if !e.message().contains(needle) {
                        failures.push(format!("{text:?}: message {:?} lacks {needle:?}", e.message()));
                    }
                }
            }
        }
    }
    assert_no_failures("invalid filters", failures);
}

#[test]
fn constraints() {
    let table = table("constraints.json");
    let mut failures = Vec::new();
    for row in rows(&table, "constraints.json", "cases") {
        let (text, version) = (text(row, "constraint"), text(row, "version"));
        let want = row["expect"]
            .as_bool()
            .unwrap_or_else(|| panic!("row {row}: no boolean expect"));
        let Some(v) = parse_version(version, VersionMode::Loose) else {
            failures.push(format!("{text:?}: {version:?} is not a version"));
            continue;
        };
        match Constraint::parse(text) {
            Err(e) => failures.push(format!("{text:?}: does not parse: {e}")),
            Ok(c) if c.matches(&v) != want => {
                failures.push(format!("{text:?} on {version}: expected {want}"))
            }
            Ok(c) => {
                // The same answer through a `semver:` filter, whose tags are read in loose mode.
                let filter = TagFilter::parse(&format!("semver:{text}")).expect("constraint parses");
                if filter.matches_in(version, VersionMode::Loose) != want {
                    failures.push(format!("semver:{text} on {version}: expected {want} as a filter"));
                }
                if c.as_str() != text {
                    failures.push(format!("{text:?}: displays as {:?}", c.as_str()));
                }
            }
        }
    }
    assert_no_failures("constraint cases", failures);
}

#[test]
fn invalid_constraints() {
    let table = table("constraints.json");
    let mut failures = Vec::new();
    for row in rows(&table, "constraints.json", "invalid") {
        let text = text(row, "constraint");
        match Constraint::parse(text) {
            Ok(c) => failures.push(format!("{text:?}: parsed as {c:?}")),
            Err(e) if e.code() != "invalid_filter" => failures.push(format!("{text:?}: code {}", e.code())),
            Err(e) => {
                let needle = text_or_empty(row, "contains");
                if !e.message().contains(needle) {
                    failures.push(format!("{text:?}: message {:?} lacks {needle:?}", e.message()));
                }
                if TagFilter::parse(&format!("semver:{text}")).is_ok() {
                    failures.push(format!("semver:{text} parses as a filter"));
                }
            }
        }
    }
    assert_no_failures("invalid constraints", failures);
}

fn text_or_empty<'a>(row: &'a Value, field: &str) -> &'a str {
    row[field].as_str().unwrap_or("")
}

fn image(value: &Value) -> ImageInfo {
    let mut info = ImageInfo::new(text(value, "tag"));
    if let Some(digest) = value["digest"].as_str() {
        info = info.with_digest(digest);
    }
    match value["created"].as_str() {
        Some(created) => info
            .with_created_str(created)
            .unwrap_or_else(|e| panic!("{value}: {e}")),
        None => info,
    }
}

fn ordering_name(o: Option<Ordering>) -> Value {
    match o {
        None => Value::Null,
        Some(Ordering::Less) => "less".into(),
        Some(Ordering::Equal) => "equal".into(),
        Some(Ordering::Greater) => "greater".into(),
    }
}

/// The time of a `select.json` case without `now`.
const DEFAULT_NOW: &str = "2026-11-27T12:00:00Z";

/// Check one `select.json` case; push what is wrong to `failures`.
fn check_selection(row: &Value, failures: &mut Vec<String>) {
    let source = row["source"].as_str().unwrap_or("");
    let filter_text = text(row, "filter");
    let label = format!("{source} {filter_text:?}");
    let filter = TagFilter::parse(filter_text).unwrap_or_else(|e| panic!("{label}: {e}"));
    let mode = mode(row);
    let images: Vec<ImageInfo> = row["images"]
        .as_array()
        .unwrap_or_else(|| panic!("{label}: no images"))
        .iter()
        .map(image)
        .collect();
    // The time of the selection (`now`, default 2026-11-27T12:00:00Z).
    let now: jiff::Timestamp = row["now"]
        .as_str()
        .unwrap_or(DEFAULT_NOW)
        .parse()
        .unwrap_or_else(|e| panic!("{label}: now: {e}"));
    let s: Selection = select(&filter, mode, &images, now);
    let chosen = s.chosen.as_ref().map(|c| c.tag.as_str());
    let want = row["chosen"].as_str();
    if chosen != want {
        failures.push(format!("{label}: chose {chosen:?}, expected {want:?}"));
    }
    if choose(&filter, mode, &images, now).map(|c| c.tag.as_str()) != chosen {
        failures.push(format!("{label}: choose() disagrees with select()"));
    }
    let expected_count = row["rejected_count"]
        .as_u64()
        .map_or(images.len() - usize::from(chosen.is_some()), |n| n as usize);
    if s.rejected_count != expected_count || s.rejected.len() != expected_count.min(50) {
        failures.push(format!(
            "{label}: {} rejected ({} listed), expected {expected_count}",
            s.rejected_count,
            s.rejected.len()
        ));
    }
    for r in &s.rejected {
        if !r.message.contains(&format!("`{}`", r.tag)) {
            failures.push(format!(
                "{label}: message for {:?} does not name it: {:?}",
                r.tag, r.message
            ));
        }
    }
    let reasons = row["reasons"]
        .as_object()
        .unwrap_or_else(|| panic!("{label}: no reasons object"));
    for (tag, reason) in reasons {
        let want: RejectReason = serde_json::from_value(reason.clone())
            .unwrap_or_else(|e| panic!("{label}: reason {reason}: {e}"));
        match s.rejected.iter().find(|r| &r.tag == tag) {
            None => failures.push(format!("{label}: {tag:?} not rejected, expected {}", want.code())),
            Some(r) if r.reason != want => failures.push(format!(
                "{label}: {tag:?} rejected as {}, expected {} ({})",
                r.reason.code(),
                want.code(),
                r.message
            )),
            Some(_) => {}
        }
    }
    let order = strings(row, "order");
    if !order.is_empty() {
        let mut sorted: Vec<&ImageInfo> = order
            .iter()
            .map(|t| images.iter().find(|i| i.tag == *t).expect("order names an image"))
            .collect();
        sorted.sort_by(|a, b| compare(&filter, mode, b, a).expect("ordered tags are comparable"));
        let got: Vec<&str> = sorted.iter().map(|i| i.tag.as_str()).collect();
        if got != order {
            failures.push(format!("{label}: order {got:?}, expected {order:?}"));
        }
    }
    for entry in row["compare"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let (a, b) = (image(&entry["a"]), image(&entry["b"]));
        let got = ordering_name(compare(&filter, mode, &a, &b));
        let reverse = ordering_name(compare(&filter, mode, &b, &a).map(Ordering::reverse));
        if got != entry["expect"] || reverse != got {
            failures.push(format!(
                "{label}: compare({}, {}) = {got}, reversed {reverse}, expected {}",
                a.tag, b.tag, entry["expect"]
            ));
        }
    }
}

#[test]
fn selections() {
    let table = table("select.json");
    let mut failures = Vec::new();
    for row in rows(&table, "select.json", "cases") {
        check_selection(row, &mut failures);
    }
    assert_no_failures("selection cases", failures);
}
