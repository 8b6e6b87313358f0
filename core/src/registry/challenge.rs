//! `WWW-Authenticate` challenges (RFC 7235), as registries send them on a `401`:
//! `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`
//! or `Basic realm="Registry Realm"`. Pure: no I/O.

/// The authentication scheme a challenge asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `Basic`: the user and password on every request.
    Basic,
    /// `Bearer`: a token from the `realm` (the token flow of Docker Hub, GHCR, GitLab, Harbor,
    /// Quay and distribution's token server).
    Bearer,
    /// Any other scheme, lower-cased.
    Other(String),
}

/// One challenge of a `WWW-Authenticate` header: its scheme and its parameters (names
/// lower-cased, values unquoted, in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme (case-insensitive in the header).
    pub scheme: Scheme,
    /// `name=value` parameters, names lower-cased; a token68 is kept under the name `""`.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name` (lower-case), when present.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The longest header relman reads; a longer one is cut there (its last challenge may then be
/// incomplete, which parses as fewer parameters).
pub const MAX_HEADER: usize = 16 * 1024;

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Parse the challenges of one `WWW-Authenticate` header value (several may be listed,
/// separated by commas). Never fails: text that is not a challenge is skipped.
///
/// ```
/// use relman::registry::{Scheme, parse_challenges};
/// let c = parse_challenges(r#"Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull""#);
/// assert_eq!(c[0].scheme, Scheme::Bearer);
/// assert_eq!(c[0].param("realm"), Some("https://auth.example/token"));
/// assert_eq!(c[0].param("scope"), Some("repository:a/b:pull"));
/// ```
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut text = header;
    if text.len() > MAX_HEADER {
        let mut end = MAX_HEADER;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text = &text[..end];
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut out: Vec<Challenge> = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && (chars[*i] == ' ' || chars[*i] == '\t') {
            *i += 1;
        }
    };
    let token = |i: &mut usize| -> String {
        let start = *i;
        while *i < chars.len() && is_tchar(chars[*i]) {
            *i += 1;
        }
        chars[start..*i].iter().collect()
    };
    while i < chars.len() {
        skip_ws(&mut i);
        if i < chars.len() && chars[i] == ',' {
            i += 1;
            continue;
        }
        // A parameter `name = value` continues the current challenge; a token followed by
        // a space (or the end) starts a new one.
        let start = i;
        let word = token(&mut i);
        if word.is_empty() {
            i += 1; // not a token character: skip it
            continue;
        }
        let mut j = i;
        skip_ws(&mut j);
        if j < chars.len() && chars[j] == '=' {
            let mut k = j;
            while k < chars.len() && chars[k] == '=' {
                k += 1;
            }
            let mut after = k;
            skip_ws(&mut after);
            let token68 = k - j > 1 || after >= chars.len() || chars[after] == ',';
            if token68 {
                // A token68 (`Negotiate abc==`) belongs to the challenge before it.
                let value: String = chars[start..k].iter().collect();
                if let Some(last) = out.last_mut() {
                    last.params.push((String::new(), value));
                }
                i = k;
                continue;
            }
            i = after;
            let value = if i < chars.len() && chars[i] == '"' {
                i += 1;
                let mut v = String::new();
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    v.push(chars[i]);
                    i += 1;
                }
                i += 1; // the closing quote (or past the end)
                v
            } else {
                let s = i;
                while i < chars.len() && chars[i] != ',' && chars[i] != ' ' && chars[i] != '\t' {
                    i += 1;
                }
                chars[s..i].iter().collect()
            };
            // A parameter before any scheme belongs to no challenge: dropped.
            if let Some(last) = out.last_mut() {
                last.params.push((word.to_ascii_lowercase(), value));
            }
            continue;
        }
        let lower = word.to_ascii_lowercase();
        let scheme = match lower.as_str() {
            "basic" => Scheme::Basic,
            "bearer" => Scheme::Bearer,
            _ => Scheme::Other(lower),
        };
        out.push(Challenge {
            scheme,
            params: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_and_distribution_challenges() {
        let c = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, Scheme::Bearer);
        assert_eq!(c[0].param("service"), Some("registry.docker.io"));
        assert_eq!(c[0].param("scope"), Some("repository:library/nginx:pull"));

        let c = parse_challenges(r#"Basic realm="Registry Realm""#);
        assert_eq!(c[0].scheme, Scheme::Basic);
        assert_eq!(c[0].param("realm"), Some("Registry Realm"));
    }

    #[test]
    fn several_challenges_spaces_case_and_escapes() {
        let c = parse_challenges(
            r#"Negotiate abc==, BASIC realm = "a \"q\" b" , bearer realm=https://t/x,scope="repository:a:pull,push""#,
        );
        assert_eq!(c.len(), 3, "{c:?}");
        assert_eq!(c[0].scheme, Scheme::Other("negotiate".into()));
        assert_eq!(c[0].param(""), Some("abc=="));
        assert_eq!(c[1].scheme, Scheme::Basic);
        assert_eq!(c[1].param("realm"), Some("a \"q\" b"));
        assert_eq!(c[2].scheme, Scheme::Bearer);
        assert_eq!(c[2].param("realm"), Some("https://t/x"));
        assert_eq!(c[2].param("scope"), Some("repository:a:pull,push"));
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "",
            "=",
            ",,,",
            "\"",
            "Bearer realm=\"unterminated",
            "é=é,\"\u{0}",
            "a=b=c",
            "x =",
        ] {
            let _ = parse_challenges(text);
        }
        let long = "Bearer ".to_string() + &"a=b,".repeat(10_000);
        assert!(parse_challenges(&long)[0].params.len() < 5_000);
    }
}
