"""relman against the tools users would otherwise script with, in one run on the same input
(issue 9; DESIGN.md section 15).

Listing ratio (issue 16; DESIGN.md section 15: ">= 35x on any stream built from the corpus"):
on each stream of ``streams.py`` (the criterion ``list`` benchmark's own bytes, written by the
example ``corpus_stream``, and four more built here from the corpus: names unique per copy and
file, files in a seeded different order, only the files over 4 KB, only the files of 4 KB or
less), relman ``list_images`` through the Python binding against PyYAML with libyaml
``load_all(..., Loader=CSafeLoader)`` of the same text in the same process (the reference), and
``listImages`` through the Node binding in several fresh Node processes (its rate was seen to
differ from one process to the next). The headline is the lowest ratio over the streams.

Throughput of the peers (MB/s, and the ratio to the reference) on the benchmark's stream:

- listing: npm ``yaml`` ``parseAllDocuments``;
- round trip: PyYAML+libyaml load+dump of the stream; ruamel.yaml round-trip load+dump (on a
  ~1 MB prefix cut at a document boundary: it runs at well under 1 MB/s).

Fidelity and edit throughput on the corpus (``../shared/corpus``): for every file in which
relman lists a container image, the first such container is set to ``<repository>:9.9.9`` by
each tool (relman: ``set_image``; peers: load, set that container's image, dump), and the
output is diffed against the intended text (the input with only that value replaced). Reported:
files exact, extra lines changed per file, files the tool refused or failed on.

Run with the project venv (``make bench`` installs ``requirements.txt`` there and runs it)::

    bindings-python/.venv/bin/python benches/compare/compare.py [--write-results]

It prints a table; ``--write-results`` also writes ``benches/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import relman
import ruamel.yaml
import yaml

import streams as corpus_streams

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NEW_TAG = "9.9.9"
MB = 1024 * 1024
TARGET_RATIO = 35


def best(fn: Callable[[], Any], rounds: int) -> Tuple[float, Any]:
    low, out = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        low = min(low, time.perf_counter() - t)
    return low, out


def build_stream(path: Path) -> Dict[str, Any]:
    out = subprocess.run(
        ["cargo", "run", "--quiet", "--profile", "profiling", "-p", "relman-benches", "--example", "corpus_stream", "--", str(path)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


corpus_root = corpus_streams.corpus_root


def make_tasks(root: Path) -> List[Dict[str, Any]]:
    """One edit per corpus file: relman's first managed container slot."""
    tasks = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")):
        text = path.read_bytes().decode("utf-8")
        try:
            slots = relman.list_images(text)
        except relman.RelmanError as e:
            tasks.append({"path": str(path.relative_to(root)), "text": text, "rejected": str(e)})
            continue
        slot = next((s for s in slots if s.kind in ("container", "init_container") and s.managed), None)
        if slot is None:
            continue
        repo = relman.ImageRef.parse(slot.image).repository
        new = f"{repo}:{NEW_TAG}"
        ns_kind, name = slot.workload.split("/", 1)
        kind = ns_kind.split(":", 1)[1]
        lines = text.splitlines(keepends=True)
        line = lines[slot.line - 1]
        col = line.find(slot.image, slot.column - 1) if slot.column else line.find(slot.image)
        if col < 0:
            continue
        lines[slot.line - 1] = line[:col] + new + line[col + len(slot.image):]
        tasks.append({
            "path": str(path.relative_to(root)), "text": text, "workload": slot.workload,
            "container": slot.container, "kind": kind, "name": name,
            "key": "containers" if slot.kind == "container" else "initContainers",
            "old_image": slot.image, "new_image": new, "expected": "".join(lines),
        })
    return tasks


def objects(doc: Any) -> List[Any]:
    if not isinstance(doc, dict):
        return []
    if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
        return [i for i in doc["items"] if isinstance(i, dict)]
    return [doc]


