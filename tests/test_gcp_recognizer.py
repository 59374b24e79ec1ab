"""The Google Cloud recognizer on tests/fixtures/terraform/gcp_vertex (a Vertex AI / Gemini
retrieval-augmented assistant written as a real project), then rule by rule on small modules:
exact records, and exact findings and non-findings."""

from __future__ import annotations

from functools import cache

import pytest
from conftest import TERRAFORM_FIXTURES, expected_fingerprint, fake_key
from recognizing import Records, flagged, flagged_source, grant_summary, records, records_of
from scanning import finding_keys, scan_path, settings

from iac_guard.config.settings import load_settings
from iac_guard.model import Expiry, Location, Owner, Rotation, SecretLiteral, Unknown
from iac_guard.providers import gcp
from iac_guard.providers.common.time_values import go_duration_seconds, timestamp_date

FIXTURE = TERRAFORM_FIXTURES / "gcp_vertex"
PROJECT = "projects/acme-vertex-prod"
HF_TOKEN = fake_key("hf_", "Zx9Yw8Vu", 4)
OPENAI_KEY = fake_key("sk-proj-")
NEVER = Expiry(None, source="service account keys never expire")

EXPECTED = [
    ("IAG004", "google_service_account.vertex_deployer", "ci.tf", 10),
    ("IAG006", "google_compute_instance.notebook", "compute.tf", 23),
    ("IAG005", "google_service_account.inference", "gke.tf", 35),
    ("IAG001", "google_service_account.vertex_pipelines", "iam.tf", 21),
    ("IAG004", "google_service_account.vertex_pipelines", "iam.tf", 28),
    ("IAG004", "google_service_account.ml_admin", "iam.tf", 55),
    ("IAG002", "google_service_account_key.vertex_pipelines", "keys.tf", 1),
    ("IAG003", "google_service_account_key.vertex_pipelines", "keys.tf", 1),
    ("IAG001", "google_apikeys_key.prototype", "keys.tf", 42),
    ("IAG002", "google_apikeys_key.prototype", "keys.tf", 42),
    ("IAG003", "google_apikeys_key.prototype", "keys.tf", 42),
    ("IAG004", "google_apikeys_key.prototype", "keys.tf", 42),
    ("IAG006", "google_cloud_run_service.legacy_chat", "run.tf", 41),
    ("IAG001", "google_secret_manager_secret.hf_token", "secrets.tf", 29),
    ("IAG003", "google_secret_manager_secret.hf_token", "secrets.tf", 29),
    ("IAG006", "google_secret_manager_secret.hf_token", "secrets.tf", 40),
    ("IAG003", "google_secret_manager_secret.openai_api_key", "secrets.tf", 43),
    ("IAG002", "google_secret_manager_secret.openai_api_key", "secrets.tf", 46),
]


@cache
def vertex() -> Records:
    return records(FIXTURE, gcp.extract)


# == the whole fixture ============================================================================

def test_findings_are_exactly_these():
    result = scan_path(FIXTURE)
    assert result.errors == []
    assert finding_keys(result) == EXPECTED


@pytest.mark.parametrize("address", [
    "google_service_account.rag_api",  # owner in its description, aiplatform.user, one Cloud Run service
    "google_service_account.batch_scoring",
    "google_service_account_key.batch_scoring",  # keepers name a 30-day time_rotating
    "google_service_account.reindex",
    "google_apikeys_key.gemini",  # restricted to the Gemini API, replaced monthly
    "google_secret_manager_secret.gemini_api_key",  # rotation every 30 days
])
def test_compliant_credentials_are_recognized_and_not_flagged(address):
    assert vertex().credential(address).ai_reasons
    assert address not in flagged(FIXTURE)


def test_ml_admin_is_flagged_only_for_its_folder_wide_admin_role():
    assert flagged(FIXTURE)["google_service_account.ml_admin"] == {"IAG004"}


def test_credentials_with_nothing_to_do_with_ai_are_judged_only_with_scope_all():
    assert vertex().credential("google_secret_manager_secret.db_password").ai_reasons == ()
    assert vertex().credential("google_service_account.gke_nodes").ai_reasons == ()
    everything = flagged(FIXTURE, scope="all")
    assert everything["google_secret_manager_secret.db_password"] == {"IAG001", "IAG002", "IAG003"}
    assert "google_service_account.gke_nodes" not in everything


