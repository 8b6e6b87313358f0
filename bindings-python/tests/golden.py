"""Helpers of the golden runners: the shared fixtures folder, reading it byte-exactly, and the
comparisons the Rust runners (core/tests/*.rs) use, so that every surface checks the same
invariants the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import relman

#: The repository's tests/fixtures/, read by the Rust, Python and Node runners alike.
FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


def read(path: Path) -> str:
    """A fixture file's text, byte for byte: no newline translation, a BOM kept."""
    return path.read_bytes().decode("utf-8")


def load_json(path: Path) -> Any:
    return json.loads(read(path))


def case_dirs(root: Path) -> List[Path]:
    """Every folder under ``root`` (recursively) holding a ``case.json``, sorted."""
    return sorted(p.parent for p in root.rglob("case.json"))


def case_id(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def _scalar_equal(expected: Any, actual: Any) -> bool:
    # JSON distinguishes booleans from numbers; Python's True == 1 does not.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return bool(expected == actual)


def subset(expected: Any, actual: Any) -> bool:
    """``expected`` fields (recursively for objects) all equal in ``actual``; arrays must have
    the same length (``subset`` of core/tests/fixtures.rs)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(subset(e, a) for e, a in zip(expected, actual))
        )
    return _scalar_equal(expected, actual)


def _lcs(a: List[str], b: List[str]) -> int:
    prev = [0] * (len(b) + 1)
    for i in range(len(a) - 1, -1, -1):
        row = [0] * (len(b) + 1)
        for j in range(len(b) - 1, -1, -1):
            row[j] = prev[j + 1] + 1 if a[i] == b[j] else max(prev[j], row[j + 1])
        prev = row
    return prev[0]


def split_inclusive(text: str) -> List[str]:
    """Rust's ``str::split_inclusive('\\n')``: lines with their ``\\n``, a last line without one."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def rust_lines(text: str) -> List[str]:
    """Rust's ``str::lines()``: split at ``\\n``, a trailing ``\\r`` dropped from each line, no
    empty last line."""
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


def changed_lines_manifest(a: str, b: str) -> int:
    """Lines not in the longest common subsequence, the larger side's count, comparing lines
    without their ``\\n`` (``changed_lines`` of core/tests/fixtures.rs)."""
    la = [line.rstrip("\n") for line in split_inclusive(a)]
    lb = [line.rstrip("\n") for line in split_inclusive(b)]
    common = _lcs(la, lb)
    return max(len(la) - common, len(lb) - common)


def changed_lines_config(a: str, b: str) -> int:
    """The same count over ``str::lines()`` (``changed_lines`` of core/tests/config.rs)."""
    la, lb = rust_lines(a), rust_lines(b)
    common = _lcs(la, lb)
    return max(len(la) - common, len(lb) - common)


def error_outcome(err: relman.RelmanError) -> Dict[str, Any]:
    return {"error": err.code, "path": err.path, "line": err.line, "column": err.column, "text": str(err)}


# Python objects -> the serialised shapes the fixtures are written in (core's serde form).


def slot_dict(s: relman.ImageSlot) -> Dict[str, Any]:
    return {
        "workload": s.workload,
        "container": s.container,
        "kind": s.kind,
        "image": s.image,
        "managed": s.managed,
        "line": s.line,
        "column": s.column,
        "path": s.path,
        "warning": s.warning,
    }


def policy_dict(p: relman.Policy) -> Dict[str, Any]:
    return {
        "automated": p.automated,
        "automated_set": p.automated_set,
        "locked": p.locked,
        "locked_msg": p.locked_msg,
        "locked_user": p.locked_user,
        "locked_until": p.locked_until,
        "ignore": p.ignore,
        "tag_filters": p.tag_filters,
        "ambiguous": p.ambiguous,
    }


def lock_dict(lock: Optional[relman.EnvironmentLock]) -> Optional[Dict[str, Any]]:
    if lock is None:
        return None
    return {"reason": lock.reason, "by": lock.by, "until": lock.until}


def config_dict(c: relman.Config) -> Dict[str, Any]:
    return {
        "versions": c.versions,
        "default_namespace": c.default_namespace,
        "environments": [
            {
                "name": e.name,
                "paths": e.paths,
                "release": e.release,
                "promote_from": e.promote_from,
                "lock": lock_dict(e.lock),
                "default_namespace": e.default_namespace,
            }
            for e in c.environments
        ],
        "services": [
            {
                "name": s.name,
                "workloads": s.workloads,
                "filter": None if s.filter is None else str(s.filter),
                "image_policy": s.image_policy,
            }
            for s in c.services
        ],
    }


def result_dict(r: relman.WorkloadResult) -> Dict[str, Any]:
    return {
        "workload": r.workload,
        "status": r.status,
        "reason": r.reason,
        "message": r.message,
        "updates": [{"container": u.container, "from": u.from_, "to": u.to} for u in r.updates],
        "skipped": [{"container": s.container, "reason": s.reason, "message": s.message} for s in r.skipped],
        "path": r.path,
    }


def plan_dict(p: relman.ReleasePlan) -> Dict[str, Any]:
    return {
        "environment": p.environment,
        "kind": p.kind,
        "results": [result_dict(r) for r in p.results],
        "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in p.changes],
        "commit_message": p.commit_message,
        "warnings": p.warnings,
    }
