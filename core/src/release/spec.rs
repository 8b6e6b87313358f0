//! What a release asks for.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::image::ImageRef;

/// Which workloads a release covers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Services {
    /// Every workload of the environment.
    #[default]
    All,
    /// Named services (`users`) or workload ids (`prod:deployment/users`, `deployment/users`).
    Named(Vec<String>),
}

/// Which image a release moves the pointers to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSpec {
    /// The newest image each container's filter allows.
    #[default]
    Latest,
    /// Exactly this image, for the containers that run its repository.
    Exact(ImageRef),
    /// The pointers of the environment's `promoteFrom` environment.
    Promote,
    /// The pointer before the current one, from the release history.
    Rollback,
}

impl ImageSpec {
    /// Read the spec from text: `latest`, `promote`, `rollback`, or an image reference.
    ///
    /// ```
    /// use relman::release::ImageSpec;
    /// assert_eq!(ImageSpec::parse("rollback")?, ImageSpec::Rollback);
    /// assert!(matches!(ImageSpec::parse("acme/users:1.4.0")?, ImageSpec::Exact(_)));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<ImageSpec> {
        Ok(match text {
            "latest" => ImageSpec::Latest,
            "promote" => ImageSpec::Promote,
            "rollback" => ImageSpec::Rollback,
            other => ImageSpec::Exact(ImageRef::parse(other)?),
        })
    }
}

/// Who asked for a release and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cause {
    /// `Name <email>` or any user string.
    pub user: Option<String>,
    /// Free text, written into the commit message body.
    pub message: Option<String>,
}

/// A release request (DESIGN.md section 10).
///
/// ```
/// use relman::release::{ImageSpec, ReleaseSpec, Services};
/// let spec = ReleaseSpec::new("production")
///     .services(Services::Named(vec!["users".into()]))
///     .image(ImageSpec::Promote);
/// assert!(spec.locks() == false);
/// assert!(ReleaseSpec::new("production").image(ImageSpec::Rollback).locks());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseSpec {
    /// The environment to release into.
    pub environment: String,
    /// The workloads covered.
    pub services: Services,
    /// The image to release.
    pub image: ImageSpec,
    /// Services or workload ids left out.
    pub exclude: Vec<String>,
    /// Bypass workload locks, filters and the promotion gate for workloads named explicitly.
    /// An environment lock is bypassed only when the cause message also names it.
    pub force: bool,
    /// Who and why.
    pub cause: Cause,
    /// Lock the released workloads in the same commit; `None` means "only for rollbacks".
    pub lock: Option<bool>,
}

impl ReleaseSpec {
    /// Release the latest allowed image of every workload of `environment`.
    pub fn new(environment: impl Into<String>) -> ReleaseSpec {
        ReleaseSpec {
            environment: environment.into(),
            services: Services::All,
            image: ImageSpec::Latest,
            exclude: Vec::new(),
            force: false,
            cause: Cause::default(),
            lock: None,
        }
    }

    /// With these services.
    pub fn services(mut self, services: Services) -> Self {
        self.services = services;
        self
    }

    /// With this image.
    pub fn image(mut self, image: ImageSpec) -> Self {
        self.image = image;
        self
    }

    /// Leaving these out.
    pub fn exclude(mut self, exclude: Vec<String>) -> Self {
        self.exclude = exclude;
        self
    }

    /// Forcing (see [`ReleaseSpec::force`]).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// With this cause.
    pub fn cause(mut self, user: Option<String>, message: Option<String>) -> Self {
        self.cause = Cause { user, message };
        self
    }

    /// Locking (or not) the released workloads.
    pub fn lock(mut self, lock: bool) -> Self {
        self.lock = Some(lock);
        self
    }

    /// Whether released workloads get locked: the explicit choice, else only for rollbacks.
    pub fn locks(&self) -> bool {
        self.lock.unwrap_or(self.image == ImageSpec::Rollback)
    }
}