# == service accounts, grants, keys ================================================================

def test_service_account_owner_from_the_description_convention():
    account = vertex().credential("google_service_account.rag_api")
    assert (account.kind, account.name) == ("service-account", "rag-api")
    assert account.owner == Owner("search-team", "description 'owner:'")
    assert account.evidence == {"owner": Location("iam.tf", 5, 5)}
    assert vertex().credential("google_service_account.batch_scoring").owner == Owner("ml-platform", "description 'owner:'")
    assert vertex().credential("google_service_account.vertex_pipelines").owner == Owner(None)


def test_narrow_grants_at_project_and_resource_level():
    assert grant_summary(vertex().credential("google_service_account.rag_api").scope.grants) == [
        ("google_project_iam_member.rag_api_vertex (roles/aiplatform.user)", ("roles/aiplatform.user",), (PROJECT,), ()),
        ("google_secret_manager_secret_iam_member.rag_api_gemini (roles/secretmanager.secretAccessor)",
         ("roles/secretmanager.secretAccessor",), ("google_secret_manager_secret.gemini_api_key",), ()),
    ]


def test_basic_role_on_the_project_is_a_wildcard_and_reaches_vertex_ai():
    account = vertex().credential("google_service_account.vertex_pipelines")
    assert grant_summary(account.scope.grants) == [
        ("google_project_iam_member.vertex_pipelines_editor (roles/editor)", ("roles/editor",), (PROJECT,), ("basic role roles/editor on a whole project",)),
    ]
    assert account.evidence == {"scope": Location("iam.tf", 28, 28)}
    assert account.ai_reasons == (
        "'vertex_pipelines' names Google Gemini / Vertex AI", "grants roles/editor (all Google Cloud services, including Vertex AI)",
    )


def test_admin_role_on_a_folder_is_a_wildcard_and_a_conditional_one_is_not():
    account = vertex().credential("google_service_account.ml_admin")
    assert grant_summary(account.scope.grants) == [
        ("google_folder_iam_member.ml_admin_vertex (roles/aiplatform.admin)", ("roles/aiplatform.admin",), ("folder folders/431178264455",),
         ("administrator role roles/aiplatform.admin on a whole folder",)),
        ("google_project_iam_member.ml_admin_migration (roles/storage.admin)", ("roles/storage.admin",), (PROJECT,), ()),
    ]


def test_binding_members_link_service_accounts_and_leave_groups_out():
    account = vertex().credential("google_service_account.batch_scoring")
    assert grant_summary(account.scope.grants) == [
        ("google_project_iam_binding.aiplatform_users (roles/aiplatform.user)", ("roles/aiplatform.user",), (PROJECT,), ()),
    ]


def test_key_inherits_owner_and_scope_from_its_service_account():
    key = vertex().credential("google_service_account_key.vertex_pipelines")
    account = vertex().credential("google_service_account.vertex_pipelines")
    assert key.kind == "service-account-key"
    assert key.owner == Owner(None, "inherited from google_service_account.vertex_pipelines", inherited=True)
    assert (key.parent, key.scope.inherited_from, key.scope.grants) == (account.address, account.address, account.scope.grants)
    assert (key.expiry, key.rotation) == (NEVER, Rotation(None))


def test_keepers_naming_a_time_rotating_rotate_the_key():
    key = vertex().credential("google_service_account_key.batch_scoring")
    assert key.rotation == Rotation(30, "time_rotating.batch_scoring_key")
    assert key.expiry == Expiry(30, False, "rotation by time_rotating.batch_scoring_key")
    assert key.evidence == {"rotation": Location("keys.tf", 12, 14)}
    assert key.owner == Owner("ml-platform", "inherited from google_service_account.batch_scoring", inherited=True)


def test_two_kubernetes_service_accounts_bound_to_one_service_account_share_it():
    account = vertex().credential("google_service_account.inference")
    assert account.consumers == ("ServiceAccount/batch/embedder", "ServiceAccount/inference/gemini-proxy")
    workload = vertex().workload("ServiceAccount/inference/gemini-proxy")
    assert (workload.source_type, workload.identity) == ("google_service_account_iam_binding", account.address)
    # workloadIdentityUser is the Kubernetes ServiceAccount's permission, not the account's
    assert [g.actions for g in account.scope.grants] == [("roles/aiplatform.user",)]


