//! The release scenarios of `tests/fixtures/plan/` (format: `tests/fixtures/README.md`).

use std::fs;
use std::path::{Path, PathBuf};

use relman::release::{
    Catalog, History, ImageInfo, ImageSpec, ReleasePlan, ReleaseRecord, ReleaseSpec, Services, Snapshot,
    Status, plan_automation, plan_release,
};
use serde_json::{Map, Value, json};

use crate::made_tree::MadeTree;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/plan")
}

/// Every file under `dir`, as (path relative to `dir`, text).
pub(crate) fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read_to_string(&p).expect("fixture files are UTF-8")));
            }
        }
    }
    out.sort();
    out
}

pub(crate) fn catalog(value: Option<&Value>) -> Result<Catalog, String> {
    let mut catalog = Catalog::new();
    for (repo, tags) in value.and_then(Value::as_object).into_iter().flatten() {
        for t in tags.as_array().ok_or("catalog entries are lists")? {
            let mut info = ImageInfo::new(t["tag"].as_str().ok_or("tag")?);
            if let Some(d) = t.get("digest").and_then(Value::as_str) {
                info = info.with_digest(d);
            }
            if let Some(c) = t.get("created").and_then(Value::as_str) {
                info = info.with_created_str(c).map_err(|e| e.to_string())?;
            }
            catalog.add(repo, info).map_err(|e| e.to_string())?;
        }
    }
    Ok(catalog)
}

/// The case's spec; `observed` names a file of the case folder `dir` whose text is the
/// observed text of image `observed`.
pub(crate) fn spec(value: &Value, dir: &Path) -> Result<ReleaseSpec, String> {
    let env = value["environment"].as_str().ok_or("spec.environment")?;
    let observed = match value.get("observed").and_then(Value::as_str) {
        Some(file) => {
            Some(fs::read_to_string(dir.join(file)).map_err(|e| format!("spec.observed {file}: {e}"))?)
        }
        None => None,
    };
    let mut spec = ReleaseSpec::new(env);
    match value.get("services") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "all" => {}
        Some(Value::Array(list)) => {
            spec = spec.services(Services::Named(
                list.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
            ))
        }
        Some(other) => return Err(format!("bad services {other}")),
    }
    match value.get("image").and_then(Value::as_str) {
        Some(image) => spec = spec.image(ImageSpec::parse_with(image, observed).map_err(|e| e.to_string())?),
        None if observed.is_some() => return Err("spec.observed without spec.image".into()),
        None => {}
    }
    if let Some(list) = value.get("exclude").and_then(Value::as_array) {
        spec = spec.exclude(list.iter().filter_map(|v| v.as_str().map(String::from)).collect());
    }
    spec = spec.force(value.get("force").and_then(Value::as_bool).unwrap_or(false));
    spec = spec.override_environment_lock(
        value
            .get("override_environment_lock")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    );
    if let Some(lock) = value.get("lock").and_then(Value::as_bool) {
        spec = spec.lock(lock);
    }
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(String::from);
    Ok(spec.cause(text("user"), text("message")))
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

