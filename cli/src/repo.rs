//! The config repo the command works on, and how a plan is written to it.
//!
//! - A **work tree** (a folder with `.git`): read from the files; a writing command edits the
//!   files and, with `--commit`, commits them with the user's own `git` (their identity,
//!   hooks and signing); `--push` runs `git push` (never forced).
//! - A **bare repository**: read at the branch head; a writing command always commits, by
//!   compare-and-swap (core's `git::Repository::release_with_retry`), re-planning on the new
//!   head when another writer moved the branch, up to `--attempts` times, then `conflict`.
//! - A **plain folder** with `relman.yaml` and no git: read and edited; `--commit` and `--push`
//!   are refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use relman::git::{HISTORY_LIMIT, Repository};
use relman::release::{History, ReleasePlan, Snapshot};

use crate::failure::{Failure, code};
use crate::output::Progress;

/// What holds the config repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// A work tree at this root (with a `.git` when `git` is true).
    WorkTree {
        /// Whether it is a git work tree.
        git: bool,
    },
    /// A bare repository.
    Bare,
}

/// The config repo of a command.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The work tree's root, or the bare repository's folder.
    pub root: PathBuf,
    /// What it is.
    pub layout: Layout,
}

/// Whether `dir` is a bare repository's folder (its `HEAD`, `objects` and `refs`).
fn is_bare(dir: &Path) -> bool {
    dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir()
}

impl Repo {
    /// The repo at `given` (`--repo`), else the git repository holding the current folder,
    /// else the current folder when it holds `relman.yaml`; else `not_a_config_repo`.
    pub fn locate(given: Option<&Path>) -> Result<Repo, Failure> {
        let start = match given {
            Some(p) => p.to_path_buf(),
            None => std::env::current_dir().map_err(|e| Failure::io(Path::new("."), "read", e))?,
        };
        let not_a_repo =
            |why: &str| Failure::new(code::NOT_A_CONFIG_REPO, format!("{}: {why}", start.display()));
        if !start.is_dir() {
            return Err(not_a_repo("no such folder"));
        }
        let candidates: Vec<&Path> = match given {
            Some(p) => vec![p],
            None => start.ancestors().collect(),
        };
        for dir in candidates {
            if dir.join(".git").exists() {
                return Ok(Repo {
                    root: dir.to_path_buf(),
                    layout: Layout::WorkTree { git: true },
                });
            }
            if is_bare(dir) {
                return Ok(Repo {
                    root: dir.to_path_buf(),
                    layout: Layout::Bare,
                });
            }
        }
        if start.join(relman::release::CONFIG_FILE).is_file() {
            return Ok(Repo {
                root: start,
                layout: Layout::WorkTree { git: false },
            });
        }
        Err(not_a_repo(
            "not a git repository (nor inside one) and no relman.yaml",
        ))
    }

    /// Whether the repo is a git repository.
    pub fn is_git(&self) -> bool {
        !matches!(self.layout, Layout::WorkTree { git: false })
    }

    fn open(&self) -> Result<Repository, Failure> {
        Ok(Repository::open(&self.root)?)
    }

    /// The branch writes go to: `--branch`, else the one `HEAD` names.
    pub fn branch(&self, given: Option<&str>) -> Result<String, Failure> {
        if let Some(b) = given {
            relman::git::check_branch(b)?;
            return Ok(b.strip_prefix("refs/heads/").unwrap_or(b).to_string());
        }
        let head = match self.layout {
            Layout::Bare => self.root.join("HEAD"),
            _ => self.root.join(".git").join("HEAD"),
        };
        // A linked work tree's `.git` is a file; ask git then.
        if let Ok(text) = std::fs::read_to_string(&head) {
            if let Some(name) = text.trim().strip_prefix("ref: refs/heads/") {
                return Ok(name.to_string());
            }
        }
        let out = self.git(&["symbolic-ref", "--short", "HEAD"], None)?;
        Ok(out.trim().to_string())
    }

    /// The revision reads are made at: a bare repository's branch head; `None` for a work tree
    /// (its files).
    fn head(&self, branch: Option<&str>) -> Result<Option<String>, Failure> {
        match self.layout {
            Layout::Bare => {
                let branch = self.branch(branch)?;
                Ok(Some(self.open()?.branch_head(&branch)?))
            }
            Layout::WorkTree { .. } => Ok(None),
        }
    }

    /// The repo's files: a work tree's as they are on disk, a bare repository's at the head
    /// of `branch`.
    pub fn snapshot(&self, branch: Option<&str>) -> Result<Snapshot, Failure> {
        match self.head(branch)? {
            Some(head) => Ok(self.open()?.snapshot(&head)?),
            None => Ok(Snapshot::from_dir(&self.root)?),
        }
    }

