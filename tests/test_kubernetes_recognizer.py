"""The Kubernetes recognizer on a realistic ml-platform namespace, then rule by rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from iac_guard.config.settings import Settings
from iac_guard.kubernetes.loader import load_kube_file, load_kube_text
from iac_guard.model import UNKNOWN, Expiry, Extraction, Grant, Location, Owner, Rotation, SecretLiteral, Usage
from iac_guard.providers.cluster import ClusterContext
from iac_guard.providers.common.identity_names import EKS_SERVICE_ACCOUNT
from iac_guard.providers.common.time_values import go_duration_seconds
from iac_guard.providers.kubernetes.manifests import extract

FIXTURES = Path(__file__).parent / "fixtures" / "kubernetes"
SETTINGS = Settings(today=date(2026, 3, 1))
OPENAI_FINGERPRINT = "sk-proj-…C3d4 (56 chars, sha256:b369bbda)"
HF_FINGERPRINT = "hf_…E2r4 (35 chars, sha256:ca6122da)"
WANDB_FINGERPRINT = "…bK3y (36 chars, sha256:cd6fb5da)"
FAKE_OPENAI_KEY = "sk-proj-" + "A1b2C3d4" * 6

NS = "ml-platform"
CHAT_SA = f"ServiceAccount/{NS}/chat-api"
RUNNER_SA = f"ServiceAccount/{NS}/pipeline-runner"
OPENAI_SECRET = f"Secret/{NS}/openai-api-key"
LEGACY_SECRET = f"Secret/{NS}/legacy-llm-keys"
ANTHROPIC = f"ExternalSecret/{NS}/anthropic-credentials"
GEMINI = f"SecretProviderClass/{NS}/gemini-api-key"


def without_cloud_role_names(usages: list[Usage]) -> list[Usage]:
    """The usages without the names a pod reaches a cloud role by through its ServiceAccount
    (``eks-service-account:NS/NAME``, named for every pod; tests/test_eks_identities.py)."""
    return [u for u in usages if not u.credential.startswith(EKS_SERVICE_ACCOUNT)]


def at(file: str, line: int) -> Location:
    return Location(f"ml-platform/{file}", line, line)


@pytest.fixture(scope="module")
def platform() -> Extraction:
    objects = []
    for path in sorted(FIXTURES.rglob("*.yaml")):
        loaded, errors = load_kube_file(path, path.relative_to(FIXTURES).as_posix())
        assert errors == []
        objects += loaded
    return extract(ClusterContext(tuple(objects)), SETTINGS)


@pytest.fixture(scope="module")
def credentials(platform):
    return {credential.address: credential for credential in platform.credentials}


def recognize(text: str, settings: Settings = SETTINGS) -> Extraction:
    objects, errors = load_kube_text(text, "inline.yaml")
    assert errors == []
    return extract(ClusterContext(tuple(objects)), settings)


def test_inventory_of_the_namespace(platform):
    assert [c.address for c in platform.credentials] == [
        ANTHROPIC,
        "Pod/ml-platform/notebook",
        LEGACY_SECRET,
        OPENAI_SECRET,
        "Secret/ml-platform/training-operator-token",
        GEMINI,
        CHAT_SA,
        RUNNER_SA,
        "ServiceAccount/ml-platform/training-operator",
    ]
    assert [(c.kind, c.origin) for c in platform.credentials] == [
        ("secret", "resource"),
        ("api-key", "literal"),
        ("secret", "resource"),
        ("secret", "resource"),
        ("token", "resource"),
        ("secret", "resource"),
        ("service-account", "resource"),
        ("service-account", "resource"),
        ("service-account", "resource"),
    ]
    assert {c.provider for c in platform.credentials} == {"kubernetes"}
    assert all(c.ai_reasons == () for c in platform.credentials)  # decided later, by the classifier


def test_workloads_and_their_identities(platform):
    assert [(w.address, w.source_type, w.identity) for w in platform.workloads] == [
        ("CronJob/ml-platform/embeddings-refresh", "CronJob", CHAT_SA),
        ("Deployment/ml-platform/chat-api", "Deployment", CHAT_SA),
        ("Deployment/ml-platform/rag-indexer", "Deployment", None),  # default SA, not in the scan
        ("Pod/ml-platform/notebook", "Pod", RUNNER_SA),
    ]
    assert platform.workloads[1].location == Location("ml-platform/workloads.yaml", 1, 47)


def test_usages_name_the_workload_the_credential_and_how(platform):
    assert without_cloud_role_names(platform.usages) == [
        Usage("CronJob/ml-platform/embeddings-refresh", OPENAI_SECRET, "envFrom", at("workloads.yaml", 67)),
        Usage("CronJob/ml-platform/embeddings-refresh", CHAT_SA, "serviceAccountName", at("workloads.yaml", 60)),
        Usage.through_env("Deployment/ml-platform/chat-api", ANTHROPIC, "ANTHROPIC_API_KEY", at("workloads.yaml", 33)),
        Usage.through_env("Deployment/ml-platform/chat-api", OPENAI_SECRET, "OPENAI_API_KEY", at("workloads.yaml", 28)),
        Usage("Deployment/ml-platform/chat-api", CHAT_SA, "serviceAccountName", at("workloads.yaml", 18)),
        Usage("Deployment/ml-platform/rag-indexer", LEGACY_SECRET, "volume legacy", at("workloads.yaml", 101)),
        Usage("Deployment/ml-platform/rag-indexer", GEMINI, "volume gemini", at("workloads.yaml", 98)),
        Usage("Pod/ml-platform/notebook", RUNNER_SA, "serviceAccountName", at("workloads.yaml", 109)),
    ]


def test_compliant_secret_reads_owner_expiry_and_rotation_conventions(credentials):
    secret = credentials[OPENAI_SECRET]
    assert secret.owner == Owner("ml-platform-team", "label owner")
    assert secret.expiry == Expiry(305, expires_on="2026-12-31", source="annotation iac-guard.io/expires")
    assert secret.rotation == Rotation(30, "annotation iac-guard.io/rotation-period")
    assert lines(secret.evidence) == {"owner": 8, "expiry": 12, "rotation": 13}
    assert secret.hardcoded == ()  # ${OPENAI_API_KEY} is substituted at deploy time
    assert secret.ai_hints == ("openai-api-key", "OPENAI_API_KEY", "OpenAI API key used by chat-api")
    assert secret.tags == {"owner": "ml-platform-team", "app.kubernetes.io/name": "chat-api"}
    assert secret.location == Location("ml-platform/secrets.yaml", 2, 16)


def test_hardcoded_secret_values_are_fingerprinted(credentials):
    secret = credentials[LEGACY_SECRET]
    assert secret.owner == Owner(None)
    assert secret.expiry == Expiry(None) and secret.rotation == Rotation(None)
    assert secret.hardcoded == (
        SecretLiteral("stringData.OPENAI_API_KEY", "openai-api-key", OPENAI_FINGERPRINT, at("secrets.yaml", 26), "OpenAI"),
        SecretLiteral("data.HF_TOKEN", "huggingface-token", HF_FINGERPRINT, at("secrets.yaml", 28), "Hugging Face"),
    )  # the binary model-cache.bin and the non-base64 notes are skipped
    assert lines(secret.evidence) == {}
    assert FAKE_OPENAI_KEY not in repr(secret)


def test_service_account_token_secret_is_a_long_lived_token_of_its_account(credentials):
    token = credentials["Secret/ml-platform/training-operator-token"]
    assert token.kind == "token"
    assert token.parent == "ServiceAccount/ml-platform/training-operator"
    assert token.expiry == Expiry(None, source="service account token Secrets never expire")


def test_external_secret_rotates_with_its_refresh_interval(credentials):
    external = credentials[ANTHROPIC]
    assert external.rotation == Rotation(1 / 24, "ExternalSecret refreshInterval")
    assert external.expiry.lifetime_days == UNKNOWN
    assert external.owner == Owner("ml-platform-team", "label owner")
    assert lines(external.evidence) == {"owner": 7, "rotation": 9}
    assert external.ai_hints == (
        "anthropic-credentials", "anthropic-api-key", "ANTHROPIC_API_KEY", "ml-platform/anthropic/api-key"
    )


def test_secret_provider_class_lives_in_the_external_store(credentials):
    spc = credentials[GEMINI]
    assert spc.expiry.lifetime_days == UNKNOWN and spc.rotation.period_days == UNKNOWN
    assert spc.owner == Owner("search-team", "label owner")
    assert spc.ai_hints == ("gemini-api-key", "projects/ml-prod/secrets/gemini-api-key/versions/latest")


def test_service_accounts_are_short_lived_identities_scoped_by_rbac(credentials):
    chat = credentials[CHAT_SA]
    assert chat.expiry == Expiry(None, short_lived=True, source="projected service account tokens are short-lived")
    assert chat.owner == Owner("ml-platform-team", "label owner")
    assert chat.scope.grants == (
        Grant(
            "Role/ml-platform/chat-api-config-reader rule 1",
            ("core/configmaps:get", "core/configmaps:watch"),
            ("chat-api-config",),
            (),
            at("rbac.yaml", 8),
        ),
    )
    assert not chat.scope.wildcard
    assert chat.ai_hints == ("chat-api", "Runs the chat API and the nightly embeddings refresh")


def test_wildcard_verbs_are_reported_per_rule(credentials):
    runner = credentials[RUNNER_SA]
    assert [(g.statement, g.actions, g.wildcard_reasons, g.location) for g in runner.scope.grants] == [
        ("Role/ml-platform/pipeline-ops rule 1", ("core/secrets:*", "core/configmaps:*"), ("'*' in verbs",),
         at("rbac.yaml", 32)),
        ("Role/ml-platform/pipeline-ops rule 2", ("batch/jobs:create", "batch/jobs:get"), (), at("rbac.yaml", 35)),
    ]
    assert runner.owner == Owner("", "annotation owner")  # present but empty: a placeholder
    assert runner.evidence == {"owner": at("serviceaccounts.yaml", 19), "scope": at("rbac.yaml", 32)}


def test_cluster_admin_binding_gives_a_wildcard_grant_without_the_role_in_the_scan(credentials):
    operator = credentials["ServiceAccount/ml-platform/training-operator"]
    assert operator.scope.grants == (
        Grant("ClusterRole/cluster-admin (built-in)", (), ("*",), ("bound to cluster-admin",), at("rbac.yaml", 57)),
    )


def test_literal_env_values_make_one_credential_per_workload(credentials):
    literal = credentials["Pod/ml-platform/notebook"]
    assert literal.source_type == "Pod"
    assert literal.location == Location("ml-platform/workloads.yaml", 115, 121)
    assert literal.hardcoded == (
        SecretLiteral(
            "initContainers.fetch-model.env.WANDB_API_KEY", "high-entropy-secret", WANDB_FINGERPRINT, at("workloads.yaml", 115)
        ),
        SecretLiteral(
            "containers.jupyter.env.OPENAI_API_KEY", "openai-api-key", OPENAI_FINGERPRINT, at("workloads.yaml", 121), "OpenAI"
        ),
    )
    assert literal.ai_hints == ("WANDB_API_KEY", "OPENAI_API_KEY")


def test_output_does_not_depend_on_input_order():
    objects = []
    for path in sorted(FIXTURES.rglob("*.yaml")):
        objects += load_kube_file(path, path.relative_to(FIXTURES).as_posix())[0]
    forward = extract(ClusterContext(tuple(objects)), SETTINGS)
    backward = extract(ClusterContext(tuple(objects[::-1])), SETTINGS)
    assert forward == backward


# --- rule by rule -----------------------------------------------------------------------------

SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {name}, namespace: team}}\n"


def pod(spec: str, name: str = "p") -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: team}}\nspec:\n{spec}"


def test_default_service_account_is_used_only_when_the_scan_defines_it():
    containers = "  containers: [{name: c, image: busybox}]\n"
    assert without_cloud_role_names(recognize(pod(containers)).usages) == []
    found = recognize(pod(containers) + "---\n" + SA.format(name="default"))
    assert [(w.identity, u.credential, u.via) for w in found.workloads for u in without_cloud_role_names(found.usages)] == [
        ("ServiceAccount/team/default", "ServiceAccount/team/default", "serviceAccountName")
    ]


def test_deprecated_service_account_field_and_automount_false_still_name_the_identity():
    found = recognize(pod("  serviceAccount: legacy\n  automountServiceAccountToken: false\n"))
    usages = [(u.credential, u.via, u.location.line) for u in without_cloud_role_names(found.usages)]
    assert usages == [("ServiceAccount/team/legacy", "serviceAccountName", 5)]


def test_secret_references_in_env_envfrom_and_volumes_are_deduplicated():
    spec = """\
  containers:
    - name: a
      env:
        - {name: KEY, valueFrom: {secretKeyRef: {name: creds, key: k}}}
      envFrom: [{secretRef: {name: creds}}, {configMapRef: {name: settings}}]
    - name: b
      env:
        - {name: KEY, valueFrom: {secretKeyRef: {name: creds, key: k}}}
  volumes:
    - name: bundle
      projected:
        sources:
          - serviceAccountToken: {path: token, expirationSeconds: 600}
          - secret: {name: tls-bundle}
    - {name: config, configMap: {name: settings}}
