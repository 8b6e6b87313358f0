"""relman's exceptions: one base class, one subclass per stable error code.

Every error raised by relman is a :class:`RelmanError` carrying the stable snake_case
``code`` (the same on the Rust, Python and Node surfaces), the human ``message`` and, where
known, the location (``path``, ``line``, ``column``; ``None`` when unknown). Subclasses for
invalid input also derive from :class:`ValueError`, the not-found ones from
:class:`LookupError`, so ``except ValueError`` works as a Python user expects.

Each subclass registers itself in ``_BY_CODE`` (code to class) by its ``default_code``;
``tests/test_vocabularies.py`` checks that table against core's error codes
(``_native.vocabularies()["ErrorKind"]``), so a new code in core fails until it has a class
here (and a name in ``relman.__all__``). A code without a class (a newer core) raises the
base class, with its code.
"""

from __future__ import annotations

from typing import Any as _Any, Dict as _Dict, Optional as _Opt, Tuple as _Tuple, Type as _Type

#: The exception class of each stable code, filled as the classes are defined.
_BY_CODE: _Dict[str, _Type[RelmanError]] = {}


def _restore(cls: _Type[RelmanError], args: _Tuple[_Any, ...], state: _Dict[str, _Any]) -> RelmanError:
    """Rebuild a pickled error without calling ``__init__``."""
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class RelmanError(Exception):
    """Base class of every error relman raises.

    ``str(err)`` is the full text, ``"<code>: <message> (at <path>:<line>:<column>)"``.

    Attributes:
        code: the stable snake_case code, such as ``"invalid_yaml"``.
        message: the human-readable message, without code or location.
        path: the file the error is about, or ``None``.
        line: the 1-based line of the offending node, or ``None``.
        column: the 1-based column (in characters), or ``None``.
    """

    #: The code of this class (instances carry theirs in ``code``).
    default_code = "internal"

    code: str
    message: str
    path: _Opt[str]
    line: _Opt[int]
    column: _Opt[int]

    def __init__(
        self,
        message: str,
        *,
        code: _Opt[str] = None,
        path: _Opt[str] = None,
        line: _Opt[int] = None,
        column: _Opt[int] = None,
    ) -> None:
        self.code = code if code is not None else type(self).default_code
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(_display(self.code, message, path, line, column))

    def __init_subclass__(cls, **kwargs: _Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__module__ = "relman"
        _BY_CODE[cls.default_code] = cls

    def __reduce__(self) -> _Tuple[_Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _display(code: str, message: str, path: _Opt[str], line: _Opt[int], column: _Opt[int]) -> str:
    """The text core displays for an error built from Python."""
    out = f"{code}: {message}"
    if line is not None:
        where = f"{path}:{line}:{column}" if path is not None else f"line {line}, column {column}"
        out += f" (at {where})"
    elif path is not None:
        out += f" (in {path})"
    return out


class InvalidImageReference(RelmanError, ValueError):
    """A string is not a valid image reference (``invalid_image_reference``)."""

    default_code = "invalid_image_reference"


class InvalidYaml(RelmanError, ValueError):
    """The text is not valid YAML, or YAML relman cannot interpret safely, such as a Helm
    template or a duplicated key on the path of an edit (``invalid_yaml``)."""

    default_code = "invalid_yaml"


class UnsupportedYaml(RelmanError, ValueError):
    """The edit would touch a construct relman refuses to rewrite: an alias, an anchor used
    elsewhere, a block scalar (``unsupported_yaml``)."""

    default_code = "unsupported_yaml"


class DuplicateResource(RelmanError, ValueError):
    """Two workloads with the same ``namespace:kind/name`` id (``duplicate_resource``)."""

    default_code = "duplicate_resource"


class InvalidPolicy(RelmanError, ValueError):
    """A policy name relman does not know, or a value the policy cannot hold: a
    ``locked_until`` that is not an RFC 3339 time, a container name an annotation key cannot
    hold (``invalid_policy``)."""

    default_code = "invalid_policy"


class InvalidCatalog(RelmanError, ValueError):
    """A catalog entry with an invalid repository, tag, digest or time (``invalid_catalog``)."""

    default_code = "invalid_catalog"


class InvalidFilter(RelmanError, ValueError):
    """A tag filter that does not parse (``invalid_filter``)."""

    default_code = "invalid_filter"


class InvalidConfig(RelmanError, ValueError):
    """``relman.yaml`` is malformed (``invalid_config``), located at ``relman.yaml:LINE:COL``."""

    default_code = "invalid_config"


class InvalidPath(RelmanError, ValueError):
    """A path that is absolute, escapes the repository or is otherwise unusable
    (``invalid_path``)."""

    default_code = "invalid_path"


class InvalidMarker(RelmanError, ValueError):
    """A Flux setter marker (``# {"$imagepolicy": "ns:name"}``) that does not parse
    (``invalid_marker``)."""

    default_code = "invalid_marker"


class IncompleteMarker(RelmanError, ValueError):
    """A Flux setter-marker slot whose markers do not hold every part of the reference to write:
    no ``:name`` marker (only ``:tag`` or ``:digest``), or a tag or digest no marker holds
    (``incomplete_marker``). Located at the slot's first marker comment."""

    default_code = "incomplete_marker"


class InvalidArgument(RelmanError, ValueError):
    """A malformed argument: an author, a branch name, a commit id, a time, a user or lock value
    holding a control, line-break or separator character (``invalid_argument``)."""

    default_code = "invalid_argument"


class WorkloadNotFound(RelmanError, LookupError):
    """The named workload is not in the text (``workload_not_found``)."""

    default_code = "workload_not_found"


class ContainerNotFound(RelmanError, LookupError):
    """The workload has no container (or image slot) of that name (``container_not_found``)."""

    default_code = "container_not_found"


class GeneratedName(RelmanError):
    """The workload has only ``metadata.generateName``: each apply creates a new object, so it
    has no stable id to edit or release (``generated_name``). Located at the generateName."""

    default_code = "generated_name"


class UnknownEnvironment(RelmanError, LookupError):
    """An environment ``relman.yaml`` does not define (``unknown_environment``)."""

    default_code = "unknown_environment"


class NotFound(RelmanError, LookupError):
    """A revision, branch or object that does not exist (``not_found``)."""

    default_code = "not_found"


class ConflictError(RelmanError):
    """The branch moved while a commit was being made (``conflict``): re-plan on
    ``actual_head`` and try again (:meth:`Repository.release_with_retry` does this loop).

    Attributes:
        actual_head: the commit the branch actually points at, or ``None``.
    """

    default_code = "conflict"

    actual_head: _Opt[str]

    def __init__(
        self,
        message: str,
        *,
        code: _Opt[str] = None,
        path: _Opt[str] = None,
        line: _Opt[int] = None,
        column: _Opt[int] = None,
        actual_head: _Opt[str] = None,
    ) -> None:
        super().__init__(message, code=code, path=path, line=line, column=column)
        self.actual_head = actual_head


class BranchCheckedOut(RelmanError):
    """The branch is checked out in a non-bare work tree (``branch_checked_out``): use a bare
    clone, or apply ``plan.changes`` with your own git."""

    default_code = "branch_checked_out"


class CorruptRepository(RelmanError):
    """The repository cannot be read or written: a corrupt or missing object, an unreadable
    reference, an I/O failure (``corrupt_repository``)."""

    default_code = "corrupt_repository"


class RegistryUnauthorized(RelmanError):
    """A registry refused the credentials, asked for credentials none are configured for, or
    its token service refused them; or the Docker config cannot be read
    (``registry_unauthorized``). The message names the repository and the URL."""

    default_code = "registry_unauthorized"


class RegistryNotFound(RelmanError, LookupError):
    """A registry does not have the repository (``registry_not_found``)."""

    default_code = "registry_not_found"


class RegistryUnavailable(RelmanError):
    """A registry did not answer in time, could not be reached, or kept answering ``429`` or
    ``5xx`` after the retries (``registry_unavailable``)."""

    default_code = "registry_unavailable"


class RegistryProtocol(RelmanError):
    """A registry answered outside the API: a malformed tag list, manifest or config, a digest
    that does not match the bytes, an answer past its size bound (``registry_protocol``)."""

    default_code = "registry_protocol"


class InternalError(RelmanError):
    """A bug in relman, such as an edit that failed its own verification (``internal``)."""

    default_code = "internal"


RelmanError.__module__ = "relman"


def _from_native(
    code: str,
    message: str,
    display: str,
    path: _Opt[str],
    line: _Opt[int],
    column: _Opt[int],
    actual_head: _Opt[str],
) -> RelmanError:
    """The exception for an error of the native module (called from Rust)."""
    cls = _BY_CODE.get(code, RelmanError)
    if cls is ConflictError:
        err: RelmanError = ConflictError(message, code=code, path=path, line=line, column=column, actual_head=actual_head)
    else:
        err = cls(message, code=code, path=path, line=line, column=column)
    err.args = (display,)
    return err
