//! `set_image` of one container on the ~2 KB manifest `benches/compare/deployment-2k.yaml`
//! (DESIGN.md section 15 target: <= 20 us in Rust), and the no-op edit (the same image again).
// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relman::{Options, set_image};

const WORKLOAD: &str = "prod:deployment/users";
const CONTAINER: &str = "app";
const IMAGE: &str = "registry.acme.io/shop/users:1.4.0";

fn bench(c: &mut Criterion) {
    let text = include_str!("../compare/deployment-2k.yaml");
    let options = Options::default();
    let edited = set_image(text, WORKLOAD, CONTAINER, IMAGE, &options).expect("the edit applies");
    assert_ne!(edited, text);
    let mut group = c.benchmark_group("set_image");
    group.sample_size(30);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("deployment_2k", |b| {
        b.iter(|| set_image(black_box(text), WORKLOAD, CONTAINER, IMAGE, &options).expect("edits"))
    });
    group.bench_function("deployment_2k_noop", |b| {
        b.iter(|| set_image(black_box(&edited), WORKLOAD, CONTAINER, IMAGE, &options).expect("edits"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
