//! The git adapter against the `git` command line: repositories made by `git init` (default ref
//! format), bare clones and repositories after `git gc`; relman's commits checked with
//! `git fsck --strict`, `git show`, `git ls-tree` and `git interpret-trailers`; bad input; and
//! eight processes releasing to one branch at once.
//!
//! Every test skips, saying so, when `git` is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use relman::git::Repository;
use relman::release::{
    Catalog, FileChange, History, ImageInfo, ImageSpec, MoveCause, ReleasePlan, ReleaseSpec, Services,
    Snapshot, plan_release,
};

/// The codes for a revision, branch or object that does not exist, and for a malformed
/// argument (codes relman adds to DESIGN.md section 12's list).
const NOT_FOUND: &str = "not_found";
const INVALID_ARGUMENT: &str = "invalid_argument";
/// The code for a missing or corrupt object.
const BROKEN: &str = "corrupt_repository";

const AUTHOR: &str = "Alice Liddell <alice@example.com>";

// ----------------------------------------------------------------------------------------------
// Sandboxes and the git command line

/// A temporary folder, removed on drop.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "relman-git-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("temp dir");
        Sandbox { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// `git` with the user's and the system's configuration and every `GIT_*` location variable
/// out of the way, and a fixed identity.
fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_CEILING_DIRECTORIES",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Setup")
        .env("GIT_AUTHOR_EMAIL", "setup@example.com")
        .env("GIT_COMMITTER_NAME", "Setup")
        .env("GIT_COMMITTER_EMAIL", "setup@example.com")
        .env("GIT_TERMINAL_PROMPT", "0");
    cmd
}

/// Run git in `dir`; panic with its output when it fails; return stdout without the final
/// newline.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("git prints UTF-8 here")
        .trim_end_matches('\n')
        .to_string()
}

fn git_output(dir: &Path, args: &[&str]) -> Output {
    git_command(dir).args(args).output().expect("git runs")
}

/// Run git with `input` on stdin.
fn git_stdin(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = git_command(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim_end()
        .to_string()
}

/// The interoperability tests check relman's commits with the real `git`: without it they
/// would prove nothing, so a machine without `git` fails them (install git) instead of passing.
fn require_git() {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`git` is not installed: the git adapter's interoperability tests need it (install git)"
    );
}

/// `git fsck --strict` passes, with nothing to say about any object.
fn assert_fsck(dir: &Path) {
    let out = git_output(dir, &["fsck", "--strict", "--no-dangling", "--no-progress"]);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "git fsck --strict:\n{said}"
    );
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

// ----------------------------------------------------------------------------------------------
// A config repo

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}  # the {name} service\nspec:\n  \
         template:\n    spec:\n      containers:\n        - name: app\n          image: {image}\n"
    )
}

const CONFIG: &str = "\
environments:
  staging:
    path: envs/staging
    release: automatic
  production:
    path: envs/production
  edge:
    path: [shared/ingress.yaml, shared/missing]
";

/// The files of the standard config repo.
fn config_repo_files() -> Vec<(&'static str, String)> {
    vec![
        ("relman.yaml", CONFIG.to_string()),
        ("envs/staging/users.yaml", deployment("users", "acme/users:1.3.0")),
        (
            "envs/staging/orders.yaml",
            deployment("orders", "acme/orders:2.0.0"),
        ),
        (
            "envs/production/users.yaml",
            deployment("users", "acme/users:1.3.0"),
        ),
        (
            "envs/production/orders.yml",
            deployment("orders", "acme/orders:2.0.0"),
        ),
        (
            "envs/production/apps/Kustomization",
            "resources: []\n".to_string(),
        ),
        ("envs/production/notes.txt", "not YAML\n".to_string()),
        (
            "envs/production/.hidden/users.yaml",
            deployment("hidden", "acme/hidden:1"),
        ),
        ("envs/production/node_modules/x.yaml", "a: 1\n".to_string()),
        ("shared/ingress.yaml", "kind: Ingress\n".to_string()),
        ("shared/other.yaml", "kind: ConfigMap\n".to_string()),
        ("outside/users.yaml", deployment("users", "acme/users:0.1.0")),
    ]
}

/// The paths a snapshot of the standard config repo holds.
const SNAPSHOT_PATHS: [&str; 7] = [
    "envs/production/apps/Kustomization",
    "envs/production/orders.yml",
    "envs/production/users.yaml",
    "envs/staging/orders.yaml",
    "envs/staging/users.yaml",
    "relman.yaml",
    "shared/ingress.yaml",
];

/// A work tree made by `git init` (default ref format) holding `files`, committed on `main`.
fn work_tree(sandbox: &Sandbox, name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = sandbox.path(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    for (path, text) in files {
        write(&dir, path, text);
    }
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "Initial config"]);
    dir
}

/// A bare clone of a standard config repo, as a release bot would use.
fn bare_config_repo(sandbox: &Sandbox) -> PathBuf {
    let src = work_tree(sandbox, "src", &config_repo_files());
    let bare = sandbox.path("config.git");
    git(
        sandbox.path("").as_path(),
        &[
            "clone",
            "-q",
            "--bare",
            src.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    bare
}

fn release(snapshot: &Snapshot, environment: &str, image: &str, services: &[&str]) -> ReleasePlan {
    let mut spec = ReleaseSpec::new(environment)
        .image(ImageSpec::parse(image).expect("image"))
        .cause(Some(AUTHOR.to_string()), Some("Ship it".to_string()));
    if !services.is_empty() {
        spec = spec.services(Services::Named(services.iter().map(|s| s.to_string()).collect()));
    }
    let mut catalog = Catalog::new();
    let (repository, tag) = image.rsplit_once(':').expect("a tag");
    catalog.add(repository, ImageInfo::new(tag)).expect("catalog");
    plan_release(snapshot, &spec, &catalog, &History::new(), jiff::Timestamp::now()).expect("plan")
}

/// The recorded moves of a history, newest first: (environment, image after, cause).
fn recorded(history: &History) -> Vec<(String, String, MoveCause)> {
    history
        .moves()
        .iter()
        .filter(|m| m.cause != MoveCause::Unrecorded)
        .map(|m| (m.environment.clone(), m.to.clone().unwrap_or_default(), m.cause))
        .collect()
}

fn rev(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", rev])
}

// ----------------------------------------------------------------------------------------------
// Snapshots

#[test]
fn snapshot_reads_relman_yaml_and_environment_paths_from_objects() {
    require_git();
    let sandbox = Sandbox::new("snapshot");
    let dir = work_tree(&sandbox, "repo", &config_repo_files());
    // The work tree's files are not what is read: change one without committing.
    write(&dir, "envs/production/users.yaml", "uncommitted: true\n");

    let repo = Repository::open(&dir).expect("open");
    let snapshot = repo.snapshot("HEAD").expect("snapshot");
    let paths: Vec<&str> = snapshot.files().map(|(p, _)| p).collect();
    assert_eq!(paths, SNAPSHOT_PATHS);
    assert_eq!(
        snapshot.get("envs/production/users.yaml"),
        Some(deployment("users", "acme/users:1.3.0").as_str())
    );
    assert_eq!(snapshot.revision(), Some(rev(&dir, "HEAD").as_str()));
    assert_eq!(snapshot.revision().unwrap().len(), 40);

    // The same through every entry point; a `.git` folder opens too.
    assert_eq!(Snapshot::from_git(&dir, "main").expect("from_git"), snapshot);
    assert_eq!(
        relman::git::snapshot(dir.join(".git"), "main").expect("free fn"),
        snapshot
    );
}

#[test]
fn snapshot_without_relman_yaml_reads_the_whole_tree() {
    require_git();
    let sandbox = Sandbox::new("implicit");
    let files: Vec<(&str, String)> = config_repo_files()
        .into_iter()
        .filter(|(p, _)| *p != "relman.yaml")
        .collect();
    let dir = work_tree(&sandbox, "repo", &files);
    let snapshot = Snapshot::from_git(&dir, "HEAD").expect("snapshot");
    let paths: Vec<&str> = snapshot.files().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "envs/production/apps/Kustomization",
            "envs/production/orders.yml",
            "envs/production/users.yaml",
            "envs/staging/orders.yaml",
            "envs/staging/users.yaml",
            "outside/users.yaml",
            "shared/ingress.yaml",
            "shared/other.yaml",
        ]
    );
    assert_eq!(snapshot.config().expect("implicit").environments().len(), 1);
}

