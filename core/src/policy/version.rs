//! Reading image tags as versions ([`VersionMode`], [`parse_version`]) and the allocation-free
//! version view the constraint checker and the selector share.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::error::{Error, ErrorKind};

crate::vocabulary::wire_enum! {
/// How strictly a tag must look like a version to take part in `semver:` filtering and ordering.
///
/// Every mode accepts a leading `v` or `V`, a prerelease (`-rc.1`) and build metadata (`+b7`)
/// as [SemVer 2.0.0](https://semver.org) spells them; missing parts count as 0, so `1.2` is
/// `1.2.0`.
///
/// | mode | needs | `12345678` | `1.2` | `1.2.3` |
/// | --- | --- | --- | --- | --- |
/// | [`Default`](VersionMode::Default) | `MAJOR.MINOR` | no | yes | yes |
/// | [`Strict`](VersionMode::Strict) | `MAJOR.MINOR.PATCH`, no leading zeros | no | no | yes |
/// | [`Loose`](VersionMode::Loose) | `MAJOR` | yes | yes | yes |
///
/// `default` exists because an all-digit git SHA tag (`12345678`) is not a version (Flux v1
/// issue #2729); `strict` is Flux v2's rule; `loose` is Flux v1's. It serializes in snake_case
/// (`"default"`, `"strict"`, `"loose"`), as `relman.yaml`'s `versions:` key spells it.
///
/// ```
/// use relman::policy::{parse_version, VersionMode};
///
/// assert!(parse_version("12345678", VersionMode::Default).is_none());
/// assert!(parse_version("12345678", VersionMode::Loose).is_some());
/// assert!(parse_version("v1.2", VersionMode::Strict).is_none());
/// assert_eq!("loose".parse::<VersionMode>()?, VersionMode::Loose);
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Default)]
pub enum VersionMode {
    /// At least `MAJOR.MINOR` (the default).
    #[default]
    Default = "default",
    /// Exactly `MAJOR.MINOR.PATCH` with no leading zeros (SemVer 2.0.0 plus an optional `v`).
    Strict = "strict",
    /// A single number is enough (`v1`, `3`).
    Loose = "loose",
}
}

impl VersionMode {
    /// The fewest numeric parts a version needs in this mode.
    fn min_parts(self) -> u8 {
        match self {
            VersionMode::Default => 2,
            VersionMode::Strict => 3,
            VersionMode::Loose => 1,
        }
    }
}

impl FromStr for VersionMode {
    type Err = Error;

    /// Parses `default`, `strict` or `loose`; anything else is `invalid_config`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "default" => Ok(VersionMode::Default),
            "strict" => Ok(VersionMode::Strict),
            "loose" => Ok(VersionMode::Loose),
            other => Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("unknown version mode `{other}` (expected default, strict or loose)"),
            )),
        }
    }
}

/// Read `tag` as a version under `mode`; `None` when it is not one.
///
/// Missing parts are 0 and a leading `v`/`V` is dropped; outside [`VersionMode::Strict`]
/// numeric parts may have leading zeros (`2024.01.15` is `2024.1.15`), as Masterminds'
/// `NewVersion` allows. Prerelease identifiers follow SemVer in every mode (no empty
/// identifier, no leading zero in a numeric one).
///
/// ```
/// use relman::policy::{parse_version, VersionMode};
///
/// let v = parse_version("v1.21-alpine", VersionMode::Default).unwrap();
/// assert_eq!(v.to_string(), "1.21.0-alpine");
/// assert_eq!(parse_version("3", VersionMode::Loose).unwrap().to_string(), "3.0.0");
/// assert!(parse_version("1.2.3.4", VersionMode::Loose).is_none());
/// assert!(parse_version("latest", VersionMode::Loose).is_none());
/// ```
pub fn parse_version(tag: &str, mode: VersionMode) -> Option<semver::Version> {
    let v = Ver::parse(tag, mode)?;
    // `Ver::parse` validates identifiers exactly as the semver crate does, so these succeed.
    let pre = semver::Prerelease::new(v.pre).ok()?;
    let build = semver::BuildMetadata::new(v.build).ok()?;
    Some(semver::Version {
        major: v.major,
        minor: v.minor,
        patch: v.patch,
        pre,
        build,
    })
}

