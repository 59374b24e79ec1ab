"""Terraform's kubernetes provider: ``kubernetes_*`` resources read as the Kubernetes objects they
create, and judged by the Kubernetes recognizer's own rules (``providers/kubernetes.py``).

Each resource's HCL — ``metadata { name namespace labels annotations }``, ``data``, ``spec {
template { spec { container { env { value_from { secret_key_ref { … } } } } } } }`` — becomes the
object's plain dict shape: names from snake_case to camelCase, a repeated block (``container``,
``env``, ``volume``, ``rule``, ``subject``) to its list (``containers``, ``env``, ``volumes``,
``rules``, ``subjects``), every path with its line. ``kubernetes_manifest`` already holds the
object in ``manifest``. The records keep the Terraform address (``kubernetes_secret_v1.openai``)
and root module, and a credential is also known by its cluster address (``Secret/ml/openai``): a
Deployment in YAML that reads that Secret is one of its consumers. A ``kubernetes_deployment``
reading a Secret by name names the cluster address too, so it links whether the Secret is written
in YAML or in Terraform.

What is not known before apply stays unknown:

- a name or namespace that references another resource's metadata in the same root module
  (``kubernetes_namespace_v1.ml.metadata[0].name``) is read from that resource; one still
  unknown gives a cluster address nothing in YAML can name;
- labels or annotations not known before apply make the owner, expiry or rotation they could
  state unknown, never missing.

The provider's ``kubernetes_secret`` ``data`` is plain text (``binary_data`` is base64). It is
judged for hardcoded keys as written in the resource (``literal_value``), so a key in a variable
default is reported once, at the variable; env values of containers likewise.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace
from typing import Any

from ...config.settings import Settings
from ...kubernetes.objects import CLUSTER_SCOPED_KINDS, KubeObject, PathKey
from ...model import UNKNOWN, Credential, Expiry, Extraction, Grant, Location, Owner, Rotation, Unknown
from ...terraform.syntax.nodes import Expr, GetAttr, Index, Literal, ObjectExpr, Template, TupleExpr, Variable
from ...terraform.view import BlockView, Resource
from ..common import EXPIRES_KEY, ROTATION_PERIOD_KEY
from ..project import Project
from .manifests import RBAC_GROUP, extract_objects

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
_NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1")
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
_METADATA_MAPS = ("labels", "annotations")


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


def terraform_objects(project: Project) -> list[TerraformObject]:
    """The Kubernetes objects of every ``kubernetes_*`` resource in the scan's root modules,
    computed once per scan (``Project.shared``)."""
    found = project.shared.get("terraform_objects")
    if found is None:
        found = project.shared["terraform_objects"] = _convert_all(project)
    return found


def _convert_all(project: Project) -> list[TerraformObject]:
    found = []
    for module in project.modules:
        resolver = MetadataResolver()
        for resource in module.resources:
            converted = _Converter(resource, resolver).convert()
            if converted is not None:
                body, lines, unknown = converted
                obj = KubeObject.from_body(body, resource.location, lines)
                found.append(TerraformObject(obj, resource.address, resource.resource_type, resource.name, module.directory, unknown))
    return found


def extract(project: Project, settings: Settings) -> Extraction:
    """The Kubernetes recognizer's records for the objects Terraform creates, under their Terraform
    addresses; the scan's YAML objects resolve names (RBAC, ExternalSecret targets) but are
    extracted by the Kubernetes recognizer itself."""
    converted = terraform_objects(project)
    if not converted:
        return Extraction()
    found = extract_objects([t.obj for t in converted], settings, context=project.kube_objects)
    origins = _Origins(converted)
    result = Extraction()
    for credential in found.credentials:
        origin = origins.of(credential.address, credential.location)
        result.credentials.append(_credential(credential, origin, origins, settings))
    for workload in found.workloads:
        origin = origins.of(workload.address, workload.location)
        identity = origins.terraform_address(workload.identity, origin.root_module) if workload.identity else None
        result.workloads.append(
            replace(
                workload, address=origin.address, source_type=origin.resource_type,
                identity=identity, root_module=origin.root_module,
            )
        )
    for usage in found.usages:
        # The credential side keeps its cluster address: the inventory resolves cluster names from
        # any root module, through the aliases of the credential, whether YAML or Terraform defines it.
        origin = origins.of(usage.workload, usage.location)
        result.usages.append(replace(usage, workload=origin.address, root_module=origin.root_module))
    return result


def _credential(credential: Credential, origin: TerraformObject, origins: _Origins, settings: Settings) -> Credential:
    changed: dict[str, Any] = {
        "address": origin.address,
        "source_type": origin.resource_type,
        "root_module": origin.root_module,
        "ai_hints": tuple(dict.fromkeys((*credential.ai_hints, origin.resource_name))),
    }
    if credential.origin == "resource":
        changed["aliases"] = (("", origin.obj.address),)
        if credential.parent:
            changed["parent"] = origins.terraform_address(credential.parent, origin.root_module)
        if credential.scope.grants:
            grants = tuple(origins.terraform_grant(grant, origin.root_module) for grant in credential.scope.grants)
            changed["scope"] = replace(credential.scope, grants=grants)
        changed.update(_unknown_conventions(credential, origin.unknown, settings))
    return replace(credential, **changed)


def _unknown_conventions(credential: Credential, unknown: frozenset[str], settings: Settings) -> dict[str, Any]:
    """Owner, expiry and rotation that labels or annotations not known before apply may state."""
    if not unknown:
        return {}
    owner_keys = [f"{where}:{key.lower()}" for where in _METADATA_MAPS for key in settings.owner_keys]
    changed: dict[str, Any] = {}
    source = "labels or annotations not known before apply"
    if credential.owner.value is None and ({"labels", "annotations", *owner_keys} & unknown):
        changed["owner"] = Owner(UNKNOWN, source)
    if credential.is_identity:
        return changed
    if credential.expiry.lifetime_days is None and {"annotations", f"annotations:{EXPIRES_KEY}"} & unknown:
        changed["expiry"] = Expiry(UNKNOWN, credential.expiry.short_lived, source)
    if credential.rotation.period_days is None and {"annotations", f"annotations:{ROTATION_PERIOD_KEY}"} & unknown:
        changed["rotation"] = Rotation(UNKNOWN, source)
    return changed


class _Origins:
    """Which Terraform resource a record the Kubernetes recognizer made comes from."""

    def __init__(self, converted: list[TerraformObject]) -> None:
        self._by_address: dict[str, list[TerraformObject]] = {}
        for item in converted:
            self._by_address.setdefault(item.obj.address, []).append(item)

    def of(self, address: str, location: Location | None) -> TerraformObject:
        """The object at a cluster address whose block holds ``location`` (two root modules, or
        two provider configurations, may create objects with one cluster address)."""
        candidates = self._by_address[address]
        for item in candidates:
            where = item.obj.location
            if location and where.file == location.file and where.line <= location.line <= where.end_line:
                return item
        return candidates[0]

    def terraform_grant(self, grant: Grant, root_module: str) -> Grant:
        """A grant labelled with the Terraform address of its role (``kubernetes_role_v1.x rule 1``)."""
        role, _, rest = grant.statement.partition(" ")
        named = self.terraform_address(role, root_module)
        return grant if named == role else replace(grant, statement=f"{named} {rest}")

    def terraform_address(self, cluster_address: str, root_module: str) -> str:
        """A cluster address as the Terraform address of the resource that creates it in the same
        root module, else unchanged."""
        for item in self._by_address.get(cluster_address, []):
            if item.root_module == root_module:
                return item.address
        return cluster_address


# --- HCL to the object's dict shape -------------------------------------------------------------


class MetadataResolver:
    """Reads references to another resource's metadata (``kubernetes_namespace_v1.ml.metadata[0].name``,
    a namespace's ``.id``, ``data.`` sources too) from that resource's own block, where Terraform
    would know them only after apply."""

    def __init__(self) -> None:
        self._resolving: set[str] = set()
        self._resources: dict[int, dict[str, Resource]] = {}  # per module instance, by address

    def value(self, view: BlockView, name: str) -> Any:
        attribute = view.attribute(name)
        return self.resolved(view, attribute.expr, view.value(name)) if attribute else None

    def resolved(self, view: BlockView, expr: Expr, value: Any) -> Any:
        """Unknown parts of a value that name another resource's metadata, read from it (inside a
        map or list literal too: ``resource_names = [kubernetes_secret_v1.x.metadata[0].name]``)."""
        if isinstance(value, Unknown):
            referenced = _metadata_reference(expr)
            return self._referenced_metadata(view, *referenced, fallback=value) if referenced else value
        if isinstance(value, dict) and isinstance(expr, ObjectExpr):
            written = {key.value: item for key, item in expr.items if isinstance(key, Literal)}
            return {k: self.resolved(view, written[k], v) if k in written else v for k, v in value.items()}
        if isinstance(value, list) and isinstance(expr, TupleExpr) and len(expr.items) == len(value):
            return [self.resolved(view, item, v) for item, v in zip(expr.items, value, strict=True)]
        return value

    def _referenced_metadata(self, view: BlockView, address: str, field: str, fallback: Unknown) -> Any:
        qualified = view.module.qualify(address)
        module = view.module
        if id(module) not in self._resources:
            self._resources[id(module)] = {r.address: r for r in [*module.resources, *module.data]}
        target = self._resources[id(module)].get(qualified)
        metadata = target.first_block("metadata") if target is not None else None
        if metadata is None or qualified in self._resolving:
            return fallback
        if field == "namespace" and not metadata.has("namespace"):
            return "default"
        self._resolving.add(qualified)
        try:
            return self.value(metadata, field)
        finally:
            self._resolving.discard(qualified)


def resolved_value(view: BlockView, name: str) -> Any:
    """An attribute's value, with references to Kubernetes resources' metadata read from them."""
    return MetadataResolver().value(view, name)


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
        if len(path) == 2 and path[0] == "metadata" and path[1] in _METADATA_MAPS:
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


def _metadata_reference(expr: Expr) -> tuple[str, str] | None:
    """``<type>.<name>.metadata[0].name`` (or ``.namespace``; ``data.`` sources too, and a
    namespace's ``.id``) → the resource address and the metadata field."""
    if isinstance(expr, Template) and len(expr.parts) == 1 and not isinstance(expr.parts[0], str):
        expr = expr.parts[0]
    if not isinstance(expr, GetAttr):
        return None
    if expr.name == "id":
        address = _resource_address(expr.target)
        return (address, "name") if address and address.split(".")[-2] in _NAMESPACE_TYPES else None
    target = expr.target
    if expr.name not in ("name", "namespace") or not isinstance(target, Index):
        return None
    if not (isinstance(target.key, Literal) and target.key.value == 0):
        return None
    metadata = target.target
    if not (isinstance(metadata, GetAttr) and metadata.name == "metadata"):
        return None
    address = _resource_address(metadata.target)
    return (address, expr.name) if address else None


def _resource_address(expr: Expr) -> str | None:
    if not isinstance(expr, GetAttr):
        return None
    parent = expr.target
    if isinstance(parent, Variable) and parent.name.startswith("kubernetes_"):
        return f"{parent.name}.{expr.name}"
    if isinstance(parent, GetAttr) and isinstance(parent.target, Variable) and parent.target.name == "data":
        return f"data.{parent.name}.{expr.name}" if parent.name.startswith("kubernetes_") else None
    return None


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


__all__ = ["KINDS", "MetadataResolver", "TerraformObject", "extract", "resolved_value", "terraform_objects"]
