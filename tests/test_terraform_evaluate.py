"""The evaluator: known values exactly as Terraform computes them, and Unknown wherever only apply
(or code we do not evaluate) could tell — never a guessed value."""

from __future__ import annotations

import json

import pytest
from conftest import evaluate

from iac_guard.model import UNKNOWN, Location, Unknown
from iac_guard.providers.aws import DATA_SOURCES
from iac_guard.terraform.module import VariableValue
from iac_guard.terraform.values import Unknownish, json_partial

VARIABLES = '''
variable "tags" {
  default = { team = "ml", owner = "ai-platform" }
}
variable "names" {
  default = ["b", "", "a"]
}
variable "teams" {
  default = { zeta = "ops", alpha = "ml", mid = "ops" }
}
variable "enabled" {
  default = false
}
variable "no_default" {
  type = string
}
locals {
  first  = local.second
  second = local.first
  owner  = var.tags.owner
  role_arn = aws_iam_role.agent.arn
}
'''


def value(expression: str):
    return evaluate(expression, VARIABLES, directory="envs/prod")


def assert_unknown(result, refs=frozenset()):
    assert isinstance(result, Unknown), result
    assert result.refs == frozenset(refs)


# -- known values -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('merge({a = 1, b = 2}, {b = 3}, null, {c = "x"})', {"a": 1, "b": 3, "c": "x"}),
        ('merge(var.tags, {owner = "override"})', {"team": "ml", "owner": "override"}),
        ('jsondecode("{\\"Statement\\": [{\\"Action\\": \\"s3:*\\"}]}")', {"Statement": [{"Action": "s3:*"}]}),
        ('lookup(var.tags, "owner", "nobody")', "ai-platform"),
        ('lookup(var.tags, "cost_center", "nobody")', "nobody"),
        ('coalesce("", null, "first", "second")', "first"),
        ('concat(["a"], [], ["b", "c"])', ["a", "b", "c"]),
        ('format("%s-%d-%q", "key", 7, "v")', 'key-7-"v"'),
        ('format("100%%")', "100%"),
        ('lower("OpenAI")', "openai"),
        ('upper("OpenAI")', "OPENAI"),
        ("anytrue([false, var.enabled, true])", True),
        ("alltrue([true, var.enabled])", False),
        ("alltrue([])", True),
        ('nonsensitive(sensitive("openai"))', "openai"),
        ('try(var.tags.cost_center, var.tags.owner, "none")', "ai-platform"),
        ('try(var.tags.missing, "fallback")', "fallback"),
        ('tomap({a = "1"})', {"a": "1"}),
        ('tolist(["x", "y"])', ["x", "y"]),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('join(",", ["a", "b"])', "a,b"),
        ('split(",", "a,b,c")', ["a", "b", "c"]),
        ('length(var.names)', 3),
        ('length(var.tags)', 2),
        ('var.enabled ? "on" : "off"', "off"),
        ('"a" == "a" && !var.enabled', True),
        ("1 + 2 * 3", 7),
        ("-7", -7),
        ("local.owner", "ai-platform"),
        ('"${var.tags.team}-agent"', "ml-agent"),
        ("path.module", "."),  # relative to the root module, as in Terraform
        ('[for n in var.names : upper(n) if n != ""]', ["B", "A"]),
        ("[for key, team in var.teams : key]", ["alpha", "mid", "zeta"]),
        ("{for key, team in var.teams : team => key...}", {"ml": ["alpha"], "ops": ["mid", "zeta"]}),
        ("{for key, team in var.teams : upper(key) => team}", {"ALPHA": "ml", "MID": "ops", "ZETA": "ops"}),
        ("[for i, n in var.names : i]", [0, 1, 2]),
        ('[{id = "a"}, {id = "b"}][*].id', ["a", "b"]),
        ('[{id = "a"}, {id = "b"}].*.id', ["a", "b"]),
        ('{id = "only"}[*].id', ["only"]),
        ("var.names[2]", "a"),
        ('var.tags["team"]', "ml"),
    ],
)
def test_known_expressions_evaluate_like_terraform(expression, expected):
    assert value(expression) == expected


