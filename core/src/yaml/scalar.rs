//! Writing a scalar value back in a given style, and the rule for when a plain value must be
//! quoted: when it would not read back as the same string under YAML 1.1 or YAML 1.2.

use super::node::ScalarStyle;

/// Whether `value` reads back as the same string when written plain, under both YAML 1.1
/// (what go-yaml v2 and PyYAML resolve) and YAML 1.2 (core schema), and can be written plain
/// at all (in flow context when `in_flow`).
///
/// `nginx:1.10` and `5.0.2` are; `1.10` (a float), `on` (a YAML 1.1 boolean) and `2024-01-01`
/// (a YAML 1.1 timestamp) are not (the unit test `doc_examples`).
pub fn plain_is_string(value: &str, in_flow: bool) -> bool {
    plain_syntax_ok(value, in_flow) && !resolves_to_non_string(value)
}

fn plain_syntax_ok(value: &str, in_flow: bool) -> bool {
    let bytes = value.as_bytes();
    let Some(&first) = bytes.first() else { return false };
    if value.starts_with(' ') || value.ends_with(' ') || value.ends_with('\t') {
        return false;
    }
    if value.contains(['\n', '\r', '\t']) || value.chars().any(must_escape) {
        return false;
    }
    // Indicators that cannot start a plain scalar; `-`, `?`, `:` only when followed by a blank.
    if matches!(
        first,
        b',' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    ) {
        return false;
    }
    if matches!(first, b'-' | b'?' | b':') && (bytes.len() == 1 || bytes[1] == b' ') {
        return false;
    }
    if value.contains(": ") || value.contains(" #") || value.ends_with(':') {
        return false;
    }
    if value == "---" || value == "..." || value.starts_with("--- ") || value.starts_with("... ") {
        return false;
    }
    if in_flow && value.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    true
}

/// Whether a plain scalar would resolve to something other than a string under YAML 1.1 (the
/// spec's regular expressions, as PyYAML applies them), the YAML 1.2 core schema, or go-yaml
/// (v2 and v3), the decoder behind Kubernetes (`sigs.k8s.io/yaml`) and Helm.
fn resolves_to_non_string(v: &str) -> bool {
    is_null(v)
        || is_bool(v)
        || is_int(v)
        || is_float(v)
        || is_go_number(v)
        || is_timestamp(v)
        || v == "<<"
        || v == "="
}

/// go-yaml's rule for a plain scalar starting with a digit, a sign or a dot: with every `_`
/// removed, Go's `strconv.ParseInt(s, 0, 64)` (decimal, `0` octal, and the radix prefixes in
/// either case: `0x`/`0X`, `0o`/`0O`, `0b`/`0B`), else the float pattern
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`. So `0X1F`, `0B101` and `0O17` are the
/// numbers 31, 5 and 15, and `1e1_0` is 1e10, where YAML 1.1 and 1.2 read strings.
fn is_go_number(v: &str) -> bool {
    if !v.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return false;
    }
    let plain: String = v.chars().filter(|&c| c != '_').collect();
    let s = strip_sign(&plain);
    let radix = |prefix: &[u8]| s.len() > 2 && s.as_bytes()[0] == b'0' && prefix.contains(&s.as_bytes()[1]);
    let int = if radix(b"xX") {
        all(&s[2..], |b| b.is_ascii_hexdigit())
    } else if radix(b"oO") {
        all(&s[2..], |b| (b'0'..=b'7').contains(&b))
    } else if radix(b"bB") {
        all(&s[2..], |b| b == b'0' || b == b'1')
    } else {
        all(s, |b| b.is_ascii_digit())
    };
    int || is_core_float(s)
}

/// The YAML 1.2 core schema's float, without its sign, which go-yaml also uses:
/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`. (A plain integer matches too.)
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if exponent.is_some_and(|e| !all(strip_sign(e), |b| b.is_ascii_digit())) {
        return false;
    }
    match mantissa.split_once('.') {
        Some(("", frac)) => all(frac, |b| b.is_ascii_digit()),
        Some((int, frac)) => all(int, |b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()),
        None => all(mantissa, |b| b.is_ascii_digit()),
    }
}

fn is_null(v: &str) -> bool {
    matches!(v, "" | "~" | "null" | "Null" | "NULL")
}

