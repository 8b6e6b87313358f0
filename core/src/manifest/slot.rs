//! Workloads and their image slots: pod-template containers and HelmRelease values.

use serde::{Deserialize, Serialize};

use super::kinds;
use super::object::{Object, child, objects, unique_key};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::names;
use crate::yaml::{AtNode, Node, NodeKind, Path, Step, Stream, plain_is_string};

crate::vocabulary::wire_enum! {
/// What kind of place an image slot is.
#[non_exhaustive]
pub enum SlotKind {
    /// `containers[*].image` of a pod template.
    Container = "container",
    /// `initContainers[*].image` of a pod template.
    InitContainer = "init_container",
    /// An image in a HelmRelease's `spec.values`.
    HelmValues = "helm_values",
    /// A value marked by a Flux setter comment (`# {"$imagepolicy": "ns:name"}`).
    SetterMarker = "setter_marker",
    /// The `container` or `script` of an Argo Workflows template (one per template).
    TemplateContainer = "template_container",
    /// `sidecars[*].image` of an Argo Workflows template or a Tekton task.
    Sidecar = "sidecar",
    /// `steps[*].image` of a Tekton task.
    Step = "step",
    /// `stepTemplate.image` of a Tekton task.
    StepTemplate = "step_template",
}
}

/// One place an image reference lives, as listed by [`list_images`](crate::list_images).
///
/// Its image is either a reference relman manages ([`ImageSlot::image_ref`]) or text it lists
/// but never writes (`$(params.image)`, `${IMAGE}`, or a slot whose names Kubernetes would
/// refuse). Serialised, it has the fields `workload`, `container`, `kind`, `image` (the text),
/// `managed`, `line`, `column`, `path` and `warning`.
///
/// ```
/// use relman::{list_images, Options};
///
/// let text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: nginx:1.2}\n  - {name: b, image: $(params.image)}\n";
/// let slots = list_images(text, &Options::default())?;
/// assert_eq!(slots[0].image(), "nginx:1.2");
/// assert_eq!(slots[0].image_ref().and_then(|r| r.tag()), Some("1.2"));
/// assert!(!slots[1].is_managed() && slots[1].image_ref().is_none());
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "WireSlot")]
pub struct ImageSlot {
    /// The workload id, `namespace:kind/name` with the kind lower-cased.
    pub workload: String,
    /// The container name, or the HelmRelease slot name (`chart-image` for the values root).
    pub container: String,
    /// What kind of place this is.
    pub kind: SlotKind,
    /// The image: managed (a parsed reference) or unmanaged text.
    pub(super) image: SlotImage,
    /// 1-based line of the image scalar (the first field of a split slot).
    pub line: usize,
    /// 1-based column of the image scalar.
    pub column: usize,
    /// The file path given in [`Options::path`](crate::Options::path).
    pub path: Option<String>,
    /// A caveat about the slot: `invalid_name` (the workload's namespace, name or kind, or the
    /// container's name, is not one Kubernetes accepts: the slot is unmanaged, never released),
    /// `ambiguous_policy` (a `locked`, `ignore` or `automated` annotation of the workload has a
    /// value other than the exact ones; read in the safe direction), `missing_name_marker`,
    /// `missing_tag_marker`, or `numeric_tag` for a plain tag like `1.10` that Helm would
    /// render as the number `1.1`. When several apply, the first in this order.
    pub warning: Option<String>,
}

/// A slot's image: a reference relman manages, or text it lists but never writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SlotImage {
    /// A valid image reference, as written.
    Managed(ImageRef),
    /// Anything else (`$(params.image)`, `${IMAGE}`, an alias), or a valid reference relman
    /// must not write (a name Kubernetes would refuse, an incomplete marker).
    Unmanaged(String),
}

impl SlotImage {
    /// `text` as a managed reference when it parses as one, else unmanaged.
    pub(crate) fn read(text: String) -> SlotImage {
        match ImageRef::read_owned(text) {
            Ok(r) => SlotImage::Managed(r),
            Err(text) => SlotImage::Unmanaged(text),
        }
    }

