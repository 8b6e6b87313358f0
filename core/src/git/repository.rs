//! [`Repository`]: a git repository opened for snapshots, history and compare-and-swap commits.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

use gix::ObjectId;
use gix::objs::tree::EntryKind;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::{FullName, Target};

use super::tree::{GitTree, TreeView, resolve_commit};
use super::{broken, describe, invalid_argument, not_found, signature};
use crate::error::{Error, ErrorKind, Result};
use crate::release::{FileChange, History, ReleasePlan, Snapshot, normalise_path, read_snapshot};

/// How long a commit waits for another writer's lock on the branch (`refs/heads/<b>.lock`)
/// before giving up with `conflict`.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes of decoded objects each operation keeps cached (trees and delta bases of packs).
const OBJECT_CACHE: usize = 16 * 1024 * 1024;

/// A git repository, bare or with a work tree, opened for snapshots, history and commits.
///
/// Only the repository's own configuration is read (not the user's or the system's, nor `GIT_*`
/// variables), so the same repository behaves the same for every caller. The value is cheap
/// to clone and may be shared between threads; every call reads the references afresh, so a
/// long-lived `Repository` sees the commits other processes make.
///
/// ```
/// let err = relman::git::Repository::open("/no/such/repository").unwrap_err();
/// assert_eq!(err.code(), "invalid_path");
/// ```
#[derive(Clone)]
pub struct Repository {
    inner: gix::ThreadSafeRepository,
    path: PathBuf,
}

impl std::fmt::Debug for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repository").field("path", &self.path).finish()
    }
}

impl Repository {
    /// Open the repository at `path`: a bare repository's folder, a work tree (its `.git` is
    /// used), or a `.git` folder. The path is taken as given; parent folders are not searched.
    ///
    /// Errors: `invalid_path` when `path` does not exist or is not a git repository, or when
    /// the repository keeps its references in the `reftable` format (relman reads the `files`
    /// format, git's default).
    pub fn open(path: impl AsRef<Path>) -> Result<Repository> {
        let path = path.as_ref();
        let invalid = |why: String| Error::new(ErrorKind::InvalidPath, format!("{}: {why}", path.display()));
        if !path.exists() {
            return Err(invalid("no such folder".to_string()));
        }
        if !path.is_dir() {
            return Err(invalid("not a folder, so not a git repository".to_string()));
        }
        let inner = gix::ThreadSafeRepository::open_opts(path, gix::open::Options::isolated()).map_err(
            |e| match e {
                gix::open::Error::NotARepository { .. } => invalid("not a git repository".to_string()),
                other => invalid(format!("cannot open the repository: {}", describe(&other))),
            },
        )?;
        let storage = inner
            .to_thread_local()
            .config_snapshot()
            .string("extensions.refStorage")
            .map(|v| v.to_string().to_ascii_lowercase());
        if let Some(format) = storage.filter(|f| f != "files") {
            return Err(invalid(format!(
                "the repository stores its references as `{format}`, which relman cannot read; \
                 convert it with `git refs migrate --ref-format=files`"
            )));
        }
        Ok(Repository {
            inner,
            path: path.to_path_buf(),
        })
    }

