"""Google Cloud recognizer (google, google-beta): service accounts and their IAM grants, service
account keys, API keys, Secret Manager secrets, and the compute that uses them. The only package
that knows Google Cloud resource types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...config.settings import Settings
from ...model import Credential, Extraction
from ..common.identity_names import external_identities
from ..common.root_modules import each_root_module
from ..project import Project
from .api_keys import api_keys
from .context import PROVIDER, GcpModule
from .federation import federation_grants
from .iam import collect_grants, service_account_keys, service_accounts, workload_identity_bindings
from .secret_manager import secrets
from .workloads import extract_workloads

DATA_SOURCES: Mapping[str, Any] = {}


def extract(project: Project, settings: Settings) -> Extraction:
    return each_root_module(project, lambda module: _extract_module(GcpModule(module, settings)))


def _extract_module(gcp: GcpModule) -> Extraction:
    grants, bindings = collect_grants(gcp)
    for account, grant in federation_grants(gcp, bindings):
        grants[account].append(grant)
    identities = {c.address: c for c in service_accounts(gcp, grants)}
    credentials: dict[str, Credential] = {
        **identities,
        **{c.address: c for c in service_account_keys(gcp, identities)},
        **{c.address: c for c in api_keys(gcp, identities)},
        **{c.address: c for c in secrets(gcp)},
    }
    found = Extraction(credentials=list(credentials.values()))
    found.extend(extract_workloads(gcp, credentials))
    workloads, usages = workload_identity_bindings(gcp, bindings)
    found.workloads += workloads
    found.usages += usages
    found.credentials += external_identities(grants, found.usages, PROVIDER, "Google Cloud")
    return found
