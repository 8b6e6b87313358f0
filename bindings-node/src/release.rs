//! Releases: catalog, snapshot, planner and the plans it returns (core `relman::release`).

use indexmap::IndexMap;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use relman::release as core;
use serde::{Deserialize, Serialize};

use crate::arguments::{Time, now, services, timestamp};
use crate::error::OrThrow;
use crate::options::{Checked, OptionKeys};
use crate::{from_js, to_js};

/// One tag of a repository, as a catalog holds it.
#[napi(object, use_nullable = true)]
#[derive(Serialize, Deserialize)]
pub struct ImageInfo {
    /// The tag.
    pub tag: String,
    /// The manifest digest (`sha256:...`), when known.
    pub digest: Option<String>,
    /// When the image was created (RFC 3339), when known.
    pub created: Option<String>,
}

/// One tag of a repository, as given to relman: `created` is an RFC 3339 string or a `Date`.
#[napi(object, object_to_js = false)]
pub struct ImageInfoInput<'a> {
    /// The tag.
    pub tag: String,
    /// The manifest digest (`sha256:...`), when known.
    pub digest: Option<Option<String>>,
    /// When the image was created, when known (needed by `glob:`/`regex:` ordering).
    #[napi(ts_type = "string | Date | null")]
    pub created: Option<Option<Time<'a>>>,
}

impl OptionKeys for ImageInfoInput<'_> {
    const KEYS: &'static [&'static str] = &["tag", "digest", "created"];
}

/// The core image info of an input. A `created` string goes through core's parser
/// (`invalid_catalog` when it is not RFC 3339).
pub(crate) fn image_info(env: &Env, input: ImageInfoInput) -> Result<core::ImageInfo> {
    let mut info = core::ImageInfo::new(input.tag);
    if let Some(digest) = input.digest.flatten() {
        info = info.with_digest(digest);
    }
    match input.created.flatten() {
        None => Ok(info),
        Some(Either::A(text)) => info.with_created_str(&text).or_throw(env),
        Some(date) => Ok(info.with_created(timestamp(env, date, "created")?)),
    }
}

/// What the registry offers, as the caller tells it: per repository, tags with an optional
/// digest and creation time. Repositories match by normalised name, so `nginx` and
/// `docker.io/library/nginx` are the same repository.
///
/// ```js
/// const catalog = new Catalog()
/// catalog.add('acme/users', '1.4.0', { created: '2026-11-01T10:00:00Z' })
/// ```
#[napi]
pub struct Catalog {
    inner: core::Catalog,
}

/// The optional parts of a catalog entry.
#[napi(object, object_to_js = false)]
pub struct CatalogEntry<'a> {
    /// The manifest digest (`sha256:...`).
    pub digest: Option<Option<String>>,
    /// When the image was created: an RFC 3339 string or a `Date`.
    #[napi(ts_type = "string | Date | null")]
    pub created: Option<Option<Time<'a>>>,
}

impl OptionKeys for CatalogEntry<'_> {
    const KEYS: &'static [&'static str] = &["digest", "created"];
}

impl Catalog {
    /// The JavaScript catalog of a core catalog (what a `Registry` returns).
    pub(crate) fn from_core(inner: core::Catalog) -> Catalog {
        Catalog { inner }
    }
}

#[napi]
impl Catalog {
    /// An empty catalog.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Catalog {
        Catalog {
            inner: core::Catalog::new(),
        }
    }

    /// Add a tag to `repository` (an image name without tag, such as `acme/users`). A tag
    /// added twice replaces the earlier entry.
    ///
    /// Throws `invalid_catalog` for an invalid repository, tag, digest or creation time.
    #[napi]
    pub fn add(
        &mut self,
        env: &Env,
        repository: String,
        tag: String,
        #[napi(ts_arg_type = "CatalogEntry | undefined | null")] entry: Option<Checked<CatalogEntry>>,
    ) -> Result<()> {
        let (digest, created) = entry.map_or((None, None), |Checked(e)| (e.digest, e.created));
        let info = image_info(env, ImageInfoInput { tag, digest, created })?;
        self.inner.add(&repository, info).or_throw(env)
    }

    /// The tags of a repository (matched by normalised name), in the order they were added.
    #[napi]
    pub fn images(&self, env: &Env, repository: String) -> Result<Vec<ImageInfo>> {
        to_js(env, &self.inner.images(&repository))
    }

    /// The number of repositories.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }
}

