//! Choosing the image a filter allows, and explaining why every other tag lost.

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::ImageInfo;
use super::constraint::Constraint;
use super::filter::{FilterKind, Rank, TagFilter, is_latest_tag};
use super::order::parse_number;
use super::version::{Ver, VersionMode};

/// At most this many [`Rejection`]s are listed in a [`Selection`];
/// [`Selection::rejected_count`] counts them all.
pub const MAX_REJECTIONS: usize = 50;

/// Go's zero time (`0001-01-01T00:00:00Z`), which registries and Flux report for an unknown
/// creation time; a creation time at or before it counts as missing.
const ZERO_TIME: Timestamp = Timestamp::constant(-62_135_596_800, 0);

/// How far past `now` a creation time may be and still count: registry and CI clocks drift a
/// little. A tag created later than `now` plus this allowance is not a candidate
/// ([`RejectReason::FutureTimestamp`]): ordered by time, a registry clock set years ahead would
/// otherwise win every selection and pin automation to that tag.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(5 * 60);

crate::vocabulary::wire_enum! {
/// Why a tag was not chosen. Serializes as its snake_case [`code`](RejectReason::code).
///
/// ```
/// use relman::policy::RejectReason;
/// assert_eq!(RejectReason::NotAVersion.code(), "not_a_version");
/// assert_eq!(serde_json::to_string(&RejectReason::MissingTime).unwrap(), "\"missing_time\"");
/// ```
pub enum RejectReason {
    /// The tag does not match the glob or regex, or its version does not satisfy the
    /// constraint (`filter_miss`).
    FilterMiss = "filter_miss",
    /// A `semver:` filter, and the tag is not a version in the [`VersionMode`]
    /// (`not_a_version`).
    NotAVersion = "not_a_version",
    /// The version would satisfy the constraint but is a prerelease, and no alternative of the
    /// constraint names one (`prerelease`).
    Prerelease = "prerelease",
    /// The tag is `latest` (any case), a candidate only for the filter `glob:latest` (`latest`).
    Latest = "latest",
    /// The tag passes the filter but orders below the chosen one (`older`).
    Older = "older",
    /// A `glob:`/`regex:` filter orders by creation time and the tag has none (`missing_time`).
    MissingTime = "missing_time",
    /// A `glob:`/`regex:` filter orders by creation time and the tag's is later than `now`
    /// plus [`CLOCK_SKEW`] (`future_timestamp`).
    FutureTimestamp = "future_timestamp",
    /// A numerical order, and the tag's value is not a number (`not_a_number`). As in Flux's
    /// numerical policy, it stops the choice: no tag is chosen.
    NotANumber = "not_a_number",
    /// The tag passes the filter, but the order chose nothing because another tag's value is
    /// not a number (`blocked`).
    Blocked = "blocked",
}
}

/// One tag that was not chosen, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The tag.
    pub tag: String,
    /// Why it lost.
    pub reason: RejectReason,
    /// The reason in words, naming the tag, the filter and (for `older`) the chosen tag.
    pub message: String,
}

/// The outcome of [`select`]: the chosen image, if any, and why the others lost. Serializes
/// with snake_case fields and reason codes.
///
/// ```
/// use relman::policy::{select, TagFilter, VersionMode};
/// use relman::release::ImageInfo;
///
/// let s = select(&TagFilter::default(), VersionMode::Default, &[ImageInfo::new("v1")], jiff::Timestamp::now());
/// assert!(s.chosen.is_none());
/// let json = serde_json::to_value(&s).unwrap();
/// assert_eq!(json["rejected"][0]["reason"], "missing_time");
/// assert_eq!(json["rejected_count"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Selection {
    /// The image the filter allows that orders highest.
    pub chosen: Option<ImageInfo>,
    /// The first [`MAX_REJECTIONS`] rejected tags, in the order of the input.
    pub rejected: Vec<Rejection>,
    /// How many tags were rejected in all (every tag but the chosen one).
    pub rejected_count: usize,
}

/// Per-image outcome of the first pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Candidate,
    Rejected(RejectReason),
}

/// The creation time, unless missing or Go's zero time.
fn known_time(info: &ImageInfo) -> Option<Timestamp> {
    info.created.filter(|t| *t > ZERO_TIME)
}

