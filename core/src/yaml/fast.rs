//! The fast reader: builds the same node tree as libyaml (values, styles, byte spans, lines and
//! columns, to the byte) for the shapes Kubernetes manifests are written in, in one pass over
//! the bytes, and declines everything else.
//!
//! It accepts: `---` document markers; block mappings and block sequences (indented or not, in
//! compact form `- name: x`); plain scalars (multi-line ones folded as libyaml folds them),
//! single- and double-quoted scalars (over several lines, with escapes); literal and folded
//! block scalars without an indentation indicator; anchors on values and aliases as values;
//! flow collections of scalars and flow collections (over several lines, a trailing comma
//! allowed); comments; blank lines; LF and CRLF. It declines (and the caller then reads the
//! text with libyaml) on anything else: tags, directives, `...`, complex keys, indentation
//! indicators, anchored empty values, an anchor before a compact block collection on its line,
//! simple keys near libyaml's 1,024-character limit, nesting past 64 levels, tabs, control
//! characters and the other YAML line breaks, odd indentation, and every syntax error. It never
//! reports an error itself: errors always come from libyaml.
//!
//! The marks follow libyaml's rules exactly: a block collection starts at its first key or `-`
//! and ends where the next token after it starts (after comments and blank lines); an empty
//! value sits just past its `:` (or `-`); an empty document's root at the next token; a block
//! scalar ends at the start of the first line it does not take. The differential tests (unit
//! tests here, `core/tests/reader.rs` with generated texts and every fixture, the corpus test
//! and the `fast_reader` fuzz target) hold it to libyaml.

use super::Arena;
use super::node::{Document, Entry, Node, NodeKind, ScalarStyle};

/// The fast reader does not handle this text; read it with libyaml. Holds the line of
/// `fast.rs` that declined (to tell which shapes are left to libyaml).
#[derive(Debug)]
pub(crate) struct Decline(pub u32, pub usize);

type Fast<T> = Result<T, Decline>;

/// Nesting past this many levels is left to libyaml (which enforces the real limit).
const MAX_FAST_DEPTH: usize = 64;

/// libyaml refuses simple keys longer than 1,024 characters; stay well clear of the edge.
const MAX_KEY_BYTES: usize = 1_000;

/// A lookup table with `true` at each of `bytes`.
const fn byte_table(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// The bytes a plain scalar's scan must look at: line breaks, blanks, `:`, `#` and the flow
/// indicators; every other byte just extends the scalar.
const PLAIN_SPECIAL: [bool; 256] = byte_table(b"\n\r :#,[]{}");

/// The bytes that do not start a plain scalar the fast reader reads (indicators, and `-`
/// unless a non-blank follows, checked by the caller).
const NOT_PLAIN_START: [bool; 256] = byte_table(b"-?:,[]{}#&*!|>'\"%@`");

/// Parse `text` (whose first `bom` bytes are its BOM, skipped) into `arena`: the documents and
/// the byte offset of every line's start. A text it declines may leave garbage in the arena.
pub(crate) fn parse<'t>(text: &'t str, bom: usize, arena: &'t Arena) -> Fast<(Vec<Document<'t>>, Vec<u32>)> {
    let input = &text[bom..];
    let bytes = input.as_bytes();
    let (ascii, breaks) = prescan(bytes)?;
    let mut reader = Reader {
        text: input,
        s: bytes,
        pos: 0,
        line: 0,
        line_start: 0,
        bom,
        ascii,
        depth: 0,
        aliased: Vec::new(),
        arena,
        scratch: String::new(),
        lines: {
            let mut lines = Vec::with_capacity(breaks + 1);
            lines.push(0);
            lines
        },
        // Room for the open collections of a typical manifest: the stacks then do not grow.
        entry_stack: Vec::with_capacity((breaks + 1).min(64)),
        item_stack: Vec::with_capacity((breaks + 1).min(32)),
    };
    let documents = reader.stream()?;
    Ok((documents, reader.lines))
}

