//! Time arguments: an RFC 3339 string or a JavaScript `Date`.

use napi::JsDate;
use napi::bindgen_prelude::*;

use crate::error::invalid_argument;

/// A time argument as JavaScript gives it: an RFC 3339 string (`2026-11-27T12:00:00Z`, offsets
/// allowed) or a `Date`.
pub(crate) type Time<'a> = Either<String, JsDate<'a>>;

/// The instant a time argument names. A string that is not RFC 3339, or an invalid `Date`, is
/// `invalid_argument` naming the argument.
pub(crate) fn timestamp(env: &Env, value: Time<'_>, what: &str) -> Result<jiff::Timestamp> {
    match value {
        Either::A(text) => text.parse::<jiff::Timestamp>().map_err(|e| {
            invalid_argument(
                env,
                format!("{what}: `{text}` is not an RFC 3339 timestamp ({e})"),
            )
        }),
        Either::B(date) => {
            let millis = date.value_of()?;
            if !millis.is_finite() {
                return Err(invalid_argument(env, format!("{what}: the Date is invalid")));
            }
            jiff::Timestamp::from_millisecond(millis as i64)
                .map_err(|e| invalid_argument(env, format!("{what}: {e}")))
        }
    }
}
