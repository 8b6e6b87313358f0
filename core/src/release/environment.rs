//! What an environment is made of: its files (plain manifests, or kustomize overlays read the
//! way kustomize reads them), its workloads with their effective images, and for every image
//! slot the place a new pointer must be written so that no other environment changes.
//!
//! The overlay walk is iterative and visits each kustomization once per namespace it is reached
//! with (the outermost `namespace:` on the way down decides its resources' ids): depth costs
//! no native stack, and kustomizations that share bases cost what they hold, not the number of
//! paths to them. A kustomization or file reached a second time with the same namespace would
//! be included twice; kustomize refuses that (duplicate ids) when it holds any object, and so
//! does relman (`duplicate_resource`, located at the second reference). A cycle is
//! `invalid_path`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::snapshot::{CONFIG_FILE, Snapshot};
use crate::config::{Config, Environment};
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::kustomize::{self, KUSTOMIZATION_FILES, Kustomization};
use crate::manifest::marker::MarkerSlot;
use crate::manifest::{
    self, GENERATED_NAME, INVALID_NAME, ImageSlot, ScannedWorkload, SlotImage, SlotKind, WorkloadSite,
};
use crate::parallel::par_map;
use crate::policy::annotations::Annotations;
use crate::policy::{Policy, TagFilter};
use crate::repo_path::RepoPath;
use crate::work::count;
use crate::yaml::{Arena, Node, Stream};

/// Where the new pointer of a slot is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// The image scalar of the manifest (the workload as the file itself names it).
    Manifest,
    /// The `images:` entry `index` of the kustomization `file`, which values named `incoming`
    /// (kustomize's split of the value as it reaches the entry) pass through.
    Entry {
        file: String,
        index: usize,
        incoming: String,
    },
    /// A new `images:` entry in the environment's root kustomization `file`, for `name`.
    NewEntry { file: String, name: String },
    /// Values marked by a Flux setter comment in `file`.
    Marker {
        file: String,
        fields: crate::manifest::Fields,
    },
    /// Nowhere: every place that decides this slot is shared with another environment.
    Shared { file: String },
    /// Nowhere: relman cannot tell what kustomize renders for the slot (the located error).
    Refused(Error),
}

/// A workload of an environment: where it lives, what it renders to, and where each slot is
/// written.
pub(super) struct Placed {
    /// The manifest file.
    pub path: String,
    /// The id the manifest file gives it (before any kustomize `namespace:`).
    pub file_id: String,
    /// The workload as the environment renders it: id (with the kustomize namespace) and
    /// policies.
    pub workload: PlacedWorkload,
    /// Its slots in manifest order, each with its rendered image and where a new pointer goes.
    pub slots: Vec<PlacedSlot>,
    /// Whether the manifest file belongs to this environment only.
    pub manifest_exclusive: bool,
    /// The first kustomization on the workload's way that can change its annotations in a way
    /// relman does not model, and the key that does (`patches`, `components`...): automation
    /// leaves the workload alone (fail closed, DESIGN.md section 7); explicit releases work.
    pub annotations_unread: Option<(String, String)>,
    /// The `commonAnnotations` of the kustomizations on the workload's way, innermost first
    /// (applied over its own annotations: the outermost wins).
    pub common_annotations: Vec<(String, String)>,
    /// The service the workload belongs to.
    pub service: String,
    /// The service's default tag filter.
    pub service_filter: Option<TagFilter>,
    /// Where its edits go in the manifest, as the scan found it (`None` for the
    /// pseudo-workload of setter markers, which is written through its slots' targets).
    pub site: Option<WorkloadSite>,
}

impl Placed {
    /// The slots as the environment renders them.
    pub fn images(&self) -> impl Iterator<Item = &ImageSlot> {
        self.slots.iter().map(|s| &s.info)
    }
}

/// What a workload is, as the environment renders it; its slots are [`Placed::slots`].
pub(super) struct PlacedWorkload {
    /// `namespace:kind/name`, the namespace being the kustomize one when a kustomization sets it.
    pub id: String,
    /// `kind` as written.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// Its policies as rendered (`commonAnnotations` over its own annotations).
    pub policy: Policy,
    /// Its own annotations.
    pub annotations: Annotations,
    /// Its Keel policy as rendered (DESIGN.md section 16), if it has one.
    pub keel: Option<crate::policy::Keel>,
    /// 1-based line of the object.
    pub line: usize,
}

/// What a split scanned workload gives: the workload, its slots, where its edits go, and its
/// marked slots (container, policy).
type Split = (
    PlacedWorkload,
    Vec<ImageSlot>,
    Option<WorkloadSite>,
    Vec<(String, String)>,
);

impl PlacedWorkload {
    /// Split a scanned workload into what it is, its slots, where its edits go and its marked
    /// slots.
    fn split(w: ScannedWorkload) -> Split {
        let ScannedWorkload {
            id,
            kind,
            name,
            generated: _,
            policy,
            annotations,
            slots,
            line,
            site,
            marked,
        } = w;
        let keel = annotations.keel(&[]);
        let workload = PlacedWorkload {
            id,
            kind,
            name,
            policy,
            annotations,
            keel,
            line,
        };
        (workload, slots, site, marked)
    }
}

/// A `tagSuffix` that decides a slot's tag: the kustomization, the entry's place, the suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Suffix {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub suffix: String,
}

