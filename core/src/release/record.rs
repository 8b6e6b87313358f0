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
    /// image references as written, and `->` between them. Anything else is `None`.
    ///
    /// `images` remembers the references already found valid in the same message: a release of
    /// many workloads names the same few images again and again, and each is parsed once.
    fn parse<'m>(value: &'m str, images: &mut HashSet<&'m str>) -> Option<RecordedChange> {
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
        if !(names::is_workload_id(workload) && names::is_slot_name(container) && image(from) && image(to)) {
            return None;
        }
        Some(RecordedChange {
            workload: workload.to_string(),
            container: container.to_string(),
            from: from.to_string(),
            to: to.to_string(),
        })
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
        let message = if message.contains("\r\n") {
            normalised = message.replace("\r\n", "\n");
            normalised.as_str()
        } else {
            message
        };
        let (_, last) = message.trim_end_matches('\n').rsplit_once("\n\n")?;
        let mut lines = last.split('\n').peekable();
        let mut take = |key: &str| -> Option<&str> {
            let line: &str = lines.peek()?;
            let value = line.strip_prefix(key)?.strip_prefix(": ")?;
            lines.next();
            Some(value)
        };
        let environment = take("Relman-Environment").filter(|v| names::is_environment_name(v))?;
        let kind = <ReleaseKind as crate::vocabulary::Wire>::from_code(take("Relman-Cause")?)?;
        let user = match take("Relman-User") {
            Some(user) if names::is_trailer_value(user) => Some(user.to_string()),
            Some(_) => return None,
            None => None,
        };
        let mut changes = Vec::new();
        let mut images = HashSet::new();
        while let Some(value) = take("Relman-Change") {
            changes.push(RecordedChange::parse(value, &mut images)?);
        }
        let mut locked = Vec::new();
        while let Some(value) = take("Relman-Lock") {
            if !names::is_workload_id(value) {
                return None;
            }
            locked.push(value.to_string());
        }
        if lines.next().is_some() {
            return None;
        }
        Some(ReleaseRecord {
            environment: environment.to_string(),
            kind,
            user,
            changes,
            locked,
        })
    }

    /// The trailer block for this record. For a record [`ReleaseRecord::parse`] returned, or one
    /// relman planned, parsing a message that ends with this block reads the record back.
    pub fn trailers(&self) -> String {
        let mut out = String::new();
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
        line("Relman-Environment", &[&self.environment]);
        line("Relman-Cause", &[self.kind.code()]);
        if let Some(user) = &self.user {
            line("Relman-User", &[user]);
        }
        for c in &self.changes {
            line(
                "Relman-Change",
                &[&c.workload, &c.container, &c.from, "->", &c.to],
            );
        }
        for workload in &self.locked {
            line("Relman-Lock", &[workload]);
        }
        out
    }
}
