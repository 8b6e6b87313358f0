//! What an environment is made of: its files (plain manifests, or kustomize overlays read the
//! way kustomize reads them), its workloads with their effective images, and for every image
//! slot the place a new pointer must be written so that no other environment changes.

use std::collections::{HashMap, HashSet};

use super::snapshot::{CONFIG_FILE, Snapshot, normalise_path};
use crate::config::{Config, Environment};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::manifest::kustomize::{self, KUSTOMIZATION_FILES, Kustomization};
use crate::manifest::{self, ScannedWorkload, SlotKind};
use crate::policy::TagFilter;
use crate::work::count;
use crate::yaml::Stream;

/// Where the new pointer of a slot is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// The image scalar of the manifest (the workload as the file itself names it).
    Manifest,
    /// The `images:` entry `index` of the kustomization `file`.
    Entry { file: String, index: usize },
    /// A new `images:` entry in the environment's root kustomization `file`, for `name`.
    NewEntry { file: String, name: String },
    /// Values marked by a Flux setter comment in `file`.
    Marker {
        file: String,
        fields: crate::manifest::Fields,
    },
    /// Nowhere: every place that decides this slot is shared with another environment.
    Shared { file: String },
}

/// A workload of an environment: where it lives, what it renders to, and where each slot is
/// written.
pub(super) struct Placed {
    /// The manifest file.
    pub path: String,
    /// The id the manifest file gives it (before any kustomize `namespace:`).
    pub file_id: String,
    /// The workload as the environment renders it (namespace, effective images).
    pub workload: ScannedWorkload,
    /// Per slot (same order as `workload.slots`): the manifest value, the kustomizations it
    /// passes through (innermost first), and where a new pointer goes.
    pub slots: Vec<PlacedSlot>,
    /// Whether the manifest file belongs to this environment only.
    pub manifest_exclusive: bool,
    /// The service the workload belongs to.
    pub service: String,
    /// The service's default tag filter.
    pub service_filter: Option<TagFilter>,
}

/// The kustomize history of one slot.
#[derive(Debug, Clone)]
pub(super) struct PlacedSlot {
    /// The value written in the manifest.
    pub base: String,
    /// Kustomization files applied to it, innermost first.
    pub chain: Vec<String>,
    /// Where a new pointer goes.
    pub target: Target,
}

/// An environment's workloads and the parsed files behind them.
pub(super) struct Model<'s> {
    pub placed: Vec<Placed>,
    pub streams: HashMap<&'s str, Stream<'s>>,
    pub kustomizations: HashMap<String, Kustomization>,
    /// Things relman read around rather than through (remote resources, unread keys).
    pub warnings: Vec<String>,
}

/// The sources of an environment: plain files and kustomization trees.
enum Source {
    File(String),
    Kustomization { file: String, children: Vec<Source> },
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// The kustomization file in `dir`, if any.
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
        .find(|p| snapshot.get(p).is_some())
}

pub(crate) fn dir_of(file: &str) -> &str {
    file.rfind('/').map_or("", |i| &file[..i])
}

/// `entry` relative to `dir`, normalised; climbing above the repo root is `invalid_path`.
pub(crate) fn join(dir: &str, entry: &str) -> std::result::Result<String, String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in entry.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("`{entry}` leaves the repository"));
                }
            }
            p => parts.push(p),
        }
    }
    normalise_path(&parts.join("/")).map_err(|e| e.message().to_string())
}

struct Walker<'s> {
    snapshot: &'s Snapshot,
    streams: HashMap<&'s str, Stream<'s>>,
    kustomizations: HashMap<String, Kustomization>,
    warnings: Vec<String>,
}

