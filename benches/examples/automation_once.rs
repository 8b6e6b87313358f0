//! One timed `plan_automation` over `N` environments (default 1,000) of
//! [`relman_benches::environments`], for profiling and for the scaling table of
//! benches/RESULTS.md (`N=2000 cargo run --release -p relman-benches --example automation_once`).
use relman::release::{History, plan_automation};
fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let snapshot = relman_benches::environments(n);
    let catalog = relman_benches::environments_catalog();
    let now: jiff::Timestamp = "2026-11-27T00:00:00Z".parse().expect("valid time");
    let t = std::time::Instant::now();
    let plans = plan_automation(&snapshot, &catalog, &History::new(), now).expect("plans");
    let changes: usize = plans.iter().map(|p| p.changes.len()).sum();
    eprintln!(
        "{n} environments: {} plans, {changes} file changes in {:?}",
        plans.len(),
        t.elapsed()
    );
}
