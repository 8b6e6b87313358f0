//! Kustomize overlays (DESIGN.md section 6): reading a `kustomization.yaml` the way kustomize
//! reads the parts that decide image fields (`resources:`, legacy `bases:`, `namespace:`,
//! `images:`), and editing its `images:` entries under the rewrite contract.

use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::yaml::{Node, Patch, Path, ScalarStyle, Step, Stream, dash_column};

/// The file names kustomize looks for in a directory, in its order of preference.
pub const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One entry of a kustomization's `images:` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImagesEntry {
    /// The image name it matches, as written in manifests.
    pub name: String,
    /// `newName`.
    pub new_name: Option<String>,
    /// `newTag`.
    pub new_tag: Option<String>,
    /// `digest`.
    pub digest: Option<String>,
    /// Address of the entry's mapping.
    pub path: Path,
    /// 1-based line of the entry.
    pub line: usize,
}

impl ImagesEntry {
    /// What the entry makes of `value`, or `None` when it does not match. Kustomize matches the
    /// image name exactly as written; `newName` replaces it; `newTag` alone drops a digest,
    /// `digest` alone drops a tag, both give `name:tag@digest`.
    pub fn apply(&self, value: &str) -> Option<String> {
        let (name, tag, digest) = split_image(value);
        if name != self.name {
            return None;
        }
        let name = self.new_name.as_deref().unwrap_or(name);
        let (tag, digest) = match (&self.new_tag, &self.digest) {
            (Some(t), Some(d)) => (Some(t.as_str()), Some(d.as_str())),
            (Some(t), None) => (Some(t.as_str()), None),
            (None, Some(d)) => (None, Some(d.as_str())),
            (None, None) => (tag, digest),
        };
        let mut out = name.to_string();
        if let Some(t) = tag {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = digest {
            out.push('@');
            out.push_str(d);
        }
        Some(out)
    }
}

/// Split an image value into name, tag and digest as kustomize does (a `:` after the last `/`
/// starts the tag).
pub(crate) fn split_image(value: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match value.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (value, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].find(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

/// A resource named by a kustomization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceRef {
    /// As written.
    pub entry: String,
    /// 1-based line and column of the entry.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// What relman reads of a kustomization file.
#[derive(Debug, Clone)]
pub(crate) struct Kustomization {
    /// `resources:` then `bases:`, in order.
    pub resources: Vec<ResourceRef>,
    /// `namespace:`.
    pub namespace: Option<String>,
    /// `images:` entries.
    pub images: Vec<ImagesEntry>,
    /// Address of the `images:` sequence, when present.
    pub images_path: Option<Path>,
    /// Whether the file writes sequence items indented under their key (`key:\n  - x`), judged
    /// from its first block sequence.
    pub indented_sequences: bool,
    /// Keys relman does not read that can change images or names (`patches`, `namePrefix`...).
    pub unread: Vec<String>,
}

/// Keys of a kustomization that relman does not read but that can change what it renders.
const UNREAD_KEYS: [&str; 12] = [
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "components",
    "namePrefix",
    "nameSuffix",
    "replacements",
    "vars",
    "helmCharts",
    "transformers",
    "generators",
    "replicas",
];

fn strings(node: &Node, file: &str, key: &str) -> Result<Vec<ResourceRef>> {
    let Some(items) = node.items() else {
        if node.as_str() == Some("") {
            return Ok(Vec::new());
        }
        return Err(
            Error::new(ErrorKind::InvalidYaml, format!("`{key}` must be a list of paths"))
                .in_file(file)
                .at(node.line, node.column),
        );
    };
    items
        .iter()
        .map(|item| match item.as_str() {
            Some(s) => Ok(ResourceRef {
                entry: s.to_string(),
                line: item.line,
                column: item.column,
            }),
            None => Err(Error::new(
                ErrorKind::InvalidYaml,
                format!("an entry of `{key}` is not a path"),
            )
            .in_file(file)
            .at(item.line, item.column)),
        })
        .collect()
}

/// Read the kustomization in `stream` (the file `file`).
///
/// Errors (`invalid_yaml`, located): not a mapping, `images:` entries without `name`, two
/// entries for the same name.
pub(crate) fn read(stream: &Stream<'_>, file: &str) -> Result<Kustomization> {
    let invalid = |node: &Node, message: String| {
        Error::new(ErrorKind::InvalidYaml, message)
            .in_file(file)
            .at(node.line, node.column)
    };
    let doc = stream
        .documents
        .first()
        .ok_or_else(|| Error::new(ErrorKind::InvalidYaml, "empty kustomization").in_file(file))?;
    let root = &doc.root;
    let mut k = Kustomization {
        resources: Vec::new(),
        namespace: None,
        images: Vec::new(),
        images_path: None,
        indented_sequences: false,
        unread: Vec::new(),
    };
    let Some(entries) = root.entries() else {
        if root.as_str() == Some("") {
            return Ok(k);
        }
        return Err(invalid(root, "a kustomization must be a mapping".into()));
    };
    let mut judged = false;
    for (i, e) in entries.iter().enumerate() {
        let key = e.key.as_str().unwrap_or_default();
        if !judged {
            if let Some(first) = e
                .value
                .items()
                .and_then(|i| i.first())
                .filter(|_| !e.value.is_flow())
            {
                if let Some(dash) = dash_column(stream.text(), first) {
                    k.indented_sequences = dash > e.key.column - 1;
                    judged = true;
                }
            }
        }
        match key {
            "resources" | "bases" => k.resources.extend(strings(&e.value, file, key)?),
            "namespace" => k.namespace = e.value.as_str().filter(|s| !s.is_empty()).map(str::to_string),
            "images" => {
                let path = Path::root(0).then(Step::Value(i));
                for (j, item) in e.value.items().unwrap_or_default().iter().enumerate() {
                    let field = |f: &str| item.get_str(f).filter(|s| !s.is_empty()).map(str::to_string);
                    let Some(name) = field("name") else {
                        return Err(invalid(item, "an `images:` entry has no `name`".into()));
                    };
                    if let Some(first) = k.images.iter().find(|x| x.name == name) {
                        return Err(invalid(
                            item,
                            format!(
                                "two `images:` entries for `{name}` (lines {} and {})",
                                first.line, item.line
                            ),
                        ));
                    }
                    k.images.push(ImagesEntry {
                        name,
                        new_name: field("newName"),
                        new_tag: field("newTag"),
                        digest: field("digest"),
                        path: path.then(Step::Item(j)),
                        line: item.line,
                    });
                }
                k.images_path = Some(path);
            }
            other if UNREAD_KEYS.contains(&other) => k.unread.push(other.to_string()),
            _ => {}
        }
    }
    Ok(k)
}

/// Whether `entry` names a remote resource (a URL or a git reference) that relman does not read.
pub(crate) fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("github.com/")
        || entry.starts_with("git@")
        || entry.contains("?ref=")
}

/// Edit the `images:` entry `entry` so that it produces `target` for an image named `name`
/// (the name as it reaches the entry): `newName` when the name changes, `newTag` and `digest`
/// as the target has them; fields that become unnecessary are removed.
pub(crate) fn write_entry(
    stream: &Stream<'_>,
    patch: &mut Patch,
    entry: &ImagesEntry,
    target: &ImageRef,
) -> Result<()> {
    let node = crate::yaml::resolve(stream, &entry.path)
        .ok_or_else(|| Error::new(ErrorKind::Internal, "images entry path"))?;
    let entries = node.entries().unwrap_or_default();
    let (new_name, tag, digest) = split_image(target.as_str());
    let wanted: [(&str, Option<&str>); 3] = [
        ("newName", (new_name != entry.name).then_some(new_name)),
        ("newTag", tag),
        ("digest", digest),
    ];
    let mut appends = Vec::new();
    let mut removals = Vec::new();
    for (field, value) in wanted {
        let index = node.find(field);
        match (index, value) {
            (Some(i), Some(v)) => {
                crate::manifest::unique_key(node, field)?;
                patch.set_scalar(stream, &entry.path.then(Step::Value(i)), v)?;
            }
            (None, Some(v)) => appends.push((field.to_string(), v.to_string())),
            (Some(i), None) => removals.push(i),
            (None, None) => {}
        }
    }
    if removals.len() + 1 > entries.len() && appends.is_empty() {
        return Err(Error::new(
            ErrorKind::Internal,
            "an images entry would lose its name",
        ));
    }
    for i in removals {
        patch.remove_entry(stream, &entry.path, i)?;
    }
    patch.append_entries_styled(stream, &entry.path, &appends, ScalarStyle::Plain)
}

/// Add an `images:` entry for the image `name` producing `target` to the kustomization in
/// `stream`, creating the `images:` key when it is missing.
pub(crate) fn add_entry(
    stream: &Stream<'_>,
    patch: &mut Patch,
    kustomization: &Kustomization,
    name: &str,
    target: &ImageRef,
) -> Result<()> {
    let (new_name, tag, digest) = split_image(target.as_str());
    let mut fields = vec![("name".to_string(), name.to_string())];
    if new_name != name {
        fields.push(("newName".to_string(), new_name.to_string()));
    }
    if let Some(t) = tag {
        fields.push(("newTag".to_string(), t.to_string()));
    }
    if let Some(d) = digest {
        fields.push(("digest".to_string(), d.to_string()));
    }
    match &kustomization.images_path {
        Some(path) => patch.append_item(stream, path, &fields, ScalarStyle::Plain),
        None => patch.append_sequence_entry(
            stream,
            &Path::root(0),
            "images",
            &fields,
            ScalarStyle::Plain,
            kustomization.indented_sequences,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, new_name: Option<&str>, tag: Option<&str>, digest: Option<&str>) -> ImagesEntry {
        ImagesEntry {
            name: name.into(),
            new_name: new_name.map(Into::into),
            new_tag: tag.map(Into::into),
            digest: digest.map(Into::into),
            path: Path::root(0),
            line: 1,
        }
    }

    #[test]
    fn kustomize_image_semantics() {
        let d = "sha256:bbbb";
        assert_eq!(
            entry("acme/x", None, Some("2"), None)
                .apply("acme/x:1@sha256:aa")
                .as_deref(),
            Some("acme/x:2")
        );
        assert_eq!(
            entry("acme/x", None, None, Some(d)).apply("acme/x:1").as_deref(),
            Some("acme/x@sha256:bbbb")
        );
        assert_eq!(
            entry("acme/x", None, Some("2"), Some(d))
                .apply("acme/x")
                .as_deref(),
            Some("acme/x:2@sha256:bbbb")
        );
        assert_eq!(
            entry("acme/x", Some("q.io/x"), None, None)
                .apply("acme/x:1")
                .as_deref(),
            Some("q.io/x:1")
        );
        assert_eq!(
            entry("acme/y", None, Some("2"), None).apply("docker.io/acme/y:1"),
            None
        );
        assert_eq!(
            split_image("localhost:5000/a/b:1@sha256:x"),
            ("localhost:5000/a/b", Some("1"), Some("sha256:x"))
        );
        assert_eq!(split_image("localhost:5000/a"), ("localhost:5000/a", None, None));
    }
}
