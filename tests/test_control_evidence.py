"""The control report as audit evidence: what was assessed (revision, time, pack, configuration),
the executive summary, owners and remediation per finding, ``--compare`` with a previous report,
and the credential graph."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from gate_support import fixed_today, git, invoke, needs_git  # noqa: F401 - fixed_today is autouse
from scanning import FIXTURES, scan_path, write_project

from iac_guard.cli.revision import read_revision, without_credentials
from iac_guard.policy.frameworks import load_frameworks
from iac_guard.report.controls.graph import CredentialGraph, Edge, Node, graph_svg
from iac_guard.report.controls.model import ComplianceReport, build_report

ML_PLATFORM = FIXTURES / "projects" / "ml-platform"
SUPPORT_BOT = FIXTURES / "projects" / "support-bot"
FIXED_TIME = "1764547200"  # 2025-12-01T00:00:00Z
TOKEN = "ghp_notARealTokenButLooksLikeOne1234567890"


def report_of(path: Path, **overrides: object) -> ComplianceReport:
    return build_report(scan_path(path, **overrides), list(load_frameworks().values()), [path.name])


def report_json(*args: str | Path) -> dict[str, Any]:
    result = invoke("report", *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed copy of support-bot on branch main, whose origin URL carries a token."""
    needs_git()
    root = write_project(tmp_path / "infra-repo", {
        name: (SUPPORT_BOT / name).read_text(encoding="utf-8") for name in ("infra/main.tf", "infra/iam.tf") if (SUPPORT_BOT / name).exists()
    })
    git(root, "init", "-q")
    git(root, "remote", "add", "origin", f"https://ci-bot:{TOKEN}@github.com/acme/infra-repo.git")
    git(root, "add", ".")
    git(root, "commit", "-qm", "infra")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_TIME)
    for name in ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"):
        monkeypatch.delenv(name, raising=False)
    return root


# --- what was assessed -------------------------------------------------------------------------


def test_revision_of_a_committed_tree_without_the_token(repository: Path) -> None:
    commit = git(repository, "rev-parse", "HEAD").strip()
    document = report_json(repository)
    assert document["assessed"]["revision"] == {
        "repository": "https://github.com/acme/infra-repo.git", "commit": commit, "branch": "main", "uncommitted": False,
    }
    assert document["assessed"]["generated_at"] == "2025-12-01T00:00:00+00:00"
    assert document["assessed"]["tool"]["name"] == "iac-guard"
    for output_format in ("json", "markdown", "html", "csv", "oscal"):
        assert TOKEN not in invoke("report", repository, "-f", output_format).stdout, output_format
    html = invoke("report", repository, "-f", "html").stdout
    for row in (("repository", "https://github.com/acme/infra-repo.git"), ("commit", commit), ("branch", "main"),
                ("uncommitted changes", "no"), ("generated", "2025-12-01T00:00:00+00:00"), ("tool", "iac-guard 0.1.0")):
        assert f'<td data-label="what">{row[0]}</td><td data-label="value"><span class="mono">{row[1]}</span></td>' in html, row
    assert f"| commit | {commit} |" in invoke("report", repository, "-f", "markdown").stdout


def test_uncommitted_changes_and_a_detached_head(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repository / "infra" / "extra.tf").write_text("# not committed\n", encoding="utf-8")
    git(repository, "checkout", "-q", "--detach")
    revision = read_revision(repository, environ={})
    assert (revision.branch, revision.uncommitted) == (None, True)
    assert read_revision(repository, environ={"GITHUB_REF_NAME": "release-7"}).branch == "release-7"  # CI checks out detached
    markdown = invoke("report", repository, "-f", "markdown").stdout
    assert "| uncommitted changes | yes: the working tree differs from the commit |" in markdown
    assert "| branch | detached HEAD |" in markdown


def test_outside_a_repository_nothing_is_guessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "loose-folder", {"main.tf": (SUPPORT_BOT / "infra" / "main.tf").read_text(encoding="utf-8")})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_TIME)
    assert report_json(root)["assessed"]["revision"] == {"repository": "loose-folder", "commit": None, "branch": None, "uncommitted": None}
    markdown = invoke("report", root, "-f", "markdown").stdout
    for row in ("| repository | loose-folder |", "| commit | not known |", "| branch | not known |", "| uncommitted changes | not known |",
                "| generated | 2025-12-01T00:00:00+00:00 |"):
        assert row in markdown


