//! Drift against the cluster (DESIGN.md section 19): what `kubectl get ... -o yaml` (or
//! `-o json`) printed, compared per workload and container with what the repo renders for an
//! environment (the planner's own model: namespaces, kustomize overlays and `images:`,
//! HelmRelease values). Pure: the caller's tooling runs kubectl.
//!
//! The rules, in the order they apply (docs/drift.md says the same for users):
//!
//! - A live object matches the repo's workload of the same id, `namespace:kind/name` with the
//!   kind lower-cased (the API group is not compared). Containers match by name, init
//!   containers included (Kubernetes keeps the names of both lists unique).
//! - A live object with no workload of that id in the repo is `not_in_repo` when it is in one
//!   of the environment's namespaces (those of its workloads and of its HelmReleases'
//!   releases) and no controller owns it (`ownerReferences` with `controller: true`: the
//!   ReplicaSets of a Deployment, its Pods, the Jobs of a CronJob are the controller's, not
//!   the repo's). Objects in other namespaces, and kinds that are not workloads, are ignored.
//! - A live object Helm rendered (`meta.helm.sh/release-name` and `-namespace` annotations)
//!   is mapped back to the repo's HelmRelease of that release (its `spec.releaseName`, else the
//!   controller's default name, in `spec.targetNamespace` or its own namespace): each of its
//!   containers is compared with the HelmRelease's values slot of the same repository. A
//!   container running a repository no values slot names is the chart's own and is not
//!   reported; a Helm release no HelmRelease of the environment makes is `not_in_repo`.
//! - Images compare as the kubelet runs them: see [`compare`].

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::environment::{self, Model, Placed, Target};
use super::snapshot::Snapshot;
use crate::config::Environment;
use crate::error::Result;
use crate::image::ImageRef;
use crate::manifest::{LiveWorkload, SlotImage, live_workloads};

/// The name the observed text goes by in error locations.
pub(crate) const OBSERVED: &str = "<observed>";

crate::vocabulary::wire_enum! {
/// How one container of an environment compares with what the cluster runs.
pub enum DriftStatus {
    /// The cluster runs the image the repo says (as the kubelet would run it).
    InSync = "in_sync",
    /// The cluster runs another image.
    Drifted = "drifted",
    /// The repo has the container and the cluster does not run it.
    MissingInCluster = "missing_in_cluster",
    /// The cluster runs a container the repo does not have.
    NotInRepo = "not_in_repo",
}
}

/// One container compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DriftEntry {
    /// The repo's workload id (`namespace:kind/name`, as the environment renders it; a
    /// HelmRelease's id for the containers its release runs); for `not_in_repo`, the live
    /// object's id.
    pub workload: String,
    /// The repo's container (or HelmRelease slot) name; for `not_in_repo`, the live container's.
    pub container: String,
    /// How they compare.
    pub status: DriftStatus,
    /// The image the repo renders for the container; `None` for `not_in_repo`.
    pub repo_image: Option<String>,
    /// The image the live object runs, as kubectl printed it; `None` for `missing_in_cluster`.
    pub running_image: Option<String>,
    /// The live object compared (`namespace:kind/name`), when there is one.
    pub live_workload: Option<String>,
    /// The live container compared, when there is one.
    pub live_container: Option<String>,
    /// The repo file that defines the workload; `None` for `not_in_repo`.
    pub path: Option<String>,
    /// Why, in words (the rule that decided).
    pub message: String,
}

/// The drift of one environment: one entry per container compared, in the order the repo
/// lists its workloads, then the live containers the repo does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DriftReport {
    /// The environment compared.
    pub environment: String,
    /// The containers compared.
    pub entries: Vec<DriftEntry>,
    /// What was not compared and why (a slot whose rendering relman cannot tell, a value that is
    /// not an image reference, a Helm release it cannot name), and the environment's own
    /// warnings (a kustomize key that may change images relman does not read).
    pub warnings: Vec<String>,
}

impl DriftReport {
    /// Whether any entry is not `in_sync`.
    pub fn is_drifted(&self) -> bool {
        self.entries.iter().any(|e| e.status != DriftStatus::InSync)
    }

