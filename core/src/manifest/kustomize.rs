//! Kustomize overlays (DESIGN.md section 6): reading a `kustomization.yaml` the way kustomize
//! reads the parts that decide image fields (`resources:`, legacy `bases:`, `namespace:`,
//! `images:` and its legacy twin `imageTags:`), and editing its `images:` entries under the
//! rewrite contract.
//!
//! An `images:` entry does what kustomize's image transformer does (kustomize v5, as built into
//! `kubectl`):
//!
//! - `name` is not compared literally: it is a Go regular expression, embedded unescaped in
//!   `^NAME(:TAG)?(@DIGEST)?$` and matched against the whole image value. A `.` in
//!   `registry.acme.io` matches any character; `acme/(users|orders)` matches both; a `name` that
//!   carries a tag or a digest (`acme/users:1.3.0`, `acme/users@sha256:...`) matches only that
//!   reference. There is no normalisation: `nginx` does not match `docker.io/library/nginx`.
//! - The matched value is split at the first `:` or `@` after its first `/`; `newName` replaces
//!   the name; `newTag` and `digest` together give `name:newTag@digest`, `newTag` alone drops the
//!   digest, `digest` alone drops the tag; only when neither is set, `tagSuffix` is appended to
//!   the tag (an empty tag included) and the digest is dropped.
//! - Each entry runs twice over the pod specs kustomize knows by path (`spec` of a Pod,
//!   `spec.template.spec` of every other kind) and once over the others (a CronJob's): a
//!   `tagSuffix` is appended twice to a Deployment's image, once to a CronJob's.
//!
//! Where relman cannot tell what kustomize renders, it says so instead of guessing: a `name`
//! that uses regular-expression syntax outside the subset where Go's and Rust's engines agree,
//! or a value the kustomize versions match differently (a digest other than sha256), refuses
//! the slot with the entry's location ([`ImagesEntry::matches`]).

use regex::Regex;

use crate::error::{Error, ErrorKind, Result};
use crate::image::ImageRef;
use crate::repo_path::RepoPath;
use crate::yaml::{AtNode, Node, NodeKind, Patch, Path, ScalarStyle, Step, Stream, dash_column};

/// The file names kustomize looks for in a directory, in its order of preference.
pub const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The tag part of kustomize's match pattern (kustomize v5).
const TAG_PATTERN: &str = "(:[a-zA-Z0-9_.{}-]*)?";
/// The digest part as kustomize up to v5.7 matches it (only sha256 digests), `kubectl`'s.
const DIGEST_PATTERN_SHA256: &str = "(@sha256:[a-zA-Z0-9_.{}-]*)?";
/// The digest part as later kustomize matches it (any algorithm of the OCI grammar).
const DIGEST_PATTERN_ANY: &str = "(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?";

/// How an `images:` entry's `name` matches image values.
#[derive(Debug, Clone)]
enum Pattern {
    /// The pattern as `kubectl`'s kustomize builds it (sha256 digests only) and as later
    /// kustomize builds it (any digest algorithm).
    Compiled { sha256: Regex, any: Regex },
    /// A name relman cannot match as kustomize would, and why.
    Unmodelled(String),
}

impl Pattern {
    fn new(name: &str) -> Pattern {
        if let Some(why) = unmodelled_syntax(name) {
            return Pattern::Unmodelled(why);
        }
        let compile = |digest: &str| {
            regex::RegexBuilder::new(&format!("^{name}{TAG_PATTERN}{digest}$"))
                .size_limit(1 << 20)
                .build()
        };
        match (compile(DIGEST_PATTERN_SHA256), compile(DIGEST_PATTERN_ANY)) {
            (Ok(sha256), Ok(any)) => Pattern::Compiled { sha256, any },
            (Err(e), _) | (_, Err(e)) => Pattern::Unmodelled(format!(
                "relman cannot compile it as kustomize would ({})",
                e.to_string().lines().last().unwrap_or_default().trim()
            )),
        }
    }
}