#[test]
fn snapshot_resolves_revisions_as_git_does() {
    require_git();
    let sandbox = Sandbox::new("revisions");
    let dir = work_tree(&sandbox, "repo", &config_repo_files());
    let first = rev(&dir, "HEAD");
    git(&dir, &["tag", "-a", "-m", "v1", "v1"]);
    write(
        &dir,
        "envs/staging/users.yaml",
        &deployment("users", "acme/users:1.4.0"),
    );
    git(&dir, &["commit", "-q", "-am", "Bump staging"]);
    let repo = Repository::open(&dir).expect("open");

    for spec in ["HEAD~1", "main^", "v1", "v1^{commit}", &first[..7], &first] {
        let snapshot = repo.snapshot(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(snapshot.revision(), Some(first.as_str()), "{spec}");
        assert!(snapshot.get("envs/staging/users.yaml").unwrap().contains("1.3.0"));
    }
    assert!(
        repo.snapshot("HEAD")
            .unwrap()
            .get("envs/staging/users.yaml")
            .unwrap()
            .contains("1.4.0")
    );
    for bad in [
        "no-such-branch",
        "HEAD~5",
        "0000000000000000000000000000000000000000",
        "",
        "HEAD:relman.yaml",
    ] {
        let err = repo.snapshot(bad).expect_err(bad);
        assert_eq!(err.code(), NOT_FOUND, "{bad}: {err}");
        assert!(err.message().starts_with("not found"), "{bad}: {err}");
    }
}

#[test]
fn snapshot_refuses_an_invalid_relman_yaml() {
    require_git();
    let sandbox = Sandbox::new("badconfig");
    let dir = work_tree(
        &sandbox,
        "repo",
        &[(
            "relman.yaml",
            "environments:\n  prod:\n    path: ../prod\n".to_string(),
        )],
    );
    assert_eq!(
        Snapshot::from_git(&dir, "HEAD").unwrap_err().code(),
        "invalid_config"
    );
}

// ----------------------------------------------------------------------------------------------
// History

/// Commit `plan` through relman on `branch` at its current head.
/// Clone `bare` into `clone`, commit a docs file there with `message`, and push it to `main`.
fn push_docs_commit(sandbox: &Sandbox, bare: &Path, message: &str) -> PathBuf {
    let clone = sandbox.path("clone");
    git(
        &sandbox.root,
        &["clone", "-q", bare.to_str().unwrap(), clone.to_str().unwrap()],
    );
    write(&clone, "docs/README.md", "How we release\n");
    git(&clone, &["add", "-A"]);
    git(&clone, &["commit", "-q", "-m", message]);
    git(&clone, &["push", "-q", "origin", "main"]);
    clone
}

/// The result of `workload` in `plan`.
fn result_of<'p>(plan: &'p ReleasePlan, workload: &str) -> &'p relman::release::WorkloadResult {
    plan.results
        .iter()
        .find(|r| r.workload == workload)
        .unwrap_or_else(|| panic!("{workload} has no result: {:?}", plan.results))
}

fn commit_plan(repo: &Repository, plan: &ReleasePlan, branch: &str) -> String {
    let head = repo.branch_head(branch).expect("head");
    repo.commit(plan, branch, &head, AUTHOR).expect("commit")
}

