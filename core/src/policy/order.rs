//! How a tag filter ranks the tags it allows ([`TagOrder`]), and the two readings of a tag
//! value the orders of other tools need: Go's `regexp.Expand` templates (Flux's
//! `filterTags.extract`) and Go's `strconv.ParseFloat` (Flux's numerical order).

use regex::{Captures, Regex};

crate::vocabulary::wire_enum! {
/// How a [`TagFilter`](super::TagFilter) ranks the tags it allows: the best is chosen.
///
/// | order | written | best |
/// | --- | --- | --- |
/// | `creation_time` | `glob:`/`regex:` without an order | the newest creation time |
/// | `version` | `semver:CONSTRAINT` | the highest version |
/// | `alphabetical_asc` | `alphabetical:asc` | the last in byte order |
/// | `alphabetical_desc` | `alphabetical:desc` | the first in byte order |
/// | `numerical_asc` | `numerical:asc` | the greatest number |
/// | `numerical_desc` | `numerical:desc` | the smallest number |
/// | `digest` | `digest:TAG` | `TAG` itself, at its current digest |
///
/// ```
/// use relman::policy::TagOrder;
/// use relman::TagFilter;
/// assert_eq!(TagFilter::parse("numerical:asc")?.order(), TagOrder::NumericalAsc);
/// assert_eq!(TagFilter::parse("semver:^1")?.order(), TagOrder::Version);
/// assert_eq!(TagOrder::AlphabeticalDesc.code(), "alphabetical_desc");
/// # Ok::<(), relman::Error>(())
/// ```
pub enum TagOrder {
    /// The newest creation time (catalog `created`): `glob:` and `regex:` filters.
    CreationTime = "creation_time",
    /// The highest version: `semver:` filters.
    Version = "version",
    /// The value that sorts last in byte order (Flux `alphabetical.order: asc`).
    AlphabeticalAsc = "alphabetical_asc",
    /// The value that sorts first in byte order (Flux `alphabetical.order: desc`).
    AlphabeticalDesc = "alphabetical_desc",
    /// The greatest number (Flux `numerical.order: asc`).
    NumericalAsc = "numerical_asc",
    /// The smallest number (Flux `numerical.order: desc`).
    NumericalDesc = "numerical_desc",
    /// One tag, tracked by its current catalog digest (`digest:TAG`; Argo CD Image Updater's
    /// `digest` strategy, Keel's `force` with `match-tag`).
    Digest = "digest",
}
}

impl TagOrder {
    /// Whether the order ranks by a value read from the tag (version, text or number), so that
    /// an `extract:` template means something.
    pub fn reads_values(self) -> bool {
        !matches!(self, TagOrder::CreationTime)
    }

    /// The order's words in a filter (`alphabetical:asc`), or how it is chosen.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TagOrder::CreationTime => "creation time",
            TagOrder::Version => "version",
            TagOrder::AlphabeticalAsc => "alphabetical:asc",
            TagOrder::AlphabeticalDesc => "alphabetical:desc",
            TagOrder::NumericalAsc => "numerical:asc",
            TagOrder::NumericalDesc => "numerical:desc",
            TagOrder::Digest => "digest",
        }
    }
}

/// Expand `template` with the match `caps` of `re` in `tag`, as Go's `Regexp.ExpandString`
/// does (the semantics of Flux's `filterTags.extract`):
///
/// - `$$` is a literal `$`;
/// - `$name` and `${name}` are the text of the group `name` (the name being the longest run of
///   letters, digits and `_` after `$`, so `$1x` is the group `1x`, not `${1}x`); a name of
///   digits only, without a leading zero, is the group of that number;
/// - a group that does not exist, or did not take part in the match, is empty;
/// - a `$` followed by anything else (`$-`, `${x`, a `$` at the end) is a literal `$`.
pub(crate) fn expand(template: &str, re: &Regex, caps: &Captures<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some((name, after)) = reference(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        let group = match number(name) {
            Some(n) => caps.get(n),
            None => re
                .capture_names()
                .position(|n| n == Some(name))
                .and_then(|i| caps.get(i)),
        };
        if let Some(m) = group {
            out.push_str(m.as_str());
        }
    }
    out.push_str(rest);
    out
}

/// The group name at the start of `text` (after a `$`): `name` or `{name}`, and the text after
/// it; `None` when there is none (an empty name, or a brace left open).
fn reference(text: &str) -> Option<(&str, &str)> {
    let (body, brace) = match text.strip_prefix('{') {
        Some(b) => (b, true),
        None => (text, false),
    };
    let end = body
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(body.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let name = &body[..end];
    if brace {
        let after = body[end..].strip_prefix('}')?;
        Some((name, after))
    } else {
        Some((name, &body[end..]))
    }
}

/// A group number as Go reads one: ASCII digits, no leading zero (but `0` itself), below 10^8.
fn number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit())
        || (name.len() > 1 && name.starts_with('0'))
        || name.len() > 8
    {
        return None;
    }
    name.parse().ok()
}

