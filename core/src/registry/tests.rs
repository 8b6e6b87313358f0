//! The registry client against a scripted fake registry (a [`Transport`] that answers from
//! memory), and one real socket that never answers (the timeout). The end-to-end tests against
//! a real registry are in `examples/e2e/test_registry.py` and `registry.test.mjs`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::*;

const REPO: &str = "registry.test/acme/users";

/// An in-memory registry: manifests by repository and reference (tag or digest), blobs by
/// digest; optional auth and scripted failures.
#[derive(Default)]
struct Fake {
    tags: HashMap<String, Vec<String>>,
    manifests: HashMap<(String, String), (String, Vec<u8>)>,
    blobs: HashMap<String, Vec<u8>>,
    /// Page size of tag lists (0: one page).
    page: usize,
    /// `Basic` or `Bearer`: the auth the registry asks for; `None`: open.
    auth: Option<&'static str>,
    /// The accepted `user:password`.
    user: (&'static str, &'static str),
    /// Statuses to answer first to any registry request, one each (429, 503...).
    script: Mutex<Vec<(u16, Option<&'static str>)>>,
    /// Every request, as `METHOD URL`.
    log: Mutex<Vec<String>>,
}

fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

impl Fake {
    fn config(&mut self, created: &str) -> String {
        let body = format!(r#"{{"created":"{created}","architecture":"amd64","os":"linux"}}"#).into_bytes();
        let d = digest_of(&body);
        self.blobs.insert(d.clone(), body);
        d
    }

    /// Push a single-platform image; returns its digest.
    fn image(&mut self, repo: &str, tag: &str, created: &str, media_type: &str) -> String {
        let config = self.config(created);
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{media_type}","config":{{"mediaType":"x","size":1,"digest":"{config}"}},"layers":[]}}"#
        )
        .into_bytes();
        self.put(repo, tag, media_type, body)
    }

    /// Push an index of an attestation (unknown/unknown) then linux/amd64 and linux/arm64.
    fn index(&mut self, repo: &str, tag: &str, created: [&str; 2], media_type: &str) -> String {
        let amd = self.image(repo, &format!("{tag}-amd64"), created[0], OCI_MANIFEST);
        let arm = self.image(repo, &format!("{tag}-arm64"), created[1], OCI_MANIFEST);
        let tags = self.tags.get_mut(repo).unwrap();
        tags.truncate(tags.len() - 2);
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{media_type}","manifests":[
              {{"mediaType":"{OCI_MANIFEST}","digest":"{arm}","size":1,"platform":{{"os":"unknown","architecture":"unknown"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{amd}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{arm}","size":1,"platform":{{"os":"linux","architecture":"arm64"}}}}]}}"#
        )
        .into_bytes();
        self.put(repo, tag, media_type, body)
    }

    fn put(&mut self, repo: &str, tag: &str, media_type: &str, body: Vec<u8>) -> String {
        let d = digest_of(&body);
        self.manifests
            .insert((repo.into(), d.clone()), (media_type.into(), body.clone()));
        self.manifests
            .insert((repo.into(), tag.into()), (media_type.into(), body));
        let tags = self.tags.entry(repo.into()).or_default();
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.into());
        }
        d
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn authorised(&self, request: &Request) -> bool {
        use base64::Engine as _;
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.user.0, self.user.1))
        );
        match self.auth {
            None => true,
            Some("Basic") => request.authorization.as_deref() == Some(basic.as_str()),
            Some(_) => request
                .authorization
                .as_deref()
                .is_some_and(|a| a.starts_with("Bearer token-for-")),
        }
    }
}

