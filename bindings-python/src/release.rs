//! Releases (core: `relman::release`): `Snapshot`, `Catalog`, `ImageInfo`, `plan_release`,
//! `plan_automation`, the `ReleasePlan` they return and the `ReleaseRecord`s of the history.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyString};

use crate::config::PyConfig;
use crate::convert::{list, record, repr, strings, time_text};
use crate::error::IntoPyResult;
use crate::image::PyImageRef;

use relman::release::{
    Catalog, ContainerSkip, ContainerUpdate, DriftEntry, DriftReport, FileChange, History, HistoryEntry,
    ImageInfo, ImageSpec, PointerMove, RecordedChange, ReleasePlan, ReleaseRecord, ReleaseSpec, Services,
    Snapshot, WorkloadResult,
};

/// The files of a config repo at one moment: ``relman.yaml`` and the YAML of every
/// environment, by repo-relative path. Immutable; compared by value.
#[pyclass(frozen, eq, module = "relman", name = "Snapshot")]
#[derive(PartialEq)]
pub struct PySnapshot {
    pub(crate) inner: Snapshot,
}

impl From<Snapshot> for PySnapshot {
    fn from(inner: Snapshot) -> Self {
        PySnapshot { inner }
    }
}

#[pymethods]
impl PySnapshot {
    /// A snapshot from a mapping of repo-relative path to text (or an iterable of
    /// ``(path, text)`` pairs). Paths are normalised; an absolute path, a path with ``..`` or a
    /// path given twice raises :class:`InvalidPath`.
    #[staticmethod]
    fn from_files(files: &Bound<'_, PyAny>) -> PyResult<Self> {
        let pairs = match files.cast::<PyDict>() {
            Ok(dict) => dict.items().into_any(),
            Err(_) if files.hasattr("items")? => files.call_method0("items")?,
            Err(_) => files.clone(),
        };
        let mut list: Vec<(String, String)> = Vec::new();
        for pair in pairs.try_iter()? {
            list.push(pair?.extract()?);
        }
        Snapshot::from_files(list).py().map(Self::from)
    }

    /// Read the config repo in the directory ``path`` by the rules of :meth:`from_git`:
    /// ``relman.yaml`` first, then the ``.yaml``/``.yml``/``Kustomization`` files of every
    /// environment path (the whole directory without ``relman.yaml``; hidden folders such as
    /// ``.git``, ``node_modules`` and ``target`` skipped) and what their kustomizations reach;
    /// nothing else is opened. Only regular files are opened. Symbolic links are followed
    /// within ``path``: each file is kept once under its real path, each link as a link
    /// (:attr:`links`). Raises :class:`InvalidPath` (unreadable; a FIFO, socket or device where
    /// a file is read; a link leading outside, looping or leading nowhere; a file name that is
    /// not UTF-8), :class:`InvalidConfig`, :class:`InvalidYaml` (a file not UTF-8).
    #[staticmethod]
    fn from_dir(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        py.detach(|| Snapshot::from_dir(&path)).py().map(Self::from)
    }

    /// The files of ``relman.yaml`` and of every environment path at revision ``rev`` of the
    /// git repository at ``path`` (bare or not), read from git objects without a checkout. The
    /// snapshot's ``revision`` is the commit's full id. Same as
    /// ``Repository.open(path).snapshot(rev)``.
    #[staticmethod]
    #[pyo3(signature = (path, rev = "HEAD".to_string()), text_signature = "(path, rev='HEAD')")]
    fn from_git(py: Python<'_>, path: std::path::PathBuf, rev: String) -> PyResult<Self> {
        crate::git::snapshot_from_git(py, path, &rev)
    }

    /// The same snapshot, marked as taken at ``revision`` (a commit id).
    fn with_revision(&self, revision: String) -> Self {
        self.inner.clone().with_revision(revision).into()
    }

    /// The repositories the managed image slots of every environment reference, as the
    /// environments render them, by normalised name (``nginx`` is ``docker.io/library/nginx``),
    /// sorted, each once: what to ask a :class:`Registry` for. Raises what planning raises
    /// (:class:`InvalidConfig`, :class:`InvalidYaml`, :class:`DuplicateResource`...).
    fn repositories(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        py.detach(|| self.inner.repositories()).py()
    }

    /// The revision (commit id) the snapshot was taken at, or ``None``: pass it as
    /// ``expected_head`` to :meth:`Repository.commit`.
    #[getter]
    fn revision(&self) -> Option<&str> {
        self.inner.revision()
    }

