//! The differential test against the real kustomize (issue 4, item 5).
//!
//! For every release scenario of `tests/fixtures/plan/` whose files hold a kustomization
//! (`kustomization.yaml`, `kustomization.yml` or `Kustomization`):
//!
//! 1. `files/` is copied into a fresh temporary folder and every environment of its
//!    `relman.yaml` is rendered with `kubectl kustomize` (an environment path without a
//!    kustomization is read as its YAML files, concatenated);
//! 2. the case is planned as `core/tests/plan.rs` plans it;
//! 3. relman's view before the release must be kustomize's: for every planned environment the
//!    results name exactly the workloads the render holds, and each update's `from` is the image
//!    kustomize renders for that container;
//! 4. for each plan, its `changes` are written over a fresh copy of `files/` and every
//!    environment is rendered again: in the plan's environment every image field changes exactly
//!    as the successful results' updates say (and no other image changes); every other
//!    environment renders byte for byte as before.
//!
//! 3b. relman's policies are what kustomize renders (commonAnnotations applied): a workload
//!    whose rendered annotations lock (or ignore) it is never released unforced, and a workload
//!    relman skips as `locked` is rendered locked, unless the plan warns `policy_unread` for it
//!    (a kustomization relman does not model on its way: automation fails closed).
//!
//! 4b. every workload the plan's record lists as locked is rendered locked after the release.
//!
//! A case whose planning must fail with `invalid_path` or `duplicate_resource` (an absolute or
//! escaping path, a cycle, a resource included twice) must make `kubectl kustomize` fail for at
//! least one environment: relman refuses what kustomize refuses.
//!
//! `kustomize_images_shapes` does the same for every shape of `images:` entry (regular
//! expressions in `name`, `name:tag` and `name@digest` names, no `docker.io/library`
//! normalisation, `tagSuffix` alone and beside `newTag`, `digest` or `newName`, entries in
//! sequence, `imageTags:`), one environment per shape, with automation planned over a catalog
//! that offers each rendered image a newer tag.
//!
//! Cases with `make` (symbolic links) are made on every copy, and read with `from_dir`.
//!
//! Where `kubectl` is not on PATH the test says `skipped: kubectl not found` and passes. It fails
//! when no overlay case exists.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use relman::release::{History, Reason, ReleasePlan, Snapshot, Status, plan_automation, plan_release};
use relman::{Environment, Ignore, Options, list_images, read_policy};
use serde_json::Value;

/// Error codes of planning that stand for a repo kustomize refuses too: an error case with one
/// of them must fail `kubectl kustomize` in at least one environment.
const KUSTOMIZE_REFUSES: [&str; 2] = ["invalid_path", "duplicate_resource"];

/// The names kustomize looks for in a directory.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

use crate::made_tree::MadeTree;
use crate::plan::{catalog, from_dir, needs_fs, read_tree, spec};

fn plan_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/plan")
}

/// A line on the terminal even when the test harness captures output.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn is_kustomization(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    KUSTOMIZATION_FILES.contains(&name)
}

/// The plan cases whose `files/` hold a kustomization.
fn overlay_cases() -> Vec<PathBuf> {
    let root = plan_root();
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .filter(|p| {
            read_tree(&p.join("files"))
                .iter()
                .any(|(f, _)| is_kustomization(f))
        })
        .collect();
    dirs.sort();
    dirs
}

/// A fresh folder under the system's temporary folder, removed on drop unless kept.
struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "relman-kustomize-{}-{}-{nanos}-{label}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        TempDir { path, keep: false }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn write_tree(root: &Path, files: &[(String, String)]) -> Result<(), String> {
    for (rel, text) in files {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(())
}

