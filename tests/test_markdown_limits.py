"""The Markdown PR comment within GitHub's limits (issue 17): never over 65,536 characters, cut at
a line with a note of what was left out, and each file:line a link where the CI system says which
commit was scanned."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_support import fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import write_project

from iac_guard.cli.report_context import browse_url
from iac_guard.report.markdown import MAX_CHARACTERS, within_limit

UNOWNED = 'resource "aws_secretsmanager_secret" "openai_{n}" {{\n  name = "openai-{n}-{pad}"\n}}\n'


def test_a_text_within_the_limit_is_kept_whole() -> None:
    text = "### verdict\n\n| a |\n|---|\n| b |\n"
    assert within_limit(text) == text


def test_a_longer_text_is_cut_at_a_line_with_the_count_left_out_and_details_closed() -> None:
    text = "### verdict\n\n<details><summary>many</summary>\n\n" + "".join(f"| row {n} | {'x' * 80} |\n" for n in range(2000))
    cut = within_limit(text, limit=10_000)
    assert len(cut) <= 10_000
    kept_rows = cut.count("| row ")
    assert cut.endswith(f"{2000 - kept_rows + 1} more line(s) left out (see the JSON or SARIF output).\n")
    assert "</details>" in cut and cut.index("</details>") > cut.rindex("| row ")
    assert all(line.startswith(("###", "<details>", "| row", "</details>", "… cut")) or not line for line in cut.splitlines())


def test_a_large_scan_s_comment_stays_under_githubs_limit(tmp_path: Path) -> None:
    write_project(tmp_path, {f"m{n}.tf": UNOWNED.format(n=n, pad="p" * 400) for n in range(150)})
    result = invoke("scan", str(tmp_path), "-f", "markdown", "--no-cache")
    assert result.exit_code == 1
    assert len(result.stdout) <= MAX_CHARACTERS


@pytest.mark.parametrize(("environ", "url"), [
    ({"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/ml", "GITHUB_SHA": "0a1b2c"}, "https://github.com/acme/ml/blob/0a1b2c/"),
    ({"CI_PROJECT_URL": "https://gitlab.example.com/acme/ml", "CI_COMMIT_SHA": "0a1b2c"}, "https://gitlab.example.com/acme/ml/-/blob/0a1b2c/"),
    ({"GITHUB_REPOSITORY": "acme/ml"}, None),
    ({}, None),
])
def test_the_browse_url_comes_from_the_ci_systems_own_variables(environ: dict[str, str], url: str | None) -> None:
    assert browse_url(environ) == url


def test_findings_link_to_their_line_at_the_scanned_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path / "infra" / "prod", {"main.tf": UNOWNED.format(n=1, pad="x")})
    (tmp_path / ".git").mkdir()
    for name, value in (("GITHUB_SERVER_URL", "https://github.com"), ("GITHUB_REPOSITORY", "acme/ml"), ("GITHUB_SHA", "0a1b2c")):
        monkeypatch.setenv(name, value)
    text = invoke("scan", str(tmp_path / "infra" / "prod"), "-f", "markdown", "--no-cache").stdout
    assert "[`main.tf:1`](https://github.com/acme/ml/blob/0a1b2c/infra/prod/main.tf#L1)" in text
    monkeypatch.delenv("GITHUB_SHA")
    assert "[`main.tf:1`]" not in invoke("scan", str(tmp_path / "infra" / "prod"), "-f", "markdown", "--no-cache").stdout
