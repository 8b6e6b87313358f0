//! Tag filters: which tags of a repository a container may run (`glob:`, `regex:`, `semver:`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::constraint::Constraint;
use super::version::{Ver, VersionMode};
use crate::error::{Error, ErrorKind, Result};

crate::vocabulary::wire_enum! {
/// The kind of a [`TagFilter`], from its prefix.
///
/// ```
/// use relman::policy::FilterKind;
/// use relman::TagFilter;
/// assert_eq!(TagFilter::parse("regexp:^v")?.kind(), FilterKind::Regex);
/// assert_eq!(FilterKind::Semver.prefix(), "semver:");
/// # Ok::<(), relman::Error>(())
/// ```
pub enum FilterKind {
    /// `glob:PATTERN`, or a filter without a prefix: `*` is the only wildcard.
    Glob = "glob",
    /// `regex:RE` or `regexp:RE`: an unanchored RE2-syntax regular expression.
    Regex = "regex",
    /// `semver:CONSTRAINT`: a [`Constraint`] on the tag read as a version.
    Semver = "semver",
}
}

impl FilterKind {
    /// The canonical prefix of the kind (`glob:`, `regex:`, `semver:`).
    pub fn prefix(self) -> &'static str {
        match self {
            FilterKind::Glob => "glob:",
            FilterKind::Regex => "regex:",
            FilterKind::Semver => "semver:",
        }
    }
}

/// Which tags a container may be released to: the value of a `tag.<container>` policy
/// (`filter.fluxcd.io/<container>`) or a service's `filter:` in `relman.yaml`.
///
/// - `glob:PATTERN`: the whole tag must match; `*` (any run of characters, also none) is the
///   only wildcard, everything else is literal and case-sensitive.
/// - `regex:RE` / `regexp:RE`: the tag must contain a match of `RE` (unanchored; anchor with
///   `^...$`), in the RE2 syntax of the [`regex`] crate. Compiled once, at parse.
/// - `semver:CONSTRAINT`: the tag read as a version (see [`VersionMode`]) must satisfy the
///   [`Constraint`]; tags that are not versions never match.
/// - Only those four prefixes are prefixes (case-sensitive); any other text, `foo:bar`
///   included, is a glob pattern. (Tags cannot contain `:`, so such a glob matches nothing.)
/// - The tag `latest`, in any case, never matches, except under the filter that is exactly
///   `glob:latest` (or `latest`).
/// - The default filter is `glob:*`. Filters compare, hash and serialize as their text.
///
/// ```
/// use relman::{TagFilter, VersionMode};
///
/// let f = TagFilter::parse("semver:~1")?;
/// assert!(f.matches("v1.2.3"));
/// assert!(!f.matches("2.0.0"));
/// assert!(!f.matches("1")); // not a version in the default mode
/// assert!(f.matches_in("1", VersionMode::Loose));
///
/// assert!(TagFilter::parse("master-*")?.matches("master-a1b2c3"));
/// assert!(TagFilter::parse("regex:^\\w{7}$")?.matches("af14eb2"));
/// assert!(!TagFilter::default().matches("latest"));
/// assert!(TagFilter::parse("glob:latest")?.matches("latest"));
///
/// assert_eq!(TagFilter::parse("semver:nonsense").unwrap_err().code(), "invalid_filter");
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Clone)]
pub struct TagFilter {
    text: String,
    matcher: Matcher,
}

#[derive(Clone)]
enum Matcher {
    Glob(Glob),
    Regex(regex::Regex),
    Semver(Constraint),
}