fn json(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

impl Transport for Fake {
    fn send(&self, request: &Request, limit: usize) -> std::result::Result<Response, Failure> {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} {}", request.method, request.url));
        let url = request
            .url
            .strip_prefix("https://registry.test")
            .ok_or(Failure::Other("unknown host".into()))?;
        if let Some(query) = url.strip_prefix("/token?") {
            let expected = {
                use base64::Engine as _;
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD
                        .encode(format!("{}:{}", self.user.0, self.user.1))
                )
            };
            if request.authorization.as_deref() != Some(expected.as_str()) {
                return Ok(json(
                    401,
                    r#"{"errors":[{"code":"UNAUTHORIZED","message":"bad password"}]}"#,
                ));
            }
            let scope = query
                .split('&')
                .find_map(|p| p.strip_prefix("scope="))
                .unwrap_or_default();
            return Ok(json(
                200,
                &format!(r#"{{"token":"token-for-{scope}","expires_in":300}}"#),
            ));
        }
        if let Some((status, retry_after)) = {
            let mut script = self.script.lock().unwrap();
            (!script.is_empty()).then(|| script.remove(0))
        } {
            let mut r = json(
                status,
                r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#,
            );
            if let Some(after) = retry_after {
                r.headers.push(("retry-after".into(), after.into()));
            }
            return Ok(r);
        }
        if !self.authorised(request) {
            let mut r = json(
                401,
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            );
            let challenge = match self.auth {
                Some("Basic") => r#"Basic realm="fake""#.to_string(),
                _ => r#"Bearer realm="https://registry.test/token",service="fake""#.to_string(),
            };
            r.headers.push(("www-authenticate".into(), challenge));
            return Ok(r);
        }
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let path = path
            .strip_prefix("/v2/")
            .ok_or(Failure::Other("not the API".into()))?;
        let answer = if let Some(repo) = path.strip_suffix("/tags/list") {
            let Some(tags) = self.tags.get(&format!("registry.test/{repo}")) else {
                return Ok(json(
                    404,
                    r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#,
                ));
            };
            let last = query.split('&').find_map(|p| p.strip_prefix("last="));
            let start = last.map_or(0, |l| tags.iter().position(|t| t == l).unwrap() + 1);
            let page = if self.page == 0 { tags.len() } else { self.page };
            let end = (start + page).min(tags.len());
            let list: Vec<String> = tags[start..end].iter().map(|t| format!("\"{t}\"")).collect();
            let mut r = json(
                200,
                &format!(r#"{{"name":"{repo}","tags":[{}]}}"#, list.join(",")),
            );
            if end < tags.len() {
                r.headers.push((
                    "link".into(),
                    format!(
                        r#"</v2/{repo}/tags/list?n={page}&last={}>; rel="next""#,
                        tags[end - 1]
                    ),
                ));
            }
            r
        } else if let Some((repo, reference)) = path.split_once("/manifests/") {
            match self
                .manifests
                .get(&(format!("registry.test/{repo}"), reference.to_string()))
            {
                Some((media_type, body)) => Response {
                    status: 200,
                    headers: vec![
                        ("content-type".into(), media_type.clone()),
                        ("docker-content-digest".into(), digest_of(body)),
                    ],
                    body: body.clone(),
                },
                None => json(
                    404,
                    r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
                ),
            }
        } else if let Some((_, digest)) = path.split_once("/blobs/") {
            match self.blobs.get(digest) {
                Some(body) => Response {
                    status: 200,
                    headers: vec![],
                    body: body.clone(),
                },
                None => json(404, r#"{"errors":[{"code":"BLOB_UNKNOWN"}]}"#),
            }
        } else {
            json(404, "{}")
        };
        if answer.body.len() > limit {
            return Err(Failure::TooLarge);
        }
        Ok(answer)
    }
}

/// A transport shared with the test, so the test can read its log after the registry used it.
struct Shared(std::sync::Arc<Fake>);

impl Transport for Shared {
    fn send(&self, request: &Request, limit: usize) -> std::result::Result<Response, Failure> {
        self.0.send(request, limit)
    }
}

fn registry(fake: &std::sync::Arc<Fake>, options: RegistryOptions) -> Registry {
    Registry::with_transport(options, Box::new(Shared(fake.clone())))
}

fn anonymous() -> RegistryOptions {
    RegistryOptions {
        credentials: Credentials::Anonymous,
        retries: 2,
        max_wait: Duration::from_millis(20),
        ..RegistryOptions::default()
    }
}

#[test]
fn cold_then_warm_poll_costs_one_tag_list_per_repository() {
    let mut fake = Fake::default();
    let d1 = fake.image(REPO, "1.0.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    fake.image(REPO, "1.1.0", "2026-02-01T00:00:00Z", DOCKER_MANIFEST);
    fake.index(
        "registry.test/acme/orders",
        "main-1",
        ["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"],
        OCI_INDEX,
    );
    fake.index(
        "registry.test/acme/orders",
        "main-2",
        ["2026-04-01T00:00:00Z", "2026-04-02T00:00:00Z"],
        DOCKER_LIST,
    );
    let fake = std::sync::Arc::new(fake);
    let registry = registry(&fake, anonymous());
    let repos = [REPO, "registry.test/acme/orders"];

    let events = Mutex::new(Vec::new());
    let catalog = registry
        .catalog_with_progress(&repos, &|p: &Progress<'_>| {
            events.lock().unwrap().push(format!("{p:?}"))
        })
        .unwrap();
    let info = catalog.get(REPO, "1.0.0").unwrap();
    assert_eq!(info.digest.as_deref(), Some(d1.as_str()));
    assert_eq!(info.created.unwrap().to_string(), "2026-01-01T00:00:00Z");
    assert_eq!(
        catalog.get(REPO, "1.1.0").unwrap().created.unwrap().to_string(),
        "2026-02-01T00:00:00Z"
    );
    // An index is dated by its first platform (the attestation entry is passed over).
    assert_eq!(
        catalog
            .get("registry.test/acme/orders", "main-1")
            .unwrap()
            .created
            .unwrap()
            .to_string(),
        "2026-03-01T00:00:00Z"
    );
    assert_eq!(
        catalog
            .get("registry.test/acme/orders", "main-2")
            .unwrap()
            .created
            .unwrap()
            .to_string(),
        "2026-04-01T00:00:00Z"
    );
    let cold = registry.requests();
    assert_eq!(
        cold,
        RequestCounts {
            tag_lists: 2,
            manifests: 6,
            blobs: 4,
            tokens: 0
        }
    );
    let events = events.into_inner().unwrap();
    assert_eq!(events.iter().filter(|e| e.starts_with("Listed")).count(), 2);
    assert_eq!(events.iter().filter(|e| e.starts_with("Fetched")).count(), 4);

    let again = registry.catalog(&repos).unwrap();
    assert_eq!(again, catalog);
    let warm = registry.requests();
    assert_eq!(warm.total() - cold.total(), 2, "{warm:?}");
    assert_eq!(warm.tag_lists - cold.tag_lists, 2);
}

#[test]
fn tag_lists_follow_link_pages_and_new_tags_cost_one_manifest_and_one_blob() {
    let mut fake = Fake {
        page: 2,
        ..Fake::default()
    };
    for i in 0..5 {
        fake.image(
            REPO,
            &format!("1.{i}.0"),
            &format!("2026-01-0{}T00:00:00Z", i + 1),
            OCI_MANIFEST,
        );
    }
    let fake = std::sync::Arc::new(fake);
    let registry = registry(&fake, anonymous());
    let catalog = registry.catalog(&[REPO]).unwrap();
    assert_eq!(
        catalog
            .images(REPO)
            .iter()
            .map(|i| i.tag.as_str())
            .collect::<Vec<_>>(),
        ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"]
    );
    assert_eq!(registry.requests().tag_lists, 3, "three pages of two");
    let log = fake.requests();
    assert!(
        log[1].ends_with("/v2/acme/users/tags/list?n=2&last=1.1.0"),
        "{log:?}"
    );
}

#[test]
fn moving_tags_and_max_age_are_asked_again() {
    let mut fake = Fake::default();
    fake.image(REPO, "latest", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    let fake = std::sync::Arc::new(fake);
    let registry = registry(&fake, anonymous());
    registry.catalog(&[REPO]).unwrap();
    let cold = registry.requests();
    assert_eq!(
        (cold.manifests, cold.blobs),
        (2, 1),
        "one config for the shared digest"
    );
    registry.catalog(&[REPO]).unwrap();
    let warm = registry.requests();
    assert_eq!(
        (warm.manifests - cold.manifests, warm.blobs - cold.blobs),
        (1, 0),
        "latest again, its config known"
    );

    let aged = super::tests::registry(
        &fake,
        RegistryOptions {
            max_age: Some(Duration::ZERO),
            moving_tags: vec![],
            ..anonymous()
        },
    );
    aged.catalog(&[REPO]).unwrap();
    aged.catalog(&[REPO]).unwrap();
    assert_eq!(
        aged.requests().manifests,
        4,
        "every tag checked again at max age 0"
    );
}

#[test]
fn the_disk_cache_makes_a_new_process_warm_and_survives_garbage() {
    let dir = std::env::temp_dir().join(format!("relman-registry-cache-{}", std::process::id()));
    let mut fake = Fake::default();
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    fake.image(REPO, "1.1", "2026-01-02T00:00:00Z", OCI_MANIFEST);
    let fake = std::sync::Arc::new(fake);
    let options = RegistryOptions {
        cache_dir: Some(dir.clone()),
        ..anonymous()
    };
    let first = registry(&fake, options.clone()).catalog(&[REPO]).unwrap();
    let second_registry = registry(&fake, options.clone());
    assert_eq!(second_registry.catalog(&[REPO]).unwrap(), first);
    assert_eq!(second_registry.requests().total(), 1);
    // A broken cache file is a cold start, not an error.
    std::fs::write(cache::file_of(&dir, "registry.test", "acme/users"), "{{{").unwrap();
    let third = registry(&fake, options);
    assert_eq!(third.catalog(&[REPO]).unwrap(), first);
    assert_eq!(third.requests().total(), 5);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bearer_tokens_are_asked_once_per_scope_with_the_password() {
    let mut fake = Fake {
        auth: Some("Bearer"),
        user: ("alice", "s3cret"),
        ..Fake::default()
    };
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    fake.image(REPO, "1.1", "2026-01-02T00:00:00Z", OCI_MANIFEST);
    let fake = std::sync::Arc::new(fake);
    let creds = |password: &str| RegistryOptions {
        credentials: Credentials::Basic {
            username: "alice".into(),
            password: password.into(),
        },
        ..anonymous()
    };
    let registry = registry(&fake, creds("s3cret"));
    let catalog = registry.catalog(&[REPO]).unwrap();
    assert_eq!(catalog.images(REPO).len(), 2);
    let counts = registry.requests();
    assert_eq!(counts.tokens, 1, "{:?}", fake.requests());
    assert_eq!(counts.tag_lists, 2, "the challenge, then the list");
    assert!(
        fake.requests()
            .iter()
            .any(|r| r
                == "GET https://registry.test/token?service=fake&scope=repository%3Aacme%2Fusers%3Apull")
    );
    registry.catalog(&[REPO]).unwrap();
    assert_eq!(
        registry.requests().total(),
        counts.total() + 1,
        "the token is reused"
    );

    let wrong = super::tests::registry(&fake, creds("wrong"));
    let err = wrong.catalog(&[REPO]).unwrap_err();
    assert_eq!(err.code(), "registry_unauthorized");
    assert!(
        err.message().contains(REPO) && err.message().contains("https://registry.test/token"),
        "{err}"
    );

    let anonymous_err = super::tests::registry(&fake, anonymous())
        .catalog(&[REPO])
        .unwrap_err();
    assert_eq!(anonymous_err.code(), "registry_unauthorized");
}

#[test]
fn basic_auth_and_explicit_tokens() {
    let mut fake = Fake {
        auth: Some("Basic"),
        user: ("bob", "pw"),
        ..Fake::default()
    };
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    let fake = std::sync::Arc::new(fake);
    let ok = registry(
        &fake,
        RegistryOptions {
            credentials: Credentials::Basic {
                username: "bob".into(),
                password: "pw".into(),
            },
            ..anonymous()
        },
    );
    assert_eq!(ok.catalog(&[REPO]).unwrap().images(REPO).len(), 1);
    assert_eq!(
        ok.requests().total(),
        4,
        "one challenge, then Basic from the start"
    );
    let none = registry(&fake, anonymous()).catalog(&[REPO]).unwrap_err();
    assert_eq!(none.code(), "registry_unauthorized");
    assert!(none.message().contains("Basic"), "{none}");
    let token = registry(
        &fake,
        RegistryOptions {
            credentials: Credentials::Token("nope".into()),
            ..anonymous()
        },
    )
    .catalog(&[REPO])
    .unwrap_err();
    assert_eq!(token.code(), "registry_unauthorized");
}

#[test]
fn too_many_requests_then_ok_and_unavailable_after_the_retries() {
    let mut fake = Fake::default();
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    *fake.script.get_mut().unwrap() = vec![(429, Some("0")), (503, None)];
    let fake = std::sync::Arc::new(fake);
    let registry = registry(&fake, anonymous());
    assert_eq!(registry.catalog(&[REPO]).unwrap().images(REPO).len(), 1);
    assert_eq!(registry.requests().tag_lists, 3, "429, 503, then 200");

    *fake.script.lock().unwrap() = vec![(503, Some("0")); 3];
    let err = super::tests::registry(&fake, anonymous())
        .catalog(&[REPO])
        .unwrap_err();
    assert_eq!(err.code(), "registry_unavailable");
    assert!(
        err.message().contains("HTTP 503") && err.message().contains(REPO),
        "{err}"
    );
}

#[test]
fn missing_repositories_deleted_tags_and_malformed_answers() {
    let mut fake = Fake::default();
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    // Listed, but its manifest is gone (deleted between the list and the fetch).
    fake.tags.get_mut(REPO).unwrap().push("gone".into());
    // A manifest that is not one.
    fake.put(
        "registry.test/acme/broken",
        "1.0",
        OCI_MANIFEST,
        b"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}".to_vec(),
    );
    let fake = std::sync::Arc::new(fake);
    let registry = registry(&fake, anonymous());

    let catalog = registry.catalog(&[REPO]).unwrap();
    assert_eq!(
        catalog
            .images(REPO)
            .iter()
            .map(|i| i.tag.as_str())
            .collect::<Vec<_>>(),
        ["1.0"]
    );

    let err = registry.catalog(&["registry.test/acme/nothing"]).unwrap_err();
    assert_eq!(err.code(), "registry_not_found");
    assert!(
        err.message()
            .contains("https://registry.test/v2/acme/nothing/tags/list"),
        "{err}"
    );
    assert!(err.message().contains("NAME_UNKNOWN"), "{err}");

    let err = registry
        .catalog(&[REPO, "registry.test/acme/broken"])
        .unwrap_err();
    assert_eq!(err.code(), "registry_protocol");
    assert!(
        err.message()
            .starts_with("registry.test/acme/broken: GET https://registry.test/v2/acme/broken/manifests/1.0"),
        "{err}"
    );

    for bad in ["acme/users:1.0", "Not A Repo"] {
        assert_eq!(registry.catalog(&[bad]).unwrap_err().code(), "invalid_argument");
    }
}

#[test]
fn a_digest_that_does_not_match_the_bytes_is_a_protocol_error() {
    let mut fake = Fake::default();
    fake.image(REPO, "1.0", "2026-01-01T00:00:00Z", OCI_MANIFEST);
    let body = fake.manifests[&(REPO.to_string(), "1.0".to_string())].1.clone();
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    // A config blob whose bytes are not those its digest names.
    let config = fake.blobs.keys().next().unwrap().clone();
    fake.blobs
        .insert(config, b"{\"created\":\"2030-01-01T00:00:00Z\"}".to_vec());
    let fake = std::sync::Arc::new(fake);
    let err = registry(&fake, anonymous()).catalog(&[REPO]).unwrap_err();
    assert_eq!(err.code(), "registry_protocol");
    assert!(err.message().contains("does not match its digest"), "{err}");

    // A manifest whose bytes are not those its Docker-Content-Digest names.
    let response = Response {
        status: 200,
        headers: vec![("docker-content-digest".into(), digest_of(&body))],
        body: tampered,
    };
    assert!(
        checked_digest(&response, None)
            .unwrap_err()
            .contains("do not match")
    );
}

#[test]
fn links_and_realms_that_leave_the_registry_are_refused() {
    let fake = std::sync::Arc::new(Fake::default());
    let registry = registry(&fake, anonymous());
    let target = registry.targets(&[REPO]).unwrap().remove(0);
    assert_eq!(
        registry
            .follow(&target, "u", "/v2/acme/users/tags/list?last=x")
            .unwrap(),
        "https://registry.test/v2/acme/users/tags/list?last=x"
    );
    assert!(
        registry
            .follow(&target, "u", "https://registry.test/v2/x")
            .is_ok()
    );
    for bad in [
        "https://evil.test/v2/x",
        "https://registry.test.evil/x",
        "http://registry.test/v2/x",
        "//evil/x",
    ] {
        assert_eq!(
            registry.follow(&target, "u", bad).unwrap_err().code(),
            "registry_protocol",
            "{bad}"
        );
    }
    assert!(
        registry
            .check_realm(&target, "u", "https://auth.example/token")
            .is_ok()
    );
    assert!(
        registry
            .check_realm(&target, "u", "http://127.0.0.1:1/token")
            .is_ok()
    );
    for bad in ["http://auth.example/token", "ftp://x/y", "token", "https://"] {
        assert_eq!(
            registry.check_realm(&target, "u", bad).unwrap_err().code(),
            "registry_protocol",
            "{bad}"
        );
    }
}

#[test]
fn hosts_loopback_insecure_and_docker_hub() {
    let fake = std::sync::Arc::new(Fake::default());
    let registry = registry(
        &fake,
        RegistryOptions {
            insecure: vec!["Registry.Local:5000".into()],
            ..anonymous()
        },
    );
    let targets = registry
        .targets(&[
            "nginx",
            "127.0.0.1:5000/a",
            "localhost:1/b",
            "registry.local:5000/c",
            "ghcr.io/d/e",
            "nginx",
        ])
        .unwrap();
    let bases: Vec<_> = targets
        .iter()
        .map(|t| (t.host.base.as_str(), t.path.as_str()))
        .collect();
    assert_eq!(
        bases,
        [
            ("https://registry-1.docker.io", "library/nginx"),
            ("http://127.0.0.1:5000", "a"),
            ("http://localhost:1", "b"),
            ("http://registry.local:5000", "c"),
            ("https://ghcr.io", "d/e"),
        ]
    );
    assert!(is_loopback("[::1]:5000") && is_loopback("127.1.2.3") && !is_loopback("10.0.0.1:80"));
}

#[test]
fn tokens_and_backoff() {
    assert_eq!(
        parse_token(br#"{"token":"t","expires_in":5}"#).unwrap(),
        ("t".into(), 5)
    );
    assert_eq!(parse_token(br#"{"access_token":"a"}"#).unwrap(), ("a".into(), 60));
    for bad in [&b"{}"[..], b"{\"token\":\"\"}", b"{\"token\":\"a b\"}", b"x"] {
        assert!(parse_token(bad).is_err());
    }
    assert!(backoff(1) >= Duration::from_millis(500) && backoff(1) < Duration::from_millis(700));
    assert!(backoff(3) >= Duration::from_secs(2));
    assert!(backoff(u32::MAX) < Duration::from_secs(1000));
}

#[test]
fn a_registry_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept connections and hold them open without a byte of answer.
    let holder = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(1) {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(2));
    });
    let registry = Registry::new(RegistryOptions {
        timeout: Duration::from_millis(300),
        ..anonymous()
    });
    let err = registry
        .catalog(&[format!("127.0.0.1:{port}/acme/users")])
        .unwrap_err();
    assert_eq!(err.code(), "registry_unavailable", "{err}");
    assert!(err.message().contains("no answer within 0.3 s"), "{err}");
    drop(holder);
}

#[test]
fn the_longest_timeout_never_overflows_the_clock() {
    // A port nothing listens on: the connection is refused at once. With a timeout the
    // agent's clock cannot hold (the longest `with_timeout` accepts, and `Duration::MAX`), the
    // call still ends in a coded error, not a panic.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    for options in [
        anonymous().with_timeout(1.8e19, "timeout").unwrap(),
        RegistryOptions {
            timeout: Duration::MAX,
            ..anonymous()
        },
    ] {
        let err = Registry::new(options)
            .catalog(&[format!("127.0.0.1:{port}/acme/users")])
            .unwrap_err();
        assert_eq!(err.code(), "registry_unavailable", "{err}");
    }
}

#[test]
fn parsers_never_panic_on_mutated_answers() {
    // Valid answers with bytes replaced, cut or repeated (the fuzz targets do this at length):
    // each parser gives a value or an error, and what it gives keeps its promises.
    let seeds: [&[u8]; 4] = [
        br#"{"name":"a/b","tags":["1.0","latest"]}"#,
        br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","platform":{"os":"linux","architecture":"amd64"}}]}"#,
        br#"{"created":"2026-01-01T00:00:00Z","config":{}}"#,
        br#"Bearer realm="https://a/token",service="s",scope="repository:a:pull", </v2/a/tags/list?last=b>; rel="next""#,
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..4000 {
        let mut bytes = seeds[round % seeds.len()].to_vec();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % bytes.len().max(1);
            match next() % 3 {
                0 if !bytes.is_empty() => bytes[at] = (next() % 256) as u8,
                1 => bytes.truncate(at),
                _ => {
                    let piece = bytes[at..].to_vec();
                    bytes.extend_from_slice(&piece);
                }
            }
        }
        if let Ok(page) = parse_tag_list(&bytes) {
            assert!(
                page.tags
                    .iter()
                    .filter(|t| is_valid_tag(t))
                    .all(|t| !t.contains('/'))
            );
        }
        match parse_manifest(&bytes, "") {
            Ok(Manifest::Image { config }) => assert!(is_valid_digest(&config)),
            Ok(Manifest::Index { child: Some(child) }) => assert!(is_valid_digest(&child)),
            _ => {}
        }
        let _ = parse_config_created(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_challenges(&text);
        if let Some(link) = next_link(&[&text]) {
            assert!(!link.is_empty() && !link.contains(['<', '>']));
        }
    }
}
