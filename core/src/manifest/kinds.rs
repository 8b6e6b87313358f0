//! Where each workload kind keeps its containers (DESIGN.md sections 6 and 16), and how their
//! slots are named.
//!
//! A workload's containers sit in one or more [`Place`]s: a list of containers (a pod spec's
//! `containers`, a Tekton task's `steps`...) or one container mapping (an Argo template's
//! `container`, a Tekton `stepTemplate`). Kinds that hold several pod templates or container
//! lists qualify each slot with the name of its group, `<group>.<container>`, so that ids stay
//! stable and two groups that run a container of the same name stay apart. The names per kind
//! are in `docs/workload-kinds.md`.
//!
//! Kinds other than Kubernetes' own are recognised by API group and kind, in any version: a
//! `Task` of another group is not a Tekton Task.

use super::object::{Object, unique_key};
use super::slot::{SlotKind, walk};
use crate::error::Error;
use crate::yaml::{Node, Path, Step};

/// A part of a slot name: a group's name (or its position when it has none) and whether the
/// name is one upstream accepts (a position never is).
#[derive(Debug, Clone)]
pub(super) struct Segment {
    pub text: String,
    pub ok: bool,
}

impl Segment {
    /// The name at `key` of `item`, else `<field>[<index>]` (never valid).
    fn of(item: &Node<'_>, key: &str, field: &str, index: usize, valid: fn(&str) -> bool) -> Segment {
        match item.get_str(key) {
            Some(name) => Segment {
                text: name.to_string(),
                ok: valid(name),
            },
            None => Segment {
                text: format!("{field}[{index}]"),
                ok: false,
            },
        }
    }

    fn fixed(text: &str) -> Segment {
        Segment {
            text: text.to_string(),
            ok: true,
        }
    }

    /// `self.text` then `.` then `rest`.
    fn then(&self, rest: &str) -> Segment {
        Segment {
            text: format!("{}.{rest}", self.text),
            ok: self.ok,
        }
    }
}

/// How the items of a container list without a `name` are named.
#[derive(Debug, Clone)]
pub(super) enum Naming {
    /// Upstream requires a name: `<field>[<index>]`, never valid.
    Required,
    /// Tekton steps: `unnamed-<index>`, as Tekton names the step's container
    /// (`step-unnamed-<index>`).
    TektonStep,
    /// Names decided for the whole list (Knative's defaults), by index; `None` for an item
    /// that has a name.
    Given(Vec<Option<String>>),
}

/// Where some containers of a workload are.
#[derive(Debug, Clone)]
pub(super) enum Items<'s> {
    /// A sequence of container mappings, at the key `field`.
    List {
        node: &'s Node<'s>,
        path: Path,
        field: &'static str,
        naming: Naming,
    },
    /// One container mapping whose slot is named `name`.
    One {
        node: &'s Node<'s>,
        path: Path,
        name: Segment,
    },
}

/// Some containers of a workload: where they are, what kind of slot they are, the group that
/// qualifies their names, and how many times a kustomize `images:` entry runs over them.
#[derive(Debug, Clone)]
pub(super) struct Place<'s> {
    pub items: Items<'s>,
    pub kind: SlotKind,
    /// `<prefix>.<name>` for the items of a list.
    pub prefix: Option<Segment>,
    /// Passes of kustomize's image transformer: 2 for a pod spec at `spec` or
    /// `spec.template.spec` (its field specs and its walk of every `containers` and
    /// `initContainers` field), 1 for any other `containers`/`initContainers` list (the walk
    /// only), 0 for the fields kustomize never rewrites (`container`, `script`, `sidecars`,
    /// `steps`, `stepTemplate`).
    pub passes: usize,
    /// The first duplicated key on the way.
    pub dup: Option<Error>,
}