    /// The entries with `status`.
    pub fn with_status(&self, status: DriftStatus) -> impl Iterator<Item = &DriftEntry> {
        self.entries.iter().filter(move |e| e.status == status)
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a drift report always serialises")
    }
}

/// Compare what the cluster runs with what the repo renders for `environment` (DESIGN.md
/// section 19). `observed` is the text `kubectl get <kinds> -o yaml` or `-o json` printed: a
/// `List` with `items`, one object, or a multi-document stream of either. Pure.
///
/// Errors: `unknown_environment`, `invalid_config`, and the errors of reading the
/// environment's files (as [`plan_release`](super::plan_release)); `invalid_yaml` located in
/// `<observed>` for an observed text that does not parse or is not kubectl's output (no
/// object, a document that is not an object or a list of objects, an object without a name);
/// `duplicate_resource` for an object listed twice.
///
/// ```
/// use relman::release::{DriftStatus, Snapshot, drift};
///
/// let snapshot = Snapshot::from_files([(
///     "users.yaml",
///     "kind: Deployment\nmetadata: {name: users, namespace: prod}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: acme/users:1.3.0}\n",
/// )])?;
/// let observed = r#"{"apiVersion": "v1", "kind": "List", "items": [
///   {"apiVersion": "apps/v1", "kind": "Deployment",
///    "metadata": {"name": "users", "namespace": "prod"},
///    "spec": {"template": {"spec": {"containers": [
///      {"name": "app", "image": "docker.io/acme/users:1.2.0", "imagePullPolicy": "IfNotPresent"}]}}}}]}"#;
/// let report = drift(&snapshot, "default", observed)?;
/// assert_eq!(report.entries[0].status, DriftStatus::Drifted);
/// assert_eq!(report.entries[0].running_image.as_deref(), Some("docker.io/acme/users:1.2.0"));
/// # Ok::<(), relman::Error>(())
/// ```
pub fn drift(snapshot: &Snapshot, environment: &str, observed: &str) -> Result<DriftReport> {
    let config = snapshot.config()?;
    let env = config.environment(environment)?;
    let mut arenas = environment::Arenas::default();
    let model = environment::model(snapshot, &mut arenas, &config, env, &Default::default())?;
    let live = live_workloads(observed, &env.default_namespace, OBSERVED)?;
    let mut report = report(&model, env, &live);
    report.warnings.extend(model.warnings);
    Ok(report)
}

/// Compare two images as the kubelet runs them: `running` is in sync with `repo` when it is
/// the same image. The rules:
///
/// 1. Names are normalised (`nginx` is `docker.io/library/nginx`, `index.docker.io` is
///    `docker.io`); another repository is drifted.
/// 2. Where the repo pins a digest, the running image must carry the same digest (its tag,
///    if any, is not looked at: the runtime pulls by digest). Another digest, or none, is
///    drifted.
/// 3. Where the repo gives a tag (no tag is `latest`), a running image with the same tag is in
///    sync, with or without a digest (a digest is what the tag resolved to, written in by an
///    admission controller). Another tag is drifted; so is a running image with a digest and
///    no tag: nothing in the live object says that digest is the repo's tag.
pub(crate) fn compare(repo: &ImageRef, running: &ImageRef) -> (DriftStatus, String) {
    use DriftStatus::{Drifted, InSync};
    if !repo.same_repository(running) {
        return (
            Drifted,
            format!("the cluster runs {running}, another repository than the repo's {repo}"),
        );
    }
    if let Some(pinned) = repo.digest() {
        return match running.digest() {
            Some(d) if d == pinned => (InSync, "the same digest".to_string()),
            Some(d) => (
                Drifted,
                format!("the repo pins {pinned} and the cluster runs {d}"),
            ),
            None => (
                Drifted,
                format!("the repo pins {pinned} and the cluster runs {running} without a digest"),
            ),
        };
    }
    let wanted = repo.tag().unwrap_or("latest");
    match (running.tag(), running.digest()) {
        (Some(tag), Some(_)) if tag == wanted => (
            InSync,
            format!("the cluster runs tag {tag} resolved to its digest"),
        ),
        (Some(tag), None) if tag == wanted => (InSync, "the same image".to_string()),
        (None, None) if wanted == "latest" => (InSync, "the same image (no tag is latest)".to_string()),
        (None, Some(d)) => (
            Drifted,
            format!("the cluster runs digest {d} without a tag: nothing says it is the repo's tag {wanted}"),
        ),
        (tag, _) => (
            Drifted,
            format!(
                "the cluster runs tag {} and the repo says {wanted}",
                tag.unwrap_or("latest")
            ),
        ),
    }
}

