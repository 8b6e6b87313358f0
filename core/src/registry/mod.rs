//! Ask container registries what they offer (feature `registry`, DESIGN.md section 17): the
//! tags of each repository, each tag's digest and its image's creation time, as a
//! [`Catalog`] to plan releases with.
//!
//! ```no_run
//! use relman::registry::{Registry, RegistryOptions};
//! use relman::release::Snapshot;
//!
//! let snapshot = Snapshot::from_dir("config-repo")?;
//! let registry = Registry::new(RegistryOptions {
//!     cache_dir: Some("/var/cache/relman".into()),
//!     ..RegistryOptions::default()
//! });
//! let catalog = registry.catalog(&snapshot.repositories()?)?;
//! let plans = relman::release::plan_automation(&snapshot, &catalog, &Default::default(), jiff::Timestamp::now())?;
//! # Ok::<(), relman::Error>(())
//! ```
//!
//! What it does, for each repository of a call (the repositories in parallel, at most
//! [`RegistryOptions::concurrency`] requests at once):
//!
//! 1. lists the tags (`GET /v2/<name>/tags/list?n=1000`, following `Link: <...>; rel="next"`);
//! 2. for each tag it does not know yet (or marked moving, or older than the maximum age):
//!    `GET /v2/<name>/manifests/<tag>`, whose bytes give the digest (checked against
//!    `Docker-Content-Digest`) and the config to read `created` from: an image manifest names
//!    it; an index (OCI image index, Docker manifest list) is dated by its first platform: the
//!    first entry whose platform is not `unknown/unknown` (build attestations carry that), whose
//!    manifest is fetched for its config; then the config blob, unless the digest's creation
//!    time is known already. A tag deleted between the list and the fetch (`404`) is left out.
//!
//! A digest's creation time never changes, so it is fetched once ever (the cache, in memory
//! and in [`RegistryOptions::cache_dir`]). A warm poll costs one tag-list request per
//! repository (per page of 1,000 tags) plus one manifest request per new tag and per moving
//! tag ([`RegistryOptions::moving_tags`], [`RegistryOptions::max_age`]).
//!
//! Politeness: `429` and `503` (and `502`, `504`) are retried after `Retry-After` (seconds or
//! an HTTP date, at most [`RegistryOptions::max_wait`]) or an exponential backoff, at most
//! [`RegistryOptions::retries`] times; every request ends within [`RegistryOptions::timeout`];
//! every response is read up to a size bound (tag list pages 4 MiB, manifests 4 MiB, configs
//! 8 MiB, tokens 1 MiB), past which it is `registry_protocol`.
//!
//! Transport: `https://` by default; plain `http://` for hosts listed in
//! [`RegistryOptions::insecure`] and loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`).
//! Docker Hub (`docker.io`) is reached at `registry-1.docker.io`.
//!
//! Auth: nothing is sent until a registry answers `401`; then its `WWW-Authenticate`
//! challenge is answered: `Basic` with the user and password, `Bearer` by asking the
//! challenge's `realm` for a token with the `service` and the repository's `pull` scope (with
//! the user and password as Basic auth, or an identity token as an OAuth2 refresh token),
//! cached per scope until it expires. See [`Credentials`].
//!
//! Errors name the repository and the URL: `registry_unauthorized` (401/403, a token service
//! that refuses, unreadable credentials), `registry_not_found` (a repository the registry does
//! not have), `registry_unavailable` (a timeout, a connection that fails, 429/5xx after the
//! retries), `registry_protocol` (an answer that breaks the API: a malformed manifest, a digest
//! that does not match, a response past its size bound). A call returns a whole catalog or
//! the first error (in the order of the repositories), never part of one.
//!
//! The parsers of the registry's answers are pure functions ([`parse_tag_list`],
//! [`next_link`], [`parse_manifest`], [`parse_config_created`], [`parse_challenges`]), fuzzed
//! by the targets of `fuzz/`.

mod cache;
mod challenge;
mod credentials;
mod manifest;
mod options;
mod tag_list;
#[cfg(test)]
mod tests;
mod transport;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

pub use challenge::{Challenge, Scheme, parse_challenges};
pub use credentials::Credentials;
pub use manifest::{
    ACCEPT_MANIFESTS, DOCKER_LIST, DOCKER_MANIFEST, Manifest, OCI_INDEX, OCI_MANIFEST, is_valid_digest,
    parse_config_created, parse_manifest,
};
pub use options::{CredentialFields, CredentialsArgument};
pub use tag_list::{TagList, is_valid_tag, next_link, parse_tag_list};

