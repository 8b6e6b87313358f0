//! The `relman` command end to end: the binary run on config repos the tests build (a work
//! tree, a bare clone, a plain folder), every subcommand at least once on a work tree and on a
//! bare repository, and the bad inputs (each a one-line coded error, exit 1, nothing written).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const RELMAN: &str = env!("CARGO_BIN_EXE_relman");

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary folder, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new() -> Temp {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("relman-cli-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const CONFIG: &str = "\
environments:
  staging:
    path: staging
    release: automatic
  production:
    path: production
    release: manual
    promoteFrom: staging
services:
  users:
    workloads: [deployment/users]
    filter: semver:^1
";

fn deployment(name: &str, namespace: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: \"{image}\"   # quoted, with a comment\n"
    )
}

/// A config repo work tree: staging and production, users and orders, at 1.3.0 / 2.1.0.
fn work_tree(temp: &Temp) -> PathBuf {
    let dir = temp.0.join("config");
    std::fs::create_dir_all(dir.join("staging")).unwrap();
    std::fs::create_dir_all(dir.join("production")).unwrap();
    std::fs::write(dir.join("relman.yaml"), CONFIG).unwrap();
    for env in ["staging", "production"] {
        std::fs::write(
            dir.join(format!("{env}/users.yaml")),
            deployment("users", env, "acme/users:1.3.0"),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{env}/orders.yaml")),
            deployment("orders", env, "acme/orders:2.1.0"),
        )
        .unwrap();
    }
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["config", "user.name", "Alice"]);
    git(&dir, &["config", "user.email", "alice@example.com"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    dir
}

/// A bare clone of the work tree, with an identity of its own.
fn bare(temp: &Temp, work: &Path) -> PathBuf {
    let dir = temp.0.join("config.git");
    git(
        &temp.0,
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
    );
    git(&dir, &["config", "user.name", "Release Bot"]);
    git(&dir, &["config", "user.email", "bot@example.com"]);
    dir
}

const CATALOG: &str = r#"{
  "acme/users": [
    {"tag": "1.3.0", "created": "2026-11-01T10:00:00Z"},
    {"tag": "1.4.0", "created": "2026-11-10T10:00:00Z"},
    {"tag": "1.5.0-rc.1", "created": "2026-11-12T10:00:00Z"},
    {"tag": "2.0.0", "created": "2026-11-15T10:00:00Z"},
    "latest"
  ],
  "acme/orders": [
    {"tag": "2.1.0", "created": "2026-11-01T10:00:00Z"},
    {"tag": "2.2.0", "created": "2026-11-11T10:00:00Z"}
  ]
}"#;

fn catalog(temp: &Temp) -> String {
    let path = temp.0.join("catalog.json");
    std::fs::write(&path, CATALOG).unwrap();
    path.to_str().unwrap().to_string()
}

/// Run relman in `dir` (no terminal: no colour, no progress).
fn relman(dir: &Path, args: &[&str]) -> Output {
    relman_env(dir, args, &[])
}

fn relman_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(RELMAN);
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("relman runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// A one-line coded error with exit 1.
#[track_caller]
fn fails_with(out: &Output, code: &str) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with(&format!("relman: error[{code}]")), "{err}");
    assert!(err.contains("(hint: "), "a hint: {err}");
    err
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// Everything git knows of a repo's state: the branch heads and the work tree's changes.
fn state(dir: &Path) -> String {
    let refs = git(dir, &["for-each-ref", "--format=%(refname) %(objectname)"]);
    let changes = if dir.join(".git").exists() {
        git(dir, &["status", "--porcelain"])
    } else {
        String::new()
    };
    format!("{refs}{changes}")
}

#[test]
fn version_help_completions_and_usage_errors() {
    let temp = Temp::new();
    let out = ok(&relman(&temp.0, &["--version"]));
    assert_eq!(out.trim(), format!("relman {}", env!("CARGO_PKG_VERSION")));
    let help = ok(&relman(&temp.0, &["--help"]));
    assert!(
        help.contains("Examples:") && help.contains("relman promote --to production"),
        "{help}"
    );
    assert!(help.contains("Exit codes: 0 done, 1 error, 2 usage, 3 nothing to do"));
    let help = ok(&relman(&temp.0, &["release", "--help"]));
    assert!(help.contains("--dry-run") && help.contains("Examples:"), "{help}");
    let bash = ok(&relman(&temp.0, &["completions", "bash"]));
    assert!(bash.contains("complete") && bash.contains("relman"), "{bash}");
    assert!(ok(&relman(&temp.0, &["completions", "zsh"])).contains("#compdef relman"));
    let usage = relman(&temp.0, &["release", "--bogus"]);
    assert_eq!(usage.status.code(), Some(2));
    assert_eq!(relman(&temp.0, &["frobnicate"]).status.code(), Some(2));
}

#[test]
fn status_list_images_and_history_on_a_work_tree() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    // From a subfolder: the repository holding the current folder.
    let out = ok(&relman(&dir.join("staging"), &["status"]));
    assert!(out.contains("staging  automatic"), "{out}");
    assert!(out.contains("production  manual  promoteFrom staging"), "{out}");
    let row = out
        .lines()
        .find(|l| l.contains("staging:deployment/users"))
        .unwrap();
    assert!(
        row.contains("acme/users:1.3.0") && row.contains("automated"),
        "{row}"
    );
    assert!(!out.contains('\x1b'), "no colour off a terminal: {out:?}");

    let report = json(&relman(&dir, &["status", "--json", "--env", "production"]));
    let envs = report["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 1);
    assert_eq!(envs[0]["name"], "production");
    assert_eq!(
        envs[0]["workloads"][0]["containers"][0]["image"],
        "acme/orders:2.1.0"
    );

    let rows = json(&relman(&dir, &["list", "--json"]));
    assert_eq!(rows.as_array().unwrap().len(), 4);
    let table = ok(&relman(&dir, &["list", "--env", "staging"]));
    assert!(table.starts_with("ENV "), "{table}");
    assert_eq!(table.lines().count(), 3);

    let cat = catalog(&temp);
    let out = ok(&relman(
        &dir,
        &["images", "users", "--env", "staging", "--catalog", &cat],
    ));
    // semver:^1 allows 1.4.0 and 1.3.0 (current, marked), newest first.
    assert!(
        out.starts_with("staging:deployment/users app  current acme/users:1.3.0  filter semver:^1\n"),
        "{out}"
    );
    let allowed: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| l.contains("1.4.0") || l.contains("1.3.0"))
        .collect();
    assert!(
        allowed[0].contains("1.4.0") && allowed[1].contains("* ") && allowed[1].contains("1.3.0"),
        "{out}"
    );
    assert!(out.contains("2.0.0") && out.contains("filter_miss"), "{out}");
    assert!(out.contains("1.5.0-rc.1") && out.contains("prerelease"), "{out}");
    assert!(out.contains("latest") && out.contains("excluded (3)"), "{out}");
    let slots = json(&relman(
        &dir,
        &[
            "images",
            "staging:deployment/users",
            "--env",
            "staging",
            "--catalog",
            &cat,
            "--json",
        ],
    ));
    assert_eq!(slots[0]["allowed"][0]["tag"], "1.4.0");
    assert_eq!(slots[0]["allowed"][1]["current"], true);
    assert_eq!(slots[0]["filter"], "semver:^1");

    let history = json(&relman(&dir, &["history", "--json", "--env", "staging"]));
    let moves = history["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 2, "the first commit added two slots to staging");
    assert!(
        moves
            .iter()
            .all(|m| m["environment"] == "staging" && m["cause"] == "unrecorded")
    );
    assert!(moves[0]["time"].as_str().unwrap().starts_with("20"));
}

#[test]
fn release_promote_rollback_on_a_work_tree() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let before = state(&dir);
    // --dry-run writes nothing.
    let out = ok(&relman(
        &dir,
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--dry-run",
        ],
    ));
    assert!(out.contains("dry run: would change staging/users.yaml"), "{out}");
    assert_eq!(state(&dir), before);
    // Without --commit: the file is edited (only the tag's bytes), nothing committed.
    let out = ok(&relman(
        &dir,
        &["release", "--env", "staging", "--image", "acme/users:1.4.0"],
    ));
    assert!(out.contains("edited staging/users.yaml"), "{out}");
    let text = std::fs::read_to_string(dir.join("staging/users.yaml")).unwrap();
    assert_eq!(text, deployment("users", "staging", "acme/users:1.4.0"));
    assert_eq!(git(&dir, &["status", "--porcelain"]), " M staging/users.yaml\n");
    git(&dir, &["checkout", "--", "."]);
    // --commit: committed with the user's git, with the Relman trailers.
    let out = ok(&relman(
        &dir,
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--commit",
        ],
    ));
    assert!(out.contains("committed "), "{out}");
    let message = git(&dir, &["log", "-1", "--format=%an <%ae>%n%B"]);
    assert!(
        message.starts_with("Alice <alice@example.com>\nRelease acme/users:1.4.0 to staging"),
        "{message}"
    );
    assert!(
        message.contains("Relman-Environment: staging")
            && message.contains("Relman-User: Alice <alice@example.com>")
    );
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    // Again: nothing to do; --exit-code says so with 3.
    let again = relman(
        &dir,
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--commit",
            "--exit-code",
        ],
    );
    assert_eq!(again.status.code(), Some(3), "{}", stdout(&again));

    // The status shows 1.4.0 waiting for production.
    let report = json(&relman(&dir, &["status", "--json"]));
    let users = report["environments"][1]["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["service"] == "users")
        .unwrap()
        .clone();
    assert_eq!(users["waiting"][0]["to"], "acme/users:1.4.0");
    assert!(users["blocked"].is_null());

    let out = ok(&relman(
        &dir,
        &[
            "promote",
            "--to",
            "production",
            "--service",
            "users",
            "--commit",
            "--json",
        ],
    ));
    let promoted: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(promoted["written"], "committed");
    assert_eq!(promoted["plan"]["kind"], "promotion");
    assert!(
        std::fs::read_to_string(dir.join("production/users.yaml"))
            .unwrap()
            .contains("acme/users:1.4.0")
    );

    // Rollback: back to 1.3.0, locked in the same commit.
    let out = ok(&relman(
        &dir,
        &[
            "rollback",
            "--env",
            "staging",
            "--service",
            "users",
            "--commit",
            "-m",
            "1.4.0 leaks",
        ],
    ));
    assert!(out.contains("acme/users:1.4.0 -> acme/users:1.3.0"), "{out}");
    let text = std::fs::read_to_string(dir.join("staging/users.yaml")).unwrap();
    assert!(
        text.contains("acme/users:1.3.0") && text.contains("fluxcd.io/locked: \"true\""),
        "{text}"
    );
    let status = ok(&relman(&dir, &["status", "--env", "staging"]));
    assert!(
        status.contains("locked by Alice <alice@example.com>: 1.4.0 leaks"),
        "{status}"
    );
    let history = ok(&relman(
        &dir,
        &["history", "--workload", "users", "--env", "staging"],
    ));
    assert!(history.lines().nth(1).unwrap().contains("rollback"), "{history}");
}

