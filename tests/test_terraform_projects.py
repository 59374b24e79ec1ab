"""Terraform as real projects write it: a root calling local modules with different inputs, tags
through three levels, for_each over a map of teams, a dynamic policy statement, tfvars overriding
defaults, a registry module that was never downloaded, variables from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path, write_project

from iac_guard.discover import discover
from iac_guard.providers import DATA_SOURCES
from iac_guard.terraform.loader import load_modules

PROJECT = FIXTURES / "terraform" / "modules_project"


def test_modules_project_findings_are_exactly_these() -> None:
    result = scan_path(PROJECT)
    assert result.errors == []
    assert finding_keys(result) == [
        ("IAG001", 'aws_iam_user.team["vision"]', "live/prod/main.tf", 37),
        ("IAG001", "module.batch.aws_iam_user.this", "modules/ai-service/main.tf", 3),
        ("IAG002", "module.batch.aws_iam_access_key.this", "modules/ai-service/main.tf", 10),
        ("IAG003", "module.batch.aws_iam_access_key.this", "modules/ai-service/main.tf", 13),
        ("IAG004", "module.batch.aws_iam_user.this", "modules/bedrock-policy/main.tf", 30),
    ]


def test_module_folders_are_not_roots_and_each_call_is_its_own_instance() -> None:
    modules, errors = load_modules(discover([str(PROJECT)]), DATA_SOURCES)
    assert errors == []
    assert [m.directory for m in modules] == ["live/prod"]
    addresses = [r.address for r in modules[0].resources if r.resource_type.startswith("aws_iam")]
    assert addresses == [
        'aws_iam_user.team["search"]', 'aws_iam_user.team["vision"]',
        'aws_iam_access_key.team["search"]', 'aws_iam_access_key.team["vision"]',
        'aws_iam_user_policy.team["search"]', 'aws_iam_user_policy.team["vision"]',
        "aws_iam_access_key.partner",
        "module.chat.aws_iam_user.this", "module.chat.aws_iam_access_key.this",
        "module.chat.module.policy.aws_iam_user_policy.invoke",
        "module.batch.aws_iam_user.this", "module.batch.aws_iam_access_key.this",
        "module.batch.module.policy.aws_iam_user_policy.invoke",
    ]


def test_compliant_instances_are_judged_by_their_own_inputs() -> None:
    inventory = scan_path(PROJECT).inventory
    [chat_user] = inventory.credentials_at("module.chat.aws_iam_user.this")
    [chat_key] = inventory.credentials_at("module.chat.aws_iam_access_key.this")
    [search_key] = inventory.credentials_at('aws_iam_access_key.team["search"]')
    assert chat_user.owner.value == "ml-platform"
    assert (chat_key.rotation.period_days, chat_key.rotation.mechanism) == (30, "module.chat.time_rotating.key")
    assert chat_key.owner.value == "ml-platform" and chat_key.parent == "module.chat.aws_iam_user.this"
    assert not chat_user.scope.wildcard
    assert (search_key.rotation.period_days, search_key.owner.value) == (30, "search-team")


def test_tags_pass_through_three_levels() -> None:
    [secret] = scan_path(PROJECT, scope="all").inventory.credentials_at("module.chat.module.policy.aws_secretsmanager_secret.model_config")
    assert secret.owner.value == "ml-platform"
    assert secret.tags == {"cost-center": "ai-platform", "owner": "ml-platform", "environment": "prod", "managed-by": "terraform"}


def test_what_a_registry_module_creates_stays_unknown() -> None:
    result = scan_path(PROJECT, scope="all")
    [partner] = result.inventory.credentials_at("aws_iam_access_key.partner")
    assert partner.parent is None and partner.ai_reasons == ()
    # Known: it never rotates. Unknown: its owner, so no missing-owner finding.
    assert {f.policy_id for f in result.findings if f.resource == "aws_iam_access_key.partner"} == {"IAG002", "IAG003"}


def test_downloaded_module_copy_is_used_when_terraform_init_listed_it(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "main.tf": 'module "gateway" {\n  source = "acme/gateway/aws"\n  owner  = "tbd"\n}\n',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "gateway", "Source": "registry.terraform.io/acme/gateway/aws", "Dir": ".terraform/modules/gateway"},
        ]}),
        ".terraform/modules/gateway/main.tf": (
            'variable "owner" {}\nresource "aws_iam_user" "openai_gateway" {\n  name = "openai-gateway"\n'
            '  tags = { owner = var.owner }\n}\n'
        ),
    })
    assert finding_keys(scan_path(tmp_path)) == [
        ("IAG001", "module.gateway.aws_iam_user.openai_gateway", ".terraform/modules/gateway/main.tf", 4),
    ]


OPENAI_USER = '''
variable "owner" {
  type = string
}
variable "rotation" {
  type    = number
  default = 30
}
resource "time_rotating" "key" {
  rotation_days = var.rotation
}
resource "aws_iam_user" "openai" {
  name = "openai-proxy"
  tags = { owner = var.owner }
}
resource "aws_iam_access_key" "openai" {
  user = aws_iam_user.openai.name
  lifecycle {
    replace_triggered_by = [time_rotating.key]
  }
}
'''


def test_var_file_and_var_override_tfvars_in_terraforms_order(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "main.tf": OPENAI_USER,
        "terraform.tfvars": 'owner = "ml"\n',
        "prod.tfvars": 'owner = "tbd"\nrotation = 365\n',
    })
    assert finding_keys(scan_path(tmp_path)) == []
    with_file = scan_path(tmp_path, var_files=(tmp_path / "prod.tfvars",))
    assert [(f.policy_id, f.resource) for f in with_file.findings] == [
        ("IAG001", "aws_iam_user.openai"), ("IAG002", "aws_iam_access_key.openai"), ("IAG003", "aws_iam_access_key.openai"),
    ]
    overridden = scan_path(tmp_path, var_files=(tmp_path / "prod.tfvars",), variables=(("owner", "ml"), ("rotation", "30")))
    assert finding_keys(overridden) == []


def test_environment_variables_only_when_asked(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI_USER})
    assert finding_keys(scan_path(tmp_path)) == []  # owner unknown: not judged
    given = scan_path(tmp_path, environment_variables=(("owner", "none"),))
    assert [f.policy_id for f in given.findings] == ["IAG001"]


def test_file_reads_stay_inside_the_scanned_tree(tmp_path: Path) -> None:
    outside = tmp_path / "secret-policy.json"
    outside.write_text('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    project = tmp_path / "project"
    write_project(project, {
        "policies/admin.json": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
        "policies/invoke.tpl": '{"Statement": [{"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "${model_arn}"}]}',
        "main.tf": '''
resource "aws_iam_role" "openai" {
  name = "openai-admin"
  tags = { owner = "ml" }
}
resource "aws_iam_role_policy" "inside" {
  role   = aws_iam_role.openai.id
  policy = file("${path.module}/policies/admin.json")
}
resource "aws_iam_role" "bedrock" {
  name = "bedrock-invoker"
  tags = { owner = "ml" }
}
resource "aws_iam_role_policy" "template" {
  role   = aws_iam_role.bedrock.id
  policy = templatefile("policies/invoke.tpl", { model_arn = "arn:aws:bedrock:us-east-1::foundation-model/x" })
}
resource "aws_iam_role" "escape" {
  name = "bedrock-escape"
  tags = { owner = "ml" }
}
resource "aws_iam_role_policy" "outside" {
  role   = aws_iam_role.escape.id
  policy = file("../secret-policy.json")
}
''',
    })
    result = scan_path(project)
    assert [(f.policy_id, f.resource) for f in result.findings] == [("IAG004", "aws_iam_role.openai")]
    [bedrock] = result.inventory.credentials_at("aws_iam_role.bedrock")
    assert bedrock.scope.grants[0].actions == ("bedrock:InvokeModel",)
    [escape] = result.inventory.credentials_at("aws_iam_role.escape")
    assert escape.scope.grants == ()  # the file outside the tree is never read
