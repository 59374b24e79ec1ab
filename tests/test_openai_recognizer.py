"""The OpenAI recognizer (official ``openai/openai`` provider) on
tests/fixtures/terraform/openai_projects (an organization's projects, service accounts, groups and
roles), then rule by rule on small modules: exact records, exact findings and non-findings, and
unknowns that never fail."""

from __future__ import annotations

from functools import cache

import pytest
from conftest import TERRAFORM_FIXTURES
from recognizing import Records, flagged, flagged_source, grant_summary, records, records_of
from scanning import finding_keys, scan_path, settings

from iac_guard.model import Expiry, Location, Owner, Unknown
from iac_guard.providers import openai

FIXTURE = TERRAFORM_FIXTURES / "openai_projects"
NO_OWNER_FIELD = "the OpenAI provider records no owner; name one in owner_map"
PROJECT_OWNER = "built-in role role-api-project-owner allows everything in the project, including its API keys and members"


@cache
def org() -> Records:
    return records(FIXTURE, openai.extract)


def test_findings_are_exactly_these():
    result = scan_path(FIXTURE, scope="all")
    assert result.errors == []
    assert finding_keys(result) == [("IAG004", "openai_project_service_account.notebooks", "access.tf", 35)]
    assert [f.message for f in result.findings] == [f"openai_project_service_account.notebooks has wildcard scope: {PROJECT_OWNER}"]


@pytest.mark.parametrize("address", [
    "openai_project_service_account.support_api",  # the project's owner, one custom role through a group
    "openai_project_service_account.support_batch",  # the project's owner, the built-in member role
])
def test_compliant_service_accounts_are_recognized_and_not_flagged(address):
    assert org().credential(address).ai_reasons == ("OpenAI project service account",)
    assert address not in flagged(FIXTURE, scope="all")


def test_a_service_account_is_an_ai_identity_without_a_key_of_its_own():
    account = org().credential("openai_project_service_account.support_api")
    assert (account.kind, account.provider, account.name) == ("service-account", "openai", "support-api")
    assert account.expiry == Expiry(None, source="an identity: its API keys are created outside Terraform")
    assert not [c for c in org().inventory.credentials if c.kind != "service-account"]


def test_owner_is_the_owner_of_its_project_and_unknown_when_the_module_names_none():
    account = org().credential("openai_project_service_account.support_api")
    assert account.owner == Owner("dana.lee@acme.example", "owner of project openai_project.support_bot")
    assert account.evidence["owner"] == Location("projects.tf", 13, 13)
    notebooks = org().credential("openai_project_service_account.notebooks")  # its project has a member, no owner
    assert isinstance(notebooks.owner.value, Unknown) and notebooks.owner.source == NO_OWNER_FIELD


def test_roles_through_a_group_and_directly_are_the_accounts_scope():
    assert grant_summary(org().credential("openai_project_service_account.support_api").scope.grants) == [(
        "openai_project_group_role.support_runtime (custom role Responses writer)", ("api.responses.write",), ("openai_project.support_bot",), (),
    )]
    assert grant_summary(org().credential("openai_project_service_account.support_batch").scope.grants) == [(
        "openai_project_user_role.support_batch (role-api-project-member)", ("role-api-project-member",), ("openai_project.support_bot",), (),
    )]
    notebooks = org().credential("openai_project_service_account.notebooks")
    assert notebooks.scope.wildcard_reasons == (PROJECT_OWNER,)
    assert notebooks.evidence["scope"] == Location("access.tf", 35, 35)


ACCOUNT = '''
resource "openai_project_service_account" "agent" {
  project_id = "proj_abc123"
  name       = "triage-agent"
}
resource "openai_group" "agents" {
  name = "agents"
}
resource "openai_group_user" "agent" {
  group_id = openai_group.agents.id
  user_id  = openai_project_service_account.agent.id
}
%s
variable "role_id" {}
'''


@pytest.mark.parametrize(("assignment", "reasons"), [
    ('resource "openai_group_role" "agents" {\n  group_id = openai_group.agents.id\n  role_id  = openai_role.all.role_id\n}\n'
     'resource "openai_role" "all" {\n  role_name   = "everything"\n  permissions = ["*"]\n}',
     ('custom role everything allows every permission ("*")',)),
    ('resource "openai_project_group_role" "agents" {\n  project_id = "proj_abc123"\n  group_id   = openai_group.agents.id\n'
     '  role_id    = "role-api-project-owner"\n}', (PROJECT_OWNER,)),
    ('resource "openai_project_group_role" "agents" {\n  project_id = "proj_abc123"\n  group_id   = openai_group.agents.id\n'
     '  role_id    = "role-api-project-viewer"\n}', ()),
    # Unknown twin: a role not known before apply is no reason.
    ('resource "openai_project_user_role" "agent" {\n  project_id = "proj_abc123"\n'
     '  user_id    = openai_project_service_account.agent.service_account_id\n  role_id    = var.role_id\n}', ()),
])
def test_roles_reach_the_account_directly_or_through_its_group(tmp_path, assignment, reasons):
    account = records_of(tmp_path, openai.extract, ACCOUNT % assignment).credential("openai_project_service_account.agent")
    assert len(account.scope.grants) == 1
    assert account.scope.wildcard_reasons == reasons
    assert flagged_source(tmp_path / "scan", ACCOUNT % assignment) == ({"openai_project_service_account.agent": {"IAG004"}} if reasons else {})


def test_an_unknown_owner_never_fails_and_owner_map_names_one(tmp_path):
    main_tf = ACCOUNT % ""
    assert isinstance(records_of(tmp_path, openai.extract, main_tf).credential("openai_project_service_account.agent").owner.value, Unknown)
    assert flagged_source(tmp_path / "scan", main_tf) == {}
    chosen = settings(owner_map=(("openai_project_service_account.*", "support-ai"),))
    mapped = records_of(tmp_path / "mapped", openai.extract, main_tf, chosen).credential("openai_project_service_account.agent")
    assert mapped.owner == Owner("support-ai", "owner_map 'openai_project_service_account.*'")
