//! The fast reader against libyaml: for any UTF-8 text, `Stream::parse` (the fast reader,
//! falling back to libyaml) and `Stream::parse_with_libyaml` give equal documents (values,
//! styles, byte spans, lines, columns, anchors, tags, `in_flow`) when both succeed, the same
//! error (code, line, column, message) when libyaml fails, and the fast reader never accepts a
//! text libyaml's parser rejects. The same contract as `core/tests/reader.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relman::yaml::{Document, Node, NodeKind, Stream, fast_reader_accepts};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fast = fast_reader_accepts(text);
    let reference = Stream::parse_with_libyaml(text);
    let parsed = Stream::parse(text);
    match (&parsed, &reference) {
        (Ok(p), Ok(r)) => {
            if let Some(d) = documents_difference(&p.documents, &r.documents) {
                panic!("the trees differ (fast reader accepted: {fast}) for {text:?}: {d}");
            }
        }
        (Ok(_), Err(e)) => panic!(
            "Stream::parse accepts {text:?}, which libyaml rejects (fast reader accepted: {fast}): {}",
            describe(e)
        ),
        (Err(e), Ok(_)) => panic!(
            "Stream::parse rejects {text:?}, which libyaml accepts (fast reader accepted: {fast}): {}",
            describe(e)
        ),
        (Err(a), Err(b)) => {
            let same = a.code() == b.code()
                && a.line() == b.line()
                && a.column() == b.column()
                && a.to_string() == b.to_string();
            assert!(
                same,
                "the errors differ for {text:?} (fast reader accepted: {fast}):\n  Stream::parse: {}\n  libyaml:       {}",
                describe(a),
                describe(b)
            );
        }
    }
    // The fast reader may read a text that relman then refuses as it does after libyaml (an
    // alias to no anchor), never one that libyaml's parser refuses.
    if fast
        && reference.is_err()
        && let Err(e) = relman::yaml::check_syntax(text)
    {
        panic!(
            "the fast reader accepts {text:?}, which libyaml rejects: {}",
            describe(&e)
        );
    }
});

fn describe(e: &relman::Error) -> String {
    format!("{} at {:?}:{:?}: {e}", e.code(), e.line(), e.column())
}

/// The first difference between two document lists (the fast reader's first), if any.
fn documents_difference(fast: &[Document], lib: &[Document]) -> Option<String> {
    if fast.len() != lib.len() {
        return Some(format!(
            "{} document(s) vs {} from libyaml",
            fast.len(),
            lib.len()
        ));
    }
    for (i, (a, b)) in fast.iter().zip(lib).enumerate() {
        if let Some(d) = node_difference(&format!("document {i}"), &a.root, &b.root) {
            return Some(d);
        }
        if a.aliased != b.aliased {
            return Some(format!(
                "document {i}: aliased {:?} vs {:?} (libyaml)",
                a.aliased, b.aliased
            ));
        }
    }
    None
}

/// The deepest node where two trees first differ, shown as both nodes (children summarised).
fn node_difference(path: &str, fast: &Node, lib: &Node) -> Option<String> {
    if fast == lib {
        return None;
    }
    let same_props = (fast.start, fast.end, fast.line, fast.column, fast.in_flow)
        == (lib.start, lib.end, lib.line, lib.column, lib.in_flow)
        && fast.anchor == lib.anchor
        && fast.tag == lib.tag;
    if same_props {
        match (&fast.kind, &lib.kind) {
            (NodeKind::Mapping { entries: a, flow: fa }, NodeKind::Mapping { entries: b, flow: fb })
                if fa == fb && a.len() == b.len() =>
            {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let d =
                        node_difference(&format!("{path} / entry {i} key"), &x.key, &y.key).or_else(|| {
                            node_difference(&format!("{path} / entry {i} value"), &x.value, &y.value)
                        });
                    if d.is_some() {
                        return d;
                    }
                }
            }
            (NodeKind::Sequence { items: a, flow: fa }, NodeKind::Sequence { items: b, flow: fb })
                if fa == fb && a.len() == b.len() =>
            {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    if let Some(d) = node_difference(&format!("{path} / item {i}"), x, y) {
                        return Some(d);
                    }
                }
            }
            _ => {}
        }
    }
    Some(format!(
        "at {path}:\n  fast:    {}\n  libyaml: {}",
        shallow(fast),
        shallow(lib)
    ))
}

/// A node's Debug with its children replaced by their count.
fn shallow(node: &Node) -> String {
    let kind = match &node.kind {
        NodeKind::Mapping { entries, flow } => {
            format!("Mapping {{ entries: <{}>, flow: {flow} }}", entries.len())
        }
        NodeKind::Sequence { items, flow } => {
            format!("Sequence {{ items: <{}>, flow: {flow} }}", items.len())
        }
        other => format!("{other:?}"),
    };
    format!(
        "Node {{ kind: {kind}, start: {}, end: {}, line: {}, column: {}, anchor: {:?}, tag: {:?}, in_flow: {} }}",
        node.start, node.end, node.line, node.column, node.anchor, node.tag, node.in_flow
    )
}
