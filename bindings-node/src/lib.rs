//! Node binding (napi-rs); filled by the binding issue.

#[doc(inline)]
pub use relman;
