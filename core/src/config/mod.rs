//! `relman.yaml`: environments, services and locks (DESIGN.md section 9).
//!
//! [`Config::parse`] reads and checks the whole file; every problem is an `invalid_config`
//! error located at `relman.yaml:LINE:COL` of the offending node, and unknown keys are errors
//! (a typo in a release configuration must not pass silently). [`Config::implicit`] is the
//! configuration of a repository without `relman.yaml`. [`lock_environment`] and
//! [`unlock_environment`] change an environment's lock under the rewrite contract: only the
//! lines of the `lock` entry change.
//!
//! Rules where DESIGN.md is silent:
//!
//! - an empty file (or one of comments only) is an error, not a default configuration; so is a
//!   file without `environments` or with none in it;
//! - `release` defaults to `manual`, the safe choice: nothing ships until someone says so;
//! - `path` is required; `.` is the whole repository (stored as the empty path);
//! - a lock needs `reason` and `by`; `until` is optional (no expiry);
//! - an environment may set its own `defaultNamespace` (default: the file's);
//! - anchors and aliases are not resolved: an alias where a value is expected is an error;
//! - a service without `workloads` covers the workloads named like it; a service's
//!   `imagePolicy` defaults to its name.
//!
//! ```
//! use relman::config::{Config, ReleaseMode};
//!
//! let config = Config::parse("\
//! versions: strict
//! environments:
//!   staging:
//!     path: ./envs/staging/
//!     release: automatic
//!   production:
//!     path: envs/production
//!     promoteFrom: staging   # only what staging ran
//! services:
//!   users:
//!     workloads: [deployment/users]
//!     filter: semver:^1
//! ")?;
//! let production = config.environment("production")?;
//! assert_eq!(production.release, ReleaseMode::Manual); // the default
//! assert_eq!(production.promote_from.as_deref(), Some("staging"));
//! assert_eq!(config.environment("staging")?.paths, ["envs/staging"]);
//! assert!(config.service_for("Deployment", "users").is_some());
//!
//! let err = Config::parse("environments:\n  prod:\n    path: envs/prod\n    relase: manual\n").unwrap_err();
//! assert_eq!(err.code(), "invalid_config");
//! assert_eq!(err.to_string(), "invalid_config: unknown key `relase` in environment `prod`; \
//!     expected one of: path, release, promoteFrom, lock, defaultNamespace (at relman.yaml:4:5)");
//! # Ok::<(), relman::Error>(())
//! ```

mod environment;
mod lock;
mod reader;
mod service;

use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;

pub use environment::{Environment, EnvironmentLock, ReleaseMode};
pub use lock::{lock_environment, unlock_environment};
pub use service::Service;

use crate::error::{Error, ErrorKind, Result};
use crate::policy::VersionMode;

/// The file name used in error locations.
const FILE: &str = "relman.yaml";

