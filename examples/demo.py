#!/usr/bin/env python3
"""relman demo: a release manager's week on a throwaway config repo (`make demo` runs this).

It creates a config repo (a bare repository, as a release bot keeps, plus a work clone, as a
person keeps) with two services, `users` and `orders`, in two environments:

- staging: plain manifests in envs/staging/, released automatically (continuous delivery);
- production: a kustomize overlay (envs/production/) over base/, released manually, and only
  with images that ran in staging (`promoteFrom: staging`).

Then it walks the story: CI publishes tags and automation releases them to staging in one
commit; a person promotes to production; a freeze blocks a release, with its reason; a
rollback moves a pointer back and locks it, and the next automation run leaves it alone; an
out-of-band `kubectl set image` in production is caught by `relman drift` and adopted into the
repo. Each step prints the plan relman made, the commit (`git show`), and at the end `git log` with the
`Relman-*` trailers that are the release history. With kubectl on PATH, it also prints what
`kubectl kustomize` renders for production before and after.

Only relman (the Python binding), git and the standard library are used.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import relman

BOT = "relman bot <bot@acme.example>"
ALICE = "Alice Martin <alice@acme.example>"  # release manager
BOB = "Bob Chen <bob@acme.example>"  # on call
CAROL = "Carol Diaz <carol@acme.example>"  # SRE lead

RELMAN_YAML = """\
# Release policy of the acme config repo (read by relman).
versions: default
environments:
  staging:
    path: envs/staging        # plain manifests
    release: automatic        # continuous delivery: every new allowed tag ships
  production:
    path: envs/production     # a kustomize overlay over base/
    release: manual           # only explicit releases
    promoteFrom: staging      # gate: only images that staging runs or has run
services:
  users:
    workloads: [deployment/users]
    filter: semver:^1         # 2.x is a breaking change: never automatic
  orders:
    workloads: [deployment/orders]
    filter: semver:^2
