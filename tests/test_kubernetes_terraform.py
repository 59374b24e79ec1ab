"""Terraform's kubernetes provider, judged by the Kubernetes rules: the fixture
tests/fixtures/terraform/kubernetes_provider (a namespace written as a real project: locals,
references between resources, several files), the cross-format project
tests/fixtures/projects/cross-format (a Secret made in Terraform and used by Deployments in YAML),
then rule by rule on small projects."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import TERRAFORM_FIXTURES, expected_fingerprint
from recognizing import Records, flagged, grant_summary, of_cluster, records, records_of
from scanning import FIXTURES, finding_keys, scan_path, settings, write_project

from iac_guard.discover import discover
from iac_guard.model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Rotation, Scope, SecretLiteral, Usage, Workload
from iac_guard.providers import DATA_SOURCES
from iac_guard.providers.cluster import ClusterContext
from iac_guard.providers.kubernetes import terraform as kubernetes_terraform
from iac_guard.providers.project import Project
from iac_guard.terraform.loader import load_modules

FIXTURE = TERRAFORM_FIXTURES / "kubernetes_provider"
CROSS_FORMAT = FIXTURES / "projects" / "cross-format"
ANTHROPIC_KEY = "sk-ant-api03-" + "Zx9Yw8Vu" * 5
HF_KEY = "hf_Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb"
OPENAI_KEY = "sk-proj-" + "A1b2C3d4" * 6
ROTATION_30D = Rotation(30.0, "annotation iac-guard.io/rotation-period")
COMMON_LABELS = {"app.kubernetes.io/managed-by": "terraform", "app.kubernetes.io/part-of": "chat", "owner": "ml-platform"}
CHAT = Workload("kubernetes_deployment_v1.chat", "kubernetes", "kubernetes_deployment_v1",
                Location("workloads.tf", 1, 45), "kubernetes_service_account_v1.chat", root_module=".", tags=COMMON_LABELS)

EXPECTED = [
    ("IAG001", "kubernetes_service_account_v1.batch", "rbac.tf", 42),
    ("IAG004", "kubernetes_service_account_v1.batch", "rbac.tf", 55),
    ("IAG001", "kubernetes_secret_v1.anthropic_legacy", "secrets.tf", 18),
    ("IAG002", "kubernetes_secret_v1.anthropic_legacy", "secrets.tf", 18),
    ("IAG003", "kubernetes_secret_v1.anthropic_legacy", "secrets.tf", 18),
    ("IAG006", "kubernetes_secret_v1.anthropic_legacy", "secrets.tf", 25),
    ("IAG002", "kubernetes_secret.hf", "secrets.tf", 30),
    ("IAG003", "kubernetes_secret.hf", "secrets.tf", 30),
    ("IAG001", "kubernetes_secret_v1.batch_token", "secrets.tf", 43),
    ("IAG002", "kubernetes_secret_v1.batch_token", "secrets.tf", 43),
    ("IAG003", "kubernetes_secret_v1.batch_token", "secrets.tf", 43),
    ("IAG006", "kubernetes_cron_job_v1.embeddings", "workloads.tf", 77),
]


@cache
def namespace() -> Records:
    return records(FIXTURE, of_cluster(kubernetes_terraform.extract))


def at(file: str, line: int) -> Location:
    return Location(file, line, line)


# == the fixture: findings and non-findings ======================================================


def test_fixture_findings_are_exactly_the_expected_ones():
    result = scan_path(FIXTURE)
    assert result.errors == []
    assert finding_keys(result) == EXPECTED


def test_compliant_resources_of_the_fixture_have_no_findings():
    judged = flagged(FIXTURE)
    for compliant in (
        "kubernetes_secret_v1.openai",  # owner from the shared labels local, rotation annotation
        "kubernetes_service_account_v1.chat",  # owner label, a Role on one named Secret
        "kubernetes_manifest.cohere",  # ExternalSecret refreshed hourly, owner label
        "kubernetes_deployment_v1.chat",  # LOG_LEVEL = "info" is no secret
    ):
        assert compliant not in judged
    assert judged["kubernetes_secret.hf"] == {"IAG002", "IAG003"}  # its owner is unknown, not missing


def test_a_secret_keeps_its_terraform_address_and_is_also_known_by_its_cluster_address():
    assert namespace().credential("kubernetes_secret_v1.openai") == Credential(
        address="kubernetes_secret_v1.openai",
        provider="kubernetes",
        source_type="kubernetes_secret_v1",
        kind="secret",
        location=Location("secrets.tf", 2, 15),
        name="openai-api-key",
        owner=Owner("ml-platform", "label owner"),
        expiry=Expiry(30.0, False, "rotation by annotation iac-guard.io/rotation-period"),
        rotation=ROTATION_30D,
        ai_hints=("openai-api-key", "OPENAI_API_KEY", "openai"),
        ai_reasons=("'openai-api-key' names OpenAI", "used as OPENAI_API_KEY by kubernetes_deployment_v1.chat (OpenAI)"),
        consumers=("kubernetes_deployment_v1.chat",),
        tags=COMMON_LABELS,
        evidence={"owner": at("secrets.tf", 6), "rotation": at("secrets.tf", 8)},
        root_module=".",
        aliases=(("", "Secret/ml-serving/openai-api-key"),),
        consumer_workloads=(CHAT,),
    )


def test_namespace_taken_from_the_namespace_resource_and_names_from_references():
    token = namespace().credential("kubernetes_secret_v1.batch_token")
    assert token.kind == "token"
    assert token.aliases == (("", "Secret/ml-serving/embeddings-batch-token"),)
    # The annotation names the ServiceAccount by reference: its parent is that resource.
    assert token.parent == "kubernetes_service_account_v1.batch"
    assert token.expiry == Expiry(None, source="service account token Secrets never expire")
    chat = namespace().credential("kubernetes_service_account_v1.chat")
    # resource_names = [kubernetes_secret_v1.openai.metadata[0].name], the Role labelled by its address
    assert chat.scope == Scope((
        Grant("kubernetes_role_v1.chat_secret_reader rule 1", ("core/secrets:get",), ("openai-api-key",), (), at("rbac.tf", 15)),
    ))
    assert chat.ai_reasons == ("identity of kubernetes_deployment_v1.chat, which uses the AI credential kubernetes_secret_v1.openai",)


def test_cluster_admin_binding_written_in_terraform():
    batch = namespace().credential("kubernetes_service_account_v1.batch")
    assert batch.owner == Owner(None)
    assert grant_summary(batch.scope.grants) == [("ClusterRole/cluster-admin (built-in)", (), ("*",), ("bound to cluster-admin",))]
    assert batch.evidence == {"scope": at("rbac.tf", 55)}


def test_workloads_keep_their_terraform_addresses_and_identities():
    assert namespace().inventory.workloads == (
        Workload("kubernetes_cron_job_v1.embeddings", "kubernetes", "kubernetes_cron_job_v1",
                 Location("workloads.tf", 47, 87), "kubernetes_service_account_v1.batch", root_module="."),
        CHAT,
        Workload("kubernetes_stateful_set_v1.reranker", "kubernetes", "kubernetes_stateful_set_v1",
                 Location("workloads.tf", 89, 128), None, root_module="."),
    )


def test_usages_name_the_line_of_each_reference():
    assert namespace().usages_of("kubernetes_deployment_v1.chat") == [
        ("env OPENAI_API_KEY", "kubernetes_secret_v1.openai", 31),
        ("serviceAccountName", "kubernetes_service_account_v1.chat", 21),
    ]
    assert namespace().usages_of("kubernetes_cron_job_v1.embeddings") == [
        ("envFrom", "kubernetes_secret_v1.anthropic_legacy", 73),
        ("serviceAccountName", "kubernetes_service_account_v1.batch", 64),
    ]
    # secret_name = "cohere-api-key" is the target of the ExternalSecret in kubernetes_manifest.cohere
    assert namespace().usages_of("kubernetes_stateful_set_v1.reranker") == [
        ("volume cohere", "kubernetes_manifest.cohere", 122),
    ]


def test_literal_data_and_env_values_are_fingerprinted_where_written():
    legacy = namespace().credential("kubernetes_secret_v1.anthropic_legacy")
    assert legacy.hardcoded == (
        SecretLiteral("data.ANTHROPIC_API_KEY", "anthropic-api-key", expected_fingerprint(ANTHROPIC_KEY, "sk-ant-"),
                      at("secrets.tf", 25), "Anthropic"),
    )
    literal = namespace().credential("kubernetes_cron_job_v1.embeddings")
    assert (literal.origin, literal.kind, literal.source_type) == ("literal", "token", "kubernetes_cron_job_v1")
    assert literal.hardcoded == (
        SecretLiteral("containers.refresh.env.HF_TOKEN", "huggingface-token", expected_fingerprint(HF_KEY, "hf_"),
                      at("workloads.tf", 77), "Hugging Face"),
    )
    assert ANTHROPIC_KEY not in repr(namespace().inventory)


def test_labels_not_known_before_apply_make_the_owner_unknown():
    hf = namespace().credential("kubernetes_secret.hf")
    assert hf.owner == Owner(UNKNOWN, "labels or annotations not known before apply")
    assert (hf.expiry, hf.rotation) == (Expiry(None), Rotation(None))  # annotations are known: none
    assert hf.tags == {}


def test_kubernetes_manifest_is_read_as_the_object_it_holds():
    cohere = namespace().credential("kubernetes_manifest.cohere")
    assert (cohere.source_type, cohere.kind, cohere.name) == ("kubernetes_manifest", "secret", "cohere-api-key")
    assert cohere.owner == Owner("ml-platform", "label owner")
    assert cohere.rotation == Rotation(1 / 24, "ExternalSecret refreshInterval")
    assert cohere.expiry.lifetime_days == UNKNOWN
    assert cohere.evidence == {"owner": at("external_secrets.tf", 9), "rotation": at("external_secrets.tf", 12)}
    assert cohere.aliases == (("", "ExternalSecret/ml-serving/cohere-api-key"),)
    assert cohere.ai_hints == ("cohere-api-key", "COHERE_API_KEY", "prod/ml-serving/cohere-api-key", "cohere")


# == the cross-format project ====================================================================

CROSS_FORMAT_EXPECTED = [
    ("IAG004", "kubernetes_service_account_v1.llm_gateway", "k8s/serviceaccounts.yaml", 14),
    ("IAG004", "ServiceAccount/assistant/embeddings-indexer", "terraform/rbac.tf", 14),
    ("IAG005", "kubernetes_secret_v1.openai", "terraform/secrets.tf", 11),
]


def test_cross_format_findings_are_exactly_the_expected_ones():
    result = scan_path(CROSS_FORMAT)
    assert result.errors == []
    assert finding_keys(result) == CROSS_FORMAT_EXPECTED
    flagged_resources = {f.resource for f in result.findings}
    assert not {"kubernetes_secret_v1.gemini", "Secret/assistant/anthropic-api-key"} & flagged_resources


def test_a_terraform_secret_used_by_yaml_deployments_is_one_credential_with_those_consumers():
    inventory = scan_path(CROSS_FORMAT).inventory
    [openai] = inventory.credentials_at("kubernetes_secret_v1.openai")
    assert openai.consumers == ("Deployment/assistant/embeddings-indexer", "Deployment/assistant/llm-gateway")
    assert openai.root_module == "terraform"
    assert not inventory.credentials_at("Secret/assistant/openai-api-key")  # not a second credential
    [gemini] = inventory.credentials_at("kubernetes_secret_v1.gemini")
    assert gemini.consumers == ("Deployment/assistant/llm-gateway",)


def test_a_terraform_workload_reading_a_yaml_secret_is_its_consumer():
    inventory = scan_path(CROSS_FORMAT).inventory
    [anthropic] = inventory.credentials_at("Secret/assistant/anthropic-api-key")
    assert anthropic.consumers == ("kubernetes_job_v1.backfill",)
    assert "used as ANTHROPIC_API_KEY by kubernetes_job_v1.backfill (Anthropic)" in anthropic.ai_reasons


def test_rbac_crosses_formats_in_both_directions():
    inventory = scan_path(CROSS_FORMAT).inventory
    [gateway] = inventory.credentials_at("kubernetes_service_account_v1.llm_gateway")
    assert grant_summary(gateway.scope.grants) == [("ClusterRole/edit (built-in)", (), ("*",), ("bound cluster-wide to edit",))]
    assert gateway.consumers == ("Deployment/assistant/llm-gateway",)
    [indexer] = inventory.credentials_at("ServiceAccount/assistant/embeddings-indexer")
    assert grant_summary(indexer.scope.grants) == [
        ("ClusterRole/assistant-secrets-admin rule 1", ("core/secrets:*", "core/configmaps:*"), ("*",), ("'*' in verbs",)),
    ]
    assert indexer.evidence["scope"] == at("terraform/rbac.tf", 14)


# == rule by rule ================================================================================

PROVIDER = 'provider "kubernetes" {}\n'


def recognized(tmp_path, main_tf: str, **files: str) -> Records:
    return records_of(tmp_path, of_cluster(kubernetes_terraform.extract), PROVIDER + main_tf, **files)


def test_a_key_in_a_variable_default_is_reported_once_at_the_variable(tmp_path):
    main_tf = f"""