/// A glob split at its `*`s: `parts.len() - 1` wildcards.
#[derive(Debug, Clone)]
struct Glob {
    parts: Vec<Box<str>>,
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        Glob {
            parts: pattern.split('*').map(Box::from).collect(),
        }
    }

    fn matches(&self, tag: &str) -> bool {
        let (first, rest) = match self.parts.split_first() {
            Some(split) => split,
            None => return false,
        };
        let Some((last, middle)) = rest.split_last() else {
            return tag == &**first;
        };
        if tag.len() < first.len() + last.len()
            || (!first.is_empty() && !tag.starts_with(&**first))
            || (!last.is_empty() && !tag.ends_with(&**last))
        {
            return false;
        }
        // Leftmost matching of each literal between two `*`s is enough: a later match could
        // only leave less room for the rest.
        let mut hay = &tag[first.len()..tag.len() - last.len()];
        for part in middle.iter().filter(|p| !p.is_empty()) {
            match hay.find(&**part) {
                Some(at) => hay = &hay[at + part.len()..],
                None => return false,
            }
        }
        true
    }

    fn is_latest(&self) -> bool {
        self.parts.len() == 1 && &*self.parts[0] == "latest"
    }
}

/// Whether `tag` is `latest` in any case.
pub(crate) fn is_latest_tag(tag: &str) -> bool {
    tag.eq_ignore_ascii_case("latest")
}

/// The longest filter text accepted, in bytes, prefix included (`invalid_filter` past it). Real
/// filters are tens of bytes; a long alternation of branch names or versions fits many times
/// over. The cap bounds what one filter can cost to compile and to check against every tag.
pub const MAX_FILTER_LEN: usize = 4096;

/// The largest compiled program a `regex:` filter may build, in bytes (the regex crate's
/// `size_limit`; `invalid_filter` past it). The tag grammar itself written with Unicode
/// classes, `^[\w][\w.-]{0,127}$`, needs 6.4 MB; `[A-Za-z0-9_]` instead of `\w` needs a
/// hundredth of that (tags are ASCII).
pub const MAX_REGEX_SIZE: usize = 8 << 20;

/// The lazy DFA cache of one compiled `regex:` filter, in bytes (the regex crate's
/// `dfa_size_limit`): the memory matching may use.
const MAX_REGEX_DFA_SIZE: usize = 2 << 20;

/// At most this much of an offending filter is quoted in an error message.
const EXCERPT_LEN: usize = 80;

/// `text`, or its first [`EXCERPT_LEN`] bytes (on a character boundary) and the size left out.
pub(crate) fn excerpt(text: &str) -> String {
    if text.len() <= EXCERPT_LEN {
        return text.to_string();
    }
    let mut end = EXCERPT_LEN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} more bytes)", &text[..end], text.len() - end)
}

/// The message of the last line of a regex syntax error, without the ASCII-art pointer.
fn regex_error(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(text.as_str())
            .to_string(),
        regex::Error::CompiledTooBig(limit) => format!(
            "the expression compiles to more than {limit} bytes (bounded repetitions of Unicode \
             classes such as `\\w{{100}}` are large; tags are ASCII, so `[A-Za-z0-9_]` does the same)"
        ),
        other => other.to_string(),
    }
}