/// The files of a config repo at one moment: `relman.yaml` and the YAML of every environment,
/// by repo-relative path.
///
/// ```js
/// const snapshot = Snapshot.fromFiles({ 'relman.yaml': config, 'envs/staging/users.yaml': users })
/// ```
#[napi]
pub struct Snapshot {
    pub(crate) inner: core::Snapshot,
}

#[napi]
impl Snapshot {
    /// A snapshot from an object of path to text. Paths are normalised (`./a//b` is `a/b`).
    ///
    /// Throws `invalid_path` for an absolute path, a path with `..`, or a path given twice.
    #[napi(factory)]
    pub fn from_files(env: &Env, files: IndexMap<String, String>) -> Result<Snapshot> {
        let inner = core::Snapshot::from_files(files).or_throw(env)?;
        Ok(Snapshot { inner })
    }

    /// Read the config repo in the folder `path` by the rules of `fromGit`: `relman.yaml`
    /// first, then the `.yaml`/`.yml`/`Kustomization` files of every environment path (the
    /// whole folder without `relman.yaml`; hidden folders such as `.git`, `node_modules` and
    /// `target` skipped) and what their kustomizations reach; nothing else is opened. Only
    /// regular files are opened. Symbolic links are followed within `path`: each file is kept
    /// once under its real path, each link as a link (`links`).
    ///
    /// Throws `invalid_path` (unreadable; a FIFO, socket or device where a file is read; a
    /// link leading outside, looping or leading nowhere; a file name that is not UTF-8),
    /// `invalid_config`, `invalid_yaml` (a file that is not UTF-8).
    #[napi(factory)]
    pub fn from_dir(env: &Env, path: String) -> Result<Snapshot> {
        let inner = core::Snapshot::from_dir(path).or_throw(env)?;
        Ok(Snapshot { inner })
    }

    /// The files of `relman.yaml` and of every environment path at revision `rev` (default
    /// `HEAD`) of the git repository at `path`, read from git objects without a checkout;
    /// `revision` is the commit's full id. Same as `Repository.open(path).snapshot(rev)`.
    ///
    /// Throws `invalid_path` (not a repository), `not_found` (an unknown revision),
    /// `invalid_config`, `invalid_yaml`, `corrupt_repository`.
    #[napi(factory)]
    pub fn from_git(env: &Env, path: String, rev: Option<String>) -> Result<Snapshot> {
        crate::git::snapshot(env, path, rev)
    }

    /// The repositories the managed image slots of every environment reference, as the
    /// environments render them, by normalised name (`nginx` is `docker.io/library/nginx`),
    /// sorted, each once: what to ask a `Registry` for.
    ///
    /// Throws what planning throws (`invalid_config`, `invalid_yaml`, `duplicate_resource`...).
    #[napi]
    pub fn repositories(&self, env: &Env) -> Result<Vec<String>> {
        self.inner.repositories().or_throw(env)
    }

    /// The revision (commit id) the snapshot was taken at: set by `fromGit` and
    /// `withRevision`, else `null`. Pass it as `expectedHead` when committing a plan.
    #[napi(getter)]
    pub fn revision(&self) -> Option<&str> {
        self.inner.revision()
    }

    /// The same snapshot, marked as taken at `revision` (a commit id).
    #[napi]
    pub fn with_revision(&self, revision: String) -> Snapshot {
        Snapshot {
            inner: self.inner.clone().with_revision(revision),
        }
    }

    /// The text of one file (by normalised repo-relative path, links followed), or `null`.
    #[napi]
    pub fn get(&self, path: String) -> Option<&str> {
        self.inner.get(&path)
    }

    /// The real path of the file at `path` (itself, or where the symbolic links on it lead),
    /// or `null` when the snapshot has no such file.
    #[napi]
    pub fn resolve(&self, path: String) -> Option<&str> {
        self.inner.resolve(&path)
    }

    /// Every path, sorted: real paths, a file reached through links is listed once.
    #[napi(getter)]
    pub fn paths(&self) -> Vec<&str> {
        self.inner.files().map(|(p, _)| p).collect()
    }

    /// The symbolic links the snapshot was read through: the link's path to the real path of
    /// the file or folder it leads to (empty for `fromFiles`).
    #[napi(getter)]
    pub fn links(&self) -> IndexMap<String, String> {
        self.inner
            .links()
            .map(|(l, t)| (l.to_string(), t.to_string()))
            .collect()
    }
}