/// Order two versions: precedence, then the tag that spells more parts (`1.10.0` above
/// `1.10`), then the smaller tag (so `1.0.0` above `v1.0.0`). `Equal` only for equal tags.
fn version_order(a: &Ver<'_>, a_tag: &str, b: &Ver<'_>, b_tag: &str) -> Ordering {
    a.precedence(b)
        .then(a.parts.cmp(&b.parts))
        .then_with(|| b_tag.cmp(a_tag))
}

/// How specific a tag is, for ties in creation time (greater is more specific): a tag that
/// reads as a version (in loose mode, whatever the filter's mode) before one that does not;
/// among versions, more numeric parts (`1.4.0` before `1.4` before `1`), then a release before
/// a prerelease (`1.4.0` before `1.4.0-rc.1`, the tag it was promoted from); among other tags,
/// the longer (`main-0d1e2f3` before `main`).
fn specificity(tag: &str) -> (bool, u8, bool, usize) {
    match Ver::parse(tag, VersionMode::Loose) {
        Some(v) => (true, v.parts, v.pre.is_empty(), 0),
        None => (false, 0, false, tag.len()),
    }
}

/// Order two creation times: newer first; at the same time (CI pushes `1.4.0`, `1.4` and `1`
/// of one image at once), the more [`specificity`], then the smaller tag. A total order on
/// (time, tag): `Equal` only for equal tags.
#[inline]
fn time_order(a: Timestamp, a_tag: &str, b: Timestamp, b_tag: &str) -> Ordering {
    a.cmp(&b)
        .then_with(|| specificity(a_tag).cmp(&specificity(b_tag)))
        .then_with(|| b_tag.cmp(a_tag))
}

/// Choose the image `filter` allows among `images` and explain the others.
///
/// - A `semver:` filter reads each tag once as a version in `mode` and picks the highest
///   version. Equal versions (`1.10` and `1.10.0`, or `1.0.0` and `v1.0.0`) are ordered by
///   the number of parts spelled, more first, then by tag, ascending, so the choice never
///   depends on the input order.
/// - A `glob:`/`regex:` filter picks the newest creation time; a matching tag without a
///   creation time (or with Go's zero time `0001-01-01T00:00:00Z`) is skipped with
///   [`RejectReason::MissingTime`], one created later than `now` plus [`CLOCK_SKEW`] with
///   [`RejectReason::FutureTimestamp`]. Tags that share one creation time (and, when CI pushes
///   `1.4.0`, `1.4` and `1` at once, one digest: one image) are ordered by specificity, so the
///   image is written with its most specific tag and never a floating alias when a precise
///   one exists: a tag that reads as a version (loose mode) before one that does not; among
///   versions more numeric parts (`1.4.0`, `1.4`, `1`), then a release before a prerelease
///   (`1.4.0` before `1.4.0-rc.1`); among other tags the longer (`main-0d1e2f3` before
///   `main`); last, the smaller tag (`1.4.0` before `v1.4.0`). The same rule breaks every
///   other tie in time, whatever the digests, so the order is total and the choice never
///   depends on the order of the input.
/// - `latest` (any case) is rejected with [`RejectReason::Latest`] unless the filter is exactly
///   `glob:latest`.
///
/// Every other tag is in [`Selection::rejected`] (the first [`MAX_REJECTIONS`], in input order)
/// and counted in [`Selection::rejected_count`]. Cost: one pass over the tags, no allocation per
/// tag beyond one status byte, then one message per listed rejection.
///
/// ```
/// use relman::policy::{select, RejectReason, TagFilter, VersionMode};
/// use relman::release::ImageInfo;
///
/// let images: Vec<ImageInfo> = ["1.2.0", "1.10.0", "2.0.0", "1.11.0-rc.1", "latest", "a1b2c3d"]
///     .into_iter()
///     .map(ImageInfo::new)
///     .collect();
/// let now = "2026-11-27T12:00:00Z".parse()?;
/// let s = select(&TagFilter::parse("semver:^1")?, VersionMode::Default, &images, now);
/// assert_eq!(s.chosen.as_ref().unwrap().tag, "1.10.0");
/// let reasons: Vec<_> = s.rejected.iter().map(|r| (r.tag.as_str(), r.reason)).collect();
/// assert_eq!(reasons, [
///     ("1.2.0", RejectReason::Older),
///     ("2.0.0", RejectReason::FilterMiss),
///     ("1.11.0-rc.1", RejectReason::Prerelease),
///     ("latest", RejectReason::Latest),
///     ("a1b2c3d", RejectReason::NotAVersion),
/// ]);
/// assert_eq!(s.rejected_count, 5);
///
/// // One image pushed as 1.4.0, 1.4 and 1, and a tag a registry clock dates in 2099.
/// let at = |tag: &str, time: &str| ImageInfo::new(tag).with_digest(format!("sha256:{}", "a".repeat(64))).with_created_str(time);
/// let images = [at("1", "2026-11-20T10:00:00Z")?, at("1.4", "2026-11-20T10:00:00Z")?,
///               at("1.4.0", "2026-11-20T10:00:00Z")?, at("nightly", "2099-01-01T00:00:00Z")?];
/// let s = select(&TagFilter::default(), VersionMode::Default, &images, now);
/// assert_eq!(s.chosen.unwrap().tag, "1.4.0");
/// assert_eq!(s.rejected[2].reason, RejectReason::FutureTimestamp);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn select(filter: &TagFilter, mode: VersionMode, images: &[ImageInfo], now: Timestamp) -> Selection {
    let mut status = Vec::with_capacity(images.len());
    let best = scan(filter, mode, images, now, |s| status.push(s));
    let chosen = best.map(|i| &images[i]);
    let rejected_count = images.len() - usize::from(chosen.is_some());
    let mut rejected = Vec::with_capacity(rejected_count.min(MAX_REJECTIONS));
    for (i, (info, status)) in images.iter().zip(&status).enumerate() {
        if rejected.len() == MAX_REJECTIONS {
            break;
        }
        let reason = match *status {
            Status::Rejected(reason) => reason,
            Status::Candidate if best == Some(i) => continue,
            // A candidate and nothing chosen: a numerical order stopped by a value that is
            // not a number.
            Status::Candidate if best.is_none() => RejectReason::Blocked,
            Status::Candidate => RejectReason::Older,
        };
        let message = explain(filter, mode, info, reason, chosen, now);
        rejected.push(Rejection {
            tag: info.tag.clone(),
            reason,
            message,
        });
    }
    Selection {
        chosen: chosen.cloned(),
        rejected,
        rejected_count,
    }
}

