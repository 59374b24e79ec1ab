"""The Vault recognizer on tests/fixtures/terraform/vault_ai (an ML platform's Vault written as a
real project: locals, references between resources, policies in heredocs, in a data source and in
a file, several files), then rule by rule on small modules: exact records, exact findings and
non-findings, and every path by which an owner, an expiry or a rotation is inherited."""

from __future__ import annotations

from functools import cache

import pytest
from conftest import TERRAFORM_FIXTURES, expected_fingerprint
from recognizing import Records, flagged, grant_summary, records, records_of, with_cluster
from scanning import finding_keys, scan_path, settings, write_project

from iac_guard.config.settings import find_config, load_settings
from iac_guard.inventory.ai import provider_named_by
from iac_guard.model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Rotation, Scope
from iac_guard.providers import vault
from iac_guard.providers.vault.context import vault_seconds

FIXTURE = TERRAFORM_FIXTURES / "vault_ai"
#: The fixture's .iac-guard.yaml names the owners of the roles that carry no metadata (owner_map).
OWNER_MAP = load_settings(find_config(FIXTURE), settings()).owner_map
ANTHROPIC_KEY = "sk-ant-api03-" + "Zx9Yw8Vu" * 5
OPENAI_GRANTS = (
    Grant('vault_policy.openai_read path "secret/data/ml/openai"', ("read",), ("secret/data/ml/openai",), (),
          Location("policies.tf", 5, 7)),
    Grant('vault_policy.openai_read path "secret/metadata/ml/openai"', ("read", "list"), ("secret/metadata/ml/openai",), (),
          Location("policies.tf", 9, 11)),
)
LOGIN = "a new token at every login"
LEASE = "a new credential for every lease (dynamic secret)"

EXPECTED = [
    ("IAG001", "vault_approle_auth_backend_role.legacy_batch", "approle.tf", 23),
    ("IAG002", "vault_approle_auth_backend_role.legacy_batch", "approle.tf", 23),
    ("IAG003", "vault_approle_auth_backend_role.legacy_batch", "approle.tf", 23),
    ("IAG004", "vault_aws_secret_backend_role.bedrock_admin", "dynamic.tf", 22),
    ("IAG004", "vault_database_secret_backend_role.embeddings_admin", "dynamic.tf", 75),
    ("IAG001", "vault_jwt_auth_backend_role.any_workflow", "jwt_auth.tf", 18),
    ("IAG004", "vault_jwt_auth_backend_role.any_workflow", "jwt_auth.tf", 18),
    ("IAG001", "vault_kubernetes_auth_backend_role.notebooks", "kubernetes_auth.tf", 22),
    ("IAG004", "vault_kubernetes_auth_backend_role.notebooks", "kubernetes_auth.tf", 25),
    ("IAG002", "vault_kubernetes_auth_backend_role.notebooks", "kubernetes_auth.tf", 28),
    ("IAG003", "vault_kubernetes_auth_backend_role.notebooks", "kubernetes_auth.tf", 28),
    ("IAG001", "vault_kv_secret_v2.anthropic", "kv.tf", 19),
    ("IAG002", "vault_kv_secret_v2.anthropic", "kv.tf", 19),
    ("IAG003", "vault_kv_secret_v2.anthropic", "kv.tf", 19),
    ("IAG006", "vault_kv_secret_v2.anthropic", "kv.tf", 23),
    ("IAG006", "vault_aws_secret_backend.bedrock", "mounts.tf", 31),
    ("IAG001", "vault_token.llm_ops_bootstrap", "tokens.tf", 20),
    ("IAG003", "vault_token.llm_ops_bootstrap", "tokens.tf", 20),
    ("IAG004", "vault_token.llm_ops_bootstrap", "tokens.tf", 22),
    ("IAG002", "vault_token.llm_ops_bootstrap", "tokens.tf", 23),
]


@cache
def platform() -> Records:
    return records(FIXTURE, with_cluster(vault.extract), settings(owner_map=OWNER_MAP))


def at(file: str, line: int) -> Location:
    return Location(file, line, line)


# == the fixture: findings and non-findings ======================================================


def test_fixture_findings_are_exactly_the_expected_ones():
    result = scan_path(FIXTURE, owner_map=OWNER_MAP)
    assert result.errors == []
    assert finding_keys(result) == EXPECTED


def test_compliant_resources_of_the_fixture_have_no_findings():
    judged = flagged(FIXTURE, scope="all", owner_map=OWNER_MAP)
    for compliant in (
        "vault_token.rag_indexer",  # metadata owner, explicit_max_ttl 720h, time_rotating 30 days
        "vault_approle_auth_backend_role.summarizer",  # 1h secret IDs, 4h tokens, owner on its entity
        "vault_kubernetes_auth_backend_role.chat_api",  # one service account, the mount caps tokens at 12h
        "vault_jwt_auth_backend_role.deploy",  # one repository and branch, 15-minute tokens
        "vault_kv_secret_v2.openai",  # custom_metadata owner and rotation period
        "vault_generic_secret.pinecone",  # owner from owner_map; KV v1 cannot state expiry or rotation
        "vault_aws_secret_backend_role.bedrock_invoke",  # one model, one-hour leases
        "vault_aws_secret_backend_role.sagemaker",  # scope and owner are its IAM role's
        "vault_database_secret_backend_role.embeddings_reader",  # SELECT on one table, 4h max TTL
        "aws_iam_role.sagemaker_runner",
        "kubernetes_service_account_v1.chat_api",
    ):
        assert compliant not in judged, compliant
    assert judged["vault_token.llm_ops_bootstrap"] == {"IAG001", "IAG002", "IAG003", "IAG004"}


