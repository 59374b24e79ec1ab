"""AWS compute that uses credentials: the role it runs as, the secrets it reads, the keys written
into its environment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...model import Extraction, Unknown, Usage, Workload
from ...terraform.values import json_partial
from ...terraform.view import BlockView, Resource
from ..common.environment import EnvEntry, map_entries, read_entries, referenced_credential
from ..common.links import link, link_value
from ..common.literals import literal_credential, tag_map
from .context import AwsModule
from .identities import external_role


@dataclass(frozen=True)
class RoleAttribute:
    """Where a workload type names the role it runs as (``role``, ``task_role_arn``, a nested block)."""

    path: tuple[str, ...]  # nested block names, then the attribute
    via: str


_ROLE_ATTRIBUTES: dict[str, tuple[RoleAttribute, ...]] = {
    "aws_lambda_function": (RoleAttribute(("role",), "role"),),
    "aws_ecs_task_definition": (RoleAttribute(("task_role_arn",), "task role"), RoleAttribute(("execution_role_arn",), "execution role")),
    "aws_bedrockagent_agent": (RoleAttribute(("agent_resource_role_arn",), "agent role"),),
    "aws_sagemaker_notebook_instance": (RoleAttribute(("role_arn",), "role"),),
    "aws_sagemaker_model": (RoleAttribute(("execution_role_arn",), "execution role"),),
    "aws_sagemaker_domain": (RoleAttribute(("default_user_settings", "execution_role"), "execution role"),),
    "aws_sagemaker_user_profile": (RoleAttribute(("user_settings", "execution_role"), "execution role"),),
    "aws_sagemaker_pipeline": (RoleAttribute(("role_arn",), "role"),),
    "aws_sagemaker_training_job": (RoleAttribute(("role_arn",), "role"),),
    "aws_sagemaker_endpoint_configuration": (),
}
_AI_WORKLOADS = {"aws_bedrockagent_agent": "Amazon Bedrock agent"}
#: What AWS gives each kind of workload in place of a stored access key (said in findings).
_OWN_IDENTITY = {
    "aws_lambda_function": "the function's execution role (role)",
    "aws_ecs_task_definition": "the task role (task_role_arn)",
    "aws_instance": "an instance profile (iam_instance_profile)",
    "aws_bedrockagent_agent": "the agent's role (agent_resource_role_arn)",
}
_AI_WORKLOAD_PREFIXES = {"aws_sagemaker_": "Amazon SageMaker workload"}


def extract_workloads(aws: AwsModule) -> Extraction:
    found = Extraction()
    secret_stores = aws.by_type("aws_secretsmanager_secret", "aws_ssm_parameter")
    access_keys: dict[str, frozenset[str] | None] = dict.fromkeys(aws.by_type("aws_iam_access_key"))
    for resource in sorted(_workload_resources(aws), key=lambda r: r.address):
        role = _role_usages(aws, resource)
        env = list(_environment(resource))
        found.workloads.append(
            Workload(
                address=resource.address, provider="aws", source_type=resource.resource_type,
                location=resource.location, identity=role[0].credential if role else None,
                ai_reasons=_ai_reasons(resource.resource_type),
                ai_hints=(resource.name, *resource.known_texts("function_name", "family", "agent_name")),
                tags=tag_map(aws.tags(resource)),
                platform="aws", platform_identity=_OWN_IDENTITY.get(resource.resource_type, "its execution role"),
            )
        )
        found.usages += role

        def secret_store(entry: EnvEntry) -> str | None:
            target = next((ref for ref in sorted(entry.refs or ()) if ref in secret_stores), None)
            return (
                target or link_value(entry.value, secret_stores, "name", "arn") or _secret_arn_target(entry.value, secret_stores)
                or referenced_credential(entry, access_keys)  # its id or secret: either is using the key
            )

        usages, literals = read_entries(resource.address, env, secret_store)
        found.usages += usages
        if literals:
            found.credentials.append(literal_credential(resource, "aws", literals))
    return found


def _workload_resources(aws: AwsModule) -> Iterator[Resource]:
    for resource in aws.module.resources:
        kind = resource.resource_type
        if kind in _ROLE_ATTRIBUTES or kind == "aws_instance" or kind.startswith("aws_sagemaker_") and _has_role(resource):
            yield resource


def _has_role(resource: Resource) -> bool:
    return any(resource.has(name) for name in ("role_arn", "execution_role_arn"))


def _ai_reasons(resource_type: str) -> tuple[str, ...]:
    if resource_type in _AI_WORKLOADS:
        return (_AI_WORKLOADS[resource_type],)
    return tuple(reason for prefix, reason in _AI_WORKLOAD_PREFIXES.items() if resource_type.startswith(prefix))


def _role_usages(aws: AwsModule, resource: Resource) -> list[Usage]:
    usages = []
    attributes = _ROLE_ATTRIBUTES.get(resource.resource_type) or (RoleAttribute(("role_arn",), "role"), RoleAttribute(("execution_role_arn",), "execution role"))
    for attribute in attributes:
        view = _nested(resource, attribute.path[:-1])
        if view is None or not view.has(attribute.path[-1]):
            continue
        role = link(view, attribute.path[-1], aws.roles, "name", "arn") or external_role(view, attribute.path[-1])
        if role:
            usages.append(Usage(resource.address, role, attribute.via, view.location_of(attribute.path[-1])))
    if resource.resource_type == "aws_instance" and resource.has("iam_instance_profile"):
        profiles = aws.by_type("aws_iam_instance_profile")
        profile = link(resource, "iam_instance_profile", profiles, "name", "arn")
        role = link(profiles[profile], "role", aws.roles, "name") if profile else None
        if role:
            usages.append(Usage(resource.address, role, "instance profile", resource.location_of("iam_instance_profile")))
    return usages


def _nested(resource: Resource, path: tuple[str, ...]) -> BlockView | None:
    view: BlockView | None = resource
    for name in path:
        view = view.first_block(name) if view else None
    return view


def _environment(resource: Resource) -> Iterator[EnvEntry]:
    """Environment entries of Lambda functions, SageMaker model containers and ECS container
    definitions, with their lines."""
    environment = resource.first_block("environment")
    if environment is not None:
        yield from map_entries(environment, "variables", "environment.variables")
    for block in ("primary_container", "container"):
        for model_container in resource.blocks(block) if resource.resource_type == "aws_sagemaker_model" else ():
            yield from map_entries(model_container, "environment", f"{block}.environment")
    if resource.has("container_definitions"):
        location = resource.location_of("container_definitions")
        written = {(c, kind, n): v for c, kind, n, v in _container_entries(resource.literal_value("container_definitions"))}
        for container, kind, name, value in _container_entries(resource.value("container_definitions")):
            refs = value.refs if isinstance(value, Unknown) else None
            yield EnvEntry(name, value, written.get((container, kind, name)), refs, f"container_definitions.{container}.{kind}.{name}", location)


def _container_entries(definitions: Any) -> Iterator[tuple[str, str, str, Any]]:
    """(container, "environment" | "secrets", name, value) of ECS container definitions."""
    containers = json_partial(definitions)
    for container in containers if isinstance(containers, list) else []:
        if not isinstance(container, dict):
            continue
        name = str(container.get("name", "?"))
        for kind, value_key in (("environment", "value"), ("secrets", "valueFrom")):
            entries = container.get(kind)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    yield name, kind, entry["name"], entry.get(value_key)


def _secret_arn_target(value: Any, stores: dict[str, Resource]) -> str | None:
    """``arn:aws:secretsmanager:…:secret:openai-api-key-AbCdEf`` names the secret ``openai-api-key``."""
    if not isinstance(value, str) or ":secretsmanager:" not in value or ":secret:" not in value:
        return None
    tail = value.split(":secret:", 1)[1]
    for address, store in sorted(stores.items()):
        name = store.value("name")
        if isinstance(name, str) and (tail == name or tail.startswith(name + "-")):
            return address
    return None