/// The outcome for one workload: core's `Status`.
#[napi(string_enum = "snake_case")]
pub enum Status {
    Success,
    Skipped,
    Ignored,
    Failed,
}

/// Why a workload (or container) did not move, or, for `lock_expired`, a note on a success:
/// core's `Reason`.
#[napi(string_enum = "snake_case")]
pub enum Reason {
    NotIncluded,
    Excluded,
    Ignored,
    Locked,
    EnvironmentLocked,
    LockExpired,
    NotFound,
    DifferentImage,
    UpToDate,
    NoMatchingImage,
    OutsideFilter,
    WouldDowngrade,
    MissingTimestamp,
    FutureTimestamp,
    MissingDigest,
    NotAutomated,
    EnvironmentManual,
    NotPromoted,
    NoPreviousRelease,
    AmbiguousSource,
    UnsupportedYaml,
    SharedFile,
}

/// Why a release happens, as recorded in the `Relman-Cause` trailer: core's `ReleaseKind`.
#[napi(string_enum = "snake_case")]
pub enum ReleaseKind {
    Manual,
    Automated,
    Promotion,
    Rollback,
    Adopted,
}

/// Why a pointer moved: core's `MoveCause`.
#[napi(string_enum = "snake_case")]
pub enum MoveCause {
    Manual,
    Automated,
    Promotion,
    Rollback,
    Adopted,
    Unrecorded,
}

/// How one container compares with what the cluster runs: core's `DriftStatus`.
#[napi(string_enum = "snake_case")]
pub enum DriftStatus {
    InSync,
    Drifted,
    MissingInCluster,
    NotInRepo,
}

/// Where a history came from: the trees of commits, or commit messages (the weaker mode).
#[napi(string_enum = "snake_case")]
pub enum HistorySource {
    Trees,
    Messages,
}

/// One image pointer that moves.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct ContainerUpdate {
    /// The container (or HelmRelease slot) name.
    pub container: String,
    /// The image before.
    pub from: String,
    /// The image after.
    pub to: String,
}

/// Why one container of a workload did not move.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct ContainerSkip {
    /// The container (or HelmRelease slot) name.
    pub container: String,
    /// Why.
    #[napi(ts_type = "Reason")]
    pub reason: String,
    /// In words.
    pub message: String,
}

/// The outcome for one workload.
#[napi(object, use_nullable = true)]
#[derive(Serialize, Deserialize)]
pub struct WorkloadResult {
    /// `namespace:kind/name`, or the name given when it was not found.
    pub workload: String,
    /// The outcome.
    #[napi(ts_type = "Status")]
    pub status: String,
    /// Why, for every status but a plain success.
    #[napi(ts_type = "Reason")]
    pub reason: Option<String>,
    /// In words.
    pub message: String,
    /// The pointers that move.
    pub updates: Vec<ContainerUpdate>,
    /// The containers that do not move, each with its reason.
    pub skipped: Vec<ContainerSkip>,
    /// The file the workload is defined in.
    pub path: Option<String>,
}

/// One file that changes.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct FileChange {
    /// Repo-relative path.
    pub path: String,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
}

/// A planned release: nothing is written until the caller commits `changes` (with
/// `Repository.commit`, or with its own git).
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct ReleasePlan {
    /// The environment released into.
    pub environment: String,
    /// Why.
    #[napi(ts_type = "ReleaseKind")]
    pub kind: String,
    /// One result per workload of the environment (and per named workload not found).
    pub results: Vec<WorkloadResult>,
    /// The files that change, sorted by path.
    pub changes: Vec<FileChange>,
    /// The commit message: a summary line, a body listing the changes, `Relman-*` trailers.
    pub commit_message: String,
    /// What relman read around rather than through, such as a remote kustomize resource or
    /// a `patches:` key that may change images.
    pub warnings: Vec<String>,
    /// Whether the plan changes nothing (no file changes).
    #[serde(default)]
    pub is_noop: bool,
    /// The revision of the snapshot the plan was made on (`null` without one):
    /// `Repository.commit` refuses (`conflict`) to commit the plan on any other commit.
    #[napi(ts_type = "string | null")]
    pub revision: Option<String>,
}

