//! The files of a config repo at one moment: `relman.yaml` and the YAML of every environment.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};

/// The name of the config file at the repo root.
pub const CONFIG_FILE: &str = "relman.yaml";

/// Normalise a repo-relative path: `/` separators, no `.` components, no empty components.
/// Absolute paths and paths that climb out with `..` are `invalid_path`.
///
/// ```
/// use relman::release::normalise_path;
/// assert_eq!(normalise_path("./envs//staging/")?, "envs/staging");
/// assert_eq!(normalise_path("../etc/passwd").unwrap_err().code(), "invalid_path");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn normalise_path(path: &str) -> Result<String> {
    let invalid = |why: &str| Error::new(ErrorKind::InvalidPath, format!("`{path}`: {why}"));
    if path.starts_with('/') || path.starts_with('\\') || path.as_bytes().get(1) == Some(&b':') {
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
    Ok(parts.join("/"))
}

/// The text of the file at `path` from its bytes; `invalid_yaml` in `path` when they are not
/// UTF-8, located at the first byte that is not (1-based line and column, columns in
/// characters and not counting a leading BOM, as YAML error locations count them).
#[cfg_attr(not(any(feature = "fs", feature = "git")), allow(dead_code))]
pub(crate) fn utf8_text(bytes: Vec<u8>, path: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let last = before.rsplit('\n').next().unwrap_or_default();
        let last = if line == 1 { last.trim_start_matches('\u{feff}') } else { last };
        let column = last.chars().count() + 1;
        Error::new(
            ErrorKind::InvalidYaml,
            format!(
                "the file is not UTF-8: byte 0x{:02X} does not belong to a UTF-8 character; save the file as UTF-8",
                bytes[valid]
            ),
        )
        .in_file(path)
        .at(line, column)
    })
}

/// The files of a config repo: path (repo-relative, normalised) to text.
///
/// ```
/// use relman::release::Snapshot;
/// let snapshot = Snapshot::from_files([("envs/staging/users.yaml", "kind: Service\n")])?;
/// assert_eq!(snapshot.get("envs/staging/users.yaml"), Some("kind: Service\n"));
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    files: BTreeMap<String, String>,
    revision: Option<String>,
}

impl Snapshot {
    /// A snapshot from `(path, text)` pairs. Paths are normalised (`invalid_path` for absolute
    /// paths or `..`); a path given twice is `invalid_path`.
    pub fn from_files<I, P, T>(files: I) -> Result<Snapshot>
    where
        I: IntoIterator<Item = (P, T)>,
        P: AsRef<str>,
        T: Into<String>,
    {
        let mut map = BTreeMap::new();
        for (path, text) in files {
            let path = normalise_path(path.as_ref())?;
            if path.is_empty() {
                return Err(Error::new(ErrorKind::InvalidPath, "an empty path names no file"));
            }
            if map.insert(path.clone(), text.into()).is_some() {
                return Err(Error::new(
                    ErrorKind::InvalidPath,
                    format!("`{path}` is given twice"),
                ));
            }
        }
        Ok(Snapshot {
            files: map,
            revision: None,
        })
    }

