//! Tag filters: which tags of a repository a container may run (`glob:`, `regex:`, `semver:`).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::constraint::Constraint;
use super::order::TagOrder;
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

/// Which tags a container may be released to, and how they are ranked: the value of a
/// `tag.<container>` policy (`filter.fluxcd.io/<container>`) or a service's `filter:` in
/// `relman.yaml`.
///
/// A filter is one or more clauses separated by spaces:
///
/// - a pattern, which a tag must pass:
///   - `glob:PATTERN`, or a clause without a known prefix: the whole tag must match; `*` (any
///     run of characters, also none) is the only wildcard, everything else is literal and
///     case-sensitive.
///   - `regex:RE` / `regexp:RE`: the tag must contain a match of `RE` (unanchored; anchor with
///     `^...$`), in the RE2 syntax of the [`regex`] crate. Compiled once, at parse.
///
///   A pattern clause ends at the first space: tags hold no spaces, so a pattern never needs
///   one (write `\x20` in a regex that must).
/// - an order, which ranks the tags that pass ([`TagOrder`]):
///   - `semver:CONSTRAINT` (the last clause: the constraint is the rest of the text, spaces
///     included): the value read as a version (see [`VersionMode`]) must satisfy the
///     [`Constraint`]; the highest version wins. Values that are not versions never pass.
///   - `alphabetical:asc` / `alphabetical:desc`: the value that sorts last / first in byte
///     order wins (Flux's `alphabetical` policy).
///   - `numerical:asc` / `numerical:desc`: the value read as a 64-bit float (Go's
///     `ParseFloat`, as Flux reads it) that is greatest / smallest wins. As in Flux's
///     `numerical` policy, one value that passes the pattern and is not a number stops the
///     choice: nothing is chosen (reasons `not_a_number` and `blocked`).
///   - `digest:TAG` (the whole filter: it is the pattern too): only `TAG` passes (`latest`
///     included), and the image is its current catalog digest, written `repo:TAG@sha256:...`:
///     a mutable tag tracked by digest (Argo CD Image Updater's `digest` strategy, Keel's
///     `force` with `match-tag`). A tag without a digest in the catalog is skipped
///     (`missing_digest`).
///   - none: the newest creation time wins.
/// - `extract:TEMPLATE` (with a `regex:` pattern and an order that reads values): the value
///   ranked is the template expanded with the regex's match, as Go's `Regexp.Expand` does
///   (`$name`, `${name}`, `$1`, `$$`): Flux's `filterTags.extract`. Without it the value is the
///   tag.
/// - `ignore:GLOB,GLOB...`: tags matching any of the globs never pass, in Go's
///   `filepath.Match` syntax (`*`, `?`, `[a-z]`, `[^0-9]`, `\x`): Argo CD Image Updater's
///   `ignore-tags`.
/// - `versions:default|strict|loose` (with `semver:`): how this filter reads versions,
///   whatever the mode of the plan (Flux v2 policies read versions strictly).
///
/// Each kind of clause may be given once. Only those prefixes are prefixes (case-sensitive);
/// any other clause, `foo:bar` included, is a glob pattern. (Tags cannot contain `:`, so such a
/// glob matches nothing.) The tag `latest`, in any case, never passes, except under the filter
/// that is exactly `glob:latest` (or `latest`). Equal values rank by tag: for versions the
/// tag that spells more parts, then the smaller tag; for alphabetical and numerical values
/// the greater tag (what Flux picks from a registry that lists tags in order).
///
/// The default filter is `glob:*`. Filters compare, hash and serialize as their text.
///
/// ```
/// use relman::{TagFilter, VersionMode};
/// use relman::policy::TagOrder;
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
/// // Flux's filterTags + numerical policy, in one filter.
/// let f = TagFilter::parse("numerical:asc extract:$ts regex:^main-[a-f0-9]+-(?P<ts>[0-9]+)$")?;
/// assert_eq!((f.order(), f.extract()), (TagOrder::NumericalAsc, Some("$ts")));
/// assert!(f.matches("main-0d1e2f3-1606364286"));
///
/// assert_eq!(TagFilter::parse("semver:nonsense").unwrap_err().code(), "invalid_filter");
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Clone)]
pub struct TagFilter {
    text: String,
    pattern: Pattern,
    /// `ignore:GLOB,GLOB`: tags matching any of the globs never pass.
    ignore: Option<regex::Regex>,
    extract: Option<Box<str>>,
    rank: Rank,
    mode: Option<VersionMode>,
}