/// The Helm release a HelmRelease of the repo makes: (release name, namespace), or why relman
/// cannot name it.
fn helm_release(model: &Model<'_>, placed: &Placed) -> std::result::Result<(String, String), String> {
    let w = &placed.workload;
    let namespace = w.id.split_once(':').map_or("", |(ns, _)| ns).to_string();
    let node = placed
        .site
        .as_ref()
        .and_then(|site| crate::yaml::resolve(model.streams.get(placed.path.as_str())?, &site.object));
    let spec = node.and_then(|n| n.get("spec"));
    let text = |key: &str| {
        spec.and_then(|s| s.get_str(key))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let api_version = node.and_then(|n| n.get_str("apiVersion")).unwrap_or("");
    let target = text("targetNamespace");
    let release_namespace = target.clone().unwrap_or_else(|| namespace.clone());
    if let Some(name) = text("releaseName") {
        return Ok((name, release_namespace));
    }
    let name = if api_version.starts_with("helm.toolkit.fluxcd.io/") {
        // Flux's helm-controller: `[targetNamespace-]name`; a longer name than Helm allows
        // (53) is shortened with a hash relman does not reproduce.
        let name = match &target {
            Some(t) => format!("{t}-{}", w.name),
            None => w.name.clone(),
        };
        if name.len() > 53 {
            return Err(format!(
                "{}: the default release name {name} is longer than 53 characters and the \
                 controller shortens it; set spec.releaseName to compare its workloads",
                w.id
            ));
        }
        name
    } else {
        // Helm Operator (`helm.fluxcd.io/v1`) and `FluxHelmRelease`: `namespace-name`.
        format!("{namespace}-{}", w.name)
    };
    Ok((name, release_namespace))
}

fn is_helm_release(placed: &Placed) -> bool {
    matches!(placed.workload.kind.as_str(), "HelmRelease" | "FluxHelmRelease")
}

/// The pseudo-workload of Flux setter markers: values in any file, no live object to match.
fn is_marker_policy(placed: &Placed) -> bool {
    placed.site.is_none() && placed.workload.kind == "ImagePolicy"
}

fn namespace_of(id: &str) -> &str {
    id.split_once(':').map_or("", |(ns, _)| ns)
}

/// Builds a report: what each live container was matched to.
struct Comparer<'a> {
    live: &'a [LiveWorkload],
    /// Live workloads matched to the repo (by id or by Helm release): the rest may be
    /// `not_in_repo`.
    matched: Vec<bool>,
    entries: Vec<DriftEntry>,
    warnings: Vec<String>,
}