IAM = '''
resource "google_service_account" "bot" {
  account_id  = "support-bot"
  description = "owner: support"
}
variable "role" {}
'''


@pytest.mark.parametrize(("grant", "reasons"), [
    ('resource "google_organization_iam_member" "g" {\n  org_id = "123456789012"\n  role   = "roles/owner"\n  member = google_service_account.bot.member\n}',
     ("basic role roles/owner on a whole organization",)),
    ('resource "google_project_iam_member" "g" {\n  project = "p"\n  role   = "roles/iam.serviceAccountAdmin"\n  member = google_service_account.bot.member\n}',
     ("administrator role roles/iam.serviceAccountAdmin on a whole project",)),
    ('resource "google_project_iam_member" "g" {\n  project = "p"\n  role   = "roles/compute.instanceAdmin.v1"\n  member = google_service_account.bot.member\n}',
     ("administrator role roles/compute.instanceAdmin.v1 on a whole project",)),
    ('resource "google_project_iam_member" "g" {\n  project = "p"\n  role   = var.role\n  member = google_service_account.bot.member\n}', ()),
    ('resource "google_storage_bucket_iam_member" "g" {\n  bucket = "corpus"\n  role   = "roles/storage.admin"\n  member = google_service_account.bot.member\n}', ()),
])
def test_wildcards_are_basic_and_admin_roles_at_project_level_or_higher(tmp_path, grant, reasons):
    account = records_of(tmp_path, gcp.extract, IAM + grant).credential("google_service_account.bot")
    assert len(account.scope.grants) == 1
    assert account.scope.wildcard_reasons == reasons


def test_project_policy_bindings_come_from_the_iam_policy_document(tmp_path):
    scan = records_of(tmp_path, gcp.extract, IAM + '''
data "google_iam_policy" "project" {
  binding {
    role    = "roles/aiplatform.user"
    members = ["serviceAccount:support-bot@acme-prod.iam.gserviceaccount.com"]
  }
  binding {
    role    = "roles/editor"
    members = ["serviceAccount:${google_service_account.bot.email}", "user:ana@acme.example"]
  }
}
resource "google_project_iam_policy" "project" {
  project     = "acme-prod"
  policy_data = data.google_iam_policy.project.policy_data
}
''')
    assert grant_summary(scan.credential("google_service_account.bot").scope.grants) == [
        ("google_project_iam_policy.project (roles/aiplatform.user)", ("roles/aiplatform.user",), ("projects/acme-prod",), ()),
        ("google_project_iam_policy.project (roles/editor)", ("roles/editor",), ("projects/acme-prod",), ("basic role roles/editor on a whole project",)),
    ]


def test_owner_map_names_the_owner_of_a_service_account_without_a_description(tmp_path):
    main_tf = 'resource "google_service_account" "vertex" {\n  account_id = "vertex-jobs"\n}\n'
    chosen = settings(owner_map=(("google_service_account.vertex*", "ml-platform"),))
    assert records_of(tmp_path, gcp.extract, main_tf, chosen).credential("google_service_account.vertex").owner == Owner(
        "ml-platform", "owner_map 'google_service_account.vertex*'"
    )


def test_owner_map_is_read_from_the_config_file(tmp_path):
    config = tmp_path / ".iac-guard.yaml"
    config.write_text('owner_map:\n  "google_service_account.vertex_*": ml-platform\n  "google_apikeys_key.*": web-team\n')
    assert load_settings(config).owner_map == (("google_service_account.vertex_*", "ml-platform"), ("google_apikeys_key.*", "web-team"))


def test_description_not_known_before_apply_makes_the_owner_unknown(tmp_path):
    main_tf = 'resource "google_service_account" "gemini" {\n  account_id  = "gemini-jobs"\n  description = var.description\n}\nvariable "description" {}\n'
    assert isinstance(records_of(tmp_path, gcp.extract, main_tf).credential("google_service_account.gemini").owner.value, Unknown)


# == API keys =====================================================================================

def test_unrestricted_api_key_is_a_wildcard_and_an_ai_credential():
    key = vertex().credential("google_apikeys_key.prototype")
    assert grant_summary(key.scope.grants) == [(
        "google_apikeys_key.prototype (no API restriction)", ("*",), ("every enabled API",),
        ("no restrictions.api_targets: the key can call every API enabled in its project, Gemini included",),
    )]
    assert key.ai_reasons == ("grants * (all services, including AI services)",)
    assert (key.kind, key.owner, key.expiry) == ("api-key", Owner(None), Expiry(None, source="Google Cloud API keys never expire"))