    /// The text as written.
    pub(crate) fn text(&self) -> &str {
        match self {
            SlotImage::Managed(r) => r.as_str(),
            SlotImage::Unmanaged(text) => text,
        }
    }

    /// Keep the text, never manage it.
    pub(crate) fn unmanage(&mut self) {
        if let SlotImage::Managed(r) = self {
            *self = SlotImage::Unmanaged(r.as_str().to_string());
        }
    }
}

impl ImageSlot {
    /// The image reference as written (for a HelmRelease slot split over several fields, the
    /// fields joined: `registry/repository:tag@digest`).
    pub fn image(&self) -> &str {
        self.image.text()
    }

    /// Whether the value is a valid image reference relman manages. Values such as
    /// `$(params.image)` or `${IMAGE}` are listed but not managed.
    pub fn is_managed(&self) -> bool {
        matches!(self.image, SlotImage::Managed(_))
    }

    /// The parsed reference of a managed slot; `None` for an unmanaged one.
    pub fn image_ref(&self) -> Option<&ImageRef> {
        match &self.image {
            SlotImage::Managed(r) => Some(r),
            SlotImage::Unmanaged(_) => None,
        }
    }

    /// Replace the slot's image.
    pub(crate) fn set_image(&mut self, image: SlotImage) {
        self.image = image;
    }

    /// Keep the text, never manage it.
    pub(crate) fn unmanage(&mut self) {
        self.image.unmanage();
    }
}

/// [`ImageSlot`] as serialised: the image as text and a `managed` flag.
#[derive(Serialize)]
#[serde(rename = "ImageSlot")]
struct WireSlotRef<'a> {
    workload: &'a str,
    container: &'a str,
    kind: SlotKind,
    image: &'a str,
    managed: bool,
    line: usize,
    column: usize,
    path: &'a Option<String>,
    warning: &'a Option<String>,
}

impl Serialize for ImageSlot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        WireSlotRef {
            workload: &self.workload,
            container: &self.container,
            kind: self.kind,
            image: self.image(),
            managed: self.is_managed(),
            line: self.line,
            column: self.column,
            path: &self.path,
            warning: &self.warning,
        }
        .serialize(serializer)
    }
}

/// [`ImageSlot`] as deserialised; a `managed` slot whose image does not parse is refused.
#[derive(Deserialize)]
#[serde(rename = "ImageSlot")]
struct WireSlot {
    workload: String,
    container: String,
    kind: SlotKind,
    image: String,
    managed: bool,
    line: usize,
    column: usize,
    path: Option<String>,
    warning: Option<String>,
}

impl TryFrom<WireSlot> for ImageSlot {
    type Error = Error;

    fn try_from(w: WireSlot) -> Result<ImageSlot> {
        let image = if w.managed {
            SlotImage::Managed(ImageRef::parse(&w.image)?)
        } else {
            SlotImage::Unmanaged(w.image)
        };
        Ok(ImageSlot {
            workload: w.workload,
            container: w.container,
            kind: w.kind,
            image,
            line: w.line,
            column: w.column,
            path: w.path,
            warning: w.warning,
        })
    }
}

/// Where the parts of a slot's reference are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fields {
    /// One scalar holds the whole reference.
    Whole(Path),
    /// A reference split over several fields (HelmRelease values).
    Parts {
        registry: Option<Path>,
        repository: Path,
        tag: Option<Path>,
        digest: Option<Path>,
    },
    /// Values marked by Flux setter comments `:name`, `:tag`, `:digest`: each holds exactly
    /// its part. `line`/`column` locate the first marker comment (for `incomplete_marker`).
    Marker {
        name: Option<Path>,
        tag: Option<Path>,
        digest: Option<Path>,
        line: usize,
        column: usize,
    },
}

