//! One timed `plan_release` on the benchmark input, for profiling (`cargo run --release
//! -p relman-benches --example plan_once`). On Linux it also prints the plan's own peak
//! memory: the resident size after the inputs are built, and the peak resident size reached
//! while planning (the peak is reset first through `/proc/self/clear_refs`).
use relman::release::{History, ReleaseSpec, plan_release};
fn main() {
    let t = std::time::Instant::now();
    let snapshot = relman_benches::repo(
        std::env::var("N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000),
        2_000,
    );
    let catalog = relman_benches::catalog(2_000, 500);
    eprintln!("inputs built in {:?}", t.elapsed());
    let now: jiff::Timestamp = "2026-11-27T00:00:00Z".parse().expect("valid time");
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    for _ in 1..repeat {
        plan_release(
            &snapshot,
            &ReleaseSpec::new("production"),
            &catalog,
            &History::new(),
            now,
        )
        .expect("plans");
    }
    let before = reset_peak();
    let t = std::time::Instant::now();
    let plan = plan_release(
        &snapshot,
        &ReleaseSpec::new("production"),
        &catalog,
        &History::new(),
        now,
    )
    .expect("plans");
    eprintln!("planned {} changes in {:?}", plan.changes.len(), t.elapsed());
    if let (Some(before), Some(peak)) = (before, status_kb("VmHWM:")) {
        eprintln!(
            "resident before the plan {:.1} MB, peak while planning {:.1} MB: the plan adds {:.1} MB",
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
            peak.saturating_sub(before) as f64 / 1024.0
        );
    }
}

/// Reset the peak resident size to the current one (writing `5` to `/proc/self/clear_refs`,
/// Linux 4.0 and later) and return the current resident size in kB; `None` where either is
/// not available.
fn reset_peak() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_kb("VmRSS:")
}

/// A `kB` field of `/proc/self/status`.
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
