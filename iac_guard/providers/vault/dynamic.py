"""Secrets engine roles: the dynamic secrets Vault issues per lease, and the static accounts whose
passwords and keys Vault rotates.

A dynamic role is the preferred pattern — every lease is a new credential that dies with its TTL —
so it is judged on its TTL and, above all, on its scope:

- ``vault_aws_secret_backend_role``: ``policy_document`` and ``policy_arns`` read with the AWS
  recognizer's own policy logic; ``iam_groups`` take their groups' grants; an ``assumed_role``
  role issues the sessions of the ``aws_iam_role`` its ``role_arns`` name, so it takes that role's
  scope and owner (the role is its parent). STS credentials are short-lived by construction;
  ``iam_user`` credentials live as long as the mount's max lease TTL.
- ``vault_database_secret_backend_role``: ``creation_statements`` that create a superuser or grant
  everything are wildcards; ``max_ttl``, else the mount's max lease TTL, is its lifetime.
- ``vault_database_secret_backend_static_role`` and ``vault_aws_secret_backend_static_role``: one
  long-lived account whose password or key Vault rotates every ``rotation_period``.

Secrets engine roles carry no metadata, and the mounts they belong to none either: the owner is
the parent's when one carries it (the IAM role of an ``assumed_role`` role, judged there), else the
config's ``owner_map`` entry.
"""

from __future__ import annotations

import re
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Rotation, Scope, Unknown
from ...terraform.view import Resource
from ..aws.context import AwsModule
from ..aws.identities import collect_grants
from ..aws.policy_documents import grants_from_document, managed_policy_grant
from ..common.links import link_value
from ..common.literals import known_strings
from .context import PROVIDER, StatedOwner, VaultModule, hints, lifetime, unknown_lifetime, wildcard_evidence

AWS_MOUNTS = ("vault_aws_secret_backend", "vault_mount")
DATABASE_MOUNTS = ("vault_database_secrets_mount", "vault_mount")
_STS_TYPES = ("assumed_role", "federation_token", "session_token")
_PER_LEASE = "a new credential for every lease (dynamic secret)"
_SQL_WILDCARDS = (
    (re.compile(r"(?i)\bSUPERUSER\b"), "creation_statements create a superuser"),
    (re.compile(r"(?i)\bGRANT\s+ALL\b"), "creation_statements grant ALL PRIVILEGES"),
    (re.compile(r"(?i)\bON\s+\*\.\*"), "creation_statements grant on every database (*.*)"),
)


def aws_roles(vault: VaultModule) -> list[Credential]:
    aws = AwsModule(vault.module, vault.settings)
    identity_grants = collect_grants(aws)
    result = []
    for role in vault.module.resources_of("vault_aws_secret_backend_role"):
        credential_type = role.value("credential_type")
        parent = _assumed_role(aws, role) if credential_type == "assumed_role" else None
        if parent is not None:
            owner = Owner.of_parent(aws.owner(aws.roles[parent])[0], parent)
            scope = Scope(tuple(identity_grants.get(parent, ())), inherited_from=parent)
        elif credential_type == "assumed_role":  # its IAM role is defined elsewhere, or not known
            owner = vault.owner(role.address, (Owner(UNKNOWN, "the IAM role it assumes is not in this module"), {}))[0]
            scope = Scope(inherited_from="an IAM role not in this module")
        else:
            unknown_type: StatedOwner = (Owner(UNKNOWN, "credential_type not known before apply"), {})
            owner = vault.owner(role.address, *([unknown_type] if isinstance(credential_type, Unknown) else []))[0]
            scope = Scope(tuple(_aws_grants(aws, role, identity_grants)))
        expiry, where = _aws_lifetime(vault, role, credential_type)
        result.append(
            _dynamic(role, expiry, where, scope, owner, hints(role, "name"), parent=parent)
        )
    return result


def database_roles(vault: VaultModule) -> list[Credential]:
    result = []
    for role in vault.module.resources_of("vault_database_secret_backend_role"):
        statements = known_strings(role.value("creation_statements"))
        reasons = tuple(reason for pattern, reason in _SQL_WILDCARDS if any(pattern.search(s) for s in statements))
        database = role.value("db_name")
        grant = Grant(
            f"{role.address} creation_statements", (), (database,) if isinstance(database, str) else (),
            reasons, role.location_of("creation_statements"),
        )
        seconds, where = vault.ttl(role, "max_ttl")
        if seconds is not None:
            expiry = lifetime(seconds, vault.written(role, "max_ttl"))
        else:
            mount = vault.mount(role, "backend", "database", DATABASE_MOUNTS)
            expiry, where = vault.mount_max_ttl(mount, "max_lease_ttl_seconds") or _server_max()
        result.append(_dynamic(role, expiry, where, Scope((grant,)), vault.owner(role.address)[0], hints(role, "name", "db_name")))
    return result