def test_api_key_restricted_to_gemini_owner_from_display_name_and_rotation_from_lifecycle():
    key = vertex().credential("google_apikeys_key.gemini")
    assert grant_summary(key.scope.grants) == [(
        "google_apikeys_key.gemini restrictions.api_targets", ("generativelanguage.googleapis.com",), ("generativelanguage.googleapis.com",), (),
    )]
    assert key.owner == Owner("search-team", "display_name 'owner:'")
    assert key.rotation == Rotation(30, "time_rotating.gemini_key")
    assert key.evidence == {"owner": Location("keys.tf", 24, 24), "rotation": Location("keys.tf", 37, 37)}
    assert "grants generativelanguage.googleapis.com (Google Gemini / Vertex AI)" in key.ai_reasons


def test_api_key_takes_its_owner_from_its_project_or_its_bound_service_account(tmp_path):
    scan = records_of(tmp_path, gcp.extract, '''
resource "google_project" "web" {
  name       = "acme-web"
  project_id = "acme-web"
  labels     = { owner = "web-team" }
}
resource "google_apikeys_key" "maps" {
  name    = "maps"
  project = google_project.web.project_id
}
resource "google_service_account" "gemini" {
  account_id  = "gemini-caller"
  description = "owner: ml-platform"
}
resource "google_apikeys_key" "bound" {
  name                  = "bound"
  service_account_email = google_service_account.gemini.email
}
''')
    assert scan.credential("google_apikeys_key.maps").owner == Owner("web-team", "label owner of google_project.web")
    assert scan.credential("google_apikeys_key.bound").owner == Owner("ml-platform", "inherited from google_service_account.gemini", inherited=True)


def test_api_targets_not_known_before_apply_are_not_a_wildcard(tmp_path):
    scan = records_of(tmp_path, gcp.extract, '''
resource "google_apikeys_key" "k" {
  name = "gemini"
  restrictions {
    dynamic "api_targets" {
      for_each = var.services
      content {
        service = api_targets.value
      }
    }
  }
}
variable "services" {}
''')
    assert scan.credential("google_apikeys_key.k").scope.wildcard_reasons == ()


# == Secret Manager ===============================================================================

def test_rotation_period_is_the_rotation_and_the_lifetime():
    secret = vertex().credential("google_secret_manager_secret.gemini_api_key")
    mechanism = "google_secret_manager_secret.gemini_api_key rotation"
    assert secret.rotation == Rotation(30, mechanism)
    assert secret.expiry == Expiry(30, False, f"rotation by {mechanism}")
    assert secret.owner == Owner("search-team", "label owner")
    assert secret.tags == {"environment": "prod", "managed_by": "terraform", "owner": "search-team", "cost_center": "cc-2210"}
    assert secret.hardcoded == ()  # its version holds google_apikeys_key.gemini.key_string: a reference


def test_ttl_and_expire_time_are_expiries():
    assert vertex().credential("google_secret_manager_secret.hf_token").expiry == Expiry(90, source="ttl")
    assert vertex().credential("google_secret_manager_secret.openai_api_key").expiry == Expiry(398, source="expire_time", expires_on="2027-12-31")


def test_literal_secret_data_is_hardcoded_on_the_secret():
    secret = vertex().credential("google_secret_manager_secret.hf_token")
    assert secret.hardcoded == (SecretLiteral("secret_data", "huggingface-token", expected_fingerprint(HF_TOKEN, "hf_"), Location("secrets.tf", 40, 40), "Hugging Face"),)
    assert not vertex().has("google_secret_manager_secret_version.hf_token")


def test_keys_inside_json_secret_data_are_each_hardcoded(tmp_path):
    scan = records_of(tmp_path, gcp.extract, f'''
resource "google_secret_manager_secret" "llm" {{
  secret_id = "llm-keys"
  replication {{
    auto {{}}
  }}
}}
resource "google_secret_manager_secret_version" "llm" {{
  secret      = google_secret_manager_secret.llm.id
  secret_data = jsonencode({{
    OPENAI_API_KEY = "{OPENAI_KEY}"
    MODEL          = "gpt-4o"
  }})
}}
''')
    assert [(leak.field, leak.detector, leak.location.line) for leak in scan.credential("google_secret_manager_secret.llm").hardcoded] == [
        ("secret_data.OPENAI_API_KEY", "openai-api-key", 10),
    ]