/// Why `name`, read as kustomize reads it (a Go regular expression), is outside the syntax
/// relman matches exactly as Go's engine does; `None` when inside.
///
/// Inside: literal characters, `.`, `^`, `$`, `|`, groups `(...)` and `(?:...)`, the
/// repetitions `*`, `+`, `?` (with a lazy `?`), a backslash before ASCII punctuation (but not
/// `<` or `>`), and character classes `[...]` / `[^...]` of plain characters and ranges. Outside
/// (the engines differ or Go refuses the pattern): other escapes (`\d`, `\w`, `\b` and the like
/// are ASCII in Go and Unicode in Rust), counted repetitions and braces, flags `(?i)`, named
/// groups, nested or set-operation classes, unbalanced parentheses, repetitions of nothing.
fn unmodelled_syntax(name: &str) -> Option<String> {
    #[derive(PartialEq)]
    enum Prev {
        /// Start of the pattern, of a group or of an alternative.
        Start,
        /// Something a repetition can apply to.
        Atom,
        /// An anchor or an empty group: relman does not repeat those.
        Empty,
        /// A repetition operator.
        Repeat,
        /// A lazy repetition operator (`*?`).
        Lazy,
    }
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    let mut depth = 0usize;
    let mut prev = Prev::Start;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let next = chars.get(i + 1).copied();
                match next {
                    Some(n) if n.is_ascii_punctuation() && n != '<' && n != '>' => {}
                    Some(n) => {
                        return Some(format!(
                            "the escape `\\{n}` (Go and Rust read escapes differently)"
                        ));
                    }
                    None => return Some("a trailing backslash (Go refuses the pattern)".into()),
                }
                i += 2;
                prev = Prev::Atom;
                continue;
            }
            '[' => {
                let mut j = i + 1;
                if chars.get(j) == Some(&'^') {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    return Some("a character class that starts with `]`".into());
                }
                loop {
                    match chars.get(j) {
                        None => return Some("an unterminated character class `[`".into()),
                        Some(']') => break,
                        Some('[') | Some('\\') => {
                            return Some("`[` or `\\` inside a character class".into());
                        }
                        Some(&d) if matches!(d, '&' | '-' | '~') && chars.get(j + 1) == Some(&d) => {
                            return Some(format!("`{d}{d}` inside a character class"));
                        }
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
                prev = Prev::Atom;
                continue;
            }
            '(' => {
                if chars.get(i + 1) == Some(&'?') {
                    if chars.get(i + 2) != Some(&':') {
                        return Some("a group with flags or a name `(?`".into());
                    }
                    i += 2;
                }
                depth += 1;
                prev = Prev::Start;
            }
            ')' => {
                if depth == 0 {
                    return Some("an unbalanced `)` (Go refuses the pattern)".into());
                }
                depth -= 1;
                prev = if prev == Prev::Start {
                    Prev::Empty
                } else {
                    Prev::Atom
                };
            }
            '*' | '+' | '?' => {
                prev = match prev {
                    Prev::Atom => Prev::Repeat,
                    Prev::Repeat if c == '?' => Prev::Lazy,
                    _ => {
                        return Some(format!(
                            "the repetition `{c}` after nothing repeatable or after another repetition"
                        ));
                    }
                };
            }
            '{' | '}' => return Some("braces (counted repetitions)".into()),
            '|' => prev = Prev::Start,
            '^' | '$' => prev = Prev::Empty,
            _ => prev = Prev::Atom,
        }
        i += 1;
    }
    if depth > 0 {
        return Some("an unbalanced `(` (Go refuses the pattern)".into());
    }
    None
}

/// One entry of a kustomization's `images:` (or legacy `imageTags:`) list.
#[derive(Debug, Clone)]
pub(crate) struct ImagesEntry {
    /// `name`: a pattern, as kustomize reads it (empty when the entry has none).
    pub name: String,
    pattern: Pattern,
    /// `newName`.
    pub new_name: Option<String>,
    /// `newTag`.
    pub new_tag: Option<String>,
    /// `digest`.
    pub digest: Option<String>,
    /// `tagSuffix`.
    pub tag_suffix: Option<String>,
    /// Address of the entry's mapping.
    pub path: Path,
    /// 1-based line of the entry.
    pub line: usize,
    /// 1-based column of the entry.
    pub column: usize,
}

/// A value kustomize's transformer handles in a way relman does not model: why, and where the
/// entry is (line and column of the entry in its kustomization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unmodelled {
    /// Why relman cannot tell what kustomize renders.
    pub why: String,
    /// 1-based line of the entry.
    pub line: usize,
    /// 1-based column of the entry.
    pub column: usize,
}

impl ImagesEntry {
    /// An entry written by relman (or simulated): `name` and the fields, at no place in a file.
    pub fn detached(
        name: &str,
        new_name: Option<String>,
        new_tag: Option<String>,
        digest: Option<String>,
        tag_suffix: Option<String>,
    ) -> ImagesEntry {
        ImagesEntry {
            name: name.to_string(),
            pattern: Pattern::new(name),
            new_name,
            new_tag,
            digest,
            tag_suffix,
            path: Path::root(0),
            line: 0,
            column: 0,
        }
    }

    /// Whether the entry's `tagSuffix` takes effect: kustomize ignores it when `newTag` or
    /// `digest` is set.
    pub fn suffix_applies(&self) -> bool {
        self.tag_suffix.is_some() && self.new_tag.is_none() && self.digest.is_none()
    }

    /// Whether the entry changes anything in a value it matches (beyond kustomize's
    /// normalisation of an empty tag).
    pub fn decides(&self) -> bool {
        self.new_name.is_some()
            || self.new_tag.is_some()
            || self.digest.is_some()
            || self.tag_suffix.is_some()
    }

    /// Whether kustomize applies the entry to `value`. `Err` when relman cannot tell: a name
    /// outside the modelled syntax, or a value that kustomize versions match differently.
    pub fn matches(&self, value: &str) -> std::result::Result<bool, Unmodelled> {
        let refuse = |why: String| Unmodelled {
            why,
            line: self.line,
            column: self.column,
        };
        match &self.pattern {
            Pattern::Compiled { sha256, any } => {
                let (old, new) = (sha256.is_match(value), any.is_match(value));
                if old != new {
                    return Err(refuse(format!(
                        "kustomize versions disagree on whether the `images:` entry `{}` applies to `{value}` (before v5.8 only sha256 digests match)",
                        self.name
                    )));
                }
                Ok(old)
            }
            Pattern::Unmodelled(why) => Err(refuse(format!(
                "the `images:` entry name `{}` is a regular expression for kustomize, and relman does not model {why}",
                self.name
            ))),
        }
    }