impl Comparer<'_> {
    fn entry(
        placed: &Placed,
        container: &str,
        repo_image: &str,
        live: Option<(&LiveWorkload, &str, &SlotImage)>,
    ) -> DriftEntry {
        let (status, message, running) = match live {
            None => (
                DriftStatus::MissingInCluster,
                "the cluster does not run it".to_string(),
                None,
            ),
            Some((_, _, image)) => {
                let (status, message) = match (ImageRef::parse(repo_image), image) {
                    (Ok(repo), SlotImage::Managed(running)) => compare(&repo, running),
                    _ => (
                        DriftStatus::Drifted,
                        "the running image is not an image reference relman reads".to_string(),
                    ),
                };
                (status, message, Some(image.text().to_string()))
            }
        };
        DriftEntry {
            workload: placed.workload.id.clone(),
            container: container.to_string(),
            status,
            repo_image: Some(repo_image.to_string()),
            running_image: running,
            live_workload: live.map(|(w, _, _)| w.id.clone()),
            live_container: live.map(|(_, c, _)| c.to_string()),
            path: Some(placed.path.clone()),
            message,
        }
    }

    /// A workload of the repo matched by id.
    fn plain(&mut self, placed: &Placed, by_id: &HashMap<&str, usize>) {
        let found = by_id.get(placed.workload.id.as_str()).copied();
        if let Some(i) = found {
            self.matched[i] = true;
        }
        let live = found.map(|i| &self.live[i]);
        let mut handled: HashSet<&str> = HashSet::new();
        for slot in &placed.slots {
            let info = &slot.info;
            handled.insert(info.container.as_str());
            if let Target::Refused(e) = &slot.target {
                self.warnings.push(format!(
                    "{} container {}: not compared: {}",
                    placed.workload.id,
                    info.container,
                    environment::located(e)
                ));
                continue;
            }
            if !info.is_managed() {
                self.warnings.push(format!(
                    "{} container {}: not compared: {:?} is not an image reference relman manages",
                    placed.workload.id,
                    info.container,
                    info.image()
                ));
                continue;
            }
            let running = live.and_then(|w| {
                w.containers
                    .iter()
                    .find(|(name, _)| *name == info.container)
                    .map(|(name, image)| (w, name.as_str(), image))
            });
            let mut entry = Self::entry(placed, &info.container, info.image(), running);
            if running.is_none() {
                entry.message = match live {
                    Some(w) => format!("{} has no container {}", w.id, info.container),
                    None => format!("the cluster has no {}", placed.workload.id),
                };
            }
            self.entries.push(entry);
        }
        if let Some(w) = live {
            for (name, image) in &w.containers {
                if !handled.contains(name.as_str()) {
                    self.entries.push(not_in_repo(
                        w,
                        name,
                        image,
                        "the repo's workload has no such container",
                    ));
                }
            }
        }
    }

    /// A HelmRelease of the repo: the live objects of its release, containers matched to its
    /// values slots by repository.
    fn helm(&mut self, model: &Model<'_>, placed: &Placed) {
        let (name, namespace) = match helm_release(model, placed) {
            Ok(release) => release,
            Err(why) => {
                self.warnings.push(format!("not compared: {why}"));
                return;
            }
        };
        let members: Vec<usize> = (0..self.live.len())
            .filter(|&i| {
                let w = &self.live[i];
                w.helm
                    .as_ref()
                    .is_some_and(|(n, ns)| *n == name && *ns == namespace)
            })
            .collect();
        for &i in &members {
            self.matched[i] = true;
        }
        // Each live container goes to the values slot of its repository: the one whose image it
        // runs when several slots name that repository, none (a warning) when that is not one.
        let slots: Vec<(&str, ImageRef)> = placed
            .slots
            .iter()
            .filter_map(|s| Some((s.info.container.as_str(), s.info.image_ref()?.clone())))
            .collect();
        let mut assigned: Vec<Vec<(usize, usize)>> = vec![Vec::new(); slots.len()];
        for &i in &members {
            for (c, (container, image)) in self.live[i].containers.iter().enumerate() {
                let SlotImage::Managed(running) = image else {
                    continue;
                };
                let same: Vec<usize> = (0..slots.len())
                    .filter(|&s| slots[s].1.same_repository(running))
                    .collect();
                let chosen = match same.as_slice() {
                    [] => continue,
                    [one] => Some(*one),
                    several => {
                        let in_sync: Vec<usize> = several
                            .iter()
                            .copied()
                            .filter(|&s| compare(&slots[s].1, running).0 == DriftStatus::InSync)
                            .collect();
                        (in_sync.len() == 1).then(|| in_sync[0])
                    }
                };
                match chosen {
                    Some(s) => assigned[s].push((i, c)),
                    None => self.warnings.push(format!(
                        "{} container {container} (Helm release {name}): not compared: its repository is named by several values slots of {}",
                        self.live[i].id, placed.workload.id
                    )),
                }
            }
        }
        for (s, (slot, image)) in slots.iter().enumerate() {
            if assigned[s].is_empty() {
                let mut entry = Self::entry(placed, slot, image.as_str(), None);
                entry.message = if members.is_empty() {
                    format!("the cluster has no object of Helm release {name} in namespace {namespace}")
                } else {
                    format!("no container of Helm release {name} runs {}", image.repository())
                };
                self.entries.push(entry);
                continue;
            }
            for &(i, c) in &assigned[s] {
                let w = &self.live[i];
                let (container, running) = &w.containers[c];
                let mut entry = Self::entry(placed, slot, image.as_str(), Some((w, container, running)));
                entry.message = format!("Helm release {name}: {}", entry.message);
                self.entries.push(entry);
            }
        }
    }
}

