//! Bounded overlay walks (issue 14, cases 4 and 5), on repos generated here:
//!
//! - a chain of 10,000 one-line kustomizations (each lists the next): the walk needs no native
//!   stack per level, so planning neither overflows nor slows down;
//! - "diamond ladders" of depth 40 (two kustomizations per level, each listing both of the
//!   next): 2^40 paths, 82 files. Visiting each kustomization once makes them cheap; walking
//!   every path would never finish (and would exhaust memory long before). With no resource
//!   below the ladder kustomize renders the repo and so does relman; with the base at the
//!   bottom, every path includes it again, kustomize refuses the duplicates and relman answers
//!   `duplicate_resource`;
//! - a chain of 10,000 closed into a cycle: `invalid_path`, not a hang.
//!
//! Each scenario runs in a child process (the test binary re-runs itself with the worker's
//! name), so that a regression fails the test instead of crashing the test binary (a stack
//! overflow aborts the whole process) or hanging it: the parent fails on a crash, and on a
//! worker still running after a watchdog far beyond what the scenario needs (the scenarios
//! take well under a second in a release build; a regression to walking every path would take
//! years). Nothing here measures speed.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use relman::release::{Catalog, History, ImageInfo, ImageSpec, ReleaseSpec, Snapshot, Status, plan_release};

/// How long a worker may run before the parent calls it hung.
const WATCHDOG: Duration = Duration::from_secs(300);

const HEAD: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

const USERS: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
spec:
  template:
    spec:
      containers:
        - name: app
          image: acme/users:1.2.0
";

const RELMAN: &str = "environments:
  staging:
    path: envs/staging
  production:
    path: envs/production
";

fn kustomization(resources: &[String], extra: &str) -> String {
    let mut out = HEAD.to_string();
    out.push_str("resources:\n");
    for r in resources {
        let _ = writeln!(out, "  - {r}");
    }
    out.push_str(extra);
    out
}

/// The files every scenario shares: relman.yaml, the base, and production over the base.
fn common() -> Vec<(String, String)> {
    vec![
        ("relman.yaml".into(), RELMAN.into()),
        ("base/users.yaml".into(), USERS.into()),
        (
            "base/kustomization.yaml".into(),
            kustomization(&["users.yaml".into()], ""),
        ),
        (
            "envs/production/kustomization.yaml".into(),
            kustomization(&["../../base".into()], "namespace: production\n"),
        ),
    ]
}

/// staging -> chain/0 -> chain/1 -> ... -> chain/{n-1} -> the base (or back to chain/0 when
/// `cycle`). The innermost kustomization sets the tag.
fn chain(n: usize, cycle: bool) -> Vec<(String, String)> {
    let mut files = common();
    files.push((
        "envs/staging/kustomization.yaml".into(),
        kustomization(&["../../chain/0".into()], "namespace: staging\n"),
    ));
    for i in 0..n {
        let (next, extra) = if i + 1 < n {
            (format!("../{}", i + 1), String::new())
        } else if cycle {
            ("../0".to_string(), String::new())
        } else {
            (
                "../../base".to_string(),
                "images:\n  - name: acme/users\n    newTag: \"1.3.0\"\n".to_string(),
            )
        };
        files.push((
            format!("chain/{i}/kustomization.yaml"),
            kustomization(&[next], &extra),
        ));
    }
    files
}

/// staging lists the base and the two kustomizations of level 0; each kustomization of level
/// `i` lists both of level `i + 1`; those of the last level list nothing, or the base when
/// `base_at_bottom`.
fn ladder(depth: usize, base_at_bottom: bool) -> Vec<(String, String)> {
    let mut files = common();
    let level = |i: usize| [format!("../../ladder/{i}a"), format!("../../ladder/{i}b")];
    let mut root = vec!["../../base".to_string()];
    root.extend(level(0));
    files.push((
        "envs/staging/kustomization.yaml".into(),
        kustomization(&root, "namespace: staging\n"),
    ));
    for i in 0..depth {
        let below: Vec<String> = if i + 1 < depth {
            level(i + 1).to_vec()
        } else if base_at_bottom {
            vec!["../../base".into()]
        } else {
            Vec::new()
        };
        for side in ["a", "b"] {
            let text = if below.is_empty() {
                format!("{HEAD}resources: []\n")
            } else {
                kustomization(&below, "")
            };
            files.push((format!("ladder/{i}{side}/kustomization.yaml"), text));
        }
    }
    files
}

