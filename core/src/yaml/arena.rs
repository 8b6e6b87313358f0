//! The memory a parsed tree lives in: one arena per parse (or per group of parses, reset in
//! between), so that a tree is built without an allocation per collection and dropped without
//! a traversal. A thin wrapper over `bumpalo`, so that the rest of relman does not name it.

/// Where a [`Stream`](super::Stream)'s collections, anchors, tags and copied scalar values are
/// allocated. The caller owns it and keeps it alive as long as the trees read into it:
///
/// ```
/// use relman::__private::yaml::{Arena, Stream};
///
/// let text = "a: [b, \"c\\td\"]\n";
/// let arena = Arena::for_text(text);
/// let stream = Stream::parse(text, &arena)?;
/// let items = stream.documents()[0].root().get("a").and_then(|a| a.items()).unwrap();
/// // `b` is borrowed from the text; `c<tab>d` differs from its bytes: a copy in the arena.
/// assert_eq!([items[0].as_str(), items[1].as_str()], [Some("b"), Some("c\td")]);
/// # Ok::<(), relman::Error>(())
/// ```
///
/// Nothing in the arena has drop glue: dropping (or [resetting](Arena::reset)) it frees every
/// tree at once.
#[derive(Debug, Default)]
pub struct Arena(bumpalo::Bump);

/// The largest first chunk [`Arena::for_text`] reserves (64 MiB).
pub const FIRST_CHUNK_MAX: usize = 64 << 20;

impl Arena {
    /// An empty arena (it allocates on first use).
    pub fn new() -> Arena {
        Arena(bumpalo::Bump::new())
    }

    /// An arena with room for about `bytes` bytes before it needs another chunk.
    pub fn with_capacity(bytes: usize) -> Arena {
        Arena(bumpalo::Bump::with_capacity(bytes))
    }

    /// An arena sized for the tree of `text` (one parse): room for four bytes of tree per
    /// byte of text, which the tree of a typical manifest fits in (measured on the corpus
    /// stream's documents: 3.5 at the median, 5.2 at the 90th percentile; a tree that needs
    /// more takes one more chunk, twice as large). An arena that starts empty would grow
    /// through a chunk per doubling instead. The first chunk is at most [`FIRST_CHUNK_MAX`]
    /// bytes: a huge text does not reserve four times its size up front (a tree that needs
    /// more grows chunk by chunk, as it is built).
    pub fn for_text(text: &str) -> Arena {
        Arena::with_capacity(text.len().saturating_mul(4).min(FIRST_CHUNK_MAX))
    }

    /// Forget every tree read into the arena, keeping its largest chunk for the next parse.
    pub fn reset(&mut self) {
        self.0.reset();
    }

    /// A copy of `s` in the arena.
    pub(crate) fn str(&self, s: &str) -> &str {
        if s.is_empty() { "" } else { self.0.alloc_str(s) }
    }

    /// A copy of `items` in the arena.
    pub(crate) fn slice<T: Copy>(&self, items: &[T]) -> &[T] {
        if items.is_empty() {
            &[]
        } else {
            self.0.alloc_slice_copy(items)
        }
    }

    /// The items of `items` (as many as it says it has), in the arena.
    pub(crate) fn slice_from<T: Copy, I>(&self, items: I) -> &[T]
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        self.0.alloc_slice_fill_iter(items)
    }

    /// `value`, moved into the arena.
    pub(crate) fn alloc<T: Copy>(&self, value: T) -> &T {
        self.0.alloc(value)
    }
}
