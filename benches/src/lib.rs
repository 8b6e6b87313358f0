//! Criterion benchmarks; filled by the benchmark issues.

#[doc(inline)]
pub use relman;
