//! Turning decided pointer moves into file edits: each slot's new pointer goes where
//! [`Target`] says, kustomize `images:` entry edits are simulated first so that no workload
//! changes unless the plan says so, and a workload's edits land together or not at all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::environment::{Model, Placed, Target, render};
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

/// Check by simulation that the planned `images:` edits change exactly the moving slots;
/// returns the workloads (model indices) whose edits must be withdrawn, with why.
fn collateral(
    model: &Model<'_>,
    others: &[(String, Model<'_>)],
    decided: &[Decided],
) -> Vec<(usize, String)> {
    let mut edits: BTreeMap<EditKey, EntryEdit> = BTreeMap::new();
    let mut refused = Vec::new();
    let mut moving: HashMap<(usize, usize), &ImageRef> = HashMap::new();
    for d in decided {
        for (slot, target) in &d.moves {
            moving.insert((d.index, *slot), target);
            let Some((key, incoming)) = edit_key(&model.placed[d.index].slots[*slot].target) else {
                continue;
            };
            match edits.get_mut(&key) {
                Some(e) if e.target == *target => {
                    e.users.push(d.index);
                    e.incoming.extend(incoming.map(str::to_string));
                }
                Some(e) => refused.push((
                    d.index,
                    format!(
                        "the `images:` entry for `{}` in {} applies to every use of the image; another workload moves it to {}",
                        kustomize::split(target.as_str()).0,
                        key.0,
                        e.target
                    ),
                )),
                None => {
                    edits.insert(
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
    if edits.is_empty() {
        return refused;
    }
    // The kustomizations as they would be with the given edits: existing entries edited first,
    // then new entries added (they shift the `imageTags:` entries that follow `images:`).
    let apply = |keys: &[&EditKey]| -> HashMap<String, Kustomization> {
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
    };
    let keys: Vec<&EditKey> = edits.keys().collect();
    let all = apply(&keys);
    // Each edit alone, to name the culprit of an unwanted change.
    let single: Vec<(&EditKey, HashMap<String, Kustomization>)> =
        keys.iter().map(|k| (*k, apply(&[*k]))).collect();
    let show = |r: Result<super::environment::Rendered>| match r {
        Ok(r) => r.value,
        Err(e) => format!("<{e}>"),
    };
    let blame = |m: &Model<'_>,
                 slot: &super::environment::PlacedSlot,
                 base: &str,
                 current: &str,
                 why: &dyn Fn(&str) -> String| {
        let mut culprits = Vec::new();
        for (key, modified) in &single {
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
                for u in &edits[*key].users {
                    culprits.push((*u, why(&alone)));
                }
            }
        }
        culprits
    };
    // No other environment may render differently.
    for (name, other) in others {
        for placed in &other.placed {
            for (s, slot) in placed.slots.iter().enumerate() {
                if !other.chain(slot.chain).any(|f| all.contains_key(f)) {
                    continue;
                }
                let current = match &slot.target {
                    // What relman could not render before, it cannot prove unchanged.
                    Target::Refused(e) => format!("<{e}>"),
                    _ => placed.slots[s].info.image().to_string(),
                };
                let rendered = show(render(
                    &other.kustomizations,
                    Some(&all),
                    other.chain(slot.chain),
                    &slot.base,
                    slot.passes,
                ));
                if rendered != current {
                    let why = |to: &str| {
                        format!(
                            "the `images:` edit would also change what {name} renders for {} {} ({current} -> {to}); relman never changes another environment",
                            placed.workload.id, placed.slots[s].info.container
                        )
                    };
                    let culprits = blame(other, slot, &slot.base, &current, &why);
                    if culprits.is_empty() {
                        refused.extend(
                            edits
                                .values()
                                .flat_map(|e| e.users.iter().map(|u| (*u, why(&rendered)))),
                        );
                    }
                    refused.extend(culprits);
                }
            }
        }
    }
    // In this environment, exactly the moving slots change.
    for (w, placed) in model.placed.iter().enumerate() {
        for (s, slot) in placed.slots.iter().enumerate() {
            if !model.chain(slot.chain).any(|f| all.contains_key(f)) {
                continue;
            }
            let base = match (moving.get(&(w, s)), &slot.target) {
                (Some(t), Target::Manifest) => t.as_str().to_string(),
                _ => slot.base.clone(),
            };
            let rendered = show(render(
                &model.kustomizations,
                Some(&all),
                model.chain(slot.chain),
                &base,
                slot.passes,
            ));
            let current = match &slot.target {
                Target::Refused(e) => format!("<{e}>"),
                _ => placed.slots[s].info.image().to_string(),
            };
            let expected = moving
                .get(&(w, s))
                .map_or(current.clone(), |t| t.as_str().to_string());
            if rendered == expected {
                continue;
            }
            let why = |to: &str| {
                format!(
                    "the `images:` edit would also change {} {} to {to}; release them together",
                    placed.workload.id, placed.slots[s].info.container
                )
            };
            if moving.contains_key(&(w, s)) {
                // A moving slot that does not land where planned: withdraw its own workload.
                refused.push((
                    w,
                    format!(
                        "after the `images:` edit kustomize would render {} {} as {rendered}, not {expected}",
                        placed.workload.id, placed.slots[s].info.container
                    ),
                ));
            } else {
                let culprits = blame(model, slot, &base, &current, &why);
                if culprits.is_empty() {
                    refused.extend(
                        edits
                            .values()
                            .flat_map(|e| e.users.iter().map(|u| (*u, why(&rendered)))),
                    );
                }
                refused.extend(culprits);
            }
        }
    }
    refused
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
    // Slots relman cannot write exactly: a tag kustomize's `tagSuffix` would not produce, a
    // slot relman cannot render. Then slots whose deciding file is shared, and locks on
    // shared manifests.
    decided.retain(|d| {
        let placed = &model.placed[d.index];
        let refusal = d.moves.iter().find_map(|(s, target)| {
            let slot = &placed.slots[*s];
            let container = &placed.slots[*s].info.container;
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
        });
        match refusal {
            Some(message) => {
                fail(&mut results[d.index], Reason::UnsupportedYaml, message);
                false
            }
            None => true,
        }
    });
    decided.retain(|d| {
        let placed = &model.placed[d.index];
        let shared = d.moves.iter().find_map(|(s, _)| match &placed.slots[*s].target {
            Target::Shared { file } => Some((*s, file.clone())),
            _ => None,
        });
        let why = match (shared, &d.policy) {
            (Some((s, file)), _) => Some(format!(
                "{} is decided by {file}, which another environment also reads; relman will not change what that environment renders",
                placed.slots[s].info.container
            )),
            (None, Some(_)) if !placed.manifest_exclusive => Some(format!(
                "cannot lock {}: its manifest {} is shared with another environment (release with lock off, or lock the environment)",
                placed.workload.id, placed.path
            )),
            _ => None,
        };
        match why {
            Some(message) => {
                fail(&mut results[d.index], Reason::SharedFile, message);
                false
            }
            None => true,
        }
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
            Ok(changes) => return Ok(changes),
            Err(failed) => {
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

type Built = std::result::Result<Vec<FileChange>, Vec<(usize, Error)>>;

/// Build every file's patch. `Ok(Err(..))` lists workloads whose edits were refused
/// (`unsupported_yaml`): the caller withdraws them and builds again, so that a workload's
/// edits in several files land together or not at all.
fn build(model: &Model<'_>, default_namespace: &str, decided: &[Decided]) -> Result<Built> {
    let mut files: BTreeMap<String, FileEdits> = BTreeMap::new();
    for d in decided {
        let placed: &Placed = &model.placed[d.index];
        let mut images = Vec::new();
        for (s, target) in &d.moves {
            let container = placed.slots[*s].info.container.clone();
            match &placed.slots[*s].target {
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
    let list: Vec<(String, FileEdits)> = files.into_iter().collect();
    let outcomes = par_map(
        &list,
        64,
        |(path, edits)| -> Result<(String, Vec<(usize, Error)>)> {
            let stream = &model.streams[path.as_str()];
            let mut patch = Patch::new();
            let mut failed = Vec::new();
            for (index, fields, name, target) in &edits.markers {
                let mut part = Patch::new();
                match manifest::write_fields(stream, &mut part, fields, name, target) {
                    Ok(()) => patch.extend(part),
                    Err(e) => failed.push((*index, e.in_file(path.clone()))),
                }
            }
            if let Some(k) = model.kustomizations.get(path) {
                for (key, edit) in &edits.entries {
                    let mut part = Patch::new();
                    let entry = entry_for(k, key, edit);
                    let built = match key {
                        EntryKey::Existing(i) => {
                            kustomize::write_entry(stream, &mut part, &k.images[*i], &entry)
                        }
                        EntryKey::New(_) => kustomize::add_entry(stream, &mut part, k, &entry),
                    };
                    match built {
                        Ok(()) => patch.extend(part),
                        Err(e) => {
                            failed.extend(edit.users.iter().map(|u| (*u, e.clone().in_file(path.clone()))))
                        }
                    }
                }
                return Ok((patch.apply(stream).map_err(|e| e.in_file(path.clone()))?, failed));
            }
            let only: Vec<WorkloadEdit> = edits.workloads.iter().map(|(_, e)| e.clone()).collect();
            let (after, refused) = manifest::edit(stream, default_namespace, path, &only, patch)?;
            failed.extend(refused.into_iter().map(|(i, e)| (edits.workloads[i].0, e)));
            Ok((after, failed))
        },
    );
    let mut changes = Vec::new();
    let mut refused = Vec::new();
    for ((path, _), outcome) in list.iter().zip(outcomes) {
        let (after, failed) = outcome?;
        for (index, err) in failed {
            // Refusals of a construct fail their workload; anything else is bad input.
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
        Ok(Ok(changes))
    } else {
        let unique: BTreeSet<usize> = refused.iter().map(|(i, _)| *i).collect();
        Ok(Err(unique
            .into_iter()
            .map(|i| {
                (
                    i,
                    refused.iter().find(|(j, _)| *j == i).expect("present").1.clone(),
                )
            })
            .collect()))
    }
}