def test_all_records_of_the_fixture():
    assert [(c.address, c.kind, c.origin) for c in platform().inventory.credentials] == [
        ("vault_approle_auth_backend_role.legacy_batch", "client-secret", "resource"),
        ("vault_approle_auth_backend_role.summarizer", "client-secret", "resource"),
        ("vault_aws_secret_backend.bedrock", "access-key", "literal"),
        ("vault_aws_secret_backend_role.bedrock_admin", "token", "resource"),
        ("vault_aws_secret_backend_role.bedrock_invoke", "token", "resource"),
        ("vault_aws_secret_backend_role.sagemaker", "token", "resource"),
        ("vault_database_secret_backend_role.embeddings_admin", "token", "resource"),
        ("vault_database_secret_backend_role.embeddings_reader", "token", "resource"),
        ("vault_generic_secret.pinecone", "secret", "resource"),
        ("vault_jwt_auth_backend_role.any_workflow", "token", "resource"),
        ("vault_jwt_auth_backend_role.deploy", "token", "resource"),
        ("vault_kubernetes_auth_backend_role.chat_api", "token", "resource"),
        ("vault_kubernetes_auth_backend_role.notebooks", "token", "resource"),
        ("vault_kv_secret_v2.anthropic", "secret", "resource"),
        ("vault_kv_secret_v2.openai", "secret", "resource"),
        ("vault_token.llm_ops_bootstrap", "token", "resource"),
        ("vault_token.rag_indexer", "token", "resource"),
    ]
    assert {c.provider for c in platform().inventory.credentials} == {"vault"}


# == tokens ======================================================================================


def test_compliant_token_in_full():
    assert platform().credential("vault_token.rag_indexer") == Credential(
        address="vault_token.rag_indexer",
        provider="vault",
        source_type="vault_token",
        kind="token",
        location=Location("tokens.tf", 2, 17),
        name="rag-indexer",
        owner=Owner("ml-platform", "metadata owner"),
        expiry=Expiry(30.0, False, "explicit_max_ttl 720h (a hard cap)"),  # from local.token_max_ttl
        rotation=Rotation(30.0, "time_rotating.monthly"),
        scope=Scope(OPENAI_GRANTS),
        ai_hints=("rag_indexer", "rag-indexer", "secret/data/ml/openai", "secret/metadata/ml/openai"),
        ai_reasons=("'secret/data/ml/openai' names OpenAI",),
        tags={"owner": "ml-platform", "purpose": "nightly RAG index rebuild"},
        evidence={"owner": Location("tokens.tf", 9, 12), "expiry": at("tokens.tf", 6), "rotation": at("tokens.tf", 15)},
        root_module=".",
    )


def test_periodic_root_token():
    token = platform().credential("vault_token.llm_ops_bootstrap")
    assert token.owner == Owner(None)
    assert token.expiry == Expiry(None, source="periodic token (period 768h): renewed without end")
    assert token.scope.grants == (
        Grant("policy root", ("*",), ("*",), ("the root policy allows every operation on every path",), at("tokens.tf", 22)),
    )
    assert token.ai_reasons == ("'llm_ops_bootstrap' names an AI service", "grants * (all services, including AI services)")


PROVIDER = 'provider "vault" {}\n'


def recognized(tmp_path, main_tf: str, **files: str) -> Records:
    return records_of(tmp_path, with_cluster(vault.extract), PROVIDER + main_tf, **files)


def one(tmp_path, main_tf: str, address: str, **files: str) -> Credential:
    return recognized(tmp_path, main_tf, **files).credential(address)


_LEFT_TO_SERVER = "no ttl, explicit_max_ttl or period written: the code leaves the lifetime to the server"


@pytest.mark.parametrize(
    "attributes, expiry",
    [
        ('ttl = "1h"\n  explicit_max_ttl = "24h"', Expiry(1.0, True, "explicit_max_ttl 24h (a hard cap)")),
        ('explicit_max_ttl = 7776000', Expiry(90.0, False, "explicit_max_ttl 7776000 (a hard cap)")),
        ('explicit_max_ttl = "30d"', Expiry(30.0, False, "explicit_max_ttl 30d (a hard cap)")),
        ('period = "24h"', Expiry(None, source="periodic token (period 24h): renewed without end")),
        ('period = "24h"\n  explicit_max_ttl = "48h"', Expiry(2.0, False, "explicit_max_ttl 48h (a hard cap)")),
        ('ttl = "30m"\n  renewable = false', Expiry(1 / 48, True, "ttl 30m, not renewable")),
        ('ttl = "8760h"\n  renewable = false', Expiry(365.0, False, "ttl 8760h, not renewable")),
        # Renewable up to the token mount's max TTL: a server setting, not in the code.
        ('ttl = "24h"', Expiry(UNKNOWN, UNKNOWN, "no max TTL written: the mount's max TTL applies (a server setting, 32 days by default)")),
        ('explicit_max_ttl = var.max_ttl', Expiry(UNKNOWN, UNKNOWN, "explicit_max_ttl (a hard cap)")),
        ('ttl = "1h"\n  renewable = var.renewable', Expiry(UNKNOWN, UNKNOWN, "renewable not known before apply")),
        # No lifetime field written at all: the server's defaults decide, which is no declared expiry.
        ('renewable = var.renewable', Expiry(None, source=_LEFT_TO_SERVER)),
        ('renewable = false', Expiry(None, source=_LEFT_TO_SERVER)),
        ('display_name = "bootstrap"', Expiry(None, source=_LEFT_TO_SERVER)),
        ('ttl = var.max_ttl', Expiry(UNKNOWN, UNKNOWN, "no max TTL written: the mount's max TTL applies (a server setting, 32 days by default)")),
        ('explicit_max_ttl = "soon"', Expiry(UNKNOWN, UNKNOWN, "explicit_max_ttl soon (a hard cap)")),
    ],
)
def test_token_lifetime(tmp_path, attributes, expiry):
    main_tf = f'variable "max_ttl" {{}}\nvariable "renewable" {{}}\nresource "vault_token" "t" {{\n  {attributes}\n}}\n'
    assert one(tmp_path, main_tf, "vault_token.t").expiry == expiry


