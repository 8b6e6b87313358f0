//! Flux v2 setter markers: a line comment `# {"$imagepolicy": "ns:name"}` after a value marks
//! it as an image slot (`ns:name` the whole reference, `ns:name:name`, `ns:name:tag`,
//! `ns:name:digest` its parts). relman finds the comments in the bytes after each value (libyaml
//! reports none) and keeps them byte for byte: only the marked value changes.

use std::collections::{BTreeMap, HashSet};

use super::slot::{Fields, SlotImage};
use crate::error::{Error, ErrorKind, Result};
use crate::names;
use crate::yaml::{Node, NodeKind, Path, Step, Stream, comment_after};

/// The parts a marker can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Whole,
    Name,
    Tag,
    Digest,
}

/// A slot made of marked values of one policy in one file.
#[derive(Debug, Clone)]
pub(crate) struct MarkerSlot {
    /// The policy, `namespace:name`.
    pub policy: String,
    /// The slot's name: the file path, suffixed `#2`, `#3`... when one file has several.
    pub name: String,
    /// The reference the marked values spell: managed when it is a valid reference and the
    /// slot has no warning.
    pub image: SlotImage,
    /// 1-based line and column of the first marked value.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// `invalid_name` when the policy's namespace or name, or the file path the slot is named
    /// after, is not one relman writes into a commit message; `missing_name_marker` when only
    /// `:tag`/`:digest` markers name the policy in this file; `missing_tag_marker` when a
    /// `:name` marker has no `:tag` beside it. Such slots are unmanaged.
    pub warning: Option<String>,
    /// Where the parts are written.
    pub fields: Fields,
}

/// Read a marker comment (`# {"$imagepolicy": "ns:name:tag"}`): `None` when the comment is
/// not a marker; `invalid_marker` when it is one that does not parse.
fn parse(comment: &str) -> Option<std::result::Result<(String, Part), String>> {
    let body = comment.trim_start_matches('#').trim();
    if !body.contains("$imagepolicy") {
        return None;
    }
    let value: serde_json::Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("the marker is not a JSON object: {e}"))),
    };
    let Some(policy) = value.get("$imagepolicy").and_then(|v| v.as_str()) else {
        return Some(Err(
            "`$imagepolicy` must be a string \"namespace:name\"".to_string()
        ));
    };
    let parts: Vec<&str> = policy.split(':').collect();
    let part = match parts.as_slice() {
        [ns, name] if !ns.is_empty() && !name.is_empty() => Part::Whole,
        [ns, name, field] if !ns.is_empty() && !name.is_empty() => match *field {
            "name" => Part::Name,
            "tag" => Part::Tag,
            "digest" => Part::Digest,
            other => {
                return Some(Err(format!(
                    "unknown marker field `{other}` in `{policy}`; use `:name`, `:tag` or `:digest`"
                )));
            }
        },
        _ => {
            return Some(Err(format!(
                "`{policy}` does not name a policy; write \"namespace:name\""
            )));
        }
    };
    Some(Ok((format!("{}:{}", parts[0], parts[1]), part)))
}

/// The policy (`namespace:name`) a marker comment after `node` names, if one does (a marker
/// that does not parse is reported by [`markers`]).
pub(crate) fn policy_after(stream: &Stream<'_>, node: &Node<'_>) -> Option<String> {
    let text = stream.text();
    let range = comment_after(text, node.end())?;
    if !text[node.end()..range.start].trim().is_empty() {
        return None;
    }
    match parse(&text[range])? {
        Ok((policy, _)) => Some(policy),
        Err(_) => None,
    }
}

