//! Container image references: parsing, normalisation for matching, and display.
//!
//! An [`ImageRef`] is a reference such as `nginx`, `quay.io/org/app:v1.2` or
//! `repo/img:tag@sha256:…`, parsed with the grammar of the container ecosystem
//! (`distribution/reference`, which Docker, containerd and the kubelet use):
//!
//! ```text
//! reference := name [ ":" tag ] [ "@" digest ]
//! name      := [ domain "/" ] path
//! domain    := host [ ":" port ]
//! host      := label ( "." label )*  |  "[" ipv6 "]"
//! label     := [a-zA-Z0-9] ( [a-zA-Z0-9-]* [a-zA-Z0-9] )?
//! port      := [0-9]+
//! path      := component ( "/" component )*
//! component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//! tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest    := algorithm ":" encoded
//! algorithm := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*
//! encoded   := [0-9a-fA-F]{32,}
//! ```
//!
//! with the rules the registries' digest library adds: `sha256` needs exactly 64, `sha384`
//! exactly 96 and `sha512` exactly 128 lowercase hex characters. The normalised name (see
//! [`ImageRef::name`]) is at most 255 characters long.
//!
//! Whether the first `/`-separated component is a registry domain follows Docker's normaliser:
//! it is one only when the reference has a `/` and that component contains `.` or `:`, is
//! exactly `localhost`, or contains an upper-case letter (repository paths are lower-case, so
//! such a component can only be a host). So `registry/app/x:1` is the Docker Hub repository
//! `registry/app/x`, while `registry:5000/app` and `registry.local/app` name a registry.
//!
//! A reference keeps the text it was parsed from: [`Display`](fmt::Display) writes it back
//! byte for byte (`nginx` stays `nginx`), so relman never rewrites a value the user did not
//! ask to change. Matching uses [`ImageRef::name`], which fills in Docker Hub defaults.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::error::{Error, ErrorKind, Result};

/// The longest normalised name (`domain/path`) a reference may have.
const NAME_TOTAL_LENGTH_MAX: usize = 255;
/// The longest tag.
const TAG_LENGTH_MAX: usize = 128;
/// Docker Hub's domain in normalised names.
const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's legacy domain, normalised to [`DOCKER_HUB`].
const LEGACY_DOCKER_HUB: &str = "index.docker.io";
/// The namespace of Docker Hub's official images.
const OFFICIAL_NAMESPACE: &str = "library/";
/// How much of an offending input an error message quotes.
const EXCERPT_MAX: usize = 120;

/// A parsed container image reference, such as `quay.io/org/app:v1.2@sha256:…`.
///
/// The reference remembers its text exactly as written: [`Display`](fmt::Display),
/// [`ImageRef::as_str`] and serialisation give it back unchanged, and two references are equal
/// (and hash and order) by that text. To ask whether two references point at the same
/// repository, whatever the spelling, use [`ImageRef::same_repository`] or compare
/// [`ImageRef::name`].
///
/// ```
/// use relman::ImageRef;
///
/// let image: ImageRef = "localhost:5000/team/app:v1.2".parse()?;
/// assert_eq!(image.domain(), "localhost:5000");
/// assert_eq!(image.path(), "team/app");
/// assert_eq!(image.tag(), Some("v1.2"));
/// assert_eq!(image.digest(), None);
/// assert_eq!(image.to_string(), "localhost:5000/team/app:v1.2");
/// # Ok::<(), relman::Error>(())
/// ```
#[derive(Clone)]
pub struct ImageRef {
    /// The reference as written.
    text: String,
    /// Length of the domain; 0 when the reference has none. The path starts one byte later.
    domain_len: usize,
    /// End of the repository (domain and path), where `:tag` or `@digest` starts.
    repo_end: usize,
    /// End of the tag (equal to `repo_end` without a tag), where `@digest` starts.
    tag_end: usize,
}

