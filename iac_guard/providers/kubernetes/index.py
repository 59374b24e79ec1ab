"""What the whole scan defines, to resolve names to addresses across files: Secrets, the Secrets
controllers write (ExternalSecret and ClusterExternalSecret targets, SecretProviderClass
``secretObjects``, the Secret a SealedSecret unseals into), ServiceAccounts and their RBAC grants."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...kubernetes.objects import KubeObject
from ...model import Grant
from ..common.links import arn_name
from .rbac import rbac_grants
from .secret_operators import NamespaceLabels, cluster_external_targets, sealed_secret_target
from .shapes import dicts, dig
from .vocabulary import (
    ACCOUNT_PLATFORM_ANNOTATIONS,
    CSI_SECRETS_GROUP,
    EXTERNAL_SECRETS_GROUP,
    IRSA_ANNOTATION,
    SEALED_SECRETS_GROUP,
)


@dataclass(frozen=True)
class NameIndex:
    """What the whole scan defines, to resolve names to addresses across files."""

    secrets: frozenset[str]
    #: Secret address a controller writes → the ExternalSecret / SecretProviderClass that writes it.
    generated: dict[str, str]
    service_accounts: frozenset[str]
    grants: dict[str, tuple[Grant, ...]]
    #: ServiceAccount address → the IAM role name its ``eks.amazonaws.com/role-arn`` names (IRSA).
    irsa_roles: dict[str, str] = field(default_factory=dict)
    #: ServiceAccount address → the cloud its workload identity annotation names (platforms.py).
    account_platforms: dict[str, str] = field(default_factory=dict)

    def secret(self, namespace: str | None, name: str) -> str:
        """The credential behind a Secret name: the Secret if the scan defines it, else its generator."""
        address = f"Secret/{namespace}/{name}"
        return address if address in self.secrets else self.generated.get(address, address)


def name_index(objects: list[KubeObject]) -> NameIndex:
    generated: dict[str, str] = {}
    namespaces = {obj.name: obj.labels for obj in objects if (obj.api_group, obj.kind) == ("", "Namespace")}
    for obj in objects:
        for address in _generated_secrets(obj, namespaces):
            generated.setdefault(address, obj.address)
    return NameIndex(
        secrets=frozenset(obj.address for obj in objects if (obj.api_group, obj.kind) == ("", "Secret")),
        generated=generated,
        service_accounts=frozenset(obj.address for obj in objects if (obj.api_group, obj.kind) == ("", "ServiceAccount")),
        grants=rbac_grants(objects),
        irsa_roles={
            obj.address: arn_name(arn) for obj in objects
            if (obj.api_group, obj.kind) == ("", "ServiceAccount") and (arn := obj.annotations.get(IRSA_ANNOTATION, "").strip())
        },
        account_platforms={
            obj.address: platform for obj in objects if (obj.api_group, obj.kind) == ("", "ServiceAccount")
            for annotation, platform in ACCOUNT_PLATFORM_ANNOTATIONS.items() if str(obj.annotations.get(annotation, "")).strip()
        },
    )


def _generated_secrets(obj: KubeObject, namespaces: NamespaceLabels) -> list[str]:
    """Addresses of the Secrets a controller writes from this object, which workloads then
    reference by name."""
    kind = (obj.api_group, obj.kind)
    if kind == (EXTERNAL_SECRETS_GROUP, "ExternalSecret"):
        return [f"Secret/{obj.namespace}/{external_target(obj)}"]
    if kind == (EXTERNAL_SECRETS_GROUP, "ClusterExternalSecret"):
        return cluster_external_targets(obj, namespaces)
    if kind == (SEALED_SECRETS_GROUP, "SealedSecret"):
        return [sealed_secret_target(obj)]
    if kind == (CSI_SECRETS_GROUP, "SecretProviderClass"):
        names = (dig(item, "secretName") for item in dicts(dig(obj.body, "spec", "secretObjects")))
        return [f"Secret/{obj.namespace}/{name}" for name in names if isinstance(name, str)]
    return []


def external_target(obj: KubeObject) -> str:
    """The Secret an ExternalSecret writes: ``spec.target.name``, by default its own name."""
    name = dig(obj.body, "spec", "target", "name")
    return name if isinstance(name, str) and name else obj.name
