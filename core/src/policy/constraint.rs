//! Version constraints in the Masterminds v3 dialect (as Flux, Argo CD Image Updater and Kargo
//! use it), parsed into half-open version ranges once and checked without allocation.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::filter::{MAX_FILTER_LEN, excerpt};
use super::version::{Ver, split_pre_build};

/// The most comparators a constraint may have, over all its alternatives (`invalid_filter` past
/// it; a hyphen range counts as one). Every tag of a repository is checked against each of
/// them; real constraints have a handful.
pub const MAX_COMPARATORS: usize = 256;
use crate::error::{Error, ErrorKind, Result};

/// A version constraint such as `^1.2`, `>= 1.0.0-0, < 2` or `1.2 - 1.4.5 || 2.x`.
///
/// The dialect is [Masterminds/semver](https://github.com/Masterminds/semver) v3's:
///
/// - `||` separates alternatives (OR); inside one, comparators separated by a comma or by
///   whitespace must all hold (AND).
/// - Operators: `=` (also no operator), `!=`, `>`, `<`, `>=` (also `=>`), `<=` (also `=<`),
///   `~` (also `~>`), `^`. Whitespace may follow an operator (`>= 1.2`).
/// - A version may start with `v`/`V`, and may be partial (`1`, `1.2`); `x`, `X` and `*` are
///   wildcards in any position (`1.2.x`, `2.x`, `*`, `>=1.x`). Anything after a wildcard is
///   ignored (`1.x.3` is `1.x`).
/// - A partial or wildcard version stands for the range it spells: `1.2` and `1.2.x` are
///   `>=1.2.0 <1.3.0`, `2` is `>=2.0.0 <3.0.0`, `*` is every version. So `>1.2` is `>=1.3.0`,
///   `<=1.2` is `<1.3.0`, `<1.2` is `<1.2.0` and `!=1.2` excludes all of `1.2.x`.
/// - Hyphen ranges `1.2 - 1.4.5` are inclusive, `>=1.2 <=1.4.5`; with a partial upper end the
///   whole of it is included (`1.2 - 1.4` is `>=1.2.0 <1.5.0`). The `-` needs a space on both
///   sides (`1.2-3` is version `1.2.0-3`).
/// - Tilde: `~1.2.3` is `>=1.2.3 <1.3.0`, `~1.2` is `>=1.2.0 <1.3.0`, `~1` is `>=1.0.0 <2.0.0`;
///   `~0.0.0` and `~*` accept every version (a Masterminds special case).
/// - Caret: `^1.2.3` is `>=1.2.3 <2.0.0`, `^0.2.3` is `>=0.2.3 <0.3.0`, `^0.0.3` is
///   `>=0.0.3 <0.0.4`, `^0.0` is `>=0.0.0 <0.1.0`, `^0` is `>=0.0.0 <1.0.0`, `^*` is any.
/// - Exclusive upper bounds that a range implies (`~`, `^`, partial versions, hyphen ends)
///   exclude the prereleases of the bound too: `^1.0.0-0` does not admit `2.0.0-rc.1`. An
///   explicit `<` does not: `<2` is `<2.0.0`, which `2.0.0-rc.1` precedes (write `<2.0.0-0`).
/// - Prereleases: a version with a prerelease satisfies an alternative only if some comparator
///   in that alternative names a prerelease (`>=1.2.3-0`). This is decided per alternative, not
///   per comparator, so `>= 1.0.0-rc.0, <1.0.1` admits `1.0.0-rc.1` (Masterminds' own code
///   checks each comparator and would not). As in Masterminds and unlike npm, the prerelease
///   need not share its `MAJOR.MINOR.PATCH` with the comparator: `>=1.0.0-0` admits
///   `1.5.0-beta`.
/// - With `*`: `>*` and `!=*` match nothing; `=*`, `>=*`, `<=*`, `~*` and `^*` match every
///   version.
/// - Build metadata is allowed and ignored when comparing; numbers may have leading zeros.
/// - An empty constraint, an empty alternative (`1.2 ||`) and stray commas are errors.
///
/// ```
/// use relman::policy::Constraint;
///
/// let c = Constraint::parse("^1.2 || >=3.0.0-rc.0 <3.1")?;
/// let v = |s: &str| semver::Version::parse(s).unwrap();
/// assert!(c.matches(&v("1.9.0")));
/// assert!(!c.matches(&v("2.0.0")));
/// assert!(!c.matches(&v("1.9.1-rc.1"))); // its alternative names no prerelease
/// assert!(c.matches(&v("3.0.5-beta")));
/// assert_eq!(c.to_string(), "^1.2 || >=3.0.0-rc.0 <3.1");
///
/// let err = Constraint::parse(">= bar").unwrap_err();
/// assert_eq!(err.code(), "invalid_filter");
/// assert!(err.message().contains("`bar`"));
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Clone)]
pub struct Constraint {
    text: String,
    groups: Vec<Group>,
}

