//! The names and one-line values that reach a commit message (DESIGN.md sections 6 and 10).
//!
//! Every value relman writes into a `Relman-*` trailer is one line, and every name it reads from
//! the repo and writes into a message is one Kubernetes would accept. Values given by the caller
//! (a user, a lock author or reason, an environment or service name) are refused with
//! `invalid_argument` when they hold a control, line-break or separator character; names read
//! from the repo that Kubernetes would refuse make their slots unmanaged (`invalid_name`), so
//! they are never released and never written.

use crate::error::{Error, ErrorKind, Result};

/// A character no one-line value may hold: C0 and C1 controls and DEL (`char::is_control`,
/// including LF, CR, tab, NUL and NEL), the Unicode line and paragraph separators, and the
/// invisible format characters that change what a reader sees: bidirectional marks, embeddings,
/// overrides and isolates (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069; "Trojan
/// Source") and U+FEFF.
pub(crate) fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

/// `invalid_argument` when `value` (the argument `what`) holds a control, line-break or
/// separator character.
pub(crate) fn check_one_line(what: &str, value: &str) -> Result<()> {
    match value.char_indices().find(|(_, c)| is_forbidden_char(*c)) {
        None => Ok(()),
        Some((at, c)) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{what} {value:?} holds the character U+{:04X} at byte {at}; it is written into a \
                 commit message or relman.yaml as one line, so control, line-break and separator \
                 characters are refused",
                c as u32
            ),
        )),
    }
}

/// [`check_one_line`], and also not empty and without leading or trailing whitespace: the form
/// of a trailer value, which must read back exactly (git strips trailing blanks, and a line
/// that starts with a blank continues the trailer above it).
pub(crate) fn check_trailer_value(what: &str, value: &str) -> Result<()> {
    check_one_line(what, value)?;
    if value.trim().is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} is empty; leave it out instead"),
        ));
    }
    if value.trim() != value {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} {value:?} starts or ends with whitespace"),
        ));
    }
    Ok(())
}

/// A trailer value as [`check_trailer_value`] accepts it.
pub(crate) fn is_trailer_value(value: &str) -> bool {
    check_trailer_value("", value).is_ok()
}

/// A DNS-1123 label (RFC 1123): lower-case letters, digits and `-`, starting and ending with a
/// letter or digit, at most 63 characters. Kubernetes namespaces and container names.
pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS-1123 subdomain: dot-separated labels, at most 253 characters. Kubernetes object names
/// (Deployment, StatefulSet, Pod, a custom resource...).
pub(crate) fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A kind as Kubernetes accepts it: its lower-case form is a DNS-1035 label (a letter first,
/// then letters, digits and `-`, ending with a letter or digit, at most 63 characters).
pub(crate) fn is_kind(s: &str) -> bool {
    // `is_dns_label` of the lower-case form, without building it.
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && !s.ends_with('-')
}

/// The name part of an annotation key (a qualified name without prefix): letters, digits, `-`,
/// `_` and `.`, starting and ending with a letter or digit, at most 63 characters. HelmRelease
/// slots are named after values keys and addressed in annotation keys
/// (`repository.fluxcd.io/<slot>`, `filter.fluxcd.io/<slot>`), so their names must be these.
pub(crate) fn is_key_name(s: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    s.len() <= 63
        && edge(s.chars().next())
        && edge(s.chars().last())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A repo path that can name a setter-marker slot: `/`-separated segments of ASCII letters,
/// digits and `-`, `_`, `.`, `+`, `@`, `~`, `,`, `=` (no whitespace, no `#`, which separates the
/// slot number, no control characters), or `-` (a text given without a path).
pub(crate) fn is_slot_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|segment| {
            !segment.is_empty()
                && segment.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '@' | '~' | ',' | '=')
                })
        })
}

/// A setter-marker slot name: a [slot path](is_slot_path), optionally followed by `#N` (the
/// N-th slot of one policy in one file, N from 2).
pub(crate) fn is_marker_slot_name(s: &str) -> bool {
    match s.rsplit_once('#') {
        None => is_slot_path(s),
        Some((path, n)) => {
            is_slot_path(path)
                && !n.is_empty()
                && !n.starts_with('0')
                && n.bytes().all(|b| b.is_ascii_digit())
                && n != "1"
        }
    }
}

