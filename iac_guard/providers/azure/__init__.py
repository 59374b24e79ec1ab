"""Azure recognizer (azurerm, azuread): AI services account keys, Key Vault secrets and keys,
Entra ID applications and their client secrets, managed identities and their role assignments,
and the compute that uses them. The only package that knows Azure resource types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...config.settings import Settings
from ...model import Credential, Extraction
from ..common.root_modules import each_root_module
from ..project import Project
from .accounts import account_keys
from .context import AzureModule
from .entra import identities as entra_identities
from .entra import passwords, service_principal_identities
from .identities import managed_identities, system_identity_hosts
from .key_vault import key_vault_keys, key_vault_secrets
from .roles import collect_grants
from .workloads import extract_workloads

DATA_SOURCES: Mapping[str, Any] = {}


def extract(project: Project, settings: Settings) -> Extraction:
    return each_root_module(project, lambda module: _extract_module(AzureModule(module, settings)))


def _extract_module(azure: AzureModule) -> Extraction:
    keys = {c.address: c for c in account_keys(azure)}
    hosts = system_identity_hosts(azure)
    service_principals = service_principal_identities(azure)
    principals = {address: address for address in azure.by_type("azurerm_user_assigned_identity")}
    principals.update({address: address for address in hosts})  # ``azurerm_x.y.identity[0].principal_id``
    principals.update(service_principals)
    grants = collect_grants(azure, principals)
    applications = {c.address: c for c in entra_identities(azure, grants, service_principals)}
    credentials: dict[str, Credential] = {
        **keys,
        **applications,
        **{c.address: c for c in passwords(azure, applications, service_principals)},
        **{c.address: c for c in managed_identities(azure, grants, hosts, keys)},
        **{c.address: c for c in key_vault_secrets(azure, keys)},
        **{c.address: c for c in key_vault_keys(azure)},
    }
    found = Extraction(credentials=list(credentials.values()))
    found.extend(extract_workloads(azure, credentials))
    return found
