"""References from one Terraform resource to a Kubernetes resource's metadata
(``kubernetes_namespace_v1.ml.metadata[0].name``), read from that resource's own block: Terraform
would know them only after apply, but the block states them. Both the conversion of
``kubernetes_*`` resources to objects and Vault's Kubernetes auth roles (the ServiceAccounts a
role admits) read names this way."""

from __future__ import annotations

from typing import Any

from ...model import Unknown
from ...terraform.syntax.nodes import Expr, GetAttr, Index, Literal, ObjectExpr, Template, TupleExpr, Variable
from ...terraform.view import BlockView, Resource

_NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1")


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
