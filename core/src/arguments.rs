//! The rules for arguments the bindings receive as plain values, written once so that Rust,
//! Python and Node accept and refuse the same inputs with the same codes.
//!
//! Times: an RFC 3339 text with an offset (`2026-11-27T12:00:00Z`, `...+02:00`), or a count of
//! milliseconds since the Unix epoch (what a JavaScript `Date` holds). Anything else is
//! `invalid_argument` naming the argument. Services: [`Services::parse`](crate::release::Services::parse).
//! History in the weaker mode: [`History::from_entries`](crate::release::History::from_entries).
//! Lengths of time: [`seconds`]. Counts and limits: [`whole_number`] (a JavaScript number) and
//! [`whole_number_from_int`] (a Python `int`), each with the argument's range. The keys of an
//! options object: [`known_keys`]. The registry client's options (feature `registry`):
//! `RegistryOptions::with_credentials` and the other `with_` methods of `relman::registry`.

use std::fmt::Display;
use std::ops::RangeInclusive;

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

/// The error of a whole-number argument outside `range` (or not a whole number): `shown` is the
/// value as the caller gave it.
pub(crate) fn not_in_range(what: &str, range: &RangeInclusive<u64>, shown: impl Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "{what} must be a whole number from {} to {}, not {shown}",
            range.start(),
            range.end()
        ),
    )
}

/// A count or limit given as a runtime number (a JavaScript `number`): `value` must be a whole
/// number (`-0.0` is 0) within `range`; NaN, infinities, fractions, negatives and values out of
/// `range` are `invalid_argument` naming the argument `what`. Never rounds, wraps or saturates.
///
/// ```
/// use relman::arguments::whole_number;
/// assert_eq!(whole_number(3.0, 0..=10, "retries")?, 3);
/// let refused = whole_number(-1.0, 0..=10, "retries").unwrap_err();
/// assert_eq!(refused.code(), "invalid_argument");
/// assert_eq!(refused.message(), "retries must be a whole number from 0 to 10, not -1");
/// assert!(whole_number(1.5, 0..=10, "retries").is_err());
/// assert!(whole_number(f64::NAN, 0..=10, "retries").is_err());
/// # Ok::<(), relman::Error>(())
/// ```
pub fn whole_number(value: f64, range: RangeInclusive<u64>, what: &str) -> Result<u64> {
    // 2^64 is the first float past u64::MAX; every finite float below it with no fraction
    // converts to u64 exactly.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    if value.is_finite() && value.fract() == 0.0 && value > -1.0 && value < LIMIT {
        let whole = value as u64;
        if range.contains(&whole) {
            return Ok(whole);
        }
    }
    Err(not_in_range(what, &range, value))
}

/// A count or limit given as an integer of any size (a Python `int`): `value` is the integer,
/// or `None` when it does not fit an `i128` (39 digits or more). A value out of `range` is
/// `invalid_argument` naming the argument `what`, with the message [`whole_number`] gives.
///
/// ```
/// use relman::arguments::whole_number_from_int;
/// assert_eq!(whole_number_from_int(Some(1000), 0..=u64::MAX, "limit")?, 1000);
/// let refused = whole_number_from_int(Some(-1), 0..=10, "retries").unwrap_err();
/// assert_eq!(refused.message(), "retries must be a whole number from 0 to 10, not -1");
/// assert!(whole_number_from_int(None, 0..=u64::MAX, "limit").is_err());
/// # Ok::<(), relman::Error>(())
/// ```
pub fn whole_number_from_int(value: Option<i128>, range: RangeInclusive<u64>, what: &str) -> Result<u64> {
    match value {
        Some(value) => match u64::try_from(value) {
            Ok(whole) if range.contains(&whole) => Ok(whole),
            _ => Err(not_in_range(what, &range, value)),
        },
        None => Err(not_in_range(what, &range, "an integer of 39 digits or more")),
    }
}

