//! The one place relman speaks HTTP: a [`Transport`] sends one request and reads at most a
//! given number of bytes of the answer. The real one is `ureq` (blocking, rustls); the tests
//! put a fake in its place to script a registry's answers.

use std::time::Duration;

/// One HTTP request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// `GET` or `POST` (a token exchange with an identity token).
    pub method: &'static str,
    /// The absolute URL.
    pub url: String,
    /// `Accept`, when asked.
    pub accept: Option<&'static str>,
    /// `Authorization`, when any.
    pub authorization: Option<String>,
    /// An `application/x-www-form-urlencoded` body (POST only).
    pub form: Option<String>,
}

/// One HTTP response, its body read up to the request's limit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower-case) and values, in order; a header sent twice appears twice.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (lower-case).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No complete answer within the timeout.
    Timeout,
    /// The body is longer than the limit.
    TooLarge,
    /// Anything else: connection refused, TLS, DNS, a broken answer.
    Other(String),
}

/// Sends requests. Implementations are shared by the worker threads of a catalog.
pub(crate) trait Transport: Send + Sync {
    /// Send `request`; read at most `limit` bytes of the body.
    fn send(&self, request: &Request, limit: usize) -> Result<Response, Failure>;
}

/// The real transport: one `ureq` agent (a connection pool), a timeout over each whole
/// request, redirects followed without the `Authorization` header (blob storage such as S3 is
/// reached by a signed URL).
pub(crate) struct Http {
    agent: ureq::Agent,
}

/// The longest timeout given to the agent (about 100 years): a longer one is this one, since
/// the agent adds the timeout to the current instant, which overflows (a panic) past about
/// 292 billion years on Linux.
const LONGEST_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

impl Http {
    /// An agent whose every request ends within `timeout` (at most [`LONGEST_TIMEOUT`]).
    pub(crate) fn new(timeout: Duration, user_agent: &str) -> Http {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout.min(LONGEST_TIMEOUT)))
            .user_agent(user_agent)
            .max_redirects(5)
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::Never)
            .build();
        Http {
            agent: config.new_agent(),
        }
    }
}

impl Transport for Http {
    fn send(&self, request: &Request, limit: usize) -> Result<Response, Failure> {
        let result = match (request.method, &request.form) {
            ("POST", Some(form)) => {
                let mut builder = self
                    .agent
                    .post(&request.url)
                    .header("Content-Type", "application/x-www-form-urlencoded");
                if let Some(auth) = &request.authorization {
                    builder = builder.header("Authorization", auth);
                }
                builder.send(form.as_bytes())
            }
            _ => {
                let mut builder = self.agent.get(&request.url);
                if let Some(accept) = request.accept {
                    builder = builder.header("Accept", accept);
                }
                if let Some(auth) = &request.authorization {
                    builder = builder.header("Authorization", auth);
                }
                builder.call()
            }
        };
        let mut response = result.map_err(failure)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(limit as u64)
            .read_to_vec()
            .map_err(failure)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn failure(e: ureq::Error) -> Failure {
    match e {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::BodyExceedsLimit(_) => Failure::TooLarge,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Failure::Timeout,
        other => Failure::Other(other.to_string()),
    }
}

/// How long a `Retry-After` value asks to wait: seconds, or an HTTP date (relative to `now`,
/// Unix seconds). `None` for a value that is neither.
pub(crate) fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp().as_second();
    Some(Duration::from_secs(
        u64::try_from(when.saturating_sub(now)).unwrap_or(0),
    ))
}

/// `text` percent-encoded for a query value (RFC 3986 unreserved characters kept).
pub(crate) fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 3 ", 0), Some(Duration::from_secs(3)));
        let now = jiff::Timestamp::from_second(1_000_000_000).unwrap().as_second();
        assert_eq!(
            parse_retry_after("Sun, 09 Sep 2001 01:46:45 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Sun, 09 Sep 2001 01:46:35 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn query_encoding() {
        assert_eq!(encode_query("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
        assert_eq!(encode_query("a b~é"), "a%20b~%C3%A9");
    }
}
