//! The git adapter (feature `git`, DESIGN.md section 11): snapshots at a revision, the release
//! history, and commits that move a branch only if it still points where the plan was made.
//!
//! Everything is read from and written to git objects directly: no checkout, no index, no
//! work tree. Pushing and fetching stay the tooling's job (`git push` without force is itself
//! a compare-and-swap on the remote).
//!
//! - [`Repository::snapshot`] reads `relman.yaml` and the files of every environment path at a
//!   revision (the whole tree when there is no `relman.yaml`), by the rule
//!   `Snapshot::from_dir` (feature `fs`) reads a folder with: symbolic
//!   links followed within the repository, each file kept once under its real path; the
//!   snapshot's [`revision`](crate::release::Snapshot::revision) is the full commit id to pass
//!   as `expected_head`.
//! - [`Repository::history`] reads the pointer moves of the first-parent commit walk from the
//!   trees, newest first; a commit's `Relman-*` trailers only annotate the moves it made.
//! - [`Repository::commit`] writes blobs, trees and a commit whose parent is `expected_head`,
//!   then moves `refs/heads/<branch>` only if it still points at `expected_head`; otherwise it
//!   returns `conflict` carrying the actual head ([`Error::actual_head`]).
//! - [`Repository::release_with_retry`] reads the head, plans, commits and, on `conflict`,
//!   re-plans on the new head (no textual rebase), a bounded number of times.
//!
//! Error codes (DESIGN.md section 12): `conflict` (with [`Error::actual_head`]),
//! `branch_checked_out`, `invalid_path` for paths that are absolute, climb out with `..` or
//! follow a symbolic link out of the repository, for a change path that is or goes through a
//! symbolic link (a commit never writes through one), and for a folder that is no repository,
//! `invalid_config` for a malformed `relman.yaml`, and three codes relman adds to DESIGN.md's
//! list:
//!
//! - `not_found`: a revision that does not resolve or a branch that does not exist;
//! - `invalid_argument`: a malformed author, branch name or `expected_head`;
//! - `corrupt_repository`: a missing or corrupt object, an unreadable reference, an I/O
//!   failure.
//!
//! ```
//! # use std::process::Command;
//! # let dir = std::env::temp_dir().join(format!("relman-git-doc-{}", std::process::id()));
//! # let git = |args: &[&str]| Command::new("git").arg("-C").arg(&dir).args(args).env("GIT_CONFIG_NOSYSTEM", "1").env("HOME", &dir).output();
//! # std::fs::create_dir_all(dir.join("envs/prod")).unwrap();
//! # if git(&["init", "-q", "-b", "main"]).is_err() { return Ok(()); } // no git: nothing to show
//! # std::fs::write(dir.join("relman.yaml"), "environments:\n  prod: {path: envs/prod}\n").unwrap();
//! # std::fs::write(dir.join("envs/prod/users.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.3.0\n").unwrap();
//! # git(&["add", "."]).unwrap();
//! # git(&["-c", "user.name=CI", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "init"]).unwrap();
//! # git(&["checkout", "-q", "--detach"]).unwrap(); // `main` must not be checked out to move it
//! use relman::git::Repository;
//! use relman::release::{plan_release, Catalog, History, ImageSpec, ReleaseSpec};
//!
//! let repo = Repository::open(&dir)?;
//! let head = repo.branch_head("main")?;
//! let snapshot = repo.snapshot(&head)?;
//! assert_eq!(snapshot.revision(), Some(head.as_str()));
//!
//! let spec = ReleaseSpec::new("prod").image(ImageSpec::parse("acme/users:1.4.0")?);
//! let plan = plan_release(&snapshot, &spec, &Catalog::new(), &History::new(), jiff::Timestamp::now())?;
//! let commit = repo.commit(&plan, "main", &head, "Alice <alice@example.com>")?;
//!
//! assert_eq!(repo.branch_head("main")?, commit);
//! assert!(repo.snapshot("main")?.get("envs/prod/users.yaml").unwrap().contains("acme/users:1.4.0"));
//! // The history is read from the trees: the commit moved one pointer, and its trailers agree.
//! let history = repo.history("main", Some("prod"), 10)?;
//! assert_eq!(history.moves()[0].to.as_deref(), Some("acme/users:1.4.0"));
//! assert_eq!(history.moves()[0].cause, relman::release::MoveCause::Manual);
//!
//! // The branch has moved: the same plan on the old head is a conflict, and says where it is.
//! let err = repo.commit(&plan, "main", &head, "Alice <alice@example.com>").unwrap_err();
//! assert_eq!(err.code(), "conflict");
//! assert_eq!(err.actual_head(), Some(commit.as_str()));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), relman::Error>(())
//! ```