/// The release configuration of a repository: the contents of `relman.yaml`, checked.
///
/// ```
/// let config = relman::config::Config::parse("environments:\n  dev: {path: envs/dev, release: automatic}\n")?;
/// assert_eq!(config.default_namespace(), "default");
/// assert_eq!(config.environments().len(), 1);
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Config {
    versions: VersionMode,
    default_namespace: String,
    environments: Vec<Environment>,
    services: Vec<Service>,
    /// Environment name to its index in `environments` (derived: one lookup per name).
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl Config {
    /// Parse and check the text of `relman.yaml`.
    ///
    /// Keys: `versions` (`default` | `strict` | `loose`, default `default`),
    /// `defaultNamespace` (default `default`), `environments` (required, at least one; each with
    /// `path` (required: a string or a list), `release` (`automatic` | `manual`, default
    /// `manual`), `promoteFrom`, `lock` (`reason`, `by`, optional `until`), `defaultNamespace`),
    /// `services` (each with `workloads`, `filter`, `imagePolicy`).
    ///
    /// Errors: `invalid_config` located at `relman.yaml:LINE:COL` for YAML syntax errors, an
    /// empty file, more than one document, a top level that is not a mapping, unknown or
    /// duplicate keys, missing or malformed values, paths that are absolute or contain `..`,
    /// a `promoteFrom` naming itself, an unknown environment or forming a cycle, a lock
    /// `until` that is not RFC 3339, a tag filter that does not parse, a workload listed twice.
    ///
    /// ```
    /// let err = relman::config::Config::parse("environments:\n  prod:\n    path: ../prod\n").unwrap_err();
    /// assert_eq!(err.code(), "invalid_config");
    /// assert_eq!((err.path(), err.line(), err.column()), (Some("relman.yaml"), Some(3), Some(11)));
    /// ```
    pub fn parse(text: &str) -> Result<Config> {
        let arena = crate::yaml::Arena::new();
        let stream = reader::parse_stream(text, &arena)?;
        reader::read(&stream)
    }

    /// A configuration of checked parts, with its name index.
    fn new(
        versions: VersionMode,
        default_namespace: String,
        environments: Vec<Environment>,
        services: Vec<Service>,
    ) -> Config {
        let index = environments
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.clone(), i))
            .collect();
        Config {
            versions,
            default_namespace,
            environments,
            services,
            index,
        }
    }

    /// The configuration of a repository without `relman.yaml`: one environment named
    /// `default` covering the whole repository (the empty path), whose release mode follows
    /// each workload's `automated` annotation ([`ReleaseMode::Annotations`]); no services.
    ///
    /// ```
    /// use relman::config::{Config, ReleaseMode};
    /// let config = Config::implicit();
    /// let env = config.environment("default")?;
    /// assert_eq!(env.release, ReleaseMode::Annotations);
    /// assert!(env.contains("apps/users/deployment.yaml"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn implicit() -> Config {
        Config::new(
            VersionMode::Default,
            "default".to_string(),
            vec![Environment {
                name: "default".to_string(),
                paths: vec![String::new()],
                release: ReleaseMode::Annotations,
                promote_from: None,
                lock: None,
                default_namespace: "default".to_string(),
            }],
            Vec::new(),
        )
    }

    /// The version parsing mode of tags (`versions:`).
    ///
    /// ```
    /// use relman::policy::VersionMode;
    /// let config = relman::config::Config::parse("versions: loose\nenvironments: {dev: {path: dev}}\n")?;
    /// assert_eq!(config.versions(), VersionMode::Loose);
    /// assert_eq!(relman::config::Config::implicit().versions(), VersionMode::Default);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn versions(&self) -> VersionMode {
        self.versions
    }

    /// The namespace of objects without `metadata.namespace` (`defaultNamespace:`); an
    /// environment may override it ([`Environment::default_namespace`]).
    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }

    /// The environments, in file order.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// The environment named `name`.
    ///
    /// Errors: `unknown_environment`, listing the defined names.
    ///
    /// ```
    /// let config = relman::config::Config::implicit();
    /// let err = config.environment("production").unwrap_err();
    /// assert_eq!(err.code(), "unknown_environment");
    /// assert_eq!(err.message(), "no environment named `production`; defined: default");
    /// ```
    pub fn environment(&self, name: &str) -> Result<&Environment> {
        self.position(name).map(|i| &self.environments[i]).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownEnvironment,
                format!(
                    "no environment named `{name}`; defined: {}",
                    reader::names(&self.environments)
                ),
            )
        })
    }

    /// The index of the environment named `name` in [`environments`](Config::environments).
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The declared services, in file order.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The declared service of the workload `kind/name` (any namespace; kind compared
    /// case-insensitively): the service listing it under `workloads`, else the service named
    /// like the workload, else `None` (the workload is then a service of its own name).
    ///
    /// ```
    /// let config = relman::config::Config::parse("\
    /// environments: {prod: {path: envs/prod}}
    /// services:
    ///   accounts: {workloads: [deployment/users, deployment/billing]}
    ///   search: {filter: glob:v*}
    /// ")?;
    /// assert_eq!(config.service_for("Deployment", "users").unwrap().name, "accounts");
    /// assert_eq!(config.service_for("statefulset", "search").unwrap().name, "search");
    /// assert!(config.service_for("deployment", "orders").is_none());
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn service_for(&self, kind: &str, name: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.lists(kind, name))
            .or_else(|| self.services.iter().find(|s| s.name == name))
    }
}

impl FromStr for Config {
    type Err = Error;

    /// Same as [`Config::parse`].
    fn from_str(text: &str) -> Result<Config> {
        Config::parse(text)
    }
}

#[cfg(test)]
mod tests;
