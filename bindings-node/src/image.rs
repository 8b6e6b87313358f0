//! `ImageRef`: image references (core `relman::image`).

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::OrThrow;

/// A container image reference (`[domain/]path[:tag][@digest]`), parsed per the distribution
/// grammar with the Docker/kubelet domain rule.
///
/// The reference remembers its text exactly as written: `toString()` gives it back unchanged.
/// To ask whether two references name the same repository whatever the spelling, compare
/// `name` or use `sameRepository`.
///
/// ```js
/// const image = ImageRef.parse('localhost:5000/team/app:v1.2')
/// image.domain // 'localhost:5000'
/// image.path   // 'team/app'
/// image.tag    // 'v1.2'
/// image.digest // null
/// ```
#[napi]
pub struct ImageRef {
    pub(crate) inner: relman::ImageRef,
}

#[napi]
impl ImageRef {
    /// Parse an image reference. Whitespace is never trimmed.
    ///
    /// Throws `invalid_image_reference` with a message naming the problem.
    #[napi(factory)]
    pub fn parse(env: &Env, text: String) -> Result<ImageRef> {
        let inner = relman::ImageRef::parse(&text).or_throw(env)?;
        Ok(ImageRef { inner })
    }

    /// The registry domain as written (`host` or `host:port`), or `''` when the reference
    /// names none (Docker Hub is then implied).
    #[napi(getter)]
    pub fn domain(&self) -> &str {
        self.inner.domain()
    }

    /// The repository path as written, without domain, tag or digest.
    #[napi(getter)]
    pub fn path(&self) -> &str {
        self.inner.path()
    }

    /// The tag, when one is written.
    #[napi(getter)]
    pub fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The digest with its algorithm (`sha256:...`), when one is written.
    #[napi(getter)]
    pub fn digest(&self) -> Option<&str> {
        self.inner.digest()
    }

    /// The normalised repository name used to match references to each other and to a
    /// catalog: `domain/path` with the domain lower-cased, Docker Hub written `docker.io`, and
    /// Docker Hub's official images under `library/` (`nginx` is `docker.io/library/nginx`).
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name()
    }

    /// The repository as written: everything before `:tag` and `@digest`.
    #[napi(getter)]
    pub fn repository(&self) -> &str {
        self.inner.repository()
    }

    /// Whether both references name the same repository (equal `name`s), whatever their tags
    /// and digests.
    #[napi]
    pub fn same_repository(&self, other: &ImageRef) -> bool {
        self.inner.same_repository(&other.inner)
    }

    /// This reference with its tag set to `tag` and without digest.
    ///
    /// Throws `invalid_image_reference` when `tag` is not a valid tag.
    #[napi]
    pub fn with_tag(&self, env: &Env, tag: String) -> Result<ImageRef> {
        let inner = self.inner.with_tag(&tag).or_throw(env)?;
        Ok(ImageRef { inner })
    }

    /// This reference with its digest set to `digest` (`algorithm:hex`), keeping its tag.
    ///
    /// Throws `invalid_image_reference` when `digest` is not a valid digest.
    #[napi]
    pub fn with_digest(&self, env: &Env, digest: String) -> Result<ImageRef> {
        let inner = self.inner.with_digest(&digest).or_throw(env)?;
        Ok(ImageRef { inner })
    }

    /// The reference exactly as written.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> &str {
        self.inner.as_str()
    }

    /// The reference exactly as written (so `JSON.stringify` gives the text).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> &str {
        self.inner.as_str()
    }
}
