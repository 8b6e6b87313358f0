//! Locking and unlocking an environment by editing `relman.yaml` under the rewrite contract:
//! only the lines (or, in flow style, the text) of the `lock` entry change.

use super::environment::EnvironmentLock;
use super::reader::{self, root};
use crate::error::{Error, ErrorKind, Result};
use crate::names::check_one_line;
use crate::yaml::{Node, Patch, Path, ScalarStyle, Step, Stream};

/// Lock `environment` in the text of `relman.yaml`: add `lock:` with `reason`, `by` and
/// `until` (RFC 3339, left out when `None`) as the last entry of the environment's mapping,
/// indented like its siblings; or, when a lock is already written, update its fields in place
/// (keeping their quote style), adding or removing fields as needed. Locking again with the
/// same values returns the text unchanged.
///
/// Errors: `invalid_argument` when `environment`, `reason` or `by` holds a control, line-break
/// or separator character (C0, C1, DEL, U+2028, U+2029: a lock is one line); `invalid_config`
/// when the file does not parse as a configuration or `reason` or `by` is empty;
/// `unknown_environment`; `unsupported_yaml` when a field to change is an alias.
///
/// ```
/// use relman::config::{EnvironmentLock, lock_environment};
///
/// let text = "\
/// environments:
///   production:
///     path: envs/production   # the real thing
///     release: manual
/// services: {}
/// ";
/// let until = "2027-01-04T00:00:00Z".parse().unwrap();
/// let locked = lock_environment(text, "production", &EnvironmentLock::new("freeze", "alice").until(until))?;
/// assert_eq!(locked, "\
/// environments:
///   production:
///     path: envs/production   # the real thing
///     release: manual
///     lock:
///       reason: \"freeze\"
///       by: \"alice\"
///       until: \"2027-01-04T00:00:00Z\"
/// services: {}
/// ");
/// # Ok::<(), relman::Error>(())
/// ```
pub fn lock_environment(text: &str, environment: &str, lock: &EnvironmentLock) -> Result<String> {
    check_one_line("environment", environment)?;
    check_one_line("lock reason", &lock.reason)?;
    check_one_line("lock author", &lock.by)?;
    for (key, value) in [("reason", &lock.reason), ("by", &lock.by)] {
        if value.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                format!("an environment lock needs a non-empty `{key}`"),
            ));
        }
    }
    let arena = crate::yaml::Arena::new();
    let stream = reader::parse_stream(text, &arena)?;
    let target = Target::find(&stream, environment)?;
    let wanted: Vec<(&str, Option<String>)> = vec![
        ("reason", Some(lock.reason.clone())),
        ("by", Some(lock.by.clone())),
        ("until", lock.until.map(|t| t.to_string())),
    ];
    let mut patch = Patch::new();
    match target.node.find("lock") {
        None => {
            let fields: Vec<(String, String)> = wanted
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                .collect();
            patch.append_mapping_entry(&stream, &target.path, Some(target.key_column), "lock", &fields)?;
        }
        Some(i) => {
            let lock_path = target.path.then(Step::Value(i));
            let current = &target.node.entries().expect("environment is a mapping")[i].value;
            let mut removals: Vec<usize> = Vec::new();
            let mut appends: Vec<(String, String)> = Vec::new();
            for (key, value) in wanted {
                match (current.find(key), value) {
                    (Some(j), Some(value)) => {
                        let node = &current.entries().expect("lock is a mapping")[j].value;
                        if key == "until" && reader::timestamp(&stream, node).ok() == lock.until {
                            continue;
                        }
                        if matches!(node.style(), Some(ScalarStyle::Literal | ScalarStyle::Folded)) {
                            // A block scalar cannot be edited in place: rewrite the field.
                            removals.push(j);
                            appends.push((key.to_string(), value));
                        } else {
                            patch.set_scalar(&stream, &lock_path.then(Step::Value(j)), &value)?;
                        }
                    }
                    (Some(j), None) => removals.push(j),
                    (None, Some(value)) => appends.push((key.to_string(), value)),
                    (None, None) => {}
                }
            }
            for j in removals {
                patch.remove_entry(&stream, &lock_path, j)?;
            }
            patch.append_entries(&stream, &lock_path, &appends)?;
        }
    }
    finish(patch, &stream)
}

/// Unlock `environment` in the text of `relman.yaml`: remove its `lock` entry with all its
/// lines (in flow style, its text and one separating comma). An environment without a lock
/// gives the text back unchanged.
///
/// Errors: `invalid_argument` when `environment` holds a control, line-break or separator
/// character; `invalid_config` when the file does not parse as a configuration;
/// `unknown_environment`.
///
/// ```
/// use relman::config::unlock_environment;
///
/// let text = "\
/// environments:
///   production:
///     path: envs/production
///     lock:   # until the audit is done
///       reason: audit
///       by: bob
///     release: manual
/// ";
/// let unlocked = unlock_environment(text, "production")?;
/// assert_eq!(unlocked, "environments:\n  production:\n    path: envs/production\n    release: manual\n");
/// assert_eq!(unlock_environment(&unlocked, "production")?, unlocked);
/// # Ok::<(), relman::Error>(())
/// ```
pub fn unlock_environment(text: &str, environment: &str) -> Result<String> {
    check_one_line("environment", environment)?;
    let arena = crate::yaml::Arena::new();
    let stream = reader::parse_stream(text, &arena)?;
    let target = Target::find(&stream, environment)?;
    let mut patch = Patch::new();
    if let Some(i) = target.node.find("lock") {
        patch.remove_entry(&stream, &target.path, i)?;
    }
    finish(patch, &stream)
}

/// An environment's mapping in the stream of a valid configuration.
struct Target<'s> {
    node: &'s Node<'s>,
    path: Path,
    /// Column of the environment's name, the parent key of its entries.
    key_column: usize,
}

impl<'s> Target<'s> {
    fn find(stream: &'s Stream<'_>, environment: &str) -> Result<Target<'s>> {
        let config = reader::read(stream)?;
        config.environment(environment)?;
        let root = root(stream)?;
        let envs_index = root
            .find("environments")
            .ok_or_else(|| internal("environments vanished"))?;
        let envs = &root.entries().expect("root is a mapping")[envs_index].value;
        let index = envs
            .find(environment)
            .ok_or_else(|| internal("environment vanished"))?;
        let entry = &envs.entries().expect("environments is a mapping")[index];
        Ok(Target {
            node: &entry.value,
            path: Path::root(0)
                .then(Step::Value(envs_index))
                .then(Step::Value(index)),
            key_column: stream.line_col(&entry.key).1,
        })
    }
}

/// Apply the patch (which verifies the tree) and check that the result is still a valid
/// configuration.
fn finish(patch: Patch, stream: &Stream<'_>) -> Result<String> {
    let out = patch.apply(stream)?;
    if out != stream.text() {
        reader::read(&reader::parse_stream(&out, &crate::yaml::Arena::new())?).map_err(|e| {
            let at = e.line().map(|l| format!(" (line {l})")).unwrap_or_default();
            internal(&format!(
                "the edited relman.yaml no longer reads as a configuration: {}{at}",
                e.message()
            ))
        })?;
    }
    Ok(out)
}

fn internal(message: &str) -> Error {
    Error::new(ErrorKind::Internal, message)
}
