//! Policies and tag filters (core: `relman::policy`): `Policy`, `TagFilter`, `select`,
//! `compare`, `parse_version` and the `Selection` they explain.

use std::cmp::Ordering;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;

use crate::convert::{name, optional_timestamp, repr_bool, repr_opt, repr_str, wrapper};
use crate::error::IntoPyResult;
use crate::release::PyImageInfo;

/// A version mode argument: ``"default"``, ``"strict"`` or ``"loose"``.
fn mode(text: &str) -> PyResult<relman::VersionMode> {
    text.parse::<relman::VersionMode>().py()
}

wrapper!(
    /// The release policies annotated on a workload (Flux v1 annotations), as read by
    /// :func:`read_policy`.
    "Policy",
    PyPolicy,
    relman::Policy
);

#[pymethods]
impl PyPolicy {
    /// ``automated: "true"``: automation may release new images.
    #[getter]
    fn automated(&self) -> bool {
        self.inner.automated
    }

    /// Whether an ``automated`` annotation is present at all.
    #[getter]
    fn automated_set(&self) -> bool {
        self.inner.automated_set
    }

    /// ``locked: "true"``: releases are blocked. Fails closed: a value other than exactly
    /// ``"true"`` or ``"false"`` (``"True"``, ``yes``, ``1``) also counts as locked, and is
    /// listed in :attr:`ambiguous`.
    #[getter]
    fn locked(&self) -> bool {
        self.inner.locked
    }

    /// Why it is locked, or ``None``.
    #[getter]
    fn locked_msg(&self) -> Option<&str> {
        self.inner.locked_msg.as_deref()
    }

    /// Who locked it, or ``None``.
    #[getter]
    fn locked_user(&self) -> Option<&str> {
        self.inner.locked_user.as_deref()
    }

    /// When the lock expires (RFC 3339, as written), or ``None``.
    #[getter]
    fn locked_until(&self) -> Option<&str> {
        self.inner.locked_until.as_deref()
    }

    /// The ``ignore`` policy: ``"no"``, ``"true"`` or ``"sync_only"``.
    #[getter]
    fn ignore(&self) -> String {
        name(&self.inner.ignore)
    }

    /// Tag filters per container (``tag.<container>``), as written.
    #[getter]
    fn tag_filters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (k, v) in &self.inner.tag_filters {
            dict.set_item(k, v)?;
        }
        Ok(dict)
    }

    /// The policies whose value is not one relman reads exactly, read in the safe direction
    /// (warning ``ambiguous_policy``): ``locked`` counts as locked, ``ignore`` as ignored,
    /// ``automated`` as not automated. Order: ``automated``, ``locked``, ``ignore``; then the
    /// policies whose annotation key is given twice (``annotations`` for two ``annotations:``
    /// mappings), which read as locked and not automated.
    #[getter]
    fn ambiguous(&self) -> Vec<String> {
        self.inner.ambiguous.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let p = &self.inner;
        let filters: Vec<String> = p
            .tag_filters
            .iter()
            .map(|(k, v)| format!("{}: {}", repr_str(py, k), repr_str(py, v)))
            .collect();
        format!(
            "Policy(automated={}, automated_set={}, locked={}, locked_msg={}, locked_user={}, locked_until={}, ignore={}, tag_filters={{{}}}, ambiguous=[{}])",
            repr_bool(p.automated),
            repr_bool(p.automated_set),
            repr_bool(p.locked),
            repr_opt(py, p.locked_msg.as_deref()),
            repr_opt(py, p.locked_user.as_deref()),
            repr_opt(py, p.locked_until.as_deref()),
            repr_str(py, &name(&p.ignore)),
            filters.join(", "),
            p.ambiguous
                .iter()
                .map(|a| repr_str(py, a))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }
}

wrapper!(
    /// A tag filter: ``glob:PATTERN`` (the default when there is no prefix; ``*`` is the only
    /// wildcard), ``regex:RE`` / ``regexp:RE`` (unanchored, RE2 syntax) or
    /// ``semver:CONSTRAINT`` (Masterminds v3 constraints, as Flux and Argo CD use them).
    /// The tag ``latest`` passes only the filter ``glob:latest``. ``str()`` gives the filter as
    /// written.
    ///
    /// >>> TagFilter.parse("semver:^1.2").matches("1.4.0")
    /// True
    "TagFilter",
    PyTagFilter,
    relman::TagFilter
);

#[pymethods]
impl PyTagFilter {
    /// Parse a filter. Raises :class:`InvalidFilter` for a constraint or regex that does not
    /// parse and for an empty glob.
    #[staticmethod]
    fn parse(text: PyBackedStr) -> PyResult<Self> {
        relman::TagFilter::parse(&text).py().map(Self::from)
    }

    /// Whether ``tag`` passes the filter; ``mode`` (``"default"``, ``"strict"`` or
    /// ``"loose"``) is how ``semver:`` filters read versions.
    #[pyo3(signature = (tag, *, mode = "default".to_string()), text_signature = "($self, tag, *, mode='default')")]
    fn matches(&self, tag: PyBackedStr, mode: String) -> PyResult<bool> {
        Ok(self.inner.matches_in(&tag, self::mode(&mode)?))
    }