impl ReleasePlan {
    /// The declaration of a core plan (`isNoop` is core's `is_noop()`).
    pub(crate) fn from_core(env: &Env, plan: &core::ReleasePlan) -> Result<ReleasePlan> {
        let is_noop = plan.is_noop();
        Ok(ReleasePlan {
            is_noop,
            ..to_js(env, plan)?
        })
    }
}

/// A release request for `planRelease`.
#[napi(object, object_to_js = false)]
pub struct ReleaseOptions<'a> {
    /// The environment to release into.
    pub environment: String,
    /// `'all'` (the default), one service name or workload id, or a list of them
    /// (`users`, `prod:deployment/users`, `deployment/users`).
    #[napi(ts_type = "'all' | string | Array<string> | null")]
    pub services: Option<Option<Either<String, Vec<String>>>>,
    /// `'latest'` (the default: the newest image each container's filter allows), an exact
    /// image reference, `'promote'` (copy the pointers of the `promoteFrom` environment),
    /// `'rollback'` (the pointer before the current one, from the history) or `'observed'`
    /// (adopt what the cluster runs, from `observed`; see `drift`).
    pub image: Option<Option<String>>,
    /// With `image: 'observed'` only: the text `kubectl get ... -o yaml` (or `-o json`) printed.
    /// The drifted containers take their running images. Given with another image, or missing
    /// with `'observed'`, it throws `invalid_argument`.
    pub observed: Option<Option<String>>,
    /// Services or workload ids left out.
    pub exclude: Option<Option<Vec<String>>>,
    /// Bypass workload locks, filters and the promotion gate for workloads named explicitly.
    /// Never an environment lock on its own: see `overrideEnvironmentLock`.
    pub force: Option<Option<bool>>,
    /// With `force`, release despite an active environment lock: the only way past one (no text
    /// in `message` does it). Without `force` it throws `invalid_argument`.
    pub override_environment_lock: Option<Option<bool>>,
    /// Lock the released workloads in the same commit; by default only rollbacks and adoptions
    /// (`image: 'observed'`) lock.
    pub lock: Option<Option<bool>>,
    /// Who asks (`Name <email>` or any one-line user string), recorded in `Relman-User`: a
    /// control, line-break or separator character, or an empty or whitespace-padded value,
    /// throws `invalid_argument`.
    pub user: Option<Option<String>>,
    /// Why, written into the commit message body (before relman's own trailers; no NUL).
    pub message: Option<Option<String>>,
    /// What the registry offers (default: an empty catalog).
    pub catalog: Option<Option<ClassInstance<'a, Catalog>>>,
    /// The release history: a `History` (from `Repository.history` or `History.fromCommits`)
    /// or, the weaker mode, commit messages and records, newest first. Rollback and the
    /// promotion gate read it.
    #[napi(ts_type = "History | Array<string | ReleaseRecord> | null")]
    pub history: Option<Option<HistoryOption<'a>>>,
    /// The time to plan at (lock expiry): an RFC 3339 string or a `Date`; default now.
    #[napi(ts_type = "string | Date | null")]
    pub now: Option<Option<Time<'a>>>,
}

impl OptionKeys for ReleaseOptions<'_> {
    const KEYS: &'static [&'static str] = &[
        "environment",
        "services",
        "image",
        "observed",
        "exclude",
        "force",
        "overrideEnvironmentLock",
        "lock",
        "user",
        "message",
        "catalog",
        "history",
        "now",
    ];
}

/// Inputs of `planAutomation`.
#[napi(object, object_to_js = false)]
pub struct AutomationOptions<'a> {
    /// What the registry offers (default: an empty catalog).
    pub catalog: Option<Option<ClassInstance<'a, Catalog>>>,
    /// The release history: a `History`, or commit messages and records (the weaker mode).
    #[napi(ts_type = "History | Array<string | ReleaseRecord> | null")]
    pub history: Option<Option<HistoryOption<'a>>>,
    /// The time to plan at: an RFC 3339 string or a `Date`; default now.
    #[napi(ts_type = "string | Date | null")]
    pub now: Option<Option<Time<'a>>>,
}

impl OptionKeys for AutomationOptions<'_> {
    const KEYS: &'static [&'static str] = &["catalog", "history", "now"];
}

/// A `history` option: a `History`, or commit messages and records (the weaker mode).
type HistoryOption<'a> = Either<ClassInstance<'a, History>, Vec<Either<String, ReleaseRecord>>>;

