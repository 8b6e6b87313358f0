//! The splicing editor: a [`Patch`] collects byte edits together with what each edit is meant
//! to do to the document tree; [`Patch::apply`] splices them in one pass, re-parses the result
//! and checks that the tree changed exactly as intended.

use std::ops::Range;

use super::Arena;
use super::node::ScalarStyle;
use super::node::{Entry, Node, NodeKind};
use super::scalar::{double_quoted, render};
use super::stream::{Stream, line_break, line_start, next_line_start};
use crate::error::{Error, ErrorKind, Result};

/// One step of a path from a document root: the value of the mapping entry at an index, or
/// the sequence item at an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The value of the `n`th entry of a mapping.
    Value(usize),
    /// The `n`th item of a sequence.
    Item(usize),
}

/// A node's address: document index and path from that document's root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path {
    /// Index of the document in the stream.
    pub doc: usize,
    /// Steps from the document root.
    pub steps: Vec<Step>,
}

impl Path {
    /// The path of a document's root.
    pub fn root(doc: usize) -> Path {
        Path {
            doc,
            steps: Vec::new(),
        }
    }

    /// This path extended by one step.
    pub fn then(&self, step: Step) -> Path {
        let mut steps = Vec::with_capacity(self.steps.len() + 1);
        steps.extend_from_slice(&self.steps);
        steps.push(step);
        Path { doc: self.doc, steps }
    }
}

/// What a node an edit writes will read back as. A patch outlives the stream it was made from,
/// so it owns its strings; [`Shape::build`] makes the detached [`Node`] compared with the
/// re-parsed one, in the verification's arena.
#[derive(Debug, Clone)]
enum Shape {
    Scalar {
        value: String,
        style: ScalarStyle,
        anchor: Option<String>,
        tag: Option<String>,
    },
    Mapping {
        entries: Vec<(Shape, Shape)>,
        flow: bool,
    },
    /// A block sequence.
    Sequence { items: Vec<Shape> },
}

impl Shape {
    /// A scalar without properties.
    fn scalar(value: &str, style: ScalarStyle) -> Shape {
        Shape::Scalar {
            value: value.to_owned(),
            style,
            anchor: None,
            tag: None,
        }
    }

