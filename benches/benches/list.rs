//! `list_images` of every image slot in a ~10 MB multi-document stream built from the corpus
//! in `../shared/corpus` (`RELMAN_CORPUS` to point elsewhere), or from the golden fixtures when
//! the corpus is absent (DESIGN.md section 15 target: >= 25x PyYAML+libyaml `load_all` of the
//! same stream, about 165 MB/s here). `benches/compare/` measures the peers on the same stream.
// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relman::{Options, list_images};

const TARGET_BYTES: usize = 10 * 1024 * 1024;

fn list(c: &mut Criterion) {
    let (stream, source) = relman_benches::corpus_stream(TARGET_BYTES);
    let options = Options::default();
    let slots = list_images(&stream, &options).expect("the stream lists").len();
    eprintln!(
        "list: {} bytes from {} ({} files, {} chunks left out, {} slots)",
        stream.len(),
        if source.corpus {
            "the corpus"
        } else {
            "the fixtures"
        },
        source.files,
        source.dropped,
        slots
    );
    let mut group = c.benchmark_group("list_images");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("corpus_stream_10mb", |b| {
        b.iter(|| {
            let listed = list_images(&stream, &options).expect("the stream lists");
            assert_eq!(listed.len(), slots);
            listed
        })
    });
    group.finish();
}

criterion_group!(benches, list);
criterion_main!(benches);