    /// Every file, real path to text, sorted by path (a new dict on each access); a file
    /// reached through symbolic links is listed once.
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (path, text) in self.inner.files() {
            dict.set_item(path, text)?;
        }
        Ok(dict)
    }

    /// The symbolic links the snapshot was read through: the link's path to the real path of
    /// the file or folder it leads to, sorted (empty for :meth:`from_files`).
    #[getter]
    fn links<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (link, target) in self.inner.links() {
            dict.set_item(link, target)?;
        }
        Ok(dict)
    }

    /// The text of one file (links followed), or ``None``.
    fn get(&self, path: PyBackedStr) -> Option<&str> {
        self.inner.get(&path)
    }

    /// The real path of the file at ``path`` (itself, or where the symbolic links on it
    /// lead), or ``None`` when the snapshot has no such file.
    fn resolve(&self, path: PyBackedStr) -> Option<&str> {
        self.inner.resolve(&path)
    }

    /// The repo's ``relman.yaml`` (or the implicit single environment when there is none).
    /// Raises :class:`InvalidConfig`.
    fn config(&self) -> PyResult<PyConfig> {
        self.inner.config().py().map(PyConfig::from)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, path: PyBackedStr) -> bool {
        self.inner.get(&path).is_some()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Snapshot({} files, revision={})",
            self.inner.len(),
            repr(py, self.inner.revision())
        )
    }
}

/// An `ImageInfo` from Python arguments: ``created`` (text, or a datetime as ISO text) is read
/// by core (`invalid_catalog`).
fn image_info(
    tag: String,
    digest: Option<String>,
    created: Option<&Bound<'_, PyAny>>,
) -> PyResult<ImageInfo> {
    let info = ImageInfo::new(tag);
    let info = match digest {
        Some(d) => info.with_digest(d),
        None => info,
    };
    match created.filter(|c| !c.is_none()) {
        Some(c) => info.with_created_str(&time_text(c, "created")?).py(),
        None => Ok(info),
    }
}

record! {
    /// One tag of a repository in a :class:`Catalog`: the tag, an optional digest and an
    /// optional creation time (RFC 3339 string or aware datetime; read back as RFC 3339 text).
    "ImageInfo" PyImageInfo from i: ImageInfo, keep inner {
        /// The tag.
        tag: String = i.tag.clone(),
        /// The manifest digest (``sha256:...``), or ``None``.
        digest: Option<String> = i.digest.clone(),
        /// The creation time as RFC 3339 text in UTC, or ``None``.
        created: Option<String> = i.created.map(|t| t.to_string()),
    }
    methods {
        /// An image of the catalog. ``created`` is an RFC 3339 string or an aware datetime
        /// (:class:`InvalidCatalog` when it is not one).
        #[new]
        #[pyo3(signature = (tag, *, digest = None, created = None))]
        fn new(tag: String, digest: Option<String>, created: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
            image_info(tag, digest, created).map(Self::from)
        }
    }
}

/// What the registry offers, as the caller tells it: per repository, tags with an optional
/// digest and creation time. Repositories match by normalised name (``nginx`` is
/// ``docker.io/library/nginx``). Mutable: :meth:`add` tags to it.
#[pyclass(eq, module = "relman", name = "Catalog")]
#[derive(PartialEq, Default)]
pub struct PyCatalog {
    pub(crate) inner: Catalog,
}

#[pymethods]
impl PyCatalog {
    /// An empty catalog.
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// Add ``tag`` to ``repository`` (an image name without tag, such as ``acme/users``); a
    /// tag added twice replaces the earlier entry. ``created`` is an RFC 3339 string or an
    /// aware datetime. Raises :class:`InvalidCatalog` for an invalid repository, tag, digest
    /// or time text (nothing is added).
    #[pyo3(signature = (repository, tag, *, digest = None, created = None))]
    fn add(
        &mut self,
        repository: PyBackedStr,
        tag: String,
        digest: Option<String>,
        created: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let info = image_info(tag, digest, created)?;
        self.inner.add(&repository, info).py()
    }

    /// The tags of ``repository`` (matched by normalised name), in the order they were added.
    fn images(&self, repository: PyBackedStr) -> Vec<PyImageInfo> {
        list(self.inner.images(&repository))
    }

