//! Node binding of relman: the npm package `relman`.
//!
//! A thin layer over the `relman` crate: every function and class converts its arguments,
//! calls core, and converts the result or the error (see [`error`]). No behaviour lives here.
//! The modules mirror core's: [`image`], [`policy`], [`manifest`], [`config`], [`release`],
//! [`git`], [`registry`], [`arguments`]; [`text`] reads YAML text arguments with one conversion,
//! [`options`] refuses the unknown keys of options objects.
//! `index.js` and `index.d.ts` are generated from this crate by `napi build` and committed.
//!
//! Results are declarations: each `#[napi(object)]` struct lists the fields of the core type
//! it mirrors, under the same Rust names, and derives serde. A value crosses between the two
//! through serde ([`to_js`], [`from_js`]), never field by field; napi spells the fields in
//! camelCase for JavaScript (`commit_message` is `commitMessage`), as it does for every
//! `#[napi(object)]`. The `#[napi(string_enum)]` vocabularies only carry the TypeScript unions
//! (and the exported value objects); `test/vocabularies.test.mjs` checks them against core's
//! [`relman::wire::vocabularies`].
// No `unsafe` but the two N-API calls of `text` and the `FromNapiValue` of `options` (allowed
// there, each block with its reason).
#![deny(unsafe_code)]
// napi-derive registers the exports only outside `cfg(test)`; `cargo clippy --all-targets`
// checks the library as a test too, where every export would look unused.
#![cfg_attr(test, allow(dead_code))]

mod arguments;
mod config;
mod error;
mod git;
mod image;
mod manifest;
mod options;
mod policy;
mod registry;
mod release;
mod text;

use indexmap::IndexMap;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::js_error;

/// `value` as another type with the same serde form: a core value as its declaration, or back.
fn retype<T: DeserializeOwned>(value: &impl Serialize) -> serde_json::Result<T> {
    serde_json::from_value(serde_json::to_value(value)?)
}

/// A core value as the declaration JavaScript receives. Fails only on a bug (`internal`).
pub(crate) fn to_js<T: DeserializeOwned>(env: &Env, value: &impl Serialize) -> Result<T> {
    retype(value).map_err(|e| {
        let message = format!("a result does not convert: {e}");
        js_error(env, relman::Error::new(relman::ErrorKind::Internal, message))
    })
}

/// The core value of a declaration JavaScript handed back (a plan, a record): a value outside
/// core's vocabularies is `invalid_argument` naming `what`.
pub(crate) fn from_js<T: DeserializeOwned>(env: &Env, value: &impl Serialize, what: &str) -> Result<T> {
    retype(value).map_err(|e| {
        let message = format!("{what}: {e}");
        js_error(
            env,
            relman::Error::new(relman::ErrorKind::InvalidArgument, message),
        )
    })
}

/// Every closed vocabulary of relman, by core's type name (`ErrorKind`, `Status`, `Reason`...),
/// with its strings in declaration order: the error codes, statuses, reasons and kinds the
/// other functions return. The TypeScript unions (`ErrorCode` for `ErrorKind`) are checked
/// against it.
#[napi(ts_return_type = "Record<string, Array<string>>")]
pub fn vocabularies() -> IndexMap<&'static str, Vec<&'static str>> {
    relman::wire::vocabularies()
        .into_iter()
        .map(|(name, codes)| (name, codes.to_vec()))
        .collect()
}

/// Run the `relman` command with `argv` (the program name first) and return its exit code: the
/// same Rust code as `cargo install --path cli`. Output goes to the process's standard output
/// and error; the call blocks (it is the whole process of the package's `relman` bin).
#[napi]
pub fn main(argv: Vec<String>) -> i32 {
    relman_cli::run(argv)
}
