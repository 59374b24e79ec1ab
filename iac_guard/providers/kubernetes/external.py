"""Identities manifests name but the scan does not declare (common/identity_names.py): the IAM
role an IRSA annotation names, and ServiceAccounts that RBAC bindings bind or pods run as with no
ServiceAccount object in the scan (a chart installs it, another repository applies it). Each is
an external identity record carrying the grants its bindings give and, through usages, its pods:
judged on scope and sharing, never on what the cluster or AWS keeps about it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ...kubernetes.objects import KubeObject
from ...model import Credential, Location, Scope, Usage
from ..common.identity_names import aws_role, external_identity
from .index import NameIndex
from .rbac import bound_service_accounts, first_wildcard, is_binding
from .vocabulary import IRSA_ANNOTATION, PROVIDER, RUNS_AS


def irsa_role(obj: KubeObject, role_name: str) -> Credential:
    """The IAM role a ServiceAccount's IRSA annotation names, as the scan sees it when no Terraform
    in it declares the role (the declared one replaces it, by the alias ``aws_iam_role[name=NAME]``):
    its grants, owner and lifetime are in AWS, unknown here; its pods are its consumers."""
    return external_identity(
        aws_role(role_name), "aws", "IRSA role-arn annotation", "role",
        obj.location_of("metadata", "annotations", IRSA_ANNOTATION), role_name, "AWS",
    )


def external_service_accounts(objects: Iterable[KubeObject], usages: Iterable[Usage], index: NameIndex) -> list[Credential]:
    """A record for each ServiceAccount a binding among ``objects`` binds or one of their pods runs
    as (``usages``) that no object of the scan declares, at its cluster address, where it is first
    named. A pod without ``serviceAccountName`` names none: the namespace's ``default`` account
    is judged only when the scan declares it."""
    places: dict[str, list[Location]] = defaultdict(list)
    for obj in objects:
        for account, where in bound_service_accounts(obj) if is_binding(obj) else ():
            places[account].append(where)
    for usage in usages:
        if usage.via == RUNS_AS and usage.location is not None:
            places[usage.credential].append(usage.location)
    found = []
    for account, locations in sorted(places.items()):
        if account in index.service_accounts:
            continue
        grants = index.grants.get(account, ())
        wildcard = first_wildcard(grants)
        found.append(external_identity(
            account, PROVIDER, "ServiceAccount named, not declared", "service-account", min(locations),
            account.rsplit("/", 1)[-1], "the cluster", Scope(grants), {"scope": wildcard} if wildcard else None,
        ))
    return found
