//! [`Repository::history`]: the pointer history of environments, read from the trees of the
//! first-parent walk (DESIGN.md section 10).

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::repository::Repository;
use super::tree::{TreeView, resolve_commit};
use super::{broken, describe};
use crate::config::Config;
use crate::error::Result;
use crate::manifest::kustomize::KUSTOMIZATION_FILES;
use crate::release::{
    CONFIG_FILE, History, Pointers, Snapshot, inputs, pointers_in, skipped, utf8_text, wanted,
};

/// What the walk knows of one environment at the newer side of the commit being read.
struct State {
    /// The walk stopped for this environment (its files did not read at some commit).
    stopped: bool,
    pointers: Pointers,
    /// Files the environment reads there (outside its paths too: a shared base).
    inputs: Vec<String>,
}

/// A commit of the walk.
struct Walked {
    id: ObjectId,
    message: String,
}

impl Repository {
    /// The pointer history of the first-parent walk from `rev`, newest first (DESIGN.md
    /// section 10): for each of the `limit` newest commits (`usize::MAX` for the whole walk),
    /// the slots of `environment` (of every environment of `relman.yaml` at `rev` when `None`)
    /// whose rendered image differs between the commit's first parent and the commit. A
    /// commit's `Relman-*` trailers annotate its moves only when every change they claim is a
    /// move the commit made; otherwise they are ignored with a `record_mismatch` warning.
    ///
    /// Each commit costs a comparison of the environment's inputs (`relman.yaml`, its paths,
    /// the files its kustomizations read) between the two trees; only a commit that changed
    /// one of them is read and planned. The walk stops early, with a warning and
    /// [`History::is_complete`] false, at the limit, at a shallow clone's boundary, or at a
    /// commit whose files do not read (invalid YAML or `relman.yaml` in an old commit).
    ///
    /// Errors: as [`snapshot`](Repository::snapshot) for `rev` itself; `unknown_environment`
    /// when `environment` is not in `relman.yaml` at `rev`; `internal` for a missing or
    /// corrupt commit.
    pub fn history(&self, rev: &str, environment: Option<&str>, limit: usize) -> Result<History> {
        let repo = self.local();
        let shallow = repo.is_shallow();
        let head = resolve_commit(&repo, rev)?;
        let head_snapshot = self.snapshot(&head.to_string())?;
        let config = head_snapshot.config()?;
        let environments: Vec<String> = match environment {
            Some(name) => vec![config.environment(name)?.name.clone()],
            None => config.environments().iter().map(|e| e.name.clone()).collect(),
        };

        // The commits to read, newest first, and the first parent of the oldest (its base).
        let mut walked: Vec<Walked> = Vec::new();
        let mut next = Some(head);
        let mut stop: Option<String> = None;
        let mut base: Option<ObjectId> = None;
        while let Some(id) = next {
            if shallow && !repo.has_object(id) {
                stop = Some(format!(
                    "history stops at the shallow clone's boundary ({} commits read)",
                    walked.len()
                ));
                break;
            }
            if walked.len() >= limit {
                base = Some(id);
                stop = Some(format!("history stops at the limit of {limit} commits"));
                break;
            }
            let commit = repo
                .find_commit(id)
                .map_err(|e| broken(format!("cannot read commit {id}: {}", describe(&e))))?;
            let decoded = commit
                .decode()
                .map_err(|e| broken(format!("cannot decode commit {id}: {}", describe(&e))))?;
            walked.push(Walked {
                id,
                message: String::from_utf8_lossy(decoded.message).into_owned(),
            });
            next = decoded.parents().next();
        }
        if shallow && base.is_some_and(|b| !repo.has_object(b)) {
            base = None;
        }

        let mut history = History::new();
        let mut states: Vec<State> = Vec::with_capacity(environments.len());
        for env in &environments {
            let read = pointers_in(&head_snapshot, &config, env)
                .and_then(|p| Ok((p, inputs(&head_snapshot, &config, env)?)));
            states.push(match read {
                Ok((pointers, inputs)) => State {
                    stopped: false,
                    pointers,
                    inputs,
                },
                Err(e) => {
                    history.stopped(
                        Some(env),
                        format!("history of {env} is empty: its files do not read at {head}: {e}"),
                    );
                    State {
                        stopped: true,
                        pointers: Pointers::new(),
                        inputs: Vec::new(),
                    }
                }
            });
        }
        // The configuration on the newer side of the commit being read: a commit that changed
        // `relman.yaml` is read in full, so this follows every change of it.
        let mut config_now = config.clone();
        // The parent's tree of one commit is the next commit's own: keep it, with the folders it
        // has decoded.
        let mut next_tree: Option<TreeView<'_>> = None;
        for (i, commit) in walked.iter().enumerate() {
            // The first parent, when it is read: the next walked commit, or the base.
            let parent = match walked.get(i + 1) {
                Some(p) => Some(p.id),
                None => base,
            };
            if parent.is_none() && stop.is_some() {
                // The oldest commit read has a parent we may not see (a shallow boundary): its
                // moves are unknown.
                break;
            }
            let tree = match next_tree.take() {
                Some(tree) => tree,
                None => TreeView::of_commit(&repo, commit.id)?,
            };
            let parent_tree = parent.map(|p| TreeView::of_commit(&repo, p)).transpose()?;
            let mut parent_snapshot: Option<(Snapshot, Config)> = None;
            let mut failed = None;
            for (env, state) in environments.iter().zip(states.iter_mut()) {
                if state.stopped {
                    continue;
                }
                let before = match &parent_tree {
                    Some(parent_tree) => {
                        if !changed(&tree, parent_tree, &config_now, env, &state.inputs)? {
                            history.push_commit(
                                env,
                                Some(&commit.id.to_string()),
                                &commit.message,
                                &state.pointers,
                                &state.pointers,
                            );
                            continue;
                        }
                        if let Some((after_files, before_files)) =
                            quick_parent_pointers(&repo, &tree, parent_tree, &config_now, env, state)?
                        {
                            // Slots outside the changed files are the same on both sides: the
                            // moves are the differences between the changed files' slots.
                            history.push_commit(
                                env,
                                Some(&commit.id.to_string()),
                                &commit.message,
                                &before_files,
                                &after_files,
                            );
                            for key in after_files.keys() {
                                state.pointers.remove(key);
                            }
                            state.pointers.extend(before_files);
                            continue;
                        }
                        if parent_snapshot.is_none() {
                            let id = parent.expect("a parent tree has a commit").to_string();
                            match self.snapshot(&id).and_then(|s| {
                                let c = s.config()?;
                                Ok((s, c))
                            }) {
                                Ok(read) => parent_snapshot = Some(read),
                                Err(e) => {
                                    failed = Some(format!(
                                        "history stops at commit {id}, whose files do not read: {e}"
                                    ));
                                    break;
                                }
                            }
                        }
                        let (snapshot, parent_config) = parent_snapshot.as_ref().expect("read above");
                        match pointers_in(snapshot, parent_config, env)
                            .and_then(|p| Ok((p, inputs(snapshot, parent_config, env)?)))
                        {
                            Ok(read) => read,
                            Err(e) => {
                                // This environment's history ends here; the others go on.
                                history.stopped(
                                    Some(env),
                                    format!(
                                        "history of {env} stops at commit {}, whose files do not read: {e}",
                                        parent.expect("a parent tree has a commit")
                                    ),
                                );
                                state.stopped = true;
                                continue;
                            }
                        }
                    }
                    // A root commit: everything it holds appeared in it.
                    None => (Pointers::new(), Vec::new()),
                };
                history.push_commit(
                    env,
                    Some(&commit.id.to_string()),
                    &commit.message,
                    &before.0,
                    &state.pointers,
                );
                *state = State {
                    stopped: false,
                    pointers: before.0,
                    inputs: before.1,
                };
            }
            if let Some(why) = failed {
                stop = Some(why);
                break;
            }
            if let Some((_, parent_config)) = parent_snapshot {
                config_now = parent_config;
            }
            next_tree = parent_tree;
        }
        match stop {
            Some(why) => history.stopped(None, why),
            None if states.iter().all(|s| !s.stopped) => history.set_complete(true),
            None => {}
        }
        Ok(history)
    }
}

