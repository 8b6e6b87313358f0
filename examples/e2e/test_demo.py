"""`make demo` stays a working tour: examples/demo.py runs to the end and shows each step's
outcome (the plans, the reasons and the history), and leaves nothing behind."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

DEMO = Path(__file__).resolve().parents[1] / "demo.py"


def test_demo_walks_the_whole_story(git_env: Dict[str, str], tmp_path: Path) -> None:
    env = {**git_env, "TMPDIR": str(tmp_path)}
    page = tmp_path / "status.html"
    result = subprocess.run([sys.executable, str(DEMO), "--color", "never", "--html", str(page)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    steps = re.findall(r"^━━ (\d)\. ", out, re.M)
    assert steps == [str(n) for n in range(1, 10)]
    # 2. automation: both services to staging in one commit; production is manual.
    assert re.search(r"staging:deployment/users\s+app\s+acme/users:1\.3\.0\s+acme/users:1\.4\.0\s+success", out)
    assert "plan for staging (automated): Auto-release multiple (2) images" in out
    assert "why  environment_manual: environment production is released manually" in out
    # 3. the gate, then the promotion edits the overlay's kustomization only.
    assert "why  not_promoted: acme/orders:2.3.0 never ran in staging" in out
    assert re.search(r"-    newTag: 1\.3\.0\n  \+    newTag: 1\.4\.0", out)
    # 4. the freeze, with its reason.
    assert "why  environment_locked: environment production is locked by carol: Black Friday freeze" in out
    # 5. rollback and lock in one commit; 6. automation leaves it alone.
    assert "Relman-Cause: rollback" in out and "Relman-Lock: staging:deployment/users" in out
    assert '+    fluxcd.io/locked: "true"' in out
    assert "why  locked: locked by Bob Chen <bob@acme.example>: 1.4.0 leaks database connections" in out
    assert "plan for staging (automated): Auto-release acme/orders:2.2.1" in out
    # 7. the history, from git and as relman reads it.
    assert out.count("Relman-Environment:") >= 2 * 4
    # 8. an out-of-band kubectl set image: the live object, `relman drift` (exit 3), the adoption
    # commit, then drift again (in sync, exit 0).
    assert "    managedFields: [...]   # managers: kubectl-client-side-apply, kube-controller-manager, kubectl-set" in out
    assert re.search(r"production:deployment/users\s+app\s+acme/users:1\.4\.0\s+acme/users:1\.3\.0\s+drifted", out)
    assert re.search(r"production:deployment/orders\s+app\s+acme/orders:2\.1\.0\s+acme/orders:2\.1\.0\s+in_sync", out)
    assert "drift: 1 drifted, 1 in_sync\n  adopt what runs: relman release --env production --image observed --observed - --commit\n  (exit status 3)" in out
    assert "plan for production (adopted)" in out
    assert "    Adopt acme/users:1.3.0 running in production" in out
    assert "Relman-Cause: adopted" in out and "Relman-Lock: production:deployment/users" in out
    assert '-    newTag: 1.4.0\n  +    newTag: 1.3.0' in out
    assert "in sync: 2 in_sync\n  (exit status 0)" in out
    # 9. the command: the status matrix and the page's path.
    assert re.search(r"production\s+manual\s+promoteFrom staging", out)
    assert re.search(r"production:deployment/users\s+acme/users:1\.3\.0\s+manual\s+locked by Bob Chen <bob@acme\.example>: kubectl set image at 3 a\.m\.", out)
    assert re.search(r"staging:deployment/users\s+acme/users:1\.3\.0\s+automated\s+locked by Bob Chen", out)
    assert f"status page: {page}" in out
    assert '<table id="matrix">' in page.read_text()
    assert re.search(r"^demo finished in \d+\.\d s$", out, re.M)
    assert not list(tmp_path.glob("relman-demo-*")), "the demo left its repo behind"
