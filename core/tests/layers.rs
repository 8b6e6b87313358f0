//! The import rule: every module of `core/src` imports only what the layer map `core/layers.toml`
//! allows (lower levels and the leaves, other modules through their root). The map is read from
//! that file; the sources are scanned for `crate::` paths (`use` statements, `use crate::{...}`
//! groups and paths in code) and `super::` chains that climb out of a module, comments and
//! string literals left out. A violation fails with `file:line` and the rule it breaks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer map of `core/layers.toml`.
#[derive(Debug, Default)]
struct Map {
    levels: BTreeMap<String, usize>,
    leaves: BTreeSet<String>,
    open: BTreeMap<String, BTreeSet<String>>,
}

impl Map {
    /// Parse the small TOML subset the map is written in: `[section]` headers and
    /// `key = number` or `key = ["a", "b"]` lines, `#` comments.
    fn parse(text: &str) -> Map {
        let mut map = Map::default();
        let mut section = String::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_string();
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("layers.toml:{}: `key = value` expected", i + 1));
            let (key, value) = (key.trim().to_string(), value.trim());
            let list = || -> BTreeSet<String> {
                value
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .split(',')
                    .map(|s| s.trim().trim_matches('"').to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            match section.as_str() {
                "levels" => {
                    let level = value
                        .parse()
                        .unwrap_or_else(|_| panic!("layers.toml:{}: a level is a number", i + 1));
                    map.levels.insert(key, level);
                }
                "leaves" => map.leaves = list(),
                "open" => {
                    map.open.insert(key, list());
                }
                other => panic!("layers.toml:{}: unknown section [{other}]", i + 1),
            }
        }
        map
    }

    /// Why `from` may not name `path` (an absolute module path, `crate::` left out), if so.
    fn refuses(&self, root: &Path, from: &str, path: &[String]) -> Option<String> {
        let to = path.first()?;
        if to == from || !self.knows(to) {
            return None;
        }
        let allowed = if self.leaves.contains(from) {
            self.leaves.contains(to)
        } else if self.leaves.contains(to) {
            true
        } else {
            let (a, b) = (self.levels.get(from)?, self.levels.get(to)?);
            b < a
        };
        if !allowed {
            return Some(format!(
                "{from} imports {to}: the layer map (core/layers.toml) has {} at or above {}",
                self.describe(to),
                self.describe(from)
            ));
        }
        if let Some(file) = path.get(1).filter(|f| is_file_of(root, to, f)) {
            let open = self.open.get(to).is_some_and(|o| o.contains(file));
            if !open {
                return Some(format!(
                    "{from} reaches into {to}'s file `{file}` (`crate::{to}::{file}::...`): use what \
                     {to} exports at its root, or list `{file}` under [open] in core/layers.toml"
                ));
            }
        }
        None
    }

    fn knows(&self, module: &str) -> bool {
        self.levels.contains_key(module) || self.leaves.contains(module)
    }

