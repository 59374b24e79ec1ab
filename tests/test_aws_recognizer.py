"""The AWS recognizer (with terraform_inputs and the inventory) on realistic root modules under
tests/fixtures/terraform/: exact owners, lifetimes, rotations, grants, usages and AI reasons, for the
compliant resources as much as for the non-compliant ones beside them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from conftest import TERRAFORM_FIXTURES, expected_fingerprint, fake_key
from recognizing import flagged as gate_flagged
from scanning import write_project

from iac_guard.config.settings import Settings
from iac_guard.discover import discover
from iac_guard.inventory.build import Inventory, build_inventory
from iac_guard.model import Credential, Expiry, Extraction, Location, Owner, Rotation, SecretLiteral, Unknown
from iac_guard.providers import DATA_SOURCES, aws, terraform_inputs
from iac_guard.providers.project import Project
from iac_guard.terraform.loader import load_modules

OPENAI_KEY = fake_key("sk-proj-")
ONE_HOUR = 1 / 24
STS = "STS sessions last max_session_duration (default 1 hour)"


@dataclass(frozen=True)
class Scan:
    inventory: Inventory

    def credential(self, address: str) -> Credential:
        (found,) = self.inventory.credentials_at(address)
        return found

    def has(self, address: str) -> bool:
        return bool(self.inventory.credentials_at(address))

    def usages_of(self, workload: str) -> list[tuple[str, str, int | None]]:
        return [(u.via, u.credential, u.location.line if u.location else None) for u in self.inventory.usages if u.workload == workload]

    def workload(self, address: str):
        (found,) = [w for w in self.inventory.workloads if w.address == address]
        return found


def scan_path(path: Path) -> Scan:
    sources = discover([str(path)])
    modules, errors = load_modules(sources, DATA_SOURCES)
    assert errors == []
    project = Project(sources.root, modules)
    extraction = Extraction()
    for recognize in (terraform_inputs.extract, aws.extract):
        extraction.extend(recognize(project, Settings()))
    return Scan(build_inventory(extraction))


@cache
def fixture(name: str) -> Scan:
    return scan_path(TERRAFORM_FIXTURES / name)


def scan_source(tmp_path: Path, main_tf: str, **other_files: str) -> Scan:
    return scan_path(write_project(tmp_path, {"main.tf": main_tf, **other_files}))


def grant_summary(credential: Credential) -> list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    return [(g.statement, g.actions, g.resources, g.wildcard_reasons) for g in credential.scope.grants]


# == aws_iam_keys: users, access keys, owners, rotation ==========================================

def keys() -> Scan:
    return fixture("aws_iam_keys")


def test_user_owner_comes_from_its_own_tag_with_the_tag_as_evidence():
    user = keys().credential("aws_iam_user.ci")
    assert user.owner == Owner("devops", "tag owner")
    assert user.evidence["owner"] == Location("users.tf", 6, 8)
    assert user.tags == {"environment": "prod", "managed_by": "terraform", "owner": "devops"}


def test_access_key_inherits_its_users_owner_scope_and_parent():
    key = keys().credential("aws_iam_access_key.ci")
    assert key.owner == Owner("devops", "inherited from aws_iam_user.ci", inherited=True)
    assert (key.parent, key.scope.inherited_from, key.name) == ("aws_iam_user.ci", "aws_iam_user.ci", "ci-deployer")
    assert key.scope.grants == keys().credential("aws_iam_user.ci").scope.grants


def test_owner_from_an_aliased_providers_default_tags_reaches_the_key():
    assert keys().credential("aws_iam_user.inference_bot").owner == Owner("ml-platform", "default_tags Owner")
    assert keys().credential("aws_iam_access_key.inference_bot").owner == Owner("ml-platform", "inherited from aws_iam_user.inference_bot", inherited=True)


def test_aliased_default_tags_do_not_apply_to_resources_of_the_default_provider():
    legacy = keys().credential("aws_iam_user.legacy")
    assert legacy.owner == Owner(None)
    assert legacy.tags == {"environment": "prod", "managed_by": "terraform"}
    assert keys().credential("aws_iam_access_key.legacy").owner == Owner(None, "inherited from aws_iam_user.legacy", inherited=True)


def test_key_replaced_by_time_rotating_rotates_and_expires_on_that_schedule():
    key = keys().credential("aws_iam_access_key.ci")
    mechanism = "time_rotating.ci_key"
    assert key.rotation == Rotation(30, mechanism)  # rotation_days = var.key_rotation_days, 30 in terraform.tfvars
    assert key.expiry == Expiry(30, False, f"rotation by {mechanism}")
    assert key.evidence["rotation"] == Location("users.tf", 19, 19)


def test_key_without_a_schedule_never_rotates_and_never_expires():
    for address in ("aws_iam_access_key.legacy", "aws_iam_access_key.inference_bot"):
        key = keys().credential(address)
        assert key.rotation == Rotation(None)
        assert key.expiry == Expiry(None, source="IAM access keys never expire")
        assert "rotation" not in key.evidence


def test_user_grants_from_inline_policy_and_policy_attachment_of_a_policy_document():
    assert grant_summary(keys().credential("aws_iam_user.ci")) == [
        ("aws_iam_user_policy.ci_artifacts statement 1", ("s3:GetObject", "s3:PutObject"), ("arn:aws:s3:::acme-ci-artifacts/*",), ()),
        ("aws_iam_user_policy.ci_artifacts statement 2", ("sts:GetCallerIdentity",), ("*",), ()),
        ("aws_iam_policy.read_reports statement 1", ("s3:GetObject",), ("arn:aws:s3:::acme-reports/*",), ()),
    ]
    assert "scope" not in keys().credential("aws_iam_user.ci").evidence


def test_group_inline_and_attached_policies_reach_members_through_group_membership():
    model = "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"
    assert grant_summary(keys().credential("aws_iam_user.inference_bot")) == [
        ("aws_iam_group_policy.invoke_claude statement 1", ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"), (model,), ()),
        ("aws_iam_group_policy_attachment.model_users_catalog (AmazonBedrockReadOnly)", ("bedrock:Get*", "bedrock:List*"), ("*",), ()),
    ]


def test_ai_reasons_of_keys_from_names_and_grants_and_none_for_the_ci_key():
    assert keys().credential("aws_iam_access_key.inference_bot").ai_reasons == (
        "'inference_bot' names an AI service",
        "grants bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream (Amazon Bedrock)",
    )
    assert keys().credential("aws_iam_access_key.ci").ai_reasons == ()
    assert keys().credential("aws_iam_user.ci").ai_reasons == ()


def test_administrator_access_is_ai_because_it_reaches_every_service():
    assert keys().credential("aws_iam_access_key.legacy").ai_reasons == ("grants * (all services, including AI services)",)


def test_access_key_of_a_user_defined_elsewhere_has_an_unknown_owner(tmp_path):
    scan = scan_source(tmp_path, 'resource "aws_iam_access_key" "k" {\n  user = "someone-else"\n}\n')
    key = scan.credential("aws_iam_access_key.k")
    assert isinstance(key.owner.value, Unknown) and key.owner.source == "user not found in this module"
    assert key.parent is None


DEFAULT_OWNER_PROVIDER = """
provider "aws" {
  default_tags {
    tags = { owner = var.owner }
  }
}
variable "owner" {
  default = "platform"
}
variable "extra_tags" {
  type    = map(string)
  default = null
}
"""


def test_owner_from_default_tags_that_are_not_known_is_unknown_never_missing(tmp_path):
    scan = scan_source(tmp_path, DEFAULT_OWNER_PROVIDER.replace("var.owner", "data.aws_caller_identity.me.user_id") +
                       'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n}\n')
    owner = scan.credential("aws_secretsmanager_secret.s").owner
    assert isinstance(owner.value, Unknown) and owner.source == "default_tags owner"


def test_default_tags_still_apply_when_the_resource_tags_are_null(tmp_path):
    scan = scan_source(tmp_path, DEFAULT_OWNER_PROVIDER + 'resource "aws_secretsmanager_secret" "s" {\n  name = "s"\n  tags = var.extra_tags\n}\n')
    assert scan.credential("aws_secretsmanager_secret.s").owner == Owner("platform", "default_tags owner")


# == aws_bedrock_roles: roles, grants, wildcards ==================================================

def roles() -> Scan:
    return fixture("aws_bedrock_roles")


def test_roles_are_short_lived_for_their_max_session_duration():
    assert roles().credential("aws_iam_role.agent").expiry == Expiry(7200 / 86400, True, STS)
    assert roles().credential("aws_iam_role.indexer").expiry == Expiry(ONE_HOUR, True, STS)
    assert roles().credential("aws_iam_role.agent").rotation == Rotation(None)


def test_role_owner_from_own_tag_beats_default_tags():
    assert roles().credential("aws_iam_role.indexer").owner == Owner("search-team", "tag owner")
    assert roles().credential("aws_iam_role.agent").owner == Owner("ai-platform", "default_tags owner")
    assert "owner" not in roles().credential("aws_iam_role.agent").evidence


def test_scoped_and_unscopable_grants_have_no_wildcard_reason():
    model = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    agent = roles().credential("aws_iam_role.agent")
    assert grant_summary(agent) == [
        ("aws_iam_role_policy.agent_invoke statement 1", ("bedrock:InvokeModel",), (model,), ()),
        ("aws_iam_role_policy.agent_invoke statement 2", ("bedrock:ListFoundationModels", "sts:GetCallerIdentity"), ("*",), ()),
    ]
    assert not agent.scope.wildcard and "scope" not in agent.evidence


def test_heredoc_policy_on_an_unknown_bucket_arn_is_not_a_wildcard():
    indexer = roles().credential("aws_iam_role.indexer")
    assert grant_summary(indexer) == [
        ("aws_iam_role_policy.indexer_read statement 1", ("s3:GetObject", "s3:ListBucket"), (), ()),
        ("aws_iam_policy.embeddings statement 1", ("bedrock:InvokeModel",),
         ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",), ()),
    ]
    assert indexer.scope.grants[0].location == Location("iam.tf", 57, 68)


@pytest.mark.parametrize(
    ("folder", "address", "statement", "evidence"),
    [
        ("aws_iam_keys", "aws_iam_user.legacy", "aws_iam_user_policy_attachment.legacy_admin", Location("users.tf", 54, 54)),
        ("aws_bedrock_roles", "aws_iam_role.ops_admin", "aws_iam_role.ops_admin", Location("iam.tf", 75, 75)),
    ],
    ids=["user policy attachment", "role managed_policy_arns"],
)
def test_administrator_access_is_a_wildcard_with_the_line_that_grants_it(folder, address, statement, evidence):
    identity = fixture(folder).credential(address)
    assert grant_summary(identity) == [(
        f"{statement} (AdministratorAccess)", ("*",), ("*",), ("AWS managed policy AdministratorAccess grants administrator access",),
    )]
    assert identity.evidence["scope"] == evidence


def test_bedrock_full_access_in_managed_policy_arns_is_service_wide_and_a_read_only_attachment_is_not():
    lab = roles().credential("aws_iam_role.model_lab")
    assert grant_summary(lab) == [
        ("aws_iam_role_policy_attachment.model_lab_datasets (AmazonS3ReadOnlyAccess)", ("s3:Get*", "s3:List*"), ("*",), ()),
        ("aws_iam_role.model_lab (AmazonBedrockFullAccess)", ("bedrock:*",), ("*",),
         ("AWS managed policy AmazonBedrockFullAccess grants full access",)),
    ]
    assert lab.evidence["scope"] == Location("iam.tf", 81, 81)
    assert lab.ai_reasons == ("grants bedrock:* (Amazon Bedrock)",)


def test_inline_policy_block_wildcards_each_with_its_reason_and_deny_ignored():
    sandbox = roles().credential("aws_iam_role.sandbox")
    label = "aws_iam_role.sandbox inline_policy statement"
    assert grant_summary(sandbox) == [
        (f"{label} 1", ("*",), ("*",), ('Action "*" allows every action of every service on Resource "*"',)),
        (f"{label} 2", ("bedrock:*",), ("arn:aws:bedrock:*::foundation-model/*",), ("service-wide actions bedrock:*; access levels Permissions management, Write, Tagging, Read, List",)),
        (f"{label} 3", ("s3:GetObject",), ("*",), ('Resource "*" on actions that can be scoped to resources (s3:GetObject); access levels Read',)),
        # NotAction lists what is *not* granted: no granted actions are recorded for it.
        (f"{label} 4", (), ("*",), ("NotAction allows every action except the ones listed",)),
    ]
    assert sandbox.evidence["scope"] == Location("iam.tf", 95, 104)


def test_bedrock_agent_is_an_ai_workload_using_its_role():
    agent = roles().workload("aws_bedrockagent_agent.support")
    assert (agent.identity, agent.ai_reasons) == ("aws_iam_role.agent", ("Amazon Bedrock agent",))
    assert roles().usages_of("aws_bedrockagent_agent.support") == [("agent role", "aws_iam_role.agent", 3)]
    role = roles().credential("aws_iam_role.agent")
    assert role.consumers == ("aws_bedrockagent_agent.support",)
    assert role.ai_reasons == ("'bedrock.amazonaws.com' names Amazon Bedrock", "grants bedrock:InvokeModel (Amazon Bedrock)")


def test_role_with_no_ai_evidence_of_its_own_is_ai_because_a_bedrock_agent_runs_as_it(tmp_path):
    scan = scan_source(tmp_path, '''
resource "aws_iam_role" "runner" {
  name               = "faq-runner"
  assume_role_policy = var.trust
}

resource "aws_bedrockagent_agent" "faq" {
  agent_name              = "faq"
  agent_resource_role_arn = aws_iam_role.runner.arn
  foundation_model        = var.model
}
''')
    assert scan.credential("aws_iam_role.runner").ai_reasons == ("identity of aws_bedrockagent_agent.faq (Amazon Bedrock agent)",)


AGENTS = '''
resource "aws_iam_role" "agents" {
  name               = "support-agents"
  assume_role_policy = var.trust
  tags               = { owner = "support" }
}

resource "aws_bedrockagent_agent" "triage" {
  agent_name              = "triage"
  agent_resource_role_arn = aws_iam_role.agents.arn
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
}

resource "aws_bedrockagent_agent" "refunds" {
  agent_name              = "refunds"
  agent_resource_role_arn = %s
  foundation_model        = "anthropic.claude-3-5-haiku-20241022-v1:0"
}

resource "aws_iam_role" "refunds" {
  name               = "refunds-agent"
  assume_role_policy = var.trust
  tags               = { owner = "support" }
}
'''


def test_one_role_behind_two_bedrock_agents_is_shared_and_one_role_each_is_not(tmp_path):
    shared = scan_source(tmp_path / "shared", AGENTS % "aws_iam_role.agents.arn").credential("aws_iam_role.agents")
    assert shared.consumers == ("aws_bedrockagent_agent.refunds", "aws_bedrockagent_agent.triage")
    assert gate_flagged(write_project(tmp_path / "shared-scan", {"main.tf": AGENTS % "aws_iam_role.agents.arn"})) == {"aws_iam_role.agents": {"IAG005"}}
    apart = scan_source(tmp_path / "apart", AGENTS % "aws_iam_role.refunds.arn")
    assert apart.credential("aws_iam_role.agents").consumers == ("aws_bedrockagent_agent.triage",)
    assert apart.credential("aws_iam_role.refunds").consumers == ("aws_bedrockagent_agent.refunds",)
    assert gate_flagged(write_project(tmp_path / "apart-scan", {"main.tf": AGENTS % "aws_iam_role.refunds.arn"})) == {}


def role_with_policy(tmp_path: Path, statement: str) -> Credential:
    scan = scan_source(tmp_path, f'''
resource "aws_iam_role" "r" {{
  name               = "reports"
  assume_role_policy = var.trust
}}

resource "aws_iam_role_policy" "p" {{
  role   = aws_iam_role.r.id
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
''')
    return scan.credential("aws_iam_role.r")


@pytest.mark.parametrize(
    ("statement", "reasons"),
    [
        ('{ Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.b.arn }', ()),
        ('{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" }', ()),
        ('{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListAllMyBuckets"], Resource = "*" }',
         ('Resource "*" on actions that can be scoped to resources (s3:GetObject); access levels Read',)),
        ('{ Effect = "Allow", Action = "s3:*", Resource = "*" }', ('service-wide actions s3:* on Resource "*"; access levels Permissions management, Write, Tagging, Read, List',)),
        ('{ Effect = "Allow", Action = var.actions, Resource = "*" }', ()),
        ('{ Effect = var.effect, Action = "*", Resource = "*" }', ()),
        ('{ Effect = "Allow", Action = "s3:GetObject", NotResource = "arn:aws:s3:::private/*" }',
         ("NotResource applies to every resource except the ones listed",)),
    ],
)
def test_wildcard_reasons_never_come_from_unknown_values(tmp_path, statement, reasons):
    grants = role_with_policy(tmp_path, statement).scope.grants
    assert tuple(r for g in grants for r in g.wildcard_reasons) == reasons


@pytest.mark.parametrize(
    ("actions", "reasons"),
    [
        # Actions no resource type can scope: Resource "*" is the only valid IAM for them.
        ('["iam:GetAccountPasswordPolicy", "bedrock:ListFoundationModels", "sts:GetCallerIdentity"]', ()),
        ('["ecr:GetAuthorizationToken", "xray:PutTraceSegments"]', ()),
        # A partial wildcard expands against the database: s3:Get* reaches scopable actions.
        ('"s3:Get*"', ('Resource "*" on actions that can be scoped to resources '
                       '(s3:GetAccelerateConfiguration, s3:GetAccessGrant, s3:GetAccessGrantsInstance …); access levels Read',)),
        # Listing is not always unscopable: logs:CreateLogGroup and s3:ListBucket take resources.
        ('["s3:ListBucket", "sts:GetCallerIdentity"]',
         ('Resource "*" on actions that can be scoped to resources (s3:ListBucket); access levels List',)),
        ('["iam:PassRole", "bedrock:InvokeModel"]',
         ('Resource "*" on actions that can be scoped to resources (bedrock:InvokeModel, iam:PassRole); '
          'access levels Permissions management, Read',)),
        # Case-insensitive, as IAM is.
        ('"BEDROCK:invokemodel"', ('Resource "*" on actions that can be scoped to resources (bedrock:InvokeModel); access levels Read',)),
        # An action the database does not know is unknown: never a reason.
        ('["newservice:DoThing", "s3:NoSuchAction"]', ()),
    ],
)
def test_resource_star_is_judged_against_the_iam_action_database(tmp_path, actions, reasons):
    grants = role_with_policy(tmp_path, f'{{ Effect = "Allow", Action = {actions}, Resource = "*" }}').scope.grants
    assert tuple(r for g in grants for r in g.wildcard_reasons) == reasons


def test_null_optional_not_actions_of_a_dynamic_statement_are_not_statement_elements(tmp_path):
    # terraform-aws-modules/iam style: every optional statement attribute is lookup(..., null).
    scan = scan_source(tmp_path, '''
variable "statements" {
  default = [
    { sid = "Read", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::models/*"] },
    { sid = "Everything", not_actions = ["iam:*"], resources = ["*"] },
  ]
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.statements
    content {
      sid           = statement.value.sid
      actions       = lookup(statement.value, "actions", null)
      not_actions   = lookup(statement.value, "not_actions", null)
      resources     = lookup(statement.value, "resources", null)
      not_resources = lookup(statement.value, "not_resources", null)
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "reader"
  assume_role_policy = var.trust
}

resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = data.aws_iam_policy_document.this.json
}
''')
    assert [g.wildcard_reasons for g in scan.credential("aws_iam_role.r").scope.grants] == [
        (), ("NotAction allows every action except the ones listed",),
    ]


def test_not_action_on_bedrock_does_not_make_the_role_a_bedrock_user(tmp_path):
    role = role_with_policy(tmp_path, '{ Effect = "Allow", NotAction = ["bedrock:*"], Resource = "*" }')
    assert not any("bedrock" in reason for reason in role.ai_reasons)


def test_role_trusting_bedrock_through_a_policy_document_is_ai(tmp_path):
    scan = scan_source(tmp_path, '''
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "kb-runner"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
''')
    assert scan.credential("aws_iam_role.r").ai_reasons == ("'bedrock.amazonaws.com' names Amazon Bedrock",)


# == aws_lambda_secrets: secrets, parameters, compute, inputs =====================================

def app() -> Scan:
    return fixture("aws_lambda_secrets")


def test_secrets_manager_rotation_after_days_is_its_period_and_lifetime():
    secret = app().credential("aws_secretsmanager_secret.openai")
    assert secret.rotation == Rotation(30, "aws_secretsmanager_secret_rotation.openai")
    assert secret.expiry == Expiry(30, False, "rotation by aws_secretsmanager_secret_rotation.openai")
    assert secret.evidence == {"owner": Location("secrets.tf", 5, 7), "rotation": Location("secrets.tf", 15, 15)}
    assert secret.owner == Owner("orders-team", "tag owner")


def test_secrets_manager_rate_expression_in_days():
    secret = app().credential("aws_secretsmanager_secret.anthropic")
    assert secret.rotation == Rotation(30, "aws_secretsmanager_secret_rotation.anthropic")
    assert secret.evidence["rotation"] == Location("secrets.tf", 31, 31)


def test_secrets_manager_cron_schedule_is_an_unknown_period_not_a_missing_one():
    secret = app().credential("aws_secretsmanager_secret.huggingface")
    assert isinstance(secret.rotation.period_days, Unknown)
    assert secret.rotation.mechanism == "aws_secretsmanager_secret_rotation.huggingface"
    assert isinstance(secret.expiry.lifetime_days, Unknown)


def test_secret_without_rotation_or_owner_stays_without():
    secret = app().credential("aws_secretsmanager_secret.db_password")
    assert (secret.rotation, secret.owner) == (Rotation(None), Owner(None))
    assert secret.expiry == Expiry(None, source="Secrets Manager secrets do not expire")


def test_key_written_into_a_secret_version_is_a_literal_on_the_secret():
    secret = app().credential("aws_secretsmanager_secret.legacy_openai")
    assert secret.hardcoded == (SecretLiteral(
        "secret_string.OPENAI_API_KEY", "openai-api-key", expected_fingerprint(OPENAI_KEY, "sk-proj-"), Location("secrets.tf", 60, 63), "OpenAI",
    ),)
    assert secret.ai_hints[-2:] == ("OPENAI_API_KEY", "OPENAI_ORG")
    assert not app().has("aws_secretsmanager_secret_version.legacy_openai")
    assert app().credential("aws_secretsmanager_secret.openai").hardcoded == ()


def test_ssm_secure_string_is_a_secret_and_a_plain_string_is_not():
    parameter = app().credential("aws_ssm_parameter.hf_token")
    assert (parameter.kind, parameter.hardcoded, parameter.owner) == ("secret", (), Owner("orders-team", "tag owner"))
    assert parameter.rotation == Rotation(None, "SSM Parameter Store has no native rotation")
    assert parameter.ai_reasons == ("'hf_token' names Hugging Face",)
    assert not app().has("aws_ssm_parameter.model_id")


def test_ssm_plain_string_holding_a_key_is_a_hardcoded_api_key():
    parameter = app().credential("aws_ssm_parameter.groq_key")
    groq = fake_key("gsk_", "M3n4B5v6")
    assert parameter.kind == "api-key"
    assert parameter.hardcoded == (SecretLiteral("value", "groq-api-key", expected_fingerprint(groq, "gsk_"), Location("secrets.tf", 84, 84), "Groq"),)


def test_lambda_reading_secrets_by_arn_uses_them_through_its_environment():
    assert app().usages_of("aws_lambda_function.assistant") == [
        ("role", "aws_iam_role.orders_api", 12),
        ("env DB_SECRET_ARN", "aws_secretsmanager_secret.db_password", 20),
        ("env OPENAI_SECRET_ARN", "aws_secretsmanager_secret.openai", 19),
    ]
    assert not app().has("aws_lambda_function.assistant")
    assert app().credential("aws_secretsmanager_secret.openai").consumers == ("aws_lambda_function.assistant",)


def test_key_written_into_lambda_environment_is_a_literal_at_the_function_and_the_entry_line():
    function = app().credential("aws_lambda_function.summarizer")
    literal = SecretLiteral("environment.variables.OPENAI_API_KEY", "openai-api-key", expected_fingerprint(OPENAI_KEY, "sk-proj-"),
                            Location("lambda.tf", 37, 37), "OpenAI")
    assert (function.origin, function.kind, function.hardcoded, function.location) == ("literal", "api-key", (literal,), literal.location)
    assert function.ai_reasons == ("'OPENAI_API_KEY' names OpenAI", "value at environment.variables.OPENAI_API_KEY matches the OpenAI key format")


def test_two_lambdas_on_one_role_are_both_its_consumers():
    assert app().credential("aws_iam_role.orders_api").consumers == ("aws_lambda_function.assistant", "aws_lambda_function.summarizer")
    assert app().credential("aws_iam_role.rotation").consumers == ("aws_lambda_function.rotate",)


def test_role_is_ai_only_because_its_lambda_uses_an_openai_secret_and_the_db_secret_is_not():
    assert app().credential("aws_iam_role.orders_api").ai_reasons == (
        "identity of aws_lambda_function.assistant, which uses the AI credential aws_secretsmanager_secret.openai",
    )
    assert app().credential("aws_secretsmanager_secret.openai").ai_reasons == (
        "'openai' names OpenAI", "used as OPENAI_SECRET_ARN by aws_lambda_function.assistant (OpenAI)",
    )
    assert app().credential("aws_secretsmanager_secret.db_password").ai_reasons == ()
    assert app().credential("aws_iam_role.rotation").ai_reasons == ()


def test_ecs_task_uses_secrets_from_value_from_and_roles():
    assert app().usages_of("aws_ecs_task_definition.worker") == [
        ("execution role", "aws_iam_role.worker_task", 12),
        ("task role", "aws_iam_role.worker_task", 11),
        ("env ANTHROPIC_API_KEY", "aws_secretsmanager_secret.anthropic", 13),
    ]
    assert app().credential("aws_iam_role.worker_task").ai_reasons == (
        "identity of aws_ecs_task_definition.worker, which uses the AI credential aws_secretsmanager_secret.anthropic",
    )
    assert app().credential("aws_secretsmanager_secret.anthropic").ai_reasons == (
        "'anthropic' names Anthropic", "used as ANTHROPIC_API_KEY by aws_ecs_task_definition.worker (Anthropic)",
    )


def test_ecs_environment_literal_is_hardcoded_at_the_task_definition():
    task = app().credential("aws_ecs_task_definition.worker")
    token = fake_key("hf_", "Zx9Yw8Vu", 4)
    assert task.hardcoded == (SecretLiteral(
        "container_definitions.worker.environment.HF_TOKEN", "huggingface-token", expected_fingerprint(token, "hf_"),
        Location("ecs.tf", 13, 25), "Hugging Face",
    ),)
    assert task.kind == "token"


def test_ec2_instance_uses_its_role_through_the_instance_profile():
    assert app().usages_of("aws_instance.batch") == [("instance profile", "aws_iam_role.batch_node", 17)]
    assert app().credential("aws_iam_role.batch_node").consumers == ("aws_instance.batch",)
    assert app().credential("aws_iam_role.batch_node").ai_reasons == ()


def test_variable_default_holding_a_key_is_hardcoded_where_the_default_is_written():
    variable = app().credential("var.openai_api_key")
    assert (variable.provider, variable.source_type, variable.origin, variable.kind) == ("terraform", "variable", "literal", "api-key")
    assert variable.hardcoded == (SecretLiteral("default", "openai-api-key", expected_fingerprint(OPENAI_KEY, "sk-proj-"),
                                                Location("variables.tf", 5, 5), "OpenAI"),)
    assert variable.ai_hints == ("openai_api_key", "Key for the summarizer")


def test_tfvars_value_holding_a_key_is_hardcoded_at_the_tfvars_line():
    variable = app().credential("var.anthropic_api_key")
    anthropic = fake_key("sk-ant-api03-", "Q7w8E9r0")
    assert variable.location == Location("terraform.tfvars", 3, 3)
    assert variable.hardcoded == (SecretLiteral("value", "anthropic-api-key", expected_fingerprint(anthropic, "sk-ant-"),
                                                Location("terraform.tfvars", 3, 3), "Anthropic"),)


@pytest.mark.parametrize("address", ["var.hf_token", "var.log_level", "var.db_password"])
def test_inputs_without_a_literal_key_are_not_credentials(address):
    assert not app().has(address)


def test_key_from_a_variable_is_reported_once_at_the_variable(tmp_path):
    scan = scan_source(tmp_path, f'''
variable "openai_api_key" {{
  default = "{OPENAI_KEY}"
}}

resource "aws_lambda_function" "f" {{
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/f"
  environment {{
    variables = {{
      OPENAI_API_KEY = var.openai_api_key
    }}
  }}
}}
''')
    # The role named by its ARN is an external identity (issue 14), not a second record of the key.
    assert [c.address for c in scan.inventory.credentials] == ["aws_iam_role[name=f]", "var.openai_api_key"]


def test_lambda_names_a_secret_by_its_literal_arn(tmp_path):
    scan = scan_source(tmp_path, '''
resource "aws_secretsmanager_secret" "openai" {
  name = "prod/openai"
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/f"
  environment {
    variables = {
      KEY_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/openai-AbCdEf"
    }
  }
}
''')
    assert scan.usages_of("aws_lambda_function.f") == [("role", "aws_iam_role[name=f]", 8), ("env KEY_ARN", "aws_secretsmanager_secret.openai", 11)]


def test_key_in_tfvars_for_an_undeclared_variable_is_still_hardcoded(tmp_path):
    scan = scan_source(tmp_path, 'resource "aws_iam_user" "u" {}\n', **{"terraform.tfvars": f'openai_api_key = "{OPENAI_KEY}"\n'})
    assert scan.credential("var.openai_api_key").hardcoded[0].location == Location("terraform.tfvars", 1, 1)


def test_random_password_written_into_a_secret_version_is_hardcoded(tmp_path):
    scan = scan_source(tmp_path, '''
resource "aws_secretsmanager_secret" "db" {
  name = "orders-db"
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = "Zt4#qL9v!Rw2@Xp7$Nk5"
}
''')
    assert [leak.detector for leak in scan.credential("aws_secretsmanager_secret.db").hardcoded] == ["high-entropy-secret"]


def test_records_belong_to_their_root_module():
    assert {c.root_module for c in app().inventory.credentials} == {"."}
    assert {u.root_module for u in app().inventory.usages} == {"."}


def test_a_secret_written_from_an_access_key_stores_it(tmp_path) -> None:
    from scanning import scan_path, write_project

    write_project(tmp_path, {"main.tf": '''
resource "aws_iam_user" "bedrock" {
  name = "bedrock-batch"
}
resource "aws_iam_access_key" "bedrock" {
  user = aws_iam_user.bedrock.name
}
resource "aws_secretsmanager_secret" "ci_credentials" {
  name = "ci/credentials"
}
resource "aws_secretsmanager_secret_version" "ci_credentials" {
  secret_id     = aws_secretsmanager_secret.ci_credentials.id
  secret_string = jsonencode({ id = aws_iam_access_key.bedrock.id, secret = aws_iam_access_key.bedrock.secret })
}
'''})
    [secret] = scan_path(tmp_path).inventory.credentials_at("aws_secretsmanager_secret.ci_credentials")
    assert secret.holds == ("aws_iam_access_key.bedrock",)
    assert secret.ai_reasons == ("stores the value of aws_iam_access_key.bedrock, an AI credential",)


# == trust policies: who may assume a role ========================================================

_GITHUB_PROVIDER = '''
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}
'''
_ANY_WORKFLOW = "trust policy lets any GitHub Actions workflow assume the role (no token.actions.githubusercontent.com:sub condition)"


@pytest.mark.parametrize(
    ("statement", "reasons"),
    [
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = "*" }',
         ('trust policy lets any AWS principal assume the role (Principal "*") without a condition',)),
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }',
         ('trust policy lets any AWS principal assume the role (Principal AWS "*") without a condition',)),
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = ["arn:aws:iam::111122223333:root", "444455556666"] } }',
         ("trust policy lets every identity of account 111122223333, 444455556666 assume the role without a condition",)),
        ('{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = aws_iam_openid_connect_provider.github.arn } }',
         (_ANY_WORKFLOW,)),
        ('{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", '
         'Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }, '
         'Condition = { StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" } } }',
         (_ANY_WORKFLOW,)),
        # Exact non-findings: narrowed by a condition, a named principal, a service, a Deny.
        ('{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = aws_iam_openid_connect_provider.github.arn }, '
         'Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/models:ref:refs/heads/main" } } }', ()),
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" }, '
         'Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-abc123" } } }', ()),
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::111122223333:role/deployer" } }', ()),
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }', ()),
        ('{ Effect = "Deny", Action = "sts:AssumeRole", Principal = "*" }', ()),
        # Unknown never fails: a principal or a condition not known before apply.
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.trusted } }', ()),
        ('{ Effect = "Allow", Action = "sts:AssumeRole", Principal = "*", Condition = var.condition }', ()),
        ('{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = var.provider_arn } }', ()),
    ],
)
def test_trust_policy_open_to_too_many_principals_is_wildcard_scope(tmp_path, statement, reasons):
    scan = scan_source(tmp_path, _GITHUB_PROVIDER + f'''
resource "aws_iam_role" "r" {{
  name               = "deployer"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
''')
    grants = scan.credential("aws_iam_role.r").scope.grants
    assert tuple(r for g in grants for r in g.wildcard_reasons) == reasons
    assert all(g.statement == "aws_iam_role.r assume_role_policy statement 1" for g in grants)


def test_github_trust_through_a_policy_document_needs_a_sub_condition(tmp_path):
    document = '''
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    %s
  }
}

resource "aws_iam_role" "r" {
  name               = "deployer"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
'''
    sub = 'condition {\n      test     = "StringLike"\n      variable = "token.actions.githubusercontent.com:sub"\n      values   = ["repo:acme/models:*"]\n    }'
    open_role = scan_source(tmp_path / "open", _GITHUB_PROVIDER + document % "").credential("aws_iam_role.r")
    narrowed = scan_source(tmp_path / "narrowed", _GITHUB_PROVIDER + document % sub).credential("aws_iam_role.r")
    assert [g.wildcard_reasons for g in open_role.scope.grants] == [(_ANY_WORKFLOW,)]
    assert narrowed.scope.grants == ()
