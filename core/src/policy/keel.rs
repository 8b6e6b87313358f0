//! Keel's policies on workloads (DESIGN.md section 16): `keel.sh/policy` (`all`, `major`,
//! `minor`, `patch`, `force`, `glob:PATTERN`, `regexp:PATTERN`), `keel.sh/match-tag`
//! (`keel.sh/matchTag`), `keel.sh/matchPreRelease`, `keel.sh/trigger` and
//! `keel.sh/pollSchedule`, read from the annotations first and then from the labels, as Keel
//! reads them (`GetPolicyFromLabelsOrAnnotations`). Each policy maps onto relman's own model:
//! a [`TagFilter`](super::TagFilter) text per slot (built from the slot's current tag for the
//! semver policies, which Keel decides relative to it), and automation on.

#[cfg(test)]
use std::collections::BTreeMap;

use super::VersionMode;
use super::version::parse_version;

/// The key of Keel's policy.
const POLICY: &str = "keel.sh/policy";
/// Keel's legacy key of the policy.
const POLICY_LEGACY: &str = "keel.observer/policy";
/// The keys of `force`'s tag match, in Keel's order.
const MATCH_TAG: [&str; 2] = ["keel.sh/matchTag", "keel.sh/match-tag"];
/// The key of the prerelease match of the semver policies (default on).
const MATCH_PRERELEASE: &str = "keel.sh/matchPreRelease";
/// The key of Keel's trigger.
const TRIGGER: &str = "keel.sh/trigger";
/// The key of the poll schedule.
const POLL_SCHEDULE: &str = "keel.sh/pollSchedule";
/// The key that asks Keel to update init containers too (default off).
const INIT_CONTAINERS: &str = "keel.sh/initContainers";

/// Which versions a Keel semver policy allows, relative to the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// `all`: any newer version, prereleases included whatever `matchPreRelease` says.
    All,
    /// `major`: any newer version.
    Major,
    /// `minor`: a newer version of the same major.
    Minor,
    /// `patch`: a newer version of the same major and minor.
    Patch,
}

/// What `keel.sh/policy` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    /// `all`, `major`, `minor`, `patch`.
    Semver(Level),
    /// `force` (with `match-tag`: only the current tag, i.e. its digest).
    Force,
    /// `glob:PATTERN`: the greatest matching tag in byte order.
    Glob(String),
    /// `regexp:PATTERN`: the greatest match in byte order, of the `compare` group when the
    /// pattern has one.
    Regexp(String),
    /// `never` or an empty value: Keel does nothing.
    Never,
    /// Anything else (or a glob/regexp Keel refuses): Keel logs it and does nothing.
    Unknown(String),
}

/// The Keel policy of one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keel {
    /// The policy.
    pub rule: Rule,
    /// Where it was read: `annotation keel.sh/policy` or `label keel.sh/policy`.
    pub key: String,
    /// The value as written.
    pub text: String,
    /// `match-tag`/`matchTag` is exactly `"true"` (only with `force` does it matter).
    pub match_tag: bool,
    /// `matchPreRelease` is not `"false"` (Keel's default is on).
    pub match_prerelease: bool,
    /// `keel.sh/trigger`, as written (relman decides when asked: it changes no decision).
    pub trigger: Option<String>,
    /// `keel.sh/pollSchedule`, as written (relman decides when asked).
    pub poll_schedule: Option<String>,
    /// `keel.sh/initContainers` is exactly `"true"`: Keel updates init containers too.
    pub init_containers: bool,
}

/// A map of keys (annotations or labels) to their values.
type Lookup<'m, 'f> = dyn Fn(&str) -> Option<&'m str> + 'f;

/// What a Keel policy makes of one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SlotRule {
    /// The filter text to decide with.
    Filter(String),
    /// Keel would never move this slot; why.
    Never(String),
}

