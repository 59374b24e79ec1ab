"""Module, BlockView and Resource, and the loader: one Module per folder with its tfvars applied."""

from __future__ import annotations

import pytest
from conftest import module_from
from scanning import write_project

from iac_guard.discover import discover
from iac_guard.model import Location, ScanError, Unknown
from iac_guard.terraform.loader import load_modules

VARIABLES_TF = '''variable "environment" {
  type    = string
  default = "dev"
}

variable "owner" {
  type = string
}

variable "untouched" {
  default = "from-default"
}
'''


def load(root, files):
    write_project(root, files)
    return load_modules(discover([str(root)]), {})


def variable(module, name):
    return module.variable_value(name)


# -- tfvars -------------------------------------------------------------------------------------

def test_tfvars_precedence_terraform_tfvars_then_auto_tfvars_in_lexical_order(tmp_path):
    (module,), errors = load(tmp_path, {
        "variables.tf": VARIABLES_TF,
        "b.auto.tfvars": 'environment = "from-b"\n',
        "terraform.tfvars": 'environment = "from-terraform-tfvars"\nowner = "ml-team"\n',
        "a.auto.tfvars": '\n\nenvironment = "from-a"\nowner = "data-team"\n',
    })
    assert errors == []
    environment, owner = variable(module, "environment"), variable(module, "owner")
    assert (environment.value, environment.location, environment.from_default) == ("from-b", Location("b.auto.tfvars", 1, 1), False)
    assert (owner.value, owner.location) == ("data-team", Location("a.auto.tfvars", 4, 4))


def test_default_is_used_when_no_tfvars_sets_the_variable(tmp_path):
    (module,), _ = load(tmp_path, {"variables.tf": VARIABLES_TF, "terraform.tfvars": 'owner = "ml-team"\n'})
    untouched = variable(module, "untouched")
    assert (untouched.value, untouched.location, untouched.from_default) == ("from-default", Location("variables.tf", 11, 11), True)


def test_variable_without_default_or_tfvars_has_no_value(tmp_path):
    (module,), _ = load(tmp_path, {"variables.tf": VARIABLES_TF})
    assert variable(module, "owner") is None
    assert [name for name, value, _, _ in module.variables()] == ["environment", "owner", "untouched"]


def test_tfvars_references_are_never_resolved(tmp_path):
    (module,), _ = load(tmp_path, {"variables.tf": VARIABLES_TF, "terraform.tfvars": "owner = var.environment\n"})
    assert isinstance(variable(module, "owner").value, Unknown)


def test_plain_tfvars_files_are_not_auto_loaded(tmp_path):
    (module,), _ = load(tmp_path, {"variables.tf": VARIABLES_TF, "prod.tfvars": 'environment = "prod"\n'})
    assert variable(module, "environment").value == "dev"


# -- loader -------------------------------------------------------------------------------------

def test_one_module_per_folder_with_its_own_tfvars(tmp_path):
    modules, errors = load(tmp_path, {
        "envs/prod/main.tf": VARIABLES_TF,
        "envs/prod/terraform.tfvars": 'environment = "prod"\n',
        "envs/dev/main.tf": VARIABLES_TF,
    })
    assert errors == []
    assert [(m.directory, variable(m, "environment").value) for m in modules] == [("envs/dev", "dev"), ("envs/prod", "prod")]


def test_a_file_that_does_not_parse_is_an_error_and_the_rest_still_loads(tmp_path):
    (module,), errors = load(tmp_path, {
        "good.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n',
        "broken.tf": 'resource "aws_iam_user" "x" {\n',
        "terraform.tfvars": "owner = \n",
    })
    assert [(e.file, e.line) for e in errors] == [("broken.tf", 2), ("terraform.tfvars", 1)]
    assert all(isinstance(e, ScanError) for e in errors)
    assert [r.address for r in module.resources] == ["aws_iam_user.ci"]


# -- resources, count and for_each --------------------------------------------------------------

COUNTED = '''
variable "enabled" {
  default = false
}
variable "unknown_switch" {}

resource "aws_iam_user" "never" {
  count = 0
}
resource "aws_iam_user" "disabled" {
  count = var.enabled ? 1 : 0
}
resource "aws_iam_user" "enabled" {
  count = var.enabled ? 0 : 1
  name  = "user-${count.index}"
}
resource "aws_iam_user" "maybe" {
  count = var.unknown_switch ? 1 : 0
}
resource "aws_iam_user" "empty_map" {
  for_each = {}
}
resource "aws_iam_user" "empty_set" {
  for_each = toset([])
}
resource "aws_iam_user" "each" {
  for_each = toset(["a", "b"])
  name     = each.key
}
data "aws_caller_identity" "current" {}
'''


