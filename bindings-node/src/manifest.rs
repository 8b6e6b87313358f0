//! The quick API on one YAML text: list slots, set an image, read and change policies (core
//! `relman::manifest`).

use indexmap::IndexMap;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use serde::Deserialize;

use crate::error::OrThrow;
use crate::options::{Checked, OptionKeys};
use crate::policy::Policy;
use crate::text::Text;
use crate::to_js;

/// Options of the quick API.
#[napi(object)]
#[derive(Default)]
pub struct ManifestOptions {
    /// The namespace of objects that do not name one (default `'default'`).
    pub default_namespace: Option<Option<String>>,
    /// The file the text came from, reported in slots and error locations.
    pub path: Option<Option<String>>,
}

impl OptionKeys for ManifestOptions {
    const KEYS: &'static [&'static str] = &["defaultNamespace", "path"];
}

impl From<ManifestOptions> for relman::Options {
    fn from(o: ManifestOptions) -> Self {
        let mut options = relman::Options::default();
        if let Some(ns) = o.default_namespace.flatten() {
            options.default_namespace = ns;
        }
        options.path = o.path.flatten();
        options
    }
}

fn options(o: Option<Checked<ManifestOptions>>) -> relman::Options {
    o.map(|o| o.0).unwrap_or_default().into()
}

/// What kind of place an image slot is: a pod template's `containers` or `initContainers`,
/// a HelmRelease's `spec.values`, a value marked by a Flux setter comment, an Argo template's
/// container or script, a sidecar (Argo, Tekton), a Tekton step or step template. Core's
/// `SlotKind`.
#[napi(string_enum = "snake_case")]
pub enum SlotKind {
    Container,
    InitContainer,
    HelmValues,
    SetterMarker,
    TemplateContainer,
    Sidecar,
    Step,
    StepTemplate,
}

/// One place an image reference lives, as listed by `listImages`.
#[napi(object, use_nullable = true)]
#[derive(Deserialize)]
pub struct ImageSlot {
    /// The workload id, `namespace:kind/name` with the kind lower-cased.
    pub workload: String,
    /// The container name, or the HelmRelease slot name (`chart-image` for the values root).
    pub container: String,
    /// What kind of place this is.
    #[napi(ts_type = "SlotKind")]
    pub kind: String,
    /// The image reference as written (for a HelmRelease slot split over several fields, the
    /// fields joined: `registry/repository:tag@digest`).
    pub image: String,
    /// Whether the value is a valid image reference. Values such as `$(params.image)` or
    /// `${IMAGE}` are listed but not managed.
    pub managed: bool,
    /// 1-based line of the image scalar (the first field of a split slot).
    pub line: u32,
    /// 1-based column of the image scalar, in characters.
    pub column: u32,
    /// The file path given in the options.
    pub path: Option<String>,
    /// A caveat about the slot, such as `numeric_tag` for a plain tag like `1.10` that Helm
    /// would render as the number `1.1`.
    pub warning: Option<String>,
}

/// Every image slot in `text`, in document order: for each workload its containers, then its
/// init containers (per group, for kinds with several pod templates or container lists: see
/// docs/workload-kinds.md); for a HelmRelease, `chart-image` first, then the other slots by name.
///
/// Throws `invalid_yaml`, `duplicate_resource`.
///
/// ```js
/// const slots = listImages(text, { defaultNamespace: 'web' })
/// slots[0].workload // 'web:deployment/users'
/// ```
#[napi]
pub fn list_images(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Text,
    #[napi(ts_arg_type = "ManifestOptions | undefined | null")] options: Option<Checked<ManifestOptions>>,
) -> Result<Vec<ImageSlot>> {
    to_js(
        env,
        &relman::list_images(&text, &self::options(options)).or_throw(env)?,
    )
}

/// Set the image of one container (or HelmRelease slot) of one workload, changing only the
/// bytes of the image scalar(s): comments, quotes, indentation, CRLF and everything else stay.
/// Setting the image it already has returns `text` unchanged.
///
/// `workload` is `namespace:kind/name` (or `kind/name` in the default namespace).
///
/// Throws `invalid_image_reference` (the `image` argument), `invalid_yaml`,
/// `workload_not_found`, `container_not_found`, `duplicate_resource`, `unsupported_yaml` (an
/// alias, an anchor used elsewhere, a block scalar), `generated_name` (an object with only
/// `metadata.generateName`).
#[napi]
pub fn set_image(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Text,
    workload: String,
    container: String,
    image: String,
    #[napi(ts_arg_type = "ManifestOptions | undefined | null")] options: Option<Checked<ManifestOptions>>,
) -> Result<String> {
    relman::set_image(&text, &workload, &container, &image, &self::options(options)).or_throw(env)
}

/// Policies to add and remove with `updatePolicy`, plus the quick API's options.
#[napi(object)]
#[derive(Default)]
pub struct PolicyChange {
    /// Policies to set, with their values, written in this order when new. Names:
    /// `automated`, `locked`, `locked_msg`, `locked_user`, `locked_until`, `ignore`,
    /// `tag.<container>`, and `tag_all` (a filter for every container; `glob:*` removes them).
    pub add: Option<Option<IndexMap<String, String>>>,
    /// Policies to remove. Removal wins over addition.
    pub remove: Option<Option<Vec<String>>>,
    /// The namespace of objects that do not name one (default `'default'`).
    pub default_namespace: Option<Option<String>>,
    /// The file the text came from, reported in error locations.
    pub path: Option<Option<String>>,
}

impl OptionKeys for PolicyChange {
    const KEYS: &'static [&'static str] = &["add", "remove", "defaultNamespace", "path"];
}

/// Add and remove Flux v1 policy annotations on one workload. A policy is written under the
/// key it already has (any prefix), else as `fluxcd.io/<policy>`; the `annotations:` mapping
/// is created when missing and removed when its last entry goes.
///
/// Throws `invalid_policy` (an unknown policy name, a `locked_until` that is not RFC 3339, a
/// container name an annotation key cannot hold), `invalid_filter` (a tag filter that does not
/// parse), `invalid_yaml`, `workload_not_found`, `duplicate_resource`, `unsupported_yaml`.
///
/// ```js
/// const out = updatePolicy(text, 'deployment/users', { add: { automated: 'true' }, remove: ['locked'] })
/// ```
#[napi]
pub fn update_policy(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Text,
    workload: String,
    #[napi(ts_arg_type = "PolicyChange | undefined | null")] change: Option<Checked<PolicyChange>>,
) -> Result<String> {
    let change = change.map(|c| c.0).unwrap_or_default();
    let mut core = relman::PolicyChange::new();
    for (policy, value) in change.add.flatten().into_iter().flatten() {
        core = core.add(policy, value);
    }
    for policy in change.remove.flatten().into_iter().flatten() {
        core = core.remove(policy);
    }
    let options = relman::Options::from(ManifestOptions {
        default_namespace: change.default_namespace,
        path: change.path,
    });
    relman::update_policy(&text, &workload, &core, &options).or_throw(env)
}

/// The policies annotated on one workload.
///
/// Throws `invalid_yaml`, `workload_not_found`, `duplicate_resource`.
#[napi]
pub fn read_policy(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Text,
    workload: String,
    #[napi(ts_arg_type = "ManifestOptions | undefined | null")] options: Option<Checked<ManifestOptions>>,
) -> Result<Policy> {
    to_js(
        env,
        &relman::read_policy(&text, &workload, &self::options(options)).or_throw(env)?,
    )
}