/// Whether a commit may have moved a pointer of `env`: `relman.yaml`, one of the environment's
/// paths (HEAD's configuration names them) or one of the files it read differs between the
/// commit's tree and its parent's.
fn changed(
    tree: &TreeView<'_>,
    parent: &TreeView<'_>,
    config: &Config,
    env: &str,
    inputs: &[String],
) -> Result<bool> {
    if tree.root() == parent.root() {
        return Ok(false);
    }
    let id = |view: &TreeView<'_>, path: &str| -> Result<Option<ObjectId>> {
        // A path that no longer resolves (a dangling or escaping link) counts as changed when
        // the other side differs; errors are the reader's to report.
        Ok(view.resolve(path, true).ok().flatten().map(|e| e.id))
    };
    let mut paths: Vec<&str> = vec![CONFIG_FILE];
    if let Ok(e) = config.environment(env) {
        paths.extend(e.paths.iter().map(String::as_str));
    }
    // Files under an environment path are covered by comparing the path's tree.
    let under = |file: &str, dir: &str| {
        dir.is_empty() || file == dir || file.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
    };
    let env_paths = paths[1..].to_vec();
    paths.extend(
        inputs
            .iter()
            .map(String::as_str)
            .filter(|f| !env_paths.iter().any(|dir| under(f, dir))),
    );
    for path in paths {
        if id(tree, path)? != id(parent, path)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A file that differs between a commit's tree and its parent's: its blob on each side.
struct ChangedFile {
    path: String,
    after: Option<ObjectId>,
    before: Option<ObjectId>,
}

/// The slots of the files a commit changed, after and before it (the pointers at the parent
/// are the commit's without the first, with the second), when reading only those is exact:
/// `relman.yaml` is the same, the environment reads no kustomization (so a file's workloads and
/// images depend on that file alone) and no file outside its paths (a symbolic link's target),
/// its paths are no links, and the change is plain files under them (no link, submodule, or
/// file turned folder). `None`: read the parent in full.
fn quick_parent_pointers(
    repo: &gix::Repository,
    tree: &TreeView<'_>,
    parent: &TreeView<'_>,
    config: &Config,
    env: &str,
    state: &State,
) -> Result<Option<(Pointers, Pointers)>> {
    let is_kustomization =
        |path: &str| KUSTOMIZATION_FILES.contains(&path.rsplit('/').next().unwrap_or(path));
    if state.inputs.iter().any(|p| is_kustomization(p)) {
        return Ok(None);
    }
    let Ok(environment) = config.environment(env) else {
        return Ok(None);
    };
    // Every file read must lie under the environment's own paths, reached without a link:
    // otherwise (a symbolic link to a file elsewhere) diffing those paths would miss a change.
    let under = |file: &str, dir: &str| {
        dir.is_empty() || file == dir || file.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
    };
    if !state
        .inputs
        .iter()
        .all(|f| environment.paths.iter().any(|dir| under(f, dir)))
    {
        return Ok(None);
    }
    for path in &environment.paths {
        for view in [tree, parent] {
            if view.resolve(path, true)?.is_some_and(|e| e.path != *path) {
                return Ok(None);
            }
        }
    }
    let entry = |view: &TreeView<'_>, path: &str| -> Result<Option<(EntryKind, ObjectId)>> {
        Ok(view.resolve(path, true)?.map(|e| (e.kind, e.id)))
    };
    if entry(tree, CONFIG_FILE)? != entry(parent, CONFIG_FILE)? {
        return Ok(None);
    }
    let mut changed = Vec::new();
    for path in &environment.paths {
        let (after, before) = (entry(tree, path)?, entry(parent, path)?);
        let file = |e: &Option<(EntryKind, ObjectId)>| {
            matches!(e, Some((EntryKind::Blob | EntryKind::BlobExecutable, _)))
        };
        if file(&after) || file(&before) {
            // An environment path naming a file is read whatever its name.
            if !(file(&after) || after.is_none()) || !(file(&before) || before.is_none()) {
                return Ok(None);
            }
            if after != before {
                changed.push(ChangedFile {
                    path: path.clone(),
                    after: after.map(|(_, id)| id),
                    before: before.map(|(_, id)| id),
                });
            }
        } else if !diff_trees(repo, path, after, before, &mut changed)? {
            return Ok(None);
        }
    }
    if changed.iter().any(|c| is_kustomization(&c.path)) {
        return Ok(None);
    }
    let side = |pick: fn(&ChangedFile) -> Option<ObjectId>| -> Result<Snapshot> {
        let mut files = Vec::new();
        for c in &changed {
            if let Some(id) = pick(c) {
                files.push((c.path.clone(), utf8_text(tree.blob(id)?, &c.path)?));
            }
        }
        Snapshot::from_files(files)
    };
    // A side that does not read (invalid YAML) is left to the full read, which reports it.
    let Ok(removed) = side(|c| c.after).and_then(|s| pointers_in(&s, config, env)) else {
        return Ok(None);
    };
    let Ok(added) = side(|c| c.before).and_then(|s| pointers_in(&s, config, env)) else {
        return Ok(None);
    };
    Ok(Some((removed, added)))
}

