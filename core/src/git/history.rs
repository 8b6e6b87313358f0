//! [`Repository::history`]: the pointer history of environments, read from the trees of the
//! first-parent walk (DESIGN.md section 10).

use gix::ObjectId;

use super::repository::Repository;
use super::tree::{TreeView, resolve_commit};
use super::{broken, describe};
use crate::config::Config;
use crate::error::Result;
use crate::release::history::{inputs, pointers_in};
use crate::release::{CONFIG_FILE, History, Pointers, Snapshot};

/// What the walk knows of one environment at the newer side of the commit being read.
struct State {
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
            states.push(State {
                pointers: pointers_in(&head_snapshot, &config, env)?,
                inputs: inputs(&head_snapshot, &config, env)?,
            });
        }
        // The configuration on the newer side of the commit being read: a commit that changed
        // `relman.yaml` is read in full, so this follows every change of it.
        let mut config_now = config.clone();
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
            let tree = TreeView::of_commit(&repo, commit.id)?;
            let parent_tree = parent.map(|p| TreeView::of_commit(&repo, p)).transpose()?;
            let mut parent_snapshot: Option<(Snapshot, Config)> = None;
            let mut failed = None;
            for (env, state) in environments.iter().zip(states.iter_mut()) {
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
                                failed = Some(format!(
                                    "history of {env} stops at commit {}, whose files do not read: {e}",
                                    parent.expect("a parent tree has a commit")
                                ));
                                break;
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
        }
        match stop {
            Some(why) => history.truncated(why),
            None => history.set_complete(true),
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
    paths.extend(inputs.iter().map(String::as_str));
    for path in paths {
        if id(tree, path)? != id(parent, path)? {
            return Ok(true);
        }
    }
    Ok(false)
}
