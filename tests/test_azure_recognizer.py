"""The Azure recognizer on tests/fixtures/terraform/azure_openai (an Azure OpenAI chat platform
written as a real project: locals, tag maps, references between resources, several files), then
rule by rule on small modules: exact records, and exact findings and non-findings."""

from __future__ import annotations

from functools import cache

import pytest
from conftest import TERRAFORM_FIXTURES, expected_fingerprint, fake_key
from recognizing import Records, flagged, flagged_source, grant_summary, records, records_of
from scanning import finding_keys, scan_path, settings, write_project

from iac_guard.model import Expiry, Location, Owner, Rotation, SecretLiteral, Unknown
from iac_guard.providers import azure

FIXTURE = TERRAFORM_FIXTURES / "azure_openai"
OPENAI_KEY = fake_key("sk-proj-")
HF_TOKEN = fake_key("hf_", "Zx9Yw8Vu", 4)
MANAGED = Expiry(1, True, "managed identity tokens are issued by Azure and last at most 24 hours")
OPENAI_ACCOUNT = "azurerm_cognitive_account.openai"

EXPECTED = [
    ("IAG001", "azurerm_linux_web_app.legacy_chat.identity", "apps.tf", 31),
    ("IAG006", "azurerm_linux_web_app.legacy_chat", "apps.tf", 42),
    # Keys on, and its one reader runs on Azure: a managed identity could replace the key.
    ("IAG007", "azurerm_cognitive_account.legacy_openai", "apps.tf", 80),
    ("IAG003", "azuread_application_password.batch_scoring_local", "entra.tf", 25),
    ("IAG001", "azuread_application.eval_harness", "entra.tf", 38),
    ("IAG002", "azuread_service_principal_password.eval_harness", "entra.tf", 46),
    ("IAG003", "azuread_service_principal_password.eval_harness", "entra.tf", 46),
    ("IAG004", "azuread_application.eval_harness", "entra.tf", 52),
    ("IAG002", "azuread_service_principal_certificate.eval_harness", "entra.tf", 70),
    ("IAG003", "azuread_service_principal_certificate.eval_harness", "entra.tf", 70),
    ("IAG005", "azurerm_user_assigned_identity.shared_ai", "identity.tf", 15),
    ("IAG001", "azurerm_user_assigned_identity.aoai_ops", "identity.tf", 35),
    ("IAG004", "azurerm_user_assigned_identity.aoai_ops", "identity.tf", 44),
    ("IAG003", "azurerm_key_vault_secret.anthropic_api_key", "keyvault.tf", 19),
    ("IAG005", "azurerm_key_vault_secret.anthropic_api_key", "keyvault.tf", 19),
    ("IAG002", "azurerm_key_vault_secret.anthropic_api_key", "keyvault.tf", 23),
    ("IAG003", "azurerm_key_vault_secret.hf_token", "keyvault.tf", 27),
    ("IAG006", "azurerm_key_vault_secret.hf_token", "keyvault.tf", 29),
    ("IAG001", "azurerm_cognitive_account.legacy_openai", "openai.tf", 29),
    ("IAG002", "azurerm_cognitive_account.legacy_openai", "openai.tf", 29),
    ("IAG003", "azurerm_cognitive_account.legacy_openai", "openai.tf", 29),
]


@cache
def chat() -> Records:
    return records(FIXTURE, azure.extract)


# == the whole fixture ============================================================================

def test_findings_are_exactly_these():
    result = scan_path(FIXTURE)
    assert result.errors == []
    assert finding_keys(result) == EXPECTED
    assert result.exit_code == 1


