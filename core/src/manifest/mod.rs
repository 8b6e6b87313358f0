//! Kubernetes understanding (DESIGN.md section 6): objects in multi-document streams and
//! `*List` kinds, workloads and their image slots, HelmRelease values, and Flux v1 policy
//! annotations; plus the quick API that lists and edits one text.

mod annotations;
mod argo_app;
mod image_policy;
mod kinds;
pub(crate) mod kustomize;
mod live;
pub(crate) mod marker;
mod object;
mod slot;

use serde::{Deserialize, Serialize};

pub(crate) use argo_app::{ArgoApplications, read as read_argo_applications};
pub(crate) use image_policy::{FluxObjects, read as read_flux_objects};
pub(crate) use live::{LiveWorkload, live_workloads};
pub(crate) use slot::{GENERATED_NAME, INVALID_NAME};
pub use slot::{ImageSlot, SlotKind};

use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::policy::{Policy, PolicyChange};
use crate::yaml::{Patch, Stream};
use crate::yaml::{count_lines, cut_documents, plain_lines};
use object::WorkloadName;
pub(crate) use slot::{Fields, SlotImage};
use slot::{Workload, workloads};

/// Options of the quick API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// The namespace of objects that do not name one (default `default`).
    pub default_namespace: String,
    /// The file the text came from, reported in slots and error locations.
    pub path: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            default_namespace: "default".to_string(),
            path: None,
        }
    }
}

impl Options {
    /// Options with `default_namespace`.
    pub fn with_namespace(namespace: impl Into<String>) -> Self {
        Options {
            default_namespace: namespace.into(),
            ..Options::default()
        }
    }

    fn locate(&self, err: Error) -> Error {
        match &self.path {
            Some(p) => err.in_file(p.clone()),
            None => err,
        }
    }
}

/// Every image slot in `text`, in document order: for each workload its containers, then its
/// init containers (per group, for kinds with several pod templates or container lists: the
/// order and slot names per kind are in `docs/workload-kinds.md`); for a HelmRelease,
/// `chart-image` first, then the other slots by name.
///
/// Errors: `invalid_yaml`, `duplicate_resource`.
///
/// Texts of 256 KB or more are read document by document on all cores, and documents whose
/// bytes hold none of `image`, `HelmRelease` or a backslash are not parsed (they cannot hold a
/// slot): an error inside such a document, or a workload without images defined twice, is not
/// reported there. Any error elsewhere gives the same error as a short text would.
///
/// ```
/// let text = "kind: Pod\nmetadata: {name: p, namespace: web}\nspec:\n  containers:\n  - {name: app, image: nginx}\n";
/// let slots = relman::list_images(text, &relman::Options::default())?;
/// assert_eq!((slots[0].workload.as_str(), slots[0].image()), ("web:pod/p", "nginx"));
/// # Ok::<(), relman::Error>(())
/// ```
pub fn list_images(text: &str, options: &Options) -> Result<Vec<ImageSlot>> {
    if text.len() >= CHUNKED_FROM {
        if let Some(slots) = list_chunked(text, options) {
            return Ok(slots);
        }
    }
    list_whole(text, options)
}

/// Streams at least this long are listed document by document ([`list_chunked`]).
const CHUNKED_FROM: usize = 256 * 1024;

/// [`list_images`] on the whole text at once.
fn list_whole(text: &str, options: &Options) -> Result<Vec<ImageSlot>> {
    let run = || -> Result<Vec<ImageSlot>> {
        let arena = crate::yaml::Arena::for_text(text);
        let stream = Stream::parse(text, &arena)?;
        let scanned = scan(&stream, &options.default_namespace, options.path.as_deref())?;
        let mut slots: Vec<ImageSlot> = scanned.workloads.into_iter().flat_map(|w| w.slots).collect();
        for m in scanned.markers {
            slots.push(marker_slot(&m, options.path.as_deref()));
        }
        Ok(slots)
    };
    run().map_err(|e| options.locate(e))
}

