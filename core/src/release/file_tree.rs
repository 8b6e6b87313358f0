//! Reading a config repo into a [`Snapshot`] by one rule, whatever holds the files: a folder on
//! disk (`Snapshot::from_dir`, feature `fs`) or the tree of a git commit
//! (`Snapshot::from_git`, feature `git`). Both implement [`FileTree`]; [`read_snapshot`] is
//! the only walker, so the two cannot read different files (DESIGN.md section 11).
//!
//! The rule:
//!
//! 1. `relman.yaml` is read first. Its environment paths (the whole tree when there is no
//!    `relman.yaml`) are then walked, then every local resource their kustomizations name, until
//!    nothing new is found. Nothing else is opened: a FIFO, an unreadable file or a dangling
//!    link elsewhere in the tree does not matter.
//! 2. A path resolves like a path on a file system, component by component, following symbolic
//!    links (at most [`MAX_LINKS`] for one path, so a loop ends). A link whose target is
//!    absolute or climbs above the root is `invalid_path`.
//! 3. Under a folder, files named `*.yaml`, `*.yml` or `Kustomization` are read; folders named
//!    `.*`, `node_modules` or `target` are skipped; a link counts by its own name. An
//!    environment path or a kustomize resource naming a file is read whatever its name.
//! 4. Only regular files are opened. Anything else that would be read (a FIFO, a socket, a
//!    device, a git submodule) is `invalid_path`, as is a link to nothing where a file would be
//!    read, a folder link to one of its own parent folders, and a name that is not UTF-8.
//! 5. Each file is kept once, under its real path (every link resolved); each link is kept as
//!    a link: its own path, as found in a real folder, to the real path of what it leads to.
//!    Environment membership follows those links ([`Snapshot::resolve`]), so a file reached
//!    from two environments is shared, and a plan only ever names real files.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::snapshot::{CONFIG_FILE, Snapshot, normalise_path, skipped, wanted};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::kustomize::{self, KUSTOMIZATION_FILES};
use crate::repo_path::RepoPath;

/// Symbolic links followed while resolving one path before giving up (Linux's limit).
pub(crate) const MAX_LINKS: usize = 40;

/// The name of an entry: UTF-8, or the bytes of one that is not.
pub(crate) type Name = std::result::Result<String, Vec<u8>>;

/// What an entry of a tree is (a link is never followed by the tree itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A folder (a git tree).
    Dir,
    /// A regular file (a git blob, executable or not).
    File,
    /// A symbolic link.
    Link,
    /// Anything else, never opened: what it is, for messages ("a FIFO", "a git submodule").
    Special(&'static str),
}

/// A tree of files rooted at a repository: a folder on disk or a git commit's tree. Paths given
/// to its methods are real (no link in them), repo-relative and normalised; they are for
/// messages and for trees that address entries by path.
pub(crate) trait FileTree {
    /// How the tree addresses an entry (a path on disk, a git object id).
    type Id: Clone;

    /// The root folder.
    fn root(&self) -> Self::Id;

    /// The entry `name` of folder `dir` (whose path is `dir_path`), without following a link;
    /// `None` when there is none.
    fn lookup(&self, dir: &Self::Id, dir_path: &str, name: &str) -> Result<Option<(Kind, Self::Id)>>;

    /// Every entry of folder `dir` (whose path is `dir_path`): name, kind, id. A name that
    /// is not UTF-8 is `Err` with its bytes (as near as the platform tells them).
    fn entries(&self, dir: &Self::Id, dir_path: &str) -> Result<Vec<(Name, Kind, Self::Id)>>;

    /// The target of the link `link`, found at `path`, as written.
    fn link_target(&self, link: &Self::Id, path: &str) -> Result<Vec<u8>>;

    /// The text of every listed regular file (`invalid_yaml` for one that is not UTF-8).
    fn read_texts(&self, files: Vec<(String, Self::Id)>) -> Result<Vec<(String, String)>>;
}

/// An entry found by resolving a path: its real path, kind (never a link), id, and the
/// folders of its real path from the root (the entry itself last when it is a folder).
#[derive(Clone)]
struct Found<Id> {
    path: String,
    kind: Kind,
    id: Id,
    dirs: Vec<(String, Id)>,
}

