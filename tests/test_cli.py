"""The command line through click's test runner: formats, options, config and every exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import FIXTURES, write_project

from iac_guard.cli import main

ML_PLATFORM = FIXTURES / "projects" / "ml-platform"
EXAMPLES = Path(__file__).parent.parent / "examples"

UNOWNED_OPENAI_SECRET = """
resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
"""
OWNED_ROTATED_OPENAI_SECRET = """
resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
  tags = { owner = "ml-platform" }
}
resource "aws_secretsmanager_secret_rotation" "openai" {
  secret_id = aws_secretsmanager_secret.openai.id
  rotation_rules { automatically_after_days = 30 }
}
"""


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_clean_project_exits_0(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OWNED_ROTATED_OPENAI_SECRET})
    result = invoke("scan", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "No failing findings" in result.output


def test_failing_findings_exit_1_and_each_starts_with_path_and_line(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED_OPENAI_SECRET})
    result = invoke("scan", str(tmp_path))
    assert result.exit_code == 1
    finding_lines = [line for line in result.output.splitlines() if line.startswith("main.tf:")]
    assert [line.split() for line in finding_lines] == [
        ["main.tf:2:", "MEDIUM", "IAG001", "aws_secretsmanager_secret.openai"],
        ["main.tf:2:", "HIGH", "IAG002", "aws_secretsmanager_secret.openai"],
        ["main.tf:2:", "HIGH", "IAG003", "aws_secretsmanager_secret.openai"],
    ]
    assert result.output.splitlines()[0] == finding_lines[0]
    assert "3 failing finding(s)" in result.output


def test_json_output_follows_the_contract() -> None:
    result = invoke("scan", str(ML_PLATFORM), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert set(document) == {"tool", "summary", "findings", "errors"}
    assert document["tool"]["name"] == "iac-guard"
    assert document["summary"]["failing"] == len(document["findings"]) == 19
    first = document["findings"][0]
    for key in ("policy_id", "category", "severity", "title", "message", "resource", "file", "line", "controls", "suppressed"):
        assert key in first
    assert first["file"] == "infra/bedrock-agent/agent.tf"
    assert first["controls"]["owasp-nhi-2025"]
    assert first["suppressed"] is False


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = invoke("scan", str(ML_PLATFORM), "-f", "json", "-o", str(target))
    assert result.exit_code == 1
    assert json.loads(target.read_text())["summary"]["failing"] == 19
    assert result.stdout == ""


def test_parse_error_exits_2_and_other_files_are_still_scanned(tmp_path: Path) -> None:
    write_project(tmp_path, {"broken.tf": 'resource "aws_iam_user" "x" {\n  name = \n', "ok.tf": UNOWNED_OPENAI_SECRET})
    result = invoke("scan", str(tmp_path))
    assert result.exit_code == 2
    assert "error: broken.tf:" in result.output
    assert "aws_secretsmanager_secret.openai" in result.output
    assert "Traceback" not in result.output


def test_stdin_reads_kubernetes_yaml() -> None:
    manifest = (EXAMPLES / "insecure" / "kubernetes" / "chat.yaml").read_text()
    result = invoke("scan", "-", "-f", "json", input=manifest)
    assert result.exit_code == 1
    files = {f["file"] for f in json.loads(result.output)["findings"]}
    assert files == {"<stdin>"}


def test_scope_all_and_skip_policy(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": 'resource "aws_secretsmanager_secret" "db" {\n  name = "postgres"\n}\n'})
    assert invoke("scan", str(tmp_path)).exit_code == 0
    everything = json.loads(invoke("scan", str(tmp_path), "--scope", "all", "-f", "json").output)
    assert [f["policy_id"] for f in everything["findings"]] == ["IAG001", "IAG002", "IAG003"]
    skipped = json.loads(
        invoke("scan", str(tmp_path), "--scope", "all", "--skip-policy", "IAG001", "--skip-policy", "IAG002", "-f", "json").output
    )
    assert [f["policy_id"] for f in skipped["findings"]] == ["IAG003"]


def test_limits_from_the_command_line(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OWNED_ROTATED_OPENAI_SECRET})
    rotation = json.loads(invoke("scan", str(tmp_path), "--max-rotation-days", "7", "-f", "json").output)
    assert [(f["policy_id"], f["line"]) for f in rotation["findings"]] == [("IAG003", 8)]
    both = json.loads(invoke("scan", str(tmp_path), "--max-rotation-days", "7", "--max-lifetime-days", "7", "-f", "json").output)
    assert [(f["policy_id"], f["line"]) for f in both["findings"]] == [("IAG002", 2), ("IAG003", 8)]


def test_config_file_in_the_scanned_folder_is_used(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED_OPENAI_SECRET, ".iac-guard.yaml": "skip_policies: [IAG001, IAG002, IAG003]\n"})
    assert invoke("scan", str(tmp_path)).exit_code == 0


def test_config_with_unknown_key_exits_2_naming_it(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": UNOWNED_OPENAI_SECRET, ".iac-guard.yaml": "max_rotation_day: 30\n"})
    result = invoke("scan", str(tmp_path))
    assert result.exit_code == 2
    assert "max_rotation_day" in result.output
    assert "known keys" in result.output


def test_config_with_wrong_type_exits_2_naming_the_key(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": "", "cfg.yaml": "max_lifetime_days: ninety\n"})
    result = invoke("scan", str(tmp_path), "--config", str(tmp_path / "cfg.yaml"))
    assert result.exit_code == 2
    assert "max_lifetime_days" in result.output


def test_malformed_policy_pack_exits_2_naming_the_file(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    write_project(pack, {"broken.yaml": "id: X1\ntitle: t\n"})
    result = invoke("scan", str(EXAMPLES / "compliant"), "--policy-dir", str(pack))
    assert result.exit_code == 2
    assert "broken.yaml" in result.output


def test_missing_path_is_a_usage_error() -> None:
    result = invoke("scan", "does/not/exist")
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize("args", [(), ("scan",)])
def test_help_is_available(args: tuple[str, ...]) -> None:
    result = invoke(*args, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_version() -> None:
    assert invoke("--version").output.startswith("iac-guard, version ")


def test_config_is_found_in_a_parent_folder_up_to_the_repository_top(tmp_path: Path) -> None:
    write_project(tmp_path, {
        ".git/HEAD": "ref: refs/heads/main\n",
        ".iac-guard.yaml": "skip_policies: [IAG001, IAG002, IAG003]\n",
        "infra/chat/main.tf": UNOWNED_OPENAI_SECRET,
    })
    assert invoke("scan", str(tmp_path / "infra" / "chat")).exit_code == 0  # pre-commit passes a subfolder
    (tmp_path / "infra" / ".git").mkdir()  # a nested repository stops the search
    assert invoke("scan", str(tmp_path / "infra" / "chat")).exit_code == 1
