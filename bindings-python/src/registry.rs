//! The registry client (core: `relman::registry`, feature `registry`): `Registry`.

use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use relman::registry::{CredentialFields, CredentialsArgument, Progress, Registry, RegistryOptions};

use crate::convert::WholeNumber;
use crate::error::IntoPyResult;
use crate::release::PyCatalog;

/// A client of container registries (the OCI Distribution / Docker Registry HTTP API v2,
/// read-only) that turns repositories into a :class:`Catalog`: tags, digests and creation
/// times, with auth, paging, retries and a cache (DESIGN.md section 17).
///
/// ``credentials``: ``"docker-config"`` (the default: ``$DOCKER_CONFIG/config.json`` or
/// ``~/.docker/config.json``, with ``auths``, ``credHelpers`` and ``credsStore``), ``None``
/// (anonymous), a ``(user, password)`` tuple, ``{"token": ...}`` (a Bearer token) or
/// ``{"docker_config": path}`` (another ``config.json``). ``cache_dir``: a folder that keeps
/// digests and creation times between processes. ``insecure``: hosts (``host[:port]``) reached
/// over plain http (loopback always is). ``concurrency``: requests in flight at once.
/// ``timeout``: seconds per request. ``moving_tags``: tags asked for at every poll.
/// ``max_age``: seconds after which a known tag is asked for again (``None``: never).
/// ``retries``: retries of a ``429``/``503`` answer. Raises :class:`InvalidArgument` for an
/// option it cannot use.
#[pyclass(frozen, module = "relman", name = "Registry")]
pub struct PyRegistry {
    inner: Registry,
}

/// The ``credentials`` argument as given (``None`` is anonymous).
#[derive(FromPyObject)]
pub(crate) enum CredentialsArg {
    Name(String),
    Pair((String, String)),
    Map(std::collections::HashMap<String, String>),
}

/// The argument as core checks it: a tuple is a user and password, a dict holds ``token`` or
/// ``docker_config`` (any other key is unknown).
fn credentials(arg: Option<CredentialsArg>) -> CredentialsArgument {
    match arg {
        None => CredentialsArgument::Anonymous,
        Some(CredentialsArg::Name(name)) => CredentialsArgument::Name(name),
        Some(CredentialsArg::Pair((username, password))) => CredentialsArgument::Fields(CredentialFields {
            username: Some(username),
            password: Some(password),
            ..CredentialFields::default()
        }),
        Some(CredentialsArg::Map(map)) => {
            let mut fields = CredentialFields::default();
            for (key, value) in map {
                match key.as_str() {
                    "token" => fields.token = Some(value),
                    "docker_config" => fields.docker_config = Some(PathBuf::from(value)),
                    _ => fields.unknown.push(key),
                }
            }
            CredentialsArgument::Fields(fields)
        }
    }
}

/// A progress event as the callable receives it: a dict with ``event`` (``"listed"`` or
/// ``"fetched"``), ``repository`` and, for ``listed``, ``tags`` and ``to_fetch``; for
/// ``fetched``, ``tag`` and ``found``.
fn event<'py>(py: Python<'py>, progress: &Progress<'_>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match progress {
        Progress::Listed {
            repository,
            tags,
            to_fetch,
        } => {
            d.set_item("event", "listed")?;
            d.set_item("repository", repository)?;
            d.set_item("tags", tags)?;
            d.set_item("to_fetch", to_fetch)?;
        }
        Progress::Fetched {
            repository,
            tag,
            found,
        } => {
            d.set_item("event", "fetched")?;
            d.set_item("repository", repository)?;
            d.set_item("tag", tag)?;
            d.set_item("found", found)?;
        }
        _ => d.set_item("event", "other")?,
    }
    Ok(d)
}

// The defaults are core's; the text signature writes them as literals so that Python shows them
// (`help`, `inspect.signature`, and the stub, which stubtest compares), and this fails the build
// when core's change.
const _: () = assert!(
    RegistryOptions::DEFAULT_CONCURRENCY == 8
        && RegistryOptions::DEFAULT_TIMEOUT.as_secs() == 30
        && RegistryOptions::DEFAULT_TIMEOUT.subsec_nanos() == 0
        && RegistryOptions::DEFAULT_RETRIES == 3
);