def test_jsonencode_of_a_known_value_is_exact_json_text():
    document = 'jsonencode({Action = ["s3:GetObject"], Effect = "Allow", Resource = null, Sid = 1.5, Version = true})'
    assert value(document) == '{"Action":["s3:GetObject"],"Effect":"Allow","Resource":null,"Sid":1.5,"Version":true}'


def test_jsonencode_sorts_object_keys_like_terraform():
    assert value('jsonencode({Version = "2012-10-17", Statement = []})') == '{"Statement":[],"Version":"2012-10-17"}'


def test_jsonencode_writes_non_ascii_characters_as_is():
    assert value('jsonencode("café")') == '"café"'


def test_tfvars_value_wins_over_default_when_evaluating():
    tfvars = {"enabled": VariableValue(True, Location("terraform.tfvars", 1, 1), False)}
    assert evaluate('var.enabled ? "on" : "off"', VARIABLES, tfvars=tfvars) == "on"


# -- unknown values -----------------------------------------------------------------------------

def test_resource_attribute_is_unknown_and_names_the_resource():
    assert_unknown(value("aws_iam_role.x.arn"), {"aws_iam_role.x"})


def test_undeclared_variable_is_unknown():
    assert_unknown(value("var.not_declared"), {"var.not_declared"})


def test_variable_without_default_or_tfvars_is_unknown():
    assert_unknown(value("var.no_default"), {"var.no_default"})


def test_local_cycle_is_unknown_not_a_crash():
    assert isinstance(value("local.first"), Unknown)
    assert isinstance(value("local.second"), Unknown)


def test_merge_with_an_unknown_argument_is_unknown():
    assert_unknown(value('merge(var.tags, aws_iam_role.x.tags, {owner = "x"})'), {"aws_iam_role.x"})


def test_merge_keeps_unknown_values_of_known_keys():
    merged = value("merge(var.tags, {owner = aws_iam_user.u.name})")
    assert merged["team"] == "ml"
    assert_unknown(merged["owner"], {"aws_iam_user.u"})


def test_jsonencode_with_an_unknown_leaf_is_unknown_with_the_known_structure():
    encoded = value('jsonencode({Statement = [{Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*"}]})')
    assert isinstance(encoded, Unknownish) and encoded.refs == {"aws_s3_bucket.b"}
    (statement,) = encoded.partial["Statement"]
    assert statement["Action"] == "s3:GetObject"
    assert isinstance(statement["Resource"], Unknown) and statement["Resource"].refs == {"aws_s3_bucket.b"}


def test_conditional_on_unknown_with_the_same_value_in_both_branches_is_that_value():
    assert value('aws_iam_role.x.arn == "" ? "same" : "same"') == "same"


def test_conditional_on_unknown_with_different_branches_is_unknown():
    assert_unknown(value('aws_iam_role.x.arn == "" ? "a" : var.tags.owner'), {"aws_iam_role.x"})


def test_conditional_on_unknown_with_unknown_branches_is_unknown():
    assert_unknown(value("var.no_default == \"\" ? aws_iam_role.x.arn : aws_iam_role.x.arn"),
                   {"var.no_default", "aws_iam_role.x"})


