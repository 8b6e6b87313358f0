"""Fixtures of the end-to-end test: the tools it needs, a hermetic git environment, a local
registry and a config repo remote. `make e2e-test` installs the Debian tools first."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Iterator, Mapping

import pytest

from registry import LocalRegistry

TOOLS = ("git", "docker-registry", "skopeo", "htpasswd", "openssl")


@pytest.fixture(scope="session", autouse=True)
def tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        # A failure, not a skip: CI must not pass without having run the test.
        pytest.fail(
            f"the end-to-end test needs {', '.join(missing)} on PATH: run `make e2e-test`, which installs the "
            "Debian packages docker-registry, skopeo, apache2-utils and openssl with apt-get, or install them yourself",
            pytrace=False,
        )


@pytest.fixture()
def git_env(tmp_path: Path) -> Dict[str, str]:
    """The environment of every git (and bot) process: no user or system git config."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
    }


class Git:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)

    def __call__(self, cwd: Path, *args: str) -> str:
        result = subprocess.run(
            ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", "-c", "init.defaultBranch=main", *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
        return result.stdout


@pytest.fixture()
def git(git_env: Dict[str, str]) -> Git:
    return Git(git_env)


@pytest.fixture()
def registry(tmp_path: Path) -> Iterator[LocalRegistry]:
    with LocalRegistry(tmp_path / "registry") as running:
        yield running
