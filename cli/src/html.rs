//! `relman status --html FILE`: one self-contained page (inline CSS, no script, no network,
//! no external asset) with the environments x services matrix and a timeline of releases per
//! environment from the history.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use jiff::Timestamp;
use relman::release::{History, RepoStatus, WorkloadStatus};

use crate::commands::{environment_lock_text, lock_text};

/// `text` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
:root{--fg:#1d232b;--dim:#6a7380;--line:#d9dee5;--bg:#fff;--head:#f3f5f8;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--accent:#0969da}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--dim:#8d96a0;--line:#30363d;--bg:#0d1117;--head:#161b22;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--accent:#58a6ff}}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg);margin:2rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:2rem 0 .6rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}
.meta{color:var(--dim);margin:0 0 1.5rem}
code,.img{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid var(--line);padding:.45rem .6rem;vertical-align:top;text-align:left}
th{background:var(--head);font-weight:600}
th .mode{display:block;font-weight:400;color:var(--dim);font-size:.85em}
.badge{display:inline-block;border-radius:1em;padding:0 .55em;font-size:.8em;margin:.15rem .25rem 0 0;border:1px solid currentColor}
.auto{color:var(--ok)}.manual{color:var(--dim)}.locked{color:var(--bad)}.expired{color:var(--dim)}.waiting{color:var(--warn)}.blocked{color:var(--bad)}
.lockline{display:block;color:var(--bad);font-size:.85em}
.empty{color:var(--dim)}
.envlock{color:var(--bad);font-weight:400;display:block;font-size:.85em}
ol.timeline{list-style:none;margin:0;padding:0 0 0 1rem;border-left:2px solid var(--line)}
ol.timeline li{position:relative;margin:0 0 .8rem;padding-left:.6rem}
ol.timeline li::before{content:'';position:absolute;left:-1.45rem;top:.35rem;width:.7rem;height:.7rem;border-radius:50%;background:var(--accent)}
ol.timeline li.rollback::before{background:var(--bad)}ol.timeline li.unrecorded::before{background:var(--dim)}
.when{color:var(--dim);font-size:.85em}
.cause{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;margin-left:.4em}
";

/// The page.
pub fn page(
    status: &RepoStatus,
    history: &History,
    times: &HashMap<String, String>,
    now: Timestamp,
) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let revision = status.revision.as_deref().map(|r| &r[..r.len().min(12)]);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // No network: even a favicon request is refused by the page's own policy.
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    h.push_str("<title>relman status</title>\n<style>\n");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n<h1>relman status</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} environments · generated {}{}</p>",
        status.environments.len(),
        escape(&now.round(jiff::Unit::Second).unwrap_or(now).to_string()),
        revision
            .map(|r| format!(" · revision <code>{}</code>", escape(r)))
            .unwrap_or_default()
    );
    matrix(&mut h, status);
    timeline(&mut h, status, history, times);
    h.push_str("</body>\n</html>\n");
    h
}

