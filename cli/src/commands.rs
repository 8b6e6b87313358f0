//! The commands' output: what each prints from the library's answers.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use relman::git::HISTORY_LIMIT;
use relman::release::{
    Catalog, DriftStatus, EnvironmentStatus, PointerMove, ReleasePlan, RepoStatus, Snapshot, Status,
    WorkloadStatus, plan_automation,
};
use serde::Serialize;

use crate::failure::Failure;
use crate::observed_file::{self, Observed};
use crate::output::{Cell, Table, json, paint, print, style};
use crate::repo::{Repo, WriteOptions, Written};
use crate::{EXIT_NOTHING, EXIT_OK};

/// The status of the repo, reduced to `envs` when given (each must exist).
fn read_status(
    repo: &Repo,
    branch: Option<&str>,
    envs: &[String],
    now: Timestamp,
) -> Result<(RepoStatus, relman::release::History), Failure> {
    let snapshot = repo.snapshot(branch)?;
    let config = snapshot.config()?;
    for name in envs {
        config.environment(name)?;
    }
    let history = repo.history(branch, None, HISTORY_LIMIT)?;
    let mut status = relman::release::status(&snapshot, &history, now)?;
    if !envs.is_empty() {
        status.environments.retain(|e| envs.contains(&e.name));
    }
    Ok((status, history))
}

/// A workload lock in words: `locked by bob until 2026-12-01T00:00:00Z: reason`.
pub(crate) fn lock_text(w: &WorkloadStatus) -> String {
    let Some(lock) = &w.lock else {
        return String::new();
    };
    let mut text = String::from(if lock.active { "locked" } else { "lock expired" });
    if let Some(by) = &lock.by {
        text.push_str(&format!(" by {by}"));
    }
    if let Some(until) = &lock.until {
        text.push_str(&format!(" until {until}"));
    }
    if let Some(reason) = &lock.reason {
        text.push_str(&format!(": {reason}"));
    }
    crate::failure::one_line(&text)
}

/// An environment lock in words.
pub(crate) fn environment_lock_text(e: &EnvironmentStatus) -> Option<String> {
    let lock = e.lock.as_ref()?;
    let mut text = String::from(if e.locked { "LOCKED" } else { "lock expired" });
    text.push_str(&format!(" by {}", lock.by));
    if let Some(until) = lock.until {
        text.push_str(&format!(" until {until}"));
    }
    text.push_str(&format!(": {}", lock.reason));
    Some(crate::failure::one_line(&text))
}

/// What waits for promotion into a workload, in words.
pub(crate) fn waiting_text(w: &WorkloadStatus) -> String {
    if w.waiting.is_empty() {
        return String::new();
    }
    let images: Vec<String> = w.waiting.iter().map(|u| u.to.clone()).collect();
    let mut text = images.join(", ");
    if let Some(reason) = w.blocked {
        text.push_str(&format!(" (blocked: {})", reason.code()));
    }
    text
}