/// What an environment renders to: `kubectl kustomize` of each path holding a kustomization,
/// the YAML files themselves elsewhere.
fn render(root: &Path, env: &Environment) -> Result<String, String> {
    let mut out = String::new();
    for rel in &env.paths {
        let at = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(rel)
        };
        let text = if at.is_dir() && KUSTOMIZATION_FILES.iter().any(|k| at.join(k).is_file()) {
            let output = Command::new("kubectl")
                .arg("kustomize")
                .arg(&at)
                .output()
                .map_err(|e| format!("kubectl kustomize {rel}: {e}"))?;
            if !output.status.success() {
                return Err(format!(
                    "environment {}: `kubectl kustomize {rel}` failed: {}",
                    env.name,
                    String::from_utf8_lossy(&output.stderr).trim()
                ));
            }
            String::from_utf8(output.stdout).map_err(|e| format!("kubectl kustomize {rel}: {e}"))?
        } else if at.is_dir() {
            read_tree(&at)
                .into_iter()
                .filter(|(p, _)| (p.ends_with(".yaml") || p.ends_with(".yml")) && p != "relman.yaml")
                .map(|(_, t)| t)
                .collect::<Vec<_>>()
                .join("\n---\n")
        } else if at.is_file() {
            fs::read_to_string(&at).map_err(|e| format!("{rel}: {e}"))?
        } else {
            return Err(format!("environment {}: path {rel} does not exist", env.name));
        };
        if !out.is_empty() {
            out.push_str("\n---\n");
        }
        out.push_str(&text);
    }
    Ok(out)
}

/// (workload id, container) -> image, and the workload ids, as relman reads rendered YAML.
type Images = BTreeMap<(String, String), String>;

fn images_of(rendered: &str, env: &Environment) -> Result<(Images, BTreeSet<String>), String> {
    let slots =
        list_images(rendered, &Options::with_namespace(env.default_namespace.clone())).map_err(|e| {
            format!(
                "environment {}: list_images on the kustomize output: {e}",
                env.name
            )
        })?;
    let mut images = Images::new();
    let mut ids = BTreeSet::new();
    for s in slots {
        ids.insert(s.workload.clone());
        let image = s.image().to_string();
        images.insert((s.workload, s.container), image);
    }
    Ok((images, ids))
}

/// The first line where `a` and `b` differ, for a failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..al.len().max(bl.len()) {
        let (x, y) = (al.get(i).copied(), bl.get(i).copied());
        if x != y {
            return format!(
                "first difference at rendered line {}: before `{}`, after `{}`",
                i + 1,
                x.unwrap_or("<end>"),
                y.unwrap_or("<end>")
            );
        }
    }
    "the renders differ only in line endings".to_string()
}

/// The case's plans, or `None` when planning is expected to fail.
fn plans(case: &Value, snapshot: &Snapshot, dir: &Path) -> Result<Option<Vec<ReleasePlan>>, String> {
    if case["expect"].get("error").is_some() {
        return Ok(None);
    }
    let catalog = catalog(case.get("catalog"))?;
    let messages: Vec<&str> = case
        .get("history")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let history = History::from_messages(messages);
    let now: jiff::Timestamp = case["now"]
        .as_str()
        .ok_or("now")?
        .parse()
        .map_err(|e| format!("now: {e}"))?;
    let outcome = match case["op"].as_str() {
        Some("release") => {
            plan_release(snapshot, &spec(&case["spec"], dir)?, &catalog, &history, now).map(|p| vec![p])
        }
        Some("automation") => plan_automation(snapshot, &catalog, &history, now),
        other => return Err(format!("unknown op {other:?}")),
    };
    outcome.map(Some).map_err(|e| format!("planning failed: {e}"))
}

