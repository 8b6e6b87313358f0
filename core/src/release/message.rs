//! Commit messages: a one-line summary in Flux's spirit, a body listing the changes, and the
//! `Relman-*` trailers that make the history machine-readable.

use std::collections::BTreeSet;

use super::plan::{ReleaseKind, Status, WorkloadResult};
use super::record::{RecordedChange, ReleaseRecord};
use super::spec::ReleaseSpec;
use crate::config::Environment;
use crate::error::{Error, ErrorKind, Result};

/// The commit message of a plan: summary, body (the images, then the cause message), then
/// relman's own trailer paragraph, always last. The message is read back before it is
/// returned: a record that [`ReleaseRecord::parse`] does not read back exactly (a value that
/// escaped the checks of the spec and of the names read from the repo) is an `internal` error,
/// never a commit message.
pub(crate) fn commit_message(
    env: &Environment,
    kind: ReleaseKind,
    spec: &ReleaseSpec,
    automated: bool,
    results: &[WorkloadResult],
) -> Result<String> {
    let released: Vec<&WorkloadResult> = results.iter().filter(|r| r.status == Status::Success).collect();
    let images: BTreeSet<&str> = released
        .iter()
        .flat_map(|r| r.updates.iter().map(|u| u.to.as_str()))
        .collect();
    let what = match images.len() {
        0 => String::new(),
        1 => images.iter().next().expect("one image").to_string(),
        n => format!("multiple ({n}) images"),
    };
    let name = &env.name;
    let summary = if images.is_empty() {
        format!("No changes to release in {name}")
    } else {
        match kind {
            ReleaseKind::Automated => format!("Auto-release {what}"),
            ReleaseKind::Manual => format!("Release {what} to {name}"),
            ReleaseKind::Promotion => {
                format!(
                    "Promote {what} from {} to {name}",
                    env.promote_from.as_deref().unwrap_or("?")
                )
            }
            ReleaseKind::Rollback => format!("Roll back {name} to {what}"),
            ReleaseKind::Adopted => format!("Adopt {what} running in {name}"),
        }
    };
    let mut body = String::new();
    for image in &images {
        body.push_str(&format!(" - {image}\n"));
    }
    if let Some(message) = spec.cause.message.as_deref().filter(|m| !m.trim().is_empty()) {
        if !automated {
            body.push('\n');
            body.push_str(message.trim_end());
            body.push('\n');
        }
    }
    let locks = !automated && spec.locks();
    let record = ReleaseRecord {
        environment: name.clone(),
        kind,
        user: if automated { None } else { spec.cause.user.clone() },
        changes: released
            .iter()
            .flat_map(|r| {
                r.updates.iter().map(|u| RecordedChange {
                    workload: r.workload.clone(),
                    container: u.container.clone(),
                    from: u.from.clone(),
                    to: u.to.clone(),
                })
            })
            .collect(),
        locked: if locks {
            released.iter().map(|r| r.workload.clone()).collect()
        } else {
            Vec::new()
        },
    };
    let mut out = summary;
    out.push_str("\n\n");
    if !body.is_empty() {
        out.push_str(&body);
        out.push('\n');
    }
    out.push_str(&record.trailers());
    if ReleaseRecord::parse(&out).as_ref() != Some(&record) {
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "the commit message does not read back as the record written (a value is not one \
                 line or a name is not one Kubernetes accepts): {:?}",
                record.trailers()
            ),
        ));
    }
    Ok(out)
}
