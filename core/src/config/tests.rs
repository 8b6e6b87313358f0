use super::*;

fn err(text: &str) -> (String, usize, usize, String) {
    let e = Config::parse(text).expect_err("should fail");
    (
        e.code().to_string(),
        e.line().unwrap_or(0),
        e.column().unwrap_or(0),
        e.message().to_string(),
    )
}

fn at(text: &str) -> (usize, usize) {
    let (code, line, column, message) = err(text);
    assert_eq!(code, "invalid_config", "{message}");
    (line, column)
}

#[test]
fn full_example_from_design() {
    let text = "\
versions: default            # default | strict | loose (section 8)
defaultNamespace: default
environments:
  staging:
    path: envs/staging       # a directory or file, or a list of them
    release: automatic       # automatic: continuous delivery; manual: only explicit releases
  production:
    path: envs/production
    release: manual
    promoteFrom: staging     # gate: only images that staging runs or has run may be released here
    lock:                    # optional environment-wide lock
      reason: end-of-year freeze
      by: alice
      until: 2027-01-04T00:00:00Z
services:                    # optional; a service defaults to its workload's name
  users:
    workloads: [deployment/users]   # kind/name, namespace-agnostic
    filter: semver:^1               # default tag filter for the service's containers
";
    let config = Config::parse(text).unwrap();
    let names: Vec<&str> = config.environments().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["staging", "production"]);
    let prod = config.environment("production").unwrap();
    assert_eq!(prod.release, ReleaseMode::Manual);
    assert_eq!(prod.promote_from.as_deref(), Some("staging"));
    let lock = prod.lock.as_ref().unwrap();
    assert_eq!(lock.reason, "end-of-year freeze");
    assert_eq!(lock.by, "alice");
    assert_eq!(lock.until, Some("2027-01-04T00:00:00Z".parse().unwrap()));
    let users = config.service_for("deployment", "users").unwrap();
    assert_eq!(users.image_policy, "users");
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["environments"][1]["lock"]["until"], "2027-01-04T00:00:00Z");
    assert_eq!(json["environments"][0]["release"], "automatic");
    assert_eq!(json["default_namespace"], "default");
}

#[test]
fn defaults() {
    let config = Config::parse("environments:\n  a:\n    path: x\n").unwrap();
    let a = &config.environments()[0];
    assert_eq!(a.release, ReleaseMode::Manual);
    assert_eq!(a.default_namespace, "default");
    assert!(a.lock.is_none() && a.promote_from.is_none());
    assert!(config.services().is_empty());
    assert_eq!(config.default_namespace(), "default");
}

#[test]
fn environment_namespace_overrides_file_namespace() {
    let config = Config::parse(
        "defaultNamespace: apps\nenvironments:\n  a: {path: a}\n  b: {path: b, defaultNamespace: b-ns}\n",
    )
    .unwrap();
    assert_eq!(config.environments()[0].default_namespace, "apps");
    assert_eq!(config.environments()[1].default_namespace, "b-ns");
}

#[test]
fn path_forms() {
    let config =
        Config::parse("environments:\n  a:\n    path:\n      - ./x/\n      - y//z.yaml\n      - .\n")
            .unwrap();
    assert_eq!(config.environments()[0].paths, ["x", "y/z.yaml", ""]);
    assert_eq!(at("environments:\n  a:\n    path: []\n"), (3, 11));
    assert_eq!(at("environments:\n  a:\n    path: [x, ./x]\n"), (3, 15));
    assert_eq!(at("environments:\n  a:\n    path: /abs\n"), (3, 11));
    assert_eq!(at("environments:\n  a:\n    path: {x: 1}\n"), (3, 11));
    assert_eq!(at("environments:\n  a:\n    release: manual\n"), (2, 3));
}

#[test]
fn empty_and_non_mapping_files() {
    assert_eq!(at(""), (1, 1));
    assert_eq!(at("# only a comment\n"), (1, 1));
    assert_eq!(at("---\n"), (1, 1));
    assert_eq!(at("- a\n- b\n"), (1, 1));
    assert_eq!(at("versions: strict\n"), (1, 1));
    assert_eq!(at("environments:\n"), (1, 14));
    assert_eq!(at("environments: {}\n"), (1, 15));
    assert_eq!(at("environments: {a: {path: x}}\n---\nb: 1\n"), (3, 1));
}

#[test]
fn yaml_errors_are_recoded() {
    let (code, line, column, _) = err("environments:\n  a: [x\n");
    assert_eq!(code, "invalid_config");
    assert!(line > 0 && column > 0);
    let e = Config::parse("a: 'open\n").unwrap_err();
    assert_eq!(e.path(), Some("relman.yaml"));
}

#[test]
fn aliases_are_refused() {
    let text = "environments:\n  a: {path: &p x}\n  b: {path: *p}\n";
    assert_eq!(at(text), (3, 13));
}

