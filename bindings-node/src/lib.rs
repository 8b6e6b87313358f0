//! Node binding of relman: the npm package `relman`.
//!
//! A thin layer over the `relman` crate: every function and class converts its arguments,
//! calls core, and converts the result or the error (see [`error`]). No behaviour lives here.
//! The modules mirror core's: [`image`], [`policy`], [`manifest`], [`config`], [`release`],
//! [`git`].
//! `index.js` and `index.d.ts` are generated from this crate by `napi build` and committed.
#![deny(unsafe_code)]
// napi-derive registers the exports only outside `cfg(test)`; `cargo clippy --all-targets`
// checks the library as a test too, where every export would look unused.
#![cfg_attr(test, allow(dead_code))]

mod config;
mod error;
mod git;
mod image;
mod manifest;
mod policy;
mod release;
mod timestamp;

/// The wire name of a core enum (its snake_case serde name: `success`, `init_container`...).
fn wire<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("core enums serialise as strings, got {other:?}"),
    }
}