#[test]
fn locks_policies_and_automation_on_a_work_tree() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let cat = catalog(&temp);
    // Lock a service until a time, then see it in the status; unlock it.
    ok(&relman(
        &dir,
        &[
            "lock",
            "users",
            "--env",
            "staging",
            "--reason",
            "db migration",
            "--until",
            "2099-01-01T00:00:00Z",
            "--commit",
        ],
    ));
    let status = ok(&relman(&dir, &["status", "--env", "staging"]));
    assert!(
        status.contains("locked by Alice <alice@example.com> until 2099-01-01T00:00:00Z: db migration"),
        "{status}"
    );
    // Automation leaves the locked service alone and releases orders (2.2.0, newest).
    let out = ok(&relman(&dir, &["automate", "--catalog", &cat, "--commit"]));
    assert!(
        out.contains("staging:deployment/orders") && out.contains("acme/orders:2.2.0"),
        "{out}"
    );
    assert!(out.contains("locked"), "{out}");
    assert!(
        std::fs::read_to_string(dir.join("staging/users.yaml"))
            .unwrap()
            .contains("1.3.0")
    );
    assert!(git(&dir, &["log", "-1", "--format=%B"]).contains("Relman-Cause: automated"));
    ok(&relman(
        &dir,
        &["unlock", "users", "--env", "staging", "--commit"],
    ));
    let text = std::fs::read_to_string(dir.join("staging/users.yaml")).unwrap();
    assert_eq!(
        text,
        deployment("users", "staging", "acme/users:1.3.0"),
        "unlocking removes the annotations it added"
    );

    // The environment lock edits relman.yaml only.
    ok(&relman(
        &dir,
        &["lock", "--env", "production", "--reason", "freeze", "--commit"],
    ));
    let config = std::fs::read_to_string(dir.join("relman.yaml")).unwrap();
    assert!(
        config.contains("reason: \"freeze\"")
            && config.starts_with(
                CONFIG
                    .split("services:")
                    .next()
                    .unwrap()
                    .trim_end_matches('\n')
                    .split("    promoteFrom")
                    .next()
                    .unwrap()
            )
    );
    let status = ok(&relman(&dir, &["status", "--env", "production"]));
    assert!(
        status.contains("LOCKED by Alice <alice@example.com>: freeze"),
        "{status}"
    );
    ok(&relman(&dir, &["unlock", "--env", "production", "--commit"]));
    assert_eq!(std::fs::read_to_string(dir.join("relman.yaml")).unwrap(), CONFIG);

    // Policies: automation off, a tag filter; both visible to status and images.
    ok(&relman(
        &dir,
        &[
            "policy",
            "orders",
            "--env",
            "staging",
            "--automated",
            "false",
            "--tag",
            "app=semver:~2.1",
        ],
    ));
    let report = json(&relman(&dir, &["status", "--json", "--env", "staging"]));
    let orders = report["environments"][0]["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["service"] == "orders")
        .unwrap()
        .clone();
    assert_eq!(orders["automated"], false);
    let slots = json(&relman(
        &dir,
        &[
            "images",
            "orders",
            "--env",
            "staging",
            "--catalog",
            &cat,
            "--json",
        ],
    ));
    assert_eq!(slots[0]["filter"], "semver:~2.1");
    let bad = relman(
        &dir,
        &["policy", "orders", "--env", "staging", "--tag", "app=semver:>>1"],
    );
    fails_with(&bad, "invalid_filter");
    let none = relman(&dir, &["policy", "orders", "--env", "staging"]);
    fails_with(&none, "invalid_argument");
}

