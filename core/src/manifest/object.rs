//! Kubernetes objects in a YAML stream: top-level documents and the items of `*List` kinds,
//! with their ids and the keys an edit depends on.

use crate::error::{Error, ErrorKind, Result};
use crate::yaml::AtNode;
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
    /// `metadata.name`, or `metadata.generateName` when the object has only that.
    pub name: &'s str,
    /// `metadata.namespace`, else the default namespace.
    pub namespace: String,
    /// Whether the object has only `metadata.generateName` (no `metadata.name`): each apply
    /// creates a new object, so it has no stable id.
    pub generated: bool,
}

impl Object<'_> {
    /// `namespace:kind/name` with the kind lower-cased; for an object with only
    /// `metadata.generateName`, `namespace:kind/<generateName>*` (never a Kubernetes name).
    pub fn id(&self) -> String {
        // Built by hand: made for every workload of every scan and edit.
        let mut id = String::with_capacity(self.namespace.len() + self.kind.len() + self.name.len() + 3);
        id.push_str(&self.namespace);
        id.push(':');
        id.push_str(self.kind);
        id[self.namespace.len() + 1..].make_ascii_lowercase();
        id.push('/');
        id.push_str(self.name);
        if self.generated {
            id.push('*');
        }
        id
    }

    /// The name as it appears in the id: `metadata.name`, or `<generateName>*`.
    pub fn display_name(&self) -> String {
        if self.generated {
            format!("{}*", self.name)
        } else {
            self.name.to_string()
        }
    }

    /// For an object with only `metadata.generateName`, the `generated_name` error of an edit
    /// (located at the generateName value).
    pub fn refuse_generated(&self) -> Result<()> {
        if !self.generated {
            return Ok(());
        }
        let mut err = Error::new(
            ErrorKind::GeneratedName,
            format!(
                "{} has only metadata.generateName: each apply creates a new object, so it has no \
                 stable id to release to; give it a metadata.name",
                self.id()
            ),
        );
        if let Some(node) = self.node.get("metadata").and_then(|m| m.get("generateName")) {
            err = err.at_node(self.stream, node);
        }
        Err(err)
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
    // Counted here first, without the list of indices [`Node::unique_key`] builds: the scan
    // asks this of every key on the way to every container.
    let Some(entries) = node.entries() else {
        return Ok(());
    };
    if entries
        .iter()
        .filter(|e| e.key.as_str() == Some(key))
        .nth(1)
        .is_none()
    {
        return Ok(());
    }
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
    let (name, generated) = match metadata.and_then(|m| m.get_str("name")) {
        Some(name) => (name, false),
        None => match metadata.and_then(|m| m.get_str("generateName")) {
            Some(prefix) if !prefix.is_empty() => (prefix, true),
            _ => return,
        },
    };
    let api_version = node.get_str("apiVersion").unwrap_or("");
    // A cluster-scoped object has no namespace (the API server ignores one written in it).
    let namespace = if is_cluster_scoped(api_version, kind) {
        CLUSTER.to_string()
    } else {
        metadata
            .and_then(|m| m.get_str("namespace"))
            .filter(|ns| !ns.is_empty())
            .unwrap_or(default_namespace)
            .to_string()
    };
    out.push(Object {
        stream,
        node,
        path,
        kind,
        api_version,
        name,
        namespace,
        generated,
    });
}

/// The namespace part of the id of a cluster-scoped object (DESIGN.md section 6).
pub(crate) const CLUSTER: &str = "<cluster>";

/// Whether objects of `kind` in the API group of `api_version` are cluster-scoped. Only the
/// workload kinds matter (other objects have no id): Argo's `ClusterWorkflowTemplate` and
/// Tekton's `ClusterTask`.
pub(crate) fn is_cluster_scoped(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    matches!(
        (group, kind),
        ("argoproj.io", "ClusterWorkflowTemplate") | ("tekton.dev", "ClusterTask")
    )
}

/// The keys an edit of `object` relies on, checked for duplicates.
pub(crate) fn check_identity_keys(object: &Object<'_>) -> Result<()> {
    check_identity_keys_of(object.stream, object.node)
}

/// [`check_identity_keys`] of the object whose mapping node is `node`.
pub(crate) fn check_identity_keys_of(stream: &Stream<'_>, node: &Node<'_>) -> Result<()> {
    for key in ["kind", "metadata"] {
        unique_key(stream, node, key)?;
    }
    if let Some(metadata) = node.get("metadata") {
        if metadata.entries().is_some() {
            unique_key(stream, metadata, "name")?;
            unique_key(stream, metadata, "namespace")?;
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
        object.display_name() == self.name
            && object.namespace == self.namespace
            && object.kind.eq_ignore_ascii_case(&self.kind)
    }
}
