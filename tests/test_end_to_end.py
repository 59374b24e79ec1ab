"""Whole scans of realistic projects: exactly which findings appear, and which do not."""

from __future__ import annotations

from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path

ML_PLATFORM = FIXTURES / "projects" / "ml-platform"
EXAMPLES = Path(__file__).parent.parent / "examples"

EXPECTED_ML_PLATFORM = [
    ("IAG004", "aws_iam_role.ops_agent", "infra/bedrock-agent/agent.tf", 45),
    ("IAG005", "aws_iam_role.chat", "infra/chat-service/iam.tf", 1),
    ("IAG002", "aws_secretsmanager_secret.anthropic", "infra/chat-service/secrets.tf", 16),
    ("IAG003", "aws_secretsmanager_secret.anthropic", "infra/chat-service/secrets.tf", 16),
    ("IAG001", "aws_secretsmanager_secret.anthropic", "infra/chat-service/secrets.tf", 18),
    ("IAG002", "aws_ssm_parameter.cohere", "infra/chat-service/secrets.tf", 27),
    ("IAG003", "aws_ssm_parameter.cohere", "infra/chat-service/secrets.tf", 27),
    ("IAG006", "var.huggingface_token", "infra/chat-service/terraform.tfvars", 2),
    ("IAG004", "aws_iam_user.github_actions", "infra/ci-keys/main.tf", 33),
    ("IAG002", "aws_iam_access_key.legacy_bot", "infra/ci-keys/main.tf", 49),
    ("IAG003", "aws_iam_access_key.legacy_bot", "infra/ci-keys/main.tf", 49),
    # The ServiceAccount's wildcard is written in the binding (roleRef: cluster-admin), not beside it.
    ("IAG004", "ServiceAccount/chat/chat-worker", "k8s/chat/rbac.yaml", 34),
    ("IAG005", "Secret/chat/anthropic", "k8s/chat/secrets.yaml", 2),
    ("IAG001", "Secret/chat/openai-legacy", "k8s/chat/secrets.yaml", 14),
    ("IAG002", "Secret/chat/openai-legacy", "k8s/chat/secrets.yaml", 14),
    ("IAG003", "Secret/chat/openai-legacy", "k8s/chat/secrets.yaml", 14),
    ("IAG006", "Secret/chat/openai-legacy", "k8s/chat/secrets.yaml", 21),
    ("IAG001", "ServiceAccount/chat/chat-worker", "k8s/chat/workloads.yaml", 9),
    ("IAG003", "ExternalSecret/platform/hf-token", "k8s/platform/postgres.yaml", 11),
]


def test_ml_platform_findings_are_exactly_the_expected_ones() -> None:
    result = scan_path(ML_PLATFORM)
    assert result.errors == []
    assert finding_keys(result) == EXPECTED_ML_PLATFORM
    assert result.exit_code == 1


def test_ml_platform_compliant_credentials_have_no_findings() -> None:
    findings = scan_path(ML_PLATFORM).findings
    flagged = {f.resource for f in findings}
    compliant = {
        "aws_iam_role.support_agent",  # owner from default_tags, one model
        "aws_secretsmanager_secret.openai",  # owner via locals, rate(30 days)
        "aws_iam_access_key.github_actions",  # time_rotating every 30 days, scope judged on the user
        "aws_iam_user.legacy_bot",  # owner from a variable with no value: unknown, not judged
        "ServiceAccount/chat/chat-api",  # owner label, read-only Role on one ConfigMap
    }
    assert not compliant & flagged
    # Owner and rotation annotations are honoured: the Secret is flagged only for being shared.
    assert {f.policy_id for f in findings if f.resource == "Secret/chat/anthropic"} == {"IAG005"}


def test_non_ai_credentials_are_judged_only_with_scope_all() -> None:
    default = {f.resource for f in scan_path(ML_PLATFORM).findings}
    everything = scan_path(ML_PLATFORM, scope="all")
    assert "aws_secretsmanager_secret.db_password" not in default
    assert "Secret/platform/postgres" not in default
    assert {f.policy_id for f in everything.findings if f.resource == "aws_secretsmanager_secret.db_password"} == {
        "IAG001", "IAG002", "IAG003"
    }
    assert {f.policy_id for f in everything.findings if f.resource == "Secret/platform/postgres"} == {
        "IAG001", "IAG002", "IAG003", "IAG006"
    }


def test_ai_reasons_explain_the_graph_rule() -> None:
    inventory = scan_path(ML_PLATFORM).inventory
    [chat_role] = inventory.credentials_at("aws_iam_role.chat")
    assert chat_role.ai_reasons == (
        "identity of aws_lambda_function.chat, which uses the AI credential aws_secretsmanager_secret.openai",
    )
    [db] = inventory.credentials_at("aws_secretsmanager_secret.db_password")
    assert db.ai_reasons == ()
    assert chat_role.consumers == ("aws_lambda_function.chat", "aws_lambda_function.moderation")


def test_examples_compliant_is_clean_and_insecure_fails() -> None:
    assert scan_path(EXAMPLES / "compliant").findings == []
    assert scan_path(EXAMPLES / "compliant").exit_code == 0
    insecure = scan_path(EXAMPLES / "insecure")
    assert insecure.exit_code == 1
    assert {(f.policy_id, f.resource) for f in insecure.findings} == {
        ("IAG001", "Secret/chat/openai"), ("IAG002", "Secret/chat/openai"), ("IAG003", "Secret/chat/openai"),
        ("IAG005", "Secret/chat/openai"), ("IAG006", "Secret/chat/openai"),
        ("IAG001", "ServiceAccount/chat/chat"), ("IAG005", "ServiceAccount/chat/chat"),
        ("IAG004", "ServiceAccount/chat/chat"),
        ("IAG001", "aws_iam_user.bedrock_ci"), ("IAG004", "aws_iam_user.bedrock_ci"),
        ("IAG002", "aws_iam_access_key.bedrock_ci"), ("IAG003", "aws_iam_access_key.bedrock_ci"),
        ("IAG001", "aws_iam_role.chat"), ("IAG005", "aws_iam_role.chat"),
        ("IAG006", "aws_lambda_function.summarize"), ("IAG006", "var.openai_api_key"),
        ("IAG001", "aws_secretsmanager_secret.openai"), ("IAG002", "aws_secretsmanager_secret.openai"),
        ("IAG003", "aws_secretsmanager_secret.openai"),
    }


def test_same_address_in_two_root_modules_are_two_credentials() -> None:
    result = scan_path(EXAMPLES)
    roles = result.inventory.credentials_at("aws_iam_role.chat")
    assert sorted(r.root_module for r in roles) == ["compliant/terraform", "insecure/terraform"]
    by_root = {r.root_module: r.consumers for r in roles}
    assert by_root["compliant/terraform"] == ("aws_lambda_function.chat",)
    assert by_root["insecure/terraform"] == ("aws_lambda_function.chat", "aws_lambda_function.summarize")


def test_scans_are_deterministic() -> None:
    first = finding_keys(scan_path(ML_PLATFORM))
    assert all(finding_keys(scan_path(ML_PLATFORM)) == first for _ in range(2))
