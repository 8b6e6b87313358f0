//! `--catalog FILE`: what the registry offers, as JSON, for `images`, `release --image latest`
//! and `automate` (until the registry feature reads it itself):
//!
//! ```json
//! {
//!   "acme/users": [
//!     {"tag": "1.4.0", "digest": "sha256:...", "created": "2026-11-20T10:00:00Z"},
//!     "1.3.0"
//!   ]
//! }
//! ```
//!
//! Each repository (an image name without tag) lists its tags, each an object (`tag`, and
//! optionally `digest` and `created`, an RFC 3339 time) or just the tag. `-` reads standard
//! input.

use std::io::Read;
use std::path::Path;

use relman::release::{Catalog, ImageInfo};
use serde::Deserialize;

use crate::failure::{Failure, code};

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Tag(String),
    Info {
        tag: String,
        #[serde(default)]
        digest: Option<String>,
        #[serde(default)]
        created: Option<String>,
    },
}

/// Read the catalog file at `path` (`-`: standard input).
pub fn read(path: &Path) -> Result<Catalog, Failure> {
    let shown = path.display().to_string();
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Failure::new(
                code::IO_ERROR,
                format!("cannot read the catalog from standard input: {e}"),
            )
        })?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| Failure::io(path, "read the catalog", e))?
    };
    parse(&text).map_err(|f| f.at(shown))
}

/// The catalog JSON `text`.
pub fn parse(text: &str) -> Result<Catalog, Failure> {
    let invalid = |message: String| Failure::new("invalid_catalog", message);
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| invalid(format!("not a JSON object of repositories: {e}")))?;
    let mut catalog = Catalog::new();
    for (repository, tags) in map {
        let tags: Vec<Entry> = serde_json::from_value(tags).map_err(|e| {
            invalid(format!(
                "{repository}: expected a list of tags (strings or {{\"tag\", \"digest\", \"created\"}}): {e}"
            ))
        })?;
        for entry in tags {
            let info = match entry {
                Entry::Tag(tag) => ImageInfo::new(tag),
                Entry::Info { tag, digest, created } => {
                    let mut info = ImageInfo::new(tag);
                    if let Some(d) = digest {
                        info = info.with_digest(d);
                    }
                    if let Some(c) = created {
                        info = info
                            .with_created_str(&c)
                            .map_err(|e| invalid(format!("{repository}: {}", e.message())))?;
                    }
                    info
                }
            };
            catalog.add(&repository, info).map_err(Failure::from)?;
        }
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_as_strings_or_objects() {
        let c = parse(r#"{"acme/users": ["1.3.0", {"tag": "1.4.0", "created": "2026-11-20T10:00:00Z"}]}"#)
            .unwrap();
        assert_eq!(c.images("acme/users").len(), 2);
        assert!(c.get("acme/users", "1.4.0").unwrap().created.is_some());
        assert_eq!(parse("[1]").unwrap_err().code, "invalid_catalog");
        assert_eq!(
            parse(r#"{"acme/users": [{"tag": "1", "created": "yesterday"}]}"#)
                .unwrap_err()
                .code,
            "invalid_catalog"
        );
    }
}
