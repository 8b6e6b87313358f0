//! The git adapter: snapshots at a revision, the release history, compare-and-swap commits
//! (core `relman::git`).
//!
//! Every call is synchronous and reads or writes git objects directly: no checkout, no index,
//! no work tree. Pushing and fetching stay the caller's job.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::arguments::whole_number;
use crate::error::{OrThrow, js_error};
use crate::options::{Checked, OptionKeys};
use crate::release::{History, ReleasePlan, Snapshot, plan_to_core};

/// A git repository holding a config repo.
///
/// ```js
/// const repo = Repository.open('/srv/config.git')
/// const head = repo.branchHead('main')
/// const snapshot = repo.snapshot(head)
/// const plan = planRelease(snapshot, { environment: 'production', image: 'acme/users:1.4.0' })
/// repo.commit(plan, { branch: 'main', expectedHead: snapshot.revision, author: 'Bot <bot@example.com>' })
/// ```
#[napi]
pub struct Repository {
    inner: relman::git::Repository,
}

/// Where and as whom `Repository.commit` writes.
#[napi(object, object_to_js = false)]
pub struct CommitOptions {
    /// The branch to move (`main` or `refs/heads/main`).
    pub branch: String,
    /// The full commit id the plan was made on (the snapshot's `revision`): the branch moves
    /// only if it still points there.
    pub expected_head: String,
    /// Author and committer, as `Name <email>`.
    pub author: String,
}

/// Options of `Repository.history`.
#[napi(object, object_to_js = false)]
pub struct HistoryOptions {
    /// Only the moves of this environment (default: every environment of `relman.yaml`).
    pub environment: Option<Option<String>>,
    /// Read at most this many commits of the walk (default 1,000; a whole number, 0 or more).
    pub limit: Option<Option<f64>>,
}

/// What `Repository.releaseWithRetry` does.
#[napi(object, object_to_js = false)]
pub struct ReleaseWithRetryOptions<'a> {
    /// The branch to release on.
    pub branch: String,
    /// Author and committer, as `Name <email>`.
    pub author: String,
    /// How many times to try in all (a whole number, at least 1; default 5).
    pub attempts: Option<Option<f64>>,
    /// Plans the release on a snapshot of the branch's head and the whole release history
    /// there, newest first: typically a call to `planRelease` or one plan of `planAutomation`.
    /// Called again after every conflict.
    #[napi(ts_type = "(snapshot: Snapshot, history: History) => ReleasePlan")]
    pub plan: Function<'a, FnArgs<(Snapshot, History)>, ReleasePlan>,
}

impl OptionKeys for CommitOptions {
    const KEYS: &'static [&'static str] = &["branch", "expectedHead", "author"];
}

impl OptionKeys for HistoryOptions {
    const KEYS: &'static [&'static str] = &["environment", "limit"];
}

impl OptionKeys for ReleaseWithRetryOptions<'_> {
    const KEYS: &'static [&'static str] = &["branch", "author", "attempts", "plan"];
}

#[napi]
impl Repository {
    /// Open the repository at `path`: a bare repository's folder, a work tree (its `.git` is
    /// used), or a `.git` folder. Parent folders are not searched; only the repository's own
    /// configuration is read.
    ///
    /// Throws `invalid_path` when `path` does not exist or is not a git repository.
    #[napi(factory)]
    pub fn open(env: &Env, path: String) -> Result<Repository> {
        let inner = relman::git::Repository::open(path).or_throw(env)?;
        Ok(Repository { inner })
    }