fn check_plan(
    plan: &ReleasePlan,
    expect: &Map<String, Value>,
    snapshot: &Snapshot,
    expected_files: &[(String, String)],
) -> Result<(), String> {
    let actual = serde_json::to_value(plan).expect("plans serialise");
    if let Some(results) = expect.get("results") {
        if !subset(results, &actual["results"]) {
            return Err(format!(
                "results differ in {}\n--- expected\n{}\n--- got\n{}",
                plan.environment,
                serde_json::to_string_pretty(results).unwrap(),
                serde_json::to_string_pretty(&actual["results"]).unwrap()
            ));
        }
    }
    if let Some(noop) = expect.get("noop").and_then(Value::as_bool) {
        if plan.is_noop() != noop {
            return Err(format!(
                "{}: noop is {}, expected {noop}",
                plan.environment,
                plan.is_noop()
            ));
        }
    }
    // Every expected warning is a piece of one of the plan's warnings.
    for wanted in expect
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let wanted = wanted.as_str().ok_or("warnings are strings")?;
        if !plan.warnings.iter().any(|w| w.contains(wanted)) {
            return Err(format!(
                "{}: no warning contains {wanted:?}; warnings: {:?}",
                plan.environment, plan.warnings
            ));
        }
    }
    // Changed files equal expected/, and nothing else changed.
    for change in &plan.changes {
        if snapshot.get(&change.path) != Some(change.before.as_str()) {
            return Err(format!("{}: `before` is not the snapshot's text", change.path));
        }
        match expected_files.iter().find(|(p, _)| *p == change.path) {
            Some((_, text)) if *text == change.after => {}
            Some((_, text)) => {
                return Err(format!(
                    "{} differs\n--- expected\n{text}\n--- got\n{}",
                    change.path, change.after
                ));
            }
            None => return Err(format!("{} changed but has no expected/ file", change.path)),
        }
    }
    // The commit message reads back as the record of what the plan did.
    let record = ReleaseRecord::parse(&plan.commit_message).ok_or("the commit message has no trailers")?;
    let updates: Vec<(String, String, String, String)> = plan
        .results
        .iter()
        .filter(|r| r.status == Status::Success)
        .flat_map(|r| {
            r.updates.iter().map(move |u| {
                (
                    r.workload.clone(),
                    u.container.clone(),
                    u.from.clone(),
                    u.to.clone(),
                )
            })
        })
        .collect();
    let recorded: Vec<(String, String, String, String)> = record
        .changes
        .iter()
        .map(|c| {
            (
                c.workload.clone(),
                c.container.clone(),
                c.from.clone(),
                c.to.clone(),
            )
        })
        .collect();
    if updates != recorded {
        return Err(format!(
            "trailers {recorded:?} differ from the updates {updates:?}"
        ));
    }
    if let Some(cm) = expect.get("commit_message") {
        let summary = plan.commit_message.lines().next().unwrap_or("");
        let got =
            json!({"summary": summary, "kind": record.kind, "user": record.user, "locked": record.locked});
        if !subset(cm, &got) {
            return Err(format!(
                "commit message: expected {cm}, got {got}\n{}",
                plan.commit_message
            ));
        }
    }
    Ok(())
}

/// The history of a case: `commits` (read from the trees of the states they imply) or
/// `history` (commit messages, the weaker mode); see tests/fixtures/README.md.
fn history_of(case: &Value, files: &[(String, String)]) -> Result<History, String> {
    let Some(commits) = case.get("commits") else {
        let messages: Vec<&str> = case
            .get("history")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        return Ok(History::from_messages(messages));
    };
    if case.get("history").is_some() {
        return Err("a case gives commits or history, not both".into());
    }
    let commits = commits.as_array().ok_or("commits: a list")?;
    // The state after the newest commit is files/; each commit's edits, undone, give the state
    // before it.
    let mut state: std::collections::BTreeMap<String, String> = files.iter().cloned().collect();
    let mut pairs = Vec::new();
    for (i, commit) in commits.iter().enumerate() {
        let message = commit["message"].as_str().ok_or("commits[].message")?.to_string();
        let snapshot = Snapshot::from_files(state.clone()).map_err(|e| e.to_string())?;
        pairs.push((message, snapshot));
        for edit in commit["edits"].as_array().ok_or("commits[].edits")? {
            let path = edit["path"].as_str().ok_or("edits[].path")?;
            if edit.get("added") == Some(&Value::Bool(true)) {
                state
                    .remove(path)
                    .ok_or(format!("commits[{i}]: {path} was not there"))?;
                continue;
            }
            let (from, to) = (
                edit["from"].as_str().ok_or("edits[].from")?,
                edit["to"].as_str().ok_or("edits[].to")?,
            );
            let text = state.get_mut(path).ok_or(format!("commits[{i}]: no {path}"))?;
            if text.matches(to).count() != 1 {
                return Err(format!("commits[{i}]: `{to}` is not in {path} exactly once"));
            }
            *text = text.replacen(to, from, 1);
        }
    }
    let base = Snapshot::from_files(state).map_err(|e| e.to_string())?;
    History::from_commits(pairs, Some(base)).map_err(|e| format!("history: {e}"))
}