impl<'s> Walker<'s> {
    fn kustomization(&mut self, file: &str, stack: &mut Vec<String>) -> Result<Source> {
        let (path, text) = self
            .snapshot
            .entry(file)
            .ok_or_else(|| Error::new(ErrorKind::InvalidPath, format!("{file} is missing")))?;
        count(|w| w.files_visited += 1);
        let stream = Stream::parse(text).map_err(|e| e.in_file(path))?;
        let k = kustomize::read(&stream, path)?;
        for key in &k.unread {
            self.warnings.push(format!(
                "{file}: `{key}` is not read by relman; images it changes are not seen"
            ));
        }
        stack.push(file.to_string());
        let dir = dir_of(file).to_string();
        let mut children = Vec::new();
        for r in &k.resources {
            let located = |message: String, kind: ErrorKind| {
                Error::new(kind, message).in_file(file).at(r.line, r.column)
            };
            if kustomize::is_remote(&r.entry) {
                self.warnings.push(format!(
                    "{file}:{}: remote resource `{}` is not read",
                    r.line, r.entry
                ));
                continue;
            }
            let target = join(&dir, &r.entry).map_err(|m| located(m, ErrorKind::InvalidPath))?;
            if self.snapshot.get(&target).is_some() {
                children.push(Source::File(target));
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
            if let Some(at) = stack.iter().position(|f| *f == inner) {
                let cycle = stack[at..]
                    .iter()
                    .chain(std::iter::once(&inner))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" -> ");
                return Err(located(
                    format!("resource cycle: {cycle}"),
                    ErrorKind::InvalidPath,
                ));
            }
            children.push(self.kustomization(&inner, stack)?);
        }
        stack.pop();
        self.streams.insert(path, stream);
        self.kustomizations.insert(file.to_string(), k);
        Ok(Source::Kustomization {
            file: file.to_string(),
            children,
        })
    }
}

fn collect_files(source: &Source, out: &mut Vec<String>) {
    match source {
        Source::File(f) => out.push(f.clone()),
        Source::Kustomization { file, children } => {
            out.push(file.clone());
            for c in children {
                collect_files(c, out);
            }
        }
    }
}

/// The sources of `env` and its walker state.
fn sources<'s>(snapshot: &'s Snapshot, env: &Environment) -> Result<(Vec<Source>, Walker<'s>)> {
    count(|w| w.walks += 1);
    let mut walker = Walker {
        snapshot,
        streams: HashMap::new(),
        kustomizations: HashMap::new(),
        warnings: Vec::new(),
    };
    let mut out = Vec::new();
    // Plain files already listed (an environment's paths may overlap).
    let mut listed: HashSet<&str> = HashSet::new();
    for path in &env.paths {
        if let Some(k) = kustomization_in(snapshot, path).filter(|_| snapshot.get(path).is_none()) {
            out.push(walker.kustomization(&k, &mut Vec::new())?);
        } else {
            for (file, _) in snapshot.under(path) {
                count(|w| w.files_visited += 1);
                if file != CONFIG_FILE && (is_yaml(file) || file == path) && listed.insert(file) {
                    out.push(Source::File(file.to_string()));
                }
            }
        }
    }
    Ok((out, walker))
}

/// Every file an environment reads (manifests and kustomizations).
pub(super) fn files_of(snapshot: &Snapshot, env: &Environment) -> Result<HashSet<String>> {
    let (sources, _) = sources(snapshot, env)?;
    let mut files = Vec::new();
    for s in &sources {
        collect_files(s, &mut files);
    }
    Ok(files.into_iter().collect())
}

/// Which environments read each file, worked out once per planning run (one walk per
/// environment), so that "does another environment read this file?" is one lookup and a plan
/// costs the same whatever the number of other environments (DESIGN.md section 15).
pub(super) struct Readers {
    /// File to the indices (in `relman.yaml` order, ascending) of the environments reading it.
    by_file: HashMap<String, Vec<usize>>,
}

impl Readers {
    /// Walk every environment of `config` once. Errors: those of the walk (a kustomization
    /// that does not parse, a missing resource).
    pub(super) fn new(snapshot: &Snapshot, config: &Config) -> Result<Readers> {
        let mut by_file: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, env) in config.environments().iter().enumerate() {
            for file in files_of(snapshot, env)? {
                by_file.entry(file).or_default().push(i);
            }
        }
        Ok(Readers { by_file })
    }

    /// The environments (indices into `config.environments()`, ascending) that read `file`.
    pub(super) fn of(&self, file: &str) -> &[usize] {
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

/// Run `f` on every item, on as many threads as the machine has cores (inline for few items).
/// Results keep the items' order.
pub(super) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Asked once per process: on Linux the answer reads cgroup files, a cost per model that
    // dominated plans of many small environments.
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads = *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8));
    if threads < 2 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("planner threads do not panic"))
            .collect()
    })
}