    /// What kustomize's transformer makes of `value` once it matched.
    pub fn transform(&self, value: &str) -> String {
        let (name, tag, digest) = split(value);
        let name = self.new_name.as_deref().unwrap_or(name);
        let (tag, digest) = match (&self.new_tag, &self.digest, &self.tag_suffix) {
            (Some(t), Some(d), _) => (t.clone(), d.as_str()),
            (Some(t), None, _) => (t.clone(), ""),
            (None, Some(d), _) => (String::new(), d.as_str()),
            (None, None, Some(s)) => (format!("{tag}{s}"), ""),
            (None, None, None) => (tag.to_string(), digest),
        };
        let mut out = name.to_string();
        if !tag.is_empty() {
            out.push(':');
            out.push_str(&tag);
        }
        if !digest.is_empty() {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// `value` after the entry runs `passes` times over it (see the module documentation), and
    /// whether it matched at least once.
    pub fn apply(&self, value: &str, passes: usize) -> std::result::Result<(String, bool), Unmodelled> {
        let mut value = value.to_string();
        let mut matched = false;
        for _ in 0..passes {
            if self.matches(&value)? {
                value = self.transform(&value);
                matched = true;
            }
        }
        Ok((value, matched))
    }
}

/// Split an image value into name, tag and digest exactly as kustomize does: the first `@` or
/// `:` after the first `/` (or anywhere, without a `/` past the first byte) ends the name; a
/// part that is absent is empty.
pub(crate) fn split(value: &str) -> (&str, &str, &str) {
    let slash = match value.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &value[slash..];
    let at = search.find('@').map(|i| i + slash);
    let colon = search.find(':').map(|i| i + slash);
    match (colon, at) {
        (None, None) => (value, "", ""),
        (Some(c), Some(a)) if c < a => (&value[..c], &value[c + 1..a], &value[a + 1..]),
        (_, Some(a)) => (&value[..a], "", &value[a + 1..]),
        (Some(c), None) => (&value[..c], &value[c + 1..], ""),
    }
}

/// A path named by a kustomization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceRef {
    /// As written.
    pub entry: String,
    /// The key it is listed under (`resources`, `bases`, `components`, `patches`...).
    pub key: &'static str,
    /// 1-based line of the entry.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// What relman reads of a kustomization file.
#[derive(Debug, Clone)]
pub(crate) struct Kustomization {
    /// `resources:` then `bases:`, in order.
    pub resources: Vec<ResourceRef>,
    /// Paths named by the other keys relman does not follow (`components`, patch files,
    /// generator files...); checked, not read.
    pub other_paths: Vec<ResourceRef>,
    /// `namespace:`.
    pub namespace: Option<String>,
    /// The image entries in the order kustomize applies them: `images:`, then `imageTags:`.
    pub images: Vec<ImagesEntry>,
    /// How many of `images` come from `images:` (a new entry goes after them).
    pub images_count: usize,
    /// Address of the `images:` sequence, when present.
    pub images_path: Option<Path>,
    /// Whether the file writes sequence items indented under their key (`key:\n  - x`), judged
    /// from its first block sequence.
    pub indented_sequences: bool,
    /// Keys relman does not read that can change images or names (`patches`, `namePrefix`...).
    pub unread: Vec<String>,
    /// `commonAnnotations`, in order: key, value (null reads as `""`, as kustomize decodes it).
    pub common_annotations: Vec<(String, String)>,
    /// Keys relman does not read that can change the annotations of the objects below
    /// (`patches`, `replacements`, `components`...): a policy relman reads for them may not be
    /// the one kustomize renders (DESIGN.md sections 6 and 7).
    pub annotations_unread: Vec<String>,
}

impl Kustomization {
    /// This kustomization with `entry` added where relman adds one (after the `images:` list).
    pub fn with_new_entry(&self, entry: ImagesEntry) -> Kustomization {
        let mut k = self.clone();
        k.images.insert(k.images_count, entry);
        k.images_count += 1;
        k
    }
}

/// Keys of a kustomization that relman does not read but that can change what it renders.
const UNREAD_KEYS: [&str; 15] = [
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "components",
    "namePrefix",
    "nameSuffix",
    "replacements",
    "vars",
    "helmCharts",
    "helmChartInflationGenerator",
    "transformers",
    "generators",
    "replicas",
    "configurations",
    "crds",
];

/// Keys of a kustomization that can change the annotations of the objects it renders, and that
/// relman does not model: patches of every form, replacements and vars (they write any field),
/// components (kustomizations of their own) and transformer plugins.
const ANNOTATION_KEYS: [&str; 7] = [
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "replacements",
    "vars",
    "components",
    "transformers",
];

/// Every field of a kustomization (kustomize v5). Kustomize matches field names without
/// regard to case (Go's JSON decoding), so a key that is one of these in another case is read
/// as it; relman refuses such keys instead of reading them differently.
const KUSTOMIZATION_FIELDS: [&str; 36] = [
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
    "status",
    "fields",
];

/// The fields of an `images:` entry.
const IMAGE_FIELDS: [&str; 5] = ["name", "newName", "newTag", "digest", "tagSuffix"];

/// A character folded as Go's JSON decoding compares field names (simple Unicode case folding:
/// the Kelvin sign is a `k`, the long s an `s`).
fn fold(c: char) -> char {
    match c {
        '\u{212A}' => 'k',
        '\u{17F}' => 's',
        c => c.to_ascii_lowercase(),
    }
}

/// `Some(field)` when `key` is `field` written in another case (kustomize reads it as `field`).
fn case_variant<'f>(key: &str, fields: &[&'f str]) -> Option<&'f str> {
    if fields.contains(&key) {
        return None;
    }
    fields
        .iter()
        .copied()
        .find(|f| f.chars().map(fold).eq(key.chars().map(fold)))
}

/// Whether a plain scalar is something other than a string for kustomize's YAML decoding, which
/// then refuses the kustomization (`newTag: 1.10` is a number). Timestamps, `<<` and `=` stay
/// strings there; null is absence, handled by the caller.
fn plain_is_non_string(value: &str) -> bool {
    let timestamp = value.len() >= 8
        && value.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && value.as_bytes()[4] == b'-';
    !crate::yaml::plain_is_string(value, false) && !timestamp && value != "<<" && value != "="
}

