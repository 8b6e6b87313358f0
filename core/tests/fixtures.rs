//! The golden manifest fixtures of `tests/fixtures/manifest/` (format: `tests/fixtures/README.md`).

use std::fs;
use std::path::{Path, PathBuf};

use relman::{Options, PolicyChange};
use serde_json::{Map, Value};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Every folder under `dir` that holds a `case.json`, sorted.
fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "case.json") {
                out.push(d.clone());
            }
        }
    }
    out.sort();
    out
}

/// What an operation returned.
#[derive(Debug, PartialEq)]
enum Outcome {
    Text(String),
    Value(Value),
    Error {
        code: String,
        line: Option<usize>,
        column: Option<usize>,
    },
}

/// The quick API's options from a case's `args` (`default_namespace`, `path`).
pub(crate) fn options(args: &Map<String, Value>) -> Options {
    let mut o = Options::default();
    if let Some(ns) = args.get("default_namespace").and_then(Value::as_str) {
        o.default_namespace = ns.to_string();
    }
    o.path = args.get("path").and_then(Value::as_str).map(str::to_string);
    o
}

/// The `update_policy` change of a case's `args` (`add`, `remove`).
pub(crate) fn policy_change(args: &Map<String, Value>) -> Result<PolicyChange, String> {
    let mut change = PolicyChange::new();
    for (k, v) in args.get("add").and_then(Value::as_object).into_iter().flatten() {
        change = change.add(k.clone(), v.as_str().ok_or("policy values are strings")?);
    }
    for p in args.get("remove").and_then(Value::as_array).into_iter().flatten() {
        change = change.remove(p.as_str().ok_or("policy names are strings")?);
    }
    Ok(change)
}

fn arg<'a>(args: &'a Map<String, Value>, key: &str) -> &'a str {
    args.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string argument `{key}`"))
}

fn run(op: &str, args: &Map<String, Value>, input: &str) -> Outcome {
    let opts = options(args);
    let result: relman::Result<Outcome> = match op {
        "set_image" => relman::set_image(
            input,
            arg(args, "workload"),
            arg(args, "container"),
            arg(args, "image"),
            &opts,
        )
        .map(Outcome::Text),
        "update_policy" => {
            let change = policy_change(args).unwrap_or_else(|e| panic!("{e}"));
            relman::update_policy(input, arg(args, "workload"), &change, &opts).map(Outcome::Text)
        }
        "list_images" => relman::list_images(input, &opts)
            .map(|slots| Outcome::Value(serde_json::to_value(slots).expect("slots serialise"))),
        "read_policy" => relman::read_policy(input, arg(args, "workload"), &opts)
            .map(|p| Outcome::Value(serde_json::to_value(p).expect("policy serialises"))),
        other => panic!("unknown op `{other}`"),
    };
    result.unwrap_or_else(|e| Outcome::Error {
        code: e.code().to_string(),
        line: e.line(),
        column: e.column(),
    })
}

/// `expected` fields (recursively for objects) all equal in `actual`; arrays must have the
/// same length.
pub(crate) fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            e.iter().all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| subset(x, y))
        }
        _ => expected == actual,
    }
}

/// Lines not in the longest common subsequence, the larger side's count.
pub(crate) fn changed_lines(a: &str, b: &str) -> usize {
    let a: Vec<&str> = a.split_inclusive('\n').collect();
    let b: Vec<&str> = b.split_inclusive('\n').collect();
    let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            dp[i][j] = if a[i].trim_end_matches('\n') == b[j].trim_end_matches('\n') {
                dp[i + 1][j + 1] + 1
            } else {
                dp[i + 1][j].max(dp[i][j + 1])
            };
        }
    }
    (a.len() - dp[0][0]).max(b.len() - dp[0][0])
}

/// `s` with every LF turned into CRLF.
pub(crate) fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

