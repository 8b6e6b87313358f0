//! A parsed YAML stream: documents as node trees with spans, plus the raw-text helpers that
//! libyaml does not provide (comments, line boundaries).

use std::sync::OnceLock;

use super::Arena;
use super::libyaml::{Event, EventKind, Parser};
use super::node::{Document, Entry, Node, NodeKind, ScalarStyle};
use crate::error::{Error, ErrorKind, Result};

const BOM: &str = "\u{feff}";

/// The length of the byte order mark `text` starts with (0 without one): every reader skips
/// it, and byte offsets count it (DESIGN.md section 4).
fn bom_len(text: &str) -> usize {
    if text.starts_with(BOM) { BOM.len() } else { 0 }
}

/// Collections nested deeper than this are refused (`invalid_yaml`). Real manifests stay far
/// below a hundred levels; the limit keeps libyaml's per-level costs and every recursive walk
/// over the tree bounded, whatever the input.
pub const MAX_DEPTH: usize = 1_000;

/// A document whose aliases would expand it past this many nodes is refused (`invalid_yaml`):
/// relman never expands aliases, but Kubernetes' YAML decoder does and refuses such
/// "billion laughs" documents (CVE-2019-11253), so the file could never be applied.
pub const MAX_EXPANDED_NODES: u64 = 1_000_000;

/// The hint added to a syntax error in a text that holds `{{`.
const TEMPLATE_HINT: &str = "; the text holds `{{`: if it is an unrendered Helm template, render it \
                             (`helm template`) and give relman the output";

/// A libyaml syntax error as relman's `invalid_yaml`, with the Helm hint when it applies.
fn syntax_error(text: &str, e: super::libyaml::SyntaxError) -> Error {
    let mut message = e.message;
    if text.contains("{{") {
        message.push_str(TEMPLATE_HINT);
    }
    Error::new(ErrorKind::InvalidYaml, message).at(e.line + 1, e.column + 1)
}

/// A YAML text parsed into documents, keeping the text it came from. The documents borrow
/// their scalars from the text, and keep their collections (and the scalars that differ from
/// their bytes) in the [`Arena`] the text was read into.
#[derive(Debug, Clone)]
pub struct Stream<'t> {
    text: &'t str,
    /// The documents in order.
    pub(crate) documents: Vec<Document<'t>>,
    /// The byte offset of every line's start (libyaml's line breaks), computed when a line is
    /// first asked for (the fast reader records them as it reads).
    lines: OnceLock<Vec<u32>>,
    /// libyaml's own marks by node offset, for the texts whose offsets libyaml counts apart
    /// from its lines and columns (a BOM after the first: libyaml skips it at a line start
    /// without counting its bytes). Empty for every other text.
    marks: std::collections::HashMap<u32, (usize, usize)>,
}

/// A collection the libyaml path is reading: its node, and where its children start on the
/// scratch stacks of entries and items (a finished collection copies its own into the arena).
enum Frame<'t> {
    Mapping {
        node: Node<'t>,
        base: usize,
        key: Option<Node<'t>>,
    },
    Sequence {
        node: Node<'t>,
        base: usize,
    },
}

/// Locating an error at a node of a stream (nodes keep byte offsets; the stream knows lines).
pub trait AtNode {
    /// Attach the line and column of `node`, read from `stream`.
    fn at_node(self, stream: &Stream<'_>, node: &Node<'_>) -> Self;
}

impl AtNode for Error {
    fn at_node(self, stream: &Stream<'_>, node: &Node<'_>) -> Self {
        let (line, column) = stream.line_col(node);
        self.at(line, column)
    }
}

/// Refuse texts whose offsets do not fit the tree's `u32` spans.
fn check_size(text: &str) -> Result<()> {
    if u32::try_from(text.len()).is_err() {
        return Err(Error::new(
            ErrorKind::InvalidYaml,
            "the text is larger than 4 GiB; relman reads texts up to 4 GiB",
        ));
    }
    Ok(())
}