/// Check one case; every problem found, each naming environment, workload and container.
fn check_case(dir: &Path) -> Result<(), Vec<String>> {
    let one = |e: String| vec![e];
    let case: Value = fs::read_to_string(dir.join("case.json"))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| format!("case.json: {e}")))
        .map_err(one)?;
    let files = read_tree(&dir.join("files"));
    // With `make` (symbolic links), every copy of `files/` is made with them, and the snapshot
    // is read from disk, as plan.rs reads it.
    let make = case.get("make");
    let mut made: Vec<MadeTree> = Vec::new();
    let mut fresh = |to: &Path| -> Result<PathBuf, String> {
        match make {
            Some(make) => {
                made.push(MadeTree::new(&dir.join("files"), make)?);
                Ok(made.last().expect("just made").root.clone())
            }
            None => {
                write_tree(to, &files)?;
                Ok(to.to_path_buf())
            }
        }
    };
    let snapshot = match make {
        Some(_) => from_dir(&fresh(Path::new("")).map_err(one)?).map_err(one)?,
        None => Snapshot::from_files(files.iter().map(|(p, t)| (p.as_str(), t.clone())))
            .map_err(|e| one(e.to_string()))?,
    };
    let config = snapshot.config().map_err(|e| one(format!("relman.yaml: {e}")))?;
    let label = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut tmp = TempDir::new(&label);
    let before_dir = fresh(&tmp.path.join("before")).map_err(one)?;
    let Some(plans) = plans(&case, &snapshot, dir).map_err(one)? else {
        // relman refuses the repo where kustomize does too: a path kustomize refuses, a
        // resource included twice.
        let code = case["expect"]["error"]["code"].as_str().unwrap_or_default();
        if KUSTOMIZE_REFUSES.contains(&code)
            && config
                .environments()
                .iter()
                .all(|env| render(&before_dir, env).is_ok())
        {
            tmp.keep = true;
            return Err(vec![format!(
                "relman refuses the repo ({code}) but kubectl kustomize renders every environment (files kept in {})",
                tmp.path.display()
            )]);
        }
        return Ok(());
    };
    // An environment relman plans around because it does not read (a plan warning says so)
    // must not render with kustomize either; it is left out of the comparison.
    let broken = |name: &str| {
        let said = format!("environment {name} does not read");
        plans
            .iter()
            .any(|p| p.warnings.iter().any(|w| w.starts_with(&said)))
    };
    let mut before: BTreeMap<&str, String> = BTreeMap::new();
    for env in config.environments() {
        match render(&before_dir, env) {
            Ok(text) => {
                before.insert(env.name.as_str(), text);
            }
            Err(_) if broken(&env.name) => {}
            Err(e) => return Err(one(e)),
        }
    }
    let mut problems = Vec::new();

    // relman's view before the release is what kustomize renders.
    for plan in &plans {
        let env = config
            .environment(&plan.environment)
            .map_err(|e| one(e.to_string()))?;
        let (images, ids) = images_of(&before[env.name.as_str()], env).map_err(one)?;
        let listed: BTreeSet<String> = plan
            .results
            .iter()
            .filter(|r| r.path.is_some())
            .map(|r| r.workload.clone())
            .collect();
        for id in listed.difference(&ids) {
            problems.push(format!(
                "environment {}: relman lists workload {id}, kustomize renders no such workload (it renders {ids:?})",
                env.name
            ));
        }
        for id in ids.difference(&listed) {
            problems.push(format!(
                "environment {}: kustomize renders workload {id}, relman's results do not list it (they list {listed:?})",
                env.name
            ));
        }
        for r in &plan.results {
            for u in &r.updates {
                match images.get(&(r.workload.clone(), u.container.clone())) {
                    Some(rendered) if *rendered == u.from => {}
                    Some(rendered) => problems.push(format!(
                        "environment {}, workload {}, container {}: relman reads `{}`, kustomize renders `{rendered}`",
                        env.name, r.workload, u.container, u.from
                    )),
                    None => problems.push(format!(
                        "environment {}, workload {}, container {}: relman updates it from `{}`, kustomize renders no such container",
                        env.name, r.workload, u.container, u.from
                    )),
                }
            }
        }
    }

    // relman's policies are kustomize's: a workload kustomize renders locked (or ignored) is
    // never released unforced, and one relman skips as locked is rendered locked, unless a
    // kustomization relman does not model stands in the way (automation fails closed there).
    let forced = case["spec"]["force"].as_bool() == Some(true);
    let now: jiff::Timestamp = case["now"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| one("now".to_string()))?;
    for plan in &plans {
        let env = config
            .environment(&plan.environment)
            .map_err(|e| one(e.to_string()))?;
        let rendered = &before[env.name.as_str()];
        let options = Options::with_namespace(env.default_namespace.clone());
        let (_, ids) = images_of(rendered, env).map_err(one)?;
        // Setter markers are listed as `<ns>:imagepolicy/<name>` pseudo-workloads: no annotations.
        let workloads = plan
            .results
            .iter()
            .filter(|r| ids.contains(&r.workload) && !r.workload.contains(":imagepolicy/"));
        for r in workloads {
            let policy = match read_policy(rendered, &r.workload, &options) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(format!(
                        "environment {}, workload {}: read_policy on the kustomize output: {e}",
                        env.name, r.workload
                    ));
                    continue;
                }
            };
            let lock_active = policy.locked
                && policy
                    .locked_until
                    .as_deref()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .is_none_or(|t| now < t);
            let held = lock_active || policy.ignore == Ignore::True;
            if held && r.status == Status::Success && !forced {
                problems.push(format!(
                    "environment {}, workload {}: relman releases it, kustomize renders it locked or ignored ({policy:?})",
                    env.name, r.workload
                ));
            }
            let unread = plan
                .warnings
                .iter()
                .any(|w| w.contains("policy_unread") && w.contains(&format!("{:?}", r.workload)));
            if r.reason == Some(Reason::Locked) && !policy.locked && !unread {
                problems.push(format!(
                    "environment {}, workload {}: relman skips it as locked, kustomize renders it unlocked ({policy:?})",
                    env.name, r.workload
                ));
            }
        }
    }

    // Each plan's changes move exactly the planned image fields, in its environment only.
    for (i, plan) in plans.iter().enumerate() {
        let updates: BTreeMap<(String, String), (String, String)> = plan
            .results
            .iter()
            .filter(|r| r.status == Status::Success)
            .flat_map(|r| {
                r.updates.iter().map(move |u| {
                    (
                        (r.workload.clone(), u.container.clone()),
                        (u.from.clone(), u.to.clone()),
                    )
                })
            })
            .collect();
        let mut after: BTreeMap<&str, String> = BTreeMap::new();
        if plan.changes.is_empty() {
            after = before.clone();
        } else {
            let after_dir = fresh(&tmp.path.join(format!("after-{i}-{}", plan.environment))).map_err(one)?;
            for change in &plan.changes {
                if snapshot.get(&change.path) != Some(change.before.as_str()) {
                    problems.push(format!(
                        "plan for {}: the `before` text of {} is not the file's",
                        plan.environment, change.path
                    ));
                }
                write_tree(&after_dir, &[(change.path.clone(), change.after.clone())]).map_err(one)?;
            }
            for env in config
                .environments()
                .iter()
                .filter(|e| before.contains_key(e.name.as_str()))
            {
                match render(&after_dir, env) {
                    Ok(text) => {
                        after.insert(env.name.as_str(), text);
                    }
                    Err(e) => problems.push(format!("after the release to {}: {e}", plan.environment)),
                }
            }
        }
        for env in config.environments() {
            let Some(a) = after.get(env.name.as_str()) else {
                continue;
            };
            let b = &before[env.name.as_str()];
            let (ib, _) = images_of(b, env).map_err(one)?;
            let (ia, _) = images_of(a, env).map_err(one)?;
            if env.name != plan.environment {
                if a != b {
                    let moved: Vec<String> = ib
                        .keys()
                        .chain(ia.keys())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .filter(|k| ib.get(*k) != ia.get(*k))
                        .map(|(w, c)| {
                            format!(
                                "workload {w}, container {c}: `{}` -> `{}`",
                                ib.get(&(w.clone(), c.clone())).map_or("<none>", String::as_str),
                                ia.get(&(w.clone(), c.clone())).map_or("<none>", String::as_str)
                            )
                        })
                        .collect();
                    problems.push(format!(
                        "environment {} renders differently after the release to {}: {}",
                        env.name,
                        plan.environment,
                        if moved.is_empty() {
                            first_difference(b, a)
                        } else {
                            moved.join("; ")
                        }
                    ));
                }
                continue;
            }
            // Every lock the plan's record claims is rendered after the release.
            let locked = relman::release::ReleaseRecord::parse(&plan.commit_message)
                .map(|r| r.locked)
                .unwrap_or_default();
            let options = Options::with_namespace(env.default_namespace.clone());
            for id in &locked {
                match read_policy(a, id, &options) {
                    Ok(p) if p.locked => {}
                    Ok(p) => problems.push(format!(
                        "environment {}, workload {id}: the release records a lock, kustomize renders it unlocked after the release ({p:?})",
                        env.name
                    )),
                    Err(e) => problems.push(format!(
                        "environment {}, workload {id}: read_policy on the render after the release: {e}",
                        env.name
                    )),
                }
            }
            let keys: BTreeSet<&(String, String)> = ib.keys().chain(ia.keys()).collect();
            for key in keys {
                let (workload, container) = key;
                let (was, now) = (ib.get(key), ia.get(key));
                let show =
                    |v: Option<&String>| v.map_or("<no such container>".to_string(), |s| format!("`{s}`"));
                match updates.get(key) {
                    Some((_, to)) if now == Some(to) => {}
                    Some((from, to)) => problems.push(format!(
                        "environment {}, workload {workload}, container {container}: the plan moves `{from}` to `{to}`, kustomize renders {} after the release (before: {})",
                        env.name,
                        show(now),
                        show(was)
                    )),
                    None if was == now => {}
                    None => problems.push(format!(
                        "environment {}, workload {workload}, container {container}: no update of the plan moves it, but kustomize renders {} before and {} after",
                        env.name,
                        show(was),
                        show(now)
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        tmp.keep = true;
        problems.push(format!("(files before and after kept in {})", tmp.path.display()));
        Err(problems)
    }
}

#[test]
fn kustomize_differential() {
    let mut cases = overlay_cases();
    let all = cases.len();
    cases.retain(|d| !needs_fs(d));
    if cases.len() < all {
        say(&format!(
            "kustomize differential test: {} of {all} overlay cases skipped: they need the `fs` feature",
            all - cases.len()
        ));
    }
    assert!(
        !cases.is_empty(),
        "no plan case under {} holds a kustomization: the differential test needs overlay cases",
        plan_root().display()
    );
    match Command::new("kubectl").args(["version", "--client"]).output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            say(&format!(
                "kustomize differential test: skipped: kubectl not found ({} overlay cases not checked)",
                cases.len()
            ));
            return;
        }
        _ => {}
    }
    let outcomes: Vec<(String, Result<(), Vec<String>>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|dir| {
                scope.spawn(move || {
                    let name = dir
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    (name, check_case(dir))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("case threads do not panic"))
            .collect()
    });
    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|(name, outcome)| {
            outcome
                .as_ref()
                .err()
                .map(|problems| format!("{name}:\n  {}", problems.join("\n  ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} overlay cases disagree with `kubectl kustomize`:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    say(&format!(
        "kustomize differential test: {} overlay cases agree with kubectl kustomize",
        cases.len()
    ));
}

/// One shape of `images:` for the table test: the entries (YAML under the kustomization's
/// top level), the image in the manifest, whether the workload is a CronJob (kustomize runs
/// an entry once over a CronJob's containers, twice over a Deployment's), and whether relman
/// must refuse to render it (a name pattern outside the syntax it models).
struct Shape {
    images: &'static str,
    image: &'static str,
    cronjob: bool,
    refused: bool,
}

const D1: &str = "sha256:b739d44e8aa01d11808299e1373ec222df0baacda99a4fb3ee4a7e54db2f6eec";
const D2: &str = "sha256:6ba2edf12fc93f2e67d3e40cc5f90d526a085e7cd7d82df329c47d9a6434fbc6";

fn shapes() -> Vec<Shape> {
    let s = |images: &'static str, image: &'static str| Shape {
        images,
        image,
        cronjob: false,
        refused: false,
    };
    let alternation = "images:\n- name: acme/(users|x)\n  newTag: \"2\"\n";
    let tag_suffix = "images:\n- name: redis\n  tagSuffix: -alpine\n";
    vec![
        // Regular-expression names.
        s(alternation, "acme/users:1"),
        s(alternation, "acme/x"),
        s(alternation, "acme/usersx:1"),
        s("images:\n- name: a|b\n  newTag: \"2\"\n", "acme/users:1"),
        s("images:\n- name: acme/[a-z]+\n  newTag: \"2\"\n", "acme/users:1"),
        s("images:\n- name: acme/[^/]*\n  newName: q.io/z\n", "acme/users:1"),
        s("images:\n- name: ^acme/users$\n  newTag: \"2\"\n", "acme/users:1"),
        s("images:\n- name: ^acme/users$\n  newTag: \"2\"\n", "acme/users"),
        s("images:\n- name: \".*\"\n  newTag: \"2\"\n", "acme/any:1"),
        s(
            "images:\n- name: registry.acme.io/x\n  newTag: \"2\"\n",
            "registryxacme.io/x:1",
        ),
        s(
            "images:\n- name: registry\\.acme\\.io/x\n  newTag: \"2\"\n",
            "registryxacme.io/x:1",
        ),
        // `name:tag` and `name@digest` names.
        s(
            "images:\n- name: acme/users:1.3.0\n  newTag: \"2\"\n",
            "acme/users:1.3.0",
        ),
        s(
            "images:\n- name: acme/users:1.3.0\n  newTag: \"2\"\n",
            "acme/users:1.3.1",
        ),
        s(
            "images:\n- name: acme/users@sha256:b739d44e8aa01d11808299e1373ec222df0baacda99a4fb3ee4a7e54db2f6eec\n  newTag: \"2\"\n",
            "acme/users@sha256:b739d44e8aa01d11808299e1373ec222df0baacda99a4fb3ee4a7e54db2f6eec",
        ),
        // No docker.io/library normalisation, either way.
        s(
            "images:\n- name: nginx\n  newTag: \"2\"\n",
            "docker.io/library/nginx:1",
        ),
        s("images:\n- name: nginx\n  newTag: \"2\"\n", "nginx:1"),
        s(
            "images:\n- name: docker.io/library/nginx\n  newTag: \"2\"\n",
            "nginx:1",
        ),
        s(
            "images:\n- name: library/nginx\n  newTag: \"2\"\n",
            "docker.io/library/nginx:1",
        ),
        // tagSuffix alone, with newTag, with digest, with newName, over a digest.
        s(tag_suffix, "redis:6.2.6"),
        Shape {
            cronjob: true,
            ..s(tag_suffix, "redis:6.2.6")
        },
        s(
            "images:\n- name: redis\n  newTag: 7.0.15\n  tagSuffix: -alpine\n",
            "redis:6.2.6",
        ),
        s(
            "images:\n- name: redis\n  digest: sha256:6ba2edf12fc93f2e67d3e40cc5f90d526a085e7cd7d82df329c47d9a6434fbc6\n  tagSuffix: -alpine\n",
            "redis:6.2.6",
        ),
        s(
            "images:\n- name: redis\n  newName: m.io/redis\n  tagSuffix: -alpine\n",
            "redis:6.2.6",
        ),
        s(
            tag_suffix,
            "redis:6.2.6@sha256:b739d44e8aa01d11808299e1373ec222df0baacda99a4fb3ee4a7e54db2f6eec",
        ),
        // newTag and digest.
        s(
            "images:\n- name: acme/users\n  newTag: \"2\"\n  digest: sha256:6ba2edf12fc93f2e67d3e40cc5f90d526a085e7cd7d82df329c47d9a6434fbc6\n",
            "acme/users:1",
        ),
        s(
            "images:\n- name: acme/users\n  digest: sha256:6ba2edf12fc93f2e67d3e40cc5f90d526a085e7cd7d82df329c47d9a6434fbc6\n",
            "acme/users:1",
        ),
        // Entries in sequence, and the legacy `imageTags:` after `images:`.
        s(
            "images:\n- name: acme/users\n  newName: acme/u2\n- name: acme/u2\n  newTag: \"5\"\n",
            "acme/users:1",
        ),
        s(
            "imageTags:\n- name: acme/users\n  newTag: \"3\"\nimages:\n- name: acme/users\n  newTag: \"2\"\n",
            "acme/users:1",
        ),
        // Outside the modelled syntax: refused, never guessed.
        Shape {
            refused: true,
            ..s("images:\n- name: acme/\\w+\n  newTag: \"2\"\n", "acme/users:1")
        },
        Shape {
            refused: true,
            ..s(
                "images:\n- name: acme/user{1,2}s\n  newTag: \"2\"\n",
                "acme/users:1",
            )
        },
    ]
}

fn workload_yaml(shape: &Shape) -> String {
    if shape.cronjob {
        format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: w\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: app\n            image: {}\n",
            shape.image
        )
    } else {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: {}\n",
            shape.image
        )
    }
}

/// Every `images:` shape against `kubectl kustomize`: one environment per shape (its own
/// kustomization and manifest). Each environment is rendered; automation is planned with a
/// catalog offering a newer tag (carrying the entry's tagSuffix, with a digest) for the image
/// kustomize renders; relman's `from` must be kustomize's image, and after the plan's changes
/// kustomize must render exactly the plan's `to`. Shapes relman must refuse are skipped with
/// `unsupported_yaml`.
#[test]
fn kustomize_images_shapes() {
    if Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_err()
    {
        say("kustomize images shapes: skipped: kubectl not found");
        return;
    }
    let shapes = shapes();
    let mut tmp = TempDir::new("images-shapes");
    let mut files = vec![];
    let mut relman_yaml = String::from("environments:\n");
    for (i, shape) in shapes.iter().enumerate() {
        let _ = writeln!(relman_yaml, "  e{i}: {{path: envs/e{i}, release: automatic}}");
        files.push((
            format!("envs/e{i}/kustomization.yaml"),
            format!(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: e{i}\nresources:\n- workload.yaml\n{}",
                shape.images
            ),
        ));
        files.push((format!("envs/e{i}/workload.yaml"), workload_yaml(shape)));
    }
    files.push(("relman.yaml".to_string(), relman_yaml));
    let before = tmp.path.join("before");
    write_tree(&before, &files).expect("write");
    let snapshot =
        Snapshot::from_files(files.iter().map(|(p, t)| (p.as_str(), t.clone()))).expect("snapshot");
    let config = snapshot.config().expect("config");
    let envs = config.environments();
    // kustomize's image for each environment.
    let rendered: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = envs
            .iter()
            .map(|env| {
                let before = &before;
                scope.spawn(move || {
                    let text = render(before, env)?;
                    let (images, _) = images_of(&text, env)?;
                    images
                        .into_values()
                        .next()
                        .ok_or_else(|| format!("environment {}: no image rendered", env.name))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("render")).collect()
    });
    let mut catalog = relman::release::Catalog::new();
    for (shape, image) in shapes.iter().zip(&rendered) {
        let Ok(image) = image else { continue };
        let repo = relman::ImageRef::parse(image)
            .expect("kustomize renders references")
            .repository()
            .to_string();
        let suffix = shape
            .images
            .split("tagSuffix: ")
            .nth(1)
            .and_then(|s| s.lines().next())
            .unwrap_or("");
        let info = relman::release::ImageInfo::new(format!("10.0.0{suffix}"))
            .with_digest(D1)
            .with_created_str("2026-11-20T00:00:00Z")
            .expect("time");
        let _ = catalog.add(&repo, info);
        let _ = catalog.add(
            &repo,
            relman::release::ImageInfo::new("1")
                .with_digest(D2)
                .with_created_str("2026-01-01T00:00:00Z")
                .expect("time"),
        );
    }
    let now: jiff::Timestamp = "2026-11-27T12:00:00Z".parse().expect("now");
    let plans = plan_automation(&snapshot, &catalog, &History::default(), now).expect("automation plans");
    let mut problems = Vec::new();
    let mut after_renders = Vec::new();
    for (i, (shape, image)) in shapes.iter().zip(&rendered).enumerate() {
        let name = format!("e{i}");
        let label = format!(
            "shape {i} ({} over {})",
            shape.images.replace('\n', " "),
            shape.image
        );
        let image = match image {
            Ok(image) => image,
            Err(e) => {
                problems.push(format!("{label}: {e}"));
                continue;
            }
        };
        let Some(plan) = plans.iter().find(|p| p.environment == name) else {
            problems.push(format!("{label}: no plan"));
            continue;
        };
        let Some(result) = plan.results.first() else {
            problems.push(format!("{label}: no result"));
            continue;
        };
        if shape.refused {
            let refused = result
                .skipped
                .iter()
                .any(|s| s.reason == relman::release::Reason::UnsupportedYaml);
            if !refused || !result.updates.is_empty() {
                problems.push(format!(
                    "{label}: relman must refuse it (kustomize renders {image}), got {result:?}"
                ));
            }
            continue;
        }
        let Some(update) = result
            .updates
            .first()
            .filter(|_| result.status == Status::Success)
        else {
            problems.push(format!(
                "{label}: kustomize renders {image}; relman does not move it: {result:?}"
            ));
            continue;
        };
        if update.from != *image {
            problems.push(format!(
                "{label}: relman reads `{}`, kustomize renders `{image}`",
                update.from
            ));
        }
        after_renders.push((i, label, plan, update.to.clone()));
    }
    // After each plan's changes, kustomize renders the plan's target.
    let after_dir = tmp.path.join("after");
    write_tree(&after_dir, &files).expect("write");
    for (_, _, plan, _) in &after_renders {
        for change in &plan.changes {
            write_tree(&after_dir, &[(change.path.clone(), change.after.clone())]).expect("write");
        }
    }
    let checked: Vec<Option<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = after_renders
            .iter()
            .map(|(i, label, _, to)| {
                let (after_dir, env) = (&after_dir, &envs[*i]);
                scope.spawn(move || {
                    let now = render(after_dir, env).and_then(|text| images_of(&text, env));
                    match now {
                        Ok((images, _)) if images.values().next() == Some(to) => None,
                        Ok((images, _)) => Some(format!(
                            "{label}: the plan moves it to `{to}`, kustomize renders {:?} after the release",
                            images.values().next()
                        )),
                        Err(e) => Some(format!("{label}: after the release: {e}")),
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("render")).collect()
    });
    problems.extend(checked.into_iter().flatten());
    if !problems.is_empty() {
        tmp.keep = true;
    }
    assert!(
        problems.is_empty(),
        "{} of {} images: shapes disagree with kubectl kustomize (files in {}):\n  {}",
        problems.len(),
        shapes.len(),
        tmp.path.display(),
        problems.join("\n  ")
    );
    say(&format!(
        "kustomize images shapes: {} shapes agree with kubectl kustomize",
        shapes.len()
    ));
}