#[test]
fn history_reads_release_records_on_the_first_parent_walk() {
    require_git();
    let sandbox = Sandbox::new("history");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");

    // main: release staging users 1.4.0, a plain commit, release production users 1.4.0.
    let plan = release(
        &repo.snapshot("main").unwrap(),
        "staging",
        "acme/users:1.4.0",
        &[],
    );
    commit_plan(&repo, &plan, "main");
    let clone = push_docs_commit(&sandbox, &bare, "Docs");
    let plan = release(
        &repo.snapshot("main").unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    commit_plan(&repo, &plan, "main");

    // A side branch with a release, merged into main: not on the first-parent walk.
    git(&bare, &["branch", "side", "main~1"]);
    let plan = release(
        &repo.snapshot("side").unwrap(),
        "staging",
        "acme/orders:2.1.0",
        &[],
    );
    commit_plan(&repo, &plan, "side");
    git(&clone, &["fetch", "-q", "origin"]);
    git(&clone, &["reset", "-q", "--hard", "origin/main"]);
    git(
        &clone,
        &["merge", "-q", "--no-ff", "-m", "Merge side", "origin/side"],
    );
    git(&clone, &["push", "-q", "origin", "main"]);

    let history = repo.history("main", None, usize::MAX).expect("history");
    assert!(history.is_complete());
    assert_eq!(
        recorded(&history),
        [
            (
                "production".to_string(),
                "acme/users:1.4.0".to_string(),
                MoveCause::Manual
            ),
            (
                "staging".to_string(),
                "acme/users:1.4.0".to_string(),
                MoveCause::Manual
            ),
        ]
    );
    let first = history
        .moves()
        .iter()
        .find(|m| m.cause == MoveCause::Manual)
        .unwrap();
    assert_eq!(first.user.as_deref(), Some(AUTHOR));
    assert_eq!(first.from.as_deref(), Some("acme/users:1.3.0"));
    // The merge moved staging's orders on the first-parent walk: a move without a record.
    let merge = &history.moves()[0];
    assert_eq!(
        (merge.environment.as_str(), merge.to.as_deref(), merge.cause),
        ("staging", Some("acme/orders:2.1.0"), MoveCause::Unrecorded)
    );
    assert_eq!(merge.commit.as_deref(), Some(rev(&bare, "main").as_str()));
    // The root commit added every slot.
    assert!(history.moves().iter().any(|m| m.from.is_none()));
    assert!(history.warnings().is_empty(), "{:?}", history.warnings());

    let staging = repo.history("main", Some("staging"), 10).expect("history");
    assert_eq!(recorded(&staging).len(), 1);
    assert!(staging.moves().iter().all(|m| m.environment == "staging"));
    let newest = repo.history("main", None, 1).unwrap();
    assert_eq!(newest.moves().len(), 1, "only the merge is read");
    assert!(!newest.is_complete());
    assert!(repo.history("main", None, 0).unwrap().moves().is_empty());
    assert_eq!(
        repo.history("main", Some("nowhere"), 10).unwrap_err().code(),
        "unknown_environment"
    );
    // The side branch sees its own release.
    assert_eq!(
        recorded(&repo.history("side", None, 10).unwrap())[0].1,
        "acme/orders:2.1.0"
    );
    assert_eq!(
        relman::git::history(&bare, "main~1", None, 10).unwrap(),
        repo.history("main~1", None, 10).unwrap()
    );
    assert_eq!(repo.history("nope", None, 1).unwrap_err().code(), NOT_FOUND);
    assert_fsck(&bare);

    // A shallow clone's history ends at its boundary.
    let shallow = sandbox.path("shallow.git");
    let url = format!("file://{}", bare.display());
    git(
        &sandbox.root,
        &[
            "clone",
            "-q",
            "--bare",
            "--depth=3",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    // The merge, the production release and the docs commit are there; the docs commit's parent
    // is not, so its own moves are unknown and the walk says where it stopped.
    let history = relman::git::history(&shallow, "main", None, usize::MAX).expect("shallow history");
    assert_eq!(
        recorded(&history),
        [(
            "production".to_string(),
            "acme/users:1.4.0".to_string(),
            MoveCause::Manual
        )]
    );
    assert!(!history.is_complete());
    assert!(
        history.warnings()[0].contains("shallow"),
        "{:?}",
        history.warnings()
    );
}

/// Attacks 5 and 6 of issue 13 on a real repository: a squash-merged docs commit whose message
/// ends in a forged trailer paragraph, and a bad release undone with `git revert`.
#[test]
fn history_from_trees_ignores_forged_records_and_skips_reverted_values() {
    require_git();
    let sandbox = Sandbox::new("forged");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let plan = release(
        &repo.snapshot("main").unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    commit_plan(&repo, &plan, "main");

    let clone = push_docs_commit(
        &sandbox,
        &bare,
        "Docs (#7)\n\nRelman-Environment: production\nRelman-Cause: manual\nRelman-Change: default:deployment/users app acme/users:6.6.6 -> acme/users:1.4.0",
    );
    let forged = rev(&bare, "main");

    let plan = release(
        &repo.snapshot("main").unwrap(),
        "production",
        "acme/users:1.5.0",
        &[],
    );
    commit_plan(&repo, &plan, "main");
    git(&clone, &["pull", "-q", "--ff-only", "origin", "main"]);
    git(&clone, &["revert", "--no-edit", "HEAD"]);
    git(&clone, &["push", "-q", "origin", "main"]);

    let history = repo.history("main", Some("production"), 100).expect("history");
    let moves: Vec<(Option<&str>, Option<&str>, MoveCause)> = history
        .moves()
        .iter()
        .filter(|m| m.workload == "default:deployment/users")
        .map(|m| (m.from.as_deref(), m.to.as_deref(), m.cause))
        .collect();
    assert_eq!(
        moves,
        [
            (
                Some("acme/users:1.5.0"),
                Some("acme/users:1.4.0"),
                MoveCause::Unrecorded
            ),
            (
                Some("acme/users:1.4.0"),
                Some("acme/users:1.5.0"),
                MoveCause::Manual
            ),
            (
                Some("acme/users:1.3.0"),
                Some("acme/users:1.4.0"),
                MoveCause::Manual
            ),
            (None, Some("acme/users:1.3.0"), MoveCause::Unrecorded),
        ]
    );
    assert_eq!(history.warnings().len(), 1, "{:?}", history.warnings());
    assert!(history.warnings()[0].starts_with("record_mismatch"));
    assert!(history.warnings()[0].contains(&forged));

    // The walk reads only what changed; the pure reading of every commit's snapshot agrees.
    let commits: Vec<(String, Snapshot)> = git(&bare, &["rev-list", "--first-parent", "main"])
        .lines()
        .map(|id| {
            (
                git(&bare, &["log", "-1", "--format=%B", id]),
                repo.snapshot(id).unwrap(),
            )
        })
        .collect();
    let pure = History::from_commits(commits, None).expect("pure history");
    assert_eq!(
        pure.moves_of("production").collect::<Vec<_>>(),
        history.moves_of("production").collect::<Vec<_>>()
    );
    assert_eq!(pure.warnings_of("production").count(), 1);

    // The rollback skips the reverted 1.5.0 and the forged 6.6.6: it goes to 1.3.0.
    let spec = ReleaseSpec::new("production")
        .services(Services::Named(vec!["users".into()]))
        .image(ImageSpec::Rollback)
        .cause(Some(AUTHOR.to_string()), Some("1.4.0 is slow".to_string()));
    let snapshot = repo.snapshot("main").unwrap();
    let plan = plan_release(
        &snapshot,
        &spec,
        &Catalog::new(),
        &history,
        jiff::Timestamp::now(),
    )
    .expect("plan");
    let users = result_of(&plan, "default:deployment/users");
    assert_eq!(users.updates[0].to, "acme/users:1.3.0", "{users:?}");
    assert!(plan.warnings.iter().any(|w| w.starts_with("record_mismatch")));
    // A walk that stops at the revert does not see the release it undid: the value at its
    // horizon (1.5.0) is not a rollback target.
    let short = repo.history("main", Some("production"), 1).expect("history");
    assert!(!short.is_complete());
    let plan = plan_release(&snapshot, &spec, &Catalog::new(), &short, jiff::Timestamp::now()).expect("plan");
    let users = result_of(&plan, "default:deployment/users");
    assert_eq!(
        users.reason,
        Some(relman::release::Reason::NoPreviousRelease),
        "{users:?}"
    );
    assert!(users.message.contains("stopped early"), "{}", users.message);
    // The messages alone (the weaker mode) would have believed the forgery.
    let messages: Vec<String> = git(&bare, &["log", "--first-parent", "--format=%B%x00", "main"])
        .split('\0')
        .map(|m| m.trim().to_string())
        .collect();
    let believed = History::from_messages(messages.iter().map(String::as_str));
    let plan = plan_release(
        &snapshot,
        &spec,
        &Catalog::new(),
        &believed,
        jiff::Timestamp::now(),
    )
    .expect("plan");
    let users = result_of(&plan, "default:deployment/users");
    assert_ne!(users.updates[0].to, "acme/users:1.3.0");
}

// ----------------------------------------------------------------------------------------------
// Commits

/// A plan made before another writer froze the environment is not committed on the frozen
/// head, even though the file it changes is the same there: it must be re-planned.
#[test]
fn commit_refuses_a_plan_made_before_a_lock() {
    require_git();
    let sandbox = Sandbox::new("stale-plan");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let made_on = repo.branch_head("main").unwrap();
    let plan = release(
        &repo.snapshot(&made_on).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    assert_eq!(plan.revision.as_deref(), Some(made_on.as_str()));

    // Another writer locks production in relman.yaml.
    let clone = sandbox.path("clone");
    git(
        &sandbox.root,
        &["clone", "-q", bare.to_str().unwrap(), clone.to_str().unwrap()],
    );
    let config = std::fs::read_to_string(clone.join("relman.yaml")).unwrap();
    let lock = relman::EnvironmentLock {
        reason: "freeze".to_string(),
        by: "alice".to_string(),
        until: None,
    };
    let locked = relman::config::lock_environment(&config, "production", &lock).unwrap();
    write(&clone, "relman.yaml", &locked);
    git(&clone, &["commit", "-q", "-am", "Freeze production"]);
    git(&clone, &["push", "-q", "origin", "main"]);
    let frozen = rev(&bare, "main");

    let err = repo.commit(&plan, "main", &frozen, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "conflict", "{err}");
    assert!(err.to_string().contains("re-plan"), "{err}");
    assert_eq!(rev(&bare, "main"), frozen, "the branch did not move");
    // Re-planned on the frozen head, the release is environment_locked.
    let replanned = release(
        &repo.snapshot(&frozen).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    assert!(replanned.is_noop());
}

#[test]
fn commit_interoperates_with_the_git_command_line() {
    require_git();
    let sandbox = Sandbox::new("interop");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let head = repo.branch_head("main").expect("head");
    assert_eq!(head, rev(&bare, "main"));
    let snapshot = repo.snapshot(&head).expect("snapshot");
    let plan = release(&snapshot, "production", "acme/users:1.4.0", &[]);
    assert_eq!(plan.changes.len(), 1);

    let id = relman::git::commit(&bare, "main", &head, &plan, AUTHOR).expect("commit");
    assert_eq!(id.len(), 40);
    assert_eq!(rev(&bare, "main"), id);
    assert_fsck(&bare);

    // Parent, author, committer and message as asked.
    assert_eq!(git(&bare, &["log", "-1", "--format=%P", &id]), head);
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%an <%ae>|%cn <%ce>", &id]),
        format!("{AUTHOR}|{AUTHOR}")
    );
    assert_eq!(
        format!("{}\n", git(&bare, &["log", "-1", "--format=%B", &id])),
        format!("{}\n", plan.commit_message.trim_end())
    );
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%s", &id]),
        "Release acme/users:1.4.0 to production"
    );

    // The tree git reads: the changed file has the plan's text, everything else is as before.
    assert_eq!(
        format!(
            "{}\n",
            git(&bare, &["show", &format!("{id}:envs/production/users.yaml")])
        ),
        plan.changes[0].after
    );
    let before = git(&bare, &["ls-tree", "-r", &head]);
    let after = git(&bare, &["ls-tree", "-r", &id]);
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(b, a)| b != a)
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].1.ends_with("\tenvs/production/users.yaml"));
    let blob = git_stdin(&bare, &["hash-object", "--stdin"], &plan.changes[0].after);
    assert!(changed[0].1.contains(&blob));
    // relman reads back what it wrote.
    let snapshot = repo.snapshot("main").expect("snapshot");
    assert_eq!(
        snapshot.get("envs/production/users.yaml"),
        Some(plan.changes[0].after.as_str())
    );
    assert_eq!(snapshot.revision(), Some(id.as_str()));

    // The trailers, as git reads them.
    let message = git(&bare, &["log", "-1", "--format=%B", &id]);
    let trailers = git_stdin(&bare, &["interpret-trailers", "--parse"], &message);
    assert_eq!(
        trailers,
        format!(
            "Relman-Environment: production\nRelman-Cause: manual\nRelman-User: {AUTHOR}\n\
             Relman-Change: default:deployment/users app acme/users:1.3.0 -> acme/users:1.4.0"
        )
    );
    let history = repo.history("main", Some("production"), 1).unwrap();
    assert_eq!(
        recorded(&history),
        [(
            "production".to_string(),
            "acme/users:1.4.0".to_string(),
            MoveCause::Manual
        )]
    );
}

#[test]
fn commit_works_after_gc_on_packed_objects_and_refs() {
    require_git();
    let sandbox = Sandbox::new("gc");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let plan = release(
        &repo.snapshot("main").unwrap(),
        "staging",
        "acme/users:1.4.0",
        &[],
    );
    commit_plan(&repo, &plan, "main");
    let before_gc = repo.snapshot("main").unwrap();

    git(&bare, &["gc", "-q", "--aggressive", "--prune=now"]);
    assert!(!bare.join("refs/heads/main").exists(), "gc packs the branch");
    assert!(
        std::fs::read_to_string(bare.join("packed-refs"))
            .unwrap()
            .contains("refs/heads/main")
    );
    let loose = std::fs::read_dir(bare.join("objects"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().len() == 2)
        .count();
    assert_eq!(loose, 0, "gc packs every object");

    // A repository opened before gc still reads; one opened after too.
    assert_eq!(repo.snapshot("main").unwrap(), before_gc);
    let repo = Repository::open(&bare).expect("open");
    assert_eq!(repo.snapshot("main").unwrap(), before_gc);
    assert_eq!(recorded(&repo.history("main", None, 10).unwrap()).len(), 1);

    let plan = release(&before_gc, "production", "acme/users:1.4.0", &[]);
    let id = commit_plan(&repo, &plan, "main");
    assert_eq!(rev(&bare, "main"), id);
    assert_eq!(recorded(&repo.history("main", None, 10).unwrap()).len(), 2);
    assert_fsck(&bare);
}

#[test]
fn commit_is_a_compare_and_swap() {
    require_git();
    let sandbox = Sandbox::new("cas");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let old = repo.branch_head("main").unwrap();
    let snapshot = repo.snapshot(&old).unwrap();
    let users = release(&snapshot, "production", "acme/users:1.4.0", &["users"]);
    let orders = release(&snapshot, "production", "acme/orders:2.1.0", &["orders"]);

    let new = repo
        .commit(&orders, "main", &old, AUTHOR)
        .expect("first writer wins");
    let err = repo
        .commit(&users, "main", &old, AUTHOR)
        .expect_err("second writer loses");
    assert_eq!(err.code(), "conflict");
    assert_eq!(err.actual_head(), Some(new.as_str()));
    assert!(err.message().contains(&new), "{err}");
    assert_eq!(rev(&bare, "main"), new, "the branch does not move on conflict");

    // Re-planned on the new head, it goes through.
    let replanned = release(
        &repo.snapshot(&new).unwrap(),
        "production",
        "acme/users:1.4.0",
        &["users"],
    );
    let last = repo.commit(&replanned, "main", &new, AUTHOR).expect("re-planned");
    let snapshot = repo.snapshot("main").unwrap();
    assert!(
        snapshot
            .get("envs/production/users.yaml")
            .unwrap()
            .contains("acme/users:1.4.0")
    );
    assert!(
        snapshot
            .get("envs/production/orders.yml")
            .unwrap()
            .contains("acme/orders:2.1.0")
    );
    assert_eq!(git(&bare, &["log", "-1", "--format=%P", &last]), new);
    assert_fsck(&bare);
}

#[test]
fn commit_refuses_a_plan_made_on_another_commit() {
    require_git();
    let sandbox = Sandbox::new("stale");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let head = repo.branch_head("main").unwrap();
    let plan = release(
        &repo.snapshot(&head).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );

    let mut stale = plan.clone();
    stale.changes[0].before = deployment("users", "acme/users:1.2.0");
    let err = repo.commit(&stale, "main", &head, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "conflict", "{err}");
    assert_eq!(err.actual_head(), Some(head.as_str()));

    let mut missing = plan.clone();
    missing.changes[0].path = "envs/production/payments.yaml".to_string();
    let err = repo.commit(&missing, "main", &head, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "conflict", "{err}");
    assert!(err.message().contains("does not exist"), "{err}");

    assert_eq!(rev(&bare, "main"), head, "the branch never moves on error");
}

#[test]
fn a_branch_locked_by_another_writer_is_a_conflict_after_a_wait() {
    require_git();
    let sandbox = Sandbox::new("locked");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let head = repo.branch_head("main").unwrap();
    let plan = release(
        &repo.snapshot(&head).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    // A writer that died holding the lock (git leaves the same file behind).
    write(&bare, "refs/heads/main.lock", &format!("{head}\n"));
    let started = std::time::Instant::now();
    let err = repo.commit(&plan, "main", &head, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "conflict", "{err}");
    assert!(err.message().contains("main.lock"), "{err}");
    assert_eq!(err.actual_head(), Some(head.as_str()));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(4),
        "it waits for the lock"
    );
    assert_eq!(rev(&bare, "main"), head);
    assert!(
        bare.join("refs/heads/main.lock").exists(),
        "another writer's lock is left alone"
    );
}

#[test]
fn a_plan_that_changes_nothing_is_not_committed() {
    require_git();
    let sandbox = Sandbox::new("noop");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let head = repo.branch_head("main").unwrap();
    let snapshot = repo.snapshot(&head).unwrap();

    let noop = release(&snapshot, "production", "acme/users:1.3.0", &[]);
    assert!(noop.is_noop());
    assert_eq!(repo.commit(&noop, "main", &head, AUTHOR).unwrap(), head);

    let mut same = release(&snapshot, "production", "acme/users:1.4.0", &[]);
    same.changes[0].after = same.changes[0].before.clone();
    assert_eq!(repo.commit(&same, "main", &head, AUTHOR).unwrap(), head);
    assert_eq!(rev(&bare, "main"), head);
    assert_eq!(git(&bare, &["rev-list", "--count", "--all"]), "1");

    // Still a compare-and-swap: a no-op on an old head is a conflict.
    let plan = release(&snapshot, "production", "acme/users:1.4.0", &[]);
    let new = repo.commit(&plan, "main", &head, AUTHOR).unwrap();
    let err = repo.commit(&noop, "main", &head, AUTHOR).unwrap_err();
    assert_eq!((err.code(), err.actual_head()), ("conflict", Some(new.as_str())));
}

#[test]
fn commit_refuses_a_branch_checked_out_in_a_work_tree() {
    require_git();
    let sandbox = Sandbox::new("checkedout");
    let dir = work_tree(&sandbox, "repo", &config_repo_files());
    let repo = Repository::open(&dir).expect("open");
    let head = repo.branch_head("main").unwrap();
    let plan = release(
        &repo.snapshot(&head).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );

    let err = repo.commit(&plan, "main", &head, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "branch_checked_out", "{err}");
    assert!(err.message().contains("bare clone"), "{err}");
    let err = Repository::open(dir.join(".git"))
        .unwrap()
        .commit(&plan, "refs/heads/main", &head, AUTHOR)
        .unwrap_err();
    assert_eq!(err.code(), "branch_checked_out", "{err}");
    assert_eq!(rev(&dir, "main"), head);

    // A branch that is not checked out moves, in a non-bare repository too.
    git(&dir, &["branch", "release"]);
    let id = repo
        .commit(&plan, "release", &head, AUTHOR)
        .expect("not checked out");
    assert_eq!(rev(&dir, "release"), id);
    assert_eq!(rev(&dir, "main"), head);
    // The reflog says who moved it.
    let reflog = git(&dir, &["reflog", "-1", "--format=%gs", "release"]);
    assert_eq!(reflog, "relman: Release acme/users:1.4.0 to production");
    // The work tree is untouched.
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");

    // Detached while main is being rebased: still refused, as git does.
    git(&dir, &["checkout", "-q", "--detach"]);
    write(&dir, ".git/rebase-merge/head-name", "refs/heads/main\n");
    let err = repo.commit(&plan, "main", &head, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "branch_checked_out", "{err}");
    std::fs::remove_dir_all(dir.join(".git/rebase-merge")).unwrap();

    // Detached, main is no longer checked out.
    repo.commit(&plan, "main", &head, AUTHOR).expect("detached HEAD");
    assert_fsck(&dir);
}

#[test]
fn commit_refuses_a_branch_checked_out_in_a_linked_work_tree() {
    require_git();
    let sandbox = Sandbox::new("linked");
    let bare = bare_config_repo(&sandbox);
    git(&bare, &["branch", "hotfix"]);
    let linked = sandbox.path("hotfix-tree");
    git(
        &bare,
        &["worktree", "add", "-q", linked.to_str().unwrap(), "hotfix"],
    );

    let repo = Repository::open(&bare).expect("open");
    let head = repo.branch_head("hotfix").unwrap();
    let plan = release(
        &repo.snapshot(&head).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    let err = repo.commit(&plan, "hotfix", &head, AUTHOR).unwrap_err();
    assert_eq!(err.code(), "branch_checked_out", "{err}");
    assert!(err.message().contains("hotfix-tree"), "{err}");
    // Opened from the linked work tree, the same.
    let from_linked = Repository::open(&linked).expect("open linked");
    assert_eq!(
        from_linked
            .commit(&plan, "hotfix", &head, AUTHOR)
            .unwrap_err()
            .code(),
        "branch_checked_out"
    );
    assert_eq!(rev(&bare, "hotfix"), head);
    // main is not checked out anywhere (the repository is bare).
    from_linked
        .commit(&plan, "main", &head, AUTHOR)
        .expect("main moves");
}

#[test]
#[cfg(unix)]
fn commit_keeps_file_modes_and_links_and_never_writes_through_one() {
    require_git();
    let sandbox = Sandbox::new("modes");
    let mut files = config_repo_files();
    files.retain(|(p, _)| *p != "envs/production/users.yaml");
    files.push(("apps/users.yaml", deployment("users", "acme/users:1.3.0")));
    files.push((
        "extras/config.yaml",
        "kind: ConfigMap\nmetadata: {name: extra}\n".to_string(),
    ));
    let dir = work_tree(&sandbox, "repo", &files);
    std::os::unix::fs::symlink("../../apps/users.yaml", dir.join("envs/production/users.yaml")).unwrap();
    std::os::unix::fs::symlink("../../extras", dir.join("envs/production/extra")).unwrap();
    git(&dir, &["add", "-A"]);
    git(
        &dir,
        &["update-index", "--chmod=+x", "envs/production/orders.yml"],
    );
    git(&dir, &["commit", "-q", "-m", "Links and modes"]);
    git(&dir, &["checkout", "-q", "--detach"]);

    let repo = Repository::open(&dir).expect("open");
    let snapshot = repo.snapshot("main").expect("snapshot");
    // Followed: the link to a file reads its target, kept once under its real path; the link
    // to a folder is walked; both are kept as links.
    assert_eq!(
        snapshot.resolve("envs/production/users.yaml"),
        Some("apps/users.yaml")
    );
    assert!(
        snapshot
            .get("envs/production/users.yaml")
            .unwrap()
            .contains("acme/users:1.3.0")
    );
    assert_eq!(
        snapshot.resolve("envs/production/extra/config.yaml"),
        Some("extras/config.yaml")
    );
    assert_eq!(
        snapshot.links().collect::<Vec<_>>(),
        [
            ("envs/production/extra", "extras"),
            ("envs/production/users.yaml", "apps/users.yaml"),
        ]
    );
    assert!(
        !snapshot
            .files()
            .any(|(p, _)| p.starts_with("envs/production/extra") || p == "envs/production/users.yaml"),
        "no file is kept under a link's path"
    );

    let head = repo.branch_head("main").unwrap();
    let mut plan = release(&snapshot, "production", "acme/users:1.4.0", &["users"]);
    // The plan names the real file.
    assert_eq!(
        plan.changes.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(),
        ["apps/users.yaml"]
    );
    let orders = snapshot.get("envs/production/orders.yml").unwrap().to_string();
    plan.changes.push(FileChange::new(
        "envs/production/orders.yml",
        orders.clone(),
        orders.replace("2.0.0", "2.1.0"),
    ));

    // A plan naming a link, or a file under a folder link, is refused: nothing is ever
    // written through a link.
    let users = snapshot.get("apps/users.yaml").unwrap().to_string();
    let config = snapshot.get("extras/config.yaml").unwrap().to_string();
    for (path, before) in [
        ("envs/production/users.yaml", &users),
        ("envs/production/extra/config.yaml", &config),
    ] {
        let mut bad = plan.clone();
        bad.changes = vec![FileChange::new(
            path,
            before.clone(),
            format!("{before}# edited\n"),
        )];
        let err = repo.commit(&bad, "main", &head, AUTHOR).unwrap_err();
        assert_eq!((err.code(), err.path()), ("invalid_path", Some(path)), "{err}");
        assert!(err.message().contains("symbolic link"), "{err}");
        assert_eq!(repo.branch_head("main").unwrap(), head, "the branch did not move");
    }

    let id = repo.commit(&plan, "main", &head, AUTHOR).expect("commit");
    let tree = git(&dir, &["ls-tree", "-r", &id]);
    let mode = |path: &str| {
        tree.lines()
            .find(|l| l.ends_with(&format!("\t{path}")))
            .unwrap_or_else(|| panic!("{path} in\n{tree}"))
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        mode("envs/production/users.yaml"),
        "120000",
        "the link stays a link"
    );
    assert_eq!(
        git(
            &dir,
            &["cat-file", "-p", &format!("{id}:envs/production/users.yaml")]
        ),
        "../../apps/users.yaml",
        "to the same target"
    );
    assert_eq!(
        mode("envs/production/orders.yml"),
        "100755",
        "the executable bit stays"
    );
    assert!(git(&dir, &["show", &format!("{id}:apps/users.yaml")]).contains("acme/users:1.4.0"));
    assert!(git(&dir, &["show", &format!("{id}:envs/production/orders.yml")]).contains("2.1.0"));
    assert_fsck(&dir);
}

/// A staging automatic, production manual config repo in which staging reaches production's
/// files through symbolic links, as `(link, target)`.
#[cfg(unix)]
fn linked_repo(sandbox: &Sandbox, name: &str, links: &[(&str, &str)]) -> PathBuf {
    let config = "environments:\n  staging:\n    path: envs/staging\n    release: automatic\n  \
                  production:\n    path: envs/production\n    release: manual\n";
    let files = vec![
        ("relman.yaml", config.to_string()),
        ("envs/staging/users.yaml", deployment("users", "acme/users:1.3.0")),
        (
            "envs/production/orders.yaml",
            deployment("orders", "acme/orders:2.0.0"),
        ),
        (
            "envs/production/deep/billing.yaml",
            deployment("billing", "acme/billing:1.0.0"),
        ),
    ];
    let dir = work_tree(sandbox, name, &files);
    for (link, target) in links {
        std::fs::create_dir_all(dir.join(link).parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
    }
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "--allow-empty", "-m", "Links"]);
    git(&dir, &["checkout", "-q", "--detach"]);
    dir
}

/// The catalog of the linked repos: a newer tag of every image.
fn newer_images() -> Catalog {
    let mut catalog = Catalog::new();
    for (repository, tag) in [
        ("acme/users", "1.4.0"),
        ("acme/orders", "2.1.0"),
        ("acme/billing", "1.1.0"),
    ] {
        catalog
            .add(
                repository,
                ImageInfo::new(tag)
                    .with_created_str("2026-01-01T00:00:00Z")
                    .unwrap(),
            )
            .unwrap();
    }
    catalog
}

#[test]
#[cfg(unix)]
fn staging_automation_never_changes_production_through_a_link() {
    require_git();
    let sandbox = Sandbox::new("crossing");
    let now: jiff::Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
    // A link to a production manifest, to a production folder, and a chain of links.
    for (name, links) in [
        (
            "file",
            vec![("envs/staging/orders.yaml", "../production/orders.yaml")],
        ),
        ("folder", vec![("envs/staging/prod", "../production")]),
        ("deep-folder", vec![("envs/staging/deep", "../production/deep")]),
        (
            "chain",
            vec![
                ("envs/staging/a.yaml", "b.yaml"),
                ("envs/staging/b.yaml", "c/orders.yaml"),
                ("envs/staging/c", "../production"),
            ],
        ),
    ] {
        let dir = linked_repo(&sandbox, name, &links);
        let repo = Repository::open(&dir).unwrap();
        let head = repo.branch_head("main").unwrap();
        let snapshot = repo.snapshot(&head).unwrap();
        // The same snapshot from the work tree: one rule for both.
        assert_eq!(
            Snapshot::from_dir(&dir).unwrap().with_revision(&head),
            snapshot,
            "{name}"
        );

        let plans = relman::release::plan_automation(&snapshot, &newer_images(), &History::new(), now)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let staging = plans.iter().find(|p| p.environment == "staging").unwrap();
        let paths: Vec<&str> = staging.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["envs/staging/users.yaml"], "{name}");
        // What staging reaches in production is shared: never released from staging.
        let shared: Vec<&str> = staging
            .results
            .iter()
            .filter(|r| r.workload != "default:deployment/users")
            .map(|r| r.reason.map_or("none", |r| r.code()))
            .collect();
        assert!(
            !shared.is_empty() && shared.iter().all(|r| *r == "shared_file"),
            "{name}: {shared:?}"
        );
        let commit = repo.commit(staging, "main", &head, AUTHOR).unwrap();
        assert_eq!(
            git(&dir, &["diff", "--name-only", &head, &commit]),
            "envs/staging/users.yaml",
            "{name}"
        );

        // Nor can production release what staging reads.
        let snapshot = repo.snapshot(&commit).unwrap();
        let spec = ReleaseSpec::new("production").image(ImageSpec::parse("latest").unwrap());
        let plan = plan_release(&snapshot, &spec, &newer_images(), &History::new(), now).unwrap();
        let linked: Vec<_> = plan
            .results
            .iter()
            .filter(|r| r.reason.is_some_and(|r| r.code() == "shared_file"))
            .collect();
        assert!(!linked.is_empty(), "{name}: {:?}", plan.results);
        assert!(
            plan.changes
                .iter()
                .all(|c| !snapshot.links().any(|(l, _)| c.path.starts_with(l))),
            "{name}: plan paths are real files"
        );
    }
}

#[test]
#[cfg(unix)]
fn a_link_to_a_file_outside_every_environment_is_released_at_its_real_path() {
    require_git();
    let sandbox = Sandbox::new("apps");
    let dir = linked_repo(&sandbox, "repo", &[]);
    git(&dir, &["checkout", "-q", "main"]);
    write(&dir, "apps/api.yaml", &deployment("api", "acme/api:1.0.0"));
    std::os::unix::fs::symlink("../../apps/api.yaml", dir.join("envs/staging/api.yaml")).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "api"]);
    let head = rev(&dir, "HEAD");
    git(&dir, &["checkout", "-q", "--detach"]);
    let repo = Repository::open(&dir).unwrap();
    let snapshot = repo.snapshot(&head).unwrap();
    let plan = release(&snapshot, "staging", "acme/api:1.1.0", &["api"]);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].path, "apps/api.yaml");
    let commit = repo.commit(&plan, "main", &head, AUTHOR).unwrap();
    assert_eq!(
        git(&dir, &["diff", "--name-only", &head, &commit]),
        "apps/api.yaml"
    );
    assert_fsck(&dir);

    // The history of staging sees the move, made in a file outside its folder that it reads
    // through the link, and the record agrees with it.
    let history = repo.history("main", Some("staging"), 10).unwrap();
    let api: Vec<_> = history
        .moves()
        .iter()
        .filter(|m| m.workload.ends_with("deployment/api"))
        .map(|m| (m.from.as_deref(), m.to.as_deref(), m.cause))
        .collect();
    assert_eq!(
        api[0],
        (Some("acme/api:1.0.0"), Some("acme/api:1.1.0"), MoveCause::Manual)
    );
    assert!(history.warnings().is_empty(), "{:?}", history.warnings());
    // A hand edit of the linked file is a move of staging too.
    git(&dir, &["checkout", "-q", "main"]);
    write(&dir, "apps/api.yaml", &deployment("api", "acme/api:1.2.0"));
    git(&dir, &["commit", "-q", "-am", "api by hand"]);
    git(&dir, &["checkout", "-q", "--detach"]);
    let history = repo.history("main", Some("staging"), 10).unwrap();
    let newest = &history.moves()[0];
    assert_eq!(
        (newest.from.as_deref(), newest.to.as_deref(), newest.cause),
        (
            Some("acme/api:1.1.0"),
            Some("acme/api:1.2.0"),
            MoveCause::Unrecorded
        )
    );
}

