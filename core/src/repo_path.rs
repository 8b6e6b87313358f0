//! [`RepoPath`]: a normalised path relative to the root of a config repo, the key every file of
//! a snapshot, a kustomize resource and a plan's change is named by. A leaf utility (the layer
//! map in `core/layers.toml`): the kustomize reader, the snapshot reader, the planner and the
//! git adapter build and join paths with it, so none of them borrows another's helpers.

use crate::error::{Error, ErrorKind, Result};

/// A repo-relative path: `/` separators, no `.` or empty components, no `..`, not absolute.
/// The repository root is the empty path.
///
/// ```text
/// RepoPath::new("./envs//staging/")            -> "envs/staging"
/// RepoPath::relative("envs/staging", "../base") -> "envs/base"
/// RepoPath::dir_of("envs/staging/users.yaml")   -> "envs/staging"
/// RepoPath::child("envs", "staging")            -> "envs/staging"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RepoPath(String);

impl RepoPath {
    /// `path` normalised; absolute paths, paths that climb out with `..`, backslashes and NUL
    /// are `invalid_path` (the rule of `release::normalise_path`).
    pub(crate) fn new(path: &str) -> Result<RepoPath> {
        let invalid = |why: &str| Error::new(ErrorKind::InvalidPath, format!("`{path}`: {why}"));
        if is_absolute(path) {
            return Err(invalid(
                "absolute paths are not allowed; give a path relative to the repo root",
            ));
        }
        let mut parts: Vec<&str> = Vec::new();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err(invalid("the path leaves the repository (`..`)")),
                p if p.contains('\\') || p.contains('\0') => {
                    return Err(invalid("backslashes and NUL are not allowed"));
                }
                p => parts.push(p),
            }
        }
        Ok(RepoPath(parts.join("/")))
    }

    /// `entry` (a path a kustomization in the folder `dir` names) as a repo path: `..` climbs
    /// from `dir`. Absolute paths (kustomize refuses them, and in a repo they name a place
    /// outside it) and paths that climb above the repo root are refused, with why.
    pub(crate) fn relative(dir: &str, entry: &str) -> std::result::Result<RepoPath, String> {
        if is_absolute(entry) {
            return Err(format!(
                "`{entry}` is an absolute path; kustomize refuses absolute paths (give it relative to the kustomization)"
            ));
        }
        let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        for part in entry.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(format!("`{entry}` leaves the repository"));
                    }
                }
                p => parts.push(p),
            }
        }
        RepoPath::new(&parts.join("/")).map_err(|e| e.message().to_string())
    }

    /// The folder of the file `path` (the empty path at the root).
    pub(crate) fn dir_of(path: &str) -> &str {
        path.rfind('/').map_or("", |i| &path[..i])
    }

    /// `dir/name`, or `name` at the root, or `dir` for an empty name (both already normalised).
    #[cfg_attr(not(any(feature = "fs", feature = "git")), allow(dead_code))]
    pub(crate) fn child(dir: &str, name: &str) -> String {
        if dir.is_empty() {
            name.to_string()
        } else if name.is_empty() {
            dir.to_string()
        } else {
            format!("{dir}/{name}")
        }
    }

    /// The path as text.
    #[cfg_attr(not(any(feature = "fs", feature = "git")), allow(dead_code))]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The path as an owned string.
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for RepoPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `/x`, `\x` and `C:x` name places outside the repository.
fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || path.starts_with('\\') || path.as_bytes().get(1) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::RepoPath;

    #[test]
    fn paths_are_normalised_or_refused() {
        assert_eq!(
            RepoPath::new("./envs//staging/").unwrap().as_str(),
            "envs/staging"
        );
        assert_eq!(RepoPath::new(".").unwrap().as_str(), "");
        for bad in [
            "../etc/passwd",
            "/etc",
            "\\x",
            "C:/x",
            "a\\b",
            "a\0b",
            "a/../../b",
        ] {
            assert_eq!(RepoPath::new(bad).unwrap_err().code(), "invalid_path", "{bad:?}");
        }
    }

    #[test]
    fn joining_paths() {
        let relative = |dir, entry| RepoPath::relative(dir, entry).map(RepoPath::into_string);
        assert_eq!(relative("envs/staging", "../../base").as_deref(), Ok("base"));
        assert_eq!(
            relative("envs/staging", "./users.yaml").as_deref(),
            Ok("envs/staging/users.yaml")
        );
        assert!(relative("envs/staging", "/envs/production/users.yaml").is_err());
        assert!(relative("envs", "../../x").is_err());
        assert!(relative("envs", "C:/x").is_err());
        assert_eq!(RepoPath::dir_of("envs/a.yaml"), "envs");
        assert_eq!(RepoPath::dir_of("a.yaml"), "");
        assert_eq!(RepoPath::child("", "a"), "a");
        assert_eq!(RepoPath::child("d", ""), "d");
        assert_eq!(RepoPath::child("d", "a"), "d/a");
    }
}
