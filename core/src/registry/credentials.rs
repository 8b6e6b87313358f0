//! Who relman is at a registry: anonymous, an explicit user and password or token, or what
//! `docker login` stored in `~/.docker/config.json` (`auths`, `credHelpers`, `credsStore`).

use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, ErrorKind, Result};

/// The credentials a [`Registry`](super::Registry) presents when a registry asks for them.
///
/// Nothing is sent until a registry answers `401` with a challenge (except [`Credentials::Token`],
/// which is sent from the first request). An explicit user and password or token is presented
/// to every registry the repositories of a call name; to use different credentials per
/// registry, use [`Credentials::DockerConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials: public repositories only.
    Anonymous,
    /// What `docker login` stored, looked up per registry host: the `auths` entry (`auth`,
    /// `username`/`password`, `identitytoken`), else the `credHelpers` helper for the host,
    /// else the `credsStore` helper (each run as `docker-credential-<name> get`). A host with
    /// none of them is anonymous, and so is every host when the file does not exist.
    DockerConfig {
        /// The `config.json` to read; `None` reads `$DOCKER_CONFIG/config.json`, else
        /// `$HOME/.docker/config.json`.
        path: Option<PathBuf>,
    },
    /// A user and password: Basic auth, or exchanged for a Bearer token when the registry
    /// challenges with `Bearer`.
    Basic {
        /// The user name.
        username: String,
        /// The password (or an access token used as one, as GHCR and GitLab accept).
        password: String,
    },
    /// A registry (Bearer) token, sent as `Authorization: Bearer <token>` on every request.
    Token(String),
}

impl Default for Credentials {
    /// [`Credentials::DockerConfig`] at the default place.
    fn default() -> Self {
        Credentials::DockerConfig { path: None }
    }
}

/// What is presented to one host.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Secret {
    /// Nothing.
    None,
    /// User and password.
    Basic(String, String),
    /// An OAuth2 refresh token (`identitytoken` of `docker login`), exchanged at the realm.
    Identity(String),
    /// A Bearer token sent as it is.
    Bearer(String),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Secret::None => "None",
            Secret::Basic(..) => "Basic(..)",
            Secret::Identity(_) => "Identity(..)",
            Secret::Bearer(_) => "Bearer(..)",
        })
    }
}

/// The largest `config.json` relman reads.
const MAX_CONFIG: u64 = 4 * 1024 * 1024;

/// The key `docker login` files a registry host under: Docker Hub keeps its historical URL.
fn docker_key(host: &str) -> &str {
    match host {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "https://index.docker.io/v1/",
        other => other,
    }
}

impl Credentials {
    /// The secret for `host` (a registry host as image references name it, `docker.io` for
    /// Docker Hub). Errors: `registry_unauthorized` when the Docker config exists but cannot
    /// be read, or its helper fails for a reason other than "no credentials".
    pub(crate) fn secret_for(&self, host: &str) -> Result<Secret> {
        match self {
            Credentials::Anonymous => Ok(Secret::None),
            Credentials::Basic { username, password } => {
                Ok(Secret::Basic(username.clone(), password.clone()))
            }
            Credentials::Token(token) => Ok(Secret::Bearer(token.clone())),
            Credentials::DockerConfig { path } => {
                let path = match path {
                    Some(p) => p.clone(),
                    None => match std::env::var_os("DOCKER_CONFIG") {
                        Some(dir) => PathBuf::from(dir).join("config.json"),
                        None => match std::env::var_os("HOME") {
                            Some(home) => PathBuf::from(home).join(".docker").join("config.json"),
                            None => return Ok(Secret::None),
                        },
                    },
                };
                let unreadable = |why: String| {
                    Error::new(
                        ErrorKind::RegistryUnauthorized,
                        format!(
                            "cannot read the credentials for {host} from {}: {why}",
                            path.display()
                        ),
                    )
                };
                let file = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Secret::None),
                    Err(e) => return Err(unreadable(e.to_string())),
                };
                let mut text = Vec::new();
                file.take(MAX_CONFIG + 1)
                    .read_to_end(&mut text)
                    .map_err(|e| unreadable(e.to_string()))?;
                if text.len() as u64 > MAX_CONFIG {
                    return Err(unreadable(format!("larger than {MAX_CONFIG} bytes")));
                }
                use docker_credential::{CredentialRetrievalError as E, DockerCredential as C};
                match docker_credential::get_credential_from_reader(text.as_slice(), docker_key(host)) {
                    Ok(C::UsernamePassword(user, password)) => Ok(Secret::Basic(user, password)),
                    Ok(C::IdentityToken(token)) => Ok(Secret::Identity(token)),
                    Err(E::NoCredentialConfigured) => Ok(Secret::None),
                    // docker-credential-helpers answer so (exit 1) for a host they hold nothing for.
                    Err(E::HelperFailure { stdout, .. }) if stdout.contains("credentials not found") => {
                        Ok(Secret::None)
                    }
                    Err(E::HelperFailure {
                        helper,
                        stderr,
                        stdout,
                    }) => Err(unreadable(format!(
                        "{helper} failed: {}",
                        if stderr.trim().is_empty() {
                            stdout.trim()
                        } else {
                            stderr.trim()
                        }
                    ))),
                    Err(e) => Err(unreadable(e.to_string())),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> (Credentials, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "relman-credentials-{}-{}",
            std::process::id(),
            text.len() ^ text.bytes().map(usize::from).sum::<usize>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        std::fs::write(&path, text).unwrap();
        (
            Credentials::DockerConfig {
                path: Some(path.clone()),
            },
            path,
        )
    }

    #[test]
    fn docker_config_auths_by_host_and_docker_hub_key() {
        // "alice:s3cret" and "bob:pw" in base64.
        let (c, path) = config(
            r#"{"auths":{"127.0.0.1:5000":{"auth":"YWxpY2U6czNjcmV0"},"https://index.docker.io/v1/":{"auth":"Ym9iOnB3"},
               "ghcr.io":{"identitytoken":"refresh"}}}"#,
        );
        assert_eq!(
            c.secret_for("127.0.0.1:5000").unwrap(),
            Secret::Basic("alice".into(), "s3cret".into())
        );
        assert_eq!(
            c.secret_for("docker.io").unwrap(),
            Secret::Basic("bob".into(), "pw".into())
        );
        assert_eq!(
            c.secret_for("ghcr.io").unwrap(),
            Secret::Identity("refresh".into())
        );
        assert_eq!(c.secret_for("quay.io").unwrap(), Secret::None);
        std::fs::remove_dir_all(path.parent().unwrap()).ok();
    }

    #[test]
    fn missing_file_is_anonymous_and_broken_file_an_error() {
        let missing = Credentials::DockerConfig {
            path: Some(PathBuf::from("/nonexistent/relman/config.json")),
        };
        assert_eq!(missing.secret_for("x.io").unwrap(), Secret::None);
        let (broken, path) = config("{not json");
        assert_eq!(
            broken.secret_for("x.io").unwrap_err().code(),
            "registry_unauthorized"
        );
        std::fs::remove_dir_all(path.parent().unwrap()).ok();
        let (helper, path) = config(r#"{"credHelpers":{"x.io":"relman-test-no-such-helper"}}"#);
        let err = helper.secret_for("x.io").unwrap_err();
        assert_eq!(err.code(), "registry_unauthorized");
        assert!(err.message().contains("x.io"), "{err}");
        std::fs::remove_dir_all(path.parent().unwrap()).ok();
    }
}
