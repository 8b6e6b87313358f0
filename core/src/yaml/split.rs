//! Cutting a long stream into its documents without parsing it, so that the documents can be
//! parsed on their own (the listing fast path of long streams, DESIGN.md section 15).

/// One document of a stream cut by [`split_documents`]: bytes `start..end` of the text, whose
/// first line is line `first_line` (1-based) of the text.
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
pub(crate) fn split_documents(text: &str) -> Option<Vec<Piece>> {
    let bytes = text.as_bytes();
    static OTHER_BREAKS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let other_breaks = OTHER_BREAKS
        .get_or_init(|| regex::Regex::new("\r[^\n]|\r\\z|\u{85}|\u{2028}|\u{2029}").expect("valid pattern"));
    if other_breaks.is_match(text) {
        return None;
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    // Every line that starts with `---` or `%` (one literal search over the text).
    static LINE_STARTS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let line_starts =
        LINE_STARTS.get_or_init(|| regex::Regex::new(r"(?m)^(?:---|%)").expect("valid pattern"));
    let mut counted = 0;
    let mut line = 1;
    for found in line_starts.find_iter(text) {
        let at = found.start();
        if bytes[at] == b'%' {
            return None;
        }
        if !matches!(bytes.get(at + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        line += bytes[counted..at].iter().filter(|&&b| b == b'\n').count();
        counted = at;
        if at > start {
            pieces.push(Piece {
                start,
                end: at,
                first_line: start_line,
            });
            start = at;
            start_line = line;
        }
    }
    if start < bytes.len() {
        pieces.push(Piece {
            start,
            end: bytes.len(),
            first_line: start_line,
        });
    }
    Some(pieces)
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
        assert_eq!(split_documents("%YAML 1.2\n---\na: 1\n"), None);
        assert_eq!(split_documents(""), Some(Vec::<Piece>::new()));
    }
}
