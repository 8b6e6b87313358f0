//! `relman.yaml` (core: `relman::config`): `Config`, `Environment`, `EnvironmentLock`,
//! `Service`, `lock_environment`, `unlock_environment`.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert::{list, record, repr, time};
use crate::error::IntoPyResult;
use crate::policy::PyTagFilter;

record! {
    /// The release configuration of a repository: ``relman.yaml``, checked.
    ///
    /// >>> Config.parse("environments:\n  dev: {path: envs/dev, release: automatic}\n").environments[0].release
    /// 'automatic'
    "Config" PyConfig from c: relman::Config, keep inner {
        /// How tags are read as versions: ``"default"``, ``"strict"`` or ``"loose"``.
        versions: &'static str = c.versions().code(),
        /// The namespace of objects without ``metadata.namespace``.
        default_namespace: String = c.default_namespace().to_string(),
        /// The environments, in file order.
        environments: Vec<PyEnvironment> = list(c.environments()),
        /// The declared services, in file order.
        services: Vec<PyService> = list(c.services()),
    }
    repr(this, py) {
        let names = |items: &[String]| repr(py, items);
        format!(
            "Config(versions={}, default_namespace={}, environments={}, services={})",
            repr(py, this.versions),
            repr(py, &this.default_namespace),
            names(&this.environments.iter().map(|e| e.name.clone()).collect::<Vec<_>>()),
            names(&this.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>()),
        )
    }
    methods {
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

        /// The environment named ``name``. Raises :class:`UnknownEnvironment`.
        fn environment(&self, name: PyBackedStr) -> PyResult<PyEnvironment> {
            self.inner.environment(&name).py().map(|e| e.clone().into())
        }

        /// The declared service of the workload ``kind/name`` (any namespace), or ``None`` when
        /// the workload is a service of its own name.
        fn service_for(&self, kind: PyBackedStr, name: PyBackedStr) -> Option<PyService> {
            self.inner.service_for(&kind, &name).cloned().map(PyService::from)
        }
    }
}

record! {
    /// One environment of ``relman.yaml``: a named set of repo paths with a release mode.
    "Environment" PyEnvironment from e: relman::Environment, keep inner {
        /// The environment's name.
        name: String = e.name.clone(),
        /// Repo-relative directories or files, normalised; ``""`` is the whole repository.
        paths: Vec<String> = e.paths.clone(),
        /// ``"automatic"``, ``"manual"`` or (without ``relman.yaml``) ``"annotations"``.
        release: &'static str = e.release.code(),
        /// The environment whose releases gate this one (``promoteFrom``), or ``None``.
        promote_from: Option<String> = e.promote_from.clone(),
        /// The environment-wide lock as written (it may have expired), or ``None``.
        lock: Option<PyEnvironmentLock> = e.lock.clone().map(PyEnvironmentLock::from),
        /// The namespace of objects without ``metadata.namespace`` in this environment.
        default_namespace: String = e.default_namespace.clone(),
    }
    methods {
        /// Whether the repo-relative file ``path`` belongs to this environment.
        fn contains(&self, path: PyBackedStr) -> bool {
            self.inner.contains(&path)
        }

        /// The lock in force at ``now`` (an RFC 3339 string or an aware datetime; default: the
        /// current time), or ``None``.
        #[pyo3(signature = (now = None))]
        fn active_lock(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<Option<PyEnvironmentLock>> {
            let now = crate::convert::now(now)?;
            Ok(self.inner.active_lock(now).cloned().map(PyEnvironmentLock::from))
        }
    }
}

record! {
    /// An environment-wide lock: while active, releases to the environment are blocked.
    "EnvironmentLock" PyEnvironmentLock from l: relman::EnvironmentLock, keep inner {
        /// Why the environment is locked.
        reason: String = l.reason.clone(),
        /// Who locked it.
        by: String = l.by.clone(),
        /// When the lock expires (RFC 3339, UTC), or ``None`` for a lock without expiry.
        until: Option<String> = l.until.map(|t| t.to_string()),
    }
    methods {
        /// Whether the lock blocks releases at ``now`` (default: the current time).
        #[pyo3(signature = (now = None))]
        fn is_active(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
            Ok(self.inner.is_active(crate::convert::now(now)?))
        }
    }
}

record! {
    /// A service declared under ``services:`` in ``relman.yaml``.
    "Service" PyService from s: relman::Service, keep inner {
        /// The service's name.
        name: String = s.name.clone(),
        /// The workloads it groups, as ``kind/name`` (namespace-agnostic).
        workloads: Vec<String> = s.workloads.clone(),
        /// The default tag filter of the service's containers, or ``None``.
        filter: Option<PyTagFilter> = s.filter.clone().map(PyTagFilter::from),
        /// The Flux image policy that setter markers of this service refer to.
        image_policy: String = s.image_policy.clone(),
    }
    methods {
        /// Whether this service lists the workload ``kind/name``.
        fn lists(&self, kind: PyBackedStr, name: PyBackedStr) -> bool {
            self.inner.lists(&kind, &name)
        }
    }
}

/// Lock ``environment`` in the text of ``relman.yaml``; returns the new text. Only the lines
/// of the ``lock`` entry change; locking again with the same values returns the text
/// unchanged. ``until`` is an RFC 3339 string or an aware datetime (``None``: no expiry).
///
/// Raises :class:`InvalidArgument` (``environment``, ``reason`` or ``by`` holding a control,
/// line-break or separator character: a lock is one line; ``until`` not an RFC 3339 time
/// with an offset or a naive datetime), :class:`InvalidConfig`, :class:`UnknownEnvironment`,
/// :class:`UnsupportedYaml`.
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
    if let Some(until) = time(until, "until")? {
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