/// Check that every character is one the fast reader handles: printable, LF, or CR before LF.
/// Returns whether the text is all ASCII (then columns are byte distances), and its number of
/// line breaks.
fn prescan(s: &[u8]) -> Fast<(bool, usize)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut ascii = true;
    let mut breaks = 0;
    let mut i = 0;
    while i < s.len() {
        // Eight bytes at a time while they are all printable ASCII (0x20..0x7E): a byte below
        // 0x20 borrows into its high bit when 0x20 is subtracted; 0x7F and up set it when
        // their low seven bits are incremented.
        if let Some(chunk) = s.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            let low = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
            let high = (x | (x & !HIGHS).wrapping_add(ONES)) & HIGHS;
            if low | high == 0 {
                i += 8;
                continue;
            }
        }
        let b = s[i];
        if (0x20..0x7f).contains(&b) {
            i += 1;
            continue;
        }
        match b {
            b'\n' => {
                breaks += 1;
                i += 1;
            }
            b'\r' if s.get(i + 1) == Some(&b'\n') => {
                breaks += 1;
                i += 2;
            }
            0x80.. => {
                ascii = false;
                // C1 controls (and NEL) are U+0080..U+009F: C2 80..C2 9F.
                if b == 0xC2 && s.get(i + 1).is_some_and(|&c| c < 0xA0) {
                    return Err(Decline(line!(), i));
                }
                if b == 0xE2 && s.get(i + 1) == Some(&0x80) && matches!(s.get(i + 2), Some(0xA8 | 0xA9)) {
                    return Err(Decline(line!(), i)); // LS, PS: line breaks to libyaml
                }
                if b == 0xEF
                    && (s.get(i + 1) == Some(&0xBB) && s.get(i + 2) == Some(&0xBF)
                        || s.get(i + 1) == Some(&0xBF) && matches!(s.get(i + 2), Some(0xBE | 0xBF)))
                {
                    return Err(Decline(line!(), i)); // U+FEFF inside the text, U+FFFE, U+FFFF
                }
                i += 1;
            }
            _ => return Err(Decline(line!(), i)), // tabs, other C0 controls, DEL, lone CR
        }
    }
    Ok((ascii, breaks))
}

/// A position: byte offset (before the BOM is added), 0-based line, 0-based character column.
#[derive(Clone, Copy, Debug)]
struct Mark {
    pos: usize,
    line: usize,
    column: usize,
}

struct Reader<'s> {
    text: &'s str,
    s: &'s [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    bom: usize,
    ascii: bool,
    depth: usize,
    /// Names the aliases of the current document refer to, in order.
    aliased: Vec<&'s str>,
    /// Where the tree's collections, anchors and copied scalars go.
    arena: &'s Arena,
    /// A buffer reused to build the scalars whose value differs from their bytes (escapes,
    /// folding), each then copied into the arena.
    scratch: String,
    /// The offset (BOM included) of the start of every line read so far.
    lines: Vec<u32>,
    /// The entries of the mappings being read, innermost last: a finished mapping takes its
    /// own off the top in one allocation of the exact size (no vector growing per mapping).
    entry_stack: Vec<Entry<'s>>,
    /// The items of the sequences being read, as `entry_stack`.
    item_stack: Vec<Node<'s>>,
}

fn is_blankz(b: Option<u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\n' | b'\r'))
}

