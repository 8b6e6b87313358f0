"""`relman.Registry` without a registry: its options, and that `catalog` releases the GIL while
it waits (a server on 127.0.0.1 that accepts and never answers). The calls against a real
registry are in examples/e2e/test_registry.py."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Dict, List, Tuple

import pytest

import relman


def test_options_are_checked() -> None:
    # The rules are core's (relman::registry::RegistryOptions::with_*, Credentials::from_argument):
    # each refusal is InvalidArgument with core's message, the argument named as Python spells it.
    bad: List[Tuple[Dict[str, Any], str]] = [
        ({"credentials": "nope"}, 'credentials: "nope" is no credentials name (the only one is "docker-config")'),
        ({"credentials": "anonymous"}, '"anonymous" is no credentials name'),
        ({"credentials": {"token": "a", "docker_config": "b"}}, "exactly one of"),
        ({"credentials": {}}, "not none"),
        ({"credentials": {"user": "a"}}, 'unknown field "user"'),
        ({"credentials": {"token": "a", "username": "u"}}, 'unknown field "username"'),
        ({"concurrency": 0}, "concurrency must be a whole number from 1 to 256, not 0"),
        ({"timeout": -1.0}, "timeout must be a number of seconds >= 0, not -1"),
        ({"timeout": float("inf")}, "timeout must be a number of seconds >= 0"),
        ({"max_age": float("nan")}, "max_age must be a number of seconds >= 0, not NaN"),
        ({"max_age": -0.5}, "max_age must be a number of seconds >= 0"),
    ]
    for options, message in bad:
        with pytest.raises(relman.InvalidArgument) as raised:
            relman.Registry(**options)
        assert message in str(raised.value), (options, str(raised.value))
        assert raised.value.code == "invalid_argument"
    accepted: List[Dict[str, Any]] = [
        {},
        {"credentials": None},
        {"credentials": "docker-config"},
        {"credentials": ("ci", "pw")},
        {"credentials": {"token": "t0k"}},
        {"credentials": {"docker_config": "/nonexistent/config.json"}},
        {"timeout": 0.0, "max_age": 0.0, "concurrency": 1, "retries": 0, "moving_tags": []},
    ]
    for options in accepted:
        assert relman.Registry(**options).requests()["total"] == 0, options
    registry = relman.Registry(credentials=("ci", "pw"), insecure=["registry.local:5000"], concurrency=2, max_age=3600)
    assert registry.requests() == {"tag_lists": 0, "manifests": 0, "blobs": 0, "tokens": 0, "total": 0}
    for name in ("acme/users:1.0", "acme/users@sha256:" + "a" * 64, "Not A Repo"):
        with pytest.raises(relman.InvalidArgument):
            registry.catalog([name])


# The whole-number options (core's relman::arguments::whole_number_from_int and the ranges of
# RegistryOptions): a negative or too large int is InvalidArgument with core's message, never an
# OverflowError or a wrapped value; a bool or a float is a TypeError, as for Python's own counts.
class HugeIndex:
    """An int-like object past i64 (read through its __index__)."""

    def __index__(self) -> int:
        return 2**70


WHOLE_NUMBERS: List[Tuple[str, Any, str]] = [
    ("concurrency", -1, "concurrency must be a whole number from 1 to 256, not -1"),
    ("concurrency", 257, "concurrency must be a whole number from 1 to 256, not 257"),
    ("concurrency", 2**64, "concurrency must be a whole number from 1 to 256, not 18446744073709551616"),
    ("concurrency", -(10**40), "concurrency must be a whole number from 1 to 256, not an integer of 39 digits or more"),
    ("retries", -1, "retries must be a whole number from 0 to 4294967295, not -1"),
    ("retries", 2**32, "retries must be a whole number from 0 to 4294967295, not 4294967296"),
    ("retries", 10**40, "retries must be a whole number from 0 to 4294967295, not an integer of 39 digits or more"),
    ("retries", HugeIndex(), "retries must be a whole number from 0 to 4294967295, not 1180591620717411303424"),
]


@pytest.mark.parametrize("name,value,message", WHOLE_NUMBERS, ids=lambda v: str(v)[:12])
def test_whole_number_options_out_of_range(name: str, value: Any, message: str) -> None:
    with pytest.raises(relman.InvalidArgument) as raised:
        relman.Registry(**{name: value})
    assert raised.value.code == "invalid_argument" and raised.value.message == message


@pytest.mark.parametrize("name", ["concurrency", "retries"])
@pytest.mark.parametrize("value", [1.5, 2.0, float("nan"), float("inf"), True, False, "3", None])
def test_whole_number_options_of_another_type(name: str, value: Any) -> None:
    with pytest.raises(TypeError):
        relman.Registry(**{name: value})


def test_whole_number_options_at_their_bounds() -> None:
    class Index:
        def __index__(self) -> int:
            return 4

    class BigIndex:
        def __index__(self) -> int:
            return 2**32 - 1

    for options in [{"concurrency": 1}, {"concurrency": 256}, {"retries": 0}, {"retries": 2**32 - 1}, {"concurrency": Index()}, {"retries": BigIndex()}]:
        assert relman.Registry(**options).requests()["total"] == 0, options  # type: ignore[arg-type]


def test_unknown_options_are_refused() -> None:
    with pytest.raises(TypeError, match="maxage"):
        relman.Registry(maxage=1)  # type: ignore[call-arg]


def test_catalog_releases_the_gil_while_it_waits() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held: List[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    errors: List[BaseException] = []

    def call() -> None:
        try:
            relman.Registry(credentials=None, timeout=1).catalog([f"127.0.0.1:{server.getsockname()[1]}/acme/users"])
        except relman.RelmanError as err:
            errors.append(err)

    caller = threading.Thread(target=call)
    caller.start()
    spins = 0
    while caller.is_alive():  # pure Python work: runs only while the call does not hold the GIL
        spins += 1
        time.sleep(0.001)
    caller.join()
    stop.set()
    acceptor.join()
    for s in held:
        s.close()
    server.close()
    assert len(errors) == 1 and isinstance(errors[0], relman.RegistryUnavailable), errors
    assert "no answer within 1 s" in str(errors[0])
    assert spins > 50, f"the main thread ran {spins} times during a one-second call"
