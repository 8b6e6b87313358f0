//! The pointer history of environments (DESIGN.md section 10): what the branch held, read from
//! the trees of its commits, with the `Relman-*` trailers only annotating the moves they agree
//! with.
//!
//! A history is a list of [`PointerMove`]s, newest first: one per slot whose rendered image
//! changed in a commit. Two ways to build one:
//!
//! - **From trees** (the trusted mode): [`History::from_commits`] on snapshots of consecutive
//!   commits, or `git::Repository::history` (feature `git`), which does the same on the
//!   first-parent walk of a branch. A move is a move whatever its message says; a commit's
//!   trailers annotate its moves (cause, user, lock) only when every `Relman-Change` matches a
//!   move the commit really made in that environment. A record that claims anything else is
//!   ignored with a `record_mismatch` warning, so a hand-written trailer on an unrelated commit
//!   creates no release.
//! - **From messages** (the weaker mode, for callers without git): [`History::from_messages`]
//!   believes the records the messages carry. It cannot see hand edits or `git revert`s, and a
//!   forged message is believed.
//!
//! ```
//! use relman::release::{History, MoveCause, Snapshot};
//! let config = "environments:\n  prod:\n    path: prod\n    release: manual\n";
//! let deployment = |image: &str| format!(
//!     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: {image}\n");
//! let at = |image: &str| {
//!     Snapshot::from_files([("relman.yaml", config.to_string()), ("prod/users.yaml", deployment(image))])
//! };
//! // Newest first: a hand edit to 1.2.0 after a commit that added the file at 1.1.0.
//! let history = History::from_commits(
//!     [
//!         ("Bump users by hand".to_string(), at("acme/users:1.2.0")?),
//!         ("Add users".to_string(), at("acme/users:1.1.0")?),
//!     ],
//!     None,
//! )?;
//! let moves: Vec<_> = history.moves_of("prod").collect();
//! assert_eq!(moves[0].to.as_deref(), Some("acme/users:1.2.0"));
//! assert_eq!(moves[0].cause, MoveCause::Unrecorded);
//! assert_eq!(
//!     history.previous("prod", "default:deployment/users", "app", "acme/users:1.2.0").as_deref(),
//!     Some("acme/users:1.1.0")
//! );
//! # Ok::<(), relman::Error>(())
//! ```

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::environment;
use super::plan::ReleaseKind;
use super::record::ReleaseRecord;
use super::snapshot::Snapshot;
use crate::config::Config;
use crate::error::Result;
use crate::image::ImageRef;

/// The managed image slots of one environment at one commit: `(workload id, container)` to the
/// image the environment renders there.
pub type Pointers = BTreeMap<(String, String), String>;

crate::vocabulary::wire_enum! {
/// Why a pointer moved.
pub enum MoveCause {
    /// An explicit release recorded by relman.
    Manual = "manual",
    /// Automation recorded by relman.
    Automated = "automated",
    /// A promotion recorded by relman.
    Promotion = "promotion",
    /// A rollback recorded by relman: the value it moved away from is known bad.
    Rollback = "rollback",
    /// An adoption recorded by relman: the repo took the image the cluster ran (image
    /// `observed`). The value it moved away from is not marked bad: an out-of-band change may
    /// be a rollback or a hotfix forward, and relman cannot tell which.
    Adopted = "adopted",
    /// A move without a matching record: a hand edit, a merge, a `git revert`.
    Unrecorded = "unrecorded",
}
}

impl From<ReleaseKind> for MoveCause {
    fn from(kind: ReleaseKind) -> MoveCause {
        match kind {
            ReleaseKind::Manual => MoveCause::Manual,
            ReleaseKind::Automated => MoveCause::Automated,
            ReleaseKind::Promotion => MoveCause::Promotion,
            ReleaseKind::Rollback => MoveCause::Rollback,
            ReleaseKind::Adopted => MoveCause::Adopted,
        }
    }
}

