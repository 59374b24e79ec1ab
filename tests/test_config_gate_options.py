"""The config holds what the command line can: fail_on, soft_fail, baseline and the output format.

The command line wins over the config, and every gate option the repository's config sets is a
weakening that every report states (and, under --diff-base, IAG901 when a change introduces it).
Severity and format names are case-insensitive, as CI users type them; ``.iac-guard.yml`` is found
like ``.iac-guard.yaml``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from untrusted_support import FAILING_TF, write_tree

from iac_guard.cli import main
from iac_guard.config.settings import load_settings

WITH_GIT = {".git/HEAD": "ref: refs/heads/main\n"}
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def repo(root: Path, config: str | None, name: str = ".iac-guard.yaml") -> Path:
    files = {"prod/main.tf": FAILING_TF, **WITH_GIT}
    if config is not None:
        files[name] = config
    return write_tree(root, files)


def report(result: Result) -> dict[str, Any]:
    return json.loads(result.stdout)


def weakened(document: dict[str, Any]) -> list[tuple[str, str | None, str, str, int]]:
    config = document["summary"]["config"]
    return [(w["key"], w["entry"], w["default"], w["value"], w["line"]) for w in config["weakenings"]]


def test_fail_on_from_the_config_sets_the_threshold_and_is_stated(tmp_path: Path) -> None:
    root = repo(tmp_path, "scope: ai\nfail_on: HIGH\n")
    result = invoke("scan", root, "-f", "json", "--no-cache")
    document = report(result)
    assert result.exit_code == 1  # the high findings, the hardcoded key among them, still fail
    assert (document["summary"]["fail_on"], document["summary"]["gating"], document["summary"]["failing"]) == ("high", 3, 4)
    assert weakened(document) == [("fail_on", None, "low", "high", 2)]


def test_the_command_line_threshold_wins_and_the_weakening_is_no_longer_in_force(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail_on: critical\n")
    document = report(invoke("scan", root, "-f", "json", "--no-cache", "--fail-on", "High"))
    assert (document["summary"]["fail_on"], document["summary"]["gating"]) == ("high", 3)
    assert weakened(document) == []


def test_soft_fail_from_the_config_passes_the_gate_and_says_so(tmp_path: Path) -> None:
    root = repo(tmp_path, "soft_fail: true\n")
    result = invoke("scan", root, "-f", "json", "--no-cache")
    assert result.exit_code == 0
    assert weakened(report(result)) == [("soft_fail", None, "failing findings fail the gate", "findings never fail the gate", 1)]
    overridden = invoke("scan", root, "-f", "json", "--no-cache", "--no-soft-fail")
    assert overridden.exit_code == 1
    assert weakened(report(overridden)) == []


def test_soft_fail_false_is_no_weakening(tmp_path: Path) -> None:
    root = repo(tmp_path, "soft_fail: false\nfail_on: low\n")
    result = invoke("scan", root, "-f", "json", "--no-cache")
    assert result.exit_code == 1
    assert weakened(report(result)) == []


def test_a_baseline_named_by_the_config_excuses_its_findings(tmp_path: Path) -> None:
    root = repo(tmp_path, None)
    (root / "ci").mkdir()
    created = invoke("baseline", "create", root, "-o", root / "ci" / "baseline.json", "--no-cache")
    assert created.exit_code == 0, created.output
    (root / ".iac-guard.yaml").write_text("baseline: ci/baseline.json\n", encoding="utf-8")
    result = invoke("scan", root, "-f", "json", "--no-cache")
    document = report(result)
    assert result.exit_code == 0, result.output
    assert (document["summary"]["failing"], document["baseline"]["unchanged"]) == (0, 4)
    assert weakened(document) == [("baseline", "ci/baseline.json", "every finding judged", "findings it records pass", 1)]


def test_the_command_line_baseline_replaces_the_configs(tmp_path: Path) -> None:
    root = repo(tmp_path, None)
    (root / "ci").mkdir()
    invoke("baseline", "create", root, "-o", root / "ci" / "baseline.json", "--no-cache")
    empty = {**json.loads((root / "ci" / "baseline.json").read_text(encoding="utf-8")), "findings": []}
    (root / "empty.json").write_text(json.dumps(empty), encoding="utf-8")
    (root / ".iac-guard.yaml").write_text("baseline: ci/baseline.json\n", encoding="utf-8")
    result = invoke("scan", root, "-f", "json", "--no-cache", "--baseline", root / "empty.json")
    assert result.exit_code == 1  # nothing recorded in the command line's baseline: all four fail
    assert weakened(report(result)) == []


def test_a_repository_config_may_not_name_a_baseline_outside_the_repository(tmp_path: Path) -> None:
    root = repo(tmp_path / "repo", "baseline: ../outside.json\n")
    result = invoke("scan", root, "--no-cache")
    assert result.exit_code == 2
    assert "baseline: the path is outside the repository" in result.output
    assert "outside.json" not in result.output


def test_the_config_format_is_used_when_the_command_line_names_none(tmp_path: Path) -> None:
    root = repo(tmp_path, "format: SARIF\n")
    sarif = invoke("scan", root, "--no-cache")
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    text = invoke("scan", root, "--no-cache", "-f", "TEXT")
    assert "failing finding(s)" in text.stdout and not text.stdout.lstrip().startswith("{")


def test_severity_and_format_names_are_case_insensitive(tmp_path: Path) -> None:
    root = repo(tmp_path, None)
    result = invoke("scan", root, "--no-cache", "-f", "JSON", "--fail-on", "HIGH", "--scope", "ALL")
    document = report(result)
    assert (document["summary"]["fail_on"], document["summary"]["gating"]) == ("high", 3)
    assert invoke("inventory", root, "--no-cache", "-f", "Json").exit_code == 0
    assert invoke("scan", root, "--no-cache", "--fail-on", "severe").exit_code == 2


def test_iac_guard_yml_is_found_like_yaml(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail_on: high\n", name=".iac-guard.yml")
    document = report(invoke("scan", root / "prod", "-f", "json", "--no-cache"))
    assert document["summary"]["config"]["file"] == "../.iac-guard.yml"
    assert document["summary"]["fail_on"] == "high"


def test_both_config_names_in_one_folder_is_an_error_naming_them(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail_on: high\n", name=".iac-guard.yml")
    (root / ".iac-guard.yaml").write_text("fail_on: low\n", encoding="utf-8")
    result = invoke("scan", root, "--no-cache")
    assert result.exit_code == 2
    assert "both .iac-guard.yaml and .iac-guard.yml exist; keep one" in result.output


def test_gate_keys_are_validated_like_every_key(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail_on: severe\nsoft_fail: yes please\nformat: pdf\n")
    result = invoke("scan", root, "--no-cache")
    assert result.exit_code == 2
    assert [line.removeprefix("iac-guard: ").split(": ")[1] for line in result.output.strip().splitlines()] == ["fail_on", "format", "soft_fail"]


def test_loaded_settings_hold_the_gate_values(tmp_path: Path) -> None:
    root = repo(tmp_path, "fail_on: Medium\nsoft_fail: true\nbaseline: b.json\nformat: Markdown\n")
    settings = load_settings(root / ".iac-guard.yaml", scanned_root=root)
    assert (settings.fail_on, settings.soft_fail, settings.baseline, settings.format) == (
        "medium", True, (root / "b.json").resolve(), "markdown"
    )


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **GIT_IDENTITY})


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("config", ["soft_fail: true\n", "fail_on: critical\n", "baseline: b.json\n"])
def test_a_change_that_switches_the_gate_off_in_the_config_still_fails(tmp_path: Path, config: str) -> None:
    root = write_tree(tmp_path, {"prod/main.tf": FAILING_TF})
    _git(root, "init", "--quiet")
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "base")
    (root / "b.json").write_text(json.dumps({"format": "iac-guard-baseline", "version": 1, "generated_by": "x", "findings": []}))
    (root / ".iac-guard.yaml").write_text(config, encoding="utf-8")
    result = invoke("scan", root, "-f", "json", "--no-cache", "--diff-base", "HEAD")
    document = report(result)
    key = config.split(":")[0]
    assert result.exit_code == 1, result.output
    assert [(f["policy_id"], f["resource"].split()[0]) for f in document["findings"]] == [("IAG901", key)]
    assert document["summary"]["gating"] == 1
