"""The Markdown PR comment within GitHub's limits (issue 17): never over 65,536 characters, cut at
a line with a note of what was left out, and each file:line a link where the CI system says which
commit was scanned."""

from __future__ import annotations

import re
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


def test_a_large_scan_s_comment_stays_under_githubs_limit_leaving_out_whole_files(tmp_path: Path) -> None:
    write_project(tmp_path / "src", {f"m{n:03}.tf": UNOWNED.format(n=n, pad="p" * 400) for n in range(150)})
    (tmp_path / "baseline.json").write_text('{"format": "iac-guard-baseline", "version": 1, "findings": []}', encoding="utf-8")
    result = invoke("scan", str(tmp_path / "src"), "-f", "markdown", "--no-cache", "--baseline", str(tmp_path / "baseline.json"))
    assert result.exit_code == 1
    text = result.stdout
    assert len(text) <= MAX_CHARACTERS
    blocks = re.findall(r"^<details><summary><code>(m\d+\.tf)</code> \((\d)\)</summary>$", text, flags=re.MULTILINE)
    assert 0 < len(blocks) < 150 and blocks == [(f"m{n:03}.tf", "3") for n in range(len(blocks))]
    assert text.count("<details>") == text.count("</details>") == len(blocks)
    left = 150 - len(blocks)
    assert f"\n… {left} more file(s) with {3 * left} failing finding(s) left out to stay within GitHub's 65,536-character limit (see the JSON or SARIF output).\n" in text
    assert text.endswith("\nBaseline `baseline.json`: 450 new, 0 unchanged, 0 fixed.\n")  # what follows the findings is never cut
    assert "… cut here" not in text


def test_failing_findings_fold_per_file_with_the_files_failing_the_gate_first(tmp_path: Path) -> None:
    owned = 'resource "aws_secretsmanager_secret" "owned" {\n  name = "openai-owned"\n  tags = { owner = "ml" }\n}\n'
    write_project(tmp_path, {
        "a/unowned.tf": UNOWNED.format(n=1, pad="x"), "b/owned.tf": owned, "c/ok.tf": 'variable "region" {}\n',
        "d/<chat> & co.tf": UNOWNED.format(n=2, pad="y"),
    })
    text = invoke("scan", str(tmp_path), "-f", "markdown", "--no-cache", "--fail-on", "high", "--skip-policy", "IAG003", "--skip-policy", "IAG001").stdout
    assert [line for line in text.splitlines() if line.startswith(("<details>", "| fails", "| below"))] == [
        "<details><summary><code>a/unowned.tf</code> (1)</summary>",
        "| fails | high | `a/unowned.tf:1` | IAG002 | `aws_secretsmanager_secret.openai_1` | aws_secretsmanager_secret.openai_1 never expires (Secrets Manager secrets do not expire); it must expire within 90 days |",
        "<details><summary><code>b/owned.tf</code> (1)</summary>",
        "| fails | high | `b/owned.tf:1` | IAG002 | `aws_secretsmanager_secret.owned` | aws_secretsmanager_secret.owned never expires (Secrets Manager secrets do not expire); it must expire within 90 days |",
        "<details><summary><code>d/&lt;chat&gt; &amp; co.tf</code> (1)</summary>",
        "| fails | high | `d/<chat> & co.tf:1` | IAG002 | `aws_secretsmanager_secret.openai_2` | aws_secretsmanager_secret.openai_2 never expires (Secrets Manager secrets do not expire); it must expire within 90 days |",
    ]
    assert "c/ok.tf" not in text
    key = "sk-proj-" + "Qz7Wx3Rt" * 6
    write_project(tmp_path, {"z/lambda.tf": f'resource "aws_lambda_function" "chat" {{\n  environment {{\n    variables = {{ OPENAI_API_KEY = "{key}" }}\n  }}\n}}\n'})
    gated = invoke("scan", str(tmp_path), "-f", "markdown", "--no-cache", "--fail-on", "high", "--skip-policy", "IAG002", "--skip-policy", "IAG003").stdout
    summaries = [line for line in gated.splitlines() if line.startswith("<details>")]
    assert summaries == [  # the files with a finding that fails the gate first, then by path
        "<details><summary><code>z/lambda.tf</code> (1)</summary>",
        "<details><summary><code>a/unowned.tf</code> (1)</summary>",
        "<details><summary><code>d/&lt;chat&gt; &amp; co.tf</code> (1)</summary>",
    ]


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