variable "openai_api_key" {{
  default = "{OPENAI_KEY}"
}}

resource "kubernetes_secret_v1" "openai" {{
  metadata {{
    name      = "openai"
    namespace = "chat"
    labels    = {{ owner = "chat-team" }}
  }}
  data = {{ OPENAI_API_KEY = var.openai_api_key }}
}}
"""
    result = scan_path(write_project(tmp_path, {"main.tf": PROVIDER + main_tf}))
    hardcoded = [(f.resource, f.line) for f in result.findings if f.policy_id == "IAG006"]
    assert hardcoded == [("var.openai_api_key", 4)]


def test_binary_data_is_base64_and_plain_data_is_text(tmp_path):
    encoded = "aGZfUXczRXI1VHk3VWk5T3AxQXMzRGY1R2g3Sms5THoyWGM0VmI="  # base64 of the HF key above
    found = recognized(tmp_path, f"""
resource "kubernetes_secret_v1" "keys" {{
  metadata {{
    name = "keys"
  }}
  binary_data = {{
    HF_TOKEN = "{encoded}"
  }}
  data = {{
    OPENAI_API_KEY = "{OPENAI_KEY}"
    not_base64     = "plain text, not a key"
  }}
}}
""").credential("kubernetes_secret_v1.keys")
    assert [(h.field, h.detector, h.location.line) for h in found.hardcoded] == [
        ("data.HF_TOKEN", "huggingface-token", 8),
        ("data.OPENAI_API_KEY", "openai-api-key", 11),
    ]
    assert found.aliases == (("", "Secret/default/keys"),)  # no namespace: default


def test_annotations_not_known_before_apply_make_expiry_and_rotation_unknown(tmp_path):
    found = recognized(tmp_path, """
