#!/usr/bin/env python3
"""relman release bot: continuous delivery from a container registry into a config repo.

Each run
  1. lists what the registry offers through the Docker Registry HTTP API v2: the repositories
     (``/v2/_catalog``, or the ones given with ``--repository``), their tags
     (``/v2/<name>/tags/list``), each tag's digest (the ``Docker-Content-Digest`` of its
     manifest) and creation time (``created`` in the image config blob);
  2. fetches the config repo into a bare clone (``--workdir``) and plans automation with
     relman: every ``automatic`` environment moves to the newest image its policies allow;
  3. commits each environment's plan with compare-and-swap (``Repository.commit``) and pushes
     with ``git push`` (never forced: the remote accepts it only on top of what was fetched);
  4. when another writer pushed first, fetches, plans again on the new head and retries
     (``--attempts`` times).

Only the standard library and relman are needed::

    python examples/release_bot.py --registry http://127.0.0.1:5000 \\
        --repo git@example.com:acme/config.git --branch main --once

Registry credentials: ``--username`` with the password in ``$REGISTRY_PASSWORD`` (Basic, or
exchanged for a Bearer token when the registry asks for one, as Docker Hub, GHCR, Harbor and
distribution's token auth do). Git credentials are whatever your ``git`` is configured with.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import relman

log = logging.getLogger("relman-bot")

# Manifest media types the bot accepts: a single-platform image (OCI, Docker v2) or an index
# of them (OCI index, Docker manifest list). Schema 1 manifests are not asked for.
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST)
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)


class RegistryError(RuntimeError):
    pass


class PushRejected(RuntimeError):
    pass


@dataclass(frozen=True)
class TagInfo:
    tag: str
    digest: Optional[str]
    created: Optional[str]


class Registry:
    """A small Docker Registry HTTP API v2 client (read-only), thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        username: Optional[str] = None,
        password: Optional[str] = None,
        platform: str = "linux/amd64",
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.platform = platform
        self.timeout = timeout
        # Blob downloads may be redirected to object storage with a signed URL: credentials are
        # added with add_unredirected_header, so urllib does not send them there.
        self._opener = urllib.request.build_opener()
        self._tokens: Dict[str, str] = {}  # scope -> bearer token
        self._created: Dict[str, Optional[str]] = {}  # manifest digest -> created (immutable)
        self._lock = threading.Lock()
        self.requests = 0

    @property
    def host(self) -> str:
        """The registry as image references name it: `127.0.0.1:5000`, `docker.io`."""
        netloc = urllib.parse.urlsplit(self.url).netloc
        return "docker.io" if netloc in ("registry-1.docker.io", "index.docker.io") else netloc

    # HTTP with the registry's two auth schemes

    def _basic(self) -> Optional[str]:
        if self.username is None:
            return None
        raw = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def _token(self, challenge: str, scope: str) -> str:
        params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        realm = params.pop("realm", None)
        if not realm:
            raise RegistryError(f"cannot authenticate: the challenge names no realm: {challenge}")
        query = {"service": params.get("service", "")}
        if params.get("scope") or scope:
            query["scope"] = params.get("scope") or scope
        request = urllib.request.Request(realm + "?" + urllib.parse.urlencode(query))
        basic = self._basic()
        if basic:
            request.add_unredirected_header("Authorization", basic)
        with self._opener.open(request, timeout=self.timeout) as response:
            body = json.load(response)
        token = body.get("token") or body.get("access_token")
        if not token:
            raise RegistryError(f"the token service {realm} returned no token")
        return str(token)

    def _open(self, method: str, url: str, *, accept: Sequence[str] = (), scope: str = "") -> Tuple[Dict[str, str], bytes]:
        if not url.startswith("http"):
            url = self.url + url
        for attempt in (1, 2):
            request = urllib.request.Request(url, method=method)
            if accept:
                request.add_header("Accept", ", ".join(accept))
            token = self._tokens.get(scope)
            auth = f"Bearer {token}" if token else self._basic()
            if auth:
                request.add_unredirected_header("Authorization", auth)
            with self._lock:
                self.requests += 1
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    return {k.lower(): v for k, v in response.headers.items()}, response.read()
            except urllib.error.HTTPError as err:
                challenge = err.headers.get("WWW-Authenticate", "")
                if err.code == 401 and attempt == 1 and challenge.lower().startswith("bearer"):
                    self._tokens[scope] = self._token(challenge, scope)
                    continue
                detail = err.read(500).decode(errors="replace").strip()
                raise RegistryError(f"{method} {url}: HTTP {err.code} {err.reason} {detail}".rstrip()) from None
            except (urllib.error.URLError, OSError) as err:
                raise RegistryError(f"{method} {url}: {getattr(err, 'reason', err)}") from None
        raise RegistryError(f"{method} {url}: not authorised")

    def _paged(self, path: str, key: str, scope: str) -> Iterator[str]:
        url: Optional[str] = path
        while url:
            headers, body = self._open("GET", url, scope=scope)
            yield from json.loads(body or b"{}").get(key) or []
            match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', headers.get("link", ""))
            url = urllib.parse.urljoin(self.url + "/", match.group(1)) if match else None

    # the API

    def repositories(self) -> List[str]:
        """Every repository of `/v2/_catalog` (paginated)."""
        return sorted(self._paged("/v2/_catalog?n=1000", "repositories", "registry:catalog:*"))

    def tags(self, repository: str) -> List[str]:
        return sorted(self._paged(f"/v2/{repository}/tags/list?n=1000", "tags", f"repository:{repository}:pull"))

    def tag_info(self, repository: str, tag: str) -> TagInfo:
        """The digest of `repository:tag` (what a pinned reference carries) and the creation
        time of its image config; a config is fetched once per manifest digest."""
        scope = f"repository:{repository}:pull"
        path = f"/v2/{repository}/manifests/{urllib.parse.quote(tag, safe='')}"
        if self._created:  # a HEAD is enough when the manifest was seen before (tags move, digests do not)
            headers, _ = self._open("HEAD", path, accept=MANIFEST_TYPES, scope=scope)
            digest = headers.get("docker-content-digest")
            if digest and digest in self._created:
                return TagInfo(tag, digest, self._created[digest])
        headers, body = self._open("GET", path, accept=MANIFEST_TYPES, scope=scope)
        digest = headers.get("docker-content-digest") or "sha256:" + hashlib.sha256(body).hexdigest()
        created = self._created_of(repository, json.loads(body), headers.get("content-type", ""), scope)
        self._created[digest] = created
        return TagInfo(tag, digest, created)

    def _created_of(self, repository: str, manifest: Dict[str, Any], content_type: str, scope: str) -> Optional[str]:
        media_type = manifest.get("mediaType") or content_type.split(";")[0].strip()
        if media_type in INDEX_TYPES or "manifests" in manifest:
            children = manifest.get("manifests") or []
            if not children:
                return None
            os_name, _, arch = self.platform.partition("/")
            chosen = next(
                (m for m in children if (m.get("platform") or {}).get("os") == os_name and (m.get("platform") or {}).get("architecture") == arch),
                children[0],
            )
            _, body = self._open("GET", f"/v2/{repository}/manifests/{chosen['digest']}", accept=MANIFEST_TYPES, scope=scope)
            return self._created_of(repository, json.loads(body), "", scope)
        config = manifest.get("config") or {}
        if not config.get("digest"):
            return None
        _, body = self._open("GET", f"/v2/{repository}/blobs/{config['digest']}", scope=scope)
        created = json.loads(body).get("created")
        return created if isinstance(created, str) and created else None