def test_remote_credentials_are_removed() -> None:
    assert without_credentials(f"https://x-access-token:{TOKEN}@github.com/o/r.git") == "https://github.com/o/r.git"
    assert without_credentials("ssh://git@gitlab.example.com:2222/o/r.git") == "ssh://gitlab.example.com:2222/o/r.git"
    assert without_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git"  # a login name, not a secret
    assert without_credentials("https://github.com/o/r.git") == "https://github.com/o/r.git"


def test_a_bad_source_date_epoch_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = invoke("report", SUPPORT_BOT, "-f", "json")
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH must be seconds since 1970" in result.output


def test_configuration_in_force_with_the_weakenings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "weakened", {
        "main.tf": (SUPPORT_BOT / "infra" / "main.tf").read_text(encoding="utf-8"),
        ".iac-guard.yaml": "max_lifetime_days: 365\nskip_policies: [IAG005]\nexclude: ['legacy/**']\n",
    })
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_TIME)
    configuration = report_json(root)["assessed"]["configuration"]
    assert {k: configuration[k] for k in ("scope", "skipped_policies", "excludes", "baseline", "fail_on", "soft_fail", "config_file")} == {
        "scope": "ai", "skipped_policies": ["IAG005"], "excludes": ["legacy/**"], "baseline": None, "fail_on": "low",
        "soft_fail": False, "config_file": ".iac-guard.yaml",
    }
    assert configuration["limits"]["max_lifetime_days"] == 365 and configuration["limits"]["max_rotation_days"] == 90
    assert [w["text"] for w in configuration["weakenings"]] == [
        "max_lifetime_days: 90 → 365", "skip_policies IAG005: evaluated → not evaluated", "exclude legacy/**: scanned → not scanned",
    ]
    markdown = invoke("report", root, "-f", "markdown").stdout
    assert "- max_lifetime_days: 90 → 365 (`.iac-guard.yaml:1`)" in markdown
    assert "| config file | .iac-guard.yaml (from the repository) |" in markdown
    html = invoke("report", root, "-f", "html").stdout
    assert "max_lifetime_days: 90 → 365" in html and "The config weakens the defaults:" in html
    defaults = invoke("report", SUPPORT_BOT, "-f", "markdown").stdout
    assert "The config weakens none of the defaults." in defaults and "| config file | none: built-in defaults |" in defaults


def test_the_policy_pack_is_named_with_a_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_TIME)
    builtin = report_json(SUPPORT_BOT)["assessed"]["policy_pack"]
    assert builtin["sources"] == ["built-in pack of iac-guard 0.1.0"] and len(builtin["sha256"]) == 16
    assert report_json(SUPPORT_BOT)["assessed"]["policy_pack"] == builtin  # the same rules, the same digest
    custom = report_json(SUPPORT_BOT, "--policy-dir", FIXTURES / "policy-packs" / "acme")["assessed"]["policy_pack"]
    assert custom["sources"] == ["built-in pack of iac-guard 0.1.0", "pack acme"]
    assert custom["policies"] == builtin["policies"] + 1 and custom["sha256"] != builtin["sha256"]


# --- the executive summary -----------------------------------------------------------------------


def test_credentials_passing_per_control() -> None:
    report = report_of(ML_PLATFORM)
    counts = {(f.framework.id, c.control.id): (c.judged_credentials, c.passing_credentials) for f in report.frameworks for c in f.controls}
    assert counts[("owasp-nhi-2025", "NHI7")] == (16, 11)
    assert counts[("owasp-nhi-2025", "NHI3")] == (0, 0)  # not assessed: nothing judged, nothing passing
    nhi3 = next(c for f in report.frameworks for c in f.controls if c.control.id == "NHI3")
    assert nhi3.credentials_text == "no credential judged"


