//! Releases (DESIGN.md section 10): what the registry offers ([`Catalog`]), what the repo holds
//! ([`Snapshot`]), what is asked ([`ReleaseSpec`]), what happened before ([`History`]), and the
//! planner that decides which pointers move ([`plan_release`], [`plan_automation`]).

mod catalog;
pub(crate) mod environment;
#[cfg(any(feature = "fs", feature = "git"))]
pub(crate) mod file_tree;
pub(crate) mod history;
mod message;
mod placement;
mod plan;
mod planner;
mod record;
mod snapshot;
mod spec;

#[doc(hidden)]
pub use crate::work::{PlanningWork, planning_work};
pub use catalog::{Catalog, ImageInfo};
pub use history::{History, HistoryEntry, HistorySource, MoveCause, PointerMove, Pointers, pointers};
pub use plan::{
    ContainerSkip, ContainerUpdate, FileChange, Reason, ReleaseKind, ReleasePlan, Status, WorkloadResult,
};
pub use planner::{plan_automation, plan_release};
pub use record::{RecordedChange, ReleaseRecord};
pub use snapshot::{CONFIG_FILE, Snapshot, normalise_path};
#[cfg(feature = "git")]
pub(crate) use snapshot::{skipped, utf8_text, wanted};
pub use spec::{Cause, ImageSpec, ReleaseSpec, Services};