/// Which tags pass, before the order reads them.
#[derive(Clone)]
enum Pattern {
    /// Every tag (a filter with no pattern clause).
    Any,
    Glob(Glob),
    Regex(regex::Regex),
}

/// How the tags that pass are ranked.
#[derive(Clone)]
pub(crate) enum Rank {
    /// Newest creation time.
    Time,
    /// Highest version satisfying the constraint.
    Version(Constraint),
    /// Byte order of the value; `true` for ascending (the last wins).
    Alphabetical(bool),
    /// Numeric value; `true` for ascending (the greatest wins).
    Numerical(bool),
    /// The one tag of the pattern, tracked by digest (`digest:TAG`).
    Digest,
}

/// A glob split at its `*`s: `parts.len() - 1` wildcards.
#[derive(Debug, Clone)]
struct Glob {
    parts: Vec<Box<str>>,
    /// Only wildcards (`*`, the default filter's glob): every tag matches. Checked once per
    /// tag of a selection, so worth its byte.
    any: bool,
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        let parts: Vec<Box<str>> = pattern.split('*').map(Box::from).collect();
        let any = parts.len() > 1 && parts.iter().all(|p| p.is_empty());
        Glob { parts, any }
    }

    fn matches(&self, tag: &str) -> bool {
        if self.any {
            return true;
        }
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
    /// Parse a filter: clauses separated by spaces (see [`TagFilter`]): at most one pattern
    /// (`glob:PATTERN`, `regex:RE`, `regexp:RE`, or a bare `PATTERN`, a glob), at most one order
    /// (`semver:CONSTRAINT`, last; `alphabetical:asc|desc`; `numerical:asc|desc`; `digest:TAG`,
    /// which is the pattern too), and the
    /// options `extract:TEMPLATE` and `versions:MODE`.
    ///
    /// Errors: `invalid_filter` for a constraint or regex that does not parse, for an empty
    /// glob (`""`, `glob:`), which could match no tag, for a clause given twice (two patterns,
    /// two orders), for an order word other than `asc`/`desc`, for `extract:` without a
    /// `regex:` pattern or with the creation-time order (which reads no value), for
    /// `versions:` without `semver:`, and for a filter past the size caps: text longer than
    /// [`MAX_FILTER_LEN`] bytes, a constraint of more than
    /// [`MAX_COMPARATORS`](super::constraint::MAX_COMPARATORS) comparators, a regex whose
    /// compiled program would pass [`MAX_REGEX_SIZE`] bytes.
    ///
    /// ```
    /// use relman::TagFilter;
    /// for bad in ["semver:nonsense", "regex:(", "regexp:*", "glob:", "", "numerical:up",
    ///             "extract:$1 glob:a*", "extract:$1 regex:(a)", "glob:a glob:b", "alphabetical:asc semver:^1",
    ///             "digest:", "digest:v*", "digest:a glob:b", "digest:a numerical:asc",
    ///             "ignore:[a", "ignore:a,,b", "ignore:a ignore:b"] {
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
        let mut pattern: Option<Pattern> = None;
        let mut rank: Option<Rank> = None;
        let mut extract: Option<Box<str>> = None;
        let mut mode: Option<VersionMode> = None;
        let mut ignore: Option<regex::Regex> = None;
        let mut rest = text;
        let mut clauses = 0;
        loop {
            // Clauses are separated by runs of spaces.
            if clauses > 0 {
                rest = rest.trim_start_matches(' ');
                if rest.is_empty() {
                    break;
                }
            }
            clauses += 1;
            if let Some(constraint) = rest.strip_prefix("semver:") {
                if rank.is_some() {
                    return Err(invalid("two orders (semver: and another)".into()));
                }
                rank = Some(Rank::Version(
                    Constraint::parse_detailed(constraint).map_err(invalid)?,
                ));
                break;
            }
            let (word, after) = rest.split_once(' ').unwrap_or((rest, ""));
            rest = after;
            let once = |what: &str, taken: bool| -> Result<()> {
                if taken {
                    Err(invalid(format!("{what} is given twice")))
                } else {
                    Ok(())
                }
            };
            if let Some(tag) = word.strip_prefix("digest:") {
                once("an order", rank.is_some())?;
                once("a pattern", pattern.is_some())?;
                if tag.is_empty() || tag.contains('*') {
                    return Err(invalid(
                        "digest: names one tag to track (no `*`): write digest:TAG".into(),
                    ));
                }
                rank = Some(Rank::Digest);
                pattern = Some(Pattern::Glob(Glob::new(tag)));
            } else if let Some(dir) = word.strip_prefix("alphabetical:") {
                once("an order", rank.is_some())?;
                rank = Some(Rank::Alphabetical(direction(dir).map_err(invalid)?));
            } else if let Some(dir) = word.strip_prefix("numerical:") {
                once("an order", rank.is_some())?;
                rank = Some(Rank::Numerical(direction(dir).map_err(invalid)?));
            } else if let Some(template) = word.strip_prefix("extract:") {
                once("extract:", extract.is_some())?;
                if template.is_empty() {
                    return Err(invalid("an empty extract: template".into()));
                }
                extract = Some(template.into());
            } else if let Some(globs) = word.strip_prefix("ignore:") {
                once("ignore:", ignore.is_some())?;
                ignore = Some(ignore_regex(globs).map_err(invalid)?);
            } else if let Some(m) = word.strip_prefix("versions:") {
                once("versions:", mode.is_some())?;
                mode = Some(
                    m.parse::<VersionMode>()
                        .map_err(|e| invalid(e.message().to_string()))?,
                );
            } else if let Some(re) = word
                .strip_prefix("regex:")
                .or_else(|| word.strip_prefix("regexp:"))
            {
                once("a pattern", pattern.is_some())?;
                pattern = Some(Pattern::Regex(
                    regex::RegexBuilder::new(re)
                        .size_limit(MAX_REGEX_SIZE)
                        .dfa_size_limit(MAX_REGEX_DFA_SIZE)
                        .build()
                        .map_err(|e| {
                            invalid(format!("not a valid regular expression: {}", regex_error(&e)))
                        })?,
                ));
            } else {
                once("a pattern", pattern.is_some())?;
                let glob = word.strip_prefix("glob:").unwrap_or(word);
                if glob.is_empty() {
                    return Err(invalid("an empty glob pattern matches no tag".into()));
                }
                pattern = Some(Pattern::Glob(Glob::new(glob)));
            }
        }
        let rank = rank.unwrap_or(Rank::Time);
        if pattern.is_none() && matches!(rank, Rank::Time) {
            return Err(invalid(
                "no pattern and no order: write glob:* for every tag".into(),
            ));
        }
        if extract.is_some() && !matches!(pattern, Some(Pattern::Regex(_))) {
            return Err(invalid(
                "extract: needs a regex: pattern, whose groups the template names".into(),
            ));
        }
        if extract.is_some() && matches!(rank, Rank::Time | Rank::Digest) {
            return Err(invalid(
                "extract: needs an order that reads values (semver:, alphabetical: or numerical:); \
                 the creation-time order reads none"
                    .into(),
            ));
        }
        if mode.is_some() && !matches!(rank, Rank::Version(_)) {
            return Err(invalid("versions: applies only to a semver: filter".into()));
        }
        Ok(TagFilter {
            text: text.to_string(),
            pattern: pattern.unwrap_or(Pattern::Any),
            ignore,
            extract,
            rank,
            mode,
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
    /// versions; a filter's own `versions:` wins over `mode`). Under a numerical order, a tag
    /// passes when its value is a number; under an alphabetical one, when it passes the
    /// pattern.
    ///
    /// ```
    /// use relman::{TagFilter, VersionMode};
    /// let f = TagFilter::parse("semver:*")?;
    /// assert!(f.matches_in("12345678", VersionMode::Loose));
    /// assert!(!f.matches_in("1.0", VersionMode::Strict));
    /// let n = TagFilter::parse("numerical:asc")?;
    /// assert!(n.matches("1606234201") && !n.matches("main"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn matches_in(&self, tag: &str, mode: VersionMode) -> bool {
        if is_latest_tag(tag) && !self.allows_latest() {
            return false;
        }
        let Some(value) = self.value(tag) else {
            return false;
        };
        match &self.rank {
            Rank::Time | Rank::Alphabetical(_) | Rank::Digest => true,
            Rank::Numerical(_) => super::order::parse_number(&value).is_some(),
            Rank::Version(c) => Ver::parse(&value, self.mode_in(mode)).is_some_and(|v| c.check(&v, false)),
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

    /// The kind of filter: `semver` for a `semver:` order, else the kind of its pattern
    /// (`regex`, or `glob`, also for a filter without a pattern, which passes every tag).
    ///
    /// ```
    /// use relman::{policy::FilterKind, TagFilter};
    /// assert_eq!(TagFilter::parse("master-*")?.kind(), FilterKind::Glob);
    /// assert_eq!(TagFilter::parse("semver:^1")?.kind(), FilterKind::Semver);
    /// assert_eq!(TagFilter::parse("numerical:asc regex:^[0-9]+$")?.kind(), FilterKind::Regex);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn kind(&self) -> FilterKind {
        match (&self.rank, &self.pattern) {
            (Rank::Version(_), _) => FilterKind::Semver,
            (_, Pattern::Regex(_)) => FilterKind::Regex,
            _ => FilterKind::Glob,
        }
    }

    /// How the filter ranks the tags it allows.
    pub fn order(&self) -> TagOrder {
        match self.rank {
            Rank::Time => TagOrder::CreationTime,
            Rank::Version(_) => TagOrder::Version,
            Rank::Alphabetical(true) => TagOrder::AlphabeticalAsc,
            Rank::Alphabetical(false) => TagOrder::AlphabeticalDesc,
            Rank::Numerical(true) => TagOrder::NumericalAsc,
            Rank::Numerical(false) => TagOrder::NumericalDesc,
            Rank::Digest => TagOrder::Digest,
        }
    }

    /// The `extract:` template, if any: the value ranked is the regex's match expanded with it.
    ///
    /// ```
    /// let f = relman::TagFilter::parse("alphabetical:desc extract:${1} regex:^build-(.*)$")?;
    /// assert_eq!(f.extract(), Some("${1}"));
    /// assert_eq!(f.value_of("build-b7").as_deref(), Some("b7"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn extract(&self) -> Option<&str> {
        self.extract.as_deref()
    }

    /// The filter's own `versions:` mode, if it sets one.
    pub fn versions(&self) -> Option<VersionMode> {
        self.mode
    }

    /// The value the order ranks for `tag`: `None` when the tag does not pass the pattern;
    /// the `extract:` template expanded with the pattern's match, else the tag itself.
    /// (`latest` is not checked here.)
    pub fn value_of(&self, tag: &str) -> Option<String> {
        self.value(tag).map(|v| v.into_owned())
    }

    /// The constraint of a `semver:` filter.
    ///
    /// ```
    /// let f = relman::TagFilter::parse("semver:^1.2")?;
    /// assert_eq!(f.constraint().map(|c| c.as_str()), Some("^1.2"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn constraint(&self) -> Option<&Constraint> {
        match &self.rank {
            Rank::Version(c) => Some(c),
            _ => None,
        }
    }

    /// How the filter ranks, for the selector.
    pub(crate) fn rank(&self) -> &Rank {
        &self.rank
    }

    /// The version mode the filter reads in when the plan's is `mode`.
    pub(crate) fn mode_in(&self, mode: VersionMode) -> VersionMode {
        self.mode.unwrap_or(mode)
    }

    /// Whether the tag `latest` may pass: only for the glob that is exactly `latest`.
    pub(crate) fn allows_latest(&self) -> bool {
        matches!((&self.pattern, &self.rank), (Pattern::Glob(g), Rank::Time | Rank::Digest) if g.is_latest())
    }

    /// The tag a `digest:TAG` filter tracks.
    ///
    /// ```
    /// let f = relman::TagFilter::parse("digest:latest")?;
    /// assert_eq!(f.tracked_tag(), Some("latest"));
    /// assert!(f.matches("latest") && !f.matches("1.0"));
    /// assert_eq!(relman::TagFilter::parse("glob:latest")?.tracked_tag(), None);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn tracked_tag(&self) -> Option<&str> {
        match (&self.pattern, &self.rank) {
            (Pattern::Glob(g), Rank::Digest) => g.parts.first().map(|p| &**p),
            _ => None,
        }
    }

    /// Whether `tag` passes the pattern (any tag when there is none); `latest` is not
    /// checked here.
    #[inline]
    pub(crate) fn passes_pattern(&self, tag: &str) -> bool {
        // Every tag passes `glob:*` without `ignore:` (the default filter): checked inline, once
        // per tag of a selection.
        if let (None, Pattern::Any | Pattern::Glob(Glob { any: true, .. })) = (&self.ignore, &self.pattern) {
            return true;
        }
        self.passes_pattern_of(tag)
    }

    fn passes_pattern_of(&self, tag: &str) -> bool {
        if self.ignored(tag) {
            return false;
        }
        match &self.pattern {
            Pattern::Any => true,
            Pattern::Glob(glob) => glob.matches(tag),
            Pattern::Regex(re) => re.is_match(tag),
        }
    }

    /// The value of `tag` ([`TagFilter::value_of`]), borrowed when there is no template.
    pub(crate) fn value<'t>(&self, tag: &'t str) -> Option<Cow<'t, str>> {
        if self.ignored(tag) {
            return None;
        }
        match &self.pattern {
            Pattern::Any => Some(Cow::Borrowed(tag)),
            Pattern::Glob(glob) => glob.matches(tag).then_some(Cow::Borrowed(tag)),
            Pattern::Regex(re) => match &self.extract {
                None => re.is_match(tag).then_some(Cow::Borrowed(tag)),
                Some(template) => {
                    let caps = re.captures(tag)?;
                    Some(Cow::Owned(super::order::expand(template, re, &caps)))
                }
            },
        }
    }
}

