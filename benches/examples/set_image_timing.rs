//! The Rust side of the per-call overhead measurement (`benches/compare/python_overhead.py`):
//! time `relman::set_image` on the ~2 KB manifest `benches/compare/deployment-2k.yaml` (or the
//! file given as the first argument) and print one JSON line with the best mean over several
//! rounds, in nanoseconds per call.
//!
//! ```sh
//! cargo run --release -p relman-benches --example set_image_timing
//! ```
//!
//! With `RELMAN_CALLS=N` set it makes exactly `N` calls and prints nothing, for instruction
//! counts under callgrind.

use std::hint::black_box;
use std::time::Instant;

/// The edit measured on both sides: the image of container `app` of `prod:deployment/users`.
const WORKLOAD: &str = "prod:deployment/users";
const CONTAINER: &str = "app";
const IMAGE: &str = "registry.acme.io/shop/users:1.4.0";

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/compare/deployment-2k.yaml").to_string());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let options = relman::Options::default();
    let call = || {
        relman::set_image(black_box(&text), WORKLOAD, CONTAINER, IMAGE, &options).expect("the edit applies")
    };
    assert_ne!(call(), text, "the measured call must edit the text");

    // `RELMAN_CALLS=N`: exactly N more calls and no timing, for instruction counts under
    // `valgrind --tool=callgrind` (the difference between two N gives the cost of a call).
    if let Some(n) = std::env::var("RELMAN_CALLS")
        .ok()
        .and_then(|n| n.parse::<u64>().ok())
    {
        for _ in 0..n {
            black_box(call());
        }
        return;
    }

    // Calibrate to rounds of about 0.2 s, then keep the best round's mean.
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed().as_millis() < 200 {
        black_box(call());
        calls += 1;
    }
    let per_round = calls.max(100);
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..per_round {
            black_box(call());
        }
        best = best.min(t.elapsed().as_nanos() as f64 / per_round as f64);
    }
    println!(
        "{{\"bytes\": {}, \"calls_per_round\": {per_round}, \"ns_per_call\": {best:.1}}}",
        text.len()
    );
}