/// Read the Keel policy of a workload from its `annotations` (first) and `labels`, as Keel
/// does: the options are read from the same map as the policy. `None` when neither holds
/// `keel.sh/policy` (or the legacy `keel.observer/policy`).
pub(crate) fn read<'m>(
    annotations: impl Fn(&str) -> Option<&'m str>,
    labels: impl Fn(&str) -> Option<&'m str>,
) -> Option<Keel> {
    let has_policy = |get: &Lookup<'m, '_>| get(POLICY).or_else(|| get(POLICY_LEGACY)).is_some();
    let (get, place): (&Lookup<'m, '_>, &str) = if has_policy(&annotations) {
        (&annotations, "annotation")
    } else if has_policy(&labels) {
        (&labels, "label")
    } else {
        return None;
    };
    let (key, text) = match get(POLICY) {
        Some(t) => (POLICY, t),
        None => (POLICY_LEGACY, get(POLICY_LEGACY)?),
    };
    let rule = parse_rule(text);
    let match_tag = MATCH_TAG.iter().find_map(|k| get(k)) == Some("true");
    let match_prerelease = get(MATCH_PRERELEASE).is_none_or(|v| v == "true");
    Some(Keel {
        rule,
        key: format!("{place} {key}"),
        text: text.to_string(),
        match_tag,
        match_prerelease,
        trigger: get(TRIGGER).map(str::to_string),
        poll_schedule: get(POLL_SCHEDULE).map(str::to_string),
        init_containers: get(INIT_CONTAINERS) == Some("true"),
    })
}

/// The rule of a `keel.sh/policy` value, as Keel's `GetPolicy` reads it.
fn parse_rule(text: &str) -> Rule {
    if let Some(pattern) = text.strip_prefix("glob:") {
        // Keel splits at every `:` and wants exactly two parts.
        return if pattern.contains(':') {
            Rule::Unknown(text.to_string())
        } else {
            Rule::Glob(pattern.to_string())
        };
    }
    if let Some(pattern) = text.strip_prefix("regexp:") {
        // Keel refuses a pattern Go does not compile; one holding a space is no relman clause.
        return if pattern.contains(' ') || regex::Regex::new(pattern).is_err() {
            Rule::Unknown(text.to_string())
        } else {
            Rule::Regexp(pattern.to_string())
        };
    }
    match text {
        "all" => Rule::Semver(Level::All),
        "major" => Rule::Semver(Level::Major),
        "minor" => Rule::Semver(Level::Minor),
        "patch" => Rule::Semver(Level::Patch),
        "force" => Rule::Force,
        "" | "never" => Rule::Never,
        other => Rule::Unknown(other.to_string()),
    }
}

impl Keel {
    /// Whether the policy asks for automation (Keel updates the workload): every policy but
    /// `never` and the ones Keel does not read.
    pub(crate) fn automates(&self) -> bool {
        !matches!(self.rule, Rule::Never | Rule::Unknown(_))
    }

    /// The filter of a slot whose current tag is `tag` (`None`: no tag, which Keel reads as
    /// `latest`), or why Keel would never move it.
    pub(crate) fn slot_rule(&self, tag: Option<&str>) -> SlotRule {
        let tag = tag.unwrap_or("latest");
        match &self.rule {
            Rule::Never | Rule::Unknown(_) => {
                SlotRule::Never(format!("{} is no policy Keel applies", self.key))
            }
            Rule::Glob(pattern) => {
                if pattern.is_empty() {
                    // Keel's glob of an empty pattern matches only the empty tag: none.
                    return SlotRule::Never(
                        "keel.sh/policy glob: with an empty pattern matches no tag".into(),
                    );
                }
                SlotRule::Filter(format!("alphabetical:asc glob:{pattern}"))
            }
            Rule::Regexp(pattern) => {
                // A `compare` group ranks by its text (Keel's `SubexpIndex("compare")`).
                let compare = regex::Regex::new(pattern)
                    .ok()
                    .is_some_and(|re| re.capture_names().any(|n| n == Some("compare")));
                SlotRule::Filter(if compare {
                    format!("alphabetical:asc extract:$compare regex:{pattern}")
                } else {
                    format!("alphabetical:asc regex:{pattern}")
                })
            }
            Rule::Force if self.match_tag => SlotRule::Filter(format!("digest:{tag}")),
            // Keel's force orders the tags that parse as versions (any number of parts,
            // prereleases included) first, highest first, and never moves a version down.
            Rule::Force => SlotRule::Filter("versions:loose semver:>=0.0.0-0".into()),
            Rule::Semver(level) => self.semver_rule(*level, tag),
        }
    }