#[test]
fn promote_from_checks() {
    assert_eq!(at("environments:\n  a: {path: a, promoteFrom: a}\n"), (2, 29));
    assert_eq!(at("environments:\n  a: {path: a, promoteFrom: zz}\n"), (2, 29));
    let (_, line, _, message) = err(
        "environments:\n  a: {path: a, promoteFrom: c}\n  b: {path: b, promoteFrom: a}\n  c: {path: c, promoteFrom: b}\n",
    );
    assert_eq!(line, 2);
    assert_eq!(message, "`promoteFrom` forms a cycle: a -> c -> b -> a");
    // A chain into a cycle is reported at the cycle, not at the chain.
    let (_, line, _, _) = err(
        "environments:\n  x: {path: x, promoteFrom: a}\n  a: {path: a, promoteFrom: b}\n  b: {path: b, promoteFrom: a}\n",
    );
    assert_eq!(line, 3);
    assert!(
        Config::parse(
            "environments:\n  a: {path: a}\n  b: {path: b, promoteFrom: a}\n  c: {path: c, promoteFrom: b}\n"
        )
        .is_ok()
    );
}

/// Reading `relman.yaml` is linear in its environments: a `promoteFrom` chain through 20,000
/// environments, and a cycle closing it, are checked by following each link once (the chain
/// was followed from every environment with a linear name search per link: cubic, hours here),
/// and duplicate keys are found with one lookup per key.
#[test]
fn many_environments_are_read_in_linear_time() {
    let n = 20_000;
    let mut text = String::from("environments:\n");
    for i in 0..n {
        text.push_str(&format!("  e{i}: {{path: e{i}"));
        if i > 0 {
            text.push_str(&format!(", promoteFrom: e{}", i - 1));
        }
        text.push_str("}\n");
    }
    let config = Config::parse(&text).unwrap();
    assert_eq!(config.environments().len(), n);
    assert_eq!(
        config
            .environment(&format!("e{}", n - 1))
            .unwrap()
            .promote_from
            .as_deref(),
        Some("e19998")
    );
    // Close the chain into a cycle: reported at the first environment on it, from itself.
    let cyclic = text.replacen(
        "  e0: {path: e0}",
        &format!("  e0: {{path: e0, promoteFrom: e{}}}", n - 1),
        1,
    );
    let (_, line, _, message) = err(&cyclic);
    assert_eq!(line, 2);
    assert!(
        message.starts_with("`promoteFrom` forms a cycle: e0 -> e19999 -> e19998 -> "),
        "{}",
        &message[..80]
    );
    assert!(message.ends_with(" -> e1 -> e0"));
    let duplicate = format!("{text}  e5: {{path: x}}\n");
    let (_, line, _, message) = err(&duplicate);
    assert_eq!(line, n + 2);
    assert!(message.contains("duplicate key `e5`"), "{message}");
}

#[test]
fn services_checks() {
    let (_, line, column, message) = err(
        "environments: {a: {path: a}}\nservices:\n  s1: {workloads: [deployment/x]}\n  s2: {workloads: [Deployment/x]}\n",
    );
    assert_eq!((line, column), (4, 20));
    assert!(message.contains("`s1` and `s2`"), "{message}");
    assert_eq!(
        at("environments: {a: {path: a}}\nservices:\n  s1: {workloads: [deployment/x, deployment/x]}\n"),
        (3, 34)
    );
    assert_eq!(
        at("environments: {a: {path: a}}\nservices:\n  s1: {workloads: [prod:deployment/x]}\n"),
        (3, 20)
    );
    assert_eq!(
        at("environments: {a: {path: a}}\nservices:\n  s1: {workloads: [x]}\n"),
        (3, 20)
    );
    assert_eq!(
        at("environments: {a: {path: a}}\nservices:\n  s1: {workloads: []}\n"),
        (3, 19)
    );
    assert_eq!(
        at("environments: {a: {path: a}}\nservices:\n  s1: {imagePolicy: 'a b'}\n"),
        (3, 21)
    );
    assert_eq!(
        at("environments: {a: {path: a}}\nservices:\n  s1: {image: x}\n"),
        (3, 8)
    );
    let config = Config::parse(
        "environments: {a: {path: a}}\nservices:\n  s1:\n  s2: {imagePolicy: flux-system:s2}\n",
    )
    .unwrap();
    assert_eq!(config.services()[0].image_policy, "s1");
    assert_eq!(config.services()[1].image_policy, "flux-system:s2");
    assert!(
        Config::parse("environments: {a: {path: a}}\nservices:\n")
            .unwrap()
            .services()
            .is_empty()
    );
}

#[test]
fn service_for_prefers_listing_over_name() {
    let config = Config::parse(
        "environments: {a: {path: a}}\nservices:\n  users: {workloads: [deployment/api]}\n  api: {}\n",
    )
    .unwrap();
    assert_eq!(config.service_for("DEPLOYMENT", "api").unwrap().name, "users");
    assert_eq!(config.service_for("statefulset", "api").unwrap().name, "api");
    assert_eq!(config.service_for("statefulset", "users").unwrap().name, "users");
    assert!(config.service_for("deployment", "other").is_none());
}

