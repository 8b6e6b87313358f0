//! Argo CD Image Updater's annotations on Argo CD `Application` objects (DESIGN.md section 16):
//! `argocd-image-updater.argoproj.io/image-list` (`[alias=]repo[:constraint]`, comma
//! separated) with, per alias, `<alias>.update-strategy` (`semver`, `newest-build` / legacy
//! `latest`, `alphabetical` / legacy `name`, `digest`), `<alias>.allow-tags` (`regexp:RE` or
//! `any`) and `<alias>.ignore-tags` (comma-separated `filepath.Match` globs). Each image
//! becomes relman's own [`TagFilter`] text, applied to the slots running that repository in
//! the files under the Application's source path(s).

use crate::error::{Error, ErrorKind, Result};
use crate::policy::TagFilter;
use crate::yaml::{AtNode, Node, Stream};

/// The annotation prefix of Argo CD Image Updater.
const PREFIX: &str = "argocd-image-updater.argoproj.io/";
/// The image list annotation.
const IMAGE_LIST: &str = "argocd-image-updater.argoproj.io/image-list";

/// One image of an Application's image list.
#[derive(Debug, Clone)]
pub(crate) struct ArgoImage {
    /// The repository as written (without the constraint).
    pub repository: String,
    /// The relman filter text, or why the settings cannot be one (`invalid_filter`, located).
    pub filter: std::result::Result<String, Error>,
}

/// One Argo CD `Application` with an image list.
#[derive(Debug, Clone)]
pub(crate) struct ArgoApplication {
    /// The file of the object.
    pub file: String,
    /// 1-based line of the object.
    pub line: usize,
    /// Its source paths (`spec.source.path`, `spec.sources[].path`), without `./` or a
    /// trailing `/`; `""` for the repository root.
    pub paths: Vec<String>,
    /// Its images.
    pub images: Vec<ArgoImage>,
}

impl ArgoApplication {
    /// Whether the repository file `file` is under one of the Application's source paths.
    pub(crate) fn covers(&self, file: &str) -> bool {
        self.paths.iter().any(|p| {
            p.is_empty()
                || file
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

/// The Applications of a snapshot, and the located warnings of those relman cannot apply.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArgoApplications {
    /// Applications with an image list and a source path.
    pub applications: Vec<ArgoApplication>,
    /// Located warnings.
    pub warnings: Vec<String>,
}

/// Read every Argo CD `Application` with an image list from `files` (path, text); only texts
/// that mention the annotation are parsed. Errors: `invalid_yaml` for such a text that does
/// not parse.
pub(crate) fn read<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> Result<ArgoApplications> {
    let mut out = ArgoApplications::default();
    super::objects_in_files(files, IMAGE_LIST, |path, stream, object, kind, api| {
        if kind != "Application" || !api.starts_with("argoproj.io/") {
            return Ok(());
        }
        let metadata = object.get("metadata");
        let annotations = metadata.and_then(|m| m.get("annotations"));
        let Some(list) = annotations.and_then(|a| a.get(IMAGE_LIST)) else {
            return Ok(());
        };
        let line = stream.line_col(object).0;
        let name = metadata
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or_default();
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or("argocd");
        let id = format!("{namespace}/{name}");
        let spec = object.get("spec");
        let mut paths: Vec<String> = Vec::new();
        let sources = spec.and_then(|s| s.get("source")).into_iter().chain(
            spec.and_then(|s| s.get("sources"))
                .and_then(Node::items)
                .unwrap_or_default(),
        );
        for source in sources {
            if let Some(p) = source.get("path").and_then(Node::as_str) {
                paths.push(normalise(p));
            }
        }
        if paths.is_empty() {
            out.warnings.push(format!(
                        "{path}:{line}: argo_application_without_path: Application {id} carries {IMAGE_LIST} \
                         and no spec.source.path: relman applies an image list to the files under the \
                         Application's path in this repository, and a chart or remote source has none; ignored"
                    ));
            return Ok(());
        }
        let annotation = |key: &str| annotations.and_then(|a| a.get(key));
        let images = image_list(stream, list, &annotation)
            .map_err(|e| e.in_file(path))?
            .into_iter()
            .map(|mut image| {
                image.filter = image.filter.map_err(|e| e.in_file(path));
                image
            })
            .collect();
        out.applications.push(ArgoApplication {
            file: path.to_string(),
            line,
            paths,
            images,
        });
        Ok(())
    })?;
    Ok(out)
}

/// A source path without `./`, leading or trailing `/`; `.` is the root (`""`).
fn normalise(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_matches('/');
    if p == "." { String::new() } else { p.to_string() }
}

/// The images of an image list annotation `list`, each with its filter; `annotation` reads
/// the Application's other annotations. `invalid_filter` (located at the list) for an entry
/// with an empty image; per-image settings that cannot be a filter are that image's error.
fn image_list<'n>(
    stream: &Stream<'_>,
    list: &'n Node<'n>,
    annotation: &dyn Fn(&str) -> Option<&'n Node<'n>>,
) -> Result<Vec<ArgoImage>> {
    let invalid = |node: &Node<'_>, message: String| {
        Error::new(ErrorKind::InvalidFilter, message).at_node(stream, node)
    };
    let text = list
        .as_str()
        .ok_or_else(|| invalid(list, format!("{IMAGE_LIST} must be a string")))?;
    let mut out = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (alias, image) = match entry.split_once('=') {
            Some((a, i)) => (Some(a.trim()).filter(|a| !a.is_empty()), i.trim()),
            None => (None, entry),
        };
        if image.is_empty() {
            return Err(invalid(
                list,
                format!("{IMAGE_LIST}: empty image name in `{entry}`"),
            ));
        }
        // The constraint is what follows the `:` after the last `/` (Argo's tag).
        let slash = image.rfind('/').map_or(0, |i| i + 1);
        let (repository, constraint) = match image[slash..].split_once(':') {
            Some((name, c)) => (format!("{}{name}", &image[..slash]), Some(c)),
            None => (image.to_string(), None),
        };
        let filter = filter_of(stream, alias, constraint, annotation, list);
        out.push(ArgoImage { repository, filter });
    }
    if out.is_empty() {
        return Err(invalid(list, format!("{IMAGE_LIST} is empty")));
    }
    Ok(out)
}

