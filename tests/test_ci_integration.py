"""What CI systems and pre-commit run: the hook definition, the GitHub Action, the formats they read
(GitHub annotations, the Markdown summary), and a scan of the files pre-commit passes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gate_support import GATE, fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import write_project

ROOT = Path(__file__).parent.parent
USER = '''resource "aws_iam_user" "bedrock_ci" {
  name = "bedrock-ci"
  tags = { owner = "ml-platform" }
}
'''
KEY = '''resource "aws_iam_access_key" "bedrock_ci" {
  user = aws_iam_user.bedrock_ci.name
}
'''


def test_the_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"]) == ("iac-guard", "iac-guard scan", "python", True)
    pattern = re.compile(hook["files"])
    for name in ("main.tf", "x.tf.json", "terraform.tfvars", "prod.auto.tfvars.json", "k8s/app.yaml", "chart.yml"):
        assert pattern.search(name), name
    for name in ("README.md", "main.tfstate", "values.json", "tf"):
        assert not pattern.search(name), name


def test_files_from_several_folders_as_pre_commit_passes_them(tmp_path: Path) -> None:
    write_project(tmp_path, {"infra/ci/users.tf": USER, "infra/ci/keys.tf": KEY, "k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: openai, namespace: chat}\n", "docs/notes.yaml": "title: not kubernetes\n"})
    result = invoke("scan", tmp_path / "infra" / "ci" / "keys.tf", tmp_path / "k8s" / "secret.yaml", tmp_path / "docs" / "notes.yaml", "-f", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    # The root is the common parent; keys.tf alone brought users.tf, so the key inherits the user's owner.
    assert [(f["policy_id"], f["resource"], f["file"]) for f in document["findings"]] == [
        ("IAG002", "aws_iam_access_key.bedrock_ci", "infra/ci/keys.tf"),
        ("IAG003", "aws_iam_access_key.bedrock_ci", "infra/ci/keys.tf"),
        ("IAG001", "Secret/chat/openai", "k8s/secret.yaml"),
        ("IAG002", "Secret/chat/openai", "k8s/secret.yaml"),
        ("IAG003", "Secret/chat/openai", "k8s/secret.yaml"),
    ]
    assert document["summary"]["files_scanned"] == 4


def test_the_action() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "fail-on", "soft-fail", "baseline", "diff-base", "extra-args", "upload-sarif", "category", "cache", "cache-key"}
    assert set(action["outputs"]) == {"exit-code", "sarif-file", "failing", "suppressed", "new"}
    steps = action["runs"]["steps"]
    for step in steps:  # every third-party action pinned by a full commit SHA
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    install = next(s for s in steps if s.get("name") == "Install iac-guard")
    assert '"${{ github.action_path }}"' in install["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"] == {"sarif_file": "${{ inputs.sarif-file }}", "category": "${{ inputs.category }}"}
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["if"] == "${{ inputs.cache == 'true' }}" and "runner.temp" in cache["with"]["path"]
    scan = next(s for s in steps if s.get("id") == "scan")["run"]
    assert "${{" not in scan  # inputs reach the script as environment variables only
    for option in ("--fail-on", "--soft-fail", "--baseline", "--diff-base", "--format", "--sarif-category", "--cache-dir"):
        assert option in scan
        assert option in invoke("scan", "--help").output
    assert steps[-1]["run"].rstrip().endswith('exit "${{ steps.scan.outputs.exit-code }}"')


def _run_action_scan(tmp_path: Path, workspace: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    """The action's scan and counts steps as the runner runs them: bash, inputs in the environment."""
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    scripts = [next(s for s in steps if s.get("id") == name)["run"] for name in ("scan", "counts")]
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    defaults = {"fail-on": "low", "soft-fail": "false", "baseline": "", "diff-base": "", "config": "", "extra-args": "",
                "sarif-file": str(tmp_path / "out.sarif"), "category": "iac-guard", "upload-sarif": "true", "cache": "false",
                "cache-key": "", "paths": "."}
    values = {**defaults, **inputs}
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path),
        "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
        "IAC_GUARD_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(workspace), "NO_COLOR": "1",
        **{f"IAC_GUARD_{name.upper().replace('-', '_')}": value for name, value in values.items()},
        "IAC_GUARD_SARIF": values["sarif-file"], "IAC_GUARD_PATHS": values["paths"],
    }
    done = [subprocess.run(["bash", "-e", "-c", script], cwd=workspace, env=env, capture_output=True, text=True, timeout=120) for script in scripts]
    written = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return done[0].returncode, written, done[0].stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_action_splits_quoted_inputs_and_reports_counts(tmp_path: Path) -> None:
    workspace = write_project(tmp_path / "ws", {"modules/my module/keys.tf": USER + KEY, "other/main.tf": USER})
    status, outputs, stdout = _run_action_scan(
        tmp_path, workspace, paths="'modules/my module' other", **{"extra-args": '--skip-policy "IAG003"'}
    )
    assert status == 0
    assert outputs == {"exit-code": "1", "failing": "1", "suppressed": "0", "new": "1"}  # IAG002 on the key alone
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"modules/my%20module/keys.tf"}
    assert sarif["runs"][0]["automationDetails"] == {"id": "iac-guard/"}
    assert "::error" not in stdout  # code scanning annotates: no second set of annotations


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_action_annotates_itself_without_code_scanning(tmp_path: Path) -> None:
    workspace = write_project(tmp_path / "ws", {"keys.tf": USER + KEY})
    status, outputs, stdout = _run_action_scan(tmp_path, workspace, **{"upload-sarif": "false"})
    assert outputs["exit-code"] == "1"
    assert stdout.count("::error file=keys.tf") == 2


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_an_unclosed_quote_in_an_input_stops_the_action_with_a_message(tmp_path: Path) -> None:
    workspace = write_project(tmp_path / "ws", {"keys.tf": USER + KEY})
    status, outputs, _ = _run_action_scan(tmp_path, workspace, paths="'modules/my module")
    assert status == 2 and "exit-code" not in outputs


