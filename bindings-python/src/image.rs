//! `relman.ImageRef`: container image references (core: `relman::image`).

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert::{record, repr};
use crate::error::IntoPyResult;

record! {
    /// A container image reference such as ``nginx``, ``quay.io/org/app:v1.2`` or
    /// ``repo/img:tag@sha256:...``, parsed with the grammar Docker, containerd and the kubelet
    /// use. ``str()`` gives the text exactly as written; matching uses :attr:`name`, which fills
    /// in Docker Hub's defaults. Immutable, hashable, compared by its text.
    ///
    /// >>> ref = ImageRef.parse("nginx:1.25")
    /// >>> (ref.domain, ref.path, ref.tag, ref.name)
    /// ('', 'nginx', '1.25', 'docker.io/library/nginx')
    "ImageRef" PyImageRef from r: relman::ImageRef, keep inner {
        /// The registry domain as written (``host`` or ``host:port``), or ``""`` when the
        /// reference names none (Docker Hub is then implied).
        domain: String = r.domain().to_string(),
        /// The repository path as written, without domain, tag or digest.
        path: String = r.path().to_string(),
        /// The tag, or ``None`` when none is written.
        tag: Option<String> = r.tag().map(str::to_string),
        /// The digest with its algorithm (``sha256:...``), or ``None``.
        digest: Option<String> = r.digest().map(str::to_string),
        /// The domain and path as written (``domain/path``, or ``path`` without a domain).
        repository: String = r.repository().to_string(),
        /// The normalised repository name used for matching: ``nginx`` is
        /// ``docker.io/library/nginx``.
        name: String = r.name(),
    }
    repr(this, py) { format!("ImageRef({})", repr(py, this.inner.as_str())) }
    methods {
        /// Parse an image reference. Raises :class:`InvalidImageReference` when ``text`` is not one.
        #[staticmethod]
        fn parse(text: PyBackedStr) -> PyResult<Self> {
            relman::ImageRef::parse(&text).py().map(Self::from)
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
    }
}
