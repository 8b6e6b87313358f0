//! Inputs for relman's criterion benchmarks (`cargo bench -p relman-benches`, or `make bench`).
//!
//! The generators here build the synthetic repositories and catalogs the benchmarks run on,
//! so that a benchmark and a test can share exactly the same input.

use relman::release::{Catalog, ImageInfo, Snapshot};

/// A config repo with one manual environment `production` holding `workloads` Deployments of
/// two containers each (one file per workload), drawing images from `repositories`
/// repositories, each currently at tag `1.0.0`.
pub fn repo(workloads: usize, repositories: usize) -> Snapshot {
    let mut files = Vec::with_capacity(workloads + 1);
    files.push((
        "relman.yaml".to_string(),
        "environments:\n  production:\n    path: envs/production\n    release: manual\n".to_string(),
    ));
    for i in 0..workloads {
        let app = i % repositories;
        let sidecar = (i + 1) % repositories;
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i}\n  namespace: prod\n  labels:\n    app: svc-{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: svc-{i}\n  template:\n    metadata:\n      labels:\n        app: svc-{i}\n    spec:\n      containers:\n        - name: app # the service\n          image: \"registry.example.com/team/repo-{app}:1.0.0\"\n          ports:\n            - containerPort: 8080\n        - name: sidecar\n          image: registry.example.com/team/repo-{sidecar}:1.0.0\n"
        );
        files.push((format!("envs/production/svc-{i}.yaml"), text));
    }
    Snapshot::from_files(files).expect("generated paths are valid")
}

/// A catalog of `repositories` repositories with `tags` semver tags each (`1.0.0` ...), every
/// tag with a digest and a creation time.
pub fn catalog(repositories: usize, tags: usize) -> Catalog {
    let mut catalog = Catalog::new();
    let base: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("valid time");
    for r in 0..repositories {
        let repo = format!("registry.example.com/team/repo-{r}");
        for t in 0..tags {
            let info = ImageInfo::new(format!("1.{}.{}", t / 50, t % 50))
                .with_digest(format!("sha256:{:064x}", r * 100_000 + t))
                .with_created(base + jiff::SignedDuration::from_secs(t as i64 * 3600));
            catalog.add(&repo, info).expect("generated entries are valid");
        }
    }
    catalog
}

