//! Releases (DESIGN.md section 10): what the registry offers ([`Catalog`]), what the repo holds
//! ([`Snapshot`]), what is asked ([`ReleaseSpec`]), what happened before ([`History`]), and the
//! planner that decides which pointers move ([`plan_release`], [`plan_automation`]); and the
//! drift of an environment against what the cluster runs ([`drift`]).

mod catalog;
mod drift;
pub(crate) mod environment;
#[cfg(any(feature = "fs", feature = "git"))]
mod file_tree;
// Without `git`, the history functions only the git adapter calls are unused.
#[cfg_attr(not(feature = "git"), allow(dead_code))]
pub(crate) mod history;
mod message;
mod placement;
mod plan;
mod planner;
mod record;
mod repositories;
mod snapshot;
mod spec;
mod status;

#[doc(hidden)]
pub use crate::work::{PlanningWork, planning_work};
pub use catalog::{Catalog, ImageInfo};
pub use drift::{DriftEntry, DriftReport, DriftStatus, drift};
pub use history::{History, HistoryEntry, HistorySource, MoveCause, PointerMove, Pointers, pointers};
pub use plan::{
    ContainerSkip, ContainerUpdate, FileChange, Reason, ReleaseKind, ReleasePlan, Status, WorkloadResult,
};
pub use planner::{plan_automation, plan_environment_lock, plan_policy, plan_release};
pub use record::{RecordedChange, ReleaseRecord};
pub use snapshot::{CONFIG_FILE, Snapshot, normalise_path};

// The seam for the storage adapters (`git`, and `Snapshot::from_dir`): how a config repo is read
// into a [`Snapshot`] whatever holds its files, and how history is computed from snapshots.
// Crate-visible, not public; the adapters use these names from here, never release's files.
#[cfg(any(feature = "fs", feature = "git"))]
pub(crate) use file_tree::{FileTree, Kind, MAX_LINKS, Name, read_snapshot};
#[cfg(feature = "git")]
pub(crate) use history::{inputs, pointers_in};
#[cfg(feature = "git")]
pub(crate) use snapshot::{skipped, utf8_text, wanted};
pub use spec::{Cause, ImageSpec, ReleaseSpec, Services};
pub use status::{
    AllowedImage, ContainerStatus, EnvironmentStatus, RepoStatus, SlotImages, WorkloadLock, WorkloadStatus,
    images, status,
};