    /// The detached node, its collections in `arena` and its strings borrowed from `self`.
    fn build<'a>(&'a self, arena: &'a Arena) -> Node<'a> {
        match self {
            Shape::Scalar {
                value,
                style,
                anchor,
                tag,
            } => {
                let mut node = Node::scalar(value, *style);
                node.set_props(arena, anchor.as_deref(), tag.as_deref());
                node
            }
            Shape::Mapping { entries, flow } => Node::mapping(
                arena.slice_from(entries.iter().map(|(k, v)| Entry {
                    key: k.build(arena),
                    value: v.build(arena),
                })),
                *flow,
            ),
            Shape::Sequence { items } => {
                Node::detached_sequence(arena.slice_from(items.iter().map(|i| i.build(arena))))
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Intent {
    Replace { at: Path, node: Shape },
    Insert { mapping: Path, entry: (Shape, Shape) },
    Remove { mapping: Path, index: usize },
    Push { sequence: Path, item: Shape },
}

impl Intent {
    /// The path of the node the intent changes (the replaced node, the mapping or sequence).
    fn path(&self) -> &Path {
        match self {
            Intent::Replace { at, .. } => at,
            Intent::Insert { mapping, .. } | Intent::Remove { mapping, .. } => mapping,
            Intent::Push { sequence, .. } => sequence,
        }
    }
}

#[derive(Debug, Clone)]
struct Splice {
    range: Range<usize>,
    text: String,
}

/// A set of edits to one text, verified when applied.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    splices: Vec<Splice>,
    intents: Vec<Intent>,
}

fn unsupported(stream: &Stream<'_>, node: &Node<'_>, message: impl Into<String>) -> Error {
    located(stream, node, ErrorKind::UnsupportedYaml, message)
}

fn located(stream: &Stream<'_>, node: &Node<'_>, kind: ErrorKind, message: impl Into<String>) -> Error {
    let (line, column) = stream.line_col(node);
    Error::new(kind, message).at(line, column)
}

/// Resolve `path` in `stream`.
pub fn resolve<'s, 't>(stream: &'s Stream<'t>, path: &Path) -> Option<&'s Node<'t>> {
    let mut node = &stream.documents.get(path.doc)?.root;
    for step in &path.steps {
        node = match step {
            Step::Value(i) => &node.entries()?.get(*i)?.value,
            Step::Item(i) => node.items()?.get(*i)?,
        };
    }
    Some(node)
}

/// Where the text of a node ends, looking through block collections (whose libyaml end mark
/// lies at the next token, possibly lines later) to their last leaf.
fn content_end(node: &Node<'_>) -> usize {
    match &node.kind {
        NodeKind::Mapping { entries, flow: false } if !entries.is_empty() => {
            content_end(&entries[entries.len() - 1].value)
        }
        NodeKind::Sequence { items, flow: false } if !items.is_empty() => {
            content_end(&items[items.len() - 1])
        }
        _ => node.end(),
    }
}

/// The offset just past the line that holds the end of `node` (a block scalar already ends at
/// a line start).
fn end_of_entry_line(text: &str, node: &Node<'_>) -> usize {
    let end = content_end(node);
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        end
    } else {
        next_line_start(text, end)
    }
}

/// Whether only blanks precede `pos` on its line.
fn first_on_line(text: &str, pos: usize) -> bool {
    text[line_start(text, pos)..pos]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
}

/// Render a key for a new entry: plain when it reads back as the same string, else quoted.
fn render_key(key: &str, in_flow: bool) -> String {
    render(key, ScalarStyle::Plain, in_flow).0
}

impl Patch {
    /// An empty patch.
    pub fn new() -> Patch {
        Patch::default()
    }

    /// Add the edits of `other` to this patch.
    pub fn extend(&mut self, other: Patch) {
        self.splices.extend(other.splices);
        self.intents.extend(other.intents);
    }

    /// Set the scalar at `path` to `value`, keeping its quote style (plain is upgraded to
    /// double quotes when the value would otherwise change type). Setting the value it already
    /// has is a no-op.
    ///
    /// Refused with `unsupported_yaml`: an alias, an anchored scalar that an alias uses, a
    /// block scalar, an empty value. A collection gives `invalid_yaml`.
    pub fn set_scalar(&mut self, stream: &Stream<'_>, path: &Path, value: &str) -> Result<()> {
        let node = resolve(stream, path).ok_or_else(|| internal("path does not resolve"))?;
        let doc = &stream.documents[path.doc];
        let (current, style) = match &node.kind {
            NodeKind::Alias { anchor } => {
                return Err(unsupported(
                    stream,
                    node,
                    format!("the value is an alias (*{anchor}); relman does not edit through aliases"),
                ));
            }
            NodeKind::Mapping { .. } | NodeKind::Sequence { .. } => {
                return Err(located(
                    stream,
                    node,
                    ErrorKind::InvalidYaml,
                    "expected a string, found a collection",
                ));
            }
            NodeKind::Scalar { value, style } => (*value, *style),
        };
        if current == value {
            // Setting the value it already has changes nothing, whatever the construct.
            return Ok(());
        }
        if let Some(anchor) = node.anchor() {
            if doc.is_aliased(anchor) {
                return Err(unsupported(
                    stream,
                    node,
                    format!(
                        "the value carries anchor &{anchor}, which an alias uses elsewhere; editing it would change that place too"
                    ),
                ));
            }
        }
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return Err(unsupported(
                stream,
                node,
                "the value is a block scalar (| or >); relman edits only single-line values",
            ));
        }
        let text = stream.text();
        let start = super::stream::content_start(text, node);
        if style == ScalarStyle::Plain && start == node.end() {
            return Err(unsupported(
                stream,
                node,
                "the value is empty; relman does not fill in empty values",
            ));
        }
        let (token, new_style) = render(value, style, node.in_flow);
        self.splices.push(Splice {
            range: start..node.end(),
            text: token,
        });
        let replacement = Shape::Scalar {
            value: value.to_owned(),
            style: new_style,
            anchor: node.anchor().map(str::to_owned),
            tag: node.tag().map(str::to_owned),
        };
        self.intents.push(Intent::Replace {
            at: path.clone(),
            node: replacement,
        });
        Ok(())
    }

    /// Append the entries `key: "value"` (values double-quoted) at the end of the mapping at
    /// `path`, indented like its other keys.
    pub fn append_entries(
        &mut self,
        stream: &Stream<'_>,
        path: &Path,
        new: &[(String, String)],
    ) -> Result<()> {
        self.append_entries_styled(stream, path, new, ScalarStyle::DoubleQuoted)
    }

    /// Append the entries `key: value` at the end of the mapping at `path`, indented like its
    /// other keys, each value written in `style` (plain is upgraded to double quotes where the
    /// value would otherwise change type).
    pub fn append_entries_styled(
        &mut self,
        stream: &Stream<'_>,
        path: &Path,
        new: &[(String, String)],
        style: ScalarStyle,
    ) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let text = stream.text();
        let lb = line_break(text);
        let node = resolve(stream, path).ok_or_else(|| internal("path does not resolve"))?;
        let flow = node.is_flow();
        let detached: Vec<(Shape, Shape)> = new
            .iter()
            .map(|(k, v)| {
                (
                    Shape::scalar(k, key_style(k, flow)),
                    Shape::scalar(v, render(v, style, flow).1),
                )
            })
            .collect();
        match &node.kind {
            NodeKind::Mapping { entries, flow: true } => {
                let body = new
                    .iter()
                    .map(|(k, v)| format!("{}: {}", render_key(k, true), render(v, style, true).0))
                    .collect::<Vec<_>>()
                    .join(", ");
                match entries.last() {
                    Some(last) => {
                        let at = content_end(&last.value);
                        self.splices.push(Splice {
                            range: at..at,
                            text: format!(", {body}"),
                        });
                    }
                    None => {
                        // `{}` or `{ }`: write between the braces.
                        self.splices.push(Splice {
                            range: node.start() + 1..node.end() - 1,
                            text: body,
                        });
                    }
                }
                for entry in detached {
                    self.intents.push(Intent::Insert {
                        mapping: path.clone(),
                        entry,
                    });
                }
            }
            NodeKind::Mapping { entries, flow: false } => {
                let first = entries.first().ok_or_else(|| internal("empty block mapping"))?;
                let last = &entries[entries.len() - 1];
                let indent = " ".repeat(stream.line_col(&first.key).1 - 1);
                let at = end_of_entry_line(text, &last.value);
                let no_final_newline = at == text.len() && !text.ends_with('\n');
                let mut out = String::new();
                if no_final_newline {
                    out.push_str(lb);
                }
                for (k, v) in new {
                    out.push_str(&format!(
                        "{indent}{}: {}{lb}",
                        render_key(k, false),
                        render(v, style, false).0
                    ));
                }
                if no_final_newline {
                    // Keep the missing final newline missing.
                    out.truncate(out.len() - lb.len());
                }
                self.splices.push(Splice {
                    range: at..at,
                    text: out,
                });
                for entry in detached {
                    self.intents.push(Intent::Insert {
                        mapping: path.clone(),
                        entry,
                    });
                }
            }
            NodeKind::Scalar {
                value: "",
                style: ScalarStyle::Plain,
            } => {
                return Err(unsupported(
                    stream,
                    node,
                    "the mapping is empty (null); write `{}` or an entry first",
                ));
            }
            _ => {
                return Err(located(
                    stream,
                    node,
                    ErrorKind::InvalidYaml,
                    "expected a mapping",
                ));
            }
        }
        Ok(())
    }

