//! The git adapter (DESIGN.md section 15 targets: <= 1 s each):
//!
//! - `git/snapshot_10k_files`: `Snapshot::from_git` of a bare repository of 10,000 files
//!   (`relman.yaml` and 9,999 Deployments, the plan benchmark's repository), packed with deltas
//!   by `git repack` as a clone would be;
//! - `git/commit_1k_changed_files`: `Repository::commit` of a plan changing 1,000 of those
//!   files (each with new content, so every blob is written), onto a branch reset before each
//!   run.
//!
//! - `git/history_10k_commits_1k_workloads`: `Repository::history` of one environment over
//!   10,000 first-parent commits on a repository of 1,000 Deployments (two containers each),
//!   every commit moving the `app` image of one workload (every tenth with relman's trailers,
//!   the others hand edits), read from the trees (no target in DESIGN.md; recorded in
//!   RESULTS.md).
//!
//! The repository is built with the `git` command line (`git fast-import`); without `git` the
//! benchmarks say so and do nothing.
// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use relman::git::Repository;
use relman::release::{History, ReleasePlan, ReleaseSpec, Services, Snapshot, plan_release};

const FILES: usize = 10_000;
const HISTORY_COMMITS: usize = 10_000;
const HISTORY_WORKLOADS: usize = 1_000;
const CHANGED: usize = 1_000;
const AUTHOR: &str = "Bench <bench@example.com>";

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_OBJECT_DIRECTORY");
    cmd
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Feed `stream` to `git fast-import` in `dir`.
fn fast_import(dir: &Path, stream: &[u8]) {
    let mut child = git(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream)
        .expect("feed fast-import");
    assert!(child.wait().expect("fast-import").success());
}

/// A bare repository whose `main` holds `snapshot`'s files in one commit, packed with deltas.
fn bare_repository(dir: &Path, snapshot: &Snapshot) -> String {
    run(git(dir).args(["init", "-q", "--bare", "-b", "main"]));
    let mut stream = Vec::new();
    for (mark, (_, text)) in snapshot.files().enumerate() {
        write!(stream, "blob\nmark :{}\ndata {}\n{text}\n", mark + 1, text.len()).expect("in memory");
    }
    let message = "Generated config repo\n";
    write!(
        stream,
        "commit refs/heads/main\ncommitter Bench <bench@example.com> 1764201600 +0000\ndata {}\n{message}",
        message.len()
    )
    .expect("in memory");
    for (mark, (path, _)) in snapshot.files().enumerate() {
        writeln!(stream, "M 100644 :{} {path}", mark + 1).expect("in memory");
    }
    stream.push(b'\n');
    fast_import(dir, &stream);
    run(git(dir).args(["repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10"]));
    let out = git(dir).args(["rev-parse", "main"]).output().expect("rev-parse");
    String::from_utf8(out.stdout).expect("hex").trim().to_string()
}

/// A bare repository of `HISTORY_WORKLOADS` workloads and `HISTORY_COMMITS` more commits, each
/// moving one workload's `app` image one tag up (every tenth a relman release with trailers).
fn history_repository(dir: &Path) {
    let snapshot = relman_benches::repo(HISTORY_WORKLOADS, 100);
    bare_repository(dir, &snapshot);
    let mut texts: Vec<String> = (0..HISTORY_WORKLOADS)
        .map(|i| {
            snapshot
                .get(&format!("envs/production/svc-{i}.yaml"))
                .expect("generated")
                .to_string()
        })
        .collect();
    let mut tags = vec![0usize; HISTORY_WORKLOADS];
    let mut stream = Vec::new();
    for n in 0..HISTORY_COMMITS {
        let i = (n * 7) % HISTORY_WORKLOADS;
        let repository = format!("registry.example.com/team/repo-{}", i % 100);
        let (from, to) = (
            format!("{repository}:1.0.{}", tags[i]),
            format!("{repository}:1.0.{}", tags[i] + 1),
        );
        tags[i] += 1;
        texts[i] = texts[i].replacen(&from, &to, 1);
        let message = if n % 10 == 0 {
            format!(
                "Release {to} to production\n\nRelman-Environment: production\nRelman-Cause: manual\nRelman-Change: prod:deployment/svc-{i} app {from} -> {to}\n"
            )
        } else {
            format!("Bump svc-{i} by hand\n")
        };
        let parent = if n == 0 {
            "from refs/heads/main^0\n".to_string()
        } else {
            String::new()
        };
        write!(
            stream,
            "commit refs/heads/main\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{message}{parent}M 100644 inline envs/production/svc-{i}.yaml\ndata {}\n{}\n",
            1_764_201_600 + n,
            message.len(),
            texts[i].len(),
            texts[i]
        )
        .expect("in memory");
    }
    fast_import(dir, &stream);
    run(git(dir).args(["repack", "-a", "-d", "-q"]));
}