@pytest.mark.parametrize("address", [
    "azurerm_cognitive_account.speech",  # both keys regenerated every 30 days, owner tag
    "azurerm_key_vault_secret.legacy_openai_key",  # expires and is replaced with a 30-day schedule
    "azurerm_key_vault_key.openai_cmk",  # rotation_policy: every 60 days, expires after 90
    "azuread_application.batch_scoring",  # owner from its tags, one narrow role
    "azuread_application_password.batch_scoring",  # 90-day end_date, replaced every 60 days
    "azuread_application_certificate.batch_scoring",  # the same, for its certificate
    "azurerm_user_assigned_identity.chat_api",  # one app, one narrow role
    "azurerm_user_assigned_identity.rag_worker",  # one Kubernetes ServiceAccount, one narrow role
    "azurerm_linux_virtual_machine.gpu_batch.identity",  # owner from the VM's tags
])
def test_compliant_credentials_are_recognized_and_not_flagged(address):
    assert chat().credential(address).ai_reasons
    assert address not in flagged(FIXTURE)


def test_credentials_with_nothing_to_do_with_ai_are_judged_only_with_scope_all():
    address = "azurerm_key_vault_secret.chat_db_password"
    assert chat().credential(address).ai_reasons == ()
    assert address not in flagged(FIXTURE)
    assert flagged(FIXTURE, scope="all")[address] == {"IAG001", "IAG002", "IAG003"}
    # The cluster's identity is not an AI identity, and has an owner, one workload and no grants.
    assert chat().credential("azurerm_kubernetes_cluster.ml.identity").ai_reasons == ()
    assert "azurerm_kubernetes_cluster.ml.identity" not in flagged(FIXTURE, scope="all")


# == AI services accounts ========================================================================

def test_account_with_local_auth_disabled_has_no_key_to_judge():
    assert not chat().has(OPENAI_ACCOUNT)


def test_account_keys_are_one_api_key_that_never_expires_and_the_resource_groups_owner_does_not_reach_it():
    key = chat().credential("azurerm_cognitive_account.legacy_openai")
    assert (key.kind, key.source_type, key.name) == ("api-key", "azurerm_cognitive_account", "oai-legacy-prod")
    assert key.ai_reasons[0] == "Azure OpenAI account key"
    assert key.owner == Owner(None)  # azurerm_resource_group.chat has an owner tag: Azure does not propagate it
    assert key.expiry == Expiry(None, source="Azure AI services account keys never expire")
    assert key.rotation == Rotation(None)
    assert key.tags == {"environment": "prod", "migrated": "2024-09"}


def test_both_keys_regenerated_on_a_schedule_rotate_the_account_keys():
    key = chat().credential("azurerm_cognitive_account.speech")
    assert key.ai_reasons == ("Azure AI services account key (kind SpeechServices)",)
    assert key.rotation == Rotation(30, "time_rotating.speech_keys")
    assert key.expiry == Expiry(30, False, "rotation by time_rotating.speech_keys")
    assert key.owner == Owner("voice-team", "tag owner")
    assert key.evidence == {"owner": Location("openai.tf", 45, 45), "rotation": Location("openai.tf", 59, 59)}


ACCOUNT = '''
resource "azurerm_cognitive_account" "oai" {
  name     = "oai-support"
  kind     = "OpenAI"
  sku_name = "S0"
  tags     = { owner = "support" }
  %s
}
resource "time_rotating" "keys" {
  rotation_days = 30
}
'''

REGENERATE = '''
resource "azapi_resource_action" "%s" {
  type        = "Microsoft.CognitiveServices/accounts@2024-10-01"
  resource_id = azurerm_cognitive_account.oai.id
  action      = "regenerateKey"
  body        = jsonencode({ keyName = "%s" })
  lifecycle {
    replace_triggered_by = [time_rotating.keys]
  }
}
'''


def test_regenerating_one_key_of_two_is_not_rotation(tmp_path):
    scan = records_of(tmp_path, azure.extract, ACCOUNT % "" + REGENERATE % ("key1", "Key1"))
    assert scan.credential("azurerm_cognitive_account.oai").rotation == Rotation(None)
    both = records_of(tmp_path / "both", azure.extract, ACCOUNT % "" + REGENERATE % ("key1", "Key1") + REGENERATE % ("key2", "Key2"))
    assert both.credential("azurerm_cognitive_account.oai").rotation == Rotation(30, "time_rotating.keys")