    /// Append a new entry `key:` holding a mapping of `new` entries to the mapping at `path`
    /// (used to create `metadata.annotations`). The child indentation step is taken from the
    /// mapping itself: its keys' column minus its parent key's column, else two spaces.
    pub fn append_mapping_entry(
        &mut self,
        stream: &Stream<'_>,
        path: &Path,
        parent_key_column: Option<usize>,
        key: &str,
        new: &[(String, String)],
    ) -> Result<()> {
        let text = stream.text();
        let lb = line_break(text);
        let node = resolve(stream, path).ok_or_else(|| internal("path does not resolve"))?;
        let (entries, flow) = match &node.kind {
            NodeKind::Mapping { entries, flow } => (entries, *flow),
            _ => {
                return Err(located(
                    stream,
                    node,
                    ErrorKind::InvalidYaml,
                    "expected a mapping",
                ));
            }
        };
        let child_flow = flow;
        let children: Vec<(Shape, Shape)> = new
            .iter()
            .map(|(k, v)| {
                (
                    Shape::scalar(k, key_style(k, child_flow)),
                    Shape::scalar(v, ScalarStyle::DoubleQuoted),
                )
            })
            .collect();
        let entry = (
            Shape::scalar(key, key_style(key, flow)),
            Shape::Mapping {
                entries: children,
                flow: child_flow,
            },
        );
        if flow || entries.is_empty() {
            let body = new
                .iter()
                .map(|(k, v)| format!("{}: {}", render_key(k, true), double_quoted(v)))
                .collect::<Vec<_>>()
                .join(", ");
            let item = format!("{}: {{{body}}}", render_key(key, true));
            if !flow {
                return Err(internal("empty block mapping"));
            }
            match entries.last() {
                Some(last) => {
                    let at = content_end(&last.value);
                    self.splices.push(Splice {
                        range: at..at,
                        text: format!(", {item}"),
                    });
                }
                None => self.splices.push(Splice {
                    range: node.start() + 1..node.end() - 1,
                    text: item,
                }),
            }
            let mut entry = entry;
            if let Shape::Mapping { flow, .. } = &mut entry.1 {
                *flow = true;
            }
            self.intents.push(Intent::Insert {
                mapping: path.clone(),
                entry,
            });
            return Ok(());
        }
        let column = stream.line_col(&entries[0].key).1;
        let step = match parent_key_column {
            Some(p) if column > p => column - p,
            _ => 2,
        };
        let indent = " ".repeat(column - 1);
        let child_indent = " ".repeat(column - 1 + step);
        let last = &entries[entries.len() - 1];
        let at = end_of_entry_line(text, &last.value);
        let mut out = String::new();
        let no_final_newline = at == text.len() && !text.ends_with('\n');
        if no_final_newline {
            out.push_str(lb);
        }
        out.push_str(&format!("{indent}{}:{lb}", render_key(key, false)));
        for (k, v) in new {
            out.push_str(&format!(
                "{child_indent}{}: {}{lb}",
                render_key(k, false),
                double_quoted(v)
            ));
        }
        if no_final_newline {
            out.truncate(out.len() - lb.len());
        }
        self.splices.push(Splice {
            range: at..at,
            text: out,
        });
        self.intents.push(Intent::Insert {
            mapping: path.clone(),
            entry,
        });
        Ok(())
    }