def find_container(node: Any, key: str, name: str) -> Optional[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, list):
                for item in v:
                    if isinstance(item, dict) and item.get("name") == name and "image" in item:
                        return item
            found = find_container(v, key, name)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = find_container(item, key, name)
            if found is not None:
                return found
    return None


def set_in(docs: List[Any], task: Dict[str, Any]) -> bool:
    for doc in docs:
        for obj in objects(doc):
            meta = obj.get("metadata")
            if str(obj.get("kind", "")).lower() != task["kind"] or not isinstance(meta, dict):
                continue
            if meta.get("name") != task["name"]:
                continue
            c = find_container(obj, task["key"], task["container"])
            if c is not None:
                c["image"] = task["new_image"]
                return True
    return False


def pyyaml_edit(text: str, task: Dict[str, Any]) -> Optional[str]:
    docs = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    if not set_in(docs, task):
        return None
    return yaml.dump_all(docs, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False, width=10**6)


def ruamel_yaml() -> ruamel.yaml.YAML:
    y = ruamel.yaml.YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 2**31
    y.indent(mapping=2, sequence=2, offset=0)
    return y


def ruamel_edit(text: str, task: Dict[str, Any]) -> Optional[str]:
    y = ruamel_yaml()
    docs = list(y.load_all(text))
    if not set_in(docs, task):
        return None
    out = io.StringIO()
    y.dump_all(docs, out)
    return out.getvalue()


def extra_lines(expected: str, got: str) -> int:
    """Lines changed beyond the intended edit (max of removed/added per differing block)."""
    a, b = expected.splitlines(keepends=True), got.splitlines(keepends=True)
    n = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            n += max(i2 - i1, j2 - j1)
    return n


def fidelity(tasks: List[Dict[str, Any]], outputs: List[Optional[str]], seconds: float) -> Dict[str, Any]:
    edits = [t for t in tasks if "expected" in t]
    exact = failed = extra = 0
    for t, out in zip(edits, outputs):
        if out is None:
            failed += 1
        elif out == t["expected"]:
            exact += 1
        else:
            extra += extra_lines(t["expected"], out)
    done = len(edits) - failed
    size = sum(len(t["text"].encode()) for t in edits)
    return {
        "files": len(edits), "exact": exact, "failed": failed,
        "exact_share": exact / len(edits) if edits else 0.0,
        "extra_lines_per_file": extra / done if done else 0.0,
        "mb_s": size / MB / seconds if seconds else 0.0,
    }


def run_edits(tasks: List[Dict[str, Any]], edit: Callable[[str, Dict[str, Any]], Optional[str]]) -> Tuple[List[Optional[str]], float]:
    outs: List[Optional[str]] = []
    total = 0.0
    for t in tasks:
        if "expected" not in t:
            continue
        start = time.perf_counter()
        try:
            out = edit(t["text"], t)
        except Exception:  # a peer failing on a file counts as a failure, not a crash
            out = None
        total += time.perf_counter() - start
        outs.append(out)
    return outs, total


def relman_edit(text: str, task: Dict[str, Any]) -> Optional[str]:
    try:
        return relman.set_image(text, task["workload"], task["container"], task["new_image"])
    except relman.RelmanError:
        return None


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def node_list(stream_path: Path, rounds: int, extra: Optional[List[str]] = None) -> Dict[str, Any]:
    """One fresh Node process running compare.mjs on ``stream_path``."""
    res = subprocess.run(["node", str(HERE / "compare.mjs"), "--stream", str(stream_path), "--rounds", str(rounds), *(extra or [])],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def measure_stream(name: str, path: Path, text: str, rounds: int, node_processes: int) -> Dict[str, Any]:
    """One stream's listing figures: relman through Python and PyYAML ``load_all`` in this process,
    relman through Node in ``node_processes`` fresh processes."""
    size = len(text.encode()) / MB
    t_relman, slots = best(lambda: relman.list_images(text), rounds)
    t_load, docs = best(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)), 2)
    ref = size / t_load
    row: Dict[str, Any] = {
        "name": name, "mb": size, "documents": len(docs), "slots": len(slots), "ref": ref,
        "python": size / t_relman, "two_byte": any(ord(c) > 0xFF for c in text), "node": [],
    }
    for _ in range(node_processes):
        out = node_list(path, rounds)
        row["node"].append(size / out["list"]["relman"])
    print(f"{name}: {size:.2f} MB, {len(docs)} documents, {len(slots)} slots; PyYAML load_all {ref:.2f} MB/s; "
          f"relman Python {row['python']:.1f} MB/s ({row['python'] / ref:.1f}x), Node "
          + ", ".join(f"{n:.1f}" for n in row["node"]) + " MB/s", file=sys.stderr)
    return row


