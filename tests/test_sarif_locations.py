"""SARIF that code scanning can place: paths from the repository's top whatever folder was scanned,
a help page per rule, the tool's home, and a category per analysis when several run on one commit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from gate_support import fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import FIXTURES, write_project

from iac_guard import HOMEPAGE
from iac_guard.policy.docs import REFERENCE_URL

ACME = FIXTURES / "policy-packs" / "acme"
REPO_DOCS = Path(__file__).parent.parent / "docs" / "policies.md"
UNOWNED = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
'''


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A checkout whose Terraform lives two folders down, as monorepos keep it."""
    write_project(tmp_path / "infra" / "prod", {"main.tf": UNOWNED})
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return tmp_path


def sarif(*args: object, expected_exit: int = 1) -> dict[str, Any]:
    result = invoke("scan", *(str(a) for a in args), "-f", "sarif", "--no-cache")
    assert result.exit_code == expected_exit, result.output
    return json.loads(result.stdout)


def places(document: dict[str, Any]) -> tuple[str, set[str]]:
    (run,) = document["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    return run["originalUriBaseIds"]["%SRCROOT%"]["uri"], uris


def test_a_subfolder_scan_from_the_top_writes_paths_from_the_top(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repository)
    assert places(sarif("infra/prod")) == (repository.resolve().as_uri() + "/", {"infra/prod/main.tf"})


def test_the_top_is_found_from_inside_the_subfolder_too(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repository / "infra" / "prod")
    assert places(sarif("."))[1] == {"infra/prod/main.tf"}


def test_a_git_file_marks_the_top_as_a_worktree_does(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repository / ".git" / "HEAD").unlink()
    (repository / ".git").rmdir()
    (repository / ".git").write_text("gitdir: /elsewhere/.git/worktrees/main\n")
    monkeypatch.chdir(repository / "infra")
    assert places(sarif("prod"))[1] == {"infra/prod/main.tf"}


def test_without_git_the_github_workspace_is_the_top(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path / "work" / "infra", {"main.tf": UNOWNED})
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "work"))
    monkeypatch.chdir(tmp_path)
    assert places(sarif(tmp_path / "work" / "infra")) == ((tmp_path / "work").resolve().as_uri() + "/", {"infra/main.tf"})


def test_without_git_or_workspace_the_current_folder_is_the_top(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path / "infra", {"main.tf": UNOWNED})
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert places(sarif("infra"))[1] == {"infra/main.tf"}


def test_a_workspace_or_current_folder_that_does_not_hold_the_scan_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path / "scanned", {"main.tf": UNOWNED})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "elsewhere"))
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert places(sarif(tmp_path / "scanned")) == ((tmp_path / "scanned").resolve().as_uri() + "/", {"main.tf"})


def test_sarif_root_overrides_the_top(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repository)
    assert places(sarif("infra/prod", "--sarif-root", "infra"))[1] == {"prod/main.tf"}


def test_a_sarif_root_that_does_not_hold_the_scan_is_a_usage_error(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    result = invoke("scan", str(repository / "infra"), "-f", "sarif", "--no-cache", "--sarif-root", str(outside))
    assert result.exit_code == 2
    assert "does not hold the scanned folder" in result.stderr


def test_every_built_in_rule_links_to_its_own_section_of_the_policy_reference(repository: Path) -> None:
    (run,) = sarif(repository)["runs"]
    driver = run["tool"]["driver"]
    assert driver["informationUri"] == HOMEPAGE
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^## (IAG\d{3}: .+)$", REPO_DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    }
    urls = [rule["helpUri"] for rule in driver["rules"]]
    assert len(set(urls)) == len(urls)
    assert {url.removeprefix(f"{REFERENCE_URL}#") for url in urls} <= anchors
    assert urls[0] == f"{REFERENCE_URL}#iag001-ai-credential-has-no-accountable-owner"


def test_a_rule_of_the_users_own_pack_links_to_its_first_reference_or_nowhere(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    pack = tmp_path_factory.mktemp("pack")
    policy = (ACME / "ACME1-cost-centre.yaml").read_text(encoding="utf-8")
    (pack / "ACME1-cost-centre.yaml").write_text(policy, encoding="utf-8")
    (pack / "ACME2-cost-centre.yaml").write_text(
        policy.replace("id: ACME1", "id: ACME2") + "references:\n  - https://wiki.example.com/cost-centres\n  - https://example.com/other\n",
        encoding="utf-8",
    )
    result = invoke("scan", str(repository), "-f", "sarif", "--no-cache", "--policy-dir", str(pack))
    assert result.exit_code == 1, result.output
    rules = {rule["id"]: rule for rule in json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ACME2"]["helpUri"] == "https://wiki.example.com/cost-centres"
    assert "helpUri" not in rules["ACME1"]
    assert rules["IAG001"]["helpUri"].startswith(REFERENCE_URL)


def test_a_category_names_the_analysis_and_none_leaves_it_out(repository: Path) -> None:
    (run,) = sarif(repository, "--sarif-category", "infra-prod")["runs"]
    assert run["automationDetails"] == {"id": "infra-prod/"}
    assert "automationDetails" not in sarif(repository)["runs"][0]