    /// Append an item to the block sequence at `path`: a mapping of `fields` (values written in
    /// `style`), with its `- ` at the column of the other items' dashes and its keys where the
    /// other items' keys are.
    pub fn append_item(
        &mut self,
        stream: &Stream<'_>,
        path: &Path,
        fields: &[(String, String)],
        style: ScalarStyle,
    ) -> Result<()> {
        let text = stream.text();
        let node = resolve(stream, path).ok_or_else(|| internal("path does not resolve"))?;
        let items = match &node.kind {
            NodeKind::Sequence { items, flow: false } if !items.is_empty() => items,
            _ => {
                return Err(unsupported(
                    stream,
                    node,
                    "relman appends only to a non-empty block sequence",
                ));
            }
        };
        let last = &items[items.len() - 1];
        let dash =
            dash_column(text, last).ok_or_else(|| unsupported(stream, last, "sequence item without `- `"))?;
        let key_column = match last.entries().and_then(|e| e.first()) {
            Some(e) => stream.line_col(&e.key).1 - 1,
            None => dash + 2,
        };
        let at = end_of_entry_line(text, last);
        let block = item_block(text, dash, key_column, fields, style);
        self.insert_block(text, at, block);
        self.intents.push(Intent::Push {
            sequence: path.clone(),
            item: detached_mapping(fields, style),
        });
        Ok(())
    }