def node_figure(row: Dict[str, Any]) -> float:
    """A stream's Node rate: the median of its processes' best rounds."""
    rates = sorted(row["node"])
    return rates[len(rates) // 2] if rates else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stream", type=Path, help="an existing stream (default: built by the corpus_stream example)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--streams", default=",".join(corpus_streams.STREAMS),
                    help=f"the corpus streams to list, comma-separated (default: all of {', '.join(corpus_streams.STREAMS)})")
    ap.add_argument("--node-processes", type=int, default=3, help="fresh Node processes per stream (default 3)")
    ap.add_argument("--no-node", action="store_true")
    ap.add_argument("--write-results", action="store_true", help="write benches/RESULTS.md")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="relman-compare-"))
    if args.stream:
        stream_path, info = args.stream, {"bytes": args.stream.stat().st_size, "corpus": None}
    else:
        stream_path = work / "stream.yaml"
        info = build_stream(stream_path)
    stream = stream_path.read_text(encoding="utf-8")
    size = len(stream.encode()) / MB
    node_processes = 0 if args.no_node else args.node_processes

    # The listing ratio on every stream (the benchmark's own first).
    root = corpus_root()
    wanted = [n for n in args.streams.split(",") if n]
    listing: List[Dict[str, Any]] = [measure_stream("bench", stream_path, stream, args.rounds, node_processes)]
    if root is not None and not args.stream:
        texts = corpus_streams.corpus_texts(root)
        for name in wanted:
            if name == "bench":
                continue
            built = corpus_streams.build(name, texts)
            path = work / f"{name}.yaml"
            path.write_text(str(built["text"]), encoding="utf-8", newline="")
            listing.append(measure_stream(name, path, str(built["text"]), args.rounds, node_processes))
    bench = listing[0]
    docs, ref, t_relman = bench["documents"], bench["ref"], size / bench["python"]

    rows: List[Tuple[str, str, float, str]] = []  # (tool, operation, MB/s, ratio)
    t_loaddump, _ = best(lambda: yaml.dump_all(list(yaml.load_all(stream, Loader=yaml.CSafeLoader)), Dumper=yaml.CSafeDumper, sort_keys=False), 1)
    cut = stream.find("\n---", MB)
    part = stream[: cut + 1] if cut > 0 else stream
    y = ruamel_yaml()

    # ruamel.yaml rejects some documents that libyaml accepts (a tab after a value): time it
    # document by document and count only the documents it round-trips.
    chunks = ["---" + c for c in ("\n" + part).split("\n---") if c.strip()]
    t_ruamel, ruamel_bytes = 0.0, 0
    for chunk in chunks:
        start = time.perf_counter()
        try:
            out = io.StringIO()
            y.dump_all(list(y.load_all(chunk)), out)
        except Exception:
            continue
        t_ruamel += time.perf_counter() - start
        ruamel_bytes += len(chunk.encode())
    ruamel_mb = ruamel_bytes / MB
    rows.append(("relman (Python binding)", f"list_images ({bench['slots']} slots)", size / t_relman, f"{size / t_relman / ref:.1f}x"))
    rows.append(("PyYAML + libyaml", "load_all (CSafeLoader)", ref, "1.0x (reference)"))
    rows.append(("PyYAML + libyaml", "load_all + dump_all", size / t_loaddump, f"{size / t_loaddump / ref:.2f}x"))
    rows.append(("ruamel.yaml", f"round trip load + dump (the {ruamel_mb:.1f} MB of the first 1 MB it accepts)", ruamel_mb / t_ruamel, f"{ruamel_mb / t_ruamel / ref:.3f}x"))

    fid: Dict[str, Dict[str, Any]] = {}
    tasks: List[Dict[str, Any]] = []
    if root is not None:
        tasks = make_tasks(root)
        for name, fn in (("relman (Python binding)", relman_edit), ("PyYAML + libyaml", pyyaml_edit), ("ruamel.yaml", ruamel_edit)):
            outs, secs = run_edits(tasks, fn)
            fid[name] = fidelity(tasks, outs, secs)
    node: Optional[Dict[str, Any]] = None
    if not args.no_node:
        tasks_path = work / "tasks.json"
        tasks_path.write_text(json.dumps([t for t in tasks if "expected" in t]))
        node = node_list(stream_path, args.rounds, ["--peers", "--tasks", str(tasks_path)])
        node_rate = node_figure(bench)
        rows.append(("relman (Node binding)", f"listImages ({node['slots']} slots; median of {len(bench['node'])} processes)", node_rate, f"{node_rate / ref:.1f}x"))
        rows.append((f"npm yaml {node['yaml']}", "parseAllDocuments (Document API)", size / node["list"]["yaml_parseAllDocuments"], f"{size / node['list']['yaml_parseAllDocuments'] / ref:.2f}x"))
        if tasks:
            fid["relman (Node binding)"] = fidelity(tasks, node["edits"]["relman"]["outputs"], node["edits"]["relman"]["seconds"])
            fid[f"npm yaml {node['yaml']}"] = fidelity(tasks, node["edits"]["yaml"]["outputs"], node["edits"]["yaml"]["seconds"])

    rejected = sum(1 for t in tasks if "rejected" in t)
    lines = ["| tool | operation | MB/s | ratio to PyYAML `load_all` |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {t} | {op} | {mbs:.2f} | {ratio} |" for t, op, mbs, ratio in rows]
    flines = ["| tool | files exact | extra lines changed per file | failed | edit MB/s (load+set+dump per file) |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, f in fid.items():
        flines.append(f"| {name} | {f['exact']}/{f['files']} ({100 * f['exact_share']:.1f}%) | {f['extra_lines_per_file']:.2f} | {f['failed']} | {f['mb_s']:.2f} |")
    table = "\n".join(lines)
    ftable = "\n".join(flines)
    stable, headline = streams_table(listing)
    print(stable)
    print()
    print(headline)
    print()
    print(table)
    print()
    if fid:
        print(f"fidelity on {len(tasks) - rejected} corpus files with a managed container ({rejected} files rejected by relman's list_images):")
        print(ftable)
    if args.write_results:
        write_results(table, ftable, stable, headline, info, docs, size, rejected, node)
    return 0


def streams_table(listing: List[Dict[str, Any]]) -> Tuple[str, str]:
    """The per-stream listing table and the headline (the lowest ratio through each binding)."""
    lines = [
        "| stream | MB | documents | slots | PyYAML `load_all` MB/s | relman Python MB/s | Python ratio | relman Node MB/s (each process) | Node ratio (median process) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in listing:
        node = ", ".join(f"{n:.1f}" for n in r["node"]) or "-"
        node_ratio = f"{node_figure(r) / r['ref']:.1f}x" if r["node"] else "-"
        two = " (UTF-16 in V8)" if r["two_byte"] else ""
        lines.append(f"| `{r['name']}`{two} | {r['mb']:.2f} | {r['documents']} | {r['slots']} | {r['ref']:.2f} | {r['python']:.1f} | "
                     f"{r['python'] / r['ref']:.1f}x | {node} | {node_ratio} |")
    low_py = min(listing, key=lambda r: r["python"] / r["ref"])
    ratio_py = low_py["python"] / low_py["ref"]
    parts = [f"through Python **{ratio_py:.1f}x** (`{low_py['name']}`, {'met' if ratio_py >= TARGET_RATIO else 'missed'})"]
    with_node = [r for r in listing if r["node"]]
    if with_node:
        low_node = min(with_node, key=lambda r: node_figure(r) / r["ref"])
        ratio_node = node_figure(low_node) / low_node["ref"]
        parts.append(f"through Node **{ratio_node:.1f}x** (`{low_node['name']}`, {'met' if ratio_node >= TARGET_RATIO else 'missed'})")
    headline = (f"Target (DESIGN.md section 15): listing >= {TARGET_RATIO}x PyYAML+libyaml `load_all` of the same stream, "
                f"on any stream built from the corpus. Lowest ratio over the {len(listing)} streams: " + "; ".join(parts) + ".")
    return "\n".join(lines), headline


def write_results(table: str, ftable: str, stable: str, headline: str, info: Dict[str, Any], docs: int, size: float,
                  rejected: int, node: Optional[Dict[str, Any]]) -> None:
    path = ROOT / "benches" / "RESULTS.md"
    marker = "<!-- compare.py: generated section below -->"
    head = path.read_text().split(marker)[0] if path.exists() else "# Benchmark results\n\n"
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    versions = [
        f"relman {getattr(relman, '__version__', '0.1.0')} (release build, abi3 wheel)", rustc,
        f"Python {platform.python_version()}", f"PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__})",
        f"ruamel.yaml {ruamel.yaml.__version__}",
    ]
    if node:
        versions += [f"Node {node['node']}", f"npm yaml {node['yaml']}"]
    described = "\n".join(f"- `{name}`: {text}" for name, text in corpus_streams.STREAMS.items())
    body = f"""{marker}

## Side by side (`benches/compare/compare.py`)

- date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
- machine: {machine()}
- versions: {'; '.join(versions)}
- input: {size:.2f} MB stream, {docs} documents, built by `cargo run --profile profiling -p relman-benches --example corpus_stream` from {'the corpus' if info.get('corpus') else 'the fixtures'} (the criterion `list` benchmark's bytes), and the other streams of `benches/compare/streams.py`, built from the corpus at run time

### Listing on streams built from the corpus

Each stream is about 10 MB of corpus files joined into one multi-document text (files relman
rejects alone, or whose workloads were already defined, left out):

{described}

The ratio is relman's listing rate to PyYAML+libyaml `load_all` of the same text; through
Python both run in the same process (best of several rounds each); through Node, `listImages`
runs in fresh Node processes (best round of each), against the PyYAML rate of the Python
process. "UTF-16 in V8": the stream holds a character beyond Latin-1, so V8 keeps it in two
bytes per character and the binding converts it from UTF-16.

{stable}

{headline}

### Throughput on the benchmark's stream

{table}

### Fidelity on the corpus

Each tool sets the first managed container image relman lists in a file to `<repository>:9.9.9`;
the output is compared with the input where only that value is replaced. {rejected} corpus files
were rejected by relman's `list_images` and are not counted. Peer settings: PyYAML
`CSafeLoader`/`CSafeDumper`, `sort_keys=False`, unlimited width; ruamel.yaml round-trip with
`preserve_quotes`, unlimited width, indent mapping 2 / sequence 2 / offset 0 (one setting for all
files, not tuned per file); npm `yaml` `parseAllDocuments` + `Document.toString()` defaults.

{ftable}

Target: 100% exact on the files relman accepts.
"""
    path.write_text(head.rstrip() + "\n\n" + body)


if __name__ == "__main__":
    sys.exit(main())
