"""Owners who still exist and environments kept apart (issue 16): the roster of current owners
(CODEOWNERS, YAML, CSV, the config's list), required owner roles, each record's environment, and
IAG009 — on the platform-envs fixture with its exact findings and non-findings, and the
unknown-never-fails twin of each new fact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scanning import FIXTURES, finding_keys, run_scan, settings, write_project

from iac_guard.config.roster import RosterError, codeowners_entries, fold_owner, read_roster
from iac_guard.config.settings import ConfigError, Settings, find_config, load_settings
from iac_guard.inventory.environments import environment_of
from iac_guard.model import UNKNOWN
from iac_guard.pipeline.run import load_pack
from iac_guard.result import ScanResult

PLATFORM = FIXTURES / "projects" / "platform-envs"


def scan_with_config(root: Path, **overrides: Any) -> ScanResult:
    """A scan as the command line runs it: the config found in the scanned folder applies."""
    chosen = load_settings(find_config(root), settings(**overrides), root)
    return run_scan([str(root)], chosen, load_pack(chosen))


def test_the_platform_exact_findings() -> None:
    assert finding_keys(scan_with_config(PLATFORM)) == [
        ("IAG005", "github-secret:OPENAI_API_KEY", ".github/workflows/evals.yml", 27),
        ("IAG009", "github-secret:OPENAI_API_KEY", ".github/workflows/evals.yml", 27),
        ("IAG005", "VaultSecret/kv/data/shared/cohere-rerank-api-key", "k8s/dev/rag-api.yaml", 32),
        ("IAG009", "VaultSecret/kv/data/shared/cohere-rerank-api-key", "k8s/dev/rag-api.yaml", 32),
        ("IAG005", "aws_secretsmanager_secret.openai", "live/dev/main.tf", 18),  # two dev functions: shared, one environment
        ("IAG005", "aws_secretsmanager_secret.openai", "live/prod/main.tf", 24),
        ("IAG009", "aws_secretsmanager_secret.openai", "live/prod/main.tf", 24),  # the staging canary reads it
        ("IAG001", "aws_secretsmanager_secret.anthropic", "live/prod/main.tf", 63),  # data-science is not on the roster
        ("IAG001", "aws_secretsmanager_secret.openai", "live/staging/main.tf", 18),  # no technical owner
    ]


def messages(result: ScanResult, policy: str) -> list[str]:
    return [f.message for f in result.findings if f.policy_id == policy]


def test_messages_name_the_owner_that_is_not_current_the_missing_role_and_the_environments() -> None:
    result = scan_with_config(PLATFORM)
    assert messages(result, "IAG001") == [
        "aws_secretsmanager_secret.anthropic has no accountable owner: owner 'data-science' (from tag owner); "
        "'data-science' is not a current owner (not in owners_file CODEOWNERS)",
        "aws_secretsmanager_secret.openai has no accountable owner: owner 'ml-platform' (from default_tags owner); "
        "no technical owner ('tech-owner' or 'technical-contact')",
    ]
    assert messages(result, "IAG009")[2] == (
        "aws_secretsmanager_secret.openai (environment prod) is used across environments: "
        "aws_lambda_function.assistant (prod), aws_lambda_function.assistant_canary (staging); give each environment its own credential"
    )


def test_the_inventory_shows_owners_by_role_whether_current_and_environments() -> None:
    result = scan_with_config(PLATFORM)
    from iac_guard.report.inventory_rows import inventory_rows

    rows = {(row.credential.root_module, row.credential.address): row.to_dict() for row in inventory_rows(result)}
    prod = rows[("live/prod", "aws_secretsmanager_secret.openai")]
    assert prod["owner"]["roles"] == {"business": "ml-platform", "technical": "alice-ml"}
    assert prod["owner"]["current"] is True
    assert prod["environment"] == "prod"
    assert prod["consumer_environments"] == {"aws_lambda_function.assistant": "prod", "aws_lambda_function.assistant_canary": "staging"}
    assert rows[("live/prod", "aws_secretsmanager_secret.anthropic")]["owner"]["current"] is False
    # Unknown twins: tags known only at apply say nothing of owners, roles or environment.
    cohere = rows[("live/prod", "aws_secretsmanager_secret.cohere")]
    assert (cohere["owner"]["current"], cohere["owner"]["roles"], cohere["environment"]) == (None, None, None)
    assert cohere["failing_policies"] == []
    assert rows[("live/dev", "aws_secretsmanager_secret.openai")]["environment"] == "dev"  # from the folder


def test_the_control_report_shows_owners_by_role_and_whether_current() -> None:
    from iac_guard.policy.frameworks import load_frameworks
    from iac_guard.report.controls.model import build_report

    report = build_report(scan_with_config(PLATFORM), list(load_frameworks().values()))
    cells = {row.credential.address + " " + row.credential.root_module: report.owner_cell(row.credential) for row in report.inventory}
    assert cells["aws_secretsmanager_secret.openai live/prod"] == "ml-platform (business: ml-platform, technical: alice-ml; current)"
    assert cells["aws_secretsmanager_secret.anthropic live/prod"] == "data-science (business: data-science, technical: alice-ml; 'data-science' not current)"
    assert cells["aws_secretsmanager_secret.openai live/staging"] == "ml-platform (business: ml-platform, technical: none; current)"
    assert cells["VaultSecret/kv/data/shared/cohere-rerank-api-key "] == "(owner not known from the code)"  # unknown: no detail


def test_without_the_config_the_same_tree_fails_only_sharing_and_environments() -> None:
    result = run_scan([str(PLATFORM)], settings(), load_pack(settings()))
    assert [key for key in finding_keys(result) if key[0] == "IAG001"] == [
        ("IAG001", "aws_secretsmanager_secret.openai", "live/dev/main.tf", 18),  # business-owner is no owner key by default
    ]
    assert [key[0] for key in finding_keys(result)].count("IAG009") == 3


# --- the roster ---------------------------------------------------------------------------------


def test_codeowners_entries_are_teams_people_and_emails() -> None:
    text = (
        "# comment\n*.tf @acme/platform-eng @alice\n\n[Docs]\n/docs/ docs@example.com # inline\n"
        "/k8s/ @acme/ml-serving\n^[Optional]\n"
    )
    assert codeowners_entries(text) == ["@acme/platform-eng", "@alice", "docs@example.com", "@acme/ml-serving"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("owners.yaml", "- ml-platform\n- '@Alice'\n- {name: search, lead: carol}\n", ["ml-platform", "@Alice", "search"]),
        ("owners.yml", "owners: [ml-platform, secops]\n", ["ml-platform", "secops"]),
        ("teams.yaml", "ml-platform: {slack: '#ml'}\nsearch: {}\n", ["ml-platform", "search"]),
        ("owners.csv", "team,manager\nml-platform,dana\nsearch,erin\n", ["ml-platform", "search"]),
        ("export.csv", "ml-platform,dana\nsearch\n", ["ml-platform", "search"]),
    ],
)
def test_yaml_and_csv_rosters(tmp_path: Path, name: str, text: str, expected: list[str]) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert read_roster(tmp_path / name) == expected


def test_a_roster_that_cannot_be_read_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="owners_file not found; give the path of a CODEOWNERS, YAML or CSV roster"):
        read_roster(tmp_path / "missing.yaml")
    (tmp_path / "owners.yaml").write_text("just: [1, 2]\nteams: 3\n", encoding="utf-8")
    with pytest.raises(RosterError, match="a list of names, or a mapping with an 'owners' list"):
        read_roster(tmp_path / "owners.yaml")


def test_owners_compare_without_case_or_at_and_a_team_by_its_slug(tmp_path: Path) -> None:
    assert fold_owner(" @Acme/ML-Platform ") == "acme/ml-platform"
    write_project(tmp_path, {".git/HEAD": "", ".github/CODEOWNERS": "* @acme/ML-Platform\n",
                             ".iac-guard.yaml": "owners_file: .github/CODEOWNERS\nowners: ['@SecOps']\n"})
    loaded = load_settings(tmp_path / ".iac-guard.yaml", Settings(), tmp_path)
    assert loaded.owner_roster == frozenset({"acme/ml-platform", "ml-platform", "secops"})


def test_a_repository_config_may_not_read_a_roster_outside_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "owners.yaml"
    outside.parent.mkdir()
    outside.write_text("- ml-platform\n", encoding="utf-8")
    repo = write_project(tmp_path / "repo", {".git/HEAD": "", ".iac-guard.yaml": "owners_file: ../elsewhere/owners.yaml\n"})
    with pytest.raises(ConfigError, match="owners_file: the path is outside the repository"):
        load_settings(repo / ".iac-guard.yaml", Settings(), repo)


SECRET = '''resource "aws_secretsmanager_secret" "openai" {{
  name = "openai-api-key"
  tags = {tags}
}}

resource "aws_secretsmanager_secret_rotation" "openai" {{
  secret_id           = aws_secretsmanager_secret.openai.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:111122223333:function:rotate"
  rotation_rules {{ automatically_after_days = 30 }}
}}
'''


@pytest.mark.parametrize(
    ("config", "tags", "expected"),
    [
        ("owners: [ml-platform]\n", '{ owner = "ml-platform" }', []),
        ("owners: [ml-platform]\n", '{ owner = "ML-Platform" }', []),
        ("owners: [ml-platform]\n", '{ owner = "growth" }', ["owner 'growth' (from tag owner); 'growth' is not a current owner (not in owners)"]),
        ("owners: [ml-platform]\n", "var.tags", []),  # unknown twin: the roster cannot judge what is not known
        ("owner_roles: {business: [owner], technical: [tech-owner]}\n", '{ owner = "ml-platform", tech-owner = "alice" }', []),
        ("owner_roles: {business: [owner], technical: [tech-owner]}\n", '{ owner = "ml-platform" }',
         ["owner 'ml-platform' (from tag owner); no technical owner ('tech-owner')"]),
        ("owner_roles: {business: [owner], technical: [tech-owner]}\n", '{ owner = "ml-platform", tech-owner = "TBD" }',
         ["owner 'ml-platform' (from tag owner); no technical owner ('tech-owner')"]),
        ("owner_roles: {business: [owner], technical: [tech-owner]}\n", "var.tags", []),  # unknown twin for roles
        ("owners: [ml-platform]\nowner_roles: {business: [owner], technical: [tech-owner]}\n",
         '{ owner = "ml-platform", tech-owner = "mallory" }',
         ["owner 'ml-platform' (from tag owner); 'mallory' is not a current owner (not in owners)"]),
    ],
)
def test_roster_and_roles_on_one_secret(tmp_path: Path, config: str, tags: str, expected: list[str]) -> None:
    files = {".git/HEAD": "", ".iac-guard.yaml": config, "main.tf": 'variable "tags" { type = map(string) }\n' + SECRET.format(tags=tags)}
    result = scan_with_config(write_project(tmp_path, files))
    assert [m.split(": ", 1)[1] for m in messages(result, "IAG001")] == expected


# --- environments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "provider", "file", "root", "tags", "expected"),
    [
        ("aws_lambda_function.a", "aws", "modules/app/main.tf", "live/prod/us-east-1", {}, "prod"),
        ("aws_lambda_function.a", "aws", "envs/staging/main.tf", "envs/staging", {}, "staging"),
        ("aws_lambda_function.a", "aws", "main.tf", ".", {"Environment": "Production"}, "prod"),
        ("aws_lambda_function.a", "aws", "main.tf", ".", {"stage": "perf"}, "perf"),  # a tag states it even unpatterned
        ("aws_lambda_function.a", "aws", "live/prod/main.tf", "live/prod", {"env": "dev"}, "dev"),  # the tag wins
        ("aws_lambda_function.a", "aws", "live/prod/main.tf", "live/prod", UNKNOWN, UNKNOWN),  # tags unknown: unknown
        ("aws_lambda_function.a", "aws", "main.tf", ".", {"env": UNKNOWN}, UNKNOWN),
        ("aws_lambda_function.a", "aws", "infra/main.tf", "infra", {}, UNKNOWN),  # nothing says
        ("Deployment/ml-prod/chat", "kubernetes", "k8s/base/chat.yaml", "", {}, "prod"),
        ("Deployment/support-bot/chat", "kubernetes", "k8s/overlays/dev/chat.yaml", "", {}, "dev"),  # the folder
        ("Deployment/support-bot/chat", "kubernetes", "k8s/base/chat.yaml", "", {}, UNKNOWN),
        ("workflow:.github/workflows/x.yml/jobs/a", "github-actions", ".github/workflows/x.yml", "", {"environment": "qa"}, "test"),
    ],
)
def test_environment_of(address: str, provider: str, file: str, root: str, tags: Any, expected: Any) -> None:
    assert environment_of(address, provider, file, root, tags, Settings()) == expected


def test_var_files_name_the_environment_of_terraform_records_only() -> None:
    chosen = Settings(var_files=(Path("vars/prod.tfvars"),))
    assert environment_of("aws_lambda_function.a", "aws", "main.tf", ".", {}, chosen) == "prod"
    assert environment_of("Deployment/ml/chat", "kubernetes", "k8s/chat.yaml", "", {}, chosen) == UNKNOWN


def test_configured_environments_replace_the_default_patterns(tmp_path: Path) -> None:
    write_project(tmp_path, {".git/HEAD": "", ".iac-guard.yaml": (
        "environments: {prod: [prd-*, live], nonprod: ['dev*', 'stag*', qa]}\nproduction_environments: [prod]\nenvironment_keys: [tier]\n"
    )})
    loaded = load_settings(tmp_path / ".iac-guard.yaml", Settings(), tmp_path)
    assert environment_of("x.a", "aws", "main.tf", ".", {"tier": "Staging"}, loaded) == "nonprod"
    assert environment_of("x.a", "aws", "main.tf", ".", {"environment": "prod"}, loaded) == UNKNOWN  # not a key now
    assert environment_of("Deployment/prd-eu/a", "kubernetes", "a.yaml", "", {}, loaded) == "prod"
