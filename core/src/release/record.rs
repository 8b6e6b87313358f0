//! Release records: the `Relman-*` trailers of a release commit, and the history they form.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::plan::ReleaseKind;
use crate::image::ImageRef;
use crate::names;

/// One pointer move recorded in a `Relman-Change` trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedChange {
    /// `namespace:kind/name`.
    pub workload: String,
    /// Container (or HelmRelease slot) name.
    pub container: String,
    /// The image before.
    pub from: String,
    /// The image after.
    pub to: String,
}

impl RecordedChange {
    /// The move of `workload`'s `container` from the image `from` to `to`.
    pub fn new(
        workload: impl Into<String>,
        container: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> RecordedChange {
        RecordedChange {
            workload: workload.into(),
            container: container.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    /// The trailer value: `prod:deployment/users app acme/users:1.3.0 -> acme/users:1.4.0`.
    pub fn to_trailer(&self) -> String {
        format!(
            "{} {} {} -> {}",
            self.workload, self.container, self.from, self.to
        )
    }

    /// Read a trailer value written by [`RecordedChange::to_trailer`]: five words separated by
    /// single spaces, a workload id (`namespace:kind/name`, Kubernetes names), a slot name, two
    /// image references as written, and `->` between them. Anything else is `None`. The
    /// words are borrowed: `[workload, container, from, to]`.
    ///
    /// `images` remembers the references already found valid in the same message: a release of
    /// many workloads names the same few images again and again, and each is parsed once.
    /// `workload` is the last workload id found valid: a release of many containers names
    /// each workload once per container, in a row.
    fn parse<'m>(
        value: &'m str,
        images: &mut HashSet<&'m str>,
        workload_ok: &mut Option<&'m str>,
    ) -> Option<[&'m str; 4]> {
        let mut words = value.split(' ');
        let (Some(workload), Some(container), Some(from), Some("->"), Some(to), None) = (
            words.next(),
            words.next(),
            words.next(),
            words.next(),
            words.next(),
            words.next(),
        ) else {
            return None;
        };
        let mut image = |text: &'m str| {
            images.contains(text)
                || (ImageRef::parse(text).is_ok_and(|r| r.as_str() == text) && images.insert(text))
        };
        let valid_workload = *workload_ok == Some(workload) || names::is_workload_id(workload);
        if !(valid_workload && names::is_slot_name(container) && image(from) && image(to)) {
            return None;
        }
        *workload_ok = Some(workload);
        Some([workload, container, from, to])
    }
}

/// A release record as read from a message, borrowing it ([`ReleaseRecord::parse`] without
/// a copy of each value): for the planner's read-back check of the message it writes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RecordView<'m> {
    pub environment: &'m str,
    pub kind: ReleaseKind,
    pub user: Option<&'m str>,
    /// `[workload, container, from, to]` of each `Relman-Change`.
    pub changes: Vec<[&'m str; 4]>,
    pub locked: Vec<&'m str>,
}

impl<'m> RecordView<'m> {
    /// [`ReleaseRecord::parse`] of a message as it is: without the owned parse's first step,
    /// which turns CRLF line ends into LF.
    pub(crate) fn parse(message: &'m str) -> Option<RecordView<'m>> {
        let last = last_paragraph(message.trim_end_matches('\n'))?;
        let mut lines = last.split('\n').peekable();
        let mut take = |key: &str| -> Option<&'m str> {
            let line: &str = lines.peek()?;
            let value = line.strip_prefix(key)?.strip_prefix(": ")?;
            lines.next();
            Some(value)
        };
        let environment = take("Relman-Environment").filter(|v| names::is_environment_name(v))?;
        let kind = <ReleaseKind as crate::vocabulary::Wire>::from_code(take("Relman-Cause")?)?;
        let user = match take("Relman-User") {
            Some(user) if names::is_trailer_value(user) => Some(user),
            Some(_) => return None,
            None => None,
        };
        let mut changes = Vec::new();
        let mut images = HashSet::new();
        let mut workload_ok = None;
        while let Some(value) = take("Relman-Change") {
            changes.push(RecordedChange::parse(value, &mut images, &mut workload_ok)?);
        }
        let mut locked = Vec::new();
        while let Some(value) = take("Relman-Lock") {
            if !names::is_workload_id(value) {
                return None;
            }
            locked.push(value);
        }
        if lines.next().is_some() {
            return None;
        }
        Some(RecordView {
            environment,
            kind,
            user,
            changes,
            locked,
        })
    }
}

/// What follows the last blank line of `text` (`text.rsplit_once("\n\n")`'s second half),
/// found line end by line end from the back: a release's trailer paragraph is most of its
/// message, one line per change.
fn last_paragraph(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while let Some(i) = memchr::memrchr(b'\n', &bytes[..end]) {
        if i > 0 && bytes[i - 1] == b'\n' {
            return Some(&text[i + 1..]);
        }
        end = i;
    }
    None
}

/// Append the trailer block of a record to `out` (see [`ReleaseRecord::trailers`]).
pub(crate) fn write_trailers<'r>(
    out: &mut String,
    environment: &str,
    kind: ReleaseKind,
    user: Option<&str>,
    changes: impl Iterator<Item = [&'r str; 4]>,
    locked: impl Iterator<Item = &'r str>,
) {
    let mut line = |key: &str, words: &[&str]| {
        out.push_str(key);
        out.push_str(": ");
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
        out.push('\n');
    };
    line("Relman-Environment", &[environment]);
    line("Relman-Cause", &[kind.code()]);
    if let Some(user) = user {
        line("Relman-User", &[user]);
    }
    for [workload, container, from, to] in changes {
        line("Relman-Change", &[workload, container, from, "->", to]);
    }
    for workload in locked {
        line("Relman-Lock", &[workload]);
    }
}

/// The machine-readable part of a release commit.
///
/// ```
/// use relman::release::ReleaseRecord;
/// let message = "Release acme/users:1.4.0 to production\n\n\
///     Relman-Environment: production\n\
///     Relman-Cause: manual\n\
///     Relman-User: alice <alice@example.com>\n\
///     Relman-Change: prod:deployment/users app acme/users:1.3.0 -> acme/users:1.4.0\n";
/// let record = ReleaseRecord::parse(message).unwrap();
/// assert_eq!(record.environment, "production");
/// assert_eq!(record.changes[0].to, "acme/users:1.4.0");
/// assert!(ReleaseRecord::parse("Fix a typo").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReleaseRecord {
    /// `Relman-Environment`.
    pub environment: String,
    /// `Relman-Cause`.
    pub kind: ReleaseKind,
    /// `Relman-User`, when given.
    pub user: Option<String>,
    /// Every `Relman-Change`.
    pub changes: Vec<RecordedChange>,
    /// Every `Relman-Lock`: workloads locked by this release.
    pub locked: Vec<String>,
}

