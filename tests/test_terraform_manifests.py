"""Manifests managed by Terraform (issue 13): ``kubectl_manifest`` bodies judged like the YAML they
apply, and ``helm_release`` values holding literal keys; exact findings and exact non-findings."""

from __future__ import annotations

from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path, write_project

PROJECT = FIXTURES / "projects" / "terraform-k8s-apps"
MANIFESTS, RELEASES = "infra/support/manifests.tf", "infra/support/releases.tf"


def test_findings_point_into_the_tf_file_at_the_line_of_each_value() -> None:
    assert finding_keys(scan_path(PROJECT, scope="all")) == [
        ("IAG001", "kubectl_manifest.openai_secret", MANIFESTS, 3),
        ("IAG002", "kubectl_manifest.openai_secret", MANIFESTS, 3),
        ("IAG003", "kubectl_manifest.openai_secret", MANIFESTS, 3),
        ("IAG006", "kubectl_manifest.openai_secret", MANIFESTS, 14),
        ("IAG006", "helm_release.litellm", RELEASES, 14),
        ("IAG006", "helm_release.litellm", RELEASES, 23),
    ]


def test_what_is_not_a_finding() -> None:
    """The Anthropic Secret is owned, expires and rotates, and its value is a variable (unknown: it
    never fails); the LiteLLM master key is a variable inside the heredoc; open-webui sets a URL and
    a variable; a release is never judged for owner, expiry or rotation."""
    result = scan_path(PROJECT, scope="all")
    assert result.errors == []
    by_address = {c.address: c for c in result.inventory.credentials}
    assert sorted(by_address) == ["helm_release.litellm", "kubectl_manifest.anthropic_secret", "kubectl_manifest.openai_secret"]
    assert [h.field for h in by_address["helm_release.litellm"].hardcoded] == [
        "envVars.OPENAI_API_KEY", "set_sensitive.envVars.ANTHROPIC_API_KEY",
    ]
    assert by_address["helm_release.litellm"].origin == "literal"
    assert not any(f.resource == "kubectl_manifest.anthropic_secret" for f in result.findings)


def test_a_templatefile_body_is_an_object_that_links_to_its_secret() -> None:
    result = scan_path(PROJECT, scope="all")
    assert [(w.address, w.location.file) for w in result.inventory.workloads] == [("kubectl_manifest.triage_worker", MANIFESTS)]
    consumers = {c.address: c.consumers for c in result.inventory.credentials}
    assert consumers["kubectl_manifest.anthropic_secret"] == ("kubectl_manifest.triage_worker",)


def test_bodies_that_are_not_one_object_create_nothing_and_are_no_error(tmp_path: Path) -> None:
    key = "sk-proj-A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4"
    write_project(tmp_path, {"main.tf": (
        'resource "kubectl_manifest" "broken" {\n  yaml_body = "kind: [unclosed"\n}\n'
        'resource "kubectl_manifest" "unknown" {\n  yaml_body = var.body\n}\n'
        'variable "body" {\n  type = string\n}\n'
        'resource "helm_release" "unknown_values" {\n  name  = "x"\n  chart = "x"\n  values = [var.body]\n'
        '  set {\n    name  = "image.tag"\n    value = "1.0.0"\n  }\n}\n'
        'resource "helm_release" "list_form" {\n  name  = "y"\n  chart = "y"\n'
        f'  set_sensitive = [{{ name = "openai.apiKey", value = "{key}" }}]\n}}\n'
    )})
    result = scan_path(tmp_path, scope="all")
    assert result.errors == []
    assert finding_keys(result) == [("IAG006", "helm_release.list_form", "main.tf", 22)]
