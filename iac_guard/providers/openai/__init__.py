"""OpenAI recognizer (the official ``openai/openai`` provider): project service accounts as AI
identities, with the roles their project, groups and organization give them as scope and the
project's owners as their owner. The only package that knows OpenAI resource types.

The provider creates a service account without an API key (keys are made outside Terraform,
through the Administration API), so the account is an identity: no expiry or rotation of its
own to judge, but an owner, a scope and sharing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...config.settings import Settings
from ...model import UNKNOWN, Credential, Expiry, Extraction, Location, Owner, Scope
from ...terraform.view import Resource
from ..common.links import link
from ..common.owners import owner_from_map
from ..common.root_modules import RootModuleView, each_root_module
from ..project import Project
from .roles import PROJECT_MEMBERSHIPS, collect_grants, project_of

DATA_SOURCES: Mapping[str, Any] = {}
PROVIDER = "openai"
_EXPIRY = Expiry(None, source="an identity: its API keys are created outside Terraform")


def extract(project: Project, settings: Settings) -> Extraction:
    return each_root_module(project, lambda module: _extract_module(RootModuleView(module, settings)))


def _extract_module(openai: RootModuleView) -> Extraction:
    accounts = openai.by_type("openai_project_service_account")
    if not accounts:
        return Extraction()
    grants = collect_grants(openai, accounts)
    found = Extraction()
    for address, account in sorted(accounts.items()):
        owner, evidence = _owner(openai, account)
        mine = grants.get(address, [])
        wildcard = next((g.location for g in mine if g.wildcard_reasons and g.location), None)
        name = account.value("name")
        found.credentials.append(
            Credential(
                address=address, provider=PROVIDER, source_type=account.resource_type, kind="service-account",
                location=account.location, name=name if isinstance(name, str) else account.name,
                owner=owner, expiry=_EXPIRY, scope=Scope(tuple(mine)),
                ai_reasons=("OpenAI project service account",), ai_hints=(account.name, *account.known_texts("name")),
                evidence={**evidence, **({"scope": wildcard} if wildcard else {})},
            )
        )
    return found


def _owner(openai: RootModuleView, account: Resource) -> tuple[Owner, dict[str, Location]]:
    """The config's owner_map; else the owners of the account's project the module names
    (``openai_project_user`` / ``openai_project_group`` with role ``owner``); else unknown: the
    provider has no field to record an owner, so a module that names none states nothing."""
    mapped = owner_from_map(account.address, openai.settings)
    if mapped is not None:
        return mapped, {}
    project = project_of(account, openai)
    owners = []
    for membership in openai.module.resources_of(*PROJECT_MEMBERSHIPS):
        if project is not None and project_of(membership, openai) == project and membership.value("role") == "owner":
            owners.append((membership, _member_name(openai, membership)))
    if owners:
        first = owners[0][0]
        return Owner(", ".join(sorted(n for _, n in owners)), f"owner of project {project}"), {"owner": first.location_of("role")}
    return Owner(UNKNOWN, "the OpenAI provider records no owner; name one in owner_map"), {}


def _member_name(openai: RootModuleView, membership: Resource) -> str:
    """Who a membership names: a user's email or id, a group's name or id, as written."""
    group = link(membership, "group_id", openai.by_type("openai_group")) if membership.has("group_id") else None
    candidates = [openai.by_type("openai_group")[group].value("name")] if group else []
    candidates += [membership.value(attribute) for attribute in ("email", "user_id", "group_id")]
    return next((c for c in candidates if isinstance(c, str)), membership.address)
