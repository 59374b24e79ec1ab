"""The control report: exact control statuses on the fixtures for every framework, the evidence
behind each status, suppressions, and the command line in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import FIXTURES, scan_path, write_project

from iac_guard.cli import main
from iac_guard.policy.frameworks import load_frameworks
from iac_guard.report.controls import csv as controls_csv
from iac_guard.report.controls import html as controls_html
from iac_guard.report.controls import json as controls_json
from iac_guard.report.controls import markdown as controls_markdown
from iac_guard.report.controls.model import ComplianceReport, build_report

ML_PLATFORM = FIXTURES / "projects" / "ml-platform"
SUPPORT_BOT = FIXTURES / "projects" / "support-bot"
FRAMEWORKS = load_frameworks()
F, P, N = "failing", "passing", "not-assessed"

EXPECTED = {
    "ml-platform": {
        "cis-v8": {"3.11": F, "5.1": N, "5.3": N, "5.5": F, "5.6": N, "6.1": N, "6.2": F, "6.7": N, "6.8": F, "16.8": P},
        "nist-ai-rmf-1.0": {"GOVERN 1.6": F, "GOVERN 1.7": N, "GOVERN 2.1": F, "MAP 4.2": N, "MEASURE 2.7": F, "MANAGE 2.4": N, "MANAGE 3.1": N},
        "nist-csf-2.0": {"GV.RR-02": F, "ID.AM-02": N, "ID.AM-08": F, "ID.RA-07": N, "PR.AA-01": F, "PR.AA-03": N, "PR.AA-05": F, "PR.DS-01": F, "PR.PS-01": N, "PR.IR-01": P},
        "owasp-agentic-2026": {"ASI01": N, "ASI02": F, "ASI03": F, "ASI04": N, "ASI05": N, "ASI06": N, "ASI07": N, "ASI08": N, "ASI09": N, "ASI10": N},
        "owasp-nhi-2025": {"NHI1": F, "NHI2": F, "NHI3": N, "NHI4": N, "NHI5": F, "NHI6": N, "NHI7": F, "NHI8": P, "NHI9": F, "NHI10": N},
    },
    # Owned, rotated, scoped, unshared; one accepted exception (IAG002) and one expired (IAG003).
    "support-bot": {
        "cis-v8": {"3.11": P, "5.1": N, "5.3": N, "5.5": P, "5.6": N, "6.1": N, "6.2": P, "6.7": N, "6.8": P, "16.8": P},
        "nist-ai-rmf-1.0": {"GOVERN 1.6": P, "GOVERN 1.7": N, "GOVERN 2.1": P, "MAP 4.2": N, "MEASURE 2.7": F, "MANAGE 2.4": N, "MANAGE 3.1": N},
        "nist-csf-2.0": {"GV.RR-02": P, "ID.AM-02": N, "ID.AM-08": F, "ID.RA-07": P, "PR.AA-01": F, "PR.AA-03": N, "PR.AA-05": P, "PR.DS-01": P, "PR.PS-01": N, "PR.IR-01": P},
        "owasp-agentic-2026": {"ASI01": N, "ASI02": P, "ASI03": F, "ASI04": N, "ASI05": N, "ASI06": N, "ASI07": N, "ASI08": N, "ASI09": N, "ASI10": N},
        "owasp-nhi-2025": {"NHI1": P, "NHI2": P, "NHI3": N, "NHI4": N, "NHI5": P, "NHI6": N, "NHI7": F, "NHI8": P, "NHI9": P, "NHI10": N},
    },
    # Two roles and nothing else: no secret for the expiry and rotation policies to judge.
    "ml-platform/infra/bedrock-agent": {
        "cis-v8": {"3.11": P, "5.1": N, "5.3": N, "5.5": P, "5.6": N, "6.1": N, "6.2": N, "6.7": N, "6.8": F, "16.8": P},
        "nist-ai-rmf-1.0": {"GOVERN 1.6": P, "GOVERN 1.7": N, "GOVERN 2.1": P, "MAP 4.2": N, "MEASURE 2.7": F, "MANAGE 2.4": N, "MANAGE 3.1": N},
        "nist-csf-2.0": {"GV.RR-02": P, "ID.AM-02": N, "ID.AM-08": P, "ID.RA-07": N, "PR.AA-01": P, "PR.AA-03": N, "PR.AA-05": F, "PR.DS-01": P, "PR.PS-01": N, "PR.IR-01": P},
        "owasp-agentic-2026": {"ASI01": N, "ASI02": F, "ASI03": F, "ASI04": N, "ASI05": N, "ASI06": N, "ASI07": N, "ASI08": N, "ASI09": N, "ASI10": N},
        "owasp-nhi-2025": {"NHI1": P, "NHI2": P, "NHI3": N, "NHI4": N, "NHI5": F, "NHI6": N, "NHI7": P, "NHI8": P, "NHI9": P, "NHI10": N},
    },
}


def report_of(path: Path, **overrides: object) -> ComplianceReport:
    return build_report(scan_path(path, **overrides), list(FRAMEWORKS.values()), [path.name])


def statuses(report: ComplianceReport) -> dict[str, dict[str, str]]:
    return {f.framework.id: {c.control.id: c.status for c in f.controls} for f in report.frameworks}


def control(report: ComplianceReport, framework_id: str, control_id: str):
    (framework,) = [f for f in report.frameworks if f.framework.id == framework_id]
    (result,) = [c for c in framework.controls if c.control.id == control_id]
    return result


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_exact_control_statuses(fixture: str) -> None:
    assert statuses(report_of(FIXTURES / "projects" / fixture)) == EXPECTED[fixture]


def test_failing_control_lists_the_failing_credentials_with_file_and_line() -> None:
    nhi7 = control(report_of(ML_PLATFORM), "owasp-nhi-2025", "NHI7")
    assert nhi7.reason == "9 failing findings of IAG002, IAG003"
    assert [(f.policy_id, f.resource, f.file, f.line) for f in nhi7.failing] == [
        ("IAG002", "aws_secretsmanager_secret.anthropic", "infra/chat-service/secrets.tf", 16),
        ("IAG003", "aws_secretsmanager_secret.anthropic", "infra/chat-service/secrets.tf", 16),
        ("IAG002", "aws_ssm_parameter.cohere", "infra/chat-service/secrets.tf", 27),
        ("IAG003", "aws_ssm_parameter.cohere", "infra/chat-service/secrets.tf", 27),
        ("IAG002", "aws_iam_access_key.legacy_bot", "infra/ci-keys/main.tf", 49),
        ("IAG003", "aws_iam_access_key.legacy_bot", "infra/ci-keys/main.tf", 49),
        ("IAG002", "Secret/chat/openai-legacy", "k8s/chat/secrets.yaml", 14),
        ("IAG003", "Secret/chat/openai-legacy", "k8s/chat/secrets.yaml", 14),
        ("IAG003", "ExternalSecret/platform/hf-token", "k8s/platform/postgres.yaml", 11),
    ]
    assert [p.id for p in nhi7.policies] == ["IAG002", "IAG003", "IAG007"]


def test_passing_says_how_much_was_judged_and_not_assessed_says_why() -> None:
    report = report_of(ML_PLATFORM / "infra" / "bedrock-agent")
    assert control(report, "owasp-nhi-2025", "NHI9").reason == "IAG005 judged 2 credentials, none failed"
    assert control(report, "owasp-nhi-2025", "NHI7").reason == (
        "IAG007 judged 2 credentials, none failed (IAG002 had no credential to judge; IAG003 had no credential to judge)"
    )
    assert control(report, "nist-csf-2.0", "ID.AM-08").reason == (
        "IAG001 judged 2 credentials, none failed (IAG002 had no credential to judge; IAG003 had no credential to judge)"
    )
    assert control(report, "owasp-nhi-2025", "NHI3").reason == "no policy maps to this control"


def test_a_skipped_policy_assesses_nothing() -> None:
    report = report_of(ML_PLATFORM, skip_policies=("IAG005",))
    nhi9 = control(report, "owasp-nhi-2025", "NHI9")
    assert (nhi9.status, nhi9.reason, nhi9.failing) == ("not-assessed", "IAG005 was skipped", ())
    assert control(report, "cis-v8", "6.8").status == "failing"  # IAG004 still fails it


def test_suppressed_findings_carry_their_reason_and_expiry_and_expired_ones_fail() -> None:
    report = report_of(SUPPORT_BOT)
    cis_62 = control(report, "cis-v8", "6.2")
    assert (cis_62.status, cis_62.reason) == ("passing", "IAG002 judged 3 credentials, none failed; 1 suppressed finding")
    (waived,) = cis_62.suppressed
    assert (waived.resource, waived.suppression.reason, waived.suppression.expires) == (
        "aws_ssm_parameter.anthropic", "vendor key without expiry; replaced by workload identity next year", "2030-06-30"
    )
    nhi7 = control(report, "owasp-nhi-2025", "NHI7")
    assert nhi7.reason == "1 failing finding of IAG003; 1 suppressed finding"
    (expired,) = nhi7.failing
    assert (expired.policy_id, expired.suppression.expires, expired.suppression.expired) == ("IAG003", "2026-01-31", True)


def test_every_format_shows_suppressions_with_reason_and_expiry() -> None:
    report = report_of(SUPPORT_BOT)
    for render in (controls_markdown.render, controls_html.render, controls_csv.render, controls_json.render):
        text = render(report)
        assert "vendor key without expiry; replaced by workload identity next year" in text, render
        assert "2030-06-30" in text and "2026-01-31" in text, render
    markdown = controls_markdown.render(report)
    assert (
        "- `infra/main.tf:25` IAG002 (high) `aws_ssm_parameter.anthropic` (owner: support-bot): aws_ssm_parameter.anthropic never expires "
        "(SSM parameters do not expire); it must expire within 90 days (suppression: vendor key without expiry; replaced "
        "by workload identity next year (until 2030-06-30, comment, owner platform-security))"
    ) in markdown
    assert "(suppression: rotated by hand during the pilot (expired 2026-01-31, comment))" in markdown


def test_markdown_names_statuses_sources_and_limits() -> None:
    markdown = controls_markdown.render(report_of(ML_PLATFORM))
    assert "| NHI7 | Long-Lived Secrets | Failing | 11 of 16 credentials passing | IAG002, IAG003, IAG007 | 9 | 0 |" in markdown
    assert "| NHI3 | Vulnerable Third-Party NHI | Not assessed | no credential judged | none | 0 | 0 |" in markdown
    assert "([source](https://owasp.org/www-project-non-human-identities-top-10/2025/7-long-lived-secrets/))" in markdown
    assert markdown.count("- What static analysis cannot show: ") == sum(len(f.controls) for f in FRAMEWORKS.values())
    assert "**5 failing, 1 passing, 4 not assessed.**" in markdown


def test_json_document() -> None:
    document = json.loads(controls_json.render(report_of(SUPPORT_BOT)))
    assert set(document) == {"tool", "scan", "statuses", "frameworks", "executive", "inventory"}  # no assessed: build_report was given none
    assert document["scan"]["judged_credentials"] == 5 and document["scan"]["scope"] == "ai"
    (nhi,) = [f for f in document["frameworks"] if f["id"] == "owasp-nhi-2025"]
    assert nhi["summary"] == {"failing": 1, "passing": 5, "not-assessed": 4}
    assert nhi["source"]["url"] == "https://owasp.org/www-project-non-human-identities-top-10/2025/top-10-2025/"
    (nhi7,) = [c for c in nhi["controls"] if c["id"] == "NHI7"]
    assert nhi7["failing"][0]["suppression"]["expired"] is True
    assert nhi7["suppressed"] == [{
        "policy_id": "IAG002", "severity": "high", "resource": "aws_ssm_parameter.anthropic", "file": "infra/main.tf",
        "line": 25, "message": nhi7["suppressed"][0]["message"], "owner": "support-bot",
        "remediation": nhi7["suppressed"][0]["remediation"],
        "suppression": {"reason": "vendor key without expiry; replaced by workload identity next year",
                        "expires": "2030-06-30", "expired": False, "source": "comment", "owner": "platform-security"},
    }]
    assert [p["id"] for p in nhi7["policies"]] == ["IAG002", "IAG003", "IAG007"]


def test_csv_has_a_row_per_control_and_finding() -> None:
    report = report_of(ML_PLATFORM)
    rows = list(csv.DictReader(io.StringIO(controls_csv.render(report))))
    expected = sum(max(1, len(c.failing) + len(c.suppressed)) for f in report.frameworks for c in f.controls)
    assert len(rows) == expected
    nhi3 = [r for r in rows if (r["framework"], r["control"]) == ("owasp-nhi-2025", "NHI3")]
    assert [(r["status"], r["finding"], r["policies"]) for r in nhi3] == [("Not assessed", "", "")]
    first = next(r for r in rows if (r["framework"], r["control"]) == ("owasp-nhi-2025", "NHI1"))
    assert (first["status"], first["policy"], first["resource"], first["file"], first["line"]) == (
        "Failing", "IAG001", "aws_secretsmanager_secret.anthropic", "infra/chat-service/secrets.tf", "18"
    )


def test_reports_are_deterministic() -> None:
    first, second = report_of(ML_PLATFORM), report_of(ML_PLATFORM)
    for render in (controls_markdown.render, controls_html.render, controls_csv.render, controls_json.render):
        assert render(first) == render(second)


# --- the command line ------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_list_frameworks() -> None:
    result = invoke("report", "--list-frameworks")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == [
        "cis-v8", "nist-ai-rmf-1.0", "nist-csf-2.0", "owasp-agentic-2026", "owasp-nhi-2025"
    ]
    assert "owasp-nhi-2025      OWASP Top 10 Non-Human Identities Risks – 2025 (10 controls)" in result.output


@pytest.mark.parametrize("output_format", ["html", "markdown", "json", "csv"])
def test_report_is_written_and_exits_0_even_with_failing_controls(tmp_path: Path, output_format: str) -> None:
    target = tmp_path / f"report.{output_format}"
    result = invoke("report", str(ML_PLATFORM), "--framework", "owasp-nhi-2025", "--format", output_format, "-o", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "NHI7" in text and "ASI03" not in text
    assert "owasp-nhi-2025: 5 failing, 1 passing, 4 not assessed" in result.output  # the summary on stderr


def test_frameworks_keep_the_order_asked_for() -> None:
    result = invoke("report", str(ML_PLATFORM), "--framework", "owasp-nhi-2025", "--framework", "cis-v8", "-f", "json")
    assert [f["id"] for f in json.loads(result.output)["frameworks"]] == ["owasp-nhi-2025", "cis-v8"]


def test_unknown_framework_is_a_usage_error() -> None:
    result = invoke("report", str(ML_PLATFORM), "--framework", "iso-27001")
    assert result.exit_code == 2
    assert "unknown framework iso-27001 (known: cis-v8, nist-ai-rmf-1.0, nist-csf-2.0, owasp-agentic-2026, owasp-nhi-2025)" in result.output


def test_unreadable_file_is_reported_and_exits_2(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": 'resource "aws_secretsmanager_secret" "openai" {\n', "ok.tf": ""})
    result = invoke("report", str(tmp_path), "-f", "markdown")
    assert result.exit_code == 2
    assert "**1 file(s) could not be read; the statuses below do not cover them:**" in result.output


def test_custom_pack_with_its_own_catalog() -> None:
    pack = FIXTURES / "policy-packs" / "acme"
    result = invoke("report", str(ML_PLATFORM), "--policy-dir", str(pack), "--framework", "acme-ai-standard", "-f", "json")
    assert result.exit_code == 0, result.output
    (framework,) = json.loads(result.output)["frameworks"]
    assert {c["id"]: (c["status"], len(c["failing"])) for c in framework["controls"]} == {
        "AI-7": ("failing", 8), "AI-8": ("not-assessed", 0)
    }