    /// The pointer history, newest first, of the branch (a work tree's `HEAD`): empty for a
    /// plain folder or a repository without commits.
    pub fn history(
        &self,
        branch: Option<&str>,
        environment: Option<&str>,
        limit: usize,
    ) -> Result<History, Failure> {
        if !self.is_git() {
            return Ok(History::new());
        }
        let _progress = Progress::start("reading the release history");
        let repo = self.open()?;
        let rev = match self.layout {
            Layout::Bare => repo.branch_head(&self.branch(branch)?)?,
            _ => "HEAD".to_string(),
        };
        match repo.history(&rev, environment, limit) {
            Ok(h) => Ok(h),
            Err(e) if e.kind() == relman::ErrorKind::NotFound && !self.has_commits() => Ok(History::new()),
            Err(e) => Err(e.into()),
        }
    }

    fn has_commits(&self) -> bool {
        self.git(&["rev-parse", "--verify", "-q", "HEAD"], None).is_ok()
    }

    /// Commit times and subjects of the newest `limit` commits of the branch, by id (for the
    /// timeline): `git log`.
    pub fn commit_times(&self, branch: Option<&str>, limit: usize) -> Vec<(String, String)> {
        if !self.is_git() {
            return Vec::new();
        }
        let rev = match self.layout {
            Layout::Bare => match self.branch(branch) {
                Ok(b) => b,
                Err(_) => return Vec::new(),
            },
            _ => "HEAD".to_string(),
        };
        let limit = format!("-{limit}");
        let Ok(out) = self.git(
            &["log", "--first-parent", &limit, "--format=%H %cI", &rev, "--"],
            None,
        ) else {
            return Vec::new();
        };
        out.lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(id, time)| (id.to_string(), time.to_string()))
            .collect()
    }

    /// The author of commits and the `Relman-User` of records: `given`, else the user's git
    /// identity (`user.name <user.email>`).
    pub fn user(&self, given: Option<&str>) -> Option<String> {
        if let Some(u) = given {
            return Some(u.to_string());
        }
        let read = |key: &str| {
            let out = Command::new("git")
                .arg("-C")
                .arg(&self.root)
                .args(["config", "--get", key])
                .stderr(Stdio::null())
                .output()
                .ok()?;
            let value = String::from_utf8(out.stdout).ok()?.trim().to_string();
            (out.status.success() && !value.is_empty()).then_some(value)
        };
        match (read("user.name"), read("user.email")) {
            (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
            (Some(name), None) => Some(name),
            _ => None,
        }
    }

    /// Run the user's `git` in the repo; its standard output, or `git_failed` with its last
    /// line of error.
    pub fn git(&self, args: &[&str], input: Option<&str>) -> Result<String, Failure> {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(&self.root)
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = format!("git {}", args.join(" "));
        let mut child = command
            .spawn()
            .map_err(|e| Failure::new(code::GIT_FAILED, format!("cannot run `{shown}`: {e}")))?;
        if let Some(text) = input {
            use std::io::Write;
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(text.as_bytes());
            }
        }
        let out = child
            .wait_with_output()
            .map_err(|e| Failure::new(code::GIT_FAILED, format!("`{shown}`: {e}")))?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        // The line that says why: git's `error:`/`fatal:` line or a rejected ref, else the last.
        let lines: Vec<&str> = err.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let last = lines
            .iter()
            .find(|l| l.starts_with("! [") || l.starts_with("error:") || l.starts_with("fatal:"))
            .or(lines.last())
            .copied()
            .unwrap_or("");
        Err(Failure::new(
            code::GIT_FAILED,
            format!("`{shown}` failed: {last}"),
        ))
    }
}

/// How a writing command writes.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Plan and print, write nothing.
    pub dry_run: bool,
    /// On a work tree, commit the edits with the user's git.
    pub commit: bool,
    /// Push the commit (never forced).
    pub push: bool,
    /// The branch (default: the one `HEAD` names).
    pub branch: Option<String>,
    /// The remote to push to.
    pub remote: String,
    /// The commit author and `Relman-User` (default: the user's git identity).
    pub user: Option<String>,
    /// Compare-and-swap attempts on a bare repository.
    pub attempts: usize,
}

/// What writing a plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Nothing to write.
    Nothing,
    /// Planned only (`--dry-run`).
    DryRun,
    /// Files edited in the work tree, not committed.
    Files,
    /// Committed (and pushed, when asked): the commit id.
    Committed(String),
}

/// The test hook of the compare-and-swap loop: a shell command run after each plan and before
/// its commit, so that a test can move the branch under a release. Not for users.
const BEFORE_COMMIT_HOOK: &str = "RELMAN_TEST_BEFORE_COMMIT";