/// One slot's pointer changing in one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PointerMove {
    /// The commit (its full id when read from git; the snapshot's revision, if any, otherwise).
    pub commit: Option<String>,
    /// The environment.
    pub environment: String,
    /// `namespace:kind/name`.
    pub workload: String,
    /// Container (or HelmRelease or marker slot) name.
    pub container: String,
    /// The image before; `None` when the slot appeared in this commit.
    pub from: Option<String>,
    /// The image after; `None` when the slot went away in this commit.
    pub to: Option<String>,
    /// Why, when a matching record says so; else [`MoveCause::Unrecorded`].
    pub cause: MoveCause,
    /// `Relman-User` of the matching record.
    pub user: Option<String>,
    /// Whether the matching record locked the workload (`Relman-Lock`).
    pub locked: bool,
}

/// One item of a history given in the weaker mode (see [`History::from_entries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryEntry {
    /// A commit message; its `Relman-*` trailers are believed.
    Message(String),
    /// A record already parsed.
    Record(ReleaseRecord),
}

crate::vocabulary::wire_enum! {
/// Where a history came from.
#[derive(Default)]
pub enum HistorySource {
    /// Read from the trees of commits (trailers checked against each commit's diff).
    #[default]
    Trees = "trees",
    /// Read from commit messages alone (trailers believed; the weaker mode).
    Messages = "messages",
}
}

/// The pointer history of environments, newest first (how it is derived: the README, "How the
/// history is derived").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    moves: Vec<PointerMove>,
    warnings: Vec<String>,
    /// The environment each warning concerns (`None`: the whole walk).
    warned: Vec<Option<String>>,
    source: HistorySource,
    complete: bool,
}

/// The pointers of `environment` in `snapshot`, or empty when the snapshot has no such
/// environment (an older commit, before it was added).
///
/// Errors: as planning: `invalid_config`, `invalid_yaml`, `duplicate_resource`, ...
pub fn pointers(snapshot: &Snapshot, environment: &str) -> Result<Pointers> {
    let config = snapshot.config()?;
    pointers_in(snapshot, &config, environment)
}

pub(crate) fn pointers_in(snapshot: &Snapshot, config: &Config, environment: &str) -> Result<Pointers> {
    let Some(env) = config.environments().iter().find(|e| e.name == environment) else {
        return Ok(Pointers::new());
    };
    let mut arenas = environment::Arenas::default();
    let model = environment::model(snapshot, &mut arenas, config, env, &Default::default())?;
    let mut out = Pointers::new();
    for placed in &model.placed {
        for slot in placed.images().filter(|s| s.is_managed()) {
            out.insert(
                (placed.workload.id.clone(), slot.container.clone()),
                slot.image().to_string(),
            );
        }
    }
    Ok(out)
}

/// The files an environment reads in `snapshot` (manifests and kustomizations, `relman.yaml`
/// excluded), and the symbolic links the snapshot was read through: a commit that changes none
/// of them (nor `relman.yaml`, nor adds a file under the environment's paths) moves no pointer
/// of the environment.
pub(crate) fn inputs(snapshot: &Snapshot, config: &Config, environment: &str) -> Result<Vec<String>> {
    let Some(env) = config.environments().iter().find(|e| e.name == environment) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<String> = environment::files_of(snapshot, env)?.into_iter().collect();
    // The symbolic links the snapshot was read through: retargeting one changes what the
    // environment reads without changing any file it reads.
    files.extend(snapshot.links().map(|(link, _)| link.to_string()));
    files.sort();
    files.dedup();
    Ok(files)
}

/// Whether two values name the same image: the same normalised repository, tag and digest
/// (text equality when either is not a reference).
fn same_image(a: &str, b: &str) -> bool {
    match (ImageRef::parse(a), ImageRef::parse(b)) {
        (Ok(x), Ok(y)) => x.same_repository(&y) && x.tag() == y.tag() && x.digest() == y.digest(),
        _ => a == b,
    }
}

/// The moves between two pointer sets, in key order.
fn diff(environment: &str, commit: Option<&str>, before: &Pointers, after: &Pointers) -> Vec<PointerMove> {
    let mut out = Vec::new();
    let keys: std::collections::BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (from, to) = (before.get(key), after.get(key));
        if from == to {
            continue;
        }
        out.push(PointerMove {
            commit: commit.map(str::to_string),
            environment: environment.to_string(),
            workload: key.0.clone(),
            container: key.1.clone(),
            from: from.cloned(),
            to: to.cloned(),
            cause: MoveCause::Unrecorded,
            user: None,
            locked: false,
        });
    }
    out
}

