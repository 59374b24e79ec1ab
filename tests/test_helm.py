"""Helm charts without rendering them (issue 13): values files judged for literal keys only,
plain files under ``templates/`` read as manifests, templated ones counted in a scan note."""

from __future__ import annotations

import json
from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path, write_project

from iac_guard.discover import discover
from iac_guard.report import json_report, markdown, sarif, text

CHART_PROJECT = FIXTURES / "projects" / "helm-chart"
CHART = "charts/support-agent"
SKIPPED = "5 Helm template file(s) skipped (they hold template directives): scan `helm template` output to judge them"


def test_a_literal_key_in_a_values_file_is_the_only_finding() -> None:
    result = scan_path(CHART_PROJECT, scope="all")
    assert finding_keys(result) == [
        ("IAG006", "HelmValues/support-agent/values-staging.yaml", f"{CHART}/values-staging.yaml", 6),
    ]
    assert result.errors == []
    literal = next(c for c in result.inventory.credentials if c.source_type == "HelmValues")
    assert (literal.origin, [h.field for h in literal.hardcoded]) == ("literal", ["openai.apiKey"])


def test_what_is_not_a_finding() -> None:
    """The compliant values (an existingSecret name, an empty apiKey, a model and a URL) hold no
    key; a values file is never judged for owner, expiry or rotation; the plain ExternalSecret
    under templates/ is read (it is in the inventory) and compliant."""
    result = scan_path(CHART_PROJECT, scope="all")
    assert sorted(c.address for c in result.inventory.credentials) == [
        "ExternalSecret/support/support-agent-openai", "HelmValues/support-agent/values-staging.yaml",
    ]
    assert {f.file for f in result.findings} == {f"{CHART}/values-staging.yaml"}
    assert not any(f.policy_id in ("IAG001", "IAG002", "IAG003") for f in result.findings)


def test_templates_with_directives_are_counted_in_one_note_per_chart() -> None:
    result = scan_path(CHART_PROJECT, scope="all")
    assert [(n.file, n.line, n.message) for n in result.notes] == [(f"{CHART}/templates", None, SKIPPED)]
    sources = discover([str(CHART_PROJECT)])
    assert [sources.relative(p) for p in sources.helm_values] == [
        f"{CHART}/values-prod.yaml", f"{CHART}/values-staging.yaml", f"{CHART}/values.yaml",
    ]
    assert [sources.relative(p) for p in sources.yaml if "/templates/" in sources.relative(p)] == [
        f"{CHART}/templates/externalsecret.yaml", f"{CHART}/templates/priorityclass.yaml",
    ]
    assert result.exit_code == 1  # the literal key fails the gate; the note never does


def test_the_note_is_in_every_report() -> None:
    result = scan_path(CHART_PROJECT, scope="all")
    assert json.loads(json_report.render(result))["summary"]["notes"] == [
        {"file": f"{CHART}/templates", "line": None, "message": SKIPPED},
    ]
    assert json.loads(sarif.render(result))["runs"][0]["properties"]["notes"][0]["message"] == SKIPPED
    assert text.render(result).count(f"note: {CHART}/templates: {SKIPPED}") == 1
    assert markdown.render(result).count(SKIPPED) == 1


def test_a_plain_template_is_judged_like_any_manifest_at_its_own_lines(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/templates/secret.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\n  labels:\n    owner: ml\n"
            "  annotations:\n    iac-guard.io/expires: '2027-01-31'\n    iac-guard.io/rotation-period: 30d\n"
            "stringData:\n  OPENAI_API_KEY: sk-proj-A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4\n"
        ),
    })
    assert finding_keys(scan_path(tmp_path)) == [("IAG006", "Secret/default/openai", "chart/templates/secret.yaml", 11)]


def test_values_that_are_unknown_or_references_never_fail(tmp_path: Path) -> None:
    """The unknown-never-fails twin: a value set at install time (``--set``, a template, an
    environment reference) or a placeholder is not a literal key."""
    write_project(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/values.yaml": (
            "openai:\n  apiKey: ${OPENAI_API_KEY}\n  fromTemplate: '{{ .Values.global.openaiKey }}'\n"
            "  placeholder: <your-openai-api-key>\n  existingSecret: openai-credentials\n"
        ),
        "chart/values-empty.yaml": "# nothing overridden yet\n",
    })
    result = scan_path(tmp_path, scope="all")
    assert (result.findings, result.errors, result.inventory.credentials) == ([], [], ())


def test_values_outside_a_chart_are_ordinary_yaml_and_a_broken_values_file_is_an_error(tmp_path: Path) -> None:
    key = "sk-proj-A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4"
    write_project(tmp_path, {
        "notes/values.yaml": f"openai:\n  apiKey: {key}\n",  # no Chart.yaml beside it
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/values.yaml": "openai: [unclosed\n",
    })
    result = scan_path(tmp_path, scope="all")
    assert result.findings == []
    assert [(e.file, e.line) for e in result.errors] == [("chart/values.yaml", 2)]


def test_a_template_named_on_the_command_line_is_noted_not_an_error(tmp_path: Path) -> None:
    """pre-commit passes the changed files one by one."""
    write_project(tmp_path, {
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/templates/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n",
    })
    result = scan_path(tmp_path / "chart" / "templates" / "service.yaml")
    assert result.errors == []
    assert [n.message.split(" (")[0] for n in result.notes] == ["1 Helm template file(s) skipped"]
