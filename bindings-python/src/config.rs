//! `relman.yaml` (core: `relman::config`): `Config`, `Environment`, `EnvironmentLock`,
//! `Service`, `lock_environment`, `unlock_environment`.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert::{name, optional_timestamp, repr_list, repr_opt, repr_str, wrapper};
use crate::error::IntoPyResult;
use crate::policy::PyTagFilter;

wrapper!(
    /// The release configuration of a repository: ``relman.yaml``, checked.
    ///
    /// >>> Config.parse("environments:\n  dev: {path: envs/dev, release: automatic}\n").environments[0].release
    /// 'automatic'
    "Config",
    PyConfig,
    relman::Config
);

#[pymethods]
impl PyConfig {
    /// Parse and check the text of ``relman.yaml``. Raises :class:`InvalidConfig` located at
    /// ``relman.yaml:LINE:COL``.
    #[staticmethod]
    fn parse(text: PyBackedStr) -> PyResult<Self> {
        relman::Config::parse(&text).py().map(Self::from)
    }

    /// The configuration of a repository without ``relman.yaml``: one environment named
    /// ``default`` covering the whole repository, whose automation follows each workload's
    /// ``automated`` annotation.
    #[staticmethod]
    fn implicit() -> Self {
        relman::Config::implicit().into()
    }

    /// How tags are read as versions: ``"default"``, ``"strict"`` or ``"loose"``.
    #[getter]
    fn versions(&self) -> &'static str {
        self.inner.versions().code()
    }

    /// The namespace of objects without ``metadata.namespace``.
    #[getter]
    fn default_namespace(&self) -> &str {
        self.inner.default_namespace()
    }

    /// The environments, in file order.
    #[getter]
    fn environments(&self) -> Vec<PyEnvironment> {
        self.inner
            .environments()
            .iter()
            .cloned()
            .map(PyEnvironment::from)
            .collect()
    }

    /// The declared services, in file order.
    #[getter]
    fn services(&self) -> Vec<PyService> {
        self.inner
            .services()
            .iter()
            .cloned()
            .map(PyService::from)
            .collect()
    }

    /// The environment named ``name``. Raises :class:`UnknownEnvironment`.
    fn environment(&self, name: PyBackedStr) -> PyResult<PyEnvironment> {
        self.inner.environment(&name).py().map(|e| e.clone().into())
    }

    /// The declared service of the workload ``kind/name`` (any namespace), or ``None`` when
    /// the workload is a service of its own name.
    fn service_for(&self, kind: PyBackedStr, name: PyBackedStr) -> Option<PyService> {
        self.inner.service_for(&kind, &name).cloned().map(PyService::from)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let envs: Vec<String> = self.inner.environments().iter().map(|e| e.name.clone()).collect();
        let services: Vec<String> = self.inner.services().iter().map(|s| s.name.clone()).collect();
        format!(
            "Config(versions={}, default_namespace={}, environments={}, services={})",
            repr_str(py, self.inner.versions().code()),
            repr_str(py, self.inner.default_namespace()),
            repr_list(py, &envs),
            repr_list(py, &services)
        )
    }
}

wrapper!(
    /// One environment of ``relman.yaml``: a named set of repo paths with a release mode.
    "Environment",
    PyEnvironment,
    relman::Environment
);

#[pymethods]
impl PyEnvironment {
    /// The environment's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// Repo-relative directories or files, normalised; ``""`` is the whole repository.
    #[getter]
    fn paths(&self) -> Vec<String> {
        self.inner.paths.clone()
    }

    /// ``"automatic"``, ``"manual"`` or (without ``relman.yaml``) ``"annotations"``.
    #[getter]
    fn release(&self) -> String {
        name(&self.inner.release)
    }

    /// The environment whose releases gate this one (``promoteFrom``), or ``None``.
    #[getter]
    fn promote_from(&self) -> Option<&str> {
        self.inner.promote_from.as_deref()
    }

    /// The environment-wide lock as written (it may have expired), or ``None``.
    #[getter]
    fn lock(&self) -> Option<PyEnvironmentLock> {
        self.inner.lock.clone().map(PyEnvironmentLock::from)
    }

    /// The namespace of objects without ``metadata.namespace`` in this environment.
    #[getter]
    fn default_namespace(&self) -> &str {
        &self.inner.default_namespace
    }

    /// Whether the repo-relative file ``path`` belongs to this environment.
    fn contains(&self, path: PyBackedStr) -> bool {
        self.inner.contains(&path)
    }

