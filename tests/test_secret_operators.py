"""Secret operators as GitOps repositories use them (issue 13): SealedSecret, ClusterExternalSecret,
PushSecret and the Vault Agent Injector — the fixture repository's exact findings and
non-findings, and each new fact's unknown case."""

from __future__ import annotations

from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path, write_project

GITOPS = FIXTURES / "projects" / "gitops-secret-operators"

CLUSTER_SECRET = '''apiVersion: external-secrets.io/v1beta1
kind: ClusterExternalSecret
metadata:
  name: openai-platform-key
  labels: {{owner: ai-platform}}
spec:
  {selection}
  externalSecretSpec:
    refreshInterval: 1h
    target: {{name: openai-api-key}}
    data:
      - secretKey: OPENAI_API_KEY
        remoteRef: {{key: prod/ai-platform/openai}}
'''


def deployment(namespace: str, secret: str = "openai-api-key") -> str:
    return f'''---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: {namespace}}}
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api:1
          envFrom: [{{secretRef: {{name: {secret}}}}}]
'''


def namespace(name: str, **labels: str) -> str:
    return f"---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {labels or {}}}}\n".replace("'", "")


def consumers(result: object, address: str) -> tuple[str, ...]:
    (credential,) = [c for c in result.inventory.credentials if c.address == address]  # type: ignore[attr-defined]
    return credential.consumers


def test_the_gitops_repository_exact_findings() -> None:
    expected = [
        ("IAG005", "Secret/batch/hf-token", "apps/batch/hf-token.yaml", 2),
        ("IAG001", "SealedSecret/search/cohere-rerank-key", "apps/search/cohere-sealed.yaml", 1),
        ("IAG002", "SealedSecret/search/cohere-rerank-key", "apps/search/cohere-sealed.yaml", 1),
        ("IAG003", "SealedSecret/search/cohere-rerank-key", "apps/search/cohere-sealed.yaml", 1),
        ("IAG005", "VaultSecret/secret/data/ai/openai", "apps/summarizer/deployment.yaml", 15),
        ("IAG005", "ClusterExternalSecret/openai-platform-key", "infrastructure/openai-cluster-secret.yaml", 2),
    ]
    for scope in ("ai", "all"):
        result = scan_path(GITOPS, scope=scope)
        assert finding_keys(result) == expected
        assert result.errors == []


def test_a_sealed_secret_links_its_consumers_and_takes_the_owner_of_its_template() -> None:
    result = scan_path(GITOPS, scope="all")
    assert consumers(result, "SealedSecret/chat/anthropic-api-key") == ("Deployment/chat/chat-api",)
    assert consumers(result, "SealedSecret/search/cohere-rerank-key") == ("Deployment/search/search-reranker",)
    (sealed,) = [c for c in result.inventory.credentials if c.address == "SealedSecret/chat/anthropic-api-key"]
    assert sealed.owner.value == "conversational-ai"
    assert sealed.hardcoded == ()  # ciphertext is safe in Git, whatever its entropy


def test_a_cluster_external_secret_writes_one_secret_into_each_selected_namespace() -> None:
    result = scan_path(GITOPS, scope="all")
    assert consumers(result, "ClusterExternalSecret/openai-platform-key") == (
        "Deployment/chat/chat-api", "Deployment/search/search-reranker",
    )  # batch is not labelled for the gateway


def test_a_push_secret_is_a_consumer_of_the_secret_it_copies() -> None:
    result = scan_path(GITOPS, scope="all")
    assert consumers(result, "Secret/batch/hf-token") == ("CronJob/batch/nightly-finetune", "PushSecret/batch/hf-token-to-aws")


def test_vault_injection_is_read_only_where_it_is_switched_on() -> None:
    result = scan_path(GITOPS, scope="all")
    assert consumers(result, "VaultSecret/secret/data/ai/openai") == ("Deployment/summarizer/summarizer", "Job/summarizer/summarizer-evals")
    assert consumers(result, "VaultSecret/secret/data/observability/langfuse") == ("Job/summarizer/summarizer-evals",)
    assert not [f for f in result.findings if f.resource.startswith("VaultSecret/") and f.policy_id != "IAG005"]  # owner, expiry, rotation live in Vault: unknown


def test_listed_namespaces_need_no_namespace_objects(tmp_path: Path) -> None:
    write_project(tmp_path, {"k8s.yaml": CLUSTER_SECRET.format(selection="namespaces: [chat, search]") + deployment("chat") + deployment("search")})
    result = scan_path(tmp_path, scope="all")
    assert consumers(result, "ClusterExternalSecret/openai-platform-key") == ("Deployment/chat/api", "Deployment/search/api")


def test_match_expressions_select_namespaces(tmp_path: Path) -> None:
    selection = "namespaceSelector: {matchExpressions: [{key: tier, operator: In, values: [ai, ml]}, {key: sandbox, operator: DoesNotExist}]}"
    write_project(tmp_path, {"k8s.yaml": CLUSTER_SECRET.format(selection=selection) + namespace("chat", tier="ai")
                             + namespace("lab", tier="ml", sandbox="yes") + namespace("web", tier="frontend")
                             + deployment("chat") + deployment("lab") + deployment("web")})
    result = scan_path(tmp_path, scope="all")
    assert consumers(result, "ClusterExternalSecret/openai-platform-key") == ("Deployment/chat/api",)


def test_namespaces_the_scan_does_not_describe_are_not_guessed(tmp_path: Path) -> None:
    write_project(tmp_path, {"k8s.yaml": CLUSTER_SECRET.format(selection="namespaceSelector: {matchLabels: {ai-gateway: enabled}}")
                             + deployment("chat") + deployment("search")})
    result = scan_path(tmp_path, scope="all")
    assert consumers(result, "ClusterExternalSecret/openai-platform-key") == ()
    assert [f.policy_id for f in result.findings if f.resource == "ClusterExternalSecret/openai-platform-key"] == []