impl TagFilter {
    /// Whether an `ignore:` glob matches `tag`.
    fn ignored(&self, tag: &str) -> bool {
        self.ignore.as_ref().is_some_and(|re| re.is_match(tag))
    }
}

/// The anchored regex of `ignore:GLOB,GLOB...`: each glob in Go's `filepath.Match` syntax (as
/// Argo CD Image Updater's `ignore-tags` reads them): `*` any run, `?` one character,
/// `[...]` a class (`^` negates, `a-z` ranges, `\` escapes), `\x` the character `x`.
fn ignore_regex(globs: &str) -> std::result::Result<regex::Regex, String> {
    let mut alternatives = Vec::new();
    for glob in globs.split(',') {
        if glob.is_empty() {
            return Err("an empty glob in ignore:".into());
        }
        let mut out = String::new();
        let mut chars = glob.chars();
        let bad = || format!("ignore: glob `{glob}` is not a pattern Go's filepath.Match reads");
        while let Some(c) = chars.next() {
            match c {
                '*' => out.push_str(".*"),
                '?' => out.push('.'),
                '\\' => out.push_str(&regex::escape(&chars.next().ok_or_else(bad)?.to_string())),
                '[' => {
                    out.push('[');
                    let mut first = true;
                    let mut closed = false;
                    while let Some(c) = chars.next() {
                        match c {
                            '^' if first => out.push('^'),
                            ']' if !first => {
                                closed = true;
                                break;
                            }
                            '-' if !first => out.push('-'),
                            '\\' => {
                                let e = chars.next().ok_or_else(bad)?;
                                out.push_str(&format!("\\x{{{:x}}}", e as u32));
                            }
                            other => out.push_str(&format!("\\x{{{:x}}}", other as u32)),
                        }
                        first = false;
                    }
                    if !closed {
                        return Err(bad());
                    }
                    out.push(']');
                }
                other => out.push_str(&regex::escape(&other.to_string())),
            }
        }
        alternatives.push(out);
    }
    regex::Regex::new(&format!("^(?:{})$", alternatives.join("|"))).map_err(|e| format!("ignore: {e}"))
}

/// `asc` or `desc` (as true for ascending).
fn direction(word: &str) -> std::result::Result<bool, String> {
    match word {
        "asc" => Ok(true),
        "desc" => Ok(false),
        other => Err(format!("unknown order direction `{other}`; write asc or desc")),
    }
}

/// `glob:*`: every tag but `latest`.
impl Default for TagFilter {
    fn default() -> TagFilter {
        TagFilter {
            text: "glob:*".to_string(),
            pattern: Pattern::Glob(Glob::new("*")),
            ignore: None,
            extract: None,
            rank: Rank::Time,
            mode: None,
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