    /// A semver policy's filter, relative to the current tag (Keel's `shouldUpdate`).
    fn semver_rule(&self, level: Level, tag: &str) -> SlotRule {
        // `latest` moves to the highest version of the list, whatever the policy.
        if tag == "latest" {
            return SlotRule::Filter("versions:default semver:>=0.0.0-0".into());
        }
        // Keel reads the current tag with Masterminds semver v1: one to three parts.
        let Some(current) = parse_version(tag, VersionMode::Loose) else {
            return SlotRule::Never(format!(
                "keel.sh/policy {} reads the current tag as a version, and {tag} is not one: Keel never moves it",
                level_name(level)
            ));
        };
        let pre = current.pre.as_str();
        // Which prereleases a candidate may carry: any (`all`, or `matchPreRelease: "false"`),
        // exactly the current one (Keel compares them as strings), or none.
        let any_pre = level == Level::All || !self.match_prerelease;
        let names_pre = any_pre || !pre.is_empty();
        let suffix = if names_pre { "-0" } else { "" };
        let (major, minor) = (current.major, current.minor);
        let range = match level {
            Level::All | Level::Major => format!(">=0.0.0{suffix}"),
            Level::Minor => format!(">={major}.0.0{suffix} <{}.0.0{suffix}", major + 1),
            Level::Patch => format!(">={major}.{minor}.0{suffix} <{major}.{}.0{suffix}", minor + 1),
        };
        let pattern = if !any_pre && !pre.is_empty() {
            format!("regex:^[^-+]*-{}(\\+[0-9A-Za-z.-]*)?$ ", regex::escape(pre))
        } else {
            String::new()
        };
        // Keel's candidates spell two or three parts: relman's default reading.
        SlotRule::Filter(format!("{pattern}versions:default semver:{range}"))
    }
}

/// The word of a level.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::All => "all",
        Level::Major => "major",
        Level::Minor => "minor",
        Level::Patch => "patch",
    }
}