variable "annotations" {
  type = map(string)
}

resource "kubernetes_secret_v1" "openai" {
  metadata {
    name        = "openai-api-key"
    labels      = { owner = "chat" }
    annotations = var.annotations
  }
}
""").credential("kubernetes_secret_v1.openai")
    source = "labels or annotations not known before apply"
    assert (found.owner, found.expiry, found.rotation) == (
        Owner("chat", "label owner"), Expiry(UNKNOWN, source=source), Rotation(UNKNOWN, source),
    )


def test_a_single_annotation_not_known_before_apply(tmp_path):
    found = recognized(tmp_path, """
variable "rotation" {
  type = string
}

resource "kubernetes_secret_v1" "openai" {
  metadata {
    name        = "openai-api-key"
    annotations = { "iac-guard.io/rotation-period" = var.rotation, team = "chat" }
  }
}
""").credential("kubernetes_secret_v1.openai")
    assert found.rotation == Rotation(UNKNOWN, "labels or annotations not known before apply")
    # Replaced on a schedule not known before apply: its lifetime is unknown too (the inventory's rule).
    assert found.expiry.lifetime_days == UNKNOWN
    assert found.owner == Owner(None)  # the owner keys are known to be absent


def test_names_not_known_before_apply_never_link_to_yaml(tmp_path):
    project = write_project(tmp_path, {
        "infra/main.tf": PROVIDER + """