fn invalid(message: String, path: &str) -> Error {
    Error::new(ErrorKind::InvalidPath, message).in_file(path)
}

fn outside(link: &str, target: &str) -> Error {
    invalid(
        format!("`{link}` is a symbolic link to `{target}`, outside the repository"),
        link,
    )
}

fn special(path: &str, what: &str, via: Option<&str>) -> Error {
    let how = via.map_or_else(String::new, |link| format!(" (through the link `{link}`)"));
    invalid(
        format!("`{path}`{how} is {what}, not a regular file: relman reads only regular files"),
        via.unwrap_or(path),
    )
}

/// The reader's state: what was found so far.
struct Reader<'t, T: FileTree> {
    tree: &'t T,
    /// Regular files to read: real path to id.
    files: BTreeMap<String, T::Id>,
    /// Links resolved so far: the link's path (in its real folder) to what it leads to, or
    /// `None` when it leads nowhere.
    links: HashMap<String, Option<Found<T::Id>>>,
    /// Real folders walked.
    walked: HashSet<String>,
    /// Files found through a link named like a kustomization: they are kustomizations.
    kustomization_links: HashSet<String>,
}

impl<'t, T: FileTree> Reader<'t, T> {
    /// Resolve `path` (components may hold `.` and `..`; `via` is the link whose target it
    /// is, for messages) from the root, following every link; `Ok(None)` when nothing is
    /// there.
    fn resolve(
        &mut self,
        path: &str,
        via: Option<(&str, &str)>,
        budget: &mut usize,
    ) -> Result<Option<Found<T::Id>>> {
        let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
        let mut dirs: Vec<(String, T::Id)> = Vec::new();
        for (i, name) in parts.iter().enumerate() {
            if *name == ".." {
                if dirs.pop().is_none() {
                    let (link, target) = via.unwrap_or((path, path));
                    return Err(outside(link, target));
                }
                continue;
            }
            let here = dirs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join("/");
            let dir = dirs.last().map_or_else(|| self.tree.root(), |(_, id)| id.clone());
            let Some((kind, id)) = self.tree.lookup(&dir, &here, name)? else {
                return Ok(None);
            };
            let current = RepoPath::child(&here, name);
            let last = i + 1 == parts.len();
            match kind {
                Kind::Dir => dirs.push((name.to_string(), id)),
                Kind::Link => match self.follow(&current, &id, budget)? {
                    None => return Ok(None),
                    Some(target) if last => return Ok(Some(target)),
                    Some(target) if target.kind == Kind::Dir => dirs = target.dirs,
                    // A file used as a folder.
                    Some(_) => return Ok(None),
                },
                _ if last => {
                    return Ok(Some(Found {
                        path: current,
                        kind,
                        id,
                        dirs,
                    }));
                }
                _ => return Ok(None),
            }
        }
        let path = dirs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join("/");
        let id = dirs.last().map_or_else(|| self.tree.root(), |(_, id)| id.clone());
        Ok(Some(Found {
            path,
            kind: Kind::Dir,
            id,
            dirs,
        }))
    }

    /// What the link `id` at `location` (a real path) leads to, every link on the way
    /// followed; remembered, so each link is read once.
    fn follow(&mut self, location: &str, id: &T::Id, budget: &mut usize) -> Result<Option<Found<T::Id>>> {
        if let Some(known) = self.links.get(location) {
            return Ok(known.clone());
        }
        if *budget == 0 {
            return Err(invalid(
                format!("`{location}`: too many levels of symbolic links (a loop?)"),
                location,
            ));
        }
        *budget -= 1;
        let target = self.target_text(location, id)?;
        if target.starts_with('/') || target.starts_with('\\') || target.as_bytes().get(1) == Some(&b':') {
            return Err(outside(location, &target));
        }
        let parent = location.rfind('/').map_or("", |i| &location[..i]);
        let found = self.resolve(
            &RepoPath::child(parent, &target),
            Some((location, &target)),
            budget,
        )?;
        self.links.insert(location.to_string(), found.clone());
        Ok(found)
    }

    fn target_text(&self, location: &str, id: &T::Id) -> Result<String> {
        let bytes = self.tree.link_target(id, location)?;
        String::from_utf8(bytes).map_err(|e| {
            invalid(
                format!(
                    "`{location}` is a symbolic link to `{}`, a path that is not UTF-8",
                    e.as_bytes().escape_ascii()
                ),
                location,
            )
        })
    }

