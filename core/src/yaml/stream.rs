//! A parsed YAML stream: documents as node trees with spans, plus the raw-text helpers that
//! libyaml does not provide (comments, line boundaries).

use super::libyaml::{Event, EventKind, Parser};
use super::node::{Entry, Node, NodeKind};
use crate::error::{Error, ErrorKind, Result};

const BOM: &str = "\u{feff}";

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// The root node. An empty document has an empty plain scalar as root.
    pub root: Node,
    /// Anchor names that aliases in this document refer to.
    pub aliased: Vec<String>,
}

impl Document {
    /// Whether some alias in this document refers to `anchor`.
    pub fn is_aliased(&self, anchor: &str) -> bool {
        self.aliased.iter().any(|a| a == anchor)
    }
}

/// A YAML text parsed into documents, keeping the text it came from.
#[derive(Debug, Clone)]
pub struct Stream<'t> {
    text: &'t str,
    /// The documents in order.
    pub documents: Vec<Document>,
}

enum Frame {
    Mapping {
        node: Node,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
    Sequence {
        node: Node,
        items: Vec<Node>,
    },
}

impl<'t> Stream<'t> {
    /// Parse `text` (UTF-8, optionally with a BOM) into documents.
    ///
    /// Errors: `invalid_yaml` with the line and column libyaml reports, or for a mapping key
    /// that is not a scalar (the shape of an unrendered Helm template such as
    /// `image: {{ .Values.image }}`).
    pub fn parse(text: &'t str) -> Result<Stream<'t>> {
        let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let input = &text.as_bytes()[bom..];
        let mut documents = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut aliased: Vec<String> = Vec::new();
        let mut root: Option<Node> = None;
        for event in Parser::new(input) {
            let event = event
                .map_err(|e| Error::new(ErrorKind::InvalidYaml, e.message).at(e.line + 1, e.column + 1))?;
            let Event {
                kind,
                start,
                end,
                line,
                column,
            } = event;
            let base = |kind: NodeKind, anchor: Option<String>, tag: Option<String>| Node {
                kind,
                start: start + bom,
                end: end + bom,
                line: line + 1,
                column: column + 1,
                anchor,
                tag,
                in_flow: false,
            };
            let complete: Option<Node> = match kind {
                EventKind::StreamStart | EventKind::StreamEnd => None,
                EventKind::DocumentStart => {
                    aliased = Vec::new();
                    None
                }
                EventKind::DocumentEnd => {
                    let root = root
                        .take()
                        .unwrap_or_else(|| Node::scalar("", super::ScalarStyle::Plain));
                    documents.push(Document {
                        root,
                        aliased: std::mem::take(&mut aliased),
                    });
                    None
                }
                EventKind::Alias { anchor } => {
                    aliased.push(anchor.clone());
                    Some(base(NodeKind::Alias { anchor }, None, None))
                }
                EventKind::Scalar {
                    anchor,
                    tag,
                    value,
                    style,
                } => Some(base(NodeKind::Scalar { value, style }, anchor, tag)),
                EventKind::SequenceStart { anchor, tag, flow } => {
                    let node = base(
                        NodeKind::Sequence {
                            items: Vec::new(),
                            flow,
                        },
                        anchor,
                        tag,
                    );
                    stack.push(Frame::Sequence {
                        node,
                        items: Vec::new(),
                    });
                    None
                }
                EventKind::MappingStart { anchor, tag, flow } => {
                    let node = base(
                        NodeKind::Mapping {
                            entries: Vec::new(),
                            flow,
                        },
                        anchor,
                        tag,
                    );
                    stack.push(Frame::Mapping {
                        node,
                        entries: Vec::new(),
                        key: None,
                    });
                    None
                }
                EventKind::SequenceEnd | EventKind::MappingEnd => {
                    let frame = stack.pop().ok_or_else(|| internal("unbalanced events"))?;
                    let mut node = match frame {
                        Frame::Sequence { mut node, items } => {
                            if let NodeKind::Sequence { items: slot, .. } = &mut node.kind {
                                *slot = items;
                            }
                            node
                        }
                        Frame::Mapping {
                            mut node, entries, ..
                        } => {
                            if let NodeKind::Mapping { entries: slot, .. } = &mut node.kind {
                                *slot = entries;
                            }
                            node
                        }
                    };
                    node.end = end + bom;
                    Some(node)
                }
            };
            let Some(mut node) = complete else { continue };
            let parent_flow = stack.last().is_some_and(|f| match f {
                Frame::Mapping { node, .. } | Frame::Sequence { node, .. } => node.is_flow() || node.in_flow,
            });
            if parent_flow {
                mark_in_flow(&mut node);
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Sequence { items, .. }) => items.push(node),
                Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                    None => {
                        if !matches!(node.kind, NodeKind::Scalar { .. } | NodeKind::Alias { .. }) {
                            return Err(Error::new(
                                ErrorKind::InvalidYaml,
                                "a mapping key is not a string; an unrendered Helm template \
                                 (`{{ ... }}`) reads like this: render it before giving it to relman",
                            )
                            .at(node.line, node.column));
                        }
                        *key = Some(node);
                    }
                    Some(k) => entries.push(Entry { key: k, value: node }),
                },
            }
        }
        Ok(Stream { text, documents })
    }