use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::release::{Catalog, ImageInfo};
use cache::{CachedTag, RepoCache};
use credentials::Secret;
use transport::{Failure, Request, Response, Transport};

/// Tags asked for per page of a tag list.
const PAGE: usize = 1000;
/// The largest tag list page read.
const MAX_TAG_PAGE: usize = 4 * 1024 * 1024;
/// The most pages of one tag list followed.
const MAX_PAGES: usize = 1000;
/// The most tags one repository may list.
const MAX_TAGS: usize = 100_000;
/// The largest manifest read (distribution refuses larger ones too).
const MAX_MANIFEST: usize = 4 * 1024 * 1024;
/// Per digest of one repository, the lock held while its creation time is asked.
type InFlight = Mutex<HashMap<String, Arc<Mutex<()>>>>;

/// The largest image config read.
const MAX_CONFIG: usize = 8 * 1024 * 1024;
/// The largest token response read.
const MAX_TOKEN: usize = 1024 * 1024;

/// How a [`Registry`] behaves. `RegistryOptions::default()` is what the bindings default to;
/// the `with_` methods (`with_credentials`, `with_concurrency`, `with_timeout`,
/// `with_max_age`) check options given as plain values, as the bindings and the command
/// receive them.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Who to be at the registries (default: the Docker config, see [`Credentials`]).
    pub credentials: Credentials,
    /// A folder for the cache, kept between processes (default: none, the cache lives as long
    /// as the [`Registry`]).
    pub cache_dir: Option<PathBuf>,
    /// Registry hosts (`host` or `host:port`, as image references name them) reached over
    /// plain `http://`; loopback hosts always are.
    pub insecure: Vec<String>,
    /// The most requests in flight at once (default 8; at least 1).
    pub concurrency: usize,
    /// The longest one request may take, connection to last byte (default 30 s).
    pub timeout: Duration,
    /// Tags asked for at every poll even when known (default: `latest`): tags that move.
    pub moving_tags: Vec<String>,
    /// Ask again for a known tag last checked longer ago than this (default: never; tags
    /// other than the moving ones are taken as immutable).
    pub max_age: Option<Duration>,
    /// How many times a `429`/`502`/`503`/`504` answer is retried (default 3).
    pub retries: u32,
    /// The longest wait before a retry, whatever `Retry-After` asks (default 60 s).
    pub max_wait: Duration,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            credentials: Credentials::default(),
            cache_dir: None,
            insecure: Vec::new(),
            concurrency: Self::DEFAULT_CONCURRENCY,
            timeout: Self::DEFAULT_TIMEOUT,
            moving_tags: Self::DEFAULT_MOVING_TAGS.iter().map(|t| t.to_string()).collect(),
            max_age: None,
            retries: Self::DEFAULT_RETRIES,
            max_wait: Self::DEFAULT_MAX_WAIT,
        }
    }
}

/// What a catalog call reports while it works, for progress bars (see
/// [`Registry::catalog_with_progress`]). Events come from the worker threads, in no fixed
/// order across repositories.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// The tags of a repository are listed: `tags` in all, `to_fetch` of them need a manifest
    /// request (the others are known).
    Listed {
        /// The repository as the caller named it.
        repository: &'a str,
        /// How many tags it has.
        tags: usize,
        /// How many of them are fetched now.
        to_fetch: usize,
    },
    /// One tag is fetched; `found` is false when the tag was gone (deleted after the list).
    Fetched {
        /// The repository as the caller named it.
        repository: &'a str,
        /// The tag.
        tag: &'a str,
        /// Whether the registry still had it.
        found: bool,
    },
}

/// Requests sent by a [`Registry`] since it was made, by kind: every request counts, retries
/// and answers to auth challenges included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    /// Tag list pages.
    pub tag_lists: u64,
    /// Manifests (tags, and the child manifests of indexes).
    pub manifests: u64,
    /// Config blobs.
    pub blobs: u64,
    /// Token requests.
    pub tokens: u64,
}

impl RequestCounts {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.tag_lists + self.manifests + self.blobs + self.tokens
    }
}

#[derive(Clone, Copy)]
enum Kind {
    TagList = 0,
    Manifest = 1,
    Blob = 2,
    Token = 3,
}

/// A client of the OCI Distribution / Docker Registry HTTP API v2 (read-only) that turns
/// repositories into a [`Catalog`]. Share one per process: it keeps the connection pool, the
/// tokens and the cache. `Send + Sync`.
pub struct Registry {
    options: RegistryOptions,
    transport: Box<dyn Transport>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    memory: Mutex<HashMap<String, RepoCache>>,
    counts: [AtomicU64; 4],
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("options", &self.options)
            .field("requests", &self.requests())
            .finish()
    }
}

