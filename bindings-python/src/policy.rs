//! Policies and tag filters (core: `relman::policy`): `Policy`, `TagFilter`, `select`,
//! `compare`, `parse_version` and the `Selection` they explain.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert::{list, record, repr};
use crate::error::IntoPyResult;
use crate::release::PyImageInfo;

/// A version mode argument: ``"default"``, ``"strict"`` or ``"loose"``.
fn mode(text: &str) -> PyResult<relman::VersionMode> {
    text.parse::<relman::VersionMode>().py()
}

record! {
    /// The release policies annotated on a workload (Flux v1 annotations), as read by
    /// :func:`read_policy`.
    "Policy" PyPolicy from p: relman::Policy {
        /// ``automated: "true"``: automation may release new images.
        automated: bool = p.automated,
        /// Whether an ``automated`` annotation is present at all.
        automated_set: bool = p.automated_set,
        /// ``locked: "true"``: releases are blocked. Fails closed: a value other than exactly
        /// ``"true"`` or ``"false"`` (``"True"``, ``yes``, ``1``) also counts as locked, and is
        /// listed in :attr:`ambiguous`.
        locked: bool = p.locked,
        /// Why it is locked, or ``None``.
        locked_msg: Option<String> = p.locked_msg.clone(),
        /// Who locked it, or ``None``.
        locked_user: Option<String> = p.locked_user.clone(),
        /// When the lock expires (RFC 3339, as written), or ``None``.
        locked_until: Option<String> = p.locked_until.clone(),
        /// The ``ignore`` policy: ``"no"``, ``"true"`` or ``"sync_only"``.
        ignore: &'static str = p.ignore.code(),
        /// Tag filters per container (``tag.<container>``), as written.
        tag_filters: BTreeMap<String, String> = p.tag_filters.clone(),
        /// The policies whose value is not one relman reads exactly, read in the safe direction
        /// (warning ``ambiguous_policy``): ``locked`` counts as locked, ``ignore`` as ignored,
        /// ``automated`` as not automated. Order: ``automated``, ``locked``, ``ignore``; then the
        /// policies whose annotation key is given twice (``annotations`` for two ``annotations:``
        /// mappings), which read as locked and not automated.
        ambiguous: Vec<String> = p.ambiguous.clone(),
    }
}

record! {
    /// A tag filter: clauses separated by spaces. A pattern: ``glob:PATTERN`` (the default
    /// when there is no prefix; ``*`` is the only wildcard) or ``regex:RE`` / ``regexp:RE``
    /// (unanchored, RE2 syntax). An order: ``semver:CONSTRAINT`` (Masterminds v3 constraints,
    /// as Flux and Argo CD use them; last), ``alphabetical:asc|desc`` or
    /// ``numerical:asc|desc`` (Flux's policies); without one, the newest creation time.
    /// ``extract:TEMPLATE`` ranks the regex match expanded with a Go template (``$ts``,
    /// ``${1}``), as Flux's ``filterTags.extract``. The tag ``latest`` passes only the filter
    /// ``glob:latest``. ``str()`` gives the filter as written.
    ///
    /// >>> TagFilter.parse("semver:^1.2").matches("1.4.0")
    /// True
    "TagFilter" PyTagFilter from f: relman::TagFilter, keep inner {
        /// The kind of filter: ``"glob"``, ``"regex"`` or ``"semver"``.
        kind: &'static str = f.kind().code(),
        /// How the filter ranks the tags it allows: ``"creation_time"``, ``"version"``,
        /// ``"alphabetical_asc"``, ``"alphabetical_desc"``, ``"numerical_asc"``,
        /// ``"numerical_desc"`` or ``"digest"``.
        order: &'static str = f.order().code(),
        /// The ``extract:`` template, or ``None``.
        extract: Option<String> = f.extract().map(str::to_string),
    }
    repr(this, py) { format!("TagFilter({})", repr(py, this.inner.as_str())) }
    methods {
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

        /// The value the order ranks for ``tag``: the ``extract:`` template expanded with the
        /// pattern's match, else the tag; ``None`` when the tag does not pass the pattern.
        fn value_of(&self, tag: PyBackedStr) -> Option<String> {
            self.inner.value_of(&tag)
        }

        fn __str__(&self) -> &str {
            self.inner.as_str()
        }
    }
}

record! {
    /// One tag that :func:`select` did not choose, and why.
    "Rejection" PyRejection from r: relman::policy::Rejection {
        /// The tag.
        tag: String = r.tag.clone(),
        /// Why it lost: ``"filter_miss"``, ``"not_a_version"``, ``"prerelease"``, ``"latest"``,
        /// ``"older"``, ``"missing_time"``, ``"future_timestamp"``, ``"not_a_number"`` or
        /// ``"blocked"``.
        reason: &'static str = r.reason.code(),
        /// The reason in words, naming the tag.
        message: String = r.message.clone(),
    }
}

record! {
    /// The outcome of :func:`select`: the chosen image, if any, and why the others lost.
    "Selection" PySelection from s: relman::policy::Selection {
        /// The chosen image, or ``None``.
        chosen: Option<PyImageInfo> = s.chosen.clone().map(PyImageInfo::from),
        /// The rejected tags with their reasons (at most 50 are listed).
        rejected: Vec<PyRejection> = list(&s.rejected),
        /// How many tags were rejected in all.
        rejected_count: usize = s.rejected_count,
    }
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
    let images = images
        .try_iter()?
        .map(|item| Ok(item?.cast::<PyImageInfo>()?.get().inner.clone()))
        .collect::<PyResult<Vec<_>>>()?;
    let now = crate::convert::now(now)?;
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
    Ok(order.map(|o| o as i32))
}

/// Read ``tag`` as a version in ``mode``: the normalised SemVer text (``v1.21-alpine`` is
/// ``1.21.0-alpine``), or ``None`` when the tag is not a version in that mode.
#[pyfunction]
#[pyo3(signature = (tag, *, mode = "default".to_string()), text_signature = "(tag, *, mode='default')")]
pub(crate) fn parse_version(tag: PyBackedStr, mode: String) -> PyResult<Option<String>> {
    Ok(relman::policy::parse_version(&tag, self::mode(&mode)?).map(|v| v.to_string()))
}
