//! The files of a config repo at one moment: `relman.yaml` and the YAML of every environment.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::repo_path::RepoPath;

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
    RepoPath::new(path).map(RepoPath::into_string)
}

/// Whether a file found under a folder of an environment is read: `*.yaml`, `*.yml` and
/// `Kustomization` (the rule of every snapshot: DESIGN.md section 11).
pub(crate) fn wanted(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml") || name == "Kustomization"
}

/// Whether a folder found under a folder of an environment is skipped: hidden folders,
/// `node_modules` and `target`.
pub(crate) fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules" || name == "target"
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

/// The files of a config repo: path (repo-relative, normalised) to text, and the symbolic links
/// that lead to them.
///
/// Each file is kept once, under its real path. A snapshot read from a folder
/// (`from_dir`, feature `fs`) or a git commit (`from_git`, feature `git`) also
/// keeps each symbolic link it followed ([`links`](Snapshot::links)): the link's own path to the
/// real path of the file or folder it leads to. [`get`](Snapshot::get) and
/// [`resolve`](Snapshot::resolve) follow them, and so does the planner: a file belongs to every
/// environment whose paths reach it, by path or through a link, and a file reached from two
/// environments is shared (DESIGN.md section 6). The changes of a plan always name real files,
/// never a link, so writing them (with `git::Repository::commit` or to disk) never writes
/// through a link.
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
    /// Symbolic links: the link's path (in its real folder) to the real path it leads to.
    links: BTreeMap<String, String>,
    revision: Option<String>,
}

