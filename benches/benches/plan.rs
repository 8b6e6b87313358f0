//! `plan_release` of `latest` for 10,000 workloads x 2 containers against 2,000 repositories x
//! 500 tags (DESIGN.md section 15 target: <= 250 ms).
// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use relman::release::{History, ReleaseSpec, plan_release};

fn plan(c: &mut Criterion) {
    let snapshot = relman_benches::repo(10_000, 2_000);
    let catalog = relman_benches::catalog(2_000, 500);
    let history = History::new();
    let now: jiff::Timestamp = "2026-11-27T00:00:00Z".parse().expect("valid time");
    let spec = ReleaseSpec::new("production");
    let mut group = c.benchmark_group("plan_release");
    group.sample_size(10);
    group.bench_function("latest_10k_workloads_2k_repos_500_tags", |b| {
        b.iter(|| {
            let plan = plan_release(&snapshot, &spec, &catalog, &history, now).expect("plans");
            assert_eq!(plan.changes.len(), 10_000);
            plan
        })
    });
    group.finish();
}

criterion_group!(benches, plan);
criterion_main!(benches);
