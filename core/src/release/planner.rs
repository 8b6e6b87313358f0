//! The planner: a pure function of (snapshot, spec, catalog, history, now) that decides, per
//! workload and container, whether the pointer moves and why, then edits the files.

use std::collections::HashMap;
use std::rc::Rc;

use jiff::Timestamp;

use super::catalog::{Catalog, ImageInfo};
use super::drift::{self, DriftEntry, DriftStatus};
use super::environment::{self, Model, Others, Placed, PlacedSlot, Readers, WorkloadAt};
use super::history::{History, HistorySource};
use super::message::commit_message;
use super::placement::{self, Decision, Move, Moves};
use super::plan::{
    ContainerSkip, ContainerUpdate, FileChange, Reason, ReleaseKind, ReleasePlan, Status, WorkloadResult,
};
use super::snapshot::{CONFIG_FILE, Snapshot};
use super::spec::{ImageSpec, ReleaseSpec, Services};
use crate::config::{Config, Environment, ReleaseMode};
use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::manifest::{ArgoApplications, FluxObjects, GENERATED_NAME, INVALID_NAME, SlotKind};
use crate::policy::{
    CLOCK_SKEW, Ignore, PolicyChange, RejectReason, SlotRule, TagFilter, TagOrder, VersionMode, choose_index,
    compare, select,
};

/// How a release names workloads: service names or workload ids.
pub(super) fn names(entry: &str, placed: &Placed) -> bool {
    if !entry.contains('/') {
        return entry == placed.service;
    }
    let w = &placed.workload;
    let (namespace, rest) = match entry.split_once(':') {
        Some((ns, rest)) => (Some(ns), rest),
        None => (None, entry),
    };
    let Some((kind, name)) = rest.split_once('/') else {
        return false;
    };
    name == w.name
        && kind.eq_ignore_ascii_case(&w.kind)
        && namespace.is_none_or(|ns| w.id.split_once(':').is_some_and(|(wns, _)| wns == ns))
}

/// What a planning run is doing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    Release,
    Automation,
}

/// What the plans of one planning run share (every environment of an automation run): which
/// environments read which file, tag filters compiled once by text, and the choice of image
/// per repository and filter (DESIGN.md sections 8 and 15).
struct Context {
    readers: Readers,
    filters: HashMap<String, Rc<TagFilter>>,
    /// The default filter's entry of `filters`, once it is there.
    default_filter: Option<Rc<TagFilter>>,
    /// By normalised repository name: (filter text, choice) for each filter run on it.
    selections: HashMap<String, Vec<(Box<str>, Choice)>>,
    /// The Flux image automation objects of the snapshot (`ImagePolicy`, `ImageRepository`).
    flux: FluxObjects,
    /// The Argo CD Applications of the snapshot with an Image Updater image list.
    argo: ArgoApplications,
}

/// What a Flux setter marker on a slot binds it to (DESIGN.md section 16).
enum Binding {
    /// No marker on the slot.
    Unmarked,
    /// An `ImagePolicy` of the snapshot: its filter text (or why it has none), where it is.
    Held {
        filter: std::result::Result<String, Error>,
        path: String,
        line: usize,
    },
    /// No `ImagePolicy` of that name, but a service of relman.yaml maps the policy
    /// (`imagePolicy:`, default the service's name): the service's filter, when it has one.
    Mapped(Option<TagFilter>),
    /// Neither: a located warning, and the slot is not automated.
    Unknown(String),
    /// No marker, and an Argo CD Application whose source path holds the slot's file lists
    /// the slot's repository in its Image Updater image list: that image's filter text (or why
    /// it has none), where the Application is.
    Argo {
        filter: std::result::Result<String, Error>,
        path: String,
        line: usize,
    },
}

impl Binding {
    /// Whether the binding asks for automation (a marker's policy relman knows, or an Argo
    /// CD Image Updater image).
    fn automates(&self) -> bool {
        matches!(
            self,
            Binding::Held { .. } | Binding::Mapped(_) | Binding::Argo { .. }
        )
    }
}

/// What a filter allows of a repository's tags, once per run.
#[derive(Clone)]
enum Choice {
    /// The image to release: its index among the catalog's images of the repository.
    Image(usize),
    /// No tag passes the filter.
    NoMatch,
    /// The matching tags have no creation time (a time-ordered filter).
    MissingTime,
    /// The matching tags with a creation time are dated in the future.
    FutureTime,
    /// A numerical order stopped by a value that is not a number: the first rejection's
    /// message.
    NotANumber(String),
}

impl Context {
    /// The context of a run; with `planned`, of a run that plans that environment (by index)
    /// and models it right after: its walk is left to that model (one walk per plan), and
    /// only an error here makes it walk now, so that its walk error still comes first.
    fn new(snapshot: &Snapshot, config: &Config, planned: Option<usize>) -> Result<Context> {
        let readers = Readers::new(snapshot, config, planned)?;
        let read = || -> Result<(FluxObjects, ArgoApplications)> {
            Ok((
                crate::manifest::read_flux_objects(snapshot.files(), config.default_namespace())?,
                crate::manifest::read_argo_applications(snapshot.files())?,
            ))
        };
        let (flux, argo) = match read() {
            Ok(read) => read,
            Err(e) => {
                if let Some(p) = planned {
                    environment::files_of(snapshot, &config.environments()[p])?;
                }
                return Err(e);
            }
        };
        Ok(Context {
            readers,
            filters: HashMap::new(),
            default_filter: None,
            selections: HashMap::new(),
            flux,
            argo,
        })
    }

    /// The filter written `text`, compiled on first use.
    fn filter(&mut self, text: &str) -> Result<Rc<TagFilter>> {
        if let Some(f) = self.filters.get(text) {
            return Ok(f.clone());
        }
        let f = Rc::new(TagFilter::parse(text)?);
        self.filters.insert(text.to_string(), f.clone());
        Ok(f)
    }

    /// `filter` (already compiled, such as a service's) as the run's shared copy, so that
    /// every workload using it shares one compiled matcher.
    fn shared(&mut self, filter: &TagFilter) -> Rc<TagFilter> {
        if let Some(f) = self.filters.get(filter.as_str()) {
            return f.clone();
        }
        let f = Rc::new(filter.clone());
        self.filters.insert(filter.as_str().to_string(), f.clone());
        f
    }

    /// The default filter (`glob:*`) as the run's shared copy, built once per run.
    fn default_filter(&mut self) -> Rc<TagFilter> {
        match &self.default_filter {
            Some(f) => f.clone(),
            None => {
                let f = self.shared(&TagFilter::default());
                self.default_filter = Some(f.clone());
                f
            }
        }
    }
}

/// The tag filter of each slot, by the one precedence of DESIGN.md section 16, shared by
/// the planner and [`SlotFilters`].
impl Context {
    /// What the setter marker on `slot` (if any) binds it to.
    fn binding(&self, config: &Config, slot: &PlacedSlot) -> Binding {
        let Some(id) = &slot.image_policy else {
            return self.argo_binding(slot).unwrap_or(Binding::Unmarked);
        };
        if let Some(policy) = self.flux.policies.get(id) {
            return Binding::Held {
                filter: policy.filter.clone(),
                path: policy.path.clone(),
                line: policy.line,
            };
        }
        let name = id.split_once(':').map_or(id.as_str(), |(_, n)| n);
        match config
            .services()
            .iter()
            .find(|s| s.image_policy == *id || s.image_policy == name)
        {
            Some(service) => Binding::Mapped(service.filter.clone()),
            None => Binding::Unknown(id.clone()),
        }
    }

    /// The Argo CD Image Updater image that applies to `slot`: the first Application (in file
    /// order) whose source path holds the slot's file and whose image list names the slot's
    /// repository.
    fn argo_binding(&self, slot: &PlacedSlot) -> Option<Binding> {
        let apps = &self.argo.applications;
        if apps.is_empty() {
            return None;
        }
        let file = slot.info.path.as_deref()?;
        let current = slot.info.image_ref()?;
        apps.iter().filter(|a| a.covers(file)).find_map(|app| {
            let image = app
                .images
                .iter()
                .find(|i| ImageRef::parse(&i.repository).is_ok_and(|r| r.same_repository(current)))?;
            Some(Binding::Argo {
                filter: image.filter.clone(),
                path: app.file.clone(),
                line: app.line,
            })
        })
    }

