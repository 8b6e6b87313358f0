//! The `make` field of the fixtures (format: `tests/fixtures/README.md`): a temporary copy of a
//! case's `files/` with what git cannot hold (symbolic links, FIFOs, names that are not UTF-8)
//! made in it, for `Snapshot::from_dir`; and the check that writing a plan's changes to that
//! copy, as a caller would, changes only the files of `expected/` and never a link.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A temporary copy of a case's `files/`, with its `make` entries made; removed on drop.
pub(crate) struct MadeTree {
    pub(crate) root: PathBuf,
    /// The symbolic links made: path on disk and target.
    links: Vec<(PathBuf, String)>,
}

impl Drop for MadeTree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// `%XX` in `path` is the byte XX: names that are not UTF-8 can be written in JSON.
pub(crate) fn decode(path: &str) -> Result<Vec<u8>, String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("`{path}`: `%` needs two hex digits"))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("`{path}`: bad escape `%{hex}`"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

impl MadeTree {
    /// Copy `files` (a case's `files/` folder) to a temporary folder and make `make` there.
    #[cfg(unix)]
    pub(crate) fn new(files: &Path, make: &Value) -> Result<MadeTree, String> {
        use std::os::unix::ffi::OsStrExt;
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "relman-made-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&root);
        let mut tree = MadeTree {
            root,
            links: Vec::new(),
        };
        copy(files, &tree.root).map_err(|e| format!("copying files/: {e}"))?;
        for entry in make.as_array().ok_or("make is not a list")? {
            let entry = entry.as_object().ok_or("a make entry is not an object")?;
            let (kind, path) = ["symlink", "fifo", "file"]
                .iter()
                .find_map(|k| entry.get(*k).and_then(Value::as_str).map(|p| (*k, p)))
                .ok_or("a make entry needs symlink, fifo or file")?;
            let on_disk = tree.root.join(std::ffi::OsStr::from_bytes(&decode(path)?));
            fs::create_dir_all(on_disk.parent().expect("a parent")).map_err(|e| format!("{path}: {e}"))?;
            let made = match kind {
                "symlink" => {
                    let to = entry
                        .get("to")
                        .and_then(Value::as_str)
                        .ok_or("a symlink needs `to`")?;
                    tree.links.push((on_disk.clone(), to.to_string()));
                    std::os::unix::fs::symlink(to, &on_disk)
                }
                "fifo" => {
                    let status = std::process::Command::new("mkfifo")
                        .arg(&on_disk)
                        .status()
                        .map_err(|e| format!("mkfifo: {e}"))?;
                    if !status.success() {
                        return Err(format!("mkfifo {path} failed"));
                    }
                    Ok(())
                }
                _ => {
                    let text = entry
                        .get("text")
                        .and_then(Value::as_str)
                        .ok_or("a file needs `text`")?;
                    fs::write(&on_disk, text)
                }
            };
            made.map_err(|e| format!("making {path}: {e}"))?;
        }
        Ok(tree)
    }

    /// Links, FIFOs and odd names are made on Unix only.
    #[cfg(not(unix))]
    pub(crate) fn new(_files: &Path, _make: &Value) -> Result<MadeTree, String> {
        Err("`make` needs a Unix system".to_string())
    }

    /// Write each change's `after` at its path, as a caller applying a plan to its work tree
    /// would (a write follows links), then check: every link made is still a link to the same
    /// target, and every file of `files/` holds its `expected/` text when there is one, else
    /// its own.
    pub(crate) fn apply_and_check(
        &self,
        changes: &[(String, String)],
        files: &[(String, String)],
        expected: &[(String, String)],
    ) -> Result<(), String> {
        for (path, after) in changes {
            fs::write(self.root.join(path), after).map_err(|e| format!("writing {path}: {e}"))?;
        }
        for (link, target) in &self.links {
            let now =
                fs::read_link(link).map_err(|e| format!("{}: no longer a link ({e})", link.display()))?;
            if now.to_str() != Some(target.as_str()) {
                return Err(format!(
                    "{}: the link now leads to {}",
                    link.display(),
                    now.display()
                ));
            }
        }
        for (path, text) in files {
            let want = expected.iter().find(|(p, _)| p == path).map_or(text, |(_, t)| t);
            let have = fs::read_to_string(self.root.join(path)).map_err(|e| format!("{path}: {e}"))?;
            if have != *want {
                return Err(format!(
                    "after writing the plan's changes, {path} differs from {}:\n{have}",
                    if want == text {
                        "files/ (it must not change)"
                    } else {
                        "expected/"
                    }
                ));
            }
        }
        Ok(())
    }
}