/// The byte offset of every line's start in `text`, counting the line breaks libyaml counts
/// (LF, CR LF, a lone CR, NEL, LS and PS).
fn line_starts(text: &str) -> Vec<u32> {
    let b = text.as_bytes();
    let mut starts = vec![0u32];
    let mut i = 0;
    while let Some(at) = b[i..]
        .iter()
        .position(|&c| matches!(c, b'\n' | b'\r' | 0xC2 | 0xE2))
    {
        i += at;
        let width = match b[i] {
            b'\n' => 1,
            b'\r' if b.get(i + 1) == Some(&b'\n') => 2,
            b'\r' => 1,
            0xC2 if b.get(i + 1) == Some(&0x85) => 2,
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        i += width;
        starts.push(i as u32);
    }
    starts
}

impl<'t> Stream<'t> {
    /// Parse `text` (UTF-8, optionally with a BOM) into documents kept in `arena`.
    ///
    /// Errors: `invalid_yaml` with the line and column libyaml reports, or for a mapping key
    /// that is not a scalar (the shape of an unrendered Helm template such as
    /// `image: {{ .Values.image }}`).
    pub fn parse(text: &'t str, arena: &'t Arena) -> Result<Stream<'t>> {
        check_size(text)?;
        let bom = bom_len(text);
        if let Ok((documents, lines)) = super::fast::parse(text, bom, arena) {
            debug_assert_eq!(lines, line_starts(text), "the fast reader's line starts");
            let stream = Stream {
                text,
                documents,
                lines: OnceLock::from(lines),
                marks: std::collections::HashMap::new(),
            };
            for document in &stream.documents {
                check_aliases(&stream, document)?;
            }
            return Ok(stream);
        }
        Stream::parse_with_libyaml(text, arena)
    }

    /// The 1-based line and 1-based column (in characters) of `node`'s first byte, as libyaml
    /// marks it (a BOM is not counted in the first line's columns).
    pub fn line_col(&self, node: &Node<'_>) -> (usize, usize) {
        if let Some(&mark) = self.marks.get(&node.start) {
            return mark;
        }
        let (line, column) = self.position(node.start());
        if node.past_end() {
            (line + 1, 1)
        } else {
            (line, column)
        }
    }

    /// The 1-based line and 1-based column (in characters) of byte offset `pos`.
    pub fn position(&self, pos: usize) -> (usize, usize) {
        let lines = self.lines.get_or_init(|| line_starts(self.text));
        let pos = pos.min(self.text.len());
        let line = lines.partition_point(|&s| s as usize <= pos);
        let from = (lines[line - 1] as usize).max(bom_len(self.text));
        let column = self.text.as_bytes()[from.min(pos)..pos]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        (line, column + 1)
    }

    /// [`Stream::parse`] with libyaml alone, never the fast reader: the reference the fast
    /// reader is tested against (identical trees on every text it accepts).
    pub fn parse_with_libyaml(text: &'t str, arena: &'t Arena) -> Result<Stream<'t>> {
        check_size(text)?;
        let bom = bom_len(text);
        let input = &text.as_bytes()[bom..];
        let mut stream = Stream {
            text,
            documents: Vec::new(),
            lines: OnceLock::new(),
            marks: std::collections::HashMap::new(),
        };
        let keep_marks = text[bom..].contains(BOM);
        let mut documents = Vec::new();
        let mut stack: Vec<Frame<'t>> = Vec::new();
        let mut entry_stack: Vec<Entry<'t>> = Vec::new();
        let mut item_stack: Vec<Node<'t>> = Vec::new();
        let mut aliased: Vec<&'t str> = Vec::new();
        let mut root: Option<Node<'t>> = None;
        for event in Parser::new(input) {
            let event = event.map_err(|e| syntax_error(text, e))?;
            let Event {
                kind,
                start,
                end,
                line,
                column,
            } = event;
            let (start, end) = ((start + bom) as u32, (end + bom) as u32);
            // libyaml's mark, kept only to place an empty root at the stream end (and, in
            // debug builds, to check the lines and columns computed from the text).
            let (line, column) = (line + 1, column + 1);
            if keep_marks {
                stream.marks.entry(start).or_insert((line, column));
            }
            let base = |kind: NodeKind<'t>, anchor: Option<String>, tag: Option<String>| {
                let mut node = Node::scalar("", ScalarStyle::Plain);
                node.kind = kind;
                node.start = start;
                node.end = end;
                node.set_props(arena, anchor.map(|a| arena.str(&a)), tag.map(|t| arena.str(&t)));
                if start as usize == text.len() && stream.position(text.len()).0 < line {
                    node.past_end = true;
                }
                debug_assert!(
                    keep_marks || stream.line_col(&node) == (line, column),
                    "line and column computed from the text as libyaml marks them: {:?} against {:?} \
                     (offset {start} of {text:?})",
                    stream.line_col(&node),
                    (line, column),
                );
                node
            };
            let complete: Option<Node<'t>> = match kind {
                EventKind::StreamStart | EventKind::StreamEnd => None,
                EventKind::DocumentStart => {
                    aliased = Vec::new();
                    None
                }
                EventKind::DocumentEnd => {
                    let root = root
                        .take()
                        .unwrap_or_else(|| Node::scalar("", ScalarStyle::Plain));
                    let document = Document {
                        root,
                        aliased: std::mem::take(&mut aliased),
                    };
                    check_aliases(&stream, &document)?;
                    documents.push(document);
                    None
                }
                EventKind::Alias { anchor } => {
                    let anchor = arena.str(&anchor);
                    aliased.push(anchor);
                    Some(base(NodeKind::Alias { anchor }, None, None))
                }
                EventKind::Scalar {
                    anchor,
                    tag,
                    value,
                    style,
                } => {
                    let value = borrow_value(text, arena, end as usize, &value, style);
                    Some(base(NodeKind::Scalar { value, style }, anchor, tag))
                }
                EventKind::SequenceStart { anchor, tag, flow } => {
                    let node = base(NodeKind::Sequence { items: &[], flow }, anchor, tag);
                    check_depth(stack.len(), line, column)?;
                    stack.push(Frame::Sequence {
                        node,
                        base: item_stack.len(),
                    });
                    None
                }
                EventKind::MappingStart { anchor, tag, flow } => {
                    let node = base(NodeKind::Mapping { entries: &[], flow }, anchor, tag);
                    check_depth(stack.len(), line, column)?;
                    stack.push(Frame::Mapping {
                        node,
                        base: entry_stack.len(),
                        key: None,
                    });
                    None
                }
                EventKind::SequenceEnd | EventKind::MappingEnd => {
                    let frame = stack.pop().ok_or_else(|| internal("unbalanced events"))?;
                    let mut node = match frame {
                        Frame::Sequence { mut node, base } => {
                            if let NodeKind::Sequence { items: slot, .. } = &mut node.kind {
                                *slot = arena.slice(&item_stack[base..]);
                            }
                            item_stack.truncate(base);
                            node
                        }
                        Frame::Mapping { mut node, base, .. } => {
                            if let NodeKind::Mapping { entries: slot, .. } = &mut node.kind {
                                *slot = arena.slice(&entry_stack[base..]);
                            }
                            entry_stack.truncate(base);
                            node
                        }
                    };
                    node.end = end;
                    Some(node)
                }
            };
            let Some(mut node): Option<Node<'t>> = complete else {
                continue;
            };
            let parent_flow = stack.last().is_some_and(|f| match f {
                Frame::Mapping { node, .. } | Frame::Sequence { node, .. } => node.is_flow() || node.in_flow,
            });
            if parent_flow {
                mark_in_flow(&mut node);
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Sequence { .. }) => item_stack.push(node),
                Some(Frame::Mapping { key, .. }) => match key.take() {
                    None => {
                        if !matches!(node.kind, NodeKind::Scalar { .. } | NodeKind::Alias { .. }) {
                            return Err(Error::new(
                                ErrorKind::InvalidYaml,
                                "a mapping key is not a string; an unrendered Helm template \
                                 (`{{ ... }}`) reads like this: render it before giving it to relman",
                            )
                            .at_node(&stream, &node));
                        }
                        *key = Some(node);
                    }
                    Some(k) => entry_stack.push(Entry { key: k, value: node }),
                },
            }
        }
        stream.documents = documents;
        Ok(stream)
    }

    /// The documents in order.
    pub fn documents(&self) -> &[Document<'t>] {
        &self.documents
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
    let bom = bom_len(text);
    let mut depth = 0usize;
    for event in Parser::new(&text.as_bytes()[bom..]) {
        let event = event.map_err(|e| syntax_error(text, e))?;
        match event.kind {
            EventKind::SequenceStart { .. } | EventKind::MappingStart { .. } => {
                check_depth(depth, event.line + 1, event.column + 1)?;
                depth += 1;
            }
            EventKind::SequenceEnd | EventKind::MappingEnd => depth -= 1,
            _ => {}
        }
    }
    Ok(())
}