/// Add to `out` the files (as a snapshot reads them: `.yaml`, `.yml`, `Kustomization`; hidden
/// folders, `node_modules` and `target` skipped) that differ between two versions of the folder
/// `path`, descending only into subtrees that differ. `false` when something other than plain
/// files and folders changed (a link, a submodule, a file turned folder).
fn diff_trees(
    repo: &gix::Repository,
    path: &str,
    after: Option<(EntryKind, ObjectId)>,
    before: Option<(EntryKind, ObjectId)>,
    out: &mut Vec<ChangedFile>,
) -> Result<bool> {
    if after == before {
        return Ok(true);
    }
    type Entries = Vec<(Vec<u8>, EntryKind, ObjectId)>;
    let entries = |side: Option<(EntryKind, ObjectId)>| -> Result<Option<Entries>> {
        match side {
            None => Ok(Some(Vec::new())),
            Some((EntryKind::Tree, id)) => {
                let tree = repo
                    .find_tree(id)
                    .map_err(|e| broken(format!("cannot read tree {id}: {}", describe(&e))))?;
                let decoded = tree
                    .decode()
                    .map_err(|e| broken(format!("cannot decode tree {id}: {}", describe(&e))))?;
                let mut entries: Entries = decoded
                    .entries
                    .iter()
                    .map(|e| (e.filename.to_vec(), e.mode.kind(), e.oid.to_owned()))
                    .collect();
                // Git orders a folder as if its name ended in `/`; by plain name here.
                entries.sort_by(|x, y| x.0.cmp(&y.0));
                Ok(Some(entries))
            }
            Some(_) => Ok(None),
        }
    };
    let (Some(a), Some(b)) = (entries(after)?, entries(before)?) else {
        return Ok(false);
    };
    // Both lists are sorted by name: walk them side by side.
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (name, ca, cb) = match order {
            std::cmp::Ordering::Less => {
                i += 1;
                (&a[i - 1].0, Some((a[i - 1].1, a[i - 1].2)), None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (&b[j - 1].0, None, Some((b[j - 1].1, b[j - 1].2)))
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (
                    &a[i - 1].0,
                    Some((a[i - 1].1, a[i - 1].2)),
                    Some((b[j - 1].1, b[j - 1].2)),
                )
            }
        };
        if ca == cb {
            continue;
        }
        let Ok(name) = std::str::from_utf8(name) else {
            return Ok(false);
        };
        let child = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}/{name}")
        };
        let kind = |e: Option<(EntryKind, ObjectId)>| e.map(|(k, _)| k);
        let tree = |k: Option<EntryKind>| matches!(k, None | Some(EntryKind::Tree));
        let blob =
            |k: Option<EntryKind>| matches!(k, None | Some(EntryKind::Blob | EntryKind::BlobExecutable));
        if tree(kind(ca)) && tree(kind(cb)) {
            if skipped(name) {
                continue;
            }
            if !diff_trees(repo, &child, ca, cb, out)? {
                return Ok(false);
            }
        } else if blob(kind(ca)) && blob(kind(cb)) {
            if wanted(name) {
                out.push(ChangedFile {
                    path: child,
                    after: ca.map(|(_, id)| id),
                    before: cb.map(|(_, id)| id),
                });
            }
        } else {
            return Ok(false);
        }
    }
    Ok(true)
}