/// The listing fast path for long streams (DESIGN.md section 15): the text is cut into its
/// documents (`split_documents` in `yaml/split.rs` says where and when it declines). The
/// documents are parsed on all cores, each on its own (one the fast reader declines goes to
/// libyaml alone), and their slots' lines shifted by the lines before them (columns are
/// unchanged: documents start at a line start). Every document is parsed, those that cannot
/// hold a slot too, so that invalid YAML anywhere in the stream is reported, never a partial
/// listing.
///
/// Only the cut ([`cut_documents`], one vectorised search) and the merge run on the calling
/// thread; each piece's checks ([`plain_lines`]) and line count run with its parse.
///
/// `None` (the caller then lists the whole text, which gives the exact error) when a document
/// fails, when two documents define the same workload, and when the text cannot be cut.
fn list_chunked(text: &str, options: &Options) -> Option<Vec<ImageSlot>> {
    // (start byte, end byte) of every document, each parsed on its own: one the fast reader
    // declines goes to libyaml alone.
    let chunks: Vec<(usize, usize)> = cut_documents(text);
    // Several pieces per thread, taken from a queue: documents differ in cost per byte, and a
    // thread that starts late must not leave a fixed half of the stream to run alone.
    let pieces = crate::parallel::threads() * 8;
    let share = text.len() / pieces + 1;
    let mut groups: Vec<&[(usize, usize)]> = Vec::new();
    let mut first = 0;
    let mut size = 0;
    for (i, (a, b)) in chunks.iter().enumerate() {
        size += b - a;
        if size >= share {
            groups.push(&chunks[first..=i]);
            first = i + 1;
            size = 0;
        }
    }
    if first < chunks.len() {
        groups.push(&chunks[first..]);
    }
    /// What one group of documents gives: its slots (lines counted from the group's first
    /// line), its marker slots (likewise), the hashes of its workload ids, and how many lines
    /// it holds.
    struct Part {
        slots: Vec<ImageSlot>,
        markers: Vec<ImageSlot>,
        ids: Vec<u64>,
        lines: usize,
    }
    let list_group = |group: &[(usize, usize)]| -> Option<Part> {
        let mut slots = Vec::new();
        let mut markers = Vec::new();
        let mut ids = Vec::new();
        // One arena for the group, its memory reused from one document to the next.
        let mut arena = crate::yaml::Arena::new();
        // Lines of the group before the document (the group starts at a line start).
        let mut before = 0;
        for &(from, to) in group {
            if !plain_lines(&text[from..to]) {
                return None;
            }
            arena.reset();
            let stream = Stream::parse(&text[from..to], &arena).ok()?;
            let scanned = scan(&stream, &options.default_namespace, options.path.as_deref()).ok()?;
            for w in scanned.workloads {
                // Objects with only a generateName may share an id.
                if !w.generated {
                    ids.push(id_hash(&w.id));
                }
                slots.extend(w.slots.into_iter().map(|mut slot| {
                    slot.line += before;
                    slot
                }));
            }
            for m in &scanned.markers {
                let mut slot = marker_slot(m, options.path.as_deref());
                slot.line += before;
                markers.push(slot);
            }
            before += count_lines(&text[from..to]);
        }
        Some(Part {
            slots,
            markers,
            ids,
            lines: before,
        })
    };
    let parts: Vec<Option<Part>> = crate::parallel::par_map_queue(&groups, |g| list_group(g));
    // Two documents that define the same workload: the whole text gives the error. Ids are
    // compared by a 64-bit hash taken on the worker threads; two different ids with the same
    // hash would only send the text to the whole-text listing, which gives the same slots.
    let mut ids: Vec<u64> = Vec::with_capacity(parts.iter().flatten().map(|p| p.ids.len()).sum());
    let mut slots = Vec::with_capacity(parts.iter().flatten().map(|p| p.slots.len()).sum());
    let mut markers = Vec::new();
    let mut before = 0;
    for part in parts {
        let mut part = part?;
        ids.append(&mut part.ids);
        for slot in part.slots.iter_mut().chain(part.markers.iter_mut()) {
            slot.line += before;
        }
        slots.append(&mut part.slots);
        markers.append(&mut part.markers);
        before += part.lines;
    }
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    // Marker slots are numbered per policy across the whole file (`path`, `path#2`...), as
    // the whole-text listing numbers them; each document numbered its own from 1.
    if !markers.is_empty() {
        let file = options.path.as_deref().unwrap_or("-");
        let numbers: Vec<usize> = {
            let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            markers
                .iter()
                .map(|slot| {
                    let n = seen.entry(slot.workload.as_str()).or_default();
                    *n += 1;
                    *n
                })
                .collect()
        };
        for (slot, n) in markers.iter_mut().zip(numbers) {
            if n > 1 {
                slot.container = format!("{file}#{n}");
            }
        }
    }
    slots.append(&mut markers);
    Some(slots)
}

/// A 64-bit hash of a workload id, the same on every thread of the process
/// ([`std::hash::DefaultHasher::new`]), for finding ids defined twice without moving the ids.
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// The workload `workload` names: exactly the id [`list_images`] gives it (whatever its names
/// hold, so that a listed id always works as input, DESIGN.md section 6), else
/// `namespace:kind/name` or `kind/name` read as a caller writes them (kind in any case).
fn find_workload<'s>(stream: &'s Stream<'_>, workload: &str, options: &Options) -> Result<Workload<'s>> {
    let mut all = workloads(stream, &options.default_namespace, options.path.as_deref())?;
    if let Some(i) = all.iter().position(|w| w.id == workload) {
        return Ok(all.swap_remove(i));
    }
    let wanted = WorkloadName::parse(workload, &options.default_namespace)?;
    all.into_iter()
        .find(|w| wanted.matches(&w.object))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::WorkloadNotFound,
                format!("no workload {workload} in the text"),
            )
        })
}