/// The name of a slot as written in a `Relman-Change` trailer: a container name, a HelmRelease
/// slot name or a setter-marker slot name.
pub(crate) fn is_slot_name(s: &str) -> bool {
    is_key_name(s) || is_marker_slot_name(s)
}

/// An environment or service name of `relman.yaml`: a letter or digit, then letters, digits,
/// `.`, `_`, `-`, `/`.
pub(crate) fn is_environment_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
}

/// The namespace part of a workload id: a namespace name, or `<cluster>` for a cluster-scoped
/// object (DESIGN.md section 6).
pub(crate) fn is_id_namespace(s: &str) -> bool {
    is_dns_label(s) || s == "<cluster>"
}

/// A workload id as relman writes it into a trailer: `namespace:kind/name` with a DNS-1123
/// label namespace (or `<cluster>`), a lower-case [kind](is_kind) and a DNS-1123 subdomain name.
pub(crate) fn is_workload_id(s: &str) -> bool {
    let Some((namespace, rest)) = s.split_once(':') else {
        return false;
    };
    let Some((kind, name)) = rest.split_once('/') else {
        return false;
    };
    is_id_namespace(namespace)
        && !kind.bytes().any(|b| b.is_ascii_uppercase())
        && is_kind(kind)
        && is_dns_subdomain(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_values() {
        for good in ["alice <alice@example.com>", "Zoë", "a: b", "x -> y"] {
            assert!(check_trailer_value("user", good).is_ok(), "{good:?}");
        }
        for bad in [
            "a\nb",
            "a\r\nb",
            "a\n b",
            "a\n\tb",
            "a\rb",
            "a\tb",
            "a\0b",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{7f}b",
            "a\u{9b}b",
            "",
            " ",
            " a",
            "a ",
            "a\u{a0}",
        ] {
            assert_eq!(
                check_trailer_value("user", bad).map_err(|e| e.code()),
                Err("invalid_argument"),
                "{bad:?}"
            );
        }
        assert!(check_one_line("reason", " padded ").is_ok());
        assert!(check_one_line("reason", "two\nlines").is_err());
    }

    #[test]
    fn kubernetes_names() {
        assert!(is_dns_label("prod-eu1"));
        for bad in [
            "Prod",
            "-a",
            "a-",
            "a:b",
            "${NAMESPACE:-default}",
            "a b",
            "a\nb",
            "",
        ] {
            assert!(!is_dns_label(bad), "{bad:?}");
        }
        assert!(is_dns_subdomain("users.v2"));
        assert!(!is_dns_subdomain("users..v2"));
        assert!(!is_dns_subdomain(&"a".repeat(254)));
        assert!(is_kind("Deployment") && is_kind("HelmRelease") && is_kind("my-kind"));
        assert!(!is_kind("1Deployment") && !is_kind("a/b") && !is_kind("a:b") && !is_kind("A B"));
        assert!(is_key_name("chart-image") && is_key_name("customImage") && is_key_name("a_b.c"));
        assert!(!is_key_name("a b") && !is_key_name("-a") && !is_key_name("a/b") && !is_key_name(""));
    }

    #[test]
    fn marker_slot_names() {
        for good in [
            "-",
            "envs/staging/app.yaml",
            "envs/app.yaml#2",
            "a/b+c@d~e,f=g.yaml",
        ] {
            assert!(is_marker_slot_name(good), "{good:?}");
        }
        for bad in [
            "",
            "envs/my app.yaml",
            "a//b",
            "/a",
            "a/",
            "a#1",
            "a#02",
            "a#",
            "a#b",
            "a#2#3",
            "é.yaml",
            "a\nb",
        ] {
            assert!(!is_marker_slot_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn workload_ids() {
        assert!(is_workload_id("prod:deployment/users"));
        assert!(is_workload_id("flux-system:imagepolicy/web.v2"));
        for bad in [
            "a:b:deployment/web",
            "prod:Deployment/users",
            "prod:deployment/Users",
            "deployment/users",
            "prod:deployment",
            "prod:deployment/a/b",
            "prod:deploy ment/users",
        ] {
            assert!(!is_workload_id(bad), "{bad:?}");
        }
    }
}
