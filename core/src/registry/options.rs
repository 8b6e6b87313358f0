//! The rules for a registry client's options as the bindings and the command receive them
//! (plain values, each optional), written once so that Rust, Python, Node and `relman automate`
//! accept and refuse the same options with the same codes and messages: which credential
//! forms there are and how they combine, which numbers of seconds and requests are usable, and
//! the defaults.
//!
//! Every refusal is `invalid_argument` naming the argument as the caller spells it (the `what`
//! of each method: Python `max_age`, Node `maxAge`).

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use super::{Credentials, RegistryOptions};
use crate::error::{Error, ErrorKind, Result};

/// Credentials as a caller gives them, before they are checked (see
/// [`Credentials::from_argument`]): what the bindings convert their runtime's values to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CredentialsArgument {
    /// Not given: the default, [`Credentials::DockerConfig`] at the default place.
    #[default]
    Default,
    /// Given as nothing (Python `None`, Node `null`, `relman automate --anonymous`):
    /// [`Credentials::Anonymous`].
    Anonymous,
    /// Given as a name; the only one is [`CredentialsArgument::DOCKER_CONFIG`].
    Name(String),
    /// Given as fields (Python a `(user, password)` tuple or a dict, Node an object).
    Fields(CredentialFields),
}

impl CredentialsArgument {
    /// The name of the default credentials, the Docker config at the default place.
    pub const DOCKER_CONFIG: &'static str = "docker-config";
}

/// The fields of credentials given as fields; exactly one form must be given: a user name
/// and password, a token, or the path of a Docker `config.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialFields {
    /// The user name (with `password`): [`Credentials::Basic`].
    pub username: Option<String>,
    /// The password (with `username`).
    pub password: Option<String>,
    /// A registry (Bearer) token: [`Credentials::Token`].
    pub token: Option<String>,
    /// The path of a Docker `config.json`: [`Credentials::DockerConfig`].
    pub docker_config: Option<PathBuf>,
    /// The names (as the caller spelled them) of the fields given that are none of these:
    /// refused, so that a misspelt field is never ignored.
    pub unknown: Vec<String>,
}

impl Credentials {
    /// The credentials `argument` names; `what` names the argument in errors.
    ///
    /// Accepted: not given (the Docker config at the default place), anonymous, the name
    /// `"docker-config"`, and fields holding exactly one of: a user name and a password
    /// ([`Credentials::Basic`]), a token ([`Credentials::Token`]), a Docker config path
    /// ([`Credentials::DockerConfig`]). Values are taken as given (an empty password is a
    /// password).
    ///
    /// Errors (`invalid_argument`): another name; fields with an unknown field, a user name
    /// without a password or a password without a user name, no form, or more than one form.
    ///
    /// ```
    /// use relman::registry::{CredentialFields, Credentials, CredentialsArgument};
    /// let token = CredentialsArgument::Fields(CredentialFields {
    ///     token: Some("t0k".into()),
    ///     ..CredentialFields::default()
    /// });
    /// assert_eq!(Credentials::from_argument(token, "credentials")?, Credentials::Token("t0k".into()));
    /// let name = CredentialsArgument::Name("anonymous".into());
    /// assert_eq!(Credentials::from_argument(name, "credentials").unwrap_err().code(), "invalid_argument");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn from_argument(argument: CredentialsArgument, what: &str) -> Result<Credentials> {
        let invalid = |message: String| Error::new(ErrorKind::InvalidArgument, message);
        let fields = match argument {
            CredentialsArgument::Default => return Ok(Credentials::default()),
            CredentialsArgument::Anonymous => return Ok(Credentials::Anonymous),
            CredentialsArgument::Name(name) if name == CredentialsArgument::DOCKER_CONFIG => {
                return Ok(Credentials::DockerConfig { path: None });
            }
            CredentialsArgument::Name(name) => {
                return Err(invalid(format!(
                    "{what}: {name:?} is no credentials name (the only one is \"{}\"); give none \
                     for anonymous, or a user name and password, a token or a Docker config path",
                    CredentialsArgument::DOCKER_CONFIG
                )));
            }
            CredentialsArgument::Fields(fields) => fields,
        };
        let CredentialFields {
            username,
            password,
            token,
            docker_config,
            mut unknown,
        } = fields;
        if !unknown.is_empty() {
            unknown.sort();
            let names: Vec<String> = unknown.iter().map(|n| format!("{n:?}")).collect();
            return Err(invalid(format!(
                "{what}: unknown field {}: credentials hold a user name and password, a token or \
                 a Docker config path",
                names.join(", ")
            )));
        }
        let basic = match (username, password) {
            (Some(username), Some(password)) => Some(Credentials::Basic { username, password }),
            (None, None) => None,
            (Some(_), None) => return Err(invalid(format!("{what}: a user name needs a password"))),
            (None, Some(_)) => return Err(invalid(format!("{what}: a password needs a user name"))),
        };
        let forms: Vec<Credentials> = [
            basic,
            token.map(Credentials::Token),
            docker_config.map(|path| Credentials::DockerConfig { path: Some(path) }),
        ]
        .into_iter()
        .flatten()
        .collect();
        match <[Credentials; 1]>::try_from(forms) {
            Ok([credentials]) => Ok(credentials),
            Err(forms) => Err(invalid(format!(
                "{what} hold exactly one of a user name and password, a token and a Docker config \
                 path, not {}",
                if forms.is_empty() {
                    "none".to_string()
                } else {
                    forms.iter().map(form_name).collect::<Vec<_>>().join(" and ")
                }
            ))),
        }
    }
}