#[test]
fn every_writer_commits_by_compare_and_swap_on_a_bare_repository() {
    let temp = Temp::new();
    let work = work_tree(&temp);
    let bare = bare(&temp, &work);
    let cat = catalog(&temp);
    let head = || git(&bare, &["rev-parse", "main"]).trim().to_string();
    let start = head();
    let run = |args: &[&str]| {
        let mut all = vec!["--repo", bare.to_str().unwrap()];
        all.extend(args);
        relman(&temp.0, &all)
    };
    // Readers.
    assert!(ok(&run(&["status"])).contains("acme/users:1.3.0"));
    assert_eq!(json(&run(&["list", "--json"])).as_array().unwrap().len(), 4);
    assert_eq!(
        json(&run(&[
            "images",
            "users",
            "--env",
            "staging",
            "--catalog",
            &cat,
            "--json"
        ]))[0]["allowed"][0]["tag"],
        "1.4.0"
    );
    // --dry-run writes nothing.
    ok(&run(&[
        "release",
        "--env",
        "staging",
        "--image",
        "acme/users:1.4.0",
        "--dry-run",
    ]));
    assert_eq!(head(), start);
    // Writers always commit, as the bare repository's identity.
    let out = ok(&run(&[
        "release",
        "--env",
        "staging",
        "--image",
        "acme/users:1.4.0",
    ]));
    assert!(out.contains("committed "), "{out}");
    assert_ne!(head(), start);
    assert_eq!(git(&bare, &["log", "-1", "--format=%an"]).trim(), "Release Bot");
    ok(&run(&["promote", "--to", "production", "--service", "users"]));
    ok(&run(&["automate", "--catalog", &cat]));
    ok(&run(&["rollback", "--env", "staging", "--service", "users"]));
    ok(&run(&[
        "lock",
        "orders",
        "--env",
        "production",
        "--reason",
        "audit",
        "--user",
        "Carol <carol@example.com>",
    ]));
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%an <%ae>"]).trim(),
        "Carol <carol@example.com>"
    );
    ok(&run(&["unlock", "orders", "--env", "production"]));
    ok(&run(&["lock", "--env", "production", "--reason", "freeze"]));
    ok(&run(&["unlock", "--env", "production"]));
    ok(&run(&[
        "policy",
        "orders",
        "--env",
        "staging",
        "--automated",
        "false",
    ]));
    let subjects = git(&bare, &["log", "--format=%s", "main"]);
    let subjects: Vec<&str> = subjects.lines().collect();
    assert_eq!(
        subjects,
        [
            "Policy of staging:deployment/orders in staging: automated=false",
            "Unlock production",
            "Lock production: freeze",
            "Policy of production:deployment/orders in production: remove locked, locked_msg, locked_user, locked_until",
            "Policy of production:deployment/orders in production: locked=true, locked_msg=audit, locked_user=Carol <carol@example.com>",
            "Roll back staging to acme/users:1.3.0",
            "Auto-release acme/orders:2.2.0",
            "Promote acme/users:1.4.0 from staging to production",
            "Release acme/users:1.4.0 to staging",
            "init",
        ]
    );
    let history = json(&run(&["history", "--json", "--env", "production"]));
    assert_eq!(history["moves"][0]["cause"], "promotion");
    // The status page from the bare repository.
    let page = temp.0.join("status.html");
    let out = ok(&run(&["status", "--html", page.to_str().unwrap()]));
    assert!(out.contains(&format!("status page: {}", page.display())));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<table id=\"matrix\">") && html.contains("class=\"release promotion\""));
}

