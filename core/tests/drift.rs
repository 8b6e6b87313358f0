//! The drift cases of `tests/fixtures/drift/` (format: `tests/fixtures/README.md`): a repo, the
//! text kubectl printed, and the report `drift` must give (or its error).

use std::fs;
use std::path::{Path, PathBuf};

use relman::release::{DriftReport, Snapshot, drift};
use serde_json::Value;

use crate::plan::{expected_error, read_tree};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/drift")
}

/// `expected` fields all equal in `actual` (objects recursively; arrays same length).
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

fn check_report(report: &DriftReport, expect: &Value) -> Result<(), String> {
    let actual = serde_json::to_value(report).expect("reports serialise");
    let want = expect["entries"].as_array().ok_or("expect.entries")?;
    let got = actual["entries"].as_array().expect("entries");
    if want.len() != got.len() {
        return Err(format!(
            "expected {} entries, got {}:\n{}",
            want.len(),
            got.len(),
            serde_json::to_string_pretty(got).unwrap()
        ));
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        if !subset(w, g) {
            return Err(format!("entry {i}: expected {w}\ngot {g}"));
        }
    }
    if let Some(drifted) = expect.get("drifted").and_then(Value::as_bool) {
        if report.is_drifted() != drifted {
            return Err(format!("is_drifted: expected {drifted}"));
        }
    }
    for piece in expect
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let piece = piece.as_str().ok_or("warnings are text")?;
        if !report.warnings.iter().any(|w| w.contains(piece)) {
            return Err(format!("no warning holds `{piece}`: {:?}", report.warnings));
        }
    }
    // The report reads back from its JSON.
    let back: DriftReport = serde_json::from_str(&report.to_json()).map_err(|e| e.to_string())?;
    if &back != report {
        return Err("the report does not read back from its JSON".into());
    }
    Ok(())
}

fn check_case(dir: &Path) -> Result<(), String> {
    let case: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("case.json")).map_err(|e| e.to_string())?)
            .map_err(|e| format!("case.json: {e}"))?;
    let files = read_tree(&dir.join("files"));
    let snapshot = Snapshot::from_files(files.iter().map(|(p, t)| (p.as_str(), t.clone())))
        .map_err(|e| e.to_string())?;
    let observed_file = case["observed"].as_str().ok_or("observed")?;
    let observed =
        fs::read_to_string(dir.join(observed_file)).map_err(|e| format!("{observed_file}: {e}"))?;
    let environment = case["environment"].as_str().ok_or("environment")?;
    let expect = &case["expect"];
    let outcome = drift(&snapshot, environment, &observed);
    if let Some(err) = expect.get("error") {
        return expected_error(err, outcome.map(|r| format!("got a report: {}", r.to_json())));
    }
    let report = outcome.map_err(|e| format!("drift failed: {e}"))?;
    check_report(&report, expect)?;
    // A CRLF twin of the observed text reads the same.
    if !observed.contains('\r') {
        let twin = drift(&snapshot, environment, &observed.replace('\n', "\r\n"))
            .map_err(|e| format!("CRLF twin: {e}"))?;
        if twin != report {
            return Err("the CRLF twin of the observed text gives another report".into());
        }
    }
    Ok(())
}

#[test]
fn drift_fixtures() {
    let root = root();
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no drift fixture under {}", root.display());
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            check_case(d)
                .err()
                .map(|e| format!("{}: {e}", d.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} drift cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
    eprintln!("{} drift fixture cases passed", dirs.len());
}

/// An adoption's commit reads back from the trees as a move with cause `adopted`, and the
/// adopted workload is locked in the same commit.
#[test]
fn an_adoption_reads_back_as_cause_adopted() {
    use relman::release::{Catalog, History, ImageSpec, MoveCause, ReleaseSpec, plan_release};
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\n  namespace: prod\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.4.0\n";
    let before = Snapshot::from_files([("envs/prod/users.yaml", manifest)]).unwrap();
    let observed = "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: users, namespace: prod, generation: 3}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: acme/users:1.3.0, imagePullPolicy: IfNotPresent}\nstatus: {replicas: 2}\n";
    let spec =
        ReleaseSpec::new("default").image(ImageSpec::parse_with("observed", Some(observed.into())).unwrap());
    let now: jiff::Timestamp = "2026-11-27T12:00:00Z".parse().unwrap();
    let plan = plan_release(&before, &spec, &Catalog::new(), &History::new(), now).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert!(plan.changes[0].after.contains("fluxcd.io/locked: \"true\""));
    let after = Snapshot::from_files([("envs/prod/users.yaml", plan.changes[0].after.clone())]).unwrap();
    let history = History::from_commits(vec![(plan.commit_message.clone(), after)], Some(before)).unwrap();
    let moves = history.moves();
    assert_eq!(moves.len(), 1, "{moves:?}");
    assert_eq!(moves[0].cause, MoveCause::Adopted);
    assert!(moves[0].locked);
    assert_eq!(moves[0].to.as_deref(), Some("acme/users:1.3.0"));
}
