//! The quick API on one YAML text (core: `relman::manifest`): `list_images`, `set_image`,
//! `update_policy`, `read_policy`, and the `ImageSlot` they list.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyDict;

use crate::convert::{record, strings};
use crate::error::IntoPyResult;
use crate::policy::PyPolicy;

record! {
    /// One place an image reference lives in a manifest, as listed by :func:`list_images`:
    /// a container, an init container or a HelmRelease values slot.
    "ImageSlot" PyImageSlot from s: relman::ImageSlot {
        /// The workload id, ``namespace:kind/name`` with the kind lower-cased.
        workload: String = s.workload.clone(),
        /// The container name, or the HelmRelease slot name (``chart-image`` for the values root).
        container: String = s.container.clone(),
        /// What kind of place this is: ``"container"``, ``"init_container"``, ``"helm_values"``,
        /// ``"setter_marker"``, ``"template_container"`` (an Argo template's container or
        /// script), ``"sidecar"``, ``"step"`` or ``"step_template"`` (Tekton).
        kind: &'static str = s.kind.code(),
        /// The image reference as written (a HelmRelease slot split over several fields gives
        /// them joined: ``registry/repository:tag@digest``).
        image: String = s.image().to_string(),
        /// Whether the value is a valid image reference; values such as ``$(params.image)`` are
        /// listed but not managed.
        managed: bool = s.is_managed(),
        /// 1-based line of the image scalar (the first field of a split slot).
        line: usize = s.line,
        /// 1-based column of the image scalar, in characters.
        column: usize = s.column,
        /// The ``path`` given to :func:`list_images`, or ``None``.
        path: Option<String> = s.path.clone(),
        /// A caveat about the slot, such as ``"numeric_tag"`` for a plain tag like ``1.10`` that
        /// Helm would render as the number ``1.1``; ``None`` when there is none.
        warning: Option<String> = s.warning.clone(),
    }
}

fn options(default_namespace: String, path: Option<String>) -> relman::Options {
    relman::Options {
        default_namespace,
        path,
    }
}

/// Every image slot in ``text``, in document order: for each workload its containers, then
/// its init containers (per group, for kinds with several pod templates or container lists:
/// see docs/workload-kinds.md); for a HelmRelease, ``chart-image`` first, then the other slots
/// by name.
///
/// ``default_namespace`` is the namespace of objects that name none; ``path`` (the file the
/// text came from) is reported in the slots and in error locations.
///
/// Raises :class:`InvalidYaml`, :class:`DuplicateResource`.
#[pyfunction]
#[pyo3(signature = (text, *, default_namespace = "default".to_string(), path = None), text_signature = "(text, *, default_namespace='default', path=None)")]
pub(crate) fn list_images(
    py: Python<'_>,
    text: PyBackedStr,
    default_namespace: String,
    path: Option<String>,
) -> PyResult<Vec<PyImageSlot>> {
    let opts = options(default_namespace, path);
    let slots = py.detach(|| relman::list_images(&text, &opts)).py()?;
    // Each slot converted from the listed value itself (no clone of the core slot first).
    Ok(slots.into_iter().map(PyImageSlot::from).collect())
}

/// Set the image of one container (or HelmRelease slot) of one workload, changing only the
/// bytes of the image value; returns the new text. Setting the image it already has returns
/// ``text`` unchanged.
///
/// ``workload`` is ``namespace:kind/name``, or ``kind/name`` in ``default_namespace``.
///
/// Raises :class:`InvalidImageReference` (the ``image`` argument), :class:`InvalidYaml`,
/// :class:`WorkloadNotFound`, :class:`ContainerNotFound`, :class:`DuplicateResource`,
/// :class:`UnsupportedYaml` (an alias, an anchor used elsewhere, a block scalar),
/// :class:`GeneratedName` (an object with only ``metadata.generateName``).
#[pyfunction]
#[pyo3(signature = (text, workload, container, image, *, default_namespace = "default".to_string(), path = None), text_signature = "(text, workload, container, image, *, default_namespace='default', path=None)")]
pub(crate) fn set_image(
    py: Python<'_>,
    text: PyBackedStr,
    workload: PyBackedStr,
    container: PyBackedStr,
    image: PyBackedStr,
    default_namespace: String,
    path: Option<String>,
) -> PyResult<String> {
    let opts = options(default_namespace, path);
    py.detach(|| relman::set_image(&text, &workload, &container, &image, &opts))
        .py()
}

/// Add and remove Flux policy annotations on one workload; returns the new text.
///
/// ``add`` maps policy names to values (new keys are written in its order), ``remove`` lists
/// policy names; removal wins over addition. Policies: ``automated``, ``locked``,
/// ``locked_msg``, ``locked_user``, ``locked_until``, ``ignore``, ``tag.<container>`` and
/// ``tag_all``.
///
/// Raises :class:`InvalidPolicy`, :class:`InvalidYaml`, :class:`WorkloadNotFound`,
/// :class:`UnsupportedYaml`.
#[pyfunction]
#[pyo3(signature = (text, workload, *, add = None, remove = None, default_namespace = "default".to_string(), path = None), text_signature = "(text, workload, *, add=None, remove=None, default_namespace='default', path=None)")]
pub(crate) fn update_policy(
    py: Python<'_>,
    text: PyBackedStr,
    workload: PyBackedStr,
    add: Option<&Bound<'_, PyAny>>,
    remove: Option<&Bound<'_, PyAny>>,
    default_namespace: String,
    path: Option<String>,
) -> PyResult<String> {
    let mut change = relman::PolicyChange::new();
    if let Some(add) = add.filter(|a| !a.is_none()) {
        let pairs = match add.cast::<PyDict>() {
            Ok(dict) => dict.items().into_any(),
            Err(_) => add.call_method0("items")?,
        };
        for pair in pairs.try_iter()? {
            let (policy, value): (String, String) = pair?.extract()?;
            change = change.add(policy, value);
        }
    }
    if let Some(remove) = remove.filter(|r| !r.is_none()) {
        for policy in strings(remove, "remove")? {
            change = change.remove(policy);
        }
    }
    let opts = options(default_namespace, path);
    py.detach(|| relman::update_policy(&text, &workload, &change, &opts))
        .py()
}

/// The policies annotated on one workload.
///
/// Raises :class:`InvalidYaml`, :class:`WorkloadNotFound`.
#[pyfunction]
#[pyo3(signature = (text, workload, *, default_namespace = "default".to_string(), path = None), text_signature = "(text, workload, *, default_namespace='default', path=None)")]
pub(crate) fn read_policy(
    py: Python<'_>,
    text: PyBackedStr,
    workload: PyBackedStr,
    default_namespace: String,
    path: Option<String>,
) -> PyResult<PyPolicy> {
    let opts = options(default_namespace, path);
    py.detach(|| relman::read_policy(&text, &workload, &opts))
        .py()
        .map(PyPolicy::from)
}