/// Check the keys a binding found on an options object (`given`, as the caller spelt them)
/// against the keys it reads (`accepted`): any other key is `invalid_argument` naming the
/// object `what` and the unknown keys (with the accepted key it most likely meant, when one
/// differs only in case, `_` or `-`), and listing the accepted keys. A misspelt option is an
/// error, never silently ignored.
///
/// ```
/// use relman::arguments::known_keys;
/// known_keys(["cacheDir"], &["cacheDir", "maxAge"], "options")?;
/// let refused = known_keys(["maxage"], &["cacheDir", "maxAge"], "options").unwrap_err();
/// assert_eq!(refused.code(), "invalid_argument");
/// assert_eq!(
///     refused.message(),
///     "options: unknown key \"maxage\" (did you mean \"maxAge\"?); the keys are \"cacheDir\", \"maxAge\""
/// );
/// # Ok::<(), relman::Error>(())
/// ```
pub fn known_keys<'k>(given: impl IntoIterator<Item = &'k str>, accepted: &[&str], what: &str) -> Result<()> {
    let unknown: Vec<&str> = given.into_iter().filter(|key| !accepted.contains(key)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let folded = |key: &str| -> String {
        key.chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let named: Vec<String> = unknown
        .iter()
        .map(|key| {
            let meant = accepted.iter().find(|a| folded(a) == folded(key));
            match meant {
                Some(meant) => format!("{key:?} (did you mean {meant:?}?)"),
                None => format!("{key:?}"),
            }
        })
        .collect();
    let listed: Vec<String> = accepted.iter().map(|key| format!("{key:?}")).collect();
    Err(Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "{what}: unknown key{} {}; the keys are {}",
            if unknown.len() == 1 { "" } else { "s" },
            named.join(", "),
            if listed.is_empty() {
                "none".to_string()
            } else {
                listed.join(", ")
            }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<u64>) -> String {
        let err = result.unwrap_err();
        assert_eq!(err.code(), "invalid_argument", "{err}");
        err.message().to_string()
    }

    #[test]
    fn whole_numbers_in_range_are_read_exactly() {
        assert_eq!(whole_number(0.0, 0..=10, "n").unwrap(), 0);
        assert_eq!(whole_number(-0.0, 0..=10, "n").unwrap(), 0);
        assert_eq!(whole_number(10.0, 0..=10, "n").unwrap(), 10);
        assert_eq!(whole_number(1.0, 1..=1, "n").unwrap(), 1);
        // Floats past 2^53 are whole numbers; the largest below 2^64 converts exactly.
        let largest = 18_446_744_073_709_549_568.0;
        assert_eq!(
            whole_number(largest, 0..=u64::MAX, "n").unwrap(),
            18_446_744_073_709_549_568
        );
        assert_eq!(
            whole_number(4_294_967_295.0, 0..=u32::MAX.into(), "n").unwrap(),
            4_294_967_295
        );
    }

    #[test]
    fn negatives_are_refused_never_wrapped() {
        assert_eq!(
            refused(whole_number(-1.0, 0..=u64::MAX, "retries")),
            "retries must be a whole number from 0 to 18446744073709551615, not -1"
        );
        assert_eq!(
            refused(whole_number(-4_294_967_296.0, 0..=10, "n")),
            "n must be a whole number from 0 to 10, not -4294967296"
        );
        assert_eq!(
            refused(whole_number_from_int(Some(-1), 0..=10, "n")),
            "n must be a whole number from 0 to 10, not -1"
        );
        assert_eq!(
            refused(whole_number_from_int(Some(i128::MIN), 0..=10, "n")),
            format!("n must be a whole number from 0 to 10, not {}", i128::MIN)
        );
    }

    #[test]
    fn fractions_are_refused_never_truncated() {
        assert_eq!(
            refused(whole_number(1.5, 0..=10, "attempts")),
            "attempts must be a whole number from 0 to 10, not 1.5"
        );
        assert!(refused(whole_number(-0.5, 0..=10, "n")).ends_with("not -0.5"));
        assert!(refused(whole_number(f64::MIN_POSITIVE, 0..=10, "n")).contains("not 0.0000"));
        assert!(refused(whole_number(9.999_999_999, 0..=10, "n")).ends_with("not 9.999999999"));
    }

    #[test]
    fn nan_and_infinities_are_refused() {
        assert!(refused(whole_number(f64::NAN, 0..=10, "n")).ends_with("not NaN"));
        assert!(refused(whole_number(f64::INFINITY, 0..=u64::MAX, "n")).ends_with("not inf"));
        assert!(refused(whole_number(f64::NEG_INFINITY, 0..=10, "n")).ends_with("not -inf"));
    }

    #[test]
    fn values_outside_the_range_are_refused() {
        assert_eq!(
            refused(whole_number(11.0, 0..=10, "n")),
            "n must be a whole number from 0 to 10, not 11"
        );
        assert_eq!(
            refused(whole_number(0.0, 1..=10, "concurrency")),
            "concurrency must be a whole number from 1 to 10, not 0"
        );
        // 2^64 does not fit u64: refused, never saturated to u64::MAX.
        assert!(
            refused(whole_number(18_446_744_073_709_551_616.0, 0..=u64::MAX, "n"))
                .ends_with("not 18446744073709552000")
        );
        assert!(refused(whole_number(1e300, 0..=u64::MAX, "n")).contains("not 1000000000"));
        assert!(refused(whole_number(4_294_967_296.0, 0..=u32::MAX.into(), "n")).ends_with("not 4294967296"));
        assert_eq!(
            refused(whole_number_from_int(Some(11), 0..=10, "n")),
            "n must be a whole number from 0 to 10, not 11"
        );
        assert_eq!(
            refused(whole_number_from_int(Some(0), 1..=10, "n")),
            "n must be a whole number from 1 to 10, not 0"
        );
        let past = i128::from(u64::MAX) + 1;
        assert!(
            refused(whole_number_from_int(Some(past), 0..=u64::MAX, "n"))
                .ends_with("not 18446744073709551616")
        );
        assert_eq!(
            refused(whole_number_from_int(None, 0..=10, "limit")),
            "limit must be a whole number from 0 to 10, not an integer of 39 digits or more"
        );
        assert_eq!(
            whole_number_from_int(Some(u64::MAX.into()), 0..=u64::MAX, "n").unwrap(),
            u64::MAX
        );
    }

    #[test]
    fn both_readings_give_one_message() {
        for (float, int) in [(-1.0, -1), (0.0, 0), (11.0, 11), (5.0, 5)] {
            assert_eq!(
                whole_number(float, 1..=10, "n").map_err(|e| e.message().to_string()),
                whole_number_from_int(Some(int), 1..=10, "n").map_err(|e| e.message().to_string())
            );
        }
    }

    #[test]
    fn known_keys_pass() {
        known_keys([], &["a"], "options").unwrap();
        known_keys(["a", "b"], &["a", "b"], "options").unwrap();
        known_keys(["b"], &["a", "b"], "options").unwrap();
    }

    #[test]
    fn unknown_keys_are_named_with_the_accepted_ones() {
        let err = known_keys(["maxage", "cacheDir"], &["cacheDir", "maxAge"], "options").unwrap_err();
        assert_eq!(err.code(), "invalid_argument");
        assert_eq!(
            err.message(),
            r#"options: unknown key "maxage" (did you mean "maxAge"?); the keys are "cacheDir", "maxAge""#
        );
        let err = known_keys(
            ["max_age", "colour", "cache-dir"],
            &["cacheDir", "maxAge"],
            "options",
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            r#"options: unknown keys "max_age" (did you mean "maxAge"?), "colour", "cache-dir" (did you mean "cacheDir"?); the keys are "cacheDir", "maxAge""#
        );
        // Keys are compared exactly: a case difference is unknown.
        assert!(known_keys(["CacheDir"], &["cacheDir"], "options").is_err());
        let err = known_keys(["x"], &[], "options").unwrap_err();
        assert_eq!(err.message(), r#"options: unknown key "x"; the keys are none"#);
        // A key holding quotes or control characters is quoted, never written raw.
        let err = known_keys(["a\"\n"], &["b"], "o").unwrap_err();
        assert!(err.message().contains(r#""a\"\n""#), "{err}");
    }
}