/// The API group of an `apiVersion` (`""` for the core group's `v1`).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// A name of Argo Workflows (templates) and of groups (Ray worker groups, JobSet replicated
/// jobs, Tekton pipeline tasks): a letter or digit, then letters, digits and `-`. No `.`: it
/// separates the parts of a slot name.
fn is_segment(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The places of `object` when its kind is one DESIGN.md section 16 names (by group and kind,
/// any version), with the first duplicated key on the way to them; `None` for other kinds.
pub(super) fn family_places<'s>(object: &Object<'s>) -> Option<(Vec<Place<'s>>, Option<Error>)> {
    // Most objects of a stream are of no family (ConfigMaps, Services...): answered before
    // their keys are checked. The same pairs as the arms below.
    if !matches!(
        (group(object.api_version), object.kind),
        (
            "argoproj.io",
            "Rollout" | "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow"
        ) | ("serving.knative.dev", "Service" | "Configuration")
            | (
                "tekton.dev",
                "Task" | "ClusterTask" | "TaskRun" | "Pipeline" | "PipelineRun"
            )
            | ("jobset.x-k8s.io", "JobSet")
            | ("leaderworkerset.x-k8s.io", "LeaderWorkerSet")
            | ("ray.io", "RayCluster" | "RayJob" | "RayService")
    ) {
        return None;
    }
    let mut dup = super::object::check_identity_keys(object).err();
    let stream = object.stream;
    let root = (object.node, &object.path);
    let at = |keys: &[&str], dup: &mut Option<Error>| walk(stream, root.0, root.1, keys, dup);
    let mut places = Vec::new();
    match (group(object.api_version), object.kind) {
        ("argoproj.io", "Rollout") => {
            if let Some((spec, path)) = at(&["spec", "template", "spec"], &mut dup) {
                pod_places(object, spec, &path, None, 2, false, &dup, &mut places);
            }
        }
        ("serving.knative.dev", "Service" | "Configuration") => {
            if let Some((spec, path)) = at(&["spec", "template", "spec"], &mut dup) {
                pod_places(object, spec, &path, None, 2, true, &dup, &mut places);
            }
        }
        ("argoproj.io", "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate") => {
            if let Some((spec, path)) = at(&["spec"], &mut dup) {
                argo_places(object, spec, &path, &dup, &mut places);
            }
        }
        ("argoproj.io", "CronWorkflow") => {
            if let Some((spec, path)) = at(&["spec", "workflowSpec"], &mut dup) {
                argo_places(object, spec, &path, &dup, &mut places);
            }
        }
        ("tekton.dev", "Task" | "ClusterTask") => {
            if let Some((spec, path)) = at(&["spec"], &mut dup) {
                task_places(object, spec, &path, None, &dup, &mut places);
            }
        }
        ("tekton.dev", "TaskRun") => {
            if let Some((spec, path)) = at(&["spec", "taskSpec"], &mut dup) {
                task_places(object, spec, &path, None, &dup, &mut places);
            }
        }
        ("tekton.dev", "Pipeline") => {
            if let Some((spec, path)) = at(&["spec"], &mut dup) {
                pipeline_places(object, spec, &path, &dup, &mut places);
            }
        }
        ("tekton.dev", "PipelineRun") => {
            if let Some((spec, path)) = at(&["spec", "pipelineSpec"], &mut dup) {
                pipeline_places(object, spec, &path, &dup, &mut places);
            }
        }
        ("jobset.x-k8s.io", "JobSet") => {
            if let Some((jobs, path)) = at(&["spec", "replicatedJobs"], &mut dup) {
                for (i, job) in jobs.items().unwrap_or_default().iter().enumerate() {
                    let mut d = dup.clone();
                    if d.is_none() {
                        d = unique_key(stream, job, "name").err();
                    }
                    let name = Segment::of(job, "name", "replicatedJobs", i, crate::names::is_dns_label);
                    let job_path = path.then(Step::Item(i));
                    if let Some((spec, p)) = walk(
                        stream,
                        job,
                        &job_path,
                        &["template", "spec", "template", "spec"],
                        &mut d,
                    ) {
                        pod_places(object, spec, &p, Some(name), 1, false, &d, &mut places);
                    }
                }
            }
        }
        ("leaderworkerset.x-k8s.io", "LeaderWorkerSet") => {
            if let Some((lwt, path)) = at(&["spec", "leaderWorkerTemplate"], &mut dup) {
                for (key, name) in [("leaderTemplate", "leader"), ("workerTemplate", "worker")] {
                    let mut d = dup.clone();
                    if let Some((spec, p)) = walk(stream, lwt, &path, &[key, "spec"], &mut d) {
                        pod_places(
                            object,
                            spec,
                            &p,
                            Some(Segment::fixed(name)),
                            1,
                            false,
                            &d,
                            &mut places,
                        );
                    }
                }
            }
        }
        ("ray.io", kind @ ("RayCluster" | "RayJob" | "RayService")) => {
            let cluster = match kind {
                "RayCluster" => at(&["spec"], &mut dup),
                "RayJob" => at(&["spec", "rayClusterSpec"], &mut dup),
                _ => at(&["spec", "rayClusterConfig"], &mut dup),
            };
            if let Some((cluster, path)) = cluster {
                ray_places(object, cluster, &path, &dup, &mut places);
            }
            if kind == "RayJob" {
                let mut d = dup.clone();
                if let Some((spec, p)) = at(&["spec", "submitterPodTemplate", "spec"], &mut d) {
                    pod_places(
                        object,
                        spec,
                        &p,
                        Some(Segment::fixed("submitter")),
                        1,
                        false,
                        &d,
                        &mut places,
                    );
                }
            }
        }
        _ => return None,
    }
    Some((places, dup))
}

/// The `containers` then `initContainers` of the pod spec `spec`, qualified by `group`.
/// `knative`: unnamed containers take Knative's default names.
#[allow(clippy::too_many_arguments)]
pub(super) fn pod_places<'s>(
    object: &Object<'s>,
    spec: &'s Node<'s>,
    spec_path: &Path,
    group: Option<Segment>,
    passes: usize,
    knative: bool,
    dup: &Option<Error>,
    out: &mut Vec<Place<'s>>,
) {
    if spec.entries().is_none() {
        return;
    }
    let lists = [
        ("containers", SlotKind::Container, "user-container"),
        ("initContainers", SlotKind::InitContainer, "init-container"),
    ];
    // Knative names unnamed containers after a default, numbered when there are several or
    // the default is taken, skipping the names the user gave (in either list).
    let given: std::collections::HashSet<&str> = lists
        .iter()
        .filter_map(|(key, ..)| spec.get(key).and_then(Node::items))
        .flatten()
        .filter_map(|c| c.get_str("name"))
        .collect();
    for (key, kind, default) in lists {
        let mut d = dup.clone();
        let Some((items, path)) = walk(object.stream, spec, spec_path, &[key], &mut d) else {
            continue;
        };
        let naming = if knative {
            let list = items.items().unwrap_or_default();
            let mut next = 0;
            let names = list
                .iter()
                .map(|c| {
                    if c.get("name").is_some() {
                        return None;
                    }
                    let mut name = default.to_string();
                    if list.len() > 1 || given.contains(name.as_str()) {
                        loop {
                            name = format!("{default}-{next}");
                            next += 1;
                            if !given.contains(name.as_str()) {
                                break;
                            }
                        }
                    }
                    Some(name)
                })
                .collect();
            Naming::Given(names)
        } else {
            Naming::Required
        };
        out.push(Place {
            items: Items::List {
                node: items,
                path,
                field: key,
                naming,
            },
            kind,
            prefix: group.clone(),
            passes,
            dup: d,
        });
    }
}