#[test]
fn a_branch_that_keeps_moving_is_retried_then_a_conflict() {
    let temp = Temp::new();
    let work = work_tree(&temp);
    let bare = bare(&temp, &work);
    let run = |hook: &str| {
        relman_env(
            &temp.0,
            &[
                "--repo",
                bare.to_str().unwrap(),
                "release",
                "--env",
                "staging",
                "--image",
                "acme/users:1.4.0",
                "--attempts",
                "3",
            ],
            &[("RELMAN_TEST_BEFORE_COMMIT", hook)],
        )
    };
    // Another writer commits on main between every plan and its commit.
    let mover = "n=$(cat moves 2>/dev/null || echo 0); echo $((n+1)) > moves; \
                 c=$(git commit-tree -p main -m \"other writer $n\" main^{tree}) && git update-ref refs/heads/main $c";
    let out = run(mover);
    let err = fails_with(&out, "conflict");
    assert!(err.contains("the branch is now at"), "{err}");
    assert_eq!(
        std::fs::read_to_string(bare.join("moves")).unwrap().trim(),
        "3",
        "three attempts"
    );
    let subjects = git(&bare, &["log", "--format=%s", "main"]);
    assert!(
        subjects.starts_with("other writer 2\nother writer 1\nother writer 0\ninit"),
        "nothing written: {subjects}"
    );
    // It moves once: the release is re-planned on the new head and lands on top of it.
    let once = "if [ ! -e moved ]; then touch moved; c=$(git commit-tree -p main -m 'other writer' main^{tree}) && git update-ref refs/heads/main $c; fi";
    ok(&run(once));
    let subjects = git(&bare, &["log", "--format=%s", "-2", "main"]);
    assert_eq!(subjects, "Release acme/users:1.4.0 to staging\nother writer\n");
}

#[test]
fn bad_input_is_one_coded_line_and_nothing_is_written() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let before = state(&dir);
    let files = |d: &Path| std::fs::read_to_string(d.join("staging/users.yaml")).unwrap();
    let text = files(&dir);

    // Not a config repo: no git, no relman.yaml.
    let empty = temp.0.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = relman(&empty, &["status"]);
    fails_with(&out, "not_a_config_repo");
    let out = relman(
        &temp.0,
        &[
            "--repo",
            empty.to_str().unwrap(),
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
        ],
    );
    fails_with(&out, "not_a_config_repo");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);

    // An unknown environment, on readers and writers.
    for args in [
        vec![
            "release",
            "--env",
            "prod",
            "--image",
            "acme/users:1.4.0",
            "--commit",
        ],
        vec!["promote", "--to", "prod"],
        vec!["lock", "--env", "prod", "--reason", "x"],
        vec!["status", "--env", "prod"],
        vec!["history", "--env", "prod"],
    ] {
        let out = relman(&dir, &args);
        let err = fails_with(&out, "unknown_environment");
        assert!(err.contains("prod"), "{err}");
    }
    // A workload that is not found.
    let cat = catalog(&temp);
    for args in [
        vec![
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--service",
            "payments",
            "--commit",
        ],
        vec!["rollback", "--env", "staging", "--service", "payments"],
        vec!["lock", "payments", "--env", "staging", "--reason", "x"],
        vec!["images", "payments", "--env", "staging", "--catalog", &cat],
    ] {
        let out = relman(&dir, &args);
        fails_with(&out, "workload_not_found");
    }
    // A broken relman.yaml is located.
    std::fs::write(dir.join("relman.yaml"), "environments:\n  staging: [oops\n").unwrap();
    let out = relman(&dir, &["status"]);
    let err = fails_with(&out, "invalid_config");
    assert!(err.contains("relman.yaml:"), "file and line: {err}");
    std::fs::write(dir.join("relman.yaml"), CONFIG).unwrap();
    // A catalog that is not one.
    std::fs::write(temp.0.join("bad.json"), "[]").unwrap();
    let bad = temp.0.join("bad.json");
    let out = relman(&dir, &["automate", "--catalog", bad.to_str().unwrap()]);
    fails_with(&out, "invalid_catalog");
    // --commit on a plain folder (no git) is refused before anything is written.
    let plain = temp.0.join("plain");
    std::fs::create_dir_all(plain.join("staging")).unwrap();
    std::fs::write(
        plain.join("relman.yaml"),
        "environments:\n  staging: {path: staging}\n",
    )
    .unwrap();
    std::fs::write(
        plain.join("staging/users.yaml"),
        deployment("users", "staging", "acme/users:1.3.0"),
    )
    .unwrap();
    let out = relman(&plain, &["release", "--image", "acme/users:1.4.0", "--commit"]);
    fails_with(&out, "invalid_argument");
    assert!(
        std::fs::read_to_string(plain.join("staging/users.yaml"))
            .unwrap()
            .contains("1.3.0")
    );
    // ... while a plain folder is read and edited.
    ok(&relman(&plain, &["release", "--image", "acme/users:1.4.0"]));
    assert!(
        std::fs::read_to_string(plain.join("staging/users.yaml"))
            .unwrap()
            .contains("1.4.0")
    );

    assert_eq!(state(&dir), before);
    assert_eq!(files(&dir), text);
}