pub(crate) fn images_text(w: &WorkloadStatus) -> String {
    w.containers
        .iter()
        .map(|c| {
            if w.containers.len() == 1 {
                c.image.clone()
            } else {
                format!("{}={}", c.container, c.image)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `relman status`.
pub fn status(
    repo: &Repo,
    branch: Option<&str>,
    envs: &[String],
    as_json: bool,
    html: Option<&Path>,
    limit: usize,
    now: Timestamp,
) -> Result<i32, Failure> {
    let (report, _) = read_status(repo, branch, envs, now)?;
    if let Some(path) = html {
        let history = repo.history(branch, None, limit)?;
        let times: HashMap<String, String> = repo.commit_times(branch, limit).into_iter().collect();
        let page = crate::html::page(&report, &history, &times, now);
        std::fs::write(path, page).map_err(|e| Failure::io(path, "write", e))?;
    }
    if as_json {
        json(&report);
        return Ok(EXIT_OK);
    }
    let mut out = String::new();
    for env in &report.environments {
        let mut heading = paint(&env.name, style::TITLE);
        heading.push_str(&paint(&format!("  {}", env.release.code()), style::DIM));
        if let Some(from) = &env.promote_from {
            heading.push_str(&paint(&format!("  promoteFrom {from}"), style::DIM));
        }
        if let Some(lock) = environment_lock_text(env) {
            let s = if env.locked { style::BAD } else { style::DIM };
            heading.push_str(&format!("  {}", paint(&lock, s)));
        }
        out.push_str(&heading);
        out.push('\n');
        let mut table = Table::new(&["SERVICE", "WORKLOAD", "IMAGE", "AUTOMATION", "LOCK", "WAITING"]);
        for w in &env.workloads {
            let automation = if w.ignored {
                Cell::styled("ignored", style::DIM)
            } else if w.automated {
                Cell::styled("automated", style::GOOD)
            } else {
                Cell::styled("manual", style::DIM)
            };
            let lock = lock_text(w);
            let lock_style = if w.lock.as_ref().is_some_and(|l| l.active) {
                style::BAD
            } else {
                style::DIM
            };
            let waiting_style = if w.blocked.is_some() {
                style::BAD
            } else {
                style::WARN
            };
            table.row(vec![
                w.service.as_str().into(),
                w.workload.as_str().into(),
                images_text(w).into(),
                automation,
                Cell::styled(lock, lock_style),
                Cell::styled(waiting_text(w), waiting_style),
            ]);
        }
        if table.is_empty() {
            out.push_str(&paint("  no workloads\n", style::DIM));
        } else {
            for line in table.render().lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        out.push('\n');
    }
    if let Some(path) = html {
        out.push_str(&format!("status page: {}\n", path.display()));
    }
    print(&out);
    Ok(EXIT_OK)
}

#[derive(Serialize)]
struct ListRow<'a> {
    environment: &'a str,
    workload: &'a str,
    service: &'a str,
    container: &'a str,
    image: &'a str,
    managed: bool,
    automated: bool,
    locked: bool,
    ignored: bool,
}

/// `relman list`.
pub fn list(
    repo: &Repo,
    branch: Option<&str>,
    envs: &[String],
    as_json: bool,
    now: Timestamp,
) -> Result<i32, Failure> {
    let (report, _) = read_status(repo, branch, envs, now)?;
    let mut rows = Vec::new();
    for env in &report.environments {
        for w in &env.workloads {
            for c in &w.containers {
                rows.push(ListRow {
                    environment: &env.name,
                    workload: &w.workload,
                    service: &w.service,
                    container: &c.container,
                    image: &c.image,
                    managed: c.managed,
                    automated: w.automated,
                    locked: w.lock.as_ref().is_some_and(|l| l.active),
                    ignored: w.ignored,
                });
            }
        }
    }
    if as_json {
        json(&rows);
        return Ok(EXIT_OK);
    }
    let mut table = Table::new(&["ENV", "WORKLOAD", "CONTAINER", "IMAGE", "POLICY"]);
    for r in &rows {
        let mut policy = Vec::new();
        if r.automated {
            policy.push("automated");
        }
        if r.locked {
            policy.push("locked");
        }
        if r.ignored {
            policy.push("ignored");
        }
        if !r.managed {
            policy.push("unmanaged");
        }
        table.row(vec![
            r.environment.into(),
            r.workload.into(),
            r.container.into(),
            r.image.into(),
            policy.join(",").into(),
        ]);
    }
    print(&table.render());
    Ok(EXIT_OK)
}

/// `relman images`.
pub fn images(
    snapshot: &Snapshot,
    env: &str,
    workload: &str,
    catalog: &Catalog,
    all: bool,
    as_json: bool,
    now: Timestamp,
) -> Result<i32, Failure> {
    let slots = relman::release::images(snapshot, env, workload, catalog, now)?;
    if as_json {
        json(&slots);
        return Ok(EXIT_OK);
    }
    let mut out = String::new();
    for slot in &slots {
        out.push_str(&paint(
            &format!("{} {}", slot.workload, slot.container),
            style::TITLE,
        ));
        out.push_str(&format!("  current {}  filter {}\n", slot.current, slot.filter));
        let Some(repository) = &slot.repository else {
            out.push_str("  not a managed image reference: relman never releases it\n\n");
            continue;
        };
        if slot.allowed.is_empty() {
            out.push_str(&format!("  no tag of {repository} in the catalog is allowed\n"));
        } else {
            let mut table = Table::new(&["", "TAG", "CREATED", "DIGEST"]);
            for a in &slot.allowed {
                let (mark, s) = if a.current {
                    ("*", style::GOOD)
                } else {
                    ("", anstyle::Style::new())
                };
                table.row(vec![
                    Cell::styled(mark, s),
                    Cell::styled(a.info.tag.clone(), s),
                    a.info.created.map(|t| t.to_string()).unwrap_or_default().into(),
                    a.info.digest.clone().unwrap_or_default().into(),
                ]);
            }
            for line in table.render().lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if !slot.rejected.is_empty() {
            out.push_str(&format!("  excluded ({}):\n", slot.rejected.len()));
            let mut table = Table::new(&["TAG", "REASON", "WHY"]);
            let shown = if all { slot.rejected.len() } else { 20 };
            for r in slot.rejected.iter().take(shown) {
                table.row(vec![
                    r.tag.as_str().into(),
                    Cell::styled(r.reason.code(), style::DIM),
                    r.message.as_str().into(),
                ]);
            }
            for line in table.render().lines() {
                out.push_str(&format!("    {line}\n"));
            }
            if slot.rejected.len() > shown {
                out.push_str(&format!(
                    "    … {} more (--all lists them)\n",
                    slot.rejected.len() - shown
                ));
            }
        }
        out.push('\n');
    }
    print(&out);
    Ok(EXIT_OK)
}

/// `relman drift`: one row per container compared; exit 3 when any is not `in_sync` (drifted,
/// missing_in_cluster or not_in_repo: each means the repo does not describe what runs).
pub fn drift(snapshot: &Snapshot, env: &str, observed: &Observed, as_json: bool) -> Result<i32, Failure> {
    let report = relman::release::drift(snapshot, env, &observed.text)
        .map_err(|e| observed_file::locate(e.into(), Some(&observed.name)))?;
    let code = if report.is_drifted() {
        EXIT_NOTHING
    } else {
        EXIT_OK
    };
    if as_json {
        json(&report);
        return Ok(code);
    }
    let mut out = paint(&format!("drift of {}\n", report.environment), style::TITLE);
    let mut table = Table::new(&["WORKLOAD", "CONTAINER", "REPO IMAGE", "RUNNING IMAGE", "STATUS"]);
    for e in &report.entries {
        let s = match e.status {
            DriftStatus::InSync => style::GOOD,
            DriftStatus::Drifted => style::BAD,
            _ => style::WARN,
        };
        // A HelmRelease's entries name the release's slot; say which live object ran it.
        let live = match (&e.live_workload, &e.live_container) {
            (Some(w), Some(c)) if *w != e.workload => format!(" ({w} {c})"),
            _ => String::new(),
        };
        table.row(vec![
            e.workload.as_str().into(),
            e.container.as_str().into(),
            e.repo_image.as_deref().unwrap_or("-").into(),
            format!("{}{live}", e.running_image.as_deref().unwrap_or("-")).into(),
            Cell::styled(e.status.code(), s),
        ]);
    }
    if table.is_empty() {
        out.push_str(&paint("  no container compared\n", style::DIM));
    } else {
        for line in table.render().lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    for warning in &report.warnings {
        out.push_str(&paint(
            &format!("  warning: {}\n", crate::failure::one_line(warning)),
            style::WARN,
        ));
    }
    let count = |s| report.with_status(s).count();
    let mut summary = Vec::new();
    for status in [
        DriftStatus::Drifted,
        DriftStatus::MissingInCluster,
        DriftStatus::NotInRepo,
        DriftStatus::InSync,
    ] {
        let n = count(status);
        if n > 0 {
            summary.push(format!("{n} {}", status.code()));
        }
    }
    if summary.is_empty() {
        summary.push("nothing compared".to_string());
    }
    let summary = summary.join(", ");
    if report.is_drifted() {
        out.push_str(&paint(&format!("drift: {summary}\n"), style::BAD));
        if count(DriftStatus::Drifted) > 0 {
            out.push_str(&paint(
                &format!(
                    "adopt what runs: relman release --env {} --image observed --observed {} --commit\n",
                    report.environment,
                    if observed.name == "<stdin>" {
                        "-"
                    } else {
                        observed.name.as_str()
                    }
                ),
                style::DIM,
            ));
        }
    } else {
        out.push_str(&paint(&format!("in sync: {summary}\n"), style::GOOD));
    }
    print(&out);
    Ok(code)
}

#[derive(Serialize)]
struct HistoryRow<'a> {
    #[serde(flatten)]
    r#move: &'a PointerMove,
    time: Option<&'a str>,
}

/// `relman history`.
pub fn history(
    repo: &Repo,
    branch: Option<&str>,
    env: Option<&str>,
    workload: Option<&str>,
    limit: usize,
    as_json: bool,
) -> Result<i32, Failure> {
    if let Some(name) = env {
        repo.snapshot(branch)?.config()?.environment(name)?;
    }
    let history = repo.history(branch, env, limit)?;
    let times: HashMap<String, String> = repo.commit_times(branch, limit).into_iter().collect();
    let matches = |m: &PointerMove| {
        workload.is_none_or(|w| {
            m.workload == w
                || m.workload.ends_with(&format!(":{w}"))
                || m.workload.rsplit('/').next() == Some(w)
        })
    };
    let rows: Vec<HistoryRow<'_>> = history
        .moves()
        .iter()
        .filter(|m| env.is_none_or(|e| m.environment == e) && matches(m))
        .map(|m| HistoryRow {
            r#move: m,
            time: m.commit.as_deref().and_then(|c| times.get(c)).map(String::as_str),
        })
        .collect();
    if as_json {
        json(&serde_json::json!({"moves": rows, "warnings": history.warnings()}));
        return Ok(EXIT_OK);
    }
    let mut table = Table::new(&[
        "WHEN",
        "COMMIT",
        "ENV",
        "WORKLOAD",
        "CONTAINER",
        "FROM",
        "TO",
        "CAUSE",
        "USER",
    ]);
    for row in &rows {
        let m = row.r#move;
        let cause_style = match m.cause {
            relman::release::MoveCause::Rollback => style::BAD,
            relman::release::MoveCause::Unrecorded => style::DIM,
            _ => style::GOOD,
        };
        table.row(vec![
            row.time.unwrap_or("").into(),
            m.commit
                .as_deref()
                .map(|c| &c[..c.len().min(10)])
                .unwrap_or("")
                .into(),
            m.environment.as_str().into(),
            m.workload.as_str().into(),
            m.container.as_str().into(),
            m.from.as_deref().unwrap_or("-").into(),
            m.to.as_deref().unwrap_or("-").into(),
            Cell::styled(m.cause.code(), cause_style),
            crate::failure::one_line(m.user.as_deref().unwrap_or("")).into(),
        ]);
    }
    let mut out = table.render();
    for warning in history.warnings() {
        out.push_str(&paint(
            &format!("warning: {}\n", crate::failure::one_line(warning)),
            style::WARN,
        ));
    }
    print(&out);
    Ok(EXIT_OK)
}

/// Print a plan and what writing it did; the exit code.
pub fn report(
    plan: &ReleasePlan,
    written: &Written,
    options: &WriteOptions,
    as_json: bool,
    exit_code: bool,
) -> Result<i32, Failure> {
    let code = if exit_code && (matches!(written, Written::Nothing) || plan.is_noop()) {
        EXIT_NOTHING
    } else {
        EXIT_OK
    };
    if as_json {
        let (state, commit) = written_json(written);
        json(&serde_json::json!({"plan": plan, "written": state, "commit": commit}));
        return Ok(code);
    }
    let mut out = plan_text(plan);
    out.push_str(&written_text(plan, written, options));
    print(&out);
    Ok(code)
}

fn written_json(written: &Written) -> (&'static str, Option<&str>) {
    match written {
        Written::Nothing => ("nothing", None),
        Written::DryRun => ("dry_run", None),
        Written::Files => ("files", None),
        Written::Committed(id) => ("committed", Some(id.as_str())),
    }
}

fn written_text(plan: &ReleasePlan, written: &Written, options: &WriteOptions) -> String {
    let summary = plan.commit_message.lines().next().unwrap_or_default();
    match written {
        Written::Nothing => paint("nothing to do\n", style::DIM),
        Written::DryRun if plan.is_noop() => paint("dry run: nothing to do\n", style::DIM),
        Written::DryRun => {
            let files: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
            format!(
                "{} would change {} ({summary})\n",
                paint("dry run:", style::WARN),
                files.join(", ")
            )
        }
        Written::Files => {
            let files: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
            format!(
                "edited {} ({summary}); not committed: pass --commit to commit with your git\n",
                files.join(", ")
            )
        }
        Written::Committed(id) => {
            let pushed = if options.push {
                format!(", pushed to {}", options.remote)
            } else {
                String::new()
            };
            format!(
                "{} {} {summary}{pushed}\n",
                paint("committed", style::GOOD),
                &id[..id.len().min(10)]
            )
        }
    }
}

/// A plan's results as a table.
fn plan_text(plan: &ReleasePlan) -> String {
    let mut out = String::new();
    if plan.results.is_empty() {
        return out;
    }
    out.push_str(&paint(
        &format!("plan for {} ({})\n", plan.environment, plan.kind.code()),
        style::TITLE,
    ));
    let mut table = Table::new(&["WORKLOAD", "STATUS", "CHANGE OR REASON"]);
    for r in &plan.results {
        let s = match r.status {
            Status::Success => style::GOOD,
            Status::Failed => style::BAD,
            Status::Skipped => style::WARN,
            _ => style::DIM,
        };
        let what = if r.status == Status::Success {
            r.message.clone()
        } else {
            let reason = r.reason.map(|x| x.code()).unwrap_or("");
            format!("{reason}: {}", r.message)
        };
        table.row(vec![
            r.workload.as_str().into(),
            Cell::styled(r.status.code(), s),
            crate::failure::one_line(&what).into(),
        ]);
    }
    for line in table.render().lines() {
        out.push_str(&format!("  {line}\n"));
    }
    for warning in &plan.warnings {
        out.push_str(&paint(
            &format!("  warning: {}\n", crate::failure::one_line(warning)),
            style::WARN,
        ));
    }
    out
}

/// `relman automate`: one plan and one commit per automatic environment.
pub fn automate(
    repo: &Repo,
    options: &WriteOptions,
    flags: &(bool, bool),
    catalog: &Catalog,
    envs: &[String],
    now: Timestamp,
) -> Result<i32, Failure> {
    let (as_json, exit_code) = *flags;
    let snapshot = repo.snapshot(options.branch.as_deref())?;
    let config = snapshot.config()?;
    for name in envs {
        config.environment(name)?;
    }
    let names: Vec<String> = config
        .environments()
        .iter()
        .filter(|e| envs.is_empty() || envs.contains(&e.name))
        .filter(|e| e.release != relman::ReleaseMode::Manual)
        .map(|e| e.name.clone())
        .collect();
    let mut done = Vec::new();
    let mut any = false;
    for name in &names {
        let (plan, written) = crate::repo::write(repo, options, |snapshot, history| {
            let plans = plan_automation(snapshot, catalog, history, now)?;
            Ok(plans
                .into_iter()
                .find(|p| &p.environment == name)
                .expect("plan_automation plans every environment"))
        })?;
        any |= !plan.is_noop();
        done.push((plan, written));
    }
    let code = if exit_code && !any { EXIT_NOTHING } else { EXIT_OK };
    if as_json {
        let items: Vec<_> = done
            .iter()
            .map(|(plan, written)| {
                let (state, commit) = written_json(written);
                serde_json::json!({"plan": plan, "written": state, "commit": commit})
            })
            .collect();
        json(&items);
        return Ok(code);
    }
    let mut out = String::new();
    if done.is_empty() {
        out.push_str(&paint("no automatic environment\n", style::DIM));
    }
    for (plan, written) in &done {
        out.push_str(&plan_text(plan));
        out.push_str(&written_text(plan, written, options));
        out.push('\n');
    }
    print(&out);
    Ok(code)
}
