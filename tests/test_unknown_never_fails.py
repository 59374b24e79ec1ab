"""An unresolvable value never yields a failing finding: one case per category.

Each case is written so that the deciding value is known only after apply (a variable with no
value, a resource attribute, a module output) — and beside it a twin where the same value is
known and bad, to prove the policy would fire if it could tell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import scan_path, write_project

HEADER = 'variable "unknown" {}\nvariable "unknown_list" {}\nvariable "unknown_map" {}\n'

CASES = {
    "missing-owner": (
        'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-key"\n  tags = { owner = var.unknown }\n}\n',
        'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-key"\n  tags = { owner = "tbd" }\n}\n',
        "IAG001",
    ),
    "missing-expiry": (
        'resource "time_rotating" "r" {\n  rotation_days = var.unknown\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "openai-bot"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_iam_access_key" "k" {\n  user = aws_iam_user.u.name\n'
        '  lifecycle {\n    replace_triggered_by = [time_rotating.r]\n  }\n}\n',
        'resource "time_rotating" "r" {\n  rotation_days = 365\n}\n'
        'resource "aws_iam_user" "u" {\n  name = "openai-bot"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_iam_access_key" "k" {\n  user = aws_iam_user.u.name\n'
        '  lifecycle {\n    replace_triggered_by = [time_rotating.r]\n  }\n}\n',
        "IAG002",
    ),
    "missing-rotation": (
        'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-key"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_secretsmanager_secret_rotation" "r" {\n  secret_id = aws_secretsmanager_secret.openai.id\n'
        '  rotation_rules {\n    automatically_after_days = var.unknown\n  }\n}\n',
        'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-key"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_secretsmanager_secret_rotation" "r" {\n  secret_id = aws_secretsmanager_secret.openai.id\n'
        '  rotation_rules {\n    automatically_after_days = 400\n  }\n}\n',
        "IAG003",
    ),
    "wildcard-scope": (
        'resource "aws_iam_role" "bedrock" {\n  name = "bedrock-agent"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.bedrock.id\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.unknown_list, Resource = var.unknown }] })\n}\n',
        'resource "aws_iam_role" "bedrock" {\n  name = "bedrock-agent"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.bedrock.id\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["bedrock:*"], Resource = "*" }] })\n}\n',
        "IAG004",
    ),
    "shared-credential": (
        'resource "aws_iam_role" "openai" {\n  name = "openai-fn"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_lambda_function" "a" {\n  function_name = "a"\n  role = aws_iam_role.openai.arn\n}\n'
        'resource "aws_lambda_function" "b" {\n  function_name = "b"\n  role = var.unknown\n}\n',
        'resource "aws_iam_role" "openai" {\n  name = "openai-fn"\n  tags = { owner = "ml" }\n}\n'
        'resource "aws_lambda_function" "a" {\n  function_name = "a"\n  role = aws_iam_role.openai.arn\n}\n'
        'resource "aws_lambda_function" "b" {\n  function_name = "b"\n  role = aws_iam_role.openai.arn\n}\n',
        "IAG005",
    ),
    "hardcoded-secret": (
        'resource "aws_lambda_function" "chat" {\n  function_name = "chat"\n'
        '  environment {\n    variables = { OPENAI_API_KEY = var.unknown }\n  }\n}\n',
        'resource "aws_lambda_function" "chat" {\n  function_name = "chat"\n'
        '  environment {\n    variables = { OPENAI_API_KEY = "sk-proj-' + "Y6u7I8o9" * 6 + '" }\n  }\n}\n',
        "IAG006",
    ),
}


@pytest.mark.parametrize("category", sorted(CASES))
def test_unknown_value_never_fails_but_its_known_twin_does(tmp_path: Path, category: str) -> None:
    unknown, known, policy_id = CASES[category]
    write_project(tmp_path / "unknown", {"main.tf": HEADER + unknown})
    write_project(tmp_path / "known", {"main.tf": HEADER + known})
    assert [f for f in scan_path(tmp_path / "unknown").findings if f.policy_id == policy_id] == []
    assert [f.category for f in scan_path(tmp_path / "known").findings if f.policy_id == policy_id] == [category]


def test_for_each_over_an_unknown_map_is_one_representative_judged_on_what_is_known(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": HEADER + '''
resource "aws_iam_user" "team" {
  for_each = var.unknown_map
  name     = "openai-${each.key}"
  tags     = { owner = each.value.owner }
}
resource "aws_iam_access_key" "team" {
  for_each = var.unknown_map
  user     = aws_iam_user.team[each.key].name
}
'''})
    result = scan_path(tmp_path)
    # Owner unknown (each.value): not judged. No rotation: known, whatever the keys are.
    assert [(f.policy_id, f.resource) for f in result.findings] == [
        ("IAG002", "aws_iam_access_key.team"), ("IAG003", "aws_iam_access_key.team"),
    ]
