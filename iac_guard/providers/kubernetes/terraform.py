"""Terraform's kubernetes provider: the objects ``kubernetes_*`` resources create (convert.py),
judged by the Kubernetes recognizer's own rules (manifests.py) and recorded under their
Terraform addresses.

The records keep the Terraform address (``kubernetes_secret_v1.openai``) and root module, and a
credential is also known by its cluster address (``Secret/ml/openai``): a Deployment in YAML that
reads that Secret is one of its consumers. A ``kubernetes_deployment`` reading a Secret by name
names the cluster address too, so it links whether the Secret is written in YAML or in Terraform.
Labels or annotations not known before apply make the owner, expiry or rotation they could state
unknown, never missing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...config.settings import Settings
from ...model import UNKNOWN, Credential, Expiry, Extraction, Grant, Location, Owner, Rotation
from ..cluster import ClusterContext
from .convert import METADATA_MAPS, TerraformObject
from .manifests import extract_objects
from .vocabulary import EXPIRES_ANNOTATION, ROTATION_ANNOTATION


def extract(cluster: ClusterContext, settings: Settings) -> Extraction:
    """The Kubernetes recognizer's records for the objects Terraform creates, under their Terraform
    addresses; the scan's YAML objects resolve names (RBAC, ExternalSecret targets) but are
    extracted by the Kubernetes recognizer itself."""
    converted = list(cluster.terraform_objects)
    if not converted:
        return Extraction()
    found = extract_objects([t.obj for t in converted], settings, context=cluster.yaml_objects)
    origins = _Origins(converted)
    result = Extraction()
    for credential in found.credentials:
        if credential.declared:
            origin = origins.of(credential.address, credential.location)
            result.credentials.append(_credential(credential, origin, origins, settings))
        elif (holder := origins.holding(credential.location)) is not None:
            # An identity the objects name but none declares keeps its external address, in the
            # root module of the resource naming it (common/identity_names.py).
            result.credentials.append(replace(credential, root_module=holder.root_module))
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
        if origin.holds:
            changed["holds"] = origin.holds
        if credential.parent:
            changed["parent"] = origins.terraform_address(credential.parent, origin.root_module)
        if origin.holds:
            changed["holds"] = origin.holds
        if credential.scope.grants:
            grants = tuple(origins.terraform_grant(grant, origin.root_module) for grant in credential.scope.grants)
            changed["scope"] = replace(credential.scope, grants=grants)
        changed.update(_unknown_conventions(credential, origin.unknown, settings))
    return replace(credential, **changed)


def _unknown_conventions(credential: Credential, unknown: frozenset[str], settings: Settings) -> dict[str, Any]:
    """Owner, expiry and rotation that labels or annotations not known before apply may state."""
    if not unknown:
        return {}
    owner_keys = [f"{where}:{key.lower()}" for where in METADATA_MAPS for key in settings.owner_keys]
    changed: dict[str, Any] = {}
    source = "labels or annotations not known before apply"
    if credential.owner.value is None and ({"labels", "annotations", *owner_keys} & unknown):
        changed["owner"] = Owner(UNKNOWN, source)
    if credential.is_identity:
        return changed
    if credential.expiry.lifetime_days is None and {"annotations", f"annotations:{EXPIRES_ANNOTATION}"} & unknown:
        changed["expiry"] = Expiry(UNKNOWN, credential.expiry.short_lived, source)
    if credential.rotation.period_days is None and {"annotations", f"annotations:{ROTATION_ANNOTATION}"} & unknown:
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

    def holding(self, location: Location) -> TerraformObject | None:
        """The object whose block holds ``location`` (where an undeclared identity is named)."""
        for candidates in self._by_address.values():
            for item in candidates:
                where = item.obj.location
                if where.file == location.file and where.line <= location.line <= where.end_line:
                    return item
        return None

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