@pytest.mark.parametrize(
    "expression",
    [
        'lower(aws_iam_role.x.name)',
        'format("%s-key", aws_iam_role.x.name)',
        'lookup(aws_iam_role.x.tags, "owner", "nobody")',
        'coalesce(aws_iam_role.x.name, "fallback")',
        'concat(["a"], aws_iam_role.x.tags)',
        'length(aws_iam_role.x.tags)',
        'aws_iam_role.x.tags["owner"]',
        'aws_iam_role.x.tags[*].owner',
        '[for t in aws_iam_role.x.tags : t]',
        'aws_iam_role.x.count + 1',
        'jsondecode(aws_iam_role.x.policy)',
        'try(aws_iam_role.x.name, "fallback")',
        'var.tags[aws_iam_role.x.name]',
        '{(aws_iam_role.x.name) = 1}',
    ],
)
def test_unknown_is_contagious(expression):
    assert_unknown(value(expression), {"aws_iam_role.x"})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"sub-${aws_iam_role.x.name}" != null', True),
        ('null == "sub-${aws_iam_role.x.name}"', False),
        ("{ a = aws_iam_role.x.name } != null", True),
        ("[aws_iam_role.x.name] == null", False),
        ('{ for k, v in { name = "n", sub = "s-${aws_iam_role.x.name}", gone = null } : k => v if v != null }',
         {"name": "n", "sub": UNKNOWN}),
    ],
)
def test_a_collection_or_a_template_is_never_null_even_with_unknown_parts(expression, expected):
    result = value(expression)
    if isinstance(expected, dict):
        assert result.keys() == expected.keys() and result["name"] == "n" and isinstance(result["sub"], Unknownish)
    else:
        assert result is expected


def test_coalesce_takes_a_template_with_known_text_as_it_is_never_null_nor_empty():
    result = value('coalesce(null, "", "cog-${aws_iam_role.x.name}", "fallback")')
    assert isinstance(result, Unknownish) and result.refs == {"aws_iam_role.x"}
    assert result.partial.startswith("cog-")
    assert_unknown(value('coalesce(null, "${aws_iam_role.x.name}", "fallback")'), {"aws_iam_role.x"})  # may be ""


def test_an_unknown_value_compared_with_null_is_unknown():
    assert_unknown(value("aws_iam_role.x.name != null"), {"aws_iam_role.x"})


def test_template_with_an_unknown_part_is_unknown_with_the_known_text():
    result = value('"arn:aws:s3:::${aws_s3_bucket.b.bucket}/*"')
    assert isinstance(result, Unknownish) and result.refs == {"aws_s3_bucket.b"}
    assert result.partial.startswith("arn:aws:s3:::") and result.partial.endswith("/*")


@pytest.mark.parametrize(
    "expression",
    ["timestamp()", 'file("key.pem")', 'templatefile("t.tpl", {})', "uuid()", 'provider::aws::arn_parse("arn:aws:iam::1:role/x")'],
)
def test_functions_not_evaluated_give_unknown(expression):
    assert isinstance(value(expression), Unknown)




@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param('format("%03d", 7)', "007"),
        pytest.param('format("%.1f", 3.14159)', "3.1"),
        pytest.param('replace("a-b-c", "/-/", "_")', "a_b_c"),
        pytest.param('title("hELLO wORLD")', "HELLO WORLD"),
        pytest.param("jsonencode([1e3, 10 / 2])", "[1000,5]"),
        pytest.param("{for key, team in var.teams : team => key}", UNKNOWN),
    ],
)
def test_functions_give_terraforms_value_or_unknown_never_another(expression, expected):
    result = value(expression)
    assert isinstance(result, Unknown) or result == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("can(var.tags.missing)", False),
        pytest.param('"${var.tags}"', {"team": "ml", "owner": "ai-platform"}),
        ("can(var.tags.owner)", True),
    ],
)
def test_known_results_are_not_lost_to_unknown(expression, expected):
    assert value(expression) == expected


# -- JSON documents -----------------------------------------------------------------------------

HEREDOC_POLICY = '''
locals {
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${aws_s3_bucket.b.arn}/*"}
      ]
    }
  EOT
}
'''


def test_json_partial_reads_heredoc_json_with_an_unknown_leaf():
    document = json_partial(evaluate("local.policy", HEREDOC_POLICY))
    (statement,) = document["Statement"]
    assert document["Version"] == "2012-10-17"
    assert {k: v for k, v in statement.items() if k != "Resource"} == {"Effect": "Allow", "Action": "s3:GetObject"}
    assert isinstance(statement["Resource"], Unknown) and statement["Resource"].refs == {"aws_s3_bucket.b"}