/// Retargeting a folder link that an overlay reads through moves the environment's pointers in
/// the commit that retargets it, not in an earlier commit that edited the new target.
#[test]
#[cfg(unix)]
fn history_credits_a_retargeted_link_to_its_commit() {
    require_git();
    let sandbox = Sandbox::new("retarget");
    let kustomization = |resources: &str| format!("resources:\n  - {resources}\n");
    let dir = work_tree(
        &sandbox,
        "repo",
        &[
            (
                "relman.yaml",
                "environments:\n  prod:\n    path: envs/prod\n    release: manual\n".to_string(),
            ),
            ("envs/prod/kustomization.yaml", kustomization("../../base")),
            ("base-v1/kustomization.yaml", kustomization("api.yaml")),
            ("base-v1/api.yaml", deployment("api", "acme/api:1.1.0")),
            ("base-v2/kustomization.yaml", kustomization("api.yaml")),
            ("base-v2/api.yaml", deployment("api", "acme/api:1.1.0")),
        ],
    );
    std::os::unix::fs::symlink("base-v1", dir.join("base")).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "Link the base"]);
    // prod does not read base-v2 yet: this commit moves nothing of prod.
    write(&dir, "base-v2/api.yaml", &deployment("api", "acme/api:6.6.6"));
    git(&dir, &["commit", "-q", "-am", "Prepare v2"]);
    let prepare = rev(&dir, "HEAD");
    std::fs::remove_file(dir.join("base")).unwrap();
    std::os::unix::fs::symlink("base-v2", dir.join("base")).unwrap();
    git(&dir, &["commit", "-q", "-am", "Switch to v2"]);
    let switch = rev(&dir, "HEAD");
    git(&dir, &["checkout", "-q", "--detach"]);
    let repo = Repository::open(&dir).unwrap();
    let history = repo.history("main", Some("prod"), 10).unwrap();
    let moved: Vec<(Option<&str>, Option<&str>, Option<&str>)> = history
        .moves()
        .iter()
        .filter(|m| m.from.is_some())
        .map(|m| (m.commit.as_deref(), m.from.as_deref(), m.to.as_deref()))
        .collect();
    assert_eq!(
        moved,
        [(
            Some(switch.as_str()),
            Some("acme/api:1.1.0"),
            Some("acme/api:6.6.6")
        )]
    );
    assert!(
        history
            .moves()
            .iter()
            .all(|m| m.commit.as_deref() != Some(prepare.as_str()))
    );
}

