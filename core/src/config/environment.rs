//! Environments: named sets of repo paths with a release mode, an optional promotion source and
//! an optional lock.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary::wire_enum! {
/// How releases happen in an environment.
///
/// ```
/// use relman::config::ReleaseMode;
/// assert_eq!(serde_json::to_string(&ReleaseMode::Automatic).unwrap(), "\"automatic\"");
/// ```
pub enum ReleaseMode {
    /// `release: automatic`: continuous delivery; every workload is automated unless annotated
    /// `fluxcd.io/automated: "false"`.
    Automatic = "automatic",
    /// `release: manual` (the default): only explicit releases; automation releases nothing.
    Manual = "manual",
    /// No `relman.yaml`: each workload's `automated` annotation decides (Flux v1 behaviour).
    /// Only [`Config::implicit`](super::Config::implicit) produces this mode.
    Annotations = "annotations",
}
}

/// An environment-wide lock: while active, releases to the environment are blocked.
///
/// ```
/// use relman::config::EnvironmentLock;
///
/// let until: jiff::Timestamp = "2027-01-04T00:00:00Z".parse().unwrap();
/// let lock = EnvironmentLock::new("end-of-year freeze", "alice").until(until);
/// assert!(lock.is_active("2026-12-24T12:00:00Z".parse().unwrap()));
/// assert!(!lock.is_active(until));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentLock {
    /// Why the environment is locked.
    pub reason: String,
    /// Who locked it.
    pub by: String,
    /// When the lock expires; `None` locks until it is removed.
    #[serde(default)]
    pub until: Option<Timestamp>,
}

impl EnvironmentLock {
    /// A lock without expiry.
    pub fn new(reason: impl Into<String>, by: impl Into<String>) -> EnvironmentLock {
        EnvironmentLock {
            reason: reason.into(),
            by: by.into(),
            until: None,
        }
    }

    /// This lock, expiring at `until`.
    pub fn until(mut self, until: Timestamp) -> EnvironmentLock {
        self.until = Some(until);
        self
    }

    /// Whether the lock blocks releases at `now`: always without an expiry, else strictly
    /// before `until`.
    ///
    /// ```
    /// use relman::config::EnvironmentLock;
    /// let lock = EnvironmentLock::new("incident 42", "bob");
    /// assert!(lock.is_active(jiff::Timestamp::now()));
    /// ```
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// One environment of `relman.yaml`.
///
/// ```
/// let config = relman::config::Config::parse(
///     "environments:\n  staging:\n    path: [envs/staging, shared/ingress.yaml]\n    release: automatic\n",
/// )?;
/// let staging = config.environment("staging")?;
/// assert_eq!(staging.paths, ["envs/staging", "shared/ingress.yaml"]);
/// assert!(staging.contains("envs/staging/users/deployment.yaml"));
/// assert!(staging.contains("shared/ingress.yaml"));
/// assert!(!staging.contains("envs/staging-eu/users.yaml"));
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// The environment's name (its key under `environments:`).
    pub name: String,
    /// Repo-relative directories or files, normalised (no `./`, no trailing `/`); the empty
    /// path is the whole repository.
    pub paths: Vec<String>,
    /// How releases happen here.
    pub release: ReleaseMode,
    /// The environment whose releases gate this one (`promoteFrom`).
    pub promote_from: Option<String>,
    /// The environment-wide lock, when one is written (it may have expired: see
    /// [`EnvironmentLock::is_active`]).
    pub lock: Option<EnvironmentLock>,
    /// The namespace of objects without `metadata.namespace` (the environment's
    /// `defaultNamespace`, else the file's, else `default`).
    pub default_namespace: String,
}

impl Environment {
    /// Whether the repo-relative file `path` belongs to this environment: it is under one of
    /// the environment's paths or equal to one of them. A leading `./` is ignored; paths are
    /// compared segment by segment, so `envs/prod` does not contain `envs/production/a.yaml`.
    /// This compares paths only: the planner also counts the files an environment reaches
    /// through symbolic links and kustomize resources (see `Snapshot::resolve`).
    pub fn contains(&self, path: &str) -> bool {
        let mut path = path;
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        self.paths.iter().any(|p| {
            p.is_empty()
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    /// The active lock at `now`, if any.
    ///
    /// ```
    /// let config = relman::config::Config::parse(
    ///     "environments:\n  prod:\n    path: envs/prod\n    lock: {reason: freeze, by: alice, until: 2027-01-04T00:00:00Z}\n",
    /// )?;
    /// let prod = config.environment("prod")?;
    /// assert!(prod.active_lock("2027-01-01T00:00:00Z".parse().unwrap()).is_some());
    /// assert!(prod.active_lock("2027-02-01T00:00:00Z".parse().unwrap()).is_none());
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn active_lock(&self, now: Timestamp) -> Option<&EnvironmentLock> {
        self.lock.as_ref().filter(|l| l.is_active(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(paths: &[&str]) -> Environment {
        Environment {
            name: "e".into(),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            release: ReleaseMode::Manual,
            promote_from: None,
            lock: None,
            default_namespace: "default".into(),
        }
    }

    #[test]
    fn contains_by_segments() {
        let e = env(&["envs/prod", "shared/a.yaml"]);
        assert!(e.contains("envs/prod"));
        assert!(e.contains("envs/prod/x.yaml"));
        assert!(e.contains("./envs/prod/x/y.yaml"));
        assert!(e.contains("shared/a.yaml"));
        assert!(!e.contains("shared/a.yaml.bak"));
        assert!(!e.contains("envs/production/x.yaml"));
        assert!(!e.contains("envs"));
        assert!(env(&[""]).contains("anything/at/all.yaml"));
    }

    #[test]
    fn lock_activity() {
        let t: Timestamp = "2027-01-04T00:00:00Z".parse().unwrap();
        let lock = EnvironmentLock::new("r", "b").until(t);
        assert!(lock.is_active("2027-01-03T23:59:59Z".parse().unwrap()));
        assert!(!lock.is_active(t));
        assert!(EnvironmentLock::new("r", "b").is_active(t));
    }

    #[test]
    fn lock_serialises_until_as_rfc3339() {
        let lock = EnvironmentLock::new("r", "b").until("2027-01-04T00:00:00Z".parse().unwrap());
        let json = serde_json::to_value(&lock).unwrap();
        assert_eq!(json["until"], "2027-01-04T00:00:00Z");
        let back: EnvironmentLock = serde_json::from_value(json).unwrap();
        assert_eq!(back, lock);
        let open: EnvironmentLock = serde_json::from_str(r#"{"reason": "r", "by": "b"}"#).unwrap();
        assert_eq!(open.until, None);
    }
}
