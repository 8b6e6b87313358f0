//! Commit messages: a one-line summary in Flux's spirit, a body listing the changes, and the
//! `Relman-*` trailers that make the history machine-readable.

use super::plan::{ReleaseKind, Status, WorkloadResult};
use super::record::{RecordView, RecordedChange, ReleaseRecord, write_trailers};
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
    // Sorted, each once.
    let mut images: Vec<&str> = released
        .iter()
        .flat_map(|r| r.updates.iter().map(|u| u.to.as_str()))
        .collect();
    images.sort_unstable();
    images.dedup();
    let what = match images.len() {
        0 => String::new(),
        1 => images[0].to_string(),
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
        for piece in [" - ", *image, "\n"] {
            body.push_str(piece);
        }
    }
    if let Some(message) = spec.cause.message.as_deref().filter(|m| !m.trim().is_empty()) {
        if !automated {
            body.push('\n');
            body.push_str(message.trim_end());
            body.push('\n');
        }
    }
    let locks = !automated && spec.locks();
    let user = if automated {
        None
    } else {
        spec.cause.user.as_deref()
    };
    // The record, borrowed from the results: written, then compared with what the message
    // reads back as, without an owned copy of either.
    let changes = || {
        released.iter().flat_map(|r| {
            r.updates
                .iter()
                .map(|u| [r.workload.as_str(), &u.container, &u.from, &u.to])
        })
    };
    let locked = || {
        released
            .iter()
            .filter(move |_| locks)
            .map(|r| r.workload.as_str())
    };
    let mut out = summary;
    out.push_str("\n\n");
    if !body.is_empty() {
        out.push_str(&body);
        out.push('\n');
    }
    let trailers_at = out.len();
    // The trailer paragraph is most of a large release's message: sized once (each line is
    // its key, `: `, its words and their spaces, `->` and the line end).
    let size = changes()
        .map(|words| words.iter().map(|w| w.len() + 1).sum::<usize>() + "Relman-Change: -> ".len() + 1)
        .chain(locked().map(|w| "Relman-Lock: ".len() + w.len() + 1))
        .sum::<usize>()
        + 64
        + name.len()
        + user.map_or(0, str::len);
    out.reserve(size);
    write_trailers(&mut out, name, kind, user, changes(), locked());
    let reads_back = if out.contains('\r') && out.contains("\r\n") {
        // The owned parse turns CRLF into LF first (a cause message may hold one): compare as
        // it reads.
        let record = ReleaseRecord {
            environment: name.clone(),
            kind,
            user: user.map(str::to_string),
            changes: changes()
                .map(|[workload, container, from, to]| RecordedChange::new(workload, container, from, to))
                .collect(),
            locked: locked().map(str::to_string).collect(),
        };
        ReleaseRecord::parse(&out).as_ref() == Some(&record)
    } else {
        RecordView::parse(&out).is_some_and(|view| {
            view.environment == name.as_str()
                && view.kind == kind
                && view.user == user
                && view.changes.iter().copied().eq(changes())
                && view.locked.iter().copied().eq(locked())
        })
    };
    if !reads_back {
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "the commit message does not read back as the record written (a value is not one \
                 line or a name is not one Kubernetes accepts): {:?}",
                &out[trailers_at..]
            ),
        ));
    }
    Ok(out)
}