    /// Append an entry `key:` holding a block sequence of one mapping item (`fields`, values in
    /// `style`) to the block mapping at `path`. `indented` puts the `- ` two columns right of
    /// the key, else at the key's column.
    pub fn append_sequence_entry(
        &mut self,
        stream: &Stream<'_>,
        path: &Path,
        key: &str,
        fields: &[(String, String)],
        style: ScalarStyle,
        indented: bool,
    ) -> Result<()> {
        let text = stream.text();
        let lb = line_break(text);
        let node = resolve(stream, path).ok_or_else(|| internal("path does not resolve"))?;
        let entries = match &node.kind {
            NodeKind::Mapping { entries, flow: false } if !entries.is_empty() => entries,
            _ => {
                return Err(unsupported(
                    stream,
                    node,
                    "relman appends only to a non-empty block mapping",
                ));
            }
        };
        let column = stream.line_col(&entries[0].key).1 - 1;
        let dash = if indented { column + 2 } else { column };
        let at = end_of_entry_line(text, &entries[entries.len() - 1].value);
        let mut block = format!("{}{}:{lb}", " ".repeat(column), render_key(key, false));
        block.push_str(&item_block(text, dash, dash + 2, fields, style));
        self.insert_block(text, at, block);
        let sequence = Shape::Sequence {
            items: vec![detached_mapping(fields, style)],
        };
        self.intents.push(Intent::Insert {
            mapping: path.clone(),
            entry: (Shape::scalar(key, key_style(key, false)), sequence),
        });
        Ok(())
    }

    /// Insert whole lines at `at` (a line start, or the end of a text without final newline).
    fn insert_block(&mut self, text: &str, at: usize, mut block: String) {
        let lb = line_break(text);
        if at == text.len() && !text.ends_with('\n') {
            // Keep the missing final newline missing.
            block.truncate(block.len() - lb.len());
            block.insert_str(0, lb);
        }
        self.splices.push(Splice {
            range: at..at,
            text: block,
        });
    }

    /// Remove the entry at `index` of the mapping at `path`: its whole lines in block style
    /// (with a same-line comment and a multi-line value), its `key: value` and one separating
    /// comma in flow style.
    pub fn remove_entry(&mut self, stream: &Stream<'_>, path: &Path, index: usize) -> Result<()> {
        let text = stream.text();
        let node = resolve(stream, path).ok_or_else(|| internal("path does not resolve"))?;
        let (entries, flow) = match &node.kind {
            NodeKind::Mapping { entries, flow } => (entries, *flow),
            _ => return Err(internal("remove_entry on a non-mapping")),
        };
        let entry = entries
            .get(index)
            .ok_or_else(|| internal("entry index out of range"))?;
        let range = if flow {
            if index > 0 {
                content_end(&entries[index - 1].value)..content_end(&entry.value)
            } else if entries.len() > 1 {
                entry.key.start()..entries[1].key.start()
            } else {
                node.start() + 1..node.end() - 1
            }
        } else {
            if !first_on_line(text, entry.key.start()) {
                return Err(unsupported(
                    stream,
                    &entry.key,
                    "the entry to remove shares its line with other content",
                ));
            }
            let mut start = line_start(text, entry.key.start());
            let end = end_of_entry_line(text, &entry.value);
            if end == text.len() && !text.ends_with('\n') && start > 0 {
                // Keep the missing final newline missing: take the previous line break instead.
                start -= 1;
                if start > 0 && text.as_bytes()[start - 1] == b'\r' {
                    start -= 1;
                }
            }
            start..end
        };
        self.splices.push(Splice {
            range,
            text: String::new(),
        });
        self.intents.push(Intent::Remove {
            mapping: path.clone(),
            index,
        });
        Ok(())
    }

