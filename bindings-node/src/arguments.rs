//! Arguments given as plain JavaScript values, read by core's rules (`relman::arguments`,
//! `Services::parse`, `History::from_entries`) so Rust, Python and Node agree.

use std::ops::RangeInclusive;

use napi::JsDate;
use napi::bindgen_prelude::*;
use relman::release::{History, HistoryEntry, Services};

use crate::error::OrThrow;
use crate::from_js;
use crate::release::ReleaseRecord;

/// A time argument: an RFC 3339 string with an offset, or a `Date`.
pub(crate) type Time<'a> = Either<String, JsDate<'a>>;

/// The instant a time argument names (`invalid_argument` naming `what` otherwise).
pub(crate) fn timestamp(env: &Env, value: Time<'_>, what: &str) -> Result<jiff::Timestamp> {
    match value {
        Either::A(text) => relman::arguments::timestamp(&text, what),
        Either::B(date) => relman::arguments::timestamp_from_millis(date.value_of()?, what),
    }
    .or_throw(env)
}

/// `now`, or the current time when not given.
pub(crate) fn now(env: &Env, value: Option<Time<'_>>) -> Result<jiff::Timestamp> {
    value.map_or_else(|| Ok(jiff::Timestamp::now()), |t| timestamp(env, t, "now"))
}

/// A `services` argument: `'all'` or one name as text, or a list of names.
pub(crate) fn services(value: Either<String, Vec<String>>) -> Services {
    match value {
        Either::A(text) => Services::parse(&text),
        Either::B(names) => Services::Named(names),
    }
}

/// A history in the weaker mode: commit messages and records, newest first.
pub(crate) fn history(env: &Env, items: Vec<Either<String, ReleaseRecord>>) -> Result<History> {
    let entries = items
        .into_iter()
        .map(|item| match item {
            Either::A(message) => Ok(HistoryEntry::Message(message)),
            Either::B(record) => Ok(HistoryEntry::Record(from_js(env, &record, "history")?)),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(History::from_entries(entries))
}

/// A count or limit given as a JavaScript number, by core's rule
/// (`relman::arguments::whole_number`): NaN, infinities, fractions, negatives and values out of
/// `range` throw `invalid_argument` naming `what`; nothing is wrapped or truncated.
pub(crate) fn whole_number(env: &Env, value: f64, range: RangeInclusive<u64>, what: &str) -> Result<u64> {
    relman::arguments::whole_number(value, range, what).or_throw(env)
}