/// Refuse a document with an alias to no anchor defined before it (inside its own anchored
/// node included), or whose aliases would expand it past [`MAX_EXPANDED_NODES`] nodes, located
/// at the alias at fault. Nodes are counted in the order they complete (as the
/// parser's events do): each written node once, each alias as the expanded size of the node its
/// anchor names at that point.
fn check_aliases(stream: &Stream<'_>, document: &Document<'_>) -> Result<()> {
    if document.aliased.is_empty() {
        return Ok(());
    }
    let mut anchored: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    let mut expanded = 0u64;
    count_expanded(&document.root, &mut anchored, &mut expanded).map_err(|(e, node)| {
        let (line, column) = stream.line_col(node);
        e.at(line, column)
    })?;
    Ok(())
}

/// A scalar value from libyaml, borrowed from the text when it equals the bytes its token ends
/// with (a plain scalar's, or a quoted one's before its closing quote), else copied into the
/// arena.
fn borrow_value<'t>(text: &'t str, arena: &'t Arena, end: usize, value: &str, style: ScalarStyle) -> &'t str {
    let end = match style {
        ScalarStyle::Plain => end,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => end.saturating_sub(1),
        ScalarStyle::Literal | ScalarStyle::Folded => return arena.str(value),
    };
    match end.checked_sub(value.len()).and_then(|from| text.get(from..end)) {
        Some(bytes) if bytes == value => bytes,
        _ => arena.str(value),
    }
}

