//! Live objects: what `kubectl get ... -o yaml` (or `-o json`) prints, read for the drift check
//! (DESIGN.md section 19). The same object and workload rules as the repo's manifests (section
//! 6: `*List` items, every workload kind, containers then init containers by name), plus what
//! only a live object carries: the controller that owns it (`metadata.ownerReferences`) and
//! the Helm release that rendered it (`meta.helm.sh/release-name`).

use super::slot::workloads;
use super::{SlotImage, SlotKind};
use crate::error::{Error, ErrorKind, Result};
use crate::yaml::{AtNode, Node, Stream};

/// The annotation Helm 3 writes on every object of a release: the release's name.
pub(crate) const HELM_RELEASE_NAME: &str = "meta.helm.sh/release-name";
/// The annotation Helm 3 writes on every object of a release: the release's namespace.
pub(crate) const HELM_RELEASE_NAMESPACE: &str = "meta.helm.sh/release-namespace";

/// One running workload as the cluster reports it.
#[derive(Debug, Clone)]
pub(crate) struct LiveWorkload {
    /// `namespace:kind/name`, kind lower-cased.
    pub id: String,
    /// `metadata.namespace` (the default namespace when the object names none).
    pub namespace: String,
    /// The kind of its controlling owner (`ReplicaSet` for a Deployment's Pod), when an
    /// `ownerReferences` entry says `controller: true`.
    pub owner: Option<String>,
    /// The Helm release that rendered it: (release name, release namespace), from the
    /// `meta.helm.sh/*` annotations (the namespace defaults to the object's).
    pub helm: Option<(String, String)>,
    /// Its containers then init containers: (name, image as written in the live object).
    pub containers: Vec<(String, SlotImage)>,
}

/// Every workload of the observed text, in document order (`*List` items in place of their
/// list). The live HelmRelease objects themselves are left out: what runs is what they
/// rendered. Refused with a located `invalid_yaml` (path `label`): text that does not parse, a
/// text with no document, a document that is not a Kubernetes object or a list of them (a
/// mapping with a `kind`; `kubectl get -o name` or `-o jsonpath` output is not one), a list
/// whose `items` is not a sequence of objects, an object without `metadata.name`.
pub(crate) fn live_workloads(text: &str, default_namespace: &str, label: &str) -> Result<Vec<LiveWorkload>> {
    let arena = crate::yaml::Arena::for_text(text);
    let stream = Stream::parse(text, &arena).map_err(|e| e.in_file(label))?;
    check_shape(&stream).map_err(|e| e.in_file(label))?;
    let found = workloads(&stream, default_namespace, Some(label)).map_err(|e| e.in_file(label))?;
    let mut out = Vec::with_capacity(found.len());
    for w in found {
        let object = &w.object;
        if w.slots.iter().any(|s| s.info.kind == SlotKind::HelmValues)
            || matches!(object.kind, "HelmRelease" | "FluxHelmRelease")
        {
            continue;
        }
        let metadata = object.node.get("metadata");
        let owner = metadata
            .and_then(|m| m.get("ownerReferences"))
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .find(|r| r.get_str("controller") == Some("true"))
            .map(|r| r.get_str("kind").unwrap_or("").to_string());
        let annotations = metadata.and_then(|m| m.get("annotations"));
        let helm = annotations
            .and_then(|a| a.get_str(HELM_RELEASE_NAME))
            .filter(|name| !name.is_empty())
            .map(|name| {
                let namespace = annotations
                    .and_then(|a| a.get_str(HELM_RELEASE_NAMESPACE))
                    .filter(|ns| !ns.is_empty())
                    .unwrap_or(&object.namespace);
                (name.to_string(), namespace.to_string())
            });
        let containers = w
            .slots
            .iter()
            .filter(|s| matches!(s.info.kind, SlotKind::Container | SlotKind::InitContainer))
            .map(|s| {
                (
                    s.info.container.clone(),
                    SlotImage::read(s.info.image().to_string()),
                )
            })
            .collect();
        out.push(LiveWorkload {
            namespace: object.namespace.clone(),
            id: w.id,
            owner,
            helm,
            containers,
        });
    }
    Ok(out)
}

