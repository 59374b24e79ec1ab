"""``iac-guard policies``: list, explain, the generated reference (and its staleness check),
validate and test for custom packs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from scanning import FIXTURES, write_project

from iac_guard.cli import main
from iac_guard.policy.cases import all_cases, case_files
from iac_guard.policy.docs import DOCS_COMMAND, reference_page
from iac_guard.policy.frameworks import load_frameworks
from iac_guard.policy.loader import builtin_policy_dir, load_policies

DOCS = Path(__file__).parent.parent / "docs" / "policies.md"
ACME = FIXTURES / "policy-packs" / "acme"
PACK = load_policies([builtin_policy_dir()])


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_docs_policies_md_is_up_to_date() -> None:
    expected = reference_page(PACK, load_frameworks())
    assert DOCS.read_text(encoding="utf-8") == expected, f"docs/policies.md is stale: run {DOCS_COMMAND}"


def test_docs_check_flags_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "policies.md"
    stale.write_text("# old\n", encoding="utf-8")
    result = invoke("policies", "docs", "-o", str(stale), "--check")
    assert result.exit_code == 1
    assert result.output == f"iac-guard: {stale} is stale; regenerate it with: iac-guard policies docs -o {stale}\n"
    assert invoke("policies", "docs", "-o", str(stale)).exit_code == 0
    result = invoke("policies", "docs", "-o", str(stale), "--check")
    assert (result.exit_code, result.output) == (0, f"iac-guard: {stale} is up to date\n")


def test_docs_check_names_the_path_and_packs_it_was_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pack").mkdir()
    result = invoke("policies", "docs", "--policy-dir", "pack", "-o", "my docs/ref.md", "--check")
    assert result.exit_code == 1
    assert result.output == "iac-guard: my docs/ref.md does not exist; regenerate it with: iac-guard policies docs --policy-dir pack -o 'my docs/ref.md'\n"


def test_reference_has_every_policy_and_every_framework_mapping() -> None:
    page = reference_page(PACK, load_frameworks())
    for policy in PACK:
        assert f"## {policy.id}: {policy.title}" in page
    assert "| [NHI7](https://owasp.org/www-project-non-human-identities-top-10/2025/7-long-lived-secrets/) | Long-Lived Secrets | IAG002, IAG003, IAG007 |" in page
    assert "| [NHI3](https://owasp.org/www-project-non-human-identities-top-10/2025/3-vulnerable-third-party-nhi/) | Vulnerable Third-Party NHI | none (not assessed) |" in page
    assert "### What it does" in page and "#### " not in page


def test_list_shows_ids_categories_severities_and_controls() -> None:
    result = invoke("policies", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    (iag003,) = [line for line in lines if line.lstrip().startswith("IAG003")]
    assert iag003.split()[:3] == ["IAG003", "missing-rotation", "high"]
    assert "AI credential has no rotation schedule" in iag003
    assert "owasp-nhi-2025: NHI7" in result.output and "cis-v8: 5.5" in result.output
    assert "\x1b[" not in result.output


def test_explain_has_the_shape_of_a_ruff_rule_page() -> None:
    result = invoke("policies", "explain", "iag003")
    assert result.exit_code == 0
    text = result.output
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# IAG003: AI credential has no rotation schedule", "## What it does", "## Why is this bad?", "## Example",
        "## Use instead", "## How to fix", "## Fails when", "## Options", "## Controls", "## References",
    ]
    example, use_instead = text.split("## Example")[1].split("## How to fix")[0].split("## Use instead")
    assert "```hcl" in example and "```hcl" in use_instead
    assert "- `max_rotation_days` in `.iac-guard.yaml` (default: 90)" in text
    assert "- OWASP Top 10 Non-Human Identities Risks – 2025 (`owasp-nhi-2025`): NHI7 Long-Lived Secrets" in text
    assert "- <https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html>" in text


def test_explain_an_unknown_policy_is_a_usage_error() -> None:
    result = invoke("policies", "explain", "IAG999")
    assert result.exit_code == 2
    assert "no policy IAG999 (policies: IAG001, IAG002" in result.output


def test_explain_a_custom_policy() -> None:
    result = invoke("policies", "explain", "ACME1", "--policy-dir", str(ACME))
    assert result.exit_code == 0
    assert "- ACME AI Credential Standard (`acme-ai-standard`): AI-7 Cost attribution" in result.output


# --- validate ----------------------------------------------------------------------------------


def test_validate_a_good_pack() -> None:
    result = invoke("policies", "validate", str(ACME))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"1 policies and 6 test case(s) valid in {ACME}"


def test_validate_the_builtin_pack() -> None:
    result = invoke("policies", "validate", str(builtin_policy_dir()))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


GOOD_POLICY = (ACME / "ACME1-cost-centre.yaml").read_text(encoding="utf-8")


def test_validate_names_the_file_and_field_of_each_problem(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "ACME2-typo.yaml": GOOD_POLICY.replace("id: ACME1", "id: ACME2").replace("severity: low", "severity: urgent"),
        "ACME1-cost-centre.yaml": GOOD_POLICY,
        "frameworks/acme-ai-standard.yaml": "id: acme-ai-standard\ntitle: ACME\n",
    })
    result = invoke("policies", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'ACME2-typo.yaml'}: severity: must be one of " '"low", "medium", "high", "critical" (enum)' in result.output
    assert f"error: {tmp_path / 'frameworks' / 'acme-ai-standard.yaml'}: (top level): missing required key(s) publisher" in result.output


def test_validate_refuses_a_builtin_id(tmp_path: Path) -> None:
    write_project(tmp_path, {"IAG001-mine.yaml": GOOD_POLICY.replace("id: ACME1", "id: IAG001")})
    result = invoke("policies", "validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'IAG001-mine.yaml'}: id: IAG001 is a built-in policy id (IAG001-missing-owner.yaml)" in result.output


def test_validate_reports_test_case_problems(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "ACME1-cost-centre.yaml": GOOD_POLICY,
        "ACME1-cost-centre.tests.yaml": "cases:\n  - name: no expectation\n    terraform: 'x = 1'\n  - name: unknown policy\n    terraform: 'x = 1'\n    expect: [{policy: ACME9, resource: x.y, line: 1}]\n",
    })
    result = invoke("policies", "validate", str(tmp_path))
    assert result.exit_code == 1
    cases = tmp_path / "ACME1-cost-centre.tests.yaml"
    assert f"error: {cases}: cases.0: a case has a name, exactly one of terraform, kubernetes, github-actions or files, and expect (the exact findings; [] when compliant)" in result.output
    # Shape errors first; which policies a case names is checked once the shape is right.
    write_project(tmp_path, {"ACME1-cost-centre.tests.yaml": (
        "cases:\n  - name: unknown policy\n    terraform: 'x = 1'\n    settings: {max_rotation_days: soon}\n"
        "    expect: [{policy: ACME9, resource: x.y, line: 1}]\n"
    )})
    result = invoke("policies", "validate", str(tmp_path))
    assert f"error: {cases}: cases.0.expect.0.policy: ACME9 is not a policy of this pack" in result.output
    assert f"error: {cases}: cases.0.settings.max_rotation_days: must be of type integer (type)" in result.output


def test_validate_warns_about_untested_policies_and_unknown_controls(tmp_path: Path) -> None:
    policy = GOOD_POLICY.split("examples:")[0].replace("acme-ai-standard: [AI-7]", "nist-csf-2.0: [PR.AA-04]")
    write_project(tmp_path, {"ACME1.yaml": policy})
    result = invoke("policies", "validate", str(tmp_path))
    assert result.exit_code == 0
    source = tmp_path / "ACME1.yaml"
    assert f"warning: {source}: examples.bad: none, so `policies test` cannot show the policy fires" in result.output
    assert f"warning: {source}: controls.nist-csf-2.0: PR.AA-04 is not in the nist-csf-2.0 catalog; reports will not show it" in result.output


# --- test --------------------------------------------------------------------------------------


def test_test_runs_examples_and_the_cases_beside_them() -> None:
    result = invoke("policies", "test", str(ACME), "-v")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ok    ACME1 bad example 1 (terraform)",
        "ok    ACME1 good example 1 (terraform)",
        "ok    ACME1-cost-centre.tests.yaml: a cost-centre label on a Kubernetes Secret",
        "ok    ACME1-cost-centre.tests.yaml: a Secret without one",
        "ok    identities.yaml: identities are not judged",
        "ok    identities.yaml: a database password only with scope all",
        "6 case(s): 6 passed, 0 failed",
    ]


def test_test_reports_failures_and_exits_1(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "ACME1-cost-centre.yaml": GOOD_POLICY.replace("exists: false", "exists: true"),  # inverted: both examples fail
        "tests/more.yaml": (
            "cases:\n  - name: broken file\n    terraform: 'resource \"x\" {'\n    expect: []\n"
            "  - name: wrong findings\n    settings: {scope: all}\n"
            "    terraform: 'resource \"aws_secretsmanager_secret\" \"db\" {\n  name = \"db-password\"\n}\n'\n"
            "    expect: [{policy: ACME1, resource: aws_secretsmanager_secret.db, line: 2}]\n"
        ),
    })
    result = invoke("policies", "test", str(tmp_path))
    assert result.exit_code == 1
    assert "FAIL  ACME1 bad example 1 (terraform)\n        ACME1 did not fire\n" in result.output
    assert "FAIL  ACME1 good example 1 (terraform)\n        ACME1 fired: aws_secretsmanager_secret.openai has no cost-centre tag\n" in result.output
    assert "FAIL  more.yaml: broken file\n        could not read main.tf:1:" in result.output
    assert "FAIL  more.yaml: wrong findings\n        expected, not found: ACME1 aws_secretsmanager_secret.db line 2\n" in result.output
    assert result.output.rstrip().endswith("4 case(s): 0 passed, 4 failed")


def test_case_files_are_found_beside_policies_and_in_tests_folders() -> None:
    assert [p.relative_to(ACME).as_posix() for p in case_files([ACME])] == ["ACME1-cost-centre.tests.yaml", "tests/identities.yaml"]
    assert len(all_cases(load_policies([ACME]), [ACME])) == 6


@pytest.mark.parametrize("name", ["IAG001-x.tests.yaml", "tests/cases.yaml", "frameworks/acme.yaml"])
def test_pack_files_that_are_not_policies_are_not_loaded_as_policies(tmp_path: Path, name: str) -> None:
    write_project(tmp_path, {"ACME1.yaml": GOOD_POLICY, name: "not: a policy\n"})
    assert [p.id for p in load_policies([tmp_path])] == ["ACME1"]


def test_test_lists_each_missing_and_each_unexpected_finding(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: openai-api-key, namespace: chat}\ntype: Opaque\n"
    write_project(tmp_path, {
        "ACME1-cost-centre.yaml": GOOD_POLICY,
        "ACME1-cost-centre.tests.yaml": yaml.safe_dump({"cases": [{
            "name": "the wrong line", "kubernetes": secret,
            "expect": [{"policy": "ACME1", "resource": "Secret/chat/openai-api-key", "line": 3}],
        }]}),
    })
    result = invoke("policies", "test", str(tmp_path))
    assert result.exit_code == 1
    assert (
        "FAIL  ACME1-cost-centre.tests.yaml: the wrong line\n"
        "        expected, not found: ACME1 Secret/chat/openai-api-key line 3\n"
        "        found, not expected: ACME1 Secret/chat/openai-api-key line 1: Secret/chat/openai-api-key has no cost-centre tag\n"
    ) in result.output
