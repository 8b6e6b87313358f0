//! The rules for arguments the bindings receive as plain values, written once so that Rust,
//! Python and Node accept and refuse the same inputs with the same codes.
//!
//! Times: an RFC 3339 text with an offset (`2026-11-27T12:00:00Z`, `...+02:00`), or a count of
//! milliseconds since the Unix epoch (what a JavaScript `Date` holds). Anything else is
//! `invalid_argument` naming the argument. Services: [`Services::parse`](crate::release::Services::parse).
//! History in the weaker mode: [`History::from_entries`](crate::release::History::from_entries).

use jiff::Timestamp;

use crate::error::{Error, ErrorKind, Result};

/// The instant an RFC 3339 text names; `what` names the argument in the error.
///
/// ```
/// use relman::arguments::timestamp;
/// assert_eq!(timestamp("2026-11-27T14:00:00+02:00", "now")?.to_string(), "2026-11-27T12:00:00Z");
/// assert_eq!(timestamp("2026-11-27T12:00:00", "now").unwrap_err().code(), "invalid_argument");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn timestamp(text: &str, what: &str) -> Result<Timestamp> {
    text.parse::<Timestamp>().map_err(|e| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: `{text}` is not an RFC 3339 timestamp with an offset ({e})"),
        )
    })
}

/// The instant `millis` milliseconds after the Unix epoch (a JavaScript `Date`'s value);
/// fractions of a millisecond are dropped. NaN, infinities and instants outside
/// -9999..=9999 years are `invalid_argument`.
///
/// ```
/// use relman::arguments::timestamp_from_millis;
/// assert_eq!(timestamp_from_millis(0.0, "now")?.to_string(), "1970-01-01T00:00:00Z");
/// assert_eq!(timestamp_from_millis(f64::NAN, "now").unwrap_err().code(), "invalid_argument");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn timestamp_from_millis(millis: f64, what: &str) -> Result<Timestamp> {
    if !millis.is_finite() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what}: the date is invalid"),
        ));
    }
    Timestamp::from_millisecond(millis.trunc() as i64)
        .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("{what}: {e}")))
}
