"""JUnit XML: valid against junit-10.xsd; a test case per policy and judged credential."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gate_support import GATE, assert_valid_junit, fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import FIXTURES, write_project

EXAMPLES = Path(__file__).parent.parent / "examples"
PROJECT = {
    "main.tf": '''# iac-guard:ignore IAG002 reason="expiry is tracked in the vendor console"
resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
''',
}


def junit(*args: object, expected_exit: int = 1) -> str:
    result = invoke("scan", *args, "-f", "junit")
    assert result.exit_code == expected_exit, result.output
    return result.stdout


def cases(xml: str) -> list[tuple[str, str, str, str]]:
    """(suite, classname, name, outcome) of every test case."""
    rows = []
    for suite in ET.fromstring(xml).findall("testsuite"):
        for case in suite.findall("testcase"):
            outcome = next((child.tag for child in case if child.tag in ("failure", "skipped", "error")), "passed")
            if outcome == "passed" and case.find("system-out") is not None:
                outcome = "passed, below threshold"
            rows.append((suite.get("name", ""), case.get("classname", ""), case.get("name", ""), outcome))
    return rows


@pytest.mark.parametrize(
    "target", [GATE, FIXTURES / "projects" / "ml-platform", EXAMPLES / "insecure", EXAMPLES / "compliant"], ids=lambda p: p.name
)
def test_junit_of_the_fixtures_is_valid(target: Path) -> None:
    assert_valid_junit(junit(target, expected_exit=0 if target.name == "compliant" else 1))


def test_one_suite_per_policy_and_one_case_per_judged_credential(tmp_path: Path) -> None:
    write_project(tmp_path, PROJECT)
    xml = junit(tmp_path, "--fail-on", "high")
    assert_valid_junit(xml)
    name = "aws_secretsmanager_secret.openai (main.tf:2)"
    assert cases(xml) == [
        ("IAG001 AI credential has no accountable owner", "iac-guard.IAG001", name, "passed, below threshold"),
        ("IAG002 AI credential never expires or lives too long", "iac-guard.IAG002", name, "skipped"),
        ("IAG003 AI credential has no rotation schedule", "iac-guard.IAG003", name, "failure"),
        ("IAG004 AI credential has wildcard scope", "iac-guard.IAG004", name, "passed"),
        ("IAG005 AI credential is shared by several workloads", "iac-guard.IAG005", name, "passed"),
        ("IAG006 AI credential value is hardcoded", "iac-guard.IAG006", name, "passed"),
        ("IAG007 Static credential used where workload identity exists", "iac-guard.IAG007", name, "passed"),
        ("IAG008 Secret value is printed or exposed", "iac-guard.IAG008", name, "passed"),
        ("IAG009 AI credential is used across environments", "iac-guard.IAG009", name, "passed"),
    ]
    root = ET.fromstring(xml)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("9", "1", "0")
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert failure.get("message") == "aws_secretsmanager_secret.openai: no rotation mechanism; rotate it at least every 90 days"
    assert failure.text == "IAG003 HIGH at main.tf:2: " + failure.get("message", "")
    skipped = root.find(".//skipped")
    assert skipped is not None and skipped.get("message") == "suppressed: expiry is tracked in the vendor console"
    below = root.find(".//system-out")
    assert below is not None and below.text is not None and below.text.startswith("below the --fail-on threshold:\nIAG001 MEDIUM at main.tf:2:")


def test_every_failing_finding_is_a_failure_without_threshold(tmp_path: Path) -> None:
    write_project(tmp_path, PROJECT)
    outcomes = [row[3] for row in cases(junit(tmp_path))]
    assert outcomes == ["failure", "skipped", "failure", "passed", "passed", "passed", "passed", "passed", "passed"]


def test_invalid_suppressions_are_cases_of_their_own() -> None:
    xml = junit(GATE)
    assert_valid_junit(xml)
    assert [row for row in cases(xml) if row[1] == "iac-guard.IAG900"] == [
        ("IAG900 Suppression is not valid", "iac-guard.IAG900", "aws_secretsmanager_secret.gemini (infra/secrets.tf:14)", "failure"),
        ("IAG900 Suppression is not valid", "iac-guard.IAG900", "Secret/chat/mistral (k8s/secrets.yaml:30)", "failure"),
    ]


def test_unreadable_files_are_errors(tmp_path: Path) -> None:
    write_project(tmp_path, {**PROJECT, "broken.tf": 'resource "x" "y" {\n  name = \n'})
    xml = junit(tmp_path, expected_exit=2)
    assert_valid_junit(xml)
    (errors,) = [s for s in ET.fromstring(xml).findall("testsuite") if s.get("name") == "iac-guard errors"]
    assert (errors.get("tests"), errors.get("errors")) == ("1", "1")
    case = errors.find("testcase")
    assert case is not None and case.get("name") == "broken.tf"
    error = case.find("error")
    assert error is not None and (error.get("message") or "").startswith("broken.tf:2:")


def test_two_hardcoded_keys_in_one_credential_are_one_failure(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": f'''resource "aws_lambda_function" "chat" {{
  function_name = "chat"
  role          = "arn:aws:iam::123456789012:role/chat"
  environment {{
    variables = {{
      OPENAI_API_KEY    = "sk-proj-{"Qz7Wx3Rt" * 6}"
      ANTHROPIC_API_KEY = "sk-ant-api03-{"Lp4Mn8Bv" * 6}"
    }}
  }}
}}
'''})
    root = ET.fromstring(junit(tmp_path))
    failures = [
        f for s in root.findall("testsuite") if s.get("name", "").startswith("IAG006") for f in s.iter("failure")
    ]
    assert len(failures) == 1
    assert (failures[0].text or "").count("IAG006 HIGH at main.tf:") == 2
