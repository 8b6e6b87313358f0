"""The golden runner: every case of the shared tests/fixtures/ (format: tests/fixtures/README.md),
with the invariants the Rust runners (core/tests/*.rs) check, through the Python API.

One test per case (or table row), so pytest's count is the number of cases executed; each
folder or table also has a test that fails when it yields no case.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import relman
from golden import (
    FIXTURES,
    MadeTree,
    case_dirs,
    case_id,
    changed_lines_config,
    changed_lines_manifest,
    config_dict,
    crlf,
    error_outcome,
    load_json,
    plan_dict,
    policy_dict,
    read,
    slot_dict,
    subset,
)

# ---------------------------------------------------------------------------------------------
# manifest/<group>/<case>/: set_image, update_policy, list_images, read_policy

MANIFEST = FIXTURES / "manifest"
MANIFEST_CASES = case_dirs(MANIFEST)

Outcome = Tuple[str, Any]


def run_manifest(op: str, args: Dict[str, Any], text: str) -> Outcome:
    """One operation: ("text", str), ("value", json-like) or ("error", {code, line, column})."""
    ns = args.get("default_namespace", "default")
    try:
        if op == "set_image":
            return "text", relman.set_image(
                text, args["workload"], args["container"], args["image"], default_namespace=ns
            )
        if op == "update_policy":
            return "text", relman.update_policy(
                text, args["workload"], add=args.get("add", {}), remove=args.get("remove", []), default_namespace=ns
            )
        if op == "list_images":
            return "value", [slot_dict(s) for s in relman.list_images(text, default_namespace=ns)]
        if op == "read_policy":
            return "value", policy_dict(relman.read_policy(text, args["workload"], default_namespace=ns))
    except relman.RelmanError as err:
        return "error", error_outcome(err)
    raise AssertionError(f"unknown op {op!r}")


def test_manifest_folder_has_cases() -> None:
    assert MANIFEST_CASES, f"no fixture case under {MANIFEST}"
    for group in sorted(p for p in MANIFEST.iterdir() if p.is_dir()):
        assert case_dirs(group), f"fixture group {group} yields no case"


@pytest.mark.parametrize("case", MANIFEST_CASES, ids=lambda p: case_id(MANIFEST, p))
def test_manifest_case(case: Path) -> None:
    spec = load_json(case / "case.json")
    text = read(case / "input.yaml")
    op, args, expect = spec["op"], spec.get("args", {}), spec["expect"]
    twin = spec.get("crlf_twin", True) and "\r" not in text
    kind, got = run_manifest(op, args, text)

    if "error" in expect:
        want = expect["error"]
        assert kind == "error", f"expected error {want['code']}, got {kind} {got!r}"
        assert got["error"] == want["code"], got["text"]
        for key in ("line", "column"):
            if key in want:
                assert got[key] == want[key], f"{key}: {got['text']}"
        if twin:
            kind2, got2 = run_manifest(op, args, crlf(text))
            assert kind2 == "error" and got2["error"] == want["code"], f"CRLF twin: {got2!r}"
        return

    if "changed_lines" in expect:
        expected = read(case / "expected.yaml")
        assert kind == "text", f"expected an edit, got {got!r}"
        assert got == expected, "bytes differ"
        lf_input, lf_expected = text.replace("\r\n", "\n"), expected.replace("\r\n", "\n")
        assert changed_lines_manifest(lf_input, lf_expected) == expect["changed_lines"]
        assert run_manifest(op, args, expected) == ("text", expected), "not idempotent"
        if twin:
            assert run_manifest(op, args, crlf(text)) == ("text", crlf(expected)), "CRLF twin differs"
        return

    (key, want), = expect.items()
    assert key in ("slots", "policy"), f"unknown expectation {key!r}"
    assert kind == "value", f"expected {key}, got {got!r}"
    assert subset(want, got), f"{key} differ\n--- expected\n{want}\n--- got\n{got}"
    if twin:
        assert run_manifest(op, args, crlf(text)) == (kind, got), "CRLF twin gives a different result"


# ---------------------------------------------------------------------------------------------
# image/references.json

REFERENCES = load_json(FIXTURES / "image" / "references.json")
SOME_DIGEST = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_image_table_has_cases() -> None:
    for key in ("valid", "invalid", "same_name", "different_name"):
        assert REFERENCES.get(key), f"references.json: array {key!r} is empty"


@pytest.mark.parametrize("case", REFERENCES["valid"], ids=lambda c: c["input"])
def test_image_valid(case: Dict[str, Any]) -> None:
    text = case["input"]
    ref = relman.ImageRef.parse(text)
    assert (ref.domain, ref.path, ref.tag, ref.digest, ref.name) == (
        case["domain"],
        case["path"],
        case["tag"],
        case["digest"],
        case["name"],
    )
    assert str(ref) == text
    assert ref.repository == (f"{ref.domain}/{ref.path}" if ref.domain else ref.path)
    again = relman.ImageRef.parse(str(ref))
    assert again == ref and hash(again) == hash(ref)
    assert ref.same_repository(ref)
    assert eval(repr(ref), {"ImageRef": relman.ImageRef.parse}) == ref

    tagged = ref.with_tag("v2.0.1")
    assert str(tagged) == f"{ref.repository}:v2.0.1"
    assert (tagged.tag, tagged.digest, tagged.domain, tagged.path, tagged.name) == (
        "v2.0.1",
        None,
        ref.domain,
        ref.path,
        ref.name,
    )
    assert relman.ImageRef.parse(str(tagged)) == tagged
    if ref.tag is not None and ref.digest is None:
        assert tagged.with_tag(ref.tag) == ref

    pinned = ref.with_digest(SOME_DIGEST)
    suffix = f":{ref.tag}@{SOME_DIGEST}" if ref.tag is not None else f"@{SOME_DIGEST}"
    assert str(pinned) == ref.repository + suffix
    assert (pinned.tag, pinned.digest, pinned.repository) == (ref.tag, SOME_DIGEST, ref.repository)
    assert relman.ImageRef.parse(str(pinned)) == pinned
    if ref.digest is not None:
        assert pinned.with_digest(ref.digest) == ref

    for bad in ["", "a:b", "-x", " x"]:
        with pytest.raises(relman.InvalidImageReference):
            ref.with_tag(bad)
    for bad in ["", "sha256:", "sha256:abc", "@sha256:0", "md5"]:
        with pytest.raises(relman.InvalidImageReference):
            ref.with_digest(bad)


@pytest.mark.parametrize("case", REFERENCES["invalid"], ids=lambda c: repr(c["input"]))
def test_image_invalid(case: Dict[str, Any]) -> None:
    with pytest.raises(relman.InvalidImageReference) as info:
        relman.ImageRef.parse(case["input"])
    assert info.value.code == "invalid_image_reference"
    assert info.value.message, "empty error message"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("group", REFERENCES["same_name"], ids=lambda g: " = ".join(g))
def test_image_same_name(group: List[str]) -> None:
    assert len(group) >= 2
    refs = [relman.ImageRef.parse(s) for s in group]
    assert len({r.name for r in refs}) == 1
    assert all(a.same_repository(b) for a in refs for b in refs)


@pytest.mark.parametrize("pair", REFERENCES["different_name"], ids=lambda p: " != ".join(p))
def test_image_different_name(pair: List[str]) -> None:
    a, b = (relman.ImageRef.parse(s) for s in pair)
    assert a.name != b.name
    assert not a.same_repository(b) and not b.same_repository(a)


# ---------------------------------------------------------------------------------------------
# filters/: match.json, constraints.json, select.json

FILTERS = FIXTURES / "filters"
MATCH = load_json(FILTERS / "match.json")
CONSTRAINTS = load_json(FILTERS / "constraints.json")
SELECT = load_json(FILTERS / "select.json")


def test_filter_tables_have_cases() -> None:
    for name, table, keys in [
        ("match.json", MATCH, ("match", "invalid")),
        ("constraints.json", CONSTRAINTS, ("cases", "invalid")),
        ("select.json", SELECT, ("cases",)),
    ]:
        for key in keys:
            assert table.get(key), f"{name}: array {key!r} is empty"


def _row_id(row: Dict[str, Any], field: str) -> str:
    return f"{row.get('source', '')} {row[field]!r}".strip()


@pytest.mark.parametrize("row", MATCH["match"], ids=lambda r: _row_id(r, "filter"))
def test_filter_match(row: Dict[str, Any]) -> None:
    text, mode = row["filter"], row.get("mode", "default")
    f = relman.TagFilter.parse(text)
    assert str(f) == text
    if "kind" in row:
        assert f.kind == row["kind"]
    if "order" in row:
        assert f.order == row["order"]
    if "extract" in row:
        assert f.extract == row["extract"]
    for tag, want in (row.get("values") or {}).items():
        assert f.value_of(tag) == want, f"{text!r}: value of {tag!r}"
    yes, no = row.get("match") or [], row.get("no_match") or []
    assert yes or no, "row without tags"
    for tags, want in ((yes, True), (no, False)):
        for tag in tags:
            assert f.matches(tag, mode=mode) is want, f"{text!r} ({mode}) on {tag!r}"
            if mode == "default":
                assert f.matches(tag) is f.matches(tag, mode="default")


@pytest.mark.parametrize("row", MATCH["invalid"], ids=lambda r: _row_id(r, "filter"))
def test_filter_invalid(row: Dict[str, Any]) -> None:
    with pytest.raises(relman.InvalidFilter) as info:
        relman.TagFilter.parse(row["filter"])
    assert info.value.code == "invalid_filter"
    if row.get("contains"):
        assert row["contains"] in info.value.message


@pytest.mark.parametrize("row", CONSTRAINTS["cases"], ids=lambda r: f"{r['constraint']!r} {r['version']}")
def test_constraint(row: Dict[str, Any]) -> None:
    # The Python surface has constraints as `semver:` filters, whose tags are read in loose mode.
    text, version = row["constraint"], row["version"]
    assert relman.parse_version(version, mode="loose") is not None, f"{version!r} is not a version"
    f = relman.TagFilter.parse(f"semver:{text}")
    assert str(f) == f"semver:{text}"
    assert f.matches(version, mode="loose") is row["expect"]


@pytest.mark.parametrize("row", CONSTRAINTS["invalid"], ids=lambda r: repr(r["constraint"]))
def test_constraint_invalid(row: Dict[str, Any]) -> None:
    with pytest.raises(relman.InvalidFilter) as info:
        relman.TagFilter.parse(f"semver:{row['constraint']}")
    assert row.get("contains", "") in info.value.message


def _image(value: Dict[str, Any]) -> relman.ImageInfo:
    return relman.ImageInfo(value["tag"], digest=value.get("digest"), created=value.get("created"))


# The time of a select.json case without `now`.
_DEFAULT_NOW = "2026-11-27T12:00:00Z"


_ORDER_NAMES = {-1: "less", 0: "equal", 1: "greater", None: None}


@pytest.mark.parametrize("row", SELECT["cases"], ids=lambda r: _row_id(r, "filter"))
def test_select(row: Dict[str, Any]) -> None:
    f = relman.TagFilter.parse(row["filter"])
    mode = row.get("mode", "default")
    images = [_image(i) for i in row["images"]]
    s = relman.select(f, images, mode=mode, now=row.get("now", _DEFAULT_NOW))
    chosen = s.chosen.tag if s.chosen is not None else None
    assert chosen == row["chosen"]
    count = row.get("rejected_count", len(images) - (chosen is not None))
    assert s.rejected_count == count
    assert len(s.rejected) == min(count, 50)
    for r in s.rejected:
        assert f"`{r.tag}`" in r.message, f"message for {r.tag!r} does not name it: {r.message!r}"
    rejected = {r.tag: r for r in s.rejected}
    for tag, reason in row["reasons"].items():
        assert tag in rejected, f"{tag!r} not rejected, expected {reason}"
        assert rejected[tag].reason == reason, rejected[tag].message
    order = row.get("order") or []
    if order:
        by_tag = {i.tag: i for i in images}

        def rank(a: relman.ImageInfo, b: relman.ImageInfo) -> int:
            c = relman.compare(f, b, a, mode=mode)
            assert c is not None, f"{a.tag} and {b.tag} are not comparable"
            return c

        ordered = sorted((by_tag[t] for t in order), key=functools.cmp_to_key(rank))
        assert [i.tag for i in ordered] == order
    for entry in row.get("compare") or []:
        a, b = _image(entry["a"]), _image(entry["b"])
        got = relman.compare(f, a, b, mode=mode)
        back = relman.compare(f, b, a, mode=mode)
        assert _ORDER_NAMES[got] == entry["expect"], f"compare({a.tag}, {b.tag})"
        assert _ORDER_NAMES[None if back is None else -back] == entry["expect"], f"compare({b.tag}, {a.tag})"


# ---------------------------------------------------------------------------------------------
# config/parse and config/lock

CONFIG_PARSE = FIXTURES / "config" / "parse"
CONFIG_LOCK = FIXTURES / "config" / "lock"


def _case_folders(root: Path) -> List[Path]:
    """The folders directly under ``root``, each one case; every one must hold a case.json."""
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


PARSE_CASES = _case_folders(CONFIG_PARSE)
LOCK_CASES = _case_folders(CONFIG_LOCK)


def test_config_folders_have_cases() -> None:
    for root, cases in ((CONFIG_PARSE, PARSE_CASES), (CONFIG_LOCK, LOCK_CASES)):
        assert cases, f"no fixture case under {root}"
        for case in cases:
            assert (case / "case.json").is_file(), f"{case} has no case.json"


def _case_json(case: Path) -> Dict[str, Any]:
    spec: Dict[str, Any] = dict(load_json(case / "case.json"))
    assert spec.get("description"), "case.json has no description"
    return spec


def _twin(spec: Dict[str, Any], text: str) -> bool:
    return bool(spec.get("crlf_twin", True)) and "\r" not in text


def _parse(text: str) -> Outcome:
    try:
        return "ok", relman.Config.parse(text)
    except relman.RelmanError as err:
        return "error", error_outcome(err)


def _check_error(want: Dict[str, Any], kind: str, got: Any) -> None:
    assert kind == "error", f"expected error {want['code']}, got {got!r}"
    assert got["error"] == want["code"], got["text"]
    for key in ("line", "column"):
        if key in want:
            assert got[key] == want[key], f"{key}: {got['text']}"


@pytest.mark.parametrize("case", PARSE_CASES, ids=lambda p: p.name)
def test_config_parse(case: Path) -> None:
    spec = _case_json(case)
    text = read(case / "relman.yaml")
    kind, got = _parse(text)
    expect = spec["expect"]
    assert ("config" in expect) != ("error" in expect), "expect needs exactly one of config, error"
    if "config" in expect:
        assert kind == "ok", f"expected a config, got {got!r}"
        actual = config_dict(got)
        assert subset(expect["config"], actual), f"config differs\n{expect['config']}\n{actual}"
    else:
        _check_error(expect["error"], kind, got)
    if _twin(spec, text):
        assert _parse(crlf(text)) == (kind, got), "CRLF twin differs"


def _same_time(a: Optional[str], b: Optional[str]) -> bool:
    if a is None or b is None:
        return a is b
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(b.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", LOCK_CASES, ids=lambda p: p.name)
def test_config_lock(case: Path) -> None:
    spec = _case_json(case)
    text = read(case / "input.yaml")
    env = spec["environment"]
    op = spec["op"]
    assert op in ("lock", "unlock"), f"unknown op {op!r}"
    lock = spec.get("lock") if op == "lock" else None

    def run(t: str) -> Outcome:
        try:
            if lock is not None:
                return "ok", relman.lock_environment(
                    t, env, reason=lock["reason"], by=lock["by"], until=lock.get("until")
                )
            return "ok", relman.unlock_environment(t, env)
        except relman.RelmanError as err:
            return "error", error_outcome(err)

    kind, got = run(text)
    expect = spec["expect"]
    if "error" in expect:
        _check_error(expect["error"], kind, got)
        if _twin(spec, text):
            _check_error(expect["error"], *run(crlf(text)))
        return
    expected = read(case / "expected.yaml")
    assert kind == "ok", f"expected an edit, got {got!r}"
    assert got == expected, "bytes differ"
    assert changed_lines_config(text, expected) == expect["changed_lines"]
    read_back = relman.Config.parse(got).environment(env).lock
    if lock is None:
        assert read_back is None, f"the result reads back with lock {read_back!r}"
    else:
        assert read_back is not None
        assert (read_back.reason, read_back.by) == (lock["reason"], lock["by"])
        assert _same_time(read_back.until, lock.get("until")), read_back
    assert run(expected) == ("ok", expected), "not idempotent"
    if _twin(spec, text):
        assert run(crlf(text)) == ("ok", crlf(expected)), "CRLF twin differs"


# ---------------------------------------------------------------------------------------------
# plan/<case>/: release scenarios

PLAN = FIXTURES / "plan"
PLAN_CASES = sorted(p for p in PLAN.iterdir() if (p / "case.json").is_file()) if PLAN.is_dir() else []


def test_plan_folder_has_cases() -> None:
    assert PLAN_CASES, f"no plan fixture under {PLAN}"


def _tree(root: Path) -> Dict[str, str]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): read(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _catalog(value: Optional[Dict[str, Any]]) -> relman.Catalog:
    catalog = relman.Catalog()
    for repo, tags in (value or {}).items():
        for t in tags:
            catalog.add(repo, t["tag"], digest=t.get("digest"), created=t.get("created"))
    return catalog


def _release_kwargs(spec: Dict[str, Any]) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {"environment": spec["environment"]}
    services = spec.get("services")
    if services is not None:
        kwargs["services"] = services
    for key in ("image", "exclude", "lock", "user", "message", "observed"):
        if spec.get(key) is not None:
            kwargs[key] = spec[key]
    kwargs["force"] = bool(spec.get("force", False))
    kwargs["override_environment_lock"] = bool(spec.get("override_environment_lock", False))
    return kwargs


def _check_plan(
    plan: relman.ReleasePlan, expect: Dict[str, Any], snapshot: relman.Snapshot, expected_files: Dict[str, str]
) -> None:
    actual = plan_dict(plan)
    # The Python objects carry exactly what core serialises.
    assert actual == json.loads(plan.to_json()), "objects differ from to_json()"
    if "results" in expect:
        assert subset(expect["results"], actual["results"]), (
            f"results differ in {plan.environment}\n--- expected\n{json.dumps(expect['results'], indent=1)}"
            f"\n--- got\n{json.dumps(actual['results'], indent=1)}"
        )
    if "noop" in expect:
        assert plan.is_noop is expect["noop"], f"{plan.environment}: noop"
    for wanted in expect.get("warnings", []):
        assert any(wanted in w for w in plan.warnings), f"{plan.environment}: no warning contains {wanted!r}: {plan.warnings}"
    for change in plan.changes:
        assert snapshot.get(change.path) == change.before, f"{change.path}: `before` is not the snapshot's text"
        assert change.path in expected_files, f"{change.path} changed but has no expected/ file"
        assert change.after == expected_files[change.path], f"{change.path} differs"
    record = relman.ReleaseRecord.parse(plan.commit_message)
    assert record is not None, "the commit message has no trailers"
    updates = [
        (r.workload, u.container, u.from_, u.to) for r in plan.results if r.status == "success" for u in r.updates
    ]
    recorded = [(c.workload, c.container, c.from_, c.to) for c in record.changes]
    assert updates == recorded, "trailers differ from the updates"
    if "commit_message" in expect:
        summary = plan.commit_message.split("\n", 1)[0]
        got = {"summary": summary, "kind": record.kind, "user": record.user, "locked": record.locked}
        assert subset(expect["commit_message"], got), f"commit message: {got}\n{plan.commit_message}"


def _history(spec: Dict[str, Any], files: Dict[str, str]) -> Any:
    """The case's history: ``commits`` read from the trees of the states they imply (the state
    after the newest commit is files/; each commit's edits, undone, give the state before it),
    or ``history``, commit messages (the weaker mode)."""
    if "commits" not in spec:
        return list(spec.get("history") or [])
    assert "history" not in spec, "a case gives commits or history, not both"
    state = dict(files)
    pairs = []
    for i, commit in enumerate(spec["commits"]):
        pairs.append((commit["message"], relman.Snapshot.from_files(dict(state))))
        for edit in commit["edits"]:
            path = edit["path"]
            if edit.get("added") is True:
                assert path in state, f"commits[{i}]: {path} was not there"
                del state[path]
                continue
            assert state[path].count(edit["to"]) == 1, f"commits[{i}]: {edit['to']!r} is not in {path} exactly once"
            state[path] = state[path].replace(edit["to"], edit["from"], 1)
    return relman.History.from_commits(pairs, base=relman.Snapshot.from_files(state))


@pytest.mark.parametrize("case", PLAN_CASES, ids=lambda p: p.name)
def test_plan(case: Path) -> None:
    spec = load_json(case / "case.json")
    if spec.get("spec", {}).get("observed") is not None:
        # `observed` names a file of the case folder: its text is the observed text.
        spec["spec"]["observed"] = read(case / spec["spec"]["observed"])
    files = _tree(case / "files")
    assert files, "files/ is empty"
    expected_files = _tree(case / "expected")
    for path in expected_files:
        assert path in files, f"expected/{path} has no files/{path}"
    # With `make`, the repo is a folder on disk holding links: read it as a caller would.
    made = MadeTree(case / "files", spec["make"]) if "make" in spec else None
    try:
        _run_plan(spec, files, expected_files, made)
    finally:
        if made is not None:
            made.close()


def _run_plan(spec: Dict[str, Any], files: Dict[str, str], expected_files: Dict[str, str], made: Optional[MadeTree]) -> None:
    snapshot = relman.Snapshot.from_dir(made.root) if made is not None else relman.Snapshot.from_files(files)
    catalog = _catalog(spec.get("catalog"))
    history = _history(spec, files)
    now = spec["now"]
    expect = spec["expect"]
    op = spec["op"]
    assert op in ("release", "automation"), f"unknown op {op!r}"
    if "repositories" in expect:
        assert snapshot.repositories() == expect["repositories"], "repositories"
    try:
        if op == "release":
            plans = [relman.plan_release(snapshot, catalog=catalog, history=history, now=now, **_release_kwargs(spec["spec"]))]
        else:
            plans = relman.plan_automation(snapshot, catalog=catalog, history=history, now=now)
    except relman.RelmanError as err:
        assert "error" in expect, f"planning failed: {err}"
        want = expect["error"]
        assert err.code == want["code"], str(err)
        for key in ("path", "line", "column"):
            if key in want:
                assert getattr(err, key) == want[key], f"expected error {key} {want[key]!r}: {err}"
        if "message_contains" in want:
            assert want["message_contains"] in str(err), f"the message lacks {want['message_contains']!r}: {err}"
        return
    assert "error" not in expect, f"expected error {expect['error']['code']}, planning succeeded"
    if op == "release":
        _check_plan(plans[0], expect, snapshot, expected_files)
    else:
        wanted = expect.get("plans")
        assert wanted is not None, "automation cases need expect.plans"
        for w in wanted:
            found = [p for p in plans if p.environment == w["environment"]]
            assert found, f"no plan for {w['environment']}"
            _check_plan(found[0], w, snapshot, expected_files)
    if made is not None:
        made.apply_and_check([(c.path, c.after) for p in plans for c in p.changes], files, expected_files)


RECORDS = load_json(FIXTURES / "record" / "parse.json")


def _record_dict(record: Optional[relman.ReleaseRecord]) -> Optional[Dict[str, Any]]:
    if record is None:
        return None
    return {
        "environment": record.environment,
        "kind": record.kind,
        "user": record.user,
        "changes": [
            {"workload": c.workload, "container": c.container, "from": c.from_, "to": c.to} for c in record.changes
        ],
        "locked": record.locked,
    }


def test_record_table_has_cases() -> None:
    assert RECORDS["cases"], "no case in record/parse.json"


@pytest.mark.parametrize("case", RECORDS["cases"], ids=lambda c: str(c["description"]))
def test_record_parse(case: Dict[str, Any]) -> None:
    """``ReleaseRecord.parse`` is strict: exactly relman's format is a record."""
    record = relman.ReleaseRecord.parse(case["message"])
    assert _record_dict(record) == case["record"]
    if record is not None:
        again = relman.ReleaseRecord.parse("Summary\n\n" + record.trailers())
        assert _record_dict(again) == case["record"]