    /// The entry of one tag of ``repository``, or ``None``.
    fn get(&self, repository: PyBackedStr, tag: PyBackedStr) -> Option<PyImageInfo> {
        self.inner.get(&repository, &tag).cloned().map(PyImageInfo::from)
    }

    /// The number of repositories.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("Catalog({} repositories)", self.inner.len())
    }
}

record! {
    /// One image pointer that moves: ``container`` from ``from_`` to ``to``.
    "ContainerUpdate" PyContainerUpdate from u: ContainerUpdate {
        /// The container (or HelmRelease slot) name.
        container: String = u.container.clone(),
        /// The image before (``from`` in :meth:`ReleasePlan.to_json`).
        from_: String = u.from.clone(),
        /// The image after.
        to: String = u.to.clone(),
    }
}

record! {
    /// Why one container of a workload did not move.
    "ContainerSkip" PyContainerSkip from s: ContainerSkip {
        /// The container (or HelmRelease slot) name.
        container: String = s.container.clone(),
        /// The stable reason code, such as ``"up_to_date"``.
        reason: &'static str = s.reason.code(),
        /// The reason in words.
        message: String = s.message.clone(),
    }
}

record! {
    /// The outcome of a plan for one workload.
    "WorkloadResult" PyWorkloadResult from r: WorkloadResult {
        /// ``namespace:kind/name``, or the name given when it was not found.
        workload: String = r.workload.clone(),
        /// ``"success"``, ``"skipped"``, ``"ignored"`` or ``"failed"``.
        status: &'static str = r.status.code(),
        /// The stable reason code (``"locked"``, ``"up_to_date"``...), ``None`` for a plain
        /// success.
        reason: Option<&'static str> = r.reason.map(|r| r.code()),
        /// The outcome in words.
        message: String = r.message.clone(),
        /// The pointers that move.
        updates: Vec<PyContainerUpdate> = list(&r.updates),
        /// The containers that do not move, each with its reason.
        skipped: Vec<PyContainerSkip> = list(&r.skipped),
        /// The file the workload is defined in, or ``None``.
        path: Option<String> = r.path.clone(),
    }
}

record! {
    /// One file that a plan changes: ``path`` (repo-relative), its text ``before`` and
    /// ``after``.
    "FileChange" PyFileChange from c: FileChange {
        /// Repo-relative path.
        path: String = c.path.clone(),
        /// The text before.
        before: String = c.before.clone(),
        /// The text after.
        after: String = c.after.clone(),
    }
    repr(this, py) {
        format!(
            "FileChange(path={}, before=<{} chars>, after=<{} chars>)",
            repr(py, &this.path),
            this.before.chars().count(),
            this.after.chars().count()
        )
    }
}

record! {
    /// A planned release: nothing is written until the changes are committed (with
    /// :meth:`Repository.commit` or your own git).
    "ReleasePlan" PyReleasePlan from p: ReleasePlan, keep inner {
        /// The environment released into.
        environment: String = p.environment.clone(),
        /// Why: ``"manual"``, ``"automated"``, ``"promotion"`` or ``"rollback"``.
        kind: &'static str = p.kind.code(),
        /// One result per workload of the environment (and per named workload not found).
        results: Vec<PyWorkloadResult> = list(&p.results),
        /// The files that change, sorted by path.
        changes: Vec<PyFileChange> = list(&p.changes),
        /// The commit message, with ``Relman-*`` trailers.
        commit_message: String = p.commit_message.clone(),
        /// What relman read around rather than through, such as a remote kustomize resource or a
        /// ``patches:`` key that may change images.
        warnings: Vec<String> = p.warnings.clone(),
        /// Whether the plan changes nothing.
        is_noop: bool = p.is_noop(),
        /// The revision of the snapshot the plan was made on, or ``None``:
        /// :meth:`Repository.commit` refuses (:class:`ConflictError`) to commit the plan on any
        /// other commit.
        revision: Option<String> = p.revision.clone(),
    }
    repr(this, py) {
        let paths: Vec<&str> = this.changes.iter().map(|c| c.path.as_str()).collect();
        format!(
            "ReleasePlan(environment={}, kind={}, results=<{} workloads>, changes={}, is_noop={})",
            repr(py, &this.environment),
            repr(py, this.kind),
            this.results.len(),
            repr(py, paths),
            repr(py, this.is_noop)
        )
    }
    methods {
        /// The plan as JSON (snake_case keys, reason codes as strings).
        fn to_json(&self) -> String {
            self.inner.to_json()
        }
    }
}

