"""Google Cloud compute that uses credentials: the service account it runs as, the Secret Manager
secrets and keys its environment reads, and the keys written into its environment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...model import Credential, Extraction, Usage, Workload
from ...terraform.view import BlockView, Resource
from ..common.environment import EnvEntry, block_entry, map_entries, read_entries, referenced_credential
from ..common.literals import literal_credential, tag_map
from .context import PROVIDER, GcpModule
from .secret_manager import SECRET_TYPES, secret_named


@dataclass(frozen=True)
class WorkloadType:
    #: Nested blocks leading to the attribute naming the service account, then the attribute.
    service_account: tuple[str, ...]
    #: Nested blocks leading to the containers (Cloud Run), () when there are none.
    containers: tuple[str, ...] = ()
    #: Where environment maps and secret environment variables are (Cloud Functions).
    settings: tuple[str, ...] = ()
    ai_reason: str | None = None


WORKLOAD_TYPES = {
    "google_cloud_run_v2_service": WorkloadType(("template", "service_account"), ("template", "containers")),
    "google_cloud_run_v2_job": WorkloadType(("template", "template", "service_account"), ("template", "template", "containers")),
    "google_cloud_run_service": WorkloadType(("template", "spec", "service_account_name"), ("template", "spec", "containers")),
    "google_cloudfunctions2_function": WorkloadType(("service_config", "service_account_email"), settings=("service_config",)),
    "google_cloudfunctions_function": WorkloadType(("service_account_email",)),
    "google_compute_instance": WorkloadType(("service_account", "email")),
    "google_compute_instance_template": WorkloadType(("service_account", "email")),
    "google_container_node_pool": WorkloadType(("node_config", "service_account")),
    "google_container_cluster": WorkloadType(("node_config", "service_account")),
    "google_workbench_instance": WorkloadType(("gce_setup", "service_accounts", "email"), ai_reason="Vertex AI Workbench instance"),
    "google_notebooks_instance": WorkloadType(("service_account",), ai_reason="Vertex AI Workbench notebook"),
}
#: What Google Cloud gives its compute in place of a service account key (said in findings).
_OWN_IDENTITY = "its attached service account (or Workload Identity on GKE)"
#: Credentials a workload can read by reference, and which of their attributes hold the secret.
_KEY_ATTRIBUTES = {"google_apikeys_key": frozenset({"key_string"}), "google_service_account_key": frozenset({"private_key"})}


def extract_workloads(gcp: GcpModule, credentials: dict[str, Credential]) -> Extraction:
    found = Extraction()
    secrets = gcp.by_type(*SECRET_TYPES)
    targets: dict[str, frozenset[str] | None] = {
        address: None if credential.source_type in SECRET_TYPES else _KEY_ATTRIBUTES[credential.source_type]
        for address, credential in credentials.items()
        if credential.source_type in SECRET_TYPES or credential.source_type in _KEY_ATTRIBUTES
    }

    def target(entry: EnvEntry) -> str | None:
        return referenced_credential(entry, targets)

    for resource in sorted(gcp.module.resources_of(*WORKLOAD_TYPES), key=lambda r: r.address):
        kind = WORKLOAD_TYPES[resource.resource_type]
        identity = _identity(gcp, resource, kind.service_account)
        found.workloads.append(
            Workload(
                address=resource.address, provider=PROVIDER, source_type=resource.resource_type, location=resource.location,
                identity=identity.credential if identity else None, ai_reasons=(kind.ai_reason,) if kind.ai_reason else (),
                ai_hints=(resource.name, *resource.known_texts("name")), tags=tag_map(gcp.labels(resource)),
                platform=PROVIDER, platform_identity=_OWN_IDENTITY,
            )
        )
        usages, literals = read_entries(resource.address, _entries(resource, kind), target)
        found.usages += ([identity] if identity else []) + usages
        found.usages += [
            Usage.through_env(resource.address, secret, entry.name, entry.location)
            for entry in _secret_references(resource, kind)
            if (secret := referenced_credential(entry, targets) or secret_named(entry.value, secrets))
        ]
        if literals:
            found.credentials.append(literal_credential(resource, PROVIDER, literals))
    return found


def _identity(gcp: GcpModule, resource: Resource, path: tuple[str, ...]) -> Usage | None:
    for view in _nested(resource, path[:-1]):
        if view.has(path[-1]):
            account = gcp.service_account(view, path[-1])
            if account:
                return Usage(resource.address, account, "service account", view.location_of(path[-1]))
    return None


def _nested(view: BlockView, path: tuple[str, ...]) -> list[BlockView]:
    """Every block at the end of a path of nested block names."""
    found = [view]
    for name in path:
        found = [child for parent in found for child in parent.blocks(name)]
    return found


def _entries(resource: Resource, kind: WorkloadType) -> Iterator[EnvEntry]:
    """Environment values written in the workload: literal keys are hardcoded, references to keys
    (``google_apikeys_key.x.key_string``) are usages."""
    for container in _nested(resource, kind.containers) if kind.containers else []:
        for env in container.blocks("env"):
            name = env.value("name")
            if isinstance(name, str) and env.has("value"):
                yield block_entry(env, name, "value", f"containers.env.{name}")
    for holder in _function_settings(resource, kind):
        yield from map_entries(holder, "environment_variables", "environment_variables")
    if resource.resource_type.startswith("google_compute_instance"):
        yield from map_entries(resource, "metadata", "metadata")


def _secret_references(resource: Resource, kind: WorkloadType) -> Iterator[EnvEntry]:
    """Environment variables read from Secret Manager: Cloud Run ``value_source.secret_key_ref``
    (``value_from`` in v1), Cloud Functions ``secret_environment_variables``."""
    for container in _nested(resource, kind.containers) if kind.containers else []:
        for env in container.blocks("env"):
            name = env.value("name")
            for reference in _nested(env, ("value_source", "secret_key_ref")) + _nested(env, ("value_from", "secret_key_ref")):
                attribute = "secret" if reference.has("secret") else "name"
                if isinstance(name, str):
                    yield block_entry(reference, name, attribute, f"containers.env.{name}")
    for holder in _function_settings(resource, kind):
        for variable in holder.blocks("secret_environment_variables"):
            name = variable.value("key")
            if isinstance(name, str):
                yield block_entry(variable, name, "secret", f"secret_environment_variables.{name}")


def _function_settings(resource: Resource, kind: WorkloadType) -> list[BlockView]:
    """Where a Cloud Function keeps its environment: ``service_config`` (2nd gen) or itself (1st gen)."""
    if not resource.resource_type.startswith("google_cloudfunctions"):
        return []
    return _nested(resource, kind.settings)
