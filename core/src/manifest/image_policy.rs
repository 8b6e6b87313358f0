//! Flux v2 image automation objects (DESIGN.md section 16): `ImagePolicy` and
//! `ImageRepository` (`image.toolkit.fluxcd.io/v1beta1`, `v1beta2`, `v1`) found anywhere in a
//! snapshot, each policy translated into relman's own [`TagFilter`] text: `filterTags.pattern`
//! becomes `regex:`, `filterTags.extract` becomes `extract:`, and the policy kind the order
//! (`semver.range` -> `versions:strict semver:RANGE`, as Flux v2 reads versions strictly;
//! `alphabetical.order` -> `alphabetical:asc|desc`; `numerical.order` -> `numerical:asc|desc`).

use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind, Result};
use crate::policy::TagFilter;
use crate::yaml::{AtNode, Node, Stream};

/// The API group of Flux's image automation objects.
const GROUP: &str = "image.toolkit.fluxcd.io/";
/// The versions of that group relman reads.
const VERSIONS: [&str; 3] = ["v1beta1", "v1beta2", "v1"];

/// One `ImagePolicy` of the snapshot.
#[derive(Debug, Clone)]
pub(crate) struct ImagePolicy {
    /// The file and 1-based line of the object.
    pub path: String,
    /// 1-based line of the object.
    pub line: usize,
    /// The policy as a relman filter text, or why it cannot be one (`invalid_filter`, located).
    pub filter: std::result::Result<String, Error>,
    /// `spec.imageRepositoryRef` as `namespace:name` (the namespace defaulting to the policy's).
    pub repository_ref: Option<String>,
}

/// The Flux image automation objects of a snapshot.
#[derive(Debug, Clone, Default)]
pub(crate) struct FluxObjects {
    /// Policies by `namespace:name`.
    pub policies: BTreeMap<String, ImagePolicy>,
    /// `ImageRepository` `spec.image` by `namespace:name`.
    pub repositories: BTreeMap<String, String>,
    /// Objects of the group relman does not read (another version), located.
    pub warnings: Vec<String>,
}

impl FluxObjects {
    /// The image (`ImageRepository.spec.image`) the policy `id` takes its tags from.
    pub(crate) fn repository_of(&self, id: &str) -> Option<&str> {
        let policy = self.policies.get(id)?;
        self.repositories
            .get(policy.repository_ref.as_deref()?)
            .map(String::as_str)
    }
}

/// Read every `ImagePolicy` and `ImageRepository` of `files` (path, text); `default_namespace`
/// for objects that name none. Only texts that mention the group are parsed. Errors:
/// `invalid_yaml` for such a text that does not parse (it may hold a policy: no guess).
pub(crate) fn read<'a>(
    files: impl Iterator<Item = (&'a str, &'a str)>,
    default_namespace: &str,
) -> Result<FluxObjects> {
    let mut out = FluxObjects::default();
    super::objects_in_files(files, GROUP, |path, stream, object, kind, api| {
        let Some(version) = api.strip_prefix(GROUP) else {
            return Ok(());
        };
        if kind != "ImagePolicy" && kind != "ImageRepository" {
            return Ok(());
        }
        let line = stream.line_col(object).0;
        if !VERSIONS.contains(&version) {
            out.warnings.push(format!(
                "{path}:{line}: unknown_api_version: {kind} {api} is not one relman reads ({}); ignored",
                VERSIONS.map(|v| format!("{GROUP}{v}")).join(", ")
            ));
            return Ok(());
        }
        let metadata = object.get("metadata");
        let name = metadata
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or_default();
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or(default_namespace);
        let id = format!("{namespace}:{name}");
        let spec = object.get("spec");
        if kind == "ImageRepository" {
            if let Some(image) = spec.and_then(|s| s.get("image")).and_then(Node::as_str) {
                out.repositories.insert(id, image.to_string());
            }
            return Ok(());
        }
        let repository_ref = spec.and_then(|s| s.get("imageRepositoryRef")).and_then(|r| {
            let name = r.get("name").and_then(Node::as_str)?;
            let ns = r.get("namespace").and_then(Node::as_str).unwrap_or(namespace);
            Some(format!("{ns}:{name}"))
        });
        let filter = translate(stream, object).map_err(|e| e.in_file(path));
        out.policies.insert(
            id,
            ImagePolicy {
                path: path.to_string(),
                line,
                filter,
                repository_ref,
            },
        );
        Ok(())
    })?;
    Ok(out)
}

