#!/usr/bin/env python3
"""relman release bot: continuous delivery from container registries into a config repo.

Each run
  1. fetches the config repo into a bare clone (``--workdir``) and asks relman which image
     repositories its environments use (``Snapshot.repositories``);
  2. asks the registries for their tags, digests and creation times with ``relman.Registry``
     (auth, paging, retries and a cache of digests, so that a warm poll costs one request per
     repository plus one per new tag; the bot logs how many requests each poll made);
  3. plans automation with relman: every ``automatic`` environment moves to the newest image its
     policies allow;
  4. commits each environment's plan with compare-and-swap (``Repository.commit``) and pushes
     with ``git push`` (never forced: the remote accepts it only on top of what was fetched);
  5. when another writer pushed first, fetches, plans again on the new head and retries
     (``--attempts`` times).

Only the standard library and relman are needed::

    python examples/release_bot.py --repo git@example.com:acme/config.git --branch main --once

Registry credentials: those of ``docker login`` (``~/.docker/config.json``: ``auths``,
``credHelpers``, ``credsStore``), or ``--username`` with the password in
``$REGISTRY_PASSWORD``. Git credentials are whatever your ``git`` is configured with.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import List, Optional, Sequence, Set

import relman

log = logging.getLogger("relman-bot")


class PushRejected(RuntimeError):
    pass


class ConfigRepo:
    """A bare clone of the config repo, kept in `workdir` between runs; git does the network."""

    def __init__(self, remote: str, workdir: Path, branch: str) -> None:
        self.remote = remote
        self.branch = branch
        self.path = workdir / "config.git"

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        result = subprocess.run(["git", "--git-dir", str(self.path), *args], capture_output=True, text=True, env=env)
        if check and result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def fetch(self) -> str:
        """Bring the branch to what the remote has (the local branch is only a staging area for
        commits not yet pushed: a rejected push's commit is dropped here). Returns the head."""
        if not (self.path / "HEAD").exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            log.info("cloning %s into %s", self.remote, self.path)
            result = subprocess.run(
                ["git", "clone", "--quiet", "--bare", "--no-tags", "--branch", self.branch, self.remote, str(self.path)],
                capture_output=True,
                text=True,
                env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
            )
            if result.returncode != 0:
                raise RuntimeError(f"git clone {self.remote} failed: {result.stderr.strip()}")
        else:
            self.git("remote", "set-url", "origin", self.remote)
            ref = f"refs/heads/{self.branch}"
            self.git("fetch", "--quiet", "--no-tags", "origin", f"+{ref}:{ref}")
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "--verify", f"refs/heads/{self.branch}^{{commit}}").stdout.strip()

    def push(self) -> bool:
        """`git push` without force: the remote takes it only as a fast-forward of its branch.
        Raises PushRejected when it is not (someone else pushed first). Returns False when the
        remote already had the commit (another bot made the identical commit and pushed it)."""
        ref = f"refs/heads/{self.branch}"
        result = self.git("push", "--porcelain", "origin", f"{ref}:{ref}", check=False)
        flags = [line.split("\t")[0] for line in result.stdout.splitlines() if "\t" in line]
        if result.returncode == 0:
            return flags != ["="]
        rejected = [line for line in result.stdout.splitlines() if line.startswith("!")]
        if rejected:
            raise PushRejected(rejected[0].split("\t")[-1])
        raise RuntimeError(f"git push to {self.remote} failed: {(result.stderr or result.stdout).strip()}")


def describe(plan: relman.ReleasePlan) -> None:
    """Log a plan: what moves, and why each other workload does not."""
    summary = plan.commit_message.splitlines()[0]
    log.info("%s: %s", plan.environment, summary)
    for result in plan.results:
        for update in result.updates:
            log.info("  %-8s %s %s: %s -> %s", result.status, result.workload, update.container, update.from_, update.to)
        if not result.updates:
            log.info("  %-8s %s: %s (%s)", result.status, result.workload, result.reason, result.message)
    for warning in plan.warnings:
        log.warning("  %s", warning)


def release(repo: ConfigRepo, catalog: relman.Catalog, author: str, dry_run: bool) -> List[str]:
    """Plan automation on the fetched head and commit one plan per environment that has
    something to release (re-planning after each commit, so every plan sees the tree it lands
    on). Returns the new commits, oldest first; none in a dry run."""
    repository = relman.Repository.open(repo.path)
    commits: List[str] = []
    released: Set[str] = set()
    while True:
        snapshot = repository.snapshot(f"refs/heads/{repo.branch}")
        history = repository.history(f"refs/heads/{repo.branch}")
        plans = relman.plan_automation(snapshot, catalog=catalog, history=history)
        pending = [p for p in plans if not p.is_noop and p.environment not in released]
        if not commits:
            for plan in plans:
                describe(plan)
        if not pending or dry_run:
            return commits
        plan = pending[0]
        assert snapshot.revision is not None
        commit = repository.commit(plan, branch=repo.branch, expected_head=snapshot.revision, author=author)
        log.info("committed %s %s", commit[:12], plan.commit_message.splitlines()[0])
        commits.append(commit)
        released.add(plan.environment)


def watched(repositories: Sequence[str], args: argparse.Namespace) -> List[str]:
    """The repositories of the config repo the bot asks for: all of them, or those on the
    `--registry` host, or those named with `--repository`."""
    names = list(repositories)
    if args.registry_host:
        names = [n for n in names if n.split("/", 1)[0] == args.registry_host]
    if args.repository:
        wanted = {f"{args.registry_host}/{r}" if args.registry_host else r for r in args.repository}
        names = [n for n in names if n in wanted or n.split("/", 1)[1] in args.repository]
    return names