def test_local_auth_not_known_before_apply_is_never_a_failure(tmp_path):
    main_tf = ACCOUNT % "local_auth_enabled = var.keys_enabled" + 'variable "keys_enabled" {\n  type = bool\n}\n'
    key = records_of(tmp_path, azure.extract, main_tf).credential("azurerm_cognitive_account.oai")
    assert isinstance(key.expiry.lifetime_days, Unknown) and isinstance(key.rotation.period_days, Unknown)
    assert flagged_source(tmp_path / "scan", main_tf) == {}


def test_ai_services_resource_is_an_account_with_keys_unless_local_authentication_is_disabled(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azurerm_ai_services" "hub" {
  name     = "ais-hub"
  sku_name = "S0"
}
resource "azurerm_ai_services" "entra_only" {
  name                         = "ais-entra"
  sku_name                     = "S0"
  local_authentication_enabled = false
}
''')
    assert scan.credential("azurerm_ai_services.hub").ai_reasons[0] == "Azure AI services account key (kind AIServices)"
    assert not scan.has("azurerm_ai_services.entra_only")


# == Key Vault ====================================================================================

def test_secret_holding_an_account_key_is_an_ai_credential_that_expires_and_rotates_with_its_schedule():
    secret = chat().credential("azurerm_key_vault_secret.legacy_openai_key")
    assert secret.ai_reasons[0] == "holds the access key of azurerm_cognitive_account.legacy_openai (Azure OpenAI account key)"
    assert secret.expiry == Expiry(30, source="expiration_date follows time_rotating.legacy_openai_key")
    assert secret.rotation == Rotation(30, "time_rotating.legacy_openai_key")
    assert secret.owner == Owner("ml-platform", "tag owner")
    assert secret.evidence == {
        "owner": Location("keyvault.tf", 12, 12), "expiry": Location("keyvault.tf", 11, 11), "rotation": Location("keyvault.tf", 15, 15),
    }
    assert secret.hardcoded == ()  # a reference, not a literal


def test_expiration_date_is_a_lifetime_counted_from_today():
    secret = chat().credential("azurerm_key_vault_secret.anthropic_api_key")
    assert secret.expiry == Expiry(214, source="expiration_date", expires_on="2027-06-30")
    assert secret.hardcoded == ()  # var.anthropic_api_key has no value in code
    assert chat().credential("azurerm_key_vault_secret.hf_token").expiry == Expiry(48, source="expiration_date", expires_on="2027-01-15")


def test_literal_secret_value_is_hardcoded_at_the_value_line():
    secret = chat().credential("azurerm_key_vault_secret.hf_token")
    assert secret.hardcoded == (SecretLiteral("value", "huggingface-token", expected_fingerprint(HF_TOKEN, "hf_"), Location("keyvault.tf", 29, 29), "Hugging Face"),)
    assert secret.owner == Owner("search-team", "tag owner")  # merge(local.common_tags, {owner = …}) overrides


def test_secret_without_expiration_date_never_expires():
    secret = chat().credential("azurerm_key_vault_secret.chat_db_password")
    assert secret.expiry == Expiry(None, source="no expiration_date: a Key Vault secret never expires")
    assert (secret.owner, secret.rotation) == (Owner(None), Rotation(None))


def test_key_rotation_policy_rotates_ahead_of_expiry():
    key = chat().credential("azurerm_key_vault_key.openai_cmk")
    assert key.rotation == Rotation(60, "azurerm_key_vault_key.openai_cmk rotation_policy")
    assert key.expiry == Expiry(90, source="rotation_policy expire_after")
    assert (key.evidence["rotation"], key.evidence["expiry"]) == (Location("keyvault.tf", 55, 62), Location("keyvault.tf", 56, 56))


@pytest.mark.parametrize(("text", "days"), [("P90D", 90), ("P1Y", 365), ("P3M", 90), ("P2W", 14), ("PT36H", 1.5), ("P1Y2M", 425)])
def test_iso_8601_durations(text, days):
    assert azure.key_vault.iso_duration_days(text) == days


@pytest.mark.parametrize("text", ["90d", "P", "", "PXD"])
def test_iso_8601_durations_that_cannot_be_read_are_unknown(text):
    assert isinstance(azure.key_vault.iso_duration_days(text), Unknown)


# == Entra ID applications and client secrets =====================================================

def test_application_owner_from_its_string_tags_convention():
    application = chat().credential("azuread_application.batch_scoring")
    assert (application.kind, application.name) == ("service-account", "openai-batch-scoring")
    assert application.owner == Owner("ml-platform", "tags 'owner:'")
    assert application.evidence == {"owner": Location("entra.tf", 5, 5)}


def test_client_secret_inherits_owner_and_scope_from_its_application():
    password = chat().credential("azuread_application_password.batch_scoring")
    application = chat().credential("azuread_application.batch_scoring")
    assert password.kind == "client-secret"
    assert password.owner == Owner("ml-platform", "inherited from azuread_application.batch_scoring", inherited=True)
    assert (password.parent, password.scope.inherited_from) == ("azuread_application.batch_scoring",) * 2
    assert password.scope.grants == application.scope.grants
    assert password.ai_reasons == application.ai_reasons


def test_client_secret_lifetime_from_timeadd_and_rotation_from_rotate_when_changed():
    password = chat().credential("azuread_application_password.batch_scoring")
    assert password.expiry == Expiry(90, source="end_date = timeadd(…, 2160h)")
    assert password.rotation == Rotation(60, "time_rotating.batch_scoring_secret")
    assert password.evidence == {"expiry": Location("entra.tf", 20, 20), "rotation": Location("entra.tf", 21, 21)}


def test_end_date_relative_is_a_go_duration():
    password = chat().credential("azuread_application_password.batch_scoring_local")
    assert password.expiry == Expiry(30, source="end_date_relative")
    assert password.rotation == Rotation(None)


def test_service_principal_password_without_end_date_counts_as_no_explicit_expiry():
    password = chat().credential("azuread_service_principal_password.eval_harness")
    assert password.expiry == Expiry(None, source="no end_date: the provider's two-year default is not an explicit expiry")
    assert password.owner == Owner(None, "inherited from azuread_application.eval_harness", inherited=True)  # judged on the application
    assert password.parent == "azuread_application.eval_harness"  # through its service principal


def test_contributor_on_the_subscription_is_two_wildcard_reasons_on_the_application():
    application = chat().credential("azuread_application.eval_harness")
    assert grant_summary(application.scope.grants) == [(
        "azurerm_role_assignment.eval_harness_contributor (Contributor)", ("Contributor",), ("data.azurerm_subscription.current",),
        ("built-in role Contributor allows every action except granting access", "scope is a whole subscription (data.azurerm_subscription.current)"),
    )]
    assert application.ai_reasons == ("'llm-eval-harness' names an AI service",)


ENTRA = '''
resource "azuread_application" "app" {
  display_name = "gpt-summaries"
  %s
}
resource "azuread_application_password" "app" {
  application_id = azuread_application.app.id
  end_date       = "2027-01-01T00:00:00Z"
}
'''


@pytest.mark.parametrize(("body", "owner"), [
    ('owners = [azuread_user.ana.object_id]\n}\nresource "azuread_user" "ana" {\n  user_principal_name = "ana@acme.example"\n', Owner("ana@acme.example", "owners")),
    ('owners = ["7f4cf7a3-1c3e-4f45-9d2b-0d4f2f6b1a11"]', Owner("7f4cf7a3-1c3e-4f45-9d2b-0d4f2f6b1a11", "owners")),
    ("notes = \"Summaries for support. Owner: support-tools\"", Owner("support-tools", "notes 'owner:'")),
    ("owners = []", Owner(None, "owners is empty")),
    ("", Owner(None)),
])
def test_application_owner_from_notes_or_the_owners_it_lists(tmp_path, body, owner):
    scan = records_of(tmp_path, azure.extract, ENTRA % body)
    assert scan.credential("azuread_application.app").owner == owner
    assert scan.credential("azuread_application_password.app").expiry == Expiry(34, source="end_date", expires_on="2027-01-01")


def test_application_owner_from_its_service_principals_tags_and_an_orphan_service_principal_is_its_own_identity(tmp_path):
    scan = records_of(tmp_path, azure.extract, ENTRA % "" + '''
