"""Azure through the azapi provider: an Azure Verified Module style resource module
(tests/fixtures/projects/avm-cognitive-account: the account, its role assignments and a Key Vault
copy of its key as ``azapi_resource``s, three ``examples/`` roots), then rule by rule on small
modules — the records the azurerm resources make, exact findings and non-findings, and unknowns
that never fail."""

from __future__ import annotations

from functools import cache

import pytest
from recognizing import Records, flagged, flagged_source, grant_summary, records, records_of
from scanning import FIXTURES, scan_path

from iac_guard.model import Expiry, Location, Owner, Rotation, Unknown
from iac_guard.providers import azure

PROJECT = FIXTURES / "projects" / "avm-cognitive-account"
BATCH = "examples/ai-services-with-keyvault"
ACCOUNT = "module.ai_services.azapi_resource.this"
SECRET = "module.ai_services.azapi_resource.key_vault_secret[0]"


@cache
def avm() -> Records:
    return records(PROJECT, azure.extract)


def credential(root: str, address: str):
    (found,) = [c for c in avm().inventory.credentials if c.root_module == root and c.address == address]
    return found


def test_findings_are_exactly_these():
    result = scan_path(PROJECT)
    assert result.errors == []
    assert [(f.policy_id, f.resource, f.file, f.line, f.root_modules) for f in result.findings] == [
        ("IAG005", "azapi_resource.batch_identity", f"{BATCH}/main.tf", 15, (BATCH,)),
        ("IAG001", SECRET, "main.key_vault.tf", 3, (BATCH,)),
        ("IAG003", SECRET, "main.key_vault.tf", 3, (BATCH,)),
        ("IAG005", SECRET, "main.key_vault.tf", 3, (BATCH,)),
        ("IAG004", "azapi_resource.batch_identity", "main.role_assignments.tf", 11, (BATCH,)),
        ("IAG001", ACCOUNT, "main.tf", 6, (BATCH,)),
        ("IAG002", ACCOUNT, "main.tf", 6, (BATCH,)),
        ("IAG002", "module.openai.azapi_resource.this", "main.tf", 6, ("examples/default",)),
        ("IAG003", ACCOUNT, "main.tf", 6, (BATCH,)),
        ("IAG003", "module.openai.azapi_resource.this", "main.tf", 6, ("examples/default",)),
    ]


def test_exact_non_findings():
    found = flagged(PROJECT, scope="all")
    # Local authentication disabled: no key, nothing to judge; its identity is owned, narrow, used once.
    assert not [c for c in avm().inventory.credentials if c.root_module == "examples/local-auth-disabled" and c.kind == "api-key"]
    assert "azapi_resource.chat_identity" not in found
    # The account's system-assigned identity takes the account's owner, judged on the account.
    assert f"{ACCOUNT}.identity" not in found
    # The Key Vault copy states an expiry (exp, 34 days away): no missing-expiry.
    assert "IAG002" not in found[SECRET]
    # The default account has an owner tag.
    assert "IAG001" not in found["module.openai.azapi_resource.this"]


def test_account_keys_read_from_an_arm_body_that_drops_null_settings():
    key = credential("examples/default", "module.openai.azapi_resource.this")
    assert (key.kind, key.source_type, key.name) == ("api-key", "azapi_resource", "oai-avm-default")
    assert key.ai_reasons[0] == "Azure OpenAI account key"
    assert key.expiry == Expiry(None, source="Azure AI services account keys never expire")
    assert key.owner == Owner("conversational-ai", "tag owner")
    assert key.evidence == {"owner": Location("main.tf", 25, 25)}
    assert credential(BATCH, ACCOUNT).ai_reasons[0] == "Azure AI services account key (kind AIServices)"


def test_key_vault_secret_holding_what_list_keys_returned_is_the_accounts_key_with_its_exp():
    secret = credential(BATCH, SECRET)
    assert (secret.kind, secret.name) == ("secret", "ais-batch-key1")
    assert secret.ai_reasons[0] == f"holds the access key of {ACCOUNT} (Azure AI services account key (kind AIServices))"
    assert secret.expiry == Expiry(34, source="properties.attributes.exp", expires_on="2027-01-01")
    assert secret.evidence == {"expiry": Location("main.key_vault.tf", 14, 14)}
    assert secret.consumers == ("azurerm_linux_function_app.invoices", "azurerm_linux_function_app.receipts")


def test_role_assignments_are_grants_of_the_identity_they_name():
    batch = credential(BATCH, "azapi_resource.batch_identity")
    assert batch.kind == "managed-identity"
    assert grant_summary(batch.scope.grants) == [(
        'module.ai_services.azapi_resource.role_assignments["batch"] (Contributor)', ("Contributor",),
        ("/subscriptions/00000000-0000-0000-0000-000000000000",),
        ("built-in role Contributor allows every action except granting access",
         "scope is a whole subscription (/subscriptions/00000000-0000-0000-0000-000000000000)"),
    )]
    chat = credential("examples/local-auth-disabled", "azapi_resource.chat_identity")
    assert grant_summary(chat.scope.grants) == [(
        'module.openai.azapi_resource.role_assignments["chat_api"] (Cognitive Services OpenAI User)',
        ("Cognitive Services OpenAI User",), ("module.openai.azapi_resource.this",), (),
    )]
    assert chat.consumers == ("azurerm_container_app.chat_api",)
    assert chat.owner == Owner("conversational-ai", "tag owner")