/// The relman filter text of one `ImagePolicy` object (`invalid_filter`, located, when its
/// spec cannot be one).
fn translate(stream: &Stream<'_>, object: &Node<'_>) -> Result<String> {
    let invalid = |node: &Node<'_>, message: String| {
        Error::new(ErrorKind::InvalidFilter, format!("ImagePolicy: {message}")).at_node(stream, node)
    };
    let Some(spec) = object.get("spec") else {
        return Err(invalid(object, "no spec".into()));
    };
    let mut clauses: Vec<String> = Vec::new();
    let text = |node: &Node<'_>, what: &str| -> Result<String> {
        let value = node
            .as_str()
            .ok_or_else(|| invalid(node, format!("{what} must be a string")))?;
        if value.contains(' ') {
            return Err(invalid(
                node,
                format!(
                    "{what} `{value}` holds a space, which a relman filter clause cannot (tags hold \
                     none: write \\x20 in the pattern)"
                ),
            ));
        }
        Ok(value.to_string())
    };
    if let Some(filter_tags) = spec.get("filterTags") {
        let pattern = filter_tags.get("pattern");
        let extract = filter_tags.get("extract");
        match (pattern, extract) {
            (Some(p), e) => {
                let p = text(p, "filterTags.pattern")?;
                if let Some(e) = e {
                    let e = text(e, "filterTags.extract")?;
                    if !e.is_empty() {
                        clauses.push(format!("extract:{e}"));
                    }
                }
                if !p.is_empty() {
                    clauses.push(format!("regex:{p}"));
                }
            }
            (None, Some(e)) => {
                return Err(invalid(e, "filterTags.extract without filterTags.pattern".into()));
            }
            (None, None) => {}
        }
    }
    let Some(policy) = spec.get("policy") else {
        return Err(invalid(
            spec,
            "no spec.policy (semver, alphabetical or numerical)".into(),
        ));
    };
    let kinds: Vec<&str> = policy
        .entries()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.key.as_str())
        .collect();
    let order = |kind: &str| -> Result<String> {
        let node = policy.get(kind).expect("listed");
        let dir = match node.get("order") {
            None => "asc".to_string(),
            Some(o) => o.as_str().unwrap_or_default().to_ascii_lowercase(),
        };
        if dir != "asc" && dir != "desc" {
            return Err(invalid(node, format!("{kind}.order must be asc or desc")));
        }
        Ok(format!("{kind}:{dir}"))
    };
    match kinds.as_slice() {
        ["semver"] => {
            let node = policy.get("semver").expect("listed");
            let range = node
                .get("range")
                .and_then(Node::as_str)
                .ok_or_else(|| invalid(node, "semver.range must be a string".into()))?;
            clauses.push(format!("versions:strict semver:{range}"));
        }
        ["alphabetical"] => clauses.push(order("alphabetical")?),
        ["numerical"] => clauses.push(order("numerical")?),
        _ => {
            return Err(invalid(
                policy,
                format!(
                    "spec.policy must hold exactly one of semver, alphabetical, numerical (it holds {})",
                    if kinds.is_empty() {
                        "none".to_string()
                    } else {
                        kinds.join(", ")
                    }
                ),
            ));
        }
    }
    let filter = clauses.join(" ");
    TagFilter::parse(&filter).map_err(|e| invalid(spec, e.message().to_string()))?;
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(spec: &str) -> std::result::Result<String, Error> {
        let text = format!(
            "apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImagePolicy\nmetadata: {{name: app, namespace: flux-system}}\nspec:\n{spec}"
        );
        let objects = read([("p.yaml", text.as_str())].into_iter(), "default").unwrap();
        objects.policies["flux-system:app"].filter.clone()
    }

    #[test]
    fn policies_translate() {
        assert_eq!(
            policy("  policy: {semver: {range: '>=1.0 <2'}}\n").unwrap(),
            "versions:strict semver:>=1.0 <2"
        );
        assert_eq!(
            policy("  policy: {alphabetical: {}}\n").unwrap(),
            "alphabetical:asc"
        );
        assert_eq!(
            policy("  policy: {numerical: {order: desc}}\n").unwrap(),
            "numerical:desc"
        );
        assert_eq!(
            policy("  filterTags: {pattern: '^main-(?P<ts>[0-9]+)', extract: '$ts'}\n  policy: {numerical: {order: asc}}\n")
                .unwrap(),
            "extract:$ts regex:^main-(?P<ts>[0-9]+) numerical:asc"
        );
        for bad in [
            "  policy: {}\n",
            "  policy: {semver: {range: x}, numerical: {}}\n",
            "  policy: {alphabetical: {order: up}}\n",
            "  filterTags: {extract: $1}\n  policy: {alphabetical: {}}\n",
            "  filterTags: {pattern: 'a b'}\n  policy: {alphabetical: {}}\n",
            "  policy: {semver: {range: nonsense}}\n",
        ] {
            let e = policy(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_filter", "{bad}");
            assert!(e.line().is_some(), "{bad}: {e}");
        }
    }
}