/// Read `text` as Go's `strconv.ParseFloat(text, 64)` does, the reading of Flux's numerical
/// order: an optional sign, then decimal digits with an optional fraction and exponent
/// (`1606234201`, `-27.85`, `1e3`, `.5`, `5.`), or a hexadecimal mantissa with a binary
/// exponent (`0x1.8p3`), or `inf`/`infinity` (any case). `_` may separate digits (`1_000`).
/// `None` when it is not a number or is out of the range of a 64-bit float (Go's `ErrRange`),
/// and for `NaN`, which Go reads but which has no order (relman refuses it rather than let it
/// win or lose by the order of the list).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if body.contains('_') && !underscores_ok(body) {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    let value = if digits.len() > 2 && (digits.starts_with("0x") || digits.starts_with("0X")) {
        hex_float(&digits[2..])?
    } else {
        decimal(&digits)?
    };
    if value.is_infinite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// A decimal float: digits, optional `.` and digits (at least one digit in all), optional
/// `e`/`E`, sign, digits.
fn decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut seen_digit = false;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
        seen_digit = true;
    }
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            seen_digit = true;
        }
    }
    if !seen_digit {
        return None;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    text.parse::<f64>().ok()
}

/// A hexadecimal float after `0x`: hex digits with an optional `.`, then a mandatory
/// `p`/`P` binary exponent (Go refuses a hexadecimal mantissa without one).
fn hex_float(text: &str) -> Option<f64> {
    let (mantissa, exponent) = text.split_once(['p', 'P'])?;
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in whole.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in fraction.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let exp: i32 = exponent.parse().unwrap_or(if exponent.starts_with('-') {
        i32::MIN
    } else {
        i32::MAX
    });
    Some(value * 2f64.powi(exp.clamp(-2000, 2000)))
}

/// Go's rule for `_` in a number: each one separates two digits (or a base prefix and a digit).
fn underscores_ok(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (mut i, hex) =
        if bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1] | 0x20, b'b' | b'o' | b'x') {
            (2, bytes[1] | 0x20 == b'x')
        } else {
            (0, false)
        };
    // '^' start, '0' digit or prefix, '_' underscore, '!' anything else.
    let mut saw = if i == 2 { b'0' } else { b'^' };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pattern: &str, template: &str, tag: &str) -> String {
        let re = Regex::new(pattern).unwrap();
        let caps = re.captures(tag).unwrap();
        expand(template, &re, &caps)
    }

    #[test]
    fn expand_follows_go() {
        let p = r"^main-(?P<sha>[a-f0-9]+)-(?P<ts>[0-9]+)$";
        assert_eq!(run(p, "$ts", "main-abc1-1606234201"), "1606234201");
        assert_eq!(run(p, "${ts}", "main-abc1-1606234201"), "1606234201");
        assert_eq!(run(p, "$2", "main-abc1-16"), "16");
        assert_eq!(run(p, "${1}x", "main-abc1-16"), "abc1x");
        assert_eq!(
            run(p, "$1x", "main-abc1-16"),
            "",
            "the group named 1x does not exist"
        );
        assert_eq!(run(p, "$$ts", "main-abc1-16"), "$ts");
        assert_eq!(run(p, "a$", "main-abc1-16"), "a$");
        assert_eq!(run(p, "${ts", "main-abc1-16"), "${ts");
        assert_eq!(run(p, "$-", "main-abc1-16"), "$-");
        assert_eq!(
            run(p, "$01", "main-abc1-16"),
            "",
            "a leading zero is a name, not a number"
        );
        assert_eq!(run(p, "$9", "main-abc1-16"), "");
        assert_eq!(run(p, "$nope-$ts", "main-abc1-16"), "-16");
        assert_eq!(run("(a)|(b)", "[$1][$2]", "b"), "[][b]");
        assert_eq!(run(p, "$0", "main-abc1-16"), "main-abc1-16");
    }

    #[test]
    fn numbers_follow_parse_float() {
        for (text, want) in [
            ("1606234201", 1606234201.0),
            ("-62", -62.0),
            ("+3", 3.0),
            ("47.40896403322944", 47.40896403322944),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            (".5", 0.5),
            ("5.", 5.0),
            ("007", 7.0),
            ("1_000", 1000.0),
            ("1_23.50_0_0e+1_2", 1.235e14),
            ("0x1p-2", 0.25),
            ("0x1.8p1", 3.0),
            ("0X_1p0", 1.0),
            ("1e-400", 0.0),
        ] {
            assert_eq!(parse_number(text), Some(want), "{text}");
        }
        assert_eq!(parse_number("Inf"), Some(f64::INFINITY));
        assert_eq!(parse_number("-infinity"), Some(f64::NEG_INFINITY));
        for text in [
            "", "1a", "b", "a1", "1.2.3", "-", "+", ".", "e5", "1e", "1e+", "0x1", "0x", "0xp1", "1__0",
            "_1", "1_", "1_.5", "1._5", "-_1", "1e400", "NaN", "nan", "1 ", " 1", "v1", "0x1.8", "inf1",
            "1-2",
        ] {
            assert_eq!(parse_number(text), None, "{text}");
        }
    }
}