impl Snapshot {
    /// A snapshot from `(path, text)` pairs. Paths are normalised (`invalid_path` for absolute
    /// paths or `..`); a path given twice is `invalid_path`. Such a snapshot has no links.
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
            links: BTreeMap::new(),
            revision: None,
        })
    }

    /// A snapshot of files by real path and links (link path to real path), as a reader of
    /// trees found them.
    #[cfg(any(feature = "fs", feature = "git"))]
    pub(crate) fn from_parts(files: BTreeMap<String, String>, links: BTreeMap<String, String>) -> Snapshot {
        Snapshot {
            files,
            links,
            revision: None,
        }
    }

    /// Read the config repo in the folder `root` by the rules of
    /// `from_git` (feature `git`; DESIGN.md section 11): `relman.yaml` first, then the
    /// files of every environment path (the whole folder when there is no `relman.yaml`) and
    /// of every local resource their kustomizations name; nothing else is opened.
    ///
    /// - Under a folder, `.yaml`, `.yml` and `Kustomization` files are read; hidden folders
    ///   (`.git`), `node_modules` and `target` are skipped. An environment path naming a file is
    ///   read whatever its name.
    /// - Only regular files are opened: a FIFO, socket or device that would be read is
    ///   `invalid_path`, never opened (a FIFO would block, a device never end).
    /// - Symbolic links are followed within `root`: each file is kept once, under its real
    ///   path, and each link is kept as a link ([`links`](Snapshot::links)). A link that leads
    ///   outside `root`, a link loop, a link to nothing where a file is read, and a folder link
    ///   to one of its own parent folders are `invalid_path`.
    /// - A file name that is not UTF-8 is `invalid_path`, located at the name read lossily.
    /// - A file that is not UTF-8 is `invalid_yaml`, in that file, at the line and column of
    ///   its first byte that is not.
    #[cfg(feature = "fs")]
    pub fn from_dir(root: impl AsRef<std::path::Path>) -> Result<Snapshot> {
        let root = root.as_ref();
        let canonical = root
            .canonicalize()
            .map_err(|e| Error::new(ErrorKind::InvalidPath, format!("{}: {e}", root.display())))?;
        if !canonical.is_dir() {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                format!("{}: not a folder", root.display()),
            ));
        }
        super::file_tree::read_snapshot(&super::file_tree::Folder { root: canonical })
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

    /// The text of the file at `path`, following symbolic links.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.resolve(path)
            .and_then(|p| self.files.get(p))
            .map(String::as_str)
    }

    /// The real path of the file at the normalised path `path`: `path` itself for a file of the
    /// snapshot, the file a link leads to (through any number of links, to files or folders),
    /// else `None`.
    ///
    /// ```
    /// # #[cfg(all(unix, feature = "fs"))] {
    /// let dir = std::env::temp_dir().join(format!("relman-resolve-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("envs/production")).unwrap();
    /// std::fs::create_dir_all(dir.join("envs/staging")).unwrap();
    /// std::fs::write(dir.join("envs/production/users.yaml"), "kind: Service\n").unwrap();
    /// std::os::unix::fs::symlink("../production", dir.join("envs/staging/prod")).unwrap();
    ///
    /// let snapshot = relman::release::Snapshot::from_dir(&dir)?;
    /// assert_eq!(snapshot.resolve("envs/staging/prod/users.yaml"), Some("envs/production/users.yaml"));
    /// assert_eq!(snapshot.links().collect::<Vec<_>>(), [("envs/staging/prod", "envs/production")]);
    /// assert_eq!(snapshot.len(), 1, "the file is kept once");
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # }
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn resolve(&self, path: &str) -> Option<&str> {
        if let Some((real, _)) = self.files.get_key_value(path) {
            return Some(real);
        }
        if self.links.is_empty() {
            return None;
        }
        let real = self.real(path)?;
        self.files.get_key_value(&real).map(|(p, _)| p.as_str())
    }

    /// `path` with every link on it replaced by what it leads to (a file or folder that may not
    /// exist); `None` when `path` is not normalised (as [`get`](Snapshot::get) takes it).
    fn real(&self, path: &str) -> Option<String> {
        if normalise_path(path).ok()? != path {
            return None;
        }
        let mut real = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let next = if real.is_empty() {
                part.to_string()
            } else {
                format!("{real}/{part}")
            };
            real = self.links.get(&next).cloned().unwrap_or(next);
        }
        Some(real)
    }

    /// Every file, by real path, sorted.
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// Every symbolic link the snapshot was read through, sorted: the link's path (in its real
    /// folder) and the real path of the file or folder it leads to. Empty for
    /// [`from_files`](Snapshot::from_files).
    pub fn links(&self) -> impl Iterator<Item = (&str, &str)> {
        self.links.iter().map(|(l, t)| (l.as_str(), t.as_str()))
    }

    /// The files the environment path `path` holds, by the rule the snapshot was read with: the
    /// file `path` names, or the `.yaml`, `.yml` and `Kustomization` files under the folder it
    /// names (hidden folders, `node_modules` and `target` skipped), links followed, each real
    /// file once. Each comes as (the path it was reached by, its real path), sorted by the
    /// first.
    /// The path reached by is borrowed (the real path itself) where no link led to the file.
    pub(crate) fn reach<'s>(&'s self, path: &str) -> Vec<(Cow<'s, str>, &'s str)> {
        let Some(real) = self.real(path) else {
            return Vec::new();
        };
        if let Some((file, _)) = self.files.get_key_value(&real) {
            let found = if path == file {
                Cow::Borrowed(file.as_str())
            } else {
                Cow::Owned(path.to_string())
            };
            return vec![(found, file.as_str())];
        }
        let joined = |found: &str, rest: &str| {
            if found.is_empty() {
                rest.to_string()
            } else {
                format!("{found}/{rest}")
            }
        };
        // `rest` under the folder `found` (reached by) is `file` itself (under its real folder
        // `dir`) when `found` is `dir`.
        let join = |found: &str, dir: &str, rest: &str, file: &'s str| -> Cow<'s, str> {
            if found == dir {
                Cow::Borrowed(file)
            } else {
                Cow::Owned(joined(found, rest))
            }
        };
        // Whether the folders of `rest` (all but its last part) are walked.
        let walked = |rest: &str| rest.split('/').rev().skip(1).all(|dir| !skipped(dir));
        // Without links, one folder is walked and each file comes once: nothing to remember.
        let links = !self.links.is_empty();
        let mut out: Vec<(Cow<'s, str>, &'s str)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut visited: HashSet<String> = HashSet::new();
        let mut pending = vec![(real, path.to_string())];
        while let Some((dir, found)) = pending.pop() {
            if links && !visited.insert(dir.clone()) {
                continue;
            }
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            for (file, _) in self.files.range(prefix.clone()..) {
                let Some(rest) = file.strip_prefix(&prefix) else {
                    break;
                };
                let name = rest.rsplit('/').next().unwrap_or(rest);
                if walked(rest) && wanted(name) && (!links || seen.insert(file)) {
                    out.push((join(&found, &dir, rest, file), file));
                }
            }
            for (link, target) in self.links.range(prefix.clone()..) {
                let Some(rest) = link.strip_prefix(&prefix) else {
                    break;
                };
                let name = rest.rsplit('/').next().unwrap_or(rest);
                if !walked(rest) {
                    continue;
                }
                // A link to a file counts by its own name; a link to a folder is walked unless
                // its own name is skipped.
                match self.files.get_key_value(target) {
                    Some((file, _)) if wanted(name) && seen.insert(file) => {
                        out.push((Cow::Owned(joined(&found, rest)), file));
                    }
                    Some(_) => {}
                    None if !skipped(name) => {
                        pending.push((target.clone(), joined(&found, rest)));
                    }
                    None => {}
                }
            }
        }
        // Already sorted when one folder was walked without links (the files come in order).
        if !out.is_sorted() {
            out.sort();
        }
        out
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
