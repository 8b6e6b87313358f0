//! Reading `relman.yaml` from the YAML tree: the schema, every check, and errors located at
//! the offending node.

use std::collections::HashMap;

use jiff::Timestamp;

use super::environment::{Environment, EnvironmentLock, ReleaseMode};
use super::service::Service;
use super::{Config, FILE};
use crate::error::{Error, ErrorKind, Result};
use crate::names::{is_dns_label as is_label, is_dns_subdomain as is_name, is_environment_name};
use crate::policy::{TagFilter, VersionMode};
use crate::yaml::{AtNode, Entry, Node, NodeKind, ScalarStyle, Stream};

const TOP_KEYS: [&str; 4] = ["versions", "defaultNamespace", "environments", "services"];
const ENVIRONMENT_KEYS: [&str; 5] = ["path", "release", "promoteFrom", "lock", "defaultNamespace"];
const LOCK_KEYS: [&str; 3] = ["reason", "by", "until"];
const SERVICE_KEYS: [&str; 3] = ["workloads", "filter", "imagePolicy"];

/// An `invalid_config` error located at `node` in `relman.yaml`.
pub(super) fn invalid(stream: &Stream<'_>, node: &Node, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
        .in_file(FILE)
        .at_node(stream, node)
}

/// `error` re-coded as `invalid_config` in `relman.yaml`, keeping its message and position.
pub(super) fn recode(error: &Error) -> Error {
    let e = Error::new(ErrorKind::InvalidConfig, error.message()).in_file(FILE);
    match (error.line(), error.column()) {
        (Some(line), Some(column)) => e.at(line, column),
        _ => e,
    }
}

/// Parse the text of `relman.yaml` into `arena`; YAML errors become `invalid_config` at the
/// same place.
pub(super) fn parse_stream<'t>(text: &'t str, arena: &'t crate::yaml::Arena) -> Result<Stream<'t>> {
    Stream::parse(text, arena).map_err(|e| recode(&e))
}

/// The single document's root mapping.
pub(super) fn root<'s>(stream: &'s Stream<'_>) -> Result<&'s Node<'s>> {
    let empty = || {
        Error::new(
            ErrorKind::InvalidConfig,
            "relman.yaml is empty; it needs at least `environments:` (without a relman.yaml, \
             relman treats the whole repository as one environment)",
        )
        .in_file(FILE)
        .at(1, 1)
    };
    let doc = match stream.documents.as_slice() {
        [] => return Err(empty()),
        [doc] => doc,
        [_, second, ..] => {
            return Err(invalid(
                stream,
                &second.root,
                "relman.yaml holds one YAML document; found a second one",
            ));
        }
    };
    let root = &doc.root;
    if is_null(root) {
        return Err(empty());
    }
    if root.entries().is_none() {
        return Err(invalid(
            stream,
            root,
            "relman.yaml must be a mapping with `environments:` (and optionally `versions`, \
             `defaultNamespace`, `services`)",
        ));
    }
    Ok(root)
}

/// Read and check the whole configuration.
pub(super) fn read(stream: &Stream<'_>) -> Result<Config> {
    let root = root(stream)?;
    let entries = mapping(stream, root, "relman.yaml", &TOP_KEYS)?;
    let versions = match field(entries, "versions") {
        Some(node) => versions(stream, node)?,
        None => VersionMode::Default,
    };
    let default_namespace = match field(entries, "defaultNamespace") {
        Some(node) => namespace(stream, node)?,
        None => "default".to_string(),
    };
    let Some(environments_node) = field(entries, "environments") else {
        return Err(invalid(
            stream,
            root,
            "relman.yaml has no `environments:`; define at least one",
        ));
    };
    let environments = environments(stream, environments_node, &default_namespace)?;
    let services = match field(entries, "services") {
        Some(node) if is_null(node) => Vec::new(),
        Some(node) => services(stream, node)?,
        None => Vec::new(),
    };
    Ok(Config::new(versions, default_namespace, environments, services))
}