@pytest.mark.parametrize(
    "text, seconds",
    [(3600, 3600.0), ("3600", 3600.0), ("768h", 2764800.0), ("1h30m", 5400.0), ("30d", 2592000.0), ("0", 0.0),
     (None, None), (True, UNKNOWN), ("a week", UNKNOWN), ("-1h", UNKNOWN)],
)
def test_vault_durations(text, seconds):
    assert vault_seconds(text) == seconds


def test_token_owner_from_metadata_is_unknown_when_metadata_is(tmp_path):
    token = one(tmp_path, 'variable "meta" {}\nresource "vault_token" "t" {\n  metadata = var.meta\n}\n', "vault_token.t")
    assert token.owner == Owner(UNKNOWN, "metadatas not known before apply")


# == policies ====================================================================================


def test_policies_in_a_heredoc_a_data_source_and_a_file_are_located_where_written():
    workflow = platform().credential("vault_jwt_auth_backend_role.any_workflow")
    assert [(g.statement, g.actions, g.wildcard_reasons, g.location) for g in workflow.scope.grants] == [
        ("vault_jwt_auth_backend_role.any_workflow bound claims", ("login",),
         ("no bound_subject or bound_claims: any token the issuer signs for the audience can log in",), Location("jwt_auth.tf", 18, 27)),
        ('vault_policy.bedrock_invoke path "aws-bedrock/creds/bedrock-invoke"', ("read",), (), Location("policies.tf", 16, 20)),
        ('vault_policy.ops_admin path "secret/data/ml/*"', ("create", "read", "update", "delete", "list"), (),
         Location("policies/ops-admin.hcl", 2, 4)),
        ('vault_policy.ops_admin path "+/*"', ("*:read", "*:list"), ('path "+/*" matches every secrets engine and auth method',),
         Location("policies/ops-admin.hcl", 6, 8)),
        ('vault_policy.ops_admin path "sys/leases/revoke-prefix/*"', ("update", "sudo"),
         ('sudo capability on "sys/leases/revoke-prefix/*"',), Location("policies/ops-admin.hcl", 10, 12)),
    ]
    assert workflow.ai_reasons[0] == "'aws-bedrock/creds/bedrock-invoke' names Amazon Bedrock"


@pytest.mark.parametrize(
    "rule, actions, reasons",
    [
        ('path "*" { capabilities = ["read"] }', ("*:read",), ('path "*" matches every path',)),
        ('path "+/data/*" { capabilities = ["list"] }', ("*:list",), ('path "+/data/*" matches every secrets engine and auth method',)),
        ('path "secret/*" { capabilities = ["read"] }', ("read",), ()),  # one mount: not a wildcard
        ('path "auth/token/create" { capabilities = ["update", "sudo"] }', ("update", "sudo"),
         ('sudo capability on "auth/token/create"',)),
        ('path "${var.mount}/*" { capabilities = ["read"] }', ("read",), ()),  # not known before apply
    ],
)
def test_policy_wildcards(tmp_path, rule, actions, reasons):
    main_tf = f"""variable "mount" {{}}
resource "vault_policy" "p" {{
  name   = "p"
  policy = <<EOT
{rule}
EOT
}}
resource "vault_token" "t" {{
  policies = ["p"]
}}
"""
    [grant] = one(tmp_path, main_tf, "vault_token.t").scope.grants
    assert (grant.actions, grant.wildcard_reasons, grant.location) == (actions, reasons, at("main.tf", 6))


def test_deny_rules_default_policy_and_unparsable_documents_give_no_grants(tmp_path):
    main_tf = """
resource "vault_policy" "deny" {
  name   = "deny-all"
  policy = "path \\"*\\" { capabilities = [\\"deny\\"] }"
}
resource "vault_policy" "broken" {
  name   = "broken"
  policy = "path { this is not HCL"
}
resource "vault_token" "t" {
  policies = [vault_policy.deny.name, "broken", "default"]
}
"""
    token = one(tmp_path, main_tf, "vault_token.t")
    assert token.scope.grants == ()
    assert token.ai_hints == ("t", "broken", "default")


def test_policy_document_data_source_rules_and_rendered_text(tmp_path):
    main_tf = """
data "vault_policy_document" "read" {
  rule {
    path         = "secret/data/openai"
    capabilities = ["read", "list"]
  }
}
locals {
  read_policy = data.vault_policy_document.read.hcl
}
resource "vault_policy" "direct" {
  name   = "direct"
  policy = data.vault_policy_document.read.hcl
}
resource "vault_policy" "rendered" {
  name   = "rendered"
  policy = local.read_policy
}
resource "vault_token" "t" {
  policies = ["direct", "rendered"]
}
"""
    grants = one(tmp_path, main_tf, "vault_token.t").scope.grants
    assert [(g.statement, g.actions, g.location) for g in grants] == [
        ('vault_policy.direct path "secret/data/openai"', ("read", "list"), Location("main.tf", 4, 7)),  # the rule block
        # Through a local: the text the data source renders, located at the policy attribute.
        ('vault_policy.rendered path "secret/data/openai"', ("read", "list"), at("main.tf", 18)),
    ]


# == auth roles ==================================================================================


