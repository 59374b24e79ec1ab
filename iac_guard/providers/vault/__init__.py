"""HashiCorp Vault recognizer (the Terraform ``vault`` provider): tokens, the auth roles that issue
them, ACL policies as their scope, KV secrets, and the secrets engine roles that issue dynamic
credentials. The only package that knows Vault resource types.

Vault conventions, for what its resources have no field for:

- owner: ``metadata`` of a ``vault_token``, ``custom_metadata { data }`` of a ``vault_kv_secret_v2``,
  ``metadata`` of the ``vault_identity_entity`` an auth role's logins belong to (through a
  ``vault_identity_entity_alias`` whose ``name`` is the role's), or the owner label of the one
  ServiceAccount a Kubernetes auth role admits — keys from ``settings.owner_keys``; then the
  config's ``owner_map``; an ``assumed_role`` AWS secrets engine role inherits its IAM role's;
- expiry and rotation of a KV v2 secret: ``iac-guard.io/expires`` and
  ``iac-guard.io/rotation-period`` in its ``custom_metadata``, as Kubernetes annotations state them.
"""

from __future__ import annotations

from ...config.settings import Settings
from ...model import Extraction
from ..cluster import ClusterContext
from ..project import Project
from .context import VaultModule
from .dynamic import aws_roles, database_roles, static_roles
from .policies import DOCUMENT_DATA_SOURCE, render_policy_document
from .stores import configuration_literals, kv_secrets
from .tokens import approle_roles, jwt_roles, kubernetes_roles, tokens

DATA_SOURCES = {DOCUMENT_DATA_SOURCE: render_policy_document}


def extract(project: Project, settings: Settings, cluster: ClusterContext) -> Extraction:
    """Vault's credentials in every root module; ``cluster`` holds the ServiceAccounts a
    Kubernetes auth role admits, wherever the scan defines them."""
    found = Extraction()
    for module in project.modules:
        found.extend(_extract_module(VaultModule(module, settings, cluster)).in_root_module(module.directory))
    return found


def _extract_module(vault: VaultModule) -> Extraction:
    found = Extraction()
    for recognize in (tokens, approle_roles, kubernetes_roles, jwt_roles, aws_roles, database_roles, static_roles,
                      kv_secrets, configuration_literals):
        found.credentials += recognize(vault)
    return found
