"""AWS recognizer: IAM identities and their grants, access keys, Secrets Manager and SSM secrets,
and the compute that uses them. The only package that knows AWS resource types."""

from __future__ import annotations

from ...config.settings import Settings
from ...model import Credential, Extraction
from ..common.identity_names import external_identities
from ..project import Project
from .context import AwsModule
from .identities import access_keys, collect_grants, roles, service_specific_credentials, users
from .policy_documents import looked_up_policy, render_policy_document
from .scripts import script_credentials
from .stores import secrets_manager, ssm_parameters
from .workloads import extract_workloads

DATA_SOURCES = {"aws_iam_policy_document": render_policy_document, "aws_iam_policy": looked_up_policy}


def extract(project: Project, settings: Settings) -> Extraction:
    found = Extraction()
    for module in project.modules:
        found.extend(_extract_module(AwsModule(module, settings)).in_root_module(module.directory))
    return found


def _extract_module(aws: AwsModule) -> Extraction:
    found = Extraction()
    grants = collect_grants(aws)
    identities: dict[str, Credential] = {c.address: c for c in users(aws, grants) + roles(aws, grants)}
    found.credentials += identities.values()
    found.credentials += access_keys(aws, identities)
    found.credentials += service_specific_credentials(aws, identities)
    found.credentials += secrets_manager(aws)
    found.credentials += ssm_parameters(aws)
    found.credentials += script_credentials(aws)
    found.extend(extract_workloads(aws))
    found.credentials += external_identities(grants, found.usages, "aws", "AWS")
    return found