/// One slot of a placed workload: the slot as the environment renders it, and its kustomize
/// history.
#[derive(Debug, Clone)]
pub(super) struct PlacedSlot {
    /// The slot with its effective image (after the kustomizations on its way).
    pub info: ImageSlot,
    /// The value written in the manifest.
    pub base: String,
    /// The innermost kustomization visit it passes through (see [`Model::chain`]), if any.
    pub chain: Option<usize>,
    /// How many times each `images:` entry runs over the slot (2 on the pod specs kustomize
    /// knows by path, 1 on a CronJob's).
    pub passes: usize,
    /// The `tagSuffix` that decides the rendered tag, if one does.
    pub suffix: Option<Suffix>,
    /// Where a new pointer goes.
    pub target: Target,
    /// The Flux image policy (`namespace:name`) a setter marker on the slot's value names.
    pub image_policy: Option<String>,
}

/// A kustomization as the walk reaches it.
#[derive(Debug, Clone)]
pub(super) struct Visit {
    /// The kustomization file.
    pub file: String,
    /// The visit that listed it first; `None` for an environment's root.
    pub parent: Option<usize>,
    /// The namespace its resources take: the outermost `namespace:` from the root down to it.
    pub namespace: Option<String>,
    /// The root visit above it.
    pub root: usize,
}

/// An environment's workloads and the parsed files behind them.
pub(super) struct Model<'s> {
    pub placed: Vec<Placed>,
    /// By path: borrowed from the snapshot for manifests.
    pub streams: HashMap<Cow<'s, str>, Stream<'s>>,
    pub kustomizations: HashMap<String, Kustomization>,
    /// The kustomization visits slots refer to.
    pub visits: Vec<Visit>,
    /// Things relman read around rather than through (remote resources, unread keys).
    pub warnings: Vec<String>,
}

impl Model<'_> {
    /// The kustomization files a slot's value passes through, innermost first.
    pub fn chain(&self, at: Option<usize>) -> Chain<'_> {
        Chain {
            visits: &self.visits,
            next: at,
        }
    }

    /// Every workload with its id, in model order.
    pub fn workloads(&self) -> impl Iterator<Item = (WorkloadAt, &Placed)> {
        self.placed.iter().enumerate().map(|(i, p)| (WorkloadAt(i), p))
    }

    /// The slots of the workload `at` with their ids, in manifest order.
    pub fn slots(&self, at: WorkloadAt) -> impl Iterator<Item = (SlotAt, &PlacedSlot)> {
        at.of(self).slots.iter().enumerate().map(move |(slot, s)| {
            let id = SlotAt { workload: at, slot };
            (id, s)
        })
    }
}

/// A workload of a [`Model`], by id: a key that holds no borrow (for maps and for naming the
/// workload whose edits are withdrawn). Ids order as the model lists the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct WorkloadAt(usize);

impl WorkloadAt {
    /// The workload in `model` (the model whose [`Model::workloads`] gave the id).
    pub fn of<'m>(self, model: &'m Model<'_>) -> &'m Placed {
        &model.placed[self.0]
    }
}

/// A slot of a [`Model`]'s workload, by id (see [`Model::slots`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct SlotAt {
    workload: WorkloadAt,
    slot: usize,
}

impl SlotAt {
    /// The slot in `model` (the model whose [`Model::slots`] gave the id).
    pub fn of<'m>(self, model: &'m Model<'_>) -> &'m PlacedSlot {
        &self.workload.of(model).slots[self.slot]
    }
}

/// The kustomizations of a chain of visits, innermost first.
pub(super) struct Chain<'a> {
    visits: &'a [Visit],
    next: Option<usize>,
}

impl<'a> Iterator for Chain<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let v = &self.visits[self.next?];
        self.next = v.parent;
        Some(&v.file)
    }
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// The kustomization file in `dir`, if any, by its real path (links followed).
fn kustomization_in(snapshot: &Snapshot, dir: &str) -> Option<String> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|f| {
            if dir.is_empty() {
                f.to_string()
            } else {
                format!("{dir}/{f}")
            }
        })
        .find_map(|p| snapshot.resolve(&p).map(str::to_string))
}

pub(crate) fn dir_of(file: &str) -> &str {
    RepoPath::dir_of(file)
}

/// An error's message after its location (`file:line:column: message`), for plan messages.
pub(super) fn located(e: &Error) -> String {
    match e.location() {
        Some(at) => format!("{at}: {}", e.message()),
        None => e.message().to_string(),
    }
}

/// `entry` relative to `dir`, normalised; absolute paths and paths that climb above the repo
/// root are refused, with why (see [`RepoPath::relative`]).
pub(crate) fn join(dir: &str, entry: &str) -> std::result::Result<String, String> {
    RepoPath::relative(dir, entry).map(RepoPath::into_string)
}

/// Where a path was named: the kustomization, and the line and column of the entry.
type Referrer = (String, usize, usize);

/// A file reached with a namespace (the namespace its resources take).
type Reached = (String, Option<String>);

/// What was reached a second time with the same namespace.
enum Repeated {
    /// A resource file.
    File(String),
    /// A kustomization: the visit of its first arrival.
    Visit(usize),
}

/// A second arrival: what, and where it was named the first and the second time (`None` for
/// an environment path of `relman.yaml`).
struct Repeat {
    what: Repeated,
    first: Option<Referrer>,
    second: Option<Referrer>,
}

