//! Flux v1 policy annotations in a manifest (DESIGN.md section 7): finding them on an object
//! (duplicated keys failing closed) and patching a [`PolicyChange`] into the YAML with the
//! precedence and key-reuse rules. The rules themselves (keys, values, reading) are
//! `policy::annotations`; this is their YAML half.

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};
use crate::policy::annotations::{Annotations, is_read_policy, keys_of_policy, policy_of_key, read_rendered};
use crate::policy::{Policy, PolicyChange};
use crate::yaml::{AtNode, Node, Patch, Path, Step, Stream};

/// The duplicated policy keys of an object (DESIGN.md section 7, failing closed): `annotations`
/// when `metadata` holds two `annotations:` mappings, then every policy whose annotation key
/// appears twice in the (last) mapping, in the order of their first copy. With each, the
/// key entry of its second copy (for the error of a write).
fn duplicates<'n>(object: &'n Node<'n>) -> Vec<(String, &'n Node<'n>)> {
    let mut out: Vec<(String, &Node<'_>)> = Vec::new();
    let Some(metadata) = object.get("metadata").filter(|m| m.entries().is_some()) else {
        return out;
    };
    let mappings = metadata.find_all("annotations");
    if mappings.len() > 1 {
        let entries = metadata.entries().expect("mapping");
        out.push(("annotations".to_string(), &entries[mappings[1]].key));
    }
    let Some(entries) = metadata.get("annotations").and_then(Node::entries) else {
        return out;
    };
    // Each policy key's copies, counted once over the mapping (a hostile file may hold many).
    let mut first_seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut found: Vec<(usize, String, &Node<'_>)> = Vec::new();
    let mut policies: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let Some(key) = entry.key.as_str() else { continue };
        let Some(policy) = policy_of_key(key).filter(|p| is_read_policy(p)) else {
            continue;
        };
        match first_seen.get(key) {
            None => {
                first_seen.insert(key, i);
            }
            Some(&first) => {
                if policies.insert(policy.clone()) {
                    found.push((first, policy, &entry.key));
                }
            }
        }
    }
    found.sort_by_key(|(first, ..)| *first);
    out.extend(found.into_iter().map(|(_, p, n)| (p, n)));
    out
}

/// `invalid_yaml` at the second copy of a duplicated policy key or `annotations:` mapping:
/// a write never edits one copy while the other decides what is read.
fn refuse_duplicates(stream: &Stream<'_>, object: &Node<'_>) -> Result<()> {
    match duplicates(object).first() {
        None => Ok(()),
        Some((policy, second)) => {
            let key = second.as_str().unwrap_or(policy);
            Err(Error::new(
                ErrorKind::InvalidYaml,
                format!(
                    "duplicate key `{key}` on line {}: the workload's policy cannot be read, so \
                     relman will not edit it (Kubernetes refuses the file too); keep one copy",
                    stream.line_col(second).0
                ),
            )
            .at_node(stream, second))
        }
    }
}

/// The annotations of `object` (its `metadata.annotations`).
pub(crate) fn annotations_of(object: &Node<'_>) -> Annotations {
    let mut entries: BTreeMap<String, Option<String>> = BTreeMap::new();
    let annotations = object.get("metadata").and_then(|m| m.get("annotations"));
    for e in annotations.and_then(Node::entries).unwrap_or_default() {
        let Some(key) = e.key.as_str() else { continue };
        entries.insert(key.to_string(), e.value.as_str().map(str::to_string));
    }
    let duplicated = duplicates(object).into_iter().map(|(p, _)| p).collect();
    let mut labels: BTreeMap<String, Option<String>> = BTreeMap::new();
    let found = object.get("metadata").and_then(|m| m.get("labels"));
    for e in found.and_then(Node::entries).unwrap_or_default() {
        let Some(key) = e.key.as_str() else { continue };
        labels.insert(key.to_string(), e.value.as_str().map(str::to_string));
    }
    Annotations::new(entries, duplicated).with_labels(labels)
}