def test_github_annotations() -> None:
    result = invoke("scan", GATE, "-f", "github", "--fail-on", "high")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::error file=infra/secrets.tf,line=9,endLine=12,title=IAG002 AI credential never expires or lives too long "
        "(aws_secretsmanager_secret.anthropic)::aws_secretsmanager_secret.anthropic never expires (Secrets Manager "
        "secrets do not expire); it must expire within 90 days"
    )
    assert lines[2] == (
        "::warning file=infra/secrets.tf,line=14,endLine=14,title=IAG900 Suppression is not valid "
        "(aws_secretsmanager_secret.gemini)::aws_secretsmanager_secret.gemini: the suppression of IAG001 is not valid: "
        'it gives no reason; write reason="why this is accepted"'
    )
    # 11 failing findings, the 6 suppressions in force (their findings are not annotated), the summary
    assert len(lines) == 18
    assert lines[11] == (
        "::notice file=infra/secrets.tf,line=3,title=iac-guard%3A suppression in force (IAG002)::"
        "aws_secretsmanager_secret.openai: rotated in the vendor console until the Q1 migration"
    )
    assert [line.split("::")[1].split(",title")[0] for line in lines[11:17]] == [
        "notice file=infra/secrets.tf,line=3", "notice file=infra/secrets.tf,line=3", "notice file=infra/secrets.tf,line=21",
        "notice file=k8s/secrets.yaml,line=9", "notice file=k8s/secrets.yaml,line=9", "notice file=k8s/secrets.yaml,line=12",
    ]
    assert lines[-1] == "iac-guard: 11 failing finding(s), 6 suppressed, 0 file(s) not scanned; exit code 1"