fn is_bool(v: &str) -> bool {
    matches!(
        v,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn strip_sign(v: &str) -> &str {
    v.strip_prefix(['+', '-']).unwrap_or(v)
}

fn all(v: &str, f: impl Fn(u8) -> bool) -> bool {
    !v.is_empty() && v.bytes().all(f)
}

fn is_int(v: &str) -> bool {
    let s = strip_sign(v);
    if let Some(h) = s.strip_prefix("0x") {
        return all(h, |b| b.is_ascii_hexdigit() || b == b'_');
    }
    if let Some(o) = s.strip_prefix("0o") {
        return all(o, |b| (b'0'..=b'7').contains(&b) || b == b'_');
    }
    if let Some(bin) = s.strip_prefix("0b") {
        return all(bin, |b| b == b'0' || b == b'1' || b == b'_');
    }
    // Decimal (YAML 1.1 allows `_`), and YAML 1.1 octal `017` is also all digits.
    if s.bytes().next().is_some_and(|b| b.is_ascii_digit()) && all(s, |b| b.is_ascii_digit() || b == b'_') {
        return true;
    }
    // YAML 1.1 sexagesimal: [1-9][0-9_]*(:[0-5]?[0-9])+
    let mut parts = s.split(':');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && head.bytes().next().is_some_and(|b| (b'1'..=b'9').contains(&b))
        && all(head, |b| b.is_ascii_digit() || b == b'_')
        && rest.iter().all(|p| is_sexagesimal_part(p))
}

fn is_sexagesimal_part(p: &str) -> bool {
    let b = p.as_bytes();
    match b.len() {
        1 => b[0].is_ascii_digit(),
        2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
        _ => false,
    }
}

fn is_float(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if matches!(strip_sign(&lower), ".inf") || lower == ".nan" {
        return true;
    }
    let s = strip_sign(v);
    // YAML 1.1 sexagesimal float: [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
    if let Some((int_part, frac)) = s.rsplit_once('.') {
        if int_part.contains(':') {
            let mut parts = int_part.split(':');
            let head = parts.next().unwrap_or("");
            if all(head, |b| b.is_ascii_digit() || b == b'_')
                && parts.all(is_sexagesimal_part)
                && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            {
                return true;
            }
        }
    }
    // [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?  with a dot or an exponent
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(e) = exponent {
        if !all(strip_sign(e), |b| b.is_ascii_digit()) {
            return false;
        }
    }
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if frac.is_none() && exponent.is_none() {
        return false;
    }
    let int_ok = int_part.is_empty() && frac.is_some_and(|f| !f.is_empty())
        || int_part.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && int_part.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    int_ok && frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

fn is_timestamp(v: &str) -> bool {
    // YAML 1.1 timestamps start with a date: [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}
    let b = v.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &v[5..];
    let mut it = rest.splitn(2, '-');
    let month = it.next().unwrap_or("");
    let Some(tail) = it.next() else { return false };
    let day_len = tail.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&month.len())
        && month.bytes().all(|c| c.is_ascii_digit())
        && (1..=2).contains(&day_len)
        && (day_len == tail.len() || matches!(tail.as_bytes()[day_len], b'T' | b't' | b' ' | b'\t'))
}

/// Render `value` as a scalar token in `style`, upgrading plain to double-quoted when the
/// plain form would not read back as the same string. Returns the token and the style used.
pub fn render(value: &str, style: ScalarStyle, in_flow: bool) -> (String, ScalarStyle) {
    match style {
        ScalarStyle::Plain if plain_is_string(value, in_flow) => (value.to_string(), style),
        ScalarStyle::SingleQuoted if !value.chars().any(must_escape) => {
            (format!("'{}'", value.replace('\'', "''")), style)
        }
        _ => (double_quoted(value), ScalarStyle::DoubleQuoted),
    }
}

/// Whether `c` cannot be written as itself inside a quoted scalar (nor plain): a character
/// YAML reads as a line break and folds (LF, CR, NEL U+0085, and, in YAML 1.1 readers such as
/// libyaml and go-yaml, LINE SEPARATOR U+2028 and PARAGRAPH SEPARATOR U+2029), or one it
/// refuses as not printable (C0 controls, DEL, C1 controls, U+FFFE, U+FFFF), or a byte order
/// mark (U+FEFF). Tab is a control character too: plain and single-quoted scalars cannot hold
/// it reliably either.
fn must_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// `value` as a double-quoted YAML scalar on one line: `"` and `\\` escaped, and every
/// character that [`must_escape`] written as an escape YAML 1.1 and 1.2 both read (`\\n`,
/// `\\r`, `\\t`, `\\L` for U+2028, `\\P` for U+2029, else `\\uXXXX`, NEL included), so that
/// the value reads back identical.
///
/// For example `"a\L b\P\u0085\n"` for `a`, U+2028, ` b`, U+2029, NEL and a line feed (the
/// unit test `doc_examples`).
pub fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if must_escape(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_examples() {
        assert!(plain_is_string("nginx:1.10", false));
        assert!(plain_is_string("5.0.2", false));
        assert!(!plain_is_string("1.10", false)); // a float
        assert!(!plain_is_string("on", false)); // a YAML 1.1 boolean
        assert!(!plain_is_string("2024-01-01", false)); // a YAML 1.1 timestamp
        assert_eq!(
            double_quoted("a\u{2028} b\u{2029}\u{85}\n"),
            r#""a\L b\P\u0085\n""#
        );
        assert_eq!(double_quoted("say \"hi\"\u{7f}"), r#""say \"hi\"\u007f""#);
    }

    #[test]
    fn types_are_detected() {
        for v in [
            "1.10",
            "1",
            "0x1F",
            "0o17",
            "017",
            "1_000",
            "1:30",
            "-1.5",
            ".5",
            "1e3",
            "1.",
            ".inf",
            "-.Inf",
            ".NaN",
            "on",
            "Off",
            "y",
            "NO",
            "~",
            "null",
            "",
            "2024-01-01",
            "2001-12-14t21:59:43.10-05:00",
            "<<",
            "190:20:30.15",
            "+12",
            // go-yaml (Kubernetes, Helm): radix prefixes in either case, `_` anywhere.
            "0X1F",
            "0B101",
            "0O17",
            "0x1f",
            "0o1_7",
            "+0B1",
            "-0O7",
            "0_x1F",
            "0x_1F",
            "1__000",
            "1e1_0",
            "1_e3",
            "1E3",
            "1e+3",
            ".5e3",
            "1.5e-3",
            "08",
            "09.5",
            "0777",
            "99999999999999999999",
            "0xFFFFFFFFFFFFFFFFFFFF",
            "+.inf",
            "-.inf",
            ".INF",
            ".NAN",
        ] {
            assert!(!plain_is_string(v, false), "{v} must be quoted");
        }
        for v in [
            "nginx:1.10",
            "5.0.2",
            "v1.10",
            "1.2.3",
            "master-abc",
            "1.0-alpine",
            "e3",
            "1.2e",
            "localhost:5000/x",
            "a:1",
            "2024-01",
            "yesterday",
            "0x",
            "1:60",
            "12345678a",
            "0B2",
            "0X",
            "0b",
            "0o",
            "0xg",
            "0O8",
            "_1",
            "1e",
            "1e+",
            "v0X1F",
            ".",
            "+",
            "1.2.3-rc.1",
        ] {
            assert!(plain_is_string(v, false), "{v} can stay plain");
        }
    }

    #[test]
    fn syntax_needs_quotes() {
        for v in [
            "- x", "#x", "a #b", "a: b", "*a", "&a", "!x", "'a", "\"a", "x ", " x", "@x", "%x", "a:", "---",
        ] {
            assert!(!plain_is_string(v, false), "{v:?} must be quoted");
        }
        assert!(!plain_is_string("a,b", true));
        assert!(plain_is_string("a,b", false));
    }

    #[test]
    fn render_keeps_or_upgrades_style() {
        assert_eq!(render("a:1", ScalarStyle::Plain, false).0, "a:1");
        assert_eq!(render("1.10", ScalarStyle::Plain, false).0, "\"1.10\"");
        assert_eq!(render("it's", ScalarStyle::SingleQuoted, false).0, "'it''s'");
        assert_eq!(
            render("a\"b\\", ScalarStyle::DoubleQuoted, false).0,
            "\"a\\\"b\\\\\""
        );
    }
}