fn versions(stream: &Stream<'_>, node: &Node) -> Result<VersionMode> {
    match string(stream, node, "versions")? {
        "default" => Ok(VersionMode::Default),
        "strict" => Ok(VersionMode::Strict),
        "loose" => Ok(VersionMode::Loose),
        other => Err(invalid(
            stream,
            node,
            format!("`versions: {other}` is not a version mode: write default, strict or loose"),
        )),
    }
}

fn environments(stream: &Stream<'_>, node: &Node, default_namespace: &str) -> Result<Vec<Environment>> {
    if is_null(node) {
        return Err(invalid(
            stream,
            node,
            "`environments` is empty; define at least one environment",
        ));
    }
    let entries = mapping(stream, node, "environments", &[])?;
    if entries.is_empty() {
        return Err(invalid(
            stream,
            node,
            "`environments` is empty; define at least one environment",
        ));
    }
    let mut out = Vec::with_capacity(entries.len());
    let mut promotions: Vec<(usize, &Node)> = Vec::new();
    for entry in entries {
        let name = name(stream, &entry.key, "environment")?;
        let what = format!("environment `{name}`");
        if is_null(&entry.value) {
            return Err(invalid(stream, &entry.value, format!("{what} needs a `path`")));
        }
        let fields = mapping(stream, &entry.value, &what, &ENVIRONMENT_KEYS)?;
        let Some(path_node) = field(fields, "path") else {
            return Err(invalid(stream, &entry.key, format!("{what} has no `path`")));
        };
        let paths = paths(stream, path_node, &what)?;
        let release = match field(fields, "release") {
            Some(node) => match string(stream, node, "release")? {
                "automatic" => ReleaseMode::Automatic,
                "manual" => ReleaseMode::Manual,
                other => {
                    return Err(invalid(
                        stream,
                        node,
                        format!("`release: {other}` in {what}: write `automatic` or `manual`"),
                    ));
                }
            },
            None => ReleaseMode::Manual,
        };
        let promote_from = match field(fields, "promoteFrom") {
            Some(node) => {
                promotions.push((out.len(), node));
                Some(string(stream, node, "promoteFrom")?.to_string())
            }
            None => None,
        };
        let lock = match field(fields, "lock") {
            Some(node) => Some(lock(stream, node, &what)?),
            None => None,
        };
        let default_namespace = match field(fields, "defaultNamespace") {
            Some(node) => namespace(stream, node)?,
            None => default_namespace.to_string(),
        };
        out.push(Environment {
            name: name.to_string(),
            paths,
            release,
            promote_from,
            lock,
            default_namespace,
        });
    }
    check_promotions(stream, &out, &promotions)?;
    Ok(out)
}

/// `promoteFrom` names another defined environment and the chains have no cycle. Linear in
/// the number of environments: one name lookup per environment, each visited once by the
/// cycle search.
fn check_promotions(
    stream: &Stream<'_>,
    environments: &[Environment],
    promotions: &[(usize, &Node)],
) -> Result<()> {
    let by_name: HashMap<&str, usize> = environments
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    let index = |name: &str| by_name.get(name).copied();
    for &(i, node) in promotions {
        let env = &environments[i];
        let from = env.promote_from.as_deref().unwrap_or_default();
        if from == env.name {
            return Err(invalid(
                stream,
                node,
                format!("environment `{from}` cannot promote from itself"),
            ));
        }
        if index(from).is_none() {
            return Err(invalid(
                stream,
                node,
                format!(
                    "`promoteFrom: {from}` in environment `{}` names no environment; defined: {}",
                    env.name,
                    names(environments)
                ),
            ));
        }
    }
    // Every environment has at most one source, so each lies on at most one cycle. Follow
    // each chain once (state: 0 unvisited, 1 on the chain being followed, 2 done), note the
    // members of every cycle, and report the first of them in file order, from itself.
    let next = |at: usize| environments[at].promote_from.as_deref().and_then(index);
    let mut state = vec![0u8; environments.len()];
    let mut on_cycle = vec![false; environments.len()];
    for start in 0..environments.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                0 => {
                    state[i] = 1;
                    path.push(i);
                    at = next(i);
                }
                1 => {
                    let from = path.iter().position(|&p| p == i).expect("on the path");
                    for &p in &path[from..] {
                        on_cycle[p] = true;
                    }
                    break;
                }
                _ => break,
            }
        }
        for p in path {
            state[p] = 2;
        }
    }
    if let Some(&(i, node)) = promotions.iter().find(|(i, _)| on_cycle[*i]) {
        let mut chain = vec![environments[i].name.as_str()];
        let mut at = i;
        while let Some(n) = next(at) {
            chain.push(environments[n].name.as_str());
            if n == i {
                break;
            }
            at = n;
        }
        return Err(invalid(
            stream,
            node,
            format!("`promoteFrom` forms a cycle: {}", chain.join(" -> ")),
        ));
    }
    Ok(())
}