/// Where a [`Model`]'s parsed files live: the caller keeps it as long as the model
/// (`let mut arenas = Arenas::default();` then `model(snapshot, &mut arenas, ...)`).
#[derive(Debug, Default)]
pub(super) struct Arenas {
    /// The kustomizations, read one at a time by the walk.
    kustomizations: Arena,
    /// The manifests, one arena for each thread that parses them.
    manifests: Vec<Arena>,
}

/// The overlay walk of one environment.
struct Walker<'s> {
    snapshot: &'s Snapshot,
    streams: HashMap<Cow<'s, str>, Stream<'s>>,
    kustomizations: HashMap<String, Kustomization>,
    warnings: Vec<String>,
    visits: Vec<Visit>,
    /// Resource files in the order kustomize lists them, each with the visit that lists it
    /// (`None` for plain files of an environment path).
    manifests: Vec<(String, Option<usize>)>,
    /// (file, namespace) already reached: where it was named, and its visit for a kustomization.
    reached: HashMap<Reached, (Option<Referrer>, Option<usize>)>,
    repeats: Vec<Repeat>,
}

impl<'s> Walker<'s> {
    fn new(snapshot: &'s Snapshot) -> Walker<'s> {
        Walker {
            snapshot,
            streams: HashMap::new(),
            kustomizations: HashMap::new(),
            warnings: Vec::new(),
            visits: Vec::new(),
            manifests: Vec::new(),
            reached: HashMap::new(),
            repeats: Vec::new(),
        }
    }

    /// Parse (into `arena`) and read the kustomization `file`, once.
    fn load(&mut self, file: &str, arena: &'s Arena) -> Result<()> {
        if self.kustomizations.contains_key(file) {
            return Ok(());
        }
        let text = self
            .snapshot
            .get(file)
            .ok_or_else(|| Error::new(ErrorKind::InvalidPath, format!("{file} is missing")))?;
        count(|w| w.files_visited += 1);
        let stream = Stream::parse(text, arena).map_err(|e| e.in_file(file))?;
        let k = kustomize::read(&stream, file)?;
        let dir = dir_of(file);
        for r in &k.other_paths {
            join(dir, &r.entry).map_err(|m| {
                Error::new(ErrorKind::InvalidPath, format!("`{}`: {m}", r.key))
                    .in_file(file)
                    .at(r.line, r.column)
            })?;
        }
        for key in &k.unread {
            self.warnings.push(format!(
                "{file}: `{key}` is not read by relman; images it changes are not seen"
            ));
        }
        self.streams.insert(Cow::Owned(file.to_string()), stream);
        self.kustomizations.insert(file.to_string(), k);
        Ok(())
    }

    /// Reach `file` (a kustomization when `parent` is a visit or it is a root) with
    /// `namespace`: a new visit, or `None` when it was reached before with that namespace (the
    /// repeat is recorded).
    fn enter(
        &mut self,
        file: &str,
        parent: Option<usize>,
        namespace: Option<String>,
        by: Option<Referrer>,
    ) -> Option<usize> {
        let key = (file.to_string(), namespace.clone());
        if let Some((first, visit)) = self.reached.get(&key) {
            self.repeats.push(Repeat {
                what: Repeated::Visit(visit.expect("a kustomization is reached as one")),
                first: first.clone(),
                second: by,
            });
            return None;
        }
        let index = self.visits.len();
        let root = parent.map_or(index, |p| self.visits[p].root);
        self.visits.push(Visit {
            file: file.to_string(),
            parent,
            namespace,
            root,
        });
        self.reached.insert(key, (by, Some(index)));
        Some(index)
    }

    /// Reach the resource file `file` from `visit`.
    fn arrive(&mut self, file: String, visit: usize, by: Referrer) {
        let key = (file.clone(), self.visits[visit].namespace.clone());
        if let Some((first, _)) = self.reached.get(&key) {
            self.repeats.push(Repeat {
                what: Repeated::File(file),
                first: first.clone(),
                second: Some(by),
            });
            return;
        }
        self.reached.insert(key, (Some(by), None));
        self.manifests.push((file, Some(visit)));
    }

    /// Walk the kustomizations under the root kustomization `root`, depth first, without
    /// recursion.
    fn walk(&mut self, root: &str, arena: &'s Arena) -> Result<()> {
        self.load(root, arena)?;
        let namespace = self.kustomizations[root].namespace.clone();
        let Some(first) = self.enter(root, None, namespace, None) else {
            return Ok(());
        };
        // (visit, index of the next resource to follow)
        let mut stack: Vec<(usize, usize)> = vec![(first, 0)];
        let mut on_stack: HashSet<String> = HashSet::from([root.to_string()]);
        while let Some(top) = stack.last_mut() {
            let (visit, next) = *top;
            top.1 += 1;
            let file = self.visits[visit].file.clone();
            let Some(r) = self.kustomizations[&file].resources.get(next).cloned() else {
                on_stack.remove(&file);
                stack.pop();
                continue;
            };
            let located = |message: String, kind: ErrorKind| {
                Error::new(kind, message)
                    .in_file(file.clone())
                    .at(r.line, r.column)
            };
            let target = match Kustomization::target(&file, &r) {
                kustomize::Target::Remote => {
                    self.warnings.push(format!(
                        "{file}:{}: remote resource `{}` is not read",
                        r.line, r.entry
                    ));
                    continue;
                }
                kustomize::Target::Invalid(m) => {
                    return Err(located(format!("`{}`: {m}", r.key), ErrorKind::InvalidPath));
                }
                kustomize::Target::Local(path) => path.into_string(),
            };
            let by: Referrer = (file.clone(), r.line, r.column);
            // A file reached through a symbolic link is the file it leads to.
            if let Some(real) = self.snapshot.resolve(&target) {
                self.arrive(real.to_string(), visit, by);
                continue;
            }
            let Some(inner) = kustomization_in(self.snapshot, &target) else {
                let message = if self.snapshot.under(&target).next().is_some() {
                    format!("resource `{}` is a directory without a kustomization", r.entry)
                } else {
                    format!("resource `{}` does not exist ({target})", r.entry)
                };
                return Err(located(message, ErrorKind::InvalidPath));
            };
            if on_stack.contains(&inner) {
                let at = stack
                    .iter()
                    .position(|(v, _)| self.visits[*v].file == inner)
                    .unwrap_or(0);
                let cycle = stack[at..]
                    .iter()
                    .map(|(v, _)| self.visits[*v].file.as_str())
                    .chain(std::iter::once(inner.as_str()))
                    .collect::<Vec<_>>()
                    .join(" -> ");
                return Err(located(
                    format!("resource cycle: {cycle}"),
                    ErrorKind::InvalidPath,
                ));
            }
            self.load(&inner, arena)?;
            let namespace = self.visits[visit]
                .namespace
                .clone()
                .or_else(|| self.kustomizations[&inner].namespace.clone());
            if let Some(child) = self.enter(&inner, Some(visit), namespace, Some(by)) {
                on_stack.insert(inner);
                stack.push((child, 0));
            }
        }
        Ok(())
    }
}

/// Walk every path of `env`: kustomization roots, and the YAML files of plain paths.
fn walk_environment<'s>(snapshot: &'s Snapshot, arena: &'s Arena, env: &Environment) -> Result<Walker<'s>> {
    count(|w| w.walks += 1);
    let mut walker = Walker::new(snapshot);
    // Plain files already listed (an environment's paths may overlap), by real path: a file
    // reached through a symbolic link is the file it leads to. One path reaches each file once.
    let overlap = env.paths.len() > 1;
    let mut listed: HashSet<&str> = HashSet::new();
    for path in &env.paths {
        if let Some(k) = kustomization_in(snapshot, path).filter(|_| snapshot.get(path).is_none()) {
            walker.walk(&k, arena)?;
        } else {
            for (found, file) in snapshot.reach(path) {
                count(|w| w.files_visited += 1);
                if file != CONFIG_FILE
                    && (is_yaml(&found) || found == *path)
                    && (!overlap || listed.insert(file))
                {
                    walker.manifests.push((file.to_string(), None));
                }
            }
        }
    }
    Ok(walker)
}

/// Every file an environment reads (manifests and kustomizations).
pub(super) fn files_of(snapshot: &Snapshot, env: &Environment) -> Result<HashSet<String>> {
    let arena = Arena::new();
    let walker = walk_environment(snapshot, &arena, env)?;
    let mut files: HashSet<String> = walker.kustomizations.into_keys().collect();
    files.extend(walker.manifests.into_iter().map(|(f, _)| f));
    Ok(files)
}

/// Which environments read each file, worked out once per planning run (one walk per
/// environment), so that "does another environment read this file?" is one lookup and a plan
/// costs the same whatever the number of other environments (DESIGN.md section 15).
pub(super) struct Readers {
    /// File to the indices (in `relman.yaml` order, ascending) of the environments reading it.
    by_file: HashMap<String, Vec<usize>>,
    /// Environments whose walk failed and whose files were taken to be those under their paths.
    pub(super) warnings: Vec<String>,
}

impl Readers {
    /// Walk every environment of `config` once. Errors: those of the walk (a kustomization
    /// that does not parse, a missing resource). With `planned` (an index), none: that
    /// environment is not walked here (its model walks it, once per plan, and every question
    /// asked of the readers is about the other environments: [`Others`], the environments a
    /// release touches), and another environment whose walk fails is taken to read the files
    /// under its paths (links followed), with a warning, so that one broken environment does
    /// not block releases and rollbacks elsewhere.
    pub(super) fn new(snapshot: &Snapshot, config: &Config, planned: Option<usize>) -> Result<Readers> {
        let mut by_file: HashMap<String, Vec<usize>> = HashMap::new();
        let mut warnings = Vec::new();
        for (i, env) in config.environments().iter().enumerate() {
            if planned == Some(i) {
                continue;
            }
            let files = match files_of(snapshot, env) {
                Ok(files) => files,
                Err(e) if planned.is_some() => {
                    warnings.push(format!(
                        "environment {} does not read ({e}); the files under its paths are taken to be its own",
                        env.name
                    ));
                    env.paths
                        .iter()
                        .flat_map(|path| snapshot.reach(path))
                        .map(|(_, file)| file.to_string())
                        .collect()
                }
                Err(e) => return Err(e),
            };
            for file in files {
                by_file.entry(file).or_default().push(i);
            }
        }
        Ok(Readers { by_file, warnings })
    }

