"""The trust boundary (issue #11): what a pull request's config may do to the gate is stated in
every output, a change that weakens it fails under --diff-base (IAG901), a pinned --config keeps
the repository's file out, policy_dirs stay inside the repository, and no schema error quotes a
value. Most cases run in-process; the ones that show a clean failure of the whole process run
bounded (untrusted_support.run_cli)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from gate_support import git, needs_git
from untrusted_support import (
    ADDRESS_SPACE_BYTES,
    FAILING_FINDINGS,
    FAILING_TF,
    SECRET,
    WALL_SECONDS,
    scan_json,
    write_tree,
)

from iac_guard.cli import main
from iac_guard.config.settings import Settings
from iac_guard.config.weakenings import weakenings

ACTION = Path(__file__).resolve().parent.parent / "action.yml"
#: A file that judges clean (no credential in it), so a tree with it is never "nothing to scan".
COMPLIANT_TF = '''resource "aws_s3_bucket" "logs" {
  bucket = "build-logs"
}
'''


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def findings(result: Result) -> set[tuple[str, str]]:
    return {(f["policy_id"], f["resource"]) for f in json.loads(result.stdout)["findings"]}


def markdown_and_github(exit_code: int, *args: object) -> tuple[str, str]:
    """The Markdown and the GitHub output of ``scan ARGS``, both exiting with ``exit_code``."""
    outputs = [invoke("scan", *args, "--no-cache", "-f", name) for name in ("markdown", "github")]
    assert [output.exit_code for output in outputs] == [exit_code, exit_code]
    return outputs[0].stdout, outputs[1].stdout


def repo_tree(root: Path, config: str | None) -> Path:
    """prod/ holds the failing file, ok/ a passing one; ``config`` is the repository's config."""
    files = {"prod/main.tf": FAILING_TF, "ok/main.tf": COMPLIANT_TF}
    if config is not None:
        files[".iac-guard.yaml"] = config
    return write_tree(root, files)


# --- every weakening, computed once -----------------------------------------------------------------

EVERY_WEAKENING = """\
max_lifetime_days: 365
max_rotation_days: 90
max_file_bytes: 20971520
exclude: ["prod/**", "**"]
skip_policies:
  - IAG006
placeholder_owners: [tbd, todo, unknown, none, "null", n/a, na, changeme, owner, nobody, "-"]
owner_keys: [owner, team]
owner_map:
  "aws_iam_user.*": ml-platform
policy_dirs: [pack]
scope: all
"""


def test_every_kind_of_weakening_is_listed_with_its_key_and_line(tmp_path: Path) -> None:
    raw = yaml.safe_load(EVERY_WEAKENING)
    listed = weakenings(raw, EVERY_WEAKENING, ".iac-guard.yaml", Settings())
    assert [(w.line, w.text) for w in listed] == [
        (1, "max_lifetime_days: 90 → 365"),
        (3, "max_file_bytes: 10485760 → 20971520"),
        (4, "exclude prod/**: scanned → not scanned"),
        (4, "exclude **: scanned → not scanned"),
        (6, "skip_policies IAG006: evaluated → not evaluated"),
        (7, 'placeholder_owners "": a placeholder → accepted as an owner'),
        (8, "owner_keys team: not an owner key → names the owner"),
        (10, "owner_map aws_iam_user.*: no owner → owner ml-platform"),
        (11, "policy_dirs pack: not loaded → loaded beside the built-in pack"),
    ]
    assert {w.file for w in listed} == {".iac-guard.yaml"}


def test_owner_roles_and_environment_settings_that_can_hide_a_finding_are_weakenings() -> None:
    text = (
        "owner_roles: {business: [owner, sponsor], technical: [tech-owner]}\n"
        "environment_keys: [tier]\n"
        "environments: {everywhere: ['*']}\n"
        "production_environments: []\n"
    )
    listed = weakenings(yaml.safe_load(text), text, ".iac-guard.yaml", Settings())
    assert [(w.line, w.text) for w in listed] == [
        (1, "owner_roles sponsor: not an owner key → names the owner"),
        (1, "owner_roles tech-owner: not an owner key → names the owner"),
        (2, "environment_keys environment: names the environment → ignored"),
        (2, "environment_keys env: names the environment → ignored"),
        (2, "environment_keys stage: names the environment → ignored"),
        (3, "environments: the default environment patterns → the config's patterns"),
        (4, "production_environments prod: production → not production"),
    ]