/// Argo Workflows: for each of `spec.templates`, its `container` or `script` (the slot named
/// after the template), `containerSet.containers`, `initContainers` and `sidecars`
/// (`<template>.<name>`).
fn argo_places<'s>(
    object: &Object<'s>,
    spec: &'s Node<'s>,
    spec_path: &Path,
    dup: &Option<Error>,
    out: &mut Vec<Place<'s>>,
) {
    let stream = object.stream;
    let mut d = dup.clone();
    let Some((templates, path)) = walk(stream, spec, spec_path, &["templates"], &mut d) else {
        return;
    };
    for (i, template) in templates.items().unwrap_or_default().iter().enumerate() {
        if template.entries().is_none() {
            continue;
        }
        let mut td = d.clone();
        if td.is_none() {
            td = unique_key(stream, template, "name").err();
        }
        let name = Segment::of(template, "name", "templates", i, is_segment);
        let template_path = path.then(Step::Item(i));
        for key in ["container", "script"] {
            let mut cd = td.clone();
            if let Some((c, p)) = walk(stream, template, &template_path, &[key], &mut cd) {
                if c.entries().is_some() {
                    out.push(Place {
                        items: Items::One {
                            node: c,
                            path: p,
                            name: name.clone(),
                        },
                        kind: SlotKind::TemplateContainer,
                        prefix: None,
                        passes: 0,
                        dup: cd,
                    });
                }
            }
        }
        for (keys, field, kind, passes) in [
            (
                &["containerSet", "containers"][..],
                "containers",
                SlotKind::Container,
                1,
            ),
            (
                &["initContainers"][..],
                "initContainers",
                SlotKind::InitContainer,
                1,
            ),
            (&["sidecars"][..], "sidecars", SlotKind::Sidecar, 0),
        ] {
            let mut ld = td.clone();
            if let Some((items, p)) = walk(stream, template, &template_path, keys, &mut ld) {
                out.push(Place {
                    items: Items::List {
                        node: items,
                        path: p,
                        field,
                        naming: Naming::Required,
                    },
                    kind,
                    prefix: Some(name.clone()),
                    passes,
                    dup: ld,
                });
            }
        }
    }
}