fn not_in_repo(w: &LiveWorkload, container: &str, image: &SlotImage, why: &str) -> DriftEntry {
    DriftEntry {
        workload: w.id.clone(),
        container: container.to_string(),
        status: DriftStatus::NotInRepo,
        repo_image: None,
        running_image: Some(image.text().to_string()),
        live_workload: Some(w.id.clone()),
        live_container: Some(container.to_string()),
        path: None,
        message: why.to_string(),
    }
}

/// The drift of the environment `env` whose model is `model`, against the live workloads.
pub(super) fn report(model: &Model<'_>, env: &Environment, live: &[LiveWorkload]) -> DriftReport {
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(live.len());
    for (i, w) in live.iter().enumerate() {
        by_id.entry(w.id.as_str()).or_insert(i);
    }
    let mut comparer = Comparer {
        live,
        matched: vec![false; live.len()],
        entries: Vec::new(),
        warnings: Vec::new(),
    };
    let mut namespaces: HashSet<String> = HashSet::new();
    for placed in &model.placed {
        if is_marker_policy(placed) {
            continue;
        }
        if is_helm_release(placed) {
            if let Ok((_, ns)) = helm_release(model, placed) {
                namespaces.insert(ns);
            }
            comparer.helm(model, placed);
        } else {
            namespaces.insert(namespace_of(&placed.workload.id).to_string());
            comparer.plain(placed, &by_id);
        }
    }
    for (i, w) in live.iter().enumerate() {
        if comparer.matched[i] || w.owner.is_some() || !namespaces.contains(&w.namespace) {
            continue;
        }
        let why = match &w.helm {
            Some((name, _)) => format!("Helm release {name} is not made by a HelmRelease of the repo"),
            None => "the repo has no such workload".to_string(),
        };
        for (name, image) in &w.containers {
            comparer.entries.push(not_in_repo(w, name, image, &why));
        }
    }
    DriftReport {
        environment: env.name.clone(),
        entries: comparer.entries,
        warnings: comparer.warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(repo: &str, running: &str) -> DriftStatus {
        compare(
            &ImageRef::parse(repo).unwrap(),
            &ImageRef::parse(running).unwrap(),
        )
        .0
    }

    const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn images_compare_as_the_kubelet_runs_them() {
        use DriftStatus::{Drifted, InSync};
        let cases = [
            ("nginx:1.25", "docker.io/library/nginx:1.25", InSync),
            ("nginx", "nginx:latest", InSync),
            ("nginx:latest", "index.docker.io/library/nginx", InSync),
            ("acme/users:1.3.0", &format!("acme/users:1.3.0@{A}"), InSync),
            ("acme/users:1.3.0", "acme/users:1.2.0", Drifted),
            ("acme/users:1.3.0", &format!("acme/users@{A}"), Drifted),
            ("acme/users:1.3.0", "quay.io/acme/users:1.3.0", Drifted),
            (
                &format!("acme/users:1.3.0@{A}"),
                &format!("acme/users:1.3.0@{A}"),
                InSync,
            ),
            (
                &format!("acme/users:1.3.0@{A}"),
                &format!("acme/users@{A}"),
                InSync,
            ),
            (
                &format!("acme/users:1.3.0@{A}"),
                &format!("acme/users:1.3.0@{B}"),
                Drifted,
            ),
            (&format!("acme/users:1.3.0@{A}"), "acme/users:1.3.0", Drifted),
            ("acme/users:V1", "acme/users:v1", Drifted),
        ];
        for (repo, running, want) in cases {
            assert_eq!(status(repo, running), want, "{repo} vs {running}");
        }
    }
}
