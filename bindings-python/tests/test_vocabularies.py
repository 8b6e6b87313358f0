"""The wire strings of the package against core's vocabularies (``relman::wire``, exposed as
``relman._native.vocabularies()``): the exception table has a class for every error code and
no other, and every string ``Literal`` of the stub is exactly one of core's vocabularies."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List

import relman
from relman import _errors, _native

VOCABULARIES: Dict[str, List[str]] = _native.vocabularies()
STUB = Path(__file__).resolve().parent.parent / "python" / "relman" / "_native.pyi"
#: Properties whose value is a wire string: each must be typed with a vocabulary alias.
WIRE_ATTRIBUTES = {"status", "reason", "cause", "kind", "source", "release", "ignore", "versions", "order"}
#: Properties of those names that hold free text, not a code.
FREE_TEXT = {("EnvironmentLock", "reason")}


def test_core_lists_the_vocabularies() -> None:
    assert "ErrorKind" in VOCABULARIES and "invalid_argument" in VOCABULARIES["ErrorKind"]
    assert len(VOCABULARIES) >= 12 and all(VOCABULARIES.values())


def test_every_error_code_has_its_class_and_no_other() -> None:
    codes = set(VOCABULARIES["ErrorKind"])
    missing = sorted(codes - set(_errors._BY_CODE))
    extra = sorted(set(_errors._BY_CODE) - codes)
    assert not missing, f"core error codes without a class in relman/_errors.py: {missing}"
    assert not extra, f"classes in relman/_errors.py for codes core does not have: {extra}"
    for code, cls in _errors._BY_CODE.items():
        assert cls.__name__ in relman.__all__, f"{cls.__name__} ({code}) is not in relman.__all__"
        assert getattr(relman, cls.__name__) is cls


def string_literals(node: ast.AST) -> List[List[str]]:
    """The string values of every ``Literal[...]`` under ``node``."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id == "Literal":
            items = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
            values = [i.value for i in items if isinstance(i, ast.Constant)]
            if any(isinstance(v, str) for v in values):
                found.append([str(v) for v in values])
    return found


def test_stub_literals_are_core_vocabularies() -> None:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    aliases: Dict[str, List[str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            literals = string_literals(stmt.value) if stmt.value is not None else []
            if literals:
                (aliases[stmt.target.id.lstrip("_")],) = literals
    for name, values in aliases.items():
        assert name in VOCABULARIES, f"_native.pyi: _{name} is not a vocabulary of core"
        assert values == VOCABULARIES[name], f"_native.pyi: _{name} differs from core\n{values}\n{VOCABULARIES[name]}"
    exposed = set(VOCABULARIES) - {"ErrorKind"}
    assert exposed <= set(aliases), f"_native.pyi lacks the aliases {sorted(exposed - set(aliases))}"
    # No string Literal outside the aliases, and every wire attribute typed with one.
    inline = [
        values
        for stmt in tree.body
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id.startswith("_"))
        for values in string_literals(stmt)
    ]
    assert not inline, f"_native.pyi: string Literals outside the vocabulary aliases: {inline}"
    for cls in (s for s in tree.body if isinstance(s, ast.ClassDef)):
        for fn in (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name in WIRE_ATTRIBUTES):
            if (cls.name, fn.name) in FREE_TEXT:
                continue
            assert fn.returns is not None
            names = {n.id.lstrip("_") for n in ast.walk(fn.returns) if isinstance(n, ast.Name)}
            assert names & exposed, f"_native.pyi: {cls.name}.{fn.name} is not typed with a vocabulary"


def test_values_at_runtime_come_from_the_vocabularies() -> None:
    slot = relman.list_images("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx}\n")[0]
    assert slot.kind in VOCABULARIES["SlotKind"]
    f = relman.TagFilter.parse("semver:^1")
    assert f.kind in VOCABULARIES["FilterKind"]
    s = relman.select(f, [relman.ImageInfo("2.0.0")])
    assert [r.reason for r in s.rejected] == ["filter_miss"] and "filter_miss" in VOCABULARIES["RejectReason"]
    config = relman.Config.implicit()
    assert config.versions in VOCABULARIES["VersionMode"] and config.environments[0].release in VOCABULARIES["ReleaseMode"]