#[test]
fn push_never_forces() {
    let temp = Temp::new();
    let work = work_tree(&temp);
    let remote = bare(&temp, &work);
    let clone = temp.0.join("clone");
    git(
        &temp.0,
        &["clone", "-q", remote.to_str().unwrap(), clone.to_str().unwrap()],
    );
    git(&clone, &["config", "user.name", "Alice"]);
    git(&clone, &["config", "user.email", "alice@example.com"]);
    ok(&relman(
        &clone,
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--push",
        ],
    ));
    assert_eq!(
        git(&remote, &["log", "-1", "--format=%s", "main"]).trim(),
        "Release acme/users:1.4.0 to staging"
    );
    // The remote moves; a push from the stale clone is rejected, never forced.
    let other = "c=$(git commit-tree -p main -m elsewhere main^{tree}) && git update-ref refs/heads/main $c";
    assert!(
        Command::new("sh")
            .arg("-c")
            .arg(other)
            .current_dir(&remote)
            .status()
            .unwrap()
            .success()
    );
    let out = relman(
        &clone,
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/orders:2.2.0",
            "--push",
        ],
    );
    fails_with(&out, "push_rejected");
    assert_eq!(
        git(&remote, &["log", "-1", "--format=%s", "main"]).trim(),
        "elsewhere"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let coloured = ok(&relman(&dir, &["--color", "always", "status"]));
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    let plain = ok(&relman(&dir, &["status"]));
    assert!(!plain.contains('\x1b'));
    let no_color = relman_env(&dir, &["status"], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
    assert!(!ok(&no_color).contains('\x1b'));
    assert_eq!(anstream::adapter::strip_str(&coloured).to_string(), plain);
}

#[test]
fn the_status_page_is_self_contained_and_escapes_what_it_reads() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    ok(&relman(
        &dir,
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--commit",
        ],
    ));
    ok(&relman(
        &dir,
        &[
            "lock",
            "users",
            "--env",
            "production",
            "--reason",
            "<script>alert(1)</script>",
            "--commit",
        ],
    ));
    let page = temp.0.join("page.html");
    ok(&relman(&dir, &["status", "--html", page.to_str().unwrap()]));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "escaped, and no script of its own");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for external in ["http://", "https://", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(external), "no external asset ({external})");
    }
    assert!(html.contains("<tr data-service=\"users\">") && html.contains("<tr data-service=\"orders\">"));
    assert!(
        html.contains("waiting: <span class=\"img\">acme/users:1.4.0</span> (blocked: locked)"),
        "{html}"
    );
    assert!(html.contains("<section class=\"env-timeline\" data-env=\"staging\">"));
    assert!(html.contains("class=\"release manual\""));
}

/// Run relman in `dir` with `input` on standard input.
fn relman_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(RELMAN)
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("relman runs");
    // relman may fail before it reads: a closed pipe is its answer, not the test's failure.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

/// One live Deployment as `kubectl get -o yaml` prints it inside a List.
fn live_deployment(name: &str, namespace: &str, image: &str) -> String {
    format!(
        "- apiVersion: apps/v1
  kind: Deployment
  metadata:
    annotations:
      deployment.kubernetes.io/revision: '3'
    generation: 3
    managedFields:
    - apiVersion: apps/v1
      manager: kubectl-set
      operation: Update
    name: {name}
    namespace: {namespace}
    resourceVersion: '101657'
    uid: 2018047d-b6dd-ec24-d980-4cbb89a0b3b6
  spec:
    replicas: 2
    template:
      spec:
        containers:
        - image: {image}
          imagePullPolicy: IfNotPresent
          name: app
          terminationMessagePath: /dev/termination-log
        dnsPolicy: ClusterFirst
  status:
    availableReplicas: 2
"
    )
}

/// What `kubectl get deployments -n production -o yaml` prints for these (name, image).
fn live_list(objects: &[(&str, &str)]) -> String {
    let mut text = String::from("apiVersion: v1\nitems:\n");
    for (name, image) in objects {
        text.push_str(&live_deployment(name, "production", image));
    }
    text.push_str("kind: List\nmetadata:\n  resourceVersion: ''\n");
    text
}

/// Exit 3, and the standard output.
#[track_caller]
fn drifted(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(3),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    assert!(stderr(out).is_empty(), "{}", stderr(out));
    stdout(out)
}