/// A version borrowed from the text it was read from: no allocation. Ordering between two
/// `Ver`s is SemVer precedence (build metadata ignored), see [`Ver::precedence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ver<'a> {
    pub(crate) major: u64,
    pub(crate) minor: u64,
    pub(crate) patch: u64,
    /// The prerelease without its `-`; empty for a release.
    pub(crate) pre: &'a str,
    /// The build metadata without its `+`; empty when absent.
    pub(crate) build: &'a str,
    /// How many numeric parts the text spelled (1 to 3).
    pub(crate) parts: u8,
}

impl<'a> Ver<'a> {
    /// Parse a tag under `mode` (see [`parse_version`]). A hand-written byte scanner: this
    /// runs for every tag of every repository on each selection.
    #[inline]
    pub(crate) fn parse(tag: &'a str, mode: VersionMode) -> Option<Ver<'a>> {
        let bytes = tag.as_bytes();
        let mut i = usize::from(matches!(bytes.first(), Some(b'v' | b'V')));
        let mut nums = [0u64; 3];
        let mut parts = 0;
        loop {
            let start = i;
            let mut n: u64 = 0;
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                n = n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                i += 1;
            }
            match i - start {
                0 => return None,
                1..=19 => {}
                // Twenty digits or more may overflow: check properly.
                _ => n = tag[start..i].parse().ok()?,
            }
            if mode == VersionMode::Strict && i - start > 1 && bytes[start] == b'0' {
                return None;
            }
            nums[parts] = n;
            parts += 1;
            if parts < 3 && bytes.get(i) == Some(&b'.') {
                i += 1;
            } else {
                break;
            }
        }
        let parts = parts as u8;
        if parts < mode.min_parts() {
            return None;
        }
        let (pre, build) = split_pre_build(&tag[i..])?;
        Some(Ver {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre,
            build,
            parts,
        })
    }

    /// A view of a parsed `semver::Version` (always three parts).
    pub(crate) fn of(v: &'a semver::Version) -> Ver<'a> {
        Ver {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
            pre: v.pre.as_str(),
            build: v.build.as_str(),
            parts: 3,
        }
    }

    /// SemVer precedence: numbers, then prerelease (a release ranks above its prereleases);
    /// build metadata is ignored.
    #[inline]
    pub(crate) fn precedence(&self, other: &Ver<'_>) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| cmp_prerelease(self.pre, other.pre))
    }
}

/// Split what follows the numeric parts into a validated prerelease and build metadata.
/// `rest` must be empty or start with `-` or `+`.
pub(crate) fn split_pre_build(rest: &str) -> Option<(&str, &str)> {
    let bytes = rest.as_bytes();
    let (pre, build_at) = match bytes.first() {
        None => return Some(("", "")),
        Some(b'-') => {
            let end = bytes.iter().position(|&b| b == b'+').unwrap_or(bytes.len());
            let pre = &rest[1..end];
            if !valid_identifiers(pre, true) {
                return None;
            }
            (pre, end)
        }
        Some(b'+') => ("", 0),
        Some(_) => return None,
    };
    if build_at == bytes.len() {
        return Some((pre, ""));
    }
    let build = &rest[build_at + 1..];
    valid_identifiers(build, false).then_some((pre, build))
}

/// Dot-separated non-empty `[0-9A-Za-z-]` identifiers; for a prerelease, numeric identifiers
/// must not have leading zeros. One pass, no allocation.
fn valid_identifiers(text: &str, prerelease: bool) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut numeric = true;
    for (i, &b) in bytes
        .iter()
        .enumerate()
        .chain(std::iter::once((bytes.len(), &b'.')))
    {
        match b {
            b'.' => {
                let len = i - start;
                if len == 0 || (prerelease && numeric && len > 1 && bytes[start] == b'0') {
                    return false;
                }
                start = i + 1;
                numeric = true;
            }
            b'0'..=b'9' => {}
            b'a'..=b'z' | b'A'..=b'Z' | b'-' => numeric = false,
            _ => return false,
        }
    }
    true
}

