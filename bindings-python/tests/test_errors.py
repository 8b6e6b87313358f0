"""Errors: the class of each stable code, the builtin each derives from, the fields carried
over from core, and the display text."""

from __future__ import annotations

import pickle

import pytest

import relman
from relman import _errors, _native

DEPLOYMENT = "kind: Deployment\nmetadata:\n  name: users\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: acme/users:1.3.0\n"


def builtin_of(code: str) -> type | None:
    """The builtin a code's class also derives from, by the naming rule of the codes: invalid
    input is a ValueError, something missing a LookupError, the rest (conflicts, repository
    and internal failures) neither."""
    if code == "not_found" or code.endswith("_not_found") or code.startswith("unknown_"):
        return LookupError
    if code.split("_")[0] in ("invalid", "unsupported", "duplicate", "incomplete"):
        return ValueError
    return None


#: Every code of core (`relman::wire`, `ErrorKind`) with its class and the builtin it must also be.
CODES = [(code, _errors._BY_CODE.get(code), builtin_of(code)) for code in _native.vocabularies()["ErrorKind"]]


def test_the_code_table_is_core_s() -> None:
    assert len(CODES) >= 20
    assert ("invalid_argument", relman.InvalidArgument, ValueError) in CODES
    assert ("unknown_environment", relman.UnknownEnvironment, LookupError) in CODES
    assert ("conflict", relman.ConflictError, None) in CODES


@pytest.mark.parametrize("code,cls,builtin", CODES, ids=[c[0] for c in CODES])
def test_code_table(code: str, cls: type | None, builtin: type | None) -> None:
    assert cls is not None, f"no class for the code {code!r}: add one to relman/_errors.py"
    assert _errors._BY_CODE[code] is cls
    assert issubclass(cls, relman.RelmanError) and issubclass(cls, Exception)
    if builtin is not None:
        assert issubclass(cls, builtin)
    else:
        assert not issubclass(cls, (ValueError, LookupError))
    assert cls.__module__ == "relman" and cls.__name__ in relman.__all__
    assert cls.__doc__ and code in cls.__doc__
    err = _errors._from_native(code, "boom", f"{code}: boom", None, None, None, None)
    assert type(err) is cls and err.code == code


def test_table_covers_every_class() -> None:
    assert set(_errors._BY_CODE) == {c for c, _, _ in CODES}
    classes = {getattr(relman, n) for n in relman.__all__ if isinstance(getattr(relman, n), type)}
    errors = {c for c in classes if issubclass(c, BaseException)}
    assert errors == {relman.RelmanError} | {cls for _, cls, _ in CODES}


def test_unknown_code_raises_the_base_class() -> None:
    err = _errors._from_native("brand_new", "m", "brand_new: m", "x.yaml", 1, 2, None)
    assert type(err) is relman.RelmanError and err.code == "brand_new" and (err.path, err.line, err.column) == ("x.yaml", 1, 2)


def test_fields_from_core() -> None:
    with pytest.raises(relman.InvalidYaml) as info:
        relman.list_images("a: [1, 2\nb: c\n", path="envs/prod/x.yaml")
    err = info.value
    assert (err.code, err.path, err.line, err.column) == ("invalid_yaml", "envs/prod/x.yaml", 2, 2)
    assert err.message and err.message in str(err)
    assert str(err) == f"invalid_yaml: {err.message} (at envs/prod/x.yaml:2:2)"
    assert isinstance(err, ValueError)

    with pytest.raises(relman.ContainerNotFound) as info2:
        relman.set_image(DEPLOYMENT, "deployment/users", "sidecar", "acme/users:1.4.0")
    nf = info2.value
    assert isinstance(nf, LookupError) and (nf.path, nf.line, nf.column) == (None, None, None)
    assert str(nf) == f"container_not_found: {nf.message}"

    with pytest.raises(relman.InvalidConfig) as info3:
        relman.Config.parse("environments:\n  prod:\n    path: ../prod\n")
    assert (info3.value.path, info3.value.line, info3.value.column) == ("relman.yaml", 3, 11)

    with pytest.raises(relman.WorkloadNotFound):
        relman.read_policy(DEPLOYMENT, "deployment/orders")
    with pytest.raises(LookupError):
        relman.update_policy(DEPLOYMENT, "statefulset/users", add={"automated": "true"})
    with pytest.raises(relman.UnsupportedYaml):
        relman.set_image(DEPLOYMENT.replace("image: acme/users:1.3.0", "image: |\n            acme/users:1.3.0"), "deployment/users", "app", "acme/users:1.4.0")
    with pytest.raises(relman.DuplicateResource):
        relman.list_images(DEPLOYMENT + "---\n" + DEPLOYMENT)
    with pytest.raises(relman.InvalidFilter):
        relman.TagFilter.parse("regex:(")


def test_errors_are_built_and_pickled_like_python_exceptions() -> None:
    err = relman.ConflictError("branch moved", actual_head="a" * 40)
    assert (err.code, err.actual_head, err.line) == ("conflict", "a" * 40, None)
    assert str(err) == "conflict: branch moved"
    located = relman.InvalidYaml("bad", path="x.yaml", line=2, column=3)
    assert str(located) == "invalid_yaml: bad (at x.yaml:2:3)"
    for e in (err, located, relman.RelmanError("plain", code="internal")):
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is type(e) and str(back) == str(e) and back.__dict__ == e.__dict__
    with pytest.raises(relman.RelmanError):
        raise relman.InvalidPath("nope")
