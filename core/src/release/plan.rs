//! What a planner returns: one result per workload, the file changes and the commit message.

use serde::{Deserialize, Serialize};

crate::vocabulary::wire_enum! {
/// The outcome of one workload.
pub enum Status {
    /// At least one of its images moves.
    Success = "success",
    /// It was considered and nothing moves, for the reason given.
    Skipped = "skipped",
    /// It was not considered (not included, excluded, ignored, a different image).
    Ignored = "ignored",
    /// Its change could not be made (for example YAML relman refuses to edit).
    Failed = "failed",
}
}

crate::vocabulary::wire_enum! {
/// Why a workload did not move (or, for `lock_expired`, a note on a success).
#[non_exhaustive]
pub enum Reason {
    /// Not among the services the release names.
    NotIncluded = "not_included",
    /// In the release's exclude list.
    Excluded = "excluded",
    /// Annotated `ignore`.
    Ignored = "ignored",
    /// The workload is locked.
    Locked = "locked",
    /// The environment is locked.
    EnvironmentLocked = "environment_locked",
    /// A lock had expired and no longer blocks (informational).
    LockExpired = "lock_expired",
    /// A named service or workload is not in the environment.
    NotFound = "not_found",
    /// The workload does not run the released image's repository.
    DifferentImage = "different_image",
    /// It already runs the target image.
    UpToDate = "up_to_date",
    /// The catalog has no image the filter allows.
    NoMatchingImage = "no_matching_image",
    /// The requested image is outside the container's tag filter.
    OutsideFilter = "outside_filter",
    /// Automation never moves a pointer down.
    WouldDowngrade = "would_downgrade",
    /// A glob/regex ordering needs creation times the catalog lacks.
    MissingTimestamp = "missing_timestamp",
    /// A glob/regex ordering found only creation times later than now (plus the clock-skew
    /// allowance), or the current tag's is: a registry clock ahead must not pin automation.
    FutureTimestamp = "future_timestamp",
    /// The slot pins a digest and the catalog has none for the new tag.
    MissingDigest = "missing_digest",
    /// Automation is off for the workload.
    NotAutomated = "not_automated",
    /// Automation does not release into a manual environment.
    EnvironmentManual = "environment_manual",
    /// The image never ran in the `promoteFrom` environment.
    NotPromoted = "not_promoted",
    /// Rollback found no earlier pointer in the history.
    NoPreviousRelease = "no_previous_release",
    /// A promotion found several workloads of the source environment it could copy from.
    AmbiguousSource = "ambiguous_source",
    /// The YAML holding the image is a construct relman refuses to edit.
    UnsupportedYaml = "unsupported_yaml",
    /// The pointer (or the lock) could only be written in a file another environment also
    /// reads, or would also move another workload's image.
    SharedFile = "shared_file",
}
}

/// One image pointer that moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerUpdate {
    /// The container (or HelmRelease slot) name.
    pub container: String,
    /// The image before.
    pub from: String,
    /// The image after.
    pub to: String,
}

/// Why one container of a workload did not move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerSkip {
    /// The container (or HelmRelease slot) name.
    pub container: String,
    /// Why.
    pub reason: Reason,
    /// In words.
    pub message: String,
}

/// The outcome for one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkloadResult {
    /// `namespace:kind/name`, or the name given when it was not found.
    pub workload: String,
    /// The outcome.
    pub status: Status,
    /// Why, for every status but a plain success.
    pub reason: Option<Reason>,
    /// In words.
    pub message: String,
    /// The pointers that move.
    pub updates: Vec<ContainerUpdate>,
    /// The containers that do not move, each with its reason.
    pub skipped: Vec<ContainerSkip>,
    /// The file the workload is defined in.
    pub path: Option<String>,
}

/// One file that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileChange {
    /// Repo-relative path.
    pub path: String,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
}

impl FileChange {
    /// The change of the file at `path` from `before` to `after`.
    pub fn new(path: impl Into<String>, before: impl Into<String>, after: impl Into<String>) -> FileChange {
        FileChange {
            path: path.into(),
            before: before.into(),
            after: after.into(),
        }
    }
}

crate::vocabulary::wire_enum! {
/// Why the release happens, as recorded in the `Relman-Cause` trailer.
pub enum ReleaseKind {
    /// An explicit release.
    Manual = "manual",
    /// Automation.
    Automated = "automated",
    /// A promotion from the `promoteFrom` environment.
    Promotion = "promotion",
    /// A rollback.
    Rollback = "rollback",
    /// Adopting what the cluster runs (image `observed`): an out-of-band `kubectl set image` or
    /// `rollout undo` written back into the repo.
    Adopted = "adopted",
}
}

/// A planned release: nothing is written until the caller commits `changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReleasePlan {
    /// The environment released into.
    pub environment: String,
    /// Why.
    pub kind: ReleaseKind,
    /// One result per workload of the environment (and per named workload not found).
    pub results: Vec<WorkloadResult>,
    /// The files that change, sorted by path.
    pub changes: Vec<FileChange>,
    /// The commit message, with `Relman-*` trailers.
    pub commit_message: String,
    /// What relman read around rather than through, such as a remote kustomize resource or
    /// a `patches:` key that may change images.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The [`revision`](super::Snapshot::revision) of the snapshot the plan was made on, when
    /// it has one: `git::Repository::commit` refuses (`conflict`) to commit the plan on any
    /// other commit, so that a plan made before a lock, a gate or a file changed elsewhere is
    /// re-planned rather than replayed.
    #[serde(default)]
    pub revision: Option<String>,
}

impl ReleasePlan {
    /// Whether the plan changes nothing.
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty()
    }

    /// The plan as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a plan always serialises")
    }
}