impl ImageRef {
    /// Parses an image reference.
    ///
    /// Fails with [`ErrorKind::InvalidImageReference`] (code `invalid_image_reference`) and a
    /// message naming the problem when `s` does not follow the grammar described in the
    /// [module documentation](self). Whitespace is never trimmed.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// let image = ImageRef::parse("repo/img:1.0@sha256:4f5ba1c6dc2d1ddd59d7e7b7b0a0fc2a0a2ccf0b9ab5c1ef5a1b5bf2f6a4f4d1")?;
    /// assert_eq!(image.tag(), Some("1.0"));
    /// assert!(image.digest().unwrap().starts_with("sha256:4f5b"));
    ///
    /// let err = ImageRef::parse("Nginx").unwrap_err();
    /// assert_eq!(err.code(), "invalid_image_reference");
    /// assert!(err.message().contains("must be lowercase"));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<ImageRef> {
        let layout = Layout::of(s).map_err(|problem| invalid(s, problem))?;
        Ok(layout.into_ref(s.to_owned()))
    }

    /// An owned string as a reference without copying it, or the string back when it is not
    /// one (no error is built: for callers that keep invalid text as it is).
    pub(crate) fn read_owned(s: String) -> std::result::Result<ImageRef, String> {
        match Layout::of(&s) {
            Ok(layout) => Ok(layout.into_ref(s)),
            Err(_) => Err(s),
        }
    }

    /// Parses an owned string without copying it.
    fn parse_owned(s: String) -> Result<ImageRef> {
        match Layout::of(&s) {
            Ok(layout) => Ok(layout.into_ref(s)),
            Err(problem) => Err(invalid(&s, problem)),
        }
    }

    /// The registry domain as written (`host` or `host:port`), or `""` when the reference
    /// names none (Docker Hub is then implied).
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// assert_eq!(ImageRef::parse("foo:5000/bar")?.domain(), "foo:5000");
    /// assert_eq!(ImageRef::parse("registry/app/x:1")?.domain(), "");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn domain(&self) -> &str {
        &self.text[..self.domain_len]
    }

    /// The repository path as written, without domain, tag or digest.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// assert_eq!(ImageRef::parse("ghcr.io/org/app:v1")?.path(), "org/app");
    /// assert_eq!(ImageRef::parse("nginx")?.path(), "nginx");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.text[self.path_start()..self.repo_end]
    }

    /// The tag, when one is written.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// assert_eq!(ImageRef::parse("nginx:1.10-alpine")?.tag(), Some("1.10-alpine"));
    /// assert_eq!(ImageRef::parse("nginx")?.tag(), None);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn tag(&self) -> Option<&str> {
        (self.tag_end > self.repo_end).then(|| &self.text[self.repo_end + 1..self.tag_end])
    }

    /// The digest with its algorithm (`sha256:…`), when one is written.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// let hex = "599fe5e5073102dbb0ee3dbb65f049dab44fa9fc251f6835c9990f8fb196a72b";
    /// let image = ImageRef::parse(&format!("kennethreitz/httpbin@sha256:{hex}"))?;
    /// assert_eq!(image.digest(), Some(format!("sha256:{hex}").as_str()));
    /// assert_eq!(image.tag(), None);
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn digest(&self) -> Option<&str> {
        (self.tag_end < self.text.len()).then(|| &self.text[self.tag_end + 1..])
    }

    /// The repository as written: everything before `:tag` and `@digest`.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// assert_eq!(ImageRef::parse("localhost:5000/app:1.0")?.repository(), "localhost:5000/app");
    /// assert_eq!(ImageRef::parse("nginx:1.25")?.repository(), "nginx");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn repository(&self) -> &str {
        &self.text[..self.repo_end]
    }

    /// The normalised repository name used to match references to each other and to a
    /// catalog: `domain/path` with the domain lower-cased, Docker Hub written `docker.io`
    /// (for an omitted domain and for `index.docker.io`), and Docker Hub's official images
    /// under `library/`. Other host names, such as `registry-1.docker.io`, are kept: they are
    /// not the same text, and Docker does not treat them as the same registry either.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// for s in ["nginx", "library/nginx", "docker.io/nginx", "index.docker.io/library/nginx:1"] {
    ///     assert_eq!(ImageRef::parse(s)?.name(), "docker.io/library/nginx");
    /// }
    /// assert_eq!(ImageRef::parse("Quay.io/org/app")?.name(), "quay.io/org/app");
    /// assert_eq!(ImageRef::parse("localhost/nginx")?.name(), "localhost/nginx");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn name(&self) -> String {
        let parts = self.name_parts();
        let mut name = String::with_capacity(parts.len());
        parts.write_to(&mut name);
        name
    }

    /// Whether both references name the same repository, that is have equal
    /// [`name`](ImageRef::name)s, whatever their tags and digests. Does not allocate.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// let a = ImageRef::parse("nginx:1.24")?;
    /// assert!(a.same_repository(&ImageRef::parse("docker.io/library/nginx:1.25")?));
    /// assert!(!a.same_repository(&ImageRef::parse("quay.io/nginx:1.24")?));
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn same_repository(&self, other: &ImageRef) -> bool {
        self.name_parts() == other.name_parts()
    }

    /// This reference with its tag set to `tag` and without digest: the repository as written,
    /// then `:tag`. Fails with `invalid_image_reference` when `tag` is not a valid tag.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// let image = ImageRef::parse("acme/users:1.3.0")?;
    /// assert_eq!(image.with_tag("1.4.0")?.to_string(), "acme/users:1.4.0");
    /// assert!(image.with_tag("not a tag").is_err());
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn with_tag(&self, tag: &str) -> Result<ImageRef> {
        check_tag(tag).map_err(|problem| invalid_part("tag ", tag, problem))?;
        let mut text = String::with_capacity(self.repo_end + 1 + tag.len());
        text.push_str(self.repository());
        text.push(':');
        text.push_str(tag);
        let tag_end = text.len();
        Ok(ImageRef {
            text,
            domain_len: self.domain_len,
            repo_end: self.repo_end,
            tag_end,
        })
    }

    /// This reference with its digest set to `digest` (`algorithm:hex`), keeping its tag.
    /// Fails with `invalid_image_reference` when `digest` is not a valid digest.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// let digest = format!("sha256:{}", "ab".repeat(32));
    /// let image = ImageRef::parse("acme/users:1.3.0")?.with_digest(&digest)?;
    /// assert_eq!(image.to_string(), format!("acme/users:1.3.0@{digest}"));
    /// assert_eq!(image.tag(), Some("1.3.0"));
    /// assert!(image.with_digest("sha256:abc").is_err());
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn with_digest(&self, digest: &str) -> Result<ImageRef> {
        check_digest(digest).map_err(|problem| invalid_part("digest ", digest, problem))?;
        let mut text = String::with_capacity(self.tag_end + 1 + digest.len());
        text.push_str(&self.text[..self.tag_end]);
        text.push('@');
        text.push_str(digest);
        Ok(ImageRef {
            text,
            domain_len: self.domain_len,
            repo_end: self.repo_end,
            tag_end: self.tag_end,
        })
    }

    /// The reference as written, the same text as [`Display`](fmt::Display) gives.
    ///
    /// ```
    /// use relman::ImageRef;
    ///
    /// assert_eq!(ImageRef::parse("nginx")?.as_str(), "nginx");
    /// # Ok::<(), relman::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn path_start(&self) -> usize {
        path_start(self.domain_len)
    }

    fn name_parts(&self) -> NameParts<'_> {
        NameParts::new(self.domain(), self.path())
    }
}

fn path_start(domain_len: usize) -> usize {
    if domain_len == 0 { 0 } else { domain_len + 1 }
}

/// A normalised name, `domain/[library/]path`, held as borrowed pieces.
struct NameParts<'a> {
    /// Compared and written lower-cased.
    domain: &'a str,
    /// Whether `library/` goes between domain and path.
    official: bool,
    path: &'a str,
}

impl<'a> NameParts<'a> {
    fn new(domain: &'a str, path: &'a str) -> Self {
        let docker_hub = domain.is_empty()
            || domain.eq_ignore_ascii_case(DOCKER_HUB)
            || domain.eq_ignore_ascii_case(LEGACY_DOCKER_HUB);
        if docker_hub {
            NameParts {
                domain: DOCKER_HUB,
                official: !path.contains('/'),
                path,
            }
        } else {
            NameParts {
                domain,
                official: false,
                path,
            }
        }
    }

