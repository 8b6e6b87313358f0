"""The bad-input catalogue of tests/fixtures/invalid/ (format: tests/fixtures/README.md) through
the Python API, with the checks of core/tests/invalid.rs: the error code, line, column, path and
a piece of the message when a case gives them; an error returns no text; successful edits keep
the invariants of the manifest fixtures and read back what was written.

One test per case, so pytest's count is the number of cases executed. Nothing here measures
time: bounded time is shown by the run finishing at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import relman
from golden import (
    FIXTURES,
    changed_lines_manifest,
    config_dict,
    crlf,
    error_outcome,
    MadeTree,
    load_json,
    policy_dict,
    read,
    slot_dict,
    snapshot_value,
    subset,
)

INVALID = FIXTURES / "invalid"
CASES = sorted(p for p in INVALID.iterdir() if p.is_dir()) if INVALID.is_dir() else []

Outcome = Tuple[str, Any]


def test_invalid_folder_has_cases() -> None:
    assert CASES, f"no fixture case under {INVALID}"
    for case in CASES:
        assert (case / "case.json").is_file(), f"{case} has no case.json"


def input_text(case: Path, spec: Dict[str, Any]) -> str:
    """``input.yaml``, or the concatenation of the ``generate`` parts."""
    parts: Optional[List[Dict[str, Any]]] = spec.get("generate")
    if parts is None:
        return read(case / "input.yaml")
    assert not (case / "input.yaml").exists(), "a case gives input.yaml or generate, not both"
    return "".join(str(p["text"]) * int(p["repeat"]) for p in parts)


def run(op: str, args: Dict[str, Any], text: str, case: Path) -> Outcome:
    """One operation: ("text", str), ("value", json-like) or ("error", {code, path, line, column, text})."""
    ns: str = args.get("default_namespace", "default")
    path: Optional[str] = args.get("path")
    try:
        if op == "set_image":
            return "text", relman.set_image(
                text, args["workload"], args["container"], args["image"], default_namespace=ns, path=path
            )
        if op == "update_policy":
            return "text", relman.update_policy(
                text,
                args["workload"],
                add=args.get("add", {}),
                remove=args.get("remove", []),
                default_namespace=ns,
                path=path,
            )
        if op == "list_images":
            return "value", [slot_dict(s) for s in relman.list_images(text, default_namespace=ns, path=path)]
        if op == "read_policy":
            return "value", policy_dict(relman.read_policy(text, args["workload"], default_namespace=ns, path=path))
        if op == "parse_config":
            return "value", config_dict(relman.Config.parse(text))
        if op == "from_dir":
            make = load_json(case / "case.json").get("make")
            if make is None:
                return "value", snapshot_value(relman.Snapshot.from_dir(case / "files"))
            with MadeTree(case / "files", make) as tree:
                return "value", snapshot_value(relman.Snapshot.from_dir(tree.root))
    except relman.RelmanError as err:
        return "error", error_outcome(err)
    raise AssertionError(f"unknown op {op!r}")


def show(outcome: Outcome) -> str:
    """An outcome for a failure message; a 50 MB text is not printed."""
    kind, got = outcome
    if kind == "text" and len(got) > 2000:
        return f"text of {len(got)} characters"
    return repr(outcome)[:2000]


def check_error(want: Dict[str, Any], outcome: Outcome) -> None:
    kind, got = outcome
    assert kind == "error", f"expected error {want['code']}, got {show(outcome)}"
    assert got["error"] == want["code"], f"expected error {want['code']}, got {show(outcome)}"
    for key in ("line", "column", "path"):
        if key in want:
            assert got[key] == want[key], f"expected {key} {want[key]!r}, got {show(outcome)}"
    if "message_contains" in want:
        assert want["message_contains"] in got["text"], f"the message lacks {want['message_contains']!r}: {got['text']}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_invalid_case(case: Path) -> None:
    spec = load_json(case / "case.json")
    assert spec.get("description"), "case.json has no description"
    op: str = spec["op"]
    args: Dict[str, Any] = spec.get("args", {})
    expect: Dict[str, Any] = spec["expect"]
    if op == "from_dir":
        assert (case / "files").is_dir(), "a from_dir case needs a files/ folder"
        text = ""
    else:
        text = input_text(case, spec)
    twin = op != "from_dir" and spec.get("crlf_twin", True) and "\r" not in text
    outcome = run(op, args, text, case)

    if "error" in expect:
        check_error(expect["error"], outcome)
        # An error returns no text: the exception is all the caller gets.
        if twin:
            check_error(expect["error"], run(op, args, crlf(text), case))
        return

    if "changed_lines" in expect:
        assert "generate" not in spec, "changed_lines needs input.yaml and expected.yaml, not generate"
        expected = read(case / "expected.yaml")
        kind, got = outcome
        assert kind == "text", f"expected an edit, got {show(outcome)}"
        assert got == expected, f"bytes differ\n--- expected\n{expected!r}\n--- got\n{got!r}"
        lf_input, lf_expected = text.replace("\r\n", "\n"), expected.replace("\r\n", "\n")
        assert changed_lines_manifest(lf_input, lf_expected) == expect["changed_lines"]
        assert run(op, args, expected, case) == ("text", expected), "not idempotent"
        if twin:
            assert run(op, args, crlf(text), case) == ("text", crlf(expected)), "CRLF twin differs"
        back = spec.get("read_back")
        if back is not None:
            ns = args.get("default_namespace", "default")
            policy = policy_dict(relman.read_policy(got, back["workload"], default_namespace=ns))
            assert subset(back["policy"], policy), f"read back differs\n{back['policy']}\n{policy}"
        return

    assert "read_back" not in spec, "read_back goes with changed_lines"
    ((key, want),) = expect.items()
    assert key in ("slots", "policy", "config", "snapshot"), f"unknown expectation {key!r}"
    kind, got = outcome
    assert kind == "value", f"expected {key}, got {show(outcome)}"
    if key == "snapshot":
        # The whole snapshot: every file and every link, no more.
        assert op == "from_dir", "a snapshot expectation goes with from_dir"
        assert got == {"files": want["files"], "links": want.get("links", {})}, f"snapshot differs\n{want}\n{got}"
        return
    assert subset(want, got), f"{key} differ\n--- expected\n{want}\n--- got\n{got}"
    if twin:
        assert run(op, args, crlf(text), case) == outcome, "CRLF twin gives a different result"