/// A slot with the addresses needed to edit it.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub info: ImageSlot,
    pub fields: Fields,
    /// A duplicated key on the slot's path: tolerated for reading, refused for editing.
    pub duplicate_key: Option<Error>,
    /// Whether every part of the slot's name is one upstream accepts (a position given for a
    /// missing name never is).
    pub name_ok: bool,
    /// How many times a kustomize `images:` entry runs over the slot ([`kinds::Place`]).
    pub passes: usize,
}

/// A workload: an object that runs containers (or a HelmRelease) and its slots.
#[derive(Debug, Clone)]
pub(crate) struct Workload<'s> {
    pub object: Object<'s>,
    /// The object's id ([`Object::id`]), made once per scan.
    pub id: String,
    pub slots: Vec<Slot>,
    /// A duplicated key on the way to the pod spec, kept for the workload as a whole: when
    /// the copy Kubernetes keeps has no containers, an edit must name the duplicate, not report
    /// a missing container.
    pub duplicate_key: Option<Error>,
}

/// Every workload in the stream. Two workloads with the same id are `duplicate_resource`
/// (objects with only `metadata.generateName` excepted: each apply creates a new one).
pub(crate) fn workloads<'s>(
    stream: &'s Stream<'s>,
    default_namespace: &str,
    file: Option<&str>,
) -> Result<Vec<Workload<'s>>> {
    let mut out: Vec<Workload<'s>> = Vec::new();
    // Ids seen so far (id -> index in `out`): one hash look-up per object, not a scan of all
    // earlier ones (quadratic on a stream of thousands of workloads). Built only once there
    // are more than a few: most texts hold one or two workloads, compared directly.
    const DIRECT: usize = 8;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for object in objects(stream, default_namespace) {
        let places = if is_helm_release(&object) {
            None
        } else if let Some(found) = places(&object) {
            Some(found)
        } else {
            continue;
        };
        let id = object.id();
        let (mut slots, duplicate_key) = match places {
            None => (helm_slots(&object, &id, file)?, None),
            Some((places, dup)) => (place_slots(&object, &id, places, file), dup),
        };
        mark_invalid_names(&object, &mut slots);
        if !object.generated {
            let first = if out.len() < DIRECT {
                out.iter().find(|w| !w.object.generated && w.id == id)
            } else {
                if seen.is_empty() {
                    seen.extend(
                        out.iter()
                            .enumerate()
                            .filter(|(_, w)| !w.object.generated)
                            .map(|(i, w)| (w.id.clone(), i)),
                    );
                }
                seen.get(&id).map(|&i| &out[i])
            };
            if let Some(first) = first {
                return Err(Error::new(
                    ErrorKind::DuplicateResource,
                    format!(
                        "{id} is defined twice, at line {} and at line {}",
                        stream.line_col(first.object.node).0,
                        stream.line_col(object.node).0
                    ),
                )
                .at_node(stream, object.node));
            }
            if out.len() >= DIRECT {
                seen.insert(id.clone(), out.len());
            }
        }
        out.push(Workload {
            object,
            id,
            slots,
            duplicate_key,
        });
    }
    Ok(out)
}

/// The warning of a slot whose workload or container name Kubernetes would not accept.
pub(crate) const INVALID_NAME: &str = "invalid_name";

/// The warning of a slot whose workload has only `metadata.generateName`: each apply creates a
/// new object, so it has no stable id and is never released.
pub(crate) const GENERATED_NAME: &str = "generated_name";

