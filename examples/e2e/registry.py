"""A throwaway Docker registry for the end-to-end test: Debian's `docker-registry` (the CNCF
distribution server) with its own config, bound to 127.0.0.1 on a free port, storing blobs in a
temporary folder; and `push_image`, which writes a tiny OCI image layout (one layer tarball, a
config blob with a `created` time, a manifest, `index.json`) and copies it in with `skopeo`.

No Docker engine is needed: the registry is a plain process and skopeo talks HTTP to it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

# skopeo reads a trust policy; this one accepts everything, and is ours rather than whatever
# /etc/containers/policy.json says (or its absence).
POLICY = {"default": [{"type": "insecureAcceptAnything"}]}


def _die_with_parent() -> None:
    """In the child before exec: on Linux, get SIGTERM when the test process dies, however it
    dies, so that no registry outlives an interrupted test."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalRegistry:
    """`docker-registry serve` on 127.0.0.1:<free port>; use as a context manager.

    `host` is `127.0.0.1:<port>` (the prefix of image references), `url` the HTTP base URL.
    Leaving the context stops the process (TERM, then KILL) and removes its storage.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = 0
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.log_path = root / "registry.log"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def __enter__(self) -> "LocalRegistry":
        self.root.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):  # the free port can be taken between probing and binding
            try:
                self._start()
                return self
            except RuntimeError:
                self.stop()
                if attempt == 2:
                    raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        self.port = free_port()
        storage = self.root / "storage"
        storage.mkdir(exist_ok=True)
        config = self.root / "config.yml"
        # JSON is YAML: no YAML library needed to write the registry's config.
        config.write_text(
            json.dumps(
                {
                    "version": 0.1,
                    "log": {"level": "warn", "accesslog": {"disabled": True}},
                    "storage": {"filesystem": {"rootdirectory": str(storage)}, "delete": {"enabled": True}},
                    "http": {"addr": self.host, "secret": "relman-e2e-test"},
                },
                indent=2,
            )
        )
        log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                ["docker-registry", "serve", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        finally:
            log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"docker-registry exited with {self.process.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/v2/", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"docker-registry did not answer on {self.url} within 20 s: {self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the registry (TERM, then KILL) and remove its storage."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(self.root / "storage", ignore_errors=True)


@dataclass(frozen=True)
class PushedImage:
    reference: str  # 127.0.0.1:<port>/<repository>:<tag>
    digest: str  # sha256 of the manifest bytes, as the registry serves it
    created: str  # the config blob's `created`


def _blob(layout: Path, data: bytes) -> Dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def write_oci_layout(layout: Path, tag: str, created: str, content: str) -> str:
    """Write a one-layer image as a new OCI image layout at `layout`, tagged `tag`; return the
    manifest digest. The layer holds one file whose text is `content` (so images differ)."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = content.encode()
        info = tarfile.TarInfo("etc/relman-e2e")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))
    layer_tar = tar_bytes.getvalue()
    layer = _blob(layout, gzip.compress(layer_tar, mtime=0))
    config = _blob(
        layout,
        json.dumps(
            {
                "created": created,
                "architecture": "amd64",
                "os": "linux",
                "config": {"Cmd": ["/bin/true"]},
                "rootfs": {"type": "layers", "diff_ids": [f"sha256:{hashlib.sha256(layer_tar).hexdigest()}"]},
                "history": [{"created": created, "created_by": "relman e2e test"}],
            },
            sort_keys=True,
        ).encode(),
    )
    manifest_bytes = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, **config},
            "layers": [{"mediaType": OCI_LAYER, **layer}],
        },
        sort_keys=True,
    ).encode()
    manifest = _blob(layout, manifest_bytes)
    index = {
        "schemaVersion": 2,
        "manifests": [{"mediaType": OCI_MANIFEST, **manifest, "annotations": {"org.opencontainers.image.ref.name": tag}}],
    }
    (layout / "index.json").write_text(json.dumps(index, indent=2))
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    return str(manifest["digest"])


def push_image(registry: LocalRegistry, repository: str, tag: str, created: str) -> PushedImage:
    """Build `<repository>:<tag>` (created at `created`, RFC 3339) and push it with skopeo."""
    work = Path(tempfile.mkdtemp(prefix="relman-oci-", dir=registry.root))
    try:
        layout = work / "layout"
        digest = write_oci_layout(layout, tag, created, f"{repository}:{tag}\n")
        policy = work / "policy.json"
        policy.write_text(json.dumps(POLICY))
        reference = f"{registry.host}/{repository}:{tag}"
        result = subprocess.run(
            [
                "skopeo",
                "--policy",
                str(policy),
                "copy",
                "--quiet",
                "--dest-tls-verify=false",
                "--preserve-digests",
                f"oci:{layout}:{tag}",
                f"docker://{reference}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(work)},  # no ~/.docker or ~/.config/containers of the user
        )
        if result.returncode != 0:
            raise RuntimeError(f"skopeo copy to {reference} failed: {result.stderr.strip()}")
        return PushedImage(reference=reference, digest=digest, created=created)
    finally:
        shutil.rmtree(work, ignore_errors=True)