"""


def deployment(name: str, port: int, image_line: str, namespace: Optional[str] = None, comment: str = "") -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return (
        f"{comment}apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        f"  name: {name}\n"
        f"{ns}"
        "  labels:\n"
        f"    app.kubernetes.io/name: {name}\n"
        "spec:\n"
        "  replicas: 2\n"
        "  selector:\n"
        f"    matchLabels: {{app.kubernetes.io/name: {name}}}\n"
        "  template:\n"
        "    metadata:\n"
        f"      labels: {{app.kubernetes.io/name: {name}}}\n"
        "    spec:\n"
        "      containers:\n"
        "        - name: app\n"
        f"          {image_line}\n"
        "          ports:\n"
        f"            - containerPort: {port}   # http\n"
        "          resources:\n"
        '            requests: {cpu: "100m", memory: 128Mi}\n'
    )


FILES: Dict[str, str] = {
    "relman.yaml": RELMAN_YAML,
    "envs/staging/users.yaml": deployment("users", 8080, 'image: "acme/users:1.3.0"   # quotes and comments survive', "staging"),
    "envs/staging/orders.yaml": deployment("orders", 8081, "image: acme/orders:2.1.0", "staging"),
    "base/kustomization.yaml": "resources:\n  - users.yaml\n  - orders.yaml\n",
    "base/users.yaml": deployment("users", 8080, "image: acme/users   # the tag is set per overlay", comment="# Shape of the users service; overlays set namespace and image tag.\n"),
    "base/orders.yaml": deployment("orders", 8081, "image: acme/orders", comment="# Shape of the orders service; overlays set namespace and image tag.\n"),
    "envs/production/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "namespace: production\n"
        "resources:\n"
        "  - ../../base\n"
        "images:\n"
        "  - name: acme/users\n"
        "    newTag: 1.3.0\n"
        "  - name: acme/orders\n"
        "    newTag: 2.1.0\n"
    ),
}


class Terminal:
    def __init__(self, color: bool) -> None:
        self.color = color

    def style(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def step(self, number: int, title: str, story: str) -> None:
        print()
        print(self.style(f"━━ {number}. {title} " + "━" * max(0, 72 - len(title)), "1;36"))
        for line in textwrap.wrap(textwrap.dedent(story).strip(), 96):
            print(line)
        print()

    def heading(self, text: str) -> None:
        print(self.style(f"▸ {text}", "1"))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]
        print("  " + "  ".join(self.style(h.ljust(w), "4") if self.color else h.ljust(w) for h, w in zip(headers, widths)).rstrip())
        if not self.color:
            print("  " + "  ".join("-" * w for w in widths))
        for row in rows:
            cells = []
            for value, width in zip(row, widths):
                cell = str(value).ljust(width)
                if value == "success":
                    cell = self.style(cell, "32")
                elif value in ("skipped", "failed"):
                    cell = self.style(cell, "33" if value == "skipped" else "31")
                cells.append(cell)
            print("  " + "  ".join(cells).rstrip())
        print()

    def block(self, text: str, indent: str = "  ") -> None:
        for line in text.rstrip("\n").splitlines():
            print(indent + line)
        print()


class Demo:
    def __init__(self, root: Path, term: Terminal, html: Path) -> None:
        self.root = root
        self.term = term
        self.html = html  # the status page step 9 writes
        self.bare = root / "config.git"  # where relman commits (a bare clone, like a bot's)
        self.work = root / "work"  # a person's clone
        self.env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
        }
        self.now = datetime.now(timezone.utc).replace(microsecond=0)
        self.catalog = relman.Catalog()
        self.published: List[List[str]] = []
        self.kubectl = shutil.which("kubectl")

    # git, as a person or a bot would run it

    def git(self, *args: str, cwd: Optional[Path] = None, person: Optional[str] = None) -> str:
        ident: List[str] = []
        if person:
            name, email = re.match(r"(.*) <(.*)>", person).groups()  # type: ignore[union-attr]
            ident = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
        color = ["-c", f"color.ui={'always' if self.term.color else 'never'}"]
        result = subprocess.run(
            ["git", *ident, *color, *args], cwd=cwd or self.root, env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def show(self, commit: str) -> None:
        self.term.heading(f"git show {commit[:12]}")
        self.term.block(self.git("--git-dir", str(self.bare), "show", "--format=fuller", commit))

    def pull(self) -> None:
        self.git("pull", "--quiet", "--ff-only", "origin", "main", cwd=self.work)

    # relman

    @property
    def repo(self) -> relman.Repository:
        return relman.Repository.open(self.bare)

    def snapshot(self) -> relman.Snapshot:
        """The YAML files of `main`, read from git objects (no checkout), at its head commit.

        `Repository.snapshot("main")` is the one-call way, but it reads relman.yaml and the
        environment paths only, so production's `../../base` is missing from it and planning
        fails with invalid_path. Until it follows kustomize resources, the demo reads every
        YAML file of the tree itself (one `git cat-file --batch`) into `Snapshot.from_files`.
        """
        head = self.repo.branch_head("main")
        listing = self.git("--git-dir", str(self.bare), "ls-tree", "-r", "-z", "--name-only", head)
        paths = [p for p in listing.split("\0") if p.endswith((".yaml", ".yml")) or p.rsplit("/", 1)[-1] == "Kustomization"]
        batch = subprocess.run(
            ["git", "--git-dir", str(self.bare), "cat-file", "--batch"],
            input="".join(f"{head}:{p}\n" for p in paths).encode(),
            capture_output=True,
            env=self.env,
            check=True,
        ).stdout
        files, offset = {}, 0
        for path in paths:
            header_end = batch.index(b"\n", offset)
            size = int(batch[offset:header_end].split()[2])
            files[path] = batch[header_end + 1 : header_end + 1 + size].decode()
            offset = header_end + 1 + size + 1  # the object, then a newline
        return relman.Snapshot.from_files(files).with_revision(head)

    def history(self) -> relman.History:
        return self.repo.history("main")

    def publish(self, repository: str, tag: str, minutes_ago: int) -> None:
        created = self.now - timedelta(minutes=minutes_ago)
        self.catalog.add(repository, tag, created=created)
        self.published.append([repository, tag, created.isoformat().replace("+00:00", "Z")])

    def plan_release(
        self, snapshot: relman.Snapshot, environment: str, services: List[str], image: str, user: str, message: Optional[str] = None
    ) -> relman.ReleasePlan:
        """A manual release, promotion or rollback, planned on `snapshot` with the catalog and
        the release history."""
        return relman.plan_release(
            snapshot,
            environment=environment,
            services=services,
            image=image,
            user=user,
            message=message,
            catalog=self.catalog,
            history=self.history(),
            now=self.now,
        )

    def print_plan(self, plan: relman.ReleasePlan) -> None:
        self.term.heading(f"plan for {plan.environment} ({plan.kind}): {plan.commit_message.splitlines()[0]}")
        rows: List[Sequence[str]] = []
        notes: Dict[str, str] = {}
        for result in plan.results:
            for update in result.updates:
                rows.append([result.workload, update.container, update.from_, update.to, result.status, result.reason or ""])
            for skip in result.skipped:
                rows.append([result.workload, skip.container, "", "", result.status, skip.reason])
                notes.setdefault(f"{skip.reason}: {skip.message}", "")
            if not result.updates and not result.skipped:
                rows.append([result.workload, "*", "", "", result.status, result.reason or ""])
            if result.status != "success" and not result.skipped:
                notes.setdefault(f"{result.reason}: {result.message}", "")
        self.term.table(["WORKLOAD", "CONTAINER", "FROM", "TO", "STATUS", "REASON"], rows)
        for note in notes:
            print(f"  {self.term.style('why', '2')}  {note}")
        for warning in plan.warnings:
            print(f"  warning  {warning}")
        if notes or plan.warnings:
            print()

    def commit(self, plan: relman.ReleasePlan, snapshot: relman.Snapshot, author: str) -> str:
        assert snapshot.revision is not None and not plan.is_noop
        commit = self.repo.commit(plan, branch="main", expected_head=snapshot.revision, author=author)
        self.show(commit)
        return commit

    def relman_command(self, *args: str, stdin: Optional[str] = None, codes: Sequence[int] = (0,)) -> str:
        """Run the `relman` command (the wheel's, `python -m relman`) on the bare repository, as a
        CI job would; show the command line and return what it printed."""
        shown = ["relman", "--repo", self.bare.name, *args]
        self.term.heading(shlex.join(shown) + (" < live.yaml" if stdin is not None else ""))
        command = [sys.executable, "-m", "relman", "--repo", str(self.bare), "--color", "always" if self.term.color else "never", *args]
        sys.stdout.flush()
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, env={**os.environ, "RELMAN_NO_PROGRESS": "1"})
        if result.returncode not in codes:
            raise SystemExit(f"relman {args[0]} exited with {result.returncode}: {result.stderr.strip()}")
        self.term.block(result.stdout + f"(exit status {result.returncode})\n")
        return result.stdout

    def pointers(self) -> None:
        """Where the release pointers live: the image lines of every file, as git holds them."""
        snapshot = self.snapshot()
        rows = []
        for path in sorted(snapshot.files):
            text = snapshot.get(path) or ""
            images_block = False
            for number, line in enumerate(text.splitlines(), 1):
                if path.endswith("kustomization.yaml"):
                    if re.match(r"^\S", line):
                        images_block = line.startswith("images:")
                    if images_block and re.match(r"^\s+-?\s*(name|newName|newTag|digest):", line):
                        rows.append([f"{path}:{number}", line.strip()])
                elif re.match(r"^\s*-?\s*image:", line):
                    rows.append([f"{path}:{number}", line.strip()])
        self.term.table(["FILE:LINE", "POINTER"], rows)

    def render_production(self) -> Optional[str]:
        if not self.kubectl:
            return None
        self.pull()
        result = subprocess.run(
            [self.kubectl, "kustomize", str(self.work / "envs" / "production")], capture_output=True, text=True
        )
        if result.returncode != 0:
            return f"(kubectl kustomize failed: {result.stderr.strip()})\n"
        return result.stdout

    # the story

    def setup(self) -> None:
        for path, text in FILES.items():
            (self.work / path).parent.mkdir(parents=True, exist_ok=True)
            (self.work / path).write_text(text)
        self.git("init", "--quiet", "--bare", "--initial-branch=main", str(self.bare))
        self.git("init", "--quiet", "--initial-branch=main", str(self.work))
        self.git("add", ".", cwd=self.work)
        self.git("commit", "--quiet", "-m", "Config repo: users and orders in staging and production", cwd=self.work, person=ALICE)
        self.git("remote", "add", "origin", str(self.bare), cwd=self.work)
        self.git("push", "--quiet", "origin", "main", cwd=self.work)

    def run(self) -> None:
        t = self.term
        started = time.monotonic()
        self.setup()

        t.step(
            1,
            "Initial state",
            f"""A config repo in {self.root}: config.git is the shared repository (relman writes
            to it without a checkout, like a release bot's bare clone), work/ is a person's clone.
            Both environments run users 1.3.0 and orders 2.1.0. relman.yaml is the release policy:""",
        )
        t.block(RELMAN_YAML)
        t.heading("files")
        t.block("\n".join(sorted(FILES)))
        t.heading("the release pointers: values in the YAML, nothing else")
        self.pointers()
        before = self.render_production()
        if before is not None:
            t.heading("kubectl kustomize envs/production (before)")
            t.block(before)

        t.step(
            2,
            "CI publishes new tags; automation releases them to staging",
            """CI pushed images to the registry. The tooling lists them (here the demo builds the
            catalog; examples/release_bot.py asks a real registry) and relman plans automation:
            each automatic environment moves to the newest tag its filter allows, in one commit.
            users 2.0.0 is outside semver:^1, so staging takes 1.4.0; production is manual.""",
        )
        self.publish("acme/users", "1.3.0", 60 * 24 * 7)
        self.publish("acme/orders", "2.1.0", 60 * 24 * 6)
        self.publish("acme/users", "1.4.0", 50)
        self.publish("acme/users", "2.0.0", 40)
        self.publish("acme/orders", "2.2.0", 30)
        t.heading("catalog (what the registry offers)")
        t.table(["REPOSITORY", "TAG", "CREATED"], self.published)
        snapshot = self.snapshot()
        plans = relman.plan_automation(snapshot, catalog=self.catalog, history=self.history(), now=self.now)
        for plan in plans:
            self.print_plan(plan)
        [staging] = [p for p in plans if not p.is_noop]
        self.commit(staging, snapshot, BOT)

        t.step(
            3,
            "Alice promotes users to production",
            """A manual release: image `promote` copies staging's pointer. Production is a kustomize
            overlay, so relman edits the newTag of its own kustomization and leaves base/ alone.
            The promotion gate refuses an image staging never ran.""",
        )
        snapshot = self.snapshot()
        gate = self.plan_release(snapshot, "production", ["orders"], "acme/orders:2.3.0", ALICE)
        t.heading("first, an image staging never ran: acme/orders:2.3.0")
        self.print_plan(gate)
        plan = self.plan_release(snapshot, "production", ["users"], "promote", ALICE, "users 1.4.0 passed the staging soak test")
        self.print_plan(plan)
        self.commit(plan, snapshot, ALICE)

        t.step(
            4,
            "A freeze blocks a release",
            """Carol freezes production for the Black Friday weekend: the lock is a few lines in
            relman.yaml, written by relman.lock_environment (only those lines change) and committed
            with plain git from her clone. Bob then tries to promote orders: relman says no, and why.""",
        )
        self.pull()
        config = self.work / "relman.yaml"
        until = (self.now + timedelta(days=4)).replace(hour=9, minute=0, second=0)
        config.write_text(relman.lock_environment(config.read_text(), "production", reason="Black Friday freeze", by="carol", until=until))
        self.git("commit", "--quiet", "-am", "Freeze production for Black Friday", cwd=self.work, person=CAROL)
        self.git("push", "--quiet", "origin", "main", cwd=self.work)
        self.show(self.git("rev-parse", "HEAD", cwd=self.work).strip())
        snapshot = self.snapshot()
        blocked = self.plan_release(snapshot, "production", ["orders"], "promote", BOB)
        self.print_plan(blocked)
        print(f"  nothing to commit: is_noop = {blocked.is_noop}\n")

        t.step(
            5,
            "Bob rolls users back in staging, and the rollback locks it",
            """users 1.4.0 leaks connections in staging. Image `rollback` moves the pointer back to
            the one before it, read from the release history (the commit trailers); a rollback
            locks the workload in the same commit, so automation cannot undo it.""",
        )
        snapshot = self.snapshot()
        plan = self.plan_release(snapshot, "staging", ["users"], "rollback", BOB, "1.4.0 leaks database connections")
        self.print_plan(plan)
        self.commit(plan, snapshot, BOB)

        t.step(
            6,
            "CI publishes again; automation leaves the locked workload alone",
            """users 1.4.1 and orders 2.2.1 arrive. Automation releases orders; users stays on
            1.3.0, locked with Bob's reason, until someone unlocks it.""",
        )
        self.publish("acme/users", "1.4.1", 10)
        self.publish("acme/orders", "2.2.1", 5)
        t.heading("catalog")
        t.table(["REPOSITORY", "TAG", "CREATED"], self.published[-2:])
        snapshot = self.snapshot()
        plans = relman.plan_automation(snapshot, catalog=self.catalog, history=self.history(), now=self.now)
        for plan in plans:
            self.print_plan(plan)
        [staging] = [p for p in plans if not p.is_noop]
        self.commit(staging, snapshot, BOT)

        t.step(
            7,
            "The history",
            """Every release commit ends with Relman-* trailers. Repository.history reads what
            the branch held from the trees (every pointer that moved, hand edits included) and
            lets a commit's trailers annotate only the moves that commit really made: rollbacks
            and the promotion gate read that history, so a forged trailer creates no release.""",
        )
        t.heading("git log --format='%h %an%n  %s%n%(trailers:only,unfold)'")
        log = self.git("--git-dir", str(self.bare), "log", "--format=%h %an%n  %s%n%(trailers:only,unfold)", "main")
        t.block(re.sub(r"\n(Relman-)", r"\n  \1", log))
        t.heading("Repository.history('main'): the pointer moves read from the trees")
        rows = []
        for move in self.history().moves:
            if move.from_ is None:
                continue  # the slots the first commit added
            user = move.user.split(" <")[0] if move.user else "-"
            rows.append([move.environment, move.cause, user, move.workload, move.from_, move.to or "-"])
        t.table(["ENVIRONMENT", "CAUSE", "USER", "WORKLOAD", "FROM", "TO"], rows)
        t.heading("the release pointers now")
        self.pointers()
        after = self.render_production()
        if before is not None and after is not None:
            t.heading("kubectl kustomize envs/production: before -> after")
            diff = difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=2)
            t.block("\n".join(diff) or "(no difference)")
        elif not self.kubectl:
            print("(kubectl is not on PATH: the kustomize renders of production are skipped)\n")

        t.step(
            8,
            "3 a.m.: kubectl set image in production; relman drift catches it; Bob adopts it",
            """users 1.4.0 leaks connections in production too. Bob, on call, rolls it back out of
            band with `kubectl set image`, and goes back to sleep: the repo still says 1.4.0, and the
            next sync would put the leak back. relman never talks to the cluster: a CI job runs
            `kubectl get deployments -n production -o yaml` and `relman drift` compares what it
            printed with what the repo renders (the kustomize overlay included). Exit status 3 says
            drift, so the job alerts. Bob adopts what runs: image `observed` writes the running image
            into the overlay, cause `adopted`, and locks users so automation leaves it (forced past
            the freeze: an adoption changes nothing in the cluster). Python:
            relman.drift(snapshot, environment="production", observed=text) and
            relman.plan_release(..., image="observed", observed=text).""",
        )
        live = (Path(__file__).resolve().parent / "drift" / "production-after-set-image.yaml").read_text()
        t.heading("kubectl set image deployment/users app=acme/users:1.3.0 -n production")
        print("  deployment.apps/users image updated\n")
        t.heading("kubectl get deployments -n production -o yaml > live.yaml   (the users object, abridged)")
        t.block(abridged_live_object(live, "users"))
        self.relman_command("drift", "--env", "production", "--observed", "-", stdin=live, codes=(3,))
        self.relman_command(
            "release", "--env", "production", "--image", "observed", "--observed", "-", "--service", "users",
            "--force", "--override-environment-lock", "--user", BOB, "--commit",
            "-m", "kubectl set image at 3 a.m.: 1.4.0 leaks in production too", stdin=live,
        )
        self.show(self.repo.branch_head("main"))
        self.relman_command("drift", "--env", "production", "--observed", "-", stdin=live)

        t.step(
            9,
            "The relman command",
            """The same library as a command for CI jobs and people (installed by the wheel, the npm
            package and `cargo install --path cli`): `relman status` shows what runs where, who locked
            what and why, and what is waiting for promotion; `--html` writes the same as one
            self-contained page, with a release timeline per environment.""",
        )
        t.heading(f"relman --repo {self.bare.name} status --html {self.html}")
        self.html.parent.mkdir(parents=True, exist_ok=True)
        sys.stdout.flush()
        command = [sys.executable, "-m", "relman", "--repo", str(self.bare), "--color", "always" if t.color else "never",
                   "status", "--html", str(self.html)]
        result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "RELMAN_NO_PROGRESS": "1"})
        if result.returncode != 0:
            raise SystemExit(f"relman status failed: {result.stderr.strip()}")
        t.block(result.stdout)
        print()
        print(f"demo finished in {time.monotonic() - started:.1f} s")