def static_roles(vault: VaultModule) -> list[Credential]:
    """Static accounts: long-lived, rotated by Vault every ``rotation_period`` (a ``rotation_schedule``
    cron expression is not turned into a period: unknown)."""
    result = []
    kinds = {"vault_database_secret_backend_static_role": "secret", "vault_aws_secret_backend_static_role": "access-key"}
    for role in vault.module.resources_of(*kinds):
        seconds, where = vault.ttl(role, "rotation_period")
        if seconds is None and role.has("rotation_schedule"):
            seconds, where = UNKNOWN, role.location_of("rotation_schedule")
        period = None if seconds is None else seconds if isinstance(seconds, Unknown) else seconds / 86400
        rotation = Rotation(period, f"Vault rotates it ({role.address})" if seconds is not None else "")
        result.append(
            Credential(
                address=role.address, provider=PROVIDER, source_type=role.resource_type, kind=kinds[role.resource_type],  # type: ignore[arg-type]
                location=role.location, name=_text(role.value("name")) or role.name, owner=vault.owner(role.address)[0],
                expiry=Expiry(None, source="a static account's password or key does not expire"), rotation=rotation,
                ai_hints=hints(role, "name", "username", "db_name"),
                evidence={"rotation": where} if where else {},
            )
        )
    return result


def _aws_grants(aws: AwsModule, role: Resource, identity_grants: dict[str, list[Grant]]) -> list[Grant]:
    """What the issued IAM user or federation token may do: its policy document, its policy ARNs
    (customer-managed policies in the module are read; AWS managed ones judged by name), and the
    grants of the IAM groups it joins."""
    label = role.address
    grants: list[Grant] = []
    if role.has("policy_document"):
        grants += grants_from_document(role.value("policy_document"), f"{label} policy_document", role.location_of("policy_document"))
    policies = aws.by_type("aws_iam_policy")
    linked = {ref for ref in role.refs("policy_arns") if ref in policies}
    for arn in known_strings(role.value("policy_arns")):
        target = link_value(arn, policies, "arn", "name")
        if target:
            linked.add(target)
        elif grant := managed_policy_grant(arn, f"{label} ({arn.rsplit('/', 1)[-1]})", role.location_of("policy_arns")):
            grants.append(grant)
    for address in sorted(linked):
        grants += grants_from_document(policies[address].value("policy"), address, policies[address].location_of("policy"))
    groups = {ref for ref in role.refs("iam_groups") if ref in aws.groups}
    groups |= {g for g in (link_value(name, aws.groups, "name") for name in known_strings(role.value("iam_groups"))) if g}
    for group in sorted(groups):
        grants += identity_grants.get(group, [])
    return grants


def _assumed_role(aws: AwsModule, role: Resource) -> str | None:
    """The one ``aws_iam_role`` in the module an ``assumed_role`` role's ``role_arns`` name."""
    linked = {ref for ref in role.refs("role_arns") if ref in aws.roles}
    linked |= {r for r in (link_value(arn, aws.roles, "arn", "name") for arn in known_strings(role.value("role_arns"))) if r}
    return linked.pop() if len(linked) == 1 else None


def _aws_lifetime(vault: VaultModule, role: Resource, credential_type: Any) -> tuple[Expiry, Location | None]:
    if isinstance(credential_type, Unknown) or not isinstance(credential_type, str):
        return unknown_lifetime("credential_type not known before apply"), None
    if credential_type in _STS_TYPES:
        for attribute in ("max_sts_ttl", "default_sts_ttl"):
            seconds, where = vault.ttl(role, attribute)
            if seconds is not None:
                expiry = lifetime(seconds, f"{vault.written(role, attribute)}, STS credentials")
                return Expiry(expiry.lifetime_days, True, expiry.source), where
        return unknown_lifetime("STS credentials last hours (at most 36), per lease", True), None
    mount = vault.mount(role, "backend", "aws", AWS_MOUNTS)
    return vault.mount_max_ttl(mount, "max_lease_ttl_seconds") or _server_max()


def _server_max() -> tuple[Expiry, None]:
    return unknown_lifetime("no max TTL written: the mount's max lease TTL applies (a server setting)"), None


def _dynamic(
    role: Resource, expiry: Expiry, where: Location | None, scope: Scope, owner: Owner, ai_hints: tuple[str, ...],
    parent: str | None = None,
) -> Credential:
    rotation = Rotation(expiry.lifetime_days, _PER_LEASE)
    evidence = ({"expiry": where, "rotation": where} if where else {}) | wildcard_evidence(list(scope.grants))
    return Credential(
        address=role.address, provider=PROVIDER, source_type=role.resource_type, kind="token",
        location=role.location, name=_text(role.value("name")) or role.name, owner=owner, expiry=expiry,
        rotation=rotation, scope=scope, ai_hints=ai_hints, parent=parent, evidence=evidence,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
