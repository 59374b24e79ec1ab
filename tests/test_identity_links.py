"""Edges real repositories write that issue 14 asks the inventory to keep: identities named but
not declared (external identity records), module outputs built with ``for``, and copies of a
secret written into other stores — each with exact findings, exact non-findings and the twin where
the value is not known before apply."""

from __future__ import annotations

import json
from pathlib import Path

from scanning import FIXTURES, finding_keys, load_pack, scan_path, settings, write_project

from iac_guard.model import Credential
from iac_guard.report.json_report import render
from iac_guard.result import ScanResult
from iac_guard.shard.merge import merge_json

IDENTITIES = FIXTURES / "projects" / "platform-identities"
CI_KEYS = FIXTURES / "projects" / "bedrock-ci-keys"
EVALS_KEY = 'module.ci_keys.aws_iam_access_key.this["evals"]'
DOCS_KEY = 'module.ci_keys.aws_iam_access_key.this["docs-bot"]'
RAG_INDEXER = "google_service_account[email=rag-indexer@acme-data.iam.gserviceaccount.com]"
EVAL_RUNNER = "google_service_account[email=eval-runner@acme-data.iam.gserviceaccount.com]"


def records(result: ScanResult) -> dict[str, Credential]:
    return {c.address: c for c in result.inventory.credentials}


# -- external identities -------------------------------------------------------------------------


def test_the_platform_identities_exact_findings() -> None:
    expected = [
        ("IAG005", "aws_iam_role[name=ml-batch]", "aws/grants/main.tf", 14),
        ("IAG004", "aws_iam_role[name=ml-batch]", "aws/grants/main.tf", 20),
        ("IAG004", "aws_iam_role.agent_runner", "aws/grants/main.tf", 42),  # attached by ARN, declared in aws/roles
        ("IAG004", RAG_INDEXER, "gcp/vertex/main.tf", 27),
        ("IAG005", EVAL_RUNNER, "gcp/vertex/main.tf", 33),
        ("IAG005", "ServiceAccount/agents/agent-runner", "k8s/agents/deployments.yaml", 14),
        ("IAG004", "ServiceAccount/agents/agent-runner", "k8s/agents/rbac.yaml", 10),
    ]
    assert finding_keys(scan_path(IDENTITIES)) == expected
    assert finding_keys(scan_path(IDENTITIES, scope="all")) == expected


def test_external_identities_carry_their_grants_and_consumers() -> None:
    found = records(scan_path(IDENTITIES, scope="all"))
    external = {address: (c.root_module, c.consumers, [g.statement for g in c.scope.grants]) for address, c in found.items() if not c.declared}
    assert external == {
        "ServiceAccount/agents/agent-runner": ("", ("Deployment/agents/executor", "Deployment/agents/planner"), ["ClusterRole/cluster-admin (built-in)"]),
        "ServiceAccount/agents/retriever": ("", ("Deployment/agents/retriever",), ["Role/agents/read-prompts rule 1"]),
        "aws_iam_role[name=ml-batch]": (
            "aws/grants", ("aws_lambda_function.embed", "aws_lambda_function.summarise"),
            ["aws_iam_role_policy.batch_datasets statement 1", "aws_iam_role_policy_attachment.batch_bedrock (AmazonBedrockFullAccess)"],
        ),
        "aws_iam_role[name=report-writer]": ("aws/grants", ("aws_lambda_function.weekly_report",), ["aws_iam_role_policy.report_writer statement 1"]),
        EVAL_RUNNER: (
            "gcp/vertex", ("google_cloud_run_v2_service.nightly_evals", "google_cloud_run_v2_service.regression_evals"),
            ["google_project_iam_member.eval_runner_user (roles/aiplatform.user)"],
        ),
        RAG_INDEXER: ("gcp/vertex", (), ["google_project_iam_member.indexer_admin (roles/aiplatform.admin)"]),
    }
    # Folded into the declared records of their names: no external record of them remains.
    assert [g.statement for g in found["aws_iam_role.agent_runner"].scope.grants] == ["aws_iam_role_policy_attachment.runner_admin (AdministratorAccess)"]
    assert [g.statement for g in found["google_service_account.gateway"].scope.grants] == ["google_project_iam_member.gateway_user (roles/aiplatform.user)"]
    # A role given by a variable without a value, and a pod without serviceAccountName, name nothing.
    assert "aws_iam_role[name=agent-runner]" not in found and not any("tuning" in a for a in found)
    assert not any(a.startswith("ServiceAccount/agents/default") for a in found)


def test_what_the_cloud_keeps_about_an_external_identity_is_unknown_and_never_fails() -> None:
    result = scan_path(IDENTITIES, scope="all")
    external = {c.address for c in result.inventory.credentials if not c.declared}
    assert len(external) == 6
    assert not [f for f in result.findings if f.resource in external and f.policy_id in ("IAG001", "IAG002", "IAG003")]
    for address in external:
        credential = records(result)[address]
        assert credential.owner.source.startswith("kept in ") and credential.rotation.mechanism.startswith("kept in ")


