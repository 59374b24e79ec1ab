"""Azure compute that uses credentials: the managed identities it runs as, the keys and Key Vault
secrets its settings read, the keys written into its settings; and workload identity federation
(a Kubernetes ServiceAccount or a CI job that signs in as an identity)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...model import Credential, Extraction, Usage, Workload
from ...terraform.view import Resource
from ..common.environment import EnvEntry, block_entry, map_entries, read_entries, referenced_credential
from ..common.links import link
from ..common.literals import literal_credential, tag_map
from .accounts import ACCOUNT_TYPES, KEY_ATTRIBUTES, listed_keys
from .context import PROVIDER, AzureModule, system_identity_address, type_of
from .entra import APPLICATION_TYPES, CLIENT_CREDENTIAL_TYPES
from .identities import user_assigned_ids


@dataclass(frozen=True)
class WorkloadType:
    settings: str | None = None  # the map attribute of environment settings
    ai_reason: str | None = None  # why the workload is itself an AI workload


WORKLOAD_TYPES = {
    "azurerm_linux_web_app": WorkloadType("app_settings"),
    "azurerm_windows_web_app": WorkloadType("app_settings"),
    "azurerm_linux_web_app_slot": WorkloadType("app_settings"),
    "azurerm_windows_web_app_slot": WorkloadType("app_settings"),
    "azurerm_linux_function_app": WorkloadType("app_settings"),
    "azurerm_windows_function_app": WorkloadType("app_settings"),
    "azurerm_container_app": WorkloadType(),
    "azurerm_container_group": WorkloadType(),
    "azurerm_kubernetes_cluster": WorkloadType(),
    "azurerm_linux_virtual_machine": WorkloadType(),
    "azurerm_windows_virtual_machine": WorkloadType(),
    "azurerm_linux_virtual_machine_scale_set": WorkloadType(),
    "azurerm_windows_virtual_machine_scale_set": WorkloadType(),
    "azurerm_machine_learning_workspace": WorkloadType(ai_reason="Azure Machine Learning workspace"),
    "azurerm_ai_foundry": WorkloadType(ai_reason="Azure AI Foundry hub"),
    "azurerm_ai_foundry_project": WorkloadType(ai_reason="Azure AI Foundry project"),
}
_KEY_VAULT_REFERENCE = re.compile(
    r"(?i)^@Microsoft\.KeyVault\((?:(?=.*\bVaultName=([^;)]+))?.*\bSecretName=([^;)]+)|.*\bSecretUri=https://([^./]+)[^/]*/secrets/([^/;)]+))"
)
#: What Azure gives its compute in place of a client secret or account key (said in findings).
_OWN_IDENTITY = "a managed identity (identity block) or a federated credential"
_KUBERNETES_SUBJECT = re.compile(r"^system:serviceaccount:([^:]+):([^:]+)$")


def extract_workloads(azure: AzureModule, credentials: dict[str, Credential]) -> Extraction:
    found = Extraction()
    listed = {action: account for action, account in listed_keys(azure).items() if account in credentials}
    targets = {**_secret_targets(azure, credentials), **dict.fromkeys(listed)}
    key_vault_secrets = azure.by_type("azurerm_key_vault_secret")

    def target(entry: EnvEntry) -> str | None:
        found = referenced_credential(entry, targets)
        return listed.get(found, found) if found else _key_vault_reference(azure, entry.value, key_vault_secrets)

    for resource in sorted(azure.resources_of(*WORKLOAD_TYPES), key=lambda r: r.address):
        kind = WORKLOAD_TYPES[type_of(resource)]
        identities = _identity_usages(azure, resource, credentials)
        found.workloads.append(
            Workload(
                address=resource.address, provider=PROVIDER, source_type=resource.resource_type,
                location=resource.location, identity=identities[0].credential if identities else None,
                ai_reasons=(kind.ai_reason,) if kind.ai_reason else (),
                ai_hints=(resource.name, *resource.known_texts("name")), tags=tag_map(resource.value("tags", {})),
                platform=PROVIDER, platform_identity=_OWN_IDENTITY,
            )
        )
        usages, literals = read_entries(resource.address, _entries(resource, kind), target)
        found.usages += identities + usages + _container_app_secret_usages(resource, targets)
        if literals:
            found.credentials.append(literal_credential(resource, PROVIDER, literals))
    found.extend(_federated_workloads(azure, credentials))
    return found


def _secret_targets(azure: AzureModule, credentials: dict[str, Credential]) -> dict[str, frozenset[str] | None]:
    """What a setting can read by reference: any attribute of a Key Vault secret, an account's key
    attributes, a client secret's value (not a certificate's: that is its public part)."""
    targets: dict[str, frozenset[str] | None] = {}
    for address, resource in azure.by_type("azurerm_key_vault_secret", *ACCOUNT_TYPES).items():
        if address in credentials:
            targets[address] = None if type_of(resource) == "azurerm_key_vault_secret" else KEY_ATTRIBUTES
    for address, credential in credentials.items():
        if CLIENT_CREDENTIAL_TYPES.get(credential.source_type):
            targets[address] = frozenset({"value"})
    return targets


def _key_vault_reference(azure: AzureModule, value: Any, secrets: dict[str, Resource]) -> str | None:
    """``@Microsoft.KeyVault(VaultName=kv;SecretName=openai-api-key)`` or
    ``(SecretUri=https://kv.vault.azure.net/secrets/openai-api-key/)`` written as text: the Key
    Vault secret of that name (in that vault, when both vault names are known)."""
    match = _KEY_VAULT_REFERENCE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    vault, name = (match.group(1), match.group(2)) if match.group(2) else (match.group(3), match.group(4))
    vaults = azure.by_type("azurerm_key_vault")
    for address, secret in sorted(secrets.items()):
        holder = link(secret, "key_vault_id", vaults)
        written = vaults[holder].value("name") if holder else None
        if secret.value("name") == name and not (isinstance(written, str) and vault and written.lower() != vault.lower()):
            return address
    return None


def _identity_usages(azure: AzureModule, resource: Resource, credentials: dict[str, Credential]) -> list[Usage]:
    """The identities a workload runs as: its system-assigned one first, then user-assigned ones."""
    usages = []
    system = system_identity_address(resource.address)
    block = resource.first_block("identity")
    if system in credentials and block is not None:
        usages.append(Usage(resource.address, system, "system-assigned identity", block.location_of("type")))
    if block is not None:
        usages += [Usage(resource.address, i, "user-assigned identity", block.location_of("identity_ids")) for i in user_assigned_ids(azure, block, "identity_ids")]
    kubelet = resource.first_block("kubelet_identity")
    if kubelet is not None:
        usages += [Usage(resource.address, i, "kubelet identity", kubelet.location_of("user_assigned_identity_id")) for i in user_assigned_ids(azure, kubelet, "user_assigned_identity_id")]
    return usages


def _entries(resource: Resource, kind: WorkloadType) -> Iterator[EnvEntry]:
    if kind.settings:
        yield from map_entries(resource, kind.settings, kind.settings)
    for secret in resource.blocks("secret"):  # container apps
        name = secret.value("name")
        if isinstance(name, str) and secret.has("value"):
            yield block_entry(secret, name, "value", f"secret.{name}.value", kind="secret")
    for container in _containers(resource):
        container_name = container.value("name")
        for env in container.blocks("env"):
            name = env.value("name")
            if isinstance(name, str) and env.has("value"):
                yield block_entry(env, name, "value", f"container.{container_name}.env.{name}")
        for attribute in ("environment_variables", "secure_environment_variables"):  # container groups
            yield from map_entries(container, attribute, f"container.{container_name}.{attribute}")


def _containers(resource: Resource) -> list[Any]:
    template = resource.first_block("template")
    return template.blocks("container") if template is not None else resource.blocks("container")


def _container_app_secret_usages(resource: Resource, targets: dict[str, frozenset[str] | None]) -> list[Usage]:
    """A container app reads a Key Vault secret (or an account key) into a named secret, and its
    containers read that secret by ``secret_name`` into an environment variable."""
    secrets: dict[str, str] = {}
    usages = []
    for secret in resource.blocks("secret"):
        name = secret.value("name")
        for attribute in ("key_vault_secret_id", "value"):
            entry = block_entry(secret, str(name), attribute, f"secret.{name}.{attribute}", kind="secret")
            found = referenced_credential(entry, targets) if secret.has(attribute) else None
            if found and isinstance(name, str):
                secrets[name] = found
                if attribute == "key_vault_secret_id":
                    usages.append(Usage(resource.address, found, f"secret {name}", entry.location))
    for container in _containers(resource):
        for env in container.blocks("env"):
            secret_name, name = env.value("secret_name"), env.value("name")
            if isinstance(secret_name, str) and isinstance(name, str) and secret_name in secrets:
                usages.append(Usage.through_env(resource.address, secrets[secret_name], name, env.location_of("secret_name")))
    return usages


def _federated_workloads(azure: AzureModule, credentials: dict[str, Credential]) -> Extraction:
    """Workload identity federation: a Kubernetes ServiceAccount (``system:serviceaccount:ns:name``,
    on AKS) or another token issuer's subject signs in as a user-assigned identity or application."""
    found = Extraction()
    applications = azure.by_type(*APPLICATION_TYPES)
    for federated in azure.resources_of("azurerm_federated_identity_credential", "azuread_application_federated_identity_credential"):
        if type_of(federated) == "azurerm_federated_identity_credential":
            identity = next(iter(user_assigned_ids(azure, federated, "parent_id")), None)
        else:
            identity = link(federated, "application_id", applications) or link(federated, "application_object_id", applications)
        if identity is None or identity not in credentials:
            continue
        subject = federated.value("subject")
        match = _KUBERNETES_SUBJECT.match(subject) if isinstance(subject, str) else None
        address = f"ServiceAccount/{match.group(1)}/{match.group(2)}" if match else federated.address
        found.workloads.append(
            Workload(
                address=address, provider=PROVIDER, source_type=federated.resource_type, location=federated.location,
                identity=identity, ai_hints=(federated.name, *federated.known_texts("name", "subject")),
            )
        )
        found.usages.append(Usage(address, identity, "workload identity federation", federated.location_of("subject")))
    return found
