//! Differential tests of the fast YAML reader (`core/src/yaml/fast.rs`) against libyaml.
//!
//! The contract: for every text, `Stream::parse` (fast reader, falling back to libyaml) and
//! `Stream::parse_with_libyaml` give equal documents (values, styles, byte spans, lines and
//! columns, anchors, tags, `in_flow`) when both succeed; when libyaml fails, `Stream::parse`
//! fails with the same error (code, line, column and message); the fast reader never accepts a
//! text libyaml rejects.
//!
//! Checked on every fixture (as is, with CRLF line breaks, with a BOM), on texts from a
//! line-based YAML-ish grammar (proptest) and on the regression inputs below; the corpus test
//! (`corpus.rs`) and the `fast_reader` fuzz target check the same contract.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestError, TestRunner};
use relman::__private::yaml::{Stream, fast_reader_accepts};

use crate::corpus::yaml_files;
use crate::reader_contract::check_contract;

/// `text` with every LF that is not already part of a CRLF turned into CRLF.
pub(crate) fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// The variants of a text every differential check reads: as is, CRLF, with a BOM.
pub(crate) fn variants(text: &str) -> [(&'static str, String); 3] {
    [
        ("as is", text.to_string()),
        ("CRLF", to_crlf(text)),
        ("BOM", format!("\u{feff}{text}")),
    ]
}

#[test]
fn fixtures_read_alike_with_both_readers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let files = yaml_files(&root);
    assert!(
        files.len() > 100,
        "only {} fixture files under {}",
        files.len(),
        root.display()
    );
    let mut not_utf8 = 0;
    let mut checked = 0;
    // Per variant: texts libyaml accepts, texts the fast reader accepts.
    let mut valid = [0usize; 3];
    let mut fast = [0usize; 3];
    let mut problems = Vec::new();
    for path in &files {
        let name = path.strip_prefix(&root).unwrap_or(path).display().to_string();
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let Ok(text) = String::from_utf8(bytes) else {
            not_utf8 += 1;
            continue;
        };
        checked += 1;
        for (i, (variant, text)) in variants(&text).iter().enumerate() {
            match check_contract(text) {
                Ok(agreed) => {
                    valid[i] += usize::from(agreed.valid);
                    fast[i] += usize::from(agreed.fast);
                }
                Err(problem) => problems.push(format!("{name} ({variant}): {problem}")),
            }
        }
    }
    eprintln!(
        "reader fixtures: {checked} files ({not_utf8} not UTF-8, skipped); valid YAML / read by the fast \
         reader: as is {}/{}, CRLF {}/{}, BOM {}/{}",
        valid[0], fast[0], valid[1], fast[1], valid[2], fast[2]
    );
    assert!(
        problems.is_empty(),
        "{} fixture text(s) break the contract:\n{}",
        problems.len(),
        problems.join("\n")
    );
    for (i, name) in ["as is", "CRLF", "BOM"].iter().enumerate() {
        assert!(
            2 * fast[i] >= checked,
            "the fast reader read only {} of {checked} fixture files ({name})",
            fast[i]
        );
    }
}

/// Texts that once broke the contract (minimised), and their neighbours on the valid side of
/// the same edge; they must keep reading alike.
fn regressions() -> Vec<String> {
    vec![
        // An anchor before a compact mapping names the first key, not the mapping (the fast
        // reader anchored the mapping).
        "- &a k: v\n".to_string(),
        "- &a\n  k: v\n".to_string(),
        // An anchor before a compact sequence is an error (the fast reader accepted it).
        "- &a - x\n".to_string(),
        "- &a\n  - x\n".to_string(),
        // libyaml forgets a simple key whose `:` lies more than 1,024 bytes past its start:
        // an error in block context (the fast reader accepted both)...
        format!("k{}: v\n", " ".repeat(1024)),
        format!("{}{}: v\n", "k".repeat(1000), " ".repeat(25)),
        format!("k{}: v\n", " ".repeat(1023)),
        // ... and in a flow mapping, where the key is then a key without value.
        format!("{{{}: v}}\n", "k".repeat(1025)),
        format!("{{{}: v}}\n", "k".repeat(1024)),
        // An empty value in a flow mapping sits at the next token (`}` or `,`), even on a later
        // line (the fast reader put it just past the `: ` on the line before).
        "{a: \n}".to_string(),
        "{a: b, c: \n}\n".to_string(),
        "{a: \n, b: c}\n".to_string(),
        "- key: {a: \r\n    }\r\n".to_string(),
        "{a: }\n".to_string(),
        "{a: , b: c}\n".to_string(),
    ]
}