    /// The text the stream was parsed from.
    pub fn text(&self) -> &'t str {
        self.text
    }
}

/// Whether libyaml accepts `text` as a YAML stream, without building a tree (so, unlike
/// [`Stream::parse`], it also accepts non-string mapping keys). Errors are `invalid_yaml` with
/// libyaml's problem position.
pub fn check_syntax(text: &str) -> Result<()> {
    let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
    for event in Parser::new(&text.as_bytes()[bom..]) {
        event.map_err(|e| Error::new(ErrorKind::InvalidYaml, e.message).at(e.line + 1, e.column + 1))?;
    }
    Ok(())
}

fn mark_in_flow(node: &mut Node) {
    // Children of a flow collection are marked when they complete, so only the node itself
    // needs the flag here; its own children were marked while it was open.
    node.in_flow = true;
}

fn internal(message: &str) -> Error {
    Error::new(ErrorKind::Internal, message)
}

/// The byte offset of the start of the line holding `pos`.
pub fn line_start(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// The byte offset just past the line break of the line holding `pos` (or the text's end
/// when that line has no line break).
pub fn next_line_start(text: &str, pos: usize) -> usize {
    text.as_bytes()[pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| pos + i + 1)
}

/// The line break the text uses: `"\r\n"` when its first line ends so, else `"\n"`.
pub fn line_break(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The comment that follows `pos` on the same line, as a byte range starting at `#` and ending
/// before the line break. `pos` must be at the end of a node: between there and the line's end
/// libyaml has seen only blanks, flow indicators and perhaps a comment.
pub fn comment_after(text: &str, pos: usize) -> Option<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = pos;
    let mut prev_blank = pos == 0 || matches!(bytes[pos - 1], b' ' | b'\t' | b'\n' | b'\r');
    while i < bytes.len() && bytes[i] != b'\n' {
        let b = bytes[i];
        if b == b'#' && prev_blank {
            let mut end = next_line_start(text, i);
            if end > i && bytes[end - 1] == b'\n' {
                end -= 1;
            }
            if end > i && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            return Some(i..end);
        }
        prev_blank = matches!(b, b' ' | b'\t');
        i += 1;
    }
    None
}

/// Where the value of a node with properties (anchor, tag) really starts: past every `&anchor`
/// and `!tag` token and the blanks, line breaks and comments between them.
pub fn content_start(text: &str, node: &Node) -> usize {
    let bytes = text.as_bytes();
    let mut i = node.start;
    if node.anchor.is_none() && node.tag.is_none() {
        return i;
    }
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
            Some(b'#') => i = next_line_start(text, i),
            Some(b'&' | b'!') => {
                while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
            }
            _ => return i.min(node.end),
        }
    }
}
