//! TEMPORARY stand-in until the image module lands.
#![allow(missing_docs)]
use crate::error::{Error, ErrorKind, Result};
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    text: String,
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}
impl ImageRef {
    pub fn parse(s: &str) -> Result<ImageRef> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidImageReference,
                format!("invalid image reference {s:?}"),
            )
        };
        if s.is_empty() || s.contains(|c: char| c.is_whitespace()) || s.contains("$") || s.contains('{') {
            return Err(bad());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((a, d)) => (a, Some(d.to_string())),
            None => (s, None),
        };
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(rest[i + 1..].to_string())),
            _ => (rest, None),
        };
        if name.is_empty() || tag.as_deref() == Some("") {
            return Err(bad());
        }
        let (domain, path) = match name.split_once('/') {
            Some((d, p)) if d.contains(['.', ':']) || d == "localhost" => (d.to_string(), p.to_string()),
            _ => (String::new(), name.to_string()),
        };
        if path.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(bad());
        }
        Ok(ImageRef {
            text: s.to_string(),
            domain,
            path,
            tag,
            digest,
        })
    }
    pub fn domain(&self) -> &str {
        &self.domain
    }
    pub fn path(&self) -> &str {
        &self.path
    }
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }
    pub fn repository(&self) -> &str {
        let n = self.text.len()
            - self.tag.as_ref().map_or(0, |t| t.len() + 1)
            - self.digest.as_ref().map_or(0, |d| d.len() + 1);
        &self.text[..n]
    }
    pub fn name(&self) -> String {
        let d = if self.domain.is_empty() || self.domain == "index.docker.io" {
            "docker.io"
        } else {
            &self.domain
        };
        if d == "docker.io" && !self.path.contains('/') {
            format!("{d}/library/{}", self.path)
        } else {
            format!("{d}/{}", self.path)
        }
    }
}
impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