#[test]
fn regressions_read_alike_with_both_readers() {
    let failures: Vec<String> = regressions()
        .iter()
        .filter_map(|text| check_contract(text).err().map(|e| format!("{text:?}: {e}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} regression text(s) break the contract:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// The grammar of YAML-ish texts: lines of an indentation, a head, a value and a trailer.

/// Line heads; `{k}` is replaced by a key. The second field says whether a value follows.
const HEADS: &[(u32, &str, bool)] = &[
    (14, "{k}: ", true),
    (7, "- ", true),
    (7, "- {k}: ", true),
    (1, "", true),
    (1, "? ", true),
    (1, ": ", true),
    (2, "---", false),
    (1, "--- ", true),
    (1, "...", false),
    (1, "# comment", false),
    (2, "\"quoted key\": ", true),
    (1, "'single key': ", true),
    (1, "\"esc\\t key\": ", true),
    (1, "- - ", true),
    (1, "{k}:", true),
    (1, "{k}:  ", true),
    (1, "&k {k}: ", true),
    (1, "- &k {k}: ", true),
    (1, "{k}                              : ", true),
    (1, "\"multi\n  line key\": ", true),
    (1, "%YAML 1.1", false),
    (1, "{k} : ", true),
];

/// Keys for `{k}` (`{k1000}` is a key of 1,000 bytes).
const KEYS: &[(u32, &str)] = &[
    (8, "key"),
    (4, "name"),
    (3, "image"),
    (1, "é"),
    (1, "日本"),
    (1, "😀"),
    (1, "two words"),
    (1, "-k"),
    (1, "x:y"),
    (1, "a:"),
    (1, "k#"),
    (1, "a.b/c"),
    (1, "?x"),
    (1, "a\u{a0}b"),
    (1, "---"),
    (1, "..."),
    (1, "{k1000}"),
];

/// Values. A `\n` starts a continuation line, written at the line's content column plus two
/// (an empty piece is a blank line; a piece starting with `\u{1}` is written at column 0).
const VALUES: &[(u32, &str)] = &[
    (14, ""),
    (10, "word"),
    (3, "two words here"),
    (1, "a:b"),
    (1, "a::b"),
    (1, "a:"),
    (1, "-1"),
    (1, "-c"),
    (1, "-"),
    (1, "{x"),
    (1, "`x"),
    (1, "@x"),
    (1, "%x"),
    (1, "#x"),
    (1, "x #y"),
    (1, "x#y"),
    (2, "é 日本"),
    (1, "😀 x"),
    (1, "\u{a0}"),
    (1, "a\u{85}b"),
    (1, "a\u{2028}b"),
    (1, "http://x.io:80/p"),
    (1, "a,b]c}d{e[f"),
    (1, "a   b"),
    (1, "---"),
    (1, "--- x"),
    (1, "..."),
    (1, "--x"),
    (1, "true"),
    (2, "'single ''q'''"),
    (2, "\"double \\\" \\n \\x41 \\u00e9 esc\""),
    (
        1,
        "\"\\0 \\a \\b \\t \\v \\f \\r \\e \\  \\/ \\\\ \\N \\_ \\L \\P\"",
    ),
    (1, "\"\\U0001F600 \\x7f \\u0085\""),
    (1, "\"\\uD800\""),
    (1, "\"\\x4\""),
    (1, "\"\\q\""),
    (2, "\"plain dq\""),
    (1, "\"  padded  \""),
    (1, "' padded '"),
    (1, "\"é 日本\""),
    (1, "''"),
    (1, "\"\""),
    (1, "'a' 'b'"),
    (1, "\"a\"b"),
    (2, "word\ncontinued plain\n\nafter blank"),
    (1, "word\n  more indented\n # comment"),
    (1, "word\n- not an item"),
    (1, "word\ncontinued # comment"),
    (1, "word\nkey: in continuation"),
    (2, "'single\nq continued'"),
    (1, "'single\n\n  \nblank lines'"),
    (2, "\"double\ncontinued \\\n  escaped break\""),
    (1, "\"dq\n\n  blank between\""),
    (1, "\"trailing   \n  spaces\""),
    (3, "|\nline one\n  more indented\n\nlast"),
    (2, "|-\nx\ny\n"),
    (2, "|+\nkeep\n\n"),
    (2, ">\nfolded one\nfolded two\n\n  spaced\nend"),
    (2, ">-\nfolded\n"),
    (1, ">+\nfolded\n  more\nback\n"),
    (1, "|\n"),
    (1, "|"),
    (1, "| # comment\ntext"),
    (1, "|#comment\ntext"),
    (1, "|  \ntext  "),
    (1, "|\n    deeper first\n  then less"),
    (1, "|\n      \n  text"),
    (1, "|\n\n\n  text\n\n"),
    (1, ">\n  more\nless\n  more\n\nend"),
    (1, "|2\n  explicit indent"),
    (1, "|-1\n x"),
    (1, "|\n text é 日本"),
    (1, "|+\na\n\u{1}    \n"),
    (1, ">\na\n\u{1}  \n\nb"),
    (1, "|-\na\n\u{1} \nb\n\u{1}      \n"),
    (2, "[a, b]"),
    (2, "{a: b}"),
    (1, "[]"),
    (1, "{}"),
    (1, "[ ]"),
    (1, "{ a: b }"),
    (2, "[\"x\", -y]"),
    (1, "[ \"a\" , 'b' ]"),
    (1, "[é, 日本, \"😀\"]"),
    (1, "[a, [b, c], {d: e}]"),
    (1, "{a: [1, 2], \"b\": 'c'}"),
    (1, "{\"a\":b}"),
    (1, "{a: b, c}"),
    (1, "{a: }"),
    (1, "[a: b]"),
    (1, "[-a, - b]"),
    (1, "[a]#c"),
    (1, "[a] # c"),
    (1, "[a]x"),
    (1, "[a,b]"),
    (1, "[a, b,]"),
    (1, "[a b]"),
    (1, "[a #c]"),
    (1, "[a,\nb]"),
    (1, "{a: b,\nc: d}"),
    (1, "[\na,\nb\n]"),
    (1, "[a, # comment\nb]"),
    (1, "{a: b, # comment\nc: d}"),
    (1, "[a,\n\u{1}b]"),
    (1, "[a,\n\u{1}---]"),
    (1, "[a,\n\u{1}... ]"),
    (1, "{a: 'b\nc', d: \"e\nf\"}"),
    (1, "[a\nb]"),
    (1, "[a,\n\nb]"),
    (1, "{a:\nb}"),
    (1, "{a\n: b}"),
    (1, "[\n]"),
    (1, "[a]]"),
    (1, "{a: [b,\nc]}"),
    (1, "[a,\n- b]"),
    (1, "[a,\n\t b]"),
    (1, "[a, #c\n]"),
    (1, "[a,\n#c\nb]"),
    (1, "{? a: b}"),
    (1, "[a,\nb]: c"),
    (1, "[a,\n  é, 日本]"),
    (1, "{a: \n}"),
    (1, "{a: b, c: \n}"),
    (1, "{a: \n, b: c}"),
    (1, "{a:\n}"),
    (1, "{a: # c\n}"),
    (1, "[a, \n]"),
    (1, "[a,\n]"),
    (1, "[\na\n, b]"),
    (1, "{\na: b\n}"),
    (1, "{a: b\n, c: d}"),
    (1, "{a: 'q'\n}"),
    (1, "[\"x\",\n\"y\"]"),
    (1, "{a:\n  b}"),
    (1, "[a, {b: c,\nd: e}]"),
    (1, "{a: [b,\n]}"),
    (1, "[[a,\n]]"),
    (1, "{'a'\n: b}"),
    (1, "[a,\n  # comment\n  b]"),
    (1, "[a,\n \n b]"),
    (1, "[a,   \n b]"),
    (1, "[a\n  continued, b]"),
    (1, "{a: b\n  continued}"),
    (1, "{{k1030}: v}"),
    (1, "[{k1030}]"),
    (1, "{a: {k1000}}"),
    (2, "&anchor value"),
    (2, "&anchor"),
    (2, "&anchor\nk: v\nk2: v2"),
    (1, "&anchor\n- a\n- b"),
    (1, "&anchor k: v"),
    (1, "&anchor - x"),
    (1, "&anchor [a, b]"),
    (1, "&anchor 'q'"),
    (1, "&anchor |\ntext"),
    (1, "&anchor # comment\nk: v"),
    (1, "&anchor#x"),
    (1, "&é x"),
    (1, "&anchor *alias"),
    (1, "&a &b x"),
    (3, "*anchor"),
    (1, "*anchor # comment"),
    (1, "*anchor: x"),
    (1, "*anchor x"),
    (1, "!t value"),
    (1, "!!str x"),
    (1, "&a !t x"),
    (1, "!t\nk: v"),
    (1, "- nested"),
    (1, "k: v"),
    (1, "\"unterminated"),
    (1, "'unterminated"),
    (1, "x: y: z"),
    (1, "? x"),
];

/// Trailers after a line's last piece.
const TRAILERS: &[(u32, &str)] = &[
    (40, ""),
    (4, " # comment"),
    (4, "   "),
    (1, " #"),
    (1, "# glued"),
    (1, " \t"),
    (1, " # é 日本"),
];

/// Where a line sits.
#[derive(Debug, Clone, Copy)]
enum Indent {
    /// A child of the previous line when it opened a block, else its sibling.
    Auto,
    /// The previous line's indentation.
    Same,
    /// The previous line's content column (past `- ` and `? `).
    Inside,
    /// The previous line's indentation plus this many spaces.
    Deeper(usize),
    /// One of the indentations seen before (this index, modulo their number).
    Back(usize),
    /// Exactly this many spaces.
    Exact(usize),
}

#[derive(Debug, Clone)]
struct LineSpec {
    indent: Indent,
    /// Turn a mapping head into `key: ` or a sequence head into `- ` when the lines before at
    /// the same indentation are of the other kind (keeps a good share of the texts valid).
    keep_kind: bool,
    /// Blank lines before the line, and the spaces they hold.
    blank: (usize, usize),
    head: usize,
    key: usize,
    value: usize,
    trailer: usize,
}

#[derive(Debug, Clone)]
struct TextSpec {
    lines: Vec<LineSpec>,
    /// Line breaks: 0 LF, 1 CRLF, 2 both (alternating).
    breaks: u8,
    final_newline: bool,
    bom: bool,
    /// Keep to the shapes that are mostly valid YAML: lines nest under the line that opens a
    /// block or go back to an earlier indentation, and no head or value that is mostly wrong.
    tidy: bool,
}

/// Values that make most texts invalid, or that the fast reader leaves to libyaml (left out
/// of tidy texts, which keeps a good share of the texts on the fast reader's path).
const RISKY_VALUES: &[&str] = &[
    "{x",
    "`x",
    "@x",
    "%x",
    "- nested",
    "k: v",
    "\"unterminated",
    "'unterminated",
    "x: y: z",
    "[a, b,]",
    "[a]x",
    "[a #c]",
    "{a: }",
    "'a' 'b'",
    "\"a\"b",
    "word\n- not an item",
    "word\nkey: in continuation",
    "&anchor *alias",
    "&a &b x",
    "*anchor: x",
    "*anchor x",
    "&é x",
    "&anchor#x",
    "\"\\uD800\"",
    "\"\\x4\"",
    "\"\\q\"",
    "? x",
    "!t value",
    "!!str x",
    "&a !t x",
    "!t\nk: v",
    "|2\n  explicit indent",
    "|-1\n x",
    "{a: b, c}",
    "{\"a\":b}",
    "[a: b]",
    "{? a: b}",
    "{a:\n  b}",
    "{a\n: b}",
    "{'a'\n: b}",
    "[a,\n- b]",
    "[a,\n\t b]",
    "[a]]",
    "[a,\nb]: c",
    "[a,\n\u{1}---]",
    "[a,\n\u{1}... ]",
    "a\u{85}b",
    "a\u{2028}b",
    "{a: \n}",
    "{a: b, c: \n}",
    "{a: \n, b: c}",
    "{a:\n}",
    "{a: # c\n}",
    "[a\n  continued, b]",
    "{a: b\n  continued}",
    "[a\nb]",
    "{a: 'b\nc', d: \"e\nf\"}",
];

/// An index into `table` chosen by weight (shrinking towards the first, simplest entries).
fn weighted<T>(table: &'static [T], weight: fn(&T) -> u32) -> impl Strategy<Value = usize> {
    let indexes: Vec<usize> = table
        .iter()
        .enumerate()
        .flat_map(|(i, t)| std::iter::repeat_n(i, weight(t) as usize))
        .collect();
    proptest::sample::select(indexes)
}

fn indent() -> impl Strategy<Value = Indent> {
    prop_oneof![
        16 => Just(Indent::Auto),
        3 => Just(Indent::Same),
        2 => Just(Indent::Inside),
        1 => (1usize..=4).prop_map(Indent::Deeper),
        3 => (0usize..8).prop_map(Indent::Back),
        1 => (0usize..=8).prop_map(Indent::Exact),
    ]
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        indent(),
        proptest::bool::weighted(0.95),
        prop_oneof![12 => Just((0, 0)), 2 => (1usize..3, Just(0)), 1 => (1usize..3, 1usize..7)],
        weighted(HEADS, |h| h.0),
        weighted(KEYS, |k| k.0),
        weighted(VALUES, |v| v.0),
        weighted(TRAILERS, |t| t.0),
    )
        .prop_map(|(indent, keep_kind, blank, head, key, value, trailer)| LineSpec {
            indent,
            keep_kind,
            blank,
            head,
            key,
            value,
            trailer,
        })
}

fn text_spec() -> impl Strategy<Value = TextSpec> {
    (
        proptest::collection::vec(line_spec(), 1..10),
        prop_oneof![14 => Just(0u8), 3 => Just(1u8), 1 => Just(2u8)],
        proptest::bool::weighted(0.85),
        proptest::bool::weighted(0.05),
        proptest::bool::weighted(0.5),
    )
        .prop_map(|(lines, breaks, final_newline, bom, tidy)| TextSpec {
            lines,
            breaks,
            final_newline,
            bom,
            tidy,
        })
}

/// The line break before line `i`.
fn line_break(breaks: u8, i: usize) -> &'static str {
    match breaks {
        0 => "\n",
        1 => "\r\n",
        _ if i % 2 == 0 => "\r\n",
        _ => "\n",
    }
}

/// Write the text a spec describes.
fn render(spec: &TextSpec) -> String {
    let mut lines: Vec<String> = Vec::new();
    // Indentations seen so far, and the previous line's indentation and content column, and
    // whether it opened a block (a head with an empty value, or only an anchor or a tag).
    let mut seen: Vec<usize> = vec![0];
    let (mut last, mut last_content, mut opened) = (0usize, 0usize, false);
    // The open block levels: indentation and whether its lines are sequence items.
    let mut levels: Vec<(usize, bool)> = Vec::new();
    // Whether `&anchor` was written in the current document.
    let mut anchored = false;
    for line in &spec.lines {
        let (_, mut head, takes_value) = HEADS[line.head];
        let mut value = if takes_value { VALUES[line.value].1 } else { "" };
        let mut mode = line.indent;
        if spec.tidy {
            if matches!(
                head,
                "" | "{k}:" | "? " | ": " | "%YAML 1.1" | "\"multi\n  line key\": "
            ) {
                head = "{k}: ";
            }
            if RISKY_VALUES.contains(&value) {
                value = "word";
            }
            // An alias needs an anchor before it in its document.
            if value.starts_with('*') && !anchored {
                value = "&anchor value";
            }
            if !matches!(mode, Indent::Back(_)) {
                mode = Indent::Auto;
            }
        }
        let keep_kind = line.keep_kind || spec.tidy;
        let indent = match mode {
            Indent::Auto if opened => last_content + 2,
            Indent::Auto | Indent::Same => last,
            Indent::Inside => last_content,
            Indent::Deeper(n) => last + n,
            Indent::Back(i) => seen[i % seen.len()],
            Indent::Exact(n) => n,
        };
        if !seen.contains(&indent) {
            seen.push(indent);
        }
        if head.starts_with("---") || head == "..." {
            levels.clear();
            anchored = false;
        } else if head.contains(": ") || head.starts_with('-') {
            levels.retain(|&(i, _)| i <= indent);
            let item = head.starts_with('-');
            if let Some(&(_, kind)) = levels.iter().find(|&&(i, _)| i == indent)
                && keep_kind
                && kind != item
            {
                head = if kind { "- " } else { "{k}: " };
            }
            let item = head.starts_with('-');
            levels.retain(|&(i, _)| i != indent);
            levels.push((indent, item));
            if head.starts_with("- ") && head.ends_with(": ") {
                levels.push((indent + 2, false));
            }
        }
        let head = head.replace("{k}", KEYS[line.key].1);
        anchored |= value.contains("&anchor");
        for _ in 0..line.blank.0 {
            lines.push(" ".repeat(line.blank.1));
        }
        let content = indent + head.chars().take_while(|c| matches!(c, '-' | '?' | ' ')).count();
        let mut pieces = value.split('\n');
        let first = pieces.next().unwrap_or_default();
        let mut text = format!("{}{head}{first}", " ".repeat(indent));
        for piece in pieces {
            lines.push(text);
            text = if let Some(piece) = piece.strip_prefix('\u{1}') {
                piece.to_string()
            } else if piece.is_empty() {
                String::new()
            } else {
                format!("{}{piece}", " ".repeat(content + 2))
            };
        }
        text.push_str(TRAILERS[line.trailer].1);
        lines.push(text);
        opened = takes_value
            && (value.is_empty() || value.starts_with('&') && !value.contains(' ') || value == "!t\nk: v")
            && !head.is_empty();
        last = indent;
        last_content = if head.ends_with(": ") || head.ends_with(':') {
            indent
        } else {
            content
        };
    }
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            text.push_str(line_break(spec.breaks, i));
        }
        text.push_str(line);
    }
    if spec.final_newline {
        text.push_str(line_break(spec.breaks, lines.len()));
    }
    if spec.bom {
        text.insert(0, '\u{feff}');
    }
    // Long keys, about libyaml's limit of 1,024 bytes between a simple key's start and its `:`.
    text.replace("{k1000}", &"k".repeat(1000))
        .replace("{k1030}", &"k".repeat(1030))
}