fn check_case(dir: &Path) -> Result<(), String> {
    let case: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("case.json")).map_err(|e| e.to_string())?)
            .map_err(|e| format!("case.json: {e}"))?;
    let input = fs::read_to_string(dir.join("input.yaml")).map_err(|e| format!("input.yaml: {e}"))?;
    let op = case["op"].as_str().ok_or("case.json has no op")?;
    let empty = Map::new();
    let args = case.get("args").and_then(Value::as_object).unwrap_or(&empty);
    let expect = case
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("case.json has no expect")?;
    let twin = case.get("crlf_twin").and_then(Value::as_bool).unwrap_or(true) && !input.contains('\r');
    let outcome = run(op, args, &input);

    if let Some(err) = expect.get("error") {
        let code = err["code"].as_str().ok_or("error without code")?;
        let Outcome::Error {
            code: got,
            line,
            column,
        } = &outcome
        else {
            return Err(format!("expected error {code}, got {outcome:?}"));
        };
        if got != code {
            return Err(format!(
                "expected error {code}, got {got} (at {line:?}:{column:?})"
            ));
        }
        for (key, got) in [("line", line), ("column", column)] {
            if let Some(want) = err.get(key).and_then(Value::as_u64) {
                if *got != Some(want as usize) {
                    return Err(format!("error {code}: expected {key} {want}, got {got:?}"));
                }
            }
        }
        if twin {
            match run(op, args, &crlf(&input)) {
                Outcome::Error { code: c, .. } if c == code => {}
                other => return Err(format!("CRLF twin: expected error {code}, got {other:?}")),
            }
        }
        return Ok(());
    }
    if let Some(n) = expect.get("changed_lines") {
        let expected =
            fs::read_to_string(dir.join("expected.yaml")).map_err(|e| format!("expected.yaml: {e}"))?;
        let Outcome::Text(got) = &outcome else {
            return Err(format!("expected an edit, got {outcome:?}"));
        };
        if *got != expected {
            return Err(format!(
                "bytes differ\n--- expected\n{expected:?}\n--- got\n{got:?}"
            ));
        }
        let want = n.as_u64().ok_or("changed_lines is not a number")? as usize;
        let have = changed_lines(&input.replace("\r\n", "\n"), &expected.replace("\r\n", "\n"));
        if have != want {
            return Err(format!(
                "changed_lines: case says {want}, input vs expected differ in {have}"
            ));
        }
        match run(op, args, &expected) {
            Outcome::Text(again) if again == expected => {}
            other => return Err(format!("not idempotent: second run gave {other:?}")),
        }
        if twin {
            match run(op, args, &crlf(&input)) {
                Outcome::Text(t) if t == crlf(&expected) => {}
                other => return Err(format!("CRLF twin differs: {other:?}")),
            }
        }
        return Ok(());
    }
    let (key, value) = expect.iter().next().ok_or("empty expect")?;
    if key != "slots" && key != "policy" {
        return Err(format!("unknown expectation `{key}`"));
    }
    let Outcome::Value(got) = &outcome else {
        return Err(format!("expected {key}, got {outcome:?}"));
    };
    if !subset(value, got) {
        return Err(format!("{key} differ\n--- expected\n{value}\n--- got\n{got}"));
    }
    if twin && run(op, args, &crlf(&input)) != outcome {
        return Err("CRLF twin gives a different result".to_string());
    }
    Ok(())
}

#[test]
fn manifest_fixtures() {
    let root = fixtures_root().join("manifest");
    let dirs = case_dirs(&root);
    assert!(!dirs.is_empty(), "no fixture cases under {}", root.display());
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            check_case(d)
                .err()
                .map(|e| format!("{}: {e}", d.strip_prefix(&root).unwrap_or(d).display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixture cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
    eprintln!("{} manifest fixture cases passed", dirs.len());
}

#[test]
fn every_fixture_group_has_cases() {
    let root = fixtures_root().join("manifest");
    for entry in fs::read_dir(&root).expect("fixtures/manifest exists").flatten() {
        if entry.path().is_dir() {
            assert!(
                !case_dirs(&entry.path()).is_empty(),
                "fixture group {} yields no case",
                entry.path().display()
            );
        }
    }
}