/// One alternative: every range must hold.
#[derive(Debug, Clone)]
struct Group {
    ranges: Vec<Range>,
    /// Whether some comparator names a prerelease, which lets prereleases in.
    prerelease: bool,
}

/// A version interval, or its complement when `negate` is set.
#[derive(Debug, Clone)]
struct Range {
    lower: Option<Bound>,
    upper: Option<Bound>,
    negate: bool,
}

#[derive(Debug, Clone)]
struct Bound {
    point: Point,
    inclusive: bool,
}

/// An owned version without build metadata.
#[derive(Debug, Clone)]
struct Point {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Box<str>,
}

impl Point {
    fn ver(&self) -> Ver<'_> {
        Ver {
            major: self.major,
            minor: self.minor,
            patch: self.patch,
            pre: &self.pre,
            build: "",
            parts: 3,
        }
    }
}

impl Range {
    const ANY: Range = Range {
        lower: None,
        upper: None,
        negate: false,
    };
    const NONE: Range = Range {
        lower: None,
        upper: None,
        negate: true,
    };

    fn between(lower: Option<Bound>, upper: Option<Bound>) -> Range {
        Range {
            lower,
            upper,
            negate: false,
        }
    }

    fn test(&self, v: &Ver<'_>) -> bool {
        let above = self
            .lower
            .as_ref()
            .is_none_or(|b| match v.precedence(&b.point.ver()) {
                Ordering::Greater => true,
                Ordering::Equal => b.inclusive,
                Ordering::Less => false,
            });
        let below = self
            .upper
            .as_ref()
            .is_none_or(|b| match v.precedence(&b.point.ver()) {
                Ordering::Less => true,
                Ordering::Equal => b.inclusive,
                Ordering::Greater => false,
            });
        (above && below) != self.negate
    }
}

fn incl(point: Point) -> Option<Bound> {
    Some(Bound {
        point,
        inclusive: true,
    })
}

fn excl(point: Point) -> Option<Bound> {
    Some(Bound {
        point,
        inclusive: false,
    })
}

/// A version as a constraint spells it: up to three numbers before the first wildcard.
#[derive(Debug, Clone, Copy)]
struct Partial<'a> {
    nums: [u64; 3],
    /// How many numbers were given before the end or the first wildcard (0 for `*`).
    given: usize,
    pre: &'a str,
}