    fn len(&self) -> usize {
        let namespace = if self.official {
            OFFICIAL_NAMESPACE.len()
        } else {
            0
        };
        self.domain.len() + 1 + namespace + self.path.len()
    }

    fn write_to(&self, out: &mut String) {
        let at = out.len();
        out.push_str(self.domain);
        out[at..].make_ascii_lowercase();
        out.push('/');
        if self.official {
            out.push_str(OFFICIAL_NAMESPACE);
        }
        out.push_str(self.path);
    }
}

impl PartialEq for NameParts<'_> {
    fn eq(&self, other: &Self) -> bool {
        if !self.domain.eq_ignore_ascii_case(other.domain) {
            return false;
        }
        // Compare `[library/]path` on both sides without building the strings.
        match (self.official, other.official) {
            (false, false) | (true, true) => self.path == other.path,
            (true, false) => other.path.strip_prefix(OFFICIAL_NAMESPACE) == Some(self.path),
            (false, true) => self.path.strip_prefix(OFFICIAL_NAMESPACE) == Some(other.path),
        }
    }
}

/// Where the parts of a valid reference are.
struct Layout {
    domain_len: usize,
    repo_end: usize,
    tag_end: usize,
}

impl Layout {
    fn into_ref(self, text: String) -> ImageRef {
        ImageRef {
            text,
            domain_len: self.domain_len,
            repo_end: self.repo_end,
            tag_end: self.tag_end,
        }
    }

    /// Validates `s` and finds its parts, or says what is wrong with it. Does not allocate
    /// unless `s` is invalid.
    fn of(s: &str) -> Result<Layout, Problem> {
        let bytes = s.as_bytes();
        if bytes.is_empty() {
            return Err(Problem::Empty);
        }
        // One scan of `name[:tag]` finds the separators and what the first component holds.
        let mut end = bytes.len(); // of `name[:tag]`, where `@digest` starts
        let mut slash = None; // the first '/'
        let mut colon = None; // the first ':'
        let mut colon_after_slash = None; // the first ':' after the first '/'
        let mut head = 0; // the classes of the bytes before the first '/'
        for (i, &b) in bytes.iter().enumerate() {
            let class = CLASS[usize::from(b)];
            if class & MARK != 0 {
                match b {
                    b'@' => {
                        end = i;
                        break;
                    }
                    b'/' if slash.is_none() => slash = Some(i),
                    b':' => {
                        colon = colon.or(Some(i));
                        if slash.is_some() {
                            colon_after_slash = colon_after_slash.or(Some(i));
                        }
                    }
                    b'/' => {}
                    _ => return Err(unexpected(s, i, "image reference")),
                }
            }
            if slash.is_none() {
                head |= class;
            }
        }

        // Docker's rule: the first component is a domain only when a `/` follows it and it
        // looks like a host (`.`, `:`, upper case, which a path cannot have, or `localhost`).
        let domain_len = match slash {
            Some(i) if head & DOMAIN_HINT != 0 || &s[..i] == "localhost" => {
                check_domain(&s[..i])?;
                i
            }
            _ => 0,
        };
        let path_start = path_start(domain_len);
        let tag_colon = if domain_len == 0 { colon } else { colon_after_slash };
        let repo_end = tag_colon.unwrap_or(end);
        let path = &s[path_start..repo_end];
        if path.is_empty() {
            return Err(if domain_len == 0 {
                Problem::MissingName
            } else {
                Problem::MissingPath
            });
        }
        check_path(path)?;
        if repo_end < end {
            check_tag(&s[repo_end + 1..end])?;
        }
        if end < bytes.len() {
            check_digest(&s[end + 1..])?;
        }

        // The normalised name is at most `docker.io/library/` longer than the written one.
        if repo_end + DOCKER_HUB.len() + 1 + OFFICIAL_NAMESPACE.len() > NAME_TOTAL_LENGTH_MAX {
            let name_len = NameParts::new(&s[..domain_len], path).len();
            if name_len > NAME_TOTAL_LENGTH_MAX {
                return Err(Problem::NameTooLong(name_len));
            }
        }
        // Docker refuses a bare 64-character hex string: it is an image ID, not a name.
        if repo_end == bytes.len() && domain_len == 0 && is_image_id(bytes) {
            return Err(Problem::ImageId);
        }
        Ok(Layout {
            domain_len,
            repo_end,
            tag_end: end,
        })
    }
}

/// What is wrong with an invalid reference; its `Display` is the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Empty,
    Whitespace,
    Character { c: char, part: &'static str },
    MissingName,
    MissingPath,
    Uppercase,
    EmptyComponent,
    ComponentStart,
    ComponentEnd,
    Separator,
    NameTooLong(usize),
    ImageId,
    HostLabel,
    EmptyPort,
    Port,
    Ipv6,
    EmptyTag,
    TagTooLong(usize),
    TagStart,
    EmptyDigest,
    DigestSeparator,
    DigestAlgorithm,
    DigestHex { algorithm: &'static str, len: usize },
    DigestShort,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Problem::Empty => f.write_str("empty image reference"),
            Problem::Whitespace => f.write_str("whitespace is not allowed"),
            Problem::Character { c, part } => write!(f, "invalid character {c:?} in {part}"),
            Problem::MissingName => f.write_str("missing repository name"),
            Problem::MissingPath => f.write_str("missing repository path after the registry"),
            Problem::Uppercase => f.write_str("repository name must be lowercase"),
            Problem::EmptyComponent => {
                f.write_str("empty path component (a leading, trailing or doubled '/')")
            }
            Problem::ComponentStart => {
                f.write_str("path component must start with a lowercase letter or digit")
            }
            Problem::ComponentEnd => f.write_str("path component must end with a lowercase letter or digit"),
            Problem::Separator => f.write_str(
                "invalid separator in path component (use '.', '_', '__' or dashes between \
                 letters and digits)",
            ),
            Problem::NameTooLong(len) => write!(
                f,
                "normalised repository name is {len} characters long, more than \
                 {NAME_TOTAL_LENGTH_MAX}"
            ),
            Problem::ImageId => {
                f.write_str("a 64-character hex string is an image ID, not a repository name")
            }
            Problem::HostLabel => f.write_str(
                "invalid registry host (labels of letters, digits and inner dashes, separated \
                 by single dots)",
            ),
            Problem::EmptyPort => f.write_str("empty registry port"),
            Problem::Port => f.write_str("registry port must be digits"),
            Problem::Ipv6 => f.write_str("invalid IPv6 registry address (hex and ':' in brackets)"),
            Problem::EmptyTag => f.write_str("empty tag"),
            Problem::TagTooLong(len) => {
                write!(f, "tag is {len} characters long, more than {TAG_LENGTH_MAX}")
            }
            Problem::TagStart => f.write_str("tag must start with a letter, digit or '_'"),
            Problem::EmptyDigest => f.write_str("empty digest"),
            Problem::DigestSeparator => {
                f.write_str("invalid digest: expected algorithm:hex, such as sha256:…")
            }
            Problem::DigestAlgorithm => f.write_str(
                "invalid digest: the algorithm must be letters and digits, starting with a \
                 letter, joined by '+', '.', '_' or '-'",
            ),
            Problem::DigestHex { algorithm, len } => write!(
                f,
                "invalid digest: {algorithm} needs {len} lowercase hex characters"
            ),
            Problem::DigestShort => {
                f.write_str("invalid digest: needs at least 32 hex characters after the algorithm")
            }
        }
    }
}

