//! Flux v1 policy annotations on workloads (DESIGN.md section 7), as keys and values: which
//! policy a key expresses, the keys a policy may be written under, reading annotations into a
//! [`Policy`] and resolving a [`PolicyChange`]. No YAML here: finding the annotations in a
//! manifest and patching them is `manifest::annotations` (manifest uses policy, never the
//! reverse).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TagFilter;
use crate::error::{Error, ErrorKind, Result};

/// The annotation prefixes of a policy, in precedence order.
const PREFIXES: [&str; 2] = ["fluxcd.io/", "flux.weave.works/"];
/// The prefix of per-container tag filters in their short form (`filter.fluxcd.io/<container>`).
const FILTER_PREFIX: &str = "filter.fluxcd.io/";
/// The key of relman's lock expiry.
const LOCKED_UNTIL: &str = "relman.dev/locked_until";

crate::vocabulary::wire_enum! {
/// What `ignore` says.
#[derive(Default)]
pub enum Ignore {
    /// Not ignored.
    #[default]
    No = "no",
    /// `ignore: "true"`: relman leaves the workload alone.
    True = "true",
    /// `ignore: sync_only`: synced but never garbage-collected (kept for Flux compatibility).
    SyncOnly = "sync_only",
}
}

/// The policies annotated on a workload.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Policy {
    /// `automated: "true"`: automation may release new images.
    pub automated: bool,
    /// Whether an `automated` annotation is present at all (in an `automatic` environment a
    /// workload is automated unless it says otherwise).
    #[serde(default)]
    pub automated_set: bool,
    /// `locked: "true"`: releases are blocked. Fails closed: any value other than exactly
    /// `"true"` or `"false"` (`"True"`, `yes`, `1`, `" true"`) also counts as locked, and the
    /// policy is listed in [`Policy::ambiguous`].
    pub locked: bool,
    /// Why it is locked.
    pub locked_msg: Option<String>,
    /// Who locked it.
    pub locked_user: Option<String>,
    /// When the lock expires (RFC 3339, as written in `relman.dev/locked_until`).
    pub locked_until: Option<String>,
    /// The `ignore` policy (a value other than `"true"`, `"sync_only"` or `"false"` reads as
    /// [`Ignore::True`] and is listed in [`Policy::ambiguous`]).
    pub ignore: Ignore,
    /// Tag filters per container (`tag.<container>`), as written.
    pub tag_filters: BTreeMap<String, String>,
    /// The policies whose value is not one relman reads exactly, read in the safe direction
    /// (warning `ambiguous_policy`): `locked` other than `"true"`/`"false"` counts as locked;
    /// `ignore` other than `"true"`, `"sync_only"` or `"false"` counts as ignored; `automated`
    /// other than `"true"`/`"false"` counts as not automated. In annotation order of the
    /// policies: `automated`, `locked`, `ignore`.
    ///
    /// A policy whose annotation is given twice in the mapping (under one key), and
    /// `annotations` when `metadata` holds two `annotations:` mappings, are listed here too
    /// (and in [`Policy::duplicated`]).
    #[serde(default)]
    pub ambiguous: Vec<String>,
    /// The policies whose annotation key is given twice (`annotations` for two `annotations:`
    /// mappings), in the order of their first copy. Kubernetes' decoder refuses such a file;
    /// relman reads it failing closed: locked (without expiry), not automated, and ignored
    /// when `ignore` is the duplicated key. Every one is also in [`Policy::ambiguous`].
    #[serde(default)]
    pub duplicated: Vec<String>,
}

/// Policies to add (with their values) and remove. Removal wins over addition.
///
/// Policy names: `automated`, `locked`, `locked_msg`, `locked_user`, `locked_until`,
/// `ignore`, `tag.<container>`, and `tag_all` (sets `tag.<container>` for every container;
/// `tag_all: glob:*` removes every tag filter instead).
///
/// Values are checked before anything is written: a tag filter must parse (else
/// `invalid_filter`), `locked_until` must be an RFC 3339 time (else `invalid_policy`), and a
/// container name in `tag.<container>` must be one an annotation key can hold (else
/// `invalid_policy`). Messages and users are free text: any character, written escaped.
///
/// ```
/// let change = relman::PolicyChange::new().add("automated", "true").remove("locked");
/// assert_eq!(change.add.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PolicyChange {
    /// Policies to set, in the order they are written when new.
    pub add: Vec<(String, String)>,
    /// Policies to remove.
    pub remove: Vec<String>,
}

