"""End to end: examples/release_bot.py (built on `relman.Registry`) against a real registry (Debian's docker-registry on
127.0.0.1, images pushed with skopeo from OCI layouts written here) and a bare git remote.

1. One bot run releases the new tags to staging in exactly one commit, with the right
   trailers and file bytes (a semver filter, and a glob filter ordered by the creation times
   read from the image configs, on a digest-pinned reference); a dry run and a second run
   change nothing.
2. Two bots watching different repositories race (both plan on the same head, then push at
   once): the loser's push is rejected, it fetches, plans again and lands its change on top.
3. Two identical bots race for one new tag: it lands once; the loser finds nothing to do.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from conftest import Git
from registry import LocalRegistry, PushedImage, push_image

BOT = Path(__file__).resolve().parents[1] / "release_bot.py"
AUTHOR = "relman bot <bot@example.com>"

CONFIG = """\
# Release policy of the e2e config repo.
environments:
  staging:
    path: envs/staging
    release: automatic
  production:
    path: envs/production
    release: manual
    promoteFrom: staging
services:
  users:
    filter: "semver:^1"
  orders:
    filter: glob:main-*   # CI tags images with the commit they were built from
"""

USERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
  namespace: {ns}
spec:
  template:
    spec:
      containers:
        - name: app
          image: {image}   # the users service
          ports: [{{containerPort: 8080}}]
"""

ORDERS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: {ns}
spec:
  template:
    spec:
      containers:
      - name: app
        image: "{image}"
