//! Turning decided pointer moves into file edits: each slot's new pointer goes where
//! [`Target`] says, kustomize `images:` entry edits are simulated first so that no workload
//! changes unless the plan says so, and a workload's edits land together or not at all.

use std::collections::{BTreeMap, HashMap};

use super::environment::{Model, Placed, PlacedSlot, Rendered, Target, render};
use super::plan::{FileChange, Reason, Status, WorkloadResult};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::manifest::kustomize::{self, ImagesEntry, Kustomization};
use crate::manifest::{self, WorkloadEdit};
use crate::parallel::par_map;
use crate::policy::PolicyChange;
use crate::yaml::Patch;

/// One workload's decided moves: `(slot index, new pointer)` and an optional policy change.
pub(super) struct Decided {
    /// Index of the workload in the model and of its result.
    pub index: usize,
    /// The moves.
    pub moves: Vec<(usize, ImageRef)>,
    /// Policy annotations to write with the release (a lock).
    pub policy: Option<PolicyChange>,
}

/// An `images:` edit: the kustomization file and the entry.
type EditKey = (String, EntryKey);

/// An edit of one kustomization's `images:`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum EntryKey {
    Existing(usize),
    New(String),
}

/// What an `images:` edit writes: the target, the workloads (model indices) that need it, and
/// the names their values reach an existing entry with.
#[derive(Debug, Clone)]
struct EntryEdit {
    target: ImageRef,
    users: Vec<usize>,
    incoming: Vec<String>,
}

fn fail(result: &mut WorkloadResult, reason: Reason, message: String) {
    result.status = Status::Failed;
    result.reason = Some(reason);
    result.message = message;
    result.updates.clear();
}

/// The `images:` entry an edit of `key` leaves in `k`.
fn entry_for(k: &Kustomization, key: &EntryKey, edit: &EntryEdit) -> ImagesEntry {
    match key {
        EntryKey::Existing(i) => kustomize::edited(&k.images[*i], &edit.target, &edit.incoming),
        EntryKey::New(name) => kustomize::new_entry(name, &edit.target),
    }
}

/// The key of the `images:` edit a slot's target asks for, with the name its value reaches an
/// existing entry with.
fn edit_key(target: &Target) -> Option<(EditKey, Option<&str>)> {
    match target {
        Target::Entry {
            file,
            index,
            incoming,
        } => Some((
            (file.clone(), EntryKey::Existing(*index)),
            Some(incoming.as_str()),
        )),
        Target::NewEntry { file, name } => Some(((file.clone(), EntryKey::New(name.clone())), None)),
        _ => None,
    }
}

/// The `images:` edits the decided moves plan, before simulation.
struct Planned<'d> {
    /// One edit per kustomization entry.
    edits: BTreeMap<EditKey, EntryEdit>,
    /// Workloads whose entry another workload moves to another image, with why.
    refused: Vec<(usize, String)>,
    /// The moving slots, by (workload, slot) index in the model, and their new pointers.
    moving: HashMap<(usize, usize), &'d ImageRef>,
}

/// Gather the `images:` edits of `decided`: one per entry, shared by the workloads that move
/// it to the same image; a workload moving an entry to another image than an earlier one is
/// refused.
fn planned<'d>(model: &Model<'_>, decided: &'d [Decided]) -> Planned<'d> {
    let mut out = Planned {
        edits: BTreeMap::new(),
        refused: Vec::new(),
        moving: HashMap::new(),
    };
    for d in decided {
        for (slot, target) in &d.moves {
            out.moving.insert((d.index, *slot), target);
            let Some((key, incoming)) = edit_key(&model.placed[d.index].slots[*slot].target) else {
                continue;
            };
            match out.edits.get_mut(&key) {
                Some(e) if e.target == *target => {
                    e.users.push(d.index);
                    e.incoming.extend(incoming.map(str::to_string));
                }
                Some(e) => out.refused.push((
                    d.index,
                    format!(
                        "the `images:` entry for `{}` in {} applies to every use of the image; another workload moves it to {}",
                        kustomize::split(target.as_str()).0,
                        key.0,
                        e.target
                    ),
                )),
                None => {
                    out.edits.insert(
                        key,
                        EntryEdit {
                            target: target.clone(),
                            users: vec![d.index],
                            incoming: incoming.map(str::to_string).into_iter().collect(),
                        },
                    );
                }
            }
        }
    }
    out
}