/// Plan a release of acme/users:1.4.0 to staging.
fn release(files: Vec<(String, String)>) -> relman::Result<relman::release::ReleasePlan> {
    let snapshot = Snapshot::from_files(files)?;
    let mut catalog = Catalog::new();
    catalog.add("acme/users", ImageInfo::new("1.4.0"))?;
    let spec = ReleaseSpec::new("staging").image(ImageSpec::parse("acme/users:1.4.0")?);
    let now: jiff::Timestamp = "2026-11-27T12:00:00Z".parse().expect("time");
    plan_release(&snapshot, &spec, &catalog, &History::default(), now)
}

/// One scenario, in the worker process.
fn scenario(name: &str) -> Result<String, String> {
    match name {
        "chain" => {
            let plan = release(chain(10_000, false)).map_err(|e| format!("planning failed: {e}"))?;
            let r = plan
                .results
                .iter()
                .find(|r| r.workload == "staging:deployment/users")
                .ok_or("no staging:deployment/users")?;
            let u = r
                .updates
                .first()
                .ok_or_else(|| format!("no update: {}", r.message))?;
            if r.status != Status::Success || u.from != "acme/users:1.3.0" || u.to != "acme/users:1.4.0" {
                return Err(format!("unexpected result {r:?}"));
            }
            let changed: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
            if changed != ["chain/9999/kustomization.yaml"] {
                return Err(format!("unexpected changes {changed:?}"));
            }
            Ok(format!("10,000-deep chain: {} -> {}", u.from, u.to))
        }
        "chain-cycle" => match release(chain(10_000, true)) {
            Err(e) if e.code() == "invalid_path" && e.message().contains("resource cycle") => {
                Ok("10,000-deep cycle: invalid_path".into())
            }
            other => Err(format!("expected invalid_path (cycle), got {other:?}")),
        },
        "ladder" => {
            let plan = release(ladder(40, false)).map_err(|e| format!("planning failed: {e}"))?;
            let ok = plan.results.len() == 1
                && plan.results[0].status == Status::Success
                && plan.results[0].updates.len() == 1;
            if !ok {
                return Err(format!("unexpected results {:?}", plan.results));
            }
            Ok("diamond ladder of depth 40, nothing below: planned".into())
        }
        "ladder-duplicate" => match release(ladder(40, true)) {
            Err(e)
                if e.code() == "duplicate_resource" && e.path() == Some("ladder/39a/kustomization.yaml") =>
            {
                Ok(format!("diamond ladder of depth 40, base below: {e}"))
            }
            other => Err(format!(
                "expected duplicate_resource at ladder/39a, got {other:?}"
            )),
        },
        other => Err(format!("unknown scenario {other}")),
    }
}

/// The worker: runs the scenario named by `RELMAN_OVERLAY_SCENARIO`. Does nothing in an
/// ordinary run.
#[test]
fn overlay_bounds_worker() {
    let Ok(name) = std::env::var("RELMAN_OVERLAY_SCENARIO") else {
        return;
    };
    match scenario(&name) {
        Ok(line) => println!("relman-overlay-scenario ok: {line}"),
        Err(e) => panic!("scenario {name}: {e}"),
    }
}

/// Run `name` in a child process: it must finish, succeed and say so.
fn run_worker(name: &str) {
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "overlay_bounds::overlay_bounds_worker",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RELMAN_OVERLAY_SCENARIO", name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the worker");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait") {
            Some(_) => break,
            None if started.elapsed() > WATCHDOG => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "scenario {name} still running after {WATCHDOG:?}: the overlay walk no longer visits each kustomization once"
                );
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let out = child.wait_with_output().expect("worker output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "scenario {name} failed or crashed ({}):\n{stdout}{stderr}",
        out.status
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("relman-overlay-scenario ok: "))
        .unwrap_or_else(|| panic!("scenario {name} ran no test:\n{stdout}{stderr}"))
        .1;
    eprintln!("{line} ({:.1?})", started.elapsed());
}

#[test]
fn a_10000_deep_chain_plans_without_overflowing() {
    run_worker("chain");
}

#[test]
fn a_10000_deep_cycle_is_an_error() {
    run_worker("chain-cycle");
}

#[test]
fn a_diamond_ladder_of_depth_40_is_walked_once() {
    run_worker("ladder");
}

#[test]
fn a_diamond_ladder_that_includes_the_base_twice_is_a_duplicate() {
    run_worker("ladder-duplicate");
}