/// The image [`select`] would choose, without explaining the others: the same single pass,
/// minus the status of each tag and the messages. For callers that only need the winner.
///
/// ```
/// use relman::policy::{choose, TagFilter, VersionMode};
/// use relman::release::ImageInfo;
///
/// let images = [ImageInfo::new("1.4.0"), ImageInfo::new("1.10.0"), ImageInfo::new("2.0.0")];
/// let now = jiff::Timestamp::now();
/// let best = choose(&TagFilter::parse("semver:~1")?, VersionMode::Default, &images, now);
/// assert_eq!(best.map(|i| i.tag.as_str()), Some("1.10.0"));
/// # Ok::<(), relman::Error>(())
/// ```
pub fn choose<'a>(
    filter: &TagFilter,
    mode: VersionMode,
    images: &'a [ImageInfo],
    now: Timestamp,
) -> Option<&'a ImageInfo> {
    scan(filter, mode, images, now, |_| {}).map(|i| &images[i])
}

/// The index of the image [`choose`] would choose.
pub(crate) fn choose_index(
    filter: &TagFilter,
    mode: VersionMode,
    images: &[ImageInfo],
    now: Timestamp,
) -> Option<usize> {
    scan(filter, mode, images, now, |_| {})
}

/// One pass over `images`: report each one's status to `sink`, return the index of the best.
fn scan(
    filter: &TagFilter,
    mode: VersionMode,
    images: &[ImageInfo],
    now: Timestamp,
    sink: impl FnMut(Status),
) -> Option<usize> {
    match filter.rank() {
        Rank::Version(constraint) => best_version(filter, constraint, filter.mode_in(mode), images, sink),
        Rank::Time => best_by_time(filter, images, latest_allowed(now), sink),
        Rank::Alphabetical(asc) => best_alphabetical(filter, *asc, images, sink),
        // One tag passes the pattern: the first copy listed (a catalog lists a tag once).
        Rank::Digest => best_alphabetical(filter, false, images, sink),
        Rank::Numerical(asc) => best_numerical(filter, *asc, images, sink),
    }
}

/// The latest creation time a candidate may have at `now` (see [`CLOCK_SKEW`]).
fn latest_allowed(now: Timestamp) -> Timestamp {
    now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX)
}