/// A config repo with `environments` automatic environments `env-0` ... (DESIGN.md section 15:
/// planning cost linear in the number of environments). Every environment is a kustomize
/// overlay `envs/env-<i>/` with its own `namespace:`, the shared base `base/` (a Deployment
/// `users` running `acme/users:1.0.0`, so that every base file is read by every environment)
/// and a manifest of its own (a Deployment `orders` running `acme/orders:1.0.0`).
pub fn environments(environments: usize) -> Snapshot {
    let mut config = String::from("environments:\n");
    let mut files = Vec::with_capacity(2 * environments + 3);
    for i in 0..environments {
        config.push_str(&format!(
            "  env-{i}:\n    path: envs/env-{i}\n    release: automatic\n"
        ));
        files.push((
            format!("envs/env-{i}/kustomization.yaml"),
            format!(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: env-{i}\nresources:\n  - ../../base\n  - orders.yaml\n"
            ),
        ));
        files.push((
            format!("envs/env-{i}/orders.yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/orders:1.0.0\n".to_string(),
        ));
    }
    files.push(("relman.yaml".to_string(), config));
    files.push((
        "base/kustomization.yaml".to_string(),
        "resources:\n  - users.yaml\n".to_string(),
    ));
    files.push((
        "base/users.yaml".to_string(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.0.0\n".to_string(),
    ));
    Snapshot::from_files(files).expect("generated paths are valid")
}

/// The catalog [`environments`] plans against: `acme/users` and `acme/orders` with tags
/// `1.0.0` to `1.0.9`, one hour apart, each with a digest.
pub fn environments_catalog() -> Catalog {
    let mut catalog = Catalog::new();
    let base: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("valid time");
    for (r, repo) in ["acme/users", "acme/orders"].into_iter().enumerate() {
        for t in 0..10 {
            let info = ImageInfo::new(format!("1.0.{t}"))
                .with_digest(format!("sha256:{:064x}", r * 100 + t))
                .with_created(base + jiff::SignedDuration::from_secs(t as i64 * 3600));
            catalog.add(repo, info).expect("generated entries are valid");
        }
    }
    catalog
}

/// Where [`corpus_stream`] found its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSource {
    /// The folder read (the corpus, or the golden fixtures when the corpus is absent).
    pub root: std::path::PathBuf,
    /// Whether `root` is the real-world corpus.
    pub corpus: bool,
    /// The files read from `root`.
    pub files: usize,
    /// Chunks (one file of one copy) left out because they were rejected or collided.
    pub dropped: usize,
}

/// The corpus folder: `RELMAN_CORPUS` when set, else `../shared/corpus` beside the repository.
pub fn corpus_root() -> std::path::PathBuf {
    match std::env::var_os("RELMAN_CORPUS") {
        Some(p) => p.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
    }
}

fn yaml_files(root: &std::path::Path, only_inputs: bool) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if only_inputs {
                if path.file_name().is_some_and(|n| n == "input.yaml") {
                    out.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `line` with `prefix` put in front of the value of a `name:` key (plain or quoted), so that
/// copy `k` of a file names other objects than copy 0.
fn rename_line(line: &str, prefix: &str) -> Option<String> {
    let body = line.trim_start_matches([' ', '-']);
    let rest = body.strip_prefix("name: ")?;
    let at = line.len() - rest.len();
    let first = rest.chars().next()?;
    let insert = if first.is_ascii_alphanumeric() {
        at
    } else if (first == '"' || first == '\'') && rest[1..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
        at + 1
    } else {
        return None;
    };
    Some(format!("{}{prefix}{}", &line[..insert], &line[insert..]))
}

/// One file as a chunk of a multi-document stream: without a BOM, ending with a newline, with
/// every `name:` value prefixed by `r{copy}-` for copies after the first.
fn chunk(text: &str, copy: usize) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len() + 64);
    if !(text.starts_with("---") || text.starts_with("%")) {
        out.push_str("---\n");
    }
    let prefix = format!("r{copy}-");
    for line in text.split_inclusive('\n') {
        match (copy > 0).then(|| rename_line(line, &prefix)).flatten() {
            Some(renamed) => out.push_str(&renamed),
            None => out.push_str(line),
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A multi-document stream of at least `target` bytes (or all of it, when smaller) built from
/// the corpus files (or the golden fixtures' `input.yaml` when the corpus is absent), repeated
/// as often as needed, each copy's object names prefixed so that no workload is defined twice.
/// Files that `list_images` rejects on their own, or whose workloads collide with earlier
/// ones, are left out; `relman::list_images` accepts the whole stream.
pub fn corpus_stream(target: usize) -> (String, StreamSource) {
    let corpus = corpus_root();
    let (root, is_corpus, files) = if corpus.is_dir() {
        let files = yaml_files(&corpus, false);
        (corpus, true, files)
    } else {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/manifest");
        let files = yaml_files(&root, true);
        (root, false, files)
    };
    let texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| !t.contains('\r') && !t.contains('\u{0}'))
        .collect();
    let options = relman::Options::default();
    let mut seen = std::collections::HashSet::new();
    let mut chunks: Vec<String> = Vec::new();
    let mut size = 0;
    let mut dropped = 0;
    'copies: for copy in 0..1000 {
        let before = chunks.len();
        for text in &texts {
            if size >= target {
                break 'copies;
            }
            let c = chunk(text, copy);
            let Ok(slots) = relman::list_images(&c, &options) else {
                dropped += 1;
                continue;
            };
            let ids: std::collections::HashSet<String> = slots.iter().map(|s| s.workload.clone()).collect();
            if ids.iter().any(|id| seen.contains(id)) {
                dropped += 1;
                continue;
            }
            seen.extend(ids);
            size += c.len();
            chunks.push(c);
        }
        if chunks.len() == before {
            break;
        }
    }
    // Workloads without slots can still collide: drop the chunk holding the second definition.
    loop {
        let stream: String = chunks.concat();
        match relman::list_images(&stream, &options) {
            Ok(_) => {
                let source = StreamSource {
                    root,
                    corpus: is_corpus,
                    files: texts.len(),
                    dropped,
                };
                return (stream, source);
            }
            Err(e) => {
                let line = e.line().unwrap_or(0);
                let mut at = 1;
                let index = chunks
                    .iter()
                    .position(|c| {
                        at += c.matches('\n').count();
                        at > line
                    })
                    .unwrap_or(chunks.len() - 1);
                chunks.remove(index);
                dropped += 1;
            }
        }
    }
}
