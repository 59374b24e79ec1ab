"""GitLab Code Quality (``--format gitlab``): the issue array merge requests show, with paths from
the repository's top, GitLab's severities and fingerprints that survive moved lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gate_support import fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from untrusted_support import SECRET, write_tree

OWNED_IGNORED = '''# iac-guard:ignore IAG002,IAG003 reason="rotated by the vendor console until the Q1 migration" expires=2027-03-31
resource "aws_secretsmanager_secret" "anthropic" {
  name = "anthropic-api-key"
  tags = { owner = "assistants" }
}
'''
HARDCODED = f'''resource "aws_secretsmanager_secret" "openai" {{
  name = "openai-api-key"
  tags = {{ owner = "ml-platform" }}
}}

resource "aws_secretsmanager_secret_version" "openai" {{
  secret_id     = aws_secretsmanager_secret.openai.id
  secret_string = "{SECRET}"
}}
'''


def gitlab(root: Path, *args: str, expected_exit: int = 1) -> list[dict[str, Any]]:
    result = invoke("scan", str(root / "infra" / "prod"), "-f", "GitLab", "--no-cache", *args)
    assert result.exit_code == expected_exit, result.output
    issues = json.loads(result.stdout)
    assert isinstance(issues, list)
    return issues


def repository(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    return write_tree(tmp_path, {
        ".git/HEAD": "ref: refs/heads/main\n",
        "infra/prod/openai.tf": HARDCODED,
        "infra/prod/anthropic.tf": OWNED_IGNORED,
        **(extra or {}),
    })


def test_failing_findings_are_issues_and_suppressed_ones_are_not(tmp_path: Path) -> None:
    issues = gitlab(repository(tmp_path))
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]) for i in issues] == [
        ("IAG002", "critical", "infra/prod/openai.tf", {"begin": 1, "end": 4}),
        ("IAG003", "critical", "infra/prod/openai.tf", {"begin": 1, "end": 4}),
        ("IAG006", "critical", "infra/prod/openai.tf", {"begin": 8, "end": 8}),
    ]
    for issue in issues:
        assert issue["type"] == "issue" and issue["engine_name"] == "iac-guard" and issue["categories"] == ["Security"]
        assert issue["description"] and SECRET not in issue["description"] and SECRET[-8:] not in issue["description"]
        assert len(issue["fingerprint"]) == 32
    assert len({i["fingerprint"] for i in issues}) == 3


def test_fingerprints_do_not_move_with_lines_but_differ_by_folder(tmp_path: Path) -> None:
    before = {i["check_name"]: i["fingerprint"] for i in gitlab(repository(tmp_path / "a"))}
    moved = repository(tmp_path / "b")
    (moved / "infra/prod/openai.tf").write_text("\n\n# moved down\n" + HARDCODED, encoding="utf-8")
    (tmp_path / "b" / ".git").rename(tmp_path / "b" / "infra" / ".git")  # the top is now infra/
    after = gitlab(moved)
    assert {i["location"]["path"] for i in after} == {"prod/openai.tf"}
    assert {i["check_name"]: i["fingerprint"] for i in after} != before  # another path in the repository
    (tmp_path / "b" / "infra" / ".git").rename(tmp_path / "b" / ".git")
    assert {i["check_name"]: i["fingerprint"] for i in gitlab(moved)} == before


def test_a_file_that_could_not_be_read_is_a_blocker(tmp_path: Path) -> None:
    root = repository(tmp_path, {"infra/prod/broken.tf": 'resource "x" "y" {\n  name = \n'})
    issues = gitlab(root, expected_exit=2)
    (error,) = [i for i in issues if i["check_name"] == "iac-guard/file-not-scanned"]
    assert (error["severity"], error["location"]["path"]) == ("blocker", "infra/prod/broken.tf")
    assert error["location"]["lines"]["begin"] >= 1


def test_a_clean_scan_is_an_empty_array(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {".git/HEAD": "ref: refs/heads/main\n", "infra/prod/anthropic.tf": OWNED_IGNORED})
    assert gitlab(root, expected_exit=0) == []