/// A credentials form in an error message (never its secret).
fn form_name(credentials: &Credentials) -> &'static str {
    match credentials {
        Credentials::Anonymous => "none",
        Credentials::Basic { .. } => "a user name and password",
        Credentials::Token(_) => "a token",
        Credentials::DockerConfig { .. } => "a Docker config path",
    }
}

impl RegistryOptions {
    /// The default number of requests in flight at once.
    pub const DEFAULT_CONCURRENCY: usize = 8;
    /// The default longest time one request may take.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default number of retries of a `429`/`502`/`503`/`504` answer.
    pub const DEFAULT_RETRIES: u32 = 3;
    /// The default longest wait before a retry.
    pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60);
    /// The accepted numbers of requests in flight at once: each is a thread, so a huge number
    /// would start a thread per tag of a large scan.
    pub const CONCURRENCY: RangeInclusive<u64> = 1..=256;
    /// The accepted numbers of retries (what a `u32` holds).
    pub const RETRIES: RangeInclusive<u64> = 0..=u32::MAX as u64;
    /// The tags asked for at every poll by default.
    pub const DEFAULT_MOVING_TAGS: &'static [&'static str] = &["latest"];

    /// These options with the credentials `argument` names (see
    /// [`Credentials::from_argument`]); `what` names the argument in errors.
    pub fn with_credentials(mut self, argument: CredentialsArgument, what: &str) -> Result<Self> {
        self.credentials = Credentials::from_argument(argument, what)?;
        Ok(self)
    }

    /// These options with at most `concurrency` requests in flight at once. Errors:
    /// `invalid_argument` outside [`CONCURRENCY`](Self::CONCURRENCY).
    pub fn with_concurrency(mut self, concurrency: usize, what: &str) -> Result<Self> {
        match u64::try_from(concurrency) {
            Ok(n) if Self::CONCURRENCY.contains(&n) => {
                self.concurrency = concurrency;
                Ok(self)
            }
            _ => Err(crate::arguments::not_in_range(
                what,
                &Self::CONCURRENCY,
                concurrency,
            )),
        }
    }

    /// These options with a timeout of `seconds` per request (see
    /// [`crate::arguments::seconds`]: finite, at least 0).
    pub fn with_timeout(mut self, seconds: f64, what: &str) -> Result<Self> {
        self.timeout = crate::arguments::seconds(seconds, what)?;
        Ok(self)
    }

    /// These options with known tags asked for again after `seconds` (see
    /// [`crate::arguments::seconds`]); `None`: never.
    pub fn with_max_age(mut self, seconds: Option<f64>, what: &str) -> Result<Self> {
        self.max_age = seconds.map(|s| crate::arguments::seconds(s, what)).transpose()?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(f: impl FnOnce(&mut CredentialFields)) -> CredentialsArgument {
        let mut fields = CredentialFields::default();
        f(&mut fields);
        CredentialsArgument::Fields(fields)
    }

    fn refused(argument: CredentialsArgument) -> Error {
        let err = Credentials::from_argument(argument, "credentials").unwrap_err();
        assert_eq!(err.code(), "invalid_argument", "{err}");
        err
    }

    #[test]
    fn accepted_credential_forms() {
        let cases = [
            (
                CredentialsArgument::Default,
                Credentials::DockerConfig { path: None },
            ),
            (CredentialsArgument::Anonymous, Credentials::Anonymous),
            (
                CredentialsArgument::Name("docker-config".into()),
                Credentials::DockerConfig { path: None },
            ),
            (
                fields(|f| {
                    f.username = Some("ci".into());
                    f.password = Some("pw".into());
                }),
                Credentials::Basic {
                    username: "ci".into(),
                    password: "pw".into(),
                },
            ),
            // Values are taken as given.
            (
                fields(|f| {
                    f.username = Some(String::new());
                    f.password = Some(String::new());
                }),
                Credentials::Basic {
                    username: String::new(),
                    password: String::new(),
                },
            ),
            (
                fields(|f| f.token = Some("t0k".into())),
                Credentials::Token("t0k".into()),
            ),
            (
                fields(|f| f.docker_config = Some("/etc/relman/config.json".into())),
                Credentials::DockerConfig {
                    path: Some("/etc/relman/config.json".into()),
                },
            ),
        ];
        for (argument, expected) in cases {
            assert_eq!(
                Credentials::from_argument(argument.clone(), "credentials").unwrap(),
                expected,
                "{argument:?}"
            );
        }
        assert_eq!(CredentialsArgument::default(), CredentialsArgument::Default);
    }

    #[test]
    fn a_name_other_than_docker_config_is_refused() {
        for name in [
            "",
            "anonymous",
            "Docker-Config",
            "docker_config",
            "docker-config ",
        ] {
            let err = refused(CredentialsArgument::Name(name.into()));
            assert!(
                err.message()
                    .contains(&format!("{name:?} is no credentials name")),
                "{err}"
            );
            assert!(err.message().contains("\"docker-config\""), "{err}");
        }
    }

    #[test]
    fn unknown_fields_are_refused_whatever_else_is_given() {
        let err = refused(fields(|f| {
            f.token = Some("t".into());
            f.unknown = vec!["user".into(), "docker_config".into()];
        }));
        assert_eq!(
            err.message(),
            "credentials: unknown field \"docker_config\", \"user\": credentials hold a user name \
             and password, a token or a Docker config path"
        );
    }

    #[test]
    fn a_user_name_and_a_password_go_together() {
        let err = refused(fields(|f| f.username = Some("ci".into())));
        assert_eq!(err.message(), "credentials: a user name needs a password");
        let err = refused(fields(|f| {
            f.password = Some("pw".into());
            f.token = Some("t".into());
        }));
        assert_eq!(err.message(), "credentials: a password needs a user name");
    }

    #[test]
    fn exactly_one_form_and_the_message_never_shows_a_secret() {
        let err = refused(fields(|_| {}));
        assert_eq!(
            err.message(),
            "credentials hold exactly one of a user name and password, a token and a Docker \
             config path, not none"
        );
        let err = refused(fields(|f| {
            f.username = Some("ci".into());
            f.password = Some("s3cret".into());
            f.token = Some("t0k3n".into());
            f.docker_config = Some("/x/config.json".into());
        }));
        assert!(
            err.message()
                .ends_with("not a user name and password and a token and a Docker config path"),
            "{err}"
        );
        assert!(
            !err.message().contains("s3cret") && !err.message().contains("t0k3n"),
            "{err}"
        );
        let err = refused(fields(|f| {
            f.token = Some("t".into());
            f.docker_config = Some("/x/config.json".into());
        }));
        assert!(
            err.message().ends_with("not a token and a Docker config path"),
            "{err}"
        );
    }

    #[test]
    fn defaults() {
        let o = RegistryOptions::default();
        assert_eq!(o.credentials, Credentials::DockerConfig { path: None });
        assert_eq!(
            (o.concurrency, o.timeout, o.retries),
            (8, Duration::from_secs(30), 3)
        );
        assert_eq!((o.max_age, o.max_wait), (None, Duration::from_secs(60)));
        assert_eq!(o.moving_tags, ["latest"]);
        assert_eq!((o.cache_dir, o.insecure), (None, Vec::<String>::new()));
    }

    #[test]
    fn concurrency_is_from_1_to_256() {
        for n in [1, 8, 256] {
            let o = RegistryOptions::default()
                .with_concurrency(n, "concurrency")
                .unwrap();
            assert_eq!(o.concurrency, n);
        }
        for n in [0, 257, usize::MAX] {
            let err = RegistryOptions::default()
                .with_concurrency(n, "concurrency")
                .unwrap_err();
            assert_eq!(err.code(), "invalid_argument");
            assert_eq!(
                err.message(),
                format!("concurrency must be a whole number from 1 to 256, not {n}")
            );
        }
    }

    #[test]
    fn seconds_are_finite_and_not_negative() {
        let o = RegistryOptions::default()
            .with_timeout(0.25, "timeout")
            .and_then(|o| o.with_max_age(Some(3600.0), "max_age"))
            .unwrap();
        assert_eq!(
            (o.timeout, o.max_age),
            (Duration::from_millis(250), Some(Duration::from_secs(3600)))
        );
        let o = o.with_max_age(None, "max_age").unwrap();
        assert_eq!(o.max_age, None);
        // Zero and negative zero are zero; the largest usable value is kept as it is.
        for zero in [0.0, -0.0] {
            assert_eq!(
                RegistryOptions::default()
                    .with_timeout(zero, "timeout")
                    .unwrap()
                    .timeout,
                Duration::ZERO
            );
        }
        assert!(RegistryOptions::default().with_timeout(1e19, "timeout").is_ok());
        for bad in [-1.0, -1e-9, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e20] {
            let err = RegistryOptions::default()
                .with_timeout(bad, "timeout")
                .unwrap_err();
            assert_eq!(err.code(), "invalid_argument", "{bad}");
            assert_eq!(
                err.message(),
                format!("timeout must be a number of seconds >= 0, not {bad}")
            );
            let err = RegistryOptions::default()
                .with_max_age(Some(bad), "maxAge")
                .unwrap_err();
            assert_eq!(err.code(), "invalid_argument", "{bad}");
            assert!(err.message().starts_with("maxAge must be"), "{err}");
        }
    }
}