#[test]
fn drift_in_sync_is_exit_0_and_any_disagreement_exit_3() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let file = temp.0.join("live.yaml");
    let run_with = |live: &str, extra: &[&str]| {
        std::fs::write(&file, live).unwrap();
        let mut args = vec![
            "drift",
            "--env",
            "production",
            "--observed",
            file.to_str().unwrap(),
        ];
        args.extend(extra);
        relman(&dir, &args)
    };
    let before = state(&dir);
    // In sync: the running images as the repo writes them, or resolved to a digest by an
    // admission controller, or with the registry spelled out.
    let in_sync = live_list(&[
        (
            "users",
            "docker.io/acme/users:1.3.0@sha256:0000000000000000000000000000000000000000000000000000000000000001",
        ),
        ("orders", "acme/orders:2.1.0"),
    ]);
    let out = ok(&run_with(&in_sync, &[]));
    assert!(out.starts_with("drift of production\n"), "{out}");
    assert!(
        out.contains(
            "production:deployment/users   app        acme/users:1.3.0   docker.io/acme/users:1.3.0@sha256:"
        ),
        "{out}"
    );
    assert!(out.contains("in sync: 2 in_sync\n"), "{out}");
    let report = json(&run_with(&in_sync, &["--json"]));
    assert_eq!(report["environment"], "production");
    assert_eq!(report["entries"].as_array().unwrap().len(), 2);
    // Drifted: someone ran `kubectl set image` (exit 3, for CI to alert), table and JSON.
    let set_image = live_list(&[("users", "acme/users:1.2.0"), ("orders", "acme/orders:2.1.0")]);
    let out = drifted(&run_with(&set_image, &[]));
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(
        rows[1..4],
        [
            "  WORKLOAD                      CONTAINER  REPO IMAGE         RUNNING IMAGE      STATUS",
            "  production:deployment/orders  app        acme/orders:2.1.0  acme/orders:2.1.0  in_sync",
            "  production:deployment/users   app        acme/users:1.3.0   acme/users:1.2.0   drifted",
        ],
        "{out}"
    );
    assert!(out.contains("drift: 1 drifted, 1 in_sync\n"), "{out}");
    assert!(
        out.contains(&format!(
            "adopt what runs: relman release --env production --image observed --observed {} --commit",
            file.display()
        )),
        "{out}"
    );
    let out = run_with(&set_image, &["--json"]);
    let report: serde_json::Value = serde_json::from_str(&drifted(&out)).unwrap();
    assert_eq!(report["entries"][1]["workload"], "production:deployment/users");
    assert_eq!(report["entries"][1]["status"], "drifted");
    assert_eq!(report["entries"][1]["repo_image"], "acme/users:1.3.0");
    assert_eq!(report["entries"][1]["running_image"], "acme/users:1.2.0");
    assert_eq!(report["entries"][0]["status"], "in_sync");
    // The same text on standard input.
    let out = relman_stdin(
        &dir,
        &["drift", "--env", "production", "--observed", "-"],
        &set_image,
    );
    assert!(drifted(&out).contains("--observed - --commit"));
    // A workload deleted from the cluster, and one created by hand: exit 3 too.
    let out = drifted(&run_with(&live_list(&[("users", "acme/users:1.3.0")]), &[]));
    assert!(
        out.contains(
            "production:deployment/orders  app        acme/orders:2.1.0  -                 missing_in_cluster"
        ),
        "{out}"
    );
    assert!(out.contains("drift: 1 missing_in_cluster, 1 in_sync\n"), "{out}");
    assert!(!out.contains("adopt what runs"), "nothing to adopt: {out}");
    let by_hand = live_list(&[
        ("users", "acme/users:1.3.0"),
        ("orders", "acme/orders:2.1.0"),
        ("debug", "busybox:1.36"),
    ]);
    let out = drifted(&run_with(&by_hand, &[]));
    assert!(
        out.contains(
            "production:deployment/debug   app        -                  busybox:1.36       not_in_repo"
        ),
        "{out}"
    );
    // Objects of another namespace are not this environment's.
    let other = format!(
        "apiVersion: v1\nitems:\n{}{}{}kind: List\n",
        live_deployment("users", "production", "acme/users:1.3.0"),
        live_deployment("orders", "production", "acme/orders:2.1.0"),
        live_deployment("debug", "kube-system", "busybox:1.36"),
    );
    ok(&run_with(&other, &[]));
    // A reader: nothing is written.
    assert_eq!(state(&dir), before);
}

#[test]
fn drift_refuses_what_is_not_kubectls_output_in_one_coded_line() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let file = temp.0.join("live.yaml");
    let before = state(&dir);
    // kubectl failed and printed its error; an output cut short; `-o name`.
    for (text, line) in [
        (
            "error: the server doesn't have a resource type \"deploymentz\"\n",
            1,
        ),
        (
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n  {\"kind\": \"Deployment\",\n",
            3,
        ),
        ("deployment.apps/users\n", 1),
    ] {
        std::fs::write(&file, text).unwrap();
        let args = [
            "drift",
            "--env",
            "production",
            "--observed",
            file.to_str().unwrap(),
        ];
        let err = fails_with(&relman(&dir, &args), "invalid_yaml");
        assert!(
            err.contains(&format!(" {}:{line}:", file.display())),
            "located in the file given: {err}"
        );
        assert!(err.contains("kubectl get <kinds> -o yaml"), "{err}");
        assert!(stdout(&relman(&dir, &args)).is_empty());
        // The adoption refuses it the same way, and writes nothing.
        let err = fails_with(
            &relman(
                &dir,
                &[
                    "release",
                    "--env",
                    "production",
                    "--image",
                    "observed",
                    "--observed",
                    file.to_str().unwrap(),
                ],
            ),
            "invalid_yaml",
        );
        assert!(err.contains(&format!(" {}:{line}:", file.display())), "{err}");
    }
    // Nothing on standard input (kubectl failed): located in <stdin>.
    let err = fails_with(
        &relman_stdin(&dir, &["drift", "--env", "production", "--observed", "-"], ""),
        "invalid_yaml",
    );
    assert!(err.contains(" <stdin>"), "{err}");
    // A file that is not there; an environment that is not there.
    fails_with(
        &relman(&dir, &["drift", "--env", "production", "--observed", "nope.yaml"]),
        "io_error",
    );
    std::fs::write(&file, live_list(&[])).unwrap();
    fails_with(
        &relman(
            &dir,
            &["drift", "--env", "prod", "--observed", file.to_str().unwrap()],
        ),
        "unknown_environment",
    );
    // --observed is required; observed without --observed and --observed with another image
    // are the core's invalid_argument.
    assert_eq!(
        relman(&dir, &["drift", "--env", "production"]).status.code(),
        Some(2)
    );
    fails_with(
        &relman(&dir, &["release", "--env", "production", "--image", "observed"]),
        "invalid_argument",
    );
    fails_with(
        &relman(
            &dir,
            &[
                "release",
                "--env",
                "production",
                "--image",
                "acme/users:1.4.0",
                "--observed",
                file.to_str().unwrap(),
            ],
        ),
        "invalid_argument",
    );
    assert_eq!(state(&dir), before);
}

