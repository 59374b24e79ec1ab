"""Workloads: Pods and the controllers that template them, what they use (their
ServiceAccount, ``secretKeyRef``, ``envFrom``, secret and CSI volumes), and the literal secrets
written into their ``env``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...kubernetes.objects import KubeObject, PathKey, scalar_text
from ...model import Credential, Location, SecretLiteral, Usage, Workload
from ...secrets.detect import credential_kind
from ..common.identity_names import EKS_SERVICE_ACCOUNT, aws_role
from .index import NameIndex
from .literals import value_literals
from .platforms import pod_platform
from .shapes import dig, indexed_dicts, mapping, strings
from .vocabulary import PLATFORM_IDENTITY, POD_SPEC_PATHS, PROVIDER, RUNS_AS


def workload_of(obj: KubeObject, index: NameIndex) -> tuple[Workload, list[Usage], Credential | None]:
    """A workload, what it uses, and the literal credential its env values hold, if any."""
    spec_path = POD_SPEC_PATHS[obj.kind]
    spec = mapping(dig(obj.body, *spec_path))
    identity, usages = _identity(obj, spec, spec_path, index)
    literals: list[tuple[str, SecretLiteral]] = []
    for section in ("initContainers", "containers"):
        for position, container in indexed_dicts(spec.get(section)):
            path = spec_path + (section, position)
            usages += _container_usages(obj, container, path, index)
            literals += _env_literals(obj, container, path, section)
    usages += _volume_usages(obj, spec, spec_path, index)
    labels = mapping(dig(obj.body, *spec_path[:-1], "metadata", "labels"))
    platform = pod_platform(spec, labels, index.account_platforms.get(identity) if identity else None)
    workload = Workload(obj.address, PROVIDER, obj.kind, obj.location, identity, tags=obj.labels,
                        platform=platform, platform_identity=PLATFORM_IDENTITY.get(platform or "", ""))
    return workload, usages, _literal_credential(obj, literals) if literals else None


def _identity(obj: KubeObject, spec: dict[str, Any], spec_path: PathKey, index: NameIndex) -> tuple[str | None, list[Usage]]:
    """The ServiceAccount a pod runs as. ``automountServiceAccountToken: false`` still counts: the
    pod is bound to the identity even when the token is not mounted, and RBAC stays attached.
    Without ``serviceAccountName`` the pod runs as ``default``, used only if the scan defines it."""
    for field in ("serviceAccountName", "serviceAccount"):  # serviceAccount: the deprecated alias
        name = spec.get(field)
        if isinstance(name, str) and name:
            address = f"ServiceAccount/{obj.namespace}/{name}"
            return address, _account_usages(obj, address, index, spec_path + (field,))
    default = f"ServiceAccount/{obj.namespace}/default"
    if default in index.service_accounts:
        return default, _account_usages(obj, default, index, spec_path)
    return None, []


def _account_usages(obj: KubeObject, account: str, index: NameIndex, path: PathKey) -> list[Usage]:
    """The ServiceAccount a pod runs as, and the cloud role it gets through it: the role its IRSA
    annotation names, and whatever role a trust policy or EKS Pod Identity binds to the account
    (a name only a role declares, see common/identity_names.py)."""
    usages = [_usage(obj, account, RUNS_AS, path)]
    bound = account.removeprefix("ServiceAccount/")
    usages.append(_usage(obj, f"{EKS_SERVICE_ACCOUNT}{bound}", f"IAM role bound to {account}", path))
    role = index.irsa_roles.get(account)
    if role:
        usages.append(_usage(obj, aws_role(role), f"IRSA role of {account}", path))
    return usages


def _container_usages(obj: KubeObject, container: dict[str, Any], path: PathKey, index: NameIndex) -> list[Usage]:
    usages = []
    for position, env in indexed_dicts(container.get("env")):
        secret = dig(env, "valueFrom", "secretKeyRef", "name")
        if isinstance(secret, str):
            reference = path + ("env", position, "valueFrom", "secretKeyRef", "name")
            name = scalar_text(env.get("name"))
            usages.append(_usage(obj, index.secret(obj.namespace, secret), f"env {name}", reference, env_var=name))
    for position, source in indexed_dicts(container.get("envFrom")):
        secret = dig(source, "secretRef", "name")
        if isinstance(secret, str):
            reference = path + ("envFrom", position, "secretRef", "name")
            usages.append(_usage(obj, index.secret(obj.namespace, secret), "envFrom", reference))
    return usages


def _volume_usages(obj: KubeObject, spec: dict[str, Any], spec_path: PathKey, index: NameIndex) -> list[Usage]:
    usages = []
    for position, volume in indexed_dicts(spec.get("volumes")):
        via = f"volume {scalar_text(volume.get('name'))}"
        for reference, name in _volume_references(volume):
            if reference[0] == "csi":
                credential = f"SecretProviderClass/{obj.namespace}/{name}"
            else:
                credential = index.secret(obj.namespace, name)
            usages.append(_usage(obj, credential, via, spec_path + ("volumes", position) + reference))
    return usages


def _volume_references(volume: dict[str, Any]) -> Iterator[tuple[PathKey, str]]:
    """Where a volume names a Secret (a secret volume, a projected secret) or, under ``csi``, a
    Secrets Store SecretProviderClass."""
    sources = indexed_dicts(dig(volume, "projected", "sources"))
    paths: list[PathKey] = [("secret", "secretName"), ("csi", "volumeAttributes", "secretProviderClass")]
    paths += [("projected", "sources", number, "secret", "name") for number, _ in sources]
    for path in paths:
        name = dig(volume, *path)
        if isinstance(name, str):
            yield path, name


def _env_literals(
    obj: KubeObject, container: dict[str, Any], path: PathKey, section: str
) -> list[tuple[str, SecretLiteral]]:
    """Secret values written straight into ``env[].value`` (with the variable's name) and keys in
    the container's ``command`` and ``args`` (``--api-key=sk-…``)."""
    found = []
    container_name = scalar_text(container.get("name"))
    for position, env in indexed_dicts(container.get("env")):
        name = scalar_text(env.get("name"))
        field = f"{section}.{container_name}.env.{name}"
        found += [(name, literal) for literal in value_literals(obj, (*path, "env", position), env.get("value"), field, name)]
    for words in ("command", "args"):
        for position, word in enumerate(strings(container.get(words))):
            field = f"{section}.{container_name}.{words}[{position}]"
            found += [("", literal) for literal in value_literals(obj, (*path, words, position), word, field, words)]
    return found


def _literal_credential(obj: KubeObject, found: list[tuple[str, SecretLiteral]]) -> Credential:
    """All literal secrets of one workload as one credential at the workload's address."""
    literals = tuple(literal for _, literal in found)
    kinds = [credential_kind(literal.detector) for literal in literals]
    return Credential(
        address=obj.address,
        provider=PROVIDER,
        source_type=obj.kind,
        kind=next((kind for kind in kinds if kind != "secret"), "secret"),
        location=Location(obj.location.file, literals[0].location.line, literals[-1].location.line),
        name=obj.name,
        origin="literal",
        hardcoded=literals,
        ai_hints=tuple(dict.fromkeys(name for name, _ in found if name)),
    )


def _usage(obj: KubeObject, credential: str, via: str, path: PathKey, env_var: str | None = None) -> Usage:
    return Usage(obj.address, credential, via, obj.location_of(*path), env_var=env_var)


def unique_usages(usages: list[Usage]) -> list[Usage]:
    """One usage per (workload, credential, via), the first found, in a stable order."""
    unique: dict[tuple[str, str, str], Usage] = {}
    for usage in usages:
        unique.setdefault((usage.workload, usage.credential, usage.via), usage)
    return [unique[key] for key in sorted(unique)]