    /// The lock in force at ``now`` (an RFC 3339 string or an aware datetime; default: the
    /// current time), or ``None``.
    #[pyo3(signature = (now = None))]
    fn active_lock(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<Option<PyEnvironmentLock>> {
        let now = optional_timestamp(now, "now")?.unwrap_or_else(jiff::Timestamp::now);
        Ok(self.inner.active_lock(now).cloned().map(PyEnvironmentLock::from))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let e = &self.inner;
        format!(
            "Environment(name={}, paths={}, release={}, promote_from={}, lock={}, default_namespace={})",
            repr_str(py, &e.name),
            repr_list(py, &e.paths),
            repr_str(py, &name(&e.release)),
            repr_opt(py, e.promote_from.as_deref()),
            e.lock
                .as_ref()
                .map_or_else(|| "None".to_string(), |l| lock_repr(py, l)),
            repr_str(py, &e.default_namespace),
        )
    }
}

fn lock_repr(py: Python<'_>, lock: &relman::EnvironmentLock) -> String {
    format!(
        "EnvironmentLock(reason={}, by={}, until={})",
        repr_str(py, &lock.reason),
        repr_str(py, &lock.by),
        repr_opt(py, lock.until.map(|t| t.to_string()).as_deref())
    )
}

wrapper!(
    /// An environment-wide lock: while active, releases to the environment are blocked.
    "EnvironmentLock",
    PyEnvironmentLock,
    relman::EnvironmentLock
);

#[pymethods]
impl PyEnvironmentLock {
    /// Why the environment is locked.
    #[getter]
    fn reason(&self) -> &str {
        &self.inner.reason
    }

    /// Who locked it.
    #[getter]
    fn by(&self) -> &str {
        &self.inner.by
    }

    /// When the lock expires (RFC 3339, UTC), or ``None`` for a lock without expiry.
    #[getter]
    fn until(&self) -> Option<String> {
        self.inner.until.map(|t| t.to_string())
    }

    /// Whether the lock blocks releases at ``now`` (default: the current time).
    #[pyo3(signature = (now = None))]
    fn is_active(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
        let now = optional_timestamp(now, "now")?.unwrap_or_else(jiff::Timestamp::now);
        Ok(self.inner.is_active(now))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        lock_repr(py, &self.inner)
    }
}

wrapper!(
    /// A service declared under ``services:`` in ``relman.yaml``.
    "Service",
    PyService,
    relman::Service
);

#[pymethods]
impl PyService {
    /// The service's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The workloads it groups, as ``kind/name`` (namespace-agnostic).
    #[getter]
    fn workloads(&self) -> Vec<String> {
        self.inner.workloads.clone()
    }

    /// The default tag filter of the service's containers, or ``None``.
    #[getter]
    fn filter(&self) -> Option<PyTagFilter> {
        self.inner.filter.clone().map(PyTagFilter::from)
    }

    /// The Flux image policy that setter markers of this service refer to.
    #[getter]
    fn image_policy(&self) -> &str {
        &self.inner.image_policy
    }

    /// Whether this service lists the workload ``kind/name``.
    fn lists(&self, kind: PyBackedStr, name: PyBackedStr) -> bool {
        self.inner.lists(&kind, &name)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let s = &self.inner;
        format!(
            "Service(name={}, workloads={}, filter={}, image_policy={})",
            repr_str(py, &s.name),
            repr_list(py, &s.workloads),
            repr_opt(py, s.filter.as_ref().map(|f| f.as_str())),
            repr_str(py, &s.image_policy),
        )
    }
}

/// Lock ``environment`` in the text of ``relman.yaml``; returns the new text. Only the lines
/// of the ``lock`` entry change; locking again with the same values returns the text
/// unchanged. ``until`` is an RFC 3339 string or an aware datetime (``None``: no expiry).
///
/// Raises :class:`InvalidArgument` (``environment``, ``reason`` or ``by`` holding a control,
/// line-break or separator character: a lock is one line), :class:`InvalidConfig`,
/// :class:`UnknownEnvironment`, :class:`UnsupportedYaml`.
#[pyfunction]
#[pyo3(signature = (text, environment, *, reason, by, until = None))]
pub(crate) fn lock_environment(
    text: PyBackedStr,
    environment: PyBackedStr,
    reason: String,
    by: String,
    until: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let mut lock = relman::EnvironmentLock::new(reason, by);
    if let Some(until) = optional_timestamp(until, "until")? {
        lock = lock.until(until);
    }
    relman::config::lock_environment(&text, &environment, &lock).py()
}

/// Remove the lock of ``environment`` from the text of ``relman.yaml``; returns the new
/// text (unchanged when there is no lock).
///
/// Raises :class:`InvalidArgument`, :class:`InvalidConfig`, :class:`UnknownEnvironment`.
#[pyfunction]
pub(crate) fn unlock_environment(text: PyBackedStr, environment: PyBackedStr) -> PyResult<String> {
    relman::config::unlock_environment(&text, &environment).py()
}
