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
from typing import Dict, List, Optional, Tuple

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

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

    def __init__(self, root: Path, *, auth: Optional[Dict[str, object]] = None, storage: Optional[Path] = None) -> None:
        self.root = root
        self.auth = auth
        # Another registry's storage folder: two registries may serve the same images, one
        # open (to push to) and one behind auth (to read from).
        self.storage = storage
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
        storage = self.storage or self.root / "storage"
        storage.mkdir(exist_ok=True)
        config = self.root / "config.yml"
        settings: Dict[str, object] = {
            "version": 0.1,
            "log": {"level": "warn", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(storage)}, "delete": {"enabled": True}},
            "http": {"addr": self.host, "secret": "relman-e2e-test"},
        }
        if self.auth is not None:
            settings["auth"] = self.auth
        # JSON is YAML: no YAML library needed to write the registry's config.
        config.write_text(json.dumps(settings, indent=2))
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
            except urllib.error.HTTPError as err:
                if err.code == 401 and self.auth is not None:  # up, and asking for credentials
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
        if self.storage is None:
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


def _image(layout: Path, created: str, content: str, architecture: str = "amd64") -> Dict[str, object]:
    """Write a one-layer image (layer, config, manifest) into the layout's blobs; return the
    manifest's descriptor. The layer holds one file whose text is `content` (so images differ)."""
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
                "architecture": architecture,
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
    return {"mediaType": OCI_MANIFEST, **_blob(layout, manifest_bytes)}


def _finish_layout(layout: Path, tag: str, top: Dict[str, object]) -> str:
    index = {"schemaVersion": 2, "manifests": [{**top, "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    (layout / "index.json").write_text(json.dumps(index, indent=2))
    (layout / "oci-layout").write_text(json.dumps({"imageLayoutVersion": "1.0.0"}))
    return str(top["digest"])


def write_oci_layout(layout: Path, tag: str, created: str, content: str) -> str:
    """Write a one-layer image as a new OCI image layout at `layout`, tagged `tag`; return the
    manifest digest."""
    return _finish_layout(layout, tag, _image(layout, created, content))


def write_oci_index_layout(layout: Path, tag: str, platforms: List[Tuple[str, str]], content: str) -> str:
    """Write a multi-platform image: one image per `(architecture, created)`, under an OCI
    image index listing them in that order; return the index digest."""
    entries = []
    for architecture, created in platforms:
        manifest = _image(layout, created, f"{content} {architecture}", architecture)
        entries.append({**manifest, "platform": {"os": "linux", "architecture": architecture}})
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}, sort_keys=True).encode()
    return _finish_layout(layout, tag, {"mediaType": OCI_INDEX, **_blob(layout, index)})


def _skopeo_push(registry: LocalRegistry, work: Path, layout: Path, repository: str, tag: str, docker: bool) -> str:
    policy = work / "policy.json"
    policy.write_text(json.dumps(POLICY))
    reference = f"{registry.host}/{repository}:{tag}"
    # Docker media types: skopeo converts the OCI manifests (and index) to Docker schema 2
    # (and a manifest list), which changes the digests; OCI ones keep theirs.
    form = ["--format", "v2s2"] if docker else ["--preserve-digests"]
    result = subprocess.run(
        ["skopeo", "--policy", str(policy), "copy", "--quiet", "--all", "--dest-tls-verify=false", *form, f"oci:{layout}:{tag}", f"docker://{reference}"],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(work)},  # no ~/.docker or ~/.config/containers of the user
    )
    if result.returncode != 0:
        raise RuntimeError(f"skopeo copy to {reference} failed: {result.stderr.strip()}")
    return reference


def manifest_of(registry: LocalRegistry, repository: str, reference: str) -> Tuple[str, str, bytes]:
    """(digest, media type, bytes) of a manifest as the registry serves it, read with urllib:
    the test's own oracle, independent of relman."""
    request = urllib.request.Request(f"{registry.url}/v2/{repository}/manifests/{reference}")
    request.add_header("Accept", ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST)))
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        media_type = response.headers.get("Content-Type", "")
    return f"sha256:{hashlib.sha256(body).hexdigest()}", media_type, body


def push_image(registry: LocalRegistry, repository: str, tag: str, created: str, *, docker: bool = False) -> PushedImage:
    """Build `<repository>:<tag>` (created at `created`, RFC 3339) and push it with skopeo,
    as an OCI image manifest (or, with `docker`, a Docker schema 2 manifest)."""
    work = Path(tempfile.mkdtemp(prefix="relman-oci-", dir=registry.root))
    try:
        layout = work / "layout"
        digest = write_oci_layout(layout, tag, created, f"{repository}:{tag}\n")
        reference = _skopeo_push(registry, work, layout, repository, tag, docker)
        if docker:
            digest = manifest_of(registry, repository, tag)[0]
        return PushedImage(reference=reference, digest=digest, created=created)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def push_index(registry: LocalRegistry, repository: str, tag: str, platforms: List[Tuple[str, str]], *, docker: bool = False) -> PushedImage:
    """Push a multi-platform `<repository>:<tag>`: an OCI image index (or, with `docker`, a
    Docker manifest list) of one image per `(architecture, created)`. `created` of the result
    is the first platform's, as relman dates an index."""
    work = Path(tempfile.mkdtemp(prefix="relman-oci-", dir=registry.root))
    try:
        layout = work / "layout"
        digest = write_oci_index_layout(layout, tag, platforms, f"{repository}:{tag}")
        reference = _skopeo_push(registry, work, layout, repository, tag, docker)
        if docker:
            digest = manifest_of(registry, repository, tag)[0]
        return PushedImage(reference=reference, digest=digest, created=platforms[0][1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def serve(root: Path) -> None:
    """`python registry.py serve ROOT`: start a registry, push one image of each kind (OCI and
    Docker, single- and multi-platform), print one JSON line `{"host", "images": [...]}` and
    serve until standard input closes. For the Node end-to-end test."""
    with LocalRegistry(root) as registry:
        pushed = [
            push_image(registry, "acme/users", "1.0.0", "2026-11-27T08:00:00Z"),
            push_image(registry, "acme/users", "1.1.0", "2026-11-27T09:00:00Z", docker=True),
            push_index(registry, "acme/orders", "main-1", [("amd64", "2026-11-27T10:00:00Z"), ("arm64", "2026-11-27T11:00:00Z")]),
            push_index(registry, "acme/orders", "main-2", [("arm64", "2026-11-27T12:00:00Z"), ("amd64", "2026-11-27T13:00:00Z")], docker=True),
        ]
        images = [{"reference": p.reference, "digest": p.digest, "created": p.created} for p in pushed]
        print(json.dumps({"host": registry.host, "images": images}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(Path(sys.argv[2]))
    else:
        sys.exit("usage: registry.py serve ROOT")