resource "azuread_service_principal" "app" {
  client_id = azuread_application.app.client_id
  tags      = ["owner=support-tools"]
}
resource "azuread_service_principal" "vendor" {
  client_id = "0e9b6c1d-3f7a-4c55-8a2e-6d1f0b9c7e42"
  notes     = "Vendor LLM gateway. owner: platform"
}
resource "azuread_service_principal_password" "vendor" {
  service_principal_id = azuread_service_principal.vendor.id
  end_date             = "2027-01-01T00:00:00Z"
}
''')
    application = scan.credential("azuread_application.app")
    assert application.owner == Owner("support-tools", "azuread_service_principal.app tags 'owner:'")
    assert application.evidence["owner"] == Location("main.tf", 13, 13)
    assert not scan.has("azuread_service_principal.app")  # one identity: the application
    vendor = scan.credential("azuread_service_principal.vendor")
    assert (vendor.kind, vendor.owner) == ("service-account", Owner("platform", "notes 'owner:'"))
    assert scan.credential("azuread_service_principal_password.vendor").owner == Owner("platform", "inherited from azuread_service_principal.vendor", inherited=True)


def test_owners_known_only_at_apply_make_the_owner_unknown_and_not_judged(tmp_path):
    main_tf = ENTRA % "owners = [data.azuread_client_config.current.object_id]"
    owner = records_of(tmp_path, azure.extract, main_tf).credential("azuread_application.app").owner
    assert isinstance(owner.value, Unknown)
    assert "IAG001" not in flagged_source(tmp_path / "scan", main_tf).get("azuread_application.app", set())


def test_owner_map_names_the_owner_of_an_application(tmp_path):
    chosen = settings(owner_map=(("azuread_application.ap*", "support-tools"),))
    scan = records_of(tmp_path, azure.extract, ENTRA % "", chosen)
    assert scan.credential("azuread_application.app").owner == Owner("support-tools", "owner_map 'azuread_application.ap*'")


# == managed identities and role assignments ======================================================

def test_user_assigned_identity_owner_grants_and_its_one_app():
    identity = chat().credential("azurerm_user_assigned_identity.chat_api")
    assert (identity.kind, identity.name, identity.expiry) == ("managed-identity", "id-chat-api", MANAGED)
    assert identity.owner == Owner("ml-platform", "tag owner")
    assert grant_summary(identity.scope.grants) == [(
        "azurerm_role_assignment.chat_api_openai (Cognitive Services OpenAI User)", ("Cognitive Services OpenAI User",), (OPENAI_ACCOUNT,), (),
    )]
    assert identity.consumers == ("azurerm_linux_web_app.chat_api",)
    assert identity.ai_reasons == ("grants Cognitive Services OpenAI User (Azure AI services)",)


def test_built_in_role_by_id_and_one_identity_on_two_apps_is_shared():
    identity = chat().credential("azurerm_user_assigned_identity.shared_ai")
    assert [g.actions for g in identity.scope.grants] == [("Cognitive Services OpenAI User",), ("Key Vault Secrets User",)]
    assert identity.consumers == ("azurerm_container_app.embedder", "azurerm_linux_function_app.summarizer")


def test_owner_role_is_a_wildcard_on_any_scope():
    identity = chat().credential("azurerm_user_assigned_identity.aoai_ops")
    assert grant_summary(identity.scope.grants) == [(
        "azurerm_role_assignment.aoai_ops_owner (Owner)", ("Owner",), ("azurerm_resource_group.chat",),
        ("built-in role Owner allows every action, including granting access to others",),
    )]
    assert identity.evidence["scope"] == Location("identity.tf", 44, 44)


def test_system_assigned_identity_takes_its_owner_from_the_resource_that_carries_it():
    vm = chat().credential("azurerm_linux_virtual_machine.gpu_batch.identity")
    assert vm.owner == Owner("research", "tag owner of azurerm_linux_virtual_machine.gpu_batch")
    assert (vm.location, vm.evidence["owner"]) == (Location("aks.tf", 70, 72), Location("aks.tf", 51, 51))
    assert vm.consumers == ("azurerm_linux_virtual_machine.gpu_batch",)
    legacy = chat().credential("azurerm_linux_web_app.legacy_chat.identity")
    assert legacy.owner == Owner(None, "tags of azurerm_linux_web_app.legacy_chat")
    assert legacy.evidence == {"owner": Location("apps.tf", 31, 31)}  # the tags line to add an owner to
    assert legacy.ai_reasons == (
        "identity of azurerm_linux_web_app.legacy_chat, which uses the AI credential azurerm_key_vault_secret.anthropic_api_key",
    )


def test_system_identity_of_a_judged_account_inherits_the_accounts_owner(tmp_path):
    scan = records_of(tmp_path, azure.extract, ACCOUNT % 'identity {\n    type = "SystemAssigned"\n  }')
    assert scan.credential("azurerm_cognitive_account.oai.identity").owner == Owner("support", "inherited from azurerm_cognitive_account.oai", inherited=True)


ASSIGNMENT = '''
resource "azurerm_user_assigned_identity" "bot" {
  name = "id-openai-bot"
  tags = { owner = "support" }
}
resource "azurerm_role_assignment" "bot" {
  scope                = %s
  role_definition_name = "Cognitive Services OpenAI User"
  principal_id         = azurerm_user_assigned_identity.bot.principal_id
}
variable "subscription_id" {}
variable "scope" {}
'''


@pytest.mark.parametrize(("scope", "reasons"), [
    ('"/subscriptions/${var.subscription_id}"', ("scope is a whole subscription (/subscriptions/…)",)),
    ('"/providers/Microsoft.Management/managementGroups/ml"', ("scope is a whole management group (/providers/Microsoft.Management/managementGroups/ml)",)),
    ("azurerm_management_group.ml.id", ("scope is a whole management group (azurerm_management_group.ml)",)),
    ('"/subscriptions/${var.subscription_id}/resourceGroups/rg-support"', ()),
    ("azurerm_cognitive_account.oai.id", ()),
    ("var.scope", ()),
    ('"/"', ("scope is a whole tenant (/)",)),
])
def test_subscription_and_management_group_scopes_are_wildcards_and_nothing_unknown_is(tmp_path, scope, reasons):
    identity = records_of(tmp_path, azure.extract, ASSIGNMENT % scope).credential("azurerm_user_assigned_identity.bot")
    assert identity.scope.wildcard_reasons == reasons


def test_custom_role_allowing_every_action_is_a_wildcard(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azurerm_user_assigned_identity" "bot" {
  name = "id-openai-bot"
}
resource "azurerm_role_definition" "ai_operator" {
  name  = "ai-operator"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai"
  permissions {
    actions      = ["Microsoft.CognitiveServices/*", "*"]
    data_actions = ["Microsoft.CognitiveServices/accounts/OpenAI/*"]
  }
}
resource "azurerm_role_assignment" "bot" {
  scope              = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ai"
  role_definition_id = azurerm_role_definition.ai_operator.role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.bot.principal_id
}
''')
    identity = scan.credential("azurerm_user_assigned_identity.bot")
    assert identity.scope.wildcard_reasons == (
        'custom role ai-operator allows every action ("*")', "custom role ai-operator allows service-wide actions Microsoft.CognitiveServices/*",
    )
    assert identity.ai_reasons[1] == "grants Microsoft.CognitiveServices/*, *, Microsoft.CognitiveServices/accounts/OpenAI/* (Azure AI services; all services, including AI services)"