/// Names Kubernetes would refuse never reach a release or a commit message (DESIGN.md
/// section 6): a workload whose namespace (DNS-1123 label), name (DNS-1123 subdomain) or kind
/// is not one Kubernetes accepts has every slot unmanaged with the warning `invalid_name`; so
/// has a slot whose name is not one upstream accepts (a container name that is not a DNS-1123
/// label, a missing name given by position, a template or group name with a `.`) or, whole,
/// is not the name part of an annotation key (HelmRelease slots are named after values keys,
/// or the slot of a `repository.fluxcd.io/<slot>` annotation). A workload with only
/// `metadata.generateName` has every slot unmanaged with the warning `generated_name`.
fn mark_invalid_names(object: &Object<'_>, slots: &mut [Slot]) {
    if object.generated {
        for slot in slots {
            slot.info.unmanage();
            slot.info.warning = Some(GENERATED_NAME.to_string());
        }
        return;
    }
    let object_ok = names::is_id_namespace(&object.namespace)
        && names::is_dns_subdomain(object.name)
        && names::is_kind(object.kind);
    for slot in slots {
        let name_ok = slot.name_ok && names::is_key_name(&slot.info.container);
        if !(object_ok && name_ok) {
            slot.info.unmanage();
            slot.info.warning = Some(INVALID_NAME.to_string());
        }
    }
}

fn is_helm_release(object: &Object<'_>) -> bool {
    (object.kind == "HelmRelease"
        && (object.api_version.starts_with("helm.fluxcd.io/")
            || object.api_version.starts_with("helm.toolkit.fluxcd.io/")))
        || (object.kind == "FluxHelmRelease" && object.api_version.starts_with("flux.weave.works/"))
}

/// Walk `keys` down from `node`, noting the first duplicated key on the way.
pub(super) fn walk<'s>(
    stream: &Stream<'_>,
    node: &'s Node<'s>,
    path: &Path,
    keys: &[&str],
    dup: &mut Option<Error>,
) -> Option<(&'s Node<'s>, Path)> {
    // One path grown in place (not a new path per step).
    let mut steps = Vec::with_capacity(path.steps.len() + keys.len());
    steps.extend_from_slice(&path.steps);
    walk_in(stream, node, Path { doc: path.doc, steps }, keys, dup)
}

/// [`walk`] that extends `path` itself (reserve room for `keys` to save a reallocation).
fn walk_in<'s>(
    stream: &Stream<'_>,
    node: &'s Node<'s>,
    mut path: Path,
    keys: &[&str],
    dup: &mut Option<Error>,
) -> Option<(&'s Node<'s>, Path)> {
    let mut cur = node;
    for key in keys {
        let entries = cur.entries()?;
        // One pass finds the last entry of `key` (the one a decoder keeps) and whether there
        // are several.
        let (mut last, mut count) = (None, 0);
        for (i, entry) in entries.iter().enumerate() {
            if entry.key.as_str() == Some(*key) {
                last = Some(i);
                count += 1;
            }
        }
        if count > 1 && dup.is_none() {
            *dup = unique_key(stream, cur, key).err();
        }
        let i = last?;
        path.steps.push(Step::Value(i));
        cur = &entries[i].value;
    }
    Some((cur, path))
}

/// The path to the pod spec of the workload kinds Kubernetes defines.
fn pod_spec_keys(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            Some(&["spec", "template", "spec"])
        }
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        "Pod" => Some(&["spec"]),
        _ => None,
    }
}

/// Where the containers of `object` are, with the first duplicated key on the way to them
/// (kept for the workload as a whole); `None` when the object is not a workload. The kinds
/// Kubernetes defines (by kind; without a pod spec yet, a workload with policies and no
/// slots), the kinds of DESIGN.md section 16 (by group and kind), and any other object whose
/// `spec.template.spec` has `containers`.
fn places<'s>(object: &Object<'s>) -> Option<(Vec<kinds::Place<'s>>, Option<Error>)> {
    let mut out = Vec::new();
    if let Some(keys) = pod_spec_keys(object.kind) {
        let mut dup = super::object::check_identity_keys(object).err();
        if let Some((spec, path)) = walk(object.stream, object.node, &object.path, keys, &mut dup) {
            // kustomize's image field specs name `spec` and `spec.template.spec` (2 passes);
            // a CronJob's pod spec is reached by its walk only.
            let passes = if object.kind == "CronJob" { 1 } else { 2 };
            kinds::pod_places(object, spec, &path, None, passes, false, &dup, &mut out);
        }
        return Some((out, dup));
    }
    if let Some((places, dup)) = kinds::family_places(object) {
        return Some((places, dup));
    }
    let mut ignored = None;
    let (spec, _) = walk(
        object.stream,
        object.node,
        &object.path,
        &["spec", "template", "spec"],
        &mut ignored,
    )?;
    spec.get("containers")?;
    let mut dup = super::object::check_identity_keys(object).err();
    let (spec, path) = walk(
        object.stream,
        object.node,
        &object.path,
        &["spec", "template", "spec"],
        &mut dup,
    )?;
    kinds::pod_places(object, spec, &path, None, 2, false, &dup, &mut out);
    Some((out, dup))
}