def test_most_failing_credentials_and_owners() -> None:
    executive = report_of(ML_PLATFORM).executive
    assert [(t.address, t.owner, t.failing, t.policies) for t in executive.most_failing] == [
        ("Secret/chat/openai-legacy", "(no owner recorded)", 4, ("IAG001", "IAG002", "IAG003", "IAG006")),
        ("aws_secretsmanager_secret.anthropic", "unknown (a placeholder, not an owner)", 3, ("IAG001", "IAG002", "IAG003")),
        ("ServiceAccount/chat/chat-worker", "(no owner recorded)", 2, ("IAG001", "IAG004")),
        ("aws_iam_access_key.legacy_bot", "(owner not known from the code)", 2, ("IAG002", "IAG003")),
        ("aws_ssm_parameter.cohere", "chat-team", 2, ("IAG002", "IAG003")),
    ]
    assert [(o.owner, o.credentials, o.failing) for o in executive.owners] == [
        ("(no owner recorded)", 3, 7), ("chat-team", 3, 4), ("unknown (a placeholder, not an owner)", 1, 3),
        ("(owner not known from the code)", 1, 2), ("ml-agents", 1, 1),
    ]


def test_a_clean_project_has_nothing_to_fix() -> None:
    report = report_of(ML_PLATFORM / "infra" / "bedrock-agent", skip_policies=("IAG004", "IAG005"))
    assert (report.executive.most_failing, report.executive.owners) == ((), ())
    from iac_guard.report.controls import markdown

    text = markdown.render(report)
    assert "No credential has a failing finding." in text and "No owner has anything to fix." in text


def test_each_finding_names_its_owner_and_how_to_fix_it() -> None:
    report = report_of(ML_PLATFORM)
    from iac_guard.report.controls import html, markdown
    from iac_guard.report.controls import json as controls_json

    nhi7 = next(c for c in json.loads(controls_json.render(report))["frameworks"][-1]["controls"] if c["id"] == "NHI7")
    assert [(f["resource"], f["owner"]) for f in nhi7["failing"]][:3] == [
        ("aws_secretsmanager_secret.anthropic", "unknown (a placeholder, not an owner)"),
        ("aws_secretsmanager_secret.anthropic", "unknown (a placeholder, not an owner)"),
        ("aws_ssm_parameter.cohere", "chat-team"),
    ]
    assert nhi7["failing"][0]["remediation"].startswith("## How to fix")
    page = html.render(report)
    assert "<summary>How to fix IAG002</summary>" in page and "<summary>How to fix IAG003</summary>" in page
    text = markdown.render(report)
    assert "- `infra/ci-keys/main.tf:49` IAG002 (high) `aws_iam_access_key.legacy_bot` (owner: (owner not known from the code)): " in text
    assert "<details><summary>How to fix IAG002</summary>" in text


def test_the_inventory_is_an_appendix() -> None:
    report = report_of(ML_PLATFORM)
    from iac_guard.report.controls import html, markdown

    text = markdown.render(report)
    appendix = text[text.index("## Appendix: credential inventory"):]
    assert "16 credential(s) in scope." in appendix  # of 18 found: the AI ones
    assert (
        "| `aws_iam_access_key.github_actions` | access-key | platform-team | 30 days | every 30 days | inherited from aws_iam_user.github_actions; "
    ) in appendix
    assert "| none | aws_iam_user.github_actions | `infra/ci-keys/main.tf:22` | none |" in appendix
    assert 'id="inventory"' in html.render(report)
    assert len(report.inventory) == 16


# --- compared with a previous report -------------------------------------------------------------


