//! Tag filters, version modes, selections and workload policies (core `relman::policy`).

use std::collections::BTreeMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::OrThrow;
use crate::release::{ImageInfo, ImageInfoInput, image_info};
use crate::timestamp::{Time, timestamp};
use crate::wire;

/// How tags are read as versions: `default` needs at least `MAJOR.MINOR` (an all-digit git SHA
/// is not a version), `strict` needs `MAJOR.MINOR.PATCH` (Flux v2), `loose` accepts a single
/// number (Flux v1). Set per repository in `relman.yaml` (`versions:`).
#[napi(string_enum = "snake_case")]
pub enum VersionMode {
    /// At least `MAJOR.MINOR`.
    Default,
    /// Exactly `MAJOR.MINOR.PATCH`, no leading zeros.
    Strict,
    /// A single number is enough.
    Loose,
}

impl From<VersionMode> for relman::VersionMode {
    fn from(mode: VersionMode) -> Self {
        match mode {
            VersionMode::Default => relman::VersionMode::Default,
            VersionMode::Strict => relman::VersionMode::Strict,
            VersionMode::Loose => relman::VersionMode::Loose,
        }
    }
}

fn mode(mode: Option<VersionMode>) -> relman::VersionMode {
    mode.map(Into::into).unwrap_or_default()
}

/// The kind of a tag filter.
#[napi(string_enum = "snake_case")]
pub enum FilterKind {
    /// `glob:PATTERN` (or no prefix): `*` is the only wildcard, the whole tag must match.
    Glob,
    /// `regex:RE` / `regexp:RE`: unanchored, RE2 syntax.
    Regex,
    /// `semver:CONSTRAINT`: Masterminds v3 constraints on the tag read as a version.
    Semver,
}

/// Why a tag was not chosen by `TagFilter.select`.
#[napi(string_enum = "snake_case")]
pub enum RejectReason {
    /// The tag does not match the glob or regex, or its version misses the constraint.
    FilterMiss,
    /// A `semver:` filter, and the tag is not a version in the version mode.
    NotAVersion,
    /// A prerelease, and no alternative of the constraint names one.
    Prerelease,
    /// The tag `latest` (any case), a candidate only for the filter `glob:latest`.
    Latest,
    /// It passes the filter but orders below the chosen tag.
    Older,
    /// A `glob:`/`regex:` filter orders by creation time and the tag has none.
    MissingTime,
    /// A `glob:`/`regex:` filter orders by creation time and the tag's is later than `now`
    /// plus the 5-minute clock-skew allowance.
    FutureTimestamp,
}

/// Which tags a container may be released to: the value of a `tag.<container>` policy or of a
/// service's `filter:` in `relman.yaml`.
///
/// - `glob:PATTERN` (the default when there is no prefix): the whole tag must match; `*` is
///   the only wildcard.
/// - `regex:RE` / `regexp:RE`: the tag must contain a match of `RE` (RE2 syntax, unanchored).
/// - `semver:CONSTRAINT`: the tag read as a version must satisfy the Masterminds v3
///   constraint (`^1.2`, `~1.2.3`, `>=1.0 <2.0 || 3.x`...).
/// - The tag `latest` never matches, except under exactly `glob:latest`.
///
/// ```js
/// const filter = TagFilter.parse('semver:^1.2')
/// filter.matches('1.4.0') // true
/// filter.matches('2.0.0') // false
/// ```
#[napi]
pub struct TagFilter {
    inner: relman::TagFilter,
}

#[napi]
impl TagFilter {
    /// Parse a filter. Throws `invalid_filter` with a message naming the problem.
    #[napi(factory)]
    pub fn parse(env: &Env, text: String) -> Result<TagFilter> {
        let inner = relman::TagFilter::parse(&text).or_throw(env)?;
        Ok(TagFilter { inner })
    }

    /// Whether `tag` passes the filter, with versions read in `mode` (default `default`).
    #[napi]
    pub fn matches(&self, tag: String, mode: Option<VersionMode>) -> bool {
        match mode {
            None => self.inner.matches(&tag),
            Some(m) => self.inner.matches_in(&tag, m.into()),
        }
    }

    /// The kind of filter.
    #[napi(getter, ts_return_type = "FilterKind")]
    pub fn kind(&self) -> String {
        wire(&self.inner.kind())
    }