    /// The path the repository was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn local(&self) -> gix::Repository {
        let mut repo = self.inner.to_thread_local();
        repo.object_cache_size_if_unset(OBJECT_CACHE);
        repo
    }

    /// The full id of the commit `branch` points at (`main` or `refs/heads/main`).
    ///
    /// Errors: the not-found code when the branch does not exist; the invalid-argument code
    /// for a name git would refuse (see the [module notes on codes](super)).
    pub fn branch_head(&self, branch: &str) -> Result<String> {
        let repo = self.local();
        let name = branch_ref(branch)?;
        Ok(read_branch(&repo, &name, branch)?.to_string())
    }

    /// The files of `relman.yaml`, of every environment path, and of every resource their
    /// kustomizations reach (a shared `base/`), at revision `rev` (anything
    /// `git rev-parse` understands: `HEAD`, `main`, a tag, `HEAD~2`, a full or short id),
    /// read from git objects without a checkout. The snapshot's
    /// [`revision`](Snapshot::revision) is the commit's full id.
    ///
    /// The rules are those of `Snapshot::from_dir` (feature `fs`), by the same code: `relman.yaml` first,
    /// then the environment paths (the whole tree without `relman.yaml`) and what their
    /// kustomizations reach, nothing else. Under a folder, only `.yaml`, `.yml` and
    /// `Kustomization` files are read, and hidden folders, `node_modules` and `target` are
    /// skipped; an environment path naming a file is read whatever its name; a path that does
    /// not exist at `rev` adds nothing. Symbolic links are followed within the repository:
    /// each file is kept once under its real path, and each link as a link
    /// ([`Snapshot::links`]), so that a file reached from two environments is shared and a
    /// plan names the real file.
    ///
    /// Errors: `invalid_config` when `relman.yaml` is malformed; `invalid_path` for a symbolic
    /// link leading outside the repository (absolute, or `..` past the root), a link loop, a
    /// link to nothing where a file is read, a folder link to one of its own parent folders, a
    /// submodule where a file is read, or a file name that is not UTF-8; `invalid_yaml` for a
    /// file that is not UTF-8; the not-found code for a revision that does not resolve to a
    /// commit; `internal` for an object that is missing or corrupt.
    pub fn snapshot(&self, rev: &str) -> Result<Snapshot> {
        let repo = self.local();
        let commit = resolve_commit(&repo, rev)?;
        let tree = GitTree {
            view: TreeView::of_commit(&repo, commit)?,
            shared: &self.inner,
        };
        Ok(read_snapshot(&tree)?.with_revision(commit.to_string()))
    }

    /// Commit `plan` on `branch` if the branch still points at `expected_head` (a full commit
    /// id, normally the [`revision`](Snapshot::revision) of the snapshot the plan was made
    /// on). Returns the new commit's full id.
    ///
    /// The commit's tree is `expected_head`'s with each change's `after` written at its path
    /// (keeping file modes); its only parent is `expected_head`; its
    /// message is the plan's; author and committer are `author` (`"Name <email>"`) at the
    /// current time. The branch is then moved with a compare-and-swap: only if it still
    /// points at `expected_head`. On any error the branch does not move (objects already
    /// written stay unreferenced until `git gc` prunes them).
    ///
    /// A plan that changes nothing (no changes, or every `after` equal to its `before`) is not
    /// committed: once the checks below pass, `expected_head` is returned unchanged.
    ///
    /// Errors:
    /// - `conflict` when the branch points elsewhere ([`Error::actual_head`] says where: re-plan
    ///   on it), when the plan was made on a snapshot of another commit (its
    ///   [`revision`](ReleasePlan::revision) is not `expected_head`: a lock or a gate may have
    ///   changed since), when a change's `before` differs from the file at `expected_head` or
    ///   the file does not exist there, or when another writer holds the branch's lock for more
    ///   than a few seconds;
    /// - `branch_checked_out` when the branch is the `HEAD` of a non-bare work tree, the main
    ///   one or a linked one (`git worktree`): moving it would leave that work tree stale;
    /// - `invalid_path` for a change path that is absolute, climbs out with `..`, is given
    ///   twice, names a folder or submodule, or is or goes through a symbolic link: nothing is
    ///   ever written through a link (a link could lead into another environment), and the
    ///   plans relman makes name real files only;
    /// - the not-found code for a branch that does not exist; the invalid-argument code for a
    ///   malformed author, branch name or `expected_head`, or a message holding NUL;
    /// - `internal` for a missing or corrupt object or an I/O failure.
    pub fn commit(
        &self,
        plan: &ReleasePlan,
        branch: &str,
        expected_head: &str,
        author: &str,
    ) -> Result<String> {
        let repo = self.local();
        let signature = signature::parse(author, gix::date::Time::now_local_or_utc())?;
        let name = branch_ref(branch)?;
        let expected = commit_id(expected_head)?;
        let changes = plan_paths(&plan.changes)?;
        if plan.commit_message.contains('\0') {
            return Err(invalid_argument("the commit message holds a NUL byte"));
        }
        refuse_checked_out(&repo, &name, branch)?;
        let actual = read_branch(&repo, &name, branch)?;
        if actual != expected {
            return Err(Error::conflict(
                format!("branch `{branch}` is at {actual}, not at {expected}: re-plan on {actual}"),
                actual.to_string(),
            ));
        }
        if let Some(made_on) = plan.revision.as_deref() {
            if !made_on.eq_ignore_ascii_case(&expected.to_string()) {
                return Err(Error::conflict(
                    format!(
                        "the plan was made on {made_on}, not on {expected}: re-plan on {expected} (a lock, a gate or a file may have changed since)"
                    ),
                    actual.to_string(),
                ));
            }
        }
        let tree = TreeView::of_commit(&repo, expected)?;
        let edits = check_befores(&tree, expected, &changes)?;
        if edits.is_empty() {
            return Ok(expected.to_string());
        }
        let mut editor = repo
            .edit_tree(tree.root())
            .map_err(|e| broken(format!("cannot edit tree {}: {}", tree.root(), describe(&e))))?;
        for (path, (kind, after)) in &edits {
            let blob = repo
                .write_blob(after.as_bytes())
                .map_err(|e| broken(format!("cannot write the blob of `{path}`: {}", describe(&e))))?;
            editor
                .upsert(path.as_str(), *kind, blob.detach())
                .map_err(|e| Error::new(ErrorKind::InvalidPath, format!("`{path}`: {}", describe(&e))))?;
        }
        let new_tree = editor
            .write()
            .map_err(|e| broken(format!("cannot write the new tree: {}", describe(&e))))?
            .detach();
        if new_tree == tree.root() {
            return Ok(expected.to_string());
        }
        let mut message = plan.commit_message.clone();
        if !message.ends_with('\n') {
            message.push('\n');
        }
        let commit = gix::objs::Commit {
            tree: new_tree,
            parents: std::iter::once(expected).collect(),
            author: signature.clone(),
            committer: signature.clone(),
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        let id = repo
            .write_object(&commit)
            .map_err(|e| broken(format!("cannot write the commit: {}", describe(&e))))?
            .detach();
        let summary = plan.commit_message.lines().next().unwrap_or_default();
        move_branch(&repo, &name, branch, expected, id, &signature, summary)?;
        Ok(id.to_string())
    }

    /// Release with compare-and-swap and re-planning: read `branch`'s head, take a snapshot
    /// and its history (the [`HISTORY_LIMIT`](super::HISTORY_LIMIT) newest commits) there, call `plan`, and commit the result as `author`. When the
    /// commit meets a `conflict` (another writer moved the branch), start again on the new
    /// head, up to `attempts` times in all (at least once), pausing a few random milliseconds
    /// between attempts so that racing writers spread out.
    ///
    /// Returns the new commit's id, or `None` when the plan changes nothing (nothing is
    /// committed). Errors from `plan` and from [`commit`](Repository::commit) other than
    /// `conflict` end the loop at once; after the last attempt the last `conflict` is returned.
    ///
    /// ```
    /// # use std::process::Command;
    /// # let dir = std::env::temp_dir().join(format!("relman-git-retry-doc-{}", std::process::id()));
    /// # let git = |args: &[&str]| Command::new("git").current_dir(&dir).args(args).env("GIT_CONFIG_NOSYSTEM", "1").env("HOME", &dir).output();
    /// # std::fs::create_dir_all(dir.join("src/prod")).unwrap();
    /// # if git(&["init", "-q", "-b", "main", "src"]).is_err() { return Ok(()); } // no git: nothing to show
    /// # std::fs::write(dir.join("src/relman.yaml"), "environments:\n  prod: {path: prod}\n").unwrap();
    /// # std::fs::write(dir.join("src/prod/users.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.3.0\n").unwrap();
    /// # git(&["-C", "src", "add", "."]).unwrap();
    /// # git(&["-C", "src", "-c", "user.name=CI", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "init"]).unwrap();
    /// # git(&["clone", "-q", "--bare", "src", "config.git"]).unwrap();
    /// # let bare = dir.join("config.git");
    /// use relman::release::{plan_release, Catalog, History, ImageSpec, ReleaseSpec, Snapshot};
    ///
    /// let repo = relman::git::Repository::open(&bare)?; // a bare clone
    /// let spec = ReleaseSpec::new("prod").image(ImageSpec::parse("acme/users:1.4.0")?);
    /// let release = |snapshot: &Snapshot, history: &History| {
    ///     plan_release(snapshot, &spec, &Catalog::new(), history, jiff::Timestamp::now())
    /// };
    /// let commit = repo.release_with_retry("main", "Release bot <bot@example.com>", 5, release)?;
    /// assert_eq!(commit, Some(repo.branch_head("main")?));
    ///
    /// // Released already: nothing to commit.
    /// assert_eq!(repo.release_with_retry("main", "Release bot <bot@example.com>", 5, release)?, None);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn release_with_retry(
        &self,
        branch: &str,
        author: &str,
        attempts: usize,
        mut plan: impl FnMut(&Snapshot, &History) -> Result<ReleasePlan>,
    ) -> Result<Option<String>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let head = self.branch_head(branch)?;
            let snapshot = self.snapshot(&head)?;
            let history = self.history(&head, None, super::HISTORY_LIMIT)?;
            let planned = plan(&snapshot, &history)?;
            if planned.is_noop() {
                return Ok(None);
            }
            match self.commit(&planned, branch, &head, author) {
                Ok(id) if id == head => return Ok(None),
                Ok(id) => return Ok(Some(id)),
                Err(err) if err.kind() == ErrorKind::Conflict && attempt < attempts => backoff(attempt),
                Err(err) => return Err(err),
            }
        }
    }
}