/// One registry host as a call reaches it.
struct Host {
    /// As image references name it (`docker.io`, `127.0.0.1:5000`).
    name: String,
    /// `https://registry-1.docker.io`.
    base: String,
    secret: Secret,
    auth: Mutex<HostAuth>,
}

#[derive(Default)]
struct HostAuth {
    /// The host asked for Basic auth.
    basic: bool,
    /// The host asked for Bearer tokens: realm and service.
    bearer: Option<(String, Option<String>)>,
    /// Tokens by scope, with when they stop being used.
    tokens: HashMap<String, (String, Instant)>,
}

/// One repository of a call.
struct Target {
    /// As the caller named it.
    given: String,
    /// Normalised (`docker.io/library/nginx`): the cache key.
    name: String,
    /// The path at the host (`library/nginx`).
    path: String,
    host: Arc<Host>,
}

impl Target {
    fn scope(&self) -> String {
        format!("repository:{}:pull", self.path)
    }
}

/// What one tag is.
#[derive(Clone)]
struct Found {
    digest: String,
    created: Option<String>,
}

impl Registry {
    /// A registry client with `options`.
    pub fn new(options: RegistryOptions) -> Registry {
        let agent = format!("relman/{}", env!("CARGO_PKG_VERSION"));
        let transport = transport::Http::new(options.timeout, &agent);
        Registry::with_transport(options, Box::new(transport))
    }

    fn with_transport(mut options: RegistryOptions, transport: Box<dyn Transport>) -> Registry {
        options.concurrency = options.concurrency.max(1);
        Registry {
            options,
            transport,
            hosts: Mutex::new(HashMap::new()),
            memory: Mutex::new(HashMap::new()),
            counts: Default::default(),
        }
    }

    /// The options it was made with.
    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    /// Requests sent so far, by kind.
    pub fn requests(&self) -> RequestCounts {
        let c = |k: Kind| self.counts[k as usize].load(Ordering::Relaxed);
        RequestCounts {
            tag_lists: c(Kind::TagList),
            manifests: c(Kind::Manifest),
            blobs: c(Kind::Blob),
            tokens: c(Kind::Token),
        }
    }