fn find_slot<'w>(workload: &'w WorkloadSite, container: &str) -> Result<&'w SlotSite> {
    let slot = workload
        .slots
        .iter()
        .find(|s| s.container == container)
        .ok_or_else(|| {
            if let Some(duplicate) = &workload.duplicate_key {
                return duplicate.clone();
            }
            let names: Vec<&str> = workload.slots.iter().map(|s| s.container.as_str()).collect();
            Error::new(
                ErrorKind::ContainerNotFound,
                format!(
                    "{} has no container `{container}` (it has: {})",
                    workload.id,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            )
        })?;
    // Two containers of one pod with the same name (Kubernetes rejects the pod): the name
    // does not say which one to edit.
    if let Some(second) = workload.slots.iter().filter(|s| s.container == container).nth(1) {
        return Err(Error::new(
            ErrorKind::DuplicateResource,
            format!(
                "{} has two containers named `{container}`, at line {} and at line {}",
                workload.id, slot.line, second.line
            ),
        )
        .at(second.line, second.column));
    }
    match &slot.duplicate_key {
        Some(err) => Err(err.clone()),
        None => Ok(slot),
    }
}

/// Where the edits of one workload go, kept from the scan that found it so that an edit does
/// not scan its file again: the object's address and, in slot order, each slot's fields.
#[derive(Debug, Clone)]
pub(crate) struct WorkloadSite {
    /// `namespace:kind/name` as the file gives it (for messages).
    pub id: String,
    /// The object's address in its stream.
    pub object: crate::yaml::Path,
    /// Its slots, in the order the scan lists them.
    pub slots: Vec<SlotSite>,
    /// A duplicated key on the way to the pod spec, kept for the workload as a whole.
    pub duplicate_key: Option<Error>,
}

/// Where one slot of a workload is written.
#[derive(Debug, Clone)]
pub(crate) struct SlotSite {
    /// The container (or HelmRelease slot) name.
    pub container: String,
    /// 1-based line of the image scalar.
    pub line: usize,
    /// 1-based column of the image scalar.
    pub column: usize,
    /// Where the parts of the reference are written.
    pub fields: Fields,
    /// A duplicated key on the slot's path: refused for editing.
    pub duplicate_key: Option<Error>,
    /// How many times a kustomize `images:` entry runs over the slot (0: never, the slot is
    /// not in a `containers` or `initContainers` list).
    pub passes: usize,
}

impl WorkloadSite {
    /// The site of `workload` (its slots' infos are given up: the names move over).
    fn of(workload: Workload<'_>) -> WorkloadSite {
        WorkloadSite {
            id: workload.id,
            object: workload.object.path,
            slots: workload
                .slots
                .into_iter()
                .map(|s| SlotSite {
                    line: s.info.line,
                    column: s.info.column,
                    container: s.info.container,
                    fields: s.fields,
                    duplicate_key: s.duplicate_key,
                    passes: s.passes,
                })
                .collect(),
            duplicate_key: workload.duplicate_key,
        }
    }
}

/// Set the image of one container (or HelmRelease slot) of one workload, changing only the
/// bytes of the image scalar(s). Setting the image it already has returns `text` unchanged.
///
/// `workload` is `namespace:kind/name` (or `kind/name` in the default namespace). Values marked
/// by Flux setter comments are the workload `<ns>:imagepolicy/<name>` of their policy, with the
/// slot named after [`Options::path`] (`-` when none is given), as [`list_images`] lists them.
///
/// Errors: `invalid_image_reference` (the `image` argument), `invalid_yaml`,
/// `workload_not_found`, `container_not_found`, `duplicate_resource`, `unsupported_yaml`
/// (an alias, an anchor used elsewhere, a block scalar), `generated_name` (an object with only
/// `metadata.generateName`: listed as `namespace:kind/<prefix>*`, never edited).
pub fn set_image(
    text: &str,
    workload: &str,
    container: &str,
    image: &str,
    options: &Options,
) -> Result<String> {
    let new = ImageRef::parse(image)?;
    let run = || -> Result<String> {
        let arena = crate::yaml::Arena::for_text(text);
        let stream = Stream::parse(text, &arena)?;
        let mut patch = Patch::new();
        let wanted = WorkloadName::parse(workload, &options.default_namespace)?;
        if wanted.kind == "imagepolicy" {
            // Values marked by Flux setter comments: the slot is named after the file.
            let scanned = scan(&stream, &options.default_namespace, options.path.as_deref())?;
            let id = format!("{}:imagepolicy/{}", wanted.namespace, wanted.name);
            let marked: Vec<_> = scanned
                .markers
                .iter()
                .filter(|m| marker_slot(m, None).workload == id)
                .collect();
            if marked.is_empty() {
                return Err(Error::new(
                    ErrorKind::WorkloadNotFound,
                    format!("no setter marker names {id}"),
                ));
            }
            let m = marked.iter().find(|m| m.name == container).ok_or_else(|| {
                let names: Vec<&str> = marked.iter().map(|m| m.name.as_str()).collect();
                Error::new(
                    ErrorKind::ContainerNotFound,
                    format!(
                        "{id} has no marker slot `{container}` (it has: {})",
                        names.join(", ")
                    ),
                )
            })?;
            write_fields(&stream, &mut patch, &m.fields, &m.name, &new)?;
        } else {
            let found = find_workload(&stream, workload, options)?;
            found.object.refuse_generated()?;
            let found = WorkloadSite::of(found);
            write_slot(&stream, &mut patch, find_slot(&found, container)?, &new)?;
        }
        patch.apply(&stream)
    };
    run().map_err(|e| options.locate(e))
}

