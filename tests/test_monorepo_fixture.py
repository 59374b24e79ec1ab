"""The app-monorepo fixture whole: Terraform (infra/), manifests (k8s/), workflows, Dockerfiles,
Compose, ``.env`` beside ``.env.example``, notebooks and both MCP configs in one repository, judged
together — the exact findings and non-findings of every source under both policies that follow a
value past where it is defined (IAG007 static-credential, IAG008 exposed-secret), the inventory's
consumers across formats, and the control report counting the new policies."""

from __future__ import annotations

import json

from gate_support import invoke
from scanning import FIXTURES, finding_keys, scan_path

from iac_guard.policy.frameworks import load_frameworks
from iac_guard.report.controls.model import build_report

MONOREPO = FIXTURES / "projects" / "app-monorepo"

EVERY_FINDING = [
    ("IAG005", "dotenv:.env/OPENAI_API_KEY", ".env", 3),
    ("IAG006", "dotenv:.env/OPENAI_API_KEY", ".env", 3),
    ("IAG006", "dotenv:.env/HF_TOKEN", ".env", 4),
    # The eval image is built with the Anthropic key as a build argument; the review job reads it too.
    ("IAG005", "github-secret:ANTHROPIC_API_KEY", ".github/workflows/images.yml", 28),
    ("IAG008", "github-secret:ANTHROPIC_API_KEY", ".github/workflows/images.yml", 28),
    # The nightly job signs in to AWS with the key pair Terraform pushed to the repository.
    ("IAG007", "github_actions_secret.ingest_bot_key_id", ".github/workflows/nightly-evals.yml", 13),
    ("IAG007", "github_actions_secret.ingest_bot_secret", ".github/workflows/nightly-evals.yml", 14),
    ("IAG008", "github-secret:OPENAI_API_KEY", ".github/workflows/nightly-evals.yml", 24),  # set -x
    ("IAG008", "github-secret:ANTHROPIC_API_KEY", ".github/workflows/pr-review.yml", 15),  # head checkout
    ("IAG005", "mcp-env:OPENAI_API_KEY", ".mcp.json", 15),
    ("IAG006", "mcp:.mcp.json/tavily", ".mcp.json", 22),
    ("IAG006", "compose:docker-compose.yml/services/reranker", "docker-compose.yml", 35),
    ("IAG005", "aws_iam_access_key.ingest_bot", "infra/ingest.tf", 19),
    ("IAG007", "aws_iam_access_key.ingest_bot", "infra/ingest.tf", 34),  # a Lambda reads it: use its role
    ("IAG007", "aws_iam_access_key.ingest_bot", "infra/ingest.tf", 35),
    ("IAG008", "aws_iam_access_key.ingest_bot", "infra/ingest.tf", 59),  # output without sensitive
    ("IAG005", "Secret/rag/bedrock-key", "k8s/reranker.yaml", 3),
    ("IAG006", "Secret/rag/bedrock-key", "k8s/reranker.yaml", 15),
    ("IAG007", "Secret/rag/bedrock-key", "k8s/reranker.yaml", 39),  # pods on the EKS node group
    ("IAG006", "notebook:notebooks/retrieval-eval.ipynb", "notebooks/retrieval-eval.ipynb", 37),
    ("IAG008", "notebook:notebooks/retrieval-eval.ipynb", "notebooks/retrieval-eval.ipynb", 37),
    ("IAG006", "dockerfile:services/api/Dockerfile", "services/api/Dockerfile", 14),
    ("IAG008", "docker-build-arg:services/eval/eval.Dockerfile/ANTHROPIC_API_KEY", "services/eval/eval.Dockerfile", 4),
    ("IAG008", "docker-build-arg:services/eval/eval.Dockerfile/ANTHROPIC_API_KEY", "services/eval/eval.Dockerfile", 5),
    ("IAG006", "dockerfile:services/eval/eval.Dockerfile", "services/eval/eval.Dockerfile", 8),
]


def test_every_finding_of_every_source_exactly() -> None:
    result = scan_path(MONOREPO, scope="all")
    assert result.errors == []
    assert finding_keys(result) == EVERY_FINDING


def test_ai_scope_leaves_out_only_the_search_key_no_provider_names() -> None:
    """Tavily's key is a literal by its field's name, not an AI provider's format or name."""
    expected = [key for key in EVERY_FINDING if key[1] != "mcp:.mcp.json/tavily"]
    assert finding_keys(scan_path(MONOREPO)) == expected


