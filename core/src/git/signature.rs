//! The caller's identity, `"Name <email>"`, as a git signature.

use gix::actor::Signature;
use gix::date::Time;

use super::invalid_argument;
use crate::error::Result;

/// Read `"Name <email>"` into a signature at `time`. The name must not be empty; neither part
/// may hold `<`, `>` or a control, line-break or separator character (git would write a commit
/// that `git fsck` rejects, or a header line a reader splits).
pub(super) fn parse(author: &str, time: Time) -> Result<Signature> {
    let bad = |why: &str| invalid_argument(format!("author `{author}`: {why}; expected `Name <email>`"));
    let text = author.trim();
    let Some(rest) = text.strip_suffix('>') else {
        return Err(bad("it does not end with `>`"));
    };
    let Some((name, email)) = rest.split_once('<') else {
        return Err(bad("there is no `<`"));
    };
    let (name, email) = (name.trim(), email.trim());
    if name.is_empty() {
        return Err(bad("the name is empty"));
    }
    let forbidden = |s: &str| s.contains(['<', '>']) || s.contains(crate::names::is_forbidden_char);
    if forbidden(name) || forbidden(email) {
        return Err(bad(
            "the name and the email may not hold `<`, `>`, or a control, line-break or separator \
             character (C0, C1, DEL, U+2028, U+2029)",
        ));
    }
    Ok(Signature {
        name: name.into(),
        email: email.into(),
        time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_and_email() {
        let sig = parse("  Alice Liddell <alice@example.com> ", Time::new(0, 0)).unwrap();
        assert_eq!(sig.name, "Alice Liddell");
        assert_eq!(sig.email, "alice@example.com");
    }

    #[test]
    fn refuses_malformed_authors() {
        for bad in [
            "alice",
            "<alice@example.com>",
            "Alice alice@example.com>",
            "Alice <a<b@example.com>",
            "Alice <alice@example.com> x",
            "Al\nice <alice@example.com>",
            "Alice <alice@example.com\r\nmallory>",
            "Al\tice <alice@example.com>",
            "Al\u{2028}ice <alice@example.com>",
            "Al\u{85}ice <alice@example.com>",
            "Alice <al\u{0}ice@example.com>",
        ] {
            assert!(parse(bad, Time::new(0, 0)).is_err(), "{bad:?} accepted");
        }
    }
}