/// A Tekton task spec: `stepTemplate` (`stepTemplate`), `steps` (`<step>`, an unnamed one
/// `unnamed-<index>`), `sidecars` (`sidecar.<name>`); each qualified by `group` (a pipeline
/// task) when given.
fn task_places<'s>(
    object: &Object<'s>,
    spec: &'s Node<'s>,
    spec_path: &Path,
    group: Option<Segment>,
    dup: &Option<Error>,
    out: &mut Vec<Place<'s>>,
) {
    if spec.entries().is_none() {
        return;
    }
    let stream = object.stream;
    let mut d = dup.clone();
    if let Some((t, p)) = walk(stream, spec, spec_path, &["stepTemplate"], &mut d) {
        if t.entries().is_some() {
            let name = match &group {
                Some(g) => g.then("stepTemplate"),
                None => Segment::fixed("stepTemplate"),
            };
            out.push(Place {
                items: Items::One {
                    node: t,
                    path: p,
                    name,
                },
                kind: SlotKind::StepTemplate,
                prefix: None,
                passes: 0,
                dup: d,
            });
        }
    }
    let sidecar = match &group {
        Some(g) => g.then("sidecar"),
        None => Segment::fixed("sidecar"),
    };
    for (key, kind, naming, prefix) in [
        ("steps", SlotKind::Step, Naming::TektonStep, group.clone()),
        ("sidecars", SlotKind::Sidecar, Naming::Required, Some(sidecar)),
    ] {
        let mut d = dup.clone();
        if let Some((items, p)) = walk(stream, spec, spec_path, &[key], &mut d) {
            out.push(Place {
                items: Items::List {
                    node: items,
                    path: p,
                    field: key,
                    naming,
                },
                kind,
                prefix,
                passes: 0,
                dup: d,
            });
        }
    }
}

/// A Tekton pipeline spec: the embedded `taskSpec` of each of `tasks` and `finally`, its slots
/// qualified by the pipeline task's name.
fn pipeline_places<'s>(
    object: &Object<'s>,
    spec: &'s Node<'s>,
    spec_path: &Path,
    dup: &Option<Error>,
    out: &mut Vec<Place<'s>>,
) {
    let stream = object.stream;
    for field in ["tasks", "finally"] {
        let mut d = dup.clone();
        let Some((tasks, path)) = walk(stream, spec, spec_path, &[field], &mut d) else {
            continue;
        };
        for (i, task) in tasks.items().unwrap_or_default().iter().enumerate() {
            if task.entries().is_none() {
                continue;
            }
            let mut td = d.clone();
            if td.is_none() {
                td = unique_key(stream, task, "name").err();
            }
            let name = Segment::of(task, "name", field, i, crate::names::is_dns_label);
            let task_path = path.then(Step::Item(i));
            if let Some((ts, p)) = walk(stream, task, &task_path, &["taskSpec"], &mut td) {
                task_places(object, ts, &p, Some(name), &td, out);
            }
        }
    }
}

/// A Ray cluster spec: `headGroupSpec.template` (`head.<container>`) and each of
/// `workerGroupSpecs` (`<groupName>.<container>`).
fn ray_places<'s>(
    object: &Object<'s>,
    cluster: &'s Node<'s>,
    path: &Path,
    dup: &Option<Error>,
    out: &mut Vec<Place<'s>>,
) {
    let stream = object.stream;
    let mut d = dup.clone();
    if let Some((spec, p)) = walk(
        stream,
        cluster,
        path,
        &["headGroupSpec", "template", "spec"],
        &mut d,
    ) {
        pod_places(object, spec, &p, Some(Segment::fixed("head")), 1, false, &d, out);
    }
    let mut d = dup.clone();
    let Some((groups, groups_path)) = walk(stream, cluster, path, &["workerGroupSpecs"], &mut d) else {
        return;
    };
    for (i, g) in groups.items().unwrap_or_default().iter().enumerate() {
        if g.entries().is_none() {
            continue;
        }
        let mut gd = d.clone();
        if gd.is_none() {
            gd = unique_key(stream, g, "groupName").err();
        }
        let name = Segment::of(g, "groupName", "workerGroupSpecs", i, is_segment);
        if let Some((spec, p)) = walk(
            stream,
            g,
            &groups_path.then(Step::Item(i)),
            &["template", "spec"],
            &mut gd,
        ) {
            pod_places(object, spec, &p, Some(name), 1, false, &gd, out);
        }
    }
}