def build_catalog(registry: relman.Registry, repositories: Sequence[str]) -> relman.Catalog:
    """Ask the registries for `repositories`; log what it cost."""
    started, before = time.monotonic(), registry.requests()
    catalog = registry.catalog(repositories)
    after = registry.requests()
    spent = {k: after[k] - before[k] for k in after}
    tags = sum(len(catalog.images(r)) for r in repositories)
    log.info(
        "registry: %d repositories, %d tags, %d requests (%d tag lists, %d manifests, %d blobs, %d tokens), %.1f s",
        len(repositories),
        tags,
        spent["total"],
        spent["tag_lists"],
        spent["manifests"],
        spent["blobs"],
        spent["tokens"],
        time.monotonic() - started,
    )
    return catalog


def run_once(args: argparse.Namespace, registry: relman.Registry, repo: ConfigRepo) -> int:
    """One run: fetch, catalog, then plan-commit-push until the push lands (fetching and
    planning again after a rejected push). Returns the number of commits pushed."""
    catalog: Optional[relman.Catalog] = None
    for attempt in range(1, args.attempts + 1):
        head = repo.fetch()
        log.info("%s %s at %s", repo.remote, repo.branch, head[:12])
        if catalog is None:
            snapshot = relman.Repository.open(repo.path).snapshot(f"refs/heads/{repo.branch}")
            catalog = build_catalog(registry, watched(snapshot.repositories(), args))
        commits = release(repo, catalog, args.author, args.dry_run)
        if args.dry_run:
            log.info("dry run: nothing committed or pushed")
            return 0
        if not commits:
            log.info("nothing to release")
            return 0
        try:
            updated = repo.push()
        except PushRejected as err:
            if attempt == args.attempts:
                raise RuntimeError(f"push still rejected after {attempt} attempts: {err}") from None
            pause = random.uniform(0.1, 0.5) * attempt
            log.warning("push rejected (%s): someone else pushed first; fetching and planning again in %.1f s (attempt %d of %d)", err, pause, attempt + 1, args.attempts)
            time.sleep(pause)
            continue
        if not updated:
            log.info("%s %s already has %s (an identical commit was pushed meanwhile)", repo.remote, repo.branch, commits[-1][:12])
            return 0
        log.info("pushed %d commit(s) to %s %s: %s", len(commits), repo.remote, repo.branch, commits[-1][:12])
        return len(commits)
    return 0


def default_workdir(remote: str, branch: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(f"{remote}\n{branch}".encode()).hexdigest()[:12]
    return cache / "relman-bot" / key


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Release new registry tags into a Kubernetes config repo with relman (automatic environments only).",
    )
    parser.add_argument("--repo", required=True, help="config repo: a git URL or path (the bot keeps a bare clone in --workdir)")
    parser.add_argument("--branch", default="main", help="branch of the config repo (default: main)")
    parser.add_argument(
        "--registry",
        help="watch only the repositories of this registry: host[:port], or a URL (http:// marks the host insecure)",
    )
    parser.add_argument(
        "--repository",
        action="append",
        default=[],
        metavar="NAME",
        help="watch only this repository, e.g. acme/users (repeatable; default: every repository the config repo uses)",
    )
    parser.add_argument("--insecure", action="append", default=[], metavar="HOST", help="registry host reached over plain http (repeatable; loopback always is)")
    parser.add_argument("--cache-dir", type=Path, help="where digests and creation times are kept between runs (default: <workdir>/registry-cache)")
    parser.add_argument("--workdir", type=Path, help="where the bare clone lives (default: ~/.cache/relman-bot/<hash of repo and branch>)")
    parser.add_argument("--author", default="relman bot <relman-bot@localhost>", help='commit author, "Name <email>"')
    parser.add_argument("--username", default=os.environ.get("REGISTRY_USERNAME"), help="registry user (password in $REGISTRY_PASSWORD; default: the Docker config)")
    parser.add_argument("--attempts", type=int, default=5, help="push attempts before giving up on a busy branch (default: 5)")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--once", action="store_true", help="run once and exit (the default)")
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run forever, this many seconds apart")
    parser.add_argument("--dry-run", action="store_true", help="plan and print, commit and push nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs")
    args = parser.parse_args(argv)
    if args.attempts < 1:
        parser.error("--attempts must be at least 1")
    args.registry_host = None
    if args.registry:
        if re.match(r"https?://", args.registry):
            url = urllib.parse.urlsplit(args.registry)
            args.registry_host = url.netloc
            if url.scheme == "http":
                args.insecure.append(url.netloc)
        else:
            args.registry_host = args.registry.rstrip("/")
    if Path(args.repo).exists():  # a local path: absolute, so that it means the same from the clone
        args.repo = str(Path(args.repo).resolve())
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(name)s[%(process)d] %(levelname)s %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    workdir = args.workdir or default_workdir(args.repo, args.branch)
    password = os.environ.get("REGISTRY_PASSWORD")
    registry = relman.Registry(
        credentials=(args.username, password or "") if args.username else "docker-config",
        cache_dir=args.cache_dir or workdir / "registry-cache",
        insecure=args.insecure,
    )
    repo = ConfigRepo(args.repo, workdir, args.branch)
    while True:
        try:
            run_once(args, registry, repo)
            failed = False
        except (RuntimeError, relman.RelmanError) as err:
            log.error("%s", err)
            failed = True
        if args.interval is None:
            return 1 if failed else 0
        time.sleep(args.interval)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
