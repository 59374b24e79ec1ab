"""Terraform resources that push a key into a CI system: GitHub Actions secrets (repository,
environment, organisation) and GitLab CI/CD variables (project, group).

Each is the declared record of the secret pipelines read by name (its alias
``github-secret:NAME`` / ``gitlab-variable:KEY``, so a workflow's ``${{ secrets.NAME }}`` reaches
it), and a copy of the credential its value is written from: a consumer of that credential, so
one key pushed to three repositories is shared by three, and an AI credential when what it holds
is one. The copy has no owner, expiry or rotation of its own to state (they are its source's):
unknown, never failing. A literal value is a hardcoded key.
"""

from __future__ import annotations

from ...config.settings import Settings
from ...model import UNKNOWN, Credential, Expiry, Extraction, Owner, Rotation, Usage, Workload
from ...terraform.module import Module
from ...terraform.view import Resource
from ..common.links import copied_credentials
from ..common.root_modules import each_root_module
from ..common.secret_values import literals_in
from ..project import Project
from .github import SECRET_PREFIX
from .gitlab import VARIABLE_PREFIX

#: Resource type → (provider, the attribute naming the secret, the attributes holding its value, alias prefix).
DISTRIBUTED: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "github_actions_secret": ("github", "secret_name", ("plaintext_value", "encrypted_value"), SECRET_PREFIX),
    "github_actions_environment_secret": ("github", "secret_name", ("plaintext_value", "encrypted_value"), SECRET_PREFIX),
    "github_actions_organization_secret": ("github", "secret_name", ("plaintext_value", "encrypted_value"), SECRET_PREFIX),
    "github_dependabot_secret": ("github", "secret_name", ("plaintext_value", "encrypted_value"), SECRET_PREFIX),
    "gitlab_project_variable": ("gitlab", "key", ("value",), VARIABLE_PREFIX),
    "gitlab_group_variable": ("gitlab", "key", ("value",), VARIABLE_PREFIX),
    "gitlab_instance_variable": ("gitlab", "key", ("value",), VARIABLE_PREFIX),
}


def extract(project: Project, settings: Settings) -> Extraction:
    return each_root_module(project, _extract_module)


def _extract_module(module: Module) -> Extraction:
    found = Extraction()
    for resource in module.resources_of(*DISTRIBUTED):
        found.extend(_distributed(resource))
    return found


def _distributed(resource: Resource) -> Extraction:
    provider, name_attribute, value_attributes, prefix = DISTRIBUTED[resource.resource_type]
    name = resource.value(name_attribute)
    named = name if isinstance(name, str) and name else None
    literals = tuple(
        literal for attribute in value_attributes if resource.has(attribute)
        for literal in literals_in(resource.literal_value(attribute), attribute, resource.location_of(attribute), name=named or attribute)
    )
    held = copied_credentials(resource, *value_attributes)
    where = f"the {'GitHub' if provider == 'github' else 'GitLab'} {resource.resource_type.split('_', 1)[1].replace('_', ' ')}"
    credential = Credential(
        address=resource.address, provider=provider, source_type=resource.resource_type, kind="secret",
        location=resource.location, name=named or UNKNOWN,
        owner=Owner(UNKNOWN, source=f"its source's ({where} states none)"),
        expiry=Expiry(UNKNOWN, source="its source's"), rotation=Rotation(UNKNOWN, "its source's"),
        hardcoded=literals, holds=held, ai_hints=tuple(h for h in (resource.name, named) if h),
        aliases=((("", prefix + named),) if named else ()),
    )
    # Pushed into CI: the jobs reading it there run on that CI platform.
    platform = "github-actions" if provider == "github" else "gitlab-ci"
    workload = Workload(resource.address, provider, resource.resource_type, resource.location, ai_hints=(named,) if named else (),
                        platform=platform)
    via = f"copied into {named or resource.resource_type}"
    usages = [Usage(resource.address, source, via, resource.location) for source in held]
    return Extraction([credential], [workload], usages)