def test_a_roster_and_owner_roles_with_explicit_owner_keys_weaken_nothing() -> None:
    text = "owners: [ml-platform]\nowner_keys: [owner]\nowner_roles: {business: [owner], technical: [tech-owner]}\n"
    assert weakenings(yaml.safe_load(text), text, ".iac-guard.yaml", Settings()) == ()


def test_settings_as_strict_as_the_defaults_or_stricter_weaken_nothing() -> None:
    text = "scope: all\nmax_lifetime_days: 30\nmax_rotation_days: 90\nowner_keys: [owner]\nplaceholder_owners: [tbd, todo, unknown, none, 'null', n/a, na, changeme, owner, nobody, '-', '', pending]\n"
    assert weakenings(yaml.safe_load(text), text, ".iac-guard.yaml", Settings()) == ()


# --- stated in every output -------------------------------------------------------------------------


def test_a_repository_config_that_excludes_the_failing_folder_says_so_in_the_text_summary(tmp_path: Path) -> None:
    repo_tree(tmp_path, 'exclude: ["prod/**"]\n')
    result = invoke("scan", tmp_path, "--no-cache")
    assert result.exit_code == 0, result.output  # the config excludes prod/: what it does is stated
    assert result.stdout.splitlines()[-2:] == [
        "Config in force: .iac-guard.yaml (from the repository) weakens the gate:",
        "  .iac-guard.yaml:1  exclude prod/**: scanned → not scanned",
    ]


def test_skipped_policies_are_in_the_json_summary(tmp_path: Path) -> None:
    repo_tree(tmp_path, "skip_policies: [IAG001, IAG002, IAG003, IAG006]\n")
    result = invoke("scan", tmp_path, "--no-cache", "-f", "json")
    assert result.exit_code == 0, result.output
    assert findings(result) == set()
    assert json.loads(result.stdout)["summary"]["config"] == {
        "file": ".iac-guard.yaml",
        "from_repository": True,
        "weakenings": [
            {"key": "skip_policies", "entry": pid, "default": "evaluated", "value": "not evaluated",
             "file": ".iac-guard.yaml", "line": 1, "text": f"skip_policies {pid}: evaluated → not evaluated"}
            for pid in ("IAG001", "IAG002", "IAG003", "IAG006")
        ],
    }


def test_a_weakening_the_command_line_overrides_is_not_listed(tmp_path: Path) -> None:
    repo_tree(tmp_path, 'max_lifetime_days: 365\nowner_keys: [team]\nexclude: ["ok/**"]\n')
    result = invoke("scan", tmp_path, "--no-cache", "--max-lifetime-days", "30", "--owner-key", "owner", "-f", "json")
    assert result.exit_code == 1
    assert findings(result) == FAILING_FINDINGS
    assert [w["text"] for w in json.loads(result.stdout)["summary"]["config"]["weakenings"]] == [
        "exclude ok/**: scanned → not scanned",
    ]


def test_no_config_file_is_null_in_the_json_summary(tmp_path: Path) -> None:
    repo_tree(tmp_path, None)
    result = invoke("scan", tmp_path, "--no-cache", "-f", "json")
    assert result.exit_code == 1
    assert findings(result) == FAILING_FINDINGS
    assert json.loads(result.stdout)["summary"]["config"] is None


def test_a_config_that_weakens_nothing_says_so(tmp_path: Path) -> None:
    repo_tree(tmp_path, "max_rotation_days: 30\n")
    result = invoke("scan", tmp_path, "--no-cache")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "Config in force: .iac-guard.yaml (from the repository); it weakens nothing."


def test_sarif_run_properties_hold_the_config_in_force(tmp_path: Path) -> None:
    repo_tree(tmp_path, "max_lifetime_days: 400\n")
    result = invoke("scan", tmp_path, "--no-cache", "-f", "sarif")
    assert result.exit_code == 1
    (run,) = json.loads(result.stdout)["runs"]
    assert run["properties"] == {"configInForce": {
        "file": ".iac-guard.yaml", "from_repository": True,
        "weakenings": [{"key": "max_lifetime_days", "entry": None, "default": "90", "value": "400",
                        "file": ".iac-guard.yaml", "line": 1, "text": "max_lifetime_days: 90 → 400"}],
    }}