    /// The catalog of `repositories` (image names without tag or digest, as manifests write
    /// them: `ghcr.io/acme/users`, `nginx`). The catalog names each repository as given.
    ///
    /// Errors: `invalid_argument` for a name that is not a repository; the registry errors of
    /// the module docs.
    pub fn catalog<S: AsRef<str>>(&self, repositories: &[S]) -> Result<Catalog> {
        self.catalog_with_progress(repositories, &|_: &Progress<'_>| {})
    }

    /// [`Registry::catalog`], reporting [`Progress`] to `progress` as it goes (from worker
    /// threads).
    pub fn catalog_with_progress<S: AsRef<str>>(
        &self,
        repositories: &[S],
        progress: &(dyn Fn(&Progress<'_>) + Sync),
    ) -> Result<Catalog> {
        let targets = self.targets(repositories)?;
        let stop = AtomicBool::new(false);
        let lists = pool(&targets, self.options.concurrency, &stop, |t| self.list_tags(t))?;

        // What is known, and what to ask for.
        let now = jiff::Timestamp::now().as_second();
        let caches: Vec<RepoCache> = targets.iter().map(|t| self.load_cache(t)).collect();
        let mut jobs: Vec<(usize, &str)> = Vec::new();
        for (i, tags) in lists.iter().enumerate() {
            let before = jobs.len();
            for tag in tags {
                if !self.known(&caches[i], tag, now) {
                    jobs.push((i, tag));
                }
            }
            progress(&Progress::Listed {
                repository: &targets[i].given,
                tags: tags.len(),
                to_fetch: jobs.len() - before,
            });
        }
        let created: Vec<Mutex<HashMap<String, Option<String>>>> =
            caches.iter().map(|c| Mutex::new(c.created.clone())).collect();
        let in_flight: Vec<InFlight> = caches.iter().map(|_| InFlight::default()).collect();
        let fetched = pool(&jobs, self.options.concurrency, &stop, |&(i, tag)| {
            let found = self.fetch_tag(&targets[i], tag, &created[i], &in_flight[i])?;
            progress(&Progress::Fetched {
                repository: &targets[i].given,
                tag,
                found: found.is_some(),
            });
            Ok(found)
        });
        // Keep what was learnt even when a tag failed: the next poll resumes from there.
        let mut results: Vec<HashMap<&str, Option<Found>>> = vec![HashMap::new(); targets.len()];
        let fetched_ok = match fetched {
            Ok(list) => {
                for (&(i, tag), found) in jobs.iter().zip(list) {
                    results[i].insert(tag, found);
                }
                None
            }
            Err(e) => Some(e),
        };
        let mut catalog = Catalog::new();
        for (i, target) in targets.iter().enumerate() {
            let created = created[i].lock().unwrap_or_else(|p| p.into_inner());
            let mut next = RepoCache::default();
            for tag in &lists[i] {
                let (found, checked) = match results[i].get(tag.as_str()) {
                    Some(None) => continue, // deleted after the list
                    Some(Some(found)) => (found.clone(), now),
                    None => match caches[i].tags.get(tag) {
                        Some(c) if created.contains_key(&c.digest) => (
                            Found {
                                digest: c.digest.clone(),
                                created: created[&c.digest].clone(),
                            },
                            c.checked,
                        ),
                        _ => continue, // not fetched: the call failed before it
                    },
                };
                next.created.insert(found.digest.clone(), found.created.clone());
                next.tags.insert(
                    tag.clone(),
                    CachedTag {
                        digest: found.digest.clone(),
                        checked,
                    },
                );
                if fetched_ok.is_none() {
                    let mut info = ImageInfo::new(tag.clone()).with_digest(found.digest.clone());
                    if let Some(time) = found
                        .created
                        .as_deref()
                        .and_then(|c| crate::policy::parse_time(c).ok())
                    {
                        info = info.with_created(time);
                    }
                    catalog.add(&target.given, info).map_err(|e| {
                        Error::new(
                            ErrorKind::RegistryProtocol,
                            format!(
                                "{}: tag `{tag}` does not enter the catalog: {}",
                                target.given,
                                e.message()
                            ),
                        )
                    })?;
                }
            }
            drop(created);
            self.store_cache(target, next);
        }
        match fetched_ok {
            Some(e) => Err(e),
            None => Ok(catalog),
        }
    }

    /// Whether a tag's digest and creation time are known and need not be asked for again.
    fn known(&self, cache: &RepoCache, tag: &str, now: i64) -> bool {
        let Some(c) = cache.tags.get(tag) else {
            return false;
        };
        if self.options.moving_tags.iter().any(|m| m == tag) || !cache.created.contains_key(&c.digest) {
            return false;
        }
        match self.options.max_age {
            Some(age) => now.saturating_sub(c.checked) < i64::try_from(age.as_secs()).unwrap_or(i64::MAX),
            None => true,
        }
    }

    fn load_cache(&self, target: &Target) -> RepoCache {
        if let Some(c) = self.lock_memory().get(&target.name) {
            return c.clone();
        }
        self.options
            .cache_dir
            .as_ref()
            .and_then(|dir| cache::load(&cache::file_of(dir, &target.host.name, &target.path)))
            .unwrap_or_default()
    }

    fn store_cache(&self, target: &Target, next: RepoCache) {
        if let Some(dir) = &self.options.cache_dir {
            cache::save(&cache::file_of(dir, &target.host.name, &target.path), &next);
        }
        self.lock_memory().insert(target.name.clone(), next);
    }

    fn lock_memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, RepoCache>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The repositories of a call, each once, with their hosts.
    fn targets<S: AsRef<str>>(&self, repositories: &[S]) -> Result<Vec<Target>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for given in repositories {
            let given = given.as_ref();
            let reference = ImageRef::parse(given).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("`{given}` is not a repository: {}", e.message()),
                )
            })?;
            if reference.tag().is_some() || reference.digest().is_some() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("`{given}` is not a repository: it carries a tag or digest"),
                ));
            }
            let name = reference.name();
            if !seen.insert(name.clone()) {
                continue;
            }
            let (host, path) = name.split_once('/').unwrap_or(("docker.io", name.as_str()));
            out.push(Target {
                given: given.to_string(),
                path: path.to_string(),
                host: self.host(host)?,
                name,
            });
        }
        Ok(out)
    }

    fn host(&self, name: &str) -> Result<Arc<Host>> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(h) = hosts.get(name) {
            return Ok(h.clone());
        }
        let api = if name == "docker.io" {
            "registry-1.docker.io"
        } else {
            name
        };
        let scheme = if self.plain_http(name) { "http" } else { "https" };
        let host = Arc::new(Host {
            name: name.to_string(),
            base: format!("{scheme}://{api}"),
            secret: self.options.credentials.secret_for(name)?,
            auth: Mutex::new(HostAuth::default()),
        });
        hosts.insert(name.to_string(), host.clone());
        Ok(host)
    }

    /// Whether `host` (`name[:port]`) is reached over plain http: listed as insecure, or loopback.
    fn plain_http(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if self
            .options
            .insecure
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&host))
        {
            return true;
        }
        is_loopback(&host)
    }

    /// Every tag of a repository, in the registry's order, each once; tags outside the
    /// distribution grammar are left out.
    fn list_tags(&self, target: &Target) -> Result<Vec<String>> {
        let mut url = format!("{}/v2/{}/tags/list?n={PAGE}", target.host.base, target.path);
        let mut tags = Vec::new();
        let mut seen = HashSet::new();
        for _ in 0..MAX_PAGES {
            let response = self.get(target, Kind::TagList, &url, None, MAX_TAG_PAGE)?;
            if response.status != 200 {
                // 404: `registry_not_found`, the repository does not exist.
                return Err(status_error(&response, &url, &target.given));
            }
            let page = parse_tag_list(&response.body).map_err(|m| protocol(&target.given, &url, &m))?;
            for tag in page.tags {
                if is_valid_tag(&tag) && seen.insert(tag.clone()) {
                    tags.push(tag);
                }
            }
            if tags.len() > MAX_TAGS {
                return Err(protocol(
                    &target.given,
                    &url,
                    &format!("more than {MAX_TAGS} tags"),
                ));
            }
            match next_link(&response.headers_named("link")) {
                None => return Ok(tags),
                Some(link) => url = self.follow(target, &url, &link)?,
            }
        }
        Err(protocol(
            &target.given,
            &url,
            &format!("more than {MAX_PAGES} pages of tags"),
        ))
    }

    /// The absolute URL of a `Link` target: a path on the same host, or a URL of the same
    /// origin (credentials are never sent elsewhere).
    fn follow(&self, target: &Target, from: &str, link: &str) -> Result<String> {
        let url = if let Some(rest) = link.strip_prefix("//") {
            // A network-path reference: the scheme of the page it came from.
            let scheme = target.host.base.split("://").next().unwrap_or("https");
            format!("{scheme}://{rest}")
        } else if link.starts_with('/') {
            format!("{}{link}", target.host.base)
        } else {
            link.to_string()
        };
        let origin = format!("{}/", target.host.base);
        if !url.starts_with(&origin) || url.contains(['\r', '\n', ' ', '#']) {
            return Err(protocol(
                &target.given,
                from,
                &format!("the next page link `{link}` leaves {}", target.host.base),
            ));
        }
        Ok(url)
    }

    /// One tag: its digest and creation time; `None` when the registry no longer has it.
    fn fetch_tag(
        &self,
        target: &Target,
        tag: &str,
        created: &Mutex<HashMap<String, Option<String>>>,
        in_flight: &InFlight,
    ) -> Result<Option<Found>> {
        let url = format!("{}/v2/{}/manifests/{tag}", target.host.base, target.path);
        let response = self.get(target, Kind::Manifest, &url, Some(ACCEPT_MANIFESTS), MAX_MANIFEST)?;
        if response.status == 404 {
            return Ok(None);
        }
        if response.status != 200 {
            return Err(status_error(&response, &url, &target.given));
        }
        let digest = checked_digest(&response, None).map_err(|m| protocol(&target.given, &url, &m))?;
        // Tags of one digest fetched at the same time ask for its config once: the first holds
        // the digest's lock while it asks, the others wait and find the answer known.
        let lock = Arc::clone(
            in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(digest.clone())
                .or_default(),
        );
        let _asking = lock.lock().unwrap_or_else(|p| p.into_inner());
        let known = created
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&digest)
            .cloned();
        let time = match known {
            Some(time) => time,
            None => {
                let time = self.created_of(target, &url, &response)?;
                created
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(digest.clone(), time.clone());
                time
            }
        };
        Ok(Some(Found {
            digest,
            created: time,
        }))
    }

    /// The creation time of the image a manifest response describes.
    fn created_of(&self, target: &Target, url: &str, response: &Response) -> Result<Option<String>> {
        let content_type = response.header("content-type").unwrap_or_default();
        let config = match parse_manifest(&response.body, content_type)
            .map_err(|m| protocol(&target.given, url, &m))?
        {
            Manifest::Image { config } => config,
            Manifest::Index { child: None } => return Ok(None),
            Manifest::Index { child: Some(child) } => {
                let child_url = format!("{}/v2/{}/manifests/{child}", target.host.base, target.path);
                let r = self.get(
                    target,
                    Kind::Manifest,
                    &child_url,
                    Some(ACCEPT_MANIFESTS),
                    MAX_MANIFEST,
                )?;
                if r.status != 200 {
                    return Err(status_error(&r, &child_url, &target.given));
                }
                checked_digest(&r, Some(&child)).map_err(|m| protocol(&target.given, &child_url, &m))?;
                let ct = r.header("content-type").unwrap_or_default();
                match parse_manifest(&r.body, ct).map_err(|m| protocol(&target.given, &child_url, &m))? {
                    Manifest::Image { config } => config,
                    Manifest::Index { .. } => {
                        return Err(protocol(&target.given, &child_url, "an index inside an index"));
                    }
                }
            }
        };
        let blob_url = format!("{}/v2/{}/blobs/{config}", target.host.base, target.path);
        let r = self.get(target, Kind::Blob, &blob_url, None, MAX_CONFIG)?;
        if r.status != 200 {
            return Err(status_error(&r, &blob_url, &target.given));
        }
        if let Some(hex) = config.strip_prefix("sha256:") {
            if sha256_hex(&r.body) != hex {
                return Err(protocol(
                    &target.given,
                    &blob_url,
                    "the config blob does not match its digest",
                ));
            }
        }
        parse_config_created(&r.body).map_err(|m| protocol(&target.given, &blob_url, &m))
    }

    /// GET with auth: answers one `401` challenge, then returns whatever comes (a second
    /// `401`, or a `403`, is `registry_unauthorized`).
    fn get(
        &self,
        target: &Target,
        kind: Kind,
        url: &str,
        accept: Option<&'static str>,
        limit: usize,
    ) -> Result<Response> {
        let scope = target.scope();
        let mut challenged = false;
        loop {
            let request = Request {
                method: "GET",
                url: url.to_string(),
                accept,
                authorization: self.authorization(target, &scope)?,
                form: None,
            };
            let response = self.send(&request, kind, limit, &target.given)?;
            match response.status {
                401 if !challenged => {
                    challenged = true;
                    self.answer(target, &scope, url, &response)?;
                }
                401 | 403 => return Err(status_error(&response, url, &target.given)),
                _ => return Ok(response),
            }
        }
    }

    /// Send with retries of `429`/`502`/`503`/`504`; a transport failure is an error at once.
    fn send(&self, request: &Request, kind: Kind, limit: usize, repository: &str) -> Result<Response> {
        let mut attempt = 0;
        loop {
            self.counts[kind as usize].fetch_add(1, Ordering::Relaxed);
            let response = self
                .transport
                .send(request, limit)
                .map_err(|f| self.failure(f, request, repository, limit))?;
            if !matches!(response.status, 429 | 502 | 503 | 504) || attempt >= self.options.retries {
                return Ok(response);
            }
            attempt += 1;
            let asked = response
                .header("retry-after")
                .and_then(|v| transport::parse_retry_after(v, jiff::Timestamp::now().as_second()));
            let wait = asked
                .unwrap_or_else(|| backoff(attempt))
                .min(self.options.max_wait);
            std::thread::sleep(wait);
        }
    }

    fn failure(&self, failure: Failure, request: &Request, repository: &str, limit: usize) -> Error {
        let url = redact(&request.url);
        match failure {
            Failure::Timeout => Error::new(
                ErrorKind::RegistryUnavailable,
                format!(
                    "{repository}: {} {url}: no answer within {} s",
                    request.method,
                    self.options.timeout.as_secs_f64()
                ),
            ),
            Failure::TooLarge => Error::new(
                ErrorKind::RegistryProtocol,
                format!(
                    "{repository}: {} {url}: the answer is larger than {limit} bytes",
                    request.method
                ),
            ),
            Failure::Other(why) => Error::new(
                ErrorKind::RegistryUnavailable,
                format!("{repository}: {} {url}: {why}", request.method),
            ),
        }
    }

    /// The `Authorization` header for a request of `scope`, fetching a token when the host
    /// is known to want one.
    fn authorization(&self, target: &Target, scope: &str) -> Result<Option<String>> {
        let host = &target.host;
        if let Secret::Bearer(token) = &host.secret {
            return Ok(Some(format!("Bearer {token}")));
        }
        let bearer = {
            let auth = host.auth.lock().unwrap_or_else(|p| p.into_inner());
            if auth.basic {
                return Ok(basic(&host.secret));
            }
            if let Some((token, until)) = auth.tokens.get(scope) {
                if Instant::now() < *until {
                    return Ok(Some(format!("Bearer {token}")));
                }
            }
            auth.bearer.clone()
        };
        match bearer {
            Some((realm, service)) => {
                let token = self.token(target, &realm, service.as_deref(), scope)?;
                Ok(Some(format!("Bearer {token}")))
            }
            None => Ok(None),
        }
    }

    /// Answer a `401`: remember what the host asks for, fetch a token when it asks for one.
    fn answer(&self, target: &Target, scope: &str, url: &str, response: &Response) -> Result<()> {
        let host = &target.host;
        let challenges: Vec<Challenge> = response
            .headers_named("www-authenticate")
            .into_iter()
            .flat_map(parse_challenges)
            .collect();
        let unauthorized = |why: &str| {
            Error::new(
                ErrorKind::RegistryUnauthorized,
                format!("{}: GET {}: HTTP 401: {why}", target.given, redact(url)),
            )
        };
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == Scheme::Bearer) {
            if matches!(host.secret, Secret::Bearer(_)) {
                return Err(unauthorized("the registry refused the token"));
            }
            let realm = bearer
                .param("realm")
                .ok_or_else(|| protocol(&target.given, url, "the Bearer challenge names no realm"))?;
            let service = bearer.param("service").map(str::to_string);
            self.check_realm(target, url, realm)?;
            host.auth.lock().unwrap_or_else(|p| p.into_inner()).bearer =
                Some((realm.to_string(), service.clone()));
            self.token(target, realm, service.as_deref(), scope)?;
            return Ok(());
        }
        if challenges.iter().any(|c| c.scheme == Scheme::Basic) {
            if !matches!(host.secret, Secret::Basic(..)) {
                return Err(unauthorized(
                    "the registry asks for a user and password (Basic auth) and none is configured",
                ));
            }
            host.auth.lock().unwrap_or_else(|p| p.into_inner()).basic = true;
            return Ok(());
        }
        Err(unauthorized("no Basic or Bearer challenge to answer"))
    }

    /// A token realm must be https, or http on a host that may be reached so.
    fn check_realm(&self, target: &Target, url: &str, realm: &str) -> Result<()> {
        let (scheme, rest) = realm.split_once("://").unwrap_or(("", realm));
        let host = rest.split(['/', '?']).next().unwrap_or_default();
        let ok = match scheme.to_ascii_lowercase().as_str() {
            "https" => !host.is_empty(),
            "http" => !host.is_empty() && self.plain_http(host),
            _ => false,
        };
        if ok && !realm.contains(['\r', '\n', ' ', '#']) {
            Ok(())
        } else {
            Err(protocol(
                &target.given,
                url,
                &format!(
                    "the token realm `{realm}` is not an https URL (nor http on an insecure or loopback host)"
                ),
            ))
        }
    }

    /// A token for `scope` from `realm`, cached until it expires.
    fn token(&self, target: &Target, realm: &str, service: Option<&str>, scope: &str) -> Result<String> {
        let host = &target.host;
        let mut query = Vec::new();
        if let Some(service) = service {
            query.push(format!("service={}", transport::encode_query(service)));
        }
        query.push(format!("scope={}", transport::encode_query(scope)));
        let request = match &host.secret {
            Secret::Identity(refresh) => Request {
                method: "POST",
                url: realm.to_string(),
                accept: None,
                authorization: None,
                form: Some(format!(
                    "grant_type=refresh_token&client_id=relman&refresh_token={}&{}",
                    transport::encode_query(refresh),
                    query.join("&")
                )),
            },
            secret => Request {
                method: "GET",
                url: format!(
                    "{realm}{}{}",
                    if realm.contains('?') { '&' } else { '?' },
                    query.join("&")
                ),
                accept: None,
                authorization: basic(secret),
                form: None,
            },
        };
        let response = self.send(&request, Kind::Token, MAX_TOKEN, &target.given)?;
        if matches!(response.status, 401 | 403) {
            return Err(Error::new(
                ErrorKind::RegistryUnauthorized,
                format!(
                    "{}: {} {}: HTTP {}: the token service refused the credentials",
                    target.given,
                    request.method,
                    redact(&request.url),
                    response.status
                ),
            ));
        }
        if response.status != 200 {
            return Err(status_error(&response, &request.url, &target.given));
        }
        let (token, lifetime) =
            parse_token(&response.body).map_err(|m| protocol(&target.given, &request.url, &m))?;
        // Used until 10 s before it expires (tokens live 60 s unless the service says).
        let until = Instant::now() + Duration::from_secs(lifetime.saturating_sub(10).max(1));
        host.auth
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .insert(scope.to_string(), (token.clone(), until));
        Ok(token)
    }
}