    /// The tag filter of a slot whose current reference is `current`, by the one precedence
    /// of DESIGN.md section 16: the `ImagePolicy` its setter marker names (or the filter of
    /// the relman.yaml service that maps that policy name), else the container's
    /// `tag.<container>` annotation (Flux v1), else the workload's Keel policy (built from
    /// the current tag), else the Argo CD Image Updater image list of an Application whose path
    /// holds it, else its service's `filter:` (relman.yaml), else `glob:*`.
    /// `Ok(Err(why))`: a Keel policy that would never move the slot, in `automation`.
    fn filter_of(
        &mut self,
        automation: bool,
        placed: &Placed,
        container: &str,
        binding: Binding,
        current: &ImageRef,
    ) -> Result<std::result::Result<Rc<TagFilter>, String>> {
        match binding {
            Binding::Held { filter, path, line } => {
                let text = filter?;
                return self
                    .filter(&text)
                    .map(Ok)
                    .map_err(|e| e.in_file(path).at(line, 1));
            }
            Binding::Mapped(Some(filter)) => return Ok(Ok(self.shared(&filter))),
            _ => {}
        }
        let w = &placed.workload;
        if !w.policy.tag_filters.contains_key(container) {
            if let Some(keel) = w.keel.as_ref().filter(|k| k.automates()) {
                match keel.slot_rule(current.tag()) {
                    SlotRule::Filter(text) => {
                        return self.filter(&text).map(Ok).map_err(|e| {
                            Error::new(
                                ErrorKind::InvalidFilter,
                                format!("{}: {} {:?}: {}", w.id, keel.key, keel.text, e.message()),
                            )
                            .in_file(placed.path.clone())
                            .at(w.line, 1)
                        });
                    }
                    SlotRule::Never(why) if automation => return Ok(Err(why)),
                    SlotRule::Never(_) => {}
                }
            }
            if let Binding::Argo { filter, path, line } = binding {
                let text = filter?;
                return self
                    .filter(&text)
                    .map(Ok)
                    .map_err(|e| e.in_file(path).at(line, 1));
            }
        }
        Ok(Ok(match w.policy.tag_filters.get(container) {
            Some(text) => self.filter(text).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidFilter,
                    format!("{}: tag filter of container {container}: {}", w.id, e.message()),
                )
                .in_file(placed.path.clone())
                .at(w.line, 1)
            })?,
            None => match &placed.service_filter {
                Some(f) => self.shared(f),
                None => self.default_filter(),
            },
        }))
    }
}

struct Planner<'a> {
    config: &'a Config,
    env: &'a Environment,
    catalog: &'a Catalog,
    history: &'a History,
    now: Timestamp,
    run: Run,
    spec: &'a ReleaseSpec,
    kind: ReleaseKind,
    mode: VersionMode,
    /// The `promoteFrom` environment's current pointers (normalised name, tag) and its
    /// workloads, loaded when the gate or a promotion needs them.
    source: Option<Source>,
    /// For an adoption (image `observed`): the drift of each (workload, container).
    observed: HashMap<(String, String), Vec<DriftEntry>>,
    context: &'a mut Context,
}

struct Source {
    name: String,
    default_namespace: String,
    workloads: Vec<Placed>,
}

/// The namespace of a workload id (`namespace:kind/name`).
fn namespace_of(id: &str) -> &str {
    id.split_once(':').map_or("", |(ns, _)| ns)
}

