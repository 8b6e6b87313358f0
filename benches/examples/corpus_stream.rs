//! Write the ~10 MB stream of the `list` benchmark to a file (the first argument), so that the
//! comparison scripts in `benches/compare/` measure the peers on exactly the same bytes; print
//! one JSON line describing it.
//!
//! ```sh
//! cargo run --release -p relman-benches --example corpus_stream -- target/corpus-stream.yaml
//! ```

fn main() {
    let out = std::env::args().nth(1).expect("usage: corpus_stream OUT [BYTES]");
    let bytes = std::env::args()
        .nth(2)
        .map(|b| b.parse().expect("BYTES is a number"))
        .unwrap_or(10 * 1024 * 1024);
    let (stream, source) = relman_benches::corpus_stream(bytes);
    std::fs::write(&out, &stream).unwrap_or_else(|e| panic!("{out}: {e}"));
    let documents = stream.lines().filter(|l| l.starts_with("---")).count();
    println!(
        "{{\"path\": {:?}, \"bytes\": {}, \"documents\": {}, \"corpus\": {}, \"root\": {:?}, \"files\": {}, \"dropped\": {}}}",
        out,
        stream.len(),
        documents,
        source.corpus,
        source.root.display().to_string(),
        source.files,
        source.dropped
    );
}
