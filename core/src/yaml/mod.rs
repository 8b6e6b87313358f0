//! The span-aware YAML reader and byte-splicing editor. This is the only module of relman that
//! knows YAML syntax.
//!
//! Reading builds a tree of [`Node`]s that remember the bytes they came from, in an [`Arena`]
//! the caller owns (one per parse, or one per group of parses reset in between). A fast reader
//! (one pass over the bytes) builds it for the shapes manifests are written in and declines the
//! rest; everything it declines, and every error, goes to libyaml's event parser (through a
//! small safe wrapper, the only `unsafe` code in relman), which builds the identical tree. The
//! reader keeps no comments, so the few places that need them ([`comment_after`]) look at the
//! bytes between spans.
//!
//! Editing never re-serialises: a [`Patch`] replaces only the bytes of a target scalar, or
//! inserts and removes whole lines of a mapping entry, then re-parses the result and checks
//! that the tree changed exactly as intended (DESIGN.md section 5).
//!
//! Private to the crate (relman's own tests, fuzz targets and benchmarks use the hidden
//! `relman::__private::yaml`); the public surface is the quick API and the release types.

mod arena;
mod edit;
mod fast;
mod libyaml;
mod node;
#[cfg(test)]
mod reader_tests;
mod scalar;
mod split;
mod stream;

pub use arena::Arena;
pub use edit::{Patch, Path, Step, dash_column, resolve};
pub use node::{Document, Entry, Node, NodeKind, ScalarStyle};
pub use scalar::{plain_is_string, render};
pub(crate) use split::{count_lines, cut_documents, plain_lines};
pub use stream::{AtNode, Stream, check_syntax, comment_after, fast_reader_accepts, fast_reader_declines_at};

#[cfg(test)]
mod tests {
    use super::{Patch, Path, Step, Stream};

    /// A patch replaces only the bytes of its target scalar (the module notes' example).
    #[test]
    fn a_patch_keeps_every_other_byte() {
        let text = "a: 1   # keep me\nb: 'x'\n";
        let arena = super::Arena::new();
        let stream = Stream::parse(text, &arena).unwrap();
        let mut patch = Patch::new();
        patch
            .set_scalar(&stream, &Path::root(0).then(Step::Value(1)), "it's")
            .unwrap();
        assert_eq!(patch.apply(&stream).unwrap(), "a: 1   # keep me\nb: 'it''s'\n");
    }
}