#[test]
fn generated_texts_read_alike_with_both_readers() {
    const CASES: u32 = 5_000;
    let config = Config {
        cases: CASES,
        // Minimal failing texts go into `regressions()` by hand.
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let (cases, valid, fast) = (Cell::new(0usize), Cell::new(0usize), Cell::new(0usize));
    let result = runner.run(&text_spec(), |spec| {
        let text = render(&spec);
        match check_contract(&text) {
            Ok(agreed) => {
                cases.set(cases.get() + 1);
                valid.set(valid.get() + usize::from(agreed.valid));
                fast.set(fast.get() + usize::from(agreed.fast));
                Ok(())
            }
            Err(problem) => Err(TestCaseError::fail(format!("{text:?}: {problem}"))),
        }
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, spec)) => {
            panic!("{reason}\nminimal text: {:?}\nspec: {spec:?}", render(&spec))
        }
        Err(e) => panic!("{e}"),
    }
    let (cases, valid, fast) = (cases.get(), valid.get(), fast.get());
    eprintln!(
        "reader grammar: {cases} texts, {valid} valid YAML ({}%), {fast} read by the fast reader ({}%)",
        100 * valid / cases,
        100 * fast / cases
    );
    assert!(
        10 * valid >= 3 * cases,
        "only {valid} of {cases} generated texts are valid YAML"
    );
    assert!(
        5 * fast >= cases,
        "the fast reader read only {fast} of {cases} generated texts"
    );
}

