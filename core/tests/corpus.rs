//! The opt-in corpus test (DESIGN.md section 13).
//!
//! Set `RELMAN_CORPUS` to a folder of real-world manifests (`../shared/corpus`) to run it;
//! without it the test only says that it was skipped. For every `*.yaml`/`*.yml` file below the
//! folder:
//!
//! 1. `list_images` must accept the file (if relman refuses it, libyaml itself is asked whether
//!    the file is valid YAML: refusing a file libyaml accepts is a failure);
//! 2. every managed slot set to its own image must give back the same bytes;
//! 3. the first managed slot set to `<repository>:9.9.9` must change exactly the bytes of one
//!    scalar, checked by two oracles that share no code with libyaml: `saphyr-parser` (the event
//!    streams of the old and new text differ in exactly that scalar's value) and `yaml-edit`
//!    (the changed bytes lie inside that scalar's node of the lossless syntax tree). The only
//!    acceptable refusal is `unsupported_yaml`.
//! 4. the fast reader and libyaml read the file alike, as is, with CRLF line breaks and with a
//!    BOM (the contract of `reader.rs`: equal trees, or the same error); the summary counts the
//!    files and bytes the fast reader reads itself.
//!
//! A summary is printed at the end (run with `--nocapture` to see it); all problems are
//! reported together in one assertion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use relman::{ImageRef, ImageSlot, Options, SlotKind, list_images, set_image};
use saphyr_parser::{Event, ScalarStyle};
use yaml_edit::visitor::{YamlAccept, YamlVisitor};

/// The tag every edit writes.
const NEW_TAG: &str = "9.9.9";
/// At most this many problem lines go into the failure message.
const MAX_PROBLEM_LINES: usize = 50;

#[test]
fn corpus() {
    let root = match std::env::var_os("RELMAN_CORPUS") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => {
            eprintln!("corpus: skipped: RELMAN_CORPUS not set");
            return;
        }
    };
    assert!(root.is_dir(), "RELMAN_CORPUS={} is not a folder", root.display());
    let files = yaml_files(&root);
    assert!(
        !files.is_empty(),
        "no *.yaml or *.yml file under {}",
        root.display()
    );

    let outcomes = check_all(&root, &files);
    let summary = Summary::of(&outcomes);
    summary.print();

    let problems: Vec<String> = outcomes
        .iter()
        .flat_map(|o| o.problems.iter().map(move |p| format!("{}: {p}", o.file)))
        .collect();
    if !problems.is_empty() {
        let mut shown: Vec<String> = problems
            .iter()
            .flat_map(|p| p.lines())
            .map(str::to_string)
            .collect();
        let total = shown.len();
        shown.truncate(MAX_PROBLEM_LINES);
        if total > MAX_PROBLEM_LINES {
            shown.push(format!("... and {} more lines", total - MAX_PROBLEM_LINES));
        }
        panic!(
            "{} problem(s) in the corpus:\n{}",
            problems.len(),
            shown.join("\n")
        );
    }
}

