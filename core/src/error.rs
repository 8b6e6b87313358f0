//! The error type shared by every relman operation.
//!
//! An [`Error`] is opaque: it carries an [`ErrorKind`] whose [`ErrorKind::code`] is a stable
//! snake_case string (the same on the Rust, Python and Node surfaces), a human message, and,
//! where known, the [`Location`] of the offending node.

use std::fmt;

crate::vocabulary::wire_enum! {
/// The category of an [`Error`]. Each kind has a stable code, see [`ErrorKind::code`].
#[non_exhaustive]
pub enum ErrorKind {
    /// A string is not a valid image reference (`invalid_image_reference`).
    InvalidImageReference = "invalid_image_reference",
    /// The text is not valid YAML, or is YAML relman cannot interpret safely, such as a
    /// Helm template or a duplicated key on the path of an edit (`invalid_yaml`).
    InvalidYaml = "invalid_yaml",
    /// The YAML is valid but the requested edit would need to touch a construct relman
    /// refuses to rewrite: an alias, an anchor used elsewhere, a block scalar (`unsupported_yaml`).
    UnsupportedYaml = "unsupported_yaml",
    /// Two objects with the same `namespace:kind/name` id (`duplicate_resource`).
    DuplicateResource = "duplicate_resource",
    /// The named workload is not in the text (`workload_not_found`).
    WorkloadNotFound = "workload_not_found",
    /// The workload has no container (or image slot) of that name (`container_not_found`).
    ContainerNotFound = "container_not_found",
    /// The workload has only `metadata.generateName`: each apply creates a new object, so it
    /// has no stable id to edit or release (`generated_name`). Located at the generateName.
    GeneratedName = "generated_name",
    /// A policy name that relman does not know, or a value the policy cannot hold, such as a
    /// `locked_until` that is not an RFC 3339 time (`invalid_policy`).
    InvalidPolicy = "invalid_policy",
    /// A catalog entry with an invalid tag, digest or timestamp (`invalid_catalog`).
    InvalidCatalog = "invalid_catalog",
    /// A Flux setter marker (`# {"$imagepolicy": "ns:name"}`) that does not parse
    /// (`invalid_marker`).
    InvalidMarker = "invalid_marker",
    /// A Flux setter-marker slot whose markers do not hold every part of the reference to
    /// write: no `:name` marker (only `:tag` or `:digest`), or a tag or digest with no marker
    /// to hold it (`incomplete_marker`). Located at the slot's first marker comment.
    IncompleteMarker = "incomplete_marker",
    /// A tag filter does not parse (`invalid_filter`).
    InvalidFilter = "invalid_filter",
    /// `relman.yaml` is malformed (`invalid_config`).
    InvalidConfig = "invalid_config",
    /// An environment name that `relman.yaml` does not define (`unknown_environment`).
    UnknownEnvironment = "unknown_environment",
    /// A branch moved while a commit was being made (`conflict`).
    Conflict = "conflict",
    /// The branch is checked out in a non-bare work tree (`branch_checked_out`).
    BranchCheckedOut = "branch_checked_out",
    /// A path is absolute, escapes the repository or is otherwise unusable (`invalid_path`).
    InvalidPath = "invalid_path",
    /// A revision, branch or object that does not exist (`not_found`).
    NotFound = "not_found",
    /// A malformed argument such as an author, a branch name or a commit id (`invalid_argument`).
    InvalidArgument = "invalid_argument",
    /// The repository cannot be read or written: a corrupt or missing object, an unreadable
    /// reference, an I/O failure (`corrupt_repository`).
    CorruptRepository = "corrupt_repository",
    /// A registry refused the credentials, asked for credentials none are configured for,
    /// or a token service refused them; or the Docker config cannot be read
    /// (`registry_unauthorized`). The message names the repository and the URL.
    RegistryUnauthorized = "registry_unauthorized",
    /// A registry does not have the repository (`registry_not_found`).
    RegistryNotFound = "registry_not_found",
    /// A registry did not answer in time, could not be reached, or kept answering `429`/`5xx`
    /// after the retries (`registry_unavailable`).
    RegistryUnavailable = "registry_unavailable",
    /// A registry answered outside the API: a malformed tag list, manifest or config, a digest
    /// that does not match the bytes, an answer past its size bound (`registry_protocol`).
    RegistryProtocol = "registry_protocol",
    /// A bug in relman, such as an edit that failed its own verification (`internal`).
    Internal = "internal",
}
}

/// Where in a text an error was found. Lines and columns are 1-based; columns count
/// characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file the text came from, when the caller named it.
    pub path: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{p}:{}:{}", self.line, self.column),
            None => write!(f, "line {}, column {}", self.line, self.column),
        }
    }
}

/// An error from any relman operation.
///
/// ```
/// let err = relman::ImageRef::parse("Not/Valid").unwrap_err();
/// assert_eq!(err.code(), "invalid_image_reference");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct Error {
    kind: ErrorKind,
    message: String,
    location: Option<Location>,
    actual_head: Option<String>,
}

impl Error {
    /// A new error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            location: None,
            actual_head: None,
        }
    }

    /// A `conflict`: the branch no longer points at the expected commit but at `actual_head`.
    pub fn conflict(message: impl Into<String>, actual_head: impl Into<String>) -> Self {
        let mut err = Error::new(ErrorKind::Conflict, message);
        err.actual_head = Some(actual_head.into());
        err
    }

    /// For a `conflict`, the commit the branch actually points at: re-plan on it and retry.
    pub fn actual_head(&self) -> Option<&str> {
        self.actual_head.as_deref()
    }

    /// Attach a line and column (1-based) to the error.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        let path = self.location.take().and_then(|l| l.path);
        self.location = Some(Location { path, line, column });
        self
    }

    /// Attach the path of the file the error is about; keeps an existing line and column.
    pub fn in_file(mut self, path: impl Into<String>) -> Self {
        match &mut self.location {
            Some(loc) => loc.path = Some(path.into()),
            None => {
                self.location = Some(Location {
                    path: Some(path.into()),
                    line: 0,
                    column: 0,
                })
            }
        }
        self
    }

    fn render(&self) -> String {
        let mut out = format!("{}: {}", self.kind.code(), self.message);
        match &self.location {
            Some(loc) if loc.line > 0 => out.push_str(&format!(" (at {loc})")),
            Some(Location { path: Some(p), .. }) => out.push_str(&format!(" (in {p})")),
            _ => {}
        }
        out
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the error's kind, such as `"invalid_yaml"`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The human-readable message, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the error was found, when known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The file path of the location, when known.
    pub fn path(&self) -> Option<&str> {
        self.location.as_ref().and_then(|l| l.path.as_deref())
    }

    /// The 1-based line of the location, when known.
    pub fn line(&self) -> Option<usize> {
        self.location.as_ref().filter(|l| l.line > 0).map(|l| l.line)
    }

    /// The 1-based column of the location, when known.
    pub fn column(&self) -> Option<usize> {
        self.location.as_ref().filter(|l| l.line > 0).map(|l| l.column)
    }
}

/// `Result` with relman's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