record! {
    /// One pointer move recorded in a ``Relman-Change`` trailer.
    "RecordedChange" PyRecordedChange from c: RecordedChange {
        /// ``namespace:kind/name``.
        workload: String = c.workload.clone(),
        /// The container (or HelmRelease slot) name.
        container: String = c.container.clone(),
        /// The image before.
        from_: String = c.from.clone(),
        /// The image after.
        to: String = c.to.clone(),
    }
}

record! {
    /// The machine-readable part of a release commit: its ``Relman-*`` trailers. The history
    /// of an environment is a list of records, newest first.
    "ReleaseRecord" PyReleaseRecord from r: ReleaseRecord, keep inner {
        /// ``Relman-Environment``.
        environment: String = r.environment.clone(),
        /// ``Relman-Cause``: ``"manual"``, ``"automated"``, ``"promotion"`` or ``"rollback"``.
        kind: &'static str = r.kind.code(),
        /// ``Relman-User``, or ``None``.
        user: Option<String> = r.user.clone(),
        /// Every ``Relman-Change``.
        changes: Vec<PyRecordedChange> = list(&r.changes),
        /// Every ``Relman-Lock``: workloads locked by this release.
        locked: Vec<String> = r.locked.clone(),
    }
    methods {
        /// Read the trailers of a commit message written by relman; ``None`` for any other
        /// message. Strict: the last paragraph must be exactly relman's trailer block
        /// (``Relman-Environment``, ``Relman-Cause``, at most one ``Relman-User``, then
        /// ``Relman-Change`` and ``Relman-Lock`` lines, each value well formed) and nothing else.
        #[staticmethod]
        fn parse(message: PyBackedStr) -> Option<Self> {
            ReleaseRecord::parse(&message).map(Self::from)
        }

        /// The trailer block of this record.
        fn trailers(&self) -> String {
            self.inner.trailers()
        }
    }
}

record! {
    /// One slot's pointer changing in one commit of the history.
    "PointerMove" PyPointerMove from m: PointerMove {
        /// The commit's id, or ``None`` when the history was not read from commits with ids.
        commit: Option<String> = m.commit.clone(),
        /// The environment.
        environment: String = m.environment.clone(),
        /// ``namespace:kind/name``.
        workload: String = m.workload.clone(),
        /// The container (or HelmRelease or marker slot) name.
        container: String = m.container.clone(),
        /// The image before; ``None`` when the slot appeared in this commit.
        from_: Option<String> = m.from.clone(),
        /// The image after; ``None`` when the slot went away in this commit.
        to: Option<String> = m.to.clone(),
        /// ``"manual"``, ``"automated"``, ``"promotion"``, ``"rollback"`` (a record agreeing with
        /// the move says so) or ``"unrecorded"`` (a hand edit, a merge, a ``git revert``).
        cause: &'static str = m.cause.code(),
        /// ``Relman-User`` of the agreeing record, or ``None``.
        user: Option<String> = m.user.clone(),
        /// Whether the agreeing record locked the workload.
        locked: bool = m.locked,
    }
}