/// The slots of the containers in `places`, in order.
fn place_slots(
    object: &Object<'_>,
    id: &str,
    places: Vec<kinds::Place<'_>>,
    file: Option<&str>,
) -> Vec<Slot> {
    use kinds::{Items, Naming};
    let stream = object.stream;
    let mut slots = Vec::new();
    let mut push = |name: String,
                    name_ok: bool,
                    item: &Node<'_>,
                    item_path: Path,
                    mut dup: Option<Error>,
                    place: &kinds::Place<'_>| {
        let Some((image, image_path)) = walk_in(stream, item, item_path, &["image"], &mut dup) else {
            return;
        };
        let (line, column) = stream.line_col(image);
        slots.push(Slot {
            info: ImageSlot {
                workload: id.to_string(),
                container: name,
                kind: place.kind,
                image: describe(image),
                line,
                column,
                path: file.map(str::to_string),
                warning: None,
            },
            fields: Fields::Whole(image_path),
            duplicate_key: dup,
            name_ok,
            passes: place.passes,
        });
    };
    for place in &places {
        match &place.items {
            Items::One { node, path, name } => {
                let mut item_path = Path {
                    doc: path.doc,
                    steps: Vec::with_capacity(path.steps.len() + 1),
                };
                item_path.steps.extend_from_slice(&path.steps);
                push(
                    name.text.clone(),
                    name.ok,
                    node,
                    item_path,
                    place.dup.clone(),
                    place,
                );
            }
            Items::List {
                node,
                path,
                field,
                naming,
            } => {
                for (i, item) in node.items().unwrap_or_default().iter().enumerate() {
                    if item.entries().is_none() {
                        continue;
                    }
                    let mut dup = place.dup.clone();
                    if dup.is_none() {
                        dup = unique_key(stream, item, "name").err();
                    }
                    let (own, own_ok) = match (item.get_str("name"), naming) {
                        (Some(name), _) => (name.to_string(), names::is_dns_label(name)),
                        (None, Naming::TektonStep) => (format!("unnamed-{i}"), true),
                        (None, Naming::Given(given)) => match given.get(i).cloned().flatten() {
                            Some(name) => (name, true),
                            None => (format!("{field}[{i}]"), false),
                        },
                        (None, Naming::Required) => (format!("{field}[{i}]"), false),
                    };
                    let (name, ok) = match &place.prefix {
                        Some(p) => (format!("{}.{own}", p.text), p.ok && own_ok),
                        None => (own, own_ok),
                    };
                    // The item's path, with room for the `image` step.
                    let mut item_path = Path {
                        doc: path.doc,
                        steps: Vec::with_capacity(path.steps.len() + 2),
                    };
                    item_path.steps.extend_from_slice(&path.steps);
                    item_path.steps.push(Step::Item(i));
                    push(name, ok, item, item_path, dup, place);
                }
            }
        }
    }
    slots
}

