"""IAM identities (users, roles), their grants, and the static access keys of users."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Rotation, Scope, Unknown
from ...terraform.values import json_partial
from ...terraform.view import BlockView, Resource
from ..common.identity_names import EKS_SERVICE_ACCOUNT, aws_role, aws_user
from ..common.links import external_name, link, link_value
from ..common.literals import known_strings
from ..common.rotation import rotation_named_by
from .context import AwsModule
from .policy_documents import grants_from_document, managed_policy_grant
from .trust import github_oidc_providers, trust_grants

_DEFAULT_SESSION_SECONDS = 3600


def collect_grants(aws: AwsModule) -> dict[str, list[Grant]]:
    """Identity address → every grant reaching it: inline, attached, managed, and through groups."""
    grants: dict[str, list[Grant]] = defaultdict(list)
    policies = _Policies(aws)
    _add_policy_resource_grants(aws, policies, grants)
    github = github_oidc_providers(aws.by_type("aws_iam_openid_connect_provider"))
    for address, role in aws.roles.items():
        grants[address] += _role_own_grants(address, role, policies)
        label = f"{address} assume_role_policy"
        grants[address] += trust_grants(role.value("assume_role_policy"), label, role.location_of("assume_role_policy"), github)
    _add_group_grants(aws, grants)
    return grants


class _Policies:
    """The module's ``aws_iam_policy`` resources and their grants, and AWS managed policies: what
    an attachment or a role's ``managed_policy_arns`` may name."""

    def __init__(self, aws: AwsModule) -> None:
        self.resources = aws.by_type("aws_iam_policy")
        self.grants = {
            address: grants_from_document(policy.value("policy"), address, policy.location_of("policy"))
            for address, policy in self.resources.items()
        }

    def attached(self, view: Resource, attribute: str = "policy_arn") -> list[Grant]:
        """The grants of the policy an attachment names: one in the module, else managed ones."""
        target = link(view, attribute, self.resources, "arn", "name")
        if target:
            return self.grants[target]
        found = []
        for arn in known_strings(view.value(attribute)):
            grant = managed_policy_grant(arn, f"{view.address} ({arn.rsplit('/', 1)[-1]})", view.location_of(attribute))
            if grant:
                found.append(grant)
        return found


_INLINE_POLICIES = (("aws_iam_user_policy", "user"), ("aws_iam_role_policy", "role"), ("aws_iam_group_policy", "group"))
_ATTACHMENTS = (("aws_iam_user_policy_attachment", "user"), ("aws_iam_role_policy_attachment", "role"), ("aws_iam_group_policy_attachment", "group"))


def _add_policy_resource_grants(aws: AwsModule, policies: _Policies, grants: dict[str, list[Grant]]) -> None:
    """Grants of the resources that give an identity a policy: inline policies, then attachments.
    A role or user named (by name, ARN or looked-up data source) that the module does not declare
    gets them at its external address (``aws_iam_role[name=ml-batch]``, see external_identities)."""
    identities = {"user": aws.users, "role": aws.roles, "group": aws.groups}
    for resource_type, attribute in _INLINE_POLICIES:
        for inline in aws.module.resources_of(resource_type):
            owner = link(inline, attribute, identities[attribute], "name") or _external(inline, attribute)
            if owner:
                grants[owner] += grants_from_document(inline.value("policy"), inline.address, inline.location_of("policy"))
    for resource_type, attribute in _ATTACHMENTS:
        for attachment in aws.module.resources_of(resource_type):
            owner = link(attachment, attribute, identities[attribute], "name") or _external(attachment, attribute)
            if owner:
                grants[owner] += policies.attached(attachment)
    for attachment in aws.module.resources_of("aws_iam_policy_attachment"):
        for attribute in ("users", "roles", "groups"):
            for owner in _linked_many(attachment, attribute, identities[attribute[:-1]]):
                grants[owner] += policies.attached(attachment)


#: The identities an attribute may name that have an external address: attribute → (resource type, address).
_EXTERNAL: dict[str, tuple[str, Callable[[str], str]]] = {"role": ("aws_iam_role", aws_role), "user": ("aws_iam_user", aws_user)}


def _external(view: Resource, attribute: str) -> str | None:
    """The external address of the role or user an attribute names when the module has no such
    resource; None for a group (it is no credential) or a name not known before apply."""
    if attribute not in _EXTERNAL:
        return None
    resource_type, address = _EXTERNAL[attribute]
    name = external_name(view, attribute, resource_type)
    return address(name) if name else None