record! {
    /// The pointer history of environments, newest first: read from the trees of commits
    /// (:meth:`Repository.history`, :meth:`History.from_commits`), where a commit's
    /// ``Relman-*`` trailers only annotate the moves it really made, or believed from commit
    /// messages (:meth:`History.from_messages`, the weaker mode).
    "History" PyHistory from h: History, keep inner {
        /// Every move, newest first.
        moves: Vec<PyPointerMove> = list(h.moves()),
        /// Commits whose trailers disagreed with their changes (``record_mismatch: ...``), and
        /// where the walk stopped early.
        warnings: Vec<String> = h.warnings().to_vec(),
        /// ``"trees"`` or ``"messages"``.
        source: &'static str = h.source().code(),
        /// Whether the walk reached the first commit.
        is_complete: bool = h.is_complete(),
    }
    repr(this, py) {
        format!(
            "History(moves={}, source={}, warnings={})",
            this.moves.len(),
            repr(py, this.source),
            this.warnings.len()
        )
    }
    methods {
        /// The trusted mode without git: ``commits`` are ``(message, snapshot after the commit)``
        /// pairs, newest first, each the first parent of the one before; ``base`` is the snapshot
        /// before the oldest (``None``: an empty repository, as before a root commit).
        #[staticmethod]
        #[pyo3(signature = (commits, *, base = None))]
        fn from_commits(py: Python<'_>, commits: &Bound<'_, PyAny>, base: Option<PyRef<'_, PySnapshot>>) -> PyResult<Self> {
            if commits.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "commits: expected an iterable of (message, Snapshot) pairs, not a string",
                ));
            }
            let mut pairs = Vec::new();
            for item in commits.try_iter()? {
                let (message, snapshot): (String, PyRef<'_, PySnapshot>) = item?
                    .extract()
                    .map_err(|_| PyTypeError::new_err("commits: expected (message, Snapshot) pairs"))?;
                pairs.push((message, snapshot.inner.clone()));
            }
            let base = base.map(|b| b.inner.clone());
            py.detach(|| History::from_commits(pairs, base)).py().map(Self::from)
        }

        /// The weaker mode: a history believed from commit messages, newest first (messages
        /// without ``Relman-*`` trailers are skipped). Hand edits and ``git revert`` are invisible
        /// to it, and a forged message is believed: use it only where no trees are available.
        #[staticmethod]
        fn from_messages(messages: &Bound<'_, PyAny>) -> PyResult<Self> {
            Ok(History::from_entries(entries(messages)?).into())
        }

        /// The pointer a rollback of one slot goes to, or ``None``.
        fn previous(&self, environment: &str, workload: &str, container: &str, current: &str) -> Option<String> {
            self.inner.previous(environment, workload, container, current)
        }

        fn __len__(&self) -> usize {
            self.moves.len()
        }
    }
}

/// The weaker mode's entries (`relman::release::History::from_entries`): commit messages
/// (``str``) and :class:`ReleaseRecord` objects, newest first.
fn entries(value: &Bound<'_, PyAny>) -> PyResult<Vec<HistoryEntry>> {
    if value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "history: expected a History, or an iterable of commit messages or ReleaseRecord objects, not a single string",
        ));
    }
    let entry = |item: Bound<'_, PyAny>| -> PyResult<HistoryEntry> {
        if let Ok(record) = item.cast::<PyReleaseRecord>() {
            return Ok(HistoryEntry::Record(record.get().inner.clone()));
        }
        match item.extract::<String>() {
            Ok(message) => Ok(HistoryEntry::Message(message)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "history: expected commit messages or ReleaseRecord objects, got {}",
                item.get_type().name()?
            ))),
        }
    };
    value.try_iter()?.map(|item| entry(item?)).collect()
}

/// A history argument: a :class:`History`, or (the weaker mode) an iterable of commit
/// messages and/or :class:`ReleaseRecord` objects, newest first.
pub(crate) fn history(value: Option<&Bound<'_, PyAny>>) -> PyResult<History> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(History::new()),
        Some(v) => match v.cast::<PyHistory>() {
            Ok(history) => Ok(history.get().inner.clone()),
            Err(_) => Ok(History::from_entries(entries(v)?)),
        },
    }
}

/// A services argument: text (``"all"`` or one name, `relman::release::Services::parse`) or an
/// iterable of service names / workload ids.
fn services(value: &Bound<'_, PyAny>) -> PyResult<Services> {
    match value.cast::<PyString>() {
        Ok(text) => Ok(Services::parse(&text.to_cow()?)),
        Err(_) => Ok(Services::Named(strings(value, "services")?)),
    }
}

/// An image argument: ``"latest"``, ``"promote"``, ``"rollback"``, ``"observed"``, an image
/// reference text or an :class:`ImageRef`, with the ``observed`` text (core's rule,
/// `ImageSpec::parse_with`, decides which go together).
fn image_spec(value: Option<&Bound<'_, PyAny>>, observed: Option<String>) -> PyResult<ImageSpec> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return ImageSpec::parse_with("latest", observed).py();
    };
    if let Ok(image) = value.cast::<PyImageRef>() {
        if observed.is_none() {
            return Ok(ImageSpec::Exact(image.get().inner.clone()));
        }
        return ImageSpec::parse_with(image.get().inner.as_str(), observed).py();
    }
    let text: PyBackedStr = value.extract()?;
    ImageSpec::parse_with(&text, observed).py()
}