def test_github_annotation_paths_follow_the_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(GATE.parent))
    lines = invoke("scan", GATE, "-f", "github").stdout.splitlines()
    assert lines[0].startswith("::error file=gate/infra/secrets.tf,line=9,")


def test_github_escapes_properties_and_data(tmp_path: Path) -> None:
    write_project(tmp_path, {"a,b.tf": 'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai"\n}\n'})
    line = invoke("scan", tmp_path, "-f", "github").stdout.splitlines()[0]
    assert line.startswith("::error file=a%2Cb.tf,line=1,")


def test_github_reports_unreadable_files(tmp_path: Path) -> None:
    write_project(tmp_path, {"broken.tf": 'resource "x" "y" {\n  name = \n'})
    result = invoke("scan", tmp_path, "-f", "github")
    assert result.exit_code == 2
    assert result.stdout.startswith("::error file=broken.tf,line=2,col=")


def test_markdown_summary() -> None:
    result = invoke("scan", GATE, "-f", "markdown", "--fail-on", "high")
    assert result.exit_code == 1
    text = result.stdout
    assert text.startswith("### :x: iac-guard: 8 failing finding(s)\n\n7 AI credential(s) of 7 found, 0 workload(s), 2 file(s) scanned; fails on high and above.\n")
    assert "| severity | failing |\n|---|---|\n| high | 8 |\n| medium | 3 |\n" in text
    rows = [line for line in text.splitlines() if line.startswith("| fails |") or line.startswith("| below threshold |")]
    assert [row.split(" | ")[0] for row in rows] == ["| fails"] * 4 + ["| below threshold"] * 2 + ["| fails"] * 4 + ["| below threshold"]
    assert [line for line in text.splitlines() if line.startswith("<details>")] == [
        "<details><summary><code>infra/secrets.tf</code> (6)</summary>",
        "<details><summary><code>k8s/secrets.yaml</code> (5)</summary>",
        "<details><summary>6 suppressed finding(s)</summary>",
    ]
    assert "<details><summary>6 suppressed finding(s)</summary>" in text
    assert "| `infra/secrets.tf:21` | IAG006 | `var.hf_token` | revoked demo token, kept for the workshop (no expiry, comment) |" in text


def test_markdown_verdicts(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": 'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai"\n}\n'})
    assert invoke("scan", tmp_path, "-f", "markdown", "--soft-fail").stdout.startswith(
        "### :warning: iac-guard: 3 finding(s) that do not fail the gate\n"
    )
    assert invoke("scan", tmp_path, "-f", "markdown", "--skip-policy", "IAG001", "--skip-policy", "IAG002", "--skip-policy", "IAG003").stdout.startswith(
        "### :white_check_mark: iac-guard: no failing findings\n"
    )


def _readme_blocks(language: str) -> list[str]:
    """Code blocks of the README and the CI page it links to, where the examples live."""
    text = "\n".join((ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/ci.md"))
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_readme_snippets_match_the_code() -> None:
    scan_help = invoke("scan", "--help").output
    commands = [line for block in _readme_blocks("(?:sh|yaml|groovy)") for line in block.splitlines() if "iac-guard scan" in line]
    assert len(commands) >= 5
    for command in commands:
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", command.split("iac-guard scan", 1)[1]):
            assert option in scan_help, (option, command)
    action_inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    workflows = [yaml.safe_load(block) for block in _readme_blocks("yaml") if "runs-on" in block]
    assert len(workflows) == 2  # the README's short example and the CI page's full one
    for workflow in workflows:
        (step,) = [s for s in workflow["jobs"]["iac-guard"]["steps"] if "iac-guard" in s.get("uses", "")]
        assert set(step["with"]) <= action_inputs
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (config,) = [yaml.safe_load(block) for block in _readme_blocks("yaml") if "repos:" in block]
    assert config["repos"][0]["hooks"][0]["id"] == hook["id"]