    /// The environments (indices into `config.environments()`, ascending) that read `file`
    /// (never the planned one).
    pub(super) fn of(&self, file: &str) -> &[usize] {
        // No other environment (the common case of one): no key to hash.
        if self.by_file.is_empty() {
            return &[];
        }
        self.by_file.get(file).map_or(&[], Vec::as_slice)
    }
}

/// The files read by environments other than one; by default, none.
#[derive(Clone, Copy, Default)]
pub(super) struct Others<'r> {
    readers: Option<&'r Readers>,
    env: usize,
}

impl<'r> Others<'r> {
    /// The files that environments other than the one at index `env` read.
    pub(super) fn new(readers: &'r Readers, env: usize) -> Others<'r> {
        Others {
            readers: Some(readers),
            env,
        }
    }

    /// Whether another environment reads `file`.
    pub(super) fn contains(&self, file: &str) -> bool {
        self.readers
            .is_some_and(|r| r.of(file).iter().any(|&e| e != self.env))
    }
}

/// What kustomize renders for one value: the value, the last entry that decided it (file,
/// index, and kustomize's split name of the value that reached it), and the `tagSuffix` that
/// decides its tag, if one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rendered {
    pub value: String,
    pub origin: Option<(String, usize, String)>,
    pub suffix: Option<Suffix>,
}