# drift/<case>/: drift against the cluster

DRIFT = FIXTURES / "drift"
DRIFT_CASES = sorted(p for p in DRIFT.iterdir() if (p / "case.json").is_file()) if DRIFT.is_dir() else []


def test_drift_folder_has_cases() -> None:
    assert DRIFT_CASES, f"no drift fixture under {DRIFT}"


def _drift_entry(e: relman.DriftEntry) -> Dict[str, Any]:
    return {
        "workload": e.workload,
        "container": e.container,
        "status": e.status,
        "repo_image": e.repo_image,
        "running_image": e.running_image,
        "live_workload": e.live_workload,
        "live_container": e.live_container,
        "path": e.path,
        "message": e.message,
    }


@pytest.mark.parametrize("case", DRIFT_CASES, ids=lambda p: p.name)
def test_drift(case: Path) -> None:
    spec = load_json(case / "case.json")
    snapshot = relman.Snapshot.from_files(_tree(case / "files"))
    observed = read(case / spec["observed"])
    expect = spec["expect"]
    try:
        report = relman.drift(snapshot, environment=spec["environment"], observed=observed)
    except relman.RelmanError as err:
        assert "error" in expect, f"drift failed: {err}"
        want = expect["error"]
        assert err.code == want["code"], str(err)
        assert type(err) is relman._errors._BY_CODE[err.code]
        for key in ("path", "line", "column"):
            if key in want:
                assert getattr(err, key) == want[key], f"expected error {key} {want[key]!r}: {err}"
        if "message_contains" in want:
            assert want["message_contains"] in str(err), f"the message lacks {want['message_contains']!r}: {err}"
        return
    assert "error" not in expect, f"expected error {expect['error']['code']}, got a report"
    entries = [_drift_entry(e) for e in report.entries]
    assert entries == json.loads(report.to_json())["entries"], "objects differ from to_json()"
    assert subset(expect["entries"], entries), f"entries differ\n{json.dumps(entries, indent=1)}"
    if "drifted" in expect:
        assert report.is_drifted is expect["drifted"]
    for wanted in expect.get("warnings", []):
        assert any(wanted in w for w in report.warnings), f"no warning contains {wanted!r}: {report.warnings}"
    if "\r" not in observed:
        twin = relman.drift(snapshot, environment=spec["environment"], observed=observed.replace("\n", "\r\n"))
        assert twin == report, "the CRLF twin of the observed text gives another report"
