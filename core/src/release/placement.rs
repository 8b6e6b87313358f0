//! Turning decided pointer moves into file edits: each slot's new pointer goes where
//! [`Target`] says, kustomize `images:` entry edits are simulated first so that no workload
//! changes unless the plan says so, and a workload's edits land together or not at all.

use std::collections::{BTreeMap, HashMap};

use super::environment::{Model, Placed, PlacedSlot, Rendered, SlotAt, Target, WorkloadAt, render};
use super::plan::{FileChange, Reason, Status, WorkloadResult};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::manifest::kustomize::{self, ImagesEntry, Kustomization};
use crate::manifest::{self, WorkloadEdit};
use crate::parallel::par_map;
use crate::policy::PolicyChange;
use crate::yaml::Patch;

/// What the planner decided for one workload: its result and, while it releases, the edit to
/// write. Placement reads the moves and, when it withdraws them, fails the result in place.
pub(super) struct Decision<'m> {
    at: WorkloadAt,
    placed: &'m Placed,
    /// The workload's result.
    pub result: WorkloadResult,
    /// The edit to write; `None` when the workload does not move or its moves were withdrawn.
    pub moves: Option<Moves>,
}

impl<'m> Decision<'m> {
    /// The decision for the workload `at` of `model`.
    pub fn new(model: &'m Model<'_>, at: WorkloadAt, result: WorkloadResult, moves: Option<Moves>) -> Self {
        Decision {
            at,
            placed: at.of(model),
            result,
            moves,
        }
    }

    /// Withdraw the moves: the result fails with `reason` and `message`.
    fn fail(&mut self, reason: Reason, message: String) {
        let result = &mut self.result;
        result.status = Status::Failed;
        result.reason = Some(reason);
        result.message = message;
        result.updates.clear();
        self.moves = None;
    }
}

/// A workload's edit: its slots' new pointers, and policy annotations to write with them.
pub(super) struct Moves {
    /// The moving slots.
    pub slots: Vec<Move>,
    /// Policy annotations to write with the release (a lock).
    pub policy: Option<PolicyChange>,
}

/// One slot's new pointer.
pub(super) struct Move {
    /// The slot.
    pub slot: SlotAt,
    /// Its new pointer.
    pub to: ImageRef,
}

/// A workload whose moves placement withdraws, and why.
struct Refusal {
    workload: WorkloadAt,
    reason: Reason,
    message: String,
}

impl Refusal {
    /// A refusal because the edits would change what they must not (`shared_file`).
    fn shared(workload: WorkloadAt, message: String) -> Refusal {
        Refusal {
            workload,
            reason: Reason::SharedFile,
            message,
        }
    }
}

/// The decisions that still move, with their moves.
fn moving<'a, 'm>(decisions: &'a [Decision<'m>]) -> impl Iterator<Item = (&'a Decision<'m>, &'a Moves)> {
    decisions.iter().filter_map(|d| d.moves.as_ref().map(|m| (d, m)))
}

/// Withdraw the refused workloads' moves; a workload refused several times fails with its first
/// refusal. `decisions` are in model order.
fn withdraw(decisions: &mut [Decision<'_>], refusals: Vec<Refusal>) {
    for r in refusals {
        let i = decisions
            .binary_search_by_key(&r.workload, |d| d.at)
            .expect("a refused workload has a decision");
        let d = &mut decisions[i];
        if d.result.status == Status::Failed {
            d.moves = None;
        } else {
            d.fail(r.reason, r.message);
        }
    }
}

/// An `images:` edit: the kustomization file and the entry.
type EditKey = (String, EntryKey);

/// An edit of one kustomization's `images:`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum EntryKey {
    Existing(usize),
    New(String),
}

