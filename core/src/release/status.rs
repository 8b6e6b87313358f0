//! The state of a config repo at a glance (DESIGN.md section 18): for every environment, its
//! workloads with the images they run, their locks, whether automation moves them and what is
//! waiting to be promoted into them ([`status`]); and, for one workload, the tags its policy
//! allows, newest first, and why the others are excluded ([`images`]).
//!
//! Both are pure functions of a snapshot (and a history, a catalog, `now`), built on the
//! planner's own model of an environment, so that what the `relman` command shows is what a
//! release would do.

use std::cmp::Ordering;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, parse_time};
use super::environment::{self, Placed};
use super::history::History;
use super::plan::{ContainerUpdate, Reason, Status};
use super::planner::plan_release;
use super::snapshot::Snapshot;
use super::spec::{ImageSpec, ReleaseSpec, Services};
use crate::config::{EnvironmentLock, ReleaseMode};
use crate::error::{Error, ErrorKind, Result};
// `policy::select` by its module: the function shares its name with policy's file.
use crate::policy::{self, ImageInfo, Rejection, compare};

/// The state of every environment of a config repo: what [`status`] returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RepoStatus {
    /// The snapshot's revision (the commit id), when it was read from git.
    pub revision: Option<String>,
    /// The environments, in the order of `relman.yaml`.
    pub environments: Vec<EnvironmentStatus>,
}

/// One environment: its release mode, lock and workloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EnvironmentStatus {
    /// The environment's name.
    pub name: String,
    /// How releases happen there.
    pub release: ReleaseMode,
    /// The environment promotions copy from (`promoteFrom`).
    pub promote_from: Option<String>,
    /// The environment lock, when one is written in `relman.yaml` (active or expired).
    pub lock: Option<EnvironmentLock>,
    /// Whether that lock is in force at `now`.
    pub locked: bool,
    /// The environment's workloads, in the order the planner reports them.
    pub workloads: Vec<WorkloadStatus>,
}

/// One workload of an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkloadStatus {
    /// `namespace:kind/name`.
    pub workload: String,
    /// The service it belongs to.
    pub service: String,
    /// The manifest file.
    pub path: String,
    /// Its image slots, in manifest order.
    pub containers: Vec<ContainerStatus>,
    /// Its lock annotation, when it has one (active or expired).
    pub lock: Option<WorkloadLock>,
    /// Whether automation would release it: an automatic environment (unless annotated
    /// `automated: "false"`), or an `automated: "true"` annotation without `relman.yaml`; never
    /// an ignored workload. A lock blocks automation too: see [`WorkloadStatus::lock`].
    pub automated: bool,
    /// Whether it is annotated `ignore`.
    pub ignored: bool,
    /// The images a promotion from `promoteFrom` would bring: empty when nothing waits (or the
    /// environment has no `promoteFrom`).
    pub waiting: Vec<ContainerUpdate>,
    /// Why the waiting images would not move with a plain `promote` (a lock, the filter...):
    /// the reason the planner gives; `None` when `promote` would move them.
    pub blocked: Option<Reason>,
    /// The blocking reason in words.
    pub blocked_message: Option<String>,
}

/// One image slot of a workload as the environment renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerStatus {
    /// The container (or HelmRelease or marker slot) name.
    pub container: String,
    /// The image as rendered.
    pub image: String,
    /// Whether relman manages the value (a valid reference it may write).
    pub managed: bool,
}

/// A workload's lock annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkloadLock {
    /// `locked_user`.
    pub by: Option<String>,
    /// `locked_msg`.
    pub reason: Option<String>,
    /// `relman.dev/locked_until`, as written.
    pub until: Option<String>,
    /// Whether the lock is in force at `now` (not past its expiry).
    pub active: bool,
}