impl PolicyChange {
    /// An empty change.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also set `policy` to `value`.
    pub fn add(mut self, policy: impl Into<String>, value: impl Into<String>) -> Self {
        self.add.push((policy.into(), value.into()));
        self
    }

    /// Also remove `policy`.
    pub fn remove(mut self, policy: impl Into<String>) -> Self {
        self.remove.push(policy.into());
        self
    }
}

impl PolicyChange {
    /// Check every policy name and value of the change before anything is written
    /// (`invalid_policy`, `invalid_filter`).
    pub(crate) fn check(&self) -> Result<()> {
        for policy in self.add.iter().map(|(p, _)| p).chain(&self.remove) {
            check_policy_name(policy)?;
        }
        for (policy, value) in &self.add {
            check_policy_value(policy, value)?;
        }
        Ok(())
    }

    /// The policies the change removes and the ones it sets (each once, the last value given
    /// winning), with `tag_all` expanded over `tags` (the `tag.<container>` policies the
    /// workload's annotations hold, in their order) and `containers` (the workload's container
    /// names); removal wins over addition.
    pub(crate) fn resolve(
        &self,
        tags: &[String],
        containers: &[String],
    ) -> (Vec<String>, Vec<(String, String)>) {
        let mut removed: Vec<String> = Vec::new();
        let mut added: Vec<(String, String)> = Vec::new();
        for policy in &self.remove {
            if policy == "tag_all" {
                removed.extend(tags.iter().cloned());
                removed.extend(containers.iter().map(|c| format!("tag.{c}")));
            } else {
                removed.push(policy.clone());
            }
        }
        for (policy, value) in &self.add {
            if policy == "tag_all" {
                if value == "glob:*" {
                    removed.extend(tags.iter().cloned());
                } else {
                    added.extend(containers.iter().map(|c| (format!("tag.{c}"), value.clone())));
                }
            } else {
                added.push((policy.clone(), value.clone()));
            }
        }
        added.retain(|(p, _)| !removed.contains(p));
        // The last value given for a policy wins.
        let mut deduped: Vec<(String, String)> = Vec::new();
        for (p, v) in added {
            deduped.retain(|(q, _)| *q != p);
            deduped.push((p, v));
        }
        (removed, deduped)
    }
}

/// The policy an annotation key expresses, if any (`fluxcd.io/automated` -> `automated`,
/// `filter.fluxcd.io/app` -> `tag.app`).
pub(crate) fn policy_of_key(key: &str) -> Option<String> {
    if key == LOCKED_UNTIL {
        return Some("locked_until".to_string());
    }
    if let Some(container) = key.strip_prefix(FILTER_PREFIX) {
        return Some(format!("tag.{container}"));
    }
    PREFIXES
        .iter()
        .find_map(|p| key.strip_prefix(p))
        .map(str::to_string)
}

/// The keys a policy may be written under, in precedence order.
pub(crate) fn keys_of_policy(policy: &str) -> Vec<String> {
    if policy == "locked_until" {
        return vec![LOCKED_UNTIL.to_string()];
    }
    let mut keys: Vec<String> = PREFIXES.iter().map(|p| format!("{p}{policy}")).collect();
    if let Some(container) = policy.strip_prefix("tag.") {
        keys.push(format!("{FILTER_PREFIX}{container}"));
    }
    keys
}

/// The first of the [`keys_of_policy`] of `policy`, in their order, for which `f` gives a
/// value: the keys spelled one after the other into `buffer`, not allocated one by one (read
/// for every policy of every workload of a plan).
fn find_key_of_policy<T>(policy: &str, buffer: &mut String, f: impl Fn(&str) -> Option<T>) -> Option<T> {
    if policy == "locked_until" {
        return f(LOCKED_UNTIL);
    }
    let mut spelled = |prefix: &str, name: &str| {
        buffer.clear();
        buffer.push_str(prefix);
        buffer.push_str(name);
        f(buffer)
    };
    for prefix in PREFIXES {
        if let Some(found) = spelled(prefix, policy) {
            return Some(found);
        }
    }
    let container = policy.strip_prefix("tag.")?;
    spelled(FILTER_PREFIX, container)
}