#[test]
#[cfg(unix)]
fn links_outside_every_environment_are_not_read() {
    require_git();
    let sandbox = Sandbox::new("outside-links");
    let dir = linked_repo(
        &sandbox,
        "repo",
        &[
            ("docs/broken.yaml", "nowhere.yaml"),
            ("docs/loop.yaml", "loop.yaml"),
            ("docs/self", "."),
            ("docs/escape.yaml", "../../../etc/passwd"),
            ("docs/absolute.yaml", "/etc/hostname"),
        ],
    );
    let from_git = Snapshot::from_git(&dir, "HEAD").expect("links outside environments are not read");
    let from_dir = Snapshot::from_dir(&dir).expect("nor on disk");
    assert_eq!(from_dir.with_revision(from_git.revision().unwrap()), from_git);
    assert!(from_git.files().all(|(p, _)| !p.starts_with("docs/")));

    // Inside an environment, each is a located error, the same from git and from disk.
    for (link, target, piece) in [
        ("envs/staging/broken.yaml", "nowhere.yaml", "to nothing"),
        ("envs/staging/loop.yaml", "loop.yaml", "too many levels"),
        ("envs/staging/self", ".", "parent folders"),
        (
            "envs/staging/escape.yaml",
            "../../../etc/passwd",
            "outside the repository",
        ),
        ("envs/staging/dev.yaml", "/dev/zero", "outside the repository"),
    ] {
        let dir = linked_repo(
            &sandbox,
            &format!("in-{}", link.replace('/', "-")),
            &[(link, target)],
        );
        for err in [
            Snapshot::from_git(&dir, "HEAD").unwrap_err(),
            Snapshot::from_dir(&dir).unwrap_err(),
        ] {
            assert_eq!((err.code(), err.path()), ("invalid_path", Some(link)), "{err}");
            assert!(err.message().contains(piece), "{err}");
        }
    }
}

