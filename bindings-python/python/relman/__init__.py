"""relman: a release manager for Kubernetes config repos.

relman decides which image each service runs in each environment and changes the YAML so that
only the bytes that must change do change: comments, quotes, indentation, flow style, document
markers, BOM, CRLF and a missing final newline all survive an edit, and every edit is verified
by parsing the result again. This package is a thin binding of the Rust library: the same
operations, semantics and error codes as the Rust and Node surfaces.

The quick API works on one YAML text::

    >>> import relman
    >>> text = "kind: Deployment\\nmetadata: {name: users}\\nspec:\\n  template:\\n    spec:\\n      containers:\\n        - {name: app, image: acme/users:1.3.0}\\n"
    >>> relman.list_images(text)[0].image
    'acme/users:1.3.0'
    >>> relman.set_image(text, "deployment/users", "app", "acme/users:1.4.0") == text.replace("1.3.0", "1.4.0")
    True

Releases are planned from a :class:`Snapshot` of the config repo, a :class:`Catalog` of what
the registry offers and the release history (:func:`plan_release`, :func:`plan_automation`),
and committed with :class:`Repository` or your own git. :func:`drift` compares what the cluster
runs (the text ``kubectl get ... -o yaml`` printed) with what the repo says, and
``plan_release(..., image="observed", observed=text)`` adopts it.

Errors are :class:`RelmanError` subclasses with a stable ``code`` and, where known, a
location (``path``, ``line``, ``column``).
"""

from __future__ import annotations

from ._errors import *  # noqa: F403 (the classes; `__all__` below names them)
from ._native import (
    Catalog,
    Config,
    ContainerSkip,
    ContainerUpdate,
    DriftEntry,
    DriftReport,
    Environment,
    EnvironmentLock,
    FileChange,
    ImageInfo,
    ImageRef,
    ImageSlot,
    Policy,
    RecordedChange,
    Rejection,
    ReleasePlan,
    ReleaseRecord,
    Registry,
    History,
    PointerMove,
    Repository,
    Selection,
    Service,
    Snapshot,
    TagFilter,
    WorkloadResult,
    __version__,
    compare,
    drift,
    list_images,
    lock_environment,
    parse_version,
    plan_automation,
    plan_release,
    read_policy,
    select,
    set_image,
    unlock_environment,
    update_policy,
)

__all__ = [
    "__version__",
    # images
    "ImageRef",
    # one manifest at a time
    "ImageSlot",
    "list_images",
    "set_image",
    "update_policy",
    "read_policy",
    # policies and tag filters
    "Policy",
    "TagFilter",
    "Selection",
    "Rejection",
    "select",
    "compare",
    "parse_version",
    # relman.yaml
    "Config",
    "Environment",
    "EnvironmentLock",
    "Service",
    "lock_environment",
    "unlock_environment",
    # releases
    "Snapshot",
    "Catalog",
    "ImageInfo",
    "plan_release",
    "plan_automation",
    "ReleasePlan",
    "WorkloadResult",
    "ContainerUpdate",
    "ContainerSkip",
    "FileChange",
    "ReleaseRecord",
    "History",
    "PointerMove",
    "RecordedChange",
    # drift against the cluster
    "drift",
    "DriftReport",
    "DriftEntry",
    # git
    "Repository",
    # registry
    "Registry",
    # errors
    "RelmanError",
    "InvalidImageReference",
    "InvalidYaml",
    "UnsupportedYaml",
    "DuplicateResource",
    "InvalidPolicy",
    "InvalidCatalog",
    "InvalidFilter",
    "InvalidConfig",
    "InvalidPath",
    "InvalidMarker",
    "IncompleteMarker",
    "InvalidArgument",
    "WorkloadNotFound",
    "ContainerNotFound",
    "GeneratedName",
    "UnknownEnvironment",
    "NotFound",
    "ConflictError",
    "BranchCheckedOut",
    "CorruptRepository",
    "RegistryUnauthorized",
    "RegistryNotFound",
    "RegistryUnavailable",
    "RegistryProtocol",
    "InternalError",
]