fn check_policy_name(policy: &str) -> Result<()> {
    if let Some(container) = policy.strip_prefix("tag.") {
        if !container.is_empty() && !is_container_name(container) {
            return Err(Error::new(
                ErrorKind::InvalidPolicy,
                format!(
                    "{policy:?}: a container name is letters, digits, `-`, `_` and `.`, starting and \
                     ending with a letter or digit, at most 63 (it becomes part of an annotation key)"
                ),
            ));
        }
    }
    let known = matches!(
        policy,
        "automated" | "locked" | "locked_msg" | "locked_user" | "locked_until" | "ignore" | "tag_all"
    ) || policy.strip_prefix("tag.").is_some_and(|c| !c.is_empty());
    if known {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidPolicy,
            format!(
                "unknown policy `{policy}`; policies are automated, locked, locked_msg, locked_user, \
                 locked_until, ignore, tag.<container> and tag_all"
            ),
        ))
    }
}

/// Whether `name` can follow `tag.` in an annotation key: the name part of a key (container
/// names, DNS labels, are a subset; HelmRelease slots are named after values keys).
fn is_container_name(name: &str) -> bool {
    crate::names::is_key_name(name)
}

/// A value the policy can hold: a tag filter that parses (`invalid_filter`), an RFC 3339 lock
/// expiry (`invalid_policy`). Checked before anything is written: a filter that does not parse
/// would fail every later plan, an expiry that does not parse would never expire. Other values
/// are free text (a lock message may hold any character; it is written escaped).
fn check_policy_value(policy: &str, value: &str) -> Result<()> {
    if policy == "tag_all" || policy.starts_with("tag.") {
        TagFilter::parse(value).map_err(|e| {
            Error::new(
                ErrorKind::InvalidFilter,
                format!("policy {policy}: {}", e.message()),
            )
        })?;
    } else if policy == "locked_until" {
        value.parse::<jiff::Timestamp>().map_err(|e| {
            Error::new(
                ErrorKind::InvalidPolicy,
                format!(
                    "locked_until {value:?} is not an RFC 3339 time with an offset \
                     (like 2027-01-04T00:00:00Z): {e}"
                ),
            )
        })?;
    }
    Ok(())
}

/// Whether `policy` (as [`policy_of_key`] names it) is one relman reads.
pub(crate) fn is_read_policy(policy: &str) -> bool {
    matches!(
        policy,
        "automated" | "locked" | "locked_msg" | "locked_user" | "locked_until" | "ignore"
    ) || policy.strip_prefix("tag.").is_some_and(|c| !c.is_empty())
}

/// The annotations of an object as its policies are read from them: every key with the
/// value of its last copy (`None` when that is not a string), and the duplicated policies ([`duplicates`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Annotations {
    entries: BTreeMap<String, Option<String>>,
    duplicated: Vec<String>,
    /// The object's `metadata.labels` (Keel reads its policy from labels too).
    labels: BTreeMap<String, Option<String>>,
}

impl Annotations {
    /// Annotations from their entries (each key with the value of its last copy, `None` when
    /// that is not a string) and the duplicated policies.
    pub(crate) fn new(entries: BTreeMap<String, Option<String>>, duplicated: Vec<String>) -> Annotations {
        Annotations {
            entries,
            duplicated,
            labels: BTreeMap::new(),
        }
    }

    /// The same, with the object's labels (each key with its value, `None` when not a string).
    pub(crate) fn with_labels(mut self, labels: BTreeMap<String, Option<String>>) -> Annotations {
        self.labels = labels;
        self
    }

    /// The Keel policy of the object (DESIGN.md section 16): its annotations as `common`
    /// renders them (the outermost `commonAnnotations` winning), then its labels.
    pub(crate) fn keel(&self, common: &[(String, String)]) -> Option<super::keel::Keel> {
        super::keel::read(
            |key| {
                common
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.as_str())
                    .or_else(|| self.entries.get(key).and_then(|v| v.as_deref()))
            },
            |key| self.labels.get(key).and_then(|v| v.as_deref()),
        )
    }
}