#[test]
#[cfg(unix)]
fn symbolic_links_leading_outside_the_repository_are_refused() {
    require_git();
    let sandbox = Sandbox::new("escape");
    write(&sandbox.root, "secret.yaml", "password: hunter2\n");
    for (name, target) in [
        ("absolute", "/etc/hostname"),
        ("climbing", "../../../secret.yaml"),
        ("climbing-dir", "../../.."),
    ] {
        let dir = work_tree(&sandbox, name, &config_repo_files());
        std::os::unix::fs::symlink(target, dir.join("envs/production/evil.yaml")).unwrap();
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "Evil link"]);
        let err = Snapshot::from_git(&dir, "HEAD").unwrap_err();
        assert_eq!(err.code(), "invalid_path", "{name}: {err}");
        assert_eq!(err.path(), Some("envs/production/evil.yaml"), "{name}: {err}");
        assert!(err.message().contains("outside the repository"), "{name}: {err}");

        // Nor can a plan write through it.
        git(&dir, &["checkout", "-q", "--detach"]);
        let head = rev(&dir, "main");
        let mut plan = release(
            &Snapshot::from_files([("relman.yaml", CONFIG)]).unwrap(),
            "production",
            "a/b:1",
            &[],
        );
        plan.changes = vec![FileChange::new("envs/production/evil.yaml", "", "x: 1\n")];
        let err = Repository::open(&dir)
            .unwrap()
            .commit(&plan, "main", &head, AUTHOR)
            .unwrap_err();
        assert_eq!(err.code(), "invalid_path", "{name}: {err}");
        assert_eq!(rev(&dir, "main"), head);
    }

    // A link loop is refused too, not followed forever.
    let dir = work_tree(&sandbox, "loop", &config_repo_files());
    std::os::unix::fs::symlink(".", dir.join("envs/production/again")).unwrap();
    std::os::unix::fs::symlink("ping.yaml", dir.join("envs/production/pong.yaml")).unwrap();
    std::os::unix::fs::symlink("pong.yaml", dir.join("envs/production/ping.yaml")).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "Loops"]);
    let err = Snapshot::from_git(&dir, "HEAD").unwrap_err();
    assert_eq!(err.code(), "invalid_path", "{err}");
}