/// The relman filter of one image: its strategy, constraint, allow-tags and ignore-tags.
fn filter_of<'n>(
    stream: &Stream<'_>,
    alias: Option<&str>,
    constraint: Option<&str>,
    annotation: &dyn Fn(&str) -> Option<&'n Node<'n>>,
    list: &Node<'_>,
) -> std::result::Result<String, Error> {
    let setting = |suffix: &str| -> Option<(&'n Node<'n>, String)> {
        let alias = alias?;
        let node = annotation(&format!("{PREFIX}{alias}.{suffix}"))?;
        Some((node, node.as_str().unwrap_or_default().trim().to_string()))
    };
    let invalid = |node: &Node<'_>, message: String| {
        Error::new(
            ErrorKind::InvalidFilter,
            format!("Argo CD Image Updater: {message}"),
        )
        .at_node(stream, node)
    };
    let mut clauses: Vec<String> = Vec::new();
    let strategy = setting("update-strategy");
    let kind = strategy
        .as_ref()
        .map_or("semver".to_string(), |(_, s)| s.to_ascii_lowercase());
    if kind == "digest" {
        let Some(tag) = constraint.filter(|c| !c.is_empty()) else {
            return Err(invalid(
                list,
                format!(
                    "the digest strategy of {} tracks the tag written after the repository \
                     (alias=repo:TAG); none is written",
                    alias.unwrap_or("the image")
                ),
            ));
        };
        return checked(format!("digest:{tag}"), list, &invalid);
    }
    if let Some((node, allow)) = setting("allow-tags").filter(|(_, a)| !a.is_empty()) {
        if !allow.eq_ignore_ascii_case("any") {
            match allow.split_once(':') {
                Some((f, re)) if f.eq_ignore_ascii_case("regexp") => {
                    if re.contains(' ') {
                        return Err(invalid(
                            node,
                            format!(
                                "allow-tags `{allow}` holds a space, which a relman filter clause cannot (write \\x20)"
                            ),
                        ));
                    }
                    clauses.push(format!("regex:{re}"));
                }
                _ => {
                    return Err(invalid(
                        node,
                        format!(
                            "allow-tags `{allow}` is neither regexp:PATTERN nor any (Argo allows no tag then)"
                        ),
                    ));
                }
            }
        }
    }
    if let Some((node, ignore)) = setting("ignore-tags") {
        let globs: Vec<&str> = ignore
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .collect();
        if globs.iter().any(|g| g.contains(' ')) {
            return Err(invalid(
                node,
                format!("ignore-tags `{ignore}` holds a space inside a glob"),
            ));
        }
        if !globs.is_empty() {
            clauses.push(format!("ignore:{}", globs.join(",")));
        }
    }
    match kind.as_str() {
        "semver" => {
            let c = constraint.filter(|c| !c.is_empty()).unwrap_or("*");
            // Masterminds v3's NewVersion reads one to three parts: relman's loose reading.
            clauses.push(format!("versions:loose semver:{c}"));
        }
        "newest-build" | "latest" => {
            if clauses.iter().all(|c| c.starts_with("ignore:")) {
                clauses.push("glob:*".into());
            }
        }
        "alphabetical" | "name" => clauses.push("alphabetical:asc".into()),
        other => {
            let node = strategy.as_ref().map_or(list, |(n, _)| *n);
            return Err(invalid(
                node,
                format!(
                    "update-strategy `{other}` is none of semver, newest-build (latest), alphabetical (name), \
                     digest (Argo falls back to semver; relman refuses to guess)"
                ),
            ));
        }
    }
    checked(clauses.join(" "), list, &invalid)
}