/// Not run by default: reads `RELMAN_READER_CASES` (default 100,000) generated texts without
/// stopping at the first failure, prints the shortest text of each distinct failure, then
/// which line of `fast.rs` declines how many of 5,000 valid generated texts. Texts holding one
/// of the `|`-separated strings of `RELMAN_READER_SKIP` are skipped (to look past a known
/// failure). With `RELMAN_READER_DUMP` set to a folder, the first 1,000 texts are also
/// written there (seeds for the `fast_reader` fuzz target).
///
/// `RELMAN_READER_CASES=300000 cargo test -p relman --test main reader::explore -- --ignored --nocapture`
#[test]
#[ignore]
fn explore() {
    use proptest::strategy::ValueTree;
    use std::collections::BTreeMap;
    let cases: usize = std::env::var("RELMAN_READER_CASES").map_or(100_000, |v| v.parse().expect("a number"));
    let skip = std::env::var("RELMAN_READER_SKIP").unwrap_or_default();
    let skipped = |text: &str| !skip.is_empty() && skip.split('|').any(|k| text.contains(k));
    let mut runner = TestRunner::new(Config::default());
    let strategy = text_spec();
    let mut generate = || render(&strategy.new_tree(&mut runner).expect("a text").current());
    let dump = std::env::var_os("RELMAN_READER_DUMP").map(PathBuf::from);
    // Failures by their message without numbers: the shortest text.
    let mut failures = BTreeMap::<String, String>::new();
    for i in 0..cases {
        let text = generate();
        if let Some(dir) = dump.as_ref().filter(|_| i < 1_000) {
            std::fs::write(dir.join(format!("grammar-{i:04}")), &text).expect("dump folder is writable");
        }
        if skipped(&text) {
            continue;
        }
        if let Err(problem) = check_contract(&text) {
            let kind: String = problem.chars().filter(|c| !c.is_ascii_digit()).collect();
            if failures.get(&kind).is_none_or(|old| old.len() > text.len()) {
                failures.insert(kind, text);
            }
        }
    }
    println!("{} distinct failure(s) in {cases} texts", failures.len());
    for text in failures.values() {
        println!("{text:?}\n  {}", check_contract(text).expect_err("fails"));
    }
    let mut declines = BTreeMap::<u32, (usize, String)>::new();
    let mut valid = 0;
    while valid < 5_000 {
        let text = generate();
        if Stream::parse_with_libyaml(&text, &relman::__private::yaml::Arena::new()).is_err() {
            continue;
        }
        valid += 1;
        if let Some((line, _)) = relman::__private::yaml::fast_reader_declines_at(&text) {
            let e = declines.entry(line).or_insert((0, text.clone()));
            e.0 += 1;
            if text.len() < e.1.len() {
                e.1 = text;
            }
        }
    }
    for (line, (n, text)) in declines {
        println!("fast.rs:{line} declines {n} valid texts, e.g. {text:?}");
    }
}

/// Not run by default: the contract checked on each text of the JSON array of strings in the
/// file `RELMAN_READER_TEXTS` (to minimise a failure by hand).
#[test]
#[ignore]
fn check_texts_from_file() {
    let path = std::env::var("RELMAN_READER_TEXTS").expect("RELMAN_READER_TEXTS names a JSON file");
    let texts: Vec<String> = serde_json::from_str(&std::fs::read_to_string(path).expect("readable"))
        .expect("a JSON array of strings");
    for text in &texts {
        println!(
            "{text:?}\n  fast reader accepts: {}; {:?}",
            fast_reader_accepts(text),
            check_contract(text)
        );
    }
}