/// The environments x services matrix.
fn matrix(h: &mut String, status: &RepoStatus) {
    h.push_str("<h2>Environments × services</h2>\n<table id=\"matrix\">\n<thead><tr><th>service</th>");
    for env in &status.environments {
        let _ = write!(
            h,
            "<th data-env=\"{0}\">{0}<span class=\"mode\">{1}{2}</span>",
            escape(&env.name),
            escape(env.release.code()),
            env.promote_from
                .as_deref()
                .map(|f| format!(" · from {}", escape(f)))
                .unwrap_or_default()
        );
        if let Some(lock) = environment_lock_text(env) {
            let class = if env.locked { "envlock" } else { "envlock expired" };
            let _ = write!(h, "<span class=\"{class}\">{}</span>", escape(&lock));
        }
        h.push_str("</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let services: BTreeSet<&str> = status
        .environments
        .iter()
        .flat_map(|e| e.workloads.iter().map(|w| w.service.as_str()))
        .collect();
    for service in services {
        let _ = write!(h, "<tr data-service=\"{0}\"><th>{0}</th>", escape(service));
        for env in &status.environments {
            let here: Vec<&WorkloadStatus> = env.workloads.iter().filter(|w| w.service == service).collect();
            if here.is_empty() {
                h.push_str("<td class=\"empty\">—</td>");
                continue;
            }
            h.push_str("<td>");
            for w in here {
                cell(h, w);
            }
            h.push_str("</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

fn cell(h: &mut String, w: &WorkloadStatus) {
    let _ = write!(h, "<div class=\"workload\" title=\"{}\">", escape(&w.workload));
    for c in &w.containers {
        let label = if w.containers.len() > 1 {
            format!("{}: ", c.container)
        } else {
            String::new()
        };
        let _ = write!(
            h,
            "<div class=\"img\">{}{}</div>",
            escape(&label),
            escape(&c.image)
        );
    }
    if w.ignored {
        h.push_str("<span class=\"badge manual\">ignored</span>");
    } else if w.automated {
        h.push_str("<span class=\"badge auto\">automated</span>");
    } else {
        h.push_str("<span class=\"badge manual\">manual</span>");
    }
    if let Some(lock) = &w.lock {
        let class = if lock.active { "locked" } else { "expired" };
        let _ = write!(
            h,
            "<span class=\"badge {class}\">{}</span><span class=\"lockline\">{}</span>",
            if lock.active { "locked" } else { "lock expired" },
            escape(&lock_text(w))
        );
    }
    for u in &w.waiting {
        let class = if w.blocked.is_some() {
            "waiting blocked"
        } else {
            "waiting"
        };
        let blocked = w
            .blocked
            .map(|r| format!(" (blocked: {})", r.code()))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<div class=\"{class}\">waiting: <span class=\"img\">{}</span>{}</div>",
            escape(&u.to),
            escape(&blocked)
        );
    }
    h.push_str("</div>");
}

/// Per environment, its releases newest first.
fn timeline(h: &mut String, status: &RepoStatus, history: &History, times: &HashMap<String, String>) {
    h.push_str("<h2>Release timeline</h2>\n");
    for env in &status.environments {
        let _ = write!(
            h,
            "<section class=\"env-timeline\" data-env=\"{0}\">\n<h3>{0}</h3>\n",
            escape(&env.name)
        );
        let moves: Vec<_> = history.moves_of(&env.name).collect();
        if moves.is_empty() {
            h.push_str("<p class=\"empty\">no release in the history read</p>\n</section>\n");
            continue;
        }
        h.push_str("<ol class=\"timeline\">\n");
        for m in moves {
            let when = m
                .commit
                .as_deref()
                .and_then(|c| times.get(c))
                .cloned()
                .unwrap_or_default();
            let commit = m.commit.as_deref().map(|c| &c[..c.len().min(10)]).unwrap_or("");
            let cause = m.cause.code();
            let _ = writeln!(
                h,
                "<li class=\"release {cause}\"><span class=\"when\">{} <code>{}</code></span><span class=\"cause\">{}</span><br>\
                 <code>{}</code> {}: <span class=\"img\">{}</span> → <span class=\"img\">{}</span>{}</li>",
                escape(&when),
                escape(commit),
                escape(cause),
                escape(&m.workload),
                escape(&m.container),
                escape(m.from.as_deref().unwrap_or("(new)")),
                escape(m.to.as_deref().unwrap_or("(removed)")),
                m.user
                    .as_deref()
                    .map(|u| format!(" <span class=\"when\">by {}</span>", escape(u)))
                    .unwrap_or_default()
            );
        }
        h.push_str("</ol>\n</section>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_read_from_the_repo() {
        assert_eq!(
            escape("<script>a&b\"'</script>"),
            "&lt;script&gt;a&amp;b&quot;&#39;&lt;/script&gt;"
        );
    }
}
