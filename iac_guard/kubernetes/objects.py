"""One Kubernetes object as the recognizer sees it: the plain document, its address and its lines.

Nothing here is YAML-specific. The YAML loader builds these from manifests, and anything else that
can produce the plain dict shape of an object (a Terraform ``kubernetes_secret`` converted to its
manifest form) builds them the same way, through :meth:`KubeObject.from_body`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..model import Location

PathKey = tuple[str | int, ...]

#: Kinds that live outside any namespace. Their address is ``Kind/name``; every other kind is
#: namespaced and defaults to ``default``, as ``kubectl apply`` would place it.
CLUSTER_SCOPED_KINDS: frozenset[str] = frozenset(
    {
        "APIService", "CertificateSigningRequest", "ClusterExternalSecret", "ClusterIssuer",
        "ClusterRole", "ClusterRoleBinding", "ClusterSecretStore", "ComponentStatus", "CSIDriver",
        "CSINode", "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingWebhookConfiguration",
        "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy", "PriorityClass",
        "PriorityLevelConfiguration", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
    }
)


@dataclass(frozen=True)
class KubeObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None  # None for cluster-scoped kinds
    body: dict[str, Any] = field(hash=False)
    location: Location
    #: Path inside ``body`` (keys and list positions) → 1-based line. Mapping entries point at
    #: their key's line, list items at the item's first line.
    _lines: Mapping[PathKey, int] = field(default_factory=dict, repr=False, compare=False, hash=False)
    #: Paths whose value is written in another file (kustomize: a label from the kustomization, a
    #: generated Secret's value from its ``.env`` file, a field a patch file set) → that place.
    elsewhere: Mapping[PathKey, Location] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @classmethod
    def from_body(cls, body: dict[str, Any], location: Location, lines: Mapping[PathKey, int]) -> KubeObject:
        """Builds an object from a document that has a string ``apiVersion`` and ``kind``."""
        metadata = body.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        kind = body["kind"]
        return cls(
            api_version=body["apiVersion"],
            kind=kind,
            name=scalar_text(metadata.get("name") or metadata.get("generateName")),
            namespace=None if kind in CLUSTER_SCOPED_KINDS else (scalar_text(metadata.get("namespace")) or "default"),
            body=body,
            location=location,
            _lines=shared_lines(lines),
        )

    def rebuilt(self, body: dict[str, Any], written: Mapping[PathKey, Location]) -> KubeObject:
        """A changed copy, for kustomize's transformations: name and namespace follow the new
        body, the lines stay, and ``written`` says where the values it added were written."""
        return replace(KubeObject.from_body(body, self.location, self._lines), elsewhere={**self.elsewhere, **written})

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled (from the parse cache or a worker): its line map shares paths again."""
        state["_lines"] = shared_lines(state.get("_lines", {}))
        self.__dict__.update(state)

    @cached_property
    def address(self) -> str:
        """``Kind/namespace/name``, or ``Kind/name`` for a cluster-scoped kind (the report's resource).
        Kept once computed: recognizers index and sort tens of thousands of objects by it."""
        if self.namespace is None:
            return f"{self.kind}/{self.name}"
        return f"{self.kind}/{self.namespace}/{self.name}"

    @cached_property
    def api_group(self) -> str:
        """``apps/v1`` → ``apps``; ``v1`` (the core group) → ``""``."""
        return self.api_version.rpartition("/")[0]

    @property
    def metadata(self) -> dict[str, Any]:
        metadata = self.body.get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    @property
    def labels(self) -> dict[str, str]:
        return string_map(self.metadata.get("labels"))

    @property
    def annotations(self) -> dict[str, str]:
        return string_map(self.metadata.get("annotations"))

    @property
    def lines(self) -> Mapping[PathKey, int]:
        """The line map, for transformations that build a changed copy of the object (kustomize)."""
        return self._lines

    def line_of(self, *path: str | int) -> int:
        """Line in this object's file of the deepest part of ``path`` that exists there, so
        evidence points as close as it can (``location_of`` also knows values written elsewhere)."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return self.location.line

    def location_of(self, *path: str | int) -> Location:
        """A one-line location for evidence inside the object: in its own file, or where the
        deepest known part of ``path`` was written when that is another file."""
        if self.elsewhere:
            for end in range(len(path), 0, -1):
                written = self.elsewhere.get(path[:end])
                if written is not None:
                    return written
                if path[:end] in self._lines:
                    break
        line = self.line_of(*path)
        return Location(self.location.file, line, line)


#: One tuple per distinct path and one int per line number, for every object of the process.
#: A large scan holds hundreds of thousands of line entries, mostly the same few thousand paths
#: (``("spec", "template", "spec", "containers", 0, "env")``…): shared, the line maps take a
#: third of the memory. Bounded, so input made of unique keys cannot grow it without limit.
_SHARED: dict[Any, Any] = {}
_SHARED_LIMIT = 1 << 18


def shared_lines(lines: Mapping[PathKey, int]) -> dict[PathKey, int]:
    return {_shared(path): _shared(line) for path, line in lines.items()}


def _shared(value: Any) -> Any:
    found = _SHARED.get(value)
    if found is not None:
        return found
    if len(_SHARED) < _SHARED_LIMIT:
        _SHARED[value] = value
    return value


def string_map(value: Any) -> dict[str, str]:
    """Labels or annotations as strings.

    The API server only accepts string values; YAML may still hand us ``true`` or ``30`` for them,
    and an empty value (``owner:``) arrives as None. Those become their text and ``""`` so that a
    present-but-empty key stays distinguishable from a missing one. Nested values are dropped.
    """
    if not isinstance(value, dict):
        return {}
    return {str(key): scalar_text(item) for key, item in value.items() if not isinstance(item, (dict, list))}


def scalar_text(value: Any) -> str:
    """A scalar as Kubernetes would read it from YAML (``true``, not ``True``; None as empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