def abridged_live_object(live: str, name: str) -> str:
    """The item `name` of a `kubectl get -o yaml` List, without its managedFields body and its
    status (shown as one line each): what `kubectl set image` left in the live object."""
    items = re.split(r"^(?=- apiVersion:)", live.split("\nitems:\n", 1)[1], flags=re.M)
    [item] = [i for i in items if re.search(rf"^    name: {re.escape(name)}$", i, re.M)]
    out: List[str] = []
    skipping = False
    for line in item.splitlines():
        if line.startswith("kind: List"):
            break
        if skipping and (line.startswith("      ") or line.startswith("    - ")):
            continue
        skipping = False
        if line == "    managedFields:":
            managers = re.findall(r"^      manager: (\S+)", item, re.M)
            out.append(f"    managedFields: [...]   # managers: {', '.join(managers)}")
            skipping = True
        elif line == "  status:":
            out.append("  status: {...}")
            break
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="relman's guided tour on a throwaway config repo")
    parser.add_argument("--keep", action="store_true", help="keep the config repo and print where it is")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--html", type=Path, default=Path(__file__).resolve().parents[1] / "target" / "relman-demo-status.html",
                        help="where step 9 writes the status page (default: target/relman-demo-status.html)")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")  # a non-UTF-8 terminal gets '?' for the rules
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    root = Path(tempfile.mkdtemp(prefix="relman-demo-"))
    try:
        Demo(root, Terminal(color), args.html.resolve()).run()
    except BrokenPipeError:  # `make demo | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        if args.keep:
            print(f"the config repo is kept in {root} (config.git, work/)")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
