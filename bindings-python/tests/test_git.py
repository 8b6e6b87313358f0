"""The git adapter through Python: snapshots, history, compare-and-swap commits, conflicts and
the retry loop with a Python planning callable. Repositories are made with the git CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

import relman

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

CONFIG = "environments:\n  staging: {path: envs/staging, release: automatic}\n  production: {path: envs/production}\n"
USERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
spec:
  template:
    spec:
      containers:
        - name: app   # the users service
          image: acme/users:1.3.0
"""
AUTHOR = "Release bot <bot@example.com>"
NOW = "2026-11-27T12:00:00Z"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd), "GIT_CONFIG_GLOBAL": os.devnull}
    out = subprocess.run(
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def make_repo(root: Path, files: Dict[str, str]) -> Path:
    """A work tree with one commit on `main`, and a bare clone of it (returned)."""
    work = root / "work"
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "initial")
    bare = root / "config-repo.git"
    git(root, "clone", "-q", "--bare", str(work), str(bare))
    return bare


@pytest.fixture()
def bare(tmp_path: Path) -> Path:
    return make_repo(tmp_path, {"relman.yaml": CONFIG, "envs/staging/users.yaml": USERS, "envs/production/users.yaml": USERS})


def release(snapshot: relman.Snapshot, image: str = "acme/users:1.4.0", history: object = ()) -> relman.ReleasePlan:
    return relman.plan_release(snapshot, environment="staging", image=image, history=history, now=NOW)  # type: ignore[arg-type]


def test_snapshot_commit_history(bare: Path) -> None:
    repo = relman.Repository.open(bare)
    assert repo.path == str(bare) and repr(repo) == f"Repository({str(bare)!r})"
    head = repo.branch_head("main")
    assert head == git(bare, "rev-parse", "main") and len(head) == 40
    snapshot = repo.snapshot("main")
    assert snapshot.revision == head
    assert sorted(snapshot.files) == ["envs/production/users.yaml", "envs/staging/users.yaml", "relman.yaml"]
    assert relman.Snapshot.from_git(bare, "main") == snapshot
    assert relman.Snapshot.from_git(str(bare)) == repo.snapshot()

    plan = release(snapshot)
    assert snapshot.revision is not None
    commit = repo.commit(plan, branch="main", expected_head=snapshot.revision, author=AUTHOR)
    assert commit == repo.branch_head("main") == git(bare, "rev-parse", "main") != head
    after = repo.snapshot("main")
    assert after.revision == commit
    assert after.get("envs/staging/users.yaml") == USERS.replace("1.3.0", "1.4.0")
    assert git(bare, "log", "-1", "--format=%an <%ae>%n%B", "main").startswith(AUTHOR + "\n" + plan.commit_message.rstrip("\n"))

    history = repo.history("main", environment="staging")
    assert history.source == "trees" and history.is_complete and history.warnings == []
    assert [(m.environment, m.cause, m.workload, m.from_, m.to, m.user) for m in history.moves] == [
        # The plan named no user: the record has no Relman-User.
        ("staging", "manual", "default:deployment/users", "acme/users:1.3.0", "acme/users:1.4.0", None),
        # The root commit added the slot.
        ("staging", "unrecorded", "default:deployment/users", None, "acme/users:1.3.0", None),
    ]
    assert history.moves[0].commit == commit and history.moves[1].commit == head
    assert [m.cause for m in repo.history(environment="production").moves] == ["unrecorded"]
    assert [(m.environment, m.from_) for m in repo.history(head).moves] == [("staging", None), ("production", None)]
    assert len(repo.history(limit=0)) == 0 and not repo.history(limit=0).is_complete
    with pytest.raises(relman.UnknownEnvironment):
        repo.history(environment="qa")

    # The history plans a rollback.
    back = release(after, image="rollback", history=history)
    assert back.results[0].updates[0].to == "acme/users:1.3.0"

    # The same plan on the old head: the branch moved, and the error says where to.
    with pytest.raises(relman.ConflictError) as info:
        repo.commit(plan, branch="main", expected_head=head, author=AUTHOR)
    assert info.value.code == "conflict" and info.value.actual_head == commit
    assert commit in str(info.value)


def test_release_with_retry_replans_on_conflict(bare: Path) -> None:
    repo = relman.Repository.open(bare)
    calls: List[tuple[str | None, int]] = []

    def plan(snapshot: relman.Snapshot, history: relman.History) -> relman.ReleasePlan:
        calls.append((snapshot.revision, sum(m.cause != "unrecorded" for m in history.moves)))
        if len(calls) == 1:
            # Another writer releases production meanwhile: the first commit meets a conflict.
            other = relman.plan_release(snapshot, environment="production", image="acme/users:1.3.1", force=True, services=["users"], now=NOW)
            assert snapshot.revision is not None
            repo.commit(other, branch="main", expected_head=snapshot.revision, author="Someone <else@example.com>")
        return release(snapshot, history=history)

    commit = repo.release_with_retry(branch="main", author=AUTHOR, plan=plan)
    assert commit is not None and commit == repo.branch_head("main")
    assert len(calls) == 2 and calls[0][0] != calls[1][0] and calls[1][1] == 1
    final = repo.snapshot("main")
    assert "acme/users:1.4.0" in (final.get("envs/staging/users.yaml") or "")
    assert "acme/users:1.3.1" in (final.get("envs/production/users.yaml") or "")
    # Released already: nothing to commit.
    assert repo.release_with_retry(branch="main", author=AUTHOR, plan=lambda s, h: release(s, history=h)) is None