impl History {
    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// The moves of every environment, newest first.
    pub fn moves(&self) -> &[PointerMove] {
        &self.moves
    }

    /// The moves of one environment, newest first.
    pub fn moves_of<'h>(&'h self, environment: &'h str) -> impl Iterator<Item = &'h PointerMove> + 'h {
        self.moves.iter().filter(move |m| m.environment == environment)
    }

    /// What was read around rather than trusted: `record_mismatch: ...` for a commit whose
    /// trailers claim moves it did not make, and where the walk stopped early.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The warnings that concern `environment` (its record mismatches, and where the walk
    /// stopped).
    pub fn warnings_of<'h>(&'h self, environment: &'h str) -> impl Iterator<Item = &'h str> + 'h {
        self.warnings
            .iter()
            .zip(&self.warned)
            .filter(move |(_, e)| e.as_deref().is_none_or(|e| e == environment))
            .map(|(w, _)| w.as_str())
    }

    /// Whether the history was read from trees or believed from messages.
    pub fn source(&self) -> HistorySource {
        self.source
    }

    /// Whether the walk reached the first commit (false when a limit, a shallow clone or an
    /// unreadable commit ended it first). Always false for a history from messages.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The weaker mode: a history believed from commit messages, newest first (messages
    /// without a [`ReleaseRecord`] are skipped). Use it only where no trees are available:
    /// hand edits and `git revert`s are invisible to it, and a forged message is believed.
    pub fn from_messages<'m>(messages: impl IntoIterator<Item = &'m str>) -> History {
        History::from_records(messages.into_iter().filter_map(ReleaseRecord::parse))
    }

    /// The weaker mode from what a binding's `history` argument holds: commit messages and
    /// records already parsed, mixed, newest first. A message without a record is skipped, as
    /// in [`from_messages`](History::from_messages).
    ///
    /// ```
    /// use relman::release::{History, HistoryEntry};
    /// let history = History::from_entries([HistoryEntry::Message("Fix a typo".into())]);
    /// assert!(history.moves().is_empty());
    /// ```
    pub fn from_entries(entries: impl IntoIterator<Item = HistoryEntry>) -> History {
        History::from_records(entries.into_iter().filter_map(|entry| match entry {
            HistoryEntry::Message(message) => ReleaseRecord::parse(&message),
            HistoryEntry::Record(record) => Some(record),
        }))
    }

    /// The weaker mode, from records already parsed (newest first).
    pub fn from_records(records: impl IntoIterator<Item = ReleaseRecord>) -> History {
        let mut moves = Vec::new();
        for record in records {
            for change in &record.changes {
                moves.push(PointerMove {
                    commit: None,
                    environment: record.environment.clone(),
                    workload: change.workload.clone(),
                    container: change.container.clone(),
                    from: Some(change.from.clone()),
                    to: Some(change.to.clone()),
                    cause: record.kind.into(),
                    user: record.user.clone(),
                    locked: record.locked.contains(&change.workload),
                });
            }
        }
        History {
            moves,
            source: HistorySource::Messages,
            ..History::default()
        }
    }

    /// The trusted mode without git: `commits` are `(message, snapshot after the commit)`,
    /// newest first, each the first parent of the one before; `base` is the snapshot before the
    /// oldest (`None`: nothing, as before a root commit). The environments are those of the
    /// newest snapshot's `relman.yaml`. A snapshot's [`revision`](Snapshot::revision) names
    /// its commit in the moves.
    ///
    /// Errors: a snapshot the planner could not read (`invalid_config`, `invalid_yaml`, ...),
    /// located in its file.
    pub fn from_commits(
        commits: impl IntoIterator<Item = (String, Snapshot)>,
        base: Option<Snapshot>,
    ) -> Result<History> {
        let commits: Vec<(String, Snapshot)> = commits.into_iter().collect();
        let base = base.unwrap_or_default();
        let Some((_, newest)) = commits.first() else {
            return Ok(History {
                complete: true,
                ..History::default()
            });
        };
        let environments: Vec<String> = newest
            .config()?
            .environments()
            .iter()
            .map(|e| e.name.clone())
            .collect();
        let configs: Vec<Result<Config>> = commits
            .iter()
            .map(|(_, s)| s)
            .chain(std::iter::once(&base))
            .map(|s| s.config())
            .collect();
        let mut history = History {
            complete: true,
            ..History::default()
        };
        let snapshots: Vec<&Snapshot> = commits
            .iter()
            .map(|(_, s)| s)
            .chain(std::iter::once(&base))
            .collect();
        for environment in &environments {
            // Newest first; an environment whose files do not read at some commit has its
            // history end there, with a warning (the others go on).
            let mut after = match &configs[0] {
                Ok(c) => pointers_in(snapshots[0], c, environment),
                Err(e) => Err(e.clone()),
            };
            for (i, (message, snapshot)) in commits.iter().enumerate() {
                let before = match &configs[i + 1] {
                    Ok(c) => pointers_in(snapshots[i + 1], c, environment),
                    Err(e) => Err(e.clone()),
                };
                match (&before, &after) {
                    (Ok(b), Ok(a)) => history.push_commit(environment, snapshot.revision(), message, b, a),
                    (Err(e), _) | (_, Err(e)) => {
                        let at = snapshot
                            .revision()
                            .map_or_else(|| format!("commit {}", i + 1), |r| r.to_string());
                        history.stopped(
                            Some(environment),
                            format!("history of {environment} stops at {at}, whose files do not read: {e}"),
                        );
                        break;
                    }
                }
                after = before;
            }
        }
        history.sort_newest_first(&commits.iter().map(|(_, s)| s.revision()).collect::<Vec<_>>());
        Ok(history)
    }

    /// Add the moves of one commit in `environment`, older than every commit added so far for
    /// it: the slots whose pointer differs between `before` (the first parent's pointers) and
    /// `after` (the commit's), annotated by the commit's record when the record agrees with
    /// them.
    pub(crate) fn push_commit(
        &mut self,
        environment: &str,
        commit: Option<&str>,
        message: &str,
        before: &Pointers,
        after: &Pointers,
    ) {
        let mut moves = diff(environment, commit, before, after);
        let record = ReleaseRecord::parse(message).filter(|r| r.environment == environment);
        if let Some(record) = record {
            let matching: Option<Vec<usize>> = record
                .changes
                .iter()
                .map(|c| {
                    moves.iter().position(|m| {
                        m.workload == c.workload
                            && m.container == c.container
                            && m.from.as_deref() == Some(c.from.as_str())
                            && m.to.as_deref() == Some(c.to.as_str())
                    })
                })
                .collect();
            match matching {
                Some(indices) if !indices.is_empty() => {
                    for i in indices {
                        let m = &mut moves[i];
                        m.cause = record.kind.into();
                        m.user = record.user.clone();
                        m.locked = record.locked.contains(&m.workload);
                    }
                }
                _ => {
                    let name = commit.map_or_else(|| "a commit".to_string(), |c| format!("commit {c}"));
                    self.warned.push(Some(environment.to_string()));
                    self.warnings.push(format!(
                        "record_mismatch: {name} carries a Relman-* record for {environment} that claims changes the commit does not make there; the record is ignored"
                    ));
                }
            }
        }
        self.moves.extend(moves);
    }

    /// Order moves newest first by commit (the order `commits` gives, newest first), keeping
    /// each commit's moves in key order; moves of unknown commits keep their place at the end.
    fn sort_newest_first(&mut self, commits: &[Option<&str>]) {
        if commits.iter().any(Option::is_none) {
            // Without ids, moves were pushed per environment in commit order already; the
            // environments do not interleave in any query, which always filters by one.
            return;
        }
        let rank: std::collections::HashMap<&str, usize> = commits
            .iter()
            .enumerate()
            .map(|(i, c)| (c.unwrap_or_default(), i))
            .collect();
        self.moves.sort_by_key(|m| {
            m.commit
                .as_deref()
                .and_then(|c| rank.get(c).copied())
                .unwrap_or(usize::MAX)
        });
    }

    /// Record that the walk ended before the first commit for `environment` (for every
    /// environment with `None`), and why.
    pub(crate) fn stopped(&mut self, environment: Option<&str>, why: String) {
        self.complete = false;
        self.warned.push(environment.map(str::to_string));
        self.warnings.push(why);
    }

    pub(crate) fn set_complete(&mut self, complete: bool) {
        self.complete = complete;
    }

    /// The moves of one slot, newest first.
    fn slot<'h>(
        &'h self,
        environment: &'h str,
        workload: &'h str,
        container: &'h str,
    ) -> impl Iterator<Item = &'h PointerMove> + 'h {
        self.moves_of(environment)
            .filter(move |m| m.workload == workload && m.container == container)
    }

    /// Replay one slot's moves, oldest first, as a stack of the values it held: a move to a
    /// value the slot held before (the same image, however it is spelled) is a return, and
    /// every value held since was rolled back from; so is the `from` of a recorded rollback.
    /// Returns the stack (each value with whether it may be rolled back to) and the values
    /// rolled back from.
    fn replay(
        &self,
        environment: &str,
        workload: &str,
        container: &str,
    ) -> (Vec<(String, bool)>, Vec<String>) {
        let mut moves: Vec<&PointerMove> = self.slot(environment, workload, container).collect();
        moves.reverse();
        // In a walk that stopped at a limit or a shallow boundary, the value the slot held at the
        // horizon is not known to be good: what came before it (a release a revert undid) is
        // unseen.
        let horizon_unknown = self.source == HistorySource::Trees && !self.complete;
        let mut stack: Vec<(String, bool)> = Vec::new();
        let mut bad: Vec<String> = Vec::new();
        for (i, m) in moves.iter().enumerate() {
            if let Some(from) = &m.from {
                // Trees chain (each `from` is the top); a history believed from messages may not.
                if stack.last().is_none_or(|(v, _)| !same_image(v, from)) {
                    stack.push((from.clone(), !(i == 0 && horizon_unknown)));
                }
                if m.cause == MoveCause::Rollback {
                    bad.push(from.clone());
                }
            }
            let Some(to) = &m.to else {
                continue;
            };
            match stack.iter().rposition(|(v, _)| same_image(v, to)) {
                Some(k) => bad.extend(stack.drain(k + 1..).map(|(v, _)| v)),
                None => stack.push((to.clone(), true)),
            }
        }
        (stack, bad)
    }

    /// The values one slot was rolled back from: the `from` of every recorded rollback, and every
    /// value the slot held before a move returned it to an earlier value (a `git revert`, an
    /// edit back by hand, a file removed and restored). They are known bad: a rollback never
    /// goes back to one.
    pub fn rolled_back_from(&self, environment: &str, workload: &str, container: &str) -> HashSet<String> {
        self.replay(environment, workload, container)
            .1
            .into_iter()
            .collect()
    }

    /// The pointer a rollback of one slot goes to: the newest value the slot held before, among
    /// those it still holds on its history's stack (see [`rolled_back_from`](Self::rolled_back_from)),
    /// that is not `current`, names the same repository as `current`, and was never rolled back
    /// from. In a history whose walk stopped early, the value at the horizon is not a target.
    /// Values compare as images (`docker.io/library/nginx:1` is `nginx:1`). `None` when there is
    /// none.
    pub fn previous(
        &self,
        environment: &str,
        workload: &str,
        container: &str,
        current: &str,
    ) -> Option<String> {
        let (stack, bad) = self.replay(environment, workload, container);
        let current_ref = ImageRef::parse(current).ok();
        stack
            .into_iter()
            .rev()
            .filter(|(v, allowed)| *allowed && !same_image(v, current))
            .filter(|(v, _)| !bad.iter().any(|b| same_image(b, v)))
            .find(|(v, _)| match (&current_ref, ImageRef::parse(v)) {
                (Some(c), Ok(r)) => r.same_repository(c),
                _ => true,
            })
            .map(|(v, _)| v)
    }

    /// Whether some slot of `environment` held an image for which `held` is true, before or
    /// after any move of the history (the promotion gate's "has run").
    pub fn ever_held(&self, environment: &str, mut held: impl FnMut(&str) -> bool) -> bool {
        self.moves_of(environment)
            .any(|m| m.from.as_deref().is_some_and(&mut held) || m.to.as_deref().is_some_and(&mut held))
    }
}