/// The image an image node holds: managed when it is a valid reference.
fn describe(node: &Node<'_>) -> SlotImage {
    match &node.kind {
        NodeKind::Scalar { value, .. } => SlotImage::read(value.to_string()),
        NodeKind::Alias { anchor } => SlotImage::Unmanaged(format!("*{anchor}")),
        _ => SlotImage::Unmanaged(String::new()),
    }
}

fn scalar_at<'s>(node: &'s Node<'s>, path: &Path, key: &str) -> Option<(&'s Node<'s>, Path)> {
    child(node, path, key).filter(|(n, _)| n.as_str().is_some())
}

/// The slot shapes of DESIGN.md section 6 in the mapping `m`.
fn helm_shape<'s>(m: &'s Node<'s>, path: &Path) -> Option<(Fields, Vec<&'s Node<'s>>)> {
    let (image, image_path) = child(m, path, "image")?;
    match &image.kind {
        NodeKind::Scalar { .. } => {
            let tag = scalar_at(m, path, "tag");
            let registry = scalar_at(m, path, "registry");
            let digest = scalar_at(m, path, "digest");
            if tag.is_none() && registry.is_none() && digest.is_none() {
                return Some((Fields::Whole(image_path), vec![image]));
            }
            let mut nodes = Vec::new();
            nodes.extend(registry.as_ref().map(|r| r.0));
            nodes.push(image);
            nodes.extend(tag.as_ref().map(|t| t.0));
            nodes.extend(digest.as_ref().map(|d| d.0));
            Some((
                Fields::Parts {
                    registry: registry.map(|r| r.1),
                    repository: image_path,
                    tag: tag.map(|t| t.1),
                    digest: digest.map(|d| d.1),
                },
                nodes,
            ))
        }
        NodeKind::Mapping { .. } => {
            let (repo, repo_path) = scalar_at(image, &image_path, "repository")?;
            let tag = scalar_at(image, &image_path, "tag");
            let registry = scalar_at(image, &image_path, "registry");
            let digest = scalar_at(image, &image_path, "digest");
            let mut nodes = Vec::new();
            nodes.extend(registry.as_ref().map(|r| r.0));
            nodes.push(repo);
            nodes.extend(tag.as_ref().map(|t| t.0));
            nodes.extend(digest.as_ref().map(|d| d.0));
            Some((
                Fields::Parts {
                    registry: registry.map(|r| r.1),
                    repository: repo_path,
                    tag: tag.map(|t| t.1),
                    digest: digest.map(|d| d.1),
                },
                nodes,
            ))
        }
        _ => None,
    }
}

/// Resolve a dot path (`mariadb.customImage`) under `values`.
/// Resolve the dot path (`mariadb.customImage`) that the annotation `annotation` gives, under
/// `values`. A path that does not exist gives no slot; one that ends at a mapping or a sequence
/// is `invalid_yaml`, located at the annotation.
fn dot_path<'s>(
    stream: &Stream<'_>,
    values: &'s Node<'s>,
    path: &Path,
    dots: &str,
    annotation: &Node<'_>,
) -> Result<Option<(&'s Node<'s>, Path)>> {
    let mut cur = (values, path.clone());
    for key in dots.split('.') {
        match child(cur.0, &cur.1, key) {
            Some(next) => cur = next,
            None => return Ok(None),
        }
    }
    if cur.0.as_str().is_none() {
        return Err(Error::new(
            ErrorKind::InvalidYaml,
            format!(
                "the annotation points at `{dots}` in spec.values, which is not a string value (line {})",
                stream.line_col(cur.0).0
            ),
        )
        .at_node(stream, annotation));
    }
    Ok(Some(cur))
}