"""
    assert [(u.credential, u.via, u.location.line) for u in recognize(pod(spec)).usages] == [
        ("Secret/team/creds", "env KEY", 8),
        ("Secret/team/creds", "envFrom", 9),
        ("Secret/team/tls-bundle", "volume bundle", 18),
    ]


def test_generated_secret_names_resolve_to_their_generator_unless_a_secret_exists():
    external = (
        "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: openai, namespace: team}\nspec: {}\n"
    )
    spc = (
        "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata: {name: vault, namespace: team}\n"
        "spec:\n  secretObjects: [{secretName: synced, type: Opaque}]\n"
    )
    refs = "  containers:\n    - name: c\n      envFrom: [{secretRef: {name: openai}}, {secretRef: {name: synced}}]\n"
    usages = recognize(pod(refs) + "---\n" + external + "---\n" + spc).usages
    assert [u.credential for u in usages] == ["ExternalSecret/team/openai", "SecretProviderClass/team/vault"]
    shadowing = "apiVersion: v1\nkind: Secret\nmetadata: {name: openai, namespace: team}\n"
    usages = recognize(pod(refs) + "---\n" + external + "---\n" + shadowing).usages
    assert [u.credential for u in usages] == ["Secret/team/openai", "Secret/team/synced"]


ES_REFRESH = "ExternalSecret refreshInterval"
EXPIRES_KEY = "iac-guard.io/expires"
ROTATION_KEY = "iac-guard.io/rotation-period"
ANNOTATED = f"annotation {ROTATION_KEY}"


@pytest.mark.parametrize(
    "spec, annotations, rotation",
    [
        ("{}", "{}", Rotation(1 / 24, "ExternalSecret refreshInterval (operator default 1h)")),
        ("{refreshInterval: 15m}", "{}", Rotation(15 / 1440, ES_REFRESH)),
        ("{refreshInterval: 720h}", "{}", Rotation(30, ES_REFRESH)),
        ("{refreshInterval: soon}", "{}", Rotation(UNKNOWN, ES_REFRESH)),
        ('{refreshInterval: "0"}', "{}", Rotation(None)),  # never refreshed
        ("{refreshInterval: 0}", "{iac-guard.io/rotation-period: 1w}", Rotation(7, ANNOTATED)),
        ("{refreshInterval: 1h}", "{iac-guard.io/rotation-period: 1w}", Rotation(1 / 24, ES_REFRESH)),  # its own field wins
    ],
)
def test_external_secret_refresh_interval(spec, annotations, rotation):
    text = (
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n"
        f"metadata: {{name: e, annotations: {annotations}}}\nspec: {spec}\n"
    )
    assert recognize(text).credentials[0].rotation == rotation


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("30s", 30), ("1h30m", 5400), ("1.5h", 5400), ("250ms", 0.25), ("0", 0),
        ("", None), ("1d", None), ("-1h", None), ("h", None),
    ],
)
def test_go_durations(text, seconds):
    assert go_duration_seconds(text) == seconds


@pytest.mark.parametrize(
    "annotations, expiry, rotation",
    [
        ({ROTATION_KEY: "12h"}, Expiry(None), Rotation(0.5, ANNOTATED)),
        ({ROTATION_KEY: "4w"}, Expiry(None), Rotation(28, ANNOTATED)),
        ({ROTATION_KEY: "monthly"}, Expiry(None), Rotation(UNKNOWN, ANNOTATED)),
        ({EXPIRES_KEY: "2026-02-01"}, Expiry(-28, expires_on="2026-02-01", source=f"annotation {EXPIRES_KEY}"), Rotation(None)),
        ({EXPIRES_KEY: "2026-02-30"}, Expiry(UNKNOWN, source=f"annotation {EXPIRES_KEY}"), Rotation(None)),
        ({EXPIRES_KEY: "next year"}, Expiry(UNKNOWN, source=f"annotation {EXPIRES_KEY}"), Rotation(None)),
    ],
)
def test_expiry_and_rotation_annotations(annotations, expiry, rotation):
    lines = "".join(f"    {key}: {value}\n" for key, value in annotations.items())
    secret = recognize(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations:\n{lines}").credentials[0]
    assert (secret.expiry, secret.rotation) == (expiry, rotation)
    assert set(secret.evidence) == {"expiry" if EXPIRES_KEY in annotations else "rotation"}


def test_owner_keys_come_from_settings_labels_before_annotations():
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels: {team: ml}\n  annotations: {owner: alice}\n"
    assert recognize(text).credentials[0].owner == Owner("alice", "annotation owner")
    settings = Settings(today=SETTINGS.today, owner_keys=("team", "owner"))
    credential = recognize(text, settings).credentials[0]
    assert (credential.owner, lines(credential.evidence)) == (Owner("ml", "label team"), {"owner": 5})


@pytest.mark.parametrize(
    "binding_kind, role, reasons",
    [
        ("ClusterRoleBinding", "admin", ("bound cluster-wide to admin",)),
        ("ClusterRoleBinding", "edit", ("bound cluster-wide to edit",)),
        ("RoleBinding", "admin", None),  # namespace admin: not a wildcard by itself
        ("RoleBinding", "cluster-admin", ("bound to cluster-admin",)),
        ("ClusterRoleBinding", "view", None),
    ],
)
def test_built_in_cluster_roles(binding_kind, role, reasons):
    binding = (
        f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {binding_kind}\nmetadata: {{name: b, namespace: team}}\n"
        f"roleRef: {{kind: ClusterRole, name: {role}}}\nsubjects: [{{kind: ServiceAccount, name: bot, namespace: team}}]\n"
    )
    grants = recognize(SA.format(name="bot") + "---\n" + binding).credentials[0].scope.grants
    assert [g.wildcard_reasons for g in grants] == ([reasons] if reasons else [])


def test_rules_of_a_cluster_role_in_the_scan_with_every_wildcard_named():
    text = SA.format(name="bot") + """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: everything}
