//! One commit's tree, read like a file system rooted at the repository: paths resolve
//! component by component, symbolic links are followed, and nothing may lead outside the root.
//! Snapshots read it through [`GitTree`], by the rule `Snapshot::from_dir` shares
//! (`release::read_snapshot`); commits use [`TreeView::resolve`] to refuse paths through links.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::{broken, describe, not_found};
use crate::error::{Error, ErrorKind, Result};
use crate::release::{FileTree, Kind, MAX_LINKS, Name, utf8_text};
use crate::repo_path::RepoPath;

/// An entry found at a path.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The path the entry was found at once every symbolic link was followed.
    pub(super) path: String,
    /// Tree, blob, executable blob, link (only when not followed) or submodule.
    pub(super) kind: EntryKind,
    /// The object.
    pub(super) id: ObjectId,
}

/// The entries of one tree by name: kind and object id.
type Directory = HashMap<Vec<u8>, (EntryKind, ObjectId)>;

/// The tree of one commit.
pub(super) struct TreeView<'r> {
    repo: &'r gix::Repository,
    root: ObjectId,
    /// Trees looked up by name so far: resolving many paths decodes each tree once.
    directories: RefCell<HashMap<ObjectId, Rc<Directory>>>,
}

fn outside(link: &str, target: &str) -> Error {
    Error::new(
        ErrorKind::InvalidPath,
        format!("`{link}` is a symbolic link to `{target}`, outside the repository"),
    )
    .in_file(link)
}

impl<'r> TreeView<'r> {
    /// The tree of commit `commit`.
    pub(super) fn of_commit(repo: &'r gix::Repository, commit: ObjectId) -> Result<TreeView<'r>> {
        let object = repo
            .find_commit(commit)
            .map_err(|e| broken(format!("cannot read commit {commit}: {}", describe(&e))))?;
        let root = object
            .tree_id()
            .map_err(|e| broken(format!("cannot decode commit {commit}: {}", describe(&e))))?
            .detach();
        Ok(TreeView {
            repo,
            root,
            directories: RefCell::default(),
        })
    }

    /// The root tree's id.
    pub(super) fn root(&self) -> ObjectId {
        self.root
    }

    /// The entries of tree `id`: (name, kind, object id).
    fn entries(&self, id: ObjectId) -> Result<Vec<(Vec<u8>, EntryKind, ObjectId)>> {
        let tree = self
            .repo
            .find_tree(id)
            .map_err(|e| broken(format!("cannot read tree {id}: {}", describe(&e))))?;
        let decoded = tree
            .decode()
            .map_err(|e| broken(format!("cannot decode tree {id}: {}", describe(&e))))?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| (e.filename.to_vec(), e.mode.kind(), e.oid.to_owned()))
            .collect())
    }

    /// The entry `name` of tree `id`.
    fn lookup(&self, id: ObjectId, name: &str) -> Result<Option<(EntryKind, ObjectId)>> {
        let cached = self.directories.borrow().get(&id).cloned();
        let directory = match cached {
            Some(directory) => directory,
            None => {
                let directory: Rc<Directory> = Rc::new(
                    self.entries(id)?
                        .into_iter()
                        .map(|(name, kind, id)| (name, (kind, id)))
                        .collect(),
                );
                self.directories.borrow_mut().insert(id, directory.clone());
                directory
            }
        };
        Ok(directory.get(name.as_bytes()).copied())
    }

    /// The bytes of blob `id`.
    pub(super) fn blob(&self, id: ObjectId) -> Result<Vec<u8>> {
        blob(self.repo, id)
    }

    /// Resolve a normalised repo-relative `path` ("" is the root) the way a file system would:
    /// component by component, following symbolic links (the last one too when `follow_last`).
    /// `Ok(None)` when nothing is there (or a link dangles); `invalid_path` when a link leads
    /// outside the repository (an absolute target, or `..` past the root) or links loop.
    pub(super) fn resolve(&self, path: &str, follow_last: bool) -> Result<Option<Entry>> {
        let mut queue: VecDeque<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        // The directories resolved so far, each with its tree.
        let mut dirs: Vec<(String, ObjectId)> = Vec::new();
        let mut links = 0;
        // The link whose target is being resolved, for messages.
        let mut via: Option<(String, String)> = None;
        while let Some(name) = queue.pop_front() {
            let here = |dirs: &[(String, ObjectId)]| dirs.last().map_or(self.root, |(_, id)| *id);
            match name.as_str() {
                "." => continue,
                ".." => {
                    if dirs.pop().is_none() {
                        let (link, target) = via
                            .clone()
                            .unwrap_or_else(|| (path.to_string(), path.to_string()));
                        return Err(outside(&link, &target));
                    }
                    continue;
                }
                _ => {}
            }
            let Some((kind, id)) = self.lookup(here(&dirs), &name)? else {
                return Ok(None);
            };
            let last = queue.iter().all(|c| c == ".");
            let current = || {
                RepoPath::child(
                    &dirs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join("/"),
                    &name,
                )
            };
            match kind {
                EntryKind::Tree => dirs.push((name, id)),
                EntryKind::Link if !last || follow_last => {
                    links += 1;
                    let link = current();
                    if links > MAX_LINKS {
                        return Err(Error::new(
                            ErrorKind::InvalidPath,
                            format!("`{path}`: too many levels of symbolic links (a loop at `{link}`?)"),
                        ));
                    }
                    let target = String::from_utf8(self.blob(id)?).map_err(|_| {
                        Error::new(
                            ErrorKind::InvalidPath,
                            format!("`{link}`: the link target is not UTF-8"),
                        )
                    })?;
                    if target.starts_with('/')
                        || target.starts_with('\\')
                        || target.as_bytes().get(1) == Some(&b':')
                    {
                        return Err(outside(&link, &target));
                    }
                    for part in target.split('/').rev().filter(|c| !c.is_empty()) {
                        queue.push_front(part.to_string());
                    }
                    via = Some((link, target));
                }
                _ if last => {
                    return Ok(Some(Entry {
                        path: current(),
                        kind,
                        id,
                    }));
                }
                // A file or submodule used as a directory.
                _ => return Ok(None),
            }
        }
        Ok(Some(Entry {
            path: dirs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join("/"),
            kind: EntryKind::Tree,
            id: dirs.last().map_or(self.root, |(_, id)| *id),
        }))
    }
}