/// `text` when it parses as a filter, else its error located at `node`.
fn checked(
    text: String,
    node: &Node<'_>,
    invalid: &dyn Fn(&Node<'_>, String) -> Error,
) -> std::result::Result<String, Error> {
    match TagFilter::parse(&text) {
        Ok(_) => Ok(text),
        Err(e) => Err(invalid(node, e.message().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(annotations: &str) -> Vec<(String, std::result::Result<String, String>)> {
        let text = format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app\n  annotations:\n{annotations}spec:\n  source: {{path: apps/app}}\n"
        );
        let apps = read([("a.yaml", text.as_str())].into_iter()).unwrap();
        apps.applications[0]
            .images
            .iter()
            .map(|i| {
                (
                    i.repository.clone(),
                    i.filter.clone().map_err(|e| e.code().to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn strategies_translate() {
        let got = images(
            "    argocd-image-updater.argoproj.io/image-list: 'a=acme/a:~1.2, b=reg.io:5000/acme/b, c=acme/c:latest, d=acme/d, e=acme/e'\n    \
             argocd-image-updater.argoproj.io/b.update-strategy: newest-build\n    \
             argocd-image-updater.argoproj.io/b.allow-tags: 'regexp:^main-'\n    \
             argocd-image-updater.argoproj.io/c.update-strategy: digest\n    \
             argocd-image-updater.argoproj.io/d.update-strategy: Name\n    \
             argocd-image-updater.argoproj.io/d.ignore-tags: 'x-*, y?'\n    \
             argocd-image-updater.argoproj.io/e.update-strategy: sometimes\n",
        );
        assert_eq!(got[0], ("acme/a".into(), Ok("versions:loose semver:~1.2".into())));
        assert_eq!(got[1], ("reg.io:5000/acme/b".into(), Ok("regex:^main-".into())));
        assert_eq!(got[2], ("acme/c".into(), Ok("digest:latest".into())));
        assert_eq!(
            got[3],
            ("acme/d".into(), Ok("ignore:x-*,y? alphabetical:asc".into()))
        );
        assert_eq!(got[4].1, Err("invalid_filter".into()));
    }

    #[test]
    fn paths_cover_files_below_them() {
        let app = ArgoApplication {
            file: "a.yaml".into(),
            line: 1,
            paths: vec![normalise("./apps/a/")],
            images: vec![],
        };
        assert!(app.covers("apps/a/deploy.yaml") && app.covers("apps/a/x/y.yaml"));
        assert!(!app.covers("apps/ab/deploy.yaml") && !app.covers("apps/a"));
        assert_eq!(normalise("."), "");
    }
}
