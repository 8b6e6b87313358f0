//! relman's integration tests: one binary running the shared golden fixtures, the image
//! reference tables and the opt-in corpus test.

mod config;
mod filters;
mod fixtures;
#[cfg(feature = "git")]
mod git;
mod image_refs;
mod kustomize;
mod plan;

mod corpus;
