//! The fast reader (`fast.rs`) against libyaml's reader, through [`Stream`]: shapes the fast
//! reader reads itself build exactly libyaml's tree, the rest is declined. Kept apart from
//! `fast.rs` so that the fast reader does not import the stream that calls it.

use super::Arena;
use super::stream::{Stream, fast_reader_accepts};

/// The fast reader reads `text` itself and builds exactly libyaml's tree.
fn same(text: &str) {
    assert!(fast_reader_accepts(text), "declined: {text:?}");
    let arena = Arena::new();
    let fast = Stream::parse(text, &arena).expect("fast").documents;
    let reference = Stream::parse_with_libyaml(text, &arena)
        .expect("libyaml")
        .documents;
    assert_eq!(fast, reference, "{text:?}");
    let crlf = text.replace('\n', "\r\n");
    let fast = Stream::parse(&crlf, &arena)
        .map(|s| s.documents)
        .map_err(|e| e.to_string());
    let reference = Stream::parse_with_libyaml(&crlf, &arena)
        .map(|s| s.documents)
        .map_err(|e| e.to_string());
    assert_eq!(fast, reference, "CRLF {crlf:?}");
}

/// The fast reader leaves `text` to libyaml (and the result is libyaml's).
fn declined(text: &str) {
    assert!(!fast_reader_accepts(text), "accepted: {text:?}");
}

#[test]
fn block_shapes() {
    same("");
    same("# only a comment\n");
    same("a: b\n");
    same("a: b");
    same("a:\n  b: c\n  d:\n    - e\n    - f: g\n      h: i\n  j: k\nl: m\n");
    same("a:\n- b\n- c\nd: e\n");
    same("- - a\n  - b\n- c\n");
    same("-\n- a\n-\n");
    same("a:\nb:\n");
    same("a:   # comment\n\n  # more\n  b: c   \n");
    same("  a: b\n  c: d\n");
    same("key with spaces: value with spaces\n\"quoted key\": 'v'\n");
    same("a: -1\nb: -c\nc: x:y\nd: a#b\ne: http://x\n");
    same("k: é日本\n日本: é\n");
}

#[test]
fn documents() {
    same("---\n---\n");
    same("---");
    same("a: b\n---\nc: d\n--- # comment\ne: f\n");
    same("--- \n- a\n");
}

#[test]
fn scalars() {
    same("a: 'it''s'\nb: \"x y\"\nc: ''\nd: \"\"\n");
    same("a: \"esc \\\" \\\\ \\n \\t \\x41 \\u00e9 \\U0001F600 \\/ \\0\"\n");
    same("a: 'one\n  two\n\n  three'\nb: \"x\\\n  y\"\n");
    same("a: plain\n  continued\n\n  after blank\nb: c\n");
    same("- plain\n  continued\n- -Dx=y\n  -Dz\n");
    same(
        "a: |\n  line\n    more\n\n  last\nb: >\n  folded\n  text\n\n   kept\n  end\nc: |-\n  x\nd: |+\n  y\n\n",
    );
    same("a: |\n\n  after blank\n");
    same("- |\n  item\n- >-\n  x\n");
    same("a: |\nb: c\n");
    same("a: | # comment\n  x\n");
}

#[test]
fn flow_and_properties() {
    same("a: []\nb: {}\nc: [x, 'y', \"z\", -w]\nd: {k: v, 'q': \"r\"}\ne: [[a], {b: c}]\n");
    same("a: [\n  x,\n  y, # comment\n]\nb: {\n  k: v,\n}\n");
    same("a: &anchor\n  b: c\nd: *anchor\ne: &s scalar\nf:\n- &i item\n- *i\n<<: *anchor\n");
    declined("- &m k: v\n  l: w\n");
    declined("- &m k: v\n");
    declined("- &m - v\n");
}

#[test]
fn left_to_libyaml() {
    declined("a: !tag b\n");
    declined("%YAML 1.2\n---\na: b\n");
    declined("a: b\n...\n");
    declined("? a\n: b\n");
    declined("a:\tb\n");
    declined("a: b\rc: d\n");
    declined("a: |2\n   x\n");
    declined("a: [b\n  c]\n");
    declined("a: \"\\q\"\n");
    declined("a: &x\nb: c\n");
    declined(&format!("{}a: b\n", "- ".repeat(80)));
    declined(&format!("a: {{{}: v}}\n", "k".repeat(1100)));
    declined(&format!("{}: v\n", "k".repeat(1100)));
}

#[test]
fn errors_come_from_libyaml() {
    for text in [
        "a: b: c\n",
        "a:\n  b: c\n d: e\n",
        "- a\nb: c\n",
        "a: 'x\n",
        "a: [b, c\n",
        "a: \"\\xZZ\"\n",
    ] {
        declined(text);
        assert!(Stream::parse(text, &Arena::new()).is_err(), "{text:?}");
    }
}
