"""Every exit code of the gate: 0 clean, 1 failing findings at or above --fail-on, 2 errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gate_support import GATE, fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import write_project

# IAG001 (medium), IAG002 (high) and IAG003 (high) fail on it.
UNOWNED = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
'''
# Only IAG001 (medium) fails: rotated every 30 days, so it also expires within 90.
ROTATED_UNOWNED = UNOWNED + '''resource "aws_secretsmanager_secret_rotation" "openai" {
  secret_id = aws_secretsmanager_secret.openai.id
  rotation_rules { automatically_after_days = 30 }
}
'''
#: An organisation admin key: its hardcoded-secret finding is critical, a project key's is high.
HARDCODED_ADMIN = f'variable "openai_admin_key" {{\n  default = "sk-admin-{"Qz7Wx3Rt" * 6}"\n}}\n'
CLEAN = ROTATED_UNOWNED.replace('  name = "openai-api-key"\n', '  name = "openai-api-key"\n  tags = { owner = "ml-platform" }\n')
BROKEN = 'resource "aws_iam_user" "x" {\n  name = \n'


@pytest.mark.parametrize(
    ("files", "options", "exit_code"),
    [
        ({"main.tf": CLEAN}, (), 0),
        ({"main.tf": UNOWNED}, (), 1),
        ({"main.tf": ROTATED_UNOWNED}, ("--fail-on", "medium"), 1),
        ({"main.tf": ROTATED_UNOWNED}, ("--fail-on", "high"), 0),
        ({"main.tf": UNOWNED}, ("--fail-on", "high"), 1),
        ({"main.tf": UNOWNED}, ("--fail-on", "critical"), 0),
        ({"main.tf": HARDCODED_ADMIN}, ("--fail-on", "critical"), 1),
        ({"main.tf": UNOWNED}, ("--soft-fail",), 0),
        ({"main.tf": HARDCODED_ADMIN}, ("--soft-fail", "--fail-on", "critical"), 0),
        ({"main.tf": UNOWNED, "broken.tf": BROKEN}, (), 2),
        ({"main.tf": UNOWNED, "broken.tf": BROKEN}, ("--soft-fail",), 2),
        ({"main.tf": CLEAN, "broken.tf": BROKEN}, ("--fail-on", "critical"), 2),
        ({"main.tf": "# iac-guard:ignore IAG001,IAG002,IAG003 reason=\"accepted\"\n" + UNOWNED}, (), 0),
        ({"main.tf": "# iac-guard:ignore IAG001,IAG002,IAG003 reason=\"accepted\" expires=2026-01-01\n" + UNOWNED}, (), 1),
        ({"main.tf": "# iac-guard:ignore IAG001,IAG002,IAG003\n" + UNOWNED}, (), 1),
        ({"main.tf": "# iac-guard:ignore IAG001,IAG002,IAG003 reason=\"accepted\"\n" + UNOWNED}, ("--no-ignore",), 1),
        ({"main.tf": UNOWNED, ".iac-guard.yaml": "max_rotation_day: 30\n"}, (), 2),
    ],
    ids=[
        "clean", "findings", "medium-at-medium", "medium-below-high", "high-at-high", "high-below-critical",
        "critical-at-critical", "soft-fail", "soft-fail-critical", "parse-error", "soft-fail-does-not-hide-errors",
        "errors-beat-threshold", "all-suppressed", "expired-suppression", "suppression-without-reason", "no-ignore",
        "config-error",
    ],
)
def test_exit_code(tmp_path: Path, files: dict[str, str], options: tuple[str, ...], exit_code: int) -> None:
    write_project(tmp_path, files)
    result = invoke("scan", tmp_path, *options, "-f", "json")
    assert result.exit_code == exit_code, result.output
    if exit_code != 2 or "broken.tf" in files:
        assert json.loads(result.stdout)["summary"]["exit_code"] == exit_code


def test_findings_below_the_threshold_are_still_reported(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": ROTATED_UNOWNED})
    result = invoke("scan", tmp_path, "--fail-on", "high")
    assert result.exit_code == 0
    assert "IAG001  aws_secretsmanager_secret.openai" in result.output
    assert "1 failing finding(s); 1 AI credential(s) of 1 found, 0 workload(s), 1 file(s) scanned, 1 below --fail-on high." in result.output
    summary = json.loads(invoke("scan", tmp_path, "--fail-on", "high", "-f", "json").stdout)["summary"]
    assert (summary["failing"], summary["gating"], summary["fail_on"], summary["exit_code"]) == (1, 0, "high", 0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("-f", "yaml"), "'yaml' is not a format"),
        (("-f", "sarif="), "FORMAT=FILE needs a file name"),
        (("-f", "json", "-f", "sarif"), "only one format can go to standard output, got json, sarif"),
        (("-f", "sarif=x.sarif", "-o", "y.txt"), "--output names the file of the format given without =FILE"),
        (("--fail-on", "urgent"), "'urgent' is not one of"),
        (("--baseline", "missing.json"), "missing.json: cannot read the baseline"),
        (("does/not/exist",), "does not exist"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], message: str) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED})
    monkeypatch.chdir(tmp_path)
    result = invoke("scan", *options)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_several_formats_at_once(tmp_path: Path) -> None:
    write_project(tmp_path / "src", {"main.tf": UNOWNED})
    sarif, junit = tmp_path / "out" / "results.sarif", tmp_path / "out" / "results.xml"
    sarif.parent.mkdir()
    result = invoke("scan", tmp_path / "src", "--format", f"sarif={sarif}", "--format", f"junit={junit}", "--format", "text")
    assert result.exit_code == 1
    assert result.stdout.startswith("main.tf:1: ")  # text on standard output
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    assert f"iac-guard: wrote {sarif} (3 failing finding(s))" in result.stderr


def test_a_bare_format_goes_to_output(tmp_path: Path) -> None:
    write_project(tmp_path / "src", {"main.tf": UNOWNED})
    report = tmp_path / "report.md"
    result = invoke("scan", tmp_path / "src", "-f", "markdown", "-o", report, "-f", f"json={tmp_path / 'r.json'}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert report.read_text().startswith("### :x: iac-guard: 3 failing finding(s)")


def test_an_unwritable_output_exits_2(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED})
    result = invoke("scan", tmp_path, "-f", f"sarif={tmp_path / 'no' / 'such' / 'folder.sarif'}")
    assert result.exit_code == 2
    assert "cannot write" in result.output


def test_the_gate_fixture_fails_on_its_unsuppressed_findings() -> None:
    assert invoke("scan", GATE).exit_code == 1
    assert invoke("scan", GATE, "--fail-on", "critical").exit_code == 0