def test_json_partial_of_known_text_and_of_non_json():
    assert json_partial('{"a": [1]}') == {"a": [1]}
    assert isinstance(json_partial("not json"), Unknown)
    assert json_partial({"a": 1}) == {"a": 1}


def policy_json(document: str, name: str):
    return evaluate(f"data.aws_iam_policy_document.{name}.json", document, data_sources=DATA_SOURCES)


POLICY_DOCUMENTS = '''
data "aws_iam_policy_document" "read" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
  statement {
    effect      = "Deny"
    not_actions = ["iam:*"]
    resources   = ["*"]
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.read.json]
  statement {
    actions   = ["bedrock:InvokeModel"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = statement.value
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "self" {
  source_policy_documents = [data.aws_iam_policy_document.self.json]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
'''

READ_STATEMENTS = [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::reports/*"], "Sid": "Read"},
    {"Effect": "Deny", "NotAction": ["iam:*"], "Resource": ["*"]},
]


def test_policy_document_with_known_values_renders_exact_json():
    text = policy_json(POLICY_DOCUMENTS, "read")
    assert text == json.dumps({"Version": "2012-10-17", "Statement": READ_STATEMENTS}, indent=2)


def test_policy_document_keeps_source_documents_first():
    document = json.loads(policy_json(POLICY_DOCUMENTS, "merged"))
    assert document["Statement"] == READ_STATEMENTS + [{"Effect": "Allow", "Action": ["bedrock:InvokeModel"], "Resource": ["*"]}]


def test_policy_document_with_an_unknown_arn_is_partial():
    rendered = policy_json(POLICY_DOCUMENTS, "bucket")
    assert isinstance(rendered, Unknownish)
    (statement,) = rendered.partial["Statement"]
    assert statement["Action"] == ["s3:GetObject"]
    (resource,) = statement["Resource"]
    assert isinstance(resource, Unknown)


def test_policy_document_with_an_unknown_arn_remembers_the_resource():
    assert policy_json(POLICY_DOCUMENTS, "bucket").refs == {"aws_s3_bucket.b"}


def test_policy_document_with_dynamic_statements_is_unknown():
    assert isinstance(policy_json(POLICY_DOCUMENTS, "dynamic"), Unknown)


def test_self_referencing_policy_document_does_not_repeat_statements():
    rendered = policy_json(POLICY_DOCUMENTS, "self")
    assert isinstance(rendered, Unknown)
    statements = getattr(rendered, "partial", {"Statement": []})["Statement"]
    assert sum(1 for s in statements if s.get("Action") == ["s3:GetObject"]) <= 1


TYPED = '''
variable "assignments" {
  type = map(object({
    name   = string
    scope  = optional(string)
    kind   = optional(string, "ServicePrincipal")
    nested = optional(object({ days = optional(number, 30) }), {})
    tags   = optional(list(object({ key = string, value = optional(string, "none") })), [])
  }))
  default = {
    one = { name = "n", tags = [{ key = "k" }] }
    two = { name = "m", scope = "/subscriptions/s", kind = "User", nested = { days = 7 } }
  }
}
'''


@pytest.mark.parametrize(("expression", "expected"), [
    ("var.assignments.one.scope", None),
    ('coalesce(var.assignments.one.scope, "account")', "account"),
    ("var.assignments.one.kind", "ServicePrincipal"),
    ("var.assignments.one.nested.days", 30),
    ('var.assignments.one.tags[0].value', "none"),
    ("var.assignments.two.scope", "/subscriptions/s"),
    ("var.assignments.two.kind", "User"),
    ("var.assignments.two.nested.days", 7),
    ("var.assignments.two.tags", []),
])
def test_optional_object_attributes_get_their_default_or_null_as_terraform_converts_them(expression, expected):
    assert evaluate(expression, TYPED) == expected