/// What an `images:` edit writes: the target, the workloads that need it, and the names their
/// values reach an existing entry with.
#[derive(Debug, Clone)]
struct EntryEdit {
    target: ImageRef,
    users: Vec<WorkloadAt>,
    incoming: Vec<String>,
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
struct Planned {
    /// One edit per kustomization entry.
    edits: BTreeMap<EditKey, EntryEdit>,
    /// Workloads whose entry another workload moves to another image, with why.
    refused: Vec<Refusal>,
}

/// Gather the `images:` edits of the moving `decisions`: one per entry, shared by the workloads
/// that move it to the same image; a workload moving an entry to another image than an earlier
/// one is refused.
fn planned(model: &Model<'_>, decisions: &[Decision<'_>]) -> Planned {
    let mut out = Planned {
        edits: BTreeMap::new(),
        refused: Vec::new(),
    };
    for (d, moves) in moving(decisions) {
        for Move { slot, to } in &moves.slots {
            let Some((key, incoming)) = edit_key(&slot.of(model).target) else {
                continue;
            };
            match out.edits.get_mut(&key) {
                Some(e) if e.target == *to => {
                    e.users.push(d.at);
                    e.incoming.extend(incoming.map(str::to_string));
                }
                Some(e) => out.refused.push(Refusal::shared(
                    d.at,
                    format!(
                        "the `images:` entry for `{}` in {} applies to every use of the image; another workload moves it to {}",
                        kustomize::split(to.as_str()).0,
                        key.0,
                        e.target
                    ),
                )),
                None => {
                    out.edits.insert(
                        key,
                        EntryEdit {
                            target: to.clone(),
                            users: vec![d.at],
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
    ) -> Vec<Refusal> {
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
                let users = &self.edits[*key].users;
                culprits.extend(users.iter().map(|u| Refusal::shared(*u, why(&alone))));
            }
        }
        if culprits.is_empty() {
            return self
                .edits
                .values()
                .flat_map(|e| e.users.iter().map(|u| Refusal::shared(*u, why(rendered))))
                .collect();
        }
        culprits
    }

    /// The workloads to withdraw because the edits would change what the other environment
    /// `name` renders.
    fn check_other(&self, name: &str, other: &Model<'_>) -> Vec<Refusal> {
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
    fn check_own(&self, model: &Model<'_>, moving: &HashMap<SlotAt, &ImageRef>) -> Vec<Refusal> {
        let mut refused = Vec::new();
        for (w, placed) in model.workloads() {
            for (at, slot) in model.slots(w) {
                if !self.reaches(model, slot) {
                    continue;
                }
                let moving_to = moving.get(&at);
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
                    refused.push(Refusal::shared(
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
/// returns the workloads whose edits must be withdrawn, with why.
fn collateral(model: &Model<'_>, others: &[(String, Model<'_>)], decisions: &[Decision<'_>]) -> Vec<Refusal> {
    let Planned { edits, mut refused } = planned(model, decisions);
    if edits.is_empty() {
        return refused;
    }
    // The moving slots and their new pointers: only needed (and built) when there are
    // `images:` edits to simulate.
    let moving: HashMap<SlotAt, &ImageRef> = moving(decisions)
        .flat_map(|(_, moves)| moves.slots.iter().map(|Move { slot, to }| (*slot, to)))
        .collect();
    let simulation = Simulation::new(model, &edits);
    // No other environment may render differently.
    for (name, other) in others {
        refused.extend(simulation.check_other(name, other));
    }
    // In this environment, exactly the moving slots change.
    refused.extend(simulation.check_own(model, &moving));
    refused
}

/// Why `moves` cannot be written exactly: a tag kustomize's `tagSuffix` would not produce, a
/// slot relman cannot render.
fn unwritable(model: &Model<'_>, _: &Placed, moves: &Moves) -> Option<String> {
    moves.slots.iter().find_map(|Move { slot, to }| {
        let slot = slot.of(model);
        let container = &slot.info.container;
        if let Target::Refused(e) = &slot.target {
            return Some(format!("{container}: {}", super::environment::located(e)));
        }
        let suffix = slot.suffix.as_ref()?;
        let tag = kustomize::split(to.as_str()).1;
        (!tag.ends_with(&suffix.suffix)).then(|| {
            format!(
                "{container}: the `images:` entry at {}:{}:{} appends `{}` to the tag (tagSuffix), and {to} does not end with it; release a tag that does (a filter such as glob:*{}), or remove the tagSuffix",
                suffix.file, suffix.line, suffix.column, suffix.suffix, suffix.suffix
            )
        })
    })
}

/// Why `moves` of the workload `placed` would change what another environment renders: a slot
/// whose deciding file is shared, or a lock on a shared manifest.
fn shared(model: &Model<'_>, placed: &Placed, moves: &Moves) -> Option<String> {
    let shared = moves.slots.iter().find_map(|m| {
        let slot = m.slot.of(model);
        match &slot.target {
            Target::Shared { file } => Some((slot, file)),
            _ => None,
        }
    });
    match (shared, &moves.policy) {
        (Some((slot, file)), _) => Some(format!(
            "{} is decided by {file}, which another environment also reads; relman will not change what that environment renders",
            slot.info.container
        )),
        (None, Some(_)) if !placed.manifest_exclusive => Some(format!(
            "cannot lock {}: its manifest {} is shared with another environment (release with lock off, or lock the environment)",
            placed.workload.id, placed.path
        )),
        _ => None,
    }
}

/// A check of a workload's moves before they are simulated: the message of moves it refuses.
type Check = fn(&Model<'_>, &Placed, &Moves) -> Option<String>;

/// Withdraw the moves `check` refuses: their results fail with `reason`.
fn withdraw_unless(model: &Model<'_>, decisions: &mut [Decision<'_>], reason: Reason, check: Check) {
    for d in decisions.iter_mut() {
        let Some(moves) = &d.moves else { continue };
        if let Some(message) = check(model, d.placed, moves) {
            d.fail(reason, message);
        }
    }
}

/// Withdraw workloads that cannot be written without touching another environment or another
/// workload, then write every file once. `others` are the other environments whose files the
/// planned `images:` edits touch (name and model); `decisions` are every workload's of `model`,
/// in model order, and those withdrawn fail in place. Returns the file changes.
pub(super) fn write(
    model: &Model<'_>,
    others: &[(String, Model<'_>)],
    decisions: &mut [Decision<'_>],
) -> Result<Vec<FileChange>> {
    debug_assert!(
        decisions.windows(2).all(|w| w[0].at < w[1].at),
        "one decision per workload, in model order"
    );
    withdraw_unless(model, decisions, Reason::UnsupportedYaml, unwritable);
    withdraw_unless(model, decisions, Reason::SharedFile, shared);
    // Simulate, then build; a workload withdrawn by the build changes the remaining edits (an
    // entry's `newName` depends on every value that moves through it), so simulate again.
    loop {
        loop {
            let refused = collateral(model, others, decisions);
            if refused.is_empty() {
                break;
            }
            withdraw(decisions, refused);
        }
        match build(model, decisions)? {
            Built::Changes(changes) => return Ok(changes),
            Built::Refused(refused) => withdraw(decisions, refused),
        }
    }
}

/// Edits of one file, borrowed from the model and the decisions.
#[derive(Default)]
struct FileEdits<'m> {
    workloads: Vec<ManifestEdit<'m>>,
    entries: BTreeMap<EntryKey, EntryEdit>,
    markers: Vec<MarkerEdit<'m>>,
}

/// A workload's edit of its manifest.
struct ManifestEdit<'m> {
    workload: WorkloadAt,
    edit: WorkloadEdit<'m>,
}

/// A new pointer for values marked by a setter comment.
struct MarkerEdit<'m> {
    workload: WorkloadAt,
    fields: &'m crate::manifest::Fields,
    container: &'m str,
    to: &'m ImageRef,
}

/// What building every file's patch came to.
enum Built {
    /// Every edit was written: the files that change.
    Changes(Vec<FileChange>),
    /// Workloads whose edits were refused (`unsupported_yaml`), in file order: the caller
    /// withdraws them (each with its first refusal) and builds again, so that a workload's
    /// edits in several files land together or not at all.
    Refused(Vec<Refusal>),
}

/// An edit a file refused: the workload it belongs to, and the error.
struct Rejected {
    workload: WorkloadAt,
    error: Error,
}

/// One file's text after its edits, and the workloads whose edits it refused.
struct Patched {
    after: String,
    refused: Vec<Rejected>,
}

impl FileEdits<'_> {
    /// Add the `images:` edit of `key` for `workload`, moving the entry to `to`.
    fn entry(&mut self, key: EntryKey, incoming: Option<&str>, workload: WorkloadAt, to: &ImageRef) {
        let edit = self.entries.entry(key).or_insert_with(|| EntryEdit {
            target: to.clone(),
            users: Vec::new(),
            incoming: Vec::new(),
        });
        edit.users.push(workload);
        edit.incoming.extend(incoming.map(str::to_string));
    }
}

/// The edits of the moving `decisions`, by file, borrowed from `model` and `decisions`.
fn gather<'a>(model: &'a Model<'_>, decisions: &'a [Decision<'_>]) -> BTreeMap<&'a str, FileEdits<'a>> {
    let mut files: BTreeMap<&'a str, FileEdits<'a>> = BTreeMap::new();
    for (d, moves) in moving(decisions) {
        let mut images = Vec::new();
        for Move { slot, to } in &moves.slots {
            let slot = slot.of(model);
            let container = slot.info.container.as_str();
            match &slot.target {
                Target::Manifest => images.push((container, to)),
                Target::Entry {
                    file,
                    index,
                    incoming,
                } => {
                    files.entry(file.as_str()).or_default().entry(
                        EntryKey::Existing(*index),
                        Some(incoming.as_str()),
                        d.at,
                        to,
                    );
                }
                Target::NewEntry { file, name } => {
                    files.entry(file.as_str()).or_default().entry(
                        EntryKey::New(name.clone()),
                        None,
                        d.at,
                        to,
                    );
                }
                Target::Marker { file, fields } => {
                    files.entry(file.as_str()).or_default().markers.push(MarkerEdit {
                        workload: d.at,
                        fields,
                        container,
                        to,
                    });
                }
                Target::Shared { .. } | Target::Refused(_) => {
                    unreachable!("shared and refused targets are withdrawn before building")
                }
            }
        }
        if !images.is_empty() || moves.policy.is_some() {
            files
                .entry(d.placed.path.as_str())
                .or_default()
                .workloads
                .push(ManifestEdit {
                    workload: d.at,
                    edit: WorkloadEdit {
                        workload: &d.placed.file_id,
                        site: d.placed.site.as_ref(),
                        images,
                        policy: moves.policy.as_ref(),
                    },
                });
        }
    }
    files
}

/// Write the edits of one file: marked values, then `images:` entries of a kustomization, or
/// the workloads of a manifest.
fn patch_file(model: &Model<'_>, path: &str, edits: &FileEdits<'_>) -> Result<Patched> {
    let stream = &model.streams[path];
    let mut patch = Patch::new();
    let mut refused = Vec::new();
    for m in &edits.markers {
        let mut part = Patch::new();
        match manifest::write_fields(stream, &mut part, m.fields, m.container, m.to) {
            Ok(()) => patch.extend(part),
            Err(e) => refused.push(Rejected {
                workload: m.workload,
                error: e.in_file(path),
            }),
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
                Err(e) => refused.extend(edit.users.iter().map(|u| Rejected {
                    workload: *u,
                    error: e.clone().in_file(path),
                })),
            }
        }
        let after = patch.apply(stream).map_err(|e| e.in_file(path))?;
        return Ok(Patched { after, refused });
    }
    let only: Vec<&WorkloadEdit<'_>> = edits.workloads.iter().map(|w| &w.edit).collect();
    let (after, failed) = manifest::edit(stream, path, &only, patch)?;
    refused.extend(failed.into_iter().map(|(i, error)| Rejected {
        workload: edits.workloads[i].workload,
        error,
    }));
    Ok(Patched { after, refused })
}

/// Build every file's patch, in parallel. Refusals of a construct (`unsupported_yaml`) refuse
/// their workload; any other error is bad input.
fn build(model: &Model<'_>, decisions: &[Decision<'_>]) -> Result<Built> {
    let list: Vec<(&str, FileEdits<'_>)> = gather(model, decisions).into_iter().collect();
    let outcomes = par_map(&list, 64, |(path, edits)| patch_file(model, path, edits));
    let mut changes = Vec::new();
    let mut refused = Vec::new();
    for ((path, _), outcome) in list.iter().zip(outcomes) {
        let Patched {
            after,
            refused: rejected,
        } = outcome?;
        for Rejected { workload, error } in rejected {
            if error.kind() != ErrorKind::UnsupportedYaml {
                return Err(error);
            }
            refused.push(Refusal {
                workload,
                reason: Reason::UnsupportedYaml,
                message: error.to_string(),
            });
        }
        let before = model.streams[*path].text();
        if after != before {
            changes.push(FileChange {
                path: path.to_string(),
                before: before.to_string(),
                after,
            });
        }
    }
    Ok(if refused.is_empty() {
        Built::Changes(changes)
    } else {
        Built::Refused(refused)
    })
}
