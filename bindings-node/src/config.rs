//! `relman.yaml`: environments, services and locks (core `relman::config`).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::Deserialize;

use crate::arguments::{Time, timestamp};
use crate::error::OrThrow;
use crate::options::{Checked, OptionKeys};
use crate::text::Text;
use crate::to_js;

/// How releases happen in an environment: `automatic` (continuous delivery), `manual` (only
/// explicit releases; the default) or `annotations` (no `relman.yaml`: each workload's
/// `automated` annotation decides, as in Flux v1). Core's `ReleaseMode`.
#[napi(string_enum = "snake_case")]
pub enum ReleaseMode {
    Automatic,
    Manual,
    Annotations,
}

/// An environment-wide lock: while active, releases to the environment are blocked.
#[napi(object, use_nullable = true)]
#[derive(Deserialize)]
pub struct EnvironmentLock {
    /// Why the environment is locked.
    pub reason: String,
    /// Who locked it.
    pub by: String,
    /// When the lock expires (RFC 3339); `null` locks until it is removed.
    pub until: Option<String>,
}

/// One environment of `relman.yaml`.
#[napi(object, use_nullable = true)]
#[derive(Deserialize)]
pub struct Environment {
    /// The environment's name (its key under `environments:`).
    pub name: String,
    /// Repo-relative directories or files, normalised; `''` is the whole repository.
    pub paths: Vec<String>,
    /// How releases happen here.
    #[napi(ts_type = "ReleaseMode")]
    pub release: String,
    /// The environment whose releases gate this one (`promoteFrom`).
    pub promote_from: Option<String>,
    /// The environment-wide lock, when one is written (it may have expired).
    pub lock: Option<EnvironmentLock>,
    /// The namespace of objects without `metadata.namespace`.
    pub default_namespace: String,
}

/// A service declared under `services:` in `relman.yaml`.
#[napi(object, use_nullable = true)]
#[derive(Deserialize)]
pub struct Service {
    /// The service's name (its key under `services:`).
    pub name: String,
    /// The workloads it groups, as `kind/name` (namespace-agnostic); empty when the service
    /// covers the workloads named like it.
    pub workloads: Vec<String>,
    /// The default tag filter of the service's containers, as written.
    pub filter: Option<String>,
    /// The Flux image policy that setter markers of this service refer to.
    pub image_policy: String,
}

/// The release configuration of a repository: the contents of `relman.yaml`, checked.
///
/// ```js
/// const config = Config.parse(fs.readFileSync('relman.yaml', 'utf8'))
/// config.environment('production').release // 'manual'
/// ```
#[napi]
pub struct Config {
    inner: relman::Config,
}

#[napi]
impl Config {
    /// Parse and check the text of `relman.yaml`.
    ///
    /// Throws `invalid_config` located at `relman.yaml:LINE:COL` (`path`, `line`, `column`) for
    /// YAML syntax errors, unknown or duplicate keys, missing or malformed values, paths that
    /// escape the repository, `promoteFrom` cycles, a lock `until` that is not RFC 3339, a tag
    /// filter that does not parse, a workload listed twice.
    #[napi(factory)]
    pub fn parse(env: &Env, #[napi(ts_arg_type = "string")] text: Text) -> Result<Config> {
        let inner = relman::Config::parse(&text).or_throw(env)?;
        Ok(Config { inner })
    }

    /// The configuration of a repository without `relman.yaml`: one environment named
    /// `default` covering the whole repository, whose release mode follows each workload's
    /// `automated` annotation.
    #[napi(factory)]
    pub fn implicit() -> Config {
        Config {
            inner: relman::Config::implicit(),
        }
    }

