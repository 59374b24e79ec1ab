"""The cloud identity graph across formats (issue 14): pods in YAML reach IAM roles in a Terraform
root module through IRSA (annotation and trust policy) and EKS Pod Identity — the fixture
platform's exact findings and consumers, and the links that must not be guessed."""

from __future__ import annotations

from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path, write_project

EKS = FIXTURES / "projects" / "eks-platform"
ROLE = '''resource "aws_iam_role" "agent" {
  name = "support-agent"
  tags = { owner = "support" }
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "pods.eks.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "agent" {
  role   = aws_iam_role.agent.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["bedrock:InvokeModel"], Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku" }] })
}
'''


def pod(namespace: str, account: str, annotation: str | None = None) -> str:
    annotations = f"\n  annotations: {{eks.amazonaws.com/role-arn: '{annotation}'}}" if annotation is not None else ""
    return f'''---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {account}
  namespace: {namespace}
  labels: {{owner: support}}{annotations}
---
apiVersion: v1
kind: Pod
metadata: {{name: agent, namespace: {namespace}}}
spec:
  serviceAccountName: {account}
  containers: [{{name: agent, image: example/agent:1}}]
'''


def consumers(root: Path, address: str, scope: str = "all") -> tuple[str, ...]:
    found = [c.consumers for c in scan_path(root, scope=scope).inventory.credentials if c.address == address]
    return found[0] if found else ()


def test_the_platform_exact_findings() -> None:
    gateway = [
        ("IAG005", "aws_iam_role.bedrock_gateway", "infra/iam/main.tf", 34),
        ("IAG004", "aws_iam_role.bedrock_gateway", "infra/iam/main.tf", 49),
    ]
    assert finding_keys(scan_path(EKS)) == gateway
    assert finding_keys(scan_path(EKS, scope="all")) == [
        ("IAG005", "ServiceAccount/batch/batch", "apps/batch/legacy.yaml", 2),
        ("IAG005", "aws_iam_role[name=ml-batch-legacy]", "apps/batch/legacy.yaml", 9),  # declared elsewhere: its pods still share it
        *gateway,
    ]


def test_pods_are_the_consumers_of_the_roles_they_get() -> None:
    assert consumers(EKS, "aws_iam_role.bedrock_gateway") == ("Deployment/chat/llm-gateway", "Job/evals/nightly-evals")  # Pod Identity
    assert consumers(EKS, "aws_iam_role.rag_indexer") == ("Deployment/rag/rag-indexer",)  # annotation and trust: one consumer
    assert consumers(EKS, "aws_iam_role[name=ml-batch-legacy]") == ("CronJob/batch/feature-backfill", "CronJob/batch/report-export")


def test_an_ai_role_makes_its_pods_service_accounts_ai() -> None:
    result = scan_path(EKS)
    assert {c.address for c in result.inventory.credentials if c.ai_reasons} >= {
        "ServiceAccount/chat/gateway", "ServiceAccount/rag/indexer", "aws_iam_role.bedrock_gateway", "aws_iam_role.rag_indexer",
    }


def test_a_role_known_only_by_its_annotation_is_never_failed_for_what_aws_keeps(tmp_path: Path) -> None:
    write_project(tmp_path, {"k8s.yaml": pod("support", "agent", "arn:aws:iam::111122223333:role/support-agent")})
    result = scan_path(tmp_path, scope="all")
    assert finding_keys(result) == []
    (role,) = [c for c in result.inventory.credentials if c.address == "aws_iam_role[name=support-agent]"]
    assert (role.declared, role.consumers) == (False, ("Pod/support/agent",))


def test_the_declared_role_replaces_the_one_an_annotation_names(tmp_path: Path) -> None:
    write_project(tmp_path, {"infra/iam.tf": ROLE, "k8s/agent.yaml": pod("support", "agent", "arn:aws:iam::111122223333:role/support-agent")})
    result = scan_path(tmp_path, scope="all")
    addresses = {c.address for c in result.inventory.credentials}
    assert "aws_iam_role[name=support-agent]" not in addresses
    assert consumers(tmp_path, "aws_iam_role.agent") == ("Pod/support/agent",)


def test_a_pod_identity_association_that_does_not_resolve_links_nothing(tmp_path: Path) -> None:
    association = '''variable "role_arn" { type = string }

resource "aws_eks_pod_identity_association" "agent" {
  cluster_name    = "prod"
  namespace       = "support"
  service_account = "agent"
  role_arn        = var.role_arn
}
'''
    write_project(tmp_path, {"infra/iam.tf": ROLE + association, "k8s/agent.yaml": pod("support", "agent")})
    assert consumers(tmp_path, "aws_iam_role.agent") == ()


def test_without_annotation_trust_or_association_a_pod_reaches_no_role(tmp_path: Path) -> None:
    write_project(tmp_path, {"infra/iam.tf": ROLE, "k8s/agent.yaml": pod("support", "agent") + pod("other", "agent")})
    assert consumers(tmp_path, "aws_iam_role.agent") == ()