/// Plan a release into ``environment`` (pure: nothing is written).
///
/// ``services`` is ``"all"`` or a list of service names / workload ids; ``image`` is
/// ``"latest"`` (the newest image each container's filter allows), an exact image reference,
/// ``"promote"`` (copy the pointers of the ``promoteFrom`` environment), ``"rollback"`` (the
/// pointer before the current one, from ``history``) or ``"observed"`` (adopt what the cluster
/// runs: ``observed`` is the text ``kubectl get ... -o yaml`` or ``-o json`` printed, given only
/// with this image; the drifted containers take their running images, see :func:`drift`);
/// ``exclude`` lists services or workloads
/// left out; ``force`` bypasses workload locks, filters and the promotion gate for workloads
/// named explicitly, never an environment lock on its own: ``override_environment_lock=True``
/// (with ``force``; without it the call raises :class:`InvalidArgument`) releases despite an
/// active environment lock, and nothing in ``message`` does; ``lock`` locks the released
/// workloads in the same commit (``None``: only for rollbacks and adoptions); ``user`` (``"Name <email>"``, one
/// line: control, line-break and separator characters raise :class:`InvalidArgument`) and
/// ``message`` (free text, no NUL) go into the commit message.
/// ``history`` is a :class:`History` (from :meth:`Repository.history` or
/// :meth:`History.from_commits`) or, the weaker mode, a list of commit messages (or
/// :class:`ReleaseRecord` objects), newest first; ``now`` an RFC 3339 string or aware datetime
/// (default: the current time).
///
/// Raises :class:`InvalidArgument` (checked first: see above; also an environment, service or
/// exclude entry holding a control, line-break or separator character; ``image="observed"``
/// without ``observed``, or ``observed`` with another image), :class:`InvalidYaml` (an
/// ``observed`` text that is not kubectl's output, located in ``<observed>``),
/// :class:`UnknownEnvironment`, :class:`InvalidConfig`, :class:`InvalidYaml`,
/// :class:`DuplicateResource`, :class:`InvalidFilter`, :class:`InvalidImageReference`.
/// Per-workload problems are results, not errors.
#[pyfunction]
#[pyo3(signature = (
    snapshot, *, environment, services = None, image = None, exclude = None, force = false,
    override_environment_lock = false, lock = None, user = None, message = None, catalog = None,
    history = None, now = None, observed = None
), text_signature = "(snapshot, *, environment, services='all', image='latest', exclude=(), force=False, override_environment_lock=False, lock=None, user=None, message=None, catalog=None, history=(), now=None, observed=None)")]
#[allow(clippy::too_many_arguments)]
pub(crate) fn plan_release(
    py: Python<'_>,
    snapshot: &Bound<'_, PySnapshot>,
    environment: String,
    services: Option<&Bound<'_, PyAny>>,
    image: Option<&Bound<'_, PyAny>>,
    exclude: Option<&Bound<'_, PyAny>>,
    force: bool,
    override_environment_lock: bool,
    lock: Option<bool>,
    user: Option<String>,
    message: Option<String>,
    catalog: Option<PyRef<'_, PyCatalog>>,
    history: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    observed: Option<String>,
) -> PyResult<PyReleasePlan> {
    let mut spec = ReleaseSpec::new(environment);
    if let Some(s) = services.filter(|s| !s.is_none()) {
        spec = spec.services(self::services(s)?);
    }
    spec = spec.image(image_spec(image, observed)?);
    if let Some(e) = exclude.filter(|e| !e.is_none()) {
        spec = spec.exclude(strings(e, "exclude")?);
    }
    spec = spec
        .force(force)
        .override_environment_lock(override_environment_lock)
        .cause(user, message);
    if let Some(lock) = lock {
        spec = spec.lock(lock);
    }
    let history = self::history(history)?;
    let now = crate::convert::now(now)?;
    let empty = Catalog::new();
    let catalog = catalog.as_deref().map_or(&empty, |c| &c.inner);
    let snapshot = &snapshot.get().inner;
    py.detach(|| relman::release::plan_release(snapshot, &spec, catalog, &history, now))
        .py()
        .map(PyReleasePlan::from)
}