mod history;
mod repository;
mod signature;
mod tree;

use std::path::Path;

pub use repository::{Repository, check_branch};

/// The commits [`Repository::release_with_retry`] reads history from (and the default of the
/// bindings' `Repository.history`): the walk is bounded so that a long-lived repository does
/// not make every release slower. Pass your own limit to [`Repository::history`] when
/// rollbacks must reach further back.
pub const HISTORY_LIMIT: usize = 1_000;

/// The accepted `limit`s of [`Repository::history`] as the bindings read them
/// ([`crate::arguments::whole_number`]): any count a `usize` holds, 0 included.
pub const HISTORY_LIMITS: std::ops::RangeInclusive<u64> = 0..=usize::MAX as u64;

/// The default `attempts` of the bindings' `release_with_retry`.
pub const DEFAULT_ATTEMPTS: usize = 5;

/// The accepted `attempts` of [`Repository::release_with_retry`] as the bindings read them:
/// at least one (a release is tried once in all at least), at most what a `usize` holds.
pub const ATTEMPTS: std::ops::RangeInclusive<u64> = 1..=usize::MAX as u64;

use crate::error::{Error, ErrorKind, Result};
use crate::release::{History, ReleasePlan, Snapshot};

/// The files of `relman.yaml` and of every environment path at revision `rev` of the
/// repository at `repo`: [`Repository::open`] then [`Repository::snapshot`].
pub fn snapshot(repo: impl AsRef<Path>, rev: &str) -> Result<Snapshot> {
    Repository::open(repo)?.snapshot(rev)
}

// The git constructor of a snapshot lives here, with the adapter it calls: planning (`release`)
// stays pure and knows nothing of git (DESIGN.md section 3, the layer map in core/layers.toml).
impl Snapshot {
    /// Read `relman.yaml` and every environment path at revision `rev` of the git repository
    /// at `repo`, from git objects, without a checkout; the snapshot's
    /// [`revision`](Snapshot::revision) is the commit's full id. See
    /// [`git::Repository::snapshot`](Repository::snapshot) for the rules and errors.
    pub fn from_git(repo: impl AsRef<Path>, rev: &str) -> Result<Snapshot> {
        snapshot(repo, rev)
    }
}

/// The pointer history of the first-parent walk from `rev`, newest first, read from the trees:
/// [`Repository::open`] then [`Repository::history`].
pub fn history(
    repo: impl AsRef<Path>,
    rev: &str,
    environment: Option<&str>,
    limit: usize,
) -> Result<History> {
    Repository::open(repo)?.history(rev, environment, limit)
}

/// Commit `plan` on `branch` if it still points at `expected_head`: [`Repository::open`] then
/// [`Repository::commit`]. `author` is `"Name <email>"`; returns the new commit id.
pub fn commit(
    repo: impl AsRef<Path>,
    branch: &str,
    expected_head: &str,
    plan: &ReleasePlan,
    author: &str,
) -> Result<String> {
    Repository::open(repo)?.commit(plan, branch, expected_head, author)
}

// Error kinds of the adapter, in one place.

/// A revision, branch or object that does not exist.
fn not_found(message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::NotFound, format!("not found: {message}"))
}

/// A malformed argument: an author, a branch name, an expected head.
fn invalid_argument(message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::InvalidArgument, format!("invalid argument: {message}"))
}

/// The repository cannot be read or written: a corrupt or missing object, an unreadable
/// reference, an I/O failure.
fn broken(message: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::CorruptRepository,
        format!("repository error: {message}"),
    )
}

/// A gix error with its chain of causes, on one line.
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}
