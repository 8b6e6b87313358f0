//! The tree both readers build (the fast reader and libyaml's events): documents of nodes, values
//! with the byte spans they were read from, and the styles scalars were written in.

use crate::error::{Error, ErrorKind, Result};

/// One document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root node. An empty document has an empty plain scalar as root.
    pub(crate) root: Node,
    /// Anchor names that aliases in this document refer to.
    pub(crate) aliased: Vec<String>,
}

impl Document {
    /// The root node. An empty document has an empty plain scalar as root.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Anchor names that aliases in this document refer to.
    pub fn aliased(&self) -> &[String] {
        &self.aliased
    }

    /// Whether some alias in this document refers to `anchor`.
    pub fn is_aliased(&self, anchor: &str) -> bool {
        self.aliased.iter().any(|a| a == anchor)
    }
}

/// The style a scalar was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// No quotes.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|`.
    Literal,
    /// `>`.
    Folded,
}

/// A node of a YAML document with the bytes it came from.
///
/// `start..end` is the node's span in the text (byte offsets in the full text, BOM included).
/// For a node with an anchor or a tag the span starts at the first property.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node is.
    pub(crate) kind: NodeKind,
    /// Byte offset of the node's first byte (its anchor or tag when it has one).
    pub(crate) start: usize,
    /// Byte offset just past the node's last byte.
    pub(crate) end: usize,
    /// 1-based line of `start`.
    pub(crate) line: usize,
    /// 1-based column of `start`, in characters.
    pub(crate) column: usize,
    /// The anchor (`&name`) defined on this node.
    pub(crate) anchor: Option<String>,
    /// The explicit tag (`!!str`, `!custom`), when written.
    pub(crate) tag: Option<String>,
    /// Whether the node sits inside a flow collection (`{...}` or `[...]`).
    pub(crate) in_flow: bool,
}

/// The kinds of node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar: its value (after unescaping and folding) and its style.
    Scalar {
        /// The value as a string; YAML types are never resolved.
        value: String,
        /// The style it was written in.
        style: ScalarStyle,
    },
    /// A mapping; duplicate keys are kept in document order.
    Mapping {
        /// The entries in document order.
        entries: Vec<Entry>,
        /// Written as `{...}`.
        flow: bool,
    },
    /// A sequence.
    Sequence {
        /// The items in document order.
        items: Vec<Node>,
        /// Written as `[...]`.
        flow: bool,
    },
    /// An alias (`*name`).
    Alias {
        /// The anchor it refers to.
        anchor: String,
    },
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key node (always a scalar in a text relman accepts).
    pub key: Node,
    /// The value node.
    pub value: Node,
}

impl Node {
    /// What the node is.
    pub fn kind(&self) -> &NodeKind {
        &self.kind
    }

    /// Byte offset of the node's first byte (its anchor or tag when it has one), BOM included.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Byte offset just past the node's last byte.
    pub fn end(&self) -> usize {
        self.end
    }

    /// 1-based line of [`start`](Node::start).
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column of [`start`](Node::start), in characters.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The anchor (`&name`) defined on this node.
    pub fn anchor(&self) -> Option<&str> {
        self.anchor.as_deref()
    }

    /// The explicit tag (`!!str`, `!custom`), when written.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// Whether the node sits inside a flow collection (`{...}` or `[...]`).
    pub fn in_flow(&self) -> bool {
        self.in_flow
    }

    /// The scalar value, if this node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The scalar style, if this node is a scalar.
    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The entries, if this node is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// The items, if this node is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence { items, .. } => Some(items),
            _ => None,
        }
    }

    /// Whether this node is a flow collection (`{}` or `[]`).
    pub fn is_flow(&self) -> bool {
        matches!(
            self.kind,
            NodeKind::Mapping { flow: true, .. } | NodeKind::Sequence { flow: true, .. }
        )
    }

    /// Index of the last entry whose key is `key` (the value a Kubernetes decoder keeps).
    pub fn find(&self, key: &str) -> Option<usize> {
        self.entries()?.iter().rposition(|e| e.key.as_str() == Some(key))
    }

    /// The value of the last entry whose key is `key`, if this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.find(key).map(|i| &self.entries().expect("mapping")[i].value)
    }

    /// The string value of `key`, if present and a scalar.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// Indices of every entry whose key is `key`.
    pub fn find_all(&self, key: &str) -> Vec<usize> {
        match self.entries() {
            Some(entries) => entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.key.as_str() == Some(key))
                .map(|(i, _)| i)
                .collect(),
            None => Vec::new(),
        }
    }

    /// `invalid_yaml` when `key` appears more than once in this mapping, naming both lines and
    /// located at the second occurrence (a Kubernetes decoder keeps the last copy silently, so
    /// relman refuses to guess which one an edit goes through).
    pub fn unique_key(&self, key: &str) -> Result<()> {
        let all = self.find_all(key);
        if all.len() > 1 {
            let entries = self.entries().expect("mapping");
            let (first, second) = (&entries[all[0]].key, &entries[all[1]].key);
            return Err(Error::new(
                ErrorKind::InvalidYaml,
                format!(
                    "duplicate key `{key}` on lines {} and {}; relman will not guess which one to edit",
                    first.line, second.line
                ),
            )
            .at(second.line, second.column));
        }
        Ok(())
    }

    /// Structural equality: same kinds, values, styles, anchors, tags and flow flags,
    /// ignoring where the nodes were read from.
    pub fn same_as(&self, other: &Node) -> bool {
        if self.anchor != other.anchor || self.tag != other.tag {
            return false;
        }
        match (&self.kind, &other.kind) {
            (NodeKind::Scalar { value: a, style: sa }, NodeKind::Scalar { value: b, style: sb }) => {
                a == b && sa == sb
            }
            (NodeKind::Mapping { entries: a, flow: fa }, NodeKind::Mapping { entries: b, flow: fb }) => {
                fa == fb
                    && a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.key.same_as(&y.key) && x.value.same_as(&y.value))
            }
            (NodeKind::Sequence { items: a, flow: fa }, NodeKind::Sequence { items: b, flow: fb }) => {
                fa == fb && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (NodeKind::Alias { anchor: a }, NodeKind::Alias { anchor: b }) => a == b,
            _ => false,
        }
    }

    /// A detached scalar node (for describing an intended edit).
    pub fn scalar(value: impl Into<String>, style: ScalarStyle) -> Node {
        Node::detached(NodeKind::Scalar {
            value: value.into(),
            style,
        })
    }

    /// A detached mapping node (for describing an intended edit).
    pub fn mapping(entries: Vec<Entry>, flow: bool) -> Node {
        Node::detached(NodeKind::Mapping { entries, flow })
    }

    /// A detached block sequence node (for describing an intended edit).
    pub fn detached_sequence(items: Vec<Node>) -> Node {
        Node::detached(NodeKind::Sequence { items, flow: false })
    }

    fn detached(kind: NodeKind) -> Node {
        Node {
            kind,
            start: 0,
            end: 0,
            line: 0,
            column: 0,
            anchor: None,
            tag: None,
            in_flow: false,
        }
    }
}
