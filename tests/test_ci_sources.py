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


#: Nine-fold aliases nine levels deep: 9**9 nodes if expanded.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
) + "jobs: {x: {env: {K: *i}}}\n"
RELEASE_WORKFLOW = """\
name: release
on: [push]
permissions:
  contents: read
jobs:
  gcp-static:
    runs-on: ubuntu-latest
    steps:
      - uses: google-github-actions/auth@v2
        with:
          credentials_json: ${{ secrets.GCP_SA_KEY }}
  gcp-federated:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: google-github-actions/auth@v2
        with:
          workload_identity_provider: ${{ secrets.GCP_WIF_PROVIDER }}
          service_account: deployer@proj.iam.gserviceaccount.com
  azure-static:
    runs-on: ubuntu-latest
    steps:
      - uses: Azure/login@v2
        with:
          creds: ${{ secrets.AZURE_CREDENTIALS }}
  azure-federated:
    environment: production
    runs-on: windows-latest
    permissions: {id-token: write, contents: read}
    steps:
      - name: Log in with OIDC
        uses: azure/login@v2
        with:
          client-id: ${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: ${{ secrets.AZURE_TENANT_ID }}
          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}
"""


def test_google_and_azure_logins_static_keys_beside_federation_and_permissions_are_no_values(tmp_path: Path) -> None:
    write_project(tmp_path, {".github/workflows/release.yml": RELEASE_WORKFLOW})
    result = scan_path(tmp_path, scope="all")
    # `permissions: id-token: write` is an access level, not a token (a false positive before)
    assert finding_keys(result) == [
        ("IAG007", "github-secret:GCP_SA_KEY", ".github/workflows/release.yml", 11),
        ("IAG007", "github-secret:AZURE_CREDENTIALS", ".github/workflows/release.yml", 26),
    ]
    job = "workflow:.github/workflows/release.yml/jobs/"
    assert sorted((u.workload.removeprefix(job), u.credential, u.via) for u in result.inventory.usages) == [
        ("azure-federated", "github-secret:AZURE_CLIENT_ID", "azure workload identity federation (azure/login client-id)"),
        ("azure-federated", "github-secret:AZURE_SUBSCRIPTION_ID", "secrets.AZURE_SUBSCRIPTION_ID"),
        ("azure-federated", "github-secret:AZURE_TENANT_ID", "secrets.AZURE_TENANT_ID"),
        ("azure-static", "github-secret:AZURE_CREDENTIALS", "azure static key (azure/login creds)"),
        ("gcp-federated", "github-secret:GCP_WIF_PROVIDER",
         "google cloud workload identity federation (google-github-actions/auth workload_identity_provider)"),
        ("gcp-static", "github-secret:GCP_SA_KEY", "google cloud static key (google-github-actions/auth credentials_json)"),
    ]


def test_a_suppression_comment_in_an_editors_mcp_config_applies(tmp_path: Path) -> None:
    """Editors' MCP configs are JSONC, so a ``//`` comment above the key suppresses; strict JSON
    (``.mcp.json``) has no comment to write one in: the baseline accepts its findings."""
    key = "sk-proj-" + "Zq9xR2vW7tY4uI1oP6aS3dF8gH5jK0lL" * 2
    write_project(tmp_path, {".vscode/mcp.json": (
        '{\n  "servers": {\n    "remote": {\n      "url": "https://mcp.example.com/sse",\n'
        '      // iac-guard:ignore IAG006 reason="revoked demo key kept for the workshop"\n'
        '      "headers": {"Authorization": "Bearer ' + key + '"}\n    }\n  }\n}\n'
    )})
    (finding,) = scan_path(tmp_path).findings
    assert (finding.policy_id, finding.line, finding.suppressed) == ("IAG006", 6, True)


@pytest.mark.parametrize(("name", "text", "message"), [
    (".mcp.json", '{"mcpServers": {"x": ', "not a valid MCP config: the JSON does not parse (Expecting value)"),
    (".mcp.json", "[1, 2]", "an MCP config must be a JSON object (mcpServers: or servers:)"),
    (".mcp.json", "[" * 5000 + "]" * 5000, "not a valid MCP config: the JSON does not parse (nesting is too deep)"),
    (".github/workflows/ci.yml", "- just\n- a list\n", "a GitHub workflow must be a mapping (on:, jobs: or runs:)"),
    (".gitlab-ci.yml", "[unclosed\n", None),
    (".github/workflows/deep.yml", "jobs:\n  a:\n    env: " + "[" * 3000 + "]" * 3000 + "\n", "not valid YAML: exceeded maximum nesting depth"),
    (".github/workflows/laughs.yml", ALIAS_BOMB, "aliases expand to more than 100000 nodes (an alias bomb?)"),
])
def test_files_that_cannot_be_read_are_clear_errors(tmp_path: Path, name: str, text: str, message: str | None) -> None:
    write_project(tmp_path, {name: text})
    result = scan_path(tmp_path)
    (error,) = result.errors
    assert error.file == name
    if message is not None:
        assert error.message == message