/// Sleep a random time that grows with the attempt: up to 5 ms after the first conflict, up to
/// 160 ms from the sixth on.
fn backoff(attempt: usize) {
    let ceiling = 5u64 << attempt.saturating_sub(1).min(5);
    // RandomState is seeded randomly per process and per instance: enough to spread writers.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_usize(attempt);
    let millis = hasher.finish() % (ceiling + 1);
    std::thread::sleep(Duration::from_millis(millis));
}

/// `refs/heads/<branch>` for `main` or `refs/heads/main`.
/// Check a branch name as relman's writers take it (`main` or `refs/heads/main`): a name git
/// accepts for a branch, not starting with `-` (it would read as an option to a `git` command).
/// `invalid_argument` otherwise.
///
/// ```
/// assert!(relman::git::check_branch("release/2026-12").is_ok());
/// for bad in ["", "-f", "a..b", "main:other", "a b", "x\ny"] {
///     assert!(relman::git::check_branch(bad).is_err(), "{bad:?}");
/// }
/// ```
pub fn check_branch(branch: &str) -> Result<()> {
    branch_ref(branch).map(|_| ())
}

fn branch_ref(branch: &str) -> Result<FullName> {
    let short = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    if short.is_empty() {
        return Err(invalid_argument("an empty branch name"));
    }
    if short.starts_with('-') {
        return Err(invalid_argument(format!(
            "`{branch}`: a branch name may not start with `-`"
        )));
    }
    FullName::try_from(format!("refs/heads/{short}"))
        .map_err(|e| invalid_argument(format!("`{branch}` is not a valid branch name: {}", describe(&e))))
}