# == workloads ====================================================================================

def test_app_settings_read_key_vault_secrets_by_reference_and_by_name_and_hold_a_literal_key():
    assert chat().usages_of("azurerm_linux_web_app.legacy_chat") == [
        ("env ANTHROPIC_API_KEY", "azurerm_key_vault_secret.anthropic_api_key", 41),
        ("env AZURE_OPENAI_API_KEY", "azurerm_key_vault_secret.legacy_openai_key", 40),
        ("system-assigned identity", "azurerm_linux_web_app.legacy_chat.identity", 34),
    ]
    literal = chat().credential("azurerm_linux_web_app.legacy_chat")
    assert (literal.origin, literal.kind) == ("literal", "api-key")
    assert literal.hardcoded == (SecretLiteral(
        "app_settings.OPENAI_API_KEY", "openai-api-key", expected_fingerprint(OPENAI_KEY, "sk-proj-"), Location("apps.tf", 42, 42), "OpenAI",
    ),)


def test_an_endpoint_is_not_a_key_only_the_key_attributes_are():
    assert chat().usages_of("azurerm_linux_web_app.chat_api") == [("user-assigned identity", "azurerm_user_assigned_identity.chat_api", 10)]
    assert ("env AZURE_OPENAI_KEY", "azurerm_cognitive_account.legacy_openai", 80) in chat().usages_of("azurerm_linux_function_app.summarizer")
    assert chat().credential("azurerm_cognitive_account.legacy_openai").consumers == ("azurerm_linux_function_app.summarizer",)