pub(super) fn names(environments: &[Environment]) -> String {
    environments
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn paths(stream: &Stream<'_>, node: &Node, what: &str) -> Result<Vec<String>> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Sequence { items, .. } => {
            if items.is_empty() {
                return Err(invalid(
                    stream,
                    node,
                    format!("the `path` list of {what} is empty"),
                ));
            }
            items.iter().collect()
        }
        _ => vec![node],
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let raw = string(stream, item, "path")?;
        let path =
            normalise_path(raw).map_err(|m| invalid(stream, item, format!("path `{raw}` of {what}: {m}")))?;
        if out.contains(&path) {
            return Err(invalid(
                stream,
                item,
                format!("path `{raw}` is listed twice in {what}"),
            ));
        }
        out.push(path);
    }
    Ok(out)
}

/// A repo-relative path without `./`, `.` segments, doubled or trailing `/`; `.` is the whole
/// repository (the empty path). Absolute paths and `..` are refused.
pub(super) fn normalise_path(raw: &str) -> std::result::Result<String, &'static str> {
    let bytes = raw.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if raw.starts_with('/') || raw.starts_with('\\') || drive {
        return Err("absolute paths are refused; write a path relative to the repository root");
    }
    if raw.contains('\\') {
        return Err("write paths with `/`");
    }
    if raw.chars().any(char::is_control) {
        return Err("the path contains a control character");
    }
    let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    if segments.contains(&"..") {
        return Err("`..` would leave the repository; write a path inside it");
    }
    Ok(segments.join("/"))
}

fn lock(stream: &Stream<'_>, node: &Node, what: &str) -> Result<EnvironmentLock> {
    let context = format!("the lock of {what}");
    if is_null(node) {
        return Err(invalid(
            stream,
            node,
            format!("{context} is empty; it needs `reason` and `by`"),
        ));
    }
    let fields = mapping(stream, node, &context, &LOCK_KEYS)?;
    let required = |key: &str| -> Result<String> {
        match field(fields, key) {
            Some(value) => Ok(string(stream, value, key)?.to_string()),
            None => Err(invalid(stream, node, format!("{context} has no `{key}`"))),
        }
    };
    let reason = required("reason")?;
    let by = required("by")?;
    let until = match field(fields, "until") {
        Some(value) => Some(timestamp(stream, value)?),
        None => None,
    };
    Ok(EnvironmentLock { reason, by, until })
}

/// An RFC 3339 timestamp with a time and an offset.
pub(super) fn timestamp(stream: &Stream<'_>, node: &Node) -> Result<Timestamp> {
    let text = string(stream, node, "until")?;
    text.parse::<Timestamp>().map_err(|e| {
        invalid(
            stream,
            node,
            format!(
                "`until: {text}` is not an RFC 3339 time with an offset (like 2027-01-04T00:00:00Z): {e}"
            ),
        )
    })
}