fn history(env: &Env, value: Option<HistoryOption<'_>>) -> Result<core::History> {
    match value {
        None => Ok(core::History::new()),
        Some(Either::A(history)) => Ok(history.inner.clone()),
        Some(Either::B(items)) => crate::arguments::history(env, items),
    }
}

/// One slot's pointer changing in one commit of the history.
#[napi(object, use_nullable = true)]
#[derive(Serialize, Deserialize)]
pub struct PointerMove {
    /// The commit's id, or `null` when the history was not read from commits with ids.
    pub commit: Option<String>,
    /// The environment.
    pub environment: String,
    /// `namespace:kind/name`.
    pub workload: String,
    /// The container (or HelmRelease or marker slot) name.
    pub container: String,
    /// The image before; `null` when the slot appeared in this commit.
    pub from: Option<String>,
    /// The image after; `null` when the slot went away in this commit.
    pub to: Option<String>,
    /// `'manual' | 'automated' | 'promotion' | 'rollback'` when a record agreeing with the
    /// move says so, else `'unrecorded'` (a hand edit, a merge, a `git revert`).
    #[napi(ts_type = "MoveCause")]
    pub cause: String,
    /// `Relman-User` of the agreeing record.
    pub user: Option<String>,
    /// Whether the agreeing record locked the workload.
    pub locked: bool,
}

/// One commit given to `History.fromCommits`.
#[napi(object, object_to_js = false)]
pub struct HistoryCommit<'a> {
    /// The commit message.
    pub message: String,
    /// The files after the commit.
    pub snapshot: ClassInstance<'a, Snapshot>,
}

impl OptionKeys for HistoryCommit<'_> {
    const KEYS: &'static [&'static str] = &["message", "snapshot"];
}

/// The pointer history of environments, newest first: read from the trees of commits
/// (`Repository.history`, `History.fromCommits`), where a commit's `Relman-*` trailers only
/// annotate the moves it really made, or believed from commit messages
/// (`History.fromMessages`, the weaker mode).
#[napi]
pub struct History {
    pub(crate) inner: core::History,
}

#[napi]
impl History {
    /// The trusted mode without git: `commits`, newest first, each the first parent of the one
    /// before, with the files after it; `base` is the snapshot before the oldest (`null`: an
    /// empty repository, as before a root commit).
    ///
    /// Throws as planning does for a snapshot that does not read.
    #[napi(factory)]
    pub fn from_commits(
        env: &Env,
        #[napi(ts_arg_type = "Array<HistoryCommit>")] commits: Vec<Checked<HistoryCommit>>,
        base: Option<&Snapshot>,
    ) -> Result<History> {
        let pairs: Vec<(String, core::Snapshot)> = commits
            .into_iter()
            .map(|Checked(c)| (c.message, c.snapshot.inner.clone()))
            .collect();
        let inner = core::History::from_commits(pairs, base.map(|b| b.inner.clone())).or_throw(env)?;
        Ok(History { inner })
    }

    /// The weaker mode: a history believed from commit messages (or records), newest first.
    /// Hand edits and `git revert` are invisible to it, and a forged message is believed.
    #[napi(factory)]
    pub fn from_messages(
        env: &Env,
        #[napi(ts_arg_type = "Array<string | ReleaseRecord>")] messages: Vec<Either<String, ReleaseRecord>>,
    ) -> Result<History> {
        let inner = crate::arguments::history(env, messages)?;
        Ok(History { inner })
    }

    /// Every move, newest first.
    #[napi(getter)]
    pub fn moves(&self, env: &Env) -> Result<Vec<PointerMove>> {
        to_js(env, &self.inner.moves())
    }

    /// Commits whose trailers disagreed with their changes (`record_mismatch: ...`), and where
    /// the walk stopped early.
    #[napi(getter)]
    pub fn warnings(&self) -> Vec<String> {
        self.inner.warnings().to_vec()
    }

    /// `'trees'` or `'messages'`.
    #[napi(getter, ts_return_type = "HistorySource")]
    pub fn source(&self) -> &'static str {
        self.inner.source().code()
    }

    /// Whether the walk reached the first commit.
    #[napi(getter)]
    pub fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// The pointer a rollback of one slot goes to, or `null`.
    #[napi]
    pub fn previous(
        &self,
        environment: String,
        workload: String,
        container: String,
        current: String,
    ) -> Option<String> {
        self.inner.previous(&environment, &workload, &container, &current)
    }
}