fn is_null(node: &Node<'_>) -> bool {
    matches!(&node.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain }
        if node.tag().is_none() && matches!(*value, "" | "~" | "null" | "Null" | "NULL"))
}

/// The string a kustomization field holds, as kustomize decodes it: `None` for null; errors
/// (`invalid_yaml`, located) for a number, a boolean, a collection; `unsupported_yaml` for an
/// alias.
fn string_value(stream: &Stream<'_>, node: &Node<'_>, file: &str, what: &str) -> Result<Option<String>> {
    let located =
        |kind: ErrorKind, message: String| Error::new(kind, message).in_file(file).at_node(stream, node);
    match &node.kind {
        NodeKind::Scalar { .. } if is_null(node) => Ok(None),
        NodeKind::Scalar { value, style } => {
            let tag = node.tag();
            let string_tag = matches!(tag, Some("!!str") | Some("tag:yaml.org,2002:str"));
            if (tag.is_some() && !string_tag)
                || (tag.is_none() && *style == ScalarStyle::Plain && plain_is_non_string(value))
            {
                return Err(located(
                    ErrorKind::InvalidYaml,
                    format!(
                        "{what} `{value}` is not a string for kustomize (it refuses the kustomization); quote it"
                    ),
                ));
            }
            Ok(Some(value.to_string()))
        }
        NodeKind::Alias { anchor } => Err(located(
            ErrorKind::UnsupportedYaml,
            format!("{what} is an alias (*{anchor}); relman does not read kustomizations through aliases"),
        )),
        _ => Err(located(
            ErrorKind::InvalidYaml,
            format!("{what} must be a string"),
        )),
    }
}

/// `commonAnnotations` as kustomize decodes it (a map of strings): a key given twice,
/// a value that is not a string, a collection are refused, located.
fn common_annotations(stream: &Stream<'_>, node: &Node<'_>, file: &str) -> Result<Vec<(String, String)>> {
    if is_null(node) {
        return Ok(Vec::new());
    }
    let Some(entries) = node.entries() else {
        return Err(Error::new(
            ErrorKind::InvalidYaml,
            "`commonAnnotations` must be a mapping of strings".to_string(),
        )
        .in_file(file)
        .at_node(stream, node));
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for e in entries {
        let key = string_value(stream, &e.key, file, "a key of `commonAnnotations`")?.unwrap_or_default();
        node.unique_key(stream, &key).map_err(|e| e.in_file(file))?;
        let value = string_value(stream, &e.value, file, &format!("`commonAnnotations` `{key}`"))?
            .unwrap_or_default();
        out.push((key, value));
    }
    Ok(out)
}

fn strings(stream: &Stream<'_>, node: &Node<'_>, file: &str, key: &'static str) -> Result<Vec<ResourceRef>> {
    if is_null(node) {
        return Ok(Vec::new());
    }
    let Some(items) = node.items() else {
        return Err(
            Error::new(ErrorKind::InvalidYaml, format!("`{key}` must be a list of paths"))
                .in_file(file)
                .at_node(stream, node),
        );
    };
    let mut out = Vec::new();
    for item in items {
        let (line, column) = stream.line_col(item);
        match string_value(stream, item, file, &format!("an entry of `{key}`"))? {
            Some(entry) => out.push(ResourceRef {
                entry,
                key,
                line,
                column,
            }),
            None => {
                return Err(
                    Error::new(ErrorKind::InvalidYaml, format!("an entry of `{key}` is empty"))
                        .in_file(file)
                        .at(line, column),
                );
            }
        }
    }
    Ok(out)
}

/// The paths named by the keys relman does not follow, for checking: lists of paths (an inline
/// YAML document, written on several lines, is not a path), `path:` of patches and
/// replacements, generator files (`key=path`), Helm values files and chart home, OpenAPI schema.
fn other_paths(stream: &Stream<'_>, key: &'static str, value: &Node<'_>, out: &mut Vec<ResourceRef>) {
    let mut push = |node: &Node<'_>, strip_key: bool| {
        if let Some(text) = node.as_str() {
            let text = if strip_key {
                text.split_once('=').map_or(text, |(_, p)| p)
            } else {
                text
            };
            if !text.is_empty() && !text.contains('\n') && !is_remote(text) {
                let (line, column) = stream.line_col(node);
                out.push(ResourceRef {
                    entry: text.to_string(),
                    key,
                    line,
                    column,
                });
            }
        }
    };
    let items = value.items().unwrap_or_default();
    match key {
        "components"
        | "configurations"
        | "crds"
        | "patchesStrategicMerge"
        | "transformers"
        | "generators"
        | "validators" => items.iter().for_each(|i| push(i, false)),
        "patches" | "patchesJson6902" | "replacements" => {
            items
                .iter()
                .filter_map(|i| i.get("path"))
                .for_each(|p| push(p, false));
        }
        "configMapGenerator" | "secretGenerator" => {
            for item in items {
                for field in ["files", "envs"] {
                    for f in item.get(field).and_then(Node::items).unwrap_or_default() {
                        push(f, field == "files");
                    }
                }
                if let Some(env) = item.get("env") {
                    push(env, false);
                }
            }
        }
        "helmCharts" => items
            .iter()
            .filter_map(|i| i.get("valuesFile"))
            .for_each(|p| push(p, false)),
        "helmGlobals" => {
            if let Some(p) = value.get("chartHome") {
                push(p, false);
            }
        }
        "openapi" => {
            if let Some(p) = value.get("path") {
                push(p, false);
            }
        }
        _ => {}
    }
}