def test_release_with_retry_gives_up_after_attempts(bare: Path) -> None:
    repo = relman.Repository.open(bare)
    calls = []

    def plan(snapshot: relman.Snapshot, history: relman.History) -> relman.ReleasePlan:
        calls.append(snapshot.revision)
        assert snapshot.revision is not None
        bump = relman.plan_release(
            snapshot, environment="production", image=f"acme/users:1.3.{len(calls)}", force=True, services=["users"], now=NOW
        )
        repo.commit(bump, branch="main", expected_head=snapshot.revision, author="Someone <else@example.com>")
        return release(snapshot)

    with pytest.raises(relman.ConflictError) as info:
        repo.release_with_retry(branch="main", author=AUTHOR, plan=plan, attempts=2)
    assert len(calls) == 2 and info.value.actual_head == repo.branch_head("main")


# `limit` and `attempts` by core's rule (relman::arguments::whole_number_from_int with
# relman::git::HISTORY_LIMITS and ATTEMPTS): InvalidArgument with core's message for a negative
# or too large int (never OverflowError), TypeError for a bool or a float; checked before any
# work, so the plan callable is never called.
USIZE_MAX = 2**64 - 1


@pytest.mark.parametrize(
    "value,message",
    [
        (-1, f"limit must be a whole number from 0 to {USIZE_MAX}, not -1"),
        (2**64, f"limit must be a whole number from 0 to {USIZE_MAX}, not 18446744073709551616"),
        (-(2**200), f"limit must be a whole number from 0 to {USIZE_MAX}, not an integer of 39 digits or more"),
    ],
)
def test_history_limit_out_of_range(bare: Path, value: int, message: str) -> None:
    with pytest.raises(relman.InvalidArgument) as raised:
        relman.Repository.open(bare).history(limit=value)
    assert raised.value.message == message


@pytest.mark.parametrize("value", [1.5, 10.0, float("nan"), float("inf"), True, None])
def test_history_limit_of_another_type(bare: Path, value: object) -> None:
    with pytest.raises(TypeError):
        relman.Repository.open(bare).history(limit=value)  # type: ignore[arg-type]


def test_history_limit_bounds(bare: Path) -> None:
    repo = relman.Repository.open(bare)
    assert repo.history(limit=USIZE_MAX).is_complete and len(repo.history(limit=USIZE_MAX)) == 2


@pytest.mark.parametrize(
    "value,message",
    [
        (0, f"attempts must be a whole number from 1 to {USIZE_MAX}, not 0"),
        (-1, f"attempts must be a whole number from 1 to {USIZE_MAX}, not -1"),
        (2**64, f"attempts must be a whole number from 1 to {USIZE_MAX}, not 18446744073709551616"),
    ],
)
def test_release_with_retry_attempts_out_of_range(bare: Path, value: int, message: str) -> None:
    calls: List[str] = []

    def plan(snapshot: relman.Snapshot, history: relman.History) -> relman.ReleasePlan:
        calls.append("called")
        return release(snapshot, history=history)

    with pytest.raises(relman.InvalidArgument) as raised:
        relman.Repository.open(bare).release_with_retry(branch="main", author=AUTHOR, plan=plan, attempts=value)
    assert raised.value.message == message and calls == []


@pytest.mark.parametrize("value", [1.5, 2.0, float("nan"), True])
def test_release_with_retry_attempts_of_another_type(bare: Path, value: object) -> None:
    with pytest.raises(TypeError):
        relman.Repository.open(bare).release_with_retry(branch="main", author=AUTHOR, plan=release, attempts=value)  # type: ignore[arg-type]


def test_plan_callback_errors_propagate(bare: Path) -> None:
    repo = relman.Repository.open(bare)

    class Boom(Exception):
        pass

    def boom(snapshot: relman.Snapshot, history: relman.History) -> relman.ReleasePlan:
        raise Boom("no release today")

    with pytest.raises(Boom, match="no release today"):
        repo.release_with_retry(branch="main", author=AUTHOR, plan=boom)
    with pytest.raises(relman.UnknownEnvironment):
        repo.release_with_retry(
            branch="main", author=AUTHOR, plan=lambda s, h: relman.plan_release(s, environment="qa", now=NOW)
        )
    with pytest.raises(TypeError, match="ReleasePlan"):
        repo.release_with_retry(branch="main", author=AUTHOR, plan=lambda s, h: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError):

        def one_argument(snapshot: relman.Snapshot) -> relman.ReleasePlan:
            return release(snapshot)

        repo.release_with_retry(branch="main", author=AUTHOR, plan=one_argument)  # type: ignore[arg-type]
    assert all(m.cause == "unrecorded" for m in repo.history().moves)


def test_checked_out_branch_and_bad_paths(tmp_path: Path, bare: Path) -> None:
    work = relman.Repository.open(tmp_path / "work")
    snapshot = work.snapshot("main")
    assert snapshot.revision is not None
    with pytest.raises(relman.BranchCheckedOut):
        work.commit(release(snapshot), branch="main", expected_head=snapshot.revision, author=AUTHOR)
    with pytest.raises(relman.InvalidPath):
        relman.Repository.open(tmp_path / "missing")
    with pytest.raises(relman.InvalidPath):
        relman.Snapshot.from_git(tmp_path / "missing")
    with pytest.raises(relman.NotFound):
        relman.Repository.open(bare).snapshot("no-such-branch")
