//! The golden `relman.yaml` fixtures of `tests/fixtures/config/` (format:
//! `tests/fixtures/config/README.md`): parsing cases and lock edits.

use std::fs;
use std::path::{Path, PathBuf};

use relman::config::{Config, EnvironmentLock, lock_environment, unlock_environment};
use serde_json::Value;

const PARSE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/config/parse");
const LOCK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/config/lock");

/// The folders directly under `dir` (each one case), sorted; every one must hold a `case.json`.
fn cases(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixture case under {dir}");
    for d in &out {
        assert!(d.join("case.json").is_file(), "{} has no case.json", d.display());
    }
    out
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn case_json(dir: &Path) -> Result<Value, String> {
    let case: Value =
        serde_json::from_str(&read(&dir.join("case.json"))?).map_err(|e| format!("case.json: {e}"))?;
    if case["description"].as_str().is_none_or(str::is_empty) {
        return Err("case.json has no description".to_string());
    }
    Ok(case)
}

/// What an operation gave, comparable across the LF and CRLF forms.
#[derive(Debug, PartialEq)]
enum Outcome<T> {
    Ok(T),
    Error {
        code: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
}

fn outcome<T>(result: relman::Result<T>) -> Outcome<T> {
    match result {
        Ok(v) => Outcome::Ok(v),
        Err(e) => Outcome::Error {
            code: e.code().to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        },
    }
}

/// `expected` fields (recursively for objects) all equal in `actual`; arrays must have the
/// same length.
fn subset(expected: &Value, actual: &Value) -> bool {
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

/// The expected error of a case, checked against an outcome: code, then line and column
/// when the case gives them.
fn check_error<T: std::fmt::Debug>(want: &Value, got: &Outcome<T>) -> Result<(), String> {
    let code = want["code"].as_str().ok_or("error without code")?;
    let Outcome::Error {
        code: got_code,
        line,
        column,
        message,
    } = got
    else {
        return Err(format!("expected error {code}, got {got:?}"));
    };
    if got_code != code {
        return Err(format!("expected error {code}, got {message}"));
    }
    for (key, have) in [("line", line), ("column", column)] {
        if let Some(n) = want.get(key).and_then(Value::as_u64) {
            if *have != Some(n as usize) {
                return Err(format!("expected {key} {n}, got {message}"));
            }
        }
    }
    Ok(())
}

fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

/// Whether the case asks for (and allows) the CRLF twin.
fn twin(case: &Value, input: &str) -> bool {
    case.get("crlf_twin").and_then(Value::as_bool).unwrap_or(true) && !input.contains('\r')
}

fn check_parse(dir: &Path) -> Result<(), String> {
    let case = case_json(dir)?;
    let text = read(&dir.join("relman.yaml"))?;
    let got = outcome(Config::parse(&text));
    let expect = case["expect"].as_object().ok_or("case.json has no expect")?;
    match (expect.get("config"), expect.get("error")) {
        (Some(want), None) => {
            let Outcome::Ok(config) = &got else {
                return Err(format!("expected a config, got {got:?}"));
            };
            let json = serde_json::to_value(config).map_err(|e| e.to_string())?;
            if !subset(want, &json) {
                return Err(format!(
                    "config differs\n--- expected (subset)\n{want:#}\n--- got\n{json:#}"
                ));
            }
        }
        (None, Some(want)) => check_error(want, &got)?,
        _ => return Err("expect needs exactly one of config, error".to_string()),
    }
    if twin(&case, &text) {
        let again = outcome(Config::parse(&crlf(&text)));
        if again != got {
            return Err(format!("CRLF twin differs: {again:?}"));
        }
    }
    Ok(())
}

/// Lines not in the longest common subsequence, the larger side's count.
fn changed_lines(a: &str, b: &str) -> usize {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            dp[i][j] = if a[i] == b[j] {
                dp[i + 1][j + 1] + 1
            } else {
                dp[i + 1][j].max(dp[i][j + 1])
            };
        }
    }
    (a.len() - dp[0][0]).max(b.len() - dp[0][0])
}

/// A lock operation of a case.
struct LockOp {
    environment: String,
    lock: Option<EnvironmentLock>,
}

impl LockOp {
    fn from_case(case: &Value) -> Result<LockOp, String> {
        let environment = case["environment"]
            .as_str()
            .ok_or("case.json has no environment")?
            .to_string();
        let lock = match case["op"].as_str() {
            Some("lock") => Some(
                serde_json::from_value::<EnvironmentLock>(case["lock"].clone())
                    .map_err(|e| format!("case.json lock: {e}"))?,
            ),
            Some("unlock") => None,
            other => return Err(format!("unknown op {other:?}")),
        };
        Ok(LockOp { environment, lock })
    }

    fn run(&self, text: &str) -> Outcome<String> {
        outcome(match &self.lock {
            Some(lock) => lock_environment(text, &self.environment, lock),
            None => unlock_environment(text, &self.environment),
        })
    }

    /// The edited text reads back with the requested lock (or none).
    fn check_result(&self, text: &str) -> Result<(), String> {
        let config = Config::parse(text).map_err(|e| format!("the result does not parse: {e}"))?;
        let env = config.environment(&self.environment).map_err(|e| e.to_string())?;
        if env.lock != self.lock {
            return Err(format!("the result reads back with lock {:?}", env.lock));
        }
        Ok(())
    }
}

fn check_lock(dir: &Path) -> Result<(), String> {
    let case = case_json(dir)?;
    let input = read(&dir.join("input.yaml"))?;
    let op = LockOp::from_case(&case)?;
    let got = op.run(&input);
    let expect = case["expect"].as_object().ok_or("case.json has no expect")?;
    if let Some(want) = expect.get("error") {
        check_error(want, &got)?;
        if twin(&case, &input) {
            check_error(want, &op.run(&crlf(&input))).map_err(|e| format!("CRLF twin: {e}"))?;
        }
        return Ok(());
    }
    let n = expect
        .get("changed_lines")
        .and_then(Value::as_u64)
        .ok_or("expect needs changed_lines or error")? as usize;
    let expected = read(&dir.join("expected.yaml"))?;
    let Outcome::Ok(text) = &got else {
        return Err(format!("expected an edit, got {got:?}"));
    };
    if *text != expected {
        return Err(format!(
            "bytes differ\n--- expected\n{expected:?}\n--- got\n{text:?}"
        ));
    }
    let have = changed_lines(&input, &expected);
    if have != n {
        return Err(format!(
            "case says {n} changed lines, input and expected differ in {have}"
        ));
    }
    op.check_result(text)?;
    match op.run(&expected) {
        Outcome::Ok(again) if again == expected => {}
        other => return Err(format!("not idempotent: a second run gave {other:?}")),
    }
    if twin(&case, &input) {
        match op.run(&crlf(&input)) {
            Outcome::Ok(t) if t == crlf(&expected) => {}
            other => return Err(format!("CRLF twin differs: {other:?}")),
        }
    }
    Ok(())
}

fn run_all(dir: &str, check: fn(&Path) -> Result<(), String>) {
    let dirs = cases(dir);
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            let name = d.file_name().unwrap_or_default().to_string_lossy();
            check(d).err().map(|e| format!("{name}: {e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases under {dir} failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}

#[test]
fn config_parse_fixtures() {
    run_all(PARSE, check_parse);
}

#[test]
fn config_lock_fixtures() {
    run_all(LOCK, check_lock);
}

#[test]
fn changed_lines_counts_lcs() {
    assert_eq!(changed_lines("a\nb\nc\n", "a\nb\nc\n"), 0);
    assert_eq!(changed_lines("a\nb\nc\n", "a\nx\nc\n"), 1);
    assert_eq!(changed_lines("a\nc\n", "a\nb1\nb2\nc\n"), 2);
}