    /// The path the repository was opened with.
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.inner.path().to_string_lossy().into_owned()
    }

    /// The full id of the commit `branch` points at.
    ///
    /// Throws `not_found` when the branch does not exist, `invalid_argument` for a name git
    /// would refuse.
    #[napi]
    pub fn branch_head(&self, env: &Env, branch: String) -> Result<String> {
        self.inner.branch_head(&branch).or_throw(env)
    }

    /// The files of `relman.yaml` and of every environment path at revision `rev` (default
    /// `HEAD`; anything `git rev-parse` understands), read without a checkout. The snapshot's
    /// `revision` is the commit's full id, to pass as `expectedHead`.
    ///
    /// Throws `not_found` (a revision that does not resolve to a commit), `invalid_config`,
    /// `invalid_path` (a link leading outside the repository), `invalid_yaml` (a file that is
    /// not UTF-8), `corrupt_repository` (a missing or corrupt object).
    #[napi]
    pub fn snapshot(&self, env: &Env, rev: Option<String>) -> Result<Snapshot> {
        let inner = self
            .inner
            .snapshot(rev.as_deref().unwrap_or("HEAD"))
            .or_throw(env)?;
        Ok(Snapshot { inner })
    }

    /// The pointer history of the first-parent walk from `rev` (default `HEAD`), newest first,
    /// read from the trees: for each of the `limit` (default 1,000) newest commits, the slots
    /// of `environment` (of every environment when not given) whose image changed. A commit's
    /// `Relman-*` trailers annotate its moves only when they agree with what it changed
    /// (otherwise `warnings` says `record_mismatch`). Pass it as `history` to `planRelease`.
    ///
    /// Throws as `snapshot` does for `rev`.
    #[napi]
    pub fn history(
        &self,
        env: &Env,
        rev: Option<String>,
        #[napi(ts_arg_type = "HistoryOptions | undefined | null")] options: Option<Checked<HistoryOptions>>,
    ) -> Result<History> {
        let (environment, limit) = match options {
            Some(Checked(o)) => (o.environment.flatten(), o.limit.flatten()),
            None => (None, None),
        };
        let limit = match limit {
            // The range is what a usize holds: the conversion is exact.
            Some(n) => whole_number(env, n, relman::git::HISTORY_LIMITS, "limit")? as usize,
            None => relman::git::HISTORY_LIMIT,
        };
        let inner = self
            .inner
            .history(rev.as_deref().unwrap_or("HEAD"), environment.as_deref(), limit)
            .or_throw(env)?;
        Ok(History { inner })
    }

    /// Commit `plan` on `branch` if the branch still points at `expectedHead`, and return the
    /// new commit's id (or `expectedHead` when the plan changes nothing). The branch moves by
    /// compare-and-swap; on any error it does not move.
    ///
    /// Throws `conflict` when the branch has moved (`actualHead` says where: re-plan on it) or
    /// the plan was made on other files; `branch_checked_out` when the branch is checked out
    /// in a non-bare work tree (use a bare clone); `invalid_path` for a change path that is
    /// absolute or climbs out; `not_found` for an unknown branch; `invalid_argument` for a
    /// malformed author, branch name or `expectedHead`; `corrupt_repository` for a repository
    /// error.
    #[napi]
    pub fn commit(
        &self,
        env: &Env,
        plan: ReleasePlan,
        #[napi(ts_arg_type = "CommitOptions")] options: Checked<CommitOptions>,
    ) -> Result<String> {
        let Checked(options) = options;
        let plan = plan_to_core(env, &plan)?;
        self.inner
            .commit(&plan, &options.branch, &options.expected_head, &options.author)
            .or_throw(env)
    }

    /// Release with compare-and-swap and re-planning: read the branch's head, take a snapshot
    /// and the history there, call `plan`, and commit its result. When another writer moved
    /// the branch meanwhile (`conflict`), start again on the new head, up to `attempts` times
    /// in all, pausing a few milliseconds between attempts (the call blocks meanwhile).
    ///
    /// Returns the new commit's id, or `null` when the plan changes nothing. An exception
    /// thrown by `plan` ends the loop and is rethrown as is; after the last attempt the last
    /// `conflict` is thrown.
    #[napi]
    pub fn release_with_retry(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "ReleaseWithRetryOptions")] options: Checked<ReleaseWithRetryOptions>,
    ) -> Result<Option<String>> {
        let Checked(options) = options;
        let attempts = match options.attempts.flatten() {
            // The range is what a usize holds: the conversion is exact.
            Some(n) => whole_number(env, n, relman::git::ATTEMPTS, "attempts")? as usize,
            None => relman::git::DEFAULT_ATTEMPTS,
        };
        // An error of the JavaScript side (the callback threw, or returned something that is
        // not a plan) stops core's loop and is rethrown unchanged.
        let mut thrown: Option<Error> = None;
        let callback = &options.plan;
        let result =
            self.inner
                .release_with_retry(&options.branch, &options.author, attempts, |snapshot, history| {
                    let args = (
                        Snapshot {
                            inner: snapshot.clone(),
                        },
                        History {
                            inner: history.clone(),
                        },
                    );
                    match callback
                        .call(args.into())
                        .and_then(|plan| plan_to_core(env, &plan))
                    {
                        Ok(plan) => Ok(plan),
                        Err(e) => {
                            thrown = Some(e);
                            Err(relman::Error::new(
                                relman::ErrorKind::Internal,
                                "the plan callback failed",
                            ))
                        }
                    }
                });
        match (result, thrown) {
            (_, Some(e)) => Err(e),
            (Ok(id), None) => Ok(id),
            (Err(e), None) => Err(js_error(env, e)),
        }
    }
}

/// The snapshot of revision `rev` (default `HEAD`) of the repository at `path`: see
/// `Repository.snapshot`.
pub(crate) fn snapshot(env: &Env, path: String, rev: Option<String>) -> Result<Snapshot> {
    let inner = relman::git::snapshot(path, rev.as_deref().unwrap_or("HEAD")).or_throw(env)?;
    Ok(Snapshot { inner })
}