/// The kustomizations of `model` as they would be with the edits `keys`: existing entries
/// edited first, then new entries added (they shift the `imageTags:` entries that follow
/// `images:`).
fn apply(
    model: &Model<'_>,
    edits: &BTreeMap<EditKey, EntryEdit>,
    keys: &[&EditKey],
) -> HashMap<String, Kustomization> {
    let mut modified: HashMap<String, Kustomization> = HashMap::new();
    let mut ordered: Vec<&EditKey> = keys.to_vec();
    ordered.sort();
    for key in ordered {
        let (file, entry_key) = key;
        let original = &model.kustomizations[file];
        let entry = entry_for(original, entry_key, &edits[key]);
        let k = modified.entry(file.clone()).or_insert_with(|| original.clone());
        match entry_key {
            EntryKey::Existing(i) => k.images[*i] = entry,
            EntryKey::New(_) => *k = k.with_new_entry(entry),
        }
    }
    modified
}

/// A rendering as text: the value, or the error in angle brackets.
fn show(r: Result<Rendered>) -> String {
    match r {
        Ok(r) => r.value,
        Err(e) => format!("<{e}>"),
    }
}

/// What a slot renders to now: its image, or for a slot relman could not render, the error
/// (what relman could not render before, it cannot prove unchanged).
fn current_of(slot: &PlacedSlot) -> String {
    match &slot.target {
        Target::Refused(e) => format!("<{e}>"),
        _ => slot.info.image().to_string(),
    }
}

/// The planned `images:` edits applied to the kustomizations: all together, and each alone
/// (to name the culprit of an unwanted change).
struct Simulation<'a> {
    edits: &'a BTreeMap<EditKey, EntryEdit>,
    all: HashMap<String, Kustomization>,
    single: Vec<(&'a EditKey, HashMap<String, Kustomization>)>,
}