/// Read, plan with `planner`, and write the plan as `options` say. The plan returned is the
/// one written (on a bare repository, the one made on the head that was committed on).
pub fn write(
    repo: &Repo,
    options: &WriteOptions,
    mut planner: impl FnMut(&Snapshot, &History) -> relman::Result<ReleasePlan>,
) -> Result<(ReleasePlan, Written), Failure> {
    // Checked before anything is written: a "remote" starting with `-` would be read by git as
    // an option (`--force`, `--receive-pack`), and a bad branch name would fail after the commit.
    if options.push && (options.remote.is_empty() || options.remote.starts_with('-')) {
        return Err(Failure::new(
            "invalid_argument",
            format!(
                "`{}` is not a remote: name one of `git remote` or a URL",
                options.remote
            ),
        ));
    }
    if let Some(branch) = &options.branch {
        relman::git::check_branch(branch)?;
    }
    match repo.layout {
        Layout::Bare if !options.dry_run => {
            let branch = repo.branch(options.branch.as_deref())?;
            let author = repo.user(options.user.as_deref()).ok_or_else(no_author)?;
            let git = repo.open()?;
            let mut last: Option<ReleasePlan> = None;
            let committed =
                git.release_with_retry(&branch, &author, options.attempts.max(1), |snapshot, history| {
                    let plan = planner(snapshot, history)?;
                    if let Some(hook) = std::env::var_os(BEFORE_COMMIT_HOOK) {
                        let _ = Command::new("sh")
                            .arg("-c")
                            .arg(hook)
                            .current_dir(&repo.root)
                            .status();
                    }
                    last = Some(plan.clone());
                    Ok(plan)
                })?;
            let plan = last.expect("release_with_retry plans at least once");
            let Some(id) = committed else {
                return Ok((plan, Written::Nothing));
            };
            if options.push {
                push(repo, &options.remote, &branch)?;
            }
            Ok((plan, Written::Committed(id)))
        }
        _ => {
            let snapshot = repo.snapshot(options.branch.as_deref())?;
            let history = repo.history(options.branch.as_deref(), None, HISTORY_LIMIT)?;
            let plan = planner(&snapshot, &history)?;
            if options.dry_run {
                return Ok((plan, Written::DryRun));
            }
            if plan.is_noop() {
                return Ok((plan, Written::Nothing));
            }
            if (options.commit || options.push) && !repo.is_git() {
                return Err(Failure::new(
                    "invalid_argument",
                    "--commit and --push need a git repository; this folder is not one",
                ));
            }
            edit_files(repo, &plan)?;
            if !options.commit {
                return Ok((plan, Written::Files));
            }
            let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
            let mut add = vec!["add", "--"];
            add.extend(&paths);
            repo.git(&add, None)?;
            let mut commit = vec!["commit", "-q", "-F", "-"];
            if let Some(user) = &options.user {
                commit.push("--author");
                commit.push(user);
            }
            commit.push("--");
            commit.extend(&paths);
            repo.git(&commit, Some(&plan.commit_message))?;
            let id = repo.git(&["rev-parse", "HEAD"], None)?.trim().to_string();
            if options.push {
                let branch = repo.branch(options.branch.as_deref())?;
                push(repo, &options.remote, &branch)?;
            }
            Ok((plan, Written::Committed(id)))
        }
    }
}

fn no_author() -> Failure {
    Failure::new(
        "invalid_argument",
        "no author for the commit: git has no user.name and user.email here",
    )
    .hint("pass --user \"Name <email>\" or set git config user.name and user.email")
}

/// `git push REMOTE BRANCH`, never forced.
fn push(repo: &Repo, remote: &str, branch: &str) -> Result<(), Failure> {
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    repo.git(&["push", "--quiet", remote, &refspec], None)
        .map_err(|f| {
            if f.message.contains("rejected")
                || f.message.contains("non-fast-forward")
                || f.message.contains("fetch first")
            {
                Failure::new(code::PUSH_REJECTED, f.message)
            } else {
                f
            }
        })?;
    Ok(())
}

/// Write the plan's changes into the work tree: every file is first checked to still hold
/// what the plan was made from, then all are written (each through a temporary file renamed
/// over it), so that a file changed meanwhile leaves everything as it was.
fn edit_files(repo: &Repo, plan: &ReleasePlan) -> Result<(), Failure> {
    let mut targets = Vec::with_capacity(plan.changes.len());
    for change in &plan.changes {
        let path = repo.root.join(&change.path);
        let now = std::fs::read_to_string(&path).unwrap_or_default();
        if now != change.before {
            return Err(Failure::new(
                "conflict",
                format!(
                    "{} changed while relman planned; nothing was written",
                    change.path
                ),
            )
            .hint("run the command again"));
        }
        targets.push((path, change.after.as_str()));
    }
    for (path, after) in targets {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = path.with_file_name(format!(".{name}.relman-{}", std::process::id()));
        std::fs::write(&temp, after).map_err(|e| Failure::io(&temp, "write", e))?;
        if let Ok(meta) = std::fs::metadata(&path) {
            let _ = std::fs::set_permissions(&temp, meta.permissions());
        }
        std::fs::rename(&temp, &path).map_err(|e| Failure::io(&path, "write", e))?;
    }
    Ok(())
}