/// Run `value` through the image entries of the kustomizations `chain` (innermost first), each
/// entry `passes` times, reading a kustomization from `modified` when it is there. Errors
/// (`unsupported_yaml`, located at the entry) when relman cannot tell what kustomize renders.
pub(super) fn render<'a>(
    kustomizations: &HashMap<String, Kustomization>,
    modified: Option<&HashMap<String, Kustomization>>,
    chain: impl Iterator<Item = &'a str>,
    value: &str,
    passes: usize,
) -> Result<Rendered> {
    let mut out = Rendered {
        value: value.to_string(),
        origin: None,
        suffix: None,
    };
    for file in chain {
        let Some(k) = modified
            .and_then(|m| m.get(file))
            .or_else(|| kustomizations.get(file))
        else {
            continue;
        };
        for (i, entry) in k.images.iter().enumerate() {
            let incoming = kustomize::split(&out.value).0.to_string();
            let (after, matched) = entry.apply(&out.value, passes).map_err(|u| {
                Error::new(
                    ErrorKind::UnsupportedYaml,
                    format!(
                        "cannot tell what kustomize renders for `{}`: {}",
                        out.value, u.why
                    ),
                )
                .in_file(file)
                .at(u.line, u.column)
            })?;
            out.value = after;
            if matched && entry.decides() {
                out.origin = Some((file.to_string(), i, incoming));
                if entry.suffix_applies() {
                    out.suffix = Some(Suffix {
                        file: file.to_string(),
                        line: entry.line,
                        column: entry.column,
                        suffix: entry.tag_suffix.clone().unwrap_or_default(),
                    });
                } else if entry.new_tag.is_some() || entry.digest.is_some() {
                    out.suffix = None;
                }
            }
        }
    }
    Ok(out)
}

/// Whether a file holds an object (a non-empty mapping document, or a list with items).
fn holds_objects(stream: &Stream<'_>) -> bool {
    let object = |node: &Node| match node.entries() {
        Some(_) if node.get_str("kind").is_some_and(|k| k.ends_with("List")) => node
            .get("items")
            .and_then(Node::items)
            .is_some_and(|items| items.iter().any(|i| i.entries().is_some_and(|e| !e.is_empty()))),
        Some(entries) => !entries.is_empty(),
        None => false,
    };
    stream.documents.iter().any(|d| object(&d.root))
}

/// The first repeat that includes an object twice, as kustomize's duplicate-id error.
fn duplicates(walker: &Walker<'_>, env: &Environment) -> Result<()> {
    let holds = |file: &str| walker.streams.get(file).is_some_and(holds_objects);
    // Whether a visit's subtree holds an object: children come after their parents.
    let mut below = vec![false; walker.visits.len()];
    for (file, visit) in &walker.manifests {
        if let Some(v) = visit {
            if holds(file) {
                below[*v] = true;
            }
        }
    }
    for v in (0..walker.visits.len()).rev() {
        if below[v] {
            if let Some(p) = walker.visits[v].parent {
                below[p] = true;
            }
        }
    }
    let show = |r: &Option<Referrer>| match r {
        Some((file, line, _)) => format!("{file}:{line}"),
        None => format!("a path of environment {} in {CONFIG_FILE}", env.name),
    };
    for repeat in &walker.repeats {
        let (what, twice) = match &repeat.what {
            Repeated::File(file) => (file.as_str(), holds(file)),
            Repeated::Visit(v) => (walker.visits[*v].file.as_str(), below[*v]),
        };
        if !twice {
            continue;
        }
        let message = format!(
            "{what} is included twice in environment {} with the same namespace (from {} and {}); kustomize refuses the duplicate resources",
            env.name,
            show(&repeat.first),
            show(&repeat.second)
        );
        let mut err = Error::new(ErrorKind::DuplicateResource, message);
        if let Some((file, line, column)) = &repeat.second {
            err = err.in_file(file.clone()).at(*line, *column);
        } else {
            err = err.in_file(CONFIG_FILE);
        }
        return Err(err);
    }
    Ok(())
}

