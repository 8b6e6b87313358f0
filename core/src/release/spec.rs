//! What a release asks for.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::names::{check_one_line, check_trailer_value};

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

impl Services {
    /// The services argument as text, the one rule every surface shares: the word `all` is
    /// every workload, any other text names one service or workload id (the names are checked
    /// when the release is planned, see [`ReleaseSpec::validate`]).
    ///
    /// ```
    /// use relman::release::Services;
    /// assert_eq!(Services::parse("all"), Services::All);
    /// assert_eq!(Services::parse("users"), Services::Named(vec!["users".into()]));
    /// ```
    pub fn parse(text: &str) -> Services {
        match text {
            "all" => Services::All,
            name => Services::Named(vec![name.to_string()]),
        }
    }
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
    /// What the cluster runs: the text `kubectl get ... -o yaml` (or `-o json`) printed. The
    /// drifted containers (see [`drift`](super::drift)) move to their running images; in-sync
    /// ones, digest-resolved included, stay as written. Recorded as `adopted`; the adopted
    /// workloads are locked unless the spec says `lock(false)`.
    Observed(String),
}

impl ImageSpec {
    /// Read the spec from text: `latest`, `promote`, `rollback`, or an image reference. The
    /// word `observed` needs the observed text: see [`ImageSpec::parse_with`]
    /// (`invalid_argument` here).
    ///
    /// ```
    /// use relman::release::ImageSpec;
    /// assert_eq!(ImageSpec::parse("rollback")?, ImageSpec::Rollback);
    /// assert!(matches!(ImageSpec::parse("acme/users:1.4.0")?, ImageSpec::Exact(_)));
    /// assert_eq!(ImageSpec::parse("observed").unwrap_err().code(), "invalid_argument");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<ImageSpec> {
        ImageSpec::parse_with(text, None)
    }

    /// The image argument of every surface with its `observed` text: `observed` with the text
    /// is [`ImageSpec::Observed`]; `observed` without one, or a text given with any other
    /// image, is `invalid_argument`; else as [`ImageSpec::parse`].
    ///
    /// ```
    /// use relman::release::ImageSpec;
    /// let live = "apiVersion: v1\nkind: List\nitems: []\n".to_string();
    /// assert!(matches!(ImageSpec::parse_with("observed", Some(live.clone()))?, ImageSpec::Observed(_)));
    /// assert_eq!(ImageSpec::parse_with("latest", Some(live)).unwrap_err().code(), "invalid_argument");
    /// assert_eq!(ImageSpec::parse_with("observed", None).unwrap_err().code(), "invalid_argument");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn parse_with(text: &str, observed: Option<String>) -> Result<ImageSpec> {
        match (text, observed) {
            ("observed", Some(observed)) => Ok(ImageSpec::Observed(observed)),
            ("observed", None) => Err(Error::new(
                ErrorKind::InvalidArgument,
                "image observed needs the observed text: what `kubectl get ... -o yaml` printed",
            )),
            (other, Some(_)) => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "observed text given with image {other:?}: the observed text is only read by image \"observed\""
                ),
            )),
            ("latest", None) => Ok(ImageSpec::Latest),
            ("promote", None) => Ok(ImageSpec::Promote),
            ("rollback", None) => Ok(ImageSpec::Rollback),
            (other, None) => Ok(ImageSpec::Exact(ImageRef::parse(other)?)),
        }
    }
}

/// Who asked for a release and why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cause {
    /// `Name <email>` or any one-line user string, written into the `Relman-User` trailer (and
    /// `locked_user` when the release locks): no control, line-break or separator character,
    /// not empty, no leading or trailing whitespace (see [`ReleaseSpec::validate`]).
    pub user: Option<String>,
    /// Free text, written into the commit message body (always before relman's own trailer
    /// paragraph, so it cannot form or change a trailer) and, when the release locks, into
    /// `locked_msg` (escaped). Any character but NUL.
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
    /// It never bypasses an environment lock on its own: see
    /// [`override_environment_lock`](ReleaseSpec::override_environment_lock).
    pub force: bool,
    /// With `force`, release despite an active environment lock (every workload the release
    /// covers). The only way past an environment lock: no text in the cause message does it.
    /// Without `force` it is refused (`invalid_argument`).
    #[serde(default)]
    pub override_environment_lock: bool,
    /// Who and why.
    pub cause: Cause,
    /// Lock the released workloads in the same commit; `None` means "only for rollbacks and
    /// adoptions".
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
            override_environment_lock: false,
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

    /// Overriding (or not) an active environment lock; needs `force` (see
    /// [`ReleaseSpec::override_environment_lock`]).
    pub fn override_environment_lock(mut self, override_lock: bool) -> Self {
        self.override_environment_lock = override_lock;
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

    /// Whether released workloads get locked: the explicit choice, else only for rollbacks and
    /// adoptions of what the cluster runs (so that automation does not undo them).
    pub fn locks(&self) -> bool {
        self.lock
            .unwrap_or(matches!(self.image, ImageSpec::Rollback | ImageSpec::Observed(_)))
    }

    /// Check the request before anything is planned (`invalid_argument`, DESIGN.md section 10):
    /// the environment, the service names and workload ids of `services` and `exclude` are one
    /// line (no control, line-break or separator character: C0, C1, DEL, U+2028, U+2029), and
    /// the names and ids are not empty; the
    /// user, written into the `Relman-User` trailer and a lock's `locked_user`, is also not
    /// empty and not padded with whitespace; the message, free text written into the body, holds
    /// no NUL (git refuses a commit message that does); `override_environment_lock` comes with
    /// `force`. [`plan_release`](super::plan_release) calls it first.
    ///
    /// ```
    /// use relman::release::ReleaseSpec;
    /// let forged = ReleaseSpec::new("staging").cause(
    ///     Some("mallory\n\nRelman-Environment: production".into()),
    ///     None,
    /// );
    /// assert_eq!(forged.validate().unwrap_err().code(), "invalid_argument");
    /// assert!(ReleaseSpec::new("staging").cause(Some("alice <a@example.com>".into()), None).validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_one_line("environment", &self.environment)?;
        let named = match &self.services {
            Services::Named(list) => list.as_slice(),
            Services::All => &[],
        };
        for (what, entry) in named
            .iter()
            .map(|e| ("service", e))
            .chain(self.exclude.iter().map(|e| ("exclude entry", e)))
        {
            check_one_line(what, entry)?;
            if entry.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("an empty {what}: name a service or a workload id"),
                ));
            }
        }
        if let Some(user) = &self.cause.user {
            check_trailer_value("user", user)?;
        }
        if let Some(message) = &self.cause.message {
            if message.contains('\0') {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "the message holds a NUL character, which a git commit message cannot hold",
                ));
            }
        }
        if self.override_environment_lock && !self.force {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "override_environment_lock needs force: an environment lock is overridden only by a \
                 forced release that also asks to override it",
            ));
        }
        Ok(())
    }
}