fn helm_slots(object: &Object<'_>, id: &str, file: Option<&str>) -> Result<Vec<Slot>> {
    let mut dup = super::object::check_identity_keys(object).err();
    let stream = object.stream;
    let Some((values, values_path)) = walk(stream, object.node, &object.path, &["spec", "values"], &mut dup)
    else {
        return Ok(Vec::new());
    };
    if values.entries().is_none() {
        return Ok(Vec::new());
    }
    let mut found: Vec<(String, Fields, Vec<&Node<'_>>)> = Vec::new();
    if let Some((fields, nodes)) = helm_shape(values, &values_path) {
        found.push(("chart-image".to_string(), fields, nodes));
    }
    for (i, entry) in values.entries().unwrap_or_default().iter().enumerate() {
        let Some(key) = entry.key.as_str() else { continue };
        if key == "image" || entry.value.entries().is_none() {
            continue;
        }
        if let Some((fields, nodes)) = helm_shape(&entry.value, &values_path.then(Step::Value(i))) {
            found.push((key.to_string(), fields, nodes));
        }
    }
    // Explicit paths from annotations override the shapes.
    let annotations = object.node.get("metadata").and_then(|m| m.get("annotations"));
    for entry in annotations.and_then(Node::entries).unwrap_or_default() {
        let Some(slot) = entry
            .key
            .as_str()
            .and_then(|k| k.strip_prefix("repository.fluxcd.io/"))
        else {
            continue;
        };
        // The value a `<prefix><slot>` annotation names, with the annotation's own value node.
        type Resolved<'a> = Option<(&'a Node<'a>, Path, &'a Node<'a>)>;
        let resolve = |prefix: &str| -> Result<Resolved<'_>> {
            let Some(a) = annotations.and_then(|a| a.get(&format!("{prefix}{slot}"))) else {
                return Ok(None);
            };
            match a.as_str() {
                Some(dots) => Ok(dot_path(stream, values, &values_path, dots, a)?.map(|(n, p)| (n, p, a))),
                None => Ok(None),
            }
        };
        let Some(repository) = resolve("repository.fluxcd.io/")? else {
            continue;
        };
        let tag = resolve("tag.fluxcd.io/")?;
        let registry = resolve("registry.fluxcd.io/")?;
        // Two parts of one reference in the same field cannot be written apart.
        let parts = [registry.as_ref(), Some(&repository), tag.as_ref()];
        for (i, a) in parts.iter().enumerate() {
            for b in &parts[i + 1..] {
                if let (Some(a), Some(b)) = (a, b) {
                    if a.1 == b.1 {
                        let later = if a.2.start > b.2.start { a.2 } else { b.2 };
                        return Err(Error::new(
                            ErrorKind::InvalidPolicy,
                            format!(
                                "{}: two of the registry/repository/tag annotations of `{slot}` name the \
                                 same value `{}`",
                                object.id(),
                                later.as_str().unwrap_or_default()
                            ),
                        )
                        .at_node(stream, later));
                    }
                }
            }
        }
        // A field another slot already reads: an edit of one slot would change the other.
        for (other, _, nodes) in found.iter().filter(|(name, ..)| name != slot) {
            for part in parts.iter().flatten() {
                if nodes.iter().any(|n| n.start() == part.0.start()) {
                    return Err(Error::new(
                        ErrorKind::InvalidPolicy,
                        format!(
                            "{}: the slots `{other}` and `{slot}` both name the value `{}`",
                            object.id(),
                            part.2.as_str().unwrap_or_default()
                        ),
                    )
                    .at_node(stream, part.2));
                }
            }
        }
        let (registry, repository, tag) = (
            registry.map(|(n, p, _)| (n, p)),
            (repository.0, repository.1),
            tag.map(|(n, p, _)| (n, p)),
        );
        let mut nodes = Vec::new();
        nodes.extend(registry.as_ref().map(|r| r.0));
        nodes.push(repository.0);
        nodes.extend(tag.as_ref().map(|t| t.0));
        let fields = if tag.is_none() && registry.is_none() {
            Fields::Whole(repository.1)
        } else {
            Fields::Parts {
                registry: registry.map(|r| r.1),
                repository: repository.1,
                tag: tag.map(|t| t.1),
                digest: None,
            }
        };
        found.retain(|(name, ..)| name != slot);
        found.push((slot.to_string(), fields, nodes));
    }
    found.sort_by(|a, b| (a.0 != "chart-image", &a.0).cmp(&(b.0 != "chart-image", &b.0)));
    Ok(found
        .into_iter()
        .map(|(name, fields, nodes)| {
            let (image, warning) = compose(&fields, &nodes);
            let (line, column) = stream.line_col(nodes[0]);
            Slot {
                info: ImageSlot {
                    workload: id.to_string(),
                    container: name,
                    kind: SlotKind::HelmValues,
                    image,
                    line,
                    column,
                    path: file.map(str::to_string),
                    warning,
                },
                fields,
                duplicate_key: dup.clone(),
                name_ok: true,
                passes: 0,
            }
        })
        .collect())
}