def test_count_and_for_each_make_one_resource_per_instance_and_zero_makes_none():
    module = module_from(COUNTED)
    assert [r.address for r in module.resources] == [
        "aws_iam_user.enabled[0]", "aws_iam_user.maybe", 'aws_iam_user.each["a"]', 'aws_iam_user.each["b"]',
    ]
    assert [r.unknown_instances for r in module.resources] == [False, True, False, False]
    assert [d.address for d in module.data] == ["data.aws_caller_identity.current"]


def test_each_instance_knows_its_count_index_and_each_key():
    module = module_from(COUNTED)
    assert [r.value("name") for r in module.resources if r.name in ("enabled", "each")] == ["user-0", "a", "b"]


def test_data_source_without_evaluator_is_unknown_with_its_address():
    module = module_from(COUNTED + 'locals {\n  account = data.aws_caller_identity.current.account_id\n}\n'
                         'resource "terraform_data" "p" {\n  v = local.account\n}\n')
    (probe,) = module.resources_of("terraform_data")
    assert probe.value("v") == Unknown(frozenset({"data.aws_caller_identity.current"}))


def test_a_repeated_resource_named_without_an_index_is_its_instances():
    """``for`` expressions over a ``for_each`` / ``count`` resource keep which instance each
    element is, so a consumer of one element links to that instance (issue 14)."""
    module = module_from(COUNTED + 'resource "terraform_data" "p" {\n'
                         '  by_key = { for k, u in aws_iam_user.each : k => u.arn }\n'
                         '  arns   = [for u in aws_iam_user.enabled : u.arn]\n'
                         '  splat  = aws_iam_user.enabled[*].arn\n'
                         '  values = values(aws_iam_user.each)[*].arn\n'
                         '  whole  = aws_iam_user.maybe\n'
                         '}\n')
    (probe,) = module.resources_of("terraform_data")
    assert probe.value("by_key") == {"a": Unknown(frozenset({'aws_iam_user.each["a"]'})), "b": Unknown(frozenset({'aws_iam_user.each["b"]'}))}
    assert probe.value("arns") == [Unknown(frozenset({"aws_iam_user.enabled[0]"}))]
    assert probe.value("splat") == probe.value("arns")
    # A function over unknown elements is unknown, naming every instance it read.
    assert probe.value("values") == Unknown(frozenset({'aws_iam_user.each["a"]', 'aws_iam_user.each["b"]'}))
    # Keys not known before apply: the resource stays one unknown (the unknown twin).
    assert probe.value("whole") == Unknown(frozenset({"aws_iam_user.maybe"}))


# -- BlockView ----------------------------------------------------------------------------------

ROLE = '''provider "aws" {
  alias  = "ml"
  region = "us-west-2"
}

resource "aws_iam_role" "agent" {
  provider = aws.ml
  name     = "agent"
  policy = jsonencode({
    Resource = aws_s3_bucket.docs.arn
  })

  inline_policy {
    name = "first"
  }
  inline_policy {
    name = "second"
  }
}
'''


@pytest.fixture()
def role():
    (resource,) = module_from(ROLE).resources
    return resource


def test_resource_address_and_location(role):
    assert (role.address, role.resource_type, role.name, role.mode) == ("aws_iam_role.agent", "aws_iam_role", "agent", "resource")
    assert role.location == Location("main.tf", 6, 19)


def test_attribute_lines_locations_and_references(role):
    assert role.line("name") == 8 and role.line("missing") == 6 and role.line() == 6
    assert role.location_of("policy") == Location("main.tf", 9, 11)
    assert role.location_of("missing") == role.location
    assert role.refs("policy") == {"aws_s3_bucket.docs"}
    assert role.refs("provider") == {"aws.ml"} and role.refs("missing") == frozenset()


def test_value_defaults_only_for_unwritten_attributes(role):
    assert role.value("name") == "agent"
    assert role.value("description", "none") == "none"
    assert role.has("name") and not role.has("description")


def test_nested_blocks_in_order(role):
    assert [b.value("name") for b in role.blocks("inline_policy")] == ["first", "second"]
    assert role.first_block("inline_policy").value("name") == "first"
    assert role.first_block("lifecycle") is None


def test_providers_are_collected_by_name():
    module = module_from(ROLE)
    (provider,) = module.providers_named("aws")
    assert provider.value("alias") == "ml" and module.providers_named("google") == []


def test_prefix_makes_module_addresses():
    module = module_from(ROLE)
    module.address_prefix = "module.ai."
    (resource,) = module.resources
    assert resource.address == "module.ai.aws_iam_role.agent"
