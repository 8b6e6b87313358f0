//! The tree both readers build (the fast reader and libyaml's events): documents of nodes, values
//! with the byte spans they were read from, and the styles scalars were written in.
//!
//! Nodes are plain values (`Copy`, no drop glue): their children, anchors, tags and the scalar
//! values that differ from their bytes live in the [`Arena`](super::Arena) the stream was read
//! into, everything else is borrowed from the text.

use crate::error::{Error, ErrorKind, Result};

/// One document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document<'t> {
    /// The root node. An empty document has an empty plain scalar as root.
    pub(crate) root: Node<'t>,
    /// Anchor names that aliases in this document refer to.
    pub(crate) aliased: Vec<&'t str>,
}

impl<'t> Document<'t> {
    /// The root node. An empty document has an empty plain scalar as root.
    pub fn root(&self) -> &Node<'t> {
        &self.root
    }

    /// Anchor names that aliases in this document refer to.
    pub fn aliased(&self) -> &[&'t str] {
        &self.aliased
    }

    /// Whether some alias in this document refers to `anchor`.
    pub fn is_aliased(&self, anchor: &str) -> bool {
        self.aliased.contains(&anchor)
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

/// A node of a YAML document with the bytes it came from, borrowing from the text it was read
/// from and the arena it was read into (`'t`): a scalar's value is a slice of the text unless
/// escapes or folding made it differ from its bytes (then it is a copy in the arena).
///
/// `start..end` is the node's span in the text (byte offsets in the full text, BOM included;
/// texts are at most `u32::MAX` bytes). For a node with an anchor or a tag the span starts at
/// the first property. Lines and columns are not stored: [`Stream::line_col`] computes them
/// from the text.
///
/// [`Stream::line_col`]: super::Stream::line_col
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node<'t> {
    /// What the node is.
    pub(crate) kind: NodeKind<'t>,
    /// Byte offset of the node's first byte (its anchor or tag when it has one).
    pub(crate) start: u32,
    /// Byte offset just past the node's last byte.
    pub(crate) end: u32,
    /// The anchor and tag, when the node has either (rare: kept out of line, in the arena).
    pub(crate) props: Option<&'t Props<'t>>,
    /// Whether the node sits inside a flow collection (`{...}` or `[...]`).
    pub(crate) in_flow: bool,
    /// The node's mark is the start of the line after the text's last, unterminated line
    /// (libyaml's stream end mark, where an empty document's root sits).
    pub(crate) past_end: bool,
}

/// The properties of a node: its anchor and its tag.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Props<'t> {
    /// The anchor (`&name`) defined on the node.
    pub(crate) anchor: Option<&'t str>,
    /// The explicit tag (`!!str`, `!custom`), when written (as libyaml resolves it).
    pub(crate) tag: Option<&'t str>,
}

/// The kinds of node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NodeKind<'t> {
    /// A scalar: its value (after unescaping and folding) and its style.
    Scalar {
        /// The value as a string; YAML types are never resolved. Borrowed from the text
        /// unless escapes or folding made it differ from the scalar's bytes.
        value: &'t str,
        /// The style it was written in.
        style: ScalarStyle,
    },
    /// A mapping; duplicate keys are kept in document order.
    Mapping {
        /// The entries in document order.
        entries: &'t [Entry<'t>],
        /// Written as `{...}`.
        flow: bool,
    },
    /// A sequence.
    Sequence {
        /// The items in document order.
        items: &'t [Node<'t>],
        /// Written as `[...]`.
        flow: bool,
    },
    /// An alias (`*name`).
    Alias {
        /// The anchor it refers to.
        anchor: &'t str,
    },
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry<'t> {
    /// The key node (always a scalar in a text relman accepts).
    pub key: Node<'t>,
    /// The value node.
    pub value: Node<'t>,
}

impl<'t> Node<'t> {
    /// What the node is.
    pub fn kind(&self) -> &NodeKind<'t> {
        &self.kind
    }

    /// Byte offset of the node's first byte (its anchor or tag when it has one), BOM included.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Byte offset just past the node's last byte.
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// The anchor (`&name`) defined on this node.
    pub fn anchor(&self) -> Option<&'t str> {
        self.props?.anchor
    }

    /// The explicit tag (`!!str`, `!custom`), when written.
    pub fn tag(&self) -> Option<&'t str> {
        self.props?.tag
    }

    /// Set the anchor and the tag (`None` for both removes the properties), kept in `arena`.
    pub(crate) fn set_props(
        &mut self,
        arena: &'t super::Arena,
        anchor: Option<&'t str>,
        tag: Option<&'t str>,
    ) {
        self.props = (anchor.is_some() || tag.is_some()).then(|| arena.alloc(Props { anchor, tag }));
    }

    /// Whether the node's mark is the start of the line after the text's last, unterminated
    /// line (where libyaml puts an empty document's root at the end of such a text).
    pub(crate) fn past_end(&self) -> bool {
        self.past_end
    }

    /// Whether the node sits inside a flow collection (`{...}` or `[...]`).
    pub fn in_flow(&self) -> bool {
        self.in_flow
    }

    /// The scalar value, if this node is a scalar.
    pub fn as_str(&self) -> Option<&'t str> {
        match self.kind {
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
    pub fn entries(&self) -> Option<&'t [Entry<'t>]> {
        match self.kind {
            NodeKind::Mapping { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// The items, if this node is a sequence.
    pub fn items(&self) -> Option<&'t [Node<'t>]> {
        match self.kind {
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
    pub fn get(&self, key: &str) -> Option<&'t Node<'t>> {
        self.find(key).map(|i| &self.entries().expect("mapping")[i].value)
    }

    /// The string value of `key`, if present and a scalar.
    pub fn get_str(&self, key: &str) -> Option<&'t str> {
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
    /// `stream` is the stream the node was read from (for the lines).
    pub fn unique_key(&self, stream: &super::Stream<'_>, key: &str) -> Result<()> {
        let mut all = self
            .entries()
            .into_iter()
            .flatten()
            .filter(|e| e.key.as_str() == Some(key));
        if let (Some(first), Some(second)) = (all.next(), all.next()) {
            let (first, second) = (&first.key, &second.key);
            let (line, column) = stream.line_col(second);
            return Err(Error::new(
                ErrorKind::InvalidYaml,
                format!(
                    "duplicate key `{key}` on lines {} and {line}; relman will not guess which one to edit",
                    stream.line_col(first).0
                ),
            )
            .at(line, column));
        }
        Ok(())
    }

    /// Structural equality: same kinds, values, styles, anchors, tags and flow flags,
    /// ignoring where the nodes were read from.
    pub fn same_as(&self, other: &Node<'_>) -> bool {
        if self.anchor() != other.anchor() || self.tag() != other.tag() {
            return false;
        }
        match (self.kind, other.kind) {
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
    pub fn scalar(value: &'t str, style: ScalarStyle) -> Node<'t> {
        Node::detached(NodeKind::Scalar { value, style })
    }

    /// A detached mapping node (for describing an intended edit).
    pub fn mapping(entries: &'t [Entry<'t>], flow: bool) -> Node<'t> {
        Node::detached(NodeKind::Mapping { entries, flow })
    }

    /// A detached block sequence node (for describing an intended edit).
    pub fn detached_sequence(items: &'t [Node<'t>]) -> Node<'t> {
        Node::detached(NodeKind::Sequence { items, flow: false })
    }

    fn detached(kind: NodeKind<'t>) -> Node<'t> {
        Node {
            kind,
            start: 0,
            end: 0,
            props: None,
            in_flow: false,
            past_end: false,
        }
    }
}