#[test]
fn lock_checks() {
    assert_eq!(
        at("environments:\n  a:\n    path: a\n    lock: {reason: r}\n"),
        (4, 11)
    );
    assert_eq!(
        at("environments:\n  a:\n    path: a\n    lock: {reason: r, by: b, until: tomorrow}\n"),
        (4, 37)
    );
    assert_eq!(
        at("environments:\n  a:\n    path: a\n    lock: {reason: r, by: b, until: 2027-01-04}\n"),
        (4, 37)
    );
    assert_eq!(at("environments:\n  a:\n    path: a\n    lock:\n"), (4, 10));
    assert_eq!(
        at("environments:\n  a:\n    path: a\n    lock: {reason: r, by: ''}\n"),
        (4, 27)
    );
    let c = Config::parse("environments:\n  a:\n    path: a\n    lock: {reason: r, by: b, until: '2027-01-04T01:00:00+01:00'}\n")
        .unwrap();
    assert_eq!(
        c.environments()[0].lock.as_ref().unwrap().until,
        Some("2027-01-04T00:00:00Z".parse().unwrap())
    );
}

#[test]
fn names_and_values() {
    assert_eq!(at("versions: sloppy\nenvironments: {a: {path: a}}\n"), (1, 11));
    assert_eq!(
        at("defaultNamespace: Apps\nenvironments: {a: {path: a}}\n"),
        (1, 19)
    );
    assert_eq!(at("environments: {'a b': {path: a}}\n"), (1, 16));
    assert_eq!(
        at("environments: {a: {path: a, release: annotations}}\n"),
        (1, 38)
    );
    assert_eq!(at("environments:\n  a: {path: a}\n  a: {path: b}\n"), (3, 3));
}

#[test]
fn implicit_config() {
    let config = Config::implicit();
    assert_eq!(config.environments().len(), 1);
    let env = &config.environments()[0];
    assert_eq!(env.name, "default");
    assert_eq!(env.paths, [""]);
    assert_eq!(env.release, ReleaseMode::Annotations);
    assert_eq!(serde_json::to_value(env.release).unwrap(), "annotations");
    assert_eq!(
        config.environment("nope").unwrap_err().code(),
        "unknown_environment"
    );
}

const LOCKED: &str = "\
environments:
  production:
    path: envs/production
    lock:
      reason: 'freeze'   # why
      by: alice
      until: 2027-01-04T00:00:00Z
    release: manual
";

#[test]
fn lock_updates_in_place() {
    let lock = EnvironmentLock::new("incident", "alice").until("2027-01-04T00:00:00Z".parse().unwrap());
    let out = lock_environment(LOCKED, "production", &lock).unwrap();
    assert_eq!(out, LOCKED.replace("'freeze'", "'incident'"));
    // The same instant written differently is not rewritten.
    let lock = EnvironmentLock::new("freeze", "alice").until("2027-01-04T01:00:00+01:00".parse().unwrap());
    assert_eq!(lock_environment(LOCKED, "production", &lock).unwrap(), LOCKED);
}

#[test]
fn lock_removes_and_adds_fields() {
    let out = lock_environment(LOCKED, "production", &EnvironmentLock::new("freeze", "bob")).unwrap();
    assert_eq!(
        out,
        LOCKED
            .replace("      until: 2027-01-04T00:00:00Z\n", "")
            .replace("alice", "bob")
    );
    let back = lock_environment(
        &out,
        "production",
        &EnvironmentLock::new("freeze", "bob").until("2030-01-01T00:00:00Z".parse().unwrap()),
    )
    .unwrap();
    assert_eq!(
        back,
        out.replace("by: bob\n", "by: bob\n      until: \"2030-01-01T00:00:00Z\"\n")
    );
}

#[test]
fn lock_block_scalar_reason_is_rewritten() {
    let text = "environments:\n  p:\n    path: p\n    lock:\n      reason: >\n        long\n        story\n      by: a\n";
    let out = lock_environment(text, "p", &EnvironmentLock::new("short", "a")).unwrap();
    assert_eq!(
        out,
        "environments:\n  p:\n    path: p\n    lock:\n      by: a\n      reason: \"short\"\n"
    );
}

#[test]
fn lock_argument_and_config_errors() {
    let e = lock_environment(LOCKED, "production", &EnvironmentLock::new(" ", "a")).unwrap_err();
    assert_eq!(e.code(), "invalid_config");
    let e = lock_environment(LOCKED, "staging", &EnvironmentLock::new("r", "a")).unwrap_err();
    assert_eq!(e.code(), "unknown_environment");
    let e = unlock_environment("environments:\n  p: {path: p, oops: 1}\n", "p").unwrap_err();
    assert_eq!(
        (e.code(), e.line(), e.column()),
        ("invalid_config", Some(2), Some(16))
    );
}

#[test]
fn unlock_removes_lines() {
    let out = unlock_environment(LOCKED, "production").unwrap();
    assert_eq!(
        out,
        "environments:\n  production:\n    path: envs/production\n    release: manual\n"
    );
    assert_eq!(unlock_environment(&out, "production").unwrap(), out);
    let flow = "environments: {p: {path: p, lock: {reason: r, by: b}, release: manual}}\n";
    assert_eq!(
        unlock_environment(flow, "p").unwrap(),
        "environments: {p: {path: p, release: manual}}\n"
    );
}