fn check_case(dir: &Path) -> Result<(), String> {
    let case: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("case.json")).map_err(|e| e.to_string())?)
            .map_err(|e| format!("case.json: {e}"))?;
    let files = read_tree(&dir.join("files"));
    if files.is_empty() {
        return Err("files/ is empty".into());
    }
    let expected_files = read_tree(&dir.join("expected"));
    for (p, _) in &expected_files {
        if !files.iter().any(|(f, _)| f == p) {
            return Err(format!("expected/{p} has no files/{p}"));
        }
    }
    // With `make`, the repo is a folder on disk holding links: read it as a caller would.
    let made = match case.get("make") {
        Some(make) => Some(MadeTree::new(&dir.join("files"), make)?),
        None => None,
    };
    let snapshot = match &made {
        Some(tree) => from_dir(&tree.root)?,
        None => Snapshot::from_files(files.iter().map(|(p, t)| (p.as_str(), t.clone())))
            .map_err(|e| e.to_string())?,
    };
    let catalog = catalog(case.get("catalog"))?;
    let history = history_of(&case, &files)?;
    let now: jiff::Timestamp = case["now"]
        .as_str()
        .ok_or("now")?
        .parse()
        .map_err(|e| format!("now: {e}"))?;
    let expect = case["expect"].as_object().ok_or("expect")?;
    if let Some(want) = expect.get("repositories") {
        let got = snapshot
            .repositories()
            .map_err(|e| format!("repositories: {e}"))?;
        if serde_json::json!(got) != *want {
            return Err(format!("repositories are {got:?}, expected {want}"));
        }
    }
    let outcome: Result<Vec<ReleasePlan>, relman::Error> = match case["op"].as_str() {
        Some("release") => {
            plan_release(&snapshot, &spec(&case["spec"], dir)?, &catalog, &history, now).map(|p| vec![p])
        }
        Some("automation") => plan_automation(&snapshot, &catalog, &history, now),
        other => return Err(format!("unknown op {other:?}")),
    };
    if let Some(err) = expect.get("error") {
        return expected_error(err, outcome.map(|_| "planning succeeded".to_string()));
    }
    let plans = outcome.map_err(|e| format!("planning failed: {e}"))?;
    if case["op"] == "release" {
        check_plan(&plans[0], expect, &snapshot, &expected_files)?;
    } else {
        let wanted = expect
            .get("plans")
            .and_then(Value::as_array)
            .ok_or("automation cases need expect.plans")?;
        for w in wanted {
            let env = w["environment"].as_str().ok_or("plans[].environment")?;
            let plan = plans
                .iter()
                .find(|p| p.environment == env)
                .ok_or(format!("no plan for {env}"))?;
            check_plan(plan, w.as_object().expect("object"), &snapshot, &expected_files)?;
        }
    }
    if let Some(tree) = &made {
        let changes: Vec<(String, String)> = plans
            .iter()
            .flat_map(|p| p.changes.iter().map(|c| (c.path.clone(), c.after.clone())))
            .collect();
        tree.apply_and_check(&changes, &files, &expected_files)?;
    }
    Ok(())
}

#[cfg(feature = "fs")]
pub(crate) fn from_dir(root: &Path) -> Result<Snapshot, String> {
    Snapshot::from_dir(root).map_err(|e| format!("from_dir: {e}"))
}

#[cfg(not(feature = "fs"))]
pub(crate) fn from_dir(_root: &Path) -> Result<Snapshot, String> {
    Err("cases with `make` need the `fs` feature (Snapshot::from_dir)".to_string())
}

/// Whether the case in `dir` cannot run in this build: a `make` case (a tree with symbolic
/// links, read by `Snapshot::from_dir`) without the `fs` feature. Such cases are skipped,
/// counted and reported, never passed; `cargo test --all-features` (`make test`) runs them.
pub(crate) fn needs_fs(dir: &Path) -> bool {
    if cfg!(feature = "fs") {
        return false;
    }
    let case: Value = serde_json::from_str(&fs::read_to_string(dir.join("case.json")).unwrap_or_default())
        .unwrap_or(Value::Null);
    case.get("make").is_some()
}

#[test]
fn plan_fixtures() {
    let root = root();
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no plan fixture under {}", root.display());
    let all = dirs.len();
    dirs.retain(|d| !needs_fs(d));
    if dirs.len() < all {
        eprintln!(
            "plan fixtures: {} of {all} cases skipped: they need the `fs` feature",
            all - dirs.len()
        );
    }
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
        "{} of {} plan cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
    eprintln!("{} plan fixture cases passed", dirs.len());
}

