"""The argument rules every surface shares: each case of tests/fixtures/arguments/cases.json
(format: tests/fixtures/README.md) through the public functions, with the outcome core's
runner (core/tests/arguments.rs) and the Node runner expect. ``{"$millis": N}`` is passed as
an aware UTC ``datetime``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import pytest

import relman
from golden import FIXTURES, load_json

DOC: Dict[str, Any] = load_json(FIXTURES / "arguments" / "cases.json")
CASES = DOC["cases"]


def argument(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$millis"}:
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=value["$millis"])
    return value


def outcome(case: Dict[str, Any]) -> Dict[str, Any]:
    snapshot = relman.Snapshot.from_files(DOC["files"])
    catalog = relman.Catalog()
    for repository, tags in DOC["catalog"].items():
        for tag in tags:
            catalog.add(repository, tag)
    args = {key: argument(value) for key, value in case["args"].items()}
    args.setdefault("now", DOC["now"])
    try:
        if case["call"] == "plan_release":
            plan = relman.plan_release(snapshot, catalog=catalog, **args)
            return {"statuses": {r.workload: r.status for r in plan.results}}
        assert case["call"] == "plan_automation", case["call"]
        return {"plans": len(relman.plan_automation(snapshot, catalog=catalog, **args))}
    except relman.RelmanError as err:
        assert type(err) is relman._errors._BY_CODE[err.code], f"{err.code} raised as {type(err).__name__}"
        return {"error": err.code}


def test_the_fixture_has_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["name"]))
def test_argument_case(case: Dict[str, Any]) -> None:
    assert outcome(case) == case["expect"]


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 27, 12), "2026-11-27T12:00:00", "yesterday", ""],
    ids=["naive-datetime", "text-without-offset", "not-a-time", "empty"],
)
def test_bad_times_are_invalid_argument(now: Any) -> None:
    snapshot = relman.Snapshot.from_files(DOC["files"])
    with pytest.raises(relman.InvalidArgument) as info:
        relman.plan_release(snapshot, environment="staging", now=now)
    assert isinstance(info.value, ValueError) and info.value.code == "invalid_argument" and "now" in str(info.value)
    with pytest.raises(relman.InvalidArgument):
        relman.lock_environment(DOC["files"]["relman.yaml"], "staging", reason="r", by="b", until=now)


def test_aware_datetimes_keep_their_instant() -> None:
    config = DOC["files"]["relman.yaml"]
    tz = timezone(timedelta(hours=5, minutes=30, seconds=15))
    until = datetime(2027, 1, 4, 5, 30, 15, 250000, tzinfo=tz)
    locked = relman.lock_environment(config, "staging", reason="r", by="b", until=until)
    assert 'until: "2027-01-04T00:00:00.25Z"' in locked