impl<'a> Partial<'a> {
    fn parse(token: &'a str) -> std::result::Result<Partial<'a>, String> {
        let not_a_version = || format!("`{token}` is not a version");
        let s = token.strip_prefix(['v', 'V']).unwrap_or(token);
        let bytes = s.as_bytes();
        let mut nums = [0u64; 3];
        let mut given = 0;
        let mut wild = false;
        let mut i = 0;
        for (part, slot) in nums.iter_mut().enumerate() {
            match bytes.get(i) {
                Some(b'x' | b'X' | b'*') => {
                    wild = true;
                    i += 1;
                }
                Some(b) if b.is_ascii_digit() => {
                    let start = i;
                    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                    let digits = &s[start..i];
                    let n = digits
                        .parse()
                        .map_err(|_| format!("`{digits}` in `{token}` is too large"))?;
                    if !wild {
                        *slot = n;
                        given += 1;
                    }
                }
                _ => return Err(not_a_version()),
            }
            if part < 2 && bytes.get(i) == Some(&b'.') {
                i += 1;
            } else {
                break;
            }
        }
        let (pre, _build) = split_pre_build(&s[i..]).ok_or_else(not_a_version)?;
        Ok(Partial { nums, given, pre })
    }

    fn full(&self) -> bool {
        self.given == 3
    }

    /// The lowest version the text covers: missing parts 0, prerelease kept.
    fn low(&self) -> Point {
        let [major, minor, patch] = self.nums;
        Point {
            major,
            minor,
            patch,
            pre: self.pre.into(),
        }
    }

    /// The first version above `self` with part `index` incremented, lowered to its `-0`
    /// prerelease so that the bound also excludes that version's prereleases. `None` on
    /// overflow (no upper bound).
    fn bump(&self, index: usize) -> Option<Point> {
        let [major, minor, patch] = self.nums;
        let (major, minor, patch) = match index {
            0 => (major.checked_add(1)?, 0, 0),
            1 => (major, minor.checked_add(1)?, 0),
            _ => (major, minor, patch.checked_add(1)?),
        };
        Some(Point {
            major,
            minor,
            patch,
            pre: "0".into(),
        })
    }

    /// The exclusive end of the range a partial version covers (`1.2` -> `1.3.0-0`); `None`
    /// for `*` (unbounded).
    fn end(&self) -> Option<Point> {
        self.given.checked_sub(1).and_then(|last| self.bump(last))
    }

    /// The versions `=self` (or a bare `self`) accepts.
    fn equal(&self) -> Range {
        if self.full() {
            Range::between(incl(self.low()), incl(self.low()))
        } else {
            Range::between(incl(self.low()), self.end().and_then(excl))
        }
    }

    /// The upper bound `<=self` sets.
    fn at_most(&self) -> Option<Bound> {
        if self.full() {
            incl(self.low())
        } else {
            self.end().and_then(excl)
        }
    }

    fn range(&self, op: Op) -> Range {
        match op {
            Op::Eq => self.equal(),
            Op::Ne => Range {
                negate: true,
                ..self.equal()
            },
            Op::Gt if self.full() => Range::between(excl(self.low()), None),
            Op::Gt => match self.end() {
                Some(end) => Range::between(incl(end), None),
                None => Range::NONE,
            },
            Op::Ge => Range::between(incl(self.low()), None),
            Op::Lt => Range::between(None, excl(self.low())),
            Op::Le => match self.at_most() {
                Some(bound) => Range::between(None, Some(bound)),
                None => Range::ANY,
            },
            Op::Tilde => {
                let upper = match self.given {
                    0 => None,
                    3 if self.nums == [0, 0, 0] => None,
                    1 => self.bump(0),
                    _ => self.bump(1),
                };
                Range::between(incl(self.low()), upper.and_then(excl))
            }
            Op::Caret => {
                let upper = match self.given {
                    0 => None,
                    given => {
                        let index = self.nums[..given]
                            .iter()
                            .position(|&n| n != 0)
                            .unwrap_or(given - 1);
                        self.bump(index)
                    }
                };
                Range::between(incl(self.low()), upper.and_then(excl))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

/// Operators, longest spelling first.
const OPERATORS: [(&str, Op); 11] = [
    ("!=", Op::Ne),
    (">=", Op::Ge),
    ("=>", Op::Ge),
    ("<=", Op::Le),
    ("=<", Op::Le),
    ("~>", Op::Tilde),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("=", Op::Eq),
    ("~", Op::Tilde),
    ("^", Op::Caret),
];

fn is_version_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'*')
}

/// A cursor over one alternative.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skip whitespace; whether there was any.
    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn operator(&mut self) -> Option<(&'a str, Op)> {
        let rest = &self.text[self.pos..];
        let (spelling, op) = OPERATORS.iter().find(|(s, _)| rest.starts_with(s))?;
        self.pos += spelling.len();
        Some((spelling, *op))
    }

    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_version_byte) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// The rest of the text from the cursor, shortened for messages.
    fn here(&self) -> &'a str {
        let rest = &self.text[self.pos..];
        match rest.char_indices().nth(12) {
            Some((i, _)) => &rest[..i],
            None => rest,
        }
    }
}

fn parse_group(text: &str) -> std::result::Result<Group, String> {
    let mut cur = Cursor { text, pos: 0 };
    let mut group = Group {
        ranges: Vec::new(),
        prerelease: false,
    };
    loop {
        let spaced = cur.skip_space();
        let Some(next) = cur.peek() else { break };
        if !group.ranges.is_empty() {
            if next == b',' {
                cur.pos += 1;
                cur.skip_space();
                match cur.peek() {
                    None => return Err("the constraint ends with a comma".into()),
                    Some(b',') => return Err("two commas with no comparator between them".into()),
                    Some(_) => {}
                }
            } else if !spaced {
                return Err(format!("expected a comma or a space before `{}`", cur.here()));
            }
        } else if next == b',' {
            return Err("a comma before the first comparator".into());
        }
        let op = cur.operator();
        cur.skip_space();
        let token = cur.token();
        if token.is_empty() {
            return Err(match (op, cur.peek()) {
                (Some((spelling, _)), _) => format!("`{spelling}` is not followed by a version"),
                (None, _) => format!("unexpected `{}`", cur.here()),
            });
        }
        let low = Partial::parse(token)?;
        group.prerelease |= !low.pre.is_empty();
        // A hyphen range: `A - B`, with a space on both sides of the `-`.
        let before = cur.pos;
        let spaced = cur.skip_space();
        if spaced && cur.peek() == Some(b'-') {
            if let Some((spelling, _)) = op {
                return Err(format!(
                    "a hyphen range takes bare versions, not `{spelling}{token} - ...`"
                ));
            }
            cur.pos += 1;
            if !cur.skip_space() {
                return Err(format!(
                    "the `-` of the hyphen range after `{token}` needs a space on both sides"
                ));
            }
            let upper_token = cur.token();
            if upper_token.is_empty() {
                return Err(format!("the hyphen range `{token} - ` has no upper end"));
            }
            let high = Partial::parse(upper_token)?;
            group.prerelease |= !high.pre.is_empty();
            group.ranges.push(Range::between(incl(low.low()), high.at_most()));
        } else {
            cur.pos = before;
            group.ranges.push(low.range(op.map_or(Op::Eq, |(_, op)| op)));
        }
    }
    if group.ranges.is_empty() {
        return Err("an alternative of `||` is empty".into());
    }
    Ok(group)
}

