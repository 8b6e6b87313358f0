"""The streams the listing comparison measures (issue 16; DESIGN.md section 15: the listing target
holds "on any stream built from the corpus", not only on the benchmark's own).

Each stream is about 10 MB of corpus files joined into one multi-document YAML text, built at
run time from ``../shared/corpus`` (``RELMAN_CORPUS``), never stored in the project:

- ``bench``: the criterion ``list`` benchmark's own bytes (``relman_benches::corpus_stream``,
  written by the example ``corpus_stream``): the files in path order, three copies, each later
  copy's ``name:`` values prefixed ``r<copy>-``;
- ``unique``: every copy of every file with its own names (``c<copy>f<file>-`` before every
  ``name:`` value, the first copy too), so that no file is left out because it defines a
  workload another file defines;
- ``shuffled``: the files in a different order in each copy (``random.Random(16)``, seeded: the
  same bytes on every run), names as in ``bench``;
- ``large``: only the files over 4 KB (fewer, longer documents), names as in ``bench``;
- ``small``: only the files of 4 KB or less (many short documents), names as in ``bench``.

As in the Rust builder, a file is a chunk (BOM dropped, ``---`` put in front unless it starts
with ``---`` or ``%``, a final newline added); chunks relman rejects on their own, or whose
workloads were already defined, are left out, and so is the chunk holding a second definition
of a workload without images (found by listing the whole stream). ``relman.list_images``
accepts every stream. The same rules with ``bench``'s order and names give the Rust builder's
bytes exactly (checked 2026-12-06: 1,347 files, 4,570 chunks, 10,702,403 bytes, identical).

    bindings-python/.venv/bin/python benches/compare/streams.py OUT_DIR

writes ``OUT_DIR/<name>.yaml`` for every stream built here (not ``bench``) and prints one JSON
line per stream.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

import relman

TARGET = 10 * 1024 * 1024
LARGE = 4 * 1024
SEED = 16


def corpus_root() -> Optional[Path]:
    """The corpus folder: ``RELMAN_CORPUS`` when set, else ``../shared/corpus`` beside the repository."""
    env = os.environ.get("RELMAN_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "corpus"
    return root if root.is_dir() else None


def yaml_files(root: Path) -> List[Path]:
    """The corpus's YAML files in path order (the Rust builder's order)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def rename_line(line: str, prefix: str) -> Optional[str]:
    """``line`` with ``prefix`` before the value of a ``name:`` key (plain or quoted)."""
    body = line.lstrip(" -")
    if not body.startswith("name: "):
        return None
    rest = body[len("name: "):]
    at = len(line) - len(rest)
    if rest[:1].isascii() and rest[:1].isalnum():
        insert = at
    elif rest[:1] in ("'", '"') and rest[1:2].isascii() and rest[1:2].isalnum():
        insert = at + 1
    else:
        return None
    return line[:insert] + prefix + line[insert:]


def chunk(text: str, prefix: Optional[str]) -> str:
    """One file as a chunk of a stream, its ``name:`` values prefixed when ``prefix`` is given."""
    if text.startswith("\ufeff"):
        text = text[1:]
    out = [] if text.startswith("---") or text.startswith("%") else ["---\n"]
    lines = text.split("\n")
    for line in [x + "\n" for x in lines[:-1]] + ([lines[-1]] if lines[-1] else []):
        renamed = rename_line(line, prefix) if prefix else None
        out.append(renamed if renamed is not None else line)
    joined = "".join(out)
    return joined if joined.endswith("\n") else joined + "\n"


def assemble(texts: List[str], order: Callable[[int], List[int]], prefix: Callable[[int, int], Optional[str]],
             target: int = TARGET) -> Dict[str, object]:
    """Chunks of ``texts`` copy after copy (``order(copy)`` gives the files' indices, ``prefix(copy,
    file)`` their names' prefix) until ``target`` bytes; returns the text and what was left out."""
    seen: set = set()
    chunks: List[str] = []
    size = dropped = 0
    for copy in range(1000):
        before = len(chunks)
        for i in order(copy):
            if size >= target:
                break
            c = chunk(texts[i], prefix(copy, i))
            try:
                slots = relman.list_images(c)
            except relman.RelmanError:
                dropped += 1
                continue
            ids = {s.workload for s in slots}
            if ids & seen:
                dropped += 1
                continue
            seen |= ids
            size += len(c.encode())
            chunks.append(c)
        if size >= target or len(chunks) == before:
            break
    while True:  # workloads without images can still be defined twice
        text = "".join(chunks)
        try:
            relman.list_images(text)
            return {"text": text, "chunks": len(chunks), "dropped": dropped}
        except relman.RelmanError as e:
            line, at, index = e.line or 0, 1, len(chunks) - 1
            for k, c in enumerate(chunks):
                at += c.count("\n")
                if at > line:
                    index = k
                    break
            del chunks[index]
            dropped += 1


def corpus_texts(root: Path) -> List[str]:
    """The corpus files the Rust builder reads (UTF-8, no CR, no NUL)."""
    texts = []
    for path in yaml_files(root):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "\r" not in text and "\0" not in text:
            texts.append(text)
    return texts


def bench_prefix(copy: int, _file: int) -> Optional[str]:
    return f"r{copy}-" if copy > 0 else None


# name -> (description for the results, builder)
STREAMS: Dict[str, str] = {
    "bench": "the criterion `list` benchmark's bytes (`corpus_stream`: files in path order, copies after the first renamed `r<copy>-`)",
    "unique": "every name prefixed per copy and file (`c<copy>f<file>-`, the first copy too): no file left out for a collision",
    "shuffled": f"the files in a different seeded order in each copy (`random.Random({SEED})`), names as in `bench`",
    "large": f"only the files over {LARGE // 1024} KB, names as in `bench`",
    "small": f"only the files of {LARGE // 1024} KB or less, names as in `bench`",
}


def build(name: str, texts: List[str], target: int = TARGET) -> Dict[str, object]:
    """The stream ``name`` (not ``bench``: the Rust example writes that one)."""
    everything = list(range(len(texts)))
    if name == "unique":
        return assemble(texts, lambda _c: everything, lambda c, f: f"c{c}f{f}-", target)
    if name == "shuffled":
        rng = random.Random(SEED)

        def shuffled(_copy: int) -> List[int]:
            order = everything[:]
            rng.shuffle(order)
            return order

        return assemble(texts, shuffled, bench_prefix, target)
    if name in ("large", "small"):
        big = name == "large"
        picked = [i for i, t in enumerate(texts) if (len(t.encode()) > LARGE) == big]
        return assemble(texts, lambda _c: picked, bench_prefix, target)
    raise ValueError(f"unknown stream {name!r}")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    root = corpus_root()
    if root is None:
        print("no corpus (set RELMAN_CORPUS)", file=sys.stderr)
        return 1
    texts = corpus_texts(root)
    out.mkdir(parents=True, exist_ok=True)
    for name in STREAMS:
        if name == "bench":
            continue
        s = build(name, texts)
        path = out / f"{name}.yaml"
        path.write_text(str(s["text"]), encoding="utf-8", newline="")
        print(json.dumps({"name": name, "path": str(path), "bytes": len(str(s["text"]).encode()),
                          "chunks": s["chunks"], "dropped": s["dropped"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
