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
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod error;
#[cfg(feature = "git")]
pub mod git;
pub mod image;
pub mod manifest;
pub(crate) mod names;
mod parallel;
pub mod policy;
pub mod release;
mod work;
pub mod yaml;

/// The README's examples, run as doc tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use config::{Config, Environment, EnvironmentLock, ReleaseMode, Service};
pub use error::{Error, ErrorKind, Location, Result};
pub use image::ImageRef;
pub use manifest::{ImageSlot, Options, SlotKind, list_images, read_policy, set_image, update_policy};
pub use policy::{Ignore, Policy, PolicyChange, TagFilter, VersionMode};