    /// Choose among `images` the one the filter allows that orders highest (`semver:` by
    /// version, `glob:`/`regex:` by creation time, ties to the most specific tag: `1.4.0`
    /// before `1.4` before `1`), and say why each other lost. `now` (an RFC 3339 string or a
    /// `Date`; default: the current time) bounds creation times: one later than `now` plus
    /// five minutes is rejected as `future_timestamp`.
    ///
    /// Throws `invalid_catalog` when a `created` string is not RFC 3339, `invalid_argument`
    /// when `now` is not a time.
    #[napi(
        ts_args_type = "images: Array<ImageInfoInput>, mode?: VersionMode | undefined | null, now?: string | Date | undefined | null"
    )]
    pub fn select(
        &self,
        env: &Env,
        images: Vec<ImageInfoInput>,
        mode: Option<VersionMode>,
        now: Option<Time<'_>>,
    ) -> Result<Selection> {
        let images = images
            .into_iter()
            .map(|i| image_info(env, i))
            .collect::<Result<Vec<_>>>()?;
        let now = match now {
            Some(t) => timestamp(env, t, "now")?,
            None => jiff::Timestamp::now(),
        };
        let s = relman::policy::select(&self.inner, self::mode(mode), &images, now);
        Ok(Selection {
            chosen: s.chosen.map(ImageInfo::from),
            rejected: s
                .rejected
                .into_iter()
                .map(|r| Rejection {
                    tag: r.tag,
                    reason: r.reason.code().to_string(),
                    message: r.message,
                })
                .collect(),
            rejected_count: s.rejected_count as u32,
        })
    }

    /// Order two images under this filter: negative when `a` orders below `b`, `0` when they
    /// order the same, positive when above; `null` when they cannot be ordered (not versions
    /// under a `semver:` filter, or no creation time under `glob:`/`regex:`).
    #[napi]
    pub fn compare(
        &self,
        env: &Env,
        a: ImageInfoInput,
        b: ImageInfoInput,
        mode: Option<VersionMode>,
    ) -> Result<Option<i32>> {
        let (a, b) = (image_info(env, a)?, image_info(env, b)?);
        Ok(relman::policy::compare(&self.inner, self::mode(mode), &a, &b).map(|o| o as i32))
    }

    /// The filter as written.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> &str {
        self.inner.as_str()
    }

    /// The filter as written (so `JSON.stringify` gives the text).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> &str {
        self.inner.as_str()
    }
}

/// What `TagFilter.select` decided.
#[napi(object, use_nullable = true)]
pub struct Selection {
    /// The image the filter allows that orders highest, if any.
    pub chosen: Option<ImageInfo>,
    /// The first 50 rejected tags, in the order given, each with its reason.
    pub rejected: Vec<Rejection>,
    /// How many tags were rejected in all.
    pub rejected_count: u32,
}

/// One tag that was not chosen, and why.
#[napi(object)]
pub struct Rejection {
    /// The tag.
    pub tag: String,
    /// Why it lost.
    #[napi(ts_type = "RejectReason")]
    pub reason: String,
    /// The reason in words, naming the tag in backquotes.
    pub message: String,
}

/// What the `ignore` policy says: `no`, `true` (relman leaves the workload alone) or
/// `sync_only` (kept for Flux compatibility).
#[napi(string_enum = "snake_case")]
pub enum Ignore {
    /// Not ignored.
    No,
    /// `ignore: "true"`.
    True,
    /// `ignore: sync_only`.
    SyncOnly,
}

/// The policies annotated on a workload (Flux v1 annotations, `fluxcd.io/...`).
#[napi(object, use_nullable = true)]
pub struct Policy {
    /// `automated: "true"`: automation may release new images.
    pub automated: bool,
    /// Whether an `automated` annotation is present at all.
    pub automated_set: bool,
    /// `locked: "true"`: releases are blocked. Fails closed: a value other than exactly
    /// `"true"` or `"false"` (`"True"`, `yes`, `1`) also counts as locked, and is listed in
    /// `ambiguous`.
    pub locked: bool,
    /// Why it is locked.
    pub locked_msg: Option<String>,
    /// Who locked it.
    pub locked_user: Option<String>,
    /// When the lock expires (RFC 3339, as written in `relman.dev/locked_until`).
    pub locked_until: Option<String>,
    /// The `ignore` policy.
    #[napi(ts_type = "Ignore")]
    pub ignore: String,
    /// Tag filters per container (`tag.<container>`), as written.
    pub tag_filters: BTreeMap<String, String>,
    /// The policies whose value is not one relman reads exactly, read in the safe direction
    /// (warning `ambiguous_policy`): `locked` counts as locked, `ignore` as ignored, `automated`
    /// as not automated. Order: `automated`, `locked`, `ignore`; then the policies whose
    /// annotation key is given twice (`annotations` for two `annotations:` mappings), which
    /// read as locked and not automated.
    pub ambiguous: Vec<String>,
}

impl From<relman::Policy> for Policy {
    fn from(p: relman::Policy) -> Self {
        Policy {
            automated: p.automated,
            automated_set: p.automated_set,
            locked: p.locked,
            locked_msg: p.locked_msg,
            locked_user: p.locked_user,
            locked_until: p.locked_until,
            ignore: wire(&p.ignore),
            tag_filters: p.tag_filters,
            ambiguous: p.ambiguous,
        }
    }
}