/// The shapes `kubectl get -o yaml|json` prints: one object, a `List` of objects, or a stream
/// of either; empty documents between them are skipped, a text with none is refused.
fn check_shape(stream: &Stream<'_>) -> Result<()> {
    let bad = |node: &Node<'_>, what: &str| {
        Error::new(
            ErrorKind::InvalidYaml,
            format!(
                "{what}: the observed text must be what `kubectl get ... -o yaml` or `-o json` prints \
                 (a List of objects, one object, or a stream of them)"
            ),
        )
        .at_node(stream, node)
    };
    let mut documents = 0;
    for doc in &stream.documents {
        let root = &doc.root;
        if root
            .as_str()
            .is_some_and(|s| s.is_empty() || s == "~" || s == "null")
            && root.entries().is_none()
        {
            // An empty document (`---` alone, or a `null`).
            continue;
        }
        documents += 1;
        if root.entries().is_none() {
            return Err(bad(root, "a document that is not a mapping"));
        }
        let Some(kind) = root.get_str("kind") else {
            return Err(bad(root, "a document without a `kind`"));
        };
        if kind.ends_with("List") {
            let Some(items) = root.get("items") else { continue };
            if items
                .as_str()
                .is_some_and(|s| s == "null" || s == "~" || s.is_empty())
            {
                continue;
            }
            let Some(list) = items.items() else {
                return Err(bad(items, "`items` of a list is not a sequence"));
            };
            for item in list {
                check_object(item, &bad)?;
            }
        } else {
            check_object(root, &bad)?;
        }
    }
    if documents == 0 {
        return Err(Error::new(
            ErrorKind::InvalidYaml,
            "the observed text holds no object: pass what `kubectl get ... -o yaml` or `-o json` prints \
             (an empty cluster prints a List with no items)",
        )
        .at(1, 1));
    }
    Ok(())
}

/// One object of the observed text: a mapping with a `kind` and a `metadata.name`.
fn check_object(node: &Node<'_>, bad: &impl Fn(&Node<'_>, &str) -> Error) -> Result<()> {
    if node.entries().is_none() {
        return Err(bad(node, "a list item that is not a mapping"));
    }
    if node.get_str("kind").is_none_or(str::is_empty) {
        return Err(bad(node, "an object without a `kind`"));
    }
    let named = node
        .get("metadata")
        .and_then(|m| m.get_str("name"))
        .is_some_and(|n| !n.is_empty());
    if !named && !node.get_str("kind").is_some_and(|k| k.ends_with("List")) {
        return Err(bad(node, "an object without `metadata.name`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_kubectl_escapes_it_and_owners_and_helm_are_read() {
        let text = r#"{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": {
                    "meta.helm.sh/release-name": "web",
                    "note": "\u003cnone\u003e \u0026 caf\u00e9"
                },
                "name": "users",
                "namespace": "prod"
            },
            "spec": {"template": {"spec": {"containers": [{"image": "acme/users:1.0", "name": "app"}]}}}
        },
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": "users-7d9c6b5f4",
                "namespace": "prod",
                "ownerReferences": [{"controller": true, "kind": "Deployment", "name": "users"}]
            },
            "spec": {"template": {"spec": {"containers": [{"image": "acme/users:1.0", "name": "app"}]}}}
        }
    ],
    "kind": "List",
    "metadata": {"resourceVersion": ""}
}
"#;
        let live = live_workloads(text, "default", "<observed>").unwrap();
        assert_eq!(live.len(), 2);
        assert_eq!(live[0].id, "prod:deployment/users");
        assert_eq!(live[0].helm, Some(("web".to_string(), "prod".to_string())));
        assert_eq!(live[0].owner, None);
        assert_eq!(live[0].containers[0].1.text(), "acme/users:1.0");
        assert_eq!(live[1].owner.as_deref(), Some("Deployment"));
        assert_eq!(live[1].helm, None);
    }

    #[test]
    fn kubectl_output_that_is_no_object_is_refused_located() {
        for (text, line, piece) in [
            ("deployment.apps/users\n", 1, "not a mapping"),
            ("", 1, "no object"),
            ("---\n---\n", 1, "no object"),
            ("kind: List\nitems: {a: b}\n", 2, "not a sequence"),
            (
                "kind: List\nitems:\n- kind: Deployment\n  metadata: {namespace: a}\n",
                3,
                "metadata.name",
            ),
            ("NAME READY\nusers 2/2\n", 1, "not a mapping"),
        ] {
            let e = live_workloads(text, "default", "<observed>").unwrap_err();
            assert_eq!(
                (e.code(), e.path(), e.line()),
                ("invalid_yaml", Some("<observed>"), Some(line)),
                "{text:?}: {e}"
            );
            assert!(e.message().contains(piece), "{text:?}: {e}");
        }
    }
}