def test_container_app_reads_a_key_vault_secret_into_an_environment_variable():
    assert chat().usages_of("azurerm_container_app.embedder") == [
        ("env ANTHROPIC_API_KEY", "azurerm_key_vault_secret.anthropic_api_key", 118),
        ("secret anthropic-key", "azurerm_key_vault_secret.anthropic_api_key", 106),
        ("user-assigned identity", "azurerm_user_assigned_identity.shared_ai", 100),
    ]
    assert chat().credential("azurerm_key_vault_secret.anthropic_api_key").consumers == (
        "azurerm_container_app.embedder", "azurerm_linux_web_app.legacy_chat",
    )


def test_kubernetes_service_account_federated_with_an_identity_is_its_workload():
    workload = chat().workload("ServiceAccount/rag/rag-worker")
    assert (workload.source_type, workload.identity) == ("azurerm_federated_identity_credential", "azurerm_user_assigned_identity.rag_worker")
    assert chat().usages_of("ServiceAccount/rag/rag-worker") == [("workload identity federation", "azurerm_user_assigned_identity.rag_worker", 35)]


def test_cluster_runs_as_its_system_identity():
    assert chat().workload("azurerm_kubernetes_cluster.ml").identity == "azurerm_kubernetes_cluster.ml.identity"


def test_key_vault_reference_to_another_vault_is_not_a_usage(tmp_path):
    scan = records_of(tmp_path, azure.extract, '''
resource "azurerm_key_vault" "chat" {
  name = "kv-chat"
}
resource "azurerm_key_vault_secret" "openai" {
  name         = "openai-api-key"
  key_vault_id = azurerm_key_vault.chat.id
}
resource "azurerm_linux_web_app" "a" {
  name = "app-a"
  app_settings = {
    OPENAI_API_KEY = "@Microsoft.KeyVault(VaultName=kv-other;SecretName=openai-api-key)"
    OPENAI_KEY_2   = "@Microsoft.KeyVault(SecretUri=https://kv-chat.vault.azure.net/secrets/openai-api-key/)"
  }
}
''')
    assert scan.usages_of("azurerm_linux_web_app.a") == [("env OPENAI_KEY_2", "azurerm_key_vault_secret.openai", 13)]