def test_approle_owner_from_its_identity_entity_and_lifetime_from_its_tokens():
    role = platform().credential("vault_approle_auth_backend_role.summarizer")
    assert role.owner == Owner("ml-platform", "vault_identity_entity.summarizer metadata owner")
    assert role.evidence["owner"] == at("approle.tf", 13)
    assert role.expiry == Expiry(14400 / 86400, True, "token_max_ttl 14400")  # longer than its 1h secret IDs
    assert role.rotation == Rotation(14400 / 86400, LOGIN)
    assert role.scope == Scope(OPENAI_GRANTS)


def test_approle_secret_ids_never_expire_by_default():
    role = platform().credential("vault_approle_auth_backend_role.legacy_batch")
    assert role.expiry == Expiry(None, source="AppRole secret IDs never expire unless secret_id_ttl is set")
    assert role.rotation == Rotation(None)
    assert role.owner == Owner(None)  # no entity, not in the owner_map
    assert role.scope.grants == ()  # anthropic-read is not in the code


APPROLE = """
resource "vault_approle_auth_backend_role" "r" {{
  role_name = "openai-batch"
  {attributes}
}}
{extra}
"""


@pytest.mark.parametrize(
    "attributes, expiry",
    [
        ("secret_id_ttl = 3600\n  token_max_ttl = 3600", Expiry(1 / 24, True, "secret_id_ttl 3600 (secret IDs)")),
        ("secret_id_ttl = 0\n  token_max_ttl = 3600", Expiry(None, source="AppRole secret IDs never expire unless secret_id_ttl is set")),
        ("secret_id_ttl = 3600\n  token_period = 3600", Expiry(None, source="periodic token (token_period 3600): renewed without end")),
        ("secret_id_ttl = 2592000\n  token_max_ttl = 3600", Expiry(30.0, False, "secret_id_ttl 2592000 (secret IDs)")),
        ("secret_id_ttl = 3600", Expiry(UNKNOWN, UNKNOWN, "no max TTL written: the mount's max TTL applies (a server setting, 32 days by default)")),
        ("bind_secret_id = false\n  token_max_ttl = 3600\n  token_bound_cidrs = [\"10.0.0.0/8\"]",
         Expiry(None, source="bind_secret_id = false: the role ID alone logs in, and it never expires")),
        ("secret_id_ttl = 3600\n  token_type = \"batch\"\n  token_ttl = 600", Expiry(1 / 24, True, "secret_id_ttl 3600 (secret IDs)")),
    ],
)
def test_approle_lives_as_long_as_the_longer_of_its_secret_ids_and_tokens(tmp_path, attributes, expiry):
    role = one(tmp_path, APPROLE.format(attributes=attributes, extra=""), "vault_approle_auth_backend_role.r")
    assert role.expiry == expiry


def test_approle_rotated_through_its_secret_id_and_a_literal_secret_id(tmp_path):
    extra = """
resource "time_rotating" "weekly" {
  rotation_days = 7
}
resource "vault_approle_auth_backend_role_secret_id" "r" {
  role_name = vault_approle_auth_backend_role.r.role_name
  secret_id = "5f2c8a1e-9b7d-4c3e-a6f1-0d8e2b4c7a9f-Q7xLp"
  lifecycle {
    replace_triggered_by = [time_rotating.weekly]
  }
}
"""
    role = one(tmp_path, APPROLE.format(attributes="secret_id_ttl = 2592000", extra=extra), "vault_approle_auth_backend_role.r")
    assert role.rotation == Rotation(7, "time_rotating.weekly")
    assert role.evidence["rotation"] == at("main.tf", 15)
    assert [(h.field, h.detector, h.location) for h in role.hardcoded] == [("secret_id", "high-entropy-secret", at("main.tf", 13))]


def test_kubernetes_role_owner_from_its_service_account_and_lifetime_from_its_mount():
    role = platform().credential("vault_kubernetes_auth_backend_role.chat_api")
    assert role.owner == Owner("conversational-ai", "ServiceAccount/ml-serving/chat-api label owner")
    assert role.expiry == Expiry(0.5, True, "max_lease_ttl of vault_auth_backend.kubernetes")
    assert role.evidence == {"owner": at("kubernetes_auth.tf", 6), "expiry": at("mounts.tf", 18), "rotation": at("mounts.tf", 18)}
    assert role.scope.grants[0] == Grant(
        "vault_kubernetes_auth_backend_role.chat_api bound service accounts", ("login",),
        ("ServiceAccount/ml-serving/chat-api",), (), at("kubernetes_auth.tf", 15),
    )


def test_kubernetes_role_owner_from_a_yaml_service_account(tmp_path):
    found = recognized(tmp_path, """
resource "vault_kubernetes_auth_backend_role" "r" {
  role_name                        = "r"
  bound_service_account_names      = ["gemini-proxy"]
  bound_service_account_namespaces = ["ml"]
}
""", **{"k8s/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: gemini-proxy\n  namespace: ml\n  annotations: {owner: search}\n"})
    # records() reads only Terraform: without the YAML, the account is not in the scan.
    assert found.credential("vault_kubernetes_auth_backend_role.r").owner == Owner(UNKNOWN, "ServiceAccount/ml/gemini-proxy is not in the scan")
    inventory = scan_path(tmp_path).inventory
    [role] = inventory.credentials_at("vault_kubernetes_auth_backend_role.r")
    assert role.owner == Owner("search", "ServiceAccount/ml/gemini-proxy annotation owner")
    assert role.evidence["owner"] == at("k8s/sa.yaml", 6)


NO_OWNER = Owner(None)