/// Plan a release (a pure decision: nothing is written). One result per workload of the
/// environment, the file changes, a commit message, and whether anything changes. Nothing to
/// do is not an error: the results say why, per workload.
///
/// Throws `invalid_argument` (checked first: a user, environment, service or exclude entry
/// holding a control, line-break or separator character; `overrideEnvironmentLock` without
/// `force`; `image: 'observed'` without `observed`, or `observed` with another image),
/// `unknown_environment`, `invalid_config` (relman.yaml), `invalid_yaml` and
/// `duplicate_resource` (the environment's files, or an `observed` text that is not kubectl's
/// output, located in `<observed>`), `invalid_filter`,
/// `invalid_image_reference` (an exact `image`).
///
/// ```js
/// const plan = planRelease(snapshot, { environment: 'staging', image: 'acme/users:1.4.0', user: 'alice' })
/// if (!plan.isNoop) console.log(plan.commitMessage)
/// ```
#[napi]
pub fn plan_release(
    env: &Env,
    snapshot: &Snapshot,
    #[napi(ts_arg_type = "ReleaseOptions")] options: Checked<ReleaseOptions>,
) -> Result<ReleasePlan> {
    let Checked(options) = options;
    let mut spec = core::ReleaseSpec::new(options.environment);
    if let Some(value) = options.services.flatten() {
        spec = spec.services(services(value));
    }
    let image = options.image.flatten();
    let image = image.as_deref().unwrap_or("latest");
    spec = spec.image(core::ImageSpec::parse_with(image, options.observed.flatten()).or_throw(env)?);
    if let Some(exclude) = options.exclude.flatten() {
        spec = spec.exclude(exclude);
    }
    spec = spec.force(options.force.flatten().unwrap_or(false));
    spec = spec.override_environment_lock(options.override_environment_lock.flatten().unwrap_or(false));
    if let Some(lock) = options.lock.flatten() {
        spec = spec.lock(lock);
    }
    spec = spec.cause(options.user.flatten(), options.message.flatten());
    let empty = core::Catalog::new();
    let catalog = options.catalog.flatten();
    let catalog = catalog.as_ref().map_or(&empty, |c| &c.inner);
    let history = history(env, options.history.flatten())?;
    let now = now(env, options.now.flatten())?;
    let plan = core::plan_release(&snapshot.inner, &spec, catalog, &history, now).or_throw(env)?;
    ReleasePlan::from_core(env, &plan)
}

/// Plan automation: for every environment of `relman.yaml`, in file order, a plan that
/// releases the newest allowed image to every automated, unlocked workload. A manual
/// environment gives a no-op plan whose results say `environment_manual`.
///
/// Throws `invalid_config`, `invalid_yaml`, `duplicate_resource`, `invalid_filter`,
/// `invalid_argument` (a `now` that is not a time).
#[napi]
pub fn plan_automation(
    env: &Env,
    snapshot: &Snapshot,
    #[napi(ts_arg_type = "AutomationOptions | undefined | null")] options: Option<Checked<AutomationOptions>>,
) -> Result<Vec<ReleasePlan>> {
    let (catalog, messages, time) = match options {
        Some(Checked(o)) => (o.catalog.flatten(), o.history.flatten(), o.now.flatten()),
        None => (None, None, None),
    };
    let empty = core::Catalog::new();
    let catalog = catalog.as_ref().map_or(&empty, |c| &c.inner);
    let plans = core::plan_automation(
        &snapshot.inner,
        catalog,
        &history(env, messages)?,
        now(env, time)?,
    )
    .or_throw(env)?;
    plans.iter().map(|p| ReleasePlan::from_core(env, p)).collect()
}

/// One pointer move recorded in a `Relman-Change` trailer.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct RecordedChange {
    /// `namespace:kind/name`.
    pub workload: String,
    /// Container (or HelmRelease slot) name.
    pub container: String,
    /// The image before.
    pub from: String,
    /// The image after.
    pub to: String,
}

/// The machine-readable part of a release commit: its `Relman-*` trailers.
#[napi(object, use_nullable = true)]
#[derive(Serialize, Deserialize)]
pub struct ReleaseRecord {
    /// `Relman-Environment`.
    pub environment: String,
    /// `Relman-Cause`.
    #[napi(ts_type = "ReleaseKind")]
    pub kind: String,
    /// `Relman-User`, when given.
    pub user: Option<String>,
    /// Every `Relman-Change`.
    pub changes: Vec<RecordedChange>,
    /// Every `Relman-Lock`: workloads locked by this release.
    pub locked: Vec<String>,
}

