//! One tag of a repository as the registry describes it ([`ImageInfo`]): what the policy
//! chooses among. Defined here, below `release`, because choosing ([`select`](super::select))
//! needs it; `relman::release::ImageInfo` re-exports it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};

/// One tag of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The tag.
    pub tag: String,
    /// The manifest digest (`sha256:...`), when known.
    pub digest: Option<String>,
    /// When the image was created, when known (needed by `glob:`/`regex:` ordering).
    pub created: Option<Timestamp>,
}

impl ImageInfo {
    /// A tag without digest or creation time.
    pub fn new(tag: impl Into<String>) -> ImageInfo {
        ImageInfo {
            tag: tag.into(),
            digest: None,
            created: None,
        }
    }

    /// With a digest.
    pub fn with_digest(mut self, digest: impl Into<String>) -> ImageInfo {
        self.digest = Some(digest.into());
        self
    }

    /// With a creation time.
    pub fn with_created(mut self, created: Timestamp) -> ImageInfo {
        self.created = Some(created);
        self
    }

    /// With a creation time given as RFC 3339 text; `invalid_catalog` when it does not parse.
    pub fn with_created_str(self, created: &str) -> Result<ImageInfo> {
        let time = parse_time(created).map_err(|m| {
            Error::new(
                ErrorKind::InvalidCatalog,
                format!("creation time of tag {}: {m}", self.tag),
            )
        })?;
        Ok(self.with_created(time))
    }
}

/// Parse an RFC 3339 timestamp (`2026-11-27T10:00:00Z`, offsets allowed).
pub(crate) fn parse_time(text: &str) -> std::result::Result<Timestamp, String> {
    text.parse::<Timestamp>().or_else(|e| {
        // The last hours of year 9999 are valid RFC 3339 but past the latest instant relman
        // represents: a registry that dates a tag there dates it in the future, not wrongly.
        // (Checked by reading the same text a year earlier: 9998 and 9999 share their calendar.)
        if let Some(rest) = text.strip_prefix("9999-") {
            if format!("9998-{rest}").parse::<Timestamp>().is_ok() {
                return Ok(Timestamp::MAX);
            }
        }
        Err(format!("`{text}` is not an RFC 3339 timestamp ({e})"))
    })
}