    /// Splice every edit into `stream`'s text in one pass, back to front, then parse the result
    /// and check that the documents changed exactly as intended. Returns the new text; an empty
    /// patch returns the text unchanged.
    pub fn apply(mut self, stream: &Stream<'_>) -> Result<String> {
        let text = stream.text();
        if self.splices.is_empty() {
            return Ok(text.to_string());
        }
        // A stable sort: insertions at the same offset keep the order they were added in.
        self.splices.sort_by_key(|s| (s.range.start, s.range.end));
        for pair in self.splices.windows(2) {
            if pair[0].range.end > pair[1].range.start {
                return Err(internal("two edits overlap"));
            }
        }
        let extra: usize = self.splices.iter().map(|s| s.text.len()).sum();
        let mut out = String::with_capacity(text.len() + extra);
        let mut pos = 0;
        for s in &self.splices {
            out.push_str(&text[pos..s.range.start]);
            out.push_str(&s.text);
            pos = s.range.end;
        }
        out.push_str(&text[pos..]);
        self.verify(stream, &out)?;
        Ok(out)
    }

    /// The verification parse of DESIGN.md section 5.5: `after_text` must read back as the
    /// documents of `before` changed exactly as the intents say. The new tree is compared with
    /// the old one directly (no expected tree is built): subtrees no intent reaches must be
    /// equal, the others are compared entry by entry with the intents applied on the fly.
    fn verify(&self, before: &Stream<'_>, after_text: &str) -> Result<()> {
        // The re-parsed tree and the intended nodes live in an arena of the verification's
        // own, dropped with it.
        let arena = Arena::for_text(after_text);
        let after = Stream::parse(after_text, &arena)
            .map_err(|e| internal(&format!("the edited text no longer parses: {e}")))?;
        let intents: Vec<&Intent> = self.intents.iter().collect();
        let same = before.documents.len() == after.documents.len()
            && before
                .documents
                .iter()
                .zip(&after.documents)
                .enumerate()
                .all(|(doc, (b, a))| {
                    same_as_intended(&b.root, &a.root, doc, &mut Vec::new(), &intents, &arena)
                });
        if same { Ok(()) } else { Err(not_verified()) }
    }
}

fn not_verified() -> Error {
    internal("the edit did not verify: the re-parsed text differs from the intended change")
}