/// The one loop of every order: `judge` reads each tag (by its index) past the `latest` check as a
/// candidate's key or a rejection, each tag's status goes to `sink`, and the candidate whose
/// key orders highest by `order` (key and tag of the new candidate first, then the best's) is
/// returned with its index. The first of equal candidates stays (the orders are total on
/// distinct tags).
fn best_by<K>(
    filter: &TagFilter,
    images: &[ImageInfo],
    mut judge: impl FnMut(usize) -> Result<K, RejectReason>,
    order: impl Fn(&K, &str, &K, &str) -> Ordering,
    mut sink: impl FnMut(Status),
) -> Option<(usize, K)> {
    let allows_latest = filter.allows_latest();
    let mut best: Option<(usize, K)> = None;
    for (i, info) in images.iter().enumerate() {
        let tag = info.tag.as_str();
        let s = if !allows_latest && is_latest_tag(tag) {
            Status::Rejected(RejectReason::Latest)
        } else {
            match judge(i) {
                Ok(key) => {
                    let better = match &best {
                        None => true,
                        Some((j, b)) => order(&key, tag, b, &images[*j].tag) == Ordering::Greater,
                    };
                    if better {
                        best = Some((i, key));
                    }
                    Status::Candidate
                }
                Err(reason) => Status::Rejected(reason),
            }
        };
        sink(s);
    }
    best
}

fn best_version(
    filter: &TagFilter,
    constraint: &Constraint,
    mode: VersionMode,
    images: &[ImageInfo],
    sink: impl FnMut(Status),
) -> Option<usize> {
    // With an `extract:` template the values are built once (the versions borrow them);
    // without one a value is its tag.
    let extracted: Option<Vec<Option<String>>> = filter
        .extract()
        .map(|_| images.iter().map(|i| filter.value_of(&i.tag)).collect());
    let judge = |i: usize| {
        let value = match &extracted {
            Some(values) => values[i].as_deref(),
            None => {
                let tag = images[i].tag.as_str();
                filter.passes_pattern(tag).then_some(tag)
            }
        };
        let value = value.ok_or(RejectReason::FilterMiss)?;
        match Ver::parse(value, mode) {
            None => Err(RejectReason::NotAVersion),
            Some(v) if constraint.check(&v, false) => Ok(v),
            Some(v) if !v.pre.is_empty() && constraint.check(&v, true) => Err(RejectReason::Prerelease),
            Some(_) => Err(RejectReason::FilterMiss),
        }
    };
    let order = |a: &Ver<'_>, a_tag: &str, b: &Ver<'_>, b_tag: &str| version_order(a, a_tag, b, b_tag);
    best_by(filter, images, judge, order, sink).map(|(i, _)| i)
}

/// Order two values of an alphabetical order: byte order (reversed for `desc`), then the
/// greater tag. `Equal` only for equal tags.
fn text_order(asc: bool, a: &str, a_tag: &str, b: &str, b_tag: &str) -> Ordering {
    let by_value = if asc { a.cmp(b) } else { b.cmp(a) };
    by_value.then_with(|| a_tag.cmp(b_tag))
}

/// Order two values of a numerical order (never NaN): by number (reversed for `desc`), then
/// the greater tag. `Equal` only for equal tags.
fn number_order(asc: bool, a: f64, a_tag: &str, b: f64, b_tag: &str) -> Ordering {
    let by_value = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    let by_value = if asc { by_value } else { by_value.reverse() };
    by_value.then_with(|| a_tag.cmp(b_tag))
}

fn best_alphabetical(
    filter: &TagFilter,
    asc: bool,
    images: &[ImageInfo],
    sink: impl FnMut(Status),
) -> Option<usize> {
    let judge = |i: usize| filter.value(&images[i].tag).ok_or(RejectReason::FilterMiss);
    let order =
        |a: &Cow<'_, str>, a_tag: &str, b: &Cow<'_, str>, b_tag: &str| text_order(asc, a, a_tag, b, b_tag);
    best_by(filter, images, judge, order, sink).map(|(i, _)| i)
}

/// The numerical order: as Flux's numerical policy, one value that is not a number among the
/// tags that pass stops the choice (the others are then `blocked`, see [`select`]).
fn best_numerical(
    filter: &TagFilter,
    asc: bool,
    images: &[ImageInfo],
    sink: impl FnMut(Status),
) -> Option<usize> {
    let mut blocked = false;
    let judge = |i: usize| {
        let value = filter.value(&images[i].tag).ok_or(RejectReason::FilterMiss)?;
        parse_number(&value).ok_or_else(|| {
            blocked = true;
            RejectReason::NotANumber
        })
    };
    let order = |a: &f64, a_tag: &str, b: &f64, b_tag: &str| number_order(asc, *a, a_tag, *b, b_tag);
    let best = best_by(filter, images, judge, order, sink);
    if blocked { None } else { best.map(|(i, _)| i) }
}