/// Read the `Relman-*` trailers of a commit message written by relman. Strict: the last
/// paragraph must be exactly relman's trailer block (`Relman-Environment`, `Relman-Cause`, at
/// most one `Relman-User`, then `Relman-Change` and `Relman-Lock` lines, each value well formed)
/// and nothing else; any other message, or any other line in that paragraph, gives `null`.
#[napi]
pub fn parse_release_record(env: &Env, message: String) -> Result<Option<ReleaseRecord>> {
    to_js(env, &core::ReleaseRecord::parse(&message))
}

/// The core plan of a plan JavaScript handed back (to commit it): a status, reason or kind
/// outside core's vocabularies is `invalid_argument`.
pub(crate) fn plan_to_core(env: &Env, plan: &ReleasePlan) -> Result<core::ReleasePlan> {
    from_js(env, plan, "plan")
}

/// One container compared by `drift`.
#[napi(object, use_nullable = true)]
#[derive(Serialize, Deserialize)]
pub struct DriftEntry {
    /// The repo's workload id (a HelmRelease's for the containers its release runs); for
    /// `not_in_repo`, the live object's id.
    pub workload: String,
    /// The repo's container (or HelmRelease slot) name; for `not_in_repo`, the live container's.
    pub container: String,
    /// How they compare.
    #[napi(ts_type = "DriftStatus")]
    pub status: String,
    /// The image the repo renders for the container; `null` for `not_in_repo`.
    pub repo_image: Option<String>,
    /// The image the cluster runs, as kubectl printed it; `null` for `missing_in_cluster`.
    pub running_image: Option<String>,
    /// The live object compared (`namespace:kind/name`), or `null`.
    pub live_workload: Option<String>,
    /// The live container compared, or `null`.
    pub live_container: Option<String>,
    /// The repo file that defines the workload; `null` for `not_in_repo`.
    pub path: Option<String>,
    /// Why, in words.
    pub message: String,
}

/// What `drift` found: one entry per container compared, in the order the repo lists its
/// workloads, then the live containers the repo does not have.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct DriftReport {
    /// The environment compared.
    pub environment: String,
    /// The containers compared.
    pub entries: Vec<DriftEntry>,
    /// What was not compared and why, and the environment's own warnings.
    pub warnings: Vec<String>,
    /// Whether any entry is not `in_sync`.
    #[serde(default)]
    pub is_drifted: bool,
}

/// Inputs of `drift`.
#[napi(object, object_to_js = false)]
pub struct DriftOptions {
    /// The environment to compare.
    pub environment: String,
    /// The text `kubectl get <kinds> -o yaml` (or `-o json`) printed: a `List`, one object, or a
    /// stream of them.
    pub observed: String,
}

impl OptionKeys for DriftOptions {
    const KEYS: &'static [&'static str] = &["environment", "observed"];
}

/// Compare what the cluster runs with what the repo renders for an environment (pure: relman
/// never talks to the cluster). Per workload and container of the environment (namespaces,
/// kustomize overlays and HelmRelease values as the repo renders them): `in_sync`, `drifted`,
/// `missing_in_cluster`; live workloads of the environment's namespaces that the repo does not
/// have: `not_in_repo`. Images compare as the kubelet runs them (`repo:tag@digest` running is in
/// sync with `repo:tag`).
///
/// Throws `unknown_environment`, `invalid_config`, `invalid_yaml` (the environment's files, or an
/// `observed` text that does not parse or is not kubectl's output, located in `<observed>`),
/// `duplicate_resource`.
///
/// ```js
/// const report = drift(snapshot, { environment: 'production', observed: kubectlOutput })
/// for (const e of report.entries) if (e.status !== 'in_sync') console.log(e.workload, e.status)
/// ```
#[napi]
pub fn drift(
    env: &Env,
    snapshot: &Snapshot,
    #[napi(ts_arg_type = "DriftOptions")] options: Checked<DriftOptions>,
) -> Result<DriftReport> {
    let Checked(options) = options;
    let report = core::drift(&snapshot.inner, &options.environment, &options.observed).or_throw(env)?;
    let is_drifted = report.is_drifted();
    Ok(DriftReport {
        is_drifted,
        ..to_js(env, &report)?
    })
}