/// A repo of `n` automatic environments: even ones are kustomize overlays over one shared
/// base (so every base file is read by half the environments), odd ones plain folders; each
/// promotes from the one before it (a chain as long as the repo).
fn many_environments(n: usize) -> Snapshot {
    let deployment = |name: &str, image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {image}\n"
        )
    };
    let mut config = String::from("environments:\n");
    let mut files = vec![
        (
            "base/kustomization.yaml".to_string(),
            "resources: [users.yaml]\n".to_string(),
        ),
        (
            "base/users.yaml".to_string(),
            deployment("users", "acme/users:1.0.0"),
        ),
    ];
    for i in 0..n {
        config.push_str(&format!(
            "  env-{i}:\n    path: envs/env-{i}\n    release: automatic\n"
        ));
        if i > 0 {
            config.push_str(&format!("    promoteFrom: env-{}\n", i - 1));
        }
        if i % 2 == 0 {
            files.push((
                format!("envs/env-{i}/kustomization.yaml"),
                format!("namespace: env-{i}\nresources: [../../base, orders.yaml]\n"),
            ));
        }
        files.push((
            format!("envs/env-{i}/orders.yaml"),
            deployment("orders", "acme/orders:1.0.0"),
        ));
    }
    files.push(("relman.yaml".to_string(), config));
    Snapshot::from_files(files).expect("valid paths")
}

/// A catalog offering `1.0.0` and a newer `1.1.0` of each repository.
fn two_tags(repositories: &[&str]) -> Catalog {
    let mut catalog = Catalog::new();
    for repo in repositories {
        for (tag, created) in [
            ("1.0.0", "2026-01-01T00:00:00Z"),
            ("1.1.0", "2026-02-01T00:00:00Z"),
        ] {
            catalog
                .add(repo, ImageInfo::new(tag).with_created_str(created).unwrap())
                .unwrap();
        }
    }
    catalog
}

/// DESIGN.md section 15: planning is linear in the number of environments. Counted, not
/// timed: the walks, file visits and models of `plan_automation` over `2n` environments are
/// at most about twice those over `n`, and a small constant per environment. (Before the fix
/// every plan walked every other environment: 40,000 walks for 200 environments.)
#[test]
fn planning_work_is_linear_in_environments() {
    let catalog = two_tags(&["acme/users", "acme/orders"]);
    let now = "2026-11-27T00:00:00Z".parse().unwrap();
    let work = |n: usize| {
        let snapshot = many_environments(n);
        let before = relman::release::planning_work();
        let plans = plan_automation(&snapshot, &catalog, &History::new(), now).expect("plans");
        let after = relman::release::planning_work();
        assert_eq!(plans.len(), n);
        // The first environment moves both images; the others wait for their source.
        assert_eq!(plans[0].changes.len(), 2, "{:?}", plans[0].results);
        assert!(
            plans[1]
                .results
                .iter()
                .all(|r| r.reason == Some(relman::release::Reason::NotPromoted))
        );
        let (walks, files, models) = (
            after.walks - before.walks,
            after.files_visited - before.files_visited,
            after.models - before.models,
        );
        let n = n as u64;
        assert!(walks <= 3 * n, "{walks} environment walks for {n} environments");
        assert!(models <= 2 * n, "{models} models for {n} environments");
        assert!(files <= 12 * n, "{files} file visits for {n} environments");
        (walks, files, models)
    };
    let small = work(100);
    let large = work(200);
    for (what, s, l) in [
        ("walks", small.0, large.0),
        ("file visits", small.1, large.1),
        ("models", small.2, large.2),
    ] {
        assert!(l <= 2 * s + 8, "{what}: {s} for 100 environments, {l} for 200");
    }
    // One release plans one environment (and reads its source), whatever the repo holds.
    let snapshot = many_environments(200);
    let before = relman::release::planning_work();
    plan_release(
        &snapshot,
        &ReleaseSpec::new("env-7"),
        &catalog,
        &History::new(),
        now,
    )
    .unwrap();
    let after = relman::release::planning_work();
    assert!(after.models - before.models <= 2, "{:?} -> {:?}", before, after);
    assert!(
        after.walks - before.walks <= 200 + 2,
        "{:?} -> {:?}",
        before,
        after
    );
}