def test_new_and_fixed_failures_since_a_previous_report(tmp_path: Path) -> None:
    previous = tmp_path / "previous.json"
    previous.write_text(invoke("report", ML_PLATFORM, "--skip-policy", "IAG003", "-f", "json").stdout, encoding="utf-8")
    comparison = report_json(ML_PLATFORM, "--compare", previous)["comparison"]
    assert (comparison["previous"]["file"], comparison["new"], comparison["fixed"]) == ("previous.json", 25, 0)  # IAG003 gives evidence for 5 controls
    nhi7 = next(c for c in comparison["changes"] if (c["framework"], c["control"]) == ("owasp-nhi-2025", "NHI7"))
    assert (nhi7["before"], nhi7["after"], nhi7["fixed"]) == ("failing", "failing", [])
    assert [(f["policy_id"], f["resource"]) for f in nhi7["new"]] == [
        ("IAG003", "ExternalSecret/platform/hf-token"), ("IAG003", "Secret/chat/openai-legacy"),
        ("IAG003", "aws_iam_access_key.legacy_bot"), ("IAG003", "aws_secretsmanager_secret.anthropic"), ("IAG003", "aws_ssm_parameter.cohere"),
    ]
    assert all((c["framework"], c["control"]) != ("owasp-nhi-2025", "NHI9") for c in comparison["changes"])  # unchanged: not listed

    current = tmp_path / "current.json"
    current.write_text(invoke("report", ML_PLATFORM, "-f", "json").stdout, encoding="utf-8")
    back = invoke("report", ML_PLATFORM, "--skip-policy", "IAG003", "--compare", current, "-f", "markdown").stdout
    assert "Compared with `current.json" in back and ": 0 new and 25 fixed failing finding(s)." in back
    assert "| owasp-nhi-2025 | NHI7 | Failing → Failing | none | IAG003 `ExternalSecret/platform/hf-token` `k8s/platform/postgres.yaml`; " in back