/// The token of a token service's answer (`token`, else `access_token`) and its lifetime in
/// seconds (`expires_in`, default 60). Pure.
pub(crate) fn parse_token(body: &[u8]) -> std::result::Result<(String, u64), String> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        access_token: Option<String>,
        #[serde(default)]
        expires_in: Option<u64>,
    }
    let wire: Wire =
        json_object(body).map_err(|e| format!("the token answer is not the JSON expected: {e}"))?;
    let token = wire
        .token
        .filter(|t| !t.is_empty())
        .or(wire.access_token.filter(|t| !t.is_empty()))
        .ok_or("the token answer holds no token")?;
    if token.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("the token holds spaces or control characters".to_string());
    }
    Ok((token, wire.expires_in.unwrap_or(60)))
}

/// Deserialize a JSON object (serde would take an array for a struct too).
pub(crate) fn json_object<T: serde::de::DeserializeOwned>(body: &[u8]) -> std::result::Result<T, String> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => serde_json::from_slice(body).map_err(|e| e.to_string()),
        _ => Err("not a JSON object".to_string()),
    }
}

fn basic(secret: &Secret) -> Option<String> {
    use base64::Engine as _;
    match secret {
        Secret::Basic(user, password) => Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )),
        _ => None,
    }
}

/// Whether a `host[:port]` is a loopback host.
fn is_loopback(host: &str) -> bool {
    let bare = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    bare == "localhost" || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The wait before retry `attempt` (1-based) when the registry says nothing: 0.5 s, 1 s, 2 s...
/// with up to a quarter more at random, so that clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1 << attempt.saturating_sub(1).min(10));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    base + base.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The digest of a manifest response: `sha256` of its bytes, which must agree with
/// `Docker-Content-Digest` when the registry sends a `sha256` one (and with `expected`, for a
/// manifest fetched by digest). A digest of another algorithm is taken from the header.
fn checked_digest(response: &Response, expected: Option<&str>) -> std::result::Result<String, String> {
    let computed = format!("sha256:{}", sha256_hex(&response.body));
    let header = response.header("docker-content-digest").map(str::trim);
    let digest = match header {
        Some(h) if h.starts_with("sha256:") => {
            if h != computed {
                return Err(format!(
                    "the manifest's bytes do not match its Docker-Content-Digest {h}"
                ));
            }
            computed
        }
        Some(h) if is_valid_digest(h) => h.to_string(),
        Some(h) => return Err(format!("invalid Docker-Content-Digest `{h}`")),
        None => computed,
    };
    match expected {
        Some(e) if e.starts_with("sha256:") && e != digest => Err(format!(
            "the manifest fetched by digest {e} has the digest {digest}"
        )),
        _ => Ok(digest),
    }
}

fn protocol(repository: &str, url: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::RegistryProtocol,
        format!("{repository}: GET {}: {why}", redact(url)),
    )
}