impl Source {
    /// The workload a promotion copies from, by the rule of DESIGN.md section 10. When the
    /// target is listed in a service of `relman.yaml` (`services: <name>: workloads:`), the
    /// candidates are the source workloads listed in the same service; otherwise, the source
    /// workloads of the same kind and name. Among several candidates, those whose namespace
    /// maps onto the target's (the same namespace, or each environment's default namespace).
    /// No candidate is `not_found`; more than one is `ambiguous_source`, naming every
    /// candidate: never the first one found, and never a workload of another kind or name that
    /// merely shares a service's name.
    fn find(
        &self,
        config: &Config,
        placed: &Placed,
        default_namespace: &str,
    ) -> std::result::Result<&Placed, SlotOutcome> {
        let target = &placed.workload;
        let listed_in = |kind: &str, name: &str| {
            config
                .services()
                .iter()
                .find(|s| s.lists(kind, name))
                .map(|s| s.name.as_str())
        };
        let (mut candidates, rule): (Vec<&Placed>, String) = match listed_in(&target.kind, &target.name) {
            Some(service) => (
                self.workloads
                    .iter()
                    .filter(|s| listed_in(&s.workload.kind, &s.workload.name) == Some(service))
                    .collect(),
                format!("of service {service}"),
            ),
            None => (
                self.workloads
                    .iter()
                    .filter(|s| {
                        s.workload.kind.eq_ignore_ascii_case(&target.kind) && s.workload.name == target.name
                    })
                    .collect(),
                format!("{}/{}", target.kind.to_ascii_lowercase(), target.name),
            ),
        };
        if candidates.len() > 1 {
            let namespace = namespace_of(&target.id);
            let mapped: Vec<&Placed> = candidates
                .iter()
                .copied()
                .filter(|s| {
                    let source_namespace = namespace_of(&s.workload.id);
                    source_namespace == namespace
                        || (source_namespace == self.default_namespace && namespace == default_namespace)
                })
                .collect();
            if mapped.len() == 1 {
                candidates = mapped;
            }
        }
        match candidates.as_slice() {
            [one] => Ok(one),
            [] => Err(skip(
                Reason::NotFound,
                format!(
                    "{} has no workload {rule} to promote {} from",
                    self.name, target.id
                ),
            )),
            several => Err(skip(
                Reason::AmbiguousSource,
                format!(
                    "{} has {} workloads that {} could be promoted from: {}; rename or remove all but one, or map them with services: in relman.yaml",
                    self.name,
                    several.len(),
                    target.id,
                    several
                        .iter()
                        .map(|s| format!("{} ({})", s.workload.id, s.path))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

/// The decision for one slot.
enum SlotOutcome {
    /// The pointer moves to this reference.
    Move(ImageRef),
    /// The slot stays, for this reason.
    Skip(Reason, String),
    /// The slot is not concerned (an exact image of another repository).
    NotTargeted,
}

fn skip(reason: Reason, message: impl Into<String>) -> SlotOutcome {
    SlotOutcome::Skip(reason, message.into())
}

/// Where the spec points a slot, before the up-to-date check and the promotion gate.
enum Aim {
    /// The reference to write, as text.
    To(String),
    /// The reference to write, built from the slot's parsed one.
    Ref(ImageRef),
    /// The slot stays (a skip with its reason, or not concerned).
    Stay(SlotOutcome),
}

impl From<SlotOutcome> for Aim {
    fn from(outcome: SlotOutcome) -> Aim {
        Aim::Stay(outcome)
    }
}

/// The order in which a skipped workload's container reasons are summarised: the first
/// present wins.
const SUMMARY_ORDER: [Reason; 13] = [
    Reason::AmbiguousSource,
    Reason::UnsupportedYaml,
    Reason::NotPromoted,
    Reason::OutsideFilter,
    Reason::MissingDigest,
    Reason::MissingTimestamp,
    Reason::FutureTimestamp,
    Reason::WouldDowngrade,
    Reason::NoPreviousRelease,
    Reason::NotFound,
    Reason::NoMatchingImage,
    Reason::DifferentImage,
    Reason::UpToDate,
];

/// What the gates a workload passed leave for its result: overridden or expired locks.
#[derive(Default)]
struct Notes {
    /// Said after the moves (`environment lock (...) overridden ...`).
    notes: Vec<String>,
    /// Whether a lock (the environment's or the workload's) has expired: the result's reason
    /// is then `lock_expired`.
    expired: bool,
}

/// A check every workload passes before its slots are decided. `check` gives the message of
/// a workload it stops; the result then has the gate's status and reason.
struct Gate<'p> {
    reason: Reason,
    status: Status,
    check: fn(&Planner<'p>, &Placed, &mut Notes) -> Option<String>,
}

impl<'p> Planner<'p> {
    /// The workload gates in precedence order (DESIGN.md section 10): the first that stops a
    /// workload gives its result. A workload past every gate has its slots decided.
    const GATES: [Gate<'p>; 8] = [
        Gate {
            reason: Reason::NotIncluded,
            status: Status::Ignored,
            check: Planner::not_included,
        },
        Gate {
            reason: Reason::Excluded,
            status: Status::Ignored,
            check: Planner::excluded,
        },
        Gate {
            reason: Reason::Ignored,
            status: Status::Ignored,
            check: Planner::ignored,
        },
        Gate {
            reason: Reason::EnvironmentLocked,
            status: Status::Skipped,
            check: Planner::environment_locked,
        },
        Gate {
            reason: Reason::Locked,
            status: Status::Skipped,
            check: Planner::policy_unread,
        },
        Gate {
            reason: Reason::Locked,
            status: Status::Skipped,
            check: Planner::locked,
        },
        Gate {
            reason: Reason::EnvironmentManual,
            status: Status::Skipped,
            check: Planner::environment_manual,
        },
        Gate {
            reason: Reason::NotAutomated,
            status: Status::Skipped,
            check: Planner::not_automated,
        },
    ];
}

/// What the slots of one workload come to.
#[derive(Default)]
struct SlotDecisions {
    /// The moving slots, as reported.
    updates: Vec<ContainerUpdate>,
    /// The slots that stay, with why.
    skipped: Vec<ContainerSkip>,
    /// The moving slots and their new pointers.
    moves: Vec<Move>,
    /// Whether any slot is managed.
    any_managed: bool,
}

impl<'a> Planner<'a> {
    fn named_explicitly(&self, placed: &Placed) -> bool {
        match &self.spec.services {
            Services::All => false,
            Services::Named(list) => list.iter().any(|e| names(e, placed)),
        }
    }

    fn forced(&self, placed: &Placed) -> bool {
        self.spec.force && self.named_explicitly(placed)
    }

    fn result(
        placed: &Placed,
        status: Status,
        reason: Option<Reason>,
        message: impl Into<String>,
    ) -> WorkloadResult {
        WorkloadResult {
            workload: placed.workload.id.clone(),
            status,
            reason,
            message: message.into(),
            updates: Vec::new(),
            skipped: Vec::new(),
            path: Some(placed.path.clone()),
        }
    }

    /// Decide the workload `at` of `model`: the gates in order, then its slots; its result
    /// and, on success, the edit to make.
    fn decide<'m>(&mut self, model: &'m Model<'_>, at: WorkloadAt) -> Result<Decision<'m>> {
        let placed = at.of(model);
        let mut notes = Notes::default();
        for gate in &Self::GATES {
            if let Some(message) = (gate.check)(self, placed, &mut notes) {
                let result = Self::result(placed, gate.status, Some(gate.reason), message);
                return Ok(Decision::new(model, at, result, None));
            }
        }
        let decisions = self.decide_slots(model, at)?;
        let (result, moves) = if !decisions.updates.is_empty() {
            self.release(placed, notes, decisions)
        } else if decisions.skipped.is_empty() {
            (self.nothing_to_do(placed, decisions.any_managed), None)
        } else {
            (Self::summary(placed, decisions.skipped), None)
        };
        Ok(Decision::new(model, at, result, moves))
    }

    /// Gate `not_included`: a release naming services leaves the others alone.
    fn not_included(&self, placed: &Placed, _: &mut Notes) -> Option<String> {
        let Services::Named(list) = &self.spec.services else {
            return None;
        };
        (!list.iter().any(|e| names(e, placed))).then(|| "not included in the release".to_string())
    }

    /// Gate `excluded`: the spec's exclude list.
    fn excluded(&self, placed: &Placed, _: &mut Notes) -> Option<String> {
        self.spec
            .exclude
            .iter()
            .any(|e| names(e, placed))
            .then(|| "excluded from the release".to_string())
    }

    /// Gate `ignored`: annotated `ignore: "true"` (or an ambiguous value, read as ignored).
    fn ignored(&self, placed: &Placed, _: &mut Notes) -> Option<String> {
        let policy = &placed.workload.policy;
        if policy.ignore != Ignore::True {
            return None;
        }
        Some(if policy.ambiguous.iter().any(|p| p == "ignore") {
            "annotated ignore with a value other than \"true\", \"sync_only\" or \"false\"; read as \
             ignored (ambiguous_policy)"
                .to_string()
        } else {
            "annotated ignore: \"true\"".to_string()
        })
    }

    /// Gate `environment_locked`: an active environment lock, unless a forced release
    /// overrides it explicitly (noted). An expired lock is noted.
    fn environment_locked(&self, _: &Placed, notes: &mut Notes) -> Option<String> {
        let lock = self.env.lock.as_ref()?;
        if !lock.is_active(self.now) {
            notes.expired = true;
            notes
                .notes
                .push(format!("the environment lock ({}) has expired", lock.reason));
            return None;
        }
        let forced_release = self.run == Run::Release && self.spec.force;
        if forced_release && self.spec.override_environment_lock {
            notes.notes.push(format!(
                "environment lock ({}) overridden by a forced release with override_environment_lock",
                lock.reason
            ));
            return None;
        }
        let mut message = format!(
            "environment {} is locked by {}: {}",
            self.env.name, lock.by, lock.reason
        );
        if forced_release {
            message.push_str(" (force overrides an environment lock only with override_environment_lock)");
        }
        Some(message)
    }

    /// Gate `locked` (policy_unread): automation leaves alone a workload whose annotations a
    /// kustomization can change in a way relman does not read.
    fn policy_unread(&self, placed: &Placed, _: &mut Notes) -> Option<String> {
        let (Run::Automation, Some((file, key))) = (self.run, &placed.annotations_unread) else {
            return None;
        };
        Some(format!(
            "read as locked for automation (policy_unread): `{key}` in {file} can change its \
             annotations in a way relman does not read, so it may be locked; release it \
             explicitly"
        ))
    }

    /// Gate `locked`: an active workload lock, unless a release names the workload with force
    /// (noted). An expired lock is noted.
    fn locked(&self, placed: &Placed, notes: &mut Notes) -> Option<String> {
        let policy = &placed.workload.policy;
        if !policy.locked {
            return None;
        }
        let until = policy.locked_until.as_deref().map(super::catalog::parse_time);
        if let Some(Ok(t)) = &until {
            if self.now >= *t {
                notes.expired = true;
                notes.notes.push("the workload lock has expired".to_string());
                return None;
            }
        }
        let mut message = String::from("locked");
        if !policy.duplicated.is_empty() {
            message.push_str(&format!(
                " (ambiguous_policy: duplicated {}; read as locked)",
                policy.duplicated.join(", ")
            ));
        } else if policy.ambiguous.iter().any(|p| p == "locked") {
            message.push_str(
                " (ambiguous_policy: a `locked` value other than \"true\" or \"false\" counts as locked)",
            );
        }
        if let Some(user) = &policy.locked_user {
            message.push_str(&format!(" by {user}"));
        }
        if let Some(msg) = &policy.locked_msg {
            message.push_str(&format!(": {msg}"));
        }
        if let Some(Err(e)) = &until {
            message.push_str(&format!(" (lock expiry ignored: {e})"));
        }
        if self.run == Run::Release && self.forced(placed) {
            notes.notes.push(format!("{message}; overridden by force"));
            return None;
        }
        Some(message)
    }

    /// Gate `environment_manual`: automation releases nothing to a manual environment.
    fn environment_manual(&self, _: &Placed, _: &mut Notes) -> Option<String> {
        (self.run == Run::Automation && self.env.release == ReleaseMode::Manual)
            .then(|| format!("environment {} is released manually", self.env.name))
    }

    /// Gate `not_automated`: automation moves only automated workloads (every workload of an
    /// automatic environment unless annotated off; annotated ones without `relman.yaml`).
    fn not_automated(&self, placed: &Placed, _: &mut Notes) -> Option<String> {
        if self.run != Run::Automation {
            return None;
        }
        let policy = &placed.workload.policy;
        // Keel's `never`, or a policy Keel does not apply, turns automation off (fail closed)
        // unless `automated: "true"` says otherwise; another Keel policy asks for it.
        let keel = placed.workload.keel.as_ref();
        if let Some(k) = keel.filter(|k| !k.automates() && !policy.automated) {
            if !matches!(self.env.release, ReleaseMode::Manual) {
                return Some(format!(
                    "{} {:?} is no policy Keel updates with: not automated",
                    k.key, k.text
                ));
            }
        }
        let keel_automates = keel.is_some_and(|k| k.automates());
        match self.env.release {
            ReleaseMode::Automatic if policy.automated_set && !policy.automated => {
                Some("automation is turned off by annotation".to_string())
            }
            // A setter marker naming a policy relman knows asks for automation of its slot,
            // as the image-automation-controller updates every marked value; an explicit
            // `automated: "false"` wins.
            ReleaseMode::Annotations
                if !policy.automated
                    && (policy.automated_set
                        || !keel_automates && !placed.slots.iter().any(|s| self.binding(s).automates())) =>
            {
                match placed.slots.iter().find_map(|s| match self.binding(s) {
                    Binding::Unknown(id) => Some(id),
                    _ => None,
                }) {
                    Some(id) if placed.site.is_none() => Some(format!(
                        "the setter markers name {id}, which is no ImagePolicy of the repository and no \
                         service of relman.yaml maps: not automated"
                    )),
                    _ => Some("not annotated automated: \"true\"".to_string()),
                }
            }
            _ => None,
        }
    }

    /// Decide every managed slot of a workload past the gates; slots whose rendering relman
    /// cannot tell (kustomize `images:` it does not model) are skipped as `unsupported_yaml`.
    fn decide_slots(&mut self, model: &Model<'_>, at: WorkloadAt) -> Result<SlotDecisions> {
        let placed = at.of(model);
        let mut out = SlotDecisions::default();
        // Automated only by setter markers (the implicit environment, no `automated`
        // annotation): the slots without one stay.
        let by_markers = self.run == Run::Automation
            && self.env.release == ReleaseMode::Annotations
            && !placed.workload.policy.automated
            && !placed.workload.keel.as_ref().is_some_and(|k| k.automates());
        for (id, slot) in model.slots(at) {
            let info = &slot.info;
            let Some(current) = info.image_ref() else { continue };
            out.any_managed = true;
            let binding = self.binding(slot);
            // Keel updates init containers only when asked (`keel.sh/initContainers: "true"`).
            let keel_skips_init = info.kind == SlotKind::InitContainer
                && matches!(binding, Binding::Unmarked)
                && placed
                    .workload
                    .keel
                    .as_ref()
                    .is_some_and(|k| k.automates() && !k.init_containers);
            if self.run == Run::Automation && keel_skips_init {
                out.skipped.push(ContainerSkip {
                    container: info.container.clone(),
                    reason: Reason::NotAutomated,
                    message:
                        "an init container of a workload with a Keel policy: Keel updates init containers \
                              only with keel.sh/initContainers: \"true\""
                            .to_string(),
                });
                continue;
            }
            if self.run == Run::Automation
                && (by_markers && !binding.automates() || matches!(binding, Binding::Unknown(_)))
            {
                let message = match &binding {
                    Binding::Unknown(policy) => format!(
                        "its setter marker names {policy}, which is no ImagePolicy of the repository and no \
                         service of relman.yaml maps: not automated"
                    ),
                    _ => "not annotated automated: \"true\" and no setter marker on it".to_string(),
                };
                out.skipped.push(ContainerSkip {
                    container: info.container.clone(),
                    reason: Reason::NotAutomated,
                    message,
                });
                continue;
            }
            // A held policy's ImageRepository is where its tags come from, and what Flux
            // writes: the slot's reference as that repository would spell it.
            let source = match (&binding, &slot.image_policy) {
                (Binding::Held { .. }, Some(id)) => self.policy_source(id, current),
                _ => None,
            };
            let filter = match self.filter_of(placed, &info.container, binding, current)? {
                Ok(filter) => filter,
                Err(why) => {
                    out.skipped.push(ContainerSkip {
                        container: info.container.clone(),
                        reason: Reason::NoMatchingImage,
                        message: why,
                    });
                    continue;
                }
            };
            let current_for_spec = source.as_ref().unwrap_or(current);
            match self.decide_slot(placed, &info.container, current, current_for_spec, &filter)? {
                SlotOutcome::Move(target) => {
                    out.updates.push(ContainerUpdate {
                        container: info.container.clone(),
                        from: info.image().to_string(),
                        to: target.as_str().to_string(),
                    });
                    out.moves.push(Move { slot: id, to: target });
                }
                SlotOutcome::Skip(reason, message) => out.skipped.push(ContainerSkip {
                    container: info.container.clone(),
                    reason,
                    message,
                }),
                SlotOutcome::NotTargeted => {}
            }
        }
        for slot in &placed.slots {
            if let environment::Target::Refused(e) = &slot.target {
                out.skipped.push(ContainerSkip {
                    container: slot.info.container.clone(),
                    reason: Reason::UnsupportedYaml,
                    message: environment::located(e),
                });
            }
        }
        Ok(out)
    }

    /// The warnings of setter markers (DESIGN.md section 16): a marker naming a policy relman
    /// does not know (`unknown_image_policy`; the slot is not automated), and a policy whose
    /// `ImageRepository` is another repository than the slot's (`policy_repository`; relman
    /// releases the slot's own repository).
    fn marker_warnings(&self, placed: &[Placed]) -> Vec<String> {
        let mut out = Vec::new();
        for p in placed {
            for slot in &p.slots {
                let Some(id) = &slot.image_policy else { continue };
                let at = format!(
                    "{}:{}",
                    slot.info.path.as_deref().unwrap_or(&p.path),
                    slot.info.line
                );
                match self.binding(slot) {
                    Binding::Unknown(_) => out.push(format!(
                        "{at}: unknown_image_policy: {:?} {:?}: the setter marker names {id}, which is no \
                         ImagePolicy (image.toolkit.fluxcd.io) of the repository and no service of \
                         relman.yaml maps; the slot is not automated",
                        p.workload.id, slot.info.container
                    )),
                    Binding::Held { .. } => {
                        let (Some(image), Some(current)) =
                            (self.context.flux.repository_of(id), slot.info.image_ref())
                        else {
                            continue;
                        };
                        if !ImageRef::parse(image).is_ok_and(|r| r.same_repository(current)) {
                            out.push(format!(
                                "{at}: policy_repository: {:?} {:?}: {id} takes its tags from {image} \
                                 (its ImageRepository) and the slot runs {}: automation writes {image}, \
                                 as Flux does",
                                p.workload.id,
                                slot.info.container,
                                current.repository()
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The slot's reference spelled with the repository of the `ImagePolicy` `id`'s
    /// `ImageRepository` (`spec.image`), when that is another repository than the slot's:
    /// the image-automation-controller writes the policy's image. `None` when it is the same
    /// repository, or unknown.
    fn policy_source(&self, id: &str, current: &ImageRef) -> Option<ImageRef> {
        let image = ImageRef::parse(self.context.flux.repository_of(id)?).ok()?;
        if image.same_repository(current) || image.tag().is_some() || image.digest().is_some() {
            return None;
        }
        let mut text = image.as_str().to_string();
        if let Some(tag) = current.tag() {
            text.push(':');
            text.push_str(tag);
        }
        if let Some(digest) = current.digest() {
            text.push('@');
            text.push_str(digest);
        }
        ImageRef::parse(&text).ok()
    }

    /// What the setter marker on `slot` (if any) binds it to ([`Context::binding`]).
    fn binding(&self, slot: &PlacedSlot) -> Binding {
        self.context.binding(self.config, slot)
    }

    /// The tag filter of a slot ([`Context::filter_of`]).
    fn filter_of(
        &mut self,
        placed: &Placed,
        container: &str,
        binding: Binding,
        current: &ImageRef,
    ) -> Result<std::result::Result<Rc<TagFilter>, String>> {
        let automation = self.run == Run::Automation;
        self.context
            .filter_of(automation, placed, container, binding, current)
    }

    /// The warnings of Keel policies (DESIGN.md section 16): a `keel.sh/policy` Keel does not
    /// apply (`unknown_keel_policy`; the workload is not automated).
    fn keel_warnings(&self, placed: &[Placed]) -> Vec<String> {
        placed
            .iter()
            .filter_map(|p| {
                let keel = p.workload.keel.as_ref()?;
                let crate::policy::KeelRule::Unknown(text) = &keel.rule else {
                    return None;
                };
                Some(format!(
                    "{}:{}: unknown_keel_policy: {:?}: {} {text:?} is no policy Keel applies (all, major, \
                     minor, patch, force, never, glob:PATTERN, regexp:PATTERN; a pattern Go compiles and \
                     without spaces); Keel ignores it and the workload is not automated",
                    p.path, p.workload.line, p.workload.id, keel.key
                ))
            })
            .collect()
    }

    /// The result of a workload with moves, and its edit; `failed` when the lock the release
    /// takes cannot be written where it would hold.
    fn release(
        &self,
        placed: &Placed,
        notes: Notes,
        decisions: SlotDecisions,
    ) -> (WorkloadResult, Option<Moves>) {
        let SlotDecisions {
            updates,
            skipped,
            moves,
            ..
        } = decisions;
        let policy_change = (self.run == Run::Release && self.spec.locks()).then(|| self.lock_change());
        if let Some(why) = policy_change.as_ref().and_then(|c| Self::unlockable(placed, c)) {
            let mut failed = Self::result(placed, Status::Failed, Some(Reason::UnsupportedYaml), why);
            failed.skipped = skipped;
            return (failed, None);
        }
        let mut result = Self::result(placed, Status::Success, None, "");
        result.skipped = skipped;
        // `container: from -> to`, joined by `; `, without the formatting machinery.
        let mut message = String::with_capacity(
            updates
                .iter()
                .map(|u| u.container.len() + u.from.len() + u.to.len() + 8)
                .sum(),
        );
        for (i, u) in updates.iter().enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            for piece in [u.container.as_str(), ": ", &u.from, " -> ", &u.to] {
                message.push_str(piece);
            }
        }
        result.message = message;
        if notes.expired {
            result.reason = Some(Reason::LockExpired);
        }
        if !notes.notes.is_empty() {
            result.message.push_str(&format!(" ({})", notes.notes.join("; ")));
        }
        result.updates = updates;
        let moves = Moves {
            slots: moves,
            policy: policy_change,
        };
        (result, Some(moves))
    }

    /// Why the lock `change` a release takes cannot be written so that it holds, if it cannot.
    fn unlockable(placed: &Placed, change: &PolicyChange) -> Option<&'static str> {
        // Values marked by setter comments belong to no object: there are no annotations to
        // hold the lock this release takes, and a release that cannot lock what it must (a
        // rollback, so that automation does not undo it) does not happen.
        let slots = &placed.slots;
        if !slots.is_empty() && slots.iter().all(|s| s.info.kind == SlotKind::SetterMarker) {
            return Some(
                "values marked by Flux setter comments have no annotations to hold the lock this release \
                 takes; release with lock off to move them unlocked",
            );
        }
        // A lock written to the manifest that an overlay's `commonAnnotations` override would
        // be reported but not rendered: automation would undo the release.
        if placed.common_annotations.is_empty() {
            return None;
        }
        let w = &placed.workload;
        let rendered =
            crate::policy::annotations::read_after(&w.annotations, &placed.common_annotations, change);
        (!rendered.locked).then_some(
            "the commonAnnotations of a kustomization on its way set `locked` over the manifest: \
             the lock this release takes would not be rendered; remove that annotation from the \
             overlay, or release with lock off",
        )
    }

    /// The result of a workload whose slots neither move nor were skipped.
    fn nothing_to_do(&self, placed: &Placed, any_managed: bool) -> WorkloadResult {
        let invalid_name = placed
            .images()
            .any(|s| s.warning.as_deref() == Some(INVALID_NAME));
        let generated = placed
            .images()
            .any(|s| s.warning.as_deref() == Some(GENERATED_NAME));
        let (status, reason, message) = match (&self.spec.image, any_managed) {
            (_, false) if generated => (
                Status::Skipped,
                Reason::NoMatchingImage,
                "never released: it has only metadata.generateName, so no stable id (generated_name)"
                    .to_string(),
            ),
            (_, false) if invalid_name => (
                Status::Skipped,
                Reason::NoMatchingImage,
                "never released: its namespace, name or kind, or a container name, is not one Kubernetes \
                 accepts (invalid_name)"
                    .to_string(),
            ),
            (_, false) => (
                Status::Skipped,
                Reason::NoMatchingImage,
                "no container has a managed image reference".to_string(),
            ),
            (ImageSpec::Exact(image), true) => (
                Status::Ignored,
                Reason::DifferentImage,
                format!("no container runs {}", image.repository()),
            ),
            _ => (
                Status::Skipped,
                Reason::UpToDate,
                "image(s) up to date".to_string(),
            ),
        };
        Self::result(placed, status, Some(reason), message)
    }

    /// The result of a workload none of whose slots moves and some were skipped: the first
    /// reason present in [`SUMMARY_ORDER`].
    fn summary(placed: &Placed, skipped: Vec<ContainerSkip>) -> WorkloadResult {
        let reason = SUMMARY_ORDER
            .iter()
            .copied()
            .find(|r| skipped.iter().any(|s| s.reason == *r))
            .unwrap_or(skipped[0].reason);
        let status = if reason == Reason::AmbiguousSource {
            Status::Failed
        } else {
            Status::Skipped
        };
        let message = skipped
            .iter()
            .map(|s| format!("{}: {}", s.container, s.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut result = Self::result(placed, status, Some(reason), message);
        result.skipped = skipped;
        result
    }

    fn lock_change(&self) -> PolicyChange {
        let default_msg = match self.kind {
            ReleaseKind::Rollback => format!("rolled back in {} by relman", self.env.name),
            ReleaseKind::Adopted => format!("adopted from the cluster in {} by relman", self.env.name),
            _ => format!("released to {} and locked by relman", self.env.name),
        };
        let mut change = PolicyChange::new().add("locked", "true").add(
            "locked_msg",
            self.spec.cause.message.clone().unwrap_or(default_msg),
        );
        if let Some(user) = &self.spec.cause.user {
            change = change.add("locked_user", user.clone());
        }
        change
    }

    /// The reference to write: the slot's repository as written with the new tag and digest.
    /// Where the current value pins a digest, the new one pins one too (from `digest` or the
    /// catalog), else `missing_digest`. Built from `current` without parsing it again when the
    /// tag and digest are valid (as the catalog's always are); otherwise as text, for the parse
    /// to refuse as it would any other value.
    fn spell(&self, current: &ImageRef, tag: Option<&str>, digest: Option<&str>) -> Aim {
        let digest = match (digest, current.digest(), tag) {
            (Some(d), _, _) => Some(d),
            (None, Some(_), Some(tag)) => match self
                .catalog
                .get(current.repository(), tag)
                .and_then(|i| i.digest.as_deref())
            {
                Some(d) => Some(d),
                None => {
                    return skip(
                        Reason::MissingDigest,
                        format!(
                            "the current image pins a digest and the catalog has none for {}:{tag}",
                            current.repository()
                        ),
                    )
                    .into();
                }
            },
            _ => None,
        };
        // `with_tag` and `with_digest` check their part as the parse would, and give the
        // reference the parse of the same text would.
        let built = tag
            .and_then(|tag| current.with_tag(tag).ok())
            .and_then(|tagged| match digest {
                Some(d) => tagged.with_digest(d).ok(),
                None => Some(tagged),
            });
        if let Some(image) = built {
            return Aim::Ref(image);
        }
        let mut text = current.repository().to_string();
        for (mark, part) in [(':', tag), ('@', digest)] {
            if let Some(part) = part {
                text.push(mark);
                text.push_str(part);
            }
        }
        Aim::To(text)
    }

    /// Whether `current` already is `target` (the same repository, tag and digest).
    fn up_to_date(current: &ImageRef, target: &ImageRef) -> bool {
        target.same_repository(current)
            && target.tag() == current.tag()
            && target.digest() == current.digest()
    }

    /// Decide one managed slot: where the spec points it, then the slot gates in order:
    /// `up_to_date`, then the promotion gate (`not_promoted`).
    fn decide_slot(
        &mut self,
        placed: &Placed,
        container: &str,
        current: &ImageRef,
        source: &ImageRef,
        filter: &TagFilter,
    ) -> Result<SlotOutcome> {
        let spec = self.spec;
        let aim = match &spec.image {
            ImageSpec::Latest => self.aim_latest(source, filter),
            ImageSpec::Exact(image) => self.aim_exact(placed, image, current, filter),
            ImageSpec::Promote => self.aim_promote(placed, container, current, filter),
            ImageSpec::Rollback => self.aim_rollback(placed, container, current),
            ImageSpec::Observed(_) => self.aim_observed(placed, container, current),
        };
        let target = match aim {
            Aim::To(target) => {
                if current.as_str() == target {
                    return Ok(skip(Reason::UpToDate, format!("already at {}", current)));
                }
                // Parsed once: for the up-to-date check and as the new pointer.
                ImageRef::parse(&target)?
            }
            Aim::Ref(target) => {
                if current.as_str() == target.as_str() {
                    return Ok(skip(Reason::UpToDate, format!("already at {}", current)));
                }
                target
            }
            Aim::Stay(outcome) => return Ok(outcome),
        };
        if Self::up_to_date(current, &target) {
            return Ok(skip(Reason::UpToDate, format!("already at {}", current)));
        }
        if self.gates_promotion(placed) && !self.promoted(&target) {
            let source = self.env.promote_from.as_deref().unwrap_or_default();
            return Ok(skip(
                Reason::NotPromoted,
                format!("{target} never ran in {source}"),
            ));
        }
        Ok(SlotOutcome::Move(target))
    }

    /// Whether the promotion gate applies: a manual or automated release to an environment
    /// with `promoteFrom`, not forced.
    fn gates_promotion(&self, placed: &Placed) -> bool {
        matches!(self.kind, ReleaseKind::Manual | ReleaseKind::Automated)
            && self.env.promote_from.is_some()
            && !self.forced(placed)
    }

    /// `outside_filter` for a tag outside the filter, unless the release is forced.
    fn outside_filter(&self, placed: &Placed, image: &ImageRef, filter: &TagFilter) -> bool {
        image
            .tag()
            .is_some_and(|tag| !self.forced(placed) && !filter.matches_in(tag, self.mode))
    }

    /// An exact image: for slots of the same repository, if the filter allows its tag.
    fn aim_exact(&self, placed: &Placed, image: &ImageRef, current: &ImageRef, filter: &TagFilter) -> Aim {
        if !image.same_repository(current) {
            return SlotOutcome::NotTargeted.into();
        }
        if self.outside_filter(placed, image, filter) {
            return skip(
                Reason::OutsideFilter,
                format!("{image} is outside the filter {filter} (use force to release it anyway)"),
            )
            .into();
        }
        self.spell(current, image.tag(), image.digest())
    }

    /// A promotion: the image the source workload's same container runs.
    fn aim_promote(&self, placed: &Placed, container: &str, current: &ImageRef, filter: &TagFilter) -> Aim {
        let source = self.source.as_ref().expect("promotion loads its source");
        let from = match source.find(self.config, placed, &self.env.default_namespace) {
            Ok(from) => from,
            Err(outcome) => return outcome.into(),
        };
        let Some(image) = from
            .images()
            .filter(|s| s.container == container)
            .find_map(|s| s.image_ref())
        else {
            return skip(
                Reason::NotFound,
                format!(
                    "{} has no container {container} in {}",
                    source.name, from.workload.id
                ),
            )
            .into();
        };
        if self.outside_filter(placed, image, filter) {
            return skip(
                Reason::OutsideFilter,
                format!("{image} (from {}) is outside the filter {filter}", source.name),
            )
            .into();
        }
        if image.same_repository(current) {
            self.spell(current, image.tag(), image.digest())
        } else {
            Aim::To(image.as_str().to_string())
        }
    }

    /// A rollback: the newest earlier value of the slot never rolled back from.
    fn aim_rollback(&self, placed: &Placed, container: &str, current: &ImageRef) -> Aim {
        let env = &self.env.name;
        if let Some(previous) = self
            .history
            .previous(env, &placed.workload.id, container, current.as_str())
        {
            return Aim::To(previous);
        }
        let mut message = format!(
            "no earlier image of {} that was never rolled back from is in the history of {container} in {env}",
            current.repository(),
        );
        if self.history.source() == HistorySource::Trees && !self.history.is_complete() {
            message.push_str(
                " (the history walk stopped early: the value at its horizon is not a rollback target; read more commits)",
            );
        }
        skip(Reason::NoPreviousRelease, message).into()
    }

    /// An adoption: the image the cluster runs in the slot, when it drifted. Written as the
    /// repo writes the slot: its repository as written when the cluster runs the same one;
    /// a digest where the repo pins one (the running one, else the catalog's for the running
    /// tag, else `missing_digest`) or where the cluster runs a digest without a tag.
    fn aim_observed(&self, placed: &Placed, container: &str, current: &ImageRef) -> Aim {
        let key = (placed.workload.id.clone(), container.to_string());
        let entries: &[DriftEntry] = self.observed.get(&key).map_or(&[], Vec::as_slice);
        let status = |s| entries.iter().filter(move |e: &&DriftEntry| e.status == s);
        let drifted: Vec<&DriftEntry> = status(DriftStatus::Drifted).collect();
        if drifted.is_empty() {
            return match entries.first() {
                Some(e) if e.status == DriftStatus::InSync => skip(
                    Reason::UpToDate,
                    format!("the cluster runs it as written ({})", e.message),
                ),
                Some(e) => skip(
                    Reason::NotFound,
                    format!("missing_in_cluster: {}; nothing to adopt", e.message),
                ),
                None => skip(
                    Reason::NotFound,
                    "not compared with the cluster; nothing to adopt",
                ),
            }
            .into();
        }
        let mut running: Vec<&str> = drifted
            .iter()
            .filter_map(|e| e.running_image.as_deref())
            .collect();
        running.sort_unstable();
        running.dedup();
        if running.len() > 1 || drifted.len() < entries.len() {
            return skip(
                Reason::AmbiguousSource,
                format!(
                    "the cluster runs more than one image for it: {}",
                    entries
                        .iter()
                        .map(|e| format!(
                            "{} in {} container {}",
                            e.running_image.as_deref().unwrap_or("nothing"),
                            e.live_workload.as_deref().unwrap_or("-"),
                            e.live_container.as_deref().unwrap_or("-")
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .into();
        }
        let Ok(image) = ImageRef::parse(running[0]) else {
            return skip(
                Reason::NoMatchingImage,
                format!(
                    "the cluster runs {:?}, which is not an image reference",
                    running[0]
                ),
            )
            .into();
        };
        let digest = if current.digest().is_some() || image.tag().is_none() {
            image.digest()
        } else {
            None
        };
        if image.same_repository(current) {
            return self.spell(current, image.tag(), digest);
        }
        let mut text = image.repository().to_string();
        for (mark, part) in [(':', image.tag()), ('@', digest)] {
            if let Some(part) = part {
                text.push(mark);
                text.push_str(part);
            }
        }
        Aim::To(text)
    }

    /// Whether `image` runs in the source environment now or ran there before: released to it, or
    /// replaced by a release recorded in its history.
    fn promoted(&self, image: &ImageRef) -> bool {
        let Some(source) = &self.source else { return false };
        let same = |text: &str| {
            ImageRef::parse(text).is_ok_and(|r| {
                r.same_repository(image)
                    && r.tag() == image.tag()
                    && (image.digest().is_none() || r.digest() == image.digest())
            })
        };
        source
            .workloads
            .iter()
            .any(|p| p.images().any(|s| same(s.image())))
            || self.history.ever_held(&source.name, same)
    }

    /// The newest allowed image for a slot, as text to write, or why there is none.
    fn aim_latest(&mut self, current: &ImageRef, filter: &TagFilter) -> Aim {
        let repository = current.repository();
        let now = self.now;
        let chosen = match self.choice(current, filter) {
            None => {
                return skip(
                    Reason::NoMatchingImage,
                    format!("the catalog has no tags for {repository}"),
                )
                .into();
            }
            Some(Ok(info)) => info,
            Some(Err(Choice::Image(_))) => unreachable!("an image is chosen as Ok"),
            Some(Err(Choice::NoMatch)) => {
                return skip(
                    Reason::NoMatchingImage,
                    format!("no tag of {repository} matches {filter}"),
                )
                .into();
            }
            Some(Err(Choice::MissingTime)) => {
                return skip(
                    Reason::MissingTimestamp,
                    format!(
                        "{filter} orders by creation time and the catalog has none for the matching tags of {repository}"
                    ),
                )
                .into();
            }
            Some(Err(Choice::NotANumber(why))) => {
                return skip(
                    Reason::NoMatchingImage,
                    format!("no tag of {repository} is chosen by {filter}: {why}"),
                )
                .into();
            }
            Some(Err(Choice::FutureTime)) => {
                return skip(
                    Reason::FutureTimestamp,
                    format!(
                        "every tag of {repository} that matches {filter} and has a creation time is dated later than now ({now}) plus the 5-minute clock-skew allowance"
                    ),
                )
                .into();
            }
        };
        if self.run == Run::Automation {
            if let Some(outcome) = self.no_downgrade(current, filter, chosen) {
                return outcome.into();
            }
        }
        if filter.order() == TagOrder::Digest {
            // A tracked tag: the image is the tag's current digest, written pinned.
            let Some(digest) = chosen.digest.as_deref() else {
                return skip(
                    Reason::MissingDigest,
                    format!(
                        "{filter} tracks {repository}:{} by digest and the catalog has none for it",
                        chosen.tag
                    ),
                )
                .into();
            };
            return self.spell(current, Some(&chosen.tag), Some(digest));
        }
        self.spell(current, Some(&chosen.tag), None)
    }

    /// What `filter` allows of the catalog's tags of `current`'s repository, once per run
    /// (per repository and filter text, however many slots run it); `None` when the catalog
    /// has no tags for it. The chosen image is borrowed from the catalog.
    fn choice(
        &mut self,
        current: &ImageRef,
        filter: &TagFilter,
    ) -> Option<std::result::Result<&'a ImageInfo, Choice>> {
        // The normalised name, once: for the catalog (which would parse the repository again)
        // and for the key.
        let name = current.name();
        let images = self.catalog.images_named(&name);
        if images.is_empty() {
            return None;
        }
        let (mode, now) = (self.mode, self.now);
        // Looked up by borrowed text: a repository's filters are few (usually one), so they
        // are a short list, not a second key.
        let by_filter = match self.context.selections.get_mut(name.as_str()) {
            Some(list) => list,
            None => self.context.selections.entry(name).or_default(),
        };
        let chosen = match by_filter.iter().position(|(text, _)| **text == *filter.as_str()) {
            Some(i) => &by_filter[i].1,
            None => {
                by_filter.push((
                    filter.as_str().into(),
                    Self::select_once(filter, mode, images, now),
                ));
                &by_filter[by_filter.len() - 1].1
            }
        };
        Some(match chosen {
            Choice::Image(i) => Ok(&images[*i]),
            other => Err(other.clone()),
        })
    }

    /// What `filter` allows of `images`: the chosen one's index, else why none.
    fn select_once(filter: &TagFilter, mode: VersionMode, images: &[ImageInfo], now: Timestamp) -> Choice {
        if let Some(i) = choose_index(filter, mode, images, now) {
            return Choice::Image(i);
        }
        // Nothing allowed: explain why, to tell creation times missing or in the future
        // apart (a time-ordered filter's other rejections are misses and `latest`).
        let selection = select(filter, mode, images, now);
        let any = |reason| selection.rejected.iter().any(|r| r.reason == reason);
        if let Some(r) = selection
            .rejected
            .iter()
            .find(|r| r.reason == RejectReason::NotANumber)
        {
            Choice::NotANumber(r.message.clone())
        } else if any(RejectReason::FutureTimestamp) {
            Choice::FutureTime
        } else if any(RejectReason::MissingTime) {
            Choice::MissingTime
        } else {
            Choice::NoMatch
        }
    }

    /// The automation gates between the current tag and the chosen one: a current tag dated in
    /// the future (`future_timestamp`), a chosen tag that orders below (`would_downgrade`) or
    /// the same (`up_to_date`), a current tag without a creation time (`missing_timestamp`).
    fn no_downgrade(
        &self,
        current: &ImageRef,
        filter: &TagFilter,
        chosen: &ImageInfo,
    ) -> Option<SlotOutcome> {
        let tag = current.tag()?;
        if tag == chosen.tag {
            // Same tag: only a changed digest of a pinned image moves.
            return None;
        }
        let now = self.now;
        let known = self.catalog.get(current.repository(), tag).cloned();
        let current_info = known.clone().unwrap_or_else(|| ImageInfo::new(tag));
        let future = current_info
            .created
            .filter(|t| now.checked_add(CLOCK_SKEW).is_ok_and(|latest| *t > latest));
        if let (Some(created), false) = (future, filter_reads_values(filter)) {
            return Some(skip(
                Reason::FutureTimestamp,
                format!(
                    "the current tag {tag} is dated {created}, later than now ({now}); a newer image cannot be told apart (release one explicitly)"
                ),
            ));
        }
        match compare(filter, self.mode, chosen, &current_info) {
            Some(std::cmp::Ordering::Less) => Some(skip(
                Reason::WouldDowngrade,
                format!(
                    "{}:{} orders below the current {tag}; automation never moves a pointer down",
                    current.repository(),
                    chosen.tag
                ),
            )),
            Some(std::cmp::Ordering::Equal) => Some(skip(
                Reason::UpToDate,
                format!("{tag} orders the same as {}", chosen.tag),
            )),
            Some(std::cmp::Ordering::Greater) => None,
            None if known.is_some_and(|k| k.created.is_none()) && !filter_reads_values(filter) => Some(skip(
                Reason::MissingTimestamp,
                format!("the current tag {tag} has no creation time, so a newer image cannot be told apart"),
            )),
            None => None,
        }
    }
}

/// Whether `filter` ranks by something other than creation time (a version, text or number):
/// creation times then do not matter.
fn filter_reads_values(filter: &TagFilter) -> bool {
    filter.order().reads_values()
}

/// Plan a release (DESIGN.md section 10). Pure: nothing is written.
///
/// Errors: `invalid_argument` (the spec, see [`ReleaseSpec::validate`], checked before
/// anything else), `unknown_environment`, `invalid_config` (relman.yaml), `invalid_yaml` and
/// `duplicate_resource` (the environment's files), `invalid_filter` (a tag filter annotation).
/// Per-workload problems are results, not errors.
pub fn plan_release(
    snapshot: &Snapshot,
    spec: &ReleaseSpec,
    catalog: &Catalog,
    history: &History,
    now: Timestamp,
) -> Result<ReleasePlan> {
    spec.validate()?;
    let config = snapshot.config()?;
    config.environment(&spec.environment)?;
    let index = config
        .position(&spec.environment)
        .expect("the environment was found by name");
    let kind = match spec.image {
        ImageSpec::Promote => ReleaseKind::Promotion,
        ImageSpec::Rollback => ReleaseKind::Rollback,
        ImageSpec::Observed(_) => ReleaseKind::Adopted,
        _ => ReleaseKind::Manual,
    };
    let mut context = Context::new(snapshot, &config, Some(index))?;
    plan(
        snapshot,
        &config,
        index,
        spec,
        kind,
        Run::Release,
        catalog,
        history,
        now,
        &mut context,
    )
}

/// Plan automation: for every environment, release the newest allowed image to every
/// automated, unlocked workload (DESIGN.md section 10). One plan per environment, in the
/// order of `relman.yaml`; a manual environment gives a no-op plan whose results say
/// `environment_manual`.
pub fn plan_automation(
    snapshot: &Snapshot,
    catalog: &Catalog,
    history: &History,
    now: Timestamp,
) -> Result<Vec<ReleasePlan>> {
    let config = snapshot.config()?;
    // Walk every environment once for the whole run; filters and choices are shared too.
    let mut context = Context::new(snapshot, &config, None)?;
    config
        .environments()
        .iter()
        .enumerate()
        .map(|(index, env)| {
            let spec = ReleaseSpec::new(env.name.clone());
            plan(
                snapshot,
                &config,
                index,
                &spec,
                ReleaseKind::Automated,
                Run::Automation,
                catalog,
                history,
                now,
                &mut context,
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn plan(
    snapshot: &Snapshot,
    config: &Config,
    env_index: usize,
    spec: &ReleaseSpec,
    kind: ReleaseKind,
    run: Run,
    catalog: &Catalog,
    history: &History,
    now: Timestamp,
    context: &mut Context,
) -> Result<ReleasePlan> {
    let env = &config.environments()[env_index];
    // Files other environments read: never changed by a release to this one. One lookup per
    // file in the run's index, whatever the number of environments.
    let mut arenas = environment::Arenas::default();
    let model = environment::model(
        snapshot,
        &mut arenas,
        config,
        env,
        &Others::new(&context.readers, env_index),
    )?;
    let (observed, drift_warnings) = match &spec.image {
        ImageSpec::Observed(text) => observed_drift(&model, env, text)?,
        _ => Default::default(),
    };
    let mut planner = Planner {
        config,
        env,
        catalog,
        history,
        now,
        run,
        spec,
        kind,
        mode: config.versions(),
        source: source_of(snapshot, config, env, kind)?,
        observed,
        context,
    };
    let mut decisions = model
        .workloads()
        .map(|(at, _)| planner.decide(&model, at))
        .collect::<Result<Vec<Decision<'_>>>>()?;
    let mut marker_warnings = planner.marker_warnings(&model.placed);
    marker_warnings.extend(planner.keel_warnings(&model.placed));
    // Other environments that read a kustomization this release edits are simulated, to prove
    // they render the same afterwards; only those (an environment that reads none of the
    // edited files cannot render differently).
    let mut other_models = Vec::new();
    let others = touched(&planner.context.readers, &model, &decisions, env_index);
    let mut other_arenas: Vec<environment::Arenas> = others.iter().map(|_| Default::default()).collect();
    for (other, arenas) in others.into_iter().zip(&mut other_arenas) {
        let other = &config.environments()[other];
        other_models.push((
            other.name.clone(),
            environment::model(snapshot, arenas, config, other, &Default::default())?,
        ));
    }
    let changes = placement::write(&model, &other_models, &mut decisions)?;
    let mut results: Vec<WorkloadResult> = decisions.into_iter().map(|d| d.result).collect();
    results.extend(not_found(spec, &model.placed, env));
    let commit_message = commit_message(env, kind, spec, run == Run::Automation, &results)?;
    let mut warnings = plan_warnings(model, env, history, &context.readers);
    warnings.extend(drift_warnings);
    warnings.extend(marker_warnings);
    warnings.extend(context.flux.warnings.iter().cloned());
    warnings.extend(context.argo.warnings.iter().cloned());
    Ok(ReleasePlan {
        environment: env.name.clone(),
        kind,
        results,
        changes,
        commit_message,
        warnings,
        revision: snapshot.revision().map(str::to_string),
    })
}

/// The drift of every (workload, container) of `model` against the observed text, for an
/// adoption, and what was not compared.
#[allow(clippy::type_complexity)]
fn observed_drift(
    model: &Model<'_>,
    env: &Environment,
    text: &str,
) -> Result<(HashMap<(String, String), Vec<DriftEntry>>, Vec<String>)> {
    let live = crate::manifest::live_workloads(text, &env.default_namespace, drift::OBSERVED)?;
    let report = drift::report(model, env, &live);
    let mut by_slot: HashMap<(String, String), Vec<DriftEntry>> = HashMap::new();
    for entry in report.entries {
        if entry.status != DriftStatus::NotInRepo {
            by_slot
                .entry((entry.workload.clone(), entry.container.clone()))
                .or_default()
                .push(entry);
        }
    }
    Ok((by_slot, report.warnings))
}

/// The `promoteFrom` environment of `env` with its workloads, when the promotion gate or a
/// promotion needs it; `invalid_config` for a promotion to an environment without one.
fn source_of(
    snapshot: &Snapshot,
    config: &Config,
    env: &Environment,
    kind: ReleaseKind,
) -> Result<Option<Source>> {
    match (&env.promote_from, kind) {
        // A rollback goes back to what this environment held: it needs no source (and a broken
        // source environment must not block it).
        (Some(_), ReleaseKind::Rollback) => Ok(None),
        (Some(name), _) => {
            let source_env = config.environment(name)?;
            let mut arenas = environment::Arenas::default();
            let source_model =
                environment::model(snapshot, &mut arenas, config, source_env, &Default::default())?;
            Ok(Some(Source {
                name: name.clone(),
                default_namespace: source_env.default_namespace.clone(),
                workloads: source_model.placed,
            }))
        }
        (None, ReleaseKind::Promotion) => Err(Error::new(
            ErrorKind::InvalidConfig,
            format!(
                "environment {} has no promoteFrom, so there is nothing to promote from",
                env.name
            ),
        )
        .in_file(CONFIG_FILE)),
        (None, _) => Ok(None),
    }
}

/// The other environments (indices, ascending) that read a kustomization the decided moves
/// edit.
fn touched(readers: &Readers, model: &Model<'_>, decisions: &[Decision<'_>], env_index: usize) -> Vec<usize> {
    let mut touched: Vec<usize> = decisions
        .iter()
        .filter_map(|d| d.moves.as_ref())
        .flat_map(|moves| moves.slots.iter().map(|m| &m.slot.of(model).target))
        .filter_map(|target| match target {
            environment::Target::Entry { file, .. } | environment::Target::NewEntry { file, .. } => {
                Some(readers.of(file))
            }
            _ => None,
        })
        .flatten()
        .copied()
        .filter(|&e| e != env_index)
        .collect();
    touched.sort_unstable();
    touched.dedup();
    touched
}

/// A `not_found` result for each entry of a named release that names no workload of `env`.
fn not_found(spec: &ReleaseSpec, placed: &[Placed], env: &Environment) -> Vec<WorkloadResult> {
    let Services::Named(list) = &spec.services else {
        return Vec::new();
    };
    list.iter()
        .filter(|entry| !placed.iter().any(|p| names(entry, p)))
        .map(|entry| WorkloadResult {
            workload: entry.clone(),
            status: Status::Skipped,
            reason: Some(Reason::NotFound),
            message: format!("{entry} is not in environment {}", env.name),
            updates: Vec::new(),
            skipped: Vec::new(),
            path: None,
        })
        .collect()
}

/// A plan's warnings: what the environment's files hold that relman read around (the model's
/// own warnings, then [`trust_warnings`]), the history's, environments whose walk failed, and
/// the source environment's `record_mismatch` warnings.
fn plan_warnings(model: Model<'_>, env: &Environment, history: &History, readers: &Readers) -> Vec<String> {
    let mut warnings = model.warnings;
    warnings.extend(trust_warnings(&model.placed));
    warnings.extend(history.warnings_of(&env.name).map(str::to_string));
    warnings.extend(readers.warnings.iter().cloned());
    warnings.extend(
        env.promote_from
            .iter()
            .flat_map(|source| history.warnings_of(source))
            .filter(|w| w.starts_with("record_mismatch"))
            .map(str::to_string),
    );
    warnings
}

/// The plan warnings of what relman reads in the safe direction: policies with ambiguous
/// values (`ambiguous_policy`), and slots never released because a name is not one Kubernetes
/// accepts (`invalid_name`). Names are shown escaped (`{:?}`): they may hold anything.
fn trust_warnings(placed: &[Placed]) -> Vec<String> {
    let mut out = Vec::new();
    for p in placed {
        let w = &p.workload;
        for policy in &w.policy.ambiguous {
            if w.policy.duplicated.contains(policy) {
                let what = if policy == "annotations" {
                    "metadata holds two `annotations:` mappings".to_string()
                } else {
                    format!("the annotation of `{policy}` is given twice")
                };
                out.push(format!(
                    "{}:{}: ambiguous_policy: {:?}: {what} (Kubernetes refuses the file); read as \
                     locked and not automated until one copy is removed",
                    p.path, w.line, w.id
                ));
                continue;
            }
            let (exact, read_as) = match policy.as_str() {
                "locked" => ("\"true\" or \"false\"", "read as locked"),
                "ignore" => ("\"true\", \"sync_only\" or \"false\"", "read as ignored"),
                _ => ("\"true\" or \"false\"", "read as not automated"),
            };
            out.push(format!(
                "{}:{}: ambiguous_policy: {:?}: the value of `{policy}` is not exactly {exact}; {read_as}",
                p.path, w.line, w.id
            ));
        }
        if let Some((file, key)) = &p.annotations_unread {
            out.push(format!(
                "{}:{}: policy_unread: {:?}: `{key}` in {file} can change its annotations and relman \
                 does not read it; automation treats the workload as locked",
                p.path, w.line, w.id
            ));
        }
        if let Some(slot) = p.images().find(|s| s.warning.as_deref() == Some(GENERATED_NAME)) {
            out.push(format!(
                "{}:{}: generated_name: {:?}: it has only metadata.generateName (each apply creates a new \
                 object), so it has no stable id; listed, never released",
                slot.path.as_deref().unwrap_or(&p.path),
                w.line,
                w.id
            ));
        }
        for slot in p.images().filter(|s| s.warning.as_deref() == Some(INVALID_NAME)) {
            out.push(format!(
                "{}:{}: invalid_name: {:?} container {:?}: a namespace, name, kind or container name \
                 Kubernetes would not accept (or a marker slot path relman does not write); never released",
                slot.path.as_deref().unwrap_or(&p.path),
                slot.line,
                w.id,
                slot.container
            ));
        }
    }
    out
}

/// Plan a change of policy annotations (DESIGN.md section 7) on the workloads `targets` names
/// (service names or workload ids) in `environment`: lock or unlock them, turn automation on
/// or off, set a tag filter. The edit follows the rules a release's lock follows: it goes to
/// the workload's own manifest, never to a manifest another environment reads (that workload
/// fails with `shared_file`), and a lock an overlay's `commonAnnotations` would override, or
/// one on values marked by setter comments, fails with `unsupported_yaml`.
///
/// One result per workload of the environment (`not_included` for the others, `not_found`
/// for a target that names nothing); the commit message names the change and `user`, and
/// carries no `Relman-*` trailers: no pointer moves.
///
/// Errors: `invalid_argument` (an empty or multi-line target or user), `unknown_environment`,
/// and the errors of reading the environment's files.
///
/// ```
/// use relman::release::{plan_policy, Snapshot, Status};
/// use relman::PolicyChange;
/// let users = "kind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - {name: app, image: acme/users:1.4.0}\n";
/// let snapshot = Snapshot::from_files([("users.yaml", users)])?;
/// let lock = PolicyChange::new().add("locked", "true").add("locked_msg", "1.4.1 is broken");
/// let plan = plan_policy(&snapshot, "default", &["users".to_string()], &lock, Some("alice".into()))?;
/// assert_eq!(plan.results[0].status, Status::Success);
/// assert!(plan.changes[0].after.contains("fluxcd.io/locked: \"true\""));
/// # Ok::<(), relman::Error>(())
/// ```
pub fn plan_policy(
    snapshot: &Snapshot,
    environment: &str,
    targets: &[String],
    change: &PolicyChange,
    user: Option<String>,
) -> Result<ReleasePlan> {
    let spec = ReleaseSpec::new(environment)
        .services(Services::Named(targets.to_vec()))
        .cause(user, None);
    spec.validate()?;
    let config = snapshot.config()?;
    let env = config.environment(environment)?;
    let index = config
        .position(environment)
        .expect("the environment was found by name");
    let context = Context::new(snapshot, &config, Some(index))?;
    let mut arenas = environment::Arenas::default();
    let model = environment::model(
        snapshot,
        &mut arenas,
        &config,
        env,
        &Others::new(&context.readers, index),
    )?;
    let locks = change.add.iter().any(|(k, v)| k == "locked" && v == "true");
    let mut decisions = Vec::new();
    for (at, placed) in model.workloads() {
        let named = targets.iter().any(|t| names(t, placed));
        let mut result = Planner::result(placed, Status::Success, None, "");
        let moves = if !named {
            result.status = Status::Ignored;
            result.reason = Some(Reason::NotIncluded);
            result.message = "not included in the change".to_string();
            None
        } else if let Some(why) = locks.then(|| Planner::unlockable(placed, change)).flatten() {
            result.status = Status::Failed;
            result.reason = Some(Reason::UnsupportedYaml);
            result.message = why.to_string();
            None
        } else {
            result.message = describe_change(change);
            Some(Moves {
                slots: Vec::new(),
                policy: Some(change.clone()),
            })
        };
        decisions.push(Decision::new(&model, at, result, moves));
    }
    let changes = placement::write(&model, &[], &mut decisions)?;
    let mut results: Vec<WorkloadResult> = decisions.into_iter().map(|d| d.result).collect();
    results.extend(not_found(&spec, &model.placed, env));
    let changed: Vec<&str> = results
        .iter()
        .filter(|r| r.status == Status::Success)
        .map(|r| r.workload.as_str())
        .collect();
    let subject = match changed.as_slice() {
        [one] => format!("Policy of {one} in {environment}: {}", describe_change(change)),
        many => format!(
            "Policy of {} workloads in {environment}: {}",
            many.len(),
            describe_change(change)
        ),
    };
    let mut commit_message = format!("{subject}\n\n");
    for workload in &changed {
        commit_message.push_str(&format!("- {workload}\n"));
    }
    if let Some(user) = &spec.cause.user {
        commit_message.push_str(&format!("\nBy {user}\n"));
    }
    Ok(ReleasePlan {
        environment: env.name.clone(),
        kind: ReleaseKind::Manual,
        results,
        changes,
        commit_message,
        warnings: model.warnings.clone(),
        revision: snapshot.revision().map(str::to_string),
    })
}

/// A policy change in words, on one line: `locked=true, locked_msg="..."; remove automated`.
fn describe_change(change: &PolicyChange) -> String {
    let mut parts: Vec<String> = change
        .add
        .iter()
        .map(|(k, v)| {
            let one_line: String = v.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            format!("{k}={one_line}")
        })
        .collect();
    if !change.remove.is_empty() {
        parts.push(format!("remove {}", change.remove.join(", ")));
    }
    parts.join(", ")
}

/// Plan locking (`Some(lock)`) or unlocking (`None`) the environment `environment`: the edit
/// of `relman.yaml` that [`lock_environment`](crate::config::lock_environment) or
/// [`unlock_environment`](crate::config::unlock_environment) makes (the rewrite contract:
/// only the lock's lines change), as a plan to commit like any other. The plan has no
/// results; it is a no-op when the environment already has that lock (or none).
///
/// Errors: `invalid_config` when the repo has no `relman.yaml` (the implicit environment
/// cannot be locked), `unknown_environment`, and the errors of the config edit.
///
/// ```
/// use relman::release::{plan_environment_lock, Snapshot};
/// use relman::EnvironmentLock;
/// let config = "environments:\n  production: {path: prod}\n";
/// let snapshot = Snapshot::from_files([("relman.yaml", config)])?;
/// let plan = plan_environment_lock(&snapshot, "production", Some(&EnvironmentLock::new("freeze", "carol")))?;
/// assert_eq!(plan.changes[0].path, "relman.yaml");
/// assert!(plan.changes[0].after.contains("freeze"));
/// assert!(plan.commit_message.starts_with("Lock production: freeze"));
/// # Ok::<(), relman::Error>(())
/// ```
pub fn plan_environment_lock(
    snapshot: &Snapshot,
    environment: &str,
    lock: Option<&crate::config::EnvironmentLock>,
) -> Result<ReleasePlan> {
    let Some(before) = snapshot.get(CONFIG_FILE) else {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            "the repo has no relman.yaml: its one implicit environment cannot be locked; lock workloads instead",
        ));
    };
    let config = Config::parse(before)?;
    let env = config.environment(environment)?;
    let (after, subject) = match lock {
        Some(lock) => {
            let one_line = |s: &str| {
                s.chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect::<String>()
            };
            let mut subject = format!("Lock {environment}: {}", one_line(&lock.reason));
            if let Some(until) = lock.until {
                subject.push_str(&format!(" (until {until})"));
            }
            (
                crate::config::lock_environment(before, environment, lock)?,
                subject,
            )
        }
        None => (
            crate::config::unlock_environment(before, environment)?,
            format!("Unlock {environment}"),
        ),
    };
    let mut commit_message = format!("{subject}\n");
    if let Some(lock) = lock {
        commit_message.push_str(&format!("\nBy {}\n", lock.by));
    }
    let changes = if after == before {
        Vec::new()
    } else {
        vec![FileChange::new(CONFIG_FILE, before, after)]
    };
    Ok(ReleasePlan {
        environment: env.name.clone(),
        kind: ReleaseKind::Manual,
        results: Vec::new(),
        changes,
        commit_message,
        warnings: Vec::new(),
        revision: snapshot.revision().map(str::to_string),
    })
}

/// The tag filter a release would give each slot (DESIGN.md section 16's precedence: Flux v2
/// markers and their policies, Flux v1 annotations, Keel, Argo CD Image Updater, relman.yaml),
/// for readers that show what a policy allows (`status::images`) and must not disagree with a
/// release.
pub(super) struct SlotFilters<'c> {
    context: Context,
    config: &'c Config,
}

impl<'c> SlotFilters<'c> {
    /// Read the policy objects of `snapshot` once.
    pub(super) fn new(snapshot: &Snapshot, config: &'c Config) -> Result<SlotFilters<'c>> {
        Ok(SlotFilters {
            context: Context::new(snapshot, config, None)?,
            config,
        })
    }

    /// The filter of `slot` of `placed`, as a manual release would use it.
    pub(super) fn of(&mut self, placed: &Placed, slot: &PlacedSlot) -> Result<TagFilter> {
        let Some(current) = slot.info.image_ref() else {
            return Ok(placed.service_filter.clone().unwrap_or_default());
        };
        let binding = self.context.binding(self.config, slot);
        let filter = self
            .context
            .filter_of(false, placed, &slot.info.container, binding, current)?;
        Ok(match filter {
            Ok(f) => (*f).clone(),
            Err(_) => placed.service_filter.clone().unwrap_or_default(),
        })
    }
}