#[test]
fn adoption_writes_the_running_images_and_locks_them_on_a_work_tree() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let file = temp.0.join("live.yaml");
    std::fs::write(
        &file,
        live_list(&[
            ("users", "docker.io/acme/users:1.2.0"),
            (
                "orders",
                "acme/orders:2.1.0@sha256:0000000000000000000000000000000000000000000000000000000000000002",
            ),
        ]),
    )
    .unwrap();
    let observed = file.to_str().unwrap();
    let adopt = [
        "release",
        "--env",
        "production",
        "--image",
        "observed",
        "--observed",
        observed,
    ];
    // --dry-run: the plan, nothing written.
    let before = state(&dir);
    let out = ok(&relman(&dir, &[&adopt[..], &["--dry-run"]].concat()));
    assert!(out.contains("plan for production (adopted)"), "{out}");
    assert!(out.contains("would change production/users.yaml"), "{out}");
    assert_eq!(state(&dir), before);
    // --no-lock: the image only.
    let out = ok(&relman(&dir, &[&adopt[..], &["--no-lock"]].concat()));
    assert!(out.contains("edited production/users.yaml"), "{out}");
    let users = std::fs::read_to_string(dir.join("production/users.yaml")).unwrap();
    assert_eq!(
        users,
        deployment("users", "production", "acme/users:1.3.0").replace("1.3.0", "1.2.0"),
        "the repo's spelling, quotes and comment kept; no lock"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("production/orders.yaml")).unwrap(),
        deployment("orders", "production", "acme/orders:2.1.0"),
        "a digest-resolved image is in sync: left as written"
    );
    git(&dir, &["checkout", "-q", "--", "."]);
    // By default the adopted workload is locked, and --commit commits with the cause.
    let out = ok(&relman(
        &dir,
        &[&adopt[..], &["--commit", "-m", "on-call rolled back at 3 a.m."]].concat(),
    ));
    assert!(out.contains("committed "), "{out}");
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    let message = git(&dir, &["log", "-1", "--format=%B"]);
    assert!(
        message.starts_with("Adopt acme/users:1.2.0 running in production"),
        "{message}"
    );
    assert!(message.contains("Relman-Cause: adopted"), "{message}");
    assert!(
        message.contains("Relman-Lock: production:deployment/users"),
        "{message}"
    );
    let users = std::fs::read_to_string(dir.join("production/users.yaml")).unwrap();
    assert!(
        users.contains("image: \"acme/users:1.2.0\"   # quoted, with a comment"),
        "{users}"
    );
    assert!(users.contains("fluxcd.io/locked: \"true\""), "{users}");
    let history = json(&relman(&dir, &["history", "--json", "--env", "production"]));
    assert_eq!(history["moves"][0]["cause"], "adopted");
    // Adopted: the cluster and the repo agree again.
    ok(&relman(
        &dir,
        &["drift", "--env", "production", "--observed", observed],
    ));
    // Nothing left to adopt: with --exit-code, 3.
    let out = relman(&dir, &[&adopt[..], &["--exit-code"]].concat());
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
}

#[test]
fn adoption_commits_by_compare_and_swap_on_a_bare_repository() {
    let temp = Temp::new();
    let work = work_tree(&temp);
    let bare = bare(&temp, &work);
    let head = || git(&bare, &["rev-parse", "main"]).trim().to_string();
    let start = head();
    let live = live_list(&[("users", "acme/users:1.2.0"), ("orders", "acme/orders:2.1.0")]);
    let repo = bare.to_str().unwrap();
    let out = drifted(&relman_stdin(
        &temp.0,
        &["--repo", repo, "drift", "--env", "production", "--observed", "-"],
        &live,
    ));
    assert!(out.contains("drift: 1 drifted, 1 in_sync"), "{out}");
    let out = relman_stdin(
        &temp.0,
        &[
            "--repo",
            repo,
            "release",
            "--env",
            "production",
            "--image",
            "observed",
            "--observed",
            "-",
            "--json",
        ],
        &live,
    );
    let report: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(report["written"], "committed");
    assert_eq!(report["plan"]["kind"], "adopted");
    assert_eq!(report["commit"].as_str().unwrap(), head());
    assert_eq!(git(&bare, &["rev-parse", "main~1"]).trim(), start);
    let message = git(&bare, &["log", "-1", "--format=%an%n%B", "main"]);
    assert!(
        message.starts_with("Release Bot\nAdopt acme/users:1.2.0 running in production"),
        "{message}"
    );
    assert!(message.contains("Relman-Cause: adopted"), "{message}");
    assert!(
        message.contains("Relman-Lock: production:deployment/users"),
        "{message}"
    );
    let users = git(&bare, &["show", "main:production/users.yaml"]);
    assert!(users.contains("image: \"acme/users:1.2.0\""), "{users}");
    ok(&relman_stdin(
        &temp.0,
        &["--repo", repo, "drift", "--env", "production", "--observed", "-"],
        &live,
    ));
}

