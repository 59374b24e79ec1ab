"""RBAC: the grants of every ServiceAccount a RoleBinding or ClusterRoleBinding names, one per
rule of the bound role, and the built-in roles that grant too much when the scan lacks them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...kubernetes.objects import KubeObject, scalar_text
from ...model import Grant, Location
from ..common.identity_names import kubernetes_service_account
from .shapes import indexed_dicts, mapping, strings
from .vocabulary import RBAC_GROUP


def rbac_grants(objects: list[KubeObject]) -> dict[str, tuple[Grant, ...]]:
    """The grants of every ServiceAccount a RoleBinding or ClusterRoleBinding names."""
    roles: dict[str, KubeObject] = {}
    for obj in objects:
        if obj.api_group == RBAC_GROUP and obj.kind in ("Role", "ClusterRole"):
            roles.setdefault(obj.address, obj)
    grants: dict[str, list[Grant]] = {}
    for binding in objects:
        if is_binding(binding):
            bound = _binding_grants(binding, roles)
            for account, _ in bound_service_accounts(binding):
                grants.setdefault(account, []).extend(bound)
    return {account: tuple(dict.fromkeys(found)) for account, found in grants.items()}


def _binding_grants(binding: KubeObject, roles: dict[str, KubeObject]) -> list[Grant]:
    """One grant per rule of the bound role. A built-in role that grants too much and is not in the
    scan (cluster-admin, or admin/edit cluster-wide) still gives a grant naming why."""
    ref = mapping(binding.body.get("roleRef"))
    name = scalar_text(ref.get("name"))
    cluster_role = ref.get("kind") == "ClusterRole"
    role_address = f"ClusterRole/{name}" if cluster_role else f"Role/{binding.namespace}/{name}"
    reason = _built_in_reason(binding.kind, name) if cluster_role else None
    role = roles.get(role_address)
    if role is not None:
        return [_rule_grant(role, position, rule, reason) for position, rule in indexed_dicts(role.body.get("rules"))]
    if reason is None:
        return []
    location = binding.location_of("roleRef")
    return [Grant(f"{role_address} (built-in)", resources=("*",), wildcard_reasons=(reason,), location=location)]


def _built_in_reason(binding_kind: str, cluster_role: str) -> str | None:
    if cluster_role == "cluster-admin":
        return "bound to cluster-admin"
    if cluster_role in ("admin", "edit") and binding_kind == "ClusterRoleBinding":
        return f"bound cluster-wide to {cluster_role}"
    return None


def _rule_grant(role: KubeObject, position: int, rule: dict[str, Any], binding_reason: str | None) -> Grant:
    """A PolicyRule as a grant: actions ``<apiGroup>/<resource>:<verb>`` (core group as ``core``)."""
    fields = ("apiGroups", "resources", "verbs", "nonResourceURLs")
    groups, resources, verbs, urls = (strings(rule.get(key)) for key in fields)
    actions = [f"{group or 'core'}/{resource}:{verb}" for group in groups for resource in resources for verb in verbs]
    actions += [f"{url}:{verb}" for url in urls for verb in verbs]
    named = {"verbs": verbs, "resources": resources, "apiGroups": groups, "nonResourceURLs": urls}
    reasons = [f"'*' in {field}" for field, values in named.items() if any("*" in value for value in values)]
    if binding_reason:
        reasons.append(binding_reason)
    return Grant(
        statement=f"{role.address} rule {position + 1}",
        actions=tuple(actions),
        resources=tuple(strings(rule.get("resourceNames"))) or ("*",),
        wildcard_reasons=tuple(reasons),
        location=role.location_of("rules", position),
    )


def bound_service_accounts(binding: KubeObject) -> Iterator[tuple[str, Location]]:
    """The ServiceAccounts a binding's subjects name, with where each is named."""
    for position, subject in indexed_dicts(binding.body.get("subjects")):
        name = subject.get("name")
        if subject.get("kind") == "ServiceAccount" and isinstance(name, str):
            namespace = scalar_text(subject.get("namespace")) or binding.namespace or "default"
            yield kubernetes_service_account(namespace, name), binding.location_of("subjects", position)


def is_binding(obj: KubeObject) -> bool:
    return obj.api_group == RBAC_GROUP and obj.kind in ("RoleBinding", "ClusterRoleBinding")


def first_wildcard(grants: tuple[Grant, ...]) -> Location | None:
    """Where the first wildcard rule is written (often another file than the ServiceAccount)."""
    return next((g.location for g in grants if g.wildcard_reasons and g.location is not None), None)