impl TagFilter {
    /// Parse a filter: `glob:PATTERN`, `regex:RE`, `regexp:RE`, `semver:CONSTRAINT` or a bare
    /// `PATTERN` (a glob).
    ///
    /// Errors: `invalid_filter` for a constraint or regex that does not parse, for an empty
    /// glob (`""`, `glob:`), which could match no tag, and for a filter past the size caps: text
    /// longer than [`MAX_FILTER_LEN`] bytes, a constraint of more than
    /// [`MAX_COMPARATORS`](super::constraint::MAX_COMPARATORS) comparators, a regex whose
    /// compiled program would pass [`MAX_REGEX_SIZE`] bytes.
    ///
    /// ```
    /// use relman::TagFilter;
    /// for bad in ["semver:nonsense", "regex:(", "regexp:*", "glob:", ""] {
    ///     assert_eq!(TagFilter::parse(bad).unwrap_err().code(), "invalid_filter", "{bad}");
    /// }
    /// assert_eq!(TagFilter::parse("foo:bar")?.kind(), relman::policy::FilterKind::Glob);
    /// let huge = format!("semver:{}", ">=1.0 ".repeat(1000));
    /// assert!(TagFilter::parse(&huge).unwrap_err().message().contains("at most 4096 bytes"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<TagFilter> {
        crate::work::count(|w| w.filters_compiled += 1);
        if text.len() > MAX_FILTER_LEN {
            return Err(Error::new(
                ErrorKind::InvalidFilter,
                format!(
                    "invalid filter `{}`: the filter is {} bytes; filters are at most {MAX_FILTER_LEN} bytes",
                    excerpt(text),
                    text.len()
                ),
            ));
        }
        let invalid = |detail: String| {
            Error::new(
                ErrorKind::InvalidFilter,
                format!("invalid filter `{}`: {detail}", excerpt(text)),
            )
        };
        let matcher = if let Some(constraint) = text.strip_prefix("semver:") {
            Matcher::Semver(Constraint::parse_detailed(constraint).map_err(invalid)?)
        } else if let Some(re) = text
            .strip_prefix("regex:")
            .or_else(|| text.strip_prefix("regexp:"))
        {
            Matcher::Regex(
                regex::RegexBuilder::new(re)
                    .size_limit(MAX_REGEX_SIZE)
                    .dfa_size_limit(MAX_REGEX_DFA_SIZE)
                    .build()
                    .map_err(|e| invalid(format!("not a valid regular expression: {}", regex_error(&e))))?,
            )
        } else {
            let pattern = text.strip_prefix("glob:").unwrap_or(text);
            if pattern.is_empty() {
                return Err(invalid("an empty glob pattern matches no tag".into()));
            }
            Matcher::Glob(Glob::new(pattern))
        };
        Ok(TagFilter {
            text: text.to_string(),
            matcher,
        })
    }

    /// Whether `tag` passes the filter, reading versions in the default [`VersionMode`].
    ///
    /// ```
    /// let f = relman::TagFilter::parse("semver:*")?;
    /// assert!(f.matches("1.0"));
    /// assert!(!f.matches("12345678")); // a git SHA, not a version
    /// assert!(!f.matches("2.0.1-alpha.1")); // prereleases need a constraint that names one
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn matches(&self, tag: &str) -> bool {
        self.matches_in(tag, VersionMode::Default)
    }

    /// Whether `tag` passes the filter, reading versions in `mode` (only `semver:` filters read
    /// versions).
    ///
    /// ```
    /// use relman::{TagFilter, VersionMode};
    /// let f = TagFilter::parse("semver:*")?;
    /// assert!(f.matches_in("12345678", VersionMode::Loose));
    /// assert!(!f.matches_in("1.0", VersionMode::Strict));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn matches_in(&self, tag: &str, mode: VersionMode) -> bool {
        if is_latest_tag(tag) && !self.allows_latest() {
            return false;
        }
        match &self.matcher {
            Matcher::Glob(glob) => glob.matches(tag),
            Matcher::Regex(re) => re.is_match(tag),
            Matcher::Semver(c) => Ver::parse(tag, mode).is_some_and(|v| c.check(&v, false)),
        }
    }

    /// The filter as written.
    ///
    /// ```
    /// assert_eq!(relman::TagFilter::parse("master-*")?.as_str(), "master-*");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The kind of filter.
    ///
    /// ```
    /// use relman::{policy::FilterKind, TagFilter};
    /// assert_eq!(TagFilter::parse("master-*")?.kind(), FilterKind::Glob);
    /// assert_eq!(TagFilter::parse("semver:^1")?.kind(), FilterKind::Semver);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn kind(&self) -> FilterKind {
        match self.matcher {
            Matcher::Glob(_) => FilterKind::Glob,
            Matcher::Regex(_) => FilterKind::Regex,
            Matcher::Semver(_) => FilterKind::Semver,
        }
    }

    /// The constraint of a `semver:` filter.
    ///
    /// ```
    /// let f = relman::TagFilter::parse("semver:^1.2")?;
    /// assert_eq!(f.constraint().map(|c| c.as_str()), Some("^1.2"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn constraint(&self) -> Option<&Constraint> {
        match &self.matcher {
            Matcher::Semver(c) => Some(c),
            _ => None,
        }
    }

    /// Whether the tag `latest` may pass: only for the glob that is exactly `latest`.
    pub(crate) fn allows_latest(&self) -> bool {
        matches!(&self.matcher, Matcher::Glob(g) if g.is_latest())
    }

    /// Glob or regex match of a tag known not to be a barred `latest`.
    pub(crate) fn matches_pattern(&self, tag: &str) -> bool {
        match &self.matcher {
            Matcher::Glob(glob) => glob.matches(tag),
            Matcher::Regex(re) => re.is_match(tag),
            Matcher::Semver(_) => false,
        }
    }
}

