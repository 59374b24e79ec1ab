"""Keys inside longer values (user_data heredocs, embedded config files, container args), the
field-gated literals of ``--scope all``, severities that follow the key format, and the names
that are no secrets (issue 13), on the keys-anywhere fixture project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_guard.cli import main
from iac_guard.config.settings import Settings
from iac_guard.model import Credential, Location, SecretLiteral
from iac_guard.policy.facts import credential_facts

PROJECT = Path(__file__).parent / "fixtures" / "projects" / "keys-anywhere"


def _findings(*options: str) -> list[tuple[str, str, str, str, int]]:
    result = CliRunner().invoke(main, ["scan", str(PROJECT), "-f", "json", *options])
    report = json.loads(result.stdout)
    assert report["errors"] == []
    return [(f["policy_id"], f["severity"], f["resource"], f["file"], f["line"]) for f in report["findings"]]


#: The AI keys of the project, each at the line it is written on (inside a heredoc, an embedded
#: config.yaml, a container argument).
AI_KEYS = [
    ("IAG006", "high", "aws_instance.gateway_legacy", "infra/inference_hosts.tf", 12),
    ("IAG006", "high", "aws_lambda_function.summarizer", "infra/inference_hosts.tf", 46),
    ("IAG006", "high", "aws_ecs_task_definition.embedder", "infra/inference_hosts.tf", 56),
    ("IAG006", "high", "aws_sagemaker_model.reranker", "infra/inference_hosts.tf", 76),
    ("IAG006", "high", "ConfigMap/inference/gateway-config", "k8s/gateway.yaml", 16),
    ("IAG006", "high", "Deployment/inference/gateway", "k8s/gateway.yaml", 55),
    ("IAG001", "medium", "Secret/inference/gateway-upstream", "k8s/gateway.yaml", 78),
    ("IAG002", "high", "Secret/inference/gateway-upstream", "k8s/gateway.yaml", 78),
    ("IAG003", "high", "Secret/inference/gateway-upstream", "k8s/gateway.yaml", 78),
    ("IAG006", "high", "Secret/inference/gateway-upstream", "k8s/gateway.yaml", 86),
]
#: DATABASE_URL's password and DB_PASSWORD = "P@ssw0rd": hardcoded secrets whatever their entropy.
ANY_ENTROPY = [
    ("IAG006", "high", "aws_lambda_function.summarizer", "infra/inference_hosts.tf", 47),
    ("IAG006", "high", "aws_lambda_function.summarizer", "infra/inference_hosts.tf", 48),
]


def test_keys_inside_values_are_found_at_their_own_lines() -> None:
    assert _findings() == AI_KEYS


def test_field_gated_literals_and_connection_passwords_count_only_with_scope_all() -> None:
    assert sorted(_findings("--scope", "all")) == sorted(AI_KEYS + ANY_ENTROPY)


def test_names_labels_and_model_ids_are_no_secrets() -> None:
    """Regressions from real repositories: a map entry naming a Kubernetes Secret
    (``huggingface_artifact_secret = "huggingface-secrets"``), a GKE taint key, model ids and
    URLs in a ConfigMap, a launch template that reads its key at boot, Key Vault secrets holding an
    OpenAI endpoint and a deployment name, a Kubernetes Secret holding only endpoints (each once
    judged for owner, expiry and rotation)."""
    resources = {resource for _, _, resource, _, _ in _findings("--scope", "all")}
    assert not resources & {"local.model_serving", "google_container_node_pool.gpu", "aws_launch_template.gateway",
                            "ConfigMap/inference/gateway-routing", "azurerm_key_vault_secret.openai_endpoint",
                            "azurerm_key_vault_secret.openai_deployment", "azurerm_cognitive_account.openai",
                            "Secret/inference/gateway-endpoints"}


def test_a_key_vault_secret_of_unknown_value_stays_a_credential(tmp_path: Path) -> None:
    """The unknown-never-exempts twin: a value read from a variable may be a key."""
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_key_vault_secret" "openai_key" {\n  name         = "azure-openai-api-key"\n'
        '  value        = var.openai_key\n  key_vault_id = "kv"\n}\n'
    )
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json"])
    assert [(f["policy_id"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("IAG001", 1), ("IAG002", 1), ("IAG003", 1),
    ]


@pytest.mark.parametrize(
    ("detector", "severity"),
    [("openai-admin-key", "critical"), ("openai-api-key", "high")],
)
def test_a_finding_takes_the_severity_of_its_key_format(tmp_path: Path, detector: str, severity: str) -> None:
    prefix = "sk-admin-" if detector == "openai-admin-key" else "sk-proj-"
    (tmp_path / "main.tf").write_text(f'variable "openai_key" {{\n  default = "{prefix}{"Qz7Wx3Rt" * 6}"\n}}\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "-f", "json"])
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["policy_id"], finding["severity"], finding["line"]) == ("IAG006", severity, 2)


@pytest.mark.parametrize(("scope", "judged"), [("ai", 0), ("all", 1)])
def test_an_any_entropy_literal_is_a_fact_only_with_scope_all(scope: str, judged: int) -> None:
    literal = SecretLiteral("default", "literal-secret", "… (4 chars, sha256:00000000)", Location("main.tf", 2, 2), any_entropy=True)
    credential = Credential("var.db_password", "terraform", "variable", "secret", Location("main.tf", 1, 3), hardcoded=(literal,))
    assert len(credential_facts(credential, Settings(scope=scope))["hardcoded"]) == judged