/// Plan automation: for every environment of ``relman.yaml``, release the newest allowed
/// image to every automated, unlocked workload. One plan per environment, in file order; a
/// manual environment gives a no-op plan whose results say ``environment_manual``.
///
/// Raises :class:`InvalidConfig`, :class:`InvalidYaml`, :class:`DuplicateResource`,
/// :class:`InvalidFilter`.
#[pyfunction]
#[pyo3(signature = (snapshot, *, catalog, history = None, now = None), text_signature = "(snapshot, *, catalog, history=(), now=None)")]
pub(crate) fn plan_automation(
    py: Python<'_>,
    snapshot: &Bound<'_, PySnapshot>,
    catalog: PyRef<'_, PyCatalog>,
    history: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyReleasePlan>> {
    let history = self::history(history)?;
    let now = crate::convert::now(now)?;
    let snapshot = &snapshot.get().inner;
    let catalog = &catalog.inner;
    let plans = py
        .detach(|| relman::release::plan_automation(snapshot, catalog, &history, now))
        .py()?;
    Ok(plans.into_iter().map(PyReleasePlan::from).collect())
}

record! {
    /// One container compared by :func:`drift`.
    "DriftEntry" PyDriftEntry from e: DriftEntry {
        /// The repo's workload id (a HelmRelease's for the containers its release runs); for
        /// ``"not_in_repo"``, the live object's id.
        workload: String = e.workload.clone(),
        /// The repo's container (or HelmRelease slot) name; for ``"not_in_repo"``, the live
        /// container's.
        container: String = e.container.clone(),
        /// ``"in_sync"``, ``"drifted"``, ``"missing_in_cluster"`` or ``"not_in_repo"``.
        status: &'static str = e.status.code(),
        /// The image the repo renders for the container; ``None`` for ``"not_in_repo"``.
        repo_image: Option<String> = e.repo_image.clone(),
        /// The image the cluster runs, as kubectl printed it; ``None`` for
        /// ``"missing_in_cluster"``.
        running_image: Option<String> = e.running_image.clone(),
        /// The live object compared (``namespace:kind/name``), or ``None``.
        live_workload: Option<String> = e.live_workload.clone(),
        /// The live container compared, or ``None``.
        live_container: Option<String> = e.live_container.clone(),
        /// The repo file that defines the workload; ``None`` for ``"not_in_repo"``.
        path: Option<String> = e.path.clone(),
        /// Why, in words.
        message: String = e.message.clone(),
    }
}

record! {
    /// What :func:`drift` found: one entry per container compared, in the order the repo lists
    /// its workloads, then the live containers the repo does not have.
    "DriftReport" PyDriftReport from r: DriftReport, keep inner {
        /// The environment compared.
        environment: String = r.environment.clone(),
        /// The containers compared.
        entries: Vec<PyDriftEntry> = list(&r.entries),
        /// What was not compared and why, and the environment's own warnings.
        warnings: Vec<String> = r.warnings.clone(),
        /// Whether any entry is not ``"in_sync"``.
        is_drifted: bool = r.is_drifted(),
    }
    repr(this, py) {
        format!(
            "DriftReport(environment={}, entries=<{} containers>, is_drifted={})",
            repr(py, &this.environment),
            this.entries.len(),
            repr(py, this.is_drifted)
        )
    }
    methods {
        /// The report as JSON (snake_case keys, statuses as strings).
        fn to_json(&self) -> String {
            self.inner.to_json()
        }
    }
}

/// Compare what the cluster runs with what the repo renders for ``environment`` (pure: relman
/// never talks to the cluster). ``observed`` is the text ``kubectl get <kinds> -o yaml`` (or
/// ``-o json``) printed: a ``List``, one object, or a stream of them. Per workload and container
/// of the environment (namespaces, kustomize overlays and HelmRelease values as the repo renders
/// them): ``"in_sync"``, ``"drifted"``, ``"missing_in_cluster"``; live workloads of the
/// environment's namespaces that the repo does not have: ``"not_in_repo"``. Images compare as
/// the kubelet runs them (``repo:tag@digest`` running is in sync with ``repo:tag``).
///
/// Raises :class:`UnknownEnvironment`, :class:`InvalidConfig`, :class:`InvalidYaml` (the
/// environment's files; or an ``observed`` text that does not parse or is not kubectl's output,
/// located in ``<observed>``), :class:`DuplicateResource`.
#[pyfunction]
#[pyo3(signature = (snapshot, *, environment, observed))]
pub(crate) fn drift(
    py: Python<'_>,
    snapshot: &Bound<'_, PySnapshot>,
    environment: String,
    observed: String,
) -> PyResult<PyDriftReport> {
    let snapshot = &snapshot.get().inner;
    py.detach(|| relman::release::drift(snapshot, &environment, &observed))
        .py()
        .map(PyDriftReport::from)
}
