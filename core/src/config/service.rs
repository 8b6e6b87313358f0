//! Services: logical microservices grouping workloads, with a default tag filter.

use serde::Serialize;

use crate::policy::TagFilter;

/// A service declared under `services:` in `relman.yaml`.
///
/// A workload belongs to the service that lists it under `workloads`; otherwise to the declared
/// service named like the workload; otherwise to an implied service of its own name (see
/// [`Config::service_for`](super::Config::service_for)).
///
/// ```
/// let config = relman::config::Config::parse("\
/// environments:
///   prod: {path: envs/prod}
/// services:
///   users:
///     workloads: [Deployment/users-api, deployment/users-worker]
///     filter: glob:1.*
/// ")?;
/// let users = config.service_for("deployment", "users-api").unwrap();
/// assert_eq!(users.name, "users");
/// assert_eq!(users.workloads, ["deployment/users-api", "deployment/users-worker"]);
/// assert_eq!(users.image_policy, "users");
/// assert!(users.filter.as_ref().unwrap().matches("1.4.0"));
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The service's name (its key under `services:`).
    pub name: String,
    /// The workloads it groups, as `kind/name` with the kind lower-cased (namespace-agnostic).
    /// Empty when the file lists none: the service then covers the workloads named like it.
    pub workloads: Vec<String>,
    /// The default tag filter of the service's containers (`filter:`).
    pub filter: Option<TagFilter>,
    /// The Flux image policy (`namespace:name` or `name`) that setter markers of this service
    /// refer to (`imagePolicy:`, default the service's name).
    pub image_policy: String,
}

impl Service {
    /// Whether this service lists the workload `kind/name` (kind compared case-insensitively).
    ///
    /// ```
    /// let config = relman::config::Config::parse(
    ///     "environments: {prod: {path: envs/prod}}\nservices: {users: {workloads: [deployment/users]}}\n",
    /// )?;
    /// let users = &config.services()[0];
    /// assert!(users.lists("Deployment", "users"));
    /// assert!(!users.lists("statefulset", "users"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn lists(&self, kind: &str, name: &str) -> bool {
        self.workloads.iter().any(|w| {
            w.split_once('/')
                .is_some_and(|(k, n)| n == name && k.eq_ignore_ascii_case(kind))
        })
    }
}
