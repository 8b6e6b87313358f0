//! What goes wrong, as the command reports it: a stable snake_case code (core's, or one of the
//! few the command adds), a one-line message, where (file:line:column) when known, and a hint.

use std::fmt;

/// Codes the command adds to core's (`relman::ErrorKind`): about the command's own I/O.
pub mod code {
    /// The folder is no git repository and holds no `relman.yaml`.
    pub const NOT_A_CONFIG_REPO: &str = "not_a_config_repo";
    /// The user's `git` failed (`git add`, `git commit`, `git push`), or is missing.
    pub const GIT_FAILED: &str = "git_failed";
    /// A file could not be read or written.
    pub const IO_ERROR: &str = "io_error";
    /// `--push` was refused by the remote (it moved: fetch, then run the command again).
    pub const PUSH_REJECTED: &str = "push_rejected";
}

/// A failure of the command: printed on one line to standard error, exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code.
    pub code: String,
    /// What went wrong, on one line.
    pub message: String,
    /// `file:line:column` (or `file`) when known.
    pub location: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with `code` and `message`, and the hint known for the code.
    pub fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: one_line(&message.into()),
            location: None,
            hint: hint_for(code).map(str::to_string),
        }
    }

    /// This failure with another hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(one_line(&hint.into()));
        self
    }

    /// This failure located at `location`.
    pub fn at(mut self, location: impl Into<String>) -> Failure {
        self.location = Some(location.into());
        self
    }

    /// An I/O failure on `path`.
    pub fn io(path: &std::path::Path, what: &str, err: std::io::Error) -> Failure {
        Failure::new(code::IO_ERROR, format!("cannot {what} {}: {err}", path.display()))
    }
}

impl From<relman::Error> for Failure {
    fn from(err: relman::Error) -> Failure {
        let mut failure = Failure::new(err.code(), err.message());
        if let Some(location) = err.location() {
            let mut at = location.path.clone().unwrap_or_default();
            if location.line > 0 {
                if !at.is_empty() {
                    at.push(':');
                }
                at.push_str(&format!("{}:{}", location.line, location.column));
            }
            if !at.is_empty() {
                failure.location = Some(at);
            }
        }
        if let Some(head) = err.actual_head() {
            failure.message = format!("{} (the branch is now at {head})", failure.message);
        }
        failure
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]", self.code)?;
        if let Some(at) = &self.location {
            write!(f, " {at}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// `text` on one line: line breaks and other control characters become spaces.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
}

/// The hint printed with a code.
fn hint_for(code: &str) -> Option<&'static str> {
    Some(match code {
        code::NOT_A_CONFIG_REPO => {
            "run relman inside a config repo (a git repository, or a folder with relman.yaml), or pass --repo PATH"
        }
        code::GIT_FAILED => {
            "run the git command shown yourself to see why; the files are left as relman wrote them"
        }
        code::PUSH_REJECTED => {
            "the remote moved: pull (or fetch) and run the command again; relman never forces a push"
        }
        "unknown_environment" => "`relman status` lists the environments of relman.yaml",
        "workload_not_found" => "`relman list --env ENV` lists the workloads and services of an environment",
        "conflict" => {
            "another writer kept moving the branch; run the command again (it re-plans on the new head)"
        }
        "branch_checked_out" => "run relman in that work tree (it edits the files), or on a bare clone",
        "invalid_config" => "fix relman.yaml at the place shown",
        "invalid_yaml" | "unsupported_yaml" | "duplicate_resource" => "fix the manifest at the place shown",
        "invalid_filter" => "see the filter syntax: glob:, regex:, semver: (README, Tag filters)",
        "invalid_catalog" => {
            "the catalog is JSON: {\"repository\": [{\"tag\": ..., \"digest\": ..., \"created\": ...}]}"
        }
        "invalid_argument" => "see `relman <command> --help`",
        "not_found" => "check the branch or revision name",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_code_location_message_and_hint_on_one_line() {
        let err = relman::Error::new(relman::ErrorKind::InvalidConfig, "bad\nthing")
            .in_file("relman.yaml")
            .at(3, 5);
        let text = Failure::from(err).to_string();
        assert_eq!(
            text,
            "error[invalid_config] relman.yaml:3:5: bad thing (hint: fix relman.yaml at the place shown)"
        );
        assert!(!text.contains('\n'));
    }
}
