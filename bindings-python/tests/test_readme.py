"""The ```python examples of the root README.md, run in order in one namespace (as a reader
would run them), in a temporary folder. The git example reads ``config-repo.git``: a bare
repository holding the files of the snapshot the examples built before it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> List[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def make_bare_repo(root: Path, files: Dict[str, str]) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root), "GIT_CONFIG_GLOBAL": os.devnull}
    work = root / "checkout"
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_bytes(text.encode())

    def git(cwd: Path, *args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", *args],
            cwd=cwd,
            env=env,
            check=True,
            capture_output=True,
        )

    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "initial")
    git(root, "clone", "-q", "--bare", str(work), str(root / "config-repo.git"))


def test_readme_has_python_examples() -> None:
    assert len(python_blocks()) >= 3, f"no ```python examples in {README}"


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: Dict[str, Any] = {"__name__": "readme"}
    for number, block in enumerate(python_blocks(), 1):
        if "config-repo.git" in block and "Repository.open" in block:
            if shutil.which("git") is None:
                pytest.skip("the git example needs the git command")
            make_bare_repo(tmp_path, namespace["snapshot"].files)
        code = compile(block, f"README.md python block {number}", "exec")
        exec(code, namespace)