def test_unknown_tags_never_fail_owner(tmp_path):
    main_tf = ACCOUNT.replace('tags     = { owner = "support" }', "tags     = var.tags") % "" + 'variable "tags" {\n  type = map(string)\n}\n'
    assert isinstance(records_of(tmp_path, azure.extract, main_tf).credential("azurerm_cognitive_account.oai").owner.value, Unknown)
    assert "IAG001" not in flagged_source(tmp_path / "scan", main_tf)["azurerm_cognitive_account.oai"]


# == Entra ID certificates ========================================================================

CERTIFICATES = '''
resource "azuread_application" "app" {
  display_name = "gpt-summaries"
  notes        = "owner: support-tools"
}
resource "azuread_service_principal" "app" {
  client_id = azuread_application.app.client_id
}
resource "azuread_application_certificate" "dated" {
  application_id = azuread_application.app.id
  type           = "AsymmetricX509Cert"
  value          = file("${path.module}/summaries.pem")
  end_date       = "2027-01-01T00:00:00Z"
}
resource "azuread_service_principal_certificate" "relative" {
  service_principal_id = azuread_service_principal.app.id
  type                 = "AsymmetricX509Cert"
  value                = var.certificate_pem
  end_date_relative    = "2160h"
  lifecycle {
    replace_triggered_by = [time_rotating.certificate]
  }
}
resource "azuread_application_certificate" "undated" {
  application_id = azuread_application.app.id
  type           = "AsymmetricX509Cert"
  value          = var.certificate_pem
}
resource "azuread_application_certificate" "later" {
  application_id = azuread_application.app.id
  value          = var.certificate_pem
  end_date       = var.certificate_end
}
resource "time_rotating" "certificate" {
  rotation_days = 60
}
variable "certificate_pem" {}
variable "certificate_end" {}
'''


