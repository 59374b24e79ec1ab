"""What secret operators write and read, beyond the objects that define a credential: the Secret a
SealedSecret unseals into, the namespaces a ClusterExternalSecret writes its Secret into, the
Secret a PushSecret copies to an external store, and the Vault secrets the Vault Agent Injector
renders into a pod.

Workloads reference the Secrets these controllers write by name, so the name index maps each
written Secret to the object that writes it (index.py). A PushSecret reads a Secret to copy it:
it is a consumer of that Secret, like a pod, so one key pushed to a store and used by a pod has
two consumers. A Vault path injected into pods is a credential of its own (``VaultSecret/<path>``),
whose owner, expiry and rotation live in Vault and are unknown here (never failing); two
workloads injecting one path share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...kubernetes.objects import KubeObject, PathKey, scalar_text
from ...model import UNKNOWN, Credential, Expiry, Location, Owner, Rotation, Usage, Workload
from .shapes import dicts, dig, mapping, strings
from .vocabulary import PROVIDER, VAULT_INJECT_ANNOTATION, VAULT_INJECT_SECRET_PREFIX

#: Namespace name → its labels, for ClusterExternalSecret namespace selectors.
NamespaceLabels = Mapping[str, Mapping[str, str]]


def sealed_secret_target(obj: KubeObject) -> str:
    """The Secret a SealedSecret unseals into: ``spec.template.metadata`` name and namespace, by
    default the SealedSecret's own (the controller requires them to match unless the seal's scope
    is cluster-wide)."""
    metadata = mapping(dig(obj.body, "spec", "template", "metadata"))
    name, namespace = metadata.get("name"), metadata.get("namespace")
    return f"Secret/{namespace if isinstance(namespace, str) and namespace else obj.namespace}/" + (
        name if isinstance(name, str) and name else obj.name
    )


def cluster_external_spec(obj: KubeObject) -> dict[str, Any]:
    """The ExternalSecret spec a ClusterExternalSecret stamps into each of its namespaces."""
    return mapping(dig(obj.body, "spec", "externalSecretSpec"))


def cluster_external_targets(obj: KubeObject, namespaces: NamespaceLabels) -> list[str]:
    """The Secrets a ClusterExternalSecret writes: its target name in each namespace it names
    (``spec.namespaces``) or selects among the Namespaces the scan defines; none when it selects
    namespaces the scan does not describe (unknown, not guessed)."""
    spec = mapping(obj.body.get("spec"))
    target = dig(spec, "externalSecretSpec", "target", "name") or spec.get("externalSecretName") or obj.name
    chosen = set(strings(spec.get("namespaces")))
    selectors = [*dicts(spec.get("namespaceSelectors")), *dicts([spec.get("namespaceSelector")])]
    for name, labels in namespaces.items():
        if any(selects(selector, labels) for selector in selectors):
            chosen.add(name)
    return [f"Secret/{namespace}/{target}" for namespace in sorted(chosen)]


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector (``matchLabels`` and ``matchExpressions``) against labels. An
    empty selector selects everything, as the API server reads it."""
    for key, value in mapping(selector.get("matchLabels")).items():
        if labels.get(str(key)) != scalar_text(value):
            return False
    for expression in dicts(selector.get("matchExpressions")):
        key, operator, values = str(expression.get("key")), expression.get("operator"), set(strings(expression.get("values")))
        present = key in labels
        if not {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(str(operator), False):
            return False
    return True


def push_secret(obj: KubeObject, secret_address: str) -> tuple[Workload, list[Usage]]:
    """A PushSecret as the consumer of the Secret it copies (``spec.selector.secret.name``) to the
    stores of ``spec.secretStoreRefs``."""
    stores = [scalar_text(ref.get("name")) for ref in dicts(dig(obj.body, "spec", "secretStoreRefs"))]
    via = f"pushed to {', '.join(store for store in stores if store) or 'a secret store'}"
    workload = Workload(obj.address, PROVIDER, obj.kind, obj.location)
    location = obj.location_of("spec", "selector", "secret", "name")
    return workload, [Usage(obj.address, secret_address, via, location)]


def pushed_secret_name(obj: KubeObject) -> str | None:
    name = dig(obj.body, "spec", "selector", "secret", "name")
    return name if isinstance(name, str) and name else None


def vault_injections(obj: KubeObject, template_path: PathKey) -> list[tuple[Usage, Credential]]:
    """The Vault secrets the Agent Injector renders into a workload's pods, each a usage of a
    ``VaultSecret/<path>`` credential. Only when injection is switched on (``agent-inject: "true"``)."""
    annotations = mapping(dig(obj.body, *template_path, "metadata", "annotations"))
    if scalar_text(annotations.get(VAULT_INJECT_ANNOTATION)).lower() != "true":
        return []
    found = []
    for key, value in annotations.items():
        path = scalar_text(value).strip()
        if not str(key).startswith(VAULT_INJECT_SECRET_PREFIX) or not path:
            continue
        file = str(key)[len(VAULT_INJECT_SECRET_PREFIX):]
        location = obj.location_of(*template_path, "metadata", "annotations", key)
        address = f"VaultSecret/{path}"
        usage = Usage(obj.address, address, f"vault agent /vault/secrets/{file}", location)
        found.append((usage, _vault_secret(address, path, location)))
    return found


def _vault_secret(address: str, path: str, location: Location) -> Credential:
    """A Vault secret known only by the path pods read: what Vault states about it is not here."""
    return Credential(
        address=address,
        provider="vault",
        source_type="vault-agent-injector",
        kind="secret",
        location=location,
        name=path,
        owner=Owner(UNKNOWN, source="kept in Vault"),
        expiry=Expiry(UNKNOWN, source="kept in Vault"),
        rotation=Rotation(UNKNOWN, "kept in Vault"),
        ai_hints=tuple(part for part in path.split("/") if part),
        declared=False,
    )