@pytest.mark.parametrize(
    "names, namespaces, reasons, owner",
    [
        ('["*"]', '["notebooks"]', ('bound_service_account_names "*": any service account in notebooks can log in',), NO_OWNER),
        ('["runner"]', '["*"]', ('bound_service_account_namespaces "*": runner of any namespace can log in',), NO_OWNER),
        ('["*"]', '["*"]', ("any service account of any namespace can log in",), NO_OWNER),
        ('["runner"]', '["ci", "ml"]', (), NO_OWNER),  # several accounts: none to take the owner from
        ('var.names', '["*"]', (), Owner(UNKNOWN, "bound service accounts not known before apply")),
        ('["runner"]', '["ml"]', (), Owner(UNKNOWN, "ServiceAccount/ml/runner is not in the scan")),
    ],
)
def test_kubernetes_role_wildcards(tmp_path, names, namespaces, reasons, owner):
    role = one(tmp_path, f"""variable "names" {{}}
resource "vault_kubernetes_auth_backend_role" "r" {{
  role_name                        = "r"
  bound_service_account_names      = {names}
  bound_service_account_namespaces = {namespaces}
}}
""", "vault_kubernetes_auth_backend_role.r")
    assert role.scope.grants[0].wildcard_reasons == reasons
    assert role.owner == owner


@pytest.mark.parametrize(
    "attributes, reasons",
    [
        ('role_type = "jwt"', ("no bound_subject or bound_claims: any token the issuer signs for the audience can log in",)),
        ('role_type = "jwt"\n  bound_subject = "repo:acme/ml:ref:refs/heads/main"', ()),
        ('role_type = "jwt"\n  bound_claims_type = "glob"\n  bound_claims = { repository = "acme/*", ref = "*" }',
         ('bound claim ref "*" matches any value',)),
        ('role_type = "oidc"', ()),  # people signing in through an identity provider
        ('role_type = "jwt"\n  bound_claims = var.claims', ()),
    ],
)
def test_jwt_role_wildcards(tmp_path, attributes, reasons):
    role = one(tmp_path, f"""variable "claims" {{}}
resource "vault_jwt_auth_backend_role" "r" {{
  role_name       = "r"
  user_claim      = "sub"
  bound_audiences = ["vault"]
  {attributes}
}}
""", "vault_jwt_auth_backend_role.r")
    assert role.scope.grants[0].wildcard_reasons == reasons


def test_role_token_max_ttl_is_capped_by_the_mount(tmp_path):
    main_tf = """
resource "vault_jwt_auth_backend" "gha" {
  path = "gha"
  tune {
    max_lease_ttl = "1h"
  }
}
resource "vault_jwt_auth_backend_role" "r" {
  backend       = vault_jwt_auth_backend.gha.path
  role_name     = "r"
  token_max_ttl = 2592000
}
resource "vault_jwt_auth_backend_role" "default_mount" {
  role_name     = "default-mount"
  token_max_ttl = 2592000
}
"""
    found = recognized(tmp_path, main_tf)
    assert found.credential("vault_jwt_auth_backend_role.r").expiry == Expiry(1 / 24, True, "max_lease_ttl of vault_jwt_auth_backend.gha")
    # The default mount (jwt) is not in the code: only the role's own limit is known.
    assert found.credential("vault_jwt_auth_backend_role.default_mount").expiry == Expiry(30.0, False, "token_max_ttl 2592000")


# == KV secrets ==================================================================================


def test_kv_v2_secret_states_owner_and_rotation_in_custom_metadata():
    secret = platform().credential("vault_kv_secret_v2.openai")
    assert secret.owner == Owner("ml-platform", "custom_metadata key owner")
    assert secret.rotation == Rotation(30.0, "custom_metadata iac-guard.io/rotation-period")
    assert secret.expiry == Expiry(30.0, False, "rotation by custom_metadata iac-guard.io/rotation-period")
    assert secret.tags == {"owner": "ml-platform", "iac-guard.io/rotation-period": "30d", "max_versions": 5}
    assert secret.evidence == {"owner": Location("kv.tf", 11, 14), "rotation": Location("kv.tf", 11, 14)}
    assert secret.ai_hints == ("openai", "ml/openai", "OPENAI_API_KEY")


def test_kv_v2_literal_is_fingerprinted_at_its_key():
    secret = platform().credential("vault_kv_secret_v2.anthropic")
    assert [(h.field, h.detector, h.fingerprint, h.location) for h in secret.hardcoded] == [
        ("data_json.ANTHROPIC_API_KEY", "anthropic-api-key", expected_fingerprint(ANTHROPIC_KEY, "sk-ant-"), at("kv.tf", 23)),
    ]
    assert (secret.owner, secret.expiry, secret.rotation) == (
        Owner(None), Expiry(None, source="KV secrets do not expire"), Rotation(None),
    )


def test_kv_v1_and_generic_secrets_cannot_state_expiry_or_rotation():
    secret = platform().credential("vault_generic_secret.pinecone")
    reason = "vault_generic_secret has no metadata field (vault_kv_secret_v2 has custom_metadata)"
    assert (secret.expiry, secret.rotation) == (Expiry(UNKNOWN, source=reason), Rotation(UNKNOWN, reason))
    assert secret.owner == Owner("search-relevance", "owner_map 'vault_generic_secret.pinecone'")
    assert secret.ai_reasons == ("'pinecone' names Pinecone",)