fn best_by_time(
    filter: &TagFilter,
    images: &[ImageInfo],
    latest: Timestamp,
    sink: impl FnMut(Status),
) -> Option<usize> {
    let judge = |i: usize| {
        if !filter.passes_pattern(&images[i].tag) {
            return Err(RejectReason::FilterMiss);
        }
        match known_time(&images[i]) {
            Some(t) if t > latest => Err(RejectReason::FutureTimestamp),
            Some(t) => Ok(t),
            None => Err(RejectReason::MissingTime),
        }
    };
    let order = |a: &Timestamp, a_tag: &str, b: &Timestamp, b_tag: &str| time_order(*a, a_tag, *b, b_tag);
    best_by(filter, images, judge, order, sink).map(|(i, _)| i)
}

/// Concatenate without the formatting machinery: messages are built for up to
/// [`MAX_REJECTIONS`] tags on every selection.
fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// The message of one rejection.
fn explain(
    filter: &TagFilter,
    mode: VersionMode,
    info: &ImageInfo,
    reason: RejectReason,
    chosen: Option<&ImageInfo>,
    now: Timestamp,
) -> String {
    let tag = info.tag.as_str();
    let mode = filter.mode_in(mode);
    // With an `extract:` template, the value the order read, named after the tag.
    let noted = |tag: &str| -> String {
        match filter.extract().and_then(|_| filter.value_of(tag)) {
            Some(value) => concat(&["`", tag, "` (value `", &value, "`)"]),
            None => concat(&["`", tag, "`"]),
        }
    };
    match reason {
        RejectReason::Latest => concat(&["`", tag, "` is a candidate only for the filter `glob:latest`"]),
        RejectReason::NotANumber => concat(&[
            &noted(tag),
            " is not a number, and `",
            filter.as_str(),
            "` orders numerically: as Flux's numerical policy, no tag is chosen while a tag that passes the pattern is not a number (narrow the pattern to numbers)",
        ]),
        RejectReason::Blocked => concat(&[
            "`",
            tag,
            "` passes `",
            filter.as_str(),
            "`, but the numerical order chose nothing: another tag that passes is not a number",
        ]),
        RejectReason::FilterMiss => concat(&["`", tag, "` does not match `", filter.as_str(), "`"]),
        RejectReason::NotAVersion => concat(&[
            &noted(tag),
            " is not a version in ",
            mode.code(),
            " mode, which needs ",
            match mode {
                VersionMode::Default => "at least MAJOR.MINOR",
                VersionMode::Strict => "MAJOR.MINOR.PATCH",
                VersionMode::Loose => "a number",
            },
        ]),
        RejectReason::Prerelease => concat(&[
            "`",
            tag,
            "` is a prerelease and no alternative of `",
            filter.as_str(),
            "` names one (a bound such as `>=1.2.3-0` admits prereleases)",
        ]),
        RejectReason::MissingTime => concat(&[
            "`",
            tag,
            "` has no creation time, and `",
            filter.kind().prefix(),
            "` filters order by creation time",
        ]),
        RejectReason::FutureTimestamp => concat(&[
            "`",
            tag,
            "` was created at ",
            &info.created.map(|t| t.to_string()).unwrap_or_default(),
            ", later than now (",
            &now.to_string(),
            ") plus the 5-minute clock-skew allowance; a registry clock ahead of time must not win every selection",
        ]),
        RejectReason::Older => {
            let Some(chosen) = chosen else {
                return concat(&["`", tag, "` orders below the chosen tag"]);
            };
            if let Rank::Alphabetical(_) | Rank::Numerical(_) = filter.rank() {
                let same = filter.extract().is_some() && filter.value_of(tag) == filter.value_of(&chosen.tag)
                    || matches!(filter.rank(), Rank::Numerical(_))
                        && filter
                            .value(tag)
                            .and_then(|v| parse_number(&v))
                            .zip(filter.value(&chosen.tag).and_then(|v| parse_number(&v)))
                            .is_some_and(|(a, b)| a == b);
                let order = filter.order().describe();
                return if same {
                    concat(&[
                        &noted(tag),
                        " has the same value as the chosen `",
                        &chosen.tag,
                        "` under ",
                        order,
                        ", which wins the tie (the greater tag)",
                    ])
                } else {
                    concat(&[
                        &noted(tag),
                        " orders below the chosen ",
                        &noted(&chosen.tag),
                        " under ",
                        order,
                    ])
                };
            }
            let tie = match filter.kind() {
                FilterKind::Semver => Ver::parse(tag, mode)
                    .zip(Ver::parse(&chosen.tag, mode))
                    .is_some_and(|(a, b)| a.precedence(&b) == Ordering::Equal),
                _ => known_time(info) == known_time(chosen),
            };
            let same_image = tie && info.digest.is_some() && info.digest == chosen.digest;
            let (before, after) = match (filter.kind(), tie) {
                (FilterKind::Semver, true) => (
                    "` is the same version as the chosen `",
                    "`, which wins the tie (more parts spelled, then tag order)",
                ),
                (FilterKind::Semver, false) => ("` is a lower version than the chosen `", "`"),
                (_, true) if same_image => (
                    "` is the same image (digest and creation time) as the chosen `",
                    "`, its most specific tag",
                ),
                (_, true) => (
                    "` was created at the same time as the chosen `",
                    "`, which wins the tie (a version before other tags, more version parts, a release before a prerelease, a longer other tag, then tag order)",
                ),
                (_, false) => ("` was created before the chosen `", "`"),
            };
            concat(&["`", tag, before, &chosen.tag, after])
        }
    }
}