/// The expanded size of `node`, adding to the document's running total (see [`check_aliases`]).
/// Errors come with the node at fault (the caller locates them).
fn count_expanded<'n, 't>(
    node: &'n Node<'t>,
    anchored: &mut std::collections::HashMap<&'n str, u64>,
    expanded: &mut u64,
) -> std::result::Result<u64, (Error, &'n Node<'t>)> {
    let size = match node.kind {
        NodeKind::Alias { anchor } => match anchored.get(anchor) {
            Some(size) => *size,
            None => {
                return Err((
                    Error::new(
                        ErrorKind::InvalidYaml,
                        format!(
                            "the alias `*{anchor}` refers to no anchor defined before it (Kubernetes refuses \
                             such documents)"
                        ),
                    ),
                    node,
                ));
            }
        },
        NodeKind::Scalar { .. } => 1,
        NodeKind::Mapping { entries, .. } => {
            let mut size = 1u64;
            for entry in entries {
                size = size.saturating_add(count_expanded(&entry.key, anchored, expanded)?);
                size = size.saturating_add(count_expanded(&entry.value, anchored, expanded)?);
            }
            size
        }
        NodeKind::Sequence { items, .. } => {
            let mut size = 1u64;
            for item in items {
                size = size.saturating_add(count_expanded(item, anchored, expanded)?);
            }
            size
        }
    };
    if let Some(anchor) = node.anchor() {
        anchored.insert(anchor, size);
    }
    *expanded += if matches!(node.kind, NodeKind::Alias { .. }) {
        size
    } else {
        1
    };
    if *expanded > MAX_EXPANDED_NODES {
        return Err((
            Error::new(
                ErrorKind::InvalidYaml,
                format!(
                    "aliases expand this document to more than {MAX_EXPANDED_NODES} nodes (an alias bomb); \
                     Kubernetes refuses such documents"
                ),
            ),
            node,
        ));
    }
    Ok(size)
}

/// Refuse a collection opening at `line`:`column` (1-based) inside `depth` open ones when that
/// goes past [`MAX_DEPTH`] levels.
fn check_depth(depth: usize, line: usize, column: usize) -> Result<()> {
    if depth >= MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::InvalidYaml,
            format!("collections are nested more than {MAX_DEPTH} levels deep"),
        )
        .at(line, column));
    }
    Ok(())
}

fn mark_in_flow(node: &mut Node<'_>) {
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
pub fn content_start(text: &str, node: &Node<'_>) -> usize {
    let bytes = text.as_bytes();
    let mut i = node.start();
    if node.props.is_none() {
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
            _ => return i.min(node.end()),
        }
    }
}

/// Whether the fast reader reads `text` itself rather than leaving it to libyaml (for tests
/// and benchmarks that report how much of a corpus takes the fast path).
#[doc(hidden)]
pub fn fast_reader_accepts(text: &str) -> bool {
    fast_reader_declines_at(text).is_none()
}