/// The error for an unexpected status, with the registry's own error code and message when
/// its body holds them (`{"errors":[{"code":"NAME_UNKNOWN","message":"..."}]}`).
fn status_error(response: &Response, url: &str, repository: &str) -> Error {
    let kind = match response.status {
        401 | 403 => ErrorKind::RegistryUnauthorized,
        404 => ErrorKind::RegistryNotFound,
        429 | 500..=599 => ErrorKind::RegistryUnavailable,
        _ => ErrorKind::RegistryProtocol,
    };
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let detail = serde_json::from_slice::<Errors>(&response.body)
        .ok()
        .and_then(|e| e.errors.into_iter().next())
        .map(|e| {
            let text: String = format!("{} {}", e.code, e.message)
                .chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect();
            format!(" ({})", text.trim())
        })
        .unwrap_or_default();
    let what = match response.status {
        404 => " (no such repository or tag)",
        _ => "",
    };
    Error::new(
        kind,
        format!(
            "{repository}: GET {}: HTTP {}{}{}",
            redact(url),
            response.status,
            if detail.is_empty() { what } else { "" },
            detail
        ),
    )
}

/// A URL fit for a message: its query dropped past 200 characters, control characters out.
fn redact(url: &str) -> String {
    url.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// Run `f` on every item with `threads` workers taking the next item from a shared counter;
/// results in the items' order. The first error (by item order, among the items that ran)
/// stops the workers from taking more and is returned.
fn pool<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    stop: &AtomicBool,
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let result = f(item);
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            done.push((i, result));
        }
        done
    };
    let threads = threads.min(items.len()).max(1);
    let mut done: Vec<(usize, Result<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for h in handles {
            done.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    if let Some(pos) = done.iter().position(|(_, r)| r.is_err()) {
        let (_, err) = done.swap_remove(pos);
        return Err(err
            .err()
            .unwrap_or_else(|| Error::new(ErrorKind::Internal, "pool")));
    }
    if done.len() != items.len() {
        return Err(Error::new(ErrorKind::Internal, "a registry worker stopped early"));
    }
    Ok(done.into_iter().filter_map(|(_, r)| r.ok()).collect())
}