    /// The version parsing mode of tags (`versions:`).
    #[napi(getter, ts_return_type = "VersionMode")]
    pub fn versions(&self) -> &'static str {
        self.inner.versions().code()
    }

    /// The namespace of objects without `metadata.namespace` (`defaultNamespace:`).
    #[napi(getter)]
    pub fn default_namespace(&self) -> &str {
        self.inner.default_namespace()
    }

    /// The environments, in file order.
    #[napi(getter)]
    pub fn environments(&self, env: &Env) -> Result<Vec<Environment>> {
        to_js(env, &self.inner.environments())
    }

    /// The declared services, in file order.
    #[napi(getter)]
    pub fn services(&self, env: &Env) -> Result<Vec<Service>> {
        to_js(env, &self.inner.services())
    }

    /// The environment named `name`. Throws `unknown_environment`, listing the defined names.
    #[napi]
    pub fn environment(&self, env: &Env, name: String) -> Result<Environment> {
        to_js(env, self.inner.environment(&name).or_throw(env)?)
    }

    /// The declared service of the workload `kind/name` (any namespace; kind compared
    /// case-insensitively): the service listing it, else the service named like it, else
    /// `null`.
    #[napi]
    pub fn service_for(&self, env: &Env, kind: String, name: String) -> Result<Option<Service>> {
        to_js(env, &self.inner.service_for(&kind, &name))
    }

    /// The configuration as a plain object (what `JSON.stringify` writes).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<ConfigJson> {
        to_js(env, &self.inner)
    }
}

/// A `Config` as a plain object.
#[napi(object, use_nullable = true)]
#[derive(Deserialize)]
pub struct ConfigJson {
    /// `versions:`.
    #[napi(ts_type = "VersionMode")]
    pub versions: String,
    /// `defaultNamespace:`.
    pub default_namespace: String,
    /// The environments, in file order.
    pub environments: Vec<Environment>,
    /// The declared services, in file order.
    pub services: Vec<Service>,
}

/// A lock to write with `lockEnvironment`.
#[napi(object, object_to_js = false)]
pub struct LockInput<'a> {
    /// Why the environment is locked (not empty).
    pub reason: String,
    /// Who locks it (not empty).
    pub by: String,
    /// When the lock expires: an RFC 3339 string or a `Date`; absent locks until removed.
    #[napi(ts_type = "string | Date | null")]
    pub until: Option<Option<Time<'a>>>,
}

impl OptionKeys for LockInput<'_> {
    const KEYS: &'static [&'static str] = &["reason", "by", "until"];
}

/// Lock `environment` in the text of `relman.yaml`: add `lock:` with `reason`, `by` and
/// `until` as the last entry of the environment's mapping, or update an existing lock in place.
/// Only the lines of the `lock` entry change; locking again with the same values returns the
/// text unchanged.
///
/// Throws `invalid_argument` (`environment`, `reason` or `by` holding a control, line-break or
/// separator character: a lock is one line), `invalid_config` (the file does not parse, or
/// `reason` or `by` is empty), `unknown_environment`, `unsupported_yaml`.
///
/// ```js
/// const locked = lockEnvironment(text, 'production', { reason: 'freeze', by: 'alice', until: '2027-01-04T00:00:00Z' })
/// ```
#[napi]
pub fn lock_environment(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Text,
    environment: String,
    #[napi(ts_arg_type = "LockInput")] lock: Checked<LockInput>,
) -> Result<String> {
    let Checked(lock) = lock;
    let mut core = relman::EnvironmentLock::new(lock.reason, lock.by);
    if let Some(until) = lock.until.flatten() {
        core = core.until(timestamp(env, until, "until")?);
    }
    relman::config::lock_environment(&text, &environment, &core).or_throw(env)
}

/// Remove the lock of `environment` from the text of `relman.yaml` (only the lines of the
/// `lock` entry go). An environment without a lock returns the text unchanged.
///
/// Throws `invalid_argument`, `invalid_config`, `unknown_environment`.
#[napi]
pub fn unlock_environment(
    env: &Env,
    #[napi(ts_arg_type = "string")] text: Text,
    environment: String,
) -> Result<String> {
    relman::config::unlock_environment(&text, &environment).or_throw(env)
}