def test_owner_from_provider_default_labels(tmp_path):
    scan = records_of(tmp_path, gcp.extract, '''
provider "google" {
  default_labels = { owner = "ml-platform" }
}
resource "google_secret_manager_secret" "s" {
  secret_id = "gemini-api-key"
  labels    = { tier = "prod" }
  ttl       = var.ttl
  replication {
    auto {}
  }
}
variable "ttl" {}
''')
    secret = scan.credential("google_secret_manager_secret.s")
    assert secret.owner == Owner("ml-platform", "default_labels owner")
    assert isinstance(secret.expiry.lifetime_days, Unknown)


# == workloads ====================================================================================

def test_cloud_run_runs_as_its_service_account_and_reads_a_secret_into_its_environment():
    assert vertex().usages_of("google_cloud_run_v2_service.rag_api") == [
        ("env GEMINI_API_KEY", "google_secret_manager_secret.gemini_api_key", 15),
        ("service account", "google_service_account.rag_api", 6),
    ]
    assert not vertex().has("google_cloud_run_v2_service.rag_api")  # VERTEX_LOCATION is not a secret


def test_cloud_run_v1_literal_key_is_hardcoded_and_a_secret_is_found_by_name():
    assert vertex().usages_of("google_cloud_run_service.legacy_chat") == [("env HF_TOKEN", "google_secret_manager_secret.hf_token", 48)]
    literal = vertex().credential("google_cloud_run_service.legacy_chat")
    assert literal.hardcoded == (SecretLiteral(
        "containers.env.OPENAI_API_KEY", "openai-api-key", expected_fingerprint(OPENAI_KEY, "sk-proj-"), Location("run.tf", 41, 41), "OpenAI",
    ),)


def test_function_secret_environment_variable_makes_its_service_account_an_ai_identity():
    assert vertex().usages_of("google_cloudfunctions2_function.reindex") == [
        ("env OPENAI_API_KEY", "google_secret_manager_secret.openai_api_key", 82),
        ("service account", "google_service_account.reindex", 73),
    ]
    assert vertex().credential("google_service_account.reindex").ai_reasons == (
        "identity of google_cloudfunctions2_function.reindex, which uses the AI credential google_secret_manager_secret.openai_api_key",
    )


def test_instance_metadata_and_node_pool_service_accounts():
    assert vertex().usages_of("google_compute_instance.notebook") == [("service account", "google_service_account.ml_admin", 17)]
    assert [leak.field for leak in vertex().credential("google_compute_instance.notebook").hardcoded] == ["metadata.anthropic-key"]
    assert vertex().workload("google_container_node_pool.gpu").identity == "google_service_account.gke_nodes"


def test_a_key_read_by_two_workloads_is_shared(tmp_path):
    run = '''
resource "google_cloud_run_v2_service" "%s" {
  name = "%s"
  template {
    containers {
      env {
        name  = "GEMINI_API_KEY"
        value = google_apikeys_key.gemini.key_string
      }
    }
  }
}
'''
    main_tf = 'resource "google_apikeys_key" "gemini" {\n  name = "gemini"\n}\n' + run % ("a", "a") + run % ("b", "b")
    assert records_of(tmp_path, gcp.extract, main_tf).credential("google_apikeys_key.gemini").consumers == (
        "google_cloud_run_v2_service.a", "google_cloud_run_v2_service.b",
    )
    assert "IAG005" in flagged_source(tmp_path / "scan", main_tf)["google_apikeys_key.gemini"]


# == durations and timestamps ====================================================================

@pytest.mark.parametrize(("text", "seconds"), [("86400s", 86400), ("2592000s", 2592000), ("3.5s", 3.5), ("2160h", 7776000)])
def test_protobuf_and_go_durations(text, seconds):
    assert go_duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["2027-12-31T23:59:59Z", "2027-12-31T23:59:59.123456789Z", "2027-12-31T10:00:00+02:00", "2027-12-31"])
def test_rfc_3339_timestamps(text):
    assert timestamp_date(text).isoformat() == "2027-12-31"