impl<'a> Simulation<'a> {
    fn new(model: &Model<'_>, edits: &'a BTreeMap<EditKey, EntryEdit>) -> Simulation<'a> {
        let keys: Vec<&EditKey> = edits.keys().collect();
        Simulation {
            edits,
            all: apply(model, edits, &keys),
            single: keys.iter().map(|k| (*k, apply(model, edits, &[*k]))).collect(),
        }
    }

    /// Whether the edits touch a kustomization on the slot's way.
    fn reaches(&self, m: &Model<'_>, slot: &PlacedSlot) -> bool {
        m.chain(slot.chain).any(|f| self.all.contains_key(f))
    }

    /// What the slot renders to with every edit, from `base`.
    fn render(&self, m: &Model<'_>, slot: &PlacedSlot, base: &str) -> String {
        show(render(
            &m.kustomizations,
            Some(&self.all),
            m.chain(slot.chain),
            base,
            slot.passes,
        ))
    }

    /// The workloads to withdraw for an unwanted change of `slot` (from `current` to
    /// `rendered`): the users of each edit that changes it alone, else the users of every edit.
    fn refuse(
        &self,
        m: &Model<'_>,
        slot: &PlacedSlot,
        base: &str,
        (current, rendered): (&str, &str),
        why: &dyn Fn(&str) -> String,
    ) -> Vec<(usize, String)> {
        let mut culprits = Vec::new();
        for (key, modified) in &self.single {
            if !m.chain(slot.chain).any(|f| f == key.0) {
                continue;
            }
            let alone = show(render(
                &m.kustomizations,
                Some(modified),
                m.chain(slot.chain),
                base,
                slot.passes,
            ));
            if alone != current {
                culprits.extend(self.edits[*key].users.iter().map(|u| (*u, why(&alone))));
            }
        }
        if culprits.is_empty() {
            return self
                .edits
                .values()
                .flat_map(|e| e.users.iter().map(|u| (*u, why(rendered))))
                .collect();
        }
        culprits
    }

    /// The workloads to withdraw because the edits would change what the other environment
    /// `name` renders.
    fn check_other(&self, name: &str, other: &Model<'_>) -> Vec<(usize, String)> {
        let mut refused = Vec::new();
        for placed in &other.placed {
            for slot in placed.slots.iter().filter(|s| self.reaches(other, s)) {
                let current = current_of(slot);
                let rendered = self.render(other, slot, &slot.base);
                if rendered == current {
                    continue;
                }
                let why = |to: &str| {
                    format!(
                        "the `images:` edit would also change what {name} renders for {} {} ({current} -> {to}); relman never changes another environment",
                        placed.workload.id, slot.info.container
                    )
                };
                refused.extend(self.refuse(other, slot, &slot.base, (&current, &rendered), &why));
            }
        }
        refused
    }

    /// The workloads to withdraw because, in this environment, the edits would change other
    /// slots than the moving ones, or a moving slot would not land where planned.
    fn check_own(
        &self,
        model: &Model<'_>,
        moving: &HashMap<(usize, usize), &ImageRef>,
    ) -> Vec<(usize, String)> {
        let mut refused = Vec::new();
        for (w, placed) in model.placed.iter().enumerate() {
            for (s, slot) in placed.slots.iter().enumerate() {
                if !self.reaches(model, slot) {
                    continue;
                }
                let moving_to = moving.get(&(w, s));
                let base = match (moving_to, &slot.target) {
                    (Some(t), Target::Manifest) => t.as_str().to_string(),
                    _ => slot.base.clone(),
                };
                let rendered = self.render(model, slot, &base);
                let current = current_of(slot);
                let expected = moving_to.map_or(current.clone(), |t| t.as_str().to_string());
                if rendered == expected {
                    continue;
                }
                let (id, container) = (&placed.workload.id, &slot.info.container);
                if moving_to.is_some() {
                    // A moving slot that does not land where planned: withdraw its own workload.
                    refused.push((
                        w,
                        format!(
                            "after the `images:` edit kustomize would render {id} {container} as {rendered}, not {expected}"
                        ),
                    ));
                } else {
                    let why = |to: &str| {
                        format!(
                            "the `images:` edit would also change {id} {container} to {to}; release them together"
                        )
                    };
                    refused.extend(self.refuse(model, slot, &base, (&current, &rendered), &why));
                }
            }
        }
        refused
    }
}

