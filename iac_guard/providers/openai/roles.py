"""OpenAI role assignments as grants of the project service accounts they reach: project roles
given to the account or to a group it is in, and organization roles likewise. The built-in
``role-api-project-owner`` (and a custom role allowing ``*``) can do everything in its scope."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ...model import Grant
from ...terraform.view import Resource
from ..common.links import link
from ..common.literals import known_strings
from ..common.root_modules import RootModuleView

#: Project memberships with a ``role`` (``owner`` or ``member``).
PROJECT_MEMBERSHIPS = ("openai_project_user", "openai_project_group")
_ROLE_TYPES = ("openai_project_role", "openai_role")
#: Role assignment type → (the attribute naming who gets it, whether it is a group).
_ASSIGNMENTS = {
    "openai_project_user_role": ("user_id", False),
    "openai_user_role": ("user_id", False),
    "openai_project_group_role": ("group_id", True),
    "openai_group_role": ("group_id", True),
}
_OWNER_ROLE = "role-api-project-owner"


def project_of(view: Resource, openai: RootModuleView) -> str | None:
    """The project a resource belongs to: the ``openai_project`` its ``project_id`` references,
    else the id as written; None when not known."""
    projects = openai.by_type("openai_project")
    found = link(view, "project_id", projects, "project_id")
    if found:
        return found
    written = view.value("project_id")
    return written if isinstance(written, str) else None


def collect_grants(openai: RootModuleView, accounts: dict[str, Resource]) -> dict[str, list[Grant]]:
    """Service account address → the roles assigned to it or to a group it is a member of."""
    members: dict[str, set[str]] = defaultdict(set)  # group address or id → service accounts
    for membership in openai.module.resources_of("openai_group_user"):
        account = link(membership, "user_id", accounts)
        group = _group(membership, openai)
        if account and group:
            members[group].add(account)
    roles = openai.by_type(*_ROLE_TYPES)
    grants: dict[str, list[Grant]] = defaultdict(list)
    for assignment in openai.module.resources_of(*_ASSIGNMENTS):
        attribute, to_group = _ASSIGNMENTS[assignment.resource_type]
        if to_group:
            group = _group(assignment, openai)
            reached = sorted(members.get(group, ())) if group else []
        else:
            account = link(assignment, attribute, accounts)
            reached = [account] if account else []
        for account in reached:
            grants[account].append(_grant(assignment, openai, roles))
    return grants


def _group(view: Resource, openai: RootModuleView) -> str | None:
    found = link(view, "group_id", openai.by_type("openai_group"), "group_id")
    written = view.value("group_id")
    return found or (written if isinstance(written, str) else None)


def _grant(assignment: Resource, openai: RootModuleView, roles: dict[str, Resource]) -> Grant:
    label, permissions, reasons = _role(assignment, roles)
    project = project_of(assignment, openai) if assignment.has("project_id") else "the organization"
    return Grant(
        statement=f"{assignment.address} ({label})", actions=permissions,
        resources=(project,) if project else (), wildcard_reasons=reasons, location=assignment.location_of("role_id"),
    )


def _role(assignment: Resource, roles: dict[str, Resource]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The role's name, its permissions (its id for a built-in role) and why it is a wildcard."""
    custom = link(assignment, "role_id", roles, "role_id")
    if custom:
        role = roles[custom]
        name: Any = role.value("role_name")
        label = f"custom role {name if isinstance(name, str) else custom}"
        permissions = tuple(known_strings(role.value("permissions")))
        return label, permissions, (f'{label} allows every permission ("*")',) if "*" in permissions else ()
    written = assignment.value("role_id")
    if not isinstance(written, str):
        return "role not known before apply", (), ()
    reasons = (f"built-in role {_OWNER_ROLE} allows everything in the project, including its API keys and members",) if written == _OWNER_ROLE else ()
    return written, (written,), reasons