GATEWAY = '''provider "google" {
  project = %s
}

resource "google_service_account" "gateway" {
  account_id  = "vertex-gateway"
  description = "owner: ml-platform"
}
'''
GRANT = '''resource "google_project_iam_member" "gateway_admin" {
  project = "acme-ml"
  role    = "roles/aiplatform.admin"
  member  = "serviceAccount:vertex-gateway@acme-ml.iam.gserviceaccount.com"
}
'''


def test_a_member_by_email_folds_into_the_account_another_root_module_declares(tmp_path: Path) -> None:
    write_project(tmp_path, {"accounts/main.tf": GATEWAY % '"acme-ml"', "grants/main.tf": GRANT})
    result = scan_path(tmp_path)
    assert finding_keys(result) == [("IAG004", "google_service_account.gateway", "grants/main.tf", 3)]
    assert [c.address for c in result.inventory.credentials] == ["google_service_account.gateway"]


def test_an_account_whose_project_is_not_known_is_not_guessed_to_be_the_member(tmp_path: Path) -> None:
    write_project(tmp_path, {"accounts/main.tf": GATEWAY % "var.project", "grants/main.tf": GRANT})
    result = scan_path(tmp_path)
    address = "google_service_account[email=vertex-gateway@acme-ml.iam.gserviceaccount.com]"
    assert finding_keys(result) == [("IAG004", address, "grants/main.tf", 3)]
    assert [c.address for c in result.inventory.credentials] == ["google_service_account.gateway", address]


BATCH_YAML = '''apiVersion: v1
kind: ServiceAccount
metadata:
  name: batch
  namespace: ml
  labels: {owner: ml}
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/ml-batch"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: embed, namespace: ml}
spec:
  template:
    spec:
      serviceAccountName: batch
      containers: [{name: embed, image: example/embed:1}]
'''


def test_a_role_an_annotation_names_and_a_root_module_grants_is_one_external_role(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "k8s/batch.yaml": BATCH_YAML,
        "grants/main.tf": 'resource "aws_iam_role_policy_attachment" "bedrock" {\n  role       = "ml-batch"\n'
                          '  policy_arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"\n}\n',
    })
    result = scan_path(tmp_path)
    (role,) = [c for c in result.inventory.credentials if c.address == "aws_iam_role[name=ml-batch]"]
    assert (role.root_module, role.consumers) == ("", ("Job/ml/embed",))
    assert [g.statement for g in role.scope.grants] == ["aws_iam_role_policy_attachment.bedrock (AmazonBedrockFullAccess)"]
    assert finding_keys(result) == [("IAG004", "aws_iam_role[name=ml-batch]", "grants/main.tf", 3)]


def test_terraform_pods_and_annotated_accounts_of_no_declared_identity(tmp_path: Path) -> None:
    """The kubernetes provider's objects name external identities too, in their root module."""
    write_project(tmp_path, {"main.tf": '''resource "kubernetes_service_account_v1" "batch" {
  metadata {
    name        = "batch"
    namespace   = "ml"
    annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/ml-batch" }
  }
}

resource "kubernetes_deployment_v1" "scorer" {
  for_each = toset(["a", "b"])
  metadata {
    name      = "scorer-${each.key}"
    namespace = "ml"
  }
  spec {
    template {
      metadata {}
      spec {
        service_account_name = "scorer"
        container {
          name  = "scorer"
          image = "example/scorer:1"
        }
      }
    }
  }
}
'''})
    found = records(scan_path(tmp_path, scope="all"))
    assert (found["ServiceAccount/ml/scorer"].root_module, found["ServiceAccount/ml/scorer"].consumers) == (
        ".", ('kubernetes_deployment_v1.scorer["a"]', 'kubernetes_deployment_v1.scorer["b"]'),
    )
    assert found["aws_iam_role[name=ml-batch]"].root_module == "."


def test_merged_shards_fold_an_external_role_into_the_one_another_shard_declares() -> None:
    chosen = settings(scope="all")
    whole = json.loads(render(scan_path(IDENTITIES, scope="all")))
    shards = [(f"shard{i}.json", json.loads(render(scan_path(IDENTITIES, scope="all", shard=(i, 2))))) for i in (1, 2)]
    merged = merge_json(shards, load_pack(chosen), chosen, IDENTITIES)
    assert sorted(merged.document["findings"], key=json.dumps) == sorted(whole["findings"], key=json.dumps)
    assert merged.document["summary"] == whole["summary"]
    assert "aws_iam_role.agent_runner" in merged.rejudged  # aws/roles and aws/grants are in different shards


# -- module outputs built with for, and copies ---------------------------------------------------