/// `glob:*`: every tag but `latest`.
impl Default for TagFilter {
    fn default() -> TagFilter {
        TagFilter {
            text: "glob:*".to_string(),
            matcher: Matcher::Glob(Glob::new("*")),
        }
    }
}

impl FromStr for TagFilter {
    type Err = Error;

    fn from_str(s: &str) -> Result<TagFilter> {
        TagFilter::parse(s)
    }
}

impl fmt::Display for TagFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for TagFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TagFilter").field(&self.text).finish()
    }
}

/// Two filters are equal when written the same way.
impl PartialEq for TagFilter {
    fn eq(&self, other: &TagFilter) -> bool {
        self.text == other.text
    }
}

impl Eq for TagFilter {}

impl std::hash::Hash for TagFilter {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl Serialize for TagFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for TagFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<TagFilter, D::Error> {
        let text = String::deserialize(deserializer)?;
        TagFilter::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str, tag: &str) -> bool {
        Glob::new(pattern).matches(tag)
    }

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("*", "anything"));
        assert!(glob("a*", "a"));
        assert!(glob("*a", "a"));
        assert!(!glob("a*a", "a"));
        assert!(glob("a*a", "aa"));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a*b*c", "aXcYb"));
        assert!(glob("**", "x"));
        assert!(glob("v?.[1]", "v?.[1]"), "only * is special");
        assert!(!glob("v?", "v1"));
        assert!(!glob("Master", "master"));
        assert!(glob("1.*.*-rc", "1.2.3-rc"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn latest_only_for_glob_latest() {
        for text in [
            "glob:*",
            "*",
            "l*",
            "regex:.*",
            "regexp:latest",
            "glob:LATEST",
            "*test",
        ] {
            let f = TagFilter::parse(text).unwrap();
            for tag in ["latest", "LATEST", "Latest"] {
                assert!(!f.matches(tag), "{text} {tag}");
            }
        }
        for text in ["glob:latest", "latest"] {
            let f = TagFilter::parse(text).unwrap();
            assert!(f.matches("latest"));
            assert!(!f.matches("Latest"));
        }
        assert!(TagFilter::parse("*").unwrap().matches("latest-1"));
    }

    #[test]
    fn regex_is_unanchored_and_compiled_once() {
        let f = TagFilter::parse("regexp:master").unwrap();
        assert!(f.matches("pre-master-x"));
        assert_eq!(f.kind(), FilterKind::Regex);
        let err = TagFilter::parse("regex:(").unwrap_err();
        assert!(err.message().contains("unclosed"), "{}", err.message());
        assert!(!err.message().contains('\n'));
    }

    #[test]
    fn serde_as_text() {
        let f: TagFilter = serde_json::from_str("\"semver:^1\"").unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), "\"semver:^1\"");
        assert!(serde_json::from_str::<TagFilter>("\"semver:^x1\"").is_err());
        assert_eq!(TagFilter::default().to_string(), "glob:*");
        assert_eq!(TagFilter::default(), TagFilter::parse("glob:*").unwrap());
        assert_eq!(format!("{:?}", TagFilter::default()), "TagFilter(\"glob:*\")");
    }

    #[test]
    fn prefixes_are_case_sensitive() {
        assert_eq!(TagFilter::parse("Semver:^1").unwrap().kind(), FilterKind::Glob);
        assert_eq!(TagFilter::parse("foo:bar").unwrap().kind(), FilterKind::Glob);
        assert_eq!(
            TagFilter::parse("glob:semver:1").unwrap().kind(),
            FilterKind::Glob
        );
    }
}