def test_markdown_and_github_outputs_state_each_weakening(tmp_path: Path) -> None:
    repo_tree(tmp_path, 'owner_keys: [team]\nexclude: ["prod/**"]\n')
    markdown, github = markdown_and_github(0, tmp_path)
    assert (
        "**:warning: Config in force: `.iac-guard.yaml` (from the repository) weakens the gate:**\n\n"
        "- `.iac-guard.yaml:1` owner_keys team: not an owner key → names the owner\n"
        "- `.iac-guard.yaml:2` exclude prod/**: scanned → not scanned\n"
    ) in markdown
    title = "title=iac-guard%3A the config in force weakens the gate (from the repository)"
    assert github.splitlines() == [
        f"::warning file=.iac-guard.yaml,line=1,{title}::owner_keys team: not an owner key → names the owner",
        f"::warning file=.iac-guard.yaml,line=2,{title}::exclude prod/**: scanned → not scanned",
        "iac-guard: 0 failing finding(s), 0 suppressed, 0 file(s) not scanned, config .iac-guard.yaml "
        "(from the repository) weakens 2 setting(s); exit code 0",
    ]


# --- a pinned --config --------------------------------------------------------------------------------


def test_a_pinned_config_from_outside_ignores_the_repository_file_and_is_listed_as_not_from_it(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path / "repo", 'exclude: ["**"]\nskip_policies: [IAG006]\n')
    pinned = write_tree(tmp_path / "trusted", {"iac-guard.yaml": "max_rotation_days: 120\n"}) / "iac-guard.yaml"
    result = invoke("scan", repo, "--no-cache", "--config", pinned, "-f", "json")
    assert result.exit_code == 1
    assert findings(result) == FAILING_FINDINGS  # the repository's exclude and skip are not read
    assert json.loads(result.stdout)["summary"]["config"] == {
        "file": str(pinned.resolve()), "from_repository": False,
        "weakenings": [{"key": "max_rotation_days", "entry": None, "default": "90", "value": "120",
                        "file": str(pinned.resolve()), "line": 1, "text": "max_rotation_days: 90 → 120"}],
    }
    text = invoke("scan", repo, "--no-cache", "--config", pinned)
    assert f"Config in force: {pinned.resolve()} (pinned, not from the repository) weakens the gate:" in text.stdout


def test_a_pinned_config_inside_the_repository_is_from_the_repository(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path, None)
    write_tree(repo, {"ci/iac-guard.yaml": 'exclude: ["prod/**"]\n'})
    result = invoke("scan", repo, "--no-cache", "--config", repo / "ci" / "iac-guard.yaml", "-f", "json")
    assert result.exit_code == 0
    config = json.loads(result.stdout)["summary"]["config"]
    assert (config["file"], config["from_repository"], [w["text"] for w in config["weakenings"]]) == (
        "ci/iac-guard.yaml", True, ["exclude prod/**: scanned → not scanned"]
    )


def test_the_action_pins_the_config_through_its_config_input() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["inputs"]["config"]["default"] == ""
    scan = next(step for step in action["runs"]["steps"] if step.get("id") == "scan")
    assert scan["env"]["IAC_GUARD_CONFIG"] == "${{ inputs.config }}"
    assert 'if [ -n "$IAC_GUARD_CONFIG" ]; then args+=(--config "$IAC_GUARD_CONFIG"); fi' in scan["run"]