/// A workload read from a manifest, before kustomize transforms.
struct Raw {
    path: String,
    workload: ScannedWorkload,
    chain: Vec<String>,
    namespace: Option<String>,
}

/// Run `value` through the `images:` entries of `chain` (innermost first). Returns the result
/// and the last entry that changed it.
pub(super) fn render_value(
    kustomizations: &HashMap<String, Kustomization>,
    chain: &[String],
    value: &str,
) -> (String, Option<(String, usize)>) {
    let mut value = value.to_string();
    let mut origin = None;
    for file in chain {
        if let Some(k) = kustomizations.get(file) {
            for (i, entry) in k.images.iter().enumerate() {
                if let Some(v) = entry.apply(&value) {
                    value = v;
                    origin = Some((file.clone(), i));
                }
            }
        }
    }
    (value, origin)
}

/// Build the model of `env`. `others` tells the files some other environment reads.
pub(super) fn model<'s>(
    snapshot: &'s Snapshot,
    config: &Config,
    env: &Environment,
    others: &Others<'_>,
) -> Result<Model<'s>> {
    let (sources, mut walker) = sources(snapshot, env)?;
    // Manifest files, each with the kustomizations above it (innermost first).
    let mut manifests: Vec<(String, Vec<String>, Option<String>)> = Vec::new();
    fn walk(
        source: &Source,
        chain: &[String],
        namespace: Option<&str>,
        kustomizations: &HashMap<String, Kustomization>,
        out: &mut Vec<(String, Vec<String>, Option<String>)>,
    ) {
        match source {
            Source::File(f) => out.push((f.clone(), chain.to_vec(), namespace.map(str::to_string))),
            Source::Kustomization { file, children } => {
                let mut inner = vec![file.clone()];
                inner.extend_from_slice(chain);
                // The outermost `namespace:` wins.
                let ns = namespace.or(kustomizations.get(file).and_then(|k| k.namespace.as_deref()));
                for c in children {
                    walk(c, &inner, ns, kustomizations, out);
                }
            }
        }
    }
    for s in &sources {
        walk(s, &[], None, &walker.kustomizations, &mut manifests);
    }
    let texts: Vec<(&'s str, &'s str)> = {
        let mut wanted: Vec<&str> = manifests
            .iter()
            .map(|(f, ..)| f.as_str())
            .filter(|f| !walker.streams.contains_key(f))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted.iter().filter_map(|f| snapshot.entry(f)).collect()
    };
    count(|w| {
        w.models += 1;
        w.files_visited += texts.len() as u64;
    });
    let parsed = par_map(&texts, |(path, text)| {
        Stream::parse(text)
            .map(|s| (*path, s))
            .map_err(|e| e.in_file(*path))
    });
    for p in parsed {
        let (path, stream) = p?;
        walker.streams.insert(path, stream);
    }
    let scanned = par_map(&manifests, |(file, ..)| {
        let stream = &walker.streams[file.as_str()];
        manifest::scan(stream, &env.default_namespace, Some(file))
    });
    let mut raws = Vec::new();
    let mut markers: Vec<(String, crate::manifest::marker::MarkerSlot)> = Vec::new();
    for ((file, chain, namespace), scanned) in manifests.iter().zip(scanned) {
        let scanned = scanned?;
        for workload in scanned.workloads {
            raws.push(Raw {
                path: file.clone(),
                workload,
                chain: chain.clone(),
                namespace: namespace.clone(),
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

    let exclusive = |file: &str| !others.contains(file);
    let mut placed: Vec<Placed> = Vec::with_capacity(raws.len());
    let mut seen: HashMap<String, (String, usize)> = HashMap::new();
    for raw in raws {
        let Raw {
            path,
            mut workload,
            chain,
            namespace,
        } = raw;
        let file_id = workload.id.clone();
        if let Some(ns) = &namespace {
            workload.id = format!("{ns}:{}/{}", workload.kind.to_ascii_lowercase(), workload.name);
        }
        if let Some((first, line)) = seen.get(&workload.id) {
            return Err(Error::new(
                ErrorKind::DuplicateResource,
                format!(
                    "{} is defined twice in environment {}: {first}:{line} and {path}:{}",
                    workload.id, env.name, workload.line
                ),
            )
            .in_file(path.clone())
            .at(workload.line, 1));
        }
        seen.insert(workload.id.clone(), (path.clone(), workload.line));
        let root = chain.last().cloned();
        let mut slots = Vec::with_capacity(workload.slots.len());
        for slot in &mut workload.slots {
            let base = slot.image.clone();
            let kustomized = matches!(slot.kind, SlotKind::Container | SlotKind::InitContainer);
            let origin = if kustomized && !chain.is_empty() {
                let (value, origin) = render_value(&walker.kustomizations, &chain, &base);
                if value != base {
                    slot.managed = ImageRef::parse(&value).is_ok();
                    slot.image = value;
                }
                origin
            } else {
                None
            };
            // The environment's own kustomizations: its root, and any only it reads. Edits to a
            // root that another environment also reads are checked by simulation before they
            // are written (see `placement`).
            let own = |file: &str| exclusive(file) || root.as_deref() == Some(file);
            let target = match (origin, &root) {
                (Some((file, index)), _) if own(&file) => Target::Entry { file, index },
                (None, _) if exclusive(&path) => Target::Manifest,
                (_, Some(root)) if kustomized => Target::NewEntry {
                    file: root.clone(),
                    name: kustomize::split_image(&slot.image).0.to_string(),
                },
                (Some((file, _)), _) => Target::Shared { file },
                (None, _) => Target::Shared { file: path.clone() },
            };
            slots.push(PlacedSlot {
                base,
                chain: chain.clone(),
                target,
            });
        }
        let service = config.service_for(&workload.kind, &workload.name);
        placed.push(Placed {
            manifest_exclusive: exclusive(&path),
            path,
            file_id,
            service: service.map_or_else(|| workload.name.clone(), |s| s.name.clone()),
            service_filter: service.and_then(|s| s.filter.clone()),
            workload,
            slots,
        });
    }
    // Setter markers: one pseudo-workload per policy, `<ns>:imagepolicy/<name>`.
    let mut by_policy: Vec<(String, Vec<(String, crate::manifest::marker::MarkerSlot)>)> = Vec::new();
    for (file, m) in markers {
        match by_policy.iter_mut().find(|(p, _)| *p == m.policy) {
            Some((_, list)) => list.push((file, m)),
            None => by_policy.push((m.policy.clone(), vec![(file, m)])),
        }
    }
    for (policy, list) in by_policy {
        let (_, name) = policy.split_once(':').unwrap_or(("", &policy));
        let slots: Vec<crate::manifest::ImageSlot> = list
            .iter()
            .map(|(file, m)| manifest::marker_slot(m, Some(file)))
            .collect();
        let id = slots[0].workload.clone();
        if let Some((first, line)) = seen.get(&id) {
            return Err(Error::new(
                ErrorKind::DuplicateResource,
                format!(
                    "{id} is defined twice in environment {}: {first}:{line} and by setter markers",
                    env.name
                ),
            ));
        }
        let placed_slots = list
            .iter()
            .map(|(file, m)| PlacedSlot {
                base: m.image.clone(),
                chain: Vec::new(),
                target: if exclusive(file) {
                    Target::Marker {
                        file: file.clone(),
                        fields: m.fields.clone(),
                    }
                } else {
                    Target::Shared { file: file.clone() }
                },
            })
            .collect();
        let service = config
            .services()
            .iter()
            .find(|s| s.image_policy == policy || s.image_policy == name)
            .or_else(|| config.services().iter().find(|s| s.name == name));
        placed.push(Placed {
            path: list[0].0.clone(),
            file_id: id.clone(),
            manifest_exclusive: list.iter().all(|(f, _)| exclusive(f)),
            service: service.map_or_else(|| name.to_string(), |s| s.name.clone()),
            service_filter: service.and_then(|s| s.filter.clone()),
            workload: ScannedWorkload {
                id,
                kind: "ImagePolicy".to_string(),
                name: name.to_string(),
                // A marker asks for automation; it carries no annotations.
                policy: crate::policy::Policy {
                    automated: true,
                    automated_set: true,
                    ..Default::default()
                },
                slots,
                line: list[0].1.line,
            },
            slots: placed_slots,
        });
    }
    Ok(Model {
        placed,
        streams: walker.streams,
        kustomizations: walker.kustomizations,
        warnings: walker.warnings,
    })
}