/// The bytes of blob `id`.
fn blob(repo: &gix::Repository, id: ObjectId) -> Result<Vec<u8>> {
    let mut blob = repo
        .find_blob(id)
        .map_err(|e| broken(format!("cannot read blob {id}: {}", describe(&e))))?;
    Ok(blob.take_data())
}

/// The text of blob `id`, found at `path`; `invalid_yaml` when it is not UTF-8 (the rule of
/// `Snapshot::from_dir`).
fn text(repo: &gix::Repository, id: ObjectId, path: &str) -> Result<String> {
    utf8_text(blob(repo, id)?, path)
}

/// Files fewer than this are read on the calling thread.
const PARALLEL_FILES: usize = 256;

/// The text of every listed file, read on as many threads as there are cores (at most 8):
/// decompressing blobs is most of a snapshot's time.
fn read_texts(
    repo: &gix::ThreadSafeRepository,
    files: Vec<(String, ObjectId)>,
) -> Result<Vec<(String, String)>> {
    let read = |part: &[(String, ObjectId)]| -> Result<Vec<(String, String)>> {
        let repo = repo.to_thread_local();
        part.iter()
            .map(|(path, id)| Ok((path.clone(), text(&repo, *id, path)?)))
            .collect()
    };
    let parts = crate::parallel::par_chunks(&files, PARALLEL_FILES, read);
    let mut out = Vec::with_capacity(files.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

/// A commit's tree read by the snapshot reader (`release::read_snapshot`), the rule
/// `Snapshot::from_dir` shares: blobs are files, trees folders, links links, and submodules
/// are never read.
pub(super) struct GitTree<'r> {
    /// The commit's tree.
    pub(super) view: TreeView<'r>,
    /// The repository, to read blobs on several threads.
    pub(super) shared: &'r gix::ThreadSafeRepository,
}

fn kind(kind: EntryKind) -> Kind {
    match kind {
        EntryKind::Tree => Kind::Dir,
        EntryKind::Blob | EntryKind::BlobExecutable => Kind::File,
        EntryKind::Link => Kind::Link,
        EntryKind::Commit => Kind::Special("a git submodule"),
    }
}

impl FileTree for GitTree<'_> {
    type Id = ObjectId;

    fn root(&self) -> ObjectId {
        self.view.root
    }

    fn lookup(&self, dir: &ObjectId, _: &str, name: &str) -> Result<Option<(Kind, ObjectId)>> {
        Ok(self.view.lookup(*dir, name)?.map(|(k, id)| (kind(k), id)))
    }

    fn entries(&self, dir: &ObjectId, _: &str) -> Result<Vec<(Name, Kind, ObjectId)>> {
        Ok(self
            .view
            .entries(*dir)?
            .into_iter()
            .map(|(name, k, id)| (String::from_utf8(name).map_err(|e| e.into_bytes()), kind(k), id))
            .collect())
    }

    fn link_target(&self, link: &ObjectId, _: &str) -> Result<Vec<u8>> {
        self.view.blob(*link)
    }

    fn read_texts(&self, files: Vec<(String, ObjectId)>) -> Result<Vec<(String, String)>> {
        read_texts(self.shared, files)
    }
}

/// Resolve `rev` to a commit id: anything `git rev-parse` understands (`HEAD`, `main`,
/// `v1.2^{commit}`, `HEAD~2`, a full or short id), peeled through tags.
pub(super) fn resolve_commit(repo: &gix::Repository, rev: &str) -> Result<ObjectId> {
    if rev.trim().is_empty() {
        return Err(not_found("an empty revision names no commit"));
    }
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| not_found(format!("revision `{rev}` does not resolve: {}", describe(&e))))?;
    let object = id
        .object()
        .map_err(|e| broken(format!("cannot read {id} (revision `{rev}`): {}", describe(&e))))?;
    let kind = object.kind;
    let commit = object.peel_to_commit().map_err(|e| {
        if kind == gix::objs::Kind::Blob || kind == gix::objs::Kind::Tree {
            not_found(format!("revision `{rev}` is a {kind}, not a commit"))
        } else {
            broken(format!("cannot peel `{rev}` to a commit: {}", describe(&e)))
        }
    })?;
    Ok(commit.id)
}
