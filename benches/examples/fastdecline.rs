//! Which shapes the fast reader leaves to libyaml: for every file given (each document of it
//! separately, cut at `---` lines), the line of `core/src/yaml/fast.rs` that declined it, with
//! counts, bytes and examples.
//!
//! ```sh
//! cargo run --release -p relman-benches --example fastdecline -- $(find ../shared/corpus -name '*.yaml')
//! ```

fn main() {
    let mut counts = std::collections::BTreeMap::<u32, (usize, usize, Vec<String>)>::new();
    let (mut docs, mut bytes) = (0usize, 0usize);
    for arg in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&arg) else {
            continue;
        };
        let mut starts: Vec<usize> = vec![0];
        starts.extend(text.match_indices("\n---").map(|(i, _)| i + 1));
        starts.push(text.len());
        for w in starts.windows(2) {
            let doc = &text[w[0]..w[1]];
            docs += 1;
            bytes += doc.len();
            if let Some((line, pos)) = relman::__private::yaml::fast_reader_declines_at(doc) {
                let e = counts.entry(line).or_insert((0, 0, vec![]));
                e.0 += 1;
                e.1 += doc.len();
                let from = doc[..pos].rfind('\n').map_or(0, |i| i + 1);
                let to = doc[pos..].find('\n').map_or(doc.len(), |i| pos + i);
                if e.2.len() < 4 {
                    e.2.push(format!("{arg}: {:?}", &doc[from..to]));
                }
            }
        }
    }
    println!("{docs} documents, {bytes} bytes");
    for (line, (n, b, examples)) in counts {
        println!("fast.rs:{line}: {n} documents, {b} bytes");
        for e in examples {
            println!("    {e}");
        }
    }
}
