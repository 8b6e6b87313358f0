//! `plan_automation` over 1,000 automatic environments, each a kustomize overlay of one shared
//! base plus a manifest of its own (DESIGN.md section 15 target: <= 1 s, and linear in the
//! number of environments; `examples/automation_once.rs` times other sizes).
// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use relman::release::{History, plan_automation};

fn automation(c: &mut Criterion) {
    let snapshot = relman_benches::environments(1_000);
    let catalog = relman_benches::environments_catalog();
    let history = History::new();
    let now: jiff::Timestamp = "2026-11-27T00:00:00Z".parse().expect("valid time");
    let mut group = c.benchmark_group("plan_automation");
    group.sample_size(10);
    group.bench_function("1k_environments_shared_base", |b| {
        b.iter(|| {
            let plans = plan_automation(&snapshot, &catalog, &history, now).expect("plans");
            assert_eq!(plans.len(), 1_000);
            assert_eq!(plans.iter().map(|p| p.changes.len()).sum::<usize>(), 2_000);
            plans
        })
    });
    group.finish();
}

criterion_group!(benches, automation);
criterion_main!(benches);