    /// Read `relman.yaml` and every `.yaml`/`.yml` file under `root` (hidden folders such as
    /// `.git` and `node_modules` are skipped). A symlink that leads outside `root` is
    /// `invalid_path`; a file that is not UTF-8 is `invalid_yaml`, in that file, at the line
    /// and column of its first byte that is not.
    #[cfg(feature = "fs")]
    pub fn from_dir(root: impl AsRef<std::path::Path>) -> Result<Snapshot> {
        let root = root.as_ref();
        let io = |p: &std::path::Path, e: std::io::Error| {
            Error::new(ErrorKind::InvalidPath, format!("{}: {e}", p.display()))
        };
        let canonical_root = root.canonicalize().map_err(|e| io(root, e))?;
        let mut files = BTreeMap::new();
        let mut stack = vec![canonical_root.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| io(&dir, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io(&dir, e))?;
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let real = path.canonicalize().map_err(|e| io(&path, e))?;
                if !real.starts_with(&canonical_root) {
                    return Err(Error::new(
                        ErrorKind::InvalidPath,
                        format!(
                            "{} is a symlink that leads outside the repository",
                            path.display()
                        ),
                    ));
                }
                if real.is_dir() {
                    if !name.starts_with('.') && name != "node_modules" && name != "target" {
                        stack.push(path);
                    }
                } else if name.ends_with(".yaml") || name.ends_with(".yml") || name == "Kustomization" {
                    let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
                    let rel = path.strip_prefix(&canonical_root).expect("under root");
                    let rel = rel.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/");
                    let text = utf8_text(bytes, &rel)?;
                    files.insert(rel, text);
                }
            }
        }
        Ok(Snapshot {
            files,
            revision: None,
        })
    }

    /// Read `relman.yaml` and every environment path at revision `rev` of the git repository
    /// at `repo`, from git objects, without a checkout; the snapshot's
    /// [`revision`](Snapshot::revision) is the commit's full id. See
    /// [`git::Repository::snapshot`](crate::git::Repository::snapshot) for the rules and errors.
    #[cfg(feature = "git")]
    pub fn from_git(repo: impl AsRef<std::path::Path>, rev: &str) -> Result<Snapshot> {
        crate::git::snapshot(repo, rev)
    }

    /// The same snapshot, marked as taken at `revision` (a commit id).
    pub fn with_revision(mut self, revision: impl Into<String>) -> Snapshot {
        self.revision = Some(revision.into());
        self
    }

    /// The revision the snapshot was taken at, when known.
    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    /// The text of one file.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Every file, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// The file at `path` as `(path, text)`, both borrowed from the snapshot.
    pub(crate) fn entry(&self, path: &str) -> Option<(&str, &str)> {
        self.files
            .get_key_value(path)
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// The files at or under `dir` (the file `dir` itself, then every `dir/...`), sorted by
    /// path; every file for the empty `dir`. A range of the sorted map: the cost is the files
    /// returned, not the size of the snapshot.
    pub(crate) fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let (exact, range) = if dir.is_empty() {
            (None, self.files.range::<str, _>(..))
        } else {
            // `dir/` up to `dir0`: `0` is the character after `/`.
            let (from, to) = (format!("{dir}/"), format!("{dir}0"));
            (
                self.files.get_key_value(dir),
                self.files.range::<str, _>((
                    std::ops::Bound::Included(from.as_str()),
                    std::ops::Bound::Excluded(to.as_str()),
                )),
            )
        };
        exact
            .into_iter()
            .chain(range)
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the snapshot has no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The repo's `relman.yaml`, or the implicit single environment when there is none.
    pub fn config(&self) -> Result<Config> {
        match self.get(CONFIG_FILE) {
            Some(text) => Config::parse(text),
            None => Ok(Config::implicit()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::utf8_text;

    #[test]
    fn utf8_errors_are_located() {
        assert_eq!(utf8_text(b"a: 1\n".to_vec(), "x.yaml").unwrap(), "a: 1\n");
        let at = |bytes: &[u8]| {
            let e = utf8_text(bytes.to_vec(), "x.yaml").unwrap_err();
            assert_eq!((e.code(), e.path()), ("invalid_yaml", Some("x.yaml")));
            (e.line().unwrap(), e.column().unwrap())
        };
        assert_eq!(at(b"\xff"), (1, 1));
        assert_eq!(at(b"a: 1\nb: caf\xe9\n"), (2, 7));
        // Columns count characters, and a leading BOM is not one.
        assert_eq!(
            at("\u{feff}\u{e9}\u{e9}"
                .as_bytes()
                .iter()
                .copied()
                .chain([0xC0])
                .collect::<Vec<_>>()
                .as_slice()),
            (1, 3)
        );
        assert_eq!(at(b"a\r\nb\xe2\x82"), (2, 2));
    }
}
