//! Cutting a long stream into its documents without parsing it, so that the documents can be
//! parsed on their own (the listing fast path of long streams, DESIGN.md section 15).

/// One document of a stream cut by [`split_documents`]: bytes `start..end` of the text, whose
/// first line is line `first_line` (1-based) of the text.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    /// Byte offset of the piece's first byte (a line start).
    pub start: usize,
    /// Byte offset just past the piece's last byte.
    pub end: usize,
    /// The line of the text the piece starts on.
    pub first_line: usize,
}

/// The documents of `text`, cut at the lines that start with a document start marker (`---`
/// followed by a blank or the end), where libyaml starts a document too (a marker at column 0
/// also ends a block or plain scalar; inside a quoted scalar or a flow collection it is an
/// error, which the caller's parse of the piece reports). A `...` line stays with the document
/// it ends (cut before it, the next piece would start with a document end and not parse on its
/// own). Columns are unchanged: every piece starts at a line start.
///
/// `None` for texts whose lines libyaml counts differently from `\n` (a lone `\r`, NEL, LS,
/// PS) and for texts that hold directives (`%` at a line start): their pieces would not parse
/// or count lines as the whole text does.
///
/// The listing does the same in two parts, so that only the first runs on the calling thread:
/// [`cut_documents`] (the byte ranges), then, per piece and on any thread, [`plain_lines`] and
/// [`count_lines`].
#[cfg(test)]
pub(crate) fn split_documents(text: &str) -> Option<Vec<Piece>> {
    let mut line = 1;
    let mut pieces = Vec::new();
    for (start, end) in cut_documents(text) {
        let piece = &text[start..end];
        if !plain_lines(piece) {
            return None;
        }
        pieces.push(Piece {
            start,
            end,
            first_line: line,
        });
        line += count_lines(piece);
    }
    Some(pieces)
}

/// The byte ranges of the documents of `text`, as [`split_documents`] cuts them (without its
/// checks): contiguous, from 0 to the end of the text (none for an empty text). One vectorised
/// search for `\n---` (`memchr::memmem`): a few instructions per 8 bytes.
pub(crate) fn cut_documents(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let at_start = bytes.starts_with(b"---").then_some(0);
    let after_break = memchr::memmem::find_iter(bytes, b"\n---").map(|at| at + 1);
    for at in at_start.into_iter().chain(after_break) {
        if at > start && matches!(bytes.get(at + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            pieces.push((start, at));
            start = at;
        }
    }
    if start < bytes.len() {
        pieces.push((start, bytes.len()));
    }
    pieces
}

/// Whether `piece` (a text, or a piece of one that starts at a line start and ends after a `\n`
/// or at the end of the text) breaks lines only with `\n` and `\r\n` and has no directive:
/// no `\r` without a `\n` after it, no NEL, LS or PS, no line that starts with `%`.
pub(crate) fn plain_lines(piece: &str) -> bool {
    let bytes = piece.as_bytes();
    let other_break = memchr::memchr3_iter(b'\r', 0xC2, 0xE2, bytes).any(|at| match bytes[at] {
        b'\r' => bytes.get(at + 1) != Some(&b'\n'),
        0xC2 => bytes.get(at + 1) == Some(&0x85),
        _ => bytes.get(at + 1) == Some(&0x80) && matches!(bytes.get(at + 2), Some(0xA8 | 0xA9)),
    });
    !other_break && bytes.first() != Some(&b'%') && memchr::memmem::find(bytes, b"\n%").is_none()
}

/// How many `\n` `piece` holds (vectorised).
pub(crate) fn count_lines(piece: &str) -> usize {
    memchr::memchr_iter(b'\n', piece.as_bytes()).count()
}

#[cfg(test)]
mod tests {
    use super::{Piece, split_documents};

    #[test]
    fn documents_are_cut_at_start_markers() {
        let text = "a: 1\n---\nb: 2\n...\n--- x\n---not\nc: 3\n";
        let pieces = split_documents(text).unwrap();
        let cut: Vec<(&str, usize)> = pieces
            .iter()
            .map(|p| (&text[p.start..p.end], p.first_line))
            .collect();
        assert_eq!(
            cut,
            vec![
                ("a: 1\n", 1),
                ("---\nb: 2\n...\n", 2),
                ("--- x\n---not\nc: 3\n", 5)
            ]
        );
        assert_eq!(split_documents("a\rb"), None);
        // Other line breaks (a lone `\r`, also at the end; NEL, LS, PS) and directives anywhere.
        for other in [
            "a\r",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a: 1\n%TAG ! x\n---\n",
        ] {
            assert_eq!(split_documents(other), None, "{other:?}");
        }
        // CRLF and other non-ASCII text (U+00E9, U+2026, U+20AC) are cut as usual.
        let crlf = "a: \u{e9}\u{2026}\u{20ac}\r\n---\r\nb: 2\r\n--- # c\r\n";
        let cut: Vec<(usize, usize, usize)> = split_documents(crlf)
            .unwrap()
            .iter()
            .map(|p| (p.start, p.end, p.first_line))
            .collect();
        assert_eq!(cut, vec![(0, 13, 1), (13, 24, 2), (24, crlf.len(), 4)]);
        assert_eq!(
            split_documents("---\n---").unwrap(),
            vec![
                Piece {
                    start: 0,
                    end: 4,
                    first_line: 1
                },
                Piece {
                    start: 4,
                    end: 7,
                    first_line: 2
                }
            ]
        );
        assert_eq!(split_documents("%YAML 1.2\n---\na: 1\n"), None);
        assert_eq!(split_documents(""), Some(Vec::<Piece>::new()));
    }

    /// The cut as the doc comment states it, line by line: the reference for the searches.
    fn reference(text: &str) -> Option<Vec<Piece>> {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') || (c == '\r' && chars.peek() != Some(&'\n')) {
                return None;
            }
        }
        let mut pieces = Vec::new();
        let (mut start, mut start_line) = (0, 1);
        let mut at = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let rest = line.strip_prefix("---");
            if line.starts_with('%') {
                return None;
            }
            if rest.is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r', '\n'])) && at > start {
                pieces.push(Piece {
                    start,
                    end: at,
                    first_line: start_line,
                });
                (start, start_line) = (at, i + 1);
            }
            at += line.len();
        }
        if start < text.len() {
            pieces.push(Piece {
                start,
                end: text.len(),
                first_line: start_line,
            });
        }
        Some(pieces)
    }

    proptest::proptest! {
        #[test]
        fn cut_as_stated(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "---", "-", "%", "\n", "\r", "\r\n", " ", "\t", "a", "# x", "\u{85}", "\u{2028}",
                "\u{2029}", "\u{e9}", "\u{20ac}", "...", "\n---\t", "\n--- ", "\n---\n", "\n---\r",
                "\n---x", "\n%", "\na: b",
            ]),
            0..40,
        )) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(split_documents(&text), reference(&text), "{:?}", text);
        }
    }
}
