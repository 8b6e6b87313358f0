//! The status matrix, the images view and policy plans (issue 20): what the `relman` command
//! shows and writes, decided in core.

use relman::PolicyChange;
use relman::release::{History, Reason, Snapshot, Status, plan_environment_lock, plan_policy, status};

const CONFIG: &str = "\
environments:
  staging: {path: staging, release: automatic}
  production:
    path: production
    promoteFrom: staging
    lock: {reason: freeze, by: carol, until: 2026-12-01T00:00:00Z}
  qa: {path: [qa, base]}
  demo: {path: [demo, base]}
";

fn users(namespace: &str, image: &str, annotations: &str) -> String {
    format!(
        "kind: Deployment\nmetadata:\n  name: users\n  namespace: {namespace}\n{annotations}spec:\n  template:\n    spec:\n      containers:\n        - {{name: app, image: {image}}}\n"
    )
}

fn snapshot() -> Snapshot {
    Snapshot::from_files([
        ("relman.yaml", CONFIG.to_string()),
        ("staging/users.yaml", users("staging", "acme/users:1.4.0", "")),
        (
            "production/users.yaml",
            users(
                "production",
                "acme/users:1.3.0",
                "  annotations:\n    fluxcd.io/locked: \"true\"\n    fluxcd.io/locked_user: bob\n    relman.dev/locked_until: \"2026-11-01T00:00:00Z\"\n",
            ),
        ),
        ("base/users.yaml", users("shared", "acme/users:1.0.0", "")),
    ])
    .unwrap()
}

#[test]
fn locks_expire_with_now_and_block_what_waits() {
    let s = snapshot();
    let before = status(&s, &History::new(), "2026-10-01T00:00:00Z".parse().unwrap()).unwrap();
    let production = &before.environments[1];
    assert!(production.locked);
    let w = &production.workloads[0];
    assert!(w.lock.as_ref().unwrap().active);
    assert_eq!(w.lock.as_ref().unwrap().by.as_deref(), Some("bob"));
    assert_eq!(w.waiting[0].to, "acme/users:1.4.0");
    assert_eq!(w.blocked, Some(Reason::EnvironmentLocked));
    assert!(!w.automated, "a manual environment automates nothing");
    assert!(before.environments[0].workloads[0].automated);
    // Past both expiries: nothing blocks the promotion.
    let after = status(&s, &History::new(), "2026-12-02T00:00:00Z".parse().unwrap()).unwrap();
    let w = &after.environments[1].workloads[0];
    assert!(!after.environments[1].locked && !w.lock.as_ref().unwrap().active);
    assert_eq!((w.waiting.len(), w.blocked), (1, None));
    // No promoteFrom: nothing waits.
    assert!(after.environments[0].workloads[0].waiting.is_empty());
}

#[test]
fn policy_plans_never_write_into_another_environments_manifest() {
    let s = snapshot();
    let lock = PolicyChange::new().add("locked", "true");
    let plan = plan_policy(&s, "qa", &["users".to_string()], &lock, None).unwrap();
    assert!(plan.is_noop(), "base/users.yaml is read by qa and demo");
    assert_eq!(plan.results[0].status, Status::Failed);
    let plan = plan_policy(&s, "staging", &["users".to_string()], &lock, Some("alice".into())).unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].path, "staging/users.yaml");
    assert!(
        !plan.commit_message.contains("Relman-"),
        "no pointer moves, no trailers"
    );
    let missing = plan_policy(&s, "staging", &["payments".to_string()], &lock, None).unwrap();
    assert_eq!(missing.results.last().unwrap().reason, Some(Reason::NotFound));
    assert_eq!(
        plan_policy(&s, "nope", &["users".to_string()], &lock, None)
            .unwrap_err()
            .code(),
        "unknown_environment"
    );
    let multi = plan_policy(
        &s,
        "staging",
        &["users\nRelman-Environment: x".to_string()],
        &lock,
        None,
    );
    assert_eq!(multi.unwrap_err().code(), "invalid_argument");
    // The environment lock: relman.yaml only; removing it twice is a no-op the second time.
    let unlock = plan_environment_lock(&s, "production", None).unwrap();
    assert_eq!(unlock.changes[0].path, "relman.yaml");
    let unlocked = Snapshot::from_files([("relman.yaml", unlock.changes[0].after.clone())]).unwrap();
    assert!(
        plan_environment_lock(&unlocked, "production", None)
            .unwrap()
            .is_noop()
    );
}

/// `images` shows what a release would allow: the filter of a slot comes from the same
/// precedence as the planner's (a Flux v2 marker's ImagePolicy, a Keel policy), not only from
/// Flux v1 annotations and relman.yaml.
#[test]
fn images_follow_the_release_precedence() {
    use relman::release::{Catalog, ImageInfo, images};
    let policy = "\
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata: {name: users, namespace: flux-system}
spec: {image: acme/users}
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: {name: users, namespace: flux-system}
spec:
  imageRepositoryRef: {name: users}
  policy:
    semver: {range: 1.x}
";
    let marked = "kind: Deployment\nmetadata:\n  name: users\n  namespace: staging\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.3.0 # {\"$imagepolicy\": \"flux-system:users\"}\n";
    let keel = "kind: Deployment\nmetadata:\n  name: orders\n  namespace: staging\n  annotations:\n    keel.sh/policy: patch\nspec:\n  template:\n    spec:\n      containers:\n        - {name: app, image: acme/orders:2.1.0}\n";
    let snapshot = Snapshot::from_files([
        (
            "relman.yaml",
            "environments:\n  staging: {path: staging}\n".to_string(),
        ),
        ("staging/users.yaml", marked.to_string()),
        ("staging/orders.yaml", keel.to_string()),
        ("flux-system/policy.yaml", policy.to_string()),
    ])
    .unwrap();
    let mut catalog = Catalog::new();
    for (repo, tag) in [
        ("acme/users", "1.3.0"),
        ("acme/users", "1.4.0"),
        ("acme/users", "2.0.0"),
        ("acme/orders", "2.1.0"),
        ("acme/orders", "2.1.1"),
        ("acme/orders", "2.2.0"),
    ] {
        catalog
            .add(
                repo,
                ImageInfo::new(tag).with_created("2026-11-01T00:00:00Z".parse().unwrap()),
            )
            .unwrap();
    }
    let now = "2026-12-01T00:00:00Z".parse().unwrap();
    let allowed = |workload: &str| -> Vec<String> {
        let slots = images(&snapshot, "staging", workload, &catalog, now).unwrap();
        assert_eq!(slots.len(), 1, "{slots:?}");
        let mut tags: Vec<String> = slots[0].allowed.iter().map(|a| a.info.tag.clone()).collect();
        tags.sort();
        tags
    };
    assert_eq!(allowed("staging:deployment/users"), ["1.3.0", "1.4.0"]);
    assert_eq!(allowed("staging:deployment/orders"), ["2.1.0", "2.1.1"]);
}