BODIES = {
    "object": '''{
    kind = "OpenAI"
    properties = { disableLocalAuth = %s }
  }''',
    "jsonencode": '''jsonencode({
    kind = "OpenAI"
    properties = { disableLocalAuth = %s }
  })''',
    "local": "local.body\n}\nlocals {\n  body = { kind = \"OpenAI\", properties = { disableLocalAuth = %s } }",
    "json text": "local.body\n}\nlocals {\n  body = jsonencode({ kind = \"OpenAI\", properties = { disableLocalAuth = %s } })",
}
ACCOUNT_TF = '''
resource "azapi_resource" "oai" {
  type      = "Microsoft.CognitiveServices/accounts@2024-10-01"
  name      = "oai-support"
  parent_id = var.resource_group_id
  tags      = { owner = "support" }
  body      = %s
}
variable "resource_group_id" {}
variable "disable" {
  type = bool
}
'''


@pytest.mark.parametrize("body", sorted(BODIES))
def test_disable_local_auth_is_read_from_every_way_a_body_is_written(tmp_path, body):
    def scan(value: str, where: str) -> Records:
        return records_of(tmp_path / where, azure.extract, ACCOUNT_TF % (BODIES[body] % value))

    assert not scan("true", "disabled").has("azapi_resource.oai")
    enabled = scan("false", "enabled").credential("azapi_resource.oai")
    assert (enabled.ai_reasons[0], enabled.expiry.lifetime_days) == ("Azure OpenAI account key", None)
    unknown = scan("var.disable", "unknown").credential("azapi_resource.oai")
    assert isinstance(unknown.expiry.lifetime_days, Unknown) and isinstance(unknown.rotation.period_days, Unknown)
    assert unknown.expiry.source == "properties.disableLocalAuth not known before apply"


def test_a_body_without_disable_local_auth_has_keys(tmp_path):
    main_tf = ACCOUNT_TF % '{\n    kind = "SpeechServices"\n    properties = {}\n  }'
    key = records_of(tmp_path, azure.extract, main_tf).credential("azapi_resource.oai")
    assert key.ai_reasons[0] == "Azure AI services account key (kind SpeechServices)"
    assert flagged_source(tmp_path / "scan", main_tf) == {"azapi_resource.oai": {"IAG002", "IAG003"}}


def test_local_auth_not_known_before_apply_is_never_a_failure(tmp_path):
    assert flagged_source(tmp_path, ACCOUNT_TF % (BODIES["object"] % "var.disable")) == {}


def test_a_type_not_known_or_not_read_is_not_guessed(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azapi_resource" "unknown_type" {
  type      = var.type
  name      = "oai-support"
  parent_id = var.resource_group_id
  body      = { kind = "OpenAI" }
}
resource "azapi_resource" "storage" {
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "stopenai"
  parent_id = var.resource_group_id
  body      = { kind = "StorageV2" }
}
variable "type" {}
variable "resource_group_id" {}
''')
    assert scan.inventory.credentials == ()


SECRET_TF = '''
resource "azapi_resource" "secret" {
  type      = "Microsoft.KeyVault/vaults/secrets@2023-07-01"
  name      = "anthropic-api-key"
  parent_id = azurerm_key_vault.chat.id
  body = {
    properties = {
      attributes = { exp = %s }
    }
  }
  sensitive_body = {
    properties = { value = var.anthropic_api_key }
  }
  tags = { owner = "chat" }
  lifecycle {
    replace_triggered_by = [time_rotating.anthropic]
  }
}
resource "time_rotating" "anthropic" {
  rotation_days = 30
}
variable "anthropic_api_key" {
  sensitive = true
}
variable "exp" {
  type = number
}
'''


def test_key_vault_secret_expiry_is_its_exp_in_unix_seconds_and_unknown_exp_never_fails(tmp_path):
    secret = records_of(tmp_path / "dated", azure.extract, SECRET_TF % "1798761600").credential("azapi_resource.secret")
    assert (secret.kind, secret.owner, secret.rotation) == ("secret", Owner("chat", "tag owner"), Rotation(30, "time_rotating.anthropic"))
    assert secret.expiry == Expiry(34, source="properties.attributes.exp", expires_on="2027-01-01")
    assert secret.ai_reasons == ("'anthropic-api-key' names Anthropic",)
    assert flagged_source(tmp_path / "compliant", SECRET_TF % "1798761600") == {}
    unknown = records_of(tmp_path / "unknown", azure.extract, SECRET_TF % "var.exp").credential("azapi_resource.secret")
    assert isinstance(unknown.expiry.lifetime_days, Unknown)
    assert flagged_source(tmp_path / "unknown-scan", SECRET_TF % "var.exp") == {}
    never = SECRET_TF.replace("attributes = { exp = %s }", "").replace("replace_triggered_by = [time_rotating.anthropic]", "")
    assert records_of(tmp_path / "never", azure.extract, never).credential("azapi_resource.secret").expiry == Expiry(
        None, source="no properties.attributes.exp: a Key Vault secret never expires",
    )
    assert flagged_source(tmp_path / "never-scan", never) == {"azapi_resource.secret": {"IAG002", "IAG003"}}


def test_a_literal_key_in_the_sensitive_body_is_hardcoded_at_its_line(tmp_path):
    main_tf = SECRET_TF.replace("var.anthropic_api_key", '"sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Ji0HgFeDcBa-AA"') % "1798761600"
    (literal,) = records_of(tmp_path, azure.extract, main_tf).credential("azapi_resource.secret").hardcoded
    assert (literal.field, literal.location, literal.ai_provider) == ("value", Location("main.tf", 12, 12), "Anthropic")


def test_azapi_role_assignment_on_a_system_assigned_identity_of_an_azurerm_app(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azurerm_linux_web_app" "chat" {
  name = "app-chat"
  tags = { owner = "chat" }
  identity {
    type = "SystemAssigned"
  }
}
resource "azapi_resource" "owner" {
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = "2a6f1c3e-0000-4000-8000-000000000001"
  parent_id = var.resource_group_id
  body = jsonencode({
    properties = {
      principalId      = azurerm_linux_web_app.chat.identity[0].principal_id
      roleDefinitionId = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
    }
  })
}
variable "resource_group_id" {}
''')
    identity = scan.credential("azurerm_linux_web_app.chat.identity")
    assert identity.scope.wildcard_reasons == ("built-in role Owner allows every action, including granting access to others",)
    assert identity.evidence["scope"] == Location("main.tf", 16, 16)


