//! The git adapter (core: `relman::git`): `Repository` with snapshots, history,
//! compare-and-swap commits and the re-planning retry loop.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert::{WholeNumber, repr};
use crate::error::IntoPyResult;
use crate::release::{PyHistory, PyReleasePlan, PySnapshot};

/// A git repository (bare or with a work tree) opened for snapshots, history and
/// compare-and-swap commits. Everything is read from and written to git objects: no checkout,
/// no index. Only the repository's own git configuration is read. Pushing and fetching stay
/// your tooling's job.
///
/// ::
///
///     repo = relman.Repository.open("config-repo.git")
///     snapshot = repo.snapshot("main")
///     plan = relman.plan_release(snapshot, environment="staging", image="acme/users:1.4.0")
///     repo.commit(plan, branch="main", expected_head=snapshot.revision, author="Bot <bot@example.com>")
#[pyclass(frozen, module = "relman", name = "Repository")]
pub struct PyRepository {
    /// The path given to `open`, checked there. Core's `Repository` is not `Send` (its gix
    /// handles are `Rc`-based without gix's `parallel` feature), so each call opens the
    /// repository afresh on the thread that uses it; core reads references afresh on every
    /// call anyway, so the behaviour is the same.
    path: PathBuf,
}

impl PyRepository {
    fn repo(&self) -> relman::Result<relman::git::Repository> {
        relman::git::Repository::open(&self.path)
    }
}

#[pymethods]
impl PyRepository {
    /// Open the repository at ``path``: a bare repository's folder, a work tree or a ``.git``
    /// folder (parent folders are not searched). Raises :class:`InvalidPath`.
    #[staticmethod]
    fn open(path: PathBuf) -> PyResult<Self> {
        relman::git::Repository::open(&path).py()?;
        Ok(PyRepository { path })
    }

    /// The path the repository was opened with.
    #[getter]
    fn path(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// The full id of the commit ``branch`` points at (``main`` or ``refs/heads/main``).
    fn branch_head(&self, py: Python<'_>, branch: PyBackedStr) -> PyResult<String> {
        py.detach(|| self.repo()?.branch_head(&branch)).py()
    }

    /// The files of ``relman.yaml`` and of every environment path at revision ``rev``
    /// (anything ``git rev-parse`` understands), read without a checkout. The snapshot's
    /// ``revision`` is the commit's full id: pass it as ``expected_head`` to :meth:`commit`.
    #[pyo3(signature = (rev = "HEAD".to_string()), text_signature = "($self, rev='HEAD')")]
    fn snapshot(&self, py: Python<'_>, rev: String) -> PyResult<PySnapshot> {
        py.detach(|| self.repo()?.snapshot(&rev))
            .py()
            .map(PySnapshot::from)
    }

    /// The pointer history of the first-parent commit walk from ``rev``, newest first, read
    /// from the trees: for each of the ``limit`` newest commits, the slots of ``environment``
    /// (of every environment when ``None``) whose image changed. A commit's ``Relman-*``
    /// trailers annotate its moves only when they agree with what it changed (otherwise
    /// ``warnings`` says ``record_mismatch``). Pass it as ``history`` to :func:`plan_release`.
    #[pyo3(
        signature = (rev = "HEAD".to_string(), *, environment = None, limit = WholeNumber::of(relman::git::HISTORY_LIMIT as u64)),
        text_signature = "($self, rev='HEAD', *, environment=None, limit=1000)"
    )]
    fn history(
        &self,
        py: Python<'_>,
        rev: String,
        environment: Option<String>,
        limit: WholeNumber,
    ) -> PyResult<PyHistory> {
        // The range is what a usize holds: the conversion is exact.
        let limit = limit.check(relman::git::HISTORY_LIMITS, "limit")? as usize;
        py.detach(|| self.repo()?.history(&rev, environment.as_deref(), limit))
            .py()
            .map(PyHistory::from)
    }

    /// Commit ``plan`` on ``branch`` if the branch still points at ``expected_head`` (the
    /// snapshot's ``revision``); returns the new commit id (``expected_head`` itself when the
    /// plan changes nothing). ``author`` is ``"Name <email>"``.
    ///
    /// Raises :class:`ConflictError` when the branch moved (its ``actual_head`` says where:
    /// re-plan on it) or a file differs from the plan's ``before``; :class:`BranchCheckedOut`
    /// when the branch is checked out in a work tree; :class:`InvalidPath`.
    #[pyo3(signature = (plan, *, branch, expected_head, author))]
    fn commit(
        &self,
        py: Python<'_>,
        plan: &Bound<'_, PyReleasePlan>,
        branch: PyBackedStr,
        expected_head: PyBackedStr,
        author: PyBackedStr,
    ) -> PyResult<String> {
        let plan = &plan.get().inner;
        py.detach(|| self.repo()?.commit(plan, &branch, &expected_head, &author))
            .py()
    }

    /// Release with compare-and-swap and re-planning: read ``branch``'s head, take a snapshot
    /// and the history there, call ``plan(snapshot, history)`` (``history`` is the
    /// :class:`History` of the head) for a :class:`ReleasePlan`, and commit it as
    /// ``author``. When the branch moved meanwhile, start again on the new head, up to
    /// ``attempts`` times in all. Returns the new commit id, or ``None`` when the plan changes
    /// nothing. An exception raised by ``plan`` propagates unchanged.
    #[pyo3(
        signature = (*, branch, author, plan, attempts = WholeNumber::of(relman::git::DEFAULT_ATTEMPTS as u64)),
        text_signature = "($self, *, branch, author, plan, attempts=5)"
    )]
    fn release_with_retry(
        &self,
        py: Python<'_>,
        branch: PyBackedStr,
        author: PyBackedStr,
        plan: Py<PyAny>,
        attempts: WholeNumber,
    ) -> PyResult<Option<String>> {
        // The range is what a usize holds: the conversion is exact.
        let attempts = attempts.check(relman::git::ATTEMPTS, "attempts")? as usize;
        let failure: Mutex<Option<PyErr>> = Mutex::new(None);
        let callback = |snapshot: &relman::release::Snapshot, history: &relman::release::History| {
            Python::attach(|py| -> relman::Result<relman::release::ReleasePlan> {
                let call = || -> PyResult<relman::release::ReleasePlan> {
                    let value = plan.call1(
                        py,
                        (
                            PySnapshot::from(snapshot.clone()),
                            PyHistory::from(history.clone()),
                        ),
                    )?;
                    let value = value.bind(py);
                    let planned = value.cast::<PyReleasePlan>().map_err(|_| {
                        PyTypeError::new_err(format!(
                            "plan must return a ReleasePlan, not {}",
                            value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                        ))
                    })?;
                    Ok(planned.get().inner.clone())
                };
                call().map_err(|err| {
                    *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(err);
                    relman::Error::new(relman::ErrorKind::Internal, "the plan callback raised")
                })
            })
        };
        let result = py.detach(|| {
            self.repo()?
                .release_with_retry(&branch, &author, attempts, callback)
        });
        if let Some(err) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(err);
        }
        result.py()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("Repository({})", repr(py, self.path.to_string_lossy()))
    }
}

/// `Snapshot.from_git`: core's `Snapshot::from_git`.
pub(crate) fn snapshot_from_git(py: Python<'_>, path: PathBuf, rev: &str) -> PyResult<PySnapshot> {
    py.detach(|| relman::release::Snapshot::from_git(&path, rev))
        .py()
        .map(PySnapshot::from)
}