/// Read the policies from an object's `metadata.annotations`.
pub(crate) fn read(object: &Node<'_>) -> Policy {
    read_rendered(&annotations_of(object), &[])
}

/// Build the patch that applies `change` to the object at `object_path`. `containers` are the
/// workload's container names (for `tag_all`).
pub(crate) fn write(
    stream: &Stream<'_>,
    object: &Node<'_>,
    object_path: &Path,
    containers: &[String],
    change: &PolicyChange,
) -> Result<Patch> {
    change.check()?;
    refuse_duplicates(stream, object)?;
    let metadata_index = object.find("metadata");
    let metadata = object.get("metadata");
    let annotations_index = metadata.and_then(|m| m.find("annotations"));
    let annotations = metadata
        .and_then(|m| m.get("annotations"))
        .filter(|a| a.entries().is_some());
    let existing: Vec<(usize, String, Option<String>)> = annotations
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let key = e.key.as_str()?.to_string();
            Some((i, key.clone(), policy_of_key(&key)))
        })
        .collect();

    // Expand tag_all and apply "removal wins".
    let tags: Vec<String> = existing
        .iter()
        .filter_map(|(_, _, p)| p.clone())
        .filter(|p| p.starts_with("tag."))
        .collect();
    let (removed, deduped) = change.resolve(&tags, containers);

    let mut patch = Patch::new();
    let metadata_path = metadata_index.map(|i| object_path.then(Step::Value(i)));
    let annotations_path = metadata_path
        .as_ref()
        .zip(annotations_index)
        .map(|(m, i)| m.then(Step::Value(i)));
    let mut removals: Vec<usize> = existing
        .iter()
        .filter(|(_, _, p)| p.as_ref().is_some_and(|p| removed.contains(p)))
        .map(|(i, ..)| *i)
        .collect();
    removals.sort_unstable();
    let mut appends: Vec<(String, String)> = Vec::new();
    for (policy, value) in &deduped {
        let keys = keys_of_policy(policy);
        let reuse = keys.iter().find_map(|key| {
            existing
                .iter()
                .find(|(i, k, _)| k == key && !removals.contains(i))
                .map(|(i, ..)| *i)
        });
        match (reuse, annotations, &annotations_path) {
            (Some(i), Some(a), Some(path)) => {
                let entry = &a.entries().expect("annotations is a mapping")[i];
                if entry.value.as_str() != Some(value.as_str()) {
                    a.unique_key(stream, entry.key.as_str().unwrap_or_default())?;
                    patch.set_scalar(stream, &path.then(Step::Value(i)), value)?;
                }
            }
            _ => appends.push((keys[0].clone(), value.clone())),
        }
    }
    match (&metadata_path, &annotations_path, annotations) {
        // Every annotation goes and none comes: the `annotations:` entry goes too.
        (Some(metadata_path), Some(_), Some(_))
            if !existing.is_empty() && removals.len() == existing.len() && appends.is_empty() =>
        {
            patch.remove_entry(
                stream,
                metadata_path,
                annotations_index.expect("annotations exist"),
            )?;
        }
        (_, Some(path), Some(_)) => {
            for i in &removals {
                patch.remove_entry(stream, path, *i)?;
            }
            patch.append_entries(stream, path, &appends)?;
        }
        _ if appends.is_empty() => {}
        // `annotations:` with a null value.
        (_, Some(path), None) => patch.append_entries(stream, path, &appends)?,
        (Some(metadata_path), None, _) => {
            let metadata_key_column = stream
                .line_col(
                    &object.entries().expect("object is a mapping")[metadata_index.expect("metadata exists")]
                        .key,
                )
                .1;
            patch.append_mapping_entry(
                stream,
                metadata_path,
                Some(metadata_key_column),
                "annotations",
                &appends,
            )?;
        }
        (None, ..) => {
            return Err(
                Error::new(ErrorKind::InvalidYaml, "the object has no metadata mapping")
                    .at_node(stream, object),
            );
        }
    }
    Ok(patch)
}