/// A full commit id in hex.
fn commit_id(text: &str) -> Result<ObjectId> {
    let bad = || {
        invalid_argument(format!(
            "expected_head `{text}` is not a full commit id (40 hex digits): pass the snapshot's revision"
        ))
    };
    if text.len() != 40 {
        return Err(bad());
    }
    ObjectId::from_hex(text.as_bytes()).map_err(|_| bad())
}

/// The commit a branch points at.
fn read_branch(repo: &gix::Repository, name: &FullName, branch: &str) -> Result<ObjectId> {
    let reference = repo
        .try_find_reference(name.as_ref())
        .map_err(|e| broken(format!("cannot read branch `{branch}`: {}", describe(&e))))?
        .ok_or_else(|| not_found(format!("branch `{branch}` does not exist")))?;
    match reference.target() {
        gix::refs::TargetRef::Object(id) => Ok(id.to_owned()),
        gix::refs::TargetRef::Symbolic(to) => Err(invalid_argument(format!(
            "branch `{branch}` is a symbolic reference to `{to}`: name that branch instead"
        ))),
    }
}

/// Whether the work tree of `git_dir` has `branch` (a full ref name) checked out: its `HEAD`
/// names it, or a rebase of it is under way there (git detaches `HEAD` while rebasing, and
/// refuses to move the branch too).
fn has_checked_out(git_dir: &Path, branch: &str) -> bool {
    let read = |file: &str| std::fs::read_to_string(git_dir.join(file)).ok();
    let head = read("HEAD");
    let head = head
        .as_deref()
        .and_then(|h| h.trim().strip_prefix("ref:"))
        .map(str::trim);
    head == Some(branch)
        || ["rebase-merge/head-name", "rebase-apply/head-name"]
            .iter()
            .any(|file| read(file).is_some_and(|name| name.trim() == branch))
}