    fn describe(&self, module: &str) -> String {
        match self.levels.get(module) {
            Some(level) => format!("{module} (level {level})"),
            None => format!("{module} (a leaf)"),
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Whether `name` is a file (or folder) module of the top-level module `module` under `root`.
fn is_file_of(root: &Path, module: &str, name: &str) -> bool {
    let dir = root.join(module);
    dir.join(format!("{name}.rs")).is_file() || dir.join(name).join("mod.rs").is_file()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file (`release/history.rs` -> [release, history]).
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// A line of code without its comment and with string and character literals emptied
/// (a crude lexer, enough for rustfmt-formatted code: block comments are not used in core).
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => break,
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push('"');
            }
            '\'' => {
                // A character literal ('x', '\n', '{'), or a lifetime ('a): keep lifetimes.
                let rest: String = chars.clone().take(3).collect();
                let mut ahead = rest.chars();
                match (ahead.next(), ahead.next(), ahead.next()) {
                    (Some('\\'), _, _) => {
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                        out.push_str("' '");
                    }
                    (Some(_), Some('\''), _) => {
                        chars.next();
                        chars.next();
                        out.push_str("' '");
                    }
                    _ => out.push('\''),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The paths a line of code names from `crate::` or through `super::`, absolute (the crate's
/// name left out), given the module the line is in. `use crate::{a::B, c}` gives `a::B` and `c`.
fn paths_in(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let word_start =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':');
        let rest = &code[i..];
        let (base, skip) = if word_start && rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if word_start && rest.starts_with("super::") {
            let mut base = here.to_vec();
            let mut skip = 0;
            while code[i + skip..].starts_with("super::") {
                if base.pop().is_none() {
                    break;
                }
                skip += "super::".len();
            }
            (base, skip)
        } else {
            i += 1;
            continue;
        };
        let tail = &code[i + skip..];
        for suffix in expand(tail) {
            let mut path = base.clone();
            path.extend(suffix);
            if !path.is_empty() {
                out.push(path);
            }
        }
        i += skip;
    }
    out
}

/// The paths a path tail names: `a::b::C` -> [[a, b, C]]; `{a::B, c::{D, e}}` -> each branch.
fn expand(tail: &str) -> Vec<Vec<String>> {
    let mut segments: Vec<String> = Vec::new();
    let mut rest = tail;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = group.len();
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let inner = &group[..end];
            let mut branches = Vec::new();
            let mut depth = 0;
            let mut from = 0;
            for (k, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        branches.push(&inner[from..k]);
                        from = k + 1;
                    }
                    _ => {}
                }
            }
            branches.push(&inner[from..]);
            let mut out = Vec::new();
            for branch in branches.into_iter().map(str::trim).filter(|b| !b.is_empty()) {
                for more in expand(branch) {
                    let mut path = segments.clone();
                    path.extend(more);
                    out.push(path);
                }
            }
            return out;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        segments.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    if segments.first().is_some_and(|s| s == "self") {
        segments.remove(0);
    }
    vec![segments]
}

/// Every violation of the map in the sources under `root`, as `file:line: why`.
fn violations(map: &Map, root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(root).expect("under root").to_path_buf();
        let module = module_of(&relative);
        let Some(top) = module.first().cloned() else {
            continue; // lib.rs: the crate root re-exports what it likes
        };
        let text = std::fs::read_to_string(&file).expect("readable");
        // Inline modules (`mod tests {`), by the brace depth they opened at.
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        for (n, line) in text.lines().enumerate() {
            let code = code_of(line);
            let mut here = module.clone();
            here.extend(inline.iter().map(|(m, _)| m.clone()));
            for path in paths_in(&code, &here) {
                if let Some(why) = map.refuses(root, &top, &path) {
                    let found = format!("core/src/{}:{}: {why}", relative.display(), n + 1);
                    if !out.contains(&found) {
                        out.push(found);
                    }
                }
            }
            let trimmed = code.trim_start();
            let declared = trimmed
                .strip_prefix("pub(crate) ")
                .or_else(|| trimmed.strip_prefix("pub "))
                .unwrap_or(trimmed)
                .strip_prefix("mod ")
                .and_then(|m| m.trim_end().strip_suffix('{'))
                .map(|m| m.trim().to_string());
            for c in code.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth = depth.saturating_sub(1);
                        if inline.last().is_some_and(|(_, d)| *d == depth) {
                            inline.pop();
                        }
                    }
                    _ => {}
                }
            }
            if let Some(name) = declared {
                inline.push((name, depth - 1));
            }
        }
    }
    out
}

fn the_map() -> Map {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("layers.toml");
    Map::parse(&std::fs::read_to_string(&path).expect("core/layers.toml"))
}

#[test]
fn every_module_imports_along_the_layer_map() {
    let map = the_map();
    // The map names every top-level module of core/src, so a new one is placed on purpose.
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(src()).expect("core/src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().expect("name").to_string_lossy().to_string();
        if name != "lib" && (path.is_dir() || path.extension().is_some_and(|x| x == "rs")) {
            modules.insert(name);
        }
    }
    let unplaced: Vec<&String> = modules.iter().filter(|m| !map.knows(m)).collect();
    assert!(
        unplaced.is_empty(),
        "modules missing from core/layers.toml: {unplaced:?}"
    );
    let found = violations(&map, &src());
    assert!(
        found.is_empty(),
        "imports against the layer map:\n{}",
        found.join("\n")
    );
}

/// The scanner sees each form an import against the map can take, in a throwaway tree.
#[test]
fn the_scanner_catches_every_form() {
    let map = the_map();
    let root = std::env::temp_dir().join(format!("relman-layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let write = |path: &str, text: &str| {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    write("policy/mod.rs", "mod select;\n");
    write(
        "policy/select.rs",
        "use crate::release::ImageInfo;\n\
         use crate::{error::Result, manifest::unique_key};\n\
         fn f() { let _ = crate::git::snapshot; }\n\
         // use crate::release::Comment;\n\
         const S: &str = \"crate::release::InAString\";\n\
         use crate::image::ImageRef;\n\
         #[cfg(test)]\n\
         mod tests {\n    use super::super::super::config::Config;\n    use super::*;\n}\n",
    );
    write("release/history.rs", "");
    write(
        "git/mod.rs",
        "use crate::release::history::inputs;\nuse crate::release::Snapshot;\n",
    );
    write("names.rs", "use crate::yaml::Node;\nuse crate::error::Error;\n");
    let found = violations(&map, &root);
    let _ = std::fs::remove_dir_all(&root);
    let lines: Vec<&str> = found.iter().map(|f| f.split(": ").next().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "core/src/git/mod.rs:1",
            "core/src/names.rs:1",
            "core/src/policy/select.rs:1",
            "core/src/policy/select.rs:2",
            "core/src/policy/select.rs:3",
            "core/src/policy/select.rs:9",
        ],
        "{found:#?}"
    );
    assert!(
        found[0].contains("reaches into release's file `history`"),
        "{}",
        found[0]
    );
    assert!(found[3].contains("policy imports manifest"), "{}", found[3]);
    assert!(found[5].contains("policy imports config"), "{}", found[5]);
}
