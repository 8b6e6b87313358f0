//! What a [`Registry`](super::Registry) remembers between polls, per repository: each tag's
//! digest (and when it was last checked), and each digest's creation time, which never
//! changes. Kept in memory, and on disk when the caller names a folder: one JSON file per
//! repository, `<dir>/registry-v1/<host>/<path>/_tags.json` (`:` of a port written `_`; no
//! repository path component can start with `_`, so no file is also a repository folder),
//! replaced atomically (written beside, then renamed). A file that does not read back is
//! ignored (that repository starts cold); failing to write one is not an error (the next poll
//! is cold).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The largest cache file relman reads back.
const MAX_FILE: u64 = 64 * 1024 * 1024;

/// One tag as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CachedTag {
    /// The manifest digest the tag pointed at.
    pub digest: String,
    /// When the tag was last asked for (Unix seconds).
    pub checked: i64,
}

/// What is known of one repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RepoCache {
    /// Tag to its last known digest.
    #[serde(default)]
    pub tags: HashMap<String, CachedTag>,
    /// Manifest digest to the creation time of its image (RFC 3339 as the config wrote it),
    /// `None` when the config has none. Immutable: a digest names these bytes forever.
    #[serde(default)]
    pub created: HashMap<String, Option<String>>,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    #[serde(flatten)]
    cache: RepoCache,
}

/// The file of repository `path` at `host` under `dir`.
pub(crate) fn file_of(dir: &Path, host: &str, path: &str) -> PathBuf {
    let mut file = dir.join("registry-v1").join(host.replace(':', "_"));
    for part in path.split('/') {
        file.push(part);
    }
    file.join("_tags.json")
}

/// Read a repository's cache file; `None` when it is missing or does not read back.
pub(crate) fn load(file: &Path) -> Option<RepoCache> {
    let f = std::fs::File::open(file).ok()?;
    let mut text = Vec::new();
    f.take(MAX_FILE + 1).read_to_end(&mut text).ok()?;
    if text.len() as u64 > MAX_FILE {
        return None;
    }
    let file: File = serde_json::from_slice(&text).ok()?;
    (file.version == 1).then_some(file.cache)
}

/// Write a repository's cache file atomically; errors are ignored (see the module docs).
pub(crate) fn save(file: &Path, cache: &RepoCache) {
    let Some(dir) = file.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(text) = serde_json::to_vec(&File {
        version: 1,
        cache: cache.clone(),
    }) else {
        return;
    };
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, file).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corrupt_files() {
        let dir = std::env::temp_dir().join(format!("relman-cache-test-{}", std::process::id()));
        let file = file_of(&dir, "127.0.0.1:5000", "acme/users");
        assert!(file.ends_with("registry-v1/127.0.0.1_5000/acme/users/_tags.json"));
        assert_eq!(load(&file), None);
        let mut cache = RepoCache::default();
        cache.tags.insert(
            "1.0".into(),
            CachedTag {
                digest: "sha256:x".into(),
                checked: 5,
            },
        );
        cache
            .created
            .insert("sha256:x".into(), Some("2026-01-01T00:00:00Z".into()));
        cache.created.insert("sha256:y".into(), None);
        save(&file, &cache);
        assert_eq!(load(&file), Some(cache));
        std::fs::write(&file, "{garbage").unwrap();
        assert_eq!(load(&file), None);
        std::fs::write(&file, r#"{"version":2,"tags":{}}"#).unwrap();
        assert_eq!(load(&file), None, "another version starts cold");
        std::fs::remove_dir_all(&dir).ok();
    }
}
