"""Every public name has a docstring: the functions and classes of ``relman.__all__``, and the
public methods and properties of each class."""

from __future__ import annotations

import inspect

import pytest

import relman

PUBLIC = [n for n in relman.__all__ if n != "__version__"]


def test_the_package_has_a_docstring() -> None:
    assert relman.__doc__ and "relman" in relman.__doc__
    assert relman._native.__doc__


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_docstring(name: str) -> None:
    obj = getattr(relman, name)
    doc = inspect.getdoc(obj)
    assert doc and len(doc) > 20, f"relman.{name} has no docstring"
    if inspect.isclass(obj) and not issubclass(obj, BaseException):
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            assert inspect.getdoc(value), f"relman.{name}.{attr} has no docstring"


def test_docstring_examples_run() -> None:
    """The ``>>>`` examples of the package and its classes are doctests."""
    import doctest

    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs = {name: getattr(relman, name) for name in relman.__all__}
    globs["relman"] = relman
    examples = 0
    for obj in [relman, *(getattr(relman, n) for n in PUBLIC)]:
        for test in finder.find(obj, name=getattr(obj, "__name__", "relman"), globs=dict(globs)):
            examples += len(test.examples)
            runner.run(test)
    assert examples >= 4
    assert runner.summarize(verbose=False).failed == 0