/// Write `new` into the fields of `slot`.
fn write_slot(stream: &Stream<'_>, patch: &mut Patch, slot: &SlotSite, new: &ImageRef) -> Result<()> {
    write_fields(stream, patch, &slot.fields, &slot.container, new)
}

/// Write `new` into `fields` (of the slot named `name`, for messages).
pub(crate) fn write_fields(
    stream: &Stream<'_>,
    patch: &mut Patch,
    fields: &Fields,
    name: &str,
    new: &ImageRef,
) -> Result<()> {
    match fields {
        Fields::Whole(path) => patch.set_scalar(stream, path, new.as_str()),
        Fields::Marker {
            name: name_path,
            tag,
            digest,
            line,
            column,
        } => {
            // Each marked value holds exactly its part; a part the new reference has and no
            // marker holds cannot be written (Flux's setters write only marked values).
            let incomplete = |why: String| {
                Error::new(ErrorKind::IncompleteMarker, format!("marker slot {name}: {why}"))
                    .at(*line, *column)
            };
            let Some(name_path) = name_path else {
                return Err(incomplete(
                    "no `:name` marker names the repository, so the reference cannot be written; \
                     mark the repository value with `\"namespace:policy:name\"`"
                        .to_string(),
                ));
            };
            let needs = |what: &str| {
                Error::new(
                    ErrorKind::InvalidImageReference,
                    format!("marker slot {name} marks a {what}; give a reference with a {what}"),
                )
            };
            match (tag, new.tag()) {
                (Some(path), Some(t)) => patch.set_scalar(stream, path, t)?,
                (Some(_), None) => return Err(needs("tag")),
                (None, Some(t)) => {
                    return Err(incomplete(format!(
                        "no `:tag` marker holds the tag `{t}` of {new}; mark the tag value with \
                         `\"namespace:policy:tag\"`"
                    )));
                }
                (None, None) => {}
            }
            match (digest, new.digest()) {
                (Some(path), Some(d)) => patch.set_scalar(stream, path, d)?,
                (Some(_), None) => return Err(needs("digest")),
                (None, Some(d)) => {
                    return Err(incomplete(format!(
                        "no `:digest` marker holds the digest `{d}` of {new}; mark the digest value \
                         with `\"namespace:policy:digest\"`"
                    )));
                }
                (None, None) => {}
            }
            patch.set_scalar(stream, name_path, new.repository())
        }
        Fields::Parts {
            registry,
            repository,
            tag,
            digest,
        } => {
            let needs = |what: &str| {
                Error::new(
                    ErrorKind::InvalidImageReference,
                    format!("slot {name} keeps the {what} in its own field; give a reference with a {what}"),
                )
            };
            let mut repo = match registry {
                Some(path) => {
                    // Keep the field boundary the values already have: when the new reference
                    // starts with the current registry value, only the rest moves (`do` in
                    // `do/bitnami/postgresql` is a registry value the grammar reads as a path).
                    let current = crate::yaml::resolve(stream, path).and_then(|n| n.as_str());
                    let kept = current.and_then(|r| new.repository().strip_prefix(r)?.strip_prefix('/'));
                    match kept {
                        Some(rest) => rest.to_string(),
                        None => {
                            let domain = if new.domain().is_empty() {
                                "docker.io"
                            } else {
                                new.domain()
                            };
                            patch.set_scalar(stream, path, domain)?;
                            new.path().to_string()
                        }
                    }
                }
                None => new.repository().to_string(),
            };
            let mut tail = String::new();
            match (tag, new.tag()) {
                (Some(path), Some(t)) => {
                    let mut value = t.to_string();
                    if let (None, Some(d)) = (digest, new.digest()) {
                        value = format!("{t}@{d}");
                    }
                    patch.set_scalar(stream, path, &value)?;
                }
                (Some(_), None) => return Err(needs("tag")),
                (None, Some(t)) => tail = format!(":{t}"),
                (None, None) => {}
            }
            match (digest, new.digest()) {
                (Some(path), Some(d)) => patch.set_scalar(stream, path, d)?,
                (Some(_), None) => return Err(needs("digest")),
                (None, Some(d)) if tag.is_none() => tail.push_str(&format!("@{d}")),
                (None, _) => {}
            }
            repo.push_str(&tail);
            patch.set_scalar(stream, repository, &repo)
        }
    }
}