fn services(stream: &Stream<'_>, node: &Node) -> Result<Vec<Service>> {
    let entries = mapping(stream, node, "services", &[])?;
    let mut out: Vec<Service> = Vec::with_capacity(entries.len());
    let mut owners: HashMap<(String, String), usize> = HashMap::new();
    for entry in entries {
        let name = name(stream, &entry.key, "service")?;
        let what = format!("service `{name}`");
        let fields: &[Entry] = if is_null(&entry.value) {
            &[]
        } else {
            mapping(stream, &entry.value, &what, &SERVICE_KEYS)?
        };
        let mut workloads = Vec::new();
        if let Some(list) = field(fields, "workloads") {
            let Some(items) = list.items() else {
                return Err(invalid(
                    stream,
                    list,
                    format!("`workloads` of {what} must be a list of kind/name"),
                ));
            };
            if items.is_empty() {
                return Err(invalid(
                    stream,
                    list,
                    format!("`workloads` of {what} is empty; list kind/name entries or leave it out"),
                ));
            }
            for item in items {
                let id = workload(stream, item)?;
                let (kind, workload_name) = id.split_once('/').expect("checked kind/name");
                let key = (kind.to_string(), workload_name.to_string());
                if let Some(&owner) = owners.get(&key) {
                    let message = if owner == out.len() {
                        format!("workload `{id}` is listed twice in {what}")
                    } else {
                        format!(
                            "workload `{id}` is listed by services `{}` and `{name}`; a workload belongs to one service",
                            out[owner].name
                        )
                    };
                    return Err(invalid(stream, item, message));
                }
                owners.insert(key, out.len());
                workloads.push(id);
            }
        }
        let filter = match field(fields, "filter") {
            Some(node) => Some(
                TagFilter::parse(string(stream, node, "filter")?)
                    .map_err(|e| invalid(stream, node, format!("{what}: {}", e.message())))?,
            ),
            None => None,
        };
        let image_policy = match field(fields, "imagePolicy") {
            Some(node) => image_policy(stream, node)?,
            None => name.to_string(),
        };
        out.push(Service {
            name: name.to_string(),
            workloads,
            filter,
            image_policy,
        });
    }
    Ok(out)
}

/// `kind/name`, the kind lower-cased.
fn workload(stream: &Stream<'_>, node: &Node) -> Result<String> {
    let raw = string(stream, node, "workload")?;
    if raw.contains(':') {
        return Err(invalid(
            stream,
            node,
            format!("workload `{raw}`: services are namespace-agnostic; write kind/name without a namespace"),
        ));
    }
    match raw.split_once('/') {
        Some((kind, name))
            if !kind.is_empty()
                && !name.is_empty()
                && !name.contains('/')
                && !raw.contains(char::is_whitespace) =>
        {
            Ok(format!("{}/{name}", kind.to_ascii_lowercase()))
        }
        _ => Err(invalid(
            stream,
            node,
            format!("workload `{raw}` is not kind/name (like deployment/users)"),
        )),
    }
}

fn image_policy(stream: &Stream<'_>, node: &Node) -> Result<String> {
    let raw = string(stream, node, "imagePolicy")?;
    let ok = match raw.split_once(':') {
        Some((ns, name)) => is_label(ns) && is_name(name),
        None => is_name(raw),
    };
    if ok {
        Ok(raw.to_string())
    } else {
        Err(invalid(
            stream,
            node,
            format!("`imagePolicy: {raw}` is not namespace:name or name (like flux-system:users)"),
        ))
    }
}

fn namespace(stream: &Stream<'_>, node: &Node) -> Result<String> {
    let raw = string(stream, node, "defaultNamespace")?;
    if is_label(raw) {
        Ok(raw.to_string())
    } else {
        Err(invalid(
            stream,
            node,
            format!("`{raw}` is not a Kubernetes namespace (lower-case letters, digits and `-`, at most 63)"),
        ))
    }
}

/// An environment or service name: a letter or digit, then letters, digits, `.`, `_`, `-`, `/`.
fn name<'n>(stream: &Stream<'_>, key: &'n Node<'n>, what: &str) -> Result<&'n str> {
    let raw = string(stream, key, what)?;
    if is_environment_name(raw) {
        Ok(raw)
    } else {
        Err(invalid(
            stream,
            key,
            format!("`{raw}` is not a valid {what} name: use letters, digits, `.`, `_`, `-` and `/`"),
        ))
    }
}