/// `branch_checked_out` when `name` is checked out (or being rebased) in the main work tree
/// (unless the repository is bare) or in a linked work tree.
fn refuse_checked_out(repo: &gix::Repository, name: &FullName, branch: &str) -> Result<()> {
    let target = name.as_bstr().to_string();
    let refuse = |work_tree: String| {
        Err(Error::new(
            ErrorKind::BranchCheckedOut,
            format!(
                "branch `{branch}` is checked out in the work tree at {work_tree}; moving it would leave that \
                 work tree stale: commit to a bare clone, or let git apply the plan's changes there"
            ),
        ))
    };
    let common = repo.common_dir();
    if !repo.is_bare() && has_checked_out(common, &target) {
        let work_tree = match common.file_name() {
            Some(n) if n == ".git" => common.parent().unwrap_or(common),
            _ => common,
        };
        return refuse(work_tree.display().to_string());
    }
    let linked = repo
        .worktrees()
        .map_err(|e| broken(format!("cannot list the linked work trees: {e}")))?;
    for proxy in linked {
        if has_checked_out(proxy.git_dir(), &target) {
            let work_tree = proxy.base().map_or_else(
                |_| proxy.git_dir().display().to_string(),
                |p| p.display().to_string(),
            );
            return refuse(work_tree);
        }
    }
    Ok(())
}

/// The changes' paths, normalised; `invalid_path` for an absolute path, `..`, an empty path
/// or a path given twice.
fn plan_paths(changes: &[FileChange]) -> Result<Vec<(String, &FileChange)>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let path = normalise_path(&change.path)?;
        if path.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                "a change with an empty path names no file",
            ));
        }
        if !seen.insert(path.clone()) {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                format!("`{path}` is changed twice in the plan"),
            ));
        }
        out.push((path, change));
    }
    Ok(out)
}

