//! `list_images` of a stream file (the first argument; `corpus_stream` writes one) `N` times
//! (the second argument, default 1), printing the slot count and the best MB/s: for
//! `valgrind --tool=callgrind` profiles of the listing path.
//!
//! ```sh
//! cargo run --release -p relman-benches --example list_once -- target/bench/corpus-stream.yaml 3
//! ```

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: list_once STREAM [N]");
    let n: usize = std::env::args()
        .nth(2)
        .map_or(1, |n| n.parse().expect("N is a number"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let options = relman::Options::default();
    let mut best = f64::INFINITY;
    let mut slots = 0;
    for _ in 0..n {
        let started = Instant::now();
        slots = relman::list_images(&text, &options)
            .expect("the stream lists")
            .len();
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!("{slots} slots, {:.1} MB/s", text.len() as f64 / 1048576.0 / best);
}
