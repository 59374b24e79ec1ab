"""Google Cloud IAM: service accounts, the roles granted to them at every level (organization,
folder, project, one resource), their keys, and the Kubernetes ServiceAccounts bound to them
through Workload Identity."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Scope, Unknown, Usage, Workload
from ...terraform.view import BlockView, Resource
from ..common.identity_names import google_service_account
from ..common.literals import partial_text
from ..common.owners import owner_by_convention
from ..common.rotation import schedule_rotation
from .context import PROVIDER, GcpModule, external_service_account, service_account_named

_IAM_RESOURCE = re.compile(r"^google_[a-z0-9_]+_iam_(member|binding|policy)$")
_LEVELS = {"google_project_iam_": ("project", "project"), "google_folder_iam_": ("folder", "folder"), "google_organization_iam_": ("organization", "org_id")}
_BASIC = frozenset({"roles/owner", "roles/editor"})
_ADMIN = re.compile(r"(?i)^roles/[a-z0-9]+\.[A-Za-z0-9]*admin(?:\.v\d+)?$")
_NOT_TARGETS = frozenset({"role", "member", "members", "condition", "policy_data", "project", "provider", "etag"})
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
#: ``serviceAccount:PROJECT.svc.id.goog[NAMESPACE/NAME]`` and the Workload Identity Federation
#: principal ``principal://…/subject/ns/NAMESPACE/sa/NAME``.
_KUBERNETES_MEMBERS = (
    re.compile(r"^serviceAccount:[^\[]+\.svc\.id\.goog\[([^/\]]+)/([^\]]+)\]$"),
    re.compile(r"^principal://iam\.googleapis\.com/.+/subject/ns/([^/]+)/sa/([^/]+)$"),
)
_UNKNOWN_PART = "\u0000"
#: Access tokens of an attached service account last an hour; its keys are judged separately.
SERVICE_ACCOUNT_EXPIRY = Expiry(1 / 24, True, "workloads get access tokens that last one hour; keys are judged on their own")


@dataclass(frozen=True)
class Binding:
    """One role given to members by an IAM resource (or one ``binding`` of a policy document)."""

    resource: Resource
    role: Any
    members: list[Any]
    conditional: bool
    location: Location


def collect_grants(gcp: GcpModule) -> tuple[dict[str, list[Grant]], list[tuple[Binding, str, Any]]]:
    """Service account address → the roles granted to it; and the Workload Identity bindings
    (binding, the Google service account, the member) that let a Kubernetes ServiceAccount act as one."""
    grants: dict[str, list[Grant]] = defaultdict(list)
    workload_identity: list[tuple[Binding, str, Any]] = []
    for resource in gcp.module.resources:
        if not _IAM_RESOURCE.match(resource.resource_type):
            continue
        level, target = _level(resource)
        for binding in _bindings(gcp, resource):
            if binding.role == WORKLOAD_IDENTITY_USER and resource.resource_type.startswith("google_service_account_iam_"):
                account = gcp.service_account(resource, "service_account_id")
                workload_identity += [(binding, account, m) for m in binding.members if account]
                continue
            reasons = _wildcard_reasons(level, binding)
            for member in binding.members:
                if _kubernetes_address(member) is not None:
                    continue  # a Kubernetes ServiceAccount, not the Google service account it names
                account = service_account_named(member, frozenset(), gcp.service_accounts) or external_service_account(member)
                if account:
                    grants[account].append(
                        Grant(f"{resource.address} ({_text(binding.role) or 'role not known before apply'})",
                              (binding.role,) if isinstance(binding.role, str) else (), (target,) if target else (),
                              reasons, binding.location)
                    )
    return grants, workload_identity


def _level(resource: Resource) -> tuple[str, str]:
    """Where an IAM resource grants (organization, folder, project or one resource), and what."""
    for prefix, (level, attribute) in _LEVELS.items():
        if resource.resource_type.startswith(prefix):
            value = resource.value(attribute)
            if level == "project":
                return level, f"projects/{value}" if isinstance(value, str) else "the provider's project" if value is None else "project (not known before apply)"
            return level, f"{level} {value}" if isinstance(value, str) else f"{level} (not known before apply)"
    named = sorted({ref for name in resource.block.body.attributes if name not in _NOT_TARGETS for ref in resource.refs(name)})
    written = [v for name in sorted(resource.block.body.attributes) if name not in _NOT_TARGETS and isinstance(v := resource.value(name), str)]
    return "resource", ", ".join(named) or ", ".join(written)


def _bindings(gcp: GcpModule, resource: Resource) -> Iterator[Binding]:
    kind = resource.resource_type.rsplit("_", 1)[-1]
    conditional = resource.first_block("condition") is not None
    if kind == "member":
        yield Binding(resource, resource.value("role"), [resource.value("member")], conditional, resource.location_of("role"))
    elif kind == "binding":
        members = resource.value("members")
        yield Binding(resource, resource.value("role"), members if isinstance(members, list) else [], conditional, resource.location_of("role"))
    else:  # _policy: the bindings of the google_iam_policy data source it names
        referenced = resource.refs("policy_data")
        for document in gcp.module.data_of("google_iam_policy"):
            if document.address in referenced:
                for block in document.blocks("binding"):
                    members = block.value("members")
                    yield Binding(resource, block.value("role"), members if isinstance(members, list) else [],
                                  block.first_block("condition") is not None, block.location_of("role"))


def _wildcard_reasons(level: str, binding: Binding) -> tuple[str, ...]:
    """Basic roles and administrator roles granted on a whole project, folder or organization.
    A conditional binding may be narrowed by its condition: not judged a wildcard."""
    role = binding.role
    if level == "resource" or not isinstance(role, str) or binding.conditional:
        return ()
    if role in _BASIC:
        return (f"basic role {role} on a whole {level}",)
    if _ADMIN.match(role):
        return (f"administrator role {role} on a whole {level}",)
    return ()


def service_accounts(gcp: GcpModule, grants: dict[str, list[Grant]]) -> list[Credential]:
    result = []
    for address, account in gcp.service_accounts.items():
        owner, field = owner_by_convention(address, [("description", account.value("description"))], gcp.settings)
        found = grants.get(address, [])
        wildcard = next((g.location for g in found if g.wildcard_reasons and g.location), None)
        evidence = {"owner": account.location_of(field)} if field else {}
        result.append(
            Credential(
                address=address, provider=PROVIDER, source_type="google_service_account", kind="service-account",
                location=account.location, name=_name(account, "account_id"), owner=owner, expiry=SERVICE_ACCOUNT_EXPIRY,
                scope=Scope(tuple(found)),
                ai_hints=(account.name, *account.known_texts("account_id", "display_name", "description")),
                evidence={**evidence, **({"scope": wildcard} if wildcard else {})},
                aliases=(("", google_service_account(email)),) if (email := gcp.email(account)) else (),
            )
        )
    return result


def service_account_keys(gcp: GcpModule, identities: dict[str, Credential]) -> list[Credential]:
    """Static keys never expire; ``keepers`` naming a ``time_rotating`` replace them on its schedule.
    Owner and scope are the service account's."""
    result = []
    for key in gcp.module.resources_of("google_service_account_key"):
        account = gcp.service_account(key, "service_account_id")
        identity = identities.get(account) if account else None
        rotation, evidence = schedule_rotation(key, "keepers")
        result.append(
            Credential(
                address=key.address, provider=PROVIDER, source_type="google_service_account_key", kind="service-account-key",
                location=key.location, name=identity.name if identity else key.name,
                owner=Owner.of_parent(identity.owner, account) if account and identity else Owner(UNKNOWN, "service account not found in this module"),
                expiry=Expiry(None, source="service account keys never expire"), rotation=rotation,
                scope=Scope(identity.scope.grants, inherited_from=account) if identity else Scope(inherited_from="unknown service account"),
                parent=account if identity else None, identity_platform=PROVIDER,
                ai_hints=(key.name, *(identity.ai_hints if identity else ())), evidence=evidence,
            )
        )
    return result


def workload_identity_bindings(gcp: GcpModule, bindings: list[tuple[Binding, str, Any]]) -> tuple[list[Workload], list[Usage]]:
    """A Kubernetes ServiceAccount allowed to act as a Google service account is a workload that
    uses it: two ServiceAccounts bound to one Google service account share it."""
    workloads, usages = [], []
    for binding, account, member in bindings:
        address = _kubernetes_address(member) or binding.resource.address
        workloads.append(
            Workload(address=address, provider=PROVIDER, source_type=binding.resource.resource_type,
                     location=binding.resource.location, identity=account, ai_hints=(binding.resource.name,))
        )
        usages.append(Usage(address, account, "workload identity", binding.location))
    return workloads, usages


def _kubernetes_address(member: Any) -> str | None:
    written = partial_text(member, _UNKNOWN_PART)
    for pattern in _KUBERNETES_MEMBERS:
        match = pattern.match(written) if written else None
        if match and _UNKNOWN_PART not in match.group(1) + match.group(2):
            return f"ServiceAccount/{match.group(1)}/{match.group(2)}"
    return None


def _name(resource: BlockView, attribute: str) -> Any:
    value = resource.value(attribute)
    return value if isinstance(value, (str, Unknown)) else getattr(resource, "name", "")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
