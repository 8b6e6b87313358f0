//! The registry client (core: `relman::registry`, feature `registry`): `Registry`, whose
//! `catalog` runs on the libuv thread pool (an `AsyncTask`) and returns a Promise, so the event
//! loop never waits for a registry.

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use relman::registry as core;

use crate::arguments::whole_number;
use crate::error::OrThrow;
use crate::options::{Checked, OptionKeys};
use crate::release::Catalog;

/// Credentials given as an object: `{username, password}` (Basic, or exchanged for a Bearer
/// token), `{token}` (a Bearer token) or `{dockerConfig}` (another `config.json`).
#[napi(object)]
pub struct RegistryCredentials {
    /// The user name (with `password`).
    pub username: Option<String>,
    /// The password or access token (with `username`).
    pub password: Option<String>,
    /// A registry (Bearer) token sent as it is.
    pub token: Option<String>,
    /// The path of a Docker `config.json` to read instead of the default one.
    pub docker_config: Option<String>,
}

/// How a `Registry` behaves; every field is optional.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct RegistryOptions<'a> {
    /// `'docker-config'` (the default: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`,
    /// with `auths`, `credHelpers` and `credsStore`), `null` (anonymous), or an object (see
    /// `RegistryCredentials`).
    #[napi(ts_type = "'docker-config' | RegistryCredentials | null")]
    pub credentials: Option<Option<Either<String, Object<'a>>>>,
    /// A folder that keeps digests and creation times between processes.
    pub cache_dir: Option<String>,
    /// Hosts (`host[:port]`) reached over plain http (loopback hosts always are).
    pub insecure: Option<Vec<String>>,
    /// Requests in flight at once (a whole number from 1 to 256; default 8).
    pub concurrency: Option<f64>,
    /// Seconds one request may take (default 30).
    pub timeout: Option<f64>,
    /// Tags asked for at every poll even when known (default `['latest']`).
    pub moving_tags: Option<Vec<String>>,
    /// Seconds after which a known tag is asked for again (default: never).
    pub max_age: Option<f64>,
    /// Retries of a `429`/`503` answer (a whole number, 0 or more; default 3).
    pub retries: Option<f64>,
}

impl OptionKeys for RegistryOptions<'_> {
    const KEYS: &'static [&'static str] = &[
        "credentials",
        "cacheDir",
        "insecure",
        "concurrency",
        "timeout",
        "movingTags",
        "maxAge",
        "retries",
    ];
}

/// One progress event of `Registry.catalog`: `event` is `'listed'` (with `tags` and
/// `toFetch`) or `'fetched'` (with `tag` and `found`).
#[napi(object)]
#[derive(Clone)]
pub struct RegistryProgress {
    /// `'listed'` or `'fetched'`.
    #[napi(ts_type = "'listed' | 'fetched'")]
    pub event: String,
    /// The repository as the caller named it.
    pub repository: String,
    /// `listed`: how many tags it has.
    pub tags: Option<u32>,
    /// `listed`: how many of them are fetched now.
    pub to_fetch: Option<u32>,
    /// `fetched`: the tag.
    pub tag: Option<String>,
    /// `fetched`: whether the registry still had it.
    pub found: Option<bool>,
}

/// The options of one `catalog` call.
#[napi(object, object_to_js = false)]
pub struct CatalogOptions<'a> {
    /// Called with each progress event, on the main thread (events may still arrive just
    /// after the Promise settles).
    pub progress: Option<Function<'a, RegistryProgress, ()>>,
}

impl OptionKeys for CatalogOptions<'_> {
    const KEYS: &'static [&'static str] = &["progress"];
}

/// Requests sent since the registry was made, by kind.
#[napi(object)]
pub struct RegistryRequests {
    /// Tag list pages.
    pub tag_lists: f64,
    /// Manifests.
    pub manifests: f64,
    /// Config blobs.
    pub blobs: f64,
    /// Token requests.
    pub tokens: f64,
    /// All requests.
    pub total: f64,
}

/// A client of container registries (the OCI Distribution / Docker Registry HTTP API v2,
/// read-only) that turns repositories into a `Catalog`: tags, digests and creation times,
/// with auth, paging, retries and a cache.
///
/// ```js
/// const registry = new Registry({ cacheDir: '.relman-cache' })
/// const catalog = await registry.catalog(snapshot.repositories())
/// ```
#[napi]
pub struct Registry {
    inner: Arc<core::Registry>,
}

/// The fields of `RegistryCredentials`, as JavaScript spells them.
const CREDENTIAL_FIELDS: [&str; 4] = ["username", "password", "token", "dockerConfig"];

/// The `credentials` option as core checks it: not given, `null`, a name or an object (whose
/// other keys are unknown fields).
fn credentials(given: Option<Option<Either<String, Object>>>) -> Result<core::CredentialsArgument> {
    Ok(match given {
        None => core::CredentialsArgument::Default,
        Some(None) => core::CredentialsArgument::Anonymous,
        Some(Some(Either::A(name))) => core::CredentialsArgument::Name(name),
        Some(Some(Either::B(object))) => {
            let text = |key: &str| object.get_named_property::<Option<String>>(key);
            let given = RegistryCredentials {
                username: text("username")?,
                password: text("password")?,
                token: text("token")?,
                docker_config: text("dockerConfig")?,
            };
            core::CredentialsArgument::Fields(core::CredentialFields {
                username: given.username,
                password: given.password,
                token: given.token,
                docker_config: given.docker_config.map(PathBuf::from),
                unknown: Object::keys(&object)?
                    .into_iter()
                    .filter(|key| !CREDENTIAL_FIELDS.contains(&key.as_str()))
                    .collect(),
            })
        }
    })
}

