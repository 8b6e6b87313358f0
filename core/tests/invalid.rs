//! The bad-input catalogue of `tests/fixtures/invalid/` (format: `tests/fixtures/README.md`):
//! hostile and malformed inputs (control characters, deep nesting, alias bombs, a 50 MB line,
//! Helm templates, tabs, unterminated quotes, duplicate keys, injected image values, free-text
//! annotations, files that are not UTF-8, a wrong field in every place of `relman.yaml`), each
//! with the error code and location it must give, or the result it must give when accepted.
//!
//! Bounded time is shown by the run finishing at all: nothing here measures time (performance
//! is measured in benchmarks, never asserted in tests).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::fixtures::{changed_lines, crlf, options, policy_change, subset};
use crate::made_tree::MadeTree;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/invalid");

/// The case folders (directly under the root), sorted; every one must hold a `case.json`.
fn case_dirs() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(ROOT)
        .unwrap_or_else(|e| panic!("{ROOT}: {e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// What an operation gave. Errors carry no text: a failed operation returns nothing else.
#[derive(Debug, PartialEq)]
enum Outcome {
    Text(String),
    Value(Value),
    Error {
        code: String,
        path: Option<String>,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
}

impl Outcome {
    fn of<T>(result: relman::Result<T>, ok: impl FnOnce(T) -> Outcome) -> Outcome {
        match result {
            Ok(v) => ok(v),
            Err(e) => Outcome::Error {
                code: e.code().to_string(),
                path: e.path().map(str::to_string),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            },
        }
    }

    /// A short description for failure messages (a 50 MB text is not printed).
    fn show(&self) -> String {
        let full = match self {
            Outcome::Text(t) if t.len() > 2000 => return format!("Text({} bytes)", t.len()),
            other => format!("{other:?}"),
        };
        if full.len() > 2000 {
            format!("{}...", full.chars().take(2000).collect::<String>())
        } else {
            full
        }
    }
}

fn arg<'a>(args: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    args.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string argument `{key}`"))
}

/// Run the case's operation on `input` (for `from_dir`, on the case's `files/` folder).
fn run(op: &str, args: &Map<String, Value>, input: &str, dir: &Path) -> Result<Outcome, String> {
    let opts = options(args);
    Ok(match op {
        "set_image" => Outcome::of(
            relman::set_image(
                input,
                arg(args, "workload")?,
                arg(args, "container")?,
                arg(args, "image")?,
                &opts,
            ),
            Outcome::Text,
        ),
        "update_policy" => Outcome::of(
            relman::update_policy(input, arg(args, "workload")?, &policy_change(args)?, &opts),
            Outcome::Text,
        ),
        "list_images" => Outcome::of(relman::list_images(input, &opts), |slots| {
            Outcome::Value(serde_json::to_value(slots).expect("slots serialise"))
        }),
        "read_policy" => Outcome::of(relman::read_policy(input, arg(args, "workload")?, &opts), |p| {
            Outcome::Value(serde_json::to_value(p).expect("policy serialises"))
        }),
        "parse_config" => Outcome::of(relman::Config::parse(input), |c| {
            Outcome::Value(serde_json::to_value(c).expect("config serialises"))
        }),
        "from_dir" => match case_make(dir)? {
            Some(make) => from_dir(&MadeTree::new(&dir.join("files"), &make)?.root),
            None => from_dir(&dir.join("files")),
        },
        other => return Err(format!("unknown op `{other}`")),
    })
}

/// The case's `make` list, if any.
fn case_make(dir: &Path) -> Result<Option<Value>, String> {
    let case: Value = serde_json::from_str(
        &fs::read_to_string(dir.join("case.json")).map_err(|e| format!("case.json: {e}"))?,
    )
    .map_err(|e| format!("case.json: {e}"))?;
    Ok(case.get("make").cloned())
}

/// `Snapshot::from_dir` of `root`: the snapshot's files (paths, sorted) and links.
#[cfg(feature = "fs")]
fn from_dir(root: &Path) -> Outcome {
    Outcome::of(relman::release::Snapshot::from_dir(root), |s| {
        let links: Map<String, Value> = s.links().map(|(l, t)| (l.to_string(), Value::from(t))).collect();
        Outcome::Value(serde_json::json!({
            "files": s.files().map(|(p, _)| p).collect::<Vec<_>>(),
            "links": links,
        }))
    })
}

/// Without the `fs` feature there is no `Snapshot::from_dir`: such cases are skipped (counted
/// and reported), never passed.
#[cfg(not(feature = "fs"))]
fn from_dir(_root: &Path) -> Outcome {
    unreachable!("from_dir cases are skipped without the `fs` feature")
}

/// The case's input: `input.yaml`, or the concatenation of the `generate` parts.
fn input_text(dir: &Path, case: &Value) -> Result<String, String> {
    let file = dir.join("input.yaml");
    match case.get("generate") {
        Some(parts) => {
            if file.exists() {
                return Err("a case gives input.yaml or generate, not both".to_string());
            }
            let parts = parts.as_array().ok_or("generate is not a list")?;
            let mut text = String::new();
            for part in parts {
                let piece = part["text"].as_str().ok_or("a generate part has no text")?;
                let times = part["repeat"].as_u64().ok_or("a generate part has no repeat")?;
                text.push_str(&piece.repeat(times as usize));
            }
            Ok(text)
        }
        None => fs::read_to_string(&file).map_err(|e| format!("input.yaml: {e}")),
    }
}

/// The expected error against an outcome: code, then line, column, path and a piece of the
/// message when the case gives them.
fn check_error(want: &Value, got: &Outcome) -> Result<(), String> {
    let code = want["code"].as_str().ok_or("error without code")?;
    let Outcome::Error {
        code: got_code,
        path,
        line,
        column,
        message,
    } = got
    else {
        return Err(format!("expected error {code}, got {}", got.show()));
    };
    if got_code != code {
        return Err(format!("expected error {code}, got {}", got.show()));
    }
    for (key, have) in [("line", line), ("column", column)] {
        if let Some(n) = want.get(key).and_then(Value::as_u64) {
            if *have != Some(n as usize) {
                return Err(format!("expected {key} {n}, got {}", got.show()));
            }
        }
    }
    if let Some(p) = want.get("path").and_then(Value::as_str) {
        if path.as_deref() != Some(p) {
            return Err(format!("expected path {p}, got {}", got.show()));
        }
    }
    if let Some(piece) = want.get("message_contains").and_then(Value::as_str) {
        if !message.contains(piece) {
            return Err(format!("the message does not contain `{piece}`: {}", got.show()));
        }
    }
    Ok(())
}

/// Whether a case ran.
enum Ran {
    Checked,
    /// A `from_dir` case without the `fs` feature.
    Skipped,
}

fn check_case(dir: &Path) -> Result<Ran, String> {
    let case: Value = serde_json::from_str(
        &fs::read_to_string(dir.join("case.json")).map_err(|e| format!("case.json: {e}"))?,
    )
    .map_err(|e| format!("case.json: {e}"))?;
    if case["description"].as_str().is_none_or(str::is_empty) {
        return Err("case.json has no description".to_string());
    }
    let op = case["op"].as_str().ok_or("case.json has no op")?;
    let empty = Map::new();
    let args = case.get("args").and_then(Value::as_object).unwrap_or(&empty);
    let expect = case
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("case.json has no expect")?;
    let input = if op == "from_dir" {
        if !dir.join("files").is_dir() {
            return Err("a from_dir case needs a files/ folder".to_string());
        }
        if cfg!(not(feature = "fs")) {
            return Ok(Ran::Skipped);
        }
        String::new()
    } else {
        input_text(dir, &case)?
    };
    let twin = op != "from_dir"
        && case.get("crlf_twin").and_then(Value::as_bool).unwrap_or(true)
        && !input.contains('\r');
    let outcome = run(op, args, &input, dir)?;

    if let Some(want) = expect.get("error") {
        check_error(want, &outcome)?;
        if twin {
            check_error(want, &run(op, args, &crlf(&input), dir)?).map_err(|e| format!("CRLF twin: {e}"))?;
        }
        return Ok(Ran::Checked);
    }
    if let Some(n) = expect.get("changed_lines") {
        if case.get("generate").is_some() {
            return Err("changed_lines needs input.yaml and expected.yaml, not generate".to_string());
        }
        let expected =
            fs::read_to_string(dir.join("expected.yaml")).map_err(|e| format!("expected.yaml: {e}"))?;
        let Outcome::Text(got) = &outcome else {
            return Err(format!("expected an edit, got {}", outcome.show()));
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
        match run(op, args, &expected, dir)? {
            Outcome::Text(again) if again == expected => {}
            other => return Err(format!("not idempotent: second run gave {}", other.show())),
        }
        if twin {
            match run(op, args, &crlf(&input), dir)? {
                Outcome::Text(t) if t == crlf(&expected) => {}
                other => return Err(format!("CRLF twin differs: {}", other.show())),
            }
        }
        if let Some(back) = case.get("read_back") {
            let workload = back["workload"].as_str().ok_or("read_back has no workload")?;
            let policy =
                relman::read_policy(got, workload, &options(args)).map_err(|e| format!("read_back: {e}"))?;
            let policy = serde_json::to_value(policy).expect("policy serialises");
            if !subset(&back["policy"], &policy) {
                return Err(format!(
                    "read back differs\n--- expected\n{}\n--- got\n{policy}",
                    back["policy"]
                ));
            }
        }
        return Ok(Ran::Checked);
    }
    if case.get("read_back").is_some() {
        return Err("read_back goes with changed_lines".to_string());
    }
    let (key, value) = expect.iter().next().ok_or("empty expect")?;
    if !matches!(key.as_str(), "slots" | "policy" | "config" | "snapshot") || expect.len() != 1 {
        return Err(format!("unknown expectation `{key}`"));
    }
    let Outcome::Value(got) = &outcome else {
        return Err(format!("expected {key}, got {}", outcome.show()));
    };
    if key == "snapshot" {
        // The whole snapshot: every file and every link, no more.
        if op != "from_dir" {
            return Err("a snapshot expectation goes with from_dir".to_string());
        }
        let links = value
            .get("links")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        let want = serde_json::json!({"files": value["files"], "links": links});
        if want != *got {
            return Err(format!("snapshot differs\n--- expected\n{want}\n--- got\n{got}"));
        }
        return Ok(Ran::Checked);
    }
    if !subset(value, got) {
        return Err(format!("{key} differ\n--- expected\n{value}\n--- got\n{got}"));
    }
    if twin && run(op, args, &crlf(&input), dir)? != outcome {
        return Err("CRLF twin gives a different result".to_string());
    }
    Ok(Ran::Checked)
}

#[test]
fn invalid_fixtures() {
    let dirs = case_dirs();
    assert!(!dirs.is_empty(), "no fixture case under {ROOT}");
    let mut failures: Vec<String> = Vec::new();
    let mut skipped = 0;
    for d in &dirs {
        let id = d
            .file_name()
            .map_or_else(|| d.display().to_string(), |n| n.to_string_lossy().into_owned());
        if !d.join("case.json").is_file() {
            failures.push(format!("{id}: no case.json"));
            continue;
        }
        match check_case(d) {
            Ok(Ran::Checked) => {}
            Ok(Ran::Skipped) => skipped += 1,
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
    eprintln!("{} bad-input cases passed", dirs.len() - skipped);
    if skipped > 0 {
        eprintln!("{skipped} from_dir cases skipped: Snapshot::from_dir needs the `fs` feature");
    }
}