variable "namespace" {
  type = string
}

resource "kubernetes_secret_v1" "openai" {
  metadata {
    name      = "openai-api-key"
    namespace = var.namespace
  }
}

resource "kubernetes_pod_v1" "chat" {
  metadata {
    name      = "chat"
    namespace = var.namespace
  }
  spec {
    container {
      name  = "chat"
      image = "chat:1"
      env_from {
        secret_ref {
          name = kubernetes_secret_v1.openai.metadata[0].name
        }
      }
    }
  }
}
""",
        "k8s/pod.yaml": """
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: default}
spec:
  containers:
    - name: c
      image: busybox
      envFrom: [{secretRef: {name: openai-api-key}}]
""",
    })
    inventory = scan_path(project, scope="all").inventory
    [secret] = inventory.credentials_at("kubernetes_secret_v1.openai")
    # Both take the namespace from var.namespace: the same namespace, whatever it is.
    assert secret.consumers == ("kubernetes_pod_v1.chat",)
    assert secret.aliases == (("", "Secret/<unknown infra:var.namespace>/openai-api-key"),)


def test_dynamic_blocks_and_cluster_scoped_kinds(tmp_path):
    found = recognized(tmp_path, """
locals {
  keys = { OPENAI_API_KEY = "openai-api-key", COHERE_API_KEY = "cohere-api-key" }
}