impl Constraint {
    /// Parse a constraint. Errors: `invalid_filter`, with a message that names the bad part.
    ///
    /// ```
    /// use relman::policy::Constraint;
    /// assert!(Constraint::parse("~1.2.3").is_ok());
    /// assert!(Constraint::parse("1.2 - 1.4.5, != 1.3.0").is_ok());
    /// assert_eq!(Constraint::parse("").unwrap_err().code(), "invalid_filter");
    /// assert_eq!(Constraint::parse(">=1.0 <").unwrap_err().code(), "invalid_filter");
    /// ```
    pub fn parse(text: &str) -> Result<Constraint> {
        Constraint::parse_detailed(text).map_err(|detail| {
            Error::new(
                ErrorKind::InvalidFilter,
                format!("invalid constraint `{}`: {detail}", excerpt(text)),
            )
        })
    }

    /// [`Constraint::parse`] with the bare reason of a failure, for callers that frame it.
    pub(crate) fn parse_detailed(text: &str) -> std::result::Result<Constraint, String> {
        if text.trim().is_empty() {
            return Err("the constraint is empty".into());
        }
        if text.len() > MAX_FILTER_LEN {
            return Err(format!(
                "the constraint is {} bytes; constraints are at most {MAX_FILTER_LEN} bytes",
                text.len()
            ));
        }
        let groups = text
            .split("||")
            .map(parse_group)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let comparators: usize = groups.iter().map(|g| g.ranges.len()).sum();
        if comparators > MAX_COMPARATORS {
            return Err(format!(
                "the constraint has {comparators} comparators; constraints have at most {MAX_COMPARATORS}"
            ));
        }
        Ok(Constraint {
            text: text.to_string(),
            groups,
        })
    }

    /// Whether `version` satisfies the constraint (prerelease rule included).
    ///
    /// ```
    /// use relman::policy::Constraint;
    /// let c: Constraint = ">= 1.0.0-rc.0, <1.0.1".parse()?;
    /// assert!(c.matches(&semver::Version::parse("1.0.0-rc.1").unwrap()));
    /// assert!(!c.matches(&semver::Version::parse("1.0.1").unwrap()));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn matches(&self, version: &semver::Version) -> bool {
        self.check(&Ver::of(version), false)
    }

    /// The constraint as written.
    ///
    /// ```
    /// assert_eq!(relman::policy::Constraint::parse(" ~1 ")?.as_str(), " ~1 ");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `v` satisfies some alternative; with `ignore_prerelease_rule`, as if every
    /// alternative named a prerelease (to explain why a prerelease was left out).
    pub(crate) fn check(&self, v: &Ver<'_>, ignore_prerelease_rule: bool) -> bool {
        let released = v.pre.is_empty();
        self.groups.iter().any(|g| {
            (released || g.prerelease || ignore_prerelease_rule) && g.ranges.iter().all(|r| r.test(v))
        })
    }
}

impl FromStr for Constraint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Constraint> {
        Constraint::parse(s)
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Constraint").field(&self.text).finish()
    }
}

/// Two constraints are equal when written the same way.
impl PartialEq for Constraint {
    fn eq(&self, other: &Constraint) -> bool {
        self.text == other.text
    }
}

impl Eq for Constraint {}

impl std::hash::Hash for Constraint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl Serialize for Constraint {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Constraint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Constraint, D::Error> {
        let text = String::deserialize(deserializer)?;
        Constraint::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::VersionMode;