/// Read the policies of an object whose annotations are `annotations`, once `common` (the
/// `commonAnnotations` of the kustomizations it passes through, innermost first) are applied
/// as kustomize applies them: each sets its keys over what is there, so the outermost wins
/// (DESIGN.md section 6: relman reads what kustomize renders).
pub(crate) fn read_rendered(annotations: &Annotations, common: &[(String, String)]) -> Policy {
    let mut policy = read_last(annotations, common);
    let duplicated = annotations.duplicated.clone();
    if !duplicated.is_empty() {
        // Fail closed: which copy decides is not known, so the safe reading holds.
        policy.locked = true;
        policy.locked_until = None;
        policy.automated = false;
        if duplicated.iter().any(|p| p == "ignore") {
            policy.ignore = Ignore::True;
        }
        for p in &duplicated {
            if !policy.ambiguous.contains(p) {
                policy.ambiguous.push(p.clone());
            }
        }
        policy.duplicated = duplicated;
    }
    policy
}

/// The policies `annotations` would render under `common` once `change` is written as
/// [`write`] writes it (each policy under the key it already has, in precedence order, else
/// `fluxcd.io/<policy>`): whether a lock written to the manifest holds where kustomize
/// `commonAnnotations` set the same policy.
pub(crate) fn read_after(
    annotations: &Annotations,
    common: &[(String, String)],
    change: &PolicyChange,
) -> Policy {
    let mut after = annotations.clone();
    for (policy, value) in change.add.iter().filter(|(p, _)| !change.remove.contains(p)) {
        let keys = keys_of_policy(policy);
        let key = keys
            .iter()
            .find(|k| after.entries.contains_key(*k))
            .unwrap_or(&keys[0])
            .clone();
        after.entries.insert(key, Some(value.clone()));
    }
    read_rendered(&after, common)
}

/// The policies as the last copy of every key says (a Kubernetes decoder's reading, were it
/// to accept duplicates), under `common`.
fn read_last(annotations: &Annotations, common: &[(String, String)]) -> Policy {
    let lookup = |key: &str| -> Option<String> {
        if let Some((_, v)) = common.iter().rev().find(|(k, _)| k == key) {
            return Some(v.clone());
        }
        annotations.entries.get(key).cloned().flatten()
    };
    let mut buffer = String::new();
    let mut value = |policy: &str| -> Option<String> { find_key_of_policy(policy, &mut buffer, lookup) };
    let mut ambiguous = Vec::new();
    let automated = value("automated");
    if automated.as_deref().is_some_and(|v| v != "true" && v != "false") {
        ambiguous.push("automated".to_string());
    }
    // Fail closed (DESIGN.md section 7): an unlock or un-ignore by typo is the dangerous
    // direction, so a value that is neither on nor off reads as on.
    let locked = match value("locked").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            ambiguous.push("locked".to_string());
            true
        }
    };
    let ignore = match value("ignore").as_deref() {
        None | Some("false") => Ignore::No,
        Some("true") => Ignore::True,
        Some("sync_only") => Ignore::SyncOnly,
        Some(_) => {
            ambiguous.push("ignore".to_string());
            Ignore::True
        }
    };
    let mut policy = Policy {
        automated: automated.as_deref() == Some("true"),
        automated_set: automated.is_some(),
        locked,
        locked_msg: value("locked_msg"),
        locked_user: value("locked_user"),
        locked_until: value("locked_until"),
        ignore,
        tag_filters: BTreeMap::new(),
        ambiguous,
        duplicated: Vec::new(),
    };
    let keys = annotations
        .entries
        .keys()
        .map(String::as_str)
        .chain(common.iter().map(|(k, _)| k.as_str()));
    for key in keys {
        let Some(container) = policy_of_key(key).and_then(|p| p.strip_prefix("tag.").map(str::to_string))
        else {
            continue;
        };
        if let Some(filter) = value(&format!("tag.{container}")) {
            policy.tag_filters.insert(container, filter);
        }
    }
    policy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_the_order_of_keys_of_policy() {
        let policies = [
            "automated",
            "locked",
            "locked_msg",
            "locked_user",
            "locked_until",
            "ignore",
            "tag.app",
        ];
        for policy in policies {
            let keys = keys_of_policy(policy);
            // Every subset of the policy's keys present: the first present key in order wins.
            for mask in 0..(1u32 << keys.len()) {
                let present: Vec<&str> = (0..keys.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| keys[i].as_str())
                    .collect();
                let f = |k: &str| {
                    present
                        .iter()
                        .position(|p| *p == k)
                        .map(|i| present[i].to_string())
                };
                let expected = keys.iter().find_map(|k| f(k));
                assert_eq!(
                    find_key_of_policy(policy, &mut String::new(), f),
                    expected,
                    "{policy} {present:?}"
                );
            }
        }
    }
}