#[pymethods]
impl PyRegistry {
    #[new]
    #[pyo3(
        signature = (*, credentials = Some(CredentialsArg::Name(CredentialsArgument::DOCKER_CONFIG.to_string())), cache_dir = None, insecure = Vec::new(), concurrency = WholeNumber::of(RegistryOptions::DEFAULT_CONCURRENCY as u64), timeout = 30.0, moving_tags = RegistryOptions::default().moving_tags, max_age = None, retries = WholeNumber::of(RegistryOptions::DEFAULT_RETRIES as u64)),
        text_signature = "(*, credentials=..., cache_dir=None, insecure=..., concurrency=8, timeout=30.0, moving_tags=..., max_age=None, retries=3)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        credentials: Option<CredentialsArg>,
        cache_dir: Option<PathBuf>,
        insecure: Vec<String>,
        concurrency: WholeNumber,
        timeout: f64,
        moving_tags: Vec<String>,
        max_age: Option<f64>,
        retries: WholeNumber,
    ) -> PyResult<Self> {
        // The ranges are core's; each fits the field's type, so the conversions are exact.
        let concurrency = concurrency.check(RegistryOptions::CONCURRENCY, "concurrency")? as usize;
        let retries = retries.check(RegistryOptions::RETRIES, "retries")? as u32;
        let options = RegistryOptions {
            cache_dir,
            insecure,
            moving_tags,
            retries,
            ..RegistryOptions::default()
        }
        .with_credentials(self::credentials(credentials), "credentials")
        .and_then(|o| o.with_concurrency(concurrency, "concurrency"))
        .and_then(|o| o.with_timeout(timeout, "timeout"))
        .and_then(|o| o.with_max_age(max_age, "max_age"))
        .py()?;
        Ok(PyRegistry {
            inner: Registry::new(options),
        })
    }

    /// The :class:`Catalog` of ``repositories`` (image names without tag, as manifests write
    /// them, e.g. from :meth:`Snapshot.repositories`), each named as given. Releases the GIL
    /// while it waits. ``progress``, when given, is called with a dict per event (see the
    /// class docs; from the calling thread's point of view, at any time during the call); an
    /// exception it raises is raised by ``catalog`` once the call ends. Raises
    /// :class:`RegistryUnauthorized`, :class:`RegistryNotFound`, :class:`RegistryUnavailable`,
    /// :class:`RegistryProtocol` (naming the repository and URL), :class:`InvalidArgument` (a
    /// name that is not a repository).
    #[pyo3(signature = (repositories, *, progress = None))]
    fn catalog(
        &self,
        py: Python<'_>,
        repositories: Vec<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<PyCatalog> {
        let raised: Mutex<Option<PyErr>> = Mutex::new(None);
        let result = py.detach(|| match &progress {
            None => self.inner.catalog(&repositories),
            Some(callback) => self
                .inner
                .catalog_with_progress(&repositories, &|p: &Progress<'_>| {
                    Python::attach(|py| {
                        let mut raised = raised.lock().unwrap_or_else(|e| e.into_inner());
                        if raised.is_some() {
                            return;
                        }
                        let outcome = event(py, p).and_then(|d| callback.call1(py, PyTuple::new(py, [d])?));
                        if let Err(e) = outcome {
                            *raised = Some(e);
                        }
                    })
                }),
        });
        if let Some(err) = raised.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(err);
        }
        result.py().map(|inner| PyCatalog { inner })
    }

    /// Requests sent since the registry was made, by kind: a dict with ``tag_lists``,
    /// ``manifests``, ``blobs``, ``tokens`` and ``total``.
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counts = self.inner.requests();
        let d = PyDict::new(py);
        d.set_item("tag_lists", counts.tag_lists)?;
        d.set_item("manifests", counts.manifests)?;
        d.set_item("blobs", counts.blobs)?;
        d.set_item("tokens", counts.tokens)?;
        d.set_item("total", counts.total())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!("Registry(requests={})", self.inner.requests().total())
    }
}
