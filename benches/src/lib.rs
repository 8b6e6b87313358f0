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
