"""SARIF 2.1.0: valid against the official schema, with the fields GitHub code scanning reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gate_support import GATE, assert_valid_sarif, fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import FIXTURES, write_project

from iac_guard.report.sarif import FINGERPRINT_KEY

EXAMPLES = Path(__file__).parent.parent / "examples"
UNOWNED = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
'''


def sarif(*args: str, expected_exit: int = 1, input: str | None = None) -> dict[str, Any]:
    result = invoke("scan", *args, "-f", "sarif", input=input)
    assert result.exit_code == expected_exit, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "target",
    [GATE, FIXTURES / "projects" / "ml-platform", EXAMPLES / "insecure", EXAMPLES / "compliant", FIXTURES / "kubernetes"],
    ids=lambda p: p.name,
)
def test_sarif_of_the_fixtures_is_valid(target: Path) -> None:
    document = sarif(str(target), expected_exit=0 if target.name == "compliant" else 1)
    assert_valid_sarif(document)


def test_sarif_with_parse_errors_and_a_baseline_is_valid(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED, "broken.tf": 'resource "x" "y" {\n  name = \n'})
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"format": "iac-guard-baseline", "version": 1, "findings": []}')
    document = sarif(str(tmp_path), "--baseline", str(baseline), expected_exit=2)
    assert_valid_sarif(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "broken.tf", "uriBaseId": "%SRCROOT%"}
    assert {r["baselineState"] for r in document["runs"][0]["results"]} == {"new"}


def test_one_run_with_a_rule_for_every_policy_that_can_fire() -> None:
    document = sarif(str(GATE), "--skip-policy", "IAG005")
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["IAG001", "IAG002", "IAG003", "IAG004", "IAG006", "IAG007", "IAG008", "IAG009", "IAG900", "IAG901", "IAG902"]
    iag003 = rules[2]
    assert iag003["name"] == "MissingRotation"
    assert iag003["shortDescription"] == {"text": "AI credential has no rotation schedule"}
    assert iag003["fullDescription"]["text"].startswith("What it does\n")
    assert iag003["help"]["markdown"].startswith("## How to fix")
    assert iag003["helpUri"].startswith("https://")
    assert iag003["defaultConfiguration"] == {"level": "error"}
    assert iag003["properties"]["security-severity"] == "8.0"
    assert iag003["properties"]["tags"][:2] == ["security", "missing-rotation"]
    assert "owasp-nhi-2025:NHI7" in iag003["properties"]["tags"]
    assert [r["properties"]["security-severity"] for r in rules] == ["5.5", "8.0", "8.0", "8.0", "8.0", "8.0", "8.0", "8.0", "5.5", "8.0", "2.0"]
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["helpUri"].startswith("https://")


def test_results_carry_rule_level_location_and_fingerprints() -> None:
    (run,) = sarif(str(GATE), "--sarif-root", str(GATE))["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == GATE.resolve().as_uri() + "/"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results][:5] == [
        ("IAG002", "error"), ("IAG003", "error"), ("IAG002", "error"), ("IAG003", "error"), ("IAG900", "warning")
    ]
    (hardcoded,) = [r for r in results if r["ruleId"] == "IAG006"]
    assert hardcoded["level"] == "error"
    assert hardcoded["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/secrets.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 21, "endLine": 21},
    }
    assert hardcoded["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "var.hf_token", "kind": "resource"}]
    assert hardcoded["message"]["text"].startswith("var.hf_token: default holds a literal huggingface-token value hf_…h6Uj")
    assert hardcoded["properties"]["valueFingerprint"].startswith("hf_…h6Uj (43 chars, sha256:")
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    fingerprints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    assert all("\\" not in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)


def test_suppressed_findings_are_sarif_suppressions_and_expired_ones_are_not() -> None:
    results = sarif(str(GATE))["runs"][0]["results"]
    by_key = {(r["ruleId"], r["properties"]["resource"]): r for r in results}
    assert by_key["IAG002", "aws_secretsmanager_secret.openai"]["suppressions"] == [{
        "kind": "inSource",
        "status": "accepted",
        "justification": "rotated in the vendor console until the Q1 migration",
        "properties": {"source": "comment", "expires": "2027-03-31", "owner": "ml-platform"},
    }]
    expired = by_key["IAG003", "aws_secretsmanager_secret.anthropic"]
    assert "suppressions" not in expired
    assert expired["properties"]["expiredSuppression"] == {"reason": "replaced by workload identity", "expired": "2026-10-31"}
    assert sum(1 for r in results if "suppressions" in r) == 6


def test_fingerprints_stay_stable_when_lines_move(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED})
    before = sarif(str(tmp_path))["runs"][0]["results"]
    write_project(tmp_path, {"main.tf": "\n\n# a comment that moves everything down\n\n" + UNOWNED})
    after = sarif(str(tmp_path))["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before] == [1, 1, 1]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [5, 5, 5]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


def test_baseline_states(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED})
    baseline = tmp_path / ".iac-guard-baseline.json"
    assert invoke("baseline", "create", tmp_path, "-o", baseline).exit_code == 0
    write_project(tmp_path, {"more.tf": UNOWNED.replace('"openai"', '"cohere"')})
    run = sarif(str(tmp_path), "--baseline", str(baseline))["runs"][0]
    assert [(r["properties"]["resource"], r["baselineState"], "suppressions" in r) for r in run["results"]] == [
        ("aws_secretsmanager_secret.openai", "unchanged", True),
        ("aws_secretsmanager_secret.openai", "unchanged", True),
        ("aws_secretsmanager_secret.openai", "unchanged", True),
        ("aws_secretsmanager_secret.cohere", "new", False),
        ("aws_secretsmanager_secret.cohere", "new", False),
        ("aws_secretsmanager_secret.cohere", "new", False),
    ]
    assert run["results"][0]["suppressions"][0]["kind"] == "external"
    assert run["properties"] == {"baseline": ".iac-guard-baseline.json", "baselineFixed": []}


def test_stdin_results_have_a_valid_uri() -> None:
    manifest = (EXAMPLES / "insecure" / "kubernetes" / "chat.yaml").read_text()
    document = sarif("-", input=manifest)
    assert_valid_sarif(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"%3Cstdin%3E"}