impl ReleaseRecord {
    /// A record of a release of `kind` into `environment` with no user, change or lock yet
    /// (the fields are public: push changes and locks onto it).
    pub fn new(environment: impl Into<String>, kind: ReleaseKind) -> ReleaseRecord {
        ReleaseRecord {
            environment: environment.into(),
            kind,
            user: None,
            changes: Vec::new(),
            locked: Vec::new(),
        }
    }

    /// Read the trailers of a commit message written by relman. Strict: a record is exactly
    /// the format relman writes, so that no other commit can pass for a release. The message's
    /// last paragraph (after its last blank line; line ends LF, or CRLF throughout) must consist
    /// only of these lines, in this order, each `Key: value` with one space:
    ///
    /// - `Relman-Environment:` an environment name of `relman.yaml`;
    /// - `Relman-Cause:` `manual`, `automated`, `promotion` or `rollback`;
    /// - at most one `Relman-User:` (one line, not empty, not padded with whitespace);
    /// - any number of `Relman-Change: <workload> <slot> <from> -> <to>` (workload ids and slot
    ///   names Kubernetes would accept, image references as written);
    /// - any number of `Relman-Lock: <workload>`.
    ///
    /// Anything else (another line in the paragraph, a continuation line, a repeated or
    /// misplaced key, a malformed value, trailers with nothing before them) gives `None`: the
    /// commit is not a release record.
    pub fn parse(message: &str) -> Option<ReleaseRecord> {
        let normalised;
        let message = if message.contains('\r') && message.contains("\r\n") {
            normalised = message.replace("\r\n", "\n");
            normalised.as_str()
        } else {
            message
        };
        let view = RecordView::parse(message)?;
        Some(ReleaseRecord {
            environment: view.environment.to_string(),
            kind: view.kind,
            user: view.user.map(str::to_string),
            changes: view
                .changes
                .into_iter()
                .map(|[workload, container, from, to]| RecordedChange::new(workload, container, from, to))
                .collect(),
            locked: view.locked.into_iter().map(str::to_string).collect(),
        })
    }

    /// The trailer block for this record. For a record [`ReleaseRecord::parse`] returned, or one
    /// relman planned, parsing a message that ends with this block reads the record back.
    pub fn trailers(&self) -> String {
        let mut out = String::new();
        write_trailers(
            &mut out,
            &self.environment,
            self.kind,
            self.user.as_deref(),
            self.changes
                .iter()
                .map(|c| [c.workload.as_str(), &c.container, &c.from, &c.to]),
            self.locked.iter().map(String::as_str),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::last_paragraph;

    /// The same split as `rsplit_once("\n\n")`, on the edge cases of blank lines.
    #[test]
    fn last_paragraph_is_rsplit_once() {
        for text in [
            "",
            "\n",
            "\n\n",
            "\n\n\n",
            "a",
            "a\nb",
            "a\n\nb",
            "a\n\n\nb",
            "a\n\nb\n\nc\nd",
            "\n\na",
            "a\n\n",
            "a\n\n\n",
            "x\r\n\r\ny",
            "é\n\nü\nß",
        ] {
            assert_eq!(
                last_paragraph(text),
                text.rsplit_once("\n\n").map(|(_, l)| l),
                "{text:?}"
            );
        }
    }
}