/// Whether a node is YAML null (an empty plain value, `~`, `null`).
fn is_null(node: &Node) -> bool {
    matches!(
        &node.kind,
        NodeKind::Scalar { value, style: ScalarStyle::Plain }
            if matches!(*value, "" | "~" | "null" | "Null" | "NULL")
    ) && node.tag().is_none()
}

/// A non-empty string value.
fn string<'n>(stream: &Stream<'_>, node: &'n Node<'n>, what: &str) -> Result<&'n str> {
    match &node.kind {
        NodeKind::Alias { anchor } => Err(invalid(
            stream,
            node,
            format!(
                "`{what}` is an alias (*{anchor}); relman.yaml does not resolve aliases, write the value"
            ),
        )),
        NodeKind::Mapping { .. } | NodeKind::Sequence { .. } => {
            Err(invalid(stream, node, format!("`{what}` must be a string")))
        }
        NodeKind::Scalar { value, .. } => {
            if is_null(node) || value.trim().is_empty() {
                Err(invalid(stream, node, format!("`{what}` needs a value")))
            } else {
                Ok(value)
            }
        }
    }
}

/// The entries of a mapping whose keys are unique strings; with `allowed` non-empty, every key
/// must be one of them.
fn mapping<'n>(
    stream: &Stream<'_>,
    node: &'n Node<'n>,
    what: &str,
    allowed: &[&str],
) -> Result<&'n [Entry<'n>]> {
    let Some(entries) = node.entries() else {
        return Err(match &node.kind {
            NodeKind::Alias { anchor } => invalid(
                stream,
                node,
                format!("{what} is an alias (*{anchor}); relman.yaml does not resolve aliases"),
            ),
            _ => invalid(stream, node, format!("{what} must be a mapping")),
        });
    };
    let mut seen: HashMap<&str, &Entry> = HashMap::with_capacity(entries.len());
    for entry in entries {
        let Some(key) = entry.key.as_str() else {
            return Err(invalid(
                stream,
                &entry.key,
                format!("a key of {what} is not a string"),
            ));
        };
        if let Some(first) = seen.get(key) {
            return Err(invalid(
                stream,
                &entry.key,
                format!(
                    "duplicate key `{key}` in {what} (lines {} and {})",
                    stream.line_col(&first.key).0,
                    stream.line_col(&entry.key).0
                ),
            ));
        }
        if !allowed.is_empty() && !allowed.contains(&key) {
            return Err(invalid(
                stream,
                &entry.key,
                format!(
                    "unknown key `{key}` in {what}; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        }
        seen.insert(key, entry);
    }
    Ok(entries)
}

/// The value of `key` among entries already checked by [`mapping`].
fn field<'n>(entries: &'n [Entry<'n>], key: &str) -> Option<&'n Node<'n>> {
    entries
        .iter()
        .find(|e| e.key.as_str() == Some(key))
        .map(|e| &e.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise() {
        assert_eq!(normalise_path("./envs/prod/").unwrap(), "envs/prod");
        assert_eq!(normalise_path("envs//prod/./a.yaml").unwrap(), "envs/prod/a.yaml");
        assert_eq!(normalise_path(".").unwrap(), "");
        assert_eq!(normalise_path("./").unwrap(), "");
        assert!(normalise_path("../other").is_err());
        assert!(normalise_path("envs/../../x").is_err());
        assert!(normalise_path("/etc").is_err());
        assert!(normalise_path("C:/x").is_err());
        assert!(normalise_path("envs\\prod").is_err());
    }

    #[test]
    fn names_and_labels() {
        assert!(is_label("prod-eu1"));
        assert!(!is_label("Prod"));
        assert!(!is_label("-a"));
        assert!(is_name("users.v2"));
        assert!(!is_name("users..v2"));
    }
}
