"""The Kubernetes words the recognizer reads: API groups, the annotations iac-guard's conventions
use, and where each workload kind keeps its pod spec. Shared by the YAML rules (manifests.py) and
the conversion of Terraform's ``kubernetes_*`` resources (convert.py)."""

from __future__ import annotations

from ...kubernetes.objects import PathKey
from ..common.lifetimes import EXPIRES_KEY
from ..common.rotation import ROTATION_PERIOD_KEY

PROVIDER = "kubernetes"
EXPIRES_ANNOTATION = EXPIRES_KEY
ROTATION_ANNOTATION = ROTATION_PERIOD_KEY
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
RBAC_GROUP = "rbac.authorization.k8s.io"
EXTERNAL_SECRETS_GROUP = "external-secrets.io"
CSI_SECRETS_GROUP = "secrets-store.csi.x-k8s.io"
SEALED_SECRETS_GROUP = "bitnami.com"
#: EKS IRSA: the IAM role a ServiceAccount's pods assume with its projected token.
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
#: Vault Agent Injector: ``agent-inject-secret-<file>: <path>`` on a pod template renders the
#: secret at ``<path>`` into ``/vault/secrets/<file>``.
VAULT_INJECT_SECRET_PREFIX = "vault.hashicorp.com/agent-inject-secret-"
VAULT_INJECT_ANNOTATION = "vault.hashicorp.com/agent-inject"

#: Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, PathKey] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
#: The ``via`` of the usage a pod's ``serviceAccountName`` makes: the account it runs as.
RUNS_AS = "serviceAccountName"
#: The marks that say which cloud runs a pod: its ServiceAccount's workload identity annotation,
#: a label the cloud's workload identity webhook reads on the pod, and node labels the cloud sets
#: on its nodes (read in ``nodeSelector`` and node affinity). Prefixes, matched on the key.
ACCOUNT_PLATFORM_ANNOTATIONS = {
    IRSA_ANNOTATION: "aws", "iam.gke.io/gcp-service-account": "gcp", "azure.workload.identity/client-id": "azure",
}
POD_PLATFORM_LABELS = {"azure.workload.identity/use": "azure"}
NODE_PLATFORM_LABEL_PREFIXES = {
    "eks.amazonaws.com/": "aws", "cloud.google.com/gke-": "gcp", "iam.gke.io/": "gcp", "kubernetes.azure.com/": "azure",
}
#: What each cloud gives a pod in place of a stored key (said in findings).
PLATFORM_IDENTITY = {
    "aws": "IRSA or EKS Pod Identity on its ServiceAccount",
    "gcp": "GKE Workload Identity on its ServiceAccount",
    "azure": "Azure Workload Identity (a federated credential) on its ServiceAccount",
}