#[test]
fn bad_input_gives_clear_errors_and_never_moves_the_branch() {
    require_git();
    let sandbox = Sandbox::new("bad");
    let bare = bare_config_repo(&sandbox);

    // Missing repository; a folder that is not one.
    let err = Repository::open(sandbox.path("missing")).unwrap_err();
    assert_eq!(err.code(), "invalid_path");
    assert!(err.message().contains("no such folder"), "{err}");
    let file = sandbox.path("file");
    std::fs::write(&file, "x").unwrap();
    assert!(
        Repository::open(&file)
            .unwrap_err()
            .message()
            .contains("not a folder")
    );
    std::fs::create_dir_all(sandbox.path("plain")).unwrap();
    let err = Snapshot::from_git(sandbox.path("plain"), "HEAD").unwrap_err();
    assert_eq!(err.code(), "invalid_path");
    assert!(err.message().contains("not a git repository"), "{err}");

    // The reftable ref format (not git's default) is refused, not misread.
    let reftable = sandbox.path("reftable");
    std::fs::create_dir_all(&reftable).unwrap();
    let out = git_output(&reftable, &["init", "-q", "--ref-format=reftable"]);
    if out.status.success() {
        let err = Repository::open(&reftable).unwrap_err();
        assert_eq!(err.code(), "invalid_path");
        assert!(err.message().contains("reftable"), "{err}");
    }

    let repo = Repository::open(&bare).expect("open");
    let head = repo.branch_head("main").unwrap();
    let plan = release(
        &repo.snapshot(&head).unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    let with_path = |path: &str| {
        let mut p = plan.clone();
        p.changes[0].path = path.to_string();
        p
    };
    let cases: Vec<(&str, relman::Error, &str)> = vec![
        (
            "missing branch",
            repo.commit(&plan, "nope", &head, AUTHOR).unwrap_err(),
            NOT_FOUND,
        ),
        (
            "invalid branch",
            repo.commit(&plan, "a..b", &head, AUTHOR).unwrap_err(),
            INVALID_ARGUMENT,
        ),
        (
            "empty branch",
            repo.commit(&plan, "", &head, AUTHOR).unwrap_err(),
            INVALID_ARGUMENT,
        ),
        (
            "short head",
            repo.commit(&plan, "main", &head[..7], AUTHOR).unwrap_err(),
            INVALID_ARGUMENT,
        ),
        (
            "revision as head",
            repo.commit(&plan, "main", "HEAD", AUTHOR).unwrap_err(),
            INVALID_ARGUMENT,
        ),
        (
            "author",
            repo.commit(&plan, "main", &head, "alice").unwrap_err(),
            INVALID_ARGUMENT,
        ),
        (
            "author <>",
            repo.commit(&plan, "main", &head, "A <b> <c>").unwrap_err(),
            INVALID_ARGUMENT,
        ),
        (
            "dot-dot",
            repo.commit(&with_path("../x.yaml"), "main", &head, AUTHOR)
                .unwrap_err(),
            "invalid_path",
        ),
        (
            "inner dot-dot",
            repo.commit(&with_path("envs/../../x.yaml"), "main", &head, AUTHOR)
                .unwrap_err(),
            "invalid_path",
        ),
        (
            "absolute",
            repo.commit(&with_path("/etc/passwd"), "main", &head, AUTHOR)
                .unwrap_err(),
            "invalid_path",
        ),
        (
            "folder",
            repo.commit(&with_path("envs/production"), "main", &head, AUTHOR)
                .unwrap_err(),
            "invalid_path",
        ),
        (
            "empty path",
            repo.commit(&with_path("./"), "main", &head, AUTHOR).unwrap_err(),
            "invalid_path",
        ),
    ];
    for (name, err, code) in &cases {
        assert_eq!(err.code(), *code, "{name}: {err}");
        assert!(!err.message().is_empty());
    }
    let mut twice = plan.clone();
    twice.changes.push(twice.changes[0].clone());
    assert_eq!(
        repo.commit(&twice, "main", &head, AUTHOR).unwrap_err().code(),
        "invalid_path"
    );
    assert_eq!(repo.branch_head("nope").unwrap_err().code(), NOT_FOUND);
    assert_eq!(rev(&bare, "main"), head, "the branch never moves on error");
    assert_eq!(git(&bare, &["rev-list", "--count", "--all"]), "1");
}

#[test]
fn corrupt_objects_give_clear_errors_and_never_move_the_branch() {
    require_git();
    let sandbox = Sandbox::new("corrupt");
    let dir = work_tree(&sandbox, "repo", &config_repo_files());
    git(&dir, &["checkout", "-q", "--detach"]);
    let head = rev(&dir, "main");
    let plan = release(
        &Snapshot::from_git(&dir, "main").unwrap(),
        "production",
        "acme/users:1.4.0",
        &[],
    );
    let object = |spec: &str| {
        let id = rev(&dir, spec);
        dir.join(".git/objects").join(&id[..2]).join(&id[2..])
    };

    // A blob an environment reads is garbage.
    let users = object("main:envs/production/users.yaml");
    let mut perms = std::fs::metadata(&users).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&users, perms).unwrap();
    std::fs::write(&users, b"this is not a zlib stream").unwrap();
    let err = Snapshot::from_git(&dir, "main").unwrap_err();
    assert_eq!(err.code(), BROKEN, "{err}");
    assert!(err.message().contains("cannot read blob"), "{err}");
    let err = relman::git::commit(&dir, "main", &head, &plan, AUTHOR).unwrap_err();
    assert_eq!(err.code(), BROKEN, "{err}");

    // A tree is missing.
    std::fs::remove_file(object("main:envs/staging")).unwrap();
    let err = Snapshot::from_git(&dir, "main").unwrap_err();
    assert_eq!(err.code(), BROKEN, "{err}");
    assert!(err.message().contains("cannot read tree"), "{err}");
    assert_eq!(rev(&dir, "main"), head);
}

