//! relman's integration tests, one binary: the shared golden fixtures (manifests, image
//! references, filters, config, release scenarios), the kustomize differential test, the git
//! adapter (feature `git`), release records, the import rule of the layer map (core/layers.toml), property tests and the opt-in corpus test.

mod arguments;
mod config;
mod drift;
mod filters;
mod fixtures;
#[cfg(feature = "git")]
mod git;
mod image_refs;
mod invalid;
mod kustomize;
mod layers;
mod made_tree;
mod overlay_bounds;
mod plan;
mod properties;
mod reader;
mod reader_contract;
mod record;
mod status;
mod trailers;

mod corpus;