"""


def at(hour: int) -> str:
    return f"2026-11-27T{hour:02d}:00:00Z"


def pinned(image: PushedImage) -> str:
    return f"{image.reference}@{image.digest}"


def make_remote(root: Path, git: Git, files: Dict[str, str]) -> Path:
    work = root / "seed"
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git(root, "init", "-q", "--bare", "remote.git")
    git(work.parent, "init", "-q", str(work))
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Initial config")
    git(work, "push", "-q", str(root / "remote.git"), "main")
    return root / "remote.git"


def show(git: Git, remote: Path, rev: str, path: str) -> str:
    return git(remote, "show", f"{rev}:{path}")


def new_commits(git: Git, remote: Path, since: str) -> List[Tuple[str, List[str]]]:
    """(commit, parents) of `since..main`, oldest first."""
    lines = git(remote, "rev-list", "--reverse", "--parents", f"{since}..main").split("\n")
    return [(line.split()[0], line.split()[1:]) for line in lines if line]


def trailers(git: Git, remote: Path, commit: str) -> List[str]:
    return git(remote, "log", "-1", "--format=%(trailers:only,unfold)", commit).strip().splitlines()


def run_bot(git: Git, registry: LocalRegistry, remote: Path, workdir: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BOT), "--registry", registry.url, "--repo", str(remote), "--workdir", str(workdir), "--author", AUTHOR, "--once", *extra],
        env=git.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"the bot failed ({result.returncode}):\n{result.stderr}"
    return result.stderr


def race(git: Git, registry: LocalRegistry, remote: Path, root: Path, bots: Dict[str, Sequence[str]]) -> Dict[str, str]:
    """Run the bots at once. Each gets its bare clone ready with a pre-push hook that holds
    its first push until every bot has committed on the same head: a real race, every time."""
    barrier = root / "barrier"
    barrier.mkdir(parents=True)
    processes = {}
    for name, extra in bots.items():
        workdir = root / name
        clone = workdir / "config.git"
        if not clone.exists():
            git(root, "clone", "-q", "--bare", str(remote), str(clone))
        hook = clone / "hooks" / "pre-push"
        hook.write_text(
            "#!/bin/sh\n"
            "cat >/dev/null\n"
            f'[ -e "{barrier}/{name}" ] && exit 0  # only the first push waits\n'
            f'touch "{barrier}/{name}"\n'
            "i=0\n"
            f'while [ "$(ls "{barrier}" | wc -l)" -lt {len(bots)} ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n'
        )
        hook.chmod(0o755)
        processes[name] = subprocess.Popen(
            [sys.executable, str(BOT), "--registry", registry.url, "--repo", str(remote), "--workdir", str(workdir), "--author", AUTHOR, "--once", *extra],
            env=git.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    logs = {}
    try:
        for name, process in processes.items():
            _, logs[name] = process.communicate(timeout=120)
            assert process.returncode == 0, f"bot {name} failed ({process.returncode}):\n{logs[name]}"
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return logs


def test_release_bot_with_a_real_registry_and_remote(tmp_path: Path, git: Git, registry: LocalRegistry) -> None:
    users_130 = push_image(registry, "acme/users", "1.3.0", at(8))
    orders_old = push_image(registry, "acme/orders", "main-1a2b3c4", at(8))
    files = {
        "relman.yaml": CONFIG,
        "envs/staging/users.yaml": USERS.format(ns="staging", image=users_130.reference),
        "envs/staging/orders.yaml": ORDERS.format(ns="staging", image=pinned(orders_old)),
        "envs/production/users.yaml": USERS.format(ns="prod", image=users_130.reference),
        "envs/production/orders.yaml": ORDERS.format(ns="prod", image=pinned(orders_old)),
    }
    remote = make_remote(tmp_path, git, files)
    start = git(remote, "rev-parse", "main").strip()

    # CI publishes: users 1.4.0 (and 2.0.0, outside semver:^1); orders builds where the newest
    # creation time, not the tag's spelling, decides (main-fff0000 sorts last but is older).
    users_140 = push_image(registry, "acme/users", "1.4.0", at(9))
    push_image(registry, "acme/users", "2.0.0", at(11))
    push_image(registry, "acme/orders", "main-fff0000", at(9))
    orders_new = push_image(registry, "acme/orders", "main-9f8e7d6", at(10))

    # A dry run plans and commits nothing.
    bot_a = tmp_path / "bot-a"
    out = run_bot(git, registry, remote, bot_a, "--dry-run")
    assert "staging: Auto-release multiple (2) images" in out and "dry run" in out
    assert git(remote, "rev-parse", "main").strip() == start

    # One run: one commit on top of the start, exactly these trailers and bytes.
    out = run_bot(git, registry, remote, bot_a)
    [(commit, parents)] = new_commits(git, remote, start)
    assert parents == [start]
    assert git(remote, "log", "-1", "--format=%an <%ae>|%s", commit).strip() == f"{AUTHOR}|Auto-release multiple (2) images"
    assert trailers(git, remote, commit) == [  # results in file order: orders.yaml, users.yaml
        "Relman-Environment: staging",
        "Relman-Cause: automated",
        f"Relman-Change: staging:deployment/orders app {pinned(orders_old)} -> {pinned(orders_new)}",
        f"Relman-Change: staging:deployment/users app {users_130.reference} -> {users_140.reference}",
    ]
    assert git(remote, "diff", "--name-only", start, commit).split() == ["envs/staging/orders.yaml", "envs/staging/users.yaml"]
    assert show(git, remote, commit, "envs/staging/users.yaml") == files["envs/staging/users.yaml"].replace(":1.3.0", ":1.4.0")
    assert show(git, remote, commit, "envs/staging/orders.yaml") == files["envs/staging/orders.yaml"].replace(pinned(orders_old), pinned(orders_new))
    assert "pushed 1 commit(s)" in out

    # Again: nothing to release, nothing pushed; a warm poll (the cache of the first run, on
    # disk in the bot's workdir) asks one tag list per repository and nothing else.
    out = run_bot(git, registry, remote, bot_a)
    assert "nothing to release" in out and git(remote, "rev-parse", "main").strip() == commit
    assert "registry: 2 repositories, 6 tags, 2 requests (2 tag lists, 0 manifests, 0 blobs, 0 tokens)" in out, out

    # Two bots, one per repository, race on the same head: both changes land, once each.
    users_150 = push_image(registry, "acme/users", "1.5.0", at(12))
    orders_newest = push_image(registry, "acme/orders", "main-5d4c3b2", at(12))
    logs = race(git, registry, remote, tmp_path / "race1", {"users": ["--repository", "acme/users"], "orders": ["--repository", "acme/orders"]})
    assert sum("push rejected" in log for log in logs.values()) == 1, logs
    landed = new_commits(git, remote, commit)
    assert len(landed) == 2, logs
    assert landed[0][1] == [commit] and landed[1][1] == [landed[0][0]]  # linear, no merge
    changes = sorted(t for c, _ in landed for t in trailers(git, remote, c) if t.startswith("Relman-Change:"))
    assert changes == sorted(
        [
            f"Relman-Change: staging:deployment/users app {users_140.reference} -> {users_150.reference}",
            f"Relman-Change: staging:deployment/orders app {pinned(orders_new)} -> {pinned(orders_newest)}",
        ]
    )
    for c, _ in landed:
        assert trailers(git, remote, c)[:2] == ["Relman-Environment: staging", "Relman-Cause: automated"]
    head = landed[1][0]
    assert show(git, remote, head, "envs/staging/users.yaml") == files["envs/staging/users.yaml"].replace(":1.3.0", ":1.5.0")
    assert show(git, remote, head, "envs/staging/orders.yaml") == files["envs/staging/orders.yaml"].replace(pinned(orders_old), pinned(orders_newest))
    for path in ("relman.yaml", "envs/production/users.yaml", "envs/production/orders.yaml"):
        assert show(git, remote, head, path) == files[path]

    # Two identical bots race for one new tag: one commit; the loser plans again, finds it done.
    users_160 = push_image(registry, "acme/users", "1.6.0", at(13))
    logs = race(git, registry, remote, tmp_path / "race2", {"first": [], "second": []})
    [(last, parents)] = new_commits(git, remote, head)
    assert parents == [head]
    assert trailers(git, remote, last)[2:] == [f"Relman-Change: staging:deployment/users app {users_150.reference} -> {users_160.reference}"]
    # The loser's push is rejected and it finds nothing left to do; or, when the winner had
    # already landed, both made the identical commit (same tree, parent, author, second) and
    # the loser's push is a no-op. Either way the branch gained one commit.
    winners = [log for log in logs.values() if "pushed 1 commit(s)" in log]
    losers = [log for log in logs.values() if "push rejected" in log or "an identical commit" in log]
    assert len(winners) == 1 and len(losers) == 1, logs
    assert "an identical commit" in losers[0] or "nothing to release" in losers[0], logs