/// The image a split slot spells, and a warning for numeric tags.
fn compose(fields: &Fields, nodes: &[&Node<'_>]) -> (SlotImage, Option<String>) {
    match fields {
        // HelmRelease slots are never marker fields.
        Fields::Whole(_) | Fields::Marker { .. } => (describe(nodes[0]), None),
        Fields::Parts {
            registry,
            tag,
            digest,
            ..
        } => {
            let mut it = nodes.iter();
            let mut text = String::new();
            if registry.is_some() {
                text.push_str(it.next().and_then(|n| n.as_str()).unwrap_or(""));
                text.push('/');
            }
            text.push_str(it.next().and_then(|n| n.as_str()).unwrap_or(""));
            let mut warning = None;
            if tag.is_some() {
                let node = it.next().expect("tag node");
                let value = node.as_str().unwrap_or("");
                if node.style() == Some(crate::yaml::ScalarStyle::Plain)
                    && !plain_is_string(value, node.in_flow)
                {
                    warning = Some("numeric_tag".to_string());
                }
                text.push(':');
                text.push_str(value);
            }
            if digest.is_some() {
                text.push('@');
                text.push_str(it.next().and_then(|n| n.as_str()).unwrap_or(""));
            }
            (SlotImage::read(text), warning)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(image: SlotImage) -> ImageSlot {
        ImageSlot {
            workload: "web:deployment/users".to_string(),
            container: "app".to_string(),
            kind: SlotKind::Container,
            image,
            line: 3,
            column: 14,
            path: None,
            warning: None,
        }
    }

    #[test]
    fn serialises_as_text_and_flag_and_reads_back() {
        let managed = slot(SlotImage::read("acme/users:1.3.0".to_string()));
        let json = serde_json::to_string(&managed).unwrap();
        assert_eq!(
            json,
            r#"{"workload":"web:deployment/users","container":"app","kind":"container","image":"acme/users:1.3.0","managed":true,"line":3,"column":14,"path":null,"warning":null}"#
        );
        assert_eq!(serde_json::from_str::<ImageSlot>(&json).unwrap(), managed);
        assert_eq!(managed.image_ref().and_then(ImageRef::tag), Some("1.3.0"));

        // A valid reference can be unmanaged (a name Kubernetes would refuse): kept as such.
        let mut unmanaged = managed.clone();
        unmanaged.unmanage();
        assert_eq!(unmanaged.image(), "acme/users:1.3.0");
        assert!(!unmanaged.is_managed() && unmanaged.image_ref().is_none());
        let json = serde_json::to_string(&unmanaged).unwrap();
        assert!(json.contains(r#""image":"acme/users:1.3.0","managed":false"#));
        assert_eq!(serde_json::from_str::<ImageSlot>(&json).unwrap(), unmanaged);

        // `managed: true` promises a reference that parses.
        let bad = json.replace(
            r#""image":"acme/users:1.3.0","managed":false"#,
            r#""image":"$(x)","managed":true"#,
        );
        let err = serde_json::from_str::<ImageSlot>(&bad).unwrap_err();
        assert!(err.to_string().contains("$(x)"), "{err}");
    }
}