@pytest.mark.parametrize(
    "data, expiry, rotation",
    [
        ('{ "iac-guard.io/expires" = "2027-01-31" }', Expiry(64, expires_on="2027-01-31", source="custom_metadata iac-guard.io/expires"), Rotation(None)),
        ('{ "iac-guard.io/rotation-period" = "2w" }', Expiry(14.0, source="rotation by custom_metadata iac-guard.io/rotation-period"),
         Rotation(14.0, "custom_metadata iac-guard.io/rotation-period")),
        ('var.metadata', Expiry(UNKNOWN, source="custom_metadata not known before apply"), Rotation(UNKNOWN, "custom_metadata not known before apply")),
        ('{ "iac-guard.io/rotation-period" = var.period }', Expiry(UNKNOWN, source="replaced on a schedule not known before apply (custom_metadata iac-guard.io/rotation-period)"),
         Rotation(UNKNOWN, "custom_metadata iac-guard.io/rotation-period")),
    ],
)
def test_kv_v2_conventions(tmp_path, data, expiry, rotation):
    main_tf = f"""variable "metadata" {{}}
variable "period" {{}}
resource "vault_kv_secret_v2" "s" {{
  mount     = "secret"
  name      = "openai"
  data_json = jsonencode({{ key = "value" }})
  custom_metadata {{
    data = {data}
  }}
}}
"""
    secret = one(tmp_path, main_tf, "vault_kv_secret_v2.s")
    assert (secret.expiry, secret.rotation) == (expiry, rotation)


def test_vault_configuration_literals(tmp_path):
    found = recognized(tmp_path, """
resource "vault_jwt_auth_backend" "oidc" {
  path               = "oidc"
  oidc_client_id     = "vault"
  oidc_client_secret = "Zq8!vR2#mK5@pL9$wX3^"
}
resource "vault_aws_secret_backend" "aws" {
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = var.secret_key
}
variable "secret_key" {}
""")
    oidc = found.credential("vault_jwt_auth_backend.oidc")
    assert (oidc.origin, [(h.field, h.detector) for h in oidc.hardcoded]) == ("literal", [("oidc_client_secret", "high-entropy-secret")])
    assert not found.has("vault_aws_secret_backend.aws")  # AWS's documented example key; the secret is a variable


# == secrets engine roles ========================================================================


def test_assumed_role_takes_scope_and_owner_from_its_iam_role():
    role = platform().credential("vault_aws_secret_backend_role.sagemaker")
    assert role.owner == Owner("search-relevance", "inherited from aws_iam_role.sagemaker_runner", inherited=True)
    assert (role.parent, role.scope.inherited_from) == ("aws_iam_role.sagemaker_runner", "aws_iam_role.sagemaker_runner")
    assert grant_summary(role.scope.grants) == [
        ("aws_iam_role.sagemaker_runner inline_policy statement 1", ("sagemaker:InvokeEndpoint",),
         ("arn:aws:sagemaker:us-east-1:111122223333:endpoint/reranker",), ()),
    ]
    assert role.expiry == Expiry(1 / 24, True, "max_sts_ttl 3600, STS credentials")
    assert role.rotation == Rotation(1 / 24, LEASE)


def test_iam_user_roles_live_as_long_as_their_mount_allows_and_are_judged_on_scope():
    invoke = platform().credential("vault_aws_secret_backend_role.bedrock_invoke")
    assert invoke.expiry == Expiry(1 / 24, True, "max_lease_ttl_seconds of vault_aws_secret_backend.bedrock")
    assert invoke.evidence == {"expiry": at("mounts.tf", 34), "rotation": at("mounts.tf", 34)}
    assert grant_summary(invoke.scope.grants) == [(
        "vault_aws_secret_backend_role.bedrock_invoke policy_document statement 1",
        ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0",), (),
    )]
    admin = platform().credential("vault_aws_secret_backend_role.bedrock_admin")
    assert grant_summary(admin.scope.grants) == [(
        "vault_aws_secret_backend_role.bedrock_admin (AmazonBedrockFullAccess)", ("bedrock:*",), ("*",),
        ("AWS managed policy AmazonBedrockFullAccess grants full access",),
    )]
    assert admin.owner == Owner("ml-platform", "owner_map 'vault_aws_secret_backend_role.bedrock_*'")


def test_aws_role_grants_from_customer_policies_and_groups(tmp_path):
    main_tf = """
resource "aws_iam_policy" "invoke" {
  name   = "invoke"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:*", Resource = "*" }] })
}
resource "aws_iam_group" "ml" {
  name = "ml"
}
resource "aws_iam_group_policy" "ml" {
  group  = aws_iam_group.ml.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::models/*" }] })
}
resource "vault_aws_secret_backend_role" "r" {
  name            = "r"
  credential_type = "iam_user"
  policy_arns     = [aws_iam_policy.invoke.arn]
  iam_groups      = ["ml"]
}
resource "vault_aws_secret_backend_role" "federated" {
  name            = "federated"
  credential_type = "federation_token"
  policy_document = jsonencode({ Statement = [{ Effect = "Allow", Action = "bedrock:InvokeModel", Resource = "*" }] })
}
"""
    found = recognized(tmp_path, main_tf)
    role = found.credential("vault_aws_secret_backend_role.r")
    assert [(g.statement, g.wildcard_reasons) for g in role.scope.grants] == [
        ("aws_iam_policy.invoke statement 1", ('service-wide actions bedrock:* on Resource "*"; access levels Permissions management, Write, Tagging, Read, List',)),
        ("aws_iam_group_policy.ml statement 1", ()),
    ]
    assert role.expiry == Expiry(UNKNOWN, UNKNOWN, "no max TTL written: the mount's max lease TTL applies (a server setting)")
    federated = found.credential("vault_aws_secret_backend_role.federated")
    assert federated.expiry == Expiry(UNKNOWN, True, "STS credentials last hours (at most 36), per lease")
    assert federated.rotation == Rotation(UNKNOWN, LEASE)


