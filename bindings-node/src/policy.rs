//! Tag filters, version modes, selections and workload policies (core `relman::policy`).

use std::collections::BTreeMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::{Deserialize, Serialize};

use crate::arguments::Time;
use crate::error::OrThrow;
use crate::options::Checked;
use crate::release::{ImageInfo, ImageInfoInput, image_info};
use crate::{from_js, to_js};

/// How tags are read as versions: `default` needs at least `MAJOR.MINOR` (an all-digit git SHA
/// is not a version), `strict` needs `MAJOR.MINOR.PATCH` (Flux v2), `loose` accepts a single
/// number (Flux v1). Set per repository in `relman.yaml` (`versions:`). Core's `VersionMode`.
#[napi(string_enum = "snake_case")]
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionMode {
    Default,
    Strict,
    Loose,
}

/// Core's version mode of a `mode` argument (default `default`).
fn mode(env: &Env, mode: Option<VersionMode>) -> Result<relman::VersionMode> {
    mode.map_or(Ok(relman::VersionMode::default()), |m| from_js(env, &m, "mode"))
}

/// The kind of a tag filter: `glob:PATTERN` (or no prefix), `regex:RE` / `regexp:RE`, or
/// `semver:CONSTRAINT`. Core's `FilterKind`.
#[napi(string_enum = "snake_case")]
pub enum FilterKind {
    Glob,
    Regex,
    Semver,
}

/// Why a tag was not chosen by `TagFilter.select`. Core's `RejectReason`.
#[napi(string_enum = "snake_case")]
pub enum RejectReason {
    FilterMiss,
    NotAVersion,
    Prerelease,
    Latest,
    Older,
    MissingTime,
    FutureTimestamp,
    NotANumber,
    Blocked,
}

/// How a tag filter ranks the tags it allows: the newest creation time (`glob:`/`regex:`),
/// the highest version (`semver:`), or Flux's orders `alphabetical:asc|desc` and
/// `numerical:asc|desc`, or one tag tracked by digest (`digest:TAG`). Core's `TagOrder`.
#[napi(string_enum = "snake_case")]
pub enum TagOrder {
    CreationTime,
    Version,
    AlphabeticalAsc,
    AlphabeticalDesc,
    NumericalAsc,
    NumericalDesc,
    Digest,
}

/// Which tags a container may be released to: the value of a `tag.<container>` policy or of a
/// service's `filter:` in `relman.yaml`.
///
/// - `glob:PATTERN` (the default when there is no prefix): the whole tag must match; `*` is
///   the only wildcard.
/// - `regex:RE` / `regexp:RE`: the tag must contain a match of `RE` (RE2 syntax, unanchored).
/// - `semver:CONSTRAINT` (the last clause): the tag read as a version must satisfy the
///   Masterminds v3 constraint (`^1.2`, `~1.2.3`, `>=1.0 <2.0 || 3.x`...).
/// - `alphabetical:asc|desc`, `numerical:asc|desc`: Flux's orders, with an optional pattern
///   and `extract:TEMPLATE` (`numerical:asc extract:$ts regex:^main-(?P<ts>[0-9]+)$`).
/// - `digest:TAG`: only `TAG`, tracked by its current digest (written `repo:TAG@sha256:...`).
/// - Clauses are separated by spaces. The tag `latest` never matches, except under exactly
///   `glob:latest`.
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
    pub fn matches(&self, env: &Env, tag: String, mode: Option<VersionMode>) -> Result<bool> {
        Ok(self.inner.matches_in(&tag, self::mode(env, mode)?))
    }

    /// The kind of filter.
    #[napi(getter, ts_return_type = "FilterKind")]
    pub fn kind(&self) -> &'static str {
        self.inner.kind().code()
    }

    /// How the filter ranks the tags it allows.
    #[napi(getter, ts_return_type = "TagOrder")]
    pub fn order(&self) -> &'static str {
        self.inner.order().code()
    }

    /// The `extract:` template, or `null`.
    #[napi(getter)]
    pub fn extract(&self) -> Option<String> {
        self.inner.extract().map(str::to_string)
    }

    /// The value the order ranks for `tag`: the `extract:` template expanded with the
    /// pattern's match, else the tag; `null` when the tag does not pass the pattern.
    #[napi]
    pub fn value_of_tag(&self, tag: String) -> Option<String> {
        self.inner.value_of(&tag)
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
        images: Vec<Checked<ImageInfoInput>>,
        mode: Option<VersionMode>,
        now: Option<Time<'_>>,
    ) -> Result<Selection> {
        let images = images
            .into_iter()
            .map(|i| image_info(env, i.0))
            .collect::<Result<Vec<_>>>()?;
        let (mode, now) = (self::mode(env, mode)?, crate::arguments::now(env, now)?);
        to_js(env, &relman::policy::select(&self.inner, mode, &images, now))
    }

    /// Order two images under this filter: negative when `a` orders below `b`, `0` when they
    /// order the same, positive when above; `null` when they cannot be ordered (not versions
    /// under a `semver:` filter, or no creation time under `glob:`/`regex:`).
    #[napi]
    pub fn compare(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "ImageInfoInput")] a: Checked<ImageInfoInput>,
        #[napi(ts_arg_type = "ImageInfoInput")] b: Checked<ImageInfoInput>,
        mode: Option<VersionMode>,
    ) -> Result<Option<i32>> {
        let (a, b) = (image_info(env, a.0)?, image_info(env, b.0)?);
        Ok(relman::policy::compare(&self.inner, self::mode(env, mode)?, &a, &b).map(|o| o as i32))
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
#[derive(Deserialize)]
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
#[derive(Deserialize)]
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
/// `sync_only` (kept for Flux compatibility). Core's `Ignore`.
#[napi(string_enum = "snake_case")]
pub enum Ignore {
    No,
    True,
    SyncOnly,
}

/// The policies annotated on a workload (Flux v1 annotations, `fluxcd.io/...`).
#[napi(object, use_nullable = true)]
#[derive(Deserialize)]
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
