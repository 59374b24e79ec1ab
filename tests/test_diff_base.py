"""--diff-base REF: only files changed since REF are judged; the whole tree still loads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gate_support import fixed_today, git, invoke, keys, needs_git, scan_json  # noqa: F401 - fixed_today is autouse
from scanning import write_project

USER = '''resource "aws_iam_user" "bedrock_ci" {
  name = "bedrock-ci"
  tags = { owner = "ml-platform" }
}
resource "aws_iam_user_policy" "bedrock_ci" {
  user   = aws_iam_user.bedrock_ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["bedrock:InvokeModel"], Resource = "arn:aws:bedrock:us-east-1::foundation-model/x" }] })
}
'''
KEY = '''resource "aws_iam_access_key" "bedrock_ci" {
  user = aws_iam_user.bedrock_ci.name
}
'''
SECRET = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
'''


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    needs_git()
    write_project(tmp_path, {"ci/users.tf": USER, "chat/secrets.tf": SECRET, "k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: openai, namespace: chat}\n"})
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "--quiet", "-m", "base")
    git(tmp_path, "checkout", "--quiet", "-b", "feature")
    return tmp_path


def test_only_changed_files_are_judged_and_references_still_resolve(repo: Path) -> None:
    write_project(repo, {"ci/keys.tf": KEY})  # untracked, refers to the user in an unchanged file
    git(repo, "add", "ci/keys.tf")
    git(repo, "commit", "--quiet", "-m", "a key")
    everything = scan_json(str(repo))
    assert {f["file"] for f in everything["findings"]} == {"chat/secrets.tf", "ci/keys.tf", "k8s/secret.yaml"}
    changed = scan_json(str(repo), "--diff-base", "main")
    # The key inherits its owner from the user in users.tf: no IAG001, which proves users.tf loaded.
    assert keys(changed) == [
        ("IAG002", "aws_iam_access_key.bedrock_ci", "ci/keys.tf", 1, False),
        ("IAG003", "aws_iam_access_key.bedrock_ci", "ci/keys.tf", 1, False),
    ]


def test_uncommitted_and_untracked_changes_count(repo: Path) -> None:
    write_project(repo, {"chat/secrets.tf": SECRET + "\n", "new/secret.tf": SECRET.replace('"openai"', '"cohere"')})
    changed = scan_json(str(repo), "--diff-base", "main")
    assert sorted({f["file"] for f in changed["findings"]}) == ["chat/secrets.tf", "new/secret.tf"]


def test_nothing_changed_judges_nothing(repo: Path) -> None:
    result = invoke("scan", repo, "--diff-base", "main")
    assert result.exit_code == 0, result.output
    assert "No failing findings" in result.output


def test_diff_base_from_a_subfolder_scan(repo: Path) -> None:
    write_project(repo, {"chat/secrets.tf": SECRET + "\n"})
    document = scan_json(str(repo / "chat"), "--diff-base", "main")
    assert [f["file"] for f in document["findings"]] == ["secrets.tf"] * 3


def test_an_unknown_ref_is_an_error(repo: Path) -> None:
    result = invoke("scan", repo, "--diff-base", "no-such-branch")
    assert result.exit_code == 2
    assert "iac-guard: --diff-base: git merge-base failed:" in result.output
    assert "fetch-depth: 0" in result.output


def test_an_option_like_ref_is_refused(repo: Path) -> None:
    result = invoke("scan", repo, "--diff-base", "--output=x")
    assert result.exit_code == 2
    assert "is not a git revision" in result.output


def test_outside_a_git_work_tree_is_an_error(tmp_path: Path) -> None:
    needs_git()
    write_project(tmp_path, {"main.tf": SECRET})
    result = invoke("scan", tmp_path, "--diff-base", "main")
    assert result.exit_code == 2
    assert "--diff-base: git rev-parse failed" in result.output


def test_without_git_it_is_an_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.devnull)
    result = invoke("scan", repo, "--diff-base", "main")
    assert result.exit_code == 2
    assert "iac-guard: --diff-base needs git, and git is not on PATH" in result.output


def test_the_scan_itself_starts_no_process(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan started a process")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert invoke("scan", repo, "-f", "json").exit_code == 1