/// The error for the reference `input`, quoting (a bounded excerpt of) it.
fn invalid(input: &str, problem: Problem) -> Error {
    invalid_part("", input, problem)
}

/// The error for `input`, a part of a reference such as `"tag "`, quoting (a bounded excerpt
/// of) it.
fn invalid_part(part: &str, input: &str, problem: Problem) -> Error {
    let excerpt = if input.len() > EXCERPT_MAX {
        let mut end = EXCERPT_MAX;
        while !input.is_char_boundary(end) {
            end -= 1;
        }
        format!("{:?}…", &input[..end])
    } else {
        format!("{input:?}")
    };
    Error::new(
        ErrorKind::InvalidImageReference,
        format!("{part}{excerpt}: {problem}"),
    )
}

fn char_at(s: &str, i: usize) -> char {
    s[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The problem with the character at byte `i` of `s`, which has no place in `part`.
fn unexpected(s: &str, i: usize, part: &'static str) -> Problem {
    match char_at(s, i) {
        c if c.is_whitespace() => Problem::Whitespace,
        c => Problem::Character { c, part },
    }
}

fn find(bytes: &[u8], needle: u8) -> Option<usize> {
    bytes.iter().position(|&b| b == needle)
}

// Byte classes, looked up in `CLASS`; a byte outside every class is never valid.
/// `a-z`
const LOWER: u8 = 1;
/// `A-Z`
const UPPER: u8 = 1 << 1;
/// `0-9`
const DIGIT: u8 = 1 << 2;
/// `.`
const DOT: u8 = 1 << 3;
/// `_` and `-`
const JOIN: u8 = 1 << 4;
/// `:`
const COLON: u8 = 1 << 5;
/// `/`, `:`, `@`, and bytes that never occur in a reference: the ones the main scan of
/// `name[:tag]` must look at.
const MARK: u8 = 1 << 6;
/// `+`, `[`, `]`: valid only in some parts.
const OTHER: u8 = 1 << 7;

const LOWER_ALNUM: u8 = LOWER | DIGIT;
const ALNUM: u8 = LOWER | UPPER | DIGIT;
/// Classes that make a first component a domain.
const DOMAIN_HINT: u8 = DOT | COLON | UPPER;

static CLASS: [u8; 256] = {
    let mut table = [MARK; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'a'..=b'z' => LOWER,
            b'A'..=b'Z' => UPPER,
            b'0'..=b'9' => DIGIT,
            b'.' => DOT,
            b'_' | b'-' => JOIN,
            b':' => COLON | MARK,
            b'/' | b'@' => MARK,
            b'+' | b'[' | b']' => OTHER,
            _ => MARK,
        };
        b += 1;
    }
    table
};

fn class(b: u8) -> u8 {
    CLASS[usize::from(b)]
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn is_image_id(bytes: &[u8]) -> bool {
    bytes.len() == 64 && bytes.iter().all(|&b| is_lower_hex(b))
}

/// `host[:port]`, where host is a dotted name or a bracketed IPv6 address.
fn check_domain(domain: &str) -> Result<(), Problem> {
    let bytes = domain.as_bytes();
    let port_at = if bytes.first() == Some(&b'[') {
        let close = find(bytes, b']').ok_or(Problem::Ipv6)?;
        let inner = &bytes[1..close];
        if inner.is_empty() || !inner.iter().all(|&b| b.is_ascii_hexdigit() || b == b':') {
            return Err(Problem::Ipv6);
        }
        match bytes.get(close + 1) {
            None => return Ok(()),
            Some(b':') => close + 1,
            Some(_) => return Err(Problem::Ipv6),
        }
    } else {
        let host_end = find(bytes, b':').unwrap_or(bytes.len());
        for label in bytes[..host_end].split(|&b| b == b'.') {
            let ok = match (label.first(), label.last()) {
                (Some(first), Some(last)) => {
                    first.is_ascii_alphanumeric()
                        && last.is_ascii_alphanumeric()
                        && label.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
                }
                _ => false,
            };
            if !ok {
                return Err(Problem::HostLabel);
            }
        }
        if host_end == bytes.len() {
            return Ok(());
        }
        host_end
    };
    let port = &bytes[port_at + 1..];
    if port.is_empty() {
        Err(Problem::EmptyPort)
    } else if port.iter().all(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err(Problem::Port)
    }
}

/// Path components joined by `/`; each `[a-z0-9]+ ((.|_|__|-+) [a-z0-9]+)*`.
fn check_path(path: &str) -> Result<(), Problem> {
    let bytes = path.as_bytes();
    if bytes.iter().any(u8::is_ascii_uppercase) {
        return Err(Problem::Uppercase);
    }
    for component in bytes.split(|&b| b == b'/') {
        check_component(component)?;
    }
    Ok(())
}

/// One path component. The caller has already rejected bytes outside the reference alphabet,
/// so every byte here is ASCII.
fn check_component(component: &[u8]) -> Result<(), Problem> {
    let n = component.len();
    if n == 0 {
        return Err(Problem::EmptyComponent);
    }
    let mut i = 0;
    loop {
        let run = i;
        while i < n && class(component[i]) & LOWER_ALNUM != 0 {
            i += 1;
        }
        if i == run {
            // Only at the start: every separator below is followed by a checked run.
            return Err(Problem::ComponentStart);
        }
        if i == n {
            return Ok(());
        }
        let sep = i;
        while i < n && class(component[i]) & (DOT | JOIN) != 0 {
            i += 1;
        }
        if i == sep {
            let c = char::from(component[i]);
            return Err(Problem::Character {
                c,
                part: "repository path",
            });
        }
        let separator = &component[sep..i];
        let valid = matches!(separator, b"." | b"_" | b"__") || separator.iter().all(|&b| b == b'-');
        if !valid {
            return Err(Problem::Separator);
        }
        if i == n {
            return Err(Problem::ComponentEnd);
        }
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), Problem> {
    let bytes = tag.as_bytes();
    let Some(&first) = bytes.first() else {
        return Err(Problem::EmptyTag);
    };
    if let Some(i) = bytes.iter().position(|&b| class(b) & (ALNUM | DOT | JOIN) == 0) {
        return Err(unexpected(tag, i, "tag"));
    }
    if !(class(first) & ALNUM != 0 || first == b'_') {
        return Err(Problem::TagStart);
    }
    if bytes.len() > TAG_LENGTH_MAX {
        return Err(Problem::TagTooLong(bytes.len()));
    }
    Ok(())
}

/// `algorithm:encoded`, with the lengths the registries' digest library requires.
fn check_digest(digest: &str) -> Result<(), Problem> {
    check_digest_parts(digest).map_err(|problem| {
        // A stray character (whitespace, a second '@') explains the failure best.
        let is_digest_byte = |b: u8| class(b) & (ALNUM | DOT | JOIN | COLON) != 0 || b == b'+';
        match digest.bytes().position(|b| !is_digest_byte(b)) {
            Some(i) => unexpected(digest, i, "digest"),
            None => problem,
        }
    })
}

fn check_digest_parts(digest: &str) -> Result<(), Problem> {
    if digest.is_empty() {
        return Err(Problem::EmptyDigest);
    }
    let colon = find(digest.as_bytes(), b':').ok_or(Problem::DigestSeparator)?;
    let (algorithm, encoded) = (&digest[..colon], &digest.as_bytes()[colon + 1..]);
    check_algorithm(algorithm.as_bytes())?;
    let exact = match algorithm {
        "sha256" => Some(("sha256", 64)),
        "sha384" => Some(("sha384", 96)),
        "sha512" => Some(("sha512", 128)),
        _ => None,
    };
    match exact {
        Some((algorithm, len)) => {
            if encoded.len() == len && encoded.iter().all(|&b| is_lower_hex(b)) {
                Ok(())
            } else {
                Err(Problem::DigestHex { algorithm, len })
            }
        }
        None if encoded.len() >= 32 && encoded.iter().all(u8::is_ascii_hexdigit) => Ok(()),
        None => Err(Problem::DigestShort),
    }
}

/// `[A-Za-z][A-Za-z0-9]*` components joined by one of `+ . _ -`.
fn check_algorithm(algorithm: &[u8]) -> Result<(), Problem> {
    let mut expect_start = true;
    for &b in algorithm {
        if expect_start {
            if !b.is_ascii_alphabetic() {
                return Err(Problem::DigestAlgorithm);
            }
            expect_start = false;
        } else if matches!(b, b'+' | b'.' | b'_' | b'-') {
            expect_start = true;
        } else if !b.is_ascii_alphanumeric() {
            return Err(Problem::DigestAlgorithm);
        }
    }
    if expect_start {
        Err(Problem::DigestAlgorithm)
    } else {
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = Error;

    /// Same as [`ImageRef::parse`].
    fn from_str(s: &str) -> Result<ImageRef> {
        ImageRef::parse(s)
    }
}

impl TryFrom<&str> for ImageRef {
    type Error = Error;

    /// Same as [`ImageRef::parse`].
    fn try_from(s: &str) -> Result<ImageRef> {
        ImageRef::parse(s)
    }
}

impl TryFrom<String> for ImageRef {
    type Error = Error;

    /// Same as [`ImageRef::parse`], reusing the string's buffer.
    fn try_from(s: String) -> Result<ImageRef> {
        ImageRef::parse_owned(s)
    }
}

impl From<ImageRef> for String {
    /// The reference as written.
    fn from(image: ImageRef) -> String {
        image.text
    }
}

impl fmt::Display for ImageRef {
    /// Writes the reference exactly as it was written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageRef")
            .field("domain", &self.domain())
            .field("path", &self.path())
            .field("tag", &self.tag())
            .field("digest", &self.digest())
            .finish()
    }
}

// Equality, hashing and ordering go by the text alone: the offsets follow from it.
impl PartialEq for ImageRef {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for ImageRef {}

impl Hash for ImageRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for ImageRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ImageRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.text.cmp(&other.text)
    }
}

impl Serialize for ImageRef {
    /// Serialises as the string as written.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ImageRef {
    /// Deserialises from a string, which must be a valid reference.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ImageRefVisitor;

        impl Visitor<'_> for ImageRefVisitor {
            type Value = ImageRef;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a container image reference string")
            }

            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<ImageRef, E> {
                ImageRef::parse(s).map_err(E::custom)
            }

            fn visit_string<E: de::Error>(self, s: String) -> std::result::Result<ImageRef, E> {
                ImageRef::parse_owned(s).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(ImageRefVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX64: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn parts(s: &str) -> (String, String, Option<String>, Option<String>) {
        let image = ImageRef::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let owned = |part: Option<&str>| part.map(str::to_owned);
        (
            image.domain().into(),
            image.path().into(),
            owned(image.tag()),
            owned(image.digest()),
        )
    }

    fn message(s: &str) -> String {
        let err = ImageRef::parse(s).expect_err(s);
        assert_eq!(err.kind(), ErrorKind::InvalidImageReference, "{s:?}");
        err.message().to_owned()
    }

    #[test]
    fn first_component_is_a_domain_only_when_it_looks_like_one() {
        let cases = [
            ("registry/app/x:1", "", "registry/app/x"),
            ("foo:5000/bar", "foo:5000", "bar"),
            ("foo.bar/baz", "foo.bar", "baz"),
            ("localhost/hello:v1.1", "localhost", "hello"),
            ("localhost", "", "localhost"),
            ("localhost:5000", "", "localhost"),
            ("localhostx/app", "", "localhostx/app"),
            ("Foo/bar", "Foo", "bar"),
            ("[::1]/bar", "[::1]", "bar"),
            ("a.b", "", "a.b"),
            ("a_b/c", "", "a_b/c"),
        ];
        for (input, domain, path) in cases {
            let (d, p, _, _) = parts(input);
            assert_eq!((d.as_str(), p.as_str()), (domain, path), "{input:?}");
        }
    }

    #[test]
    fn tag_and_digest_are_both_kept() {
        let input = format!("repo/img:tag@sha256:{HEX64}");
        let digest = format!("sha256:{HEX64}");
        let expected = (String::new(), "repo/img".into(), Some("tag".into()), Some(digest));
        assert_eq!(parts(&input), expected);
        let image = ImageRef::parse(&input).unwrap();
        assert_eq!(image.repository(), "repo/img");
        assert_eq!(image.to_string(), input);
    }

    #[test]
    fn display_is_the_text_as_written() {
        for s in [
            "nginx",
            "docker.io/nginx",
            "Registry.Example.COM/a:1",
            "index.docker.io/x/y",
        ] {
            assert_eq!(ImageRef::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let cases = [
            ("", "empty image reference"),
            ("Nginx", "repository name must be lowercase"),
            ("alpine:", "empty tag"),
            (
                "repo/img@sha256:",
                "invalid digest: sha256 needs 64 lowercase hex characters",
            ),
            ("a b", "whitespace"),
            ("repo//x", "empty path component"),
            ("a..b", "invalid separator"),
            ("-repo", "must start with"),
            ("repo_", "must end with"),
            ("a:b:c", "invalid character ':' in tag"),
            ("nginx@:abc", "algorithm"),
            ("repo@sha256", "algorithm:hex"),
            ("repo@sha256:abc@x", "invalid character '@' in digest"),
            ("foo:x/bar", "port"),
            (":tag", "missing repository name"),
            ("localhost:5000/:tag", "missing repository path"),
        ];
        for (input, expected) in cases {
            let message = message(input);
            assert!(
                message.contains(expected),
                "{input:?}: {message:?} lacks {expected:?}"
            );
            assert!(
                message.starts_with(&format!("{input:?}")),
                "{message:?} quotes the input"
            );
        }
    }

    #[test]
    fn whitespace_is_refused_anywhere() {
        let base = format!("quay.io/org/app:v1@sha256:{HEX64}");
        for ws in [" ", "\t", "\n", "\r", "\u{a0}", "\u{2003}"] {
            for i in (0..=base.len()).step_by(3) {
                let input = format!("{}{ws}{}", &base[..i], &base[i..]);
                assert!(message(&input).contains("whitespace"), "{input:?}");
            }
        }
    }

    #[test]
    fn tag_length_limit() {
        let tag = "t".repeat(TAG_LENGTH_MAX);
        assert_eq!(
            ImageRef::parse(&format!("a:{tag}")).unwrap().tag(),
            Some(tag.as_str())
        );
        assert!(message(&format!("a:{tag}x")).contains("more than 128"));
        assert!(
            ImageRef::parse("a")
                .unwrap()
                .with_tag(&format!("{tag}x"))
                .is_err()
        );
    }

    #[test]
    fn name_length_limit_counts_the_normalised_name() {
        // docker.io/library/ is 18 characters.
        let ok = "a".repeat(NAME_TOTAL_LENGTH_MAX - 18);
        assert_eq!(ImageRef::parse(&ok).unwrap().name().len(), NAME_TOTAL_LENGTH_MAX);
        assert!(message(&format!("{ok}a")).contains("more than 255"));
        let other = format!("example.com/{}", "b".repeat(NAME_TOTAL_LENGTH_MAX - 12));
        assert_eq!(
            ImageRef::parse(&other).unwrap().name().len(),
            NAME_TOTAL_LENGTH_MAX
        );
        assert!(ImageRef::parse(&format!("{other}b")).is_err());
        // Tags and digests do not count.
        let tagged = format!("{ok}:{}@sha256:{HEX64}", "t".repeat(128));
        assert!(ImageRef::parse(&tagged).is_ok());
    }

    #[test]
    fn digests() {
        let sha512 = format!("sha512:{}", "ab".repeat(64));
        let sha384 = format!("sha384:{}", "cd".repeat(48));
        let other = format!("multi.alg+x-y_z:{}", "AbCd".repeat(8));
        for digest in [&sha512, &sha384, &other] {
            let image = ImageRef::parse(&format!("app@{digest}")).unwrap();
            assert_eq!(image.digest(), Some(digest.as_str()));
        }
        let refused = [
            format!("sha256:{}", &HEX64[..63]),
            format!("sha256:{HEX64}0"),
            format!("sha256:{}", HEX64.to_uppercase()),
            format!("sha512:{HEX64}"),
            format!("sha384:{HEX64}"),
            format!("x:{}", "a".repeat(31)),
            format!("x:{}g", "a".repeat(32)),
            format!("x-:{HEX64}"),
            format!("-x:{HEX64}"),
            format!("x--y:{HEX64}"),
            format!("x::{HEX64}"),
            format!(":{HEX64}"),
            "sha256:".to_owned(),
            String::new(),
        ];
        let base = ImageRef::parse("app:1").unwrap();
        for digest in refused {
            assert!(ImageRef::parse(&format!("app@{digest}")).is_err(), "{digest:?}");
            let err = base.with_digest(&digest).expect_err(&digest);
            assert_eq!(err.code(), "invalid_image_reference");
            assert!(err.message().starts_with("digest "), "{}", err.message());
        }
    }

    #[test]
    fn domains() {
        let valid = [
            "a.b/c",
            "a-b.c-d/e",
            "A.B/c",
            "1.2.3.4/c",
            "h:1/c",
            "h.io:65535/c",
            "[::]/c",
            "[2001:DB8::1]:443/c",
        ];
        for input in valid {
            let result = ImageRef::parse(input);
            assert!(result.is_ok(), "{input:?}: {result:?}");
        }
        let invalid = [
            "a..b/c",
            ".a/c",
            "a./c",
            "-a.b/c",
            "a-.b/c",
            "a_b.c/c",
            "h:/c",
            "h:1a/c",
            "h:1:2/c",
            "[]/c",
            "[::1/c",
            "[fe80::1%25]/c",
            "[::1]x/c",
            "[::1]:/c",
            "[g::1]/c",
            "a.b:5000:/c",
            "MY_HOST/c",
        ];
        for input in invalid {
            assert!(ImageRef::parse(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn path_components() {
        let valid = [
            "a",
            "a.b",
            "a_b",
            "a__b",
            "a-b",
            "a---b",
            "a.b_c__d-e--f",
            "0",
            "a/b/c/d/e/f",
        ];
        for input in valid {
            assert_eq!(ImageRef::parse(input).unwrap().path(), input);
        }
        let invalid = [
            "a.", ".a", "a_", "_a", "a-", "-a", "a..b", "a___b", "a._b", "a-.b", "a_-b", "a/", "/a", "a//b",
            "a/B", "a+b", "a]b", "ab/-c", "ab/c.",
        ];
        for input in invalid {
            assert!(ImageRef::parse(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn image_ids_are_not_names() {
        assert!(message(HEX64).contains("image ID"));
        // With a tag, a domain, or not exactly 64 hex characters, it is an ordinary name.
        assert!(ImageRef::parse(&format!("{HEX64}:1")).is_ok());
        assert!(ImageRef::parse(&format!("example.com/{HEX64}")).is_ok());
        assert!(ImageRef::parse(&HEX64[..63]).is_ok());
    }

    #[test]
    fn name_and_same_repository_agree() {
        let inputs = [
            "nginx",
            "library/nginx",
            "docker.io/nginx",
            "DOCKER.IO/library/nginx:1",
            "index.docker.io/nginx",
            "library/library/nginx",
            "library",
            "docker.io/library",
            "quay.io/nginx",
            "Quay.io/nginx",
            "quay.io/library/nginx",
            "localhost/nginx",
            "a/b",
            "docker.io/a/b",
            "registry-1.docker.io/nginx",
        ];
        let images: Vec<ImageRef> = inputs.iter().map(|s| ImageRef::parse(s).unwrap()).collect();
        for a in &images {
            for b in &images {
                assert_eq!(a.same_repository(b), a.name() == b.name(), "{a} vs {b}");
            }
        }
        assert_eq!(images[3].name(), "docker.io/library/nginx");
        assert_eq!(images[5].name(), "docker.io/library/library/nginx");
        assert_eq!(images[6].name(), "docker.io/library/library");
        assert_eq!(images[9].name(), "quay.io/nginx");
        assert_eq!(images[14].name(), "registry-1.docker.io/nginx");
    }

    #[test]
    fn with_tag_drops_the_digest_and_with_digest_keeps_the_tag() {
        let retagged = ImageRef::parse("nginx").unwrap().with_tag("1.10-alpine").unwrap();
        assert_eq!(retagged.to_string(), "nginx:1.10-alpine");
        let image = ImageRef::parse(&format!("Host.io:5000/a/b:1@sha256:{HEX64}")).unwrap();
        let tagged = image.with_tag("2").unwrap();
        assert_eq!(tagged.to_string(), "Host.io:5000/a/b:2");
        assert_eq!(
            (tagged.domain(), tagged.path(), tagged.digest()),
            ("Host.io:5000", "a/b", None)
        );
        let digest = format!("sha512:{}", "0".repeat(128));
        let pinned = tagged.with_digest(&digest).unwrap();
        assert_eq!(pinned.to_string(), format!("Host.io:5000/a/b:2@{digest}"));
        let shown = pinned.to_string();
        assert_eq!(pinned, ImageRef::parse(&shown).unwrap());
        let err = image.with_tag("a b").unwrap_err();
        assert_eq!(err.message(), "tag \"a b\": whitespace is not allowed");
        for tag in ["", ":", "-a", ".a", "a/b", "a@b", "é"] {
            assert!(image.with_tag(tag).is_err(), "{tag:?}");
        }
    }

    #[test]
    fn equality_hash_and_order_follow_the_text() {
        use std::collections::HashSet;
        let a = ImageRef::parse("nginx").unwrap();
        let b = ImageRef::parse("docker.io/library/nginx").unwrap();
        assert_ne!(a, b);
        assert!(a.same_repository(&b));
        let set: HashSet<ImageRef> = [a.clone(), a.clone(), b.clone()].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(b < a);
        assert_eq!(
            format!("{a:?}"),
            r#"ImageRef { domain: "", path: "nginx", tag: None, digest: None }"#
        );
        assert_eq!(String::from(a.clone()), "nginx");
        assert_eq!(ImageRef::try_from("nginx".to_owned()).unwrap(), a);
        assert_eq!(ImageRef::try_from("nginx").unwrap(), a);
    }

    #[test]
    fn long_inputs_are_quoted_with_an_excerpt() {
        let input = format!("{}é{}", "A".repeat(EXCERPT_MAX - 1), "b".repeat(1000));
        let message = message(&input);
        assert!(message.len() < 300, "{message}");
        assert!(message.contains('…'));
    }

    /// A small deterministic generator (xorshift), so the tests need no extra crates.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }

        fn pick(&mut self, from: &[u8]) -> u8 {
            from[self.below(from.len())]
        }

        fn run(&mut self, from: &[u8], min: usize, max: usize) -> String {
            let len = min + self.below(max - min + 1);
            (0..len).map(|_| char::from(self.pick(from))).collect()
        }
    }

    const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const HEX: &[u8] = b"0123456789abcdef";

    fn gen_component(rng: &mut Rng, allow_dot: bool) -> String {
        let mut out = rng.run(LOWER_ALNUM, 1, 4);
        for _ in 0..rng.below(3) {
            let separators: &[&str] = if allow_dot {
                &[".", "_", "__", "-", "--", "---"]
            } else {
                &["_", "__", "-", "--"]
            };
            out.push_str(separators[rng.below(separators.len())]);
            out.push_str(&rng.run(LOWER_ALNUM, 1, 4));
        }
        out
    }

    fn gen_domain(rng: &mut Rng) -> String {
        let mut host = if rng.chance(15) {
            format!(
                "[{}::{}]",
                rng.run(b"0123456789abcdefABCDEF", 1, 4),
                rng.run(HEX, 0, 4)
            )
        } else if rng.chance(10) {
            "localhost".to_owned()
        } else {
            let labels = 1 + rng.below(3);
            let mut host = String::new();
            for i in 0..labels {
                if i > 0 {
                    host.push('.');
                }
                host.push(char::from(rng.pick(ALNUM)));
                if rng.chance(50) {
                    host.push_str(&rng.run(b"abcXYZ019-", 0, 4));
                    host.push(char::from(rng.pick(ALNUM)));
                }
            }
            host
        };
        let looks = host == "localhost" || host.bytes().any(|b| matches!(b, b'.' | b':' | b'A'..=b'Z'));
        if !looks || rng.chance(30) {
            host.push(':');
            host.push_str(&rng.run(b"0123456789", 1, 5));
        }
        host
    }

    fn gen_digest(rng: &mut Rng) -> String {
        match rng.below(4) {
            0 => format!("sha256:{}", rng.run(HEX, 64, 64)),
            1 => format!("sha512:{}", rng.run(HEX, 128, 128)),
            2 => format!("sha384:{}", rng.run(HEX, 96, 96)),
            _ => format!(
                "x{}.y+z:{}",
                rng.run(ALNUM, 0, 3),
                rng.run(b"0123456789abcdefABCDEF", 32, 70)
            ),
        }
    }

    #[test]
    fn generated_references_parse_into_their_parts() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let domain = if rng.chance(50) {
                gen_domain(&mut rng)
            } else {
                String::new()
            };
            let components = 1 + rng.below(4);
            let path = (0..components)
                .map(|i| {
                    // Without a domain, a first component with a '.' would be read as one.
                    let first_of_many = i == 0 && components > 1 && domain.is_empty();
                    let c = gen_component(&mut rng, !first_of_many);
                    if first_of_many && c == "localhost" {
                        "x".to_owned()
                    } else {
                        c
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let tag = rng.chance(60).then(|| {
                let mut tag = String::from(char::from(rng.pick(b"aZ9_")));
                tag.push_str(&rng.run(b"aZ9_.-", 0, 20));
                tag
            });
            let digest = rng.chance(30).then(|| gen_digest(&mut rng));

            let mut input = domain.clone();
            if !input.is_empty() {
                input.push('/');
            }
            input.push_str(&path);
            if let Some(tag) = &tag {
                input.push(':');
                input.push_str(tag);
            }
            if let Some(digest) = &digest {
                input.push('@');
                input.push_str(digest);
            }
            let image = ImageRef::parse(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(image.domain(), domain, "{input:?}");
            assert_eq!(image.path(), path, "{input:?}");
            assert_eq!(image.tag(), tag.as_deref(), "{input:?}");
            assert_eq!(image.digest(), digest.as_deref(), "{input:?}");
            assert_eq!(image.to_string(), input);
        }
    }

    #[test]
    fn random_and_mutated_inputs_never_panic_and_round_trip() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let seeds = [
            format!("quay.io:443/org/a__b/c-d.e:v1_2@sha256:{HEX64}"),
            "[::1]:5000/x".to_owned(),
            "nginx:1.10-alpine".to_owned(),
            "registry/app/x:1".to_owned(),
        ];
        let alphabet = b"aZ09._-/:@[]+ \t";
        let mut accepted = 0;
        for round in 0..50_000 {
            let input = if round % 2 == 0 {
                let mut bytes = seeds[rng.below(seeds.len())].clone().into_bytes();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(bytes.len() + 1);
                    match rng.below(3) {
                        0 => bytes.insert(at, rng.pick(alphabet)),
                        1 if at < bytes.len() => {
                            bytes.remove(at);
                        }
                        _ if at < bytes.len() => bytes[at] = rng.pick(alphabet),
                        _ => {}
                    }
                }
                String::from_utf8(bytes).unwrap()
            } else {
                let len = rng.below(24);
                (0..len).map(|_| char::from(rng.pick(alphabet))).collect()
            };
            let Ok(image) = ImageRef::parse(&input) else {
                continue;
            };
            accepted += 1;
            // The parts put back together give the input.
            let mut rebuilt = image.repository().to_owned();
            if let Some(tag) = image.tag() {
                rebuilt = format!("{rebuilt}:{tag}");
            }
            if let Some(digest) = image.digest() {
                rebuilt = format!("{rebuilt}@{digest}");
            }
            assert_eq!(rebuilt, input);
            assert!(!image.path().is_empty() && !image.path().bytes().any(|b| b.is_ascii_uppercase()));
            assert!(
                image
                    .tag()
                    .is_none_or(|t| !t.is_empty() && t.len() <= TAG_LENGTH_MAX)
            );
            assert!(image.name().len() <= NAME_TOTAL_LENGTH_MAX);
            assert_eq!(ImageRef::parse(image.as_str()).unwrap(), image);
        }
        assert!(
            accepted > 1_000,
            "the generator should produce valid references too: {accepted}"
        );
    }
}