@pytest.mark.parametrize(
    "statement, reasons",
    [
        ("GRANT SELECT ON embeddings TO \\\"{{name}}\\\";", ()),
        ("CREATE ROLE \\\"{{name}}\\\" WITH SUPERUSER LOGIN;", ("creation_statements create a superuser",)),
        ("GRANT ALL PRIVILEGES ON DATABASE vectors TO \\\"{{name}}\\\";", ("creation_statements grant ALL PRIVILEGES",)),
        ("GRANT SELECT ON *.* TO '{{name}}'@'%';", ("creation_statements grant on every database (*.*)",)),
    ],
)
def test_database_role_wildcards(tmp_path, statement, reasons):
    role = one(tmp_path, f"""
resource "vault_database_secret_backend_role" "r" {{
  name                = "r"
  db_name             = "vectors"
  creation_statements = ["{statement}"]
  max_ttl             = 3600
}}
""", "vault_database_secret_backend_role.r")
    assert role.scope.grants[0].wildcard_reasons == reasons
    assert role.expiry == Expiry(1 / 24, True, "max_ttl 3600")


def test_static_roles_are_rotated_by_vault(tmp_path):
    found = recognized(tmp_path, """
resource "vault_database_secret_backend_static_role" "pgvector" {
  name            = "pgvector-app"
  db_name         = "pgvector"
  username        = "embeddings_app"
  rotation_period = 604800
}
resource "vault_database_secret_backend_static_role" "cron" {
  name              = "reports"
  db_name           = "pgvector"
  username          = "embeddings_reports"
  rotation_schedule = "0 0 * * SAT"
}
""")
    weekly = found.credential("vault_database_secret_backend_static_role.pgvector")
    assert weekly.rotation == Rotation(7.0, "Vault rotates it (vault_database_secret_backend_static_role.pgvector)")
    assert weekly.expiry.lifetime_days == 7.0  # replaced every 7 days
    assert found.credential("vault_database_secret_backend_static_role.cron").rotation.period_days == UNKNOWN


# == generic AI secrets: the vocabulary ==========================================================


@pytest.mark.parametrize(
    "name, provider",
    [
        ("TOGETHER_API_KEY", "Together AI"), ("together-ai-key", "Together AI"),
        ("WANDB_API_KEY", "Weights & Biases"), ("weights-and-biases-key", "Weights & Biases"),
        ("LANGSMITH_API_KEY", "LangSmith / LangChain"), ("LANGFUSE_SECRET_KEY", "Langfuse"),
        ("PINECONE_API_KEY", "Pinecone"), ("GROQ_API_KEY", "Groq"), ("REPLICATE_API_TOKEN", "Replicate"),
        ("MISTRAL_API_KEY", "Mistral AI"), ("CO_API_KEY", "Cohere"), ("cohere-api-key", "Cohere"),
        ("AZURE_OPENAI_API_KEY", "Azure OpenAI"), ("OPENAI_API_KEY", "OpenAI"), ("ANTHROPIC_API_KEY", "Anthropic"),
        ("GEMINI_API_KEY", "Google Gemini / Vertex AI"), ("vertex-ai-sa", "Google Gemini / Vertex AI"),
        ("AWS_BEARER_TOKEN_BEDROCK", "Amazon Bedrock"), ("HF_TOKEN", "Hugging Face"),
        ("OPENROUTER_API_KEY", "OpenRouter"), ("FIREWORKS_API_KEY", "Fireworks AI"), ("VOYAGE_API_KEY", "Voyage AI"),
        ("AI21_API_KEY", "AI21 Labs"), ("JINA_API_KEY", "Jina AI"), ("STABILITY_API_KEY", "Stability AI"),
        ("DEEPGRAM_API_KEY", "Deepgram"), ("ASSEMBLYAI_API_KEY", "AssemblyAI"), ("CEREBRAS_API_KEY", "Cerebras"),
    ],
)
def test_the_vocabulary_names_every_provider_of_the_issue(name, provider):
    assert provider_named_by(name).name == provider


@pytest.mark.parametrize("name", ["DATABASE_PASSWORD", "together", "replicated-db", "stability-tests", "co-located"])
def test_ordinary_names_are_not_ai(name):
    assert provider_named_by(name) is None


def test_a_kv_secret_named_for_a_provider_is_an_ai_credential(tmp_path):
    project = write_project(tmp_path, {"main.tf": PROVIDER + """
resource "vault_kv_secret_v2" "together" {
  mount     = "secret"
  name      = "inference/together"
  data_json = jsonencode({ TOGETHER_API_KEY = "placeholder" })
}
resource "vault_kv_secret_v2" "db" {
  mount     = "secret"
  name      = "app/db"
  data_json = jsonencode({ password = "placeholder" })
}
"""})
    judged = flagged(project)
    assert judged == {"vault_kv_secret_v2.together": {"IAG001", "IAG002", "IAG003"}}


# == unknown never fails: each case beside its known, failing twin ==============================

