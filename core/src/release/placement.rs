//! Turning decided pointer moves into file edits: each slot's new pointer goes where
//! [`Target`] says, kustomize `images:` entry edits are simulated first so that no workload
//! changes unless the plan says so, and a workload's edits land together or not at all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::environment::{Model, Placed, Target, par_map, render_value};
use super::plan::{FileChange, Reason, Status, WorkloadResult};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::manifest::kustomize::{self, ImagesEntry, Kustomization};
use crate::manifest::{self, WorkloadEdit};
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

fn fail(result: &mut WorkloadResult, reason: Reason, message: String) {
    result.status = Status::Failed;
    result.reason = Some(reason);
    result.message = message;
    result.updates.clear();
}

/// The `images:` entry an edit of `key` leaves in `k`, producing `target`.
fn entry_for(k: &Kustomization, key: &EntryKey, target: &ImageRef) -> ImagesEntry {
    let (name, tag, digest) = kustomize::split_image(target.as_str());
    let matched = match key {
        EntryKey::Existing(i) => k.images[*i].name.clone(),
        EntryKey::New(n) => n.clone(),
    };
    ImagesEntry {
        new_name: (name != matched).then(|| name.to_string()),
        name: matched,
        new_tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
        path: crate::yaml::Path::root(0),
        line: 0,
    }
}

