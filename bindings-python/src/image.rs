//! `relman.ImageRef`: container image references (core: `relman::image`).

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert::{repr_str, wrapper};
use crate::error::IntoPyResult;

wrapper!(
    /// A container image reference such as ``nginx``, ``quay.io/org/app:v1.2`` or
    /// ``repo/img:tag@sha256:...``, parsed with the grammar Docker, containerd and the kubelet
    /// use. ``str()`` gives the text exactly as written; matching uses :attr:`name`, which fills
    /// in Docker Hub's defaults. Immutable, hashable, compared by its text.
    ///
    /// >>> ref = ImageRef.parse("nginx:1.25")
    /// >>> (ref.domain, ref.path, ref.tag, ref.name)
    /// ('', 'nginx', '1.25', 'docker.io/library/nginx')
    "ImageRef",
    PyImageRef,
    relman::ImageRef
);

#[pymethods]
impl PyImageRef {
    /// Parse an image reference. Raises :class:`InvalidImageReference` when ``text`` is not one.
    #[staticmethod]
    fn parse(text: PyBackedStr) -> PyResult<Self> {
        relman::ImageRef::parse(&text).py().map(Self::from)
    }

    /// The registry domain as written (``host`` or ``host:port``), or ``""`` when the
    /// reference names none (Docker Hub is then implied).
    #[getter]
    fn domain(&self) -> &str {
        self.inner.domain()
    }

    /// The repository path as written, without domain, tag or digest.
    #[getter]
    fn path(&self) -> &str {
        self.inner.path()
    }

    /// The tag, or ``None`` when none is written.
    #[getter]
    fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The digest with its algorithm (``sha256:...``), or ``None``.
    #[getter]
    fn digest(&self) -> Option<&str> {
        self.inner.digest()
    }

    /// The domain and path as written (``domain/path``, or ``path`` without a domain).
    #[getter]
    fn repository(&self) -> &str {
        self.inner.repository()
    }

    /// The normalised repository name used for matching: ``nginx`` is
    /// ``docker.io/library/nginx``.
    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }

    /// The same repository with ``tag`` (any digest dropped).
    fn with_tag(&self, tag: PyBackedStr) -> PyResult<Self> {
        self.inner.with_tag(&tag).py().map(Self::from)
    }

    /// The same reference pinned to ``digest`` (``sha256:...``), keeping its tag.
    fn with_digest(&self, digest: PyBackedStr) -> PyResult<Self> {
        self.inner.with_digest(&digest).py().map(Self::from)
    }

    /// Whether ``other`` names the same repository (compared by normalised name).
    fn same_repository(&self, other: PyRef<'_, PyImageRef>) -> bool {
        self.inner.same_repository(&other.inner)
    }

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("ImageRef({})", repr_str(py, self.inner.as_str()))
    }
}