rules:
  - {apiGroups: ["*"], resources: ["*/scale"], verbs: [get]}
  - {nonResourceURLs: ["/metrics/*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: everything, namespace: team}
roleRef: {kind: ClusterRole, name: everything}
subjects: [{kind: ServiceAccount, name: bot}, {kind: Group, name: "system:serviceaccounts"}]
"""
    bot = recognize(text).credentials[0]
    assert [(g.statement, g.actions, g.wildcard_reasons, g.location.line) for g in bot.scope.grants] == [
        ("ClusterRole/everything rule 1", ("*/*/scale:get",), ("'*' in resources", "'*' in apiGroups"), 9),
        ("ClusterRole/everything rule 2", ("/metrics/*:get",), ("'*' in nonResourceURLs",), 10),
    ]
    assert lines(bot.evidence) == {"scope": 9}


@pytest.mark.parametrize("secret_type", ["kubernetes.io/tls", "kubernetes.io/dockerconfigjson", "Opaque"])
def test_other_secret_types_are_secrets(secret_type):
    text = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ntype: {secret_type}\n"
    [secret] = recognize(text).credentials
    assert (secret.kind, secret.address, secret.parent) == ("secret", "Secret/default/s", None)


def test_every_workload_kind_has_its_pod_spec_read():
    controllers = [
        ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"), ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"), ("batch/v1", "Job"),
    ]
    documents = [
        f"apiVersion: {version}\nkind: {kind}\nmetadata: {{name: w, namespace: team}}\n"
        "spec:\n  template: {spec: {serviceAccountName: runner}}\n"
        for version, kind in controllers
    ]
    documents.append(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: w, namespace: team}\n"
        "spec:\n  jobTemplate:\n    spec:\n      template: {spec: {serviceAccountName: runner}}\n"
    )
    found = recognize(pod("  serviceAccountName: runner\n") + "---\n" + "---\n".join(documents))
    assert [w.source_type for w in found.workloads] == [
        "CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "ReplicationController", "StatefulSet"
    ]
    assert [(u.credential, u.via) for u in without_cloud_role_names(found.usages)] == [("ServiceAccount/team/runner", "serviceAccountName")] * 8


def lines(evidence: dict) -> dict[str, int]:
    """Evidence locations as lines, for tests where every location is in the object's own file."""
    return {name: where.line for name, where in evidence.items()}