/// Read one `images:` (or `imageTags:`) entry.
fn read_entry(
    stream: &Stream<'_>,
    item: &Node<'_>,
    path: Path,
    file: &str,
    key: &str,
) -> Result<ImagesEntry> {
    let located = |kind: ErrorKind, node: &Node<'_>, message: String| {
        Error::new(kind, message).in_file(file).at_node(stream, node)
    };
    let Some(entries) = item.entries() else {
        return Err(located(
            ErrorKind::InvalidYaml,
            item,
            format!("an entry of `{key}` must be a mapping (name, newName, newTag, digest, tagSuffix)"),
        ));
    };
    let mut fields: [Option<String>; 5] = Default::default();
    for e in entries {
        let k = e.key.as_str().unwrap_or_default();
        let Some(index) = IMAGE_FIELDS.iter().position(|f| *f == k) else {
            if let Some(field) = case_variant(k, &IMAGE_FIELDS) {
                return Err(located(
                    ErrorKind::UnsupportedYaml,
                    &e.key,
                    format!(
                        "kustomize reads `{k}` as `{field}` (it ignores the case of field names); write `{field}`"
                    ),
                ));
            }
            return Err(located(
                ErrorKind::InvalidYaml,
                &e.key,
                format!("unknown field `{k}` in an `{key}` entry (kustomize refuses it)"),
            ));
        };
        item.unique_key(stream, k).map_err(|e| e.in_file(file))?;
        fields[index] = string_value(stream, &e.value, file, &format!("`{k}`"))?.filter(|s| !s.is_empty());
    }
    let [name, new_name, new_tag, digest, tag_suffix] = fields;
    let name = name.unwrap_or_default();
    let (line, column) = stream.line_col(item);
    Ok(ImagesEntry {
        pattern: Pattern::new(&name),
        name,
        new_name,
        new_tag,
        digest,
        tag_suffix,
        path,
        line,
        column,
    })
}

/// Read the kustomization in `stream` (the file `file`).
///
/// Errors, located: `invalid_yaml` for what kustomize itself refuses (not a mapping, a field of
/// the wrong type, an unknown `images:` field) and for a duplicated key relman reads;
/// `unsupported_yaml` for a key kustomize reads in another case (`Images:`) and for aliases.
pub(crate) fn read(stream: &Stream<'_>, file: &str) -> Result<Kustomization> {
    let invalid = |node: &Node<'_>, message: String| {
        Error::new(ErrorKind::InvalidYaml, message)
            .in_file(file)
            .at_node(stream, node)
    };
    let doc = stream
        .documents
        .first()
        .ok_or_else(|| Error::new(ErrorKind::InvalidYaml, "empty kustomization").in_file(file))?;
    let root = &doc.root;
    let mut k = Kustomization {
        resources: Vec::new(),
        other_paths: Vec::new(),
        namespace: None,
        images: Vec::new(),
        images_count: 0,
        images_path: None,
        indented_sequences: false,
        unread: Vec::new(),
        common_annotations: Vec::new(),
        annotations_unread: Vec::new(),
    };
    let Some(entries) = root.entries() else {
        if is_null(root) {
            return Ok(k);
        }
        return Err(invalid(root, "a kustomization must be a mapping".into()));
    };
    let mut judged = false;
    let mut image_tags = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let key = e.key.as_str().unwrap_or_default();
        if !judged {
            if let Some(first) = e
                .value
                .items()
                .and_then(|i| i.first())
                .filter(|_| !e.value.is_flow())
            {
                if let Some(dash) = dash_column(stream.text(), first) {
                    k.indented_sequences = dash > stream.line_col(&e.key).1 - 1;
                    judged = true;
                }
            }
        }
        if let Some(field) = case_variant(key, &KUSTOMIZATION_FIELDS) {
            return Err(Error::new(
                ErrorKind::UnsupportedYaml,
                format!("kustomize reads `{key}` as `{field}` (it ignores the case of field names); write `{field}`"),
            )
            .in_file(file)
            .at_node(stream, &e.key));
        }
        match key {
            "resources" | "bases" | "namespace" | "images" | "imageTags" | "commonAnnotations" => {
                root.unique_key(stream, key).map_err(|e| e.in_file(file))?;
            }
            _ => {}
        }
        match key {
            "resources" => k.resources.extend(strings(stream, &e.value, file, "resources")?),
            "bases" => k.resources.extend(strings(stream, &e.value, file, "bases")?),
            "namespace" => {
                k.namespace = string_value(stream, &e.value, file, "`namespace`")?.filter(|s| !s.is_empty())
            }
            "images" | "imageTags" => {
                let path = Path::root(0).then(Step::Value(i));
                let items = match e.value.items() {
                    Some(items) => items,
                    None if is_null(&e.value) => &[],
                    None => return Err(invalid(&e.value, format!("`{key}` must be a list of entries"))),
                };
                let mut read = Vec::new();
                for (j, item) in items.iter().enumerate() {
                    read.push(read_entry(stream, item, path.then(Step::Item(j)), file, key)?);
                }
                if key == "images" {
                    k.images = read;
                    k.images_path = Some(path);
                } else {
                    image_tags = read;
                }
            }
            "commonAnnotations" => k.common_annotations = common_annotations(stream, &e.value, file)?,
            other => {
                if let Some(known) = ANNOTATION_KEYS.iter().find(|u| **u == other) {
                    k.annotations_unread.push(known.to_string());
                }
                if let Some(known) = UNREAD_KEYS.iter().find(|u| **u == other) {
                    k.unread.push(known.to_string());
                }
                let key: Option<&'static str> = KUSTOMIZATION_FIELDS.iter().copied().find(|f| *f == other);
                if let Some(key) = key {
                    other_paths(stream, key, &e.value, &mut k.other_paths);
                }
            }
        }
    }
    k.images_count = k.images.len();
    k.images.extend(image_tags);
    Ok(k)
}

