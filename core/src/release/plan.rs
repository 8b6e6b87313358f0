//! What a planner returns: one result per workload, the file changes and the commit message.

use serde::{Deserialize, Serialize};

/// The outcome of one workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// At least one of its images moves.
    Success,
    /// It was considered and nothing moves, for the reason given.
    Skipped,
    /// It was not considered (not included, excluded, ignored, a different image).
    Ignored,
    /// Its change could not be made (for example YAML relman refuses to edit).
    Failed,
}

/// Why a workload did not move (or, for `lock_expired`, a note on a success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// Not among the services the release names.
    NotIncluded,
    /// In the release's exclude list.
    Excluded,
    /// Annotated `ignore`.
    Ignored,
    /// The workload is locked.
    Locked,
    /// The environment is locked.
    EnvironmentLocked,
    /// A lock had expired and no longer blocks (informational).
    LockExpired,
    /// A named service or workload is not in the environment.
    NotFound,
    /// The workload does not run the released image's repository.
    DifferentImage,
    /// It already runs the target image.
    UpToDate,
    /// The catalog has no image the filter allows.
    NoMatchingImage,
    /// The requested image is outside the container's tag filter.
    OutsideFilter,
    /// Automation never moves a pointer down.
    WouldDowngrade,
    /// A glob/regex ordering needs creation times the catalog lacks.
    MissingTimestamp,
    /// A glob/regex ordering found only creation times later than now (plus the clock-skew
    /// allowance), or the current tag's is: a registry clock ahead must not pin automation.
    FutureTimestamp,
    /// The slot pins a digest and the catalog has none for the new tag.
    MissingDigest,
    /// Automation is off for the workload.
    NotAutomated,
    /// Automation does not release into a manual environment.
    EnvironmentManual,
    /// The image never ran in the `promoteFrom` environment.
    NotPromoted,
    /// Rollback found no earlier pointer in the history.
    NoPreviousRelease,
    /// A promotion found several workloads of the source environment it could copy from.
    AmbiguousSource,
    /// The YAML holding the image is a construct relman refuses to edit.
    UnsupportedYaml,
    /// The pointer (or the lock) could only be written in a file another environment also
    /// reads, or would also move another workload's image.
    SharedFile,
}

impl Reason {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::NotIncluded => "not_included",
            Reason::Excluded => "excluded",
            Reason::Ignored => "ignored",
            Reason::Locked => "locked",
            Reason::EnvironmentLocked => "environment_locked",
            Reason::LockExpired => "lock_expired",
            Reason::NotFound => "not_found",
            Reason::DifferentImage => "different_image",
            Reason::UpToDate => "up_to_date",
            Reason::NoMatchingImage => "no_matching_image",
            Reason::OutsideFilter => "outside_filter",
            Reason::WouldDowngrade => "would_downgrade",
            Reason::MissingTimestamp => "missing_timestamp",
            Reason::FutureTimestamp => "future_timestamp",
            Reason::MissingDigest => "missing_digest",
            Reason::NotAutomated => "not_automated",
            Reason::EnvironmentManual => "environment_manual",
            Reason::NotPromoted => "not_promoted",
            Reason::NoPreviousRelease => "no_previous_release",
            Reason::AmbiguousSource => "ambiguous_source",
            Reason::UnsupportedYaml => "unsupported_yaml",
            Reason::SharedFile => "shared_file",
        }
    }
}

/// One image pointer that moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct FileChange {
    /// Repo-relative path.
    pub path: String,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
}

/// Why the release happens, as recorded in the `Relman-Cause` trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseKind {
    /// An explicit release.
    Manual,
    /// Automation.
    Automated,
    /// A promotion from the `promoteFrom` environment.
    Promotion,
    /// A rollback.
    Rollback,
}

impl ReleaseKind {
    /// The trailer value.
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseKind::Manual => "manual",
            ReleaseKind::Automated => "automated",
            ReleaseKind::Promotion => "promotion",
            ReleaseKind::Rollback => "rollback",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<ReleaseKind> {
        Some(match s {
            "manual" => ReleaseKind::Manual,
            "automated" => ReleaseKind::Automated,
            "promotion" => ReleaseKind::Promotion,
            "rollback" => ReleaseKind::Rollback,
            _ => return None,
        })
    }
}

/// A planned release: nothing is written until the caller commits `changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