UNKNOWN_CASES = {
    "owner in token metadata": (
        'resource "vault_token" "openai" {\n  explicit_max_ttl = "1h"\n  metadata = { owner = VALUE }\n}\n',
        "var.unknown", '"tbd"', "vault_token.openai", "IAG001",
    ),
    "token lifetime": (
        'resource "vault_token" "openai" {\n  explicit_max_ttl = VALUE\n  metadata = { owner = "ml" }\n}\n',
        "var.unknown", '"8760h"', "vault_token.openai", "IAG002",
    ),
    "KV rotation period": (
        'resource "vault_kv_secret_v2" "openai" {\n  mount = "kv"\n  name = "openai"\n  data_json = "{}"\n'
        '  custom_metadata {\n    data = { owner = "ml", "iac-guard.io/rotation-period" = VALUE }\n  }\n}\n',
        "var.unknown", '"400d"', "vault_kv_secret_v2.openai", "IAG003",
    ),
    "policy path": (
        'resource "vault_policy" "p" {\n  name = "p"\n  policy = "path \\"${VALUE}/*\\" { capabilities = [\\"read\\"] }"\n}\n'
        'resource "vault_token" "openai" {\n  explicit_max_ttl = "1h"\n  metadata = { owner = "ml" }\n  policies = ["p"]\n}\n',
        "var.unknown", '"*"', "vault_token.openai", "IAG004",
    ),
    "bound service accounts": (
        'resource "vault_kubernetes_auth_backend_role" "openai" {\n  role_name = "openai"\n'
        '  bound_service_account_names = VALUE\n  bound_service_account_namespaces = ["ml"]\n  token_max_ttl = 3600\n}\n',
        "var.unknown", '["*"]', "vault_kubernetes_auth_backend_role.openai", "IAG004",
    ),
    "role token period": (
        'resource "vault_jwt_auth_backend_role" "openai" {\n  role_name = "openai"\n  user_claim = "sub"\n'
        '  bound_subject = "ci"\n  token_period = VALUE\n}\n',
        "var.unknown", "86400", "vault_jwt_auth_backend_role.openai", "IAG002",
    ),
    "renewable token without a max TTL": (
        'resource "vault_token" "openai" {\n  ttl = "720h"\n  renewable = VALUE\n  metadata = { owner = "ml" }\n}\n',
        "var.unknown", "false", "vault_token.openai", "IAG003",
    ),
    "AppRole secret ID TTL": (
        'resource "vault_approle_auth_backend_role" "openai" {\n  role_name = "openai"\n  secret_id_ttl = VALUE\n'
        '  token_max_ttl = 3600\n}\n',
        "var.unknown", "2592000", "vault_approle_auth_backend_role.openai", "IAG003",
    ),
    "entity alias of a role": (
        'resource "vault_approle_auth_backend_role" "openai" {\n  role_name = "openai"\n  secret_id_ttl = 600\n'
        '  token_max_ttl = 600\n}\n'
        'resource "vault_identity_entity" "e" {\n  name = "e"\n  metadata = { owner = "ml" }\n}\n'
        'resource "vault_identity_entity_alias" "a" {\n  name = VALUE\n  canonical_id = vault_identity_entity.e.id\n}\n',
        "var.unknown", '"some-user"', "vault_approle_auth_backend_role.openai", "IAG001",
    ),
    "namespace of the bound service account": (
        'resource "kubernetes_service_account_v1" "chat" {\n  metadata {\n    name = "chat"\n    namespace = VALUE\n'
        '    labels = { owner = "ml" }\n  }\n}\n'
        'resource "vault_kubernetes_auth_backend_role" "openai" {\n  role_name = "openai"\n'
        '  bound_service_account_names = ["chat"]\n  bound_service_account_namespaces = ["ml"]\n  token_max_ttl = 600\n}\n',
        "var.unknown", '"ml"', "vault_kubernetes_auth_backend_role.openai", None,
    ),
    "credential type of an assuming role": (
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n  tags = { owner = "ml" }\n}\n'
        'resource "vault_aws_secret_backend_role" "bedrock" {\n  name = "bedrock"\n  credential_type = VALUE\n'
        '  role_arns = [aws_iam_role.r.arn]\n}\n',
        "var.unknown", '"iam_user"', "vault_aws_secret_backend_role.bedrock", "IAG001",
    ),
    "credential type of a dynamic role": (
        'resource "vault_aws_secret_backend_role" "bedrock" {\n  name = "bedrock"\n  credential_type = VALUE\n'
        '  policy_arns = ["arn:aws:iam::aws:policy/AmazonBedrockReadOnly"]\n}\n'
        'resource "vault_aws_secret_backend" "aws" {\n  max_lease_ttl_seconds = 31536000\n}\n',
        "var.unknown", '"iam_user"', "vault_aws_secret_backend_role.bedrock", "IAG002",
    ),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_CASES))
def test_unknown_never_fails(tmp_path, case):
    """``policy`` None: the known twin is compliant too (the unknown value must not fail either)."""
    template, unknown, known, resource, policy = UNKNOWN_CASES[case]
    header = PROVIDER + 'variable "unknown" {}\n'
    for value, fails in ((unknown, False), (known, policy is not None)):
        project = write_project(tmp_path / str(value != unknown), {"main.tf": header + template.replace("VALUE", value)})
        found = flagged(project, scope="all").get(resource, set())
        assert (policy in found if policy else bool(found)) is fails, (value, found)


def test_owner_precedence_metadata_then_owner_map(tmp_path):
    main_tf = """
resource "vault_token" "tagged" {
  metadata = { Owner = "ml-platform" }
}
resource "vault_token" "mapped" {
  display_name = "mapped"
}
resource "vault_approle_auth_backend_role" "placeholder" {
  role_name = "openai-batch"
}
resource "vault_identity_entity" "placeholder" {
  name     = "openai-batch"
  metadata = { owner = "TBD" }
}
resource "vault_identity_entity_alias" "placeholder" {
  name         = vault_approle_auth_backend_role.placeholder.role_id
  canonical_id = vault_identity_entity.placeholder.id
}
"""
    chosen = settings(owner_map=(("vault_token.*", "platform-team"), ("vault_approle_*", "batch-team")))
    found = records_of(tmp_path, with_cluster(vault.extract), PROVIDER + main_tf, chosen)
    assert found.credential("vault_token.tagged").owner == Owner("ml-platform", "metadata Owner")
    assert found.credential("vault_token.mapped").owner == Owner("platform-team", "owner_map 'vault_token.*'")
    # What the code states wins over the map, and a placeholder there is judged on the role itself.
    role = found.credential("vault_approle_auth_backend_role.placeholder")
    assert role.owner == Owner("TBD", "vault_identity_entity.placeholder metadata owner")
    assert role.evidence["owner"] == at("main.tf", 14)