/// Whether `entry` names a remote resource (a URL or a git reference) that relman does not read.
pub(crate) fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("github.com/")
        || entry.starts_with("git@")
        || entry.contains("?ref=")
}

/// Where a resource entry of a kustomization leads: the one step of every kustomize resource
/// walk (the planner's, over a snapshot, and the snapshot reader's, over a folder or a git
/// tree), so the two cannot follow different paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A remote resource (a URL or a git reference), not read.
    Remote,
    /// A path in the repository: a file, or a folder holding a kustomization.
    Local(RepoPath),
    /// A path relman refuses (absolute, or above the repo root), with why.
    Invalid(String),
}

impl Kustomization {
    /// Where the resource `r` of this kustomization, read from `file`, leads.
    pub(crate) fn target(file: &str, r: &ResourceRef) -> Target {
        if is_remote(&r.entry) {
            return Target::Remote;
        }
        match RepoPath::relative(RepoPath::dir_of(file), &r.entry) {
            Ok(path) => Target::Local(path),
            Err(why) => Target::Invalid(why),
        }
    }

    /// Every resource (`resources:` then `bases:`) of this kustomization, read from `file`,
    /// with where it leads.
    /// (Used by the snapshot reader, features `fs` and `git`.)
    #[cfg_attr(not(any(feature = "fs", feature = "git")), allow(dead_code))]
    pub(crate) fn targets<'k>(
        &'k self,
        file: &'k str,
    ) -> impl Iterator<Item = (&'k ResourceRef, Target)> + 'k {
        self.resources
            .iter()
            .map(move |r| (r, Kustomization::target(file, r)))
    }
}

/// The fields an entry is written with so that it produces `target`: the name stays a
/// pattern; `newName` when the target's name is not the name (kustomize's split) of every
/// value the moving slots reach the entry with (`incoming`), none otherwise; `newTag` and `digest` as the target has them; an effective
/// `tagSuffix` removed (kustomize ignores it once `newTag` or `digest` is set, so it would only
/// mislead).
pub(crate) fn edited(entry: &ImagesEntry, target: &ImageRef, incoming: &[String]) -> ImagesEntry {
    let (name, tag, digest) = split(target.as_str());
    let renames = incoming.iter().any(|i| i != name);
    let new_tag = (!tag.is_empty()).then(|| tag.to_string());
    let digest = (!digest.is_empty()).then(|| digest.to_string());
    let tag_suffix = if entry.suffix_applies() && (new_tag.is_some() || digest.is_some()) {
        None
    } else {
        entry.tag_suffix.clone()
    };
    ImagesEntry {
        new_name: renames.then(|| name.to_string()),
        new_tag,
        digest,
        tag_suffix,
        ..entry.clone()
    }
}

/// A new entry for values named `name` (as they reach the kustomization) producing `target`.
pub(crate) fn new_entry(name: &str, target: &ImageRef) -> ImagesEntry {
    let (new_name, tag, digest) = split(target.as_str());
    ImagesEntry::detached(
        name,
        (new_name != name).then(|| new_name.to_string()),
        (!tag.is_empty()).then(|| tag.to_string()),
        (!digest.is_empty()).then(|| digest.to_string()),
        None,
    )
}

/// Edit the `images:` entry `entry` in place so that it reads as `wanted` (from [`edited`]):
/// fields are set, added at the end of the entry, or removed.
pub(crate) fn write_entry(
    stream: &Stream<'_>,
    patch: &mut Patch,
    entry: &ImagesEntry,
    wanted: &ImagesEntry,
) -> Result<()> {
    let node = crate::yaml::resolve(stream, &entry.path)
        .ok_or_else(|| Error::new(ErrorKind::Internal, "images entry path"))?;
    let entries = node.entries().unwrap_or_default();
    let fields: [(&str, Option<&str>); 4] = [
        ("newName", wanted.new_name.as_deref()),
        ("newTag", wanted.new_tag.as_deref()),
        ("digest", wanted.digest.as_deref()),
        ("tagSuffix", wanted.tag_suffix.as_deref()),
    ];
    let mut appends = Vec::new();
    let mut removals = Vec::new();
    for (field, value) in fields {
        let index = node.find(field);
        match (index, value) {
            (Some(i), Some(v)) => {
                node.unique_key(stream, field)?;
                patch.set_scalar(stream, &entry.path.then(Step::Value(i)), v)?;
            }
            (None, Some(v)) => appends.push((field.to_string(), v.to_string())),
            (Some(i), None) => removals.push(i),
            (None, None) => {}
        }
    }
    if removals.len() + 1 > entries.len() && appends.is_empty() {
        return Err(Error::new(
            ErrorKind::Internal,
            "an images entry would lose its name",
        ));
    }
    for i in removals {
        patch.remove_entry(stream, &entry.path, i)?;
    }
    patch.append_entries_styled(stream, &entry.path, &appends, ScalarStyle::Plain)
}