def external_role(view: BlockView, attribute: str) -> str | None:
    """The external address of the role a workload attribute names (a role ARN not in the module)."""
    name = external_name(view, attribute, "aws_iam_role")
    return aws_role(name) if name else None


def _role_own_grants(address: str, role: Resource, policies: _Policies) -> list[Grant]:
    """The policies a role states itself: ``inline_policy`` blocks and ``managed_policy_arns``."""
    found = []
    for block in role.blocks("inline_policy"):
        found += grants_from_document(block.value("policy"), f"{address} inline_policy", block.location_of("policy"))
    for arn in known_strings(role.value("managed_policy_arns")):
        target = link_value(arn, policies.resources, "arn")
        if target:
            found += policies.grants[target]
        elif grant := managed_policy_grant(arn, f"{address} ({arn.rsplit('/', 1)[-1]})", role.location_of("managed_policy_arns")):
            found.append(grant)
    return found


def _linked_many(view: Resource, attribute: str, candidates: dict[str, Resource]) -> list[str]:
    linked = {ref for ref in view.refs(attribute) if ref in candidates}
    value = view.value(attribute)
    for item in value if isinstance(value, list) else []:
        target = link_value(item, candidates, "name")
        if target:
            linked.add(target)
    return sorted(linked)


def _add_group_grants(aws: AwsModule, grants: dict[str, list[Grant]]) -> None:
    for membership in aws.module.resources_of("aws_iam_user_group_membership"):
        user = link(membership, "user", aws.users, "name")
        for group in _linked_many(membership, "groups", aws.groups):
            if user:
                grants[user] += grants.get(group, [])
    for membership in aws.module.resources_of("aws_iam_group_membership"):
        group_address = link(membership, "group", aws.groups, "name")
        for user in _linked_many(membership, "users", aws.users):
            if group_address:
                grants[user] += grants.get(group_address, [])


def _scope_evidence(grants: list[Grant]) -> dict[str, Location]:
    wildcard = next((g.location for g in grants if g.wildcard_reasons and g.location), None)
    return {"scope": wildcard} if wildcard else {}


def users(aws: AwsModule, grants: dict[str, list[Grant]]) -> list[Credential]:
    result = []
    for address, user in aws.users.items():
        owner, owner_evidence = aws.owner(user)
        result.append(
            Credential(
                address=address, provider="aws", source_type="aws_iam_user", kind="user",
                location=user.location, name=_name(user), owner=owner,
                expiry=Expiry(None, source="an IAM user has no expiry; its access keys are judged"),
                scope=Scope(tuple(grants.get(address, ()))),
                ai_hints=(user.name, *user.known_texts("name", "path")), tags=aws.record_tags(user),
                evidence={**owner_evidence, **_scope_evidence(grants.get(address, []))},
                aliases=(("", aws_user(name)),) if isinstance(name := user.value("name"), str) and name else (),
            )
        )
    return result


def roles(aws: AwsModule, grants: dict[str, list[Grant]]) -> list[Credential]:
    result = []
    bound = _pod_identity_bindings(aws)
    for address, role in aws.roles.items():
        owner, owner_evidence = aws.owner(role)
        seconds = role.value("max_session_duration", _DEFAULT_SESSION_SECONDS)
        lifetime = seconds / 86400 if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else UNKNOWN
        result.append(
            Credential(
                address=address, provider="aws", source_type="aws_iam_role", kind="role",
                location=role.location, name=_name(role), owner=owner,
                expiry=Expiry(lifetime, True, "STS sessions last max_session_duration (default 1 hour)"),
                scope=Scope(tuple(grants.get(address, ()))),
                ai_hints=(role.name, *role.known_texts("name", "description"), *_trusted_services(role)),
                tags=aws.record_tags(role),
                evidence={**owner_evidence, **_scope_evidence(grants.get(address, []))},
                aliases=_cluster_names(role, bound.get(address, ())),
            )
        )
    return result