/// Add and remove policy annotations on one workload (DESIGN.md section 7).
///
/// ```
/// let text = "kind: Deployment\nmetadata:\n  name: nginx\nspec: {}\n";
/// let change = relman::PolicyChange::new().add("automated", "true");
/// let out = relman::update_policy(text, "default:deployment/nginx", &change, &relman::Options::default())?;
/// assert_eq!(out, "kind: Deployment\nmetadata:\n  name: nginx\n  annotations:\n    fluxcd.io/automated: \"true\"\nspec: {}\n");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn update_policy(text: &str, workload: &str, change: &PolicyChange, options: &Options) -> Result<String> {
    let run = || -> Result<String> {
        let arena = crate::yaml::Arena::for_text(text);
        let stream = Stream::parse(text, &arena)?;
        let found = find_workload(&stream, workload, options)?;
        found.object.refuse_generated()?;
        object::check_identity_keys(&found.object)?;
        if let Some(metadata) = found.object.node.get("metadata") {
            metadata.unique_key(&stream, "annotations")?;
        }
        let containers: Vec<String> = found
            .slots
            .iter()
            .filter(|s| s.info.kind != SlotKind::HelmValues)
            .map(|s| s.info.container.clone())
            .collect();
        let patch = annotations::write(
            &stream,
            found.object.node,
            &found.object.path,
            &containers,
            change,
        )?;
        patch.apply(&stream)
    };
    run().map_err(|e| options.locate(e))
}

/// The policies annotated on one workload.
pub fn read_policy(text: &str, workload: &str, options: &Options) -> Result<Policy> {
    let run = || -> Result<Policy> {
        let arena = crate::yaml::Arena::for_text(text);
        let stream = Stream::parse(text, &arena)?;
        let found = find_workload(&stream, workload, options)?;
        Ok(annotations::read(found.object.node))
    };
    run().map_err(|e| options.locate(e))
}

/// A workload as the planner sees it: id, policies and slots.
#[derive(Debug, Clone)]
pub(crate) struct ScannedWorkload {
    /// `namespace:kind/name`.
    pub id: String,
    /// `kind` as written.
    pub kind: String,
    /// `metadata.name`, or `<generateName>*` for an object with only a generateName.
    pub name: String,
    /// Whether it has only `metadata.generateName` (its slots are unmanaged, `generated_name`;
    /// two of them with the same prefix are no duplicate).
    pub generated: bool,
    /// The policies annotated on it.
    pub policy: Policy,
    /// Its annotations, for reading its policy under kustomize `commonAnnotations`.
    pub annotations: crate::policy::annotations::Annotations,
    /// Its image slots.
    pub slots: Vec<ImageSlot>,
    /// 1-based line of the object.
    pub line: usize,
    /// Where its edits go, when the scan was asked to keep it ([`scan_sites`]).
    pub site: Option<WorkloadSite>,
    /// Its slots whose value carries a Flux setter marker: (container, policy `namespace:name`).
    pub marked: Vec<(String, String)>,
}

/// What the planner reads of one file: its workloads and the setter markers outside them.
pub(crate) struct Scanned {
    /// The workloads.
    pub workloads: Vec<ScannedWorkload>,
    /// Marked values that are not already slots of a workload.
    pub markers: Vec<marker::MarkerSlot>,
}

/// The paths of the values a slot's reference is written in.
fn slot_paths(fields: &Fields) -> Vec<&crate::yaml::Path> {
    match fields {
        Fields::Whole(p) => vec![p],
        Fields::Parts {
            registry,
            repository,
            tag,
            digest,
        } => std::iter::once(repository)
            .chain(registry)
            .chain(tag)
            .chain(digest)
            .collect(),
        Fields::Marker {
            name, tag, digest, ..
        } => name.iter().chain(tag).chain(digest).collect(),
    }
}

/// The byte offsets of every scalar that is already part of a workload's slot.
fn covered(stream: &Stream<'_>, found: &[Workload<'_>]) -> std::collections::HashSet<usize> {
    let mut out = std::collections::HashSet::new();
    for w in found {
        for slot in &w.slots {
            let paths = slot_paths(&slot.fields);
            out.extend(
                paths
                    .into_iter()
                    .filter_map(|p| crate::yaml::resolve(stream, p))
                    .map(|n| n.start()),
            );
        }
    }
    out
}