/// Compare two prereleases by SemVer precedence; the empty prerelease (a release) is highest.
pub(crate) fn cmp_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    if a == b {
        return Ordering::Equal;
    }
    let (mut xs, mut ys) = (a.split('.'), b.split('.'));
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match cmp_identifier(x, y) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

/// Numeric identifiers compare as numbers and rank below alphanumeric ones, which compare
/// in ASCII order.
fn cmp_identifier(x: &str, y: &str) -> Ordering {
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match (numeric(x), numeric(y)) {
        (true, true) => {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.cmp(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tag: &str, mode: VersionMode) -> Option<String> {
        parse_version(tag, mode).map(|v| v.to_string())
    }

    #[test]
    fn modes() {
        use VersionMode::*;
        assert_eq!(parse("1", Loose).as_deref(), Some("1.0.0"));
        assert_eq!(parse("1", Default), None);
        assert_eq!(parse("1.2", Default).as_deref(), Some("1.2.0"));
        assert_eq!(parse("1.2", Strict), None);
        assert_eq!(parse("V1.2.3", Strict).as_deref(), Some("1.2.3"));
        assert_eq!(parse("01.2.3", Strict), None);
        assert_eq!(parse("2024.01.15", Default).as_deref(), Some("2024.1.15"));
        assert_eq!(parse("1.2.3-rc.1+b.7", Strict).as_deref(), Some("1.2.3-rc.1+b.7"));
        assert_eq!(parse("1.2+b", Default).as_deref(), Some("1.2.0+b"));
        assert_eq!(parse("1-alpine", Loose).as_deref(), Some("1.0.0-alpine"));
    }

    #[test]
    fn not_versions() {
        for tag in [
            "",
            "v",
            "vv1.2",
            "1.",
            "1..2",
            ".1.2",
            "1.2.",
            "1.2.3.4",
            "1.2-",
            "1.2+",
            "1.2-a..b",
            "1.2-01",
            "1.2-a_b",
            "1.2+a+b",
            "1.2 ",
            " 1.2",
            "1e5f3a2",
            "latest",
            "x.1",
            "99999999999999999999.1",
        ] {
            assert_eq!(parse(tag, VersionMode::Loose), None, "{tag:?}");
        }
    }

    #[test]
    fn prerelease_order() {
        let mut pres = [
            "",
            "alpha",
            "alpha.1",
            "alpha.beta",
            "beta",
            "beta.2",
            "beta.11",
            "rc.1",
            "1",
            "2",
            "10",
        ];
        pres.sort_by(|a, b| cmp_prerelease(a, b));
        assert_eq!(
            pres,
            [
                "1",
                "2",
                "10",
                "alpha",
                "alpha.1",
                "alpha.beta",
                "beta",
                "beta.2",
                "beta.11",
                "rc.1",
                ""
            ]
        );
    }

    #[test]
    fn precedence_ignores_build() {
        let a = Ver::parse("1.0.0+a", VersionMode::Strict).unwrap();
        let b = Ver::parse("1.0.0+b", VersionMode::Strict).unwrap();
        assert_eq!(a.precedence(&b), Ordering::Equal);
        let c = Ver::parse("1.0", VersionMode::Default).unwrap();
        assert_eq!(a.precedence(&c), Ordering::Equal);
        assert_eq!(c.parts, 2);
    }

    #[test]
    fn mode_names() {
        for mode in [VersionMode::Default, VersionMode::Strict, VersionMode::Loose] {
            assert_eq!(mode.code().parse::<VersionMode>().unwrap(), mode);
        }
        assert_eq!("lax".parse::<VersionMode>().unwrap_err().code(), "invalid_config");
    }
}
