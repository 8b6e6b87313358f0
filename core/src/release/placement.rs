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
fn collateral(model: &Model<'_>, decided: &[Decided]) -> Vec<(usize, String)> {
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
    let mut modified: HashMap<String, Kustomization> = HashMap::new();
    for ((file, key), (target, _)) in &edits {
        let k = modified
            .entry(file.clone())
            .or_insert_with(|| model.kustomizations[file].clone());
        let entry = entry_for(&model.kustomizations[file], key, target);
        match key {
            EntryKey::Existing(i) => k.images[*i] = entry,
            EntryKey::New(_) => k.images.push(entry),
        }
    }
    let kustomizations: HashMap<String, Kustomization> = model
        .kustomizations
        .iter()
        .map(|(f, k)| (f.clone(), modified.get(f).cloned().unwrap_or_else(|| k.clone())))
        .collect();
    for (w, placed) in model.placed.iter().enumerate() {
        for (s, slot) in placed.slots.iter().enumerate() {
            if !slot.chain.iter().any(|f| modified.contains_key(f)) {
                continue;
            }
            let base = match (moving.get(&(w, s)), &slot.target) {
                (Some(t), Target::Manifest) => t.as_str().to_string(),
                _ => slot.base.clone(),
            };
            let (rendered, _) = render_value(&kustomizations, &slot.chain, &base);
            let expected = moving
                .get(&(w, s))
                .map_or(placed.workload.slots[s].image.as_str(), |t| t.as_str());
            if rendered != expected {
                // Withdraw every entry edit this slot passes through.
                for ((file, _), (_, users)) in &edits {
                    if slot.chain.contains(file) {
                        for u in users {
                            refused.push((
                                *u,
                                format!(
                                    "the `images:` edit in {file} would also change {} {} to {rendered}; release them together",
                                    placed.workload.id, placed.workload.slots[s].container
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    refused
}

/// Withdraw workloads that cannot be written without touching another environment or another
/// workload, then write every file once. Returns the file changes.
pub(super) fn write(
    model: &Model<'_>,
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
        let refused = collateral(model, &decided);
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
        if let Some(k) = model.kustomizations.get(path) {
            let mut patch = Patch::new();
            let mut failed = Vec::new();
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
        let (after, failed) = manifest::edit(stream, default_namespace, path, &only)?;
        Ok((
            after,
            failed
                .into_iter()
                .map(|(i, e)| (edits.workloads[i].0, e))
                .collect(),
        ))
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