@pytest.mark.parametrize("text", ["tomorrow", "2027-02-30T00:00:00Z", "31/12/2027"])
def test_text_that_is_not_a_timestamp(text):
    assert timestamp_date(text) is None


# == Workload Identity Federation =================================================================

GITHUB_OPEN = (
    "workload identity pool provider google_iam_workload_identity_pool_provider.github has no attribute_condition: "
    "anyone with a token from https://token.actions.githubusercontent.com can impersonate the service account"
)


def test_a_whole_pool_whose_oidc_provider_has_no_condition_may_impersonate_the_account():
    deployer = vertex().credential("google_service_account.vertex_deployer")
    assert grant_summary(deployer.scope.grants) == [
        ("google_project_iam_member.vertex_deployer_aiplatform (roles/aiplatform.user)", ("roles/aiplatform.user",), (PROJECT,), ()),
        ("google_service_account_iam_member.vertex_deployer_github (roles/iam.workloadIdentityUser)", ("roles/iam.workloadIdentityUser",),
         ("google_iam_workload_identity_pool.github",), (GITHUB_OPEN,)),
    ]
    assert deployer.evidence["scope"] == Location("ci.tf", 10, 20)
    assert deployer.consumers == ("google_service_account_iam_member.vertex_deployer_github",)


def test_a_pool_whose_provider_has_a_condition_is_not_a_wildcard():
    runner = vertex().credential("google_service_account.eval_runner")
    assert runner.scope.grants == ()
    assert "google_service_account.eval_runner" not in flagged(FIXTURE)


POOL = '''
resource "google_iam_workload_identity_pool" "ci" {
  workload_identity_pool_id = "ci"
}
resource "google_iam_workload_identity_pool_provider" "ci" {
  workload_identity_pool_id          = %s
  workload_identity_pool_provider_id = "gitlab"
  %s
}
resource "google_service_account" "deployer" {
  account_id  = "gemini-deployer"
  description = "owner: ml-platform"
}
resource "google_service_account_iam_member" "deployer" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = %s
}
variable "condition" {}
variable "pool" {}
variable "project_number" {}
'''
OIDC = 'oidc {\n    issuer_uri = "https://gitlab.com"\n  }'
BY_REFERENCE = "google_iam_workload_identity_pool.ci.workload_identity_pool_id"
WHOLE = '"principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.ci.name}/*"'
OPEN = ("workload identity pool provider google_iam_workload_identity_pool_provider.ci has no attribute_condition: "
        "anyone with a token from https://gitlab.com can impersonate the service account",)


@pytest.mark.parametrize(("pool", "provider", "member", "reasons"), [
    (BY_REFERENCE, OIDC, WHOLE, OPEN),
    ('"ci"', OIDC, '"principalSet://iam.googleapis.com/projects/${var.project_number}/locations/global/workloadIdentityPools/ci/*"', OPEN),
    (BY_REFERENCE, OIDC + '\n  attribute_condition = ""', WHOLE, OPEN),
    (BY_REFERENCE, OIDC + '\n  attribute_condition = "assertion.namespace_path == \'acme\'"', WHOLE, ()),
    (BY_REFERENCE, OIDC, '"principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.ci.name}/attribute.project_path/acme/app"', ()),
    (BY_REFERENCE, OIDC, '"principal://iam.googleapis.com/${google_iam_workload_identity_pool.ci.name}/subject/project_path:acme/app:ref_type:branch:ref:main"', ()),
    (BY_REFERENCE, 'aws {\n    account_id = "111122223333"\n  }', WHOLE, ()),  # not an OIDC issuer
    # Unknown twins: a condition, a pool or a member not known before apply never makes a reason.
    (BY_REFERENCE, OIDC + "\n  attribute_condition = var.condition", WHOLE, ()),
    ("var.pool", OIDC, '"principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/${var.pool}/*"', ()),
    (BY_REFERENCE, OIDC, "var.member", ()),
])
def test_only_a_whole_pool_with_an_unconditioned_oidc_provider_is_a_wildcard(tmp_path, pool, provider, member, reasons):
    main_tf = POOL % (pool, provider, member)
    deployer = records_of(tmp_path, gcp.extract, main_tf).credential("google_service_account.deployer")
    assert deployer.scope.wildcard_reasons == reasons
    assert flagged_source(tmp_path / "scan", main_tf) == ({"google_service_account.deployer": {"IAG004"}} if reasons else {})