/// Call `each` with every object (the items of `*List` kinds, in order) of the YAML files of
/// `files` (path, text) whose text contains `needle`, with its file, its stream and its `kind`
/// and `apiVersion` (empty when missing or not a string). A text that contains it and does
/// not parse is `invalid_yaml` located in its file: it may hold what the
/// caller looks for, so no guess.
pub(crate) fn objects_in_files<'a>(
    files: impl Iterator<Item = (&'a str, &'a str)>,
    needle: &str,
    mut each: impl FnMut(&'a str, &Stream<'_>, &crate::yaml::Node<'_>, &str, &str) -> Result<()>,
) -> Result<()> {
    let mut arena = crate::yaml::Arena::new();
    // Built once for every file (most files do not hold it: the search is most of the cost).
    let finder = memchr::memmem::Finder::new(needle);
    for (path, text) in files {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) || finder.find(text.as_bytes()).is_none() {
            continue;
        }
        arena.reset();
        let stream = Stream::parse(text, &arena).map_err(|e| e.in_file(path))?;
        for doc in &stream.documents {
            let mut objects = vec![&doc.root];
            while let Some(object) = objects.pop() {
                let kind = object
                    .get("kind")
                    .and_then(crate::yaml::Node::as_str)
                    .unwrap_or_default();
                if kind.ends_with("List") {
                    if let Some(items) = object.get("items").and_then(crate::yaml::Node::items) {
                        objects.extend(items.iter().rev());
                    }
                    continue;
                }
                let api = object
                    .get("apiVersion")
                    .and_then(crate::yaml::Node::as_str)
                    .unwrap_or_default();
                each(path, &stream, object, kind, api)?;
            }
        }
    }
    Ok(())
}

/// The list entry of a marker slot.
pub(crate) fn marker_slot(m: &marker::MarkerSlot, path: Option<&str>) -> ImageSlot {
    let (ns, name) = m.policy.split_once(':').unwrap_or(("", &m.policy));
    ImageSlot {
        workload: format!("{ns}:imagepolicy/{name}"),
        container: m.name.clone(),
        kind: SlotKind::SetterMarker,
        image: m.image.clone(),
        line: m.line,
        column: m.column,
        path: path.map(str::to_string),
        warning: m.warning.clone(),
    }
}

/// The warning of a slot whose workload has a policy annotation with an ambiguous value
/// ([`Policy::ambiguous`]).
pub(crate) const AMBIGUOUS_POLICY: &str = "ambiguous_policy";

/// Every workload and setter marker of one parsed file, for listing.
/// `path` names the file in slots and errors; without one, marker slots are named `-`.
pub(crate) fn scan(stream: &Stream<'_>, default_namespace: &str, path: Option<&str>) -> Result<Scanned> {
    scan_with(stream, default_namespace, path, false)
}

/// [`scan`] for the planner: each workload keeps its [`WorkloadSite`], so that [`edit`] writes
/// it without scanning the file again.
pub(crate) fn scan_sites(
    stream: &Stream<'_>,
    default_namespace: &str,
    path: Option<&str>,
) -> Result<Scanned> {
    scan_with(stream, default_namespace, path, true)
}

/// Whether `text` holds `$imagepolicy` (one vectorised search, its searcher built once).
fn has_setter_marker(text: &str) -> bool {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    FINDER
        .get_or_init(|| memchr::memmem::Finder::new("$imagepolicy"))
        .find(text.as_bytes())
        .is_some()
}