def test_the_same_code_compared_with_itself_changed_nothing(tmp_path: Path) -> None:
    previous = tmp_path / "same.json"
    previous.write_text(invoke("report", SUPPORT_BOT, "-f", "json").stdout, encoding="utf-8")
    html = invoke("report", SUPPORT_BOT, "--compare", previous, "-f", "html").stdout
    assert "0 new and 0 fixed failing finding(s)" in html and "No control changed." in html


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "--compare bad.json: not a JSON control report"),
    ('{"frameworks": [{"id": "x", "controls": [{"id": "A", "status": "failing", "failing": [{"policy_id": 7}]}]}]}',
     "--compare bad.json: not an iac-guard control report in JSON: frameworks.0.controls.0.failing.0"),
    ('{"findings": []}', "--compare bad.json: not an iac-guard control report in JSON: (top level)"),
])
def test_a_previous_file_that_is_not_a_control_report_is_exit_2(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    result = invoke("report", SUPPORT_BOT, "--compare", bad, "-f", "json")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


# --- the credential graph ----------------------------------------------------------------------


def test_graph_of_credentials_workloads_and_parent_identities() -> None:
    graph = report_of(ML_PLATFORM).graph
    label = {n.id: n.label for n in graph.nodes}
    columns = {column: [n.label for n in graph.nodes if n.column == column] for column in (0, 1, 2)}
    assert columns[0] == ["aws_iam_user.github_actions", "aws_iam_user.legacy_bot"]
    assert len(columns[1]) == 14 and columns[1] == sorted(columns[1])  # 16 in scope, the two users drawn as parents
    assert not set(columns[0]) & set(columns[1])  # each credential drawn once
    assert set(columns[2]) == {
        "Deployment/chat/chat-api", "Deployment/chat/chat-worker", "aws_bedrockagent_agent.ops", "aws_bedrockagent_agent.support",
        "aws_lambda_function.chat", "aws_lambda_function.moderation",
    }
    edges = {(label[e.source], label[e.target], e.shared) for e in graph.edges}
    assert ("aws_iam_access_key.legacy_bot", "aws_iam_user.legacy_bot", False) in edges
    assert {("Secret/chat/anthropic", "Deployment/chat/chat-api", True), ("Secret/chat/anthropic", "Deployment/chat/chat-worker", True)} <= edges
    assert ("aws_secretsmanager_secret.openai", "aws_lambda_function.chat", False) in edges
    status = {n.label: n.status for n in graph.nodes}
    assert (status["Secret/chat/openai-legacy"], status["aws_iam_role.ops_agent"]) == ("failing", "failing")
    assert status["aws_lambda_function.chat"] == "workload"
    assert graph.left_out == 0


def test_graph_svg_is_deterministic_escaped_and_self_contained() -> None:
    nodes = (Node("c0", 'Secret/a<b>&"c"', 1, "failing", 'owner <team> & "x"', 2), Node("w:x", "Deployment/<x>", 2, "workload", "workload"))
    graph = CredentialGraph(nodes, (Edge("c0", "w:x", True),), 0)
    svg = graph_svg(graph)
    assert svg == graph_svg(graph)
    assert "Secret/a&lt;b&gt;&amp;&quot;c&quot;" in svg and "owner &lt;team&gt; &amp; &quot;x&quot;" in svg and "Deployment/&lt;x&gt;" in svg
    assert "<b>" not in svg and "<x>" not in svg
    assert 'stroke="#263238" stroke-width="3"' in svg  # a shared credential's edge is thick
    for forbidden in ("<script", "href=", "url(", "@import", "font-face"):
        assert forbidden not in svg
    long_name = Node("c1", "x" * 80, 1, "passing", "d")
    assert "x" * 37 + "…" in graph_svg(CredentialGraph((long_name,), (), 0))


def test_reports_with_identity_are_reproducible(repository: Path) -> None:
    for output_format in ("json", "html", "markdown", "oscal"):
        assert invoke("report", repository, "-f", output_format).stdout == invoke("report", repository, "-f", output_format).stdout


def test_a_graph_too_large_to_draw_says_how_much_it_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from iac_guard.report.controls import graph, html

    monkeypatch.setattr(graph, "MAX_PER_COLUMN", 5)
    report = report_of(ML_PLATFORM)
    assert [n.label for n in report.graph.nodes if n.column == 1] == [
        "ExternalSecret/platform/hf-token", "Secret/chat/anthropic", "Secret/chat/openai-legacy",
        "ServiceAccount/chat/chat-api", "ServiceAccount/chat/chat-worker",
    ]
    assert [n.label for n in report.graph.nodes if n.column == 2] == ["Deployment/chat/chat-api", "Deployment/chat/chat-worker"]
    assert report.graph.left_out == 9  # 16 credentials in scope, 7 drawn (2 parents, 5 others); every workload of those drawn
    assert "<p>9 more not drawn; the inventory lists every credential.</p>" in html.render(report)


def test_csv_rows_carry_owner_remediation_and_credential_counts() -> None:
    import csv
    import io

    from iac_guard.report.controls import csv as controls_csv

    rows = list(csv.DictReader(io.StringIO(controls_csv.render(report_of(ML_PLATFORM)))))
    legacy = next(r for r in rows if (r["control"], r["policy"], r["resource"]) == ("NHI7", "IAG002", "aws_iam_access_key.legacy_bot"))
    assert (legacy["owner"], legacy["credentials judged"], legacy["credentials passing"]) == ("(owner not known from the code)", "16", "11")
    assert legacy["remediation"].startswith("## How to fix")
    nhi3 = next(r for r in rows if r["control"] == "NHI3")
    assert (nhi3["owner"], nhi3["remediation"], nhi3["credentials judged"]) == ("", "", "0")
    assert (nhi3["cannot show"].startswith("Which third parties"), nhi3["source"].startswith("https://owasp.org/")) == (True, True)
    assert all(None not in row for row in rows)  # no row longer than the header


def test_without_git_the_revision_is_read_from_the_git_files(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where git will not run (or refuses a checkout another user owns), .git is read directly."""
    from iac_guard.cli import revision

    commit = git(repository, "rev-parse", "HEAD").strip()
    git(repository, "worktree", "add", "-q", "-b", "feature", str(repository.parent / "feature-tree"))
    git(repository, "pack-refs", "--all")  # the branch's commit now only in packed-refs
    monkeypatch.setattr(revision.shutil, "which", lambda name: None)
    expected = revision.Revision("https://github.com/acme/infra-repo.git", commit, "main", None)
    assert read_revision(repository / "infra", environ={}) == expected
    assert read_revision(repository.parent / "feature-tree", environ={}) == revision.Revision(
        "https://github.com/acme/infra-repo.git", commit, "feature", None
    )
    git(repository, "checkout", "-q", "--detach")
    assert read_revision(repository, environ={"CI_COMMIT_REF_NAME": "main"}) == expected  # detached: the CI's branch
    (repository / ".git" / "HEAD").unlink()
    os.mkfifo(repository / ".git" / "HEAD")  # never opened: it would block
    assert read_revision(repository, environ={}) == revision.Revision("https://github.com/acme/infra-repo.git", None, None, None)
