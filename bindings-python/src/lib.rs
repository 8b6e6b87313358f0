//! Python binding (pyo3); filled by the binding issue.

#[doc(inline)]
pub use relman;
