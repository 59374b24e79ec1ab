"""CI pipelines and agent toolchains as credential sources (issue 15): GitHub Actions workflows and
composite actions, GitLab CI, MCP client configs, and the Terraform that pushes keys into GitHub
and GitLab — the fixture repository's exact findings and non-findings, and the edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import FIXTURES, finding_keys, scan_path, write_project

from iac_guard.result import ScanResult

TOOLCHAIN = FIXTURES / "projects" / "agent-toolchain"
DEPLOY_JOB = "workflow:.github/workflows/deploy.yml/jobs/deploy"
AI_FINDINGS = [
    ("IAG006", DEPLOY_JOB, ".github/workflows/deploy.yml", 19),
    ("IAG008", "github_actions_secret.openai", ".github/workflows/evals.yml", 38),  # set -x with it in scope
    ("IAG005", "mcp-env:OPENAI_API_KEY", ".mcp.json", 21),
    ("IAG005", "github_actions_secret.openai", "infra/github/secrets.tf", 25),
]


def consumers(result: ScanResult) -> dict[str, tuple[str, ...]]:
    return {c.address: c.consumers for c in result.inventory.credentials}


def test_the_toolchain_repository_exact_findings() -> None:
    assert finding_keys(scan_path(TOOLCHAIN)) == AI_FINDINGS
    result = scan_path(TOOLCHAIN, scope="all")
    assert result.errors == []
    assert finding_keys(result) == [
        # a stored AWS key pair signs the deploy job in where OIDC would do (the key is no AI key)
        ("IAG007", 'github_actions_secret.aws_key_id["agent-toolchain-docs"]', ".github/workflows/deploy.yml", 13),
        ("IAG007", 'github_actions_secret.aws_secret["agent-toolchain-docs"]', ".github/workflows/deploy.yml", 14),
        AI_FINDINGS[0],
        AI_FINDINGS[1],
        ("IAG006", "mcp:.mcp.json/brave-search", ".mcp.json", 14),  # a generic key: judged with scope all
        AI_FINDINGS[2],
        AI_FINDINGS[3],
        ("IAG002", "aws_iam_access_key.deploy", "infra/github/secrets.tf", 36),
        ("IAG003", "aws_iam_access_key.deploy", "infra/github/secrets.tf", 36),
        ("IAG005", "aws_iam_access_key.deploy", "infra/github/secrets.tf", 36),
        ("IAG008", "aws_iam_access_key.deploy", "infra/github/secrets.tf", 56),  # nonsensitive() output; the id output is not
    ]


def test_secrets_read_by_name_reach_the_terraform_that_declares_them() -> None:
    found = consumers(scan_path(TOOLCHAIN, scope="all"))
    assert found["github_actions_secret.openai"] == (
        "workflow:.github/workflows/evals.yml/jobs/nightly", "workflow:.github/workflows/evals.yml/jobs/regression",
    )
    assert "github-secret:OPENAI_API_KEY" not in found  # replaced by its declared record
    assert found["github-secret:HF_TOKEN"] == ("workflow:.github/workflows/evals.yml/jobs/nightly",)  # declared nowhere: kept
    assert not [address for address in found if "GITHUB_TOKEN" in address]  # the job's own token


def test_a_key_pushed_to_two_repositories_has_two_consumers_and_its_id_is_no_copy() -> None:
    found = consumers(scan_path(TOOLCHAIN, scope="all"))
    assert found["aws_iam_access_key.deploy"] == (
        'github_actions_secret.aws_secret["agent-toolchain"]', 'github_actions_secret.aws_secret["agent-toolchain-docs"]',
    )


def test_how_a_job_reaches_the_cloud_is_said_on_its_usages() -> None:
    result = scan_path(TOOLCHAIN, scope="all")
    vias = {(u.workload, u.via) for u in result.inventory.usages if u.workload == DEPLOY_JOB}
    assert (DEPLOY_JOB, "aws static key (aws-actions/configure-aws-credentials aws-access-key-id)") in vias
    assert (DEPLOY_JOB, "aws static key (aws-actions/configure-aws-credentials aws-secret-access-key)") in vias


def test_gitlab_variables_the_file_does_not_define_are_usages() -> None:
    result = scan_path(TOOLCHAIN, scope="all")
    usages = [(u.workload, u.credential, u.via) for u in result.inventory.usages if u.workload.startswith("gitlab-ci:")]
    assert usages == [("gitlab-ci:.gitlab-ci.yml/jobs/eval", "gitlab-variable:HF_TOKEN", "$HF_TOKEN (the job also has an OIDC id_token)")]


def test_mcp_references_are_usages_and_jsonc_is_read() -> None:
    found = consumers(scan_path(TOOLCHAIN, scope="all"))
    assert found["mcp-env:OPENAI_API_KEY"] == ("mcp:.mcp.json/openai-docs", "mcp:.vscode/mcp.json/openai-tools")
    assert found["mcp-input:.vscode/mcp.json/sentry-token"] == ("mcp:.vscode/mcp.json/sentry",)


def test_literal_keys_in_gitlab_variables_and_mcp_headers(tmp_path: Path) -> None:
    key = "hf_" + "QmVvZGxlcyBhcmUgbm90IGEga2V5aGVyZQ"
    write_project(tmp_path, {
        ".gitlab-ci.yml": f"variables:\n  HF_TOKEN: {key}\n\nfinetune:\n  script: [python train.py]\n  variables:\n    WANDB_API_KEY: 9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c\n",
        ".cursor/mcp.json": '{"mcpServers": {"remote": {"url": "https://mcp.example.com/sse",\n "headers": {"Authorization": "Bearer sk-proj-' + "Zq9xR2vW7tY4uI1oP6aS3dF8gH5jK0lL" * 2 + '"}}}}\n',
    })
    result = scan_path(tmp_path, scope="all")
    assert finding_keys(result) == [
        ("IAG006", "mcp:.cursor/mcp.json/remote", ".cursor/mcp.json", 2),
        ("IAG006", "gitlab-ci:.gitlab-ci.yml", ".gitlab-ci.yml", 2),
        ("IAG006", "gitlab-ci:.gitlab-ci.yml/jobs/finetune", ".gitlab-ci.yml", 7),
    ]


def test_a_suppression_comment_in_a_workflow_applies(tmp_path: Path) -> None:
    text = (TOOLCHAIN / ".github/workflows/deploy.yml").read_text()
    text = text.replace("          ANTHROPIC_API_KEY:", '          # iac-guard:ignore IAG006 reason="revoked demo key kept for the workshop" expires=2027-01-31\n          ANTHROPIC_API_KEY:')
    write_project(tmp_path, {".github/workflows/deploy.yml": text})
    (finding,) = scan_path(tmp_path).findings
    assert (finding.policy_id, finding.suppressed) == ("IAG006", True)


@pytest.mark.parametrize(("name", "text", "message"), [
    (".mcp.json", '{"mcpServers": {"x": ', "not a valid MCP config: the JSON does not parse (Expecting value)"),
    (".mcp.json", "[1, 2]", "an MCP config must be a JSON object (mcpServers: or servers:)"),
    (".mcp.json", "[" * 5000 + "]" * 5000, "not a valid MCP config: the JSON does not parse (nesting is too deep)"),
    (".github/workflows/ci.yml", "- just\n- a list\n", "a GitHub workflow must be a mapping (on:, jobs: or runs:)"),
    (".gitlab-ci.yml", "[unclosed\n", None),
])
def test_files_that_cannot_be_read_are_clear_errors(tmp_path: Path, name: str, text: str, message: str | None) -> None:
    write_project(tmp_path, {name: text})
    result = scan_path(tmp_path)
    (error,) = result.errors
    assert error.file == name
    if message is not None:
        assert error.message == message
