//! Kubernetes objects in a YAML stream: top-level documents and the items of `*List` kinds,
//! with their ids and the keys an edit depends on.

use crate::error::{Error, ErrorKind, Result};
use crate::yaml::{Node, Path, Step, Stream};

/// A Kubernetes object found in a stream.
#[derive(Debug, Clone)]
pub(crate) struct Object<'s> {
    /// The stream the object was read from (for lines and columns).
    pub stream: &'s Stream<'s>,
    /// The object's mapping node.
    pub node: &'s Node<'s>,
    /// Its address in the stream.
    pub path: Path,
    /// `kind` as written.
    pub kind: &'s str,
    /// `apiVersion` as written ("" when absent).
    pub api_version: &'s str,
    /// `metadata.name`.
    pub name: &'s str,
    /// `metadata.namespace`, else the default namespace.
    pub namespace: String,
}

impl Object<'_> {
    /// `namespace:kind/name` with the kind lower-cased.
    pub fn id(&self) -> String {
        format!(
            "{}:{}/{}",
            self.namespace,
            self.kind.to_ascii_lowercase(),
            self.name
        )
    }
}

/// Child `key` of the mapping `node` at `path`: the node and its path. The last entry wins
/// when a key is duplicated, as in a Kubernetes decoder.
pub(crate) fn child<'s>(node: &'s Node<'s>, path: &Path, key: &str) -> Option<(&'s Node<'s>, Path)> {
    let i = node.find(key)?;
    Some((&node.entries()?[i].value, path.then(Step::Value(i))))
}

/// `invalid_yaml` when `key` appears more than once in the mapping `node`
/// ([`Node::unique_key`]); the call sites of `slot.rs` use this name.
pub(crate) fn unique_key(stream: &Stream<'_>, node: &Node<'_>, key: &str) -> Result<()> {
    node.unique_key(stream, key)
}

/// Every object of the stream, in document order, `*List` items in place of their list.
pub(crate) fn objects<'s>(stream: &'s Stream<'s>, default_namespace: &str) -> Vec<Object<'s>> {
    let mut out = Vec::new();
    for (i, doc) in stream.documents.iter().enumerate() {
        collect(stream, &doc.root, Path::root(i), default_namespace, &mut out);
    }
    out
}

fn collect<'s>(
    stream: &'s Stream<'s>,
    node: &'s Node<'s>,
    path: Path,
    default_namespace: &str,
    out: &mut Vec<Object<'s>>,
) {
    if node.entries().is_none() {
        return;
    }
    let Some(kind) = node.get_str("kind") else { return };
    if kind.ends_with("List") {
        if let Some((items, items_path)) = child(node, &path, "items") {
            for (i, item) in items.items().unwrap_or_default().iter().enumerate() {
                collect(
                    stream,
                    item,
                    items_path.then(Step::Item(i)),
                    default_namespace,
                    out,
                );
            }
        }
        return;
    }
    let metadata = node.get("metadata");
    let Some(name) = metadata.and_then(|m| m.get_str("name")) else {
        return;
    };
    let namespace = metadata
        .and_then(|m| m.get_str("namespace"))
        .filter(|ns| !ns.is_empty())
        .unwrap_or(default_namespace)
        .to_string();
    out.push(Object {
        stream,
        node,
        path,
        kind,
        api_version: node.get_str("apiVersion").unwrap_or(""),
        name,
        namespace,
    });
}

/// The keys an edit of `object` relies on, checked for duplicates.
pub(crate) fn check_identity_keys(object: &Object<'_>) -> Result<()> {
    check_identity_keys_of(object.stream, object.node)
}

/// [`check_identity_keys`] of the object whose mapping node is `node`.
pub(crate) fn check_identity_keys_of(stream: &Stream<'_>, node: &Node<'_>) -> Result<()> {
    for key in ["kind", "metadata"] {
        node.unique_key(stream, key)?;
    }
    if let Some(metadata) = node.get("metadata") {
        if metadata.entries().is_some() {
            metadata.unique_key(stream, "name")?;
            metadata.unique_key(stream, "namespace")?;
        }
    }
    Ok(())
}

/// A workload id as given by a caller: `namespace:kind/name`, or `kind/name` in the default
/// namespace. Kinds compare case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkloadName {
    pub namespace: String,
    pub kind: String,
    pub name: String,
}

impl WorkloadName {
    pub fn parse(id: &str, default_namespace: &str) -> Result<WorkloadName> {
        let (namespace, rest) = match id.split_once(':') {
            Some((ns, rest)) => (ns, rest),
            None => (default_namespace, id),
        };
        let Some((kind, name)) = rest.split_once('/') else {
            return Err(Error::new(
                ErrorKind::WorkloadNotFound,
                format!(
                    "`{id}` is not a workload id; write namespace:kind/name, e.g. default:deployment/users"
                ),
            ));
        };
        if kind.is_empty() || name.is_empty() || namespace.is_empty() {
            return Err(Error::new(
                ErrorKind::WorkloadNotFound,
                format!("`{id}` is not a workload id; write namespace:kind/name"),
            ));
        }
        Ok(WorkloadName {
            namespace: namespace.to_string(),
            kind: kind.to_ascii_lowercase(),
            name: name.to_string(),
        })
    }

    pub fn matches(&self, object: &Object<'_>) -> bool {
        object.name == self.name
            && object.namespace == self.namespace
            && object.kind.eq_ignore_ascii_case(&self.kind)
    }
}
