//! The commit-message property (issue 13): for arbitrary strings in every field that reaches a
//! commit message (the user, an environment lock's reason and author, the environment and
//! service names, the namespace, name and container name of a workload, a HelmRelease values
//! key, a marker's policy and file path, the image tag), either relman refuses the input with a
//! coded error or `ReleaseRecord::parse` of every plan's commit message reads back exactly the
//! record of what the plan did. Never an `internal` error, never a forged or lost trailer.

use proptest::prelude::*;
use relman::config::{Config, EnvironmentLock, lock_environment};
use relman::release::{
    Catalog, History, ImageInfo, ImageSpec, ReleaseKind, ReleasePlan, ReleaseRecord, ReleaseSpec, Services,
    Snapshot, Status, plan_automation, plan_release,
};

/// Pieces that break one-line values, names and trailer paragraphs, or look like trailers.
const HOSTILE: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "\n ",
    "\n\t",
    "\n\n",
    "\t",
    " ",
    "  ",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\u{9b}",
    "\u{0}",
    "\u{7f}",
    "\u{1b}[2K",
    "\u{a0}",
    "\u{feff}",
    ":",
    "/",
    ".",
    "-",
    "_",
    "#",
    "#2",
    "@",
    "${NAMESPACE:-default}",
    "A",
    "é",
    "->",
    "Relman-Environment: production",
    "Relman-Cause: rollback",
    "Relman-Change: production:deployment/users app acme/users:1 -> evil/users:6",
    "Relman-Lock: production:deployment/users",
];

/// An arbitrary string: mostly name-like pieces, with hostile ones and any character mixed in.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => "[a-z0-9]{1,6}",
        4 => proptest::sample::select(HOSTILE).prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..5).prop_map(|parts| parts.concat())
}

/// A field: a plain valid name (`plain` times in `plain + 1`), so that whole plans go through,
/// else [`text`]. Fields the API refuses when hostile are mostly plain (one hostile field
/// refuses the whole request); names read from the repo are hostile half the time (a hostile
/// name makes its slot unmanaged and the rest of the plan goes on).
fn field(pattern: &'static str, plain: u32) -> impl Strategy<Value = String> {
    prop_oneof![plain => pattern.prop_map(|s: String| s), 1 => text()]
}