/// Build the model of `env`. `others` tells the files some other environment reads.
///
/// The steps: walk the environment's paths and kustomizations ([`walk_environment`]), parse
/// the manifests ([`parse_manifests`]), refuse resources included twice ([`duplicates`]), scan
/// the manifests for workloads and setter markers ([`scan_manifests`]), then place each
/// workload ([`Placer::workload`]) and each setter-marker policy ([`Placer::markers`]).
/// The model's parsed files live in `arenas`.
pub(super) fn model<'s>(
    snapshot: &'s Snapshot,
    arenas: &'s mut Arenas,
    config: &Config,
    env: &Environment,
    others: &Others<'_>,
) -> Result<Model<'s>> {
    let Arenas {
        kustomizations,
        manifests,
    } = arenas;
    let mut walker = walk_environment(snapshot, kustomizations, env)?;
    parse_manifests(snapshot, manifests, &mut walker)?;
    duplicates(&walker, env)?;
    let (raws, markers) = scan_manifests(&walker, env)?;
    let mut placer = Placer {
        walker: &walker,
        config,
        env,
        others,
        seen: HashMap::with_capacity(raws.len()),
        refusals: Vec::new(),
    };
    let mut placed: Vec<Placed> = Vec::with_capacity(raws.len());
    for raw in raws {
        placed.push(placer.workload(raw)?);
    }
    let refusals = std::mem::take(&mut placer.refusals);
    placed.extend(placer.markers(markers)?);
    walker.warnings.extend(refusals);
    Ok(Model {
        placed,
        streams: walker.streams,
        kustomizations: walker.kustomizations,
        visits: walker.visits,
        warnings: walker.warnings,
    })
}

/// Parse every manifest the walk listed that is not already parsed (kustomizations are), in
/// parallel (each thread into an arena of `arenas`); the first file that does not parse is
/// the error.
fn parse_manifests<'s>(
    snapshot: &'s Snapshot,
    arenas: &'s mut Vec<Arena>,
    walker: &mut Walker<'s>,
) -> Result<()> {
    let texts: Vec<(&'s str, &'s str)> = {
        let mut wanted: Vec<&str> = walker
            .manifests
            .iter()
            .map(|(f, _)| f.as_str())
            .filter(|f| !walker.streams.contains_key(*f))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted.iter().filter_map(|f| snapshot.entry(f)).collect()
    };
    count(|w| {
        w.models += 1;
        w.files_visited += texts.len() as u64;
    });
    arenas.resize_with(crate::parallel::threads(), Arena::new);
    let parsed = crate::parallel::par_chunks_with(
        &texts,
        64,
        arenas.iter_mut().collect(),
        |arena: &'s mut Arena, part| {
            let arena: &'s Arena = arena;
            part.iter()
                .map(|(path, text)| {
                    Stream::parse(text, arena)
                        .map(|s| (*path, s))
                        .map_err(|e| e.in_file(*path))
                })
                .collect::<Vec<_>>()
        },
    );
    walker.streams.reserve(texts.len());
    for p in parsed.into_iter().flatten() {
        let (path, stream) = p?;
        walker.streams.insert(Cow::Borrowed(path), stream);
    }
    Ok(())
}

/// A workload read from a manifest, before kustomize transforms.
struct Raw {
    /// The manifest file.
    path: String,
    /// The workload as the file spells it.
    workload: ScannedWorkload,
    /// The kustomization visit that lists the file, if any.
    visit: Option<usize>,
}

/// A setter-marker slot and the file it is in.
type Marked = (String, MarkerSlot);

/// The workloads of every manifest in walk order, and the setter markers of the manifests
/// (outside workloads) and of the kustomizations (by file name).
fn scan_manifests(walker: &Walker<'_>, env: &Environment) -> Result<(Vec<Raw>, Vec<Marked>)> {
    let scanned = par_map(&walker.manifests, 64, |(file, visit)| {
        let stream = &walker.streams[file.as_str()];
        manifest::scan_sites(stream, &env.default_namespace, Some(file)).map(|s| (file.clone(), *visit, s))
    });
    let mut raws = Vec::new();
    let mut markers: Vec<Marked> = Vec::new();
    for scanned in scanned {
        let (file, visit, scanned) = scanned?;
        for workload in scanned.workloads {
            raws.push(Raw {
                path: file.clone(),
                workload,
                visit,
            });
        }
        markers.extend(scanned.markers.into_iter().map(|m| (file.clone(), m)));
    }
    let mut kfiles: Vec<&String> = walker.kustomizations.keys().collect();
    kfiles.sort();
    for file in kfiles {
        let stream = &walker.streams[file.as_str()];
        for m in manifest::kustomization_markers(stream, file, &walker.kustomizations[file])? {
            markers.push((file.clone(), m));
        }
    }
    Ok((raws, markers))
}

/// What kustomize does to a workload's annotations on its way: the `commonAnnotations` of
/// every kustomization (innermost first), and the first kustomization key that changes them
/// in a way relman does not read.
struct Annotated {
    common: Vec<(String, String)>,
    unread: Option<(String, String)>,
}

/// Places the workloads of one environment: ids, policies and slot targets as it renders them.
struct Placer<'a, 's> {
    walker: &'a Walker<'s>,
    config: &'a Config,
    env: &'a Environment,
    others: &'a Others<'a>,
    /// Workload ids placed so far, with the file and line that define them.
    seen: HashMap<String, (String, usize)>,
    /// Slots relman cannot render (located), for the plan's warnings.
    refusals: Vec<String>,
}

