//! One timed `plan_release` on the benchmark input, for profiling (`cargo run --release
//! -p relman-benches --example plan_once`).
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
}