    /// The kind of filter: ``"glob"``, ``"regex"`` or ``"semver"``.
    #[getter]
    fn kind(&self) -> String {
        name(&self.inner.kind())
    }

    fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("TagFilter({})", repr_str(py, self.inner.as_str()))
    }
}

wrapper!(
    /// One tag that :func:`select` did not choose, and why.
    "Rejection",
    PyRejection,
    relman::policy::Rejection
);

#[pymethods]
impl PyRejection {
    /// The tag.
    #[getter]
    fn tag(&self) -> &str {
        &self.inner.tag
    }

    /// Why it lost: ``"filter_miss"``, ``"not_a_version"``, ``"prerelease"``, ``"latest"``,
    /// ``"older"``, ``"missing_time"`` or ``"future_timestamp"``.
    #[getter]
    fn reason(&self) -> String {
        name(&self.inner.reason)
    }

    /// The reason in words, naming the tag.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Rejection(tag={}, reason={}, message={})",
            repr_str(py, &self.inner.tag),
            repr_str(py, &name(&self.inner.reason)),
            repr_str(py, &self.inner.message)
        )
    }
}

wrapper!(
    /// The outcome of :func:`select`: the chosen image, if any, and why the others lost.
    "Selection",
    PySelection,
    relman::policy::Selection
);

#[pymethods]
impl PySelection {
    /// The chosen image, or ``None``.
    #[getter]
    fn chosen(&self) -> Option<PyImageInfo> {
        self.inner.chosen.clone().map(PyImageInfo::from)
    }

    /// The rejected tags with their reasons (at most 50 are listed).
    #[getter]
    fn rejected(&self) -> Vec<PyRejection> {
        self.inner
            .rejected
            .iter()
            .cloned()
            .map(PyRejection::from)
            .collect()
    }

    /// How many tags were rejected in all.
    #[getter]
    fn rejected_count(&self) -> usize {
        self.inner.rejected_count
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Selection(chosen={}, rejected=[{} listed], rejected_count={})",
            repr_opt(py, self.inner.chosen.as_ref().map(|c| c.tag.as_str())),
            self.inner.rejected.len(),
            self.inner.rejected_count
        )
    }
}

fn infos(images: &Bound<'_, PyAny>) -> PyResult<Vec<relman::release::ImageInfo>> {
    images
        .try_iter()?
        .map(|item| Ok(item?.cast::<PyImageInfo>()?.get().inner.clone()))
        .collect()
}

/// Choose the image ``filter`` allows among ``images`` (:class:`ImageInfo` objects) and
/// explain why every other tag lost. ``semver:`` filters pick the highest version; ``glob:``
/// and ``regex:`` the newest creation time, ties to the most specific tag (``1.4.0`` before
/// ``1.4`` before ``1``). ``now`` (an RFC 3339 string or an aware datetime; default: the
/// current time) bounds creation times: one later than ``now`` plus five minutes is
/// rejected as ``"future_timestamp"``.
#[pyfunction]
#[pyo3(signature = (filter, images, *, mode = "default".to_string(), now = None), text_signature = "(filter, images, *, mode='default', now=None)")]
pub(crate) fn select(
    filter: PyRef<'_, PyTagFilter>,
    images: &Bound<'_, PyAny>,
    mode: String,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PySelection> {
    let images = infos(images)?;
    let now = optional_timestamp(now, "now")?.unwrap_or_else(jiff::Timestamp::now);
    Ok(relman::policy::select(&filter.inner, self::mode(&mode)?, &images, now).into())
}

/// Order two images as ``filter`` ranks them: ``-1`` when ``a`` ranks below ``b``, ``0``
/// when equal, ``1`` when above; ``None`` when they cannot be ordered (not versions, or no
/// creation time).
#[pyfunction]
#[pyo3(signature = (filter, a, b, *, mode = "default".to_string()), text_signature = "(filter, a, b, *, mode='default')")]
pub(crate) fn compare(
    filter: PyRef<'_, PyTagFilter>,
    a: PyRef<'_, PyImageInfo>,
    b: PyRef<'_, PyImageInfo>,
    mode: String,
) -> PyResult<Option<i32>> {
    let order = relman::policy::compare(&filter.inner, self::mode(&mode)?, &a.inner, &b.inner);
    Ok(order.map(|o| match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}

/// Read ``tag`` as a version in ``mode``: the normalised SemVer text (``v1.21-alpine`` is
/// ``1.21.0-alpine``), or ``None`` when the tag is not a version in that mode.
#[pyfunction]
#[pyo3(signature = (tag, *, mode = "default".to_string()), text_signature = "(tag, *, mode='default')")]
pub(crate) fn parse_version(tag: PyBackedStr, mode: String) -> PyResult<Option<String>> {
    Ok(relman::policy::parse_version(&tag, self::mode(&mode)?).map(|v| v.to_string()))
}
