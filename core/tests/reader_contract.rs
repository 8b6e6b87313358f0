//! The reader contract, shared by the differential tests (`reader.rs`, `corpus.rs`) and the
//! `fast_reader` fuzz target (which includes this file by path): for every text,
//! `Stream::parse` (fast reader, falling back to libyaml) and `Stream::parse_with_libyaml` give
//! equal documents when both succeed, the same error (code, line, column, message) when libyaml
//! fails, and the fast reader never accepts a text libyaml's parser rejects.

use relman::__private::yaml::{Arena, Document, Node, NodeKind, Stream, fast_reader_accepts};
use relman::Error;

/// How a text fared under both readers (when they agree).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Agreed {
    /// The fast reader read the text itself.
    pub fast: bool,
    /// libyaml accepts the text.
    pub valid: bool,
}

/// Check the contract on `text`: how it fared, or what differs between the two readers.
pub(crate) fn check_contract(text: &str) -> Result<Agreed, String> {
    let fast = fast_reader_accepts(text);
    let (reference_arena, arena) = (Arena::new(), Arena::new());
    let reference = Stream::parse_with_libyaml(text, &reference_arena);
    let parsed = Stream::parse(text, &arena);
    match (&parsed, &reference) {
        (Ok(p), Ok(r)) => {
            if let Some(d) = documents_difference(p, r) {
                return Err(format!("the trees differ (fast reader accepted: {fast}): {d}"));
            }
        }
        (Ok(p), Err(e)) => {
            return Err(format!(
                "Stream::parse accepts a text libyaml rejects (fast reader accepted: {fast}); libyaml: {}; \
                 Stream::parse read {} document(s)",
                describe_error(e),
                p.documents().len()
            ));
        }
        (Err(e), Ok(_)) => {
            return Err(format!(
                "Stream::parse rejects a text libyaml accepts (fast reader accepted: {fast}): {}",
                describe_error(e)
            ));
        }
        (Err(a), Err(b)) => {
            let same = a.code() == b.code()
                && a.line() == b.line()
                && a.column() == b.column()
                && a.to_string() == b.to_string();
            if !same {
                return Err(format!(
                    "the errors differ (fast reader accepted: {fast}):\n  Stream::parse: {}\n  libyaml:       {}",
                    describe_error(a),
                    describe_error(b)
                ));
            }
        }
    }
    let valid = reference.is_ok();
    // The fast reader may read a text that relman then refuses as libyaml's reader would (an
    // alias to no anchor), never one that libyaml's parser refuses.
    if fast
        && !valid
        && let Err(e) = relman::__private::yaml::check_syntax(text)
    {
        return Err(format!(
            "the fast reader accepts a text libyaml rejects: {}",
            describe_error(&e)
        ));
    }
    Ok(Agreed { fast, valid })
}

fn describe_error(e: &Error) -> String {
    format!("{} at {:?}:{:?}: {e}", e.code(), e.line(), e.column())
}

/// The first difference between the documents of two streams (fast reader's first), if any.
fn documents_difference(fast_stream: &Stream<'_>, lib_stream: &Stream<'_>) -> Option<String> {
    let streams = (fast_stream, lib_stream);
    let (fast, lib): (&[Document<'_>], &[Document<'_>]) = (fast_stream.documents(), lib_stream.documents());
    if fast.len() != lib.len() {
        return Some(format!(
            "{} document(s) from Stream::parse, {} from libyaml",
            fast.len(),
            lib.len()
        ));
    }
    for (i, (a, b)) in fast.iter().zip(lib).enumerate() {
        if let Some(d) = node_difference(streams, &format!("document {i}"), a.root(), b.root()) {
            return Some(d);
        }
        if a.aliased() != b.aliased() {
            return Some(format!(
                "document {i}: aliased {:?} (fast) vs {:?} (libyaml)",
                a.aliased(),
                b.aliased()
            ));
        }
    }
    None
}

/// The deepest node where two trees first differ, shown as both nodes (children summarised).
/// Lines and columns are computed from each stream's text (and libyaml's own marks are checked
/// against that computation in debug builds, as libyaml's tree is built).
fn node_difference(
    streams: (&Stream<'_>, &Stream<'_>),
    path: &str,
    fast: &Node<'_>,
    lib: &Node<'_>,
) -> Option<String> {
    if fast == lib && streams.0.line_col(fast) == streams.1.line_col(lib) {
        return None;
    }
    let same_props = fast.start() == lib.start()
        && fast.end() == lib.end()
        && streams.0.line_col(fast) == streams.1.line_col(lib)
        && fast.anchor() == lib.anchor()
        && fast.tag() == lib.tag()
        && fast.in_flow() == lib.in_flow();
    if same_props {
        match (fast.kind(), lib.kind()) {
            (NodeKind::Mapping { entries: a, flow: fa }, NodeKind::Mapping { entries: b, flow: fb })
                if fa == fb && a.len() == b.len() =>
            {
                for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                    let d = node_difference(streams, &format!("{path} / entry {i} key"), &x.key, &y.key)
                        .or_else(|| {
                            node_difference(streams, &format!("{path} / entry {i} value"), &x.value, &y.value)
                        });
                    if d.is_some() {
                        return d;
                    }
                }
            }
            (NodeKind::Sequence { items: a, flow: fa }, NodeKind::Sequence { items: b, flow: fb })
                if fa == fb && a.len() == b.len() =>
            {
                for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                    if let Some(d) = node_difference(streams, &format!("{path} / item {i}"), x, y) {
                        return Some(d);
                    }
                }
            }
            _ => {}
        }
    }
    Some(format!(
        "at {path}:\n  fast:    {}\n  libyaml: {}",
        shallow(streams.0, fast),
        shallow(streams.1, lib)
    ))
}

/// A node's Debug with its children replaced by their count.
fn shallow(stream: &Stream<'_>, node: &Node<'_>) -> String {
    let kind = match node.kind() {
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
        node.start(),
        node.end(),
        stream.line_col(node).0,
        stream.line_col(node).1,
        node.anchor(),
        node.tag(),
        node.in_flow()
    )
}