/// Check every change against the tree of `head`, and return the edits to make: each path
/// (a regular file, no symbolic link on the way), with its kind (mode kept) and new text.
/// Changes whose `after` equals their `before` are left out.
fn check_befores<'p>(
    tree: &TreeView<'_>,
    head: ObjectId,
    changes: &[(String, &'p FileChange)],
) -> Result<BTreeMap<String, (EntryKind, &'p str)>> {
    let mut edits: BTreeMap<String, (EntryKind, &'p str)> = BTreeMap::new();
    for (path, change) in changes {
        // Intermediate links are followed, to say where they lead; the last one is not.
        let entry = match tree.resolve(path, false)? {
            None => {
                return Err(Error::conflict(
                    format!(
                        "`{path}` does not exist at {head}: the plan was made on another commit; re-plan"
                    ),
                    head.to_string(),
                ));
            }
            Some(entry) => entry,
        };
        if entry.path != *path || entry.kind == EntryKind::Link {
            // A plan names real files: writing through a link could change a file of another
            // environment (DESIGN.md section 6).
            let real = match tree.resolve(path, true) {
                Ok(Some(real)) => format!(", which leads to `{}`", real.path),
                _ => String::new(),
            };
            return Err(Error::new(
                ErrorKind::InvalidPath,
                format!(
                    "`{path}` is or goes through a symbolic link{real}: relman never writes through a link; \
                     a plan names the real file (re-plan on a snapshot of this commit)"
                ),
            )
            .in_file(path.clone()));
        }
        if !matches!(entry.kind, EntryKind::Blob | EntryKind::BlobExecutable) {
            let what = if entry.kind == EntryKind::Tree {
                "a folder"
            } else {
                "a submodule"
            };
            return Err(Error::new(
                ErrorKind::InvalidPath,
                format!("`{path}` is {what} at {head}, not a file"),
            ));
        }
        if tree.blob(entry.id)? != change.before.as_bytes() {
            return Err(Error::conflict(
                format!(
                    "`{path}` at {head} is not the plan's `before`: the plan was made on another commit; re-plan"
                ),
                head.to_string(),
            ));
        }
        if change.before == change.after {
            continue;
        }
        edits.insert(entry.path, (entry.kind, change.after.as_str()));
    }
    Ok(edits)
}

/// Move `name` from `expected` to `new`, only if it still points at `expected` once locked.
fn move_branch(
    repo: &gix::Repository,
    name: &FullName,
    branch: &str,
    expected: ObjectId,
    new: ObjectId,
    committer: &gix::actor::Signature,
    summary: &str,
) -> Result<()> {
    let edit = RefEdit {
        change: Change::Update {
            log: LogChange {
                mode: RefLog::AndReference,
                force_create_reflog: false,
                message: format!("relman: {summary}").into(),
            },
            expected: PreviousValue::MustExistAndMatch(Target::Object(expected)),
            new: Target::Object(new),
        },
        name: name.clone(),
        deref: false,
    };
    let fail = gix::lock::acquire::Fail::AfterDurationWithBackoff(LOCK_TIMEOUT);
    let prepared = repo.refs.transaction().prepare([edit], fail, fail);
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(err) => {
            use gix::refs::file::transaction::prepare::Error as Prepare;
            return Err(match err {
                Prepare::ReferenceOutOfDate { actual, .. } => {
                    let actual = match actual {
                        Target::Object(id) => id.to_string(),
                        Target::Symbolic(name) => name.as_bstr().to_string(),
                    };
                    Error::conflict(
                        format!("branch `{branch}` moved to {actual} while committing: re-plan on {actual}"),
                        actual,
                    )
                }
                Prepare::MustExist { .. } => {
                    not_found(format!("branch `{branch}` was deleted while committing"))
                }
                Prepare::LockAcquire { .. } => {
                    let actual = read_branch(repo, name, branch)?;
                    Error::conflict(
                        format!(
                            "branch `{branch}` stayed locked by another writer for {}s (a stale `{}.lock` file?)",
                            LOCK_TIMEOUT.as_secs(),
                            name.as_bstr()
                        ),
                        actual.to_string(),
                    )
                }
                other => broken(format!("cannot lock branch `{branch}`: {}", describe(&other))),
            });
        }
    };
    let mut time = gix::date::parse::TimeBuf::default();
    prepared
        .commit(Some(committer.to_ref(&mut time)))
        .map_err(|e| broken(format!("cannot move branch `{branch}`: {}", describe(&e))))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Repository>();
    }

    #[test]
    fn branch_names_and_commit_ids_are_checked() {
        assert_eq!(branch_ref("main").unwrap().as_bstr(), "refs/heads/main");
        assert_eq!(
            branch_ref("refs/heads/team/x").unwrap().as_bstr(),
            "refs/heads/team/x"
        );
        for bad in ["", "refs/heads/", "a..b", "a b", "x.lock", "-x", "a~1", "a:b"] {
            assert!(branch_ref(bad).is_err(), "{bad:?} accepted");
        }
        assert!(commit_id("0123456789abcdef0123456789abcdef01234567").is_ok());
        for bad in ["HEAD", "0123456", "0123456789abcdef0123456789abcdef0123456z"] {
            assert!(commit_id(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn backoff_stays_short() {
        let start = std::time::Instant::now();
        backoff(1);
        assert!(start.elapsed() < Duration::from_millis(200));
    }
}