/// Order two images the way [`select`] does: `Greater` when `a` would be chosen over `b`.
///
/// `None` when the pair cannot be ordered: for a `semver:` filter, when either value is not a
/// version in `mode`; for a numerical order, when either value is not a number; for the
/// creation-time order, when either has no creation time; with an `extract:` template, when
/// either tag does not match the pattern (it has no value). Whether the tags pass the filter
/// is not otherwise checked. `Equal` only for equal tags (see [`select`] for the
/// tie-breaks). The planner uses it for the no-downgrade rule.
///
/// ```
/// use std::cmp::Ordering;
/// use relman::policy::{compare, TagFilter, VersionMode};
/// use relman::release::ImageInfo;
///
/// let semver = TagFilter::parse("semver:^1.0")?;
/// let (current, newest) = (ImageInfo::new("1.5.0"), ImageInfo::new("1.4.0"));
/// assert_eq!(compare(&semver, VersionMode::Default, &newest, &current), Some(Ordering::Less));
/// assert_eq!(compare(&semver, VersionMode::Default, &newest, &ImageInfo::new("main")), None);
///
/// let glob = TagFilter::default();
/// let old = ImageInfo::new("b").with_created_str("2026-01-01T00:00:00Z")?;
/// let new = ImageInfo::new("a").with_created_str("2026-02-01T00:00:00Z")?;
/// assert_eq!(compare(&glob, VersionMode::Default, &new, &old), Some(Ordering::Greater));
/// assert_eq!(compare(&glob, VersionMode::Default, &new, &ImageInfo::new("c")), None);
/// # Ok::<(), relman::Error>(())
/// ```
pub fn compare(filter: &TagFilter, mode: VersionMode, a: &ImageInfo, b: &ImageInfo) -> Option<Ordering> {
    // The value ranked: with an `extract:` template, the expansion (none when the pattern
    // does not match); else the tag.
    fn value<'t>(filter: &TagFilter, tag: &'t str) -> Option<Cow<'t, str>> {
        match filter.extract() {
            Some(_) => filter.value_of(tag).map(Cow::Owned),
            None => Some(Cow::Borrowed(tag)),
        }
    }
    let value = |tag| value(filter, tag);
    match filter.rank() {
        Rank::Version(_) => {
            let mode = filter.mode_in(mode);
            let (a_value, b_value) = (value(&a.tag)?, value(&b.tag)?);
            let (va, vb) = (Ver::parse(&a_value, mode)?, Ver::parse(&b_value, mode)?);
            Some(version_order(&va, &a.tag, &vb, &b.tag))
        }
        Rank::Time => Some(time_order(known_time(a)?, &a.tag, known_time(b)?, &b.tag)),
        Rank::Alphabetical(asc) => Some(text_order(*asc, &value(&a.tag)?, &a.tag, &value(&b.tag)?, &b.tag)),
        // One tag: its images are ordered by nothing but their digest, which is not an order.
        Rank::Digest => (a.tag == b.tag).then_some(Ordering::Equal),
        Rank::Numerical(asc) => {
            let (na, nb) = (parse_number(&value(&a.tag)?)?, parse_number(&value(&b.tag)?)?);
            Some(number_order(*asc, na, &a.tag, nb, &b.tag))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(tags: &[(&str, Option<&str>)]) -> Vec<ImageInfo> {
        tags.iter()
            .map(|(tag, time)| {
                let info = ImageInfo::new(*tag);
                match time {
                    Some(t) => info.with_created_str(t).unwrap(),
                    None => info,
                }
            })
            .collect()
    }

    fn now() -> Timestamp {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    fn filter(text: &str) -> TagFilter {
        TagFilter::parse(text).unwrap()
    }

    fn reasons(s: &Selection) -> Vec<(&str, &'static str)> {
        s.rejected
            .iter()
            .map(|r| (r.tag.as_str(), r.reason.code()))
            .collect()
    }

    #[test]
    fn semver_picks_highest_and_breaks_ties_by_spelling() {
        let imgs = images(&[
            ("1.10", None),
            ("v1.10.0", None),
            ("1.10.0", None),
            ("1.9.9", None),
        ]);
        let s = select(&filter("semver:*"), VersionMode::Default, &imgs, now());
        assert_eq!(s.chosen.as_ref().unwrap().tag, "1.10.0");
        assert_eq!(
            reasons(&s),
            [("1.10", "older"), ("v1.10.0", "older"), ("1.9.9", "older")]
        );
        assert!(
            s.rejected[0].message.contains("same version"),
            "{}",
            s.rejected[0].message
        );
        assert!(
            s.rejected[2].message.contains("lower version"),
            "{}",
            s.rejected[2].message
        );
    }

    #[test]
    fn time_picks_newest_then_tag_ascending() {
        let t = Some("2026-03-01T10:00:00Z");
        let imgs = images(&[
            ("b", t),
            ("a", t),
            ("c", Some("2026-03-01T09:00:00Z")),
            ("d", None),
            ("e", Some("0001-01-01T00:00:00Z")),
            ("latest", Some("2027-01-01T00:00:00Z")),
        ]);
        let s = select(&filter("glob:*"), VersionMode::Default, &imgs, now());
        assert_eq!(s.chosen.as_ref().unwrap().tag, "a");
        assert_eq!(
            reasons(&s),
            [
                ("b", "older"),
                ("c", "older"),
                ("d", "missing_time"),
                ("e", "missing_time"),
                ("latest", "latest")
            ]
        );
        assert_eq!(s.rejected_count, 5);
    }

    /// DESIGN.md section 8: one image pushed as `1.4.0`, `1.4` and `1` (one digest, one time)
    /// is written with its most specific tag, whatever the input order; a tag dated past now
    /// plus the clock-skew allowance is not a candidate.
    #[test]
    fn same_image_most_specific_tag_and_future_times() {
        let t = "2026-11-20T10:00:00Z";
        let digest = format!("sha256:{}", "a".repeat(64));
        let mut imgs: Vec<ImageInfo> = [
            "1",
            "1.4",
            "1.4.0",
            "v1.4.0",
            "1.4.0-rc.1",
            "main",
            "main-0d1e2f3",
        ]
        .into_iter()
        .map(|tag| {
            ImageInfo::new(tag)
                .with_digest(digest.clone())
                .with_created_str(t)
                .unwrap()
        })
        .collect();
        let f = filter("glob:*");
        for _ in 0..imgs.len() {
            imgs.rotate_left(1);
            let s = select(&f, VersionMode::Default, &imgs, now());
            assert_eq!(s.chosen.as_ref().unwrap().tag, "1.4.0");
            let one = s.rejected.iter().find(|r| r.tag == "1").unwrap();
            assert!(one.message.contains("same image"), "{}", one.message);
        }
        let mut order: Vec<&ImageInfo> = imgs.iter().collect();
        order.sort_by(|a, b| compare(&f, VersionMode::Default, b, a).unwrap());
        let order: Vec<&str> = order.iter().map(|i| i.tag.as_str()).collect();
        assert_eq!(
            order,
            [
                "1.4.0",
                "v1.4.0",
                "1.4.0-rc.1",
                "1.4",
                "1",
                "main-0d1e2f3",
                "main"
            ]
        );
        assert_eq!(
            select(&filter("glob:main*"), VersionMode::Default, &imgs, now())
                .chosen
                .unwrap()
                .tag,
            "main-0d1e2f3"
        );

        let at = |tag: &str, time: &str| ImageInfo::new(tag).with_created_str(time).unwrap();
        let imgs = [
            at("a", "2026-11-27T11:00:00Z"),
            at("skewed", "2026-11-27T12:05:00Z"),
            at("ahead", "2026-11-27T12:05:01Z"),
            at("2099", "2099-01-01T00:00:00Z"),
        ];
        let s = select(&f, VersionMode::Default, &imgs, now());
        assert_eq!(
            s.chosen.as_ref().unwrap().tag,
            "skewed",
            "five minutes of skew are allowed"
        );
        assert_eq!(
            reasons(&s),
            [
                ("a", "older"),
                ("ahead", "future_timestamp"),
                ("2099", "future_timestamp")
            ]
        );
        assert!(
            s.rejected[1].message.contains("2026-11-27T12:05:01Z"),
            "{}",
            s.rejected[1].message
        );
        // Semver orders by version, not time: a future date does not matter there.
        let s = select(&filter("semver:*"), VersionMode::Loose, &imgs, now());
        assert_eq!(s.chosen.unwrap().tag, "2099");
        let s = select(&f, VersionMode::Default, &imgs[2..], now());
        assert_eq!(s.chosen, None);
    }

    #[test]
    fn nothing_chosen() {
        let s = select(
            &filter("semver:^9"),
            VersionMode::Default,
            &images(&[("1.0.0", None)]),
            now(),
        );
        assert_eq!(s.chosen, None);
        assert_eq!(s.rejected_count, 1);
        let s = select(&filter("glob:*"), VersionMode::Default, &[], now());
        assert_eq!(s, Selection::default());
    }

    #[test]
    fn rejections_are_capped() {
        let imgs: Vec<ImageInfo> = (0..120).map(|i| ImageInfo::new(format!("1.{i}.0"))).collect();
        let s = select(&filter("semver:>=1.0"), VersionMode::Default, &imgs, now());
        assert_eq!(s.chosen.unwrap().tag, "1.119.0");
        assert_eq!(s.rejected.len(), MAX_REJECTIONS);
        assert_eq!(s.rejected_count, 119);
        assert_eq!(s.rejected[0].tag, "1.0.0");
    }

    /// The choice never depends on the input order, and the chosen image is the maximum of
    /// `compare` over the candidates.
    #[test]
    fn order_independent_and_consistent_with_compare() {
        let t = Some("2026-03-01T10:00:00Z");
        let imgs = images(&[
            ("1.10", t),
            ("v1.10.0", t),
            ("1.10.0", Some("2026-01-01T00:00:00Z")),
            ("1.10.0+b", t),
            ("1.2.30", Some("2026-04-01T00:00:00Z")),
            ("1.10.0-rc.1", t),
        ]);
        for text in ["semver:>=1.0.0-0", "semver:^1", "glob:*", "regex:^v?1"] {
            let f = filter(text);
            let first = select(&f, VersionMode::Default, &imgs, now()).chosen.unwrap();
            assert_eq!(choose(&f, VersionMode::Default, &imgs, now()), Some(&first));
            let mut rotated = imgs.clone();
            for _ in 0..imgs.len() {
                rotated.rotate_left(1);
                let mut reversed = rotated.clone();
                reversed.reverse();
                for list in [&rotated, &reversed] {
                    assert_eq!(
                        select(&f, VersionMode::Default, list, now()).chosen.as_ref(),
                        Some(&first),
                        "{text}"
                    );
                }
            }
            for other in &imgs {
                if f.matches(&other.tag) {
                    assert_ne!(
                        compare(&f, VersionMode::Default, &first, other),
                        Some(Ordering::Less),
                        "{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn compare_is_antisymmetric() {
        let imgs = images(&[
            ("1.0", None),
            ("1.0.0", None),
            ("v1.0.0", None),
            ("1.0.0+x", None),
            ("0.9", None),
        ]);
        let f = filter("semver:*");
        for a in &imgs {
            for b in &imgs {
                let ab = compare(&f, VersionMode::Default, a, b).unwrap();
                let ba = compare(&f, VersionMode::Default, b, a).unwrap();
                assert_eq!(ab, ba.reverse());
                assert_eq!(ab == Ordering::Equal, a.tag == b.tag);
            }
        }
    }
}
