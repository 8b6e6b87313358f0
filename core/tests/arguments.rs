//! `tests/fixtures/arguments/cases.json`: the argument rules every surface shares (services,
//! times, history in the weaker mode, one-line names). The Python and Node runners call their
//! public functions with the same arguments; here each argument goes through the core rule the
//! bindings call, so the three outcomes are compared with one expectation.

use std::path::Path;

use relman::arguments::{timestamp, timestamp_from_millis};
use relman::release::{
    Catalog, History, HistoryEntry, ImageInfo, ImageSpec, ReleasePlan, ReleaseSpec, Services, Snapshot,
    plan_automation, plan_release,
};
use relman::{Error, ErrorKind};
use serde_json::{Map, Value};

fn load() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/arguments/cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("arguments fixture")).expect("JSON")
}

fn time(value: &Value, what: &str) -> relman::Result<jiff::Timestamp> {
    match value {
        Value::String(text) => timestamp(text, what),
        Value::Object(o) => timestamp_from_millis(o["$millis"].as_f64().expect("$millis"), what),
        other => panic!("{what}: unexpected {other}"),
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("strings").to_string())
        .collect()
}

fn spec(args: &Map<String, Value>) -> relman::Result<ReleaseSpec> {
    let mut spec = ReleaseSpec::new(args["environment"].as_str().expect("environment"));
    match args.get("services") {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => spec = spec.services(Services::parse(text)),
        Some(list) => spec = spec.services(Services::Named(strings(list))),
    }
    let observed = args.get("observed").and_then(Value::as_str).map(str::to_string);
    match args.get("image") {
        Some(Value::String(image)) => spec = spec.image(ImageSpec::parse_with(image, observed)?),
        _ if observed.is_some() => spec = spec.image(ImageSpec::parse_with("latest", observed)?),
        _ => {}
    }
    if let Some(list @ Value::Array(_)) = args.get("exclude") {
        spec = spec.exclude(strings(list));
    }
    let flag = |key: &str| args.get(key).and_then(Value::as_bool).unwrap_or(false);
    spec = spec
        .force(flag("force"))
        .override_environment_lock(flag("override_environment_lock"));
    let text = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_string);
    Ok(spec.cause(text("user"), text("message")))
}

fn history(args: &Map<String, Value>) -> History {
    match args.get("history") {
        None | Some(Value::Null) => History::new(),
        Some(list) => History::from_entries(strings(list).into_iter().map(HistoryEntry::Message)),
    }
}

fn statuses(plan: &ReleasePlan) -> Value {
    plan.results
        .iter()
        .map(|r| (r.workload.clone(), Value::String(r.status.code().to_string())))
        .collect::<Map<_, _>>()
        .into()
}

fn run(
    case: &Value,
    snapshot: &Snapshot,
    catalog: &Catalog,
    default_now: jiff::Timestamp,
) -> relman::Result<Value> {
    let args = case["args"].as_object().expect("args");
    let now = args.get("now").map_or(Ok(default_now), |v| time(v, "now"))?;
    match case["call"].as_str().expect("call") {
        "plan_release" => {
            let spec = spec(args)?;
            let plan = plan_release(snapshot, &spec, catalog, &history(args), now)?;
            Ok(serde_json::json!({ "statuses": statuses(&plan) }))
        }
        "plan_automation" => {
            let plans = plan_automation(snapshot, catalog, &history(args), now)?;
            Ok(serde_json::json!({ "plans": plans.len() }))
        }
        other => Err(Error::new(ErrorKind::Internal, format!("unknown call {other}"))),
    }
}

#[test]
fn argument_cases_give_the_expected_outcome() {
    let doc = load();
    let files = doc["files"].as_object().expect("files");
    let snapshot = Snapshot::from_files(
        files
            .iter()
            .map(|(p, t)| (p.clone(), t.as_str().unwrap().to_string())),
    )
    .expect("snapshot");
    let mut catalog = Catalog::new();
    for (repo, tags) in doc["catalog"].as_object().expect("catalog") {
        for tag in strings(tags) {
            catalog.add(repo, ImageInfo::new(tag)).expect("catalog entry");
        }
    }
    let now = timestamp(doc["now"].as_str().unwrap(), "now").unwrap();
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 20, "the arguments fixture lost its cases");
    let mut failures = Vec::new();
    for case in cases {
        let got = match run(case, &snapshot, &catalog, now) {
            Ok(value) => value,
            Err(e) => serde_json::json!({ "error": e.code() }),
        };
        if got != case["expect"] {
            failures.push(format!(
                "{}: expected {}, got {}",
                case["name"], case["expect"], got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