def test_certificates_are_credentials_of_their_application_with_its_owner_and_scope(tmp_path):
    scan = records_of(tmp_path, azure.extract, CERTIFICATES, **{"summaries.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"})
    inherited = Owner("support-tools", "inherited from azuread_application.app", inherited=True)
    for address in ("azuread_application_certificate.dated", "azuread_service_principal_certificate.relative", "azuread_application_certificate.undated"):
        certificate = scan.credential(address)
        assert (certificate.kind, certificate.parent, certificate.owner) == ("client-secret", "azuread_application.app", inherited)
        assert certificate.scope.inherited_from == "azuread_application.app"
        assert certificate.hardcoded == ()  # a certificate's value is its public part
    assert scan.credential("azuread_application_certificate.dated").expiry == Expiry(34, source="end_date", expires_on="2027-01-01")
    relative = scan.credential("azuread_service_principal_certificate.relative")
    assert (relative.expiry, relative.rotation) == (Expiry(90, source="end_date_relative"), Rotation(60, "time_rotating.certificate"))
    assert scan.credential("azuread_application_certificate.undated").expiry == Expiry(
        None, source="no end_date: a lifetime left to the certificate or the directory is not an explicit expiry",
    )
    assert isinstance(scan.credential("azuread_application_certificate.later").expiry.lifetime_days, Unknown)


def test_certificates_without_end_date_fail_expiry_and_an_end_date_not_known_never_does(tmp_path):
    found = flagged(write_project(tmp_path, {"main.tf": CERTIFICATES, "summaries.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}))
    assert found == {
        "azuread_application_certificate.dated": {"IAG003"},
        "azuread_application_certificate.undated": {"IAG002", "IAG003"},
        "azuread_application_certificate.later": {"IAG003"},
    }
