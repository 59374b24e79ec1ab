"""The credential inventory: every credential of the fixtures with its owner, expiry, rotation,
scope and consumers (exact rows), in every format, never with a secret value."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from scanning import FIXTURES, scan_path, write_project
from test_no_secret_in_output import PROJECT, SECRETS

from iac_guard.cli import main
from iac_guard.report.inventory_formats import RENDERERS, render_table
from iac_guard.report.inventory_rows import inventory_rows

ML_PLATFORM = FIXTURES / "projects" / "ml-platform"
UNKNOWN = "(not known from the code)"

# address, kind, owner, expiry, rotation, wildcard, consumers, file:line, failing policies
AI_ROWS = [
    ("ExternalSecret/platform/hf-token", "secret", "ml-infra", UNKNOWN, "none", "no", (), "k8s/platform/postgres.yaml:11", "IAG003"),
    ("Secret/chat/anthropic", "secret", "chat-team", "30 days", "every 30 days", "no",
     ("Deployment/chat/chat-api", "Deployment/chat/chat-worker"), "k8s/chat/secrets.yaml:2", "IAG005"),
    ("Secret/chat/openai-legacy", "secret", "(none)", "never", "none", "no", (), "k8s/chat/secrets.yaml:14", "IAG001 IAG002 IAG003 IAG006"),
    ("ServiceAccount/chat/chat-api", "service-account", "chat-team", "short-lived", "none", "no",
     ("Deployment/chat/chat-api",), "k8s/chat/workloads.yaml:1", ""),
    ("ServiceAccount/chat/chat-worker", "service-account", "(none)", "short-lived", "none", "yes",
     ("Deployment/chat/chat-worker",), "k8s/chat/workloads.yaml:9", "IAG001 IAG004"),
    ("aws_iam_access_key.github_actions", "access-key", "platform-team", "30 days", "every 30 days", "yes", (), "infra/ci-keys/main.tf:22", ""),
    ("aws_iam_access_key.legacy_bot", "access-key", UNKNOWN, "never", "none", "no", (), "infra/ci-keys/main.tf:49", "IAG002 IAG003"),
    ("aws_iam_role.chat", "role", "chat-team", "short-lived", "none", "no",
     ("aws_lambda_function.chat", "aws_lambda_function.moderation"), "infra/chat-service/iam.tf:1", "IAG005"),
    ("aws_iam_role.ops_agent", "role", "ml-agents", "short-lived", "none", "yes", ("aws_bedrockagent_agent.ops",), "infra/bedrock-agent/agent.tf:38", "IAG004"),
    ("aws_iam_role.support_agent", "role", "ml-agents", "short-lived", "none", "no", ("aws_bedrockagent_agent.support",), "infra/bedrock-agent/agent.tf:12", ""),
    ("aws_iam_user.github_actions", "user", "platform-team", "never", "none", "yes", (), "infra/ci-keys/main.tf:17", "IAG004"),
    ("aws_iam_user.legacy_bot", "user", UNKNOWN, "never", "none", "no", (), "infra/ci-keys/main.tf:44", ""),
    ("aws_secretsmanager_secret.anthropic", "secret", "unknown", "never", "none", "no", (), "infra/chat-service/secrets.tf:16", "IAG001 IAG002 IAG003"),
    ("aws_secretsmanager_secret.openai", "secret", "chat-team", "30 days", "every 30 days", "no", ("aws_lambda_function.chat",), "infra/chat-service/secrets.tf:2", ""),
    ("aws_ssm_parameter.cohere", "secret", "chat-team", "never", "none", "no", (), "infra/chat-service/secrets.tf:27", "IAG002 IAG003"),
    ("var.huggingface_token", "token", "(none)", "never", "none", "no", (), "infra/chat-service/terraform.tfvars:2", "IAG006"),
]
NOT_AI_ROWS = [
    ("Secret/platform/postgres", "secret", "(none)", "never", "none", "no", (), "k8s/platform/postgres.yaml:2", "IAG001 IAG002 IAG003 IAG006"),
    ("aws_secretsmanager_secret.db_password", "secret", "(none)", "never", "none", "no", ("aws_lambda_function.chat",),
     "infra/chat-service/secrets.tf:22", "IAG001 IAG002 IAG003"),
]


def rows(scope: str) -> list[tuple]:
    result = []
    for row in inventory_rows(scan_path(ML_PLATFORM, scope=scope)):
        c = row.text_columns()
        result.append((c["address"], c["kind"], c["owner"], c["expiry"], c["rotation"], c["wildcard"],
                       row.credential.consumers, row.location, c["failing policies"]))
    return result


def test_ai_scope_lists_every_ai_credential_with_its_consumers() -> None:
    assert rows("ai") == AI_ROWS


def test_scope_all_lists_every_credential() -> None:
    assert rows("all") == sorted(AI_ROWS + NOT_AI_ROWS, key=lambda r: r[0])


def test_where_each_value_came_from() -> None:
    by_address = {r.credential.address: r.text_columns() for r in inventory_rows(scan_path(ML_PLATFORM))}
    key = by_address["aws_iam_access_key.github_actions"]
    assert (key["owner source"], key["rotation mechanism"], key["parent"]) == (
        "inherited from aws_iam_user.github_actions", "time_rotating.github_actions", "aws_iam_user.github_actions"
    )
    assert key["scope"] == (
        "inherited from aws_iam_user.github_actions; wildcard: Resource \"*\" on actions that can be scoped to resources "
        "(bedrock:InvokeModel); access levels Read"
    )
    assert by_address["aws_iam_role.ops_agent"]["scope"] == "wildcard: AWS managed policy AdministratorAccess grants administrator access"
    assert by_address["aws_iam_role.chat"]["scope"] == "no wildcard (1 grant)"
    assert by_address["aws_iam_role.chat"]["AI reasons"] == (
        "identity of aws_lambda_function.chat, which uses the AI credential aws_secretsmanager_secret.openai"
    )
    assert by_address["aws_iam_user.legacy_bot"]["owner source"] == "tags not known before apply"
    assert by_address["var.huggingface_token"]["hardcoded"].startswith("value: hf_…")


def test_json_rows_use_the_addresses_findings_use() -> None:
    result = scan_path(ML_PLATFORM)
    document = json.loads(RENDERERS["json"](inventory_rows(result)))
    assert list(document) == ["credentials"]
    addresses = [row["address"] for row in document["credentials"]]
    assert addresses == [r[0] for r in AI_ROWS]
    assert {f.resource for f in result.findings} <= set(addresses)
    (legacy,) = [r for r in document["credentials"] if r["address"] == "aws_iam_user.legacy_bot"]
    assert legacy["owner"] == {"value": None, "known": False, "source": "tags not known before apply", "current": None, "roles": {}}
    (anthropic,) = [r for r in document["credentials"] if r["address"] == "Secret/chat/anthropic"]
    assert anthropic["consumers"] == ["Deployment/chat/chat-api", "Deployment/chat/chat-worker"]
    assert anthropic["rotation"] == {"period_days": 30.0, "known": True, "mechanism": "annotation iac-guard.io/rotation-period", "text": "every 30 days"}
    assert (anthropic["file"], anthropic["line"]) == ("k8s/chat/secrets.yaml", 2)


def test_csv_opens_as_a_spreadsheet_table() -> None:
    text = RENDERERS["csv"](inventory_rows(scan_path(ML_PLATFORM, scope="all")))
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == len(AI_ROWS) + len(NOT_AI_ROWS)
    assert text.splitlines()[0].startswith("address,root module,provider,type,kind,AI,AI reasons,owner,owner source,expiry")
    (db,) = [r for r in records if r["address"] == "aws_secretsmanager_secret.db_password"]
    assert (db["AI"], db["root module"], db["consumers"], db["file"], db["line"]) == (
        "no", "infra/chat-service", "aws_lambda_function.chat", "infra/chat-service/secrets.tf", "22"
    )


def test_markdown_table_has_a_row_per_credential() -> None:
    text = RENDERERS["markdown"](inventory_rows(scan_path(ML_PLATFORM)))
    table = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(table) == len(AI_ROWS)
    assert (
        "| `Secret/chat/anthropic` | secret | 'anthropic' names Anthropic; used as ANTHROPIC_API_KEY by "
        "Deployment/chat/chat-api (Anthropic) | chat-team (label owner) | 30 days | every 30 days | no grants | "
        "Deployment/chat/chat-api, Deployment/chat/chat-worker | `k8s/chat/secrets.yaml:2` | IAG005 |"
    ) in table
    assert "16 credential(s), 16 of them AI credential(s)." in text


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_table_is_plain_when_piped_and_exits_0() -> None:
    result = invoke("inventory", str(ML_PLATFORM))
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output
    assert "aws_iam_role.ops_agent" in result.output and "aws_secretsmanager_secret.db_password" not in result.output
    assert result.output.rstrip().endswith("16 credential(s), 16 of them AI credential(s).")


def _stacked_blocks(text: str) -> dict[str, dict[str, str]]:
    """The stacked view read back: address → {label: value}, continuation lines joined."""
    blocks = {}
    for block in text.strip().split("\n\n")[:-1]:
        head, *lines = block.splitlines()
        fields: dict[str, str] = {}
        label = ""
        for line in lines:
            label = line[2:13].strip() or label
            fields[label] = " ".join(filter(None, (fields.get(label, ""), line[13:])))
        blocks[head] = fields
    return blocks


def test_cli_table_at_80_columns_stacks_each_credential_and_keeps_every_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = invoke("inventory", str(ML_PLATFORM))
    assert result.exit_code == 0
    assert max(len(line) for line in result.output.splitlines()) <= 80
    blocks = _stacked_blocks(result.output)
    assert list(blocks) == [row[0] for row in AI_ROWS]
    for address, kind, owner, expiry, rotation, _, consumers, location, failing in AI_ROWS:
        fields = blocks[address]
        assert list(fields) == ["kind", "owner", "expiry", "rotation", "scope", "consumers", "location", "failing"]
        assert (fields["kind"], fields["owner"], fields["expiry"], fields["rotation"]) == (kind, owner, expiry, rotation)
        assert (fields["consumers"], fields["location"], fields["failing"]) == (" ".join(consumers) or "none", location, failing or "none")
    scope = blocks["aws_iam_access_key.github_actions"]["scope"]
    assert scope == ('inherited from aws_iam_user.github_actions; wildcard: Resource "*" on actions that can be scoped '
                     "to resources (bedrock:InvokeModel); access levels Read")
    assert result.output.endswith("\n\n16 credential(s), 16 of them AI credential(s).\n")


def test_cli_table_stays_a_table_where_it_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    wide = invoke("inventory", str(ML_PLATFORM)).output
    monkeypatch.delenv("COLUMNS")
    unbounded = invoke("inventory", str(ML_PLATFORM)).output
    assert wide == unbounded
    assert wide.strip().splitlines()[0].split() == ["address", "kind", "owner", "expiry", "rotation", "scope", "consumers", "location", "failing", "policies"]


def test_an_address_longer_than_the_line_is_broken_never_cut(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "openai_" + "x" * 90
    write_project(tmp_path, {"main.tf": f'resource "aws_secretsmanager_secret" "{name}" {{\n  name = "openai"\n}}\n'})
    monkeypatch.setenv("COLUMNS", "40")
    lines = invoke("inventory", str(tmp_path)).output.splitlines()
    assert max(len(line) for line in lines) <= 40
    assert "".join(lines[:4]) == f"aws_secretsmanager_secret.{name}" and lines[4] == "  kind       secret"
    assert "  owner      (none)" in lines and "  expiry     never" in lines and "  rotation   none" in lines


def test_cli_scope_all_and_output_file(tmp_path) -> None:
    target = tmp_path / "inventory.csv"
    result = invoke("inventory", str(ML_PLATFORM), "--scope", "all", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0
    assert "wrote" in result.output and "(18 credential(s))" in result.output
    assert len(list(csv.DictReader(target.open(encoding="utf-8", newline="")))) == 18


@pytest.mark.parametrize("output_format", sorted(RENDERERS))
def test_no_secret_value_in_any_inventory_format(tmp_path, output_format: str) -> None:
    write_project(tmp_path, PROJECT)
    result = invoke("inventory", str(tmp_path), "--scope", "all", "--format", output_format)
    assert result.exit_code == 2  # the project has files that do not parse
    for secret in SECRETS:
        assert secret not in result.output
    assert "var.openai_api_key" in result.output


@pytest.mark.parametrize("output_format", ["html", "markdown", "json", "csv"])
def test_no_secret_value_in_any_report_format(tmp_path, output_format: str) -> None:
    write_project(tmp_path, PROJECT)
    result = invoke("report", str(tmp_path), "--scope", "all", "--format", output_format)
    for secret in SECRETS:
        assert secret not in result.output
    assert "sk-proj-…" in result.output


def test_colour_takes_no_columns_when_choosing_table_or_stack() -> None:
    rows = inventory_rows(scan_path(ML_PLATFORM))
    plain_width = max(len(line) for line in RENDERERS["table"](rows).splitlines())
    fits = render_table(rows, color=True, width=plain_width)
    assert "\x1b[1m" in fits and re.sub(r"\x1b\[[0-9;]*m", "", fits).strip().startswith("address")
    stacked = render_table(rows, color=True, width=plain_width - 1)
    assert stacked.startswith("\x1b[1mExternalSecret/platform/hf-token\x1b[0m\n  kind       secret\n")
