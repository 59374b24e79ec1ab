"""Kubernetes recognizer: the credentials and workloads that manifests define.

Credentials: Secrets (a service-account-token Secret is a ``token``, every other type a
``secret``), ServiceAccounts (identities, scoped by the RBAC rules bound to them), External
Secrets Operator ``ExternalSecret`` / ``ClusterExternalSecret`` and Secrets Store CSI
``SecretProviderClass`` (secrets kept in an external store), Bitnami ``SealedSecret``, the Vault
secrets the Vault Agent Injector renders into pods, and literal secrets written into a
container's ``env``. Workloads: Pods and the controllers that template them; their
ServiceAccount, ``secretKeyRef``, ``envFrom``, secret volumes, CSI volumes and Vault injection
annotations become usages. A ``PushSecret`` is a workload too: it reads the Secret it copies to a
store (secret_operators.py).

Everything reads the plain dict shape of an object through :class:`KubeObject` (``body``,
``line_of``, ``location``), never YAML, so an object converted from Terraform's ``kubernetes_*``
resources goes through the same functions.

Kubernetes has no field for owner, expiry or rotation, so iac-guard reads conventions:

- owner: the first of ``settings.owner_keys`` found among the labels, then the annotations (keys
  compared case-insensitively); a key with an empty value is an empty owner, which policies treat
  as a placeholder;
- expiry: annotation ``iac-guard.io/expires: YYYY-MM-DD``;
- rotation: annotation ``iac-guard.io/rotation-period`` with a unit ``h``, ``d`` or ``w``
  (``12h``, ``30d``, ``4w``).

An annotation that cannot be parsed gives an unknown value (never a failure). Annotations state
what the object itself cannot, so they override a kind's default; an ExternalSecret's own
``refreshInterval`` still wins over a rotation annotation.
"""


from __future__ import annotations

from collections.abc import Iterable

from ...config.settings import Settings
from ...kubernetes.objects import KubeObject
from ...model import Credential, Extraction, Location
from ..cluster import ClusterContext
from .config_maps import config_map_credential
from .credentials import object_credential
from .external import external_service_accounts, irsa_role
from .index import name_index
from .secret_operators import push_secret, pushed_secret_name, vault_injections
from .vocabulary import EXTERNAL_SECRETS_GROUP, POD_SPEC_PATHS
from .workloads import unique_usages, workload_of


def extract(cluster: ClusterContext, settings: Settings) -> Extraction:
    """Credentials, workloads and usages of every Kubernetes object in the YAML of the scan. The
    objects Terraform's kubernetes provider creates are context: a RoleBinding written in Terraform
    still scopes a ServiceAccount written in YAML (terraform.py extracts those objects)."""
    return extract_objects(cluster.yaml_objects, settings, context=[t.obj for t in cluster.terraform_objects])


def extract_objects(objects: Iterable[KubeObject], settings: Settings, context: Iterable[KubeObject] = ()) -> Extraction:
    """Credentials, workloads and usages of ``objects``, sorted by address (objects are visited in
    address order, so the output never depends on file order). ``context``: other objects of the
    scan, which resolve names (RBAC bindings, ExternalSecret targets) but are not extracted."""
    objects = sorted(objects, key=_order)
    index = name_index(sorted([*objects, *context], key=_order))
    found = Extraction()
    vault_secrets: dict[str, Credential] = {}
    for obj in objects:
        credential = object_credential(obj, settings, index) or config_map_credential(obj)
        if credential is not None:
            found.credentials.append(credential)
        if obj.address in index.irsa_roles:
            found.credentials.append(irsa_role(obj, index.irsa_roles[obj.address]))
        if obj.kind in POD_SPEC_PATHS:
            workload, usages, literal = workload_of(obj, index)
            found.workloads.append(workload)
            found.usages.extend(usages)
            if literal is not None:
                found.credentials.append(literal)
            for usage, vault_secret in vault_injections(obj, POD_SPEC_PATHS[obj.kind][:-1]):
                found.usages.append(usage)
                vault_secrets.setdefault(vault_secret.address, vault_secret)
        pushed = pushed_secret_name(obj) if (obj.api_group, obj.kind) == (EXTERNAL_SECRETS_GROUP, "PushSecret") else None
        if pushed is not None:
            workload, usages = push_secret(obj, index.secret(obj.namespace, pushed))
            found.workloads.append(workload)
            found.usages.extend(usages)
    found.credentials += vault_secrets.values()
    found.credentials += external_service_accounts(objects, found.usages, index)
    found.credentials.sort(key=lambda credential: (credential.address, credential.location))
    found.usages = unique_usages(found.usages)
    return found


def _order(obj: KubeObject) -> tuple[str, Location]:
    return obj.address, obj.location