/// DESIGN.md section 8: a filter is compiled once per plan, not once per workload and
/// container (400 workloads annotated `regex:\w{100}` once took 9 s). Counted: 400 workloads
/// of two containers, all with the same annotation filter and a service filter, compile each
/// text once in a release and once in a whole automation run.
#[test]
fn filters_are_compiled_once_per_plan() {
    let mut files = vec![(
        "relman.yaml".to_string(),
        "environments:\n  a: {path: envs/a, release: automatic}\n  b: {path: envs/b, release: automatic}\nservices:\n  all:\n    workloads: [deployment/w0]\n    filter: regex:^1[.]\n"
            .to_string(),
    )];
    for env in ["a", "b"] {
        for i in 0..400 {
            files.push((
                format!("envs/{env}/w{i}.yaml"),
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w{i}\n  annotations:\n    filter.fluxcd.io/app: regex:^1\\.\n    filter.fluxcd.io/side: \"semver:>=1.0 <2\"\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/app:1.0.0\n        - name: side\n          image: acme/side:1.0.0\n"
                ),
            ));
        }
    }
    let snapshot = Snapshot::from_files(files).unwrap();
    let catalog = two_tags(&["acme/app", "acme/side"]);
    let now = "2026-11-27T00:00:00Z".parse().unwrap();
    let compiled = |f: &dyn Fn() -> Vec<ReleasePlan>| {
        let before = relman::release::planning_work().filters_compiled;
        let plans = f();
        let moved: usize = plans.iter().map(|p| p.changes.len()).sum();
        (relman::release::planning_work().filters_compiled - before, moved)
    };
    // relman.yaml's service filter, then the two annotation filters.
    let (release, moved) = compiled(&|| {
        vec![plan_release(&snapshot, &ReleaseSpec::new("a"), &catalog, &History::new(), now).unwrap()]
    });
    assert_eq!((release, moved), (3, 400));
    let (automation, moved) =
        compiled(&|| plan_automation(&snapshot, &catalog, &History::new(), now).unwrap());
    assert_eq!((automation, moved), (3, 800));
}

/// Check `outcome` against a case's `expect.error`: its code and, when the case gives them,
/// its path, line, column and a piece of its message. `Ok(what)` is a failure, described by
/// `what`.
pub(crate) fn expected_error(err: &Value, outcome: Result<String, relman::Error>) -> Result<(), String> {
    let code = err["code"].as_str().ok_or("error.code")?;
    let e = match outcome {
        Err(e) if e.code() == code => e,
        Err(e) => return Err(format!("expected error {code}, got {e}")),
        Ok(what) => return Err(format!("expected error {code}, {what}")),
    };
    let got = [
        ("path", e.path().map(Value::from)),
        ("line", e.line().map(Value::from)),
        ("column", e.column().map(Value::from)),
    ];
    for (key, value) in got {
        if let Some(want) = err.get(key) {
            if value.as_ref() != Some(want) {
                return Err(format!("expected error {key} {want}, got {e}"));
            }
        }
    }
    if let Some(piece) = err.get("message_contains").and_then(Value::as_str) {
        if !e.message().contains(piece) {
            return Err(format!("the error message does not contain `{piece}`: {e}"));
        }
    }
    Ok(())
}

/// The planned environment is walked by its model only (not also by the run's index of which
/// environments read which file), yet its walk error still comes before a Flux object that
/// does not parse, as when the index walked it first; another environment's plan gets the
/// Flux error (the broken environment is only a warning there).
#[test]
fn the_planned_environments_walk_error_comes_first() {
    let snapshot = Snapshot::from_files([
        (
            "relman.yaml",
            "environments:\n  a: {path: envs/a}\n  b: {path: envs/b}\n",
        ),
        ("envs/a/kustomization.yaml", "resources: [missing.yaml]\n"),
        (
            "envs/b/app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/app:1.0.0\n",
        ),
        (
            "flux/policy.yaml",
            "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: [ImagePolicy\n",
        ),
    ])
    .unwrap();
    let catalog = two_tags(&["acme/app"]);
    let now = "2026-11-27T00:00:00Z".parse().unwrap();
    let code = |env: &str| {
        plan_release(&snapshot, &ReleaseSpec::new(env), &catalog, &History::new(), now)
            .unwrap_err()
            .code()
    };
    assert_eq!(code("a"), "invalid_path");
    assert_eq!(code("b"), "invalid_yaml");
}