def test_the_compliant_forms_give_nothing() -> None:
    """OIDC deployments, an execution role, IRSA, BuildKit secrets (in a Dockerfile and a build
    action's ``secrets`` input), ``${VAR}`` / ``${input:…}`` /
    ``${env:…}`` references, placeholders, a sensitive output, a pull_request_target job that runs
    the base branch's code, a pod whose cloud the manifests do not name (unknown), and a key pushed
    to a CI platform that has no AWS identity of its own are no IAG007 or IAG008 finding."""
    result = scan_path(MONOREPO, scope="all")
    files = {f.file for f in result.findings}
    assert not files & {
        ".github/workflows/deploy.yml", "infra/summarize.tf", "k8s/retriever.yaml", "k8s/reindex-cronjob.yaml",
        ".vscode/mcp.json", ".env.example", "services/ingest/Dockerfile", "notebooks/clean-embeddings.ipynb",
    }
    places = {(f.policy_id, f.file, f.line) for f in result.findings}
    assert ("IAG008", "infra/ingest.tf", 63) not in places  # ingest_bot_secret_sealed: sensitive = true
    assert ("IAG008", "infra/ingest.tf", 55) not in places  # the key id is no secret
    resources = {f.resource for f in result.findings if f.policy_id in ("IAG007", "IAG008")}
    assert not resources & {"github-secret:GH_LABELER_TOKEN", "github-secret:HF_TOKEN", "aws_iam_role.summarize", "aws_iam_role.deploy",
                            "mcp-input:.vscode/mcp.json/langfuse-secret"}


def test_where_each_use_runs_is_a_fact_and_unknown_never_fails() -> None:
    """The Secret holding the AWS key id is read by pods on the EKS node group (aws: identity
    offered) and by a CronJob whose cluster nothing names (unknown); the access key by a Lambda
    (aws) and by the GitHub secret it is copied into (github-actions: a known other platform)."""
    inventory = scan_path(MONOREPO, scope="all").inventory
    uses = {
        (c.address, f.source): (f.platform, f.identity_offered)
        for c in inventory.credentials for f in c.flows if f.kind == "static"
    }
    assert uses[("Secret/rag/bedrock-key", "Deployment/rag/reranker")] == ("aws", True)
    platform, offered = uses[("Secret/rag/bedrock-key", "CronJob/rag/reindex")]
    assert platform is None and repr(offered) == "Unknown()"
    assert uses[("aws_iam_access_key.ingest_bot", "aws_lambda_function.reindex")] == ("aws", True)
    assert uses[("aws_iam_access_key.ingest_bot", "github_actions_secret.ingest_bot_secret")] == ("github-actions", False)


def test_inventory_shows_ci_jobs_containers_notebooks_and_mcp_servers_as_consumers() -> None:
    result = invoke("inventory", str(MONOREPO), "--scope", "all", "-f", "json", "--no-cache")
    assert result.exit_code == 0, result.stderr
    consumers = {c["address"]: c["consumers"] for c in json.loads(result.stdout)["credentials"]}
    assert consumers["github_actions_secret.ingest_bot_secret"] == ["workflow:.github/workflows/nightly-evals.yml/jobs/bedrock"]
    assert consumers["github-secret:ANTHROPIC_API_KEY"] == [
        "workflow:.github/workflows/images.yml/jobs/eval", "workflow:.github/workflows/pr-review.yml/jobs/review",
    ]
    assert consumers["docker-build-arg:services/eval/eval.Dockerfile/ANTHROPIC_API_KEY"] == ["dockerfile:services/eval/eval.Dockerfile"]
    assert consumers["notebook:notebooks/retrieval-eval.ipynb"] == ["notebook:notebooks/retrieval-eval.ipynb"]
    assert consumers["mcp-env:OPENAI_API_KEY"] == ["mcp:.mcp.json/rag-docs", "mcp:.vscode/mcp.json/rag-docs"]
    assert consumers["aws_iam_access_key.ingest_bot"] == ["aws_lambda_function.reindex", "github_actions_secret.ingest_bot_secret"]
    assert consumers["Secret/rag/bedrock-key"] == ["CronJob/rag/reindex", "Deployment/rag/reranker"]


def test_the_control_report_counts_static_and_exposed_secrets_under_their_controls() -> None:
    report = build_report(scan_path(MONOREPO, scope="all"), list(load_frameworks().values()), [MONOREPO.name])
    controls = {(f.framework.id, c.control.id): c for f in report.frameworks for c in f.controls}
    nhi7, nhi2 = controls[("owasp-nhi-2025", "NHI7")], controls[("owasp-nhi-2025", "NHI2")]
    assert nhi7.status == nhi2.status == "failing"
    assert sorted((f.resource, f.line) for f in nhi7.failing if f.policy_id == "IAG007") == [
        ("Secret/rag/bedrock-key", 39), ("aws_iam_access_key.ingest_bot", 34), ("aws_iam_access_key.ingest_bot", 35),
        ("github_actions_secret.ingest_bot_key_id", 13), ("github_actions_secret.ingest_bot_secret", 14),
    ]
    assert sum(f.policy_id == "IAG008" for f in nhi2.failing) == 7
    assert "IAG008" in controls[("cis-v8", "3.11")].reason