# --- --diff-base: a change that weakens the config fails (IAG901) --------------------------------


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A git repository whose base (main) has a config raising max_lifetime_days to 120."""
    needs_git()
    repo_tree(tmp_path, "max_lifetime_days: 120\n")
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "--quiet", "-m", "base")
    git(tmp_path, "checkout", "--quiet", "-b", "feature")
    return tmp_path


def weakened(result: Result) -> list[tuple[str, str, int, str]]:
    document = json.loads(result.stdout)
    return [(f["resource"], f["file"], f["line"], f["message"]) for f in document["findings"] if f["policy_id"] == "IAG901"]


def test_a_change_that_weakens_the_config_is_a_failing_finding_on_the_key(repo: Path) -> None:
    (repo / ".iac-guard.yaml").write_text('max_lifetime_days: 365\nexclude: ["prod/**"]\nskip_policies: [IAG001]\n')
    result = invoke("scan", repo, "--no-cache", "--diff-base", "main", "-f", "json")
    assert result.exit_code == 1
    assert weakened(result) == [
        ("max_lifetime_days", ".iac-guard.yaml", 1, ".iac-guard.yaml weakens the gate: max_lifetime_days changed from 120 to 365"),
        ("exclude prod/**", ".iac-guard.yaml", 2, ".iac-guard.yaml weakens the gate: exclude prod/** changed from scanned to not scanned"),
        ("skip_policies IAG001", ".iac-guard.yaml", 3, ".iac-guard.yaml weakens the gate: skip_policies IAG001 changed from evaluated to not evaluated"),
    ]
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["line"] == 1]
    assert (finding["category"], finding["severity"], finding["suppressed"]) == ("weakened-config", "high", False)


def test_a_change_that_excludes_its_failing_file_fails_as_a_process_naming_the_weakening(repo: Path) -> None:
    (repo / ".iac-guard.yaml").write_text('max_lifetime_days: 120\nexclude: ["new/**"]\n')
    (repo / "new").mkdir()
    (repo / "new" / "main.tf").write_text(FAILING_TF)
    run = scan_json(repo, "--diff-base", "main", cwd=repo)
    run.assert_clean_failure()
    assert run.exit_code == 1
    assert run.findings() == {("IAG901", "exclude new/**")}  # new/main.tf is excluded: this finding is what fails
    assert run.report["summary"]["config"]["weakenings"][1]["text"] == "exclude new/**: scanned → not scanned"
    assert run.seconds < WALL_SECONDS and run.peak_rss < ADDRESS_SPACE_BYTES


def test_a_weakening_already_at_the_base_or_a_stricter_change_is_no_finding(repo: Path) -> None:
    unchanged = invoke("scan", repo, "--no-cache", "--diff-base", "main", "-f", "json")
    assert (unchanged.exit_code, weakened(unchanged)) == (0, [])  # nothing changed: nothing judged
    (repo / ".iac-guard.yaml").write_text("max_lifetime_days: 100\n")
    (repo / "prod" / "main.tf").write_text(FAILING_TF + "\n")
    stricter = invoke("scan", repo, "--no-cache", "--diff-base", "main", "-f", "json")
    assert stricter.exit_code == 1
    assert weakened(stricter) == []
    assert findings(stricter) == FAILING_FINDINGS


def test_a_config_added_by_the_change_is_compared_with_the_defaults(repo: Path) -> None:
    git(repo, "rm", "--quiet", ".iac-guard.yaml")
    git(repo, "commit", "--quiet", "-m", "no config")
    git(repo, "branch", "--quiet", "-f", "main")
    (repo / ".iac-guard.yaml").write_text("max_lifetime_days: 120\n")
    result = invoke("scan", repo, "--no-cache", "--diff-base", "main", "-f", "json")
    assert result.exit_code == 1
    assert weakened(result) == [
        ("max_lifetime_days", ".iac-guard.yaml", 1, ".iac-guard.yaml weakens the gate: max_lifetime_days changed from 90 to 120"),
    ]


def test_the_repository_config_cannot_skip_the_policy_that_judges_it(repo: Path) -> None:
    (repo / ".iac-guard.yaml").write_text("max_lifetime_days: 120\nskip_policies: [IAG901]\n")
    result = invoke("scan", repo, "--no-cache", "--diff-base", "main", "-f", "json")
    assert result.exit_code == 1
    assert weakened(result) == [
        ("skip_policies IAG901", ".iac-guard.yaml", 2, ".iac-guard.yaml weakens the gate: skip_policies IAG901 changed from evaluated to not evaluated"),
    ]
    skipped = invoke("scan", repo, "--no-cache", "--diff-base", "main", "--skip-policy", "IAG901", "-f", "json")
    assert (skipped.exit_code, weakened(skipped)) == (0, [])  # the command line is trusted


def test_a_pinned_config_from_outside_is_not_judged_and_the_weakened_repository_file_is_ignored(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (repo / ".iac-guard.yaml").write_text('exclude: ["**"]\n')
    (repo / "prod" / "main.tf").write_text(FAILING_TF + "\n")
    pinned = write_tree(tmp_path_factory.mktemp("trusted"), {"c.yaml": "scope: ai\n"}) / "c.yaml"
    result = invoke("scan", repo, "--no-cache", "--diff-base", "main", "--config", pinned, "-f", "json")
    assert result.exit_code == 1
    assert weakened(result) == []
    assert findings(result) == FAILING_FINDINGS


def test_a_base_config_that_does_not_load_counts_as_the_defaults(repo: Path) -> None:
    (repo / ".iac-guard.yaml").write_text("max_lifetime_days: [\n")
    git(repo, "commit", "--quiet", "-am", "broken config")
    git(repo, "branch", "--quiet", "-f", "main")
    (repo / ".iac-guard.yaml").write_text("max_lifetime_days: 120\n")
    result = invoke("scan", repo, "--no-cache", "--diff-base", "main", "-f", "json")
    assert weakened(result) == [
        ("max_lifetime_days", ".iac-guard.yaml", 1, ".iac-guard.yaml weakens the gate: max_lifetime_days changed from 90 to 120"),
    ]


# --- suppressions the change added, listed ------------------------------------------------------

OLD_SUPPRESSION = '# iac-guard:ignore IAG003 reason="rotated by the vendor"\n'
NEW_SUPPRESSION = '# iac-guard:ignore IAG002 reason="expires with the contract"\n'


def test_markdown_and_github_list_the_suppressions_the_change_added(repo: Path) -> None:
    (repo / "prod" / "main.tf").write_text(OLD_SUPPRESSION + FAILING_TF)
    git(repo, "commit", "--quiet", "-am", "an accepted suppression")
    git(repo, "branch", "--quiet", "-f", "main")
    (repo / "prod" / "main.tf").write_text(OLD_SUPPRESSION + NEW_SUPPRESSION + FAILING_TF)
    markdown, github = markdown_and_github(1, repo, "--diff-base", "main")
    assert (
        "**Suppressions added by this change: 1**\n\n"
        "| file | policy | resource | reason |\n|---|---|---|---|\n"
        "| `prod/main.tf:2` | IAG002 | `aws_secretsmanager_secret.openai` | expires with the contract |\n"
    ) in markdown
    assert [line for line in github.splitlines() if "suppression" in line] == [
        "::warning file=prod/main.tf,line=2,title=iac-guard%3A suppression added by this change (IAG002)::"
        "aws_secretsmanager_secret.openai: expires with the contract",
    ]


def test_without_diff_base_every_suppression_in_force_is_listed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"prod/main.tf": OLD_SUPPRESSION + NEW_SUPPRESSION + FAILING_TF})
    markdown, github = markdown_and_github(1, tmp_path)
    assert (
        "**Suppressions in force: 2**\n\n"
        "| file | policy | resource | reason |\n|---|---|---|---|\n"
        "| `prod/main.tf:1` | IAG003 | `aws_secretsmanager_secret.openai` | rotated by the vendor |\n"
        "| `prod/main.tf:2` | IAG002 | `aws_secretsmanager_secret.openai` | expires with the contract |\n"
    ) in markdown
    assert [line.split("::")[1] for line in github.splitlines() if line.startswith("::notice")] == [
        "notice file=prod/main.tf,line=1,title=iac-guard%3A suppression in force (IAG003)",
        "notice file=prod/main.tf,line=2,title=iac-guard%3A suppression in force (IAG002)",
    ]


# --- policy_dirs stay inside the repository ---------------------------------------------------


def test_policy_dirs_outside_the_repository_are_a_config_error_naming_the_key_not_the_content(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path / "repo", "policy_dirs: [../outside]\n")
    (repo / ".git").mkdir()
    write_tree(tmp_path / "outside", {"X1.yaml": f"id: X1\ntitle: {SECRET}\nseverity: {SECRET}\n"})
    run = scan_json(repo)
    run.assert_clean_failure()
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == (
        f"iac-guard: {repo / '.iac-guard.yaml'}: policy_dirs.0: the path is outside the repository ({repo.resolve()}); "
        "a repository's config may only name policy packs and baselines inside it (a config pinned with --config from "
        "outside the repository may name others)\n"
    )
    assert run.seconds < WALL_SECONDS and run.peak_rss < ADDRESS_SPACE_BYTES


def test_a_symbolic_link_out_of_the_repository_is_outside_too(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path / "repo", "policy_dirs: [pack]\n")
    write_tree(tmp_path / "outside", {"X1.yaml": f"id: X1\ntitle: {SECRET}\n"})
    os.symlink(tmp_path / "outside", repo / "pack")
    result = invoke("scan", repo, "--no-cache")
    assert result.exit_code == 2
    assert "policy_dirs.0: the path is outside the repository" in result.output
    assert SECRET not in result.output


def test_a_repository_config_linking_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path / "repo", None)
    write_tree(tmp_path / "outside", {"settings.yaml": f"password: {SECRET}\n"})
    os.symlink(tmp_path / "outside" / "settings.yaml", repo / ".iac-guard.yaml")
    result = invoke("scan", repo, "--no-cache")
    assert result.exit_code == 2
    assert result.stderr == (
        f"iac-guard: {repo / '.iac-guard.yaml'}: the config file links out of the repository ({repo.resolve()}); it is not read\n"
    )


def test_policy_dirs_inside_the_repository_load(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path, "policy_dirs: [security/pack]\n")
    (repo / "security" / "pack").mkdir(parents=True)
    result = invoke("scan", repo, "--no-cache", "-f", "json")
    assert result.exit_code == 1
    assert findings(result) == FAILING_FINDINGS


def test_a_pinned_config_from_outside_may_name_any_policy_folder(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path / "repo", None)
    (tmp_path / "trusted" / "pack").mkdir(parents=True)
    pinned = write_tree(tmp_path / "trusted", {"c.yaml": "policy_dirs: [pack]\n"}) / "c.yaml"
    result = invoke("scan", repo, "--no-cache", "--config", pinned, "-f", "json")
    assert result.exit_code == 1
    assert findings(result) == FAILING_FINDINGS


# --- schema errors never echo a value --------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (f"scope: {SECRET}\n", 'scope: must be one of "ai", "all" (enum)'),
        (f"max_file_bytes: {SECRET}\n", "max_file_bytes: must be of type integer (type)"),
        (f"skip_policies: ['{SECRET}!']\n", "skip_policies.0: does not match the pattern ^[A-Za-z][A-Za-z0-9_-]*$ (pattern)"),
        (f"owner_map: {{a: ['{SECRET}']}}\n", "owner_map.a: must be of type string (type)"),
        (f"- {SECRET}\n", "(top level): must be of type object (type)"),
    ],
    ids=["enum", "type", "pattern", "nested", "top-level"],
)
def test_config_schema_errors_name_the_key_and_the_rule_not_the_value(tmp_path: Path, config: str, expected: str) -> None:
    repo_tree(tmp_path, config)
    result = invoke("scan", tmp_path, "--no-cache")
    assert result.exit_code == 2
    assert result.stderr == f"iac-guard: {tmp_path / '.iac-guard.yaml'}: {expected}\n"


def test_a_number_too_long_to_read_is_a_config_error(tmp_path: Path) -> None:
    repo_tree(tmp_path, "max_lifetime_days: " + "9" * 5000 + "\n")
    result = invoke("scan", tmp_path, "--no-cache")
    assert result.exit_code == 2
    assert result.stderr == f"iac-guard: {tmp_path / '.iac-guard.yaml'}: the config file is refused (a number too long to read)\n"


def test_policy_pack_schema_errors_name_the_key_and_the_rule_not_the_value(tmp_path: Path) -> None:
    policy = {
        "id": "ACME1", "title": "t", "category": "c", "description": "d", "remediation": "r",
        "fails_when": {"field": "ai", "is": True}, "message": "m",
    }
    policy.update({"severity": SECRET, "title": [SECRET]})
    write_tree(tmp_path / "pack", {"ACME1.yaml": yaml.safe_dump(policy)})
    repo = repo_tree(tmp_path / "repo", None)
    result = invoke("scan", repo, "--no-cache", "--policy-dir", tmp_path / "pack")
    assert result.exit_code == 2
    assert SECRET not in result.output
    path = tmp_path / "pack" / "ACME1.yaml"
    assert f'{path}: severity: must be one of "low", "medium", "high", "critical" (enum)' in result.stderr
    assert f"{path}: title: must be of type string (type)" in result.stderr


def test_test_case_schema_errors_name_the_key_and_the_rule_not_the_value(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tests/cases.tests.yaml": yaml.safe_dump({"cases": [{"name": SECRET, "terraform": 1, "expect": []}]})})
    result = invoke("policies", "test", tmp_path)
    assert result.exit_code == 1  # policies test: 1 for an invalid test case
    assert result.stderr == f"iac-guard: {tmp_path / 'tests' / 'cases.tests.yaml'}: cases.0.terraform: must be of type string (type)\n"


def test_a_baseline_of_an_unknown_version_does_not_echo_it(tmp_path: Path) -> None:
    repo = repo_tree(tmp_path / "repo", None)
    baseline = write_tree(tmp_path, {"b.json": json.dumps({"format": "iac-guard-baseline", "version": SECRET, "findings": []})}) / "b.json"
    result = invoke("scan", repo, "--no-cache", "--baseline", baseline)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"iac-guard: {baseline}: version: this baseline version is not supported (expected ")
    assert SECRET not in result.output
