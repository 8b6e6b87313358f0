//! # relman
//!
//! A release manager for Kubernetes config repos, as a library. relman decides which image each
//! service runs in each environment and changes the YAML so that only the bytes that must change
//! do change.
//!
//! The quick API works on one YAML text at a time:
//!
//! ```
//! use relman::{list_images, set_image, Options};
//!
//! let text = "\
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: users   # the users service
//! spec:
//!   template:
//!     spec:
//!       containers:
//!         - name: app
//!           image: \"acme/users:1.3.0\"
//! ";
//! let slots = list_images(text, &Options::default())?;
//! assert_eq!(slots[0].workload, "default:deployment/users");
//! assert_eq!(slots[0].image(), "acme/users:1.3.0");
//!
//! let edited = set_image(text, "default:deployment/users", "app", "acme/users:1.4.0", &Options::default())?;
//! assert_eq!(edited, text.replace("1.3.0", "1.4.0"));
//! # Ok::<(), relman::Error>(())
//! ```
// Lints (unsafe code denied except in the libyaml wrapper, docs on every public item) are the
// workspace's: `[workspace.lints]` in the root Cargo.toml.

pub mod arguments;
pub mod config;
pub mod error;
#[cfg(feature = "git")]
pub mod git;
pub mod image;
pub mod manifest;
pub(crate) mod names;
mod parallel;
pub mod policy;
#[cfg(feature = "registry")]
pub mod registry;
pub mod release;
mod repo_path;
mod vocabulary;
mod work;

/// The closed vocabularies that cross to JSON, Python and Node as snake_case strings: error
/// codes, result statuses and reasons, history causes, slot kinds and the rest. Each is declared
/// once beside its type; [`Wire`](wire::Wire) gives its strings, parser and list of all values,
/// and [`vocabularies`](wire::vocabularies) lists them all for the bindings, which derive their
/// tables from it and test against it: a new code is one edit, and a binding that misses one
/// fails its tests.
///
/// ```
/// use relman::wire::{Wire, vocabularies};
/// use relman::release::Reason;
///
/// assert_eq!(Reason::UpToDate.code(), "up_to_date");
/// assert_eq!(Reason::from_code("up_to_date"), Some(Reason::UpToDate));
/// assert!(Reason::CODES.contains(&"shared_file"));
/// assert!(vocabularies().iter().any(|(name, codes)| *name == "ErrorKind" && codes.contains(&"invalid_yaml")));
/// ```
pub mod wire {
    pub use crate::vocabulary::Wire;

    /// Every wire vocabulary of the library, by name, with its strings in declaration order:
    /// what the bindings build their tables from and test against.
    pub fn vocabularies() -> Vec<(&'static str, &'static [&'static str])> {
        fn entry<T: Wire>() -> (&'static str, &'static [&'static str]) {
            (T::NAME, T::CODES)
        }
        vec![
            entry::<crate::error::ErrorKind>(),
            entry::<crate::release::Status>(),
            entry::<crate::release::Reason>(),
            entry::<crate::release::ReleaseKind>(),
            entry::<crate::release::MoveCause>(),
            entry::<crate::release::HistorySource>(),
            entry::<crate::release::DriftStatus>(),
            entry::<crate::manifest::SlotKind>(),
            entry::<crate::config::ReleaseMode>(),
            entry::<crate::policy::FilterKind>(),
            entry::<crate::policy::TagOrder>(),
            entry::<crate::policy::VersionMode>(),
            entry::<crate::policy::Ignore>(),
            entry::<crate::policy::RejectReason>(),
        ]
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_vocabulary_is_distinct_snake_case_and_round_trips() {
            let all = vocabularies();
            let mut names: Vec<_> = all.iter().map(|(n, _)| *n).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), all.len(), "vocabulary names repeat");
            for (name, codes) in all {
                let mut seen = std::collections::HashSet::new();
                for code in codes {
                    assert!(seen.insert(code), "{name}: `{code}` twice");
                    assert!(
                        !code.is_empty()
                            && code
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                        "{name}: `{code}` is not snake_case"
                    );
                    let json = format!("\"{code}\"");
                    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
                    assert_eq!(back, serde_json::Value::String(code.to_string()));
                }
            }
            let reason: crate::release::Reason = serde_json::from_str("\"shared_file\"").unwrap();
            assert_eq!(serde_json::to_string(&reason).unwrap(), "\"shared_file\"");
            let unknown = serde_json::from_str::<crate::release::Reason>("\"sharedfile\"").unwrap_err();
            assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
        }
    }
}
pub(crate) mod yaml;

/// Not public API: relman's own integration tests (`core/tests/`), fuzz targets (`fuzz/`) and
/// benchmarks (`benches/`) reach the YAML reader's internals through this one hidden door, the
/// way `serde` keeps its `__private` module. Anything here may change or go in any release; the
/// bindings never use it.
#[doc(hidden)]
pub mod __private {
    /// The span-aware YAML reader (`yaml/`), for the reader contract and the fuzz targets.
    pub mod yaml {
        pub use crate::yaml::{
            Arena, Document, Entry, Node, NodeKind, ScalarStyle, Stream, check_syntax, fast_reader_accepts,
            fast_reader_declines_at, render,
        };
    }
}

/// The README's examples, run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use config::{Config, Environment, EnvironmentLock, ReleaseMode, Service};
pub use error::{Error, ErrorKind, Location, Result};
pub use image::ImageRef;
pub use manifest::{ImageSlot, Options, SlotKind, list_images, read_policy, set_image, update_policy};
pub use policy::{Ignore, Policy, PolicyChange, TagFilter, VersionMode};