// ----------------------------------------------------------------------------------------------
// Release with retry and concurrency

#[test]
fn release_with_retry_replans_on_the_new_head() {
    require_git();
    let sandbox = Sandbox::new("retry");
    let bare = bare_config_repo(&sandbox);
    let repo = Repository::open(&bare).expect("open");
    let rival = Repository::open(&bare).expect("open");
    let mut calls = 0;
    let id = repo
        .release_with_retry("main", AUTHOR, 3, |snapshot, history| {
            calls += 1;
            if calls == 1 {
                // Another writer gets in between this plan and its commit.
                let plan = release(snapshot, "production", "acme/orders:2.1.0", &["orders"]);
                commit_plan(&rival, &plan, "main");
            } else {
                assert_eq!(recorded(history).len(), 1, "the new head's history");
            }
            Ok(release(snapshot, "production", "acme/users:1.4.0", &["users"]))
        })
        .expect("released")
        .expect("a commit");
    assert_eq!(calls, 2);
    assert_eq!(rev(&bare, "main"), id);
    let snapshot = repo.snapshot("main").unwrap();
    assert!(
        snapshot
            .get("envs/production/users.yaml")
            .unwrap()
            .contains("acme/users:1.4.0")
    );
    assert!(
        snapshot
            .get("envs/production/orders.yml")
            .unwrap()
            .contains("acme/orders:2.1.0")
    );

    // Nothing to do: no commit.
    let none = repo
        .release_with_retry("main", AUTHOR, 3, |s, _| {
            Ok(release(s, "production", "acme/users:1.4.0", &[]))
        })
        .unwrap();
    assert_eq!(none, None);
    assert_eq!(rev(&bare, "main"), id);

    // Always beaten: the last conflict after `attempts` tries.
    let mut calls = 0;
    let mut tag = 0;
    let err = repo
        .release_with_retry("main", AUTHOR, 3, |snapshot, _| {
            calls += 1;
            tag += 1;
            let plan = release(
                snapshot,
                "staging",
                &format!("acme/orders:3.0.{tag}"),
                &["orders"],
            );
            commit_plan(&rival, &plan, "main");
            Ok(release(snapshot, "staging", "acme/users:9.0.0", &["users"]))
        })
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert_eq!(calls, 3);
    assert_eq!(err.actual_head(), Some(rev(&bare, "main").as_str()));

    // Errors of the planner end the loop at once.
    let err = repo
        .release_with_retry("main", AUTHOR, 3, |_, _| {
            Err(relman::Error::new(relman::ErrorKind::UnknownEnvironment, "nope"))
        })
        .unwrap_err();
    assert_eq!(err.code(), "unknown_environment");
    assert_fsck(&bare);
}

const WORKERS: usize = 8;
const RELEASES: usize = 10;

/// One worker of the concurrency test, run in its own process (the test binary re-runs itself
/// with this test's name): releases `svc-N` at `1.0.1` .. `1.0.10`, one commit each. Does
/// nothing in an ordinary run.
#[test]
fn concurrency_worker() {
    let (Ok(repo), Ok(service)) = (
        std::env::var("RELMAN_GIT_WORKER_REPO"),
        std::env::var("RELMAN_GIT_WORKER_SERVICE"),
    ) else {
        return;
    };
    let repo = Repository::open(&repo).expect("open");
    let author = format!("Worker {service} <{service}@example.com>");
    let mut plans = 0;
    for k in 1..=RELEASES {
        let image = format!("acme/{service}:1.0.{k}");
        let id = repo
            .release_with_retry("main", &author, 200, |snapshot, history| {
                plans += 1;
                let spec = ReleaseSpec::new("production")
                    .services(Services::Named(vec![service.clone()]))
                    .image(ImageSpec::parse(&image)?);
                let mut catalog = Catalog::new();
                catalog.add(&format!("acme/{service}"), ImageInfo::new(format!("1.0.{k}")))?;
                plan_release(snapshot, &spec, &catalog, history, jiff::Timestamp::now())
            })
            .unwrap_or_else(|e| panic!("{service} {k}: {e}"));
        assert!(id.is_some(), "{service} {k}: nothing committed");
    }
    println!("relman-git-worker plans={plans}");
}

#[test]
fn eight_processes_release_to_one_branch() {
    require_git();
    let sandbox = Sandbox::new("concurrency");
    let services: Vec<String> = (0..WORKERS).map(|i| format!("svc-{i}")).collect();
    let mut files = vec![(
        "relman.yaml",
        "environments:\n  production: {path: envs/production}\n".to_string(),
    )];
    let paths: Vec<String> = services
        .iter()
        .map(|s| format!("envs/production/{s}.yaml"))
        .collect();
    for (service, path) in services.iter().zip(&paths) {
        files.push((
            path.as_str(),
            deployment(service, &format!("acme/{service}:1.0.0")),
        ));
    }
    let src = work_tree(&sandbox, "src", &files);
    let bare = sandbox.path("config.git");
    git(
        &sandbox.root,
        &[
            "clone",
            "-q",
            "--bare",
            src.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let start = rev(&bare, "main");

    let exe = std::env::current_exe().expect("the test binary");
    let started = std::time::Instant::now();
    let children: Vec<_> = services
        .iter()
        .map(|service| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "git::concurrency_worker",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("RELMAN_GIT_WORKER_REPO", &bare)
                .env("RELMAN_GIT_WORKER_SERVICE", service)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn a worker")
        })
        .collect();
    let mut plans = 0;
    for (service, child) in services.iter().zip(children) {
        let out = child.wait_with_output().expect("worker");
        let stdout = String::from_utf8_lossy(&out.stdout);
        plans += stdout
            .split("relman-git-worker plans=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        assert!(
            out.status.success(),
            "worker {service} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "worker {service} ran no test"
        );
    }
    eprintln!(
        "{} releases by {WORKERS} processes in {:.1?}, {plans} plans (the rest were re-plans after a conflict)",
        WORKERS * RELEASES,
        started.elapsed()
    );
    assert!(plans >= WORKERS * RELEASES);

    // Exactly 80 release commits, in a line on top of the start.
    let range = format!("{start}..main");
    assert_eq!(
        git(&bare, &["rev-list", "--count", &range]),
        (WORKERS * RELEASES).to_string()
    );
    assert_eq!(
        git(&bare, &["rev-list", "--count", "--first-parent", &range]),
        (WORKERS * RELEASES).to_string()
    );
    assert_eq!(git(&bare, &["rev-list", "--min-parents=2", "main"]), "");
    let repo = Repository::open(&bare).unwrap();
    let history = repo.history("main", Some("production"), usize::MAX).unwrap();
    assert_eq!(recorded(&history).len(), WORKERS * RELEASES);
    assert!(history.warnings().is_empty(), "{:?}", history.warnings());

    // Every intended change happened once, in order per service, and the final tree has the last.
    let snapshot = repo.snapshot("main").unwrap();
    for (service, path) in services.iter().zip(&paths) {
        let moves: Vec<(String, String)> = history
            .moves()
            .iter()
            .rev()
            .filter(|m| m.cause != MoveCause::Unrecorded)
            .filter(|m| m.workload == format!("default:deployment/{service}"))
            .map(|m| {
                (
                    m.from.clone().unwrap_or_default(),
                    m.to.clone().unwrap_or_default(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = (1..=RELEASES)
            .map(|k| {
                (
                    format!("acme/{service}:1.0.{}", k - 1),
                    format!("acme/{service}:1.0.{k}"),
                )
            })
            .collect();
        assert_eq!(moves, expected, "{service}");
        assert_eq!(
            snapshot.get(path),
            Some(deployment(service, &format!("acme/{service}:1.0.{RELEASES}")).as_str())
        );
    }
    assert_fsck(&bare);
}