/// The state of every environment in `snapshot` at `now`: images, locks, automation, and what
/// is waiting for promotion. `history` is the pointer history (used as a release would use
/// it; pass an empty one when there is none).
///
/// What waits in an environment with `promoteFrom` is what `promote` would move if no lock and
/// no filter stood in the way (a forced promotion of every workload, planned but never
/// committed); [`WorkloadStatus::blocked`] says what does stand in the way of a plain
/// `promote`.
///
/// Errors: as planning (`invalid_config`, `invalid_yaml`, `duplicate_resource`...).
///
/// ```
/// use relman::release::{status, History, Snapshot};
/// let config = "environments:\n  staging: {path: staging, release: automatic}\n  production: {path: production, promoteFrom: staging}\n";
/// let users = |image: &str| format!("kind: Deployment\nmetadata: {{name: users}}\nspec:\n  template:\n    spec:\n      containers:\n        - {{name: app, image: {image}}}\n");
/// let snapshot = Snapshot::from_files([
///     ("relman.yaml", config.to_string()),
///     ("staging/users.yaml", users("acme/users:1.4.0")),
///     ("production/users.yaml", users("acme/users:1.3.0")),
/// ])?;
/// let report = status(&snapshot, &History::new(), jiff::Timestamp::now())?;
/// let production = &report.environments[1];
/// assert_eq!(production.workloads[0].containers[0].image, "acme/users:1.3.0");
/// assert_eq!(production.workloads[0].waiting[0].to, "acme/users:1.4.0");
/// assert!(report.environments[0].workloads[0].automated);
/// # Ok::<(), relman::Error>(())
/// ```
pub fn status(snapshot: &Snapshot, history: &History, now: Timestamp) -> Result<RepoStatus> {
    let config = snapshot.config()?;
    let mut environments = Vec::with_capacity(config.environments().len());
    for env in config.environments() {
        let mut arenas = environment::Arenas::default();
        let model = environment::model(snapshot, &mut arenas, &config, env, &Default::default())?;
        let mut workloads: Vec<WorkloadStatus> = model
            .placed
            .iter()
            .map(|placed| workload_status(placed, env.release, now))
            .collect();
        if env.promote_from.is_some() && !workloads.is_empty() {
            waiting(snapshot, &env.name, history, now, &mut workloads)?;
        }
        environments.push(EnvironmentStatus {
            name: env.name.clone(),
            release: env.release,
            promote_from: env.promote_from.clone(),
            lock: env.lock.clone(),
            locked: env.active_lock(now).is_some(),
            workloads,
        });
    }
    Ok(RepoStatus {
        revision: snapshot.revision().map(str::to_string),
        environments,
    })
}

fn workload_status(placed: &Placed, mode: ReleaseMode, now: Timestamp) -> WorkloadStatus {
    let policy = &placed.workload.policy;
    let ignored = policy.ignore == crate::policy::Ignore::True;
    let automated = !ignored
        && match mode {
            ReleaseMode::Automatic => !policy.automated_set || policy.automated,
            ReleaseMode::Manual => false,
            ReleaseMode::Annotations => policy.automated,
        };
    let lock = policy.locked.then(|| WorkloadLock {
        by: policy.locked_user.clone(),
        reason: policy.locked_msg.clone(),
        until: policy.locked_until.clone(),
        // An expiry that does not parse is ignored by the planner: the lock stays in force.
        active: !matches!(
            policy.locked_until.as_deref().map(parse_time),
            Some(Ok(until)) if now >= until
        ),
    });
    WorkloadStatus {
        workload: placed.workload.id.clone(),
        service: placed.service.clone(),
        path: placed.path.clone(),
        containers: placed
            .images()
            .map(|slot| ContainerStatus {
                container: slot.container.clone(),
                image: slot.image().to_string(),
                managed: slot.is_managed(),
            })
            .collect(),
        lock,
        automated,
        ignored,
        waiting: Vec::new(),
        blocked: None,
        blocked_message: None,
    }
}

/// Fill in what a promotion into `environment` would move (forced, planned only) and what
/// stands in the way of a plain one.
fn waiting(
    snapshot: &Snapshot,
    environment: &str,
    history: &History,
    now: Timestamp,
    workloads: &mut [WorkloadStatus],
) -> Result<()> {
    let catalog = Catalog::new();
    let every: Vec<String> = workloads.iter().map(|w| w.workload.clone()).collect();
    let forced = ReleaseSpec::new(environment)
        .image(ImageSpec::Promote)
        .services(Services::Named(every))
        .force(true)
        .override_environment_lock(true);
    let would = plan_release(snapshot, &forced, &catalog, history, now)?;
    let plain = ReleaseSpec::new(environment).image(ImageSpec::Promote);
    let will = plan_release(snapshot, &plain, &catalog, history, now)?;
    for status in workloads.iter_mut() {
        let Some(forced) = would.results.iter().find(|r| r.workload == status.workload) else {
            continue;
        };
        if forced.updates.is_empty() {
            continue;
        }
        status.waiting = forced.updates.clone();
        if let Some(result) = will.results.iter().find(|r| r.workload == status.workload) {
            if result.status != Status::Success {
                status.blocked = result.reason.or_else(|| result.skipped.first().map(|s| s.reason));
                status.blocked_message = Some(match result.skipped.first() {
                    Some(skip) if result.reason.is_none() => skip.message.clone(),
                    _ => result.message.clone(),
                });
            }
        }
    }
    Ok(())
}