/// The line of the fast reader's source that declined `text`, if it declined (for the tools
/// that measure which shapes are left to libyaml).
#[doc(hidden)]
pub fn fast_reader_declines_at(text: &str) -> Option<(u32, usize)> {
    let bom = bom_len(text);
    super::fast::parse(text, bom, &Arena::new())
        .err()
        .map(|d| (d.0, d.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> Error {
        Stream::parse(text, &Arena::new()).expect_err("refused")
    }

    #[test]
    fn deep_nesting_is_refused_at_the_first_collection_past_the_limit() {
        let text = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let e = error(&text);
        assert_eq!(e.code(), "invalid_yaml");
        // The root mapping is level 1, `a:`'s sequence level 2: the 1,000th `[` is one too many.
        assert_eq!((e.line(), e.column()), (Some(1), Some(3 + MAX_DEPTH)));
        assert!(check_syntax(&text).is_err());
        let ok = format!("{}{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(Stream::parse(&ok, &Arena::new()).is_ok());
    }

    #[test]
    fn alias_bombs_are_refused_and_plain_aliases_are_not() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names: Vec<char> = ('a'..='j').collect();
        for w in names.windows(2) {
            let items = vec![format!("*{}", w[0]); 10].join(", ");
            text.push_str(&format!("{}: &{} [{items}]\n", w[1], w[1]));
        }
        let e = error(&text);
        assert_eq!(e.code(), "invalid_yaml");
        assert!(e.to_string().contains("alias"), "{e}");
        // Each alias on line 6 (`f`) stands for 111,111 nodes (`e`): the eighth crosses the limit.
        assert_eq!(e.line(), Some(6));
        assert!(Stream::parse("a: &x [1, 2]\nb: *x\nc: *x\n", &Arena::new()).is_ok());
        for text in ["a: *x\n", "a: &x [*x]\n", "a: *x\nb: &x 1\n"] {
            let e = error(text);
            assert_eq!((e.code(), e.line()), ("invalid_yaml", Some(1)), "{text:?}: {e}");
        }
    }

    /// Lines and columns are computed from the text; while building its tree, the libyaml path
    /// checks (debug builds) that they agree with libyaml's own marks for every node: here on
    /// every line break libyaml counts, non-ASCII columns, a BOM, and an empty document at the
    /// end of a text whose last line has no line break.
    #[test]
    fn computed_lines_and_columns_are_libyaml_marks() {
        let texts = [
            "a: b\rc: d\r\ne: [f,\n  g]\n",
            "a: b\u{85}c: d\n",
            "a: x\u{2028}y\u{2029}b: 'q\u{85}r'\n",
            "\u{feff}é: ü\nk:\n  - ñ: \"x\"\n",
            "a: b\n---",
            "a: b\n--- \n",
            "# c\u{85}a: 1\n",
        ];
        let arena = Arena::new();
        for text in texts {
            let Ok(lib) = Stream::parse_with_libyaml(text, &arena) else {
                continue;
            };
            let parsed = Stream::parse(text, &arena).expect("both read it");
            let (a, b) = (&parsed.documents()[0].root, &lib.documents()[0].root);
            assert_eq!(parsed.line_col(a), lib.line_col(b), "{text:?}");
        }
        let stream = Stream::parse("a: b\n---", &arena).unwrap();
        assert_eq!(stream.line_col(&stream.documents()[1].root), (3, 1));
        let stream = Stream::parse("a: b\u{85}c: d\n", &arena).unwrap();
        let c = &stream.documents()[0].root.entries().unwrap()[1].key;
        assert_eq!(stream.line_col(c), (2, 1));
    }

    #[test]
    fn reader_errors_point_at_the_character() {
        let e = error("a: b\nc: dé\u{0}\n");
        assert_eq!((e.line(), e.column()), (Some(2), Some(6)));
    }

    #[test]
    fn errors_say_where_the_construct_started() {
        let e = error("a: b\nc: \"unterminated\nd: e\n");
        assert!(e.to_string().contains("that starts at line 2, column 4"), "{e}");
    }

    #[test]
    fn syntax_errors_in_templates_hint_at_helm() {
        let e = error("kind: Pod\n{{- if .Values.x }}\nmetadata: {}\n{{- end }}\n");
        assert!(e.to_string().contains("Helm"), "{e}");
        assert!(!error("a: 'b\n").to_string().contains("Helm"));
    }
}