/// Add `entry` (from [`new_entry`]) to the `images:` of the kustomization in `stream`, creating
/// the `images:` key when it is missing.
pub(crate) fn add_entry(
    stream: &Stream<'_>,
    patch: &mut Patch,
    kustomization: &Kustomization,
    entry: &ImagesEntry,
) -> Result<()> {
    let mut fields = vec![("name".to_string(), entry.name.clone())];
    for (field, value) in [
        ("newName", &entry.new_name),
        ("newTag", &entry.new_tag),
        ("digest", &entry.digest),
    ] {
        if let Some(v) = value {
            fields.push((field.to_string(), v.clone()));
        }
    }
    match &kustomization.images_path {
        Some(path) => patch.append_item(stream, path, &fields, ScalarStyle::Plain),
        None => patch.append_sequence_entry(
            stream,
            &Path::root(0),
            "images",
            &fields,
            ScalarStyle::Plain,
            kustomization.indented_sequences,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, new_name: Option<&str>, tag: Option<&str>, digest: Option<&str>) -> ImagesEntry {
        ImagesEntry::detached(
            name,
            new_name.map(Into::into),
            tag.map(Into::into),
            digest.map(Into::into),
            None,
        )
    }

    fn once(e: &ImagesEntry, value: &str) -> Option<String> {
        match e.apply(value, 1).expect("modelled") {
            (v, true) => Some(v),
            (_, false) => None,
        }
    }

    #[test]
    fn kustomize_image_semantics() {
        let d = "sha256:bbbb";
        assert_eq!(
            once(&entry("acme/x", None, Some("2"), None), "acme/x:1@sha256:aa").as_deref(),
            Some("acme/x:2")
        );
        assert_eq!(
            once(&entry("acme/x", None, None, Some(d)), "acme/x:1").as_deref(),
            Some("acme/x@sha256:bbbb")
        );
        assert_eq!(
            once(&entry("acme/x", None, Some("2"), Some(d)), "acme/x").as_deref(),
            Some("acme/x:2@sha256:bbbb")
        );
        assert_eq!(
            once(&entry("acme/x", Some("q.io/x"), None, None), "acme/x:1").as_deref(),
            Some("q.io/x:1")
        );
        // No normalisation, either way.
        assert_eq!(
            once(&entry("acme/y", None, Some("2"), None), "docker.io/acme/y:1"),
            None
        );
        assert_eq!(
            once(
                &entry("docker.io/library/nginx", None, Some("2"), None),
                "nginx:1"
            ),
            None
        );
        assert_eq!(
            once(
                &entry("nginx", None, Some("2"), None),
                "docker.io/library/nginx:1"
            ),
            None
        );
        // The name is a pattern: `.` is any character, alternations apply, a tag or digest in
        // the name narrows the match.
        assert_eq!(
            once(
                &entry("registry.acme.io/x", None, Some("2"), None),
                "registryXacme-io/x:1"
            )
            .as_deref(),
            Some("registryXacme-io/x:2")
        );
        let alt = entry("acme/(users|orders)", None, Some("9"), None);
        assert_eq!(once(&alt, "acme/users:1").as_deref(), Some("acme/users:9"));
        assert_eq!(once(&alt, "acme/orders").as_deref(), Some("acme/orders:9"));
        assert_eq!(once(&alt, "acme/usersx:1"), None);
        let unanchored = entry("a|b", None, Some("9"), None);
        assert_eq!(once(&unanchored, "acme/x:1").as_deref(), Some("acme/x:9"));
        assert_eq!(once(&unanchored, "x/b:1").as_deref(), Some("x/b:9"));
        let tagged = entry("acme/users:1.3.0", None, Some("2"), None);
        assert_eq!(once(&tagged, "acme/users:1.3.0").as_deref(), Some("acme/users:2"));
        assert_eq!(once(&tagged, "acme/users:1.4.0"), None);
        let pinned = entry("acme/users@sha256:aa", None, Some("2"), None);
        assert_eq!(
            once(&pinned, "acme/users@sha256:aa").as_deref(),
            Some("acme/users:2")
        );
        assert_eq!(once(&pinned, "acme/users:1"), None);
        assert_eq!(
            split("localhost:5000/a/b:1@sha256:x"),
            ("localhost:5000/a/b", "1", "sha256:x")
        );
        assert_eq!(split("localhost:5000/a"), ("localhost:5000/a", "", ""));
        assert_eq!(split("redis@sha256:x"), ("redis", "", "sha256:x"));
        assert_eq!(split("/a:1"), ("/a", "1", ""));
    }

    #[test]
    fn tag_suffix() {
        let suffix = ImagesEntry::detached("redis", None, None, None, Some("-alpine".into()));
        assert!(suffix.suffix_applies());
        assert_eq!(suffix.apply("redis:6.2", 1).unwrap().0, "redis:6.2-alpine");
        // Kustomize runs the entry twice over a Deployment's containers.
        assert_eq!(suffix.apply("redis:6.2", 2).unwrap().0, "redis:6.2-alpine-alpine");
        assert_eq!(suffix.apply("redis", 1).unwrap().0, "redis:-alpine");
        assert_eq!(suffix.apply("redis:6@sha256:aa", 1).unwrap().0, "redis:6-alpine");
        // Renamed, the second pass no longer matches.
        let renamed =
            ImagesEntry::detached("redis", Some("m.io/redis".into()), None, None, Some("-a".into()));
        assert_eq!(renamed.apply("redis:6.2", 2).unwrap().0, "m.io/redis:6.2-a");
        // With newTag or digest the suffix is ignored.
        let inert = ImagesEntry::detached("redis", None, Some("7".into()), None, Some("-a".into()));
        assert!(!inert.suffix_applies());
        assert_eq!(inert.apply("redis:6.2", 2).unwrap().0, "redis:7");
        let inert = ImagesEntry::detached("redis", None, None, Some("sha256:bb".into()), Some("-a".into()));
        assert_eq!(inert.apply("redis:6.2", 2).unwrap().0, "redis@sha256:bb");
    }

    #[test]
    fn unmodelled_names_and_values_are_refused() {
        for name in [
            r"acme/\w+",
            r"acme/\d",
            r"acme/\<x",
            "acme/x{2}",
            "acme/x{",
            "(?i)acme/x",
            "(?P<n>acme)/x",
            "acme/[[:alpha:]]",
            "acme/[a&&b]",
            "acme/[]a]",
            "acme/(x",
            "acme/x)",
            "*acme",
            "acme/x**",
            "acme/x*??",
            "acme/x\\",
            "acme/[x",
            "^*x",
            "()+",
        ] {
            let e = entry(name, None, Some("1"), None);
            assert!(e.matches("acme/x:1").is_err(), "{name} should be refused");
        }
        for name in [
            "acme/x",
            r"acme\.io/x",
            "acme/(x|y)",
            "acme/(?:x|y)",
            "acme/[a-z]+",
            "acme/[^/]*",
            "acme/x*?",
            ".*",
            "",
            "^acme/x$",
        ] {
            let e = entry(name, None, Some("1"), None);
            assert!(e.matches("acme/x:1").is_ok(), "{name} should be modelled");
        }
        // Only sha256 digests match in kubectl's kustomize; later versions match any algorithm.
        let e = entry("acme/x", None, Some("1"), None);
        assert_eq!(e.matches("acme/x@sha256:aa"), Ok(true));
        assert!(e.matches("acme/x@sha512:aa").is_err());
    }

    fn read_text(text: &str) -> Result<Kustomization> {
        let arena = crate::yaml::Arena::new();
        let stream = Stream::parse(text, &arena)?;
        read(&stream, "k/kustomization.yaml")
    }

    #[test]
    fn reading_refuses_what_kustomize_reads_differently() {
        let code = |text: &str| {
            read_text(text)
                .map(|_| ())
                .map_err(|e| (e.code(), e.line(), e.column()))
        };
        assert_eq!(
            code("images:\n- name: a\n  newTag: 1.10\n"),
            Err(("invalid_yaml", Some(3), Some(11)))
        );
        assert_eq!(
            code("images:\n- name: a\n  newTag: yes\n"),
            Err(("invalid_yaml", Some(3), Some(11)))
        );
        assert_eq!(
            code("images:\n- name: a\n  newtag: x\n"),
            Err(("unsupported_yaml", Some(3), Some(3)))
        );
        assert_eq!(
            code("images:\n- name: a\n  tag\u{17F}uffix: x\n"),
            Err(("unsupported_yaml", Some(3), Some(3)))
        );
        assert_eq!(
            code("images:\n- name: a\n  newNam: x\n"),
            Err(("invalid_yaml", Some(3), Some(3)))
        );
        assert_eq!(
            code("images:\n- name: a\n  newTag: x\n  newTag: y\n"),
            Err(("invalid_yaml", Some(4), Some(3)))
        );
        assert_eq!(
            code("Images:\n- name: a\n"),
            Err(("unsupported_yaml", Some(1), Some(1)))
        );
        assert_eq!(
            code("RESOURCES: [a.yaml]\n"),
            Err(("unsupported_yaml", Some(1), Some(1)))
        );
        assert_eq!(
            code("images: []\nimages: []\n"),
            Err(("invalid_yaml", Some(2), Some(1)))
        );
        assert_eq!(code("images: redis\n"), Err(("invalid_yaml", Some(1), Some(9))));
        assert_eq!(code("namespace: 12\n"), Err(("invalid_yaml", Some(1), Some(12))));
        assert_eq!(
            code("resources: [true]\n"),
            Err(("invalid_yaml", Some(1), Some(13)))
        );
        // Accepted as kustomize accepts them.
        assert_eq!(code("images:\n- name: a\n  newTag: 2024-01-01\n"), Ok(()));
        assert_eq!(
            code("images:\n- name: a\n  newTag: \"1.10\"\n  digest: ~\n"),
            Ok(())
        );
        assert_eq!(
            code("images:\n- newTag: x\n- name: a\n  newTag: v2\n- name: a\n  newTag: z\n"),
            Ok(())
        );
        let k = read_text("imageTags:\n- name: b\nimages:\n- name: a\n").unwrap();
        assert_eq!(k.images_count, 1);
        assert_eq!(
            k.images.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let k = read_text(
            "components: [/c]\npatches:\n- path: ../p.yaml\nconfigMapGenerator:\n- files: [k=/f]\n",
        )
        .unwrap();
        assert_eq!(
            k.other_paths
                .iter()
                .map(|r| (r.key, r.entry.as_str(), r.line))
                .collect::<Vec<_>>(),
            [
                ("components", "/c", 1),
                ("patches", "../p.yaml", 3),
                ("configMapGenerator", "/f", 5)
            ]
        );
    }

    #[test]
    fn common_annotations_and_the_keys_that_change_annotations() {
        let k = read_text(
            "commonAnnotations:\n  fluxcd.io/locked: \"true\"\n  note: ~\npatches: []\ncomponents: []\nnamePrefix: a-\n",
        )
        .unwrap();
        assert_eq!(
            k.common_annotations,
            vec![
                ("fluxcd.io/locked".to_string(), "true".to_string()),
                ("note".to_string(), String::new())
            ]
        );
        assert_eq!(k.annotations_unread, vec!["patches", "components"]);
        for (text, line, column) in [
            ("commonAnnotations:\n  fluxcd.io/locked: true\n", 2, 21),
            ("commonAnnotations:\n  a: \"1\"\n  a: \"2\"\n", 3, 3),
            ("commonAnnotations: [a]\n", 1, 20),
            ("commonAnnotations: {}\ncommonAnnotations: {}\n", 2, 1),
        ] {
            let e = read_text(text).unwrap_err();
            assert_eq!(
                (e.code(), e.line(), e.column()),
                ("invalid_yaml", Some(line), Some(column)),
                "{text}: {e}"
            );
        }
    }
}