/// A plan releasing the latest images to the first 1,000 workloads (two containers each).
fn plan_1k(snapshot: &Snapshot) -> ReleasePlan {
    let names: Vec<String> = (0..CHANGED).map(|i| format!("svc-{i}")).collect();
    let spec = ReleaseSpec::new("production").services(Services::Named(names));
    let catalog = relman_benches::catalog(2_000, 2);
    let now: jiff::Timestamp = "2026-11-27T00:00:00Z".parse().expect("valid time");
    let plan = plan_release(snapshot, &spec, &catalog, &History::new(), now).expect("plans");
    assert_eq!(plan.changes.len(), CHANGED);
    plan
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git_benchmarks(c: &mut Criterion) {
    if !Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("SKIPPED: the git benchmarks need the `git` command line to build their repository");
        return;
    }
    let dir = TempDir(std::env::temp_dir().join(format!("relman-bench-git-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let files = relman_benches::repo(FILES - 1, 2_000);
    assert_eq!(files.len(), FILES);
    let base = bare_repository(&dir.0, &files);

    let mut group = c.benchmark_group("git");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("snapshot_10k_files", |b| {
        b.iter(|| {
            let snapshot = Snapshot::from_git(&dir.0, "main").expect("snapshot");
            assert_eq!(snapshot.len(), FILES);
            snapshot
        })
    });

    let repo = Repository::open(&dir.0).expect("open");
    let plan = plan_1k(&repo.snapshot(&base).expect("snapshot"));
    let branch = dir.0.join("refs/heads/bench");
    let mut run = 0u64;
    group.bench_function("commit_1k_changed_files", |b| {
        b.iter_batched(
            || {
                // Reset the branch; give every file new content so that every blob is new.
                std::fs::write(&branch, format!("{base}\n")).expect("reset the branch");
                run += 1;
                let mut plan = plan.clone();
                for change in &mut plan.changes {
                    change.after.push_str(&format!("# run {run}\n"));
                }
                plan
            },
            |plan| {
                let id = repo.commit(&plan, "bench", &base, AUTHOR).expect("commit");
                assert_ne!(id, base);
                id
            },
            BatchSize::PerIteration,
        )
    });

    let history_dir =
        TempDir(std::env::temp_dir().join(format!("relman-bench-history-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&history_dir.0);
    std::fs::create_dir_all(&history_dir.0).expect("temp dir");
    history_repository(&history_dir.0);
    let history_repo = Repository::open(&history_dir.0).expect("open");
    group.bench_function("history_10k_commits_1k_workloads", |b| {
        b.iter(|| {
            let history = history_repo
                .history("main", Some("production"), usize::MAX)
                .expect("history");
            // Every commit moved one pointer; the root commit added all 2,000 slots.
            assert_eq!(history.moves().len(), HISTORY_COMMITS + 2 * HISTORY_WORKLOADS);
            assert!(history.warnings().is_empty(), "{:?}", history.warnings());
            history
        })
    });
    group.finish();
}

criterion_group!(benches, git_benchmarks);
criterion_main!(benches);