impl<'s> Reader<'s> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<u8> {
        self.s.get(self.pos + offset).copied()
    }

    fn at_eol(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n' | b'\r'))
    }

    fn column_of(&self, pos: usize) -> usize {
        if self.ascii {
            pos - self.line_start
        } else {
            self.s[self.line_start..pos]
                .iter()
                .filter(|&&b| b & 0xC0 != 0x80)
                .count()
        }
    }

    fn mark(&self) -> Mark {
        self.mark_at(self.pos)
    }

    /// The mark of `pos`, which must be on the current line.
    fn mark_at(&self, pos: usize) -> Mark {
        Mark {
            pos,
            line: self.line,
            column: self.column_of(pos),
        }
    }

    fn node(&self, kind: NodeKind<'s>, start: Mark, end: usize) -> Node<'s> {
        let mut node = Node::scalar("", ScalarStyle::Plain);
        node.kind = kind;
        node.start = (start.pos + self.bom) as u32;
        node.end = (end + self.bom) as u32;
        node
    }

    /// An empty plain scalar at `at` (which may be the stream end mark, on the line after the
    /// last).
    fn empty(&self, at: Mark) -> Node<'s> {
        let mut node = self.node(
            NodeKind::Scalar {
                value: "",
                style: ScalarStyle::Plain,
            },
            at,
            at.pos,
        );
        node.past_end = at.line > self.line;
        node
    }

    /// Consume a line break (`\n` or `\r\n`) at the current position.
    fn newline(&mut self) {
        self.pos += if self.peek() == Some(b'\r') { 2 } else { 1 };
        self.line += 1;
        self.line_start = self.pos;
        // A line crossed again after backtracking is recorded once.
        if self.line == self.lines.len() {
            self.lines.push((self.pos + self.bom) as u32);
        }
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// Skip spaces, comments and line breaks up to the next token (libyaml's
    /// `scan_to_next_token`). A `#` here always starts a comment: callers stop only after
    /// blanks or at a line start.
    fn skip_to_token(&mut self) {
        loop {
            self.skip_spaces();
            match self.peek() {
                Some(b'#') => {
                    while !self.at_eol() {
                        self.pos += 1;
                    }
                }
                Some(b'\n' | b'\r') => self.newline(),
                _ => return,
            }
        }
    }

    /// After a node on its line: only blanks and a comment may follow before the line break.
    fn end_of_line(&mut self) -> Fast<()> {
        let before = self.pos;
        self.skip_spaces();
        match self.peek() {
            None | Some(b'\n' | b'\r') => Ok(()),
            Some(b'#') if self.pos > before => Ok(()),
            _ => Err(Decline(line!(), self.pos)),
        }
    }

    /// `---` or `...` at column 0 followed by a blank or the end.
    fn at_document_marker(&self, c: u8) -> bool {
        self.pos == self.line_start && self.s[self.pos..].starts_with(&[c, c, c]) && is_blankz(self.at(3))
    }

    /// The end of the stream as libyaml marks it: a line that does not end in a break counts
    /// as ended.
    fn stream_end_mark(&self) -> Mark {
        let column = self.column_of(self.pos);
        if column == 0 {
            Mark {
                pos: self.pos,
                line: self.line,
                column: 0,
            }
        } else {
            Mark {
                pos: self.pos,
                line: self.line + 1,
                column: 0,
            }
        }
    }

    /// Whether the current token ends the document (end of text or `---`).
    fn at_document_end(&self) -> Fast<bool> {
        if self.peek().is_none() || self.at_document_marker(b'-') {
            return Ok(true);
        }
        if self.at_document_marker(b'.') || self.pos == self.line_start && self.peek() == Some(b'%') {
            return Err(Decline(line!(), self.pos));
        }
        Ok(false)
    }

    fn stream(&mut self) -> Fast<Vec<Document<'s>>> {
        let mut documents = Vec::new();
        self.skip_to_token();
        loop {
            if self.peek().is_none() {
                return Ok(documents);
            }
            let explicit = self.at_document_marker(b'-');
            if explicit {
                self.pos += 3;
                self.end_of_line()?;
                self.skip_to_token();
            } else if !documents.is_empty() || self.at_document_end()? {
                return Err(Decline(line!(), self.pos));
            }
            let root = if self.at_document_end()? {
                let at = if self.peek().is_none() {
                    self.stream_end_mark()
                } else {
                    self.mark()
                };
                self.empty(at)
            } else {
                let root = self.block_node(-1)?;
                self.skip_to_token();
                if !self.at_document_end()? {
                    return Err(Decline(line!(), self.pos));
                }
                root
            };
            documents.push(Document {
                root,
                aliased: std::mem::take(&mut self.aliased),
            });
        }
    }

    /// A block node starting at the current token, inside a block collection whose indent
    /// (libyaml's `parser->indent`) is `indent` (-1 at the root).
    fn block_node(&mut self, indent: isize) -> Fast<Node<'s>> {
        self.depth += 1;
        if self.depth > MAX_FAST_DEPTH {
            return Err(Decline(line!(), self.pos));
        }
        let node = self.block_node_inner(indent);
        self.depth -= 1;
        node
    }

    fn block_node_inner(&mut self, indent: isize) -> Fast<Node<'s>> {
        let start = self.mark();
        match self.peek() {
            Some(b'-') if is_blankz(self.at(1)) => self.block_sequence(start, false),
            Some(b'|' | b'>' | b'[' | b'{') => self.inline_value(indent),
            _ => {
                let scalar = self.single_line_scalar(false)?;
                let save = self.pos;
                self.skip_spaces();
                if self.peek() == Some(b':') && is_blankz(self.at(1)) {
                    if self.line != start.line {
                        return Err(Decline(line!(), self.pos));
                    }
                    self.pos = save;
                    return self.block_mapping(start, scalar);
                }
                self.pos = save;
                let scalar = self.continue_plain(scalar, indent)?;
                self.end_of_line()?;
                Ok(scalar)
            }
        }
    }

    /// A block mapping whose first key (already read) starts at `start`; the position is
    /// just past that key.
    fn block_mapping(&mut self, start: Mark, first_key: Node<'s>) -> Fast<Node<'s>> {
        let column = start.column;
        let base = self.entry_stack.len();
        let mut key = first_key;
        loop {
            self.skip_spaces();
            // From the key to its `:`, as libyaml measures a simple key.
            if self.pos - (key.start() - self.bom) > MAX_KEY_BYTES {
                return Err(Decline(line!(), self.pos));
            }
            // `:` followed by a blank, checked by the caller.
            self.pos += 1;
            let after_colon = self.mark();
            let value = self.entry_value(column, after_colon, true)?;
            self.entry_stack.push(Entry { key, value });
            self.skip_to_token();
            let here = self.mark();
            if self.at_document_end()? || here.column < column {
                let entries = self.arena.slice(&self.entry_stack[base..]);
                self.entry_stack.truncate(base);
                return Ok(self.node(NodeKind::Mapping { entries, flow: false }, start, here.pos));
            }
            if here.column > column {
                return Err(Decline(line!(), self.pos));
            }
            key = self.single_line_scalar(false)?;
            if self.line != here.line {
                return Err(Decline(line!(), self.pos));
            }
            self.skip_spaces();
            if !(self.peek() == Some(b':') && is_blankz(self.at(1))) {
                return Err(Decline(line!(), self.pos));
            }
        }
    }

    /// The value after a mapping's `:` or a sequence's `-` (the position is just past the
    /// indicator, which sits at `column`; `after` is its end mark, where an empty value sits).
    fn entry_value(&mut self, column: usize, after: Mark, in_mapping: bool) -> Fast<Node<'s>> {
        self.skip_spaces();
        let anchor = if self.peek() == Some(b'&') {
            let mark = self.mark();
            let name = self.name()?;
            self.skip_spaces();
            Some((name, mark))
        } else {
            None
        };
        if self.peek() == Some(b'*') {
            if anchor.is_some() {
                return Err(Decline(line!(), self.pos));
            }
            let start = self.mark();
            let name = self.name()?;
            self.end_of_line()?;
            self.aliased.push(name);
            return Ok(self.node(
                NodeKind::Alias { anchor: name },
                start,
                self.pos_after_name(start),
            ));
        }
        let node = if self.peek() == Some(b'#') || self.at_eol() {
            self.skip_to_token();
            let here = self.mark();
            let dash = self.peek() == Some(b'-') && is_blankz(self.at(1));
            if self.at_document_end()? {
                None
            } else if here.column > column {
                Some(self.block_node(column as isize)?)
            } else if in_mapping && here.column == column && dash {
                Some(self.block_sequence(here, true)?)
            } else {
                None
            }
        } else if !in_mapping {
            Some(self.block_node(column as isize)?)
        } else if self.peek() == Some(b'-') && is_blankz(self.at(1)) {
            return Err(Decline(line!(), self.pos));
        } else {
            Some(self.inline_value(column as isize)?)
        };
        let Some(mut node) = node else {
            // An anchored empty value is rare: left to libyaml.
            return if anchor.is_some() {
                Err(Decline(line!(), self.pos))
            } else {
                Ok(self.empty(after))
            };
        };
        if let Some((name, mark)) = anchor {
            // `- &a key: value`: the anchor belongs to the first key, and the mapping starts
            // at the anchor; `- &a - b` is an error. Both are left to libyaml.
            let block = matches!(
                node.kind,
                NodeKind::Mapping { flow: false, .. } | NodeKind::Sequence { flow: false, .. }
            );
            let same_line = !self.s[mark.pos..node.start() - self.bom].contains(&b'\n');
            if block && same_line {
                return Err(Decline(line!(), self.pos));
            }
            node.set_props(self.arena, Some(name), None);
            node.start = (mark.pos + self.bom) as u32;
        }
        Ok(node)
    }

    /// An anchor or alias name after its `&` or `*` (the current position), followed by a
    /// blank or the line's end.
    fn name(&mut self) -> Fast<&'s str> {
        self.pos += 1;
        let from = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.pos += 1;
        }
        if self.pos == from || !is_blankz(self.peek()) {
            return Err(Decline(line!(), self.pos));
        }
        Ok(self.text(from, self.pos))
    }

    /// The end of the alias token starting at `start`.
    fn pos_after_name(&self, start: Mark) -> usize {
        let mut end = start.pos + 1;
        while self
            .s
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        {
            end += 1;
        }
        end
    }

    /// A value on the same line as its key or `-` (not a nested block collection).
    fn inline_value(&mut self, indent: isize) -> Fast<Node<'s>> {
        match self.peek() {
            Some(b'|' | b'>') => self.block_scalar(indent),
            Some(b'[' | b'{') => {
                let node = self.flow_node()?;
                self.end_of_line()?;
                Ok(node)
            }
            _ => {
                let node = self.single_line_scalar(false)?;
                let node = self.continue_plain(node, indent)?;
                self.end_of_line()?;
                Ok(node)
            }
        }
    }

    /// A block sequence whose first `-` is at `start` (the current position). `indentless`:
    /// the sequence is a mapping value at the mapping's own column.
    fn block_sequence(&mut self, start: Mark, indentless: bool) -> Fast<Node<'s>> {
        let column = start.column;
        let base = self.item_stack.len();
        loop {
            // At `-` followed by a blank.
            self.pos += 1;
            let after_dash = self.mark();
            let item = self.entry_value(column, after_dash, false)?;
            self.item_stack.push(item);
            self.skip_to_token();
            let here = self.mark();
            let dash = self.peek() == Some(b'-') && is_blankz(self.at(1));
            if self.at_document_end()? || here.column < column || here.column == column && !dash && indentless
            {
                let items = self.arena.slice(&self.item_stack[base..]);
                self.item_stack.truncate(base);
                return Ok(self.node(NodeKind::Sequence { items, flow: false }, start, here.pos));
            }
            if here.column > column || !dash {
                return Err(Decline(line!(), self.pos));
            }
        }
    }

    /// A single- or double-quoted scalar starting at `start` (the current position), possibly
    /// over several lines, read as libyaml's `scan_flow_scalar` reads it.
    fn quoted(&mut self, start: Mark, single: bool) -> Fast<Node<'s>> {
        let quote = if single { b'\'' } else { b'"' };
        self.pos += 1;
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        // On one line without escapes (`''`, `\`), the value is the bytes between the quotes.
        let from = self.pos;
        let mut i = from;
        while let Some(&c) = self.s.get(i) {
            if c == quote || c == b'\n' || c == b'\r' || c == b'\\' && !single {
                break;
            }
            i += 1;
        }
        if self.s.get(i) == Some(&quote) && !(single && self.s.get(i + 1) == Some(&b'\'')) {
            self.pos = i + 1;
            let value = self.text(from, i);
            return Ok(self.node(NodeKind::Scalar { value, style }, start, self.pos));
        }
        let mut string = std::mem::take(&mut self.scratch);
        string.clear();
        let mut leading_break = false;
        let mut trailing_breaks = 0usize;
        let mut whitespaces = 0usize;
        loop {
            if self.pos == self.line_start && (self.at_document_marker(b'-') || self.at_document_marker(b'.'))
            {
                return Err(Decline(line!(), self.pos));
            }
            let mut leading_blanks = false;
            while !is_blankz(self.peek()) {
                match self.peek() {
                    Some(b'\'') if single && self.at(1) == Some(b'\'') => {
                        string.push('\'');
                        self.pos += 2;
                    }
                    Some(b) if b == quote => break,
                    Some(b'\\') if !single => {
                        if matches!(self.at(1), Some(b'\n' | b'\r')) {
                            self.pos += 1;
                            self.newline();
                            leading_blanks = true;
                            break;
                        }
                        self.escape(&mut string)?;
                    }
                    _ => {
                        let from = self.pos;
                        while !is_blankz(self.peek())
                            && self.peek() != Some(quote)
                            && (single || self.peek() != Some(b'\\'))
                        {
                            self.pos += 1;
                        }
                        string.push_str(self.text(from, self.pos));
                    }
                }
            }
            match self.peek() {
                Some(b) if b == quote => break,
                None => return Err(Decline(line!(), self.pos)),
                _ => {}
            }
            while let Some(b' ' | b'\n' | b'\r') = self.peek() {
                if self.peek() == Some(b' ') {
                    if !leading_blanks {
                        whitespaces += 1;
                    }
                    self.pos += 1;
                } else {
                    if leading_blanks {
                        trailing_breaks += 1;
                    } else {
                        whitespaces = 0;
                        leading_break = true;
                        leading_blanks = true;
                    }
                    self.newline();
                }
            }
            if leading_blanks {
                if leading_break && trailing_breaks == 0 {
                    string.push(' ');
                } else {
                    string.extend(std::iter::repeat_n('\n', trailing_breaks));
                }
                leading_break = false;
                trailing_breaks = 0;
            } else {
                string.extend(std::iter::repeat_n(' ', whitespaces));
                whitespaces = 0;
            }
        }
        self.pos += 1;
        let value = self.arena.str(&string);
        self.scratch = string;
        Ok(self.node(NodeKind::Scalar { value, style }, start, self.pos))
    }

    /// One escape sequence of a double-quoted scalar (the current position is at its `\\`).
    fn escape(&mut self, string: &mut String) -> Fast<()> {
        let simple = match self.at(1) {
            Some(b'0') => Some('\0'),
            Some(b'a') => Some('\u{7}'),
            Some(b'b') => Some('\u{8}'),
            Some(b't') => Some('\t'),
            Some(b'n') => Some('\n'),
            Some(b'v') => Some('\u{b}'),
            Some(b'f') => Some('\u{c}'),
            Some(b'r') => Some('\r'),
            Some(b'e') => Some('\u{1b}'),
            Some(b' ') => Some(' '),
            Some(b'"') => Some('"'),
            Some(b'/') => Some('/'),
            Some(b'\\') => Some('\\'),
            Some(b'N') => Some('\u{85}'),
            Some(b'_') => Some('\u{a0}'),
            Some(b'L') => Some('\u{2028}'),
            Some(b'P') => Some('\u{2029}'),
            _ => None,
        };
        if let Some(c) = simple {
            string.push(c);
            self.pos += 2;
            return Ok(());
        }
        let digits = match self.at(1) {
            Some(b'x') => 2,
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => return Err(Decline(line!(), self.pos)),
        };
        let hex = self
            .s
            .get(self.pos + 2..self.pos + 2 + digits)
            .ok_or(Decline(line!(), self.pos))?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(Decline(line!(), self.pos));
        }
        let code = u32::from_str_radix(self.text(self.pos + 2, self.pos + 2 + digits), 16)
            .map_err(|_| Decline(line!(), self.pos))?;
        string.push(char::from_u32(code).ok_or(Decline(line!(), self.pos))?);
        self.pos += 2 + digits;
        Ok(())
    }

    /// More lines of a plain scalar that ended at its line's end, as libyaml's
    /// `scan_plain_scalar` folds them: lines more indented than `indent` (the enclosing block
    /// collection's) continue it; one line break becomes a space, `n + 1` become `n` newlines.
    fn continue_plain(&mut self, mut node: Node<'s>, indent: isize) -> Fast<Node<'s>> {
        let NodeKind::Scalar {
            value: first,
            style: ScalarStyle::Plain,
        } = node.kind
        else {
            return Ok(node);
        };
        // The folded value, built in the scratch buffer once a second line joins.
        let mut value = std::mem::take(&mut self.scratch);
        value.clear();
        let mut folded = false;
        loop {
            let save = (self.pos, self.line, self.line_start);
            self.skip_spaces();
            if !matches!(self.peek(), Some(b'\n' | b'\r')) {
                // The scalar ended at a comment (or the caller sees what follows).
                (self.pos, self.line, self.line_start) = save;
                break;
            }
            let mut breaks = 0usize;
            while matches!(self.peek(), Some(b'\n' | b'\r')) {
                self.newline();
                breaks += 1;
                self.skip_spaces();
            }
            let column = self.pos - self.line_start;
            let continues = self.peek().is_some()
                && (column as isize) > indent
                && self.peek() != Some(b'#')
                && !self.at_document_marker(b'-')
                && !self.at_document_marker(b'.');
            if !continues {
                (self.pos, self.line, self.line_start) = save;
                break;
            }
            if !folded {
                value.push_str(first);
                folded = true;
            }
            if breaks == 1 {
                value.push(' ');
            } else {
                value.extend(std::iter::repeat_n('\n', breaks - 1));
            }
            let from = self.pos;
            let mut end = self.pos;
            loop {
                match self.peek() {
                    None | Some(b'\n' | b'\r') => break,
                    Some(b':') if is_blankz(self.at(1)) => return Err(Decline(line!(), self.pos)),
                    Some(b'#') if self.s[self.pos - 1] == b' ' => break,
                    Some(b' ') => self.pos += 1,
                    Some(_) => {
                        self.pos += 1;
                        end = self.pos;
                    }
                }
            }
            value.push_str(self.text(from, end));
            self.pos = end;
            node.end = (end + self.bom) as u32;
        }
        if folded {
            node.kind = NodeKind::Scalar {
                value: self.arena.str(&value),
                style: ScalarStyle::Plain,
            };
        }
        self.scratch = value;
        Ok(node)
    }

    /// A plain, single-quoted or double-quoted scalar (a quoted one may span lines).
    fn single_line_scalar(&mut self, flow: bool) -> Fast<Node<'s>> {
        let start = self.mark();
        match self.peek() {
            Some(q @ (b'\'' | b'"')) => {
                let node = self.quoted(start, q == b'\'')?;
                if flow && self.line != start.line {
                    return Err(Decline(line!(), self.pos));
                }
                Ok(node)
            }
            Some(b) => {
                // Indicators that cannot start a plain scalar, or that the fast reader leaves
                // to libyaml (`-`, `?`, `:` followed by a non-blank are fine in YAML, but rare).
                // A `-` followed by a non-blank starts a plain scalar (`-1`, `-c`).
                let dash_plain = b == b'-'
                    && !is_blankz(self.at(1))
                    && !(flow && matches!(self.at(1), Some(b',' | b'[' | b']' | b'{' | b'}')));
                if !dash_plain && NOT_PLAIN_START[b as usize] {
                    return Err(Decline(line!(), self.pos));
                }
                let from = self.pos;
                let mut end = self.pos;
                let s = self.s;
                let mut i = self.pos;
                while let Some(&c) = s.get(i) {
                    if !PLAIN_SPECIAL[c as usize] {
                        i += 1;
                        end = i;
                        continue;
                    }
                    match c {
                        b'\n' | b'\r' => break,
                        b':' if is_blankz(s.get(i + 1).copied()) => break,
                        b':' if flow => return Err(Decline(line!(), i)),
                        b',' | b'[' | b']' | b'{' | b'}' if flow => break,
                        b'#' if s[i - 1] == b' ' => break,
                        b' ' => i += 1,
                        _ => {
                            i += 1;
                            end = i;
                        }
                    }
                }
                if end == from {
                    // No scalar here (a line break where a flow value should be).
                    return Err(Decline(line!(), self.pos));
                }
                self.pos = end;
                let value = self.text(from, end);
                let style = ScalarStyle::Plain;
                Ok(self.node(NodeKind::Scalar { value, style }, start, end))
            }
            None => Err(Decline(line!(), self.pos)),
        }
    }

    /// The text between two offsets at character boundaries.
    fn text(&self, from: usize, to: usize) -> &'s str {
        &self.text[from..to]
    }

    /// A flow collection that opens and closes on the current line.
    fn flow_node(&mut self) -> Fast<Node<'s>> {
        self.depth += 1;
        if self.depth > MAX_FAST_DEPTH {
            return Err(Decline(line!(), self.pos));
        }
        let start = self.mark();
        let mapping = self.peek() == Some(b'{');
        let close = if mapping { b'}' } else { b']' };
        self.pos += 1;
        let (entry_base, item_base) = (self.entry_stack.len(), self.item_stack.len());
        self.skip_flow_space()?;
        if self.peek() != Some(close) {
            loop {
                let node = self.flow_item()?;
                if mapping {
                    self.skip_spaces();
                    if self.pos - (node.start() - self.bom) > MAX_KEY_BYTES {
                        return Err(Decline(line!(), self.pos));
                    }
                    if !(self.peek() == Some(b':') && self.at(1) == Some(b' ')) {
                        return Err(Decline(line!(), self.pos));
                    }
                    self.pos += 1;
                    self.skip_spaces();
                    let value = self.flow_item()?;
                    self.entry_stack.push(Entry { key: node, value });
                } else {
                    self.item_stack.push(node);
                }
                self.skip_flow_space()?;
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_flow_space()?;
                        // A trailing `,` before the closing bracket adds nothing.
                        if self.peek() == Some(close) {
                            break;
                        }
                    }
                    Some(c) if c == close => break,
                    _ => return Err(Decline(line!(), self.pos)),
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        let kind = if mapping {
            let entries = self.arena.slice(&self.entry_stack[entry_base..]);
            self.entry_stack.truncate(entry_base);
            NodeKind::Mapping { entries, flow: true }
        } else {
            let items = self.arena.slice(&self.item_stack[item_base..]);
            self.item_stack.truncate(item_base);
            NodeKind::Sequence { items, flow: true }
        };
        Ok(self.node(kind, start, self.pos))
    }

    /// Blanks, comments and line breaks between the tokens of a flow collection. libyaml checks
    /// no indentation inside flow collections; a line that continues one may not start with a
    /// document marker.
    fn skip_flow_space(&mut self) -> Fast<()> {
        let mut crossed = false;
        loop {
            self.skip_spaces();
            match self.peek() {
                Some(b'#') if self.pos == self.line_start || self.s[self.pos - 1] == b' ' => {
                    while !self.at_eol() {
                        self.pos += 1;
                    }
                }
                Some(b'\n' | b'\r') => {
                    self.newline();
                    crossed = true;
                }
                _ => {
                    if crossed && (self.at_document_marker(b'-') || self.at_document_marker(b'.')) {
                        return Err(Decline(line!(), self.pos));
                    }
                    return Ok(());
                }
            }
        }
    }

    fn flow_item(&mut self) -> Fast<Node<'s>> {
        let mut node = match self.peek() {
            Some(b'[' | b'{') => self.flow_node()?,
            _ => self.single_line_scalar(true)?,
        };
        node.in_flow = true;
        Ok(node)
    }

    /// A literal (`|`) or folded (`>`) block scalar, exactly as libyaml's
    /// `scan_block_scalar` reads it; `indent` is the enclosing block collection's indent.
    fn block_scalar(&mut self, indent: isize) -> Fast<Node<'s>> {
        let start = self.mark();
        let literal = self.peek() == Some(b'|');
        self.pos += 1;
        let chomping = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => 0,
        };
        if chomping != 0 {
            self.pos += 1;
        }
        if self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(Decline(line!(), self.pos));
        }
        self.end_of_line()?;
        while !self.at_eol() {
            self.pos += 1;
        }
        if self.peek().is_some() {
            self.newline();
        }
        let mut string = std::mem::take(&mut self.scratch);
        string.clear();
        // The line breaks taken since the last content line, and whether that line's own break
        // is pending (libyaml keeps both as strings of `\n`).
        let mut trailing_breaks = 0usize;
        let mut leading_break = false;
        let mut leading_blank = false;
        let mut end = self.pos;
        // Leading blank lines, and the indentation of the first content line.
        let mut block_indent = 0usize;
        let mut max_indent = 0usize;
        self.block_breaks(&mut block_indent, &mut max_indent, &mut trailing_breaks, &mut end);
        block_indent = max_indent.max((indent + 1).max(1) as usize);
        while self.pos - self.line_start == block_indent && self.peek().is_some() {
            let trailing_blank = self.peek() == Some(b' ');
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if trailing_breaks == 0 {
                    string.push(' ');
                }
            } else if leading_break {
                string.push('\n');
            }
            leading_break = false;
            string.extend(std::iter::repeat_n('\n', trailing_breaks));
            trailing_breaks = 0;
            leading_blank = trailing_blank;
            let from = self.pos;
            while !self.at_eol() {
                self.pos += 1;
            }
            string.push_str(self.text(from, self.pos));
            if self.peek().is_some() {
                self.newline();
                leading_break = true;
            }
            self.block_breaks(&mut block_indent, &mut max_indent, &mut trailing_breaks, &mut end);
        }
        if chomping != -1 && leading_break {
            string.push('\n');
        }
        if chomping == 1 {
            string.extend(std::iter::repeat_n('\n', trailing_breaks));
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        // The scan stops inside the indentation of the next line; the next token is found
        // from there, as libyaml does.
        let value = self.arena.str(&string);
        self.scratch = string;
        Ok(self.node(NodeKind::Scalar { value, style }, start, end))
    }

    /// libyaml's `scan_block_scalar_breaks`: skip indentation (up to `indent` once known) and
    /// take blank lines as breaks; `end` moves past every break taken.
    fn block_breaks(
        &mut self,
        indent: &mut usize,
        max_indent: &mut usize,
        breaks: &mut usize,
        end: &mut usize,
    ) {
        *end = self.pos;
        loop {
            while (*indent == 0 || self.pos - self.line_start < *indent) && self.peek() == Some(b' ') {
                self.pos += 1;
            }
            *max_indent = (*max_indent).max(self.pos - self.line_start);
            if !matches!(self.peek(), Some(b'\n' | b'\r')) {
                break;
            }
            self.newline();
            *breaks += 1;
            *end = self.pos;
        }
    }
}