/// Check by simulation that the planned `images:` edits change exactly the moving slots;
/// returns the workloads (model indices) whose edits must be withdrawn, with why.
fn collateral(
    model: &Model<'_>,
    others: &[(String, Model<'_>)],
    decided: &[Decided],
) -> Vec<(usize, String)> {
    let mut edits: BTreeMap<(String, EntryKey), (ImageRef, Vec<usize>)> = BTreeMap::new();
    let mut refused = Vec::new();
    let mut moving: HashMap<(usize, usize), &ImageRef> = HashMap::new();
    for d in decided {
        for (slot, target) in &d.moves {
            moving.insert((d.index, *slot), target);
            let key = match &model.placed[d.index].slots[*slot].target {
                Target::Entry { file, index } => (file.clone(), EntryKey::Existing(*index)),
                Target::NewEntry { file, name } => (file.clone(), EntryKey::New(name.clone())),
                _ => continue,
            };
            match edits.get_mut(&key) {
                Some((t, users)) if t == target => users.push(d.index),
                Some((t, _)) => refused.push((
                    d.index,
                    format!(
                        "the `images:` entry for `{}` in {} applies to every use of the image; another workload moves it to {t}",
                        kustomize::split_image(target.as_str()).0,
                        key.0
                    ),
                )),
                None => {
                    edits.insert(key, (target.clone(), vec![d.index]));
                }
            }
        }
    }
    if edits.is_empty() {
        return refused;
    }
    // The kustomizations as they would be with the given edits.
    let apply = |keys: &[&(String, EntryKey)]| -> HashMap<String, Kustomization> {
        let mut modified: HashMap<String, Kustomization> = HashMap::new();
        for key in keys {
            let (file, entry_key) = key;
            let (target, _) = &edits[*key];
            let k = modified
                .entry(file.clone())
                .or_insert_with(|| model.kustomizations[file].clone());
            let entry = entry_for(&model.kustomizations[file], entry_key, target);
            match entry_key {
                EntryKey::Existing(i) => k.images[*i] = entry,
                EntryKey::New(_) => k.images.push(entry),
            }
        }
        modified
    };
    let merged = |base: &HashMap<String, Kustomization>, modified: &HashMap<String, Kustomization>| {
        base.iter()
            .map(|(f, k)| (f.clone(), modified.get(f).cloned().unwrap_or_else(|| k.clone())))
            .collect::<HashMap<String, Kustomization>>()
    };
    let keys: Vec<&(String, EntryKey)> = edits.keys().collect();
    let all = apply(&keys);
    // Each edit alone, to name the culprit of an unwanted change.
    let single: Vec<(&EditKey, HashMap<String, Kustomization>)> =
        keys.iter().map(|k| (*k, apply(&[*k]))).collect();
    let blame = |slot: &super::environment::PlacedSlot,
                 base: &str,
                 current: &str,
                 kustomizations: &HashMap<String, Kustomization>,
                 why: &dyn Fn(&str) -> String| {
        let mut culprits = Vec::new();
        for (key, modified) in &single {
            if !slot.chain.contains(&key.0) {
                continue;
            }
            let (alone, _) = render_value(&merged(kustomizations, modified), &slot.chain, base);
            if alone != current {
                for u in &edits[*key].1 {
                    culprits.push((*u, why(&alone)));
                }
            }
        }
        culprits
    };
    // No other environment may render differently.
    for (name, other) in others {
        let theirs = merged(&other.kustomizations, &all);
        for placed in &other.placed {
            for (s, slot) in placed.slots.iter().enumerate() {
                if !slot.chain.iter().any(|f| all.contains_key(f)) {
                    continue;
                }
                let current = placed.workload.slots[s].image.as_str();
                let (rendered, _) = render_value(&theirs, &slot.chain, &slot.base);
                if rendered != current {
                    let why = |to: &str| {
                        format!(
                            "the `images:` edit would also change what {name} renders for {} {} ({current} -> {to}); relman never changes another environment",
                            placed.workload.id, placed.workload.slots[s].container
                        )
                    };
                    refused.extend(blame(slot, &slot.base, current, &other.kustomizations, &why));
                }
            }
        }
    }
    // In this environment, exactly the moving slots change.
    let ours = merged(&model.kustomizations, &all);
    for (w, placed) in model.placed.iter().enumerate() {
        for (s, slot) in placed.slots.iter().enumerate() {
            if !slot.chain.iter().any(|f| all.contains_key(f)) {
                continue;
            }
            let base = match (moving.get(&(w, s)), &slot.target) {
                (Some(t), Target::Manifest) => t.as_str().to_string(),
                _ => slot.base.clone(),
            };
            let (rendered, _) = render_value(&ours, &slot.chain, &base);
            let current = placed.workload.slots[s].image.as_str();
            let expected = moving.get(&(w, s)).map_or(current, |t| t.as_str());
            if rendered == expected {
                continue;
            }
            let why = |to: &str| {
                format!(
                    "the `images:` edit would also change {} {} to {to}; release them together",
                    placed.workload.id, placed.workload.slots[s].container
                )
            };
            if moving.contains_key(&(w, s)) {
                // A moving slot that does not land where planned: withdraw its own workload.
                refused.push((w, why(&rendered)));
            } else {
                refused.extend(blame(slot, &base, current, &model.kustomizations, &why));
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
    // Slots whose deciding file is shared, and locks on shared manifests.
    decided.retain(|d| {
        let placed = &model.placed[d.index];
        let shared = d.moves.iter().find_map(|(s, _)| match &placed.slots[*s].target {
            Target::Shared { file } => Some(file.clone()),
            _ => None,
        });
        let why = match (shared, &d.policy) {
            (Some(file), _) => Some(format!(
                "{} is decided by {file}, which another environment also reads; relman will not change what that environment renders",
                placed.workload.slots[d.moves[0].0].container
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
    loop {
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
    entries: BTreeMap<EntryKey, (ImageRef, Vec<usize>)>,
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
            let container = placed.workload.slots[*s].container.clone();
            match &placed.slots[*s].target {
                Target::Manifest => images.push((container, target.clone())),
                Target::Entry { file, index } => {
                    let e = files.entry(file.clone()).or_default();
                    e.entries
                        .entry(EntryKey::Existing(*index))
                        .or_insert_with(|| (target.clone(), Vec::new()))
                        .1
                        .push(d.index);
                }
                Target::NewEntry { file, name } => {
                    let e = files.entry(file.clone()).or_default();
                    e.entries
                        .entry(EntryKey::New(name.clone()))
                        .or_insert_with(|| (target.clone(), Vec::new()))
                        .1
                        .push(d.index);
                }
                Target::Marker { file, fields } => {
                    files.entry(file.clone()).or_default().markers.push((
                        d.index,
                        fields.clone(),
                        container,
                        target.clone(),
                    ));
                }
                Target::Shared { .. } => unreachable!("shared targets are withdrawn before building"),
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
    let outcomes = par_map(&list, |(path, edits)| -> Result<(String, Vec<(usize, Error)>)> {
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
            for (key, (target, users)) in &edits.entries {
                let mut part = Patch::new();
                let built = match key {
                    EntryKey::Existing(i) => kustomize::write_entry(stream, &mut part, &k.images[*i], target),
                    EntryKey::New(name) => kustomize::add_entry(stream, &mut part, k, name, target),
                };
                match built {
                    Ok(()) => patch.extend(part),
                    Err(e) => failed.extend(users.iter().map(|u| (*u, e.clone().in_file(path.clone())))),
                }
            }
            return Ok((patch.apply(stream).map_err(|e| e.in_file(path.clone()))?, failed));
        }
        let only: Vec<WorkloadEdit> = edits.workloads.iter().map(|(_, e)| e.clone()).collect();
        let (after, refused) = manifest::edit(stream, default_namespace, path, &only, patch)?;
        failed.extend(refused.into_iter().map(|(i, e)| (edits.workloads[i].0, e)));
        Ok((after, failed))
    });
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