    /// Add the files of `path` (an environment path or a kustomize resource): the file it
    /// names, whatever its name, or the files of the folder it names. Nothing when it does
    /// not exist.
    fn add(&mut self, path: &str) -> Result<()> {
        let mut budget = MAX_LINKS;
        let Some(found) = self.resolve(path, None, &mut budget)? else {
            return Ok(());
        };
        let via = (found.path != path).then_some(path);
        match found.kind {
            Kind::Dir => self.walk(found.path, found.id),
            Kind::File => {
                self.files.insert(found.path, found.id);
                Ok(())
            }
            Kind::Special(what) => Err(special(&found.path, what, via)),
            Kind::Link => unreachable!("resolve follows links"),
        }
    }

    /// Walk the real folder `path`, each real folder once.
    fn walk(&mut self, path: String, id: T::Id) -> Result<()> {
        let mut pending = vec![(path, id)];
        while let Some((dir, id)) = pending.pop() {
            if !self.walked.insert(dir.clone()) {
                continue;
            }
            for (raw, kind, id) in self.tree.entries(&id, &dir)? {
                let name = match raw {
                    Ok(name) => name,
                    Err(bytes) => {
                        let lossy = RepoPath::child(&dir, &String::from_utf8_lossy(&bytes));
                        return Err(invalid(
                            format!(
                                "`{}` in `{}` is not a UTF-8 file name: rename it (relman names files by UTF-8 paths)",
                                bytes.escape_ascii(),
                                if dir.is_empty() { "." } else { &dir }
                            ),
                            &lossy,
                        ));
                    }
                };
                let path = RepoPath::child(&dir, &name);
                match kind {
                    Kind::Dir if !skipped(&name) => pending.push((path, id)),
                    Kind::File if wanted(&name) => {
                        self.files.insert(path, id);
                    }
                    Kind::Special(what) if wanted(&name) => return Err(special(&path, what, None)),
                    Kind::Link => {
                        let mut budget = MAX_LINKS;
                        match self.follow(&path, &id, &mut budget)? {
                            None if wanted(&name) => {
                                let target = self.target_text(&path, &id)?;
                                return Err(invalid(
                                    format!("`{path}` is a symbolic link to nothing (`{target}`)"),
                                    &path,
                                ));
                            }
                            None => {}
                            Some(found) => match found.kind {
                                Kind::Dir if !skipped(&name) => {
                                    if found.path.is_empty() || path.starts_with(&format!("{}/", found.path))
                                    {
                                        return Err(invalid(
                                            format!(
                                                "`{path}` is a symbolic link to `{}`, one of its own parent folders (a loop)",
                                                if found.path.is_empty() { "." } else { &found.path }
                                            ),
                                            &path,
                                        ));
                                    }
                                    pending.push((found.path, found.id));
                                }
                                Kind::File if wanted(&name) => {
                                    if KUSTOMIZATION_FILES.contains(&name.as_str()) {
                                        self.kustomization_link(&path, &found.path)?;
                                    }
                                    self.files.insert(found.path, found.id);
                                }
                                Kind::Special(what) if wanted(&name) => {
                                    return Err(special(&found.path, what, Some(&path)));
                                }
                                _ => {}
                            },
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// A link named like a kustomization, to the file `target`. kustomize reads a
    /// kustomization's resources relative to the folder it found it in; relman reads each
    /// file once, under its real path, so the two agree only when the link and its target
    /// share a folder.
    fn kustomization_link(&mut self, link: &str, target: &str) -> Result<()> {
        // The link's folder is real: walks only visit real folders.
        if RepoPath::dir_of(link) != RepoPath::dir_of(target) {
            return Err(invalid(
                format!(
                    "`{link}` is a symbolic link to the kustomization `{target}` in another folder: kustomize would read \
                     its resources relative to the link's folder, relman relative to the file's; link the folder \
                     instead, or copy the file"
                ),
                link,
            ));
        }
        self.kustomization_links.insert(target.to_string());
        Ok(())
    }
}

/// Read a snapshot from `tree` by the rule of the module notes: `relman.yaml`, the
/// environment paths, and what their kustomizations reach.
pub(crate) fn read_snapshot<T: FileTree>(tree: &T) -> Result<Snapshot> {
    let mut reader = Reader {
        tree,
        files: BTreeMap::new(),
        links: HashMap::new(),
        walked: HashSet::new(),
        kustomization_links: HashSet::new(),
    };
    let mut budget = MAX_LINKS;
    let config = match reader.resolve(CONFIG_FILE, None, &mut budget)? {
        None => None,
        Some(found) => match found.kind {
            Kind::File => {
                let mut texts = tree.read_texts(vec![(found.path.clone(), found.id)])?;
                Some((found.path, texts.pop().map(|(_, t)| t).unwrap_or_default()))
            }
            Kind::Dir => None,
            Kind::Special(what) => {
                let via = (found.path != CONFIG_FILE).then_some(CONFIG_FILE);
                return Err(special(&found.path, what, via));
            }
            Kind::Link => unreachable!("resolve follows links"),
        },
    };
    let paths = match &config {
        Some((_, text)) => Config::parse(text)?
            .environments()
            .iter()
            .flat_map(|env| env.paths.iter().cloned())
            .collect::<Vec<_>>(),
        None => vec![String::new()],
    };
    for path in paths {
        reader.add(&normalise_path(&path)?)?;
    }
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    if let Some((path, text)) = &config {
        texts.insert(path.clone(), text.clone());
    }
    // Kustomize overlays reach outside their folder (`resources: [../../base]`): follow every
    // kustomization's resources until nothing new is found. A kustomization that does not
    // parse is left for the planner to report, with its location.
    let mut followed: HashSet<String> = HashSet::new();
    loop {
        let new: Vec<(String, T::Id)> = reader
            .files
            .iter()
            .filter(|(p, _)| !texts.contains_key(*p))
            .map(|(p, id)| (p.clone(), id.clone()))
            .collect();
        if new.is_empty() {
            break;
        }
        texts.extend(tree.read_texts(new)?);
        let kustomizations: Vec<(String, String)> = texts
            .iter()
            .filter(|(path, _)| {
                let name = path.rsplit('/').next().unwrap_or(path);
                (KUSTOMIZATION_FILES.contains(&name) || reader.kustomization_links.contains(*path))
                    && !followed.contains(*path)
            })
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect();
        for (path, text) in kustomizations {
            followed.insert(path.clone());
            let arena = crate::yaml::Arena::new();
            let Ok(stream) = crate::yaml::Stream::parse(&text, &arena) else {
                continue;
            };
            let Ok(k) = kustomize::read(&stream, &path) else {
                continue;
            };
            for (_, target) in k.targets(&path) {
                if let kustomize::Target::Local(target) = target {
                    reader.add(target.as_str())?;
                }
            }
        }
    }
    // Links are kept when they lead to a file read, or to a folder.
    let links = reader
        .links
        .into_iter()
        .filter_map(|(link, found)| {
            let found = found?;
            (found.kind == Kind::Dir || texts.contains_key(&found.path)).then_some((link, found.path))
        })
        .collect();
    Ok(Snapshot::from_parts(texts, links))
}

/// A folder on disk, read by `Snapshot::from_dir`: entries are addressed by their path on
/// disk, made of real folders only (links are followed by the reader, never by the system).
#[cfg(feature = "fs")]
pub(crate) struct Folder {
    /// The canonical path of the root.
    pub(crate) root: std::path::PathBuf,
}

#[cfg(feature = "fs")]
impl Folder {
    fn io(path: &str, e: &std::io::Error) -> Error {
        invalid(format!("`{path}`: {e}"), path)
    }

    fn kind(file_type: std::fs::FileType) -> Kind {
        if file_type.is_symlink() {
            return Kind::Link;
        }
        if file_type.is_dir() {
            return Kind::Dir;
        }
        if file_type.is_file() {
            return Kind::File;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return Kind::Special("a FIFO");
            }
            if file_type.is_socket() {
                return Kind::Special("a socket");
            }
            if file_type.is_char_device() {
                return Kind::Special("a character device");
            }
            if file_type.is_block_device() {
                return Kind::Special("a block device");
            }
        }
        Kind::Special("neither a file, a folder nor a link")
    }
}

#[cfg(feature = "fs")]
impl FileTree for Folder {
    type Id = std::path::PathBuf;

    fn root(&self) -> std::path::PathBuf {
        self.root.clone()
    }

    fn lookup(
        &self,
        dir: &std::path::PathBuf,
        dir_path: &str,
        name: &str,
    ) -> Result<Option<(Kind, std::path::PathBuf)>> {
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) => Ok(Some((Folder::kind(meta.file_type()), path))),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(Folder::io(&RepoPath::child(dir_path, name), &e)),
        }
    }

    fn entries(
        &self,
        dir: &std::path::PathBuf,
        dir_path: &str,
    ) -> Result<Vec<(Name, Kind, std::path::PathBuf)>> {
        let shown = if dir_path.is_empty() { "." } else { dir_path };
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Folder::io(shown, &e))? {
            let entry = entry.map_err(|e| Folder::io(shown, &e))?;
            let os = entry.file_name();
            let name: Name = match os.to_str() {
                Some(name) => Ok(name.to_string()),
                #[cfg(unix)]
                None => Err(std::os::unix::ffi::OsStrExt::as_bytes(os.as_os_str()).to_vec()),
                #[cfg(not(unix))]
                None => Err(os.to_string_lossy().into_owned().into_bytes()),
            };
            // The entry's own type: a link is not followed.
            let kind = Folder::kind(entry.file_type().map_err(|e| Folder::io(shown, &e))?);
            out.push((name, kind, entry.path()));
        }
        out.sort_by(|a, b| {
            a.0.as_ref()
                .map(String::as_bytes)
                .unwrap_or_else(|b| b)
                .cmp(b.0.as_ref().map(String::as_bytes).unwrap_or_else(|b| b))
        });
        Ok(out)
    }

    fn link_target(&self, link: &std::path::PathBuf, path: &str) -> Result<Vec<u8>> {
        let target = std::fs::read_link(link).map_err(|e| Folder::io(path, &e))?;
        match target.to_str() {
            Some(text) => Ok(text.as_bytes().to_vec()),
            #[cfg(unix)]
            None => Ok(std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str()).to_vec()),
            #[cfg(not(unix))]
            None => Ok(vec![0xFF]),
        }
    }

    fn read_texts(&self, files: Vec<(String, std::path::PathBuf)>) -> Result<Vec<(String, String)>> {
        use std::io::Read;
        files
            .into_iter()
            .map(|(path, on_disk)| {
                let mut file = std::fs::File::open(&on_disk).map_err(|e| Folder::io(&path, &e))?;
                // Checked again on the open file: the walk saw a regular file there.
                let meta = file.metadata().map_err(|e| Folder::io(&path, &e))?;
                if !meta.is_file() {
                    return Err(special(&path, "not a regular file", None));
                }
                let mut bytes = Vec::with_capacity(meta.len() as usize);
                file.read_to_end(&mut bytes).map_err(|e| Folder::io(&path, &e))?;
                let text = super::snapshot::utf8_text(bytes, &path)?;
                Ok((path, text))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory tree: path to entry.
    #[derive(Default)]
    struct Memory {
        entries: BTreeMap<String, (Kind, String)>,
        reads: std::cell::RefCell<Vec<String>>,
    }

    impl Memory {
        fn file(mut self, path: &str, text: &str) -> Self {
            self.entries.insert(path.into(), (Kind::File, text.into()));
            self
        }
        fn link(mut self, path: &str, target: &str) -> Self {
            self.entries.insert(path.into(), (Kind::Link, target.into()));
            self
        }
        fn special(mut self, path: &str) -> Self {
            self.entries
                .insert(path.into(), (Kind::Special("a FIFO"), String::new()));
            self
        }
    }

    impl FileTree for Memory {
        type Id = String;
        fn root(&self) -> String {
            String::new()
        }
        fn lookup(&self, dir: &String, _: &str, name: &str) -> Result<Option<(Kind, String)>> {
            let path = RepoPath::child(dir, name);
            if let Some((kind, _)) = self.entries.get(&path) {
                return Ok(Some((*kind, path)));
            }
            let prefix = format!("{path}/");
            Ok(self
                .entries
                .keys()
                .any(|k| k.starts_with(&prefix))
                .then_some((Kind::Dir, path)))
        }
        fn entries(&self, dir: &String, _: &str) -> Result<Vec<(Name, Kind, String)>> {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut names: Vec<String> = self
                .entries
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(|rest| rest.split('/').next().unwrap().to_string())
                .collect();
            names.dedup();
            names
                .into_iter()
                .map(|n| {
                    let (kind, id) = self.lookup(dir, "", &n)?.unwrap();
                    Ok((Ok(n), kind, id))
                })
                .collect()
        }
        fn link_target(&self, link: &String, _: &str) -> Result<Vec<u8>> {
            Ok(self.entries[link].1.clone().into_bytes())
        }
        fn read_texts(&self, files: Vec<(String, String)>) -> Result<Vec<(String, String)>> {
            self.reads
                .borrow_mut()
                .extend(files.iter().map(|(p, _)| p.clone()));
            Ok(files
                .into_iter()
                .map(|(p, id)| (p, self.entries[&id].1.clone()))
                .collect())
        }
    }

    const CONFIG: &str =
        "environments:\n  staging: {path: envs/staging}\n  production: {path: envs/production}\n";

    #[test]
    fn files_are_kept_once_under_their_real_path() {
        let tree = Memory::default()
            .file("relman.yaml", CONFIG)
            .file("envs/production/users.yaml", "a: 1\n")
            .file("envs/staging/orders.yaml", "b: 1\n")
            .link("envs/staging/users.yaml", "../production/users.yaml")
            .link("envs/staging/chain.yaml", "users.yaml")
            .link("envs/staging/prod", "../production");
        let snapshot = read_snapshot(&tree).unwrap();
        assert_eq!(
            snapshot.files().map(|(p, _)| p).collect::<Vec<_>>(),
            [
                "envs/production/users.yaml",
                "envs/staging/orders.yaml",
                "relman.yaml"
            ]
        );
        assert_eq!(
            snapshot.links().collect::<Vec<_>>(),
            [
                ("envs/staging/chain.yaml", "envs/production/users.yaml"),
                ("envs/staging/prod", "envs/production"),
                ("envs/staging/users.yaml", "envs/production/users.yaml"),
            ]
        );
        assert_eq!(snapshot.get("envs/staging/prod/users.yaml"), Some("a: 1\n"));
        assert_eq!(
            snapshot.resolve("envs/staging/chain.yaml"),
            Some("envs/production/users.yaml")
        );
    }

    #[test]
    fn only_environment_paths_are_opened() {
        let tree = Memory::default()
            .file("relman.yaml", CONFIG)
            .file("envs/staging/a.yaml", "a: 1\n")
            .special("scratch/pipe.yaml")
            .link("scratch/dangling.yaml", "nowhere.yaml")
            .link("scratch/loop.yaml", "loop.yaml")
            .link("scratch/escape.yaml", "../../etc/passwd")
            .file("docs/other.yaml", "c: 1\n");
        let snapshot = read_snapshot(&tree).unwrap();
        assert_eq!(snapshot.len(), 2);
        assert_eq!(*tree.reads.borrow(), ["relman.yaml", "envs/staging/a.yaml"]);
    }

    #[test]
    fn hostile_entries_in_an_environment_are_located_errors() {
        let base = || Memory::default().file("relman.yaml", CONFIG);
        // A link at `path` to `target`, refused with a message holding `piece`.
        let link = |path: &'static str, target: &str, piece| (base().link(path, target), path, piece);
        let staging = "envs/staging/x.yaml";
        let cases = [
            (
                base().special("envs/staging/pipe.yaml"),
                "envs/staging/pipe.yaml",
                "a FIFO",
            ),
            (
                base().link(staging, "pipe").special("envs/staging/pipe"),
                staging,
                "a FIFO",
            ),
            link(staging, "gone.yaml", "to nothing"),
            link(staging, "x.yaml", "too many levels"),
            (
                base()
                    .link("envs/staging/a.yaml", "b.yaml")
                    .link("envs/staging/b.yaml", "a.yaml"),
                "envs/staging/a.yaml",
                "too many levels",
            ),
            link("envs/staging/up", "..", "parent folders"),
            link("envs/staging/self", ".", "parent folders"),
            link("envs/staging/root", "../..", "parent folders"),
            link(staging, "../../../x.yaml", "outside"),
            link("envs/staging/dev", "/dev", "outside"),
            (
                base().link("relman.yaml", "pipe").special("pipe"),
                "relman.yaml",
                "a FIFO",
            ),
        ];
        for (tree, path, piece) in cases {
            let err = read_snapshot(&tree)
                .err()
                .unwrap_or_else(|| panic!("{path}: accepted"));
            assert_eq!((err.code(), err.path()), ("invalid_path", Some(path)), "{err}");
            assert!(err.message().contains(piece), "{err}");
        }
    }

    #[test]
    fn membership_follows_the_rule_the_files_were_read_by() {
        // What an environment reaches in a snapshot of every environment equals what a
        // snapshot of that environment alone reads: `Snapshot::reach` and the walk agree.
        let tree = |config: &str| {
            Memory::default()
                .file("relman.yaml", config)
                .file("envs/staging/a.yaml", "a: 1\n")
                .file("envs/staging/notes.txt", "n\n")
                .file("envs/staging/Kustomization.bak", "k\n")
                .file("envs/staging/.hidden/h.yaml", "h: 1\n")
                .file("envs/staging/node_modules/m.yaml", "m: 1\n")
                .link("envs/staging/README", "../production/p.yaml")
                .link("envs/staging/named.yaml", "notes.txt")
                .link("envs/staging/.prod", "../production")
                .link("envs/staging/target", "../production/deep")
                .link("envs/staging/chain.yml", "named.yaml")
                .link("envs/staging/apps", "../../apps")
                .file("envs/production/p.yaml", "p: 1\n")
                .file("envs/production/deep/d.yaml", "d: 1\n")
                .file("envs/production/.hidden/ph.yaml", "ph: 1\n")
                .link("envs/production/shared", "../staging/.hidden")
                .file("apps/x.yaml", "x: 1\n")
                .link("apps/up.yaml", "../envs/production/deep/d.yaml")
        };
        let both = read_snapshot(&tree(CONFIG)).unwrap();
        for (env, config) in [
            ("envs/staging", "environments:\n  staging: {path: envs/staging}\n"),
            (
                "envs/production",
                "environments:\n  production: {path: envs/production}\n",
            ),
        ] {
            let alone = read_snapshot(&tree(config)).unwrap();
            let read: Vec<&str> = alone
                .files()
                .map(|(p, _)| p)
                .filter(|p| *p != "relman.yaml")
                .collect();
            let mut reached: Vec<&str> = both.reach(env).into_iter().map(|(_, real)| real).collect();
            reached.sort();
            assert_eq!(reached, read, "{env}");
        }
        // A link counts by its own name: notes.txt is reached through `chain.yml` (first of the
        // two links named like manifests), never by its own name.
        let staging = both.reach("envs/staging");
        assert!(
            staging.contains(&("envs/staging/chain.yml".into(), "envs/staging/notes.txt")),
            "{staging:?}"
        );
        assert!(
            !staging.iter().any(|(found, _)| found.ends_with("README")),
            "{staging:?}"
        );
    }

    #[test]
    fn a_dangling_link_with_another_name_is_no_file() {
        let tree = Memory::default()
            .file("relman.yaml", CONFIG)
            .link("envs/staging/README", "gone.md");
        assert_eq!(read_snapshot(&tree).unwrap().len(), 1);
    }

    #[test]
    fn diamonds_of_folder_links_walk_each_folder_once() {
        // 2^30 paths, 31 folders.
        let mut tree = Memory::default().file("relman.yaml", CONFIG);
        for i in 0..30 {
            tree = tree
                .link(&format!("d/{i}/a"), &format!("../{}", i + 1))
                .link(&format!("d/{i}/b"), &format!("../{}", i + 1));
        }
        tree = tree
            .file("d/30/x.yaml", "x: 1\n")
            .link("envs/staging/d", "../../d/0");
        let snapshot = read_snapshot(&tree).unwrap();
        assert_eq!(snapshot.get("d/30/x.yaml"), Some("x: 1\n"));
        assert_eq!(
            snapshot.resolve("envs/staging/d/a/b/a/x.yaml"),
            None,
            "29 levels short"
        );
    }
}