def test_azapi_compute_runs_as_its_identities_and_a_federated_credential_makes_its_subject_a_workload(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azapi_resource" "rag_identity" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31"
  name      = "id-rag"
  parent_id = var.resource_group_id
  tags      = { owner = "search" }
}
resource "azapi_resource" "rag_federation" {
  type      = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31"
  name      = "aks-rag-worker"
  parent_id = azapi_resource.rag_identity.id
  body = {
    properties = {
      issuer    = var.aks_oidc_issuer
      subject   = "system:serviceaccount:rag:rag-worker"
      audiences = ["api://AzureADTokenExchange"]
    }
  }
}
resource "azapi_resource" "rag_api" {
  type      = "Microsoft.App/containerApps@2024-03-01"
  name      = "ca-rag-api"
  parent_id = var.resource_group_id
  identity {
    type         = "UserAssigned"
    identity_ids = [azapi_resource.rag_identity.id]
  }
  body = { properties = { template = { containers = [{ name = "api", image = "ghcr.io/acme/rag-api:2.0" }] } } }
}
resource "azapi_resource" "foundry_project" {
  type      = "Microsoft.CognitiveServices/accounts/projects@2025-06-01"
  name      = "rag-evals"
  parent_id = var.account_id
  identity {
    type = "SystemAssigned"
  }
  body = { properties = {} }
}
resource "azapi_resource" "secret_type_unknown" {
  type      = var.type
  name      = "x"
  parent_id = var.resource_group_id
}
variable "resource_group_id" {}
variable "aks_oidc_issuer" {}
variable "account_id" {}
variable "type" {}
''')
    identity = scan.credential("azapi_resource.rag_identity")
    assert identity.consumers == ("ServiceAccount/rag/rag-worker", "azapi_resource.rag_api")
    assert scan.usages_of("azapi_resource.rag_api") == [("user-assigned identity", "azapi_resource.rag_identity", 26)]
    assert scan.usages_of("ServiceAccount/rag/rag-worker") == [("workload identity federation", "azapi_resource.rag_identity", 15)]
    assert scan.workload("azapi_resource.foundry_project").ai_reasons == ("Azure AI Foundry project",)
    project_identity = scan.credential("azapi_resource.foundry_project.identity")
    assert project_identity.consumers == ("azapi_resource.foundry_project",)
    assert project_identity.ai_reasons == ("identity of azapi_resource.foundry_project (Azure AI Foundry project)",)
    assert [w.address for w in scan.inventory.workloads if w.address == "azapi_resource.secret_type_unknown"] == []


def test_a_sensitive_body_not_known_before_apply_leaves_the_settings_in_body_known(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azapi_resource" "oai" {
  type      = "Microsoft.CognitiveServices/accounts@2025-06-01"
  name      = "oai-entra"
  parent_id = var.resource_group_id
  body = { for k, v in {
    kind       = "OpenAI"
    properties = { customSubDomainName = coalesce(var.subdomain, "oai-${random_string.suffix.result}"), disableLocalAuth = true }
  } : k => v if v != null }
  sensitive_body = [{ properties = { apiProperties = { qnaAzureSearchEndpointKey = var.search_key } } }, null][var.index]
}
variable "resource_group_id" {}
variable "subdomain" {
  default = null
}
variable "search_key" {}
variable "index" {}
''')
    assert not scan.has("azapi_resource.oai")  # keys disabled in body, whatever sensitive_body holds
