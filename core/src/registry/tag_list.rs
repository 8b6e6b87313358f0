//! The tag list of a repository (`GET /v2/<name>/tags/list`) and the `Link` header that pages
//! it. Pure: no I/O.

use serde::Deserialize;

/// The longest tag the distribution spec allows (`[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
pub const MAX_TAG: usize = 128;

/// Whether `tag` is a tag by the distribution spec's grammar (what relman asks the registry
/// for; other strings in a tag list are left out of the catalog).
pub fn is_valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TAG
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// One page of a tag list: `{"name": "acme/users", "tags": ["1.0", ...]}`. A `null` or
/// missing `tags` is an empty page (distribution answers so for a repository whose tags were
/// all deleted).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagList {
    /// The repository name the registry reports, when it does.
    pub name: Option<String>,
    /// The tags of the page, in the registry's order.
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// Parse one page of a tag list. Errors (a message) when the body is not a JSON object with
/// a `tags` array of strings.
///
/// ```
/// let page = relman::registry::parse_tag_list(br#"{"name":"acme/users","tags":["1.0","latest"]}"#)?;
/// assert_eq!(page.tags, ["1.0", "latest"]);
/// # Ok::<(), String>(())
/// ```
pub fn parse_tag_list(body: &[u8]) -> Result<TagList, String> {
    let wire: Wire =
        super::json_object(body).map_err(|e| format!("the tag list is not the JSON the API defines: {e}"))?;
    Ok(TagList {
        name: wire.name,
        tags: wire.tags.unwrap_or_default(),
    })
}

/// The target of the `rel="next"` link among the `Link` header values of a response
/// (`</v2/acme/users/tags/list?last=1.9&n=1000>; rel="next"`), as written: a path, or an
/// absolute URL. `None` when there is no next page.
///
/// ```
/// use relman::registry::next_link;
/// assert_eq!(
///     next_link(&[r#"</v2/a/tags/list?n=2&last=b>; rel="next""#]).as_deref(),
///     Some("/v2/a/tags/list?n=2&last=b")
/// );
/// assert_eq!(next_link(&[r#"<https://x/y>; rel="prev""#]), None);
/// ```
pub fn next_link(values: &[&str]) -> Option<String> {
    for value in values {
        // One header value may hold several links separated by commas; a URL in `<...>` may
        // hold commas itself, so split at `<` boundaries.
        let mut rest = *value;
        while let Some(open) = rest.find('<') {
            let after = &rest[open + 1..];
            let close = after.find('>')?;
            let target = &after[..close];
            let params_end = after[close + 1..]
                .find('<')
                .map_or(after.len(), |p| close + 1 + p);
            let params = &after[close + 1..params_end];
            let is_next = params.split(';').any(|p| {
                let Some((name, value)) = p.split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_end_matches(',')
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            });
            if is_next && !target.is_empty() && !target.contains('<') {
                return Some(target.to_string());
            }
            rest = &after[params_end..];
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists() {
        assert_eq!(
            parse_tag_list(br#"{"name":"a","tags":null}"#).unwrap().tags,
            Vec::<String>::new()
        );
        assert_eq!(
            parse_tag_list(br#"{"tags":["x"],"extra":1}"#).unwrap().tags,
            ["x"]
        );
        for bad in [&b"[]"[..], b"{\"tags\":[1]}", b"", b"{\"tags\":\"x\"}", b"\xff"] {
            assert!(parse_tag_list(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn links() {
        assert_eq!(
            next_link(&[r#"<https://ghcr.io/v2/a/tags/list?last=x&n=2>; rel="prev", </v2/a/tags/list?last=z&n=2>; rel="next""#]).as_deref(),
            Some("/v2/a/tags/list?last=z&n=2")
        );
        assert_eq!(next_link(&["</p>; rel=next"]).as_deref(), Some("/p"));
        assert_eq!(
            next_link(&["</p>; title=\"x\"; rel=\"last next\""]).as_deref(),
            Some("/p")
        );
        assert_eq!(next_link(&["</p>", "</q>; rel=next"]).as_deref(), Some("/q"));
        for none in [
            "",
            "<",
            "</p",
            "</p>; rel=\"prev\"",
            "<>; rel=next",
            "rel=next",
            "<<a>; rel=next",
        ] {
            assert_eq!(next_link(&[none]), None, "{none}");
        }
    }

    #[test]
    fn tags_by_the_grammar() {
        for good in ["1.0", "latest", "_x", "v1.2.3-rc.1", &"a".repeat(128)] {
            assert!(is_valid_tag(good), "{good}");
        }
        for bad in ["", ".x", "-x", "a/b", "a:b", "a b", "é", &"a".repeat(129), "../x"] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }
}