/// Every marked value in `stream`, as slots, except values at the byte offsets in `covered`
/// (values that are already slots of a workload or a kustomization).
pub(crate) fn markers(stream: &Stream<'_>, file: &str, covered: &HashSet<usize>) -> Result<Vec<MarkerSlot>> {
    let text = stream.text();
    if !text.contains("$imagepolicy") {
        return Ok(Vec::new());
    }
    /// A marked value: its policy, part, node, path, and the byte offset of its marker comment.
    type Marked<'n> = (String, Part, &'n Node<'n>, Path, usize);
    let mut found: Vec<Marked<'_>> = Vec::new();
    fn walk<'n>(
        node: &'n Node<'n>,
        path: Path,
        text: &str,
        file: &str,
        covered: &HashSet<usize>,
        out: &mut Vec<Marked<'n>>,
    ) -> Result<()> {
        match &node.kind {
            NodeKind::Mapping { entries, .. } => {
                for (i, e) in entries.iter().enumerate() {
                    walk(&e.value, path.then(Step::Value(i)), text, file, covered, out)?;
                }
            }
            NodeKind::Sequence { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, path.then(Step::Item(i)), text, file, covered, out)?;
                }
            }
            NodeKind::Scalar { .. } => {
                let Some(range) = comment_after(text, node.end()) else {
                    return Ok(());
                };
                if !text[node.end()..range.start].trim().is_empty() {
                    return Ok(());
                }
                match parse(&text[range.clone()]) {
                    None => {}
                    Some(Err(message)) => {
                        let (line, column) = position(text, range.start);
                        return Err(Error::new(ErrorKind::InvalidMarker, message)
                            .in_file(file)
                            .at(line, column));
                    }
                    Some(Ok(_)) if covered.contains(&node.start()) => {}
                    Some(Ok((policy, part))) => out.push((policy, part, node, path, range.start)),
                }
            }
            NodeKind::Alias { .. } => {}
        }
        Ok(())
    }
    for (d, doc) in stream.documents.iter().enumerate() {
        walk(&doc.root, Path::root(d), text, file, covered, &mut found)?;
    }
    // Group per policy: each whole-reference marker is a slot; name/tag/digest markers of a
    // policy in one document together make one slot (parts in two documents are two slots:
    // one reference is never spelled across documents).
    let mut slots = Vec::new();
    /// A marked part: its node, path and marker comment offset.
    type MarkedPart<'n> = (Part, &'n Node<'n>, Path, usize);
    let mut parts: BTreeMap<(usize, String), Vec<MarkedPart<'_>>> = BTreeMap::new();
    for (policy, part, node, path, comment) in found {
        if part == Part::Whole {
            let image = node.as_str().unwrap_or_default().to_string();
            let (line, column) = stream.line_col(node);
            slots.push(MarkerSlot {
                policy,
                name: String::new(),
                image: SlotImage::read(image),
                line,
                column,
                warning: None,
                fields: Fields::Whole(path),
            });
        } else {
            parts
                .entry((path.doc, policy))
                .or_default()
                .push((part, node, path, comment));
        }
    }
    for ((_, policy), mut list) in parts {
        list.sort_by_key(|(part, node, ..)| (*part, node.start));
        let first = list.iter().min_by_key(|(_, n, ..)| n.start).expect("non-empty");
        let (marker_line, marker_column) = position(text, first.3);
        let take = |p: Part| list.iter().find(|(q, ..)| *q == p);
        let name = take(Part::Name);
        let tag = take(Part::Tag);
        let digest = take(Part::Digest);
        let mut image = name
            .map(|(_, n, ..)| n.as_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        if let Some((_, n, ..)) = tag {
            image.push(':');
            image.push_str(n.as_str().unwrap_or_default());
        }
        if let Some((_, n, ..)) = digest {
            image.push('@');
            image.push_str(n.as_str().unwrap_or_default());
        }
        // A slot relman can release needs the name and the tag: without a `:name` marker the
        // repository is unknown; without a `:tag` marker a new tag has nowhere to go.
        let warning = match (name, tag) {
            (None, _) => Some("missing_name_marker".to_string()),
            (Some(_), None) => Some("missing_tag_marker".to_string()),
            _ => None,
        };
        let image = match warning {
            None => SlotImage::read(image),
            Some(_) => SlotImage::Unmanaged(image),
        };
        let (line, column) = stream.line_col(first.1);
        slots.push(MarkerSlot {
            policy,
            name: String::new(),
            image,
            line,
            column,
            warning,
            fields: Fields::Marker {
                name: name.map(|n| n.2.clone()),
                tag: tag.map(|t| t.2.clone()),
                digest: digest.map(|d| d.2.clone()),
                line: marker_line,
                column: marker_column,
            },
        });
    }
    slots.sort_by_key(|s| (s.line, s.column));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for slot in &mut slots {
        let n = seen.entry(slot.policy.clone()).or_default();
        *n += 1;
        slot.name = if *n == 1 {
            file.to_string()
        } else {
            format!("{file}#{n}")
        };
        // The policy and the slot name reach the `Relman-Change` trailer: names Kubernetes
        // would refuse for an ImagePolicy, or a path that is not a plain one, are never
        // released (DESIGN.md section 6).
        let (ns, policy_name) = slot.policy.split_once(':').unwrap_or(("", &slot.policy));
        if !(names::is_dns_label(ns) && names::is_dns_subdomain(policy_name) && names::is_slot_path(file)) {
            slot.image.unmanage();
            slot.warning = Some(super::slot::INVALID_NAME.to_string());
        }
    }
    Ok(slots)
}

/// 1-based line and character column of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_comments_parse() {
        assert_eq!(
            parse("# {\"$imagepolicy\": \"flux-system:app\"}"),
            Some(Ok(("flux-system:app".into(), Part::Whole)))
        );
        assert_eq!(
            parse("#{\"$imagepolicy\": \"ns:app:tag\"}"),
            Some(Ok(("ns:app".into(), Part::Tag)))
        );
        assert_eq!(parse("# just a comment"), None);
        assert!(matches!(
            parse("# {\"$imagepolicy\": \"ns:app:version\"}"),
            Some(Err(_))
        ));
        assert!(matches!(parse("# {\"$imagepolicy\": \"app\"}"), Some(Err(_))));
        assert!(matches!(parse("# {$imagepolicy: ns:app}"), Some(Err(_))));
    }

    #[test]
    fn markers_become_slots_and_covered_values_are_skipped() {
        let text = "spec:\n  values:\n    image:\n      repository: ghcr.io/acme/web # {\"$imagepolicy\": \"flux-system:web:name\"}\n      tag: 1.2.3 # {\"$imagepolicy\": \"flux-system:web:tag\"}\n    other: acme/x:1 # {\"$imagepolicy\": \"flux-system:x\"}\n";
        let arena = crate::yaml::Arena::new();
        let stream = Stream::parse(text, &arena).unwrap();
        let slots = markers(&stream, "a.yaml", &HashSet::new()).unwrap();
        assert_eq!(slots.len(), 2);
        assert_eq!(
            (slots[0].policy.as_str(), slots[0].image.text()),
            ("flux-system:web", "ghcr.io/acme/web:1.2.3")
        );
        assert_eq!(
            (slots[1].policy.as_str(), slots[1].image.text()),
            ("flux-system:x", "acme/x:1")
        );
        let x = stream.documents[0]
            .root
            .get("spec")
            .unwrap()
            .get("values")
            .unwrap()
            .get("other")
            .unwrap()
            .start();
        let covered: HashSet<usize> = [x].into_iter().collect();
        assert_eq!(markers(&stream, "a.yaml", &covered).unwrap().len(), 1);
    }
}