    fn check(constraint: &str, version: &str) -> bool {
        let c = Constraint::parse(constraint).unwrap_or_else(|e| panic!("{constraint}: {e}"));
        let v = Ver::parse(version, VersionMode::Loose).unwrap_or_else(|| panic!("{version}"));
        c.check(&v, false)
    }

    #[test]
    fn operators() {
        let cases = [
            ("=1.2.3", "1.2.3", true),
            ("1.2.3", "1.2.4", false),
            ("!=1.2.3", "1.2.4", true),
            ("!=1.2.3", "1.2.3", false),
            (">1.2.3", "1.2.4", true),
            (">1.2.3", "1.2.3", false),
            ("<1.2.3", "1.2.2", true),
            ("<1.2.3", "1.2.3", false),
            (">=1.2.3", "1.2.3", true),
            ("=>1.2.3", "1.2.2", false),
            ("<=1.2.3", "1.2.3", true),
            ("=<1.2.3", "1.2.4", false),
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            ("<=1.2", "1.2.9", true),
            ("<=1.2", "1.3.0", false),
            ("<1.2", "1.1.9", true),
            ("<1.2", "1.2.0", false),
            ("!=1.2", "1.2.5", false),
            ("!=1.2", "1.3.0", true),
            (">*", "1.0.0", false),
            ("!=*", "1.0.0", false),
            ("<=*", "9.0.0", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(check(c, v), want, "{c} vs {v}");
        }
    }

    #[test]
    fn ranges() {
        let cases = [
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~1", "1.9.0", true),
            ("~1", "2.0.0", false),
            ("~0.0.0", "5.0.0", true),
            ("~0.0", "0.1.0", false),
            ("^0.0", "0.0.9", true),
            ("^0.0", "0.1.0", false),
            ("^0", "0.9.0", true),
            ("^0", "1.0.0", false),
            ("^0.0.0", "0.0.1", false),
            ("^0.x", "0.5.0", true),
            ("^0.0.x", "0.1.0", false),
            ("1.2 - 1.4", "1.4.9", true),
            ("1.2 - 1.4", "1.5.0", false),
            ("1.2 - 1.4.5", "1.4.6", false),
            ("1.x.3", "1.9.0", true),
            ("*", "0.0.0", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(check(c, v), want, "{c} vs {v}");
        }
    }

    #[test]
    fn prereleases() {
        assert!(!check("^1", "1.5.0-rc.1"));
        assert!(check(">=1.0.0-0", "1.5.0-rc.1"));
        assert!(!check(">=1.0.0-0", "0.9.0-rc.1"));
        assert!(check(">=1.0.0-0 <2", "1.5.0-rc.1"));
        assert!(
            !check("^1.0.0-0", "2.0.0-rc.1"),
            "implied upper bounds exclude their prereleases"
        );
        assert!(
            !check("^1.0.0 || >=3.0.0-0", "1.5.0-rc.1"),
            "decided per alternative"
        );
        assert!(check("^1.0.0 || >=3.0.0-0", "3.1.0-rc.1"));
        let c = Constraint::parse("^1").unwrap();
        let v = Ver::parse("1.5.0-rc.1", VersionMode::Strict).unwrap();
        assert!(c.check(&v, true));
    }

    #[test]
    fn errors_name_the_bad_part() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            (">= bar", "`bar`"),
            ("1.2 ||", "empty"),
            ("|| 1.2", "empty"),
            (">=1.0,", "comma"),
            (">=1.0,,<2", "commas"),
            (",>=1.0", "comma"),
            (">=", "`>=`"),
            (">=1.0<2", "`<2`"),
            ("1.2 -1.4", "space"),
            ("1.2 - ", "upper end"),
            (">=1.2 - 2", "hyphen"),
            ("1.2.3.4", "`1.2.3.4`"),
            ("1.2.3-01", "`1.2.3-01`"),
            ("99999999999999999999", "too large"),
            ("foo", "`foo`"),
            ("1 | 2", "`|"),
            ("xx", "`xx`"),
        ];
        for (text, needle) in cases {
            let err = Constraint::parse(text).expect_err(text);
            assert_eq!(err.kind(), ErrorKind::InvalidFilter);
            assert!(err.message().contains(needle), "{text:?}: {}", err.message());
        }
    }

    #[test]
    fn text_round_trips() {
        let c: Constraint = ">= 1.2, < 2".parse().unwrap();
        assert_eq!(c.to_string(), ">= 1.2, < 2");
        assert_eq!(format!("{c:?}"), "Constraint(\">= 1.2, < 2\")");
        assert_eq!(c, Constraint::parse(">= 1.2, < 2").unwrap());
    }
}
