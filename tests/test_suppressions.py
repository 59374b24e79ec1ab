"""Inline suppressions: every form, where they may be written, expiry, and invalid ones (IAG900)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gate_support import GATE, fixed_today, invoke, keys, scan_json  # noqa: F401 - fixed_today is autouse
from scanning import scan_path, settings, write_project

from iac_guard.filter.suppress import apply_suppressions
from iac_guard.model import Finding, Location, ScanError, Suppression
from iac_guard.pipeline.run import load_pack, run_scan
from iac_guard.policy.loader import Policy
from iac_guard.result import Filters
from iac_guard.support.files import recording_inputs

UNOWNED = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
'''
IAG900_NO_REASON = 'the suppression of {ids} is not valid: it gives no reason; write reason="why this is accepted"'


def summary(path: Path, **overrides: object) -> list[tuple[str, str, int, bool, str | None]]:
    """(policy, file, line, suppressed, suppression source) of every finding."""
    result = scan_path(path, **overrides)
    assert result.errors == []
    return [
        (f.policy_id, f.file, f.line, f.suppressed, f.suppression.source if f.suppression else None)
        for f in result.findings
    ]


def test_the_gate_fixture_exactly() -> None:
    result = scan_path(GATE)
    assert [(f.policy_id, f.resource, f.file, f.line, f.suppressed) for f in result.findings] == [
        ("IAG002", "aws_secretsmanager_secret.openai", "infra/secrets.tf", 4, True),
        ("IAG003", "aws_secretsmanager_secret.openai", "infra/secrets.tf", 4, True),
        ("IAG002", "aws_secretsmanager_secret.anthropic", "infra/secrets.tf", 9, False),
        ("IAG003", "aws_secretsmanager_secret.anthropic", "infra/secrets.tf", 9, False),
        ("IAG900", "aws_secretsmanager_secret.gemini", "infra/secrets.tf", 14, False),
        ("IAG001", "aws_secretsmanager_secret.gemini", "infra/secrets.tf", 15, False),
        ("IAG002", "aws_secretsmanager_secret.gemini", "infra/secrets.tf", 15, False),
        ("IAG003", "aws_secretsmanager_secret.gemini", "infra/secrets.tf", 15, False),
        ("IAG006", "var.hf_token", "infra/secrets.tf", 21, True),
        ("IAG002", "Secret/chat/openai", "k8s/secrets.yaml", 1, True),
        ("IAG003", "Secret/chat/openai", "k8s/secrets.yaml", 1, True),
        ("IAG001", "Secret/chat/cohere", "k8s/secrets.yaml", 13, True),
        ("IAG002", "Secret/chat/cohere", "k8s/secrets.yaml", 13, False),
        ("IAG003", "Secret/chat/cohere", "k8s/secrets.yaml", 13, False),
        ("IAG002", "Secret/chat/mistral", "k8s/secrets.yaml", 22, False),
        ("IAG003", "Secret/chat/mistral", "k8s/secrets.yaml", 22, False),
        ("IAG900", "Secret/chat/mistral", "k8s/secrets.yaml", 30, False),
    ]
    by_key = {(f.policy_id, f.resource): f for f in result.findings}
    assert by_key["IAG002", "aws_secretsmanager_secret.openai"].suppression == Suppression(
        "rotated in the vendor console until the Q1 migration", "2027-03-31", "comment", "ml-platform", False,
        Location("infra/secrets.tf", 3, 3),
    )
    assert by_key["IAG006", "var.hf_token"].suppression == Suppression(
        "revoked demo token, kept for the workshop", None, "comment", None, False, Location("infra/secrets.tf", 21, 21)
    )
    assert by_key["IAG002", "Secret/chat/openai"].suppression == Suppression(
        "rotated in the vendor console", "2027-03-31", "annotation", "ml-platform", False, Location("k8s/secrets.yaml", 9, 9)
    )
    assert by_key["IAG001", "Secret/chat/cohere"].suppression == Suppression(
        "owner label comes with the team rename", "2027-01-15", "comment", None, False, Location("k8s/secrets.yaml", 12, 12)
    )


def test_an_expired_suppression_no_longer_suppresses_and_says_so() -> None:
    (finding,) = [f for f in scan_path(GATE).findings if (f.policy_id, f.resource) == ("IAG003", "aws_secretsmanager_secret.anthropic")]
    assert not finding.suppressed
    assert finding.suppression == Suppression(
        "replaced by workload identity", "2026-10-31", "comment", None, True, Location("infra/secrets.tf", 9, 9)
    )
    assert finding.message == (
        "aws_secretsmanager_secret.anthropic: no rotation mechanism; rotate it at least every 90 days; "
        "its suppression expired on 2026-10-31"
    )


def test_a_suppression_is_valid_through_its_expiry_day(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": '# iac-guard:ignore IAG001,IAG002,IAG003 reason="r" expires=2026-11-28\n' + UNOWNED})
    assert summary(tmp_path) == [(p, "main.tf", 2, True, "comment") for p in ("IAG001", "IAG002", "IAG003")]


def test_a_suppression_without_reason_is_a_finding_and_suppresses_nothing() -> None:
    result = scan_path(GATE)
    (gemini,) = [f for f in result.findings if f.policy_id == "IAG900" and f.file.endswith(".tf")]
    assert gemini.message == "aws_secretsmanager_secret.gemini: " + IAG900_NO_REASON.format(ids="IAG001")
    assert (gemini.category, gemini.severity, gemini.title) == ("invalid-suppression", "medium", "Suppression is not valid")
    assert gemini.controls["nist-csf-2.0"] == ("ID.RA-07", "GV.RR-02")
    (mistral,) = [f for f in result.findings if f.policy_id == "IAG900" and f.file.endswith(".yaml")]
    assert mistral.message == "Secret/chat/mistral: " + IAG900_NO_REASON.format(ids="IAG002")
    targets = [(f.policy_id, f.resource, f.suppression) for f in result.findings if f.resource.endswith(("gemini", "mistral"))]
    assert ("IAG001", "aws_secretsmanager_secret.gemini", None) in targets
    assert ("IAG002", "Secret/chat/mistral", None) in targets


TERRAFORM_FORMS = {
    "comment above the resource": '# iac-guard:ignore IAG001 reason="r"\n' + UNOWNED,
    "run of comments above": '# iac-guard:ignore IAG002 reason="a"\n// iac-guard:ignore IAG001 reason="b"\n' + UNOWNED,
    "on the resource line": UNOWNED.replace("{\n", '{ # iac-guard:ignore IAG001 reason="r"\n', 1),
    "double-slash comment": "// iac-guard:ignore IAG001 reason='single quoted'\n" + UNOWNED,
    "block comment": '/* iac-guard:ignore IAG001 reason="r" */\n' + UNOWNED,
    "lower-case id and owner": '# iac-guard:ignore iag001 reason="r" owner=platform-security\n' + UNOWNED,
}


@pytest.mark.parametrize("source", TERRAFORM_FORMS.values(), ids=TERRAFORM_FORMS.keys())
def test_terraform_comment_forms(tmp_path: Path, source: str) -> None:
    write_project(tmp_path, {"main.tf": source})
    result = scan_path(tmp_path)
    assert [(f.policy_id, f.suppressed) for f in result.findings if f.policy_id != "IAG002"] == [
        ("IAG001", True),
        ("IAG003", False),
    ]


def test_a_suppression_on_an_attribute_line_covers_the_finding_that_points_there(tmp_path: Path) -> None:
    key = "sk-proj-" + "Qz7Wx3Rt" * 6
    write_project(tmp_path, {"main.tf": f'''variable "openai_api_key" {{
  # iac-guard:ignore IAG006 reason="revoked; kept as a parser test"
  default = "{key}"
}}
variable "anthropic_api_key" {{
  default = "sk-ant-api03-{"Lp4Mn8Bv" * 6}"
}}
'''})
    assert summary(tmp_path) == [("IAG006", "main.tf", 3, True, "comment"), ("IAG006", "main.tf", 6, False, None)]


def test_a_suppression_speaks_only_for_its_resource(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED + "\n# iac-guard:ignore IAG001 reason=\"r\"\n" + UNOWNED.replace('"openai"', '"second"', 1)})
    result = scan_path(tmp_path)
    assert [(f.resource, f.suppressed) for f in result.findings if f.policy_id == "IAG001"] == [
        ("aws_secretsmanager_secret.openai", False),
        ("aws_secretsmanager_secret.second", True),
    ]


def test_a_marker_inside_a_string_is_not_a_suppression(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED.replace('  name = "openai-api-key"', '  name = "openai # iac-guard:ignore IAG001 reason=x"')})
    assert [f for f in summary(tmp_path) if f[3]] == []


def test_kubernetes_forms(tmp_path: Path) -> None:
    write_project(tmp_path, {"chat.yaml": '''apiVersion: v1
kind: Secret
metadata:
  name: openai
  namespace: chat
  annotations:
    iac-guard.io/ignore: |
      IAG001: team is being created; owner=platform-security
      IAG002, IAG003: rotated by the vendor; expires=2027-01-31
type: Opaque
---
apiVersion: v1
kind: Secret
metadata:
  name: anthropic
  namespace: chat
type: Opaque   # iac-guard:ignore IAG002 reason="finding line is the object line, so this does not apply"
---
apiVersion: v1
kind: Secret
# iac-guard:ignore IAG001 reason="the comment above the finding's line"
metadata:
  name: cohere
  namespace: chat
  labels: {owner: ml-platform}
'''})
    result = scan_path(tmp_path)
    assert [(f.policy_id, f.resource, f.line, f.suppressed) for f in result.findings] == [
        ("IAG001", "Secret/chat/openai", 1, True),
        ("IAG002", "Secret/chat/openai", 1, True),
        ("IAG003", "Secret/chat/openai", 1, True),
        ("IAG001", "Secret/chat/anthropic", 12, False),
        ("IAG002", "Secret/chat/anthropic", 12, False),
        ("IAG003", "Secret/chat/anthropic", 12, False),
        ("IAG902", "Secret/chat/anthropic", 17, False),  # on a line no finding of the object is at
        ("IAG002", "Secret/chat/cohere", 19, False),
        ("IAG003", "Secret/chat/cohere", 19, False),
        ("IAG902", "Secret/chat/cohere", 21, False),  # the object has an owner: IAG001 passes
    ]
    messages = [f.message for f in result.findings if f.policy_id == "IAG902"]
    assert messages == [
        "Secret/chat/anthropic: the suppression of IAG002 on line 17 suppresses nothing: its IAG002 finding is on "
        "chat.yaml:12, which this comment does not cover; move the comment to that line or the line above it",
        "Secret/chat/cohere: the suppression of IAG001 on line 21 suppresses nothing: IAG001 passes on it; remove "
        "IAG001 from the suppression, or the whole suppression",
    ]
    openai = {f.policy_id: f.suppression for f in result.findings if f.resource == "Secret/chat/openai"}
    assert openai["IAG001"] == Suppression("team is being created", None, "annotation", "platform-security", False, Location("chat.yaml", 7, 7))
    assert openai["IAG003"] == Suppression("rotated by the vendor", "2027-01-31", "annotation", None, False, Location("chat.yaml", 7, 7))


def test_a_yaml_comment_above_the_object(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.yaml": '''---
# iac-guard:ignore IAG001,IAG002,IAG003 reason="sandbox key, deleted with the namespace" expires=2027-01-01
apiVersion: v1
kind: Secret
metadata: {name: openai, namespace: sandbox}
'''})
    assert summary(tmp_path) == [(p, "a.yaml", 3, True, "comment") for p in ("IAG001", "IAG002", "IAG003")]


INVALID = {
    "no reason": ("# iac-guard:ignore IAG001", IAG900_NO_REASON.format(ids="IAG001")),
    "empty reason": ('# iac-guard:ignore IAG001 reason=""', IAG900_NO_REASON.format(ids="IAG001")),
    "no policy": (
        '# iac-guard:ignore reason="r"',
        "the suppression of no policy is not valid: it names no policy (iac-guard:ignore IAG003 …)",
    ),
    "unknown policy": (
        '# iac-guard:ignore IAG01 reason="typo"',
        "the suppression of IAG01 is not valid: no loaded policy has the id IAG01",
    ),
    "bad date": (
        '# iac-guard:ignore IAG001 reason="r" expires=31.03.2027',
        "the suppression of IAG001 is not valid: expires= is not a date (YYYY-MM-DD)",
    ),
    "unknown key": (
        '# iac-guard:ignore IAG001 reason="r" until=2027-01-01',
        "the suppression of IAG001 is not valid: unknown key until= (keys: reason, expires, owner)",
    ),
    "unquoted reason": (
        "# iac-guard:ignore IAG001 reason=two words",
        'the suppression of IAG001 is not valid: unexpected text; write key=value pairs: reason="…" expires=YYYY-MM-DD owner=TEAM',
    ),
    "placeholder owner": (
        '# iac-guard:ignore IAG001 reason="r" owner=TBD',
        "the suppression of IAG001 is not valid: owner= is empty or a placeholder",
    ),
    "suppressing IAG900": (
        '# iac-guard:ignore IAG001,IAG900 reason="r"',
        "the suppression of IAG001,IAG900 is not valid: IAG900 cannot be suppressed",
    ),
}


@pytest.mark.parametrize(("marker", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_suppressions_are_reported_where_written(tmp_path: Path, marker: str, message: str) -> None:
    write_project(tmp_path, {"main.tf": marker + "\n" + UNOWNED})
    result = scan_path(tmp_path)
    assert [(f.policy_id, f.line, f.suppressed) for f in result.findings] == [
        ("IAG900", 1, False),
        ("IAG001", 2, False),
        ("IAG002", 2, False),
        ("IAG003", 2, False),
    ]
    assert result.findings[0].message == f"aws_secretsmanager_secret.openai: {message}"


def test_an_invalid_annotation_line_is_reported() -> None:
    result = scan_path(GATE)
    assert sum(1 for f in result.findings if f.policy_id == "IAG900") == 2


def test_skipping_iag900_hides_the_report_but_still_does_not_suppress(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": "# iac-guard:ignore IAG001\n" + UNOWNED})
    assert summary(tmp_path, skip_policies=("IAG900",)) == [
        ("IAG001", "main.tf", 2, False, None),
        ("IAG002", "main.tf", 2, False, None),
        ("IAG003", "main.tf", 2, False, None),
    ]


def test_a_pasted_key_in_a_reason_is_shown_as_its_fingerprint(tmp_path: Path) -> None:
    key = "sk-proj-" + "Qz7Wx3Rt" * 6
    write_project(tmp_path, {"main.tf": f'# iac-guard:ignore IAG001 reason="old key {key} revoked"\n' + UNOWNED})
    (finding,) = [f for f in scan_path(tmp_path).findings if f.policy_id == "IAG001"]
    assert finding.suppression is not None
    assert key not in finding.suppression.reason
    assert finding.suppression.reason.startswith("old key sk-proj-…")
    assert finding.suppression.reason.endswith(" revoked")


def test_no_ignore_shows_everything_as_failing() -> None:
    with_ignores = scan_json(str(GATE))
    everything = scan_json(str(GATE), "--no-ignore")
    assert with_ignores["summary"]["suppressed"] == 6
    assert everything["summary"]["suppressed"] == 0
    assert [k[:4] for k in keys(everything)] == [k[:4] for k in keys(with_ignores) if k[0] != "IAG900"]
    assert all(f["suppression"] is None for f in everything["findings"])


def test_json_shows_suppressed_findings_with_their_reason() -> None:
    document = scan_json(str(GATE))
    (openai,) = [f for f in document["findings"] if (f["policy_id"], f["resource"]) == ("IAG002", "Secret/chat/openai")]
    assert openai["suppressed"] is True
    assert openai["suppression"] == {
        "reason": "rotated in the vendor console", "expires": "2027-03-31", "expired": False,
        "source": "annotation", "owner": "ml-platform",
    }
    (expired,) = [f for f in document["findings"] if (f["policy_id"], f["resource"]) == ("IAG003", "aws_secretsmanager_secret.anthropic")]
    assert expired["suppressed"] is False
    assert expired["suppression"]["expired"] is True


def test_text_output_marks_suppressed_findings() -> None:
    result = invoke("scan", GATE)
    assert result.exit_code == 1
    assert "IAG006  var.hf_token  (suppressed: revoked demo token, kept for the workshop)" in result.output
    assert "11 failing finding(s)" in result.output
    assert ", 6 suppressed." in result.output


def test_suppressions_on_standard_input() -> None:
    manifest = '# iac-guard:ignore IAG001 reason="r"\napiVersion: v1\nkind: Secret\nmetadata: {name: openai, namespace: chat}\n'
    result = invoke("scan", "-", "-f", "json", input=manifest)
    document = json.loads(result.stdout)
    assert [(f["policy_id"], f["suppressed"]) for f in document["findings"]] == [
        ("IAG001", True), ("IAG002", False), ("IAG003", False)
    ]


def test_a_policy_that_judges_suppressions_has_no_condition(tmp_path: Path) -> None:
    import yaml

    from iac_guard.policy.loader import PolicyError, load_policies

    base = {"id": "ACME9", "title": "t", "category": "c", "severity": "low", "description": "d", "remediation": "r",
            "controls": {"owasp-nhi-2025": ["NHI1"]}}
    (tmp_path / "ok.yaml").write_text(yaml.safe_dump({**base, "judges": "suppressions"}))
    (policy,) = load_policies([tmp_path])
    assert (policy.judges, policy.fails_when) == ("suppressions", None)
    (tmp_path / "ok.yaml").write_text(yaml.safe_dump({**base, "judges": "suppressions", "fails_when": {"field": "ai", "is": True}}))
    with pytest.raises(PolicyError, match="a policy that judges suppressions has no fails_when, message"):
        load_policies([tmp_path])
    (tmp_path / "ok.yaml").write_text(yaml.safe_dump(base))
    with pytest.raises(PolicyError, match=r"missing required key\(s\) fails_when, message \(required\)"):
        load_policies([tmp_path])


SUPPRESSED_OWNER = '# iac-guard:ignore IAG001 reason="owned by the vendor contract"\n' + UNOWNED


def _unfiltered(project: Path) -> tuple[list[Finding], list[Policy]]:
    """The findings of ``project`` before the suppression stage, and the pack that judged them."""
    pack = load_pack(settings())
    return run_scan([str(project)], settings(), pack, filters=Filters(inline_suppressions=False)).findings, pack


def test_a_source_over_max_file_bytes_suppresses_nothing_and_says_why(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"main.tf": SUPPRESSED_OWNER})
    findings, pack = _unfiltered(project)
    errors: list[ScanError] = []
    judged = apply_suppressions(findings, project, [], pack, settings(max_file_bytes=64), errors=errors)
    assert [f.policy_id for f in judged if f.suppressed] == []
    size = len(SUPPRESSED_OWNER.encode())
    assert errors == [ScanError(
        "main.tf",
        f"file is larger than max_file_bytes ({size:,} > 64 bytes): not read; raise max_file_bytes in .iac-guard.yaml to scan it",
    )]
    within = apply_suppressions(findings, project, [], pack, settings(), errors=errors)
    assert [f.policy_id for f in within if f.suppressed] == ["IAG001"] and len(errors) == 1


def test_the_sources_a_suppression_is_read_from_are_in_the_input_log(tmp_path: Path) -> None:
    """The result cache reuses an answer only while every input in the log reads the same."""
    project = write_project(tmp_path, {"main.tf": SUPPRESSED_OWNER})
    findings, pack = _unfiltered(project)
    with recording_inputs() as log:
        apply_suppressions(findings, project, [], pack, settings())
    assert [key[2] for key in log.inputs] == ["main.tf"]


def test_a_changed_suppression_is_not_answered_from_the_result_cache(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", {"main.tf": SUPPRESSED_OWNER})
    cache = tmp_path / "cache"

    def suppressed() -> list[str]:
        return [f.policy_id for f in scan_path(project, cache_dir=cache).findings if f.suppressed]

    assert suppressed() == suppressed() == ["IAG001"]
    write_project(project, {"main.tf": SUPPRESSED_OWNER.replace("IAG001", "IAG002")})
    assert suppressed() == ["IAG002"]