/// The Keel policy of a workload whose annotations are `annotations` and labels `labels`
/// (each key with its value; non-string values left out).
#[cfg(test)]
pub(crate) fn read_maps(
    annotations: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
) -> Option<Keel> {
    read(
        |k| annotations.get(k).map(String::as_str),
        |k| labels.get(k).map(String::as_str),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::TagFilter;

    fn keel(pairs: &[(&str, &str)]) -> Keel {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read_maps(&map, &BTreeMap::new()).unwrap()
    }

    fn filter(pairs: &[(&str, &str)], tag: &str) -> String {
        match keel(pairs).slot_rule(Some(tag)) {
            SlotRule::Filter(f) => {
                TagFilter::parse(&f).unwrap();
                f
            }
            SlotRule::Never(why) => format!("never: {why}"),
        }
    }

    #[test]
    fn semver_policies_are_relative_to_the_current_tag() {
        let p = |v| [("keel.sh/policy", v)];
        assert_eq!(
            filter(&p("minor"), "1.2.3"),
            "versions:default semver:>=1.0.0 <2.0.0"
        );
        assert_eq!(
            filter(&p("patch"), "v1.2.3"),
            "versions:default semver:>=1.2.0 <1.3.0"
        );
        assert_eq!(filter(&p("major"), "1.2"), "versions:default semver:>=0.0.0");
        assert_eq!(filter(&p("all"), "1.2.3"), "versions:default semver:>=0.0.0-0");
        assert_eq!(filter(&p("patch"), "latest"), "versions:default semver:>=0.0.0-0");
        assert!(filter(&p("minor"), "main-abc").starts_with("never: "));
        let f = filter(&p("minor"), "1.3.0-rc.1");
        assert_eq!(
            f,
            "regex:^[^-+]*-rc\\.1(\\+[0-9A-Za-z.-]*)?$ versions:default semver:>=1.0.0-0 <2.0.0-0"
        );
        let f = TagFilter::parse(&f).unwrap();
        assert!(f.matches("1.4.0-rc.1") && !f.matches("1.4.0") && !f.matches("1.4.0-rc.10"));
        let any = [("keel.sh/policy", "minor"), ("keel.sh/matchPreRelease", "false")];
        assert_eq!(
            filter(&any, "1.2.3"),
            "versions:default semver:>=1.0.0-0 <2.0.0-0"
        );
    }

    #[test]
    fn annotations_win_over_labels_and_options_follow_the_policy() {
        let a: BTreeMap<String, String> = [("keel.sh/policy".to_string(), "force".to_string())].into();
        let l: BTreeMap<String, String> = [
            ("keel.sh/policy".to_string(), "patch".to_string()),
            ("keel.sh/match-tag".to_string(), "true".to_string()),
        ]
        .into();
        let k = read_maps(&a, &l).unwrap();
        assert_eq!((k.rule.clone(), k.match_tag), (Rule::Force, false));
        assert_eq!(k.key, "annotation keel.sh/policy");
        let k = read_maps(&BTreeMap::new(), &l).unwrap();
        assert_eq!((k.rule, k.match_tag), (Rule::Semver(Level::Patch), true));
        assert!(read_maps(&BTreeMap::new(), &BTreeMap::new()).is_none());
        let legacy = keel(&[("keel.observer/policy", "major")]);
        assert_eq!(legacy.rule, Rule::Semver(Level::Major));
    }

    #[test]
    fn other_rules() {
        assert_eq!(
            filter(&[("keel.sh/policy", "glob:build-*")], "x"),
            "alphabetical:asc glob:build-*"
        );
        assert_eq!(
            filter(&[("keel.sh/policy", "regexp:^v(?P<compare>[0-9]+)")], "x"),
            "alphabetical:asc extract:$compare regex:^v(?P<compare>[0-9]+)"
        );
        assert_eq!(
            filter(&[("keel.sh/policy", "regexp:^main-")], "x"),
            "alphabetical:asc regex:^main-"
        );
        assert_eq!(
            filter(
                &[("keel.sh/policy", "force"), ("keel.sh/matchTag", "true")],
                "latest"
            ),
            "digest:latest"
        );
        assert_eq!(
            filter(&[("keel.sh/policy", "force")], "2"),
            "versions:loose semver:>=0.0.0-0"
        );
        for unknown in [
            "regex:^v",
            "sometimes",
            "glob:a:b",
            "Minor",
            "regexp:(",
            "regexp:a b",
        ] {
            let k = keel(&[("keel.sh/policy", unknown)]);
            assert!(matches!(k.rule, Rule::Unknown(_)), "{unknown}");
            assert!(!k.automates());
        }
        assert!(!keel(&[("keel.sh/policy", "never")]).automates());
        let t = keel(&[
            ("keel.sh/policy", "all"),
            ("keel.sh/trigger", "poll"),
            ("keel.sh/pollSchedule", "@every 1m"),
        ]);
        assert_eq!(
            (t.trigger.as_deref(), t.poll_schedule.as_deref()),
            (Some("poll"), Some("@every 1m"))
        );
    }
}