resource "kubernetes_service_account_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "agents"
    labels    = { owner = "agents-team" }
  }
}

resource "kubernetes_cluster_role_v1" "reader" {
  metadata {
    name      = "metrics-reader"
    namespace = "ignored-for-cluster-roles"
  }
  rule {
    non_resource_urls = ["/metrics", "*"]
    verbs             = ["get"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "reader" {
  metadata {
    name = "agent-metrics"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.reader.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = "agent"
    namespace = "agents"
  }
}

resource "kubernetes_deployment_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "agents"
  }
  spec {
    template {
      metadata {}
      spec {
        service_account_name = "agent"
        container {
          name  = "agent"
          image = "agent:1"
          dynamic "env" {
            for_each = local.keys
            content {
              name = env.key
              value_from {
                secret_key_ref {
                  name = env.value
                  key  = env.key
                }
              }
            }
          }
        }
      }
    }
  }
}
""")
    agent = found.credential("kubernetes_service_account_v1.agent")
    assert grant_summary(agent.scope.grants) == [
        ("kubernetes_cluster_role_v1.reader rule 1", ("/metrics:get", "*:get"), ("*",), ("'*' in nonResourceURLs",)),
    ]
    assert found.usages_of("kubernetes_deployment_v1.agent") == [
        ("serviceAccountName", "kubernetes_service_account_v1.agent", 51),
    ]  # the Secrets are not in the scan: their usages are dropped
    objects = {t.address: t.obj for t in ClusterContext.of(_project(tmp_path)).terraform_objects}
    assert objects["kubernetes_cluster_role_v1.reader"].address == "ClusterRole/metrics-reader"
    env = objects["kubernetes_deployment_v1.agent"].body["spec"]["template"]["spec"]["containers"][0]["env"]
    assert [(e["name"], e["valueFrom"]["secretKeyRef"]["name"]) for e in env] == [
        ("COHERE_API_KEY", "cohere-api-key"), ("OPENAI_API_KEY", "openai-api-key"),
    ]


def _project(root: Path) -> Project:
    sources = discover([str(root)])
    modules, errors = load_modules(sources, DATA_SOURCES)
    assert errors == []
    return Project(sources.root, modules)


def test_manifest_secret_values_are_judged_as_written(tmp_path):
    found = recognized(tmp_path, f"""
variable "hf_token" {{
  default = "{HF_KEY}"
}}

resource "kubernetes_manifest" "keys" {{
  manifest = {{
    apiVersion = "v1"
    kind       = "Secret"
    metadata = {{
      name      = "model-keys"
      namespace = "ml"
    }}
    stringData = {{
      HF_TOKEN       = var.hf_token
      OPENAI_API_KEY = "{OPENAI_KEY}"
    }}
  }}
}}
""")
    secret = found.credential("kubernetes_manifest.keys")
    assert [(h.field, h.location.line) for h in secret.hardcoded] == [("stringData.OPENAI_API_KEY", 17)]
    assert found.credential("var.hf_token").hardcoded[0].field == "default"
    assert secret.ai_hints == ("model-keys", "HF_TOKEN", "OPENAI_API_KEY", "keys")


@pytest.mark.parametrize("manifest", ["yamldecode(file(\"secret.yaml\"))", "var.manifest", "{ kind = \"Secret\" }"])
def test_a_manifest_that_is_not_known_is_skipped(tmp_path, manifest):
    found = recognized(tmp_path, f"""
variable "manifest" {{
  type = any
}}

resource "kubernetes_manifest" "x" {{
  manifest = {manifest}
}}
""")
    assert not found.has("kubernetes_manifest.x")


def test_output_does_not_depend_on_file_order(tmp_path):
    forward = kubernetes_terraform.extract(ClusterContext.of(_project(FIXTURE)), settings())
    backward_project = _project(FIXTURE)
    backward_project.modules[0].own_resources.reverse()
    backward = kubernetes_terraform.extract(ClusterContext.of(backward_project), settings())
    assert forward.credentials == backward.credentials
    assert sorted(forward.usages, key=repr) == sorted(backward.usages, key=repr)


def test_usages_of_terraform_workloads_name_cluster_addresses():
    found = kubernetes_terraform.extract(ClusterContext.of(_project(FIXTURE)), settings())
    assert Usage(
        "kubernetes_deployment_v1.chat", "Secret/ml-serving/openai-api-key", "env OPENAI_API_KEY", at("workloads.tf", 31), ".", env_var="OPENAI_API_KEY"
    ) in found.usages  # the workload's own root module; the cluster name resolves from any root


# == unknown never fails: each case beside its known, failing twin ==============================

SECRET = """
resource "kubernetes_secret_v1" "openai" {
  metadata {
    name        = "openai-api-key"
    labels      = LABELS
    annotations = ANNOTATIONS
  }
}
"""
UNKNOWN_CASES = {
    "owner label": ({"LABELS": "{ owner = var.unknown }", "ANNOTATIONS": '{ "iac-guard.io/rotation-period" = "30d" }'},
                    {"LABELS": '{ owner = "tbd" }'}, "IAG001"),
    "label map": ({"LABELS": "var.unknown_map", "ANNOTATIONS": '{ "iac-guard.io/rotation-period" = "30d" }'},
                  {"LABELS": "{}"}, "IAG001"),
    "expiry annotation": ({"LABELS": '{ owner = "ml" }', "ANNOTATIONS": '{ "iac-guard.io/expires" = var.unknown }'},
                          {"ANNOTATIONS": '{ "iac-guard.io/expires" = "2030-01-01" }'}, "IAG002"),
    "annotation map": ({"LABELS": '{ owner = "ml" }', "ANNOTATIONS": "var.unknown_map"},
                       {"ANNOTATIONS": "{}"}, "IAG003"),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_CASES))
def test_unknown_never_fails(tmp_path, case):
    unknown, known_changes, policy = UNKNOWN_CASES[case]
    header = PROVIDER + 'variable "unknown" {}\nvariable "unknown_map" {}\n'
    for values, fails in ((unknown, False), ({**unknown, **known_changes}, True)):
        text = SECRET
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        project = write_project(tmp_path / str(fails), {"main.tf": header + text})
        assert (policy in flagged(project).get("kubernetes_secret_v1.openai", set())) is fails, values


def test_a_plan_json_gives_nested_blocks_and_maps_as_the_provider_plans_them(tmp_path):
    secret = {
        "address": "kubernetes_secret_v1.openai", "mode": "managed", "type": "kubernetes_secret_v1", "name": "openai",
        "values": {
            "metadata": [{"name": "openai-api-key", "namespace": "ml", "labels": {"team_name": "chat"}, "annotations": None}],
            "data": {"OPENAI_API_KEY": OPENAI_KEY}, "binary_data": None, "type": "Opaque",
        },
    }
    deployment = {
        "address": "kubernetes_deployment_v1.chat", "mode": "managed", "type": "kubernetes_deployment_v1", "name": "chat",
        "values": {
            "metadata": [{"name": "chat", "namespace": "ml"}],
            "spec": [{"template": [{"metadata": [{}], "spec": [{"container": [{
                "name": "api", "image": "chat:1",
                "env": [{"name": "OPENAI_API_KEY", "value": None,
                         "value_from": [{"secret_key_ref": [{"name": "openai-api-key", "key": "OPENAI_API_KEY"}]}]}],
            }]}]}]}],
        },
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [secret, deployment]}},
        "resource_changes": [],
        "configuration": {"root_module": {"resources": [
            {"address": "kubernetes_secret_v1.openai", "expressions": {"data": {"constant_value": {"OPENAI_API_KEY": OPENAI_KEY}}}},
        ]}},
    }
    import json

    project = write_project(tmp_path, {"plan.json": json.dumps(plan)})
    [found] = scan_path(project, scope="all").inventory.credentials_at("kubernetes_secret_v1.openai")
    assert found.tags == {"team_name": "chat"}  # map keys are kept as written
    assert [h.field for h in found.hardcoded] == ["data.OPENAI_API_KEY"]
    assert found.consumers == ("kubernetes_deployment_v1.chat",)