/// Every `*.yaml`/`*.yml` file under `root`, sorted.
pub(crate) fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Check the files on all cores; the outcomes come back in the order of `files`.
fn check_all(root: &Path, files: &[PathBuf]) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::with_capacity(files.len()));
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(16);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
                    let outcome = check_file(path, name);
                    results
                        .lock()
                        .expect("no thread panicked holding the lock")
                        .push((i, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("no thread panicked holding the lock");
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

/// What happened to the first managed slot's edit.
#[derive(Debug, Default)]
enum Edit {
    /// No edit was tried (the file was refused or has no managed slot).
    #[default]
    None,
    /// relman refused the edit.
    Refused { code: &'static str, message: String },
    /// relman made the edit; `checked_by` names the oracles that could check it.
    Made { checked_by: Vec<&'static str> },
}

/// Everything learnt about one file.
#[derive(Debug, Default)]
struct Outcome {
    file: String,
    /// The file is not UTF-8 (relman takes `&str`), so it was not checked.
    not_utf8: bool,
    /// The file's size in bytes (when UTF-8).
    bytes: usize,
    /// The fast reader read the file (as is) itself, rather than leaving it to libyaml.
    fast_read: bool,
    /// `list_images` refused the file: code, message, and libyaml's own verdict.
    refused: Option<(&'static str, String, Result<(), String>)>,
    slots: usize,
    managed: usize,
    noop_checks: usize,
    /// No-op edits relman refused with `unsupported_yaml` (allowed, but counted).
    noop_unsupported: usize,
    edit: Edit,
    /// Oracles that could not parse a text libyaml accepts: (oracle, its error).
    oracle_skips: Vec<(&'static str, String)>,
    problems: Vec<String>,
}

fn check_file(path: &Path, file: String) -> Outcome {
    let mut out = Outcome {
        file,
        ..Outcome::default()
    };
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let Ok(text) = String::from_utf8(bytes) else {
        out.not_utf8 = true;
        return out;
    };
    out.bytes = text.len();
    for (i, (variant, variant_text)) in crate::reader::variants(&text).iter().enumerate() {
        match crate::reader_contract::check_contract(variant_text) {
            Ok(agreed) => out.fast_read |= i == 0 && agreed.fast,
            Err(problem) => out
                .problems
                .push(format!("fast reader and libyaml differ ({variant}): {problem}")),
        }
    }
    let options = Options {
        path: Some(out.file.clone()),
        ..Options::default()
    };
    let slots = match list_images(&text, &options) {
        Ok(slots) => slots,
        Err(err) => {
            let verdict = libyaml_accepts(&text);
            if err.code() == "internal" {
                out.problems.push(format!("list_images failed: {err}"));
            } else if verdict.is_ok() {
                out.problems
                    .push(format!("list_images refused a file libyaml accepts: {err}"));
            }
            out.refused = Some((err.code(), err.to_string(), verdict));
            return out;
        }
    };
    out.slots = slots.len();
    // `set_image` addresses a slot by workload and container name, so only the first slot of a
    // (workload, container) pair can be addressed; a later namesake would be a test artefact.
    let addressable: Vec<&ImageSlot> = slots
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.is_managed()
                && !slots[..*i]
                    .iter()
                    .any(|p| p.workload == s.workload && p.container == s.container)
        })
        .map(|(_, s)| s)
        .collect();
    out.managed = slots.iter().filter(|s| s.is_managed()).count();

    for slot in &addressable {
        out.noop_checks += 1;
        match set_image(&text, &slot.workload, &slot.container, slot.image(), &options) {
            Ok(same) if same == text => {}
            Ok(changed) => out.problems.push(format!(
                "no-op edit of {} changed bytes:\n{}",
                describe(slot),
                first_difference(&text, &changed)
            )),
            Err(err) if err.code() == "unsupported_yaml" => out.noop_unsupported += 1,
            Err(err) => out
                .problems
                .push(format!("no-op edit of {} refused: {err}", describe(slot))),
        }
    }

    if let Some(slot) = addressable.first() {
        check_edit(&text, slot, &options, &mut out);
    }
    out
}

/// `workload container image at line:column`.
fn describe(slot: &ImageSlot) -> String {
    format!(
        "{} {} `{}` at {}:{}",
        slot.workload,
        slot.container,
        slot.image(),
        slot.line,
        slot.column
    )
}

/// Set `slot` to `<repository>:9.9.9` and check the result with both oracles.
fn check_edit(old: &str, slot: &ImageSlot, options: &Options, out: &mut Outcome) {
    let reference = slot.image_ref().expect("a managed slot holds a valid reference");
    let image = format!("{}:{NEW_TAG}", reference.repository());
    let new = match set_image(old, &slot.workload, &slot.container, &image, options) {
        Ok(new) => new,
        Err(err) => {
            if err.code() != "unsupported_yaml" {
                out.problems
                    .push(format!("edit of {} to `{image}` refused: {err}", describe(slot)));
            }
            out.edit = Edit::Refused {
                code: err.code(),
                message: err.to_string(),
            };
            return;
        }
    };
    if new == old {
        if slot.image() != image {
            out.problems.push(format!(
                "edit of {} to `{image}` returned the text unchanged",
                describe(slot)
            ));
        }
        out.edit = Edit::Made {
            checked_by: Vec::new(),
        };
        return;
    }
    let expected = expected_changes(slot, reference, &image);
    let mut checked_by = Vec::new();
    let mut problems = Vec::new();

    // Oracle 1, saphyr-parser: the event streams differ in exactly one scalar's value.
    let mut change: Option<(String, String)> = None;
    match saphyr_events(old) {
        Err(e) => out.oracle_skips.push(("saphyr-parser", e)),
        Ok(before) => match saphyr_events(&new) {
            Err(e) => problems.push(format!("saphyr-parser cannot parse the edited text: {e}")),
            Ok(after) => {
                checked_by.push("saphyr-parser");
                match one_scalar_changed(&before, &after) {
                    Err(e) => problems.push(format!("saphyr-parser: {e}")),
                    Ok((from, to)) => {
                        if !expected.iter().any(|(f, t)| *f == from && *t == to) {
                            problems.push(format!(
                                "saphyr-parser: the changed scalar went from {from:?} to {to:?}; expected one of {expected:?}"
                            ));
                        }
                        change = Some((from, to));
                    }
                }
            }
        },
    }

    // Oracle 2, yaml-edit: the changed bytes lie inside one scalar of the old text's syntax tree,
    // and that scalar (and its replacement in the new text) holds the old (new) value.
    match yaml_edit_scalars(old) {
        Err(e) => out.oracle_skips.push(("yaml-edit", e)),
        Ok(old_scalars) => match yaml_edit_scalars(&new) {
            Err(e) => problems.push(format!("yaml-edit cannot parse the edited text: {e}")),
            Ok(new_scalars) => {
                checked_by.push("yaml-edit");
                if let Err(e) = check_span(old, &new, &old_scalars, &new_scalars, change.as_ref(), &expected)
                {
                    problems.push(format!("yaml-edit: {e}"));
                }
            }
        },
    }

    // relman reads back what it wrote.
    match list_images(&new, options) {
        Ok(slots) => {
            let back = slots
                .iter()
                .find(|s| s.workload == slot.workload && s.container == slot.container);
            if back.map(|s| s.image()) != Some(image.as_str()) {
                problems.push(format!(
                    "list_images on the edited text gives {:?}",
                    back.map(|s| s.image())
                ));
            }
        }
        Err(err) => problems.push(format!("list_images refuses the edited text: {err}")),
    }

    if !problems.is_empty() {
        out.problems.push(format!(
            "edit of {} to `{image}` is wrong: {}\n{}",
            describe(slot),
            problems.join("; "),
            first_difference(old, &new)
        ));
    }
    out.edit = Edit::Made { checked_by };
}

/// The (old value, new value) pairs an edit of `slot` to `image` may write into one scalar: the
/// whole reference, or for a HelmRelease slot split over fields, the tag field or a repository
/// field that takes the tag.
fn expected_changes(slot: &ImageSlot, reference: &ImageRef, image: &str) -> Vec<(String, String)> {
    let mut out = vec![(slot.image().to_string(), image.to_string())];
    if slot.kind == SlotKind::HelmValues {
        if let Some(tag) = reference.tag() {
            out.push((tag.to_string(), NEW_TAG.to_string()));
        }
        let path = reference.path();
        out.push((path.to_string(), format!("{path}:{NEW_TAG}")));
        out.push((reference.repository().to_string(), image.to_string()));
    }
    out
}

/// The events of `text` as saphyr-parser reads them (spans dropped).
fn saphyr_events(text: &str) -> Result<Vec<Event<'_>>, String> {
    let mut events = Vec::new();
    for item in saphyr_parser::Parser::new_from_str(text) {
        let (event, _span) = item.map_err(|e| e.to_string())?;
        events.push(event);
    }
    Ok(events)
}

/// The one scalar whose value differs between the two event streams, as (old, new) values;
/// everything else (kinds, anchors, tags, values, styles) must be equal. A scalar's style may
/// only change from plain to double-quoted.
fn one_scalar_changed(before: &[Event<'_>], after: &[Event<'_>]) -> Result<(String, String), String> {
    if before.len() != after.len() {
        return Err(format!(
            "{} events before the edit, {} after",
            before.len(),
            after.len()
        ));
    }
    let mut found = None;
    for (i, (a, b)) in before.iter().zip(after).enumerate() {
        if a == b {
            continue;
        }
        match (a, b) {
            (Event::Scalar(va, sa, anchor_a, tag_a), Event::Scalar(vb, sb, anchor_b, tag_b))
                if anchor_a == anchor_b && tag_a == tag_b && va != vb =>
            {
                let style_ok = sa == sb || (*sa == ScalarStyle::Plain && *sb == ScalarStyle::DoubleQuoted);
                if !style_ok {
                    return Err(format!("event {i}: style of {va:?} went from {sa:?} to {sb:?}"));
                }
                if found.is_some() {
                    return Err(format!(
                        "a second scalar changed at event {i}: {a:?} became {b:?}"
                    ));
                }
                found = Some((va.to_string(), vb.to_string()));
            }
            _ => return Err(format!("event {i} changed: {a:?} became {b:?}")),
        }
    }
    found.ok_or_else(|| "the texts differ but their events are equal".to_string())
}

/// A scalar of a yaml-edit syntax tree: its byte range, its text as written and its value.
#[derive(Debug)]
struct CstScalar {
    start: usize,
    end: usize,
    written: String,
    value: String,
}

#[derive(Default)]
struct ScalarCollector(Vec<CstScalar>);

impl YamlVisitor for ScalarCollector {
    fn visit_scalar(&mut self, scalar: &yaml_edit::Scalar) {
        let range = scalar.byte_range();
        self.0.push(CstScalar {
            start: range.start as usize,
            end: range.end as usize,
            written: scalar.value(),
            value: scalar.as_string(),
        });
    }
}

/// Every scalar node of the yaml-edit syntax tree of `text`; an error if yaml-edit reports one.
fn yaml_edit_scalars(text: &str) -> Result<Vec<CstScalar>, String> {
    let parsed = yaml_edit::YamlFile::parse(text);
    if let Some(first) = parsed.errors().into_iter().next() {
        return Err(first);
    }
    let tree = parsed.tree();
    if tree.to_string() != text {
        return Err("the syntax tree does not give back the text".to_string());
    }
    let mut collector = ScalarCollector::default();
    tree.accept(&mut collector);
    Ok(collector.0)
}

/// The changed bytes of `old` lie inside exactly one scalar node, whose value is the old value
/// of the change; `new` is `old` with that scalar's bytes replaced, the quote style is kept (or
/// plain became double-quoted), and the new bytes are a scalar node of the new text's tree
/// holding the new value.
fn check_span(
    old: &str,
    new: &str,
    old_scalars: &[CstScalar],
    new_scalars: &[CstScalar],
    change: Option<&(String, String)>,
    expected: &[(String, String)],
) -> Result<(), String> {
    let (o, n) = (old.as_bytes(), new.as_bytes());
    let prefix = o.iter().zip(n).take_while(|(a, b)| a == b).count();
    let room = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let (from, to) = (prefix, o.len() - suffix);
    // The smallest scalar node that holds the changed bytes.
    let scalar = old_scalars
        .iter()
        .filter(|s| s.start <= from && to <= s.end)
        .min_by_key(|s| s.end - s.start)
        .ok_or_else(|| {
            format!("bytes {from}..{to} of the old text changed, and no scalar node holds them")
        })?;
    let values: Vec<&(String, String)> = match change {
        Some(c) => vec![c],
        None => expected.iter().collect(),
    };
    let Some((_, new_value)) = values.iter().find(|(f, _)| *f == scalar.value) else {
        return Err(format!(
            "the changed bytes lie in the scalar {:?} at {}..{}, which is not the targeted value {:?}",
            scalar.written,
            scalar.start,
            scalar.end,
            values.iter().map(|(f, _)| f).collect::<Vec<_>>()
        ));
    };
    let replaced_end = scalar.end + n.len() - o.len();
    let Some(written) = new.get(scalar.start..replaced_end) else {
        return Err(format!(
            "bytes {}..{replaced_end} of the new text are not whole characters",
            scalar.start
        ));
    };
    if format!("{}{written}{}", &old[..scalar.start], &old[scalar.end..]) != new {
        return Err(format!(
            "the new text is not the old one with {:?} replaced",
            scalar.written
        ));
    }
    // Quote style: kept, or plain turned double-quoted.
    let quote = |w: &str| w.chars().next().filter(|c| *c == '"' || *c == '\'');
    let style_ok = quote(&scalar.written) == quote(written)
        || (quote(&scalar.written).is_none() && quote(written) == Some('"'));
    if !style_ok {
        return Err(format!(
            "{:?} was written as {written:?}: the quote style changed",
            scalar.written
        ));
    }
    let replacement = new_scalars
        .iter()
        .find(|s| s.start == scalar.start && s.end == replaced_end);
    match replacement {
        Some(s) if s.value == *new_value => Ok(()),
        Some(s) => Err(format!("{written:?} reads as {:?}, not {new_value:?}", s.value)),
        None => Err(format!(
            "{written:?} replaced {:?} but is not one scalar node of the new text",
            scalar.written
        )),
    }
}

/// The first differing line of two texts, with its line number, for problem reports.
fn first_difference(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (
        old.split_inclusive('\n').collect(),
        new.split_inclusive('\n').collect(),
    );
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let line = |v: &[&str]| {
        v.get(i)
            .map_or_else(|| "<end of text>".to_string(), |l| format!("{l:?}"))
    };
    format!(
        "    line {}: - {}\n    line {}: + {}",
        i + 1,
        line(&a),
        i + 1,
        line(&b)
    )
}

/// libyaml's own verdict on `text` (its events parsed to the end of the stream, no tree
/// built), asked only about files that relman refuses, to tell invalid YAML from a relman
/// refusal of valid YAML.
fn libyaml_accepts(text: &str) -> Result<(), String> {
    relman::__private::yaml::check_syntax(text).map_err(|e| e.to_string())
}

/// `part` as a whole percentage of `whole` (0 when `whole` is 0).
fn percent(part: usize, whole: usize) -> usize {
    (100 * part).checked_div(whole).unwrap_or(0)
}

/// A file relman refused: its name, relman's message and libyaml's own verdict.
type Refusal = (String, String, Result<(), String>);

/// The counts printed at the end.
#[derive(Default)]
struct Summary {
    files: usize,
    not_utf8: usize,
    /// Bytes of all UTF-8 files.
    bytes: usize,
    /// Files (and their bytes) the fast reader read itself.
    fast_files: usize,
    fast_bytes: usize,
    accepted: usize,
    /// Files relman refused, by code: (file, message, libyaml's verdict).
    refused: BTreeMap<&'static str, Vec<Refusal>>,
    slots: usize,
    managed: usize,
    noop_checks: usize,
    noop_unsupported: usize,
    edits_made: usize,
    /// Edits checked by both oracles.
    edits_verified: usize,
    /// Edits made on a file no oracle could parse.
    edits_unchecked: usize,
    no_managed_slot: usize,
    /// Edits refused, by code: (file, message).
    edits_refused: BTreeMap<&'static str, Vec<(String, String)>>,
    /// Oracle skips by oracle: (file, error).
    oracle_skips: BTreeMap<&'static str, Vec<(String, String)>>,
    problems: usize,
}

impl Summary {
    fn of(outcomes: &[Outcome]) -> Summary {
        let mut s = Summary {
            files: outcomes.len(),
            ..Summary::default()
        };
        for o in outcomes {
            s.problems += o.problems.len();
            s.bytes += o.bytes;
            if o.fast_read {
                s.fast_files += 1;
                s.fast_bytes += o.bytes;
            }
            for (oracle, err) in &o.oracle_skips {
                s.oracle_skips
                    .entry(oracle)
                    .or_default()
                    .push((o.file.clone(), err.clone()));
            }
            if o.not_utf8 {
                s.not_utf8 += 1;
                continue;
            }
            if let Some((code, message, verdict)) = &o.refused {
                s.refused
                    .entry(code)
                    .or_default()
                    .push((o.file.clone(), message.clone(), verdict.clone()));
                continue;
            }
            s.accepted += 1;
            s.slots += o.slots;
            s.managed += o.managed;
            s.noop_checks += o.noop_checks;
            s.noop_unsupported += o.noop_unsupported;
            match &o.edit {
                Edit::None => s.no_managed_slot += 1,
                Edit::Refused { code, message } => {
                    s.edits_refused
                        .entry(code)
                        .or_default()
                        .push((o.file.clone(), message.clone()));
                }
                Edit::Made { checked_by } => {
                    s.edits_made += 1;
                    match checked_by.len() {
                        0 => s.edits_unchecked += 1,
                        2 => s.edits_verified += 1,
                        _ => {}
                    }
                }
            }
        }
        s
    }

    fn print(&self) {
        let refused: usize = self.refused.values().map(Vec::len).sum();
        let edits_refused: usize = self.edits_refused.values().map(Vec::len).sum();
        let skipped_edits: usize = self.oracle_skips.values().map(Vec::len).sum();
        eprintln!("corpus summary");
        eprintln!("  files:                 {}", self.files);
        if self.not_utf8 > 0 {
            eprintln!("  not UTF-8 (unchecked): {}", self.not_utf8);
        }
        eprintln!(
            "  fast reader:           {} of {} files ({}%), {} of {} bytes ({}%); the rest read by libyaml",
            self.fast_files,
            self.files - self.not_utf8,
            percent(self.fast_files, self.files - self.not_utf8),
            self.fast_bytes,
            self.bytes,
            percent(self.fast_bytes, self.bytes)
        );
        eprintln!("  accepted:              {}", self.accepted);
        eprintln!("  refused:               {refused}");
        for (code, files) in &self.refused {
            eprintln!("    {code}: {}", files.len());
            for (file, message, verdict) in files {
                let libyaml = match verdict {
                    Ok(()) => "libyaml accepts it".to_string(),
                    Err(e) => format!("libyaml rejects it too: {e}"),
                };
                eprintln!("      {file}: {message} ({libyaml})");
            }
        }
        eprintln!(
            "  slots listed:          {} ({} managed)",
            self.slots, self.managed
        );
        eprintln!(
            "  no-op checks:          {} ({} refused as unsupported_yaml)",
            self.noop_checks, self.noop_unsupported
        );
        eprintln!("  files without a managed slot: {}", self.no_managed_slot);
        eprintln!(
            "  edits made:            {} (verified by both oracles: {}, by one: {}, by none: {})",
            self.edits_made,
            self.edits_verified,
            self.edits_made - self.edits_verified - self.edits_unchecked,
            self.edits_unchecked
        );
        eprintln!("  edits refused:         {edits_refused}");
        for (code, files) in &self.edits_refused {
            eprintln!("    {code}: {}", files.len());
            for (file, message) in files {
                eprintln!("      {file}: {message}");
            }
        }
        eprintln!("  oracle could not check: {skipped_edits}");
        for (oracle, files) in &self.oracle_skips {
            eprintln!("    {oracle}: {}", files.len());
            for (file, err) in files {
                eprintln!("      {file}: {err}");
            }
        }
        eprintln!("  problems:              {}", self.problems);
    }
}
