//! Manifests (OCI image manifest, Docker schema 2), indexes (OCI image index, Docker manifest
//! list) and image configs, as far as relman reads them: which config holds an image's
//! creation time, and which child manifest of an index stands for it. Pure: no I/O.

use serde::Deserialize;

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// The `Accept` header of a manifest request: every type relman reads.
pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// What a manifest says about the image's creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    /// A single-platform image: its config blob holds `created`.
    Image {
        /// The digest of the config blob.
        config: String,
    },
    /// An index (multi-platform): the child manifest whose config dates the whole index. It is
    /// the first entry that names a platform other than `unknown/unknown` (build attestations
    /// carry that one), else the first entry; `None` for an empty index.
    Index {
        /// The digest of the chosen child manifest.
        child: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(default)]
    schema_version: Option<u64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

#[derive(Deserialize)]
struct Descriptor {
    digest: String,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
}

/// Whether `digest` has the form the OCI image spec gives a digest
/// (`algorithm:encoded`, e.g. `sha256:` and 64 hex digits): what relman puts in a URL path.
pub fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let alg_ok = !algorithm.is_empty()
        && algorithm
            .split(['+', '.', '_', '-'])
            .all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    let enc_ok = !encoded.is_empty()
        && encoded.len() <= 256
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
    let known_ok = match algorithm {
        "sha256" => {
            encoded.len() == 64
                && encoded
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        "sha512" => {
            encoded.len() == 128
                && encoded
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        _ => true,
    };
    alg_ok && enc_ok && known_ok
}

/// Parse a manifest body. `content_type` is the response's `Content-Type` (parameters
/// allowed); the body's own `mediaType` wins when present. Errors (a message) for a body that
/// is not a schema 2 manifest or index of a known type, or names an invalid digest.
///
/// ```
/// use relman::registry::{Manifest, parse_manifest};
/// let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
///   "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,
///   "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#;
/// assert!(matches!(parse_manifest(body, "")?, Manifest::Image { .. }));
/// # Ok::<(), String>(())
/// ```
pub fn parse_manifest(body: &[u8], content_type: &str) -> Result<Manifest, String> {
    let wire: Wire =
        super::json_object(body).map_err(|e| format!("the manifest is not JSON of a known shape: {e}"))?;
    if wire.schema_version != Some(2) {
        return Err(match wire.schema_version {
            Some(v) => format!("schema version {v} manifests are not read (only schema 2)"),
            None => "the manifest has no schemaVersion".to_string(),
        });
    }
    let header_type = content_type.split(';').next().unwrap_or_default().trim();
    let media_type = wire.media_type.as_deref().unwrap_or(header_type);
    let is_index = match media_type {
        OCI_INDEX | DOCKER_LIST => true,
        OCI_MANIFEST | DOCKER_MANIFEST => false,
        // An OCI manifest or index may omit `mediaType`: decide by shape.
        _ if wire.manifests.is_some() && wire.config.is_none() => true,
        _ if wire.config.is_some() && wire.manifests.is_none() => false,
        other => return Err(format!("unknown manifest media type `{other}`")),
    };
    if is_index {
        let entries = wire.manifests.ok_or("the index has no `manifests`")?;
        if let Some(bad) = entries.iter().find(|d| !is_valid_digest(&d.digest)) {
            return Err(format!("the index names an invalid digest `{}`", bad.digest));
        }
        let chosen = entries
            .iter()
            .find(|d| {
                d.platform
                    .as_ref()
                    .is_some_and(|p| p.os != "unknown" || p.architecture != "unknown")
            })
            .or_else(|| entries.first());
        Ok(Manifest::Index {
            child: chosen.map(|d| d.digest.clone()),
        })
    } else {
        let config = wire.config.ok_or("the manifest has no `config`")?;
        if !is_valid_digest(&config.digest) {
            return Err(format!(
                "the manifest names an invalid config digest `{}`",
                config.digest
            ));
        }
        Ok(Manifest::Image {
            config: config.digest,
        })
    }
}

#[derive(Deserialize)]
struct ConfigWire {
    #[serde(default)]
    created: Option<serde_json::Value>,
}

/// The `created` time of an image config, as written (RFC 3339 by the spec); `None` when the
/// config has none (or it is not a string). Errors (a message) when the body is not a JSON
/// object.
///
/// ```
/// let created = relman::registry::parse_config_created(br#"{"created":"2026-11-27T10:00:00Z","os":"linux"}"#)?;
/// assert_eq!(created.as_deref(), Some("2026-11-27T10:00:00Z"));
/// # Ok::<(), String>(())
/// ```
pub fn parse_config_created(body: &[u8]) -> Result<Option<String>, String> {
    let wire: ConfigWire =
        super::json_object(body).map_err(|e| format!("the image config is not a JSON object: {e}"))?;
    Ok(match wire.created {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn images_and_indexes_of_both_families() {
        let image = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"digest":"{D1}"}},"layers":[]}}"#
        );
        assert_eq!(
            parse_manifest(image.as_bytes(), "").unwrap(),
            Manifest::Image { config: D1.into() }
        );
        // No mediaType in the body: the header, then the shape decides.
        let bare = format!(r#"{{"schemaVersion":2,"config":{{"digest":"{D1}"}}}}"#);
        assert!(matches!(
            parse_manifest(bare.as_bytes(), OCI_MANIFEST).unwrap(),
            Manifest::Image { .. }
        ));
        assert!(matches!(
            parse_manifest(bare.as_bytes(), "text/plain").unwrap(),
            Manifest::Image { .. }
        ));

        let list = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_LIST}","manifests":[
              {{"digest":"{D2}","platform":{{"os":"unknown","architecture":"unknown"}}}},
              {{"digest":"{D1}","platform":{{"os":"linux","architecture":"arm64"}}}}]}}"#
        );
        assert_eq!(
            parse_manifest(list.as_bytes(), "").unwrap(),
            Manifest::Index {
                child: Some(D1.into())
            }
        );
        let index = format!(r#"{{"schemaVersion":2,"manifests":[{{"digest":"{D2}"}}]}}"#);
        assert_eq!(
            parse_manifest(index.as_bytes(), &format!("{OCI_INDEX}; charset=utf-8")).unwrap(),
            Manifest::Index {
                child: Some(D2.into())
            }
        );
        let empty = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[]}}"#);
        assert_eq!(
            parse_manifest(empty.as_bytes(), "").unwrap(),
            Manifest::Index { child: None }
        );
    }

    #[test]
    fn malformed_manifests_are_errors() {
        for bad in [
            "".to_string(),
            "[]".into(),
            r#"{"schemaVersion":1,"name":"a"}"#.into(),
            r#"{"schemaVersion":2}"#.into(),
            format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}"}}"#),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"digest":"../../x"}}]}}"#
            ),
            r#"{"schemaVersion":2,"config":{"digest":"sha256:abc"}}"#.into(),
            r#"{"schemaVersion":2,"mediaType":"text/html","config":{"digest":"x"}}"#.into(),
        ] {
            assert!(parse_manifest(bad.as_bytes(), "").is_err(), "{bad}");
        }
    }

    #[test]
    fn configs_and_digests() {
        assert_eq!(parse_config_created(b"{}").unwrap(), None);
        assert_eq!(parse_config_created(br#"{"created":5}"#).unwrap(), None);
        assert!(parse_config_created(b"not json").is_err());
        assert!(is_valid_digest(D1));
        assert!(is_valid_digest(&format!("sha512:{}", "a".repeat(128))));
        assert!(is_valid_digest(
            "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"
        ));
        for bad in [
            "",
            "sha256",
            "sha256:",
            ":abc",
            "sha256:ABC",
            "sha256:abc",
            "a/b:c",
            "sha256:../x",
        ] {
            assert!(!is_valid_digest(bad), "{bad}");
        }
    }
}