fn scan_with(
    stream: &Stream<'_>,
    default_namespace: &str,
    path: Option<&str>,
    sites: bool,
) -> Result<Scanned> {
    let locate = |e: Error| match path {
        Some(p) => e.in_file(p),
        None => e,
    };
    let found = workloads(stream, default_namespace, path).map_err(locate)?;
    // The covered offsets only matter to a file with markers: `markers` finds none in a text
    // without `$imagepolicy` (most files), so the set is not built for those.
    let with_markers = has_setter_marker(stream.text());
    let markers = if with_markers {
        marker::markers(stream, path.unwrap_or("-"), &covered(stream, &found)).map_err(locate)?
    } else {
        Vec::new()
    };
    let workloads = found
        .into_iter()
        .map(|w| {
            // Setter markers on the workload's own slots bind them to a Flux policy.
            let marked: Vec<(String, String)> = if with_markers {
                w.slots
                    .iter()
                    .filter_map(|s| {
                        let policy = slot_paths(&s.fields)
                            .into_iter()
                            .filter_map(|p| crate::yaml::resolve(stream, p))
                            .find_map(|n| marker::policy_after(stream, n))?;
                        Some((s.info.container.clone(), policy))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let found_annotations = annotations::annotations_of(w.object.node);
            let policy = crate::policy::annotations::read_rendered(&found_annotations, &[]);
            let id = w.id;
            let generated = w.object.generated;
            let (kind, name, line) = (
                w.object.kind.to_string(),
                w.object.display_name(),
                w.object.stream.line_col(w.object.node).0,
            );
            let (mut slots, site) = if sites {
                let mut infos = Vec::with_capacity(w.slots.len());
                let mut site_slots = Vec::with_capacity(w.slots.len());
                for s in w.slots {
                    site_slots.push(SlotSite {
                        container: s.info.container.clone(),
                        line: s.info.line,
                        column: s.info.column,
                        fields: s.fields,
                        duplicate_key: s.duplicate_key,
                        passes: s.passes,
                    });
                    infos.push(s.info);
                }
                let site = WorkloadSite {
                    id: id.clone(),
                    object: w.object.path,
                    slots: site_slots,
                    duplicate_key: w.duplicate_key,
                };
                (infos, Some(site))
            } else {
                (
                    w.slots.into_iter().map(|s| s.info).collect::<Vec<ImageSlot>>(),
                    None,
                )
            };
            if !policy.ambiguous.is_empty() {
                for slot in &mut slots {
                    if !matches!(
                        slot.warning.as_deref(),
                        Some(slot::INVALID_NAME | slot::GENERATED_NAME)
                    ) {
                        slot.warning = Some(AMBIGUOUS_POLICY.to_string());
                    }
                }
            }
            ScannedWorkload {
                id,
                kind,
                name,
                generated,
                policy,
                annotations: found_annotations,
                line,
                slots,
                site,
                marked,
            }
        })
        .collect();
    Ok(Scanned { workloads, markers })
}

/// The setter markers of a kustomization, except on its `images:` entries (those are read as
/// kustomize reads them).
pub(crate) fn kustomization_markers(
    stream: &Stream<'_>,
    path: &str,
    k: &kustomize::Kustomization,
) -> Result<Vec<marker::MarkerSlot>> {
    let mut covered = std::collections::HashSet::new();
    for entry in &k.images {
        if let Some(node) = crate::yaml::resolve(stream, &entry.path) {
            covered.extend(node.entries().unwrap_or_default().iter().map(|e| e.value.start()));
        }
    }
    marker::markers(stream, path, &covered).map_err(|e| e.in_file(path))
}

/// The edits the planner wants in one workload of a file.
#[derive(Debug, Clone)]
pub(crate) struct WorkloadEdit<'a> {
    /// The workload id (as the file gives it).
    pub workload: &'a str,
    /// Where its edits go, as the planner's scan of the file found it ([`scan_sites`]).
    pub site: Option<&'a WorkloadSite>,
    /// New images per container (slot) name.
    pub images: Vec<(&'a str, &'a ImageRef)>,
    /// Policy annotations to change in the same edit (a lock taken with the release).
    pub policy: Option<&'a PolicyChange>,
}

/// Apply the edits of several workloads of one file in one pass, together with `patch` (edits
/// already built for the same file, such as setter markers). Each workload is written where
/// the planner's scan of this same `stream` found it (its [`WorkloadSite`]): the file is not
/// scanned again. A workload whose edit cannot be built (an alias, a block scalar...) is left
/// out and its error returned beside the text; the others are applied. An error of the whole
/// (invalid YAML, failed verification) is `Err`.
pub(crate) fn edit(
    stream: &Stream<'_>,
    path: &str,
    edits: &[&WorkloadEdit<'_>],
    mut patch: Patch,
) -> Result<(String, Vec<(usize, Error)>)> {
    let mut failed = Vec::new();
    for (i, edit) in edits.iter().enumerate() {
        let built = (|| -> Result<Patch> {
            let w = edit.site.ok_or_else(|| {
                Error::new(
                    ErrorKind::WorkloadNotFound,
                    format!("no workload {} in {path}", edit.workload),
                )
            })?;
            let mut part = Patch::new();
            for &(container, image) in &edit.images {
                write_slot(stream, &mut part, find_slot(w, container)?, image)?;
            }
            if let Some(change) = edit.policy {
                let node = crate::yaml::resolve(stream, &w.object).ok_or_else(|| {
                    Error::new(ErrorKind::Internal, "a workload's address does not resolve")
                })?;
                object::check_identity_keys_of(stream, node)?;
                let containers: Vec<String> = w.slots.iter().map(|s| s.container.clone()).collect();
                part.extend(annotations::write(stream, node, &w.object, &containers, change)?);
            }
            Ok(part)
        })();
        match built {
            Ok(part) => patch.extend(part),
            Err(e) => failed.push((i, e.in_file(path))),
        }
    }
    let out = patch.apply(stream).map_err(|e| e.in_file(path))?;
    Ok((out, failed))
}

#[cfg(test)]
mod chunked_tests {
    //! The listing fast path gives exactly what the whole-text path gives: on every golden
    //! fixture input and (with `RELMAN_CORPUS` set) every corpus file on its own, and on
    //! streams concatenated from them (LF, CRLF, with a BOM).
    use super::*;
    use std::path::{Path, PathBuf};

    fn inputs(root: &Path, only_input: bool, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(root) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                inputs(&path, only_input, out);
            } else if (only_input && path.file_name().is_some_and(|n| n == "input.yaml"))
                || (!only_input && path.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            {
                out.push(path);
            }
        }
    }

    fn texts() -> Vec<String> {
        let mut files = Vec::new();
        inputs(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/manifest"),
            true,
            &mut files,
        );
        if let Some(corpus) = std::env::var_os("RELMAN_CORPUS") {
            inputs(Path::new(&corpus), false, &mut files);
        }
        files.sort();
        assert!(!files.is_empty());
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    fn same(text: &str) {
        let options = Options {
            path: Some("f.yaml".to_string()),
            ..Options::default()
        };
        if let (Ok(whole), Some(chunked)) = (list_whole(text, &options), list_chunked(text, &options)) {
            assert_eq!(
                whole,
                chunked,
                "listing differs on:\n{}",
                &text[..text.len().min(2000)]
            );
        }
    }

    #[test]
    fn chunked_listing_equals_whole_listing() {
        let texts = texts();
        let mut stream = String::new();
        let mut seen = std::collections::HashSet::new();
        for text in &texts {
            same(text);
            // Concatenate the files whose workloads are new (a duplicate is an error).
            let arena = crate::yaml::Arena::new();
            let Ok(parsed) = Stream::parse(text, &arena) else {
                continue;
            };
            let Ok(scanned) = scan(&parsed, "default", None) else {
                continue;
            };
            if text.starts_with('\u{feff}')
                || text.contains('%')
                || scanned.workloads.iter().any(|w| seen.contains(&w.id))
            {
                continue;
            }
            seen.extend(scanned.workloads.iter().map(|w| w.id.clone()));
            if !text.starts_with("---") {
                stream.push_str("---\n");
            }
            stream.push_str(text);
            if !text.ends_with('\n') {
                stream.push('\n');
            }
        }
        let options = Options::default();
        let whole = list_whole(&stream, &options).expect("the concatenation lists");
        assert!(whole.len() > 10);
        assert_eq!(Some(whole), list_chunked(&stream, &options));
        let crlf = stream.replace("\r\n", "\n").replace('\n', "\r\n");
        same(&crlf);
        same(&format!("\u{feff}{stream}"));
    }

    #[test]
    fn chunked_listing_keeps_document_ends_and_reports_every_error() {
        let doc = |name: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    \
                 spec:\n      containers:\n      - name: app\n        image: org/{name}:1.0\n"
            )
        };
        let options = Options::default();
        // `...` ends a document; the next starts at `---`.
        let stream = format!("{}...\n---\n{}...\n---\n{}", doc("a"), doc("b"), doc("c"));
        let whole = list_whole(&stream, &options).expect("lists");
        assert_eq!(whole.len(), 3);
        assert_eq!(list_chunked(&stream, &options), Some(whole));
        // A document that cannot hold a slot is parsed too: its error is the listing's error.
        let bad = format!(
            "{}---\nkind: ConfigMap\ndata: {{a: [b}}\n---\n{}",
            doc("a"),
            doc("b")
        );
        let long = format!("{bad}{}", "# padding\n".repeat(CHUNKED_FROM / 10));
        let err = list_images(&long, &options).expect_err("invalid YAML in a slot-less document");
        assert_eq!((err.code(), err.line()), ("invalid_yaml", Some(13)));
        // A workload defined in two documents (far apart, in different groups): the whole
        // text's error, not a listing.
        let twice = format!(
            "{}{}---\n{}{}",
            doc("a"),
            "# padding\n".repeat(CHUNKED_FROM / 10),
            doc("b"),
            doc("a").replace("apiVersion", "---\napiVersion")
        );
        assert_eq!(list_chunked(&twice, &options), None);
        let err = list_images(&twice, &options).expect_err("a workload defined twice");
        assert_eq!(err.code(), "duplicate_resource");
        // Generated names may repeat; a lone `\r` or a directive in any document: no cut.
        let generated = |prefix: &str| {
            doc(prefix)
                .replace("name: ", "generateName: ")
                .replace("generateName: app", "name: app")
        };
        let stream = format!("{}---\n{}", generated("g"), generated("g"));
        assert_eq!(list_chunked(&stream, &options).map(|s| s.len()), Some(2));
        for bad in ["a: 1\rb: 2\n", "%YAML 1.2\n"] {
            assert_eq!(list_chunked(&format!("{}---\n{bad}", doc("a")), &options), None);
        }
    }
}
