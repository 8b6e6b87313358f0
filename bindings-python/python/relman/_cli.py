"""The ``relman`` command: the console script and ``python -m relman`` run the Rust command
linked into the native module (``relman._native.main``), the same code as
``cargo install --path cli``."""

from __future__ import annotations

import sys
from typing import NoReturn, Optional, Sequence

from ._native import main as _main


def main(argv: Optional[Sequence[str]] = None) -> NoReturn:
    """Run ``relman`` with ``argv`` (default: the process's arguments) and exit with its code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # The command writes to the process's file descriptors: let Python's buffers go first.
    sys.stdout.flush()
    sys.stderr.flush()
    raise SystemExit(_main(["relman", *args]))