def test_the_ci_keys_module_exact_findings() -> None:
    keys = [
        ("IAG002", "aws_ssm_parameter.evals_secret_access_key", "live/main.tf", 31),
        ("IAG003", "aws_ssm_parameter.evals_secret_access_key", "live/main.tf", 31),
        ("IAG002", "vault_kv_secret_v2.evals", "live/main.tf", 39),
        ("IAG003", "vault_kv_secret_v2.evals", "live/main.tf", 39),
        ("IAG002", "kubernetes_secret_v1.evals", "live/main.tf", 52),
        ("IAG003", "kubernetes_secret_v1.evals", "live/main.tf", 52),
        ("IAG002", DOCS_KEY, "modules/bedrock-ci-key/main.tf", 43),
        ("IAG002", EVALS_KEY, "modules/bedrock-ci-key/main.tf", 43),
        ("IAG003", DOCS_KEY, "modules/bedrock-ci-key/main.tf", 43),
        ("IAG003", EVALS_KEY, "modules/bedrock-ci-key/main.tf", 43),
        ("IAG005", EVALS_KEY, "modules/bedrock-ci-key/main.tf", 43),  # not the docs-bot key: one consumer
    ]
    assert finding_keys(scan_path(CI_KEYS)) == keys
    assert finding_keys(scan_path(CI_KEYS, scope="all")) == keys


def test_each_copy_of_a_key_is_a_consumer_and_names_it_as_its_parent() -> None:
    found = records(scan_path(CI_KEYS, scope="all"))
    pushed = [f'module.ci_keys.github_actions_secret.secret_access_key["evals/{repo}"]' for repo in ("eval-harness", "prompt-library", "regression-suite")]
    copies = ["aws_ssm_parameter.evals_secret_access_key", "kubernetes_secret_v1.evals", "vault_kv_secret_v2.evals"]
    environment = 'module.ci_keys.github_actions_environment_secret.secret_access_key["evals"]'
    assert found[EVALS_KEY].consumers == tuple(sorted([*copies, environment, *pushed]))
    assert found[DOCS_KEY].consumers == ('module.ci_keys.github_actions_secret.secret_access_key["docs-bot/docs-site"]',)
    assert {address: found[address].parent for address in [*copies, environment, *pushed]} == dict.fromkeys([*copies, environment, *pushed], EVALS_KEY)
    # The key ids pushed beside them are no copy of the key.
    ids = [a for a in found if ".access_key_id[" in a]
    assert len(ids) == 4 and all(found[a].parent is None for a in ids)


def test_a_copy_through_a_for_output_of_unknown_keys_links_to_the_one_unknown_instance(tmp_path: Path) -> None:
    """The unknown twin: the module's teams are not known before apply, so its keys are one
    representative, and the copy links to it rather than to nothing or to a guessed key."""
    text = (CI_KEYS / "live" / "main.tf").read_text(encoding="utf-8")
    teams = text[text.index("  teams = {"):text.index("}\n\n# The nightly")]
    module = {path.relative_to(CI_KEYS).as_posix(): path.read_text(encoding="utf-8") for path in (CI_KEYS / "modules").rglob("*.tf")}
    write_project(tmp_path, {**module, "live/main.tf": text.replace(teams, "  teams = var.teams\n").replace(
        'provider "github"', 'variable "teams" {}\n\nprovider "github"')})
    found = records(scan_path(tmp_path, scope="all"))
    (key,) = [c for c in found.values() if c.source_type == "aws_iam_access_key"]
    assert key.address == "module.ci_keys.aws_iam_access_key.this"
    assert set(key.consumers) >= {"aws_ssm_parameter.evals_secret_access_key", "kubernetes_secret_v1.evals", "vault_kv_secret_v2.evals"}


def test_a_parameter_holding_only_a_key_id_is_no_copy(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": '''resource "aws_iam_user" "ci" {
  name = "ci"
  tags = { owner = "platform" }
}
resource "aws_iam_access_key" "ci" { user = "ci" }

resource "aws_ssm_parameter" "key_id" {
  value       = aws_iam_access_key.ci.id
  description = "The CI user's key id, read by the deploy job beside its secret"
  name        = "/ci/key-id"
  type        = "String"
}

resource "aws_ssm_parameter" "secret" {
  name  = "/ci/secret"
  type  = "String"
  value = aws_iam_access_key.ci.secret
}
'''})
    found = records(scan_path(tmp_path, scope="all"))
    assert "aws_ssm_parameter.key_id" not in found
    assert (found["aws_ssm_parameter.secret"].kind, found["aws_ssm_parameter.secret"].parent) == ("secret", "aws_iam_access_key.ci")
    assert found["aws_iam_access_key.ci"].consumers == ("aws_ssm_parameter.secret",)


def test_a_user_granted_by_name_is_external_until_a_root_module_declares_it(tmp_path: Path) -> None:
    grant = ('resource "aws_iam_user_policy_attachment" "admin" {\n  user       = "ci-bot"\n'
             '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}\n')
    write_project(tmp_path / "alone", {"grants/main.tf": grant})
    assert finding_keys(scan_path(tmp_path / "alone", scope="all")) == [("IAG004", "aws_iam_user[name=ci-bot]", "grants/main.tf", 3)]
    write_project(tmp_path / "declared", {
        "grants/main.tf": grant,
        "users/main.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci-bot"\n  tags = { owner = "platform" }\n}\n',
    })
    result = scan_path(tmp_path / "declared", scope="all")
    assert finding_keys(result) == [("IAG004", "aws_iam_user.ci", "grants/main.tf", 3)]
    assert [(c.root_module, c.address) for c in result.inventory.credentials] == [("users", "aws_iam_user.ci")]