#[napi]
impl Registry {
    /// A registry client. Throws `invalid_argument` for an option it cannot use.
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        #[napi(ts_arg_type = "RegistryOptions | undefined | null")] options: Option<Checked<RegistryOptions>>,
    ) -> Result<Registry> {
        let o = options.map(|o| o.0).unwrap_or_default();
        let defaults = core::RegistryOptions::default();
        let retries = match o.retries {
            // The range is what a u32 holds: the conversion is exact.
            Some(n) => whole_number(env, n, core::RegistryOptions::RETRIES, "retries")? as u32,
            None => defaults.retries,
        };
        let mut options = core::RegistryOptions {
            cache_dir: o.cache_dir.map(PathBuf::from),
            insecure: o.insecure.unwrap_or_default(),
            moving_tags: o.moving_tags.unwrap_or(defaults.moving_tags),
            retries,
            ..defaults
        }
        .with_credentials(credentials(o.credentials)?, "credentials")
        .or_throw(env)?;
        if let Some(concurrency) = o.concurrency {
            let concurrency = whole_number(
                env,
                concurrency,
                core::RegistryOptions::CONCURRENCY,
                "concurrency",
            )?;
            options = options
                .with_concurrency(concurrency as usize, "concurrency")
                .or_throw(env)?;
        }
        if let Some(timeout) = o.timeout {
            options = options.with_timeout(timeout, "timeout").or_throw(env)?;
        }
        let options = options.with_max_age(o.max_age, "maxAge").or_throw(env)?;
        Ok(Registry {
            inner: Arc::new(core::Registry::new(options)),
        })
    }

    /// The `Catalog` of `repositories` (image names without tag, e.g. from
    /// `snapshot.repositories()`), each named as given; a Promise. The work runs off the event
    /// loop. Rejects with `registry_unauthorized`, `registry_not_found`, `registry_unavailable`,
    /// `registry_protocol` (naming the repository and URL) or `invalid_argument`.
    #[napi(ts_return_type = "Promise<Catalog>")]
    pub fn catalog(
        &self,
        repositories: Vec<String>,
        #[napi(ts_arg_type = "CatalogOptions | undefined | null")] options: Option<Checked<CatalogOptions>>,
    ) -> Result<AsyncTask<CatalogTask>> {
        let progress = match options.and_then(|o| o.0.progress) {
            Some(f) => Some(
                f.build_threadsafe_function::<RegistryProgress>()
                    .callee_handled::<false>()
                    .build()?,
            ),
            None => None,
        };
        Ok(AsyncTask::new(CatalogTask {
            registry: self.inner.clone(),
            repositories,
            progress,
        }))
    }

    /// Requests sent since the registry was made, by kind.
    #[napi]
    pub fn requests(&self) -> RegistryRequests {
        let c = self.inner.requests();
        RegistryRequests {
            tag_lists: c.tag_lists as f64,
            manifests: c.manifests as f64,
            blobs: c.blobs as f64,
            tokens: c.tokens as f64,
            total: c.total() as f64,
        }
    }
}

/// The progress function as the worker threads call it.
type Progress = ThreadsafeFunction<RegistryProgress, (), RegistryProgress, Status, false>;

/// One `catalog` call on the libuv pool.
pub struct CatalogTask {
    registry: Arc<core::Registry>,
    repositories: Vec<String>,
    progress: Option<Progress>,
}

fn event(p: &core::Progress<'_>) -> RegistryProgress {
    let mut e = RegistryProgress {
        event: String::new(),
        repository: String::new(),
        tags: None,
        to_fetch: None,
        tag: None,
        found: None,
    };
    match p {
        core::Progress::Listed {
            repository,
            tags,
            to_fetch,
        } => {
            e.event = "listed".into();
            e.repository = repository.to_string();
            e.tags = Some(*tags as u32);
            e.to_fetch = Some(*to_fetch as u32);
        }
        core::Progress::Fetched {
            repository,
            tag,
            found,
        } => {
            e.event = "fetched".into();
            e.repository = repository.to_string();
            e.tag = Some(tag.to_string());
            e.found = Some(*found);
        }
        _ => e.event = "other".into(),
    }
    e
}

impl Task for CatalogTask {
    type Output = relman::Result<relman::release::Catalog>;
    type JsValue = Catalog;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(match &self.progress {
            None => self.registry.catalog(&self.repositories),
            Some(f) => self
                .registry
                .catalog_with_progress(&self.repositories, &|p: &core::Progress<'_>| {
                    f.call(event(p), ThreadsafeFunctionCallMode::NonBlocking);
                }),
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map(Catalog::from_core).or_throw(&env)
    }
}