/// Check by simulation that the planned `images:` edits change exactly the moving slots;
/// returns the workloads (model indices) whose edits must be withdrawn, with why.
fn collateral(
    model: &Model<'_>,
    others: &[(String, Model<'_>)],
    decided: &[Decided],
) -> Vec<(usize, String)> {
    let Planned {
        edits,
        mut refused,
        moving,
    } = planned(model, decided);
    if edits.is_empty() {
        return refused;
    }
    let simulation = Simulation::new(model, &edits);
    // No other environment may render differently.
    for (name, other) in others {
        refused.extend(simulation.check_other(name, other));
    }
    // In this environment, exactly the moving slots change.
    refused.extend(simulation.check_own(model, &moving));
    refused
}

/// Why the moves of `d` cannot be written exactly: a tag kustomize's `tagSuffix` would not
/// produce, a slot relman cannot render.
fn unwritable(placed: &Placed, d: &Decided) -> Option<String> {
    d.moves.iter().find_map(|(s, target)| {
        let slot = &placed.slots[*s];
        let container = &slot.info.container;
        if let Target::Refused(e) = &slot.target {
            return Some(format!("{container}: {}", super::environment::located(e)));
        }
        let suffix = slot.suffix.as_ref()?;
        let tag = kustomize::split(target.as_str()).1;
        (!tag.ends_with(&suffix.suffix)).then(|| {
            format!(
                "{container}: the `images:` entry at {}:{}:{} appends `{}` to the tag (tagSuffix), and {target} does not end with it; release a tag that does (a filter such as glob:*{}), or remove the tagSuffix",
                suffix.file, suffix.line, suffix.column, suffix.suffix, suffix.suffix
            )
        })
    })
}

/// Why the moves of `d` would change what another environment renders: a slot whose deciding
/// file is shared, or a lock on a shared manifest.
fn shared(placed: &Placed, d: &Decided) -> Option<String> {
    let shared = d.moves.iter().find_map(|(s, _)| match &placed.slots[*s].target {
        Target::Shared { file } => Some((*s, file.clone())),
        _ => None,
    });
    match (shared, &d.policy) {
        (Some((s, file)), _) => Some(format!(
            "{} is decided by {file}, which another environment also reads; relman will not change what that environment renders",
            placed.slots[s].info.container
        )),
        (None, Some(_)) if !placed.manifest_exclusive => Some(format!(
            "cannot lock {}: its manifest {} is shared with another environment (release with lock off, or lock the environment)",
            placed.workload.id, placed.path
        )),
        _ => None,
    }
}

/// Withdraw the decided workloads `why` gives a message for: their results fail with `reason`.
fn withdraw(
    decided: &mut Vec<Decided>,
    results: &mut [WorkloadResult],
    reason: Reason,
    why: impl Fn(&Decided) -> Option<String>,
) {
    decided.retain(|d| match why(d) {
        Some(message) => {
            fail(&mut results[d.index], reason, message);
            false
        }
        None => true,
    });
}

/// Withdraw workloads that cannot be written without touching another environment or another
/// workload, then write every file once. `others` are the other environments whose files the
/// planned `images:` edits touch (name and model). Returns the file changes.
pub(super) fn write(
    model: &Model<'_>,
    others: &[(String, Model<'_>)],
    default_namespace: &str,
    mut decided: Vec<Decided>,
    results: &mut [WorkloadResult],
) -> Result<Vec<FileChange>> {
    let placed = |d: &Decided| &model.placed[d.index];
    withdraw(&mut decided, results, Reason::UnsupportedYaml, |d| {
        unwritable(placed(d), d)
    });
    withdraw(&mut decided, results, Reason::SharedFile, |d| {
        shared(placed(d), d)
    });
    // Simulate, then build; a workload withdrawn by the build changes the remaining edits (an
    // entry's `newName` depends on every value that moves through it), so simulate again.
    loop {
        loop {
            let refused = collateral(model, others, &decided);
            if refused.is_empty() {
                break;
            }
            for (index, message) in refused {
                if results[index].status != Status::Failed {
                    fail(&mut results[index], Reason::SharedFile, message);
                }
                decided.retain(|d| d.index != index);
            }
        }
        match build(model, default_namespace, &decided)? {
            Built::Changes(changes) => return Ok(changes),
            Built::Refused(failed) => {
                for (index, err) in failed {
                    fail(&mut results[index], Reason::UnsupportedYaml, err.to_string());
                    decided.retain(|d| d.index != index);
                }
            }
        }
    }
}

/// Edits of one file.
#[derive(Default)]
struct FileEdits {
    workloads: Vec<(usize, WorkloadEdit)>,
    entries: BTreeMap<EntryKey, EntryEdit>,
    markers: Vec<(usize, crate::manifest::Fields, String, ImageRef)>,
}

/// What building every file's patch came to.
enum Built {
    /// Every edit was written: the files that change.
    Changes(Vec<FileChange>),
    /// Workloads whose edits were refused (`unsupported_yaml`), each with its first error: the
    /// caller withdraws them and builds again, so that a workload's edits in several files land
    /// together or not at all.
    Refused(Vec<(usize, Error)>),
}

/// One file's text after its edits, and the workloads whose edits it refused.
struct Patched {
    after: String,
    refused: Vec<(usize, Error)>,
}

/// The edits of `decided`, by file.
fn gather(model: &Model<'_>, decided: &[Decided]) -> BTreeMap<String, FileEdits> {
    let mut files: BTreeMap<String, FileEdits> = BTreeMap::new();
    for d in decided {
        let placed: &Placed = &model.placed[d.index];
        let mut images = Vec::new();
        for (s, target) in &d.moves {
            let slot = &placed.slots[*s];
            let container = slot.info.container.clone();
            match &slot.target {
                Target::Manifest => images.push((container, target.clone())),
                slot_target @ (Target::Entry { .. } | Target::NewEntry { .. }) => {
                    let ((file, key), incoming) = edit_key(slot_target).expect("an images edit");
                    let edit = files
                        .entry(file)
                        .or_default()
                        .entries
                        .entry(key)
                        .or_insert_with(|| EntryEdit {
                            target: target.clone(),
                            users: Vec::new(),
                            incoming: Vec::new(),
                        });
                    edit.users.push(d.index);
                    edit.incoming.extend(incoming.map(str::to_string));
                }
                Target::Marker { file, fields } => {
                    files.entry(file.clone()).or_default().markers.push((
                        d.index,
                        fields.clone(),
                        container,
                        target.clone(),
                    ));
                }
                Target::Shared { .. } | Target::Refused(_) => {
                    unreachable!("shared and refused targets are withdrawn before building")
                }
            }
        }
        if !images.is_empty() || d.policy.is_some() {
            files.entry(placed.path.clone()).or_default().workloads.push((
                d.index,
                WorkloadEdit {
                    workload: placed.file_id.clone(),
                    images,
                    policy: d.policy.clone(),
                },
            ));
        }
    }
    files
}

/// Write the edits of one file: marked values, then `images:` entries of a kustomization, or
/// the workloads of a manifest.
fn patch_file(model: &Model<'_>, default_namespace: &str, path: &str, edits: &FileEdits) -> Result<Patched> {
    let stream = &model.streams[path];
    let mut patch = Patch::new();
    let mut refused = Vec::new();
    for (index, fields, name, target) in &edits.markers {
        let mut part = Patch::new();
        match manifest::write_fields(stream, &mut part, fields, name, target) {
            Ok(()) => patch.extend(part),
            Err(e) => refused.push((*index, e.in_file(path))),
        }
    }
    if let Some(k) = model.kustomizations.get(path) {
        for (key, edit) in &edits.entries {
            let mut part = Patch::new();
            let entry = entry_for(k, key, edit);
            let built = match key {
                EntryKey::Existing(i) => kustomize::write_entry(stream, &mut part, &k.images[*i], &entry),
                EntryKey::New(_) => kustomize::add_entry(stream, &mut part, k, &entry),
            };
            match built {
                Ok(()) => patch.extend(part),
                Err(e) => refused.extend(edit.users.iter().map(|u| (*u, e.clone().in_file(path)))),
            }
        }
        let after = patch.apply(stream).map_err(|e| e.in_file(path))?;
        return Ok(Patched { after, refused });
    }
    let only: Vec<WorkloadEdit> = edits.workloads.iter().map(|(_, e)| e.clone()).collect();
    let (after, failed) = manifest::edit(stream, default_namespace, path, &only, patch)?;
    refused.extend(failed.into_iter().map(|(i, e)| (edits.workloads[i].0, e)));
    Ok(Patched { after, refused })
}

/// Build every file's patch, in parallel. Refusals of a construct (`unsupported_yaml`) refuse
/// their workload; any other error is bad input.
fn build(model: &Model<'_>, default_namespace: &str, decided: &[Decided]) -> Result<Built> {
    let list: Vec<(String, FileEdits)> = gather(model, decided).into_iter().collect();
    let outcomes = par_map(&list, 64, |(path, edits)| {
        patch_file(model, default_namespace, path, edits)
    });
    let mut changes = Vec::new();
    let mut refused = Vec::new();
    for ((path, _), outcome) in list.iter().zip(outcomes) {
        let Patched {
            after,
            refused: failed,
        } = outcome?;
        for (index, err) in failed {
            if err.kind() != ErrorKind::UnsupportedYaml {
                return Err(err);
            }
            refused.push((index, err));
        }
        let before = model.streams[path.as_str()].text();
        if after != before {
            changes.push(FileChange {
                path: path.clone(),
                before: before.to_string(),
                after,
            });
        }
    }
    if refused.is_empty() {
        return Ok(Built::Changes(changes));
    }
    // One error per workload (its first), in workload order.
    let mut first: BTreeMap<usize, Error> = BTreeMap::new();
    for (index, err) in refused {
        first.entry(index).or_insert(err);
    }
    Ok(Built::Refused(first.into_iter().collect()))
}