def build_catalog(registry: Registry, repositories: Sequence[str], image_prefix: str, workers: int = 8) -> relman.Catalog:
    """Ask the registry for every tag of `repositories` and return relman's catalog, keyed by
    the repository as the manifests name it (`<image_prefix>/<repository>`)."""
    names = list(repositories) or registry.repositories()
    started, before = time.monotonic(), registry.requests
    jobs: List[Tuple[str, str]] = []
    for name in names:
        tags = registry.tags(name)
        log.debug("%s: %d tags", name, len(tags))
        jobs.extend((name, tag) for tag in tags)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        infos = list(pool.map(lambda job: (job[0], registry.tag_info(*job)), jobs))
    catalog = relman.Catalog()
    for name, info in infos:
        repository = f"{image_prefix}/{name}" if image_prefix else name
        try:
            catalog.add(repository, info.tag, digest=info.digest, created=info.created)
        except relman.InvalidCatalog as err:  # a tag or time relman cannot use: list it without
            log.warning("%s:%s left out of the catalog: %s", repository, info.tag, err)
    log.info(
        "registry %s: %d repositories, %d tags (%d requests, %.1f s)",
        registry.url,
        len(names),
        len(jobs),
        registry.requests - before,
        time.monotonic() - started,
    )
    return catalog


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