/// A YAML double-quoted scalar holding exactly `s` (every character libyaml would not take
/// raw is escaped).
fn dq(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..
                if c != '\u{feff}' && c != '\u{2028}' && c != '\u{2029}' =>
            {
                out.push(c)
            }
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A JSON string holding exactly `s`, in ASCII (it sits in a one-line YAML comment).
fn json(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

#[derive(Debug, Clone)]
struct Input {
    environment: String,
    service: String,
    namespace: String,
    name: String,
    container: String,
    helm_key: String,
    marker_path: String,
    marker_policy: String,
    tag: String,
    user: Option<String>,
    message: Option<String>,
    lock_environment: Option<(String, String)>,
    lock_workloads: bool,
    name_the_service: bool,
}

fn input() -> impl Strategy<Value = Input> {
    (
        (
            field("(staging|production|qa-eu/1)", 6),
            field("[a-z][a-z0-9-]{0,8}", 6),
            field("[a-z][a-z0-9-]{0,8}", 1),
            field("[a-z][a-z0-9.-]{0,8}", 1),
            field("[a-z][a-z0-9-]{0,8}", 1),
            field("[a-zA-Z][a-zA-Z0-9_.-]{0,8}", 1),
            field("[a-z][a-z0-9/_.-]{0,12}", 1),
        ),
        (
            field("[a-z][a-z0-9-]{0,6}:[a-z][a-z0-9.-]{0,6}", 1),
            field("[0-9]\\.[0-9]{1,2}(\\.[0-9])?(-[a-z0-9.]{1,5})?", 3),
            proptest::option::of(field("[A-Za-z][A-Za-z0-9 .]{0,8} <[a-z]{1,5}@example\\.com>", 6)),
            proptest::option::of(text()),
            proptest::option::of((field("[a-z][a-z -]{0,10}", 6), field("[a-z]{1,8}", 6))),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (environment, service, namespace, name, container, helm_key, marker_path),
                (marker_policy, tag, user, message, lock_environment, lock_workloads, name_the_service),
            )| Input {
                environment,
                service,
                namespace,
                name,
                container,
                helm_key,
                marker_path,
                marker_policy,
                tag,
                user,
                message,
                lock_environment,
                lock_workloads,
                name_the_service,
            },
        )
}

/// The files of the repo `input` describes: one environment holding a Deployment, a
/// HelmRelease and a setter marker, each carrying the generated names.
fn files(input: &Input) -> Vec<(String, String)> {
    let config = format!(
        "environments:\n  {}:\n    path: envs\n    release: automatic\nservices:\n  {}:\n    workloads: [deployment/users]\n",
        dq(&input.environment),
        dq(&input.service),
    );
    // A marker asks for automation when its policy is one relman knows (DESIGN.md section 16):
    // a service maps it, where relman.yaml can hold the name (a policy it cannot hold leaves
    // the marker slot unmanaged anyway, invalid_name).
    let mapped = format!(
        "{config}  settings-marker:\n    workloads: [settings/settings]\n    imagePolicy: {}\n",
        dq(&input.marker_policy)
    );
    let config = if Config::parse(&mapped).is_ok() {
        mapped
    } else {
        config
    };
    let deployment = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {}\n          image: acme/app:1.0.0\n",
        dq(&input.name),
        dq(&input.namespace),
        dq(&input.container),
    );
    let helm = format!(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: chart\n  namespace: {}\nspec:\n  values:\n    {}:\n      image:\n        repository: acme/app\n        tag: \"1.0.0\"\n",
        dq(&input.namespace),
        dq(&input.helm_key),
    );
    let marker = format!(
        "apiVersion: example.com/v1\nkind: Settings\nmetadata:\n  name: settings\nspec:\n  image: acme/app:1.0.0 # {{\"$imagepolicy\": {}}}\n",
        json(&input.marker_policy),
    );
    vec![
        ("relman.yaml".to_string(), config),
        ("envs/app.yaml".to_string(), format!("{deployment}---\n{helm}")),
        (format!("envs/{}.yaml", input.marker_path), marker),
    ]
}

/// What went wrong, if anything: `Ok(true)` when plans were made and all read back, `Ok(false)`
/// when relman refused the input with a coded error.
fn check(input: &Input) -> Result<bool, String> {
    let refused = |e: relman::Error| -> Result<bool, String> {
        match e.code() {
            "invalid_argument"
            | "invalid_config"
            | "unknown_environment"
            | "invalid_catalog"
            | "invalid_marker"
            | "invalid_path" => Ok(false),
            _ => Err(format!("unexpected error {e}")),
        }
    };
    let mut files = files(input);
    if let Some((reason, by)) = &input.lock_environment {
        let lock = EnvironmentLock::new(reason.clone(), by.clone());
        match lock_environment(&files[0].1, &input.environment, &lock) {
            Ok(text) => {
                // The lock reads back exactly.
                let config =
                    Config::parse(&text).map_err(|e| format!("locked config does not parse: {e}"))?;
                let env = &config.environments()[0];
                if env.lock.as_ref() != Some(&lock) {
                    return Err(format!("lock read back as {:?}", env.lock));
                }
                files[0].1 = text;
            }
            Err(e) => return refused(e),
        }
    }
    let snapshot = match Snapshot::from_files(files.iter().map(|(p, t)| (p.as_str(), t.clone()))) {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let mut catalog = Catalog::new();
    let created = |t: &str| ImageInfo::new(t).with_created_str("2026-11-01T00:00:00Z");
    catalog
        .add("acme/app", created("1.0.0").expect("a valid time"))
        .expect("a valid tag");
    let info = ImageInfo::new(input.tag.clone())
        .with_created_str("2026-11-20T00:00:00Z")
        .expect("time");
    if let Err(e) = catalog.add("acme/app", info) {
        return refused(e);
    }
    let now = "2026-11-27T00:00:00Z".parse().expect("time");
    // A message the release writes into `locked_msg` may hold U+2028 and U+2029 too: they are
    // written escaped (`\L`, `\P`; issue 14 case 9).
    let message = input.message.clone();
    let mut spec = ReleaseSpec::new(input.environment.clone())
        .image(ImageSpec::Latest)
        .cause(input.user.clone(), message)
        .lock(input.lock_workloads);
    if input.name_the_service {
        spec = spec.services(Services::Named(vec![input.service.clone()]));
    }
    if input.lock_environment.is_some() {
        spec = spec.force(true).override_environment_lock(true);
    }
    let mut plans = Vec::new();
    match plan_release(&snapshot, &spec, &catalog, &History::new(), now) {
        Ok(plan) => plans.push((plan, spec.cause.user.clone(), spec.locks())),
        Err(e) => return refused(e),
    }
    match plan_automation(&snapshot, &catalog, &History::new(), now) {
        Ok(automated) => plans.extend(automated.into_iter().map(|p| (p, None, false))),
        Err(e) => return Err(format!("the release planned but automation failed: {e}")),
    }
    for (plan, user, locks) in &plans {
        let wanted = record_of(plan, user.clone(), *locks);
        let read = ReleaseRecord::parse(&plan.commit_message);
        if read.as_ref() != Some(&wanted) {
            return Err(format!(
                "the commit message reads back as {read:?}, not {wanted:?}:\n{}",
                plan.commit_message
            ));
        }
    }
    Ok(true)
}

/// The record of what `plan` did.
fn record_of(plan: &ReleasePlan, user: Option<String>, locks: bool) -> ReleaseRecord {
    let released: Vec<_> = plan
        .results
        .iter()
        .filter(|r| r.status == Status::Success)
        .collect();
    let mut record = ReleaseRecord::new(plan.environment.clone(), plan.kind);
    if plan.kind != ReleaseKind::Automated {
        record.user = user;
    }
    record.changes = released
        .iter()
        .flat_map(|r| {
            r.updates.iter().map(|u| {
                relman::release::RecordedChange::new(
                    r.workload.clone(),
                    u.container.clone(),
                    u.from.clone(),
                    u.to.clone(),
                )
            })
        })
        .collect();
    if locks && plan.kind != ReleaseKind::Automated {
        record.locked = released.iter().map(|r| r.workload.clone()).collect();
    }
    record
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_commit_message_reads_back_or_the_input_is_refused(input in input()) {
        if let Err(why) = check(&input) {
            prop_assert!(false, "{why}\ninput: {input:?}");
        }
    }
}

/// The harness plans and releases on plain input (a property that refuses everything would
/// prove nothing): every slot moves, and the message reads back.
#[test]
fn plain_input_is_released_and_reads_back() {
    let input = Input {
        environment: "production".into(),
        service: "users".into(),
        namespace: "prod".into(),
        name: "users".into(),
        container: "app".into(),
        helm_key: "sidecar".into(),
        marker_path: "staging/web".into(),
        marker_policy: "flux-system:web".into(),
        tag: "1.1.0".into(),
        user: Some("alice <alice@example.com>".into()),
        message: Some("hotfix\n\nRelman-Environment: production\nRelman-Cause: rollback\n".into()),
        lock_environment: Some(("end-of-year freeze".into(), "carol".into())),
        lock_workloads: true,
        name_the_service: false,
    };
    assert_eq!(check(&input), Ok(true));
    let snapshot = Snapshot::from_files(files(&input)).unwrap();
    let mut catalog = Catalog::new();
    for (tag, time) in [
        ("1.0.0", "2026-11-01T00:00:00Z"),
        ("1.1.0", "2026-11-20T00:00:00Z"),
    ] {
        catalog
            .add("acme/app", ImageInfo::new(tag).with_created_str(time).unwrap())
            .unwrap();
    }
    let plans = plan_automation(
        &snapshot,
        &catalog,
        &History::new(),
        "2026-11-27T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let record = ReleaseRecord::parse(&plans[0].commit_message).unwrap();
    let moved: Vec<&str> = record.changes.iter().map(|c| c.container.as_str()).collect();
    assert_eq!(moved, ["app", "sidecar", "envs/staging/web.yaml"]);
    // The same repo with a hostile container name moves the other two only.
    let hostile = Input {
        container: "app\nRelman-Change: production:deployment/users app acme/users:1 -> evil/users:6".into(),
        lock_environment: None,
        ..input
    };
    assert_eq!(check(&hostile), Ok(true));
    let plans = plan_automation(
        &Snapshot::from_files(files(&hostile)).unwrap(),
        &catalog,
        &History::new(),
        "2026-11-27T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let record = ReleaseRecord::parse(&plans[0].commit_message).unwrap();
    assert_eq!(record.changes.len(), 2);
    assert!(plans[0].warnings.iter().any(|w| w.contains("invalid_name")));
}
