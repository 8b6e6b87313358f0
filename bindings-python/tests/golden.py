"""Helpers of the golden runners: the shared fixtures folder, reading it byte-exactly, and the
comparisons the Rust runners (core/tests/*.rs) use, so that every surface checks the same
invariants the same way."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

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
        "revision": p.revision,
    }


# The ``make`` field (tests/fixtures/README.md): what git cannot hold, made in a copy of files/.


def decode_path(path: str) -> bytes:
    """``%XX`` in a ``make`` path is the byte XX (names that are not UTF-8)."""
    return urllib.parse.unquote_to_bytes(path)


class MadeTree:
    """A temporary copy of a case's ``files/`` with its ``make`` entries made (symbolic links,
    FIFOs, files under names that are not UTF-8), removed on ``close``."""

    def __init__(self, files: Path, make: List[Dict[str, Any]]) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="relman-made-")
        self.root = Path(self._tmp.name) / "files"
        shutil.copytree(files, self.root)
        self.links: List[Tuple[bytes, str]] = []
        root = os.fsencode(self.root)
        for entry in make:
            kinds = [k for k in ("symlink", "fifo", "file") if k in entry]
            assert len(kinds) == 1, f"a make entry needs one of symlink, fifo, file: {entry}"
            on_disk = os.path.join(root, decode_path(entry[kinds[0]]))
            os.makedirs(os.path.dirname(on_disk), exist_ok=True)
            if kinds[0] == "symlink":
                os.symlink(entry["to"], on_disk)
                self.links.append((on_disk, entry["to"]))
            elif kinds[0] == "fifo":
                os.mkfifo(on_disk)
            else:
                with open(on_disk, "wb") as f:
                    f.write(entry["text"].encode())

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self) -> "MadeTree":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def apply_and_check(self, changes: List[Tuple[str, str]], files: Dict[str, str], expected: Dict[str, str]) -> None:
        """Write each change's ``after`` at its path, as a caller applying a plan would (a write
        follows links); then every link made still leads where it did, and every file of
        ``files/`` holds its ``expected/`` text when there is one, else its own."""
        for path, after in changes:
            (self.root / path).write_bytes(after.encode())
        for link, target in self.links:
            assert os.path.islink(link), f"{link!r} is no longer a link"
            assert os.readlink(link) == os.fsencode(target), f"{link!r} now leads elsewhere"
        for path, text in files.items():
            want = expected.get(path, text)
            have = (self.root / path).read_bytes().decode()
            assert have == want, f"after writing the plan's changes, {path} differs"


def snapshot_value(snapshot: relman.Snapshot) -> Dict[str, Any]:
    """A snapshot as the ``snapshot`` expectation of ``from_dir`` cases: files and links."""
    return {"files": sorted(snapshot.files), "links": snapshot.links}
