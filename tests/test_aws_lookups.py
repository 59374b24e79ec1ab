"""IAM as terraform-aws-modules and platform repositories write it (issue 14): managed policies looked
up by name, and optional statement arguments passed as null."""

from __future__ import annotations

from pathlib import Path

from scanning import finding_keys, scan_path, write_project

MAIN_TF = '''data "aws_iam_policy" "bedrock" {
  name = "AmazonBedrockFullAccess"
}
data "aws_iam_policy" "custom" {
  name = "team-bedrock-invoke"
}
resource "aws_iam_role" "agent" {
  name = "bedrock-agent"
  tags = { owner = "ml" }
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }] })
}
resource "aws_iam_role_policy_attachment" "full" {
  role       = aws_iam_role.agent.name
  policy_arn = data.aws_iam_policy.bedrock.arn
}
resource "aws_iam_role" "other" {
  name = "bedrock-other"
  tags = { owner = "ml" }
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }] })
}
resource "aws_iam_role_policy_attachment" "custom" {
  role       = aws_iam_role.other.name
  policy_arn = data.aws_iam_policy.custom.arn
}
data "aws_iam_policy_document" "nulls" {
  statement {
    actions       = ["bedrock:InvokeModel"]
    resources     = ["arn:aws:bedrock:us-east-1::foundation-model/x"]
    not_actions   = null
    not_resources = null
  }
}
resource "aws_iam_role_policy" "nulls" {
  role   = aws_iam_role.other.id
  policy = data.aws_iam_policy_document.nulls.json
}
'''


def test_a_managed_policy_looked_up_by_name_grants_what_it_grants_and_a_customer_one_is_unknown(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": MAIN_TF})
    result = scan_path(tmp_path, scope="all")
    assert finding_keys(result) == [("IAG004", "aws_iam_role.agent", "main.tf", 14)]
    (other,) = [c for c in result.inventory.credentials if c.address == "aws_iam_role.other"]
    assert other.scope.wildcard is False  # null not_actions / not_resources are unset, not wildcards


def test_a_looked_up_policy_by_arn_is_that_policy(tmp_path: Path) -> None:
    by_arn = MAIN_TF.replace('name = "AmazonBedrockFullAccess"', 'arn = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"')
    write_project(tmp_path, {"main.tf": by_arn})
    assert finding_keys(scan_path(tmp_path, scope="all")) == [("IAG004", "aws_iam_role.agent", "main.tf", 14)]