def _cluster_names(role: Resource, service_accounts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The names pods and other root modules reach a role by (common/identity_names.py):
    ``aws_iam_role[name=NAME]`` for an attachment or a workload naming it by name or ARN, and IRSA's
    ``eks.amazonaws.com/role-arn`` annotation, and ``eks-service-account:NS/NAME`` for each
    ServiceAccount its trust policy admits (``…:sub`` = ``system:serviceaccount:NS:NAME``) or an
    EKS Pod Identity association binds to it."""
    names = [aws_role(name)] if isinstance(name := role.value("name"), str) and name else []
    names += [f"{EKS_SERVICE_ACCOUNT}{account}" for account in sorted({*_trusted_service_accounts(role), *service_accounts})]
    return tuple(("", alias) for alias in names)


def _trusted_service_accounts(role: Resource) -> list[str]:
    document = json_partial(role.value("assume_role_policy"))
    statements = document.get("Statement") if isinstance(document, dict) else None
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        conditions = statement.get("Condition") if isinstance(statement, dict) else None
        for test in conditions.values() if isinstance(conditions, dict) else ():
            for key, values in test.items() if isinstance(test, dict) else ():
                if str(key).endswith(":sub"):
                    found += [v.split(":", 2)[2].replace(":", "/", 1) for v in known_strings(values) if v.startswith("system:serviceaccount:") and v.count(":") == 3]
    return found


def _pod_identity_bindings(aws: AwsModule) -> dict[str, list[str]]:
    """Role address → the ``NS/NAME`` ServiceAccounts EKS Pod Identity associations bind to it."""
    bound: dict[str, list[str]] = {}
    for association in aws.module.resources_of("aws_eks_pod_identity_association"):
        role = link(association, "role_arn", aws.roles, "name", "arn")
        namespace, account = association.value("namespace"), association.value("service_account")
        if role and isinstance(namespace, str) and isinstance(account, str):
            bound.setdefault(role, []).append(f"{namespace}/{account}")
    return bound


def access_keys(aws: AwsModule, identities: dict[str, Credential]) -> list[Credential]:
    """Static keys inherit their user's owner and scope: the key has no tags of its own."""
    result = []
    for key in aws.module.resources_of("aws_iam_access_key"):
        user_address = link(key, "user", aws.users, "name")
        user = identities.get(user_address) if user_address else None
        owner = Owner.of_parent(user.owner, user_address) if user_address and user else Owner(UNKNOWN, "user not found in this module")
        scope = Scope(user.scope.grants, inherited_from=user_address) if user else Scope(inherited_from="unknown user")
        lifecycle = key.first_block("lifecycle")
        rotation = rotation_named_by(aws.module, lifecycle, "replace_triggered_by") if lifecycle else None
        result.append(
            Credential(
                address=key.address, provider="aws", source_type="aws_iam_access_key", kind="access-key",
                location=key.location, name=user.name if user else UNKNOWN, owner=owner,
                expiry=Expiry(None, source="IAM access keys never expire"),
                rotation=rotation or Rotation(None),
                scope=scope, parent=user_address, identity_platform="aws",
                ai_hints=(key.name,) + (user.ai_hints if user else ()),
                evidence={"rotation": lifecycle.location_of("replace_triggered_by")} if rotation and lifecycle else {},
            )
        )
    return result


def service_specific_credentials(aws: AwsModule, identities: dict[str, Credential]) -> list[Credential]:
    """Service-specific credentials: among them Amazon Bedrock API keys (``service_name =
    "bedrock.amazonaws.com"``), which live as long as ``credential_age_days`` says."""
    result = []
    for credential in aws.module.resources_of("aws_iam_service_specific_credential"):
        user_address = link(credential, "user_name", aws.users, "name")
        user = identities.get(user_address) if user_address else None
        service = credential.value("service_name")
        age = credential.value("credential_age_days")
        reasons = ("Amazon Bedrock API key",) if isinstance(service, str) and service.startswith("bedrock") else ()
        result.append(
            Credential(
                address=credential.address, provider="aws", source_type="aws_iam_service_specific_credential",
                kind="api-key", location=credential.location, name=service if isinstance(service, str) else UNKNOWN,
                owner=Owner.of_parent(user.owner, user_address) if user_address and user else Owner(UNKNOWN, "user not found in this module"),
                expiry=Expiry(age if age is None or isinstance(age, (int, float, Unknown)) else UNKNOWN, source="credential_age_days"),
                scope=Scope(user.scope.grants, inherited_from=user_address) if user else Scope(inherited_from="unknown user"),
                parent=user_address, ai_reasons=reasons, ai_hints=(credential.name,),
                evidence={"expiry": credential.location_of("credential_age_days")},
            )
        )
    return result


def _name(resource: Resource) -> Any:
    value = resource.value("name")
    return value if isinstance(value, (str, Unknown)) else resource.name


def _trusted_services(role: Resource) -> tuple[str, ...]:
    """Services allowed to assume the role (``bedrock.amazonaws.com`` makes it an AI role)."""
    document = json_partial(role.value("assume_role_policy"))
    if not isinstance(document, dict):
        return ()
    statements = document.get("Statement")
    services: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict):
            services += known_strings(principal.get("Service"))
    return tuple(services)

