//! The rules for arguments the bindings receive as plain values, written once so that Rust,
//! Python and Node accept and refuse the same inputs with the same codes.
//!
//! Times: an RFC 3339 text with an offset (`2026-11-27T12:00:00Z`, `...+02:00`), or a count of
//! milliseconds since the Unix epoch (what a JavaScript `Date` holds). Anything else is
//! `invalid_argument` naming the argument. Services: [`Services::parse`](crate::release::Services::parse).
//! History in the weaker mode: [`History::from_entries`](crate::release::History::from_entries).
//! Lengths of time: [`seconds`]. The registry client's options (feature `registry`):
//! `RegistryOptions::with_credentials` and the other `with_` methods of `relman::registry`.

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

/// A length of time given as a number of seconds (fractions allowed): `value` must be finite
/// and at least 0 (`-0.0` is 0), and fit a [`Duration`](std::time::Duration); anything else is
/// `invalid_argument` naming the argument `what`.
///
/// ```
/// use relman::arguments::seconds;
/// assert_eq!(seconds(1.5, "timeout")?, std::time::Duration::from_millis(1500));
/// assert_eq!(seconds(-1.0, "timeout").unwrap_err().code(), "invalid_argument");
/// assert_eq!(seconds(f64::NAN, "timeout").unwrap_err().code(), "invalid_argument");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn seconds(value: f64, what: &str) -> Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(value).map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} must be a number of seconds >= 0, not {value}"),
        )
    })
}