/// A registry double on loopback (plain http, as relman uses for loopback hosts): the
/// Distribution API's three reads for `acme/users`, tags 1.3.0 and 1.4.0, each an OCI manifest
/// whose config carries a creation time. Counts the requests it answers.
struct FakeRegistry {
    port: u16,
    requests: std::sync::Arc<AtomicUsize>,
}

impl FakeRegistry {
    fn start() -> FakeRegistry {
        use sha2::Digest;
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let digest = |bytes: &[u8]| format!("sha256:{:x}", sha2::Sha256::digest(bytes));
        let mut blobs = std::collections::HashMap::new();
        let mut manifests = std::collections::HashMap::new();
        for (tag, created) in [
            ("1.3.0", "2026-11-01T10:00:00Z"),
            ("1.4.0", "2026-11-10T10:00:00Z"),
        ] {
            let config = format!(r#"{{"created":"{created}","architecture":"amd64","os":"linux"}}"#);
            let manifest = format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":{},"digest":"{}"}},"layers":[]}}"#,
                config.len(),
                digest(config.as_bytes())
            );
            blobs.insert(digest(config.as_bytes()), config);
            manifests.insert(tag.to_string(), manifest);
        }
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                let path = path.split('?').next().unwrap_or("");
                let (status, kind, body, extra) = if path == "/v2/acme/users/tags/list" {
                    (
                        "200 OK",
                        "application/json",
                        r#"{"name":"acme/users","tags":["1.3.0","1.4.0"]}"#.to_string(),
                        String::new(),
                    )
                } else if let Some(m) = path
                    .strip_prefix("/v2/acme/users/manifests/")
                    .and_then(|t| manifests.get(t))
                {
                    (
                        "200 OK",
                        "application/vnd.oci.image.manifest.v1+json",
                        m.clone(),
                        format!("Docker-Content-Digest: {}\r\n", digest(m.as_bytes())),
                    )
                } else if let Some(b) = path
                    .strip_prefix("/v2/acme/users/blobs/")
                    .and_then(|d| blobs.get(d))
                {
                    ("200 OK", "application/octet-stream", b.clone(), String::new())
                } else {
                    (
                        "404 Not Found",
                        "application/json",
                        r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#.to_string(),
                        String::new(),
                    )
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        FakeRegistry { port, requests }
    }
}

#[test]
fn automate_asks_the_registry_and_watch_polls_with_a_warm_cache() {
    let registry = FakeRegistry::start();
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let image = format!("127.0.0.1:{}/acme/users:1.3.0", registry.port);
    // Every image of the repo comes from the double (production is manual: never released).
    for env in ["staging", "production"] {
        std::fs::write(
            dir.join(format!("{env}/users.yaml")),
            deployment("users", env, &image),
        )
        .unwrap();
        std::fs::remove_file(dir.join(format!("{env}/orders.yaml"))).unwrap();
    }
    git(&dir, &["commit", "-qam", "users from the local registry"]);
    let cache = temp.0.join("cache");
    // Two polls one second apart: the first lists, fetches both manifests and configs and
    // releases 1.4.0 (semver:^1); the second lists only (the cache knows both tags) and has
    // nothing to do.
    let out = relman(
        &dir,
        &[
            "automate",
            "--watch",
            "1s",
            "--polls",
            "2",
            "--commit",
            "--cache-dir",
            cache.to_str().unwrap(),
            "--anonymous",
        ],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("poll 1: 5 registry requests"), "{err}");
    assert!(err.contains("poll 2: 1 registry requests"), "{err}");
    assert_eq!(registry.requests.load(Ordering::SeqCst), 6);
    let text = std::fs::read_to_string(dir.join("staging/users.yaml")).unwrap();
    assert!(
        text.contains(&format!("127.0.0.1:{}/acme/users:1.4.0", registry.port)),
        "{text}"
    );
    assert!(git(&dir, &["log", "-1", "--format=%B"]).contains("Relman-Cause: automated"));
    // A run without --watch asks once; a new process reads the cache folder: one request.
    ok(&relman(
        &dir,
        &["automate", "--cache-dir", cache.to_str().unwrap(), "--anonymous"],
    ));
    assert_eq!(registry.requests.load(Ordering::SeqCst), 7);
    // --catalog and --watch exclude each other; --polls needs --watch; a bad interval is usage.
    for args in [
        &["automate", "--watch", "1s", "--catalog", "x.json"][..],
        &["automate", "--polls", "2"][..],
        &["automate", "--watch", "5 minutes"][..],
    ] {
        assert_eq!(relman(&dir, args).status.code(), Some(2), "{args:?}");
    }
}

/// A `--remote` that git would read as an option (`--force`!) and a `--branch` git would
/// refuse are usage mistakes caught before anything is written: no edit, no commit, no push.
#[test]
fn option_like_remotes_and_bad_branches_write_nothing() {
    let temp = Temp::new();
    let dir = work_tree(&temp);
    let before = state(&dir);
    for args in [
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--push",
            "--remote=--force",
        ][..],
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--commit",
            "--branch",
            "main:other",
        ][..],
        &[
            "release",
            "--env",
            "staging",
            "--image",
            "acme/users:1.4.0",
            "--commit",
            "--branch=-x",
        ][..],
    ] {
        fails_with(&relman(&dir, args), "invalid_argument");
        assert_eq!(state(&dir), before, "{args:?} wrote something");
    }
}
