//! Release records: the `Relman-*` trailers of a release commit, and the history they form.

use serde::{Deserialize, Serialize};

use super::plan::ReleaseKind;

/// One pointer move recorded in a `Relman-Change` trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The trailer value: `prod:deployment/users app acme/users:1.3.0 -> acme/users:1.4.0`.
    pub fn to_trailer(&self) -> String {
        format!(
            "{} {} {} -> {}",
            self.workload, self.container, self.from, self.to
        )
    }

    fn parse(value: &str) -> Option<RecordedChange> {
        let mut words = value.split_whitespace();
        let (workload, container, from, arrow, to) = (
            words.next()?,
            words.next()?,
            words.next()?,
            words.next()?,
            words.next()?,
        );
        if arrow != "->" || words.next().is_some() {
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
    /// Read the trailers of a commit message. `None` when the message has no
    /// `Relman-Environment` and `Relman-Cause` trailers (an ordinary commit). Trailers are read
    /// from the last paragraph, as `git interpret-trailers` does; malformed `Relman-Change`
    /// lines are skipped.
    pub fn parse(message: &str) -> Option<ReleaseRecord> {
        let normalised = message.replace("\r\n", "\n");
        let last = normalised.trim_end().rsplit("\n\n").next()?;
        let mut environment = None;
        let mut kind = None;
        let mut record = ReleaseRecord {
            environment: String::new(),
            kind: ReleaseKind::Manual,
            user: None,
            changes: Vec::new(),
            locked: Vec::new(),
        };
        for line in last.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "Relman-Environment" => environment = Some(value.to_string()),
                "Relman-Cause" => kind = ReleaseKind::parse(value),
                "Relman-User" => record.user = Some(value.to_string()),
                "Relman-Change" => record.changes.extend(RecordedChange::parse(value)),
                "Relman-Lock" => record.locked.push(value.to_string()),
                _ => {}
            }
        }
        record.environment = environment?;
        record.kind = kind?;
        Some(record)
    }

    /// The trailer block for this record.
    pub fn trailers(&self) -> String {
        let mut out = format!(
            "Relman-Environment: {}\nRelman-Cause: {}\n",
            self.environment,
            self.kind.as_str()
        );
        if let Some(user) = &self.user {
            out.push_str(&format!("Relman-User: {user}\n"));
        }
        for change in &self.changes {
            out.push_str(&format!("Relman-Change: {}\n", change.to_trailer()));
        }
        for workload in &self.locked {
            out.push_str(&format!("Relman-Lock: {workload}\n"));
        }
        out
    }
}