impl Placer<'_, '_> {
    /// The kustomizations from `visit` up to its root, innermost first.
    fn chain(&self, visit: Option<usize>) -> Chain<'_> {
        Chain {
            visits: &self.walker.visits,
            next: visit,
        }
    }

    /// Whether no other environment reads `file`.
    fn exclusive(&self, file: &str) -> bool {
        !self.others.contains(file)
    }

    /// Note the workload `id` defined at `path:line`; a second definition is
    /// `duplicate_resource`.
    fn claim(&mut self, id: &str, path: &str, line: usize) -> Result<()> {
        if let Some((first, first_line)) = self.seen.get(id) {
            return Err(Error::new(
                ErrorKind::DuplicateResource,
                format!(
                    "{id} is defined twice in environment {}: {first}:{first_line} and {path}:{line}",
                    self.env.name
                ),
            )
            .in_file(path.to_string())
            .at(line, 1));
        }
        self.seen.insert(id.to_string(), (path.to_string(), line));
        Ok(())
    }

    /// Place one workload read from a manifest.
    fn workload(&mut self, raw: Raw) -> Result<Placed> {
        let Raw {
            path,
            workload,
            visit,
        } = raw;
        let file_id = workload.id.clone();
        // Objects with only a generateName are listed, never released: two of the same
        // prefix are no duplicate.
        let generated = workload.generated;
        let (mut workload, mut images, site, marked) = PlacedWorkload::split(workload);
        let namespace = visit.and_then(|v| self.walker.visits[v].namespace.as_deref());
        // A namespace transformer does not move a cluster-scoped object's id (`<cluster>:`).
        if let Some(ns) = namespace.filter(|_| !workload.id.starts_with("<cluster>:")) {
            workload.id = format!("{ns}:{}/{}", workload.kind.to_ascii_lowercase(), workload.name);
        }
        if !generated {
            self.claim(&workload.id, &path, workload.line)?;
        }
        let annotated = self.annotated(visit);
        if !annotated.common.is_empty() {
            render_policy(&mut workload, &mut images, &annotated.common);
        }
        let root = visit.map(|v| self.walker.visits[self.walker.visits[v].root].file.clone());
        // How many times kustomize runs an `images:` entry over each slot, as the scan found
        // it (DESIGN.md section 6: its image field specs and its walk of every `containers`
        // and `initContainers` field).
        let passes: Vec<usize> = site
            .as_ref()
            .map(|s| s.slots.iter().map(|s| s.passes).collect())
            .unwrap_or_default();
        let mut slots: Vec<PlacedSlot> = images
            .into_iter()
            .enumerate()
            .map(|(i, info)| {
                let passes = passes.get(i).copied().unwrap_or(2);
                self.slot(&workload.id, info, &path, visit, root.as_deref(), passes)
            })
            .collect();
        for slot in &mut slots {
            slot.image_policy = marked
                .iter()
                .find(|(container, _)| *container == slot.info.container)
                .map(|(_, policy)| policy.clone());
        }
        // The kustomize `namespace:` is a name too (DESIGN.md section 6).
        if namespace.is_some_and(|ns| !crate::names::is_dns_label(ns)) {
            for slot in slots
                .iter_mut()
                .filter(|s| s.info.warning.as_deref() != Some(GENERATED_NAME))
            {
                slot.info.unmanage();
                slot.info.warning = Some(INVALID_NAME.to_string());
            }
        }
        let service = self.config.service_for(&workload.kind, &workload.name);
        Ok(Placed {
            annotations_unread: annotated.unread,
            common_annotations: annotated.common,
            manifest_exclusive: self.exclusive(&path),
            path,
            file_id,
            service: service.map_or_else(|| workload.name.clone(), |s| s.name.clone()),
            service_filter: service.and_then(|s| s.filter.clone()),
            workload,
            slots,
            site,
        })
    }

    /// The annotations kustomize applies on the way from `visit` to its root.
    fn annotated(&self, visit: Option<usize>) -> Annotated {
        let mut out = Annotated {
            common: Vec::new(),
            unread: None,
        };
        for file in self.chain(visit) {
            let k = &self.walker.kustomizations[file];
            out.common.extend(k.common_annotations.iter().cloned());
            if out.unread.is_none() {
                if let Some(key) = k.annotations_unread.first() {
                    out.unread = Some((file.to_string(), key.clone()));
                }
            }
        }
        out
    }

    /// Place one slot of the workload `id` from the manifest `path`: render it through the
    /// kustomizations on its way and decide where a new pointer goes. A slot relman cannot
    /// render is unmanaged and refused with why (never a guess).
    fn slot(
        &mut self,
        id: &str,
        mut info: ImageSlot,
        path: &str,
        visit: Option<usize>,
        root: Option<&str>,
        passes: usize,
    ) -> PlacedSlot {
        let base = info.image().to_string();
        let kustomized = matches!(info.kind, SlotKind::Container | SlotKind::InitContainer);
        let rendered = if kustomized && visit.is_some() {
            let kustomizations = &self.walker.kustomizations;
            match render(kustomizations, None, self.chain(visit), &base, passes) {
                Ok(r) => Some(r),
                Err(e) => {
                    info.unmanage();
                    self.refusals
                        .push(format!("{id} {}: {}", info.container, located(&e)));
                    return PlacedSlot {
                        info,
                        base,
                        chain: visit,
                        passes,
                        suffix: None,
                        target: Target::Refused(e),
                        image_policy: None,
                    };
                }
            }
        } else {
            None
        };
        let (origin, suffix) = match rendered {
            Some(r) => {
                if r.value != base {
                    info.set_image(match info.warning.as_deref() {
                        Some(INVALID_NAME | GENERATED_NAME) => SlotImage::Unmanaged(r.value),
                        _ => SlotImage::read(r.value),
                    });
                }
                (r.origin, r.suffix)
            }
            None => (None, None),
        };
        let target = self.target(origin, path, root, kustomized, &info);
        PlacedSlot {
            info,
            base,
            chain: visit,
            passes,
            suffix,
            target,
            image_policy: None,
        }
    }

    /// Where a new pointer of a slot goes: the `images:` entry that decides it (`origin`), the
    /// manifest, a new entry in the environment's root kustomization, or nowhere (shared).
    /// The environment's own kustomizations are its root and any only it reads: edits to a
    /// root that another environment also reads are checked by simulation before they are
    /// written (see `placement`).
    fn target(
        &self,
        origin: Option<(String, usize, String)>,
        path: &str,
        root: Option<&str>,
        kustomized: bool,
        info: &ImageSlot,
    ) -> Target {
        let own = |file: &str| self.exclusive(file) || root == Some(file);
        match (origin, root) {
            (Some((file, index, incoming)), _) if own(&file) => Target::Entry {
                file,
                index,
                incoming,
            },
            (None, _) if self.exclusive(path) => Target::Manifest,
            (_, Some(root)) if kustomized => Target::NewEntry {
                file: root.to_string(),
                name: kustomize::split(info.image()).0.to_string(),
            },
            (Some((file, ..)), _) => Target::Shared { file },
            (None, _) => Target::Shared {
                file: path.to_string(),
            },
        }
    }

    /// Setter markers: one pseudo-workload per policy, `<ns>:imagepolicy/<name>`, in the order
    /// policies first appear.
    fn markers(&mut self, markers: Vec<Marked>) -> Result<Vec<Placed>> {
        let mut by_policy: Vec<(String, Vec<Marked>)> = Vec::new();
        for (file, m) in markers {
            match by_policy.iter_mut().find(|(p, _)| *p == m.policy) {
                Some((_, list)) => list.push((file, m)),
                None => by_policy.push((m.policy.clone(), vec![(file, m)])),
            }
        }
        by_policy
            .into_iter()
            .map(|(policy, list)| self.marker_policy(&policy, &list))
            .collect()
    }

    /// The pseudo-workload of the setter markers of `policy`.
    fn marker_policy(&self, policy: &str, list: &[Marked]) -> Result<Placed> {
        let (_, name) = policy.split_once(':').unwrap_or(("", policy));
        let slots: Vec<PlacedSlot> = list
            .iter()
            .map(|(file, m)| PlacedSlot {
                info: manifest::marker_slot(m, Some(file)),
                base: m.image.text().to_string(),
                chain: None,
                passes: 1,
                suffix: None,
                target: if self.exclusive(file) {
                    Target::Marker {
                        file: file.clone(),
                        fields: m.fields.clone(),
                    }
                } else {
                    Target::Shared { file: file.clone() }
                },
                image_policy: Some(m.policy.clone()),
            })
            .collect();
        let id = slots[0].info.workload.clone();
        if let Some((first, line)) = self.seen.get(&id) {
            return Err(Error::new(
                ErrorKind::DuplicateResource,
                format!(
                    "{id} is defined twice in environment {}: {first}:{line} and by setter markers",
                    self.env.name
                ),
            ));
        }
        let services = self.config.services();
        let service = services
            .iter()
            .find(|s| s.image_policy == policy || s.image_policy == name)
            .or_else(|| services.iter().find(|s| s.name == name));
        Ok(Placed {
            annotations_unread: None,
            common_annotations: Vec::new(),
            path: list[0].0.clone(),
            file_id: id.clone(),
            manifest_exclusive: list.iter().all(|(f, _)| self.exclusive(f)),
            service: service.map_or_else(|| name.to_string(), |s| s.name.clone()),
            service_filter: service.and_then(|s| s.filter.clone()),
            workload: PlacedWorkload {
                id,
                kind: "ImagePolicy".to_string(),
                name: name.to_string(),
                // No annotations: a marker asks for automation of its slot when its policy is
                // one the repository holds or relman.yaml maps (decided by the planner).
                policy: Policy::default(),
                annotations: Default::default(),
                keel: None,
                line: list[0].1.line,
            },
            slots,
            site: None,
        })
    }
}

/// Policies as kustomize renders them: the `commonAnnotations` of every kustomization on the
/// way (`common`, innermost first: the outermost wins) over the object's own. The slots'
/// `ambiguous_policy` warnings follow the rendered policy.
fn render_policy(workload: &mut PlacedWorkload, slots: &mut [ImageSlot], common: &[(String, String)]) {
    workload.policy = crate::policy::annotations::read_rendered(&workload.annotations, common);
    workload.keel = workload.annotations.keel(common);
    let ambiguous = !workload.policy.ambiguous.is_empty();
    for slot in slots {
        match slot.warning.as_deref() {
            Some(INVALID_NAME) => {}
            Some(manifest::AMBIGUOUS_POLICY) | None => {
                slot.warning = ambiguous.then(|| manifest::AMBIGUOUS_POLICY.to_string());
            }
            Some(_) => {}
        }
    }
}
