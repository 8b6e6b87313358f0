"""The wheel's `relman` command from a fresh install: a new virtualenv, the built wheel
installed into it (no index), then the console script and `python -m relman` run `--version`
and real commands on a config repo made here; and the wheel's platform tag (auditwheel)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import relman._native

ROOT = Path(__file__).resolve().parents[2]
WHEELS = ROOT / "target" / "python-wheels"


def built_wheel() -> Path:
    wheels = sorted(WHEELS.glob("relman-*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one wheel in {WHEELS} (make python-wheel builds it), found {wheels}")
    return wheels[0]


def run(args: List[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)}
    env.pop("NO_COLOR", None)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def config_repo(path: Path) -> Path:
    (path / "staging").mkdir(parents=True)
    (path / "relman.yaml").write_text("environments:\n  staging: {path: staging, release: automatic}\n")
    (path / "staging" / "users.yaml").write_text(
        "kind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: app\n          image: acme/users:1.3.0  # pinned\n"
    )
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Alice"], ["config", "user.email", "a@example.com"],
                 ["add", "."], ["commit", "-q", "-m", "init"]):
        assert run(["git", *args], path).returncode == 0
    return path


def test_the_native_main_is_the_command() -> None:
    assert relman._native.main(["relman", "--version"]) == 0
    assert relman._native.main(["relman", "--no-such-flag"]) == 2


def test_a_fresh_install_gives_the_relman_command(tmp_path: Path) -> None:
    wheel = built_wheel()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-index"]
    subprocess.run([*pip, str(wheel)], check=True)
    script = venv / "bin" / "relman"
    assert script.exists(), "the wheel installs the `relman` console script"

    out = run([str(script), "--version"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"relman {relman.__version__}"
    out = run([str(venv / "bin" / "python"), "-m", "relman", "--version"], tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"relman {relman.__version__}", out.stderr

    repo = config_repo(tmp_path / "config")
    out = run([str(script), "status", "--json"], repo)
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    assert status["environments"][0]["workloads"][0]["containers"][0]["image"] == "acme/users:1.3.0"
    out = run([str(venv / "bin" / "python"), "-m", "relman", "release", "--env", "staging", "--image", "acme/users:1.4.0", "--commit"], repo)
    assert out.returncode == 0, out.stderr
    assert "acme/users:1.4.0  # pinned" in (repo / "staging" / "users.yaml").read_text()
    out = run([str(script), "status", "--env", "nope"], repo)
    assert out.returncode == 1 and out.stderr.startswith("relman: error[unknown_environment]"), out.stderr


def test_the_wheel_is_manylinux2014() -> None:
    wheel = built_wheel()
    assert "manylinux_2_17_x86_64" in wheel.name or "manylinux2014_x86_64" in wheel.name, wheel.name
    out = subprocess.run([sys.executable, "-m", "auditwheel", "show", str(wheel)], capture_output=True, text=True, check=True)
    text = " ".join(out.stdout.split())
    assert 'is consistent with the following platform tag: "manylinux_2_17_x86_64"' in text, out.stdout
