"""Terraform's ``kubernetes_*`` resources as the Kubernetes objects they create.

Each resource's HCL — ``metadata { name namespace labels annotations }``, ``data``, ``spec {
template { spec { container { env { value_from { secret_key_ref { … } } } } } } }`` — becomes the
object's plain dict shape: names from snake_case to camelCase, a repeated block (``container``,
``env``, ``volume``, ``rule``, ``subject``) to its list (``containers``, ``env``, ``volumes``,
``rules``, ``subjects``), every path with its line. ``kubernetes_manifest`` already holds the
object in ``manifest``; ``kubectl_manifest`` holds it as YAML text in ``yaml_body`` (yaml_body.py).

What is not known before apply stays unknown: a name or namespace that references another
resource's metadata is read from that resource (metadata.py), one still unknown gets a stand-in
no YAML object can have; unknown labels or annotations are left out and remembered
(``TerraformObject.unknown``). The provider's ``kubernetes_secret`` ``data`` is plain text
(``binary_data`` is base64); values are taken as written in the resource (``literal_value``), so a
key in a variable default is reported once, at the variable; env values of containers likewise.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...kubernetes.objects import CLUSTER_SCOPED_KINDS, KubeObject, PathKey
from ...model import Unknown
from ...terraform.module import Module
from ...terraform.syntax.nodes import Expr, Literal, ObjectExpr, TupleExpr
from ...terraform.view import BlockView, Resource
from ..common.links import held_credentials
from .metadata import MetadataResolver
from .vocabulary import RBAC_GROUP
from .yaml_body import KUBECTL_MANIFEST, yaml_body_object

_RBAC = f"{RBAC_GROUP}/v1"
#: Resource type (without its ``_v1`` suffix) → the object's apiVersion and kind.
KINDS: dict[str, tuple[str, str]] = {
    "kubernetes_secret": ("v1", "Secret"),
    "kubernetes_service_account": ("v1", "ServiceAccount"),
    "kubernetes_pod": ("v1", "Pod"),
    "kubernetes_replication_controller": ("v1", "ReplicationController"),
    "kubernetes_deployment": ("apps/v1", "Deployment"),
    "kubernetes_stateful_set": ("apps/v1", "StatefulSet"),
    "kubernetes_daemonset": ("apps/v1", "DaemonSet"),
    "kubernetes_daemon_set": ("apps/v1", "DaemonSet"),
    "kubernetes_job": ("batch/v1", "Job"),
    "kubernetes_cron_job": ("batch/v1", "CronJob"),
    "kubernetes_role": (_RBAC, "Role"),
    "kubernetes_cluster_role": (_RBAC, "ClusterRole"),
    "kubernetes_role_binding": (_RBAC, "RoleBinding"),
    "kubernetes_cluster_role_binding": (_RBAC, "ClusterRoleBinding"),
}
MANIFEST = "kubernetes_manifest"
_VERSION_SUFFIX = re.compile(r"_v\d+$")

#: Repeated blocks and the list they make. ``secret`` is a list (``secrets``) only at the top of a
#: ServiceAccount; in a volume or a projected source it is one object.
_LIST_BLOCKS = {
    "container": "containers", "init_container": "initContainers", "volume": "volumes",
    "volume_mount": "volumeMounts", "port": "ports", "env": "env", "env_from": "envFrom",
    "rule": "rules", "subject": "subjects", "sources": "sources", "items": "items",
    "toleration": "tolerations", "image_pull_secrets": "imagePullSecrets", "host_aliases": "hostAliases",
}
_TOP_LIST_BLOCKS = {"secret": "secrets", "image_pull_secret": "imagePullSecrets"}
_CAMEL_EXCEPTIONS = {"non_resource_urls": "nonResourceURLs"}
#: The metadata maps whose unknown keys a converted object remembers.
METADATA_MAPS = ("labels", "annotations")


@dataclass(frozen=True)
class TerraformObject:
    """A Kubernetes object a Terraform resource creates, and which resource (by name only: the
    module trees are released once extracted, these records outlive them)."""

    obj: KubeObject
    address: str
    resource_type: str
    resource_name: str
    root_module: str
    #: Label and annotation maps (``labels``) or keys (``annotations:owner``) not known before apply.
    unknown: frozenset[str]
    #: Resources a Secret's ``data`` / ``binary_data`` is written from (``aws_iam_access_key.x.secret``).
    holds: tuple[str, ...] = ()



def convert_all(modules: Iterable[Module]) -> list[TerraformObject]:
    """The Kubernetes objects of every ``kubernetes_*`` resource in ``modules``, read while their
    syntax trees are loaded: the records outlive the trees."""
    found = []
    for module in modules:
        resolver = MetadataResolver()
        for resource in module.resources:
            converted = _Converter(resource, resolver).convert()
            if converted is not None:
                body, lines, unknown = converted
                obj = KubeObject.from_body(body, resource.location, lines)
                held = held_credentials(resource, "data", "binary_data") if obj.kind == "Secret" and resource.resource_type != MANIFEST else ()
                found.append(TerraformObject(obj, resource.address, resource.resource_type, resource.name, module.directory, unknown, held))
    return found


class _Converter:
    def __init__(self, resource: Resource, resolver: MetadataResolver) -> None:
        self.resource = resource
        self.resolver = resolver
        self.lines: dict[PathKey, int] = {}
        self.unknown: set[str] = set()

    def convert(self) -> tuple[dict[str, Any], dict[PathKey, int], frozenset[str]] | None:
        resource_type = self.resource.resource_type
        if resource_type == MANIFEST:
            body = self._manifest()
        elif resource_type == KUBECTL_MANIFEST:
            body = self._yaml_body()
        elif _VERSION_SUFFIX.sub("", resource_type) in KINDS:
            api_version, kind = KINDS[_VERSION_SUFFIX.sub("", resource_type)]
            body = {"apiVersion": api_version, "kind": kind, **self._block(self.resource, ())}
            if kind == "Secret":
                self._secret_data(body)
        else:
            return None
        if body is None:
            return None
        self._identify(body)
        return body, self.lines, frozenset(self.unknown)

    def _block(self, view: BlockView, path: PathKey) -> dict[str, Any]:
        """A block as the object's mapping. A plan (``terraform show -json``) gives nested blocks
        both as an attribute holding a list of objects and as blocks: the blocks are read. A map
        attribute (``labels``, ``data``) is the value, whatever blocks a plan makes of it."""
        result: dict[str, Any] = {}
        block_types = _block_types(view)
        attributes = view.block.body.attributes
        maps = {name for name in attributes if name in block_types and isinstance(view.value(name), dict)}
        for name, attribute in attributes.items():
            if name in block_types and name not in maps:
                continue
            key = _camel(name)
            in_env = len(path) >= 2 and path[-2] == "env"
            value = view.literal_value(name) if in_env and name == "value" else self._value(view, name)
            self.lines[path + (key,)] = attribute.line
            self._expression_lines(attribute.expr, path + (key,))
            result[key] = self._plain(value, path + (key,))
        for block_type in block_types:
            if block_type in maps:
                continue
            blocks = view.blocks(block_type)
            listed = _TOP_LIST_BLOCKS.get(block_type) if not path else None
            listed = listed or _LIST_BLOCKS.get(block_type)
            if listed:
                self.lines[path + (listed,)] = blocks[0].block.line
                items = []
                for position, block in enumerate(blocks):
                    self.lines[path + (listed, position)] = block.block.line
                    items.append(self._block(block, path + (listed, position)))
                result[listed] = items
            elif blocks:
                key = _camel(block_type)
                self.lines[path + (key,)] = blocks[0].block.line
                result[key] = self._block(blocks[0], path + (key,))
        return result

    def _manifest(self) -> dict[str, Any] | None:
        value = self.resource.value("manifest")
        if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("apiVersion", "kind")):
            return None
        attribute = self.resource.attribute("manifest")
        if attribute is not None:
            self._expression_lines(attribute.expr, ())
        body = _with_literals(value, self.resource.literal_value("manifest"), ())
        return self._plain(body, ())

    def _yaml_body(self) -> dict[str, Any] | None:
        read = yaml_body_object(self.resource)
        if read is None:
            return None
        self.lines.update(read[1])
        return read[0]

    def _secret_data(self, body: dict[str, Any]) -> None:
        """The keys of ``data`` and ``binary_data`` as evaluated, their values as written in the
        resource. The provider's ``data`` is plain text: encoded here as the API server stores it,
        so the Kubernetes rules read it exactly as they read a manifest's ``data``."""
        data: dict[str, Any] = {}
        written = {key_name: body.pop(key_name, None) for key_name in ("binaryData", "data")}
        for attribute, key_name, encode in (("binary_data", "binaryData", False), ("data", "data", True)):
            keys = written[key_name]
            literal = self.resource.literal_value(attribute)
            for key in keys if isinstance(keys, dict) else {}:
                value = literal.get(key) if isinstance(literal, dict) else None
                if encode and isinstance(value, str):
                    value = base64.b64encode(value.encode("utf-8")).decode("ascii")
                data[key] = value if isinstance(value, str) else None
                line = self.lines.get((key_name, key)) or self.lines.get((key_name,))
                if line:
                    self.lines[("data", key)] = line
            if keys is not None:
                body["data"] = data

    def _identify(self, body: dict[str, Any]) -> None:
        """An unknown name or namespace becomes a name no YAML object can have; two resources that
        take it from the same reference in one root module still share it."""
        metadata = body.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            body["metadata"] = metadata = {}
        for field in ("name", "namespace"):
            value = metadata.get(field)
            if isinstance(value, _Unresolved):
                metadata[field] = value.text
        if body.get("kind") in CLUSTER_SCOPED_KINDS:
            metadata.pop("namespace", None)

    # -- values --------------------------------------------------------------------------------

    def _value(self, view: BlockView, name: str) -> Any:
        return self.resolver.value(view, name)

    def _plain(self, value: Any, path: PathKey) -> Any:
        """Unknown parts as the Kubernetes rules can read them: an unknown label or annotation is
        left out and remembered; an unknown name or namespace of the object gets a stand-in; any
        other unknown value is None (not a string: never judged, never linked)."""
        if path in (("metadata", "name"), ("metadata", "namespace")) and isinstance(value, Unknown):
            return _Unresolved(self._stand_in(value))
        if len(path) == 2 and path[0] == "metadata" and path[1] in METADATA_MAPS:
            if isinstance(value, Unknown):
                self.unknown.add(path[1])
                return {}
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, Unknown):
                        self.unknown.add(f"{path[1]}:{str(key).lower()}")
                return {k: v for k, v in value.items() if not isinstance(v, Unknown)}
        if isinstance(value, Unknown):
            return None
        if isinstance(value, dict):
            return {k: self._plain(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._plain(v, path + (i,)) for i, v in enumerate(value)]
        return value

    def _stand_in(self, value: Unknown) -> str:
        module = self.resource.module
        refs = ",".join(sorted(value.refs)) or self.resource.address
        return f"<unknown {module.directory}:{refs}>"

    def _expression_lines(self, expr: Expr, path: PathKey) -> None:
        """Lines of the keys and items written inside a map or list literal."""
        if isinstance(expr, ObjectExpr):
            lines = expr.item_lines or tuple(expr.line for _ in expr.items)
            for (key, value), line in zip(expr.items, lines, strict=True):
                if isinstance(key, Literal) and isinstance(key.value, str):
                    self.lines[path + (key.value,)] = line
                    self._expression_lines(value, path + (key.value,))
        elif isinstance(expr, TupleExpr):
            for position, item in enumerate(expr.items):
                self.lines[path + (position,)] = item.line
                self._expression_lines(item, path + (position,))


@dataclass(frozen=True)
class _Unresolved:
    """An object name or namespace not known before apply, until it gets its stand-in text."""

    text: str


def _block_types(view: BlockView) -> list[str]:
    """Nested block types in the order written, ``dynamic "x"`` blocks counted as ``x``."""
    types = (block.labels[0] if block.type == "dynamic" and block.labels else block.type for block in view.block.body.blocks)
    return list(dict.fromkeys(types))


def _camel(name: str) -> str:
    if name in _CAMEL_EXCEPTIONS:
        return _CAMEL_EXCEPTIONS[name]
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)



def _with_literals(value: Any, literal: Any, path: PathKey) -> Any:
    """A manifest whose secret values (``data``, ``stringData``, container ``env`` values) are only
    what is written in the resource itself."""
    if isinstance(value, dict):
        literal_map = literal if isinstance(literal, dict) else {}
        result = {}
        for key, item in value.items():
            secret_value = (len(path) == 1 and path[0] in ("data", "stringData")) or (
                key == "value" and len(path) >= 2 and path[-2] == "env"
            )
            result[key] = literal_map.get(key) if secret_value else _with_literals(item, literal_map.get(key), path + (key,))
        return result
    if isinstance(value, list):
        literal_list = literal if isinstance(literal, list) else []
        return [
            _with_literals(item, literal_list[i] if i < len(literal_list) else None, path + (i,))
            for i, item in enumerate(value)
        ]
    return value
