#!/usr/bin/env python3
"""Benchmark of relman's registry client (DESIGN.md section 15): a catalog of 100 repositories
x 200 tags from a local registry (Debian's docker-registry on 127.0.0.1), cold (empty cache)
and warm (a new client reading the cache a previous poll left on disk, as a new process of a
bot would; nothing new, no moving tags), with the requests counted.

    make bench-registry            # or: python benches/registry/bench_registry.py [--repositories N --tags N]

The images are written through the registry's HTTP API (one config blob and one manifest per
tag, one layer per repository) by this script: skopeo would take hours for 20,000 images. Not run
by `make test`.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "e2e"))

import relman  # noqa: E402
from registry import LocalRegistry  # noqa: E402

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def fill(host: str, repositories: int, tags: int) -> None:
    layer = b"relman benchmark layer"
    layer_digest = "sha256:" + hashlib.sha256(layer).hexdigest()

    def one_repository(r: int) -> None:
        name = f"bench/service-{r:03d}"
        conn = http.client.HTTPConnection(host, timeout=30)

        def upload(data: bytes) -> str:
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            conn.request("POST", f"/v2/{name}/blobs/uploads/")
            response = conn.getresponse()
            response.read()
            assert response.status == 202, (response.status, name)
            location = urllib.parse.urlsplit(response.headers["Location"])
            separator = "&" if location.query else ""
            conn.request("PUT", f"{location.path}?{location.query}{separator}digest={digest}", body=data, headers={"Content-Type": "application/octet-stream"})
            response = conn.getresponse()
            response.read()
            assert response.status == 201, (response.status, name)
            return digest

        upload(layer)
        for t in range(tags):
            created = f"2026-{1 + t % 12:02d}-{1 + t % 28:02d}T{t % 24:02d}:00:00Z"
            config = json.dumps({"created": created, "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}, "n": [r, t]}).encode()
            config_digest = upload(config)
            manifest = json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": len(config)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": len(layer)}],
                }
            ).encode()
            conn.request("PUT", f"/v2/{name}/manifests/1.{t}.0", body=manifest, headers={"Content-Type": OCI_MANIFEST})
            response = conn.getresponse()
            response.read()
            assert response.status == 201, (response.status, name, t)
        conn.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one_repository, range(repositories)))


def poll(registry: LocalRegistry, names: List[str], cache: Path, tags: int) -> tuple:
    client = relman.Registry(credentials=None, cache_dir=cache)
    started = time.perf_counter()
    catalog = client.catalog(names)
    elapsed = time.perf_counter() - started
    assert all(len(catalog.images(n)) == tags for n in names)
    return elapsed, client.requests()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=100)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="warm polls to time (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="relman-bench-registry-") as tmp:
        with LocalRegistry(Path(tmp) / "registry") as registry:
            started = time.perf_counter()
            fill(registry.host, args.repositories, args.tags)
            print(f"filled {args.repositories} x {args.tags} images in {time.perf_counter() - started:.1f} s")
            names = [f"{registry.host}/bench/service-{r:03d}" for r in range(args.repositories)]
            cache = Path(tmp) / "cache"
            cold, cold_requests = poll(registry, names, cache, args.tags)
            print(f"cold: {cold:.2f} s, requests {cold_requests}")
            warm_times = []
            for _ in range(args.runs):
                warm, warm_requests = poll(registry, names, cache, args.tags)
                warm_times.append(warm)
            print(f"warm (new client, cache on disk): median {statistics.median(warm_times):.3f} s of {args.runs} (min {min(warm_times):.3f}, max {max(warm_times):.3f}), requests {warm_requests}")
            target = warm_requests["total"] == args.repositories and statistics.median(warm_times) <= 1.0
            print(f"DESIGN 15 target (one tag-list request per repository, <= 1 s): {'met' if target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