/// Whether `after` equals `before` (at `steps` in document `doc`) with every intent applied
/// (each path names a node of `before`): a replaced node must equal its replacement; a mapping
/// holds its entries but the removed ones, in order, then the inserted ones; a sequence holds
/// its items, then the pushed ones; everything no intent reaches must be unchanged. `intents`
/// holds those at or below `steps`. The intended nodes are built in `arena` as they are met.
fn same_as_intended(
    before: &Node<'_>,
    after: &Node<'_>,
    doc: usize,
    steps: &mut Vec<Step>,
    intents: &[&Intent],
    arena: &Arena,
) -> bool {
    let mut here: Vec<&Intent> = Vec::new();
    let mut below: Vec<&Intent> = Vec::new();
    for intent in intents {
        let path = intent.path();
        if path.doc != doc || !path.steps.starts_with(steps) {
            continue;
        }
        if path.steps.len() == steps.len() {
            here.push(intent);
        } else {
            below.push(intent);
        }
    }
    if here.is_empty() && below.is_empty() {
        return before.same_as(after);
    }
    if let Some(replacement) = here.iter().find_map(|i| match i {
        Intent::Replace { node, .. } => Some(node),
        _ => None,
    }) {
        return below.is_empty() && replacement.build(arena).same_as(after);
    }
    if before.anchor() != after.anchor() || before.tag() != after.tag() {
        return false;
    }
    match (&before.kind, &after.kind) {
        (NodeKind::Mapping { entries: b, flow: fb }, NodeKind::Mapping { entries: a, flow: fa }) => {
            let removed = |i: usize| {
                here.iter()
                    .any(|x| matches!(x, Intent::Remove { index, .. } if *index == i))
            };
            let inserted: Vec<&(Shape, Shape)> = here
                .iter()
                .filter_map(|x| match x {
                    Intent::Insert { entry, .. } => Some(entry),
                    _ => None,
                })
                .collect();
            let kept = (0..b.len()).filter(|&i| !removed(i)).count();
            if fb != fa || kept + inserted.len() != a.len() {
                return false;
            }
            let mut a = a.iter();
            for (i, x) in b.iter().enumerate().filter(|(i, _)| !removed(*i)) {
                let y = a.next().expect("counted");
                steps.push(Step::Value(i));
                let same =
                    x.key.same_as(&y.key) && same_as_intended(&x.value, &y.value, doc, steps, &below, arena);
                steps.pop();
                if !same {
                    return false;
                }
            }
            inserted
                .iter()
                .zip(a)
                .all(|((k, v), y)| k.build(arena).same_as(&y.key) && v.build(arena).same_as(&y.value))
        }
        (NodeKind::Sequence { items: b, flow: fb }, NodeKind::Sequence { items: a, flow: fa }) => {
            let pushed: Vec<&Shape> = here
                .iter()
                .filter_map(|x| match x {
                    Intent::Push { item, .. } => Some(item),
                    _ => None,
                })
                .collect();
            if fb != fa || b.len() + pushed.len() != a.len() {
                return false;
            }
            let (a, new) = a.split_at(b.len());
            b.iter().zip(a).enumerate().all(|(i, (x, y))| {
                steps.push(Step::Item(i));
                let same = same_as_intended(x, y, doc, steps, &below, arena);
                steps.pop();
                same
            }) && pushed.iter().zip(new).all(|(x, y)| x.build(arena).same_as(y))
        }
        // Kinds differ, or intents for a mapping or sequence met another kind (they change
        // nothing there): the node must be unchanged.
        _ => before.same_as(after),
    }
}

/// The column (0-based, in characters) of the `- ` that introduces a block sequence item.
pub fn dash_column(text: &str, item: &Node<'_>) -> Option<usize> {
    let start = line_start(text, item.start());
    let before = &text[start..item.start()];
    let dash = before.rfind('-')?;
    before[dash + 1..]
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then(|| before[..dash].chars().count())
}

/// The lines of a new sequence item: `- k0: v0` at column `dash`, further keys at `key_column`.
fn item_block(
    text: &str,
    dash: usize,
    key_column: usize,
    fields: &[(String, String)],
    style: ScalarStyle,
) -> String {
    let lb = line_break(text);
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        let lead = if i == 0 {
            format!(
                "{}- {}",
                " ".repeat(dash),
                " ".repeat(key_column.saturating_sub(dash + 2))
            )
        } else {
            " ".repeat(key_column)
        };
        out.push_str(&format!(
            "{lead}{}: {}{lb}",
            render_key(k, false),
            render(v, style, false).0
        ));
    }
    out
}

/// A block mapping of `fields` as they will read back.
fn detached_mapping(fields: &[(String, String)], style: ScalarStyle) -> Shape {
    Shape::Mapping {
        entries: fields
            .iter()
            .map(|(k, v)| {
                (
                    Shape::scalar(k, key_style(k, false)),
                    Shape::scalar(v, render(v, style, false).1),
                )
            })
            .collect(),
        flow: false,
    }
}

fn key_style(key: &str, in_flow: bool) -> ScalarStyle {
    render(key, ScalarStyle::Plain, in_flow).1
}

fn internal(message: &str) -> Error {
    Error::new(ErrorKind::Internal, message)
}