def run_once(args: argparse.Namespace, registry: Registry, repo: ConfigRepo) -> int:
    """One run: catalog, then fetch-plan-commit-push until the push lands. Returns the number
    of commits pushed."""
    catalog = build_catalog(registry, args.repository, args.image_prefix)
    for attempt in range(1, args.attempts + 1):
        head = repo.fetch()
        log.info("%s %s at %s", repo.remote, repo.branch, head[:12])
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
    parser.add_argument("--registry", required=True, help="registry base URL, e.g. http://127.0.0.1:5000 or https://registry.example.com")
    parser.add_argument("--repo", required=True, help="config repo: a git URL or path (the bot keeps a bare clone in --workdir)")
    parser.add_argument("--branch", default="main", help="branch of the config repo (default: main)")
    parser.add_argument(
        "--repository",
        action="append",
        default=[],
        metavar="NAME",
        help="registry repository to watch, e.g. acme/users (repeatable; default: every repository of /v2/_catalog)",
    )
    parser.add_argument(
        "--image-prefix",
        help="how manifests name the registry in image references (default: the registry URL's host[:port])",
    )
    parser.add_argument("--workdir", type=Path, help="where the bare clone lives (default: ~/.cache/relman-bot/<hash of repo and branch>)")
    parser.add_argument("--author", default="relman bot <relman-bot@localhost>", help='commit author, "Name <email>"')
    parser.add_argument("--username", default=os.environ.get("REGISTRY_USERNAME"), help="registry user (password in $REGISTRY_PASSWORD)")
    parser.add_argument("--platform", default="linux/amd64", help="platform whose creation time a multi-platform index gets (default: linux/amd64)")
    parser.add_argument("--attempts", type=int, default=5, help="push attempts before giving up on a busy branch (default: 5)")
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--once", action="store_true", help="run once and exit (the default)")
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run forever, this many seconds apart")
    parser.add_argument("--dry-run", action="store_true", help="plan and print, commit and push nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs")
    args = parser.parse_args(argv)
    if args.attempts < 1:
        parser.error("--attempts must be at least 1")
    if not re.match(r"https?://[^/]+", args.registry):
        parser.error("--registry must be an http:// or https:// URL")
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
    registry = Registry(args.registry, username=args.username, password=os.environ.get("REGISTRY_PASSWORD"), platform=args.platform)
    if args.image_prefix is None:
        args.image_prefix = registry.host
    workdir = args.workdir or default_workdir(args.repo, args.branch)
    repo = ConfigRepo(args.repo, workdir, args.branch)
    while True:
        try:
            run_once(args, registry, repo)
            failed = False
        except (RegistryError, RuntimeError, relman.RelmanError) as err:
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
