"""End to end: `relman.Registry` (feature `registry`) against a real registry on 127.0.0.1
(Debian's docker-registry, images pushed with skopeo), with Basic auth (htpasswd, bcrypt), with
token auth (distribution's `auth: token:` trusting a token server this test starts), and in
failure cases: wrong password, missing repository, 429 then 200, a hanging registry, a
malformed manifest, a tag deleted between the list and the fetch.

The digests checked here are the test's own: the sha256 of the manifest bytes read with urllib
(`registry.manifest_of`); creation times are those the test wrote into the image configs.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

import relman
from registry import LocalRegistry, PushedImage, manifest_of, push_image, push_index
from registry_doubles import Hanging, Proxy, TokenServer

USER, PASSWORD = "ci", "s3cret-pa55"


def at(hour: int) -> str:
    return f"2026-11-27T{hour:02d}:00:00Z"


@pytest.fixture()
def images(registry: LocalRegistry) -> Dict[str, PushedImage]:
    """Four images of the four kinds, in two repositories."""
    return {
        "oci": push_image(registry, "acme/users", "1.0.0", at(8)),
        "docker": push_image(registry, "acme/users", "1.1.0", at(9), docker=True),
        "oci-index": push_index(registry, "acme/orders", "main-1", [("amd64", at(10)), ("arm64", at(11))]),
        "docker-list": push_index(registry, "acme/orders", "main-2", [("arm64", at(12)), ("amd64", at(13))], docker=True),
    }


def repositories(registry: LocalRegistry) -> List[str]:
    return [f"{registry.host}/acme/users", f"{registry.host}/acme/orders"]


def check(catalog: relman.Catalog, registry: LocalRegistry, images: Dict[str, PushedImage]) -> None:
    for image in images.values():
        repository, tag = image.reference.rsplit(":", 1)
        info = catalog.get(repository, tag)
        assert info is not None, image.reference
        assert info.digest == image.digest, image.reference
        assert info.created == image.created, image.reference


def test_single_and_multi_platform_oci_and_docker_cold_warm_and_cached(tmp_path: Path, registry: LocalRegistry, images: Dict[str, PushedImage]) -> None:
    # The media types are what the test meant them to be.
    kinds = {name: manifest_of(registry, *image.reference.split("/", 1)[1].rsplit(":", 1))[1] for name, image in images.items()}
    assert kinds == {
        "oci": "application/vnd.oci.image.manifest.v1+json",
        "docker": "application/vnd.docker.distribution.manifest.v2+json",
        "oci-index": "application/vnd.oci.image.index.v1+json",
        "docker-list": "application/vnd.docker.distribution.manifest.list.v2+json",
    }
    events: List[Dict[str, object]] = []
    client = relman.Registry(credentials=None, cache_dir=tmp_path / "cache")
    catalog = client.catalog(repositories(registry), progress=events.append)
    check(catalog, registry, images)
    # Cold: 2 lists, 4 tag manifests + 2 child manifests (indexes), 4 configs.
    assert client.requests() == {"tag_lists": 2, "manifests": 6, "blobs": 4, "tokens": 0, "total": 12}
    assert sorted((e["event"], e["repository"]) for e in events if e["event"] == "listed") == [
        ("listed", f"{registry.host}/acme/orders"),
        ("listed", f"{registry.host}/acme/users"),
    ]
    assert sorted(str(e["tag"]) for e in events if e["event"] == "fetched") == ["1.0.0", "1.1.0", "main-1", "main-2"]

    # Warm, same client: one tag-list request per repository.
    assert client.catalog(repositories(registry)) == catalog
    assert client.requests()["total"] == 14

    # Warm from the disk cache in a new client (a new process would read the same files).
    fresh = relman.Registry(credentials=None, cache_dir=tmp_path / "cache")
    assert fresh.catalog(repositories(registry)) == catalog
    assert fresh.requests() == {"tag_lists": 2, "manifests": 0, "blobs": 0, "tokens": 0, "total": 2}

    # A new tag costs one manifest and one config; a moving tag (latest) is asked for again at
    # every poll, one manifest request (its config is known).
    newer = push_image(registry, "acme/users", "1.2.0", at(14))
    latest = push_image(registry, "acme/users", "latest", at(14))
    catalog = fresh.catalog(repositories(registry))
    check(catalog, registry, {**images, "newer": newer, "latest": latest})
    assert fresh.requests() == {"tag_lists": 4, "manifests": 2, "blobs": 2, "tokens": 0, "total": 8}
    fresh.catalog(repositories(registry))
    assert fresh.requests() == {"tag_lists": 6, "manifests": 3, "blobs": 2, "tokens": 0, "total": 11}, "latest again"


def test_basic_auth_with_htpasswd_and_docker_config(tmp_path: Path, registry: LocalRegistry, images: Dict[str, PushedImage]) -> None:
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(subprocess.run(["htpasswd", "-Bbn", USER, PASSWORD], check=True, capture_output=True, text=True).stdout)
    auth = {"htpasswd": {"realm": "relman-test", "path": str(htpasswd)}}
    with LocalRegistry(tmp_path / "basic", auth=auth, storage=registry.root / "storage") as locked:
        names = [f"{locked.host}/acme/users", f"{locked.host}/acme/orders"]
        moved = {k: PushedImage(v.reference.replace(registry.host, locked.host), v.digest, v.created) for k, v in images.items()}

        client = relman.Registry(credentials=(USER, PASSWORD))
        check(client.catalog(names), locked, moved)

        with pytest.raises(relman.RegistryUnauthorized) as wrong:
            relman.Registry(credentials=(USER, "wrong")).catalog(names)
        assert wrong.value.code == "registry_unauthorized"
        assert f"{locked.host}/acme/users" in str(wrong.value) and f"http://{locked.host}/v2/acme/users/tags/list" in str(wrong.value)
        with pytest.raises(relman.RegistryUnauthorized, match="Basic"):
            relman.Registry(credentials=None).catalog(names)

        # ~/.docker/config.json: `auths`, then a credential helper (a script on PATH).
        config = tmp_path / "docker" / "config.json"
        config.parent.mkdir()
        config.write_text(json.dumps({"auths": {locked.host: {"auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}}}))
        check(relman.Registry(credentials={"docker_config": str(config)}).catalog(names), locked, moved)
        helper = tmp_path / "bin" / "docker-credential-relmantest"
        helper.parent.mkdir()
        helper.write_text(f'#!/bin/sh\nread host\n[ "$host" = "{locked.host}" ] || {{ echo "credentials not found in native keychain"; exit 1; }}\necho \'{{"Username":"{USER}","Secret":"{PASSWORD}"}}\'\n')
        helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
        config.write_text(json.dumps({"credHelpers": {locked.host: "relmantest"}}))
        script = (
            "import json, sys, relman\n"
            f"c = relman.Registry().catalog({names!r})\n"
            f"print(c.get({names[0]!r}, '1.0.0').digest)\n"
        )
        env = {**os.environ, "DOCKER_CONFIG": str(config.parent), "PATH": f"{helper.parent}:{os.environ['PATH']}"}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == images["oci"].digest


def test_token_auth_with_a_token_server(tmp_path: Path, registry: LocalRegistry, images: Dict[str, PushedImage]) -> None:
    with TokenServer(tmp_path / "token", USER, PASSWORD) as tokens:
        with LocalRegistry(tmp_path / "tokened", auth=tokens.registry_auth(), storage=registry.root / "storage") as locked:
            names = [f"{locked.host}/acme/users", f"{locked.host}/acme/orders"]
            moved = {k: PushedImage(v.reference.replace(registry.host, locked.host), v.digest, v.created) for k, v in images.items()}
            client = relman.Registry(credentials=(USER, PASSWORD))
            check(client.catalog(names), locked, moved)
            counts = client.requests()
            assert counts["tokens"] == 2, tokens.requests  # one per repository scope
            assert sorted(urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)["scope"][0] for p in tokens.requests) == ["repository:acme/orders:pull", "repository:acme/users:pull"]
            client.catalog(names)
            assert client.requests()["total"] == counts["total"] + 2, "tokens are reused"

            with pytest.raises(relman.RegistryUnauthorized) as wrong:
                relman.Registry(credentials=(USER, "wrong")).catalog(names)
            assert "token service refused" in str(wrong.value) and f"{tokens.url}/token" in str(wrong.value)


def test_failures_missing_repository_429_hanging_malformed_and_deleted(registry: LocalRegistry, images: Dict[str, PushedImage]) -> None:
    client = relman.Registry(credentials=None, timeout=5)
    with pytest.raises(relman.RegistryNotFound) as missing:
        client.catalog([f"{registry.host}/acme/nothing"])
    assert isinstance(missing.value, LookupError)
    assert f"http://{registry.host}/v2/acme/nothing/tags/list" in str(missing.value) and "NAME_UNKNOWN" in str(missing.value)

    # 429 (Retry-After: 1) on the first request, then the real answers.
    answered: List[str] = []

    def too_many_first(method: str, path: str) -> Optional[Tuple[int, Dict[str, str], bytes]]:
        if not answered:
            answered.append(path)
            return 429, {"Retry-After": "1", "Content-Type": "application/json"}, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}'
        return None

    with Proxy(registry.host, before=too_many_first) as proxy:
        c = relman.Registry(credentials=None)
        catalog = c.catalog([f"{proxy.host}/acme/users"])
        assert catalog.get(f"{proxy.host}/acme/users", "1.0.0").digest == images["oci"].digest  # type: ignore[union-attr]
        assert c.requests()["tag_lists"] == 2 and proxy.requests[0] == proxy.requests[1]

    # A registry that never answers: the timeout ends the call.
    with Hanging() as hanging:
        with pytest.raises(relman.RegistryUnavailable, match="no answer within 1 s"):
            relman.Registry(credentials=None, timeout=1).catalog([f"{hanging.host}/acme/users"])

    # A malformed manifest (the bytes of a tag replaced on the way).
    def broken(method: str, path: str, status: int, headers: Dict[str, str], body: bytes) -> Tuple[int, Dict[str, str], bytes]:
        if path.endswith("/manifests/1.1.0"):
            return 200, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}, b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":"nope"}'
        return status, headers, body

    with Proxy(registry.host, after=broken) as proxy:
        with pytest.raises(relman.RegistryProtocol) as err:
            relman.Registry(credentials=None).catalog([f"{proxy.host}/acme/users"])
        assert f"{proxy.host}/acme/users: GET http://{proxy.host}/v2/acme/users/manifests/1.1.0" in str(err.value)

    # A tag deleted between the list and the fetch: left out, the others kept.
    victim = images["docker"]

    def delete_after_list(method: str, path: str, status: int, headers: Dict[str, str], body: bytes) -> Tuple[int, Dict[str, str], bytes]:
        if path.startswith("/v2/acme/users/tags/list"):
            request = urllib.request.Request(f"{registry.url}/v2/acme/users/manifests/{victim.digest}", method="DELETE")
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 202
        return status, headers, body

    with Proxy(registry.host, after=delete_after_list) as proxy:
        catalog = relman.Registry(credentials=None).catalog([f"{proxy.host}/acme/users"])
        assert [i.tag for i in catalog.images(f"{proxy.host}/acme/users")] == ["1.0.0"]
        assert "GET /v2/acme/users/manifests/1.1.0" in proxy.requests


def test_registry_options_are_checked() -> None:
    for bad in ({"credentials": "nope"}, {"credentials": {"token": "a", "docker_config": "b"}}, {"concurrency": 0}, {"timeout": -1.0}):
        with pytest.raises(relman.InvalidArgument):
            relman.Registry(**bad)  # type: ignore[arg-type]
    with pytest.raises(relman.InvalidArgument):
        relman.Registry(credentials=None).catalog(["acme/users:1.0"])
