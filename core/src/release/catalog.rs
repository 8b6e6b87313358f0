//! What the registry offers, as the caller tells it: per repository, tags with an optional
//! digest and creation time.

use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
pub use crate::policy::ImageInfo;
pub(crate) use crate::policy::parse_time;

/// Tags per repository. Repositories are matched by normalised name, so `nginx` and
/// `docker.io/library/nginx` are the same repository.
///
/// ```
/// use relman::release::{Catalog, ImageInfo};
/// let mut catalog = Catalog::new();
/// catalog.add("acme/users", ImageInfo::new("1.4.0"))?;
/// assert_eq!(catalog.images("docker.io/acme/users").len(), 1);
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    repositories: HashMap<String, Tags>,
}

/// The tags of one repository in the order they were added, indexed by tag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tags {
    images: Vec<ImageInfo>,
    index: HashMap<String, usize>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Add a tag to `repository` (an image name without tag, such as `acme/users`). A tag
    /// added twice replaces the earlier entry in place.
    ///
    /// Errors: `invalid_catalog` for an invalid repository, tag or digest.
    pub fn add(&mut self, repository: &str, info: ImageInfo) -> Result<()> {
        let invalid = |what: String| Error::new(ErrorKind::InvalidCatalog, what);
        let repo =
            ImageRef::parse(repository).map_err(|e| invalid(format!("repository: {}", e.message())))?;
        if repo.tag().is_some() || repo.digest().is_some() {
            return Err(invalid(format!(
                "repository `{repository}` must not carry a tag or digest"
            )));
        }
        // Validate the tag and digest by spelling the reference they make.
        let tagged = repo
            .with_tag(&info.tag)
            .map_err(|e| invalid(e.message().to_string()))?;
        if let Some(digest) = &info.digest {
            tagged
                .with_digest(digest)
                .map_err(|e| invalid(e.message().to_string()))?;
        }
        let tags = self.repositories.entry(repo.name()).or_default();
        match tags.index.get(&info.tag) {
            Some(&i) => tags.images[i] = info,
            None => {
                tags.index.insert(info.tag.clone(), tags.images.len());
                tags.images.push(info);
            }
        }
        Ok(())
    }

    /// The tags of a repository (matched by normalised name), in the order they were added.
    pub fn images(&self, repository: &str) -> &[ImageInfo] {
        self.tags(repository)
            .map(|t| t.images.as_slice())
            .unwrap_or_default()
    }

    /// [`Catalog::images`] of a repository by its normalised name ([`ImageRef::name`]), for a
    /// caller that holds the parsed reference already.
    pub(crate) fn images_named(&self, name: &str) -> &[ImageInfo] {
        self.repositories
            .get(name)
            .map(|t| t.images.as_slice())
            .unwrap_or_default()
    }

    /// The entry for one tag of a repository.
    pub fn get(&self, repository: &str, tag: &str) -> Option<&ImageInfo> {
        let tags = self.tags(repository)?;
        tags.index.get(tag).map(|&i| &tags.images[i])
    }

    fn tags(&self, repository: &str) -> Option<&Tags> {
        match ImageRef::parse(repository) {
            Ok(r) => self.repositories.get(&r.name()),
            Err(_) => self.repositories.get(repository),
        }
    }

    /// Number of repositories.
    pub fn len(&self) -> usize {
        self.repositories.len()
    }

    /// Whether the catalog has no repository.
    pub fn is_empty(&self) -> bool {
        self.repositories.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_entries_are_invalid_catalog() {
        let mut c = Catalog::new();
        assert_eq!(
            ImageInfo::new("1.0")
                .with_created_str("yesterday")
                .unwrap_err()
                .code(),
            "invalid_catalog"
        );
        assert_eq!(
            c.add("acme/users", ImageInfo::new("1.0").with_digest("sha256:abc"))
                .unwrap_err()
                .code(),
            "invalid_catalog"
        );
        assert_eq!(
            c.add("acme/users", ImageInfo::new("bad tag")).unwrap_err().code(),
            "invalid_catalog"
        );
        assert_eq!(
            c.add("Acme/Users", ImageInfo::new("1.0")).unwrap_err().code(),
            "invalid_catalog"
        );
        assert_eq!(
            c.add("acme/users:1.0", ImageInfo::new("1.0")).unwrap_err().code(),
            "invalid_catalog"
        );
        assert!(c.is_empty(), "nothing is added on error");
    }

    #[test]
    fn repositories_match_by_normalised_name_and_tags_replace() {
        let mut c = Catalog::new();
        c.add("nginx", ImageInfo::new("1.25")).unwrap();
        c.add(
            "docker.io/library/nginx",
            ImageInfo::new("1.25").with_digest(format!("sha256:{}", "a".repeat(64))),
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c.images("index.docker.io/library/nginx").len(), 1);
        assert!(c.get("nginx", "1.25").unwrap().digest.is_some());
        assert!(c.images("quay.io/nginx").is_empty());
    }

    #[test]
    fn images_named_finds_what_images_finds_for_a_parsed_reference() {
        let mut c = Catalog::new();
        c.add("nginx", ImageInfo::new("1.25")).unwrap();
        c.add("localhost:5000/team/app", ImageInfo::new("2")).unwrap();
        for image in [
            "nginx",
            "nginx:1.24",
            "docker.io/library/nginx:1.24",
            "index.docker.io/library/nginx@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "localhost:5000/team/app:1",
            "quay.io/nginx:1",
        ] {
            let r = ImageRef::parse(image).unwrap();
            assert_eq!(c.images_named(&r.name()), c.images(r.repository()), "{image}");
        }
    }
}