/// The tags one slot's policy allows and why the others are excluded: what [`images`] returns,
/// per slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlotImages {
    /// `namespace:kind/name`.
    pub workload: String,
    /// The container (or HelmRelease or marker slot) name.
    pub container: String,
    /// The image the slot holds now.
    pub current: String,
    /// The repository whose catalog tags were considered (normalised name); `None` for an
    /// unmanaged slot.
    pub repository: Option<String>,
    /// The tag filter in force for the slot (its annotation, else its service's, else the
    /// default).
    pub filter: String,
    /// The tags the filter allows, the one automation would choose first, then in the order
    /// the filter ranks them (highest version, or newest creation time).
    pub allowed: Vec<AllowedImage>,
    /// Every other tag of the repository, in catalog order, with why it is excluded.
    pub rejected: Vec<Rejection>,
}

/// A tag the filter allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AllowedImage {
    /// The tag, its digest and creation time as the catalog gives them.
    #[serde(flatten)]
    pub info: ImageInfo,
    /// Whether the slot holds this tag now.
    pub current: bool,
}

/// For the workload `workload` (a workload id, `kind/name` or a service name) of
/// `environment`: per image slot, the tags of `catalog` its policy allows, best first, the
/// current one marked, and why each other tag is excluded (DESIGN.md section 8).
///
/// Errors: `unknown_environment`; `workload_not_found` when nothing in the environment is
/// named so; `invalid_filter` for a malformed filter annotation; the errors of planning.
///
/// ```
/// use relman::release::{images, Catalog, ImageInfo, Snapshot};
/// let users = "kind: Deployment\nmetadata:\n  name: users\n  annotations: {fluxcd.io/tag.app: \"semver:~1.4\"}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: app, image: acme/users:1.4.0}\n";
/// let snapshot = Snapshot::from_files([("users.yaml", users)])?;
/// let mut catalog = Catalog::new();
/// for tag in ["1.4.0", "1.4.2", "1.5.0"] {
///     catalog.add("acme/users", ImageInfo::new(tag))?;
/// }
/// let slots = images(&snapshot, "default", "deployment/users", &catalog, jiff::Timestamp::now())?;
/// let allowed: Vec<_> = slots[0].allowed.iter().map(|a| (a.info.tag.as_str(), a.current)).collect();
/// assert_eq!(allowed, [("1.4.2", false), ("1.4.0", true)]);
/// assert_eq!(slots[0].rejected[0].tag, "1.5.0");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn images(
    snapshot: &Snapshot,
    environment: &str,
    workload: &str,
    catalog: &Catalog,
    now: Timestamp,
) -> Result<Vec<SlotImages>> {
    let config = snapshot.config()?;
    let env = config.environment(environment)?;
    let mode = config.versions();
    let mut arenas = environment::Arenas::default();
    let model = environment::model(snapshot, &mut arenas, &config, env, &Default::default())?;
    let found: Vec<&Placed> = model
        .placed
        .iter()
        .filter(|p| super::planner::names(workload, p))
        .collect();
    if found.is_empty() {
        return Err(Error::new(
            ErrorKind::WorkloadNotFound,
            format!("no workload or service `{workload}` in environment {environment}"),
        ));
    }
    let mut out = Vec::new();
    let mut filters = super::planner::SlotFilters::new(snapshot, &config)?;
    for placed in found {
        for placed_slot in &placed.slots {
            let slot = &placed_slot.info;
            let filter = filters.of(placed, placed_slot)?;
            let Some(current) = slot.image_ref() else {
                out.push(SlotImages {
                    workload: placed.workload.id.clone(),
                    container: slot.container.clone(),
                    current: slot.image().to_string(),
                    repository: None,
                    filter: filter.to_string(),
                    allowed: Vec::new(),
                    rejected: Vec::new(),
                });
                continue;
            };
            let repository = current.name();
            let tags = catalog.images_named(&repository);
            let mut allowed: Vec<&ImageInfo> = Vec::new();
            let mut rejected = Vec::new();
            // Each tag on its own through the same selection the planner uses: chosen alone
            // means the filter allows it, else the rejection says why.
            for info in tags {
                let alone = policy::select(&filter, mode, std::slice::from_ref(info), now);
                match alone.chosen {
                    Some(_) => allowed.push(info),
                    None => rejected.extend(alone.rejected),
                }
            }
            allowed.sort_by(|a, b| compare(&filter, mode, b, a).unwrap_or(Ordering::Equal));
            let current_tag = current.tag();
            out.push(SlotImages {
                workload: placed.workload.id.clone(),
                container: slot.container.clone(),
                current: slot.image().to_string(),
                repository: Some(repository),
                filter: filter.to_string(),
                allowed: allowed
                    .into_iter()
                    .map(|info| AllowedImage {
                        current: current_tag == Some(info.tag.as_str()),
                        info: info.clone(),
                    })
                    .collect(),
                rejected,
            });
        }
    }
    Ok(out)
}
