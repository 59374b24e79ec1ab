"""build_inventory: merging, usages and consumers, expiry from rotation, and AI relevance that flows
along the graph (workload identities, parents and their keys)."""

from __future__ import annotations

from iac_guard.inventory.build import build_inventory
from iac_guard.model import (
    UNKNOWN,
    Credential,
    Expiry,
    Extraction,
    Grant,
    Location,
    Rotation,
    Scope,
    SecretLiteral,
    Unknown,
    Usage,
    Workload,
)

HERE = Location("main.tf", 1, 3)


def credential(address: str, kind: str = "secret", **fields) -> Credential:
    return Credential(address=address, provider="aws", source_type="test", kind=kind, location=HERE, **fields)


def workload(address: str, identity: str | None = None, **fields) -> Workload:
    return Workload(address=address, provider="aws", source_type="aws_lambda_function", location=HERE, identity=identity, **fields)


def use(workload_address: str, credential_address: str, via: str = "role") -> Usage:
    """A usage as a recognizer records it: ``via="env NAME"`` reads the variable ``NAME``."""
    env_var = via.removeprefix("env ") if via.startswith("env ") else None
    return Usage(workload_address, credential_address, via, HERE, env_var=env_var)


def inventory(credentials=(), workloads=(), usages=()):
    return build_inventory(Extraction(list(credentials), list(workloads), list(usages)))


def literal(field: str, provider: str | None = None) -> SecretLiteral:
    return SecretLiteral(field, "openai-api-key" if provider else "high-entropy-secret", "…abcd (56 chars, sha256:00000000)", HERE, provider)


def record(built, address: str) -> Credential:
    (found,) = built.credentials_at(address)
    return found


def reasons(built, address: str) -> tuple[str, ...]:
    return record(built, address).ai_reasons


# -- records ------------------------------------------------------------------------------------

def test_credentials_are_sorted_and_duplicates_merged():
    first = credential("aws_lambda_function.f", "api-key", origin="literal", hardcoded=(literal("environment.variables.A"),), ai_hints=("A",))
    second = credential("aws_lambda_function.f", "api-key", origin="literal", hardcoded=(literal("container.B"),), ai_hints=("B",))
    built = inventory([credential("z.secret"), first, second])
    assert [c.address for c in built.credentials] == ["aws_lambda_function.f", "z.secret"]
    merged = record(built, "aws_lambda_function.f")
    assert [leak.field for leak in merged.hardcoded] == ["environment.variables.A", "container.B"]
    assert merged.ai_hints == ("A", "B")


def test_usages_of_credentials_not_in_the_inventory_are_dropped():
    built = inventory([credential("aws_iam_role.r", "role")], [workload("w", "aws_iam_role.r")],
                      [use("w", "aws_iam_role.r"), use("w", "aws_iam_role.elsewhere"), use("w", "aws_iam_role.r")])
    assert [(u.workload, u.credential) for u in built.usages] == [("w", "aws_iam_role.r")]
    assert built.credentials_at("aws_iam_role.elsewhere") == []


def test_consumers_are_sorted_and_unique():
    built = inventory(
        [credential("aws_iam_role.shared", "role")],
        [workload("b"), workload("a"), workload("c")],
        [use("c", "aws_iam_role.shared"), use("a", "aws_iam_role.shared"), use("a", "aws_iam_role.shared", "env ROLE"),
         use("b", "aws_iam_role.shared")],
    )
    assert record(built, "aws_iam_role.shared").consumers == ("a", "b", "c")
    assert [w.address for w in built.workloads] == ["a", "b", "c"]


def test_same_address_in_two_root_modules_is_two_records_and_usages_stay_in_their_module():
    built = inventory(
        [credential("aws_iam_role.app", "role", root_module="envs/dev"), credential("aws_iam_role.app", "role", root_module="envs/prod"),
         credential("aws_secretsmanager_secret.openai", root_module="envs/prod", ai_hints=("openai",))],
        [workload("aws_lambda_function.app", "aws_iam_role.app", root_module="envs/prod")],
        [Usage("aws_lambda_function.app", "aws_iam_role.app", "role", HERE, "envs/prod"),
         Usage("aws_lambda_function.app", "aws_secretsmanager_secret.openai", "env KEY", HERE, "envs/prod", env_var="KEY")],
    )
    dev, prod = built.credentials_at("aws_iam_role.app")
    assert (dev.root_module, dev.consumers, dev.ai_reasons) == ("envs/dev", (), ())
    assert (prod.root_module, prod.consumers) == ("envs/prod", ("aws_lambda_function.app",))
    assert prod.ai_reasons == ("identity of aws_lambda_function.app, which uses the AI credential aws_secretsmanager_secret.openai",)


# -- expiry from rotation -----------------------------------------------------------------------

def test_rotation_period_becomes_the_lifetime_of_a_secret_that_never_expired():
    built = inventory([credential("k", "access-key", rotation=Rotation(30, "replaced on the schedule of time_rotating.k"))])
    assert record(built, "k").expiry == Expiry(30, False, "rotation by replaced on the schedule of time_rotating.k")


def test_unknown_rotation_period_gives_unknown_lifetime():
    built = inventory([credential("s", rotation=Rotation(UNKNOWN, "aws_secretsmanager_secret_rotation.s"))])
    assert isinstance(record(built, "s").expiry.lifetime_days, Unknown)


def test_stated_expiry_and_short_lived_credentials_keep_their_own_expiry():
    stated = Expiry(7, source="credential_age_days")
    short = Expiry(1 / 24, True, "STS session")
    built = inventory([
        credential("stated", "api-key", expiry=stated, rotation=Rotation(30, "x")),
        credential("short", "role", expiry=short, rotation=Rotation(30, "x")),
        credential("never", "access-key"),
    ])
    assert record(built, "stated").expiry == stated
    assert record(built, "short").expiry == short
    assert record(built, "never").expiry == Expiry(None)


# -- AI relevance through the graph --------------------------------------------------------------

def test_identity_of_a_workload_using_an_ai_credential_becomes_ai():
    built = inventory(
        [credential("aws_iam_role.app", "role"), credential("secret.openai", ai_hints=("openai",)), credential("secret.db", ai_hints=("db_password",))],
        [workload("lambda.app", "aws_iam_role.app")],
        [use("lambda.app", "aws_iam_role.app"), use("lambda.app", "secret.openai", "env OPENAI_SECRET"), use("lambda.app", "secret.db", "env DB_SECRET")],
    )
    assert reasons(built, "aws_iam_role.app") == ("identity of lambda.app, which uses the AI credential secret.openai",)
    assert reasons(built, "secret.openai") == ("'openai' names OpenAI", "used as OPENAI_SECRET by lambda.app (OpenAI)")
    assert reasons(built, "secret.db") == ()


def test_env_name_alone_makes_the_used_secret_ai():
    built = inventory([credential("secret.generic")], [workload("w")], [use("w", "secret.generic", "env ANTHROPIC_API_KEY")])
    assert reasons(built, "secret.generic") == ("used as ANTHROPIC_API_KEY by w (Anthropic)",)


def test_ai_workload_makes_its_identity_ai():
    built = inventory([credential("role.agent", "role")], [workload("agent", "role.agent", ai_reasons=("Amazon Bedrock agent",))],
                      [use("agent", "role.agent")])
    assert reasons(built, "role.agent") == ("identity of agent (Amazon Bedrock agent)",)


def test_workload_named_for_an_ai_provider_makes_its_identity_ai():
    built = inventory([credential("role.r", "role")], [workload("w", "role.r", ai_hints=("openai-proxy",))])
    assert reasons(built, "role.r") == ("identity of w ('openai-proxy' names OpenAI)",)


def test_workload_without_ai_evidence_leaves_its_identity_alone():
    built = inventory([credential("role.r", "role"), credential("secret.db")], [workload("w", "role.r", ai_hints=("orders",))],
                      [use("w", "role.r"), use("w", "secret.db", "env DB_PASSWORD")])
    assert reasons(built, "role.r") == () and reasons(built, "secret.db") == ()


def test_key_of_an_ai_user_is_ai_and_ai_key_makes_its_user_ai():
    built = inventory([
        credential("user.ml", "user", ai_hints=("bedrock-runner",)),
        credential("key.ml", "access-key", parent="user.ml"),
        credential("user.ci", "user"),
        credential("key.ci", "access-key", parent="user.ci", hardcoded=(literal("value", "OpenAI"),)),
        credential("user.plain", "user"),
        credential("key.plain", "access-key", parent="user.plain"),
    ])
    assert reasons(built, "key.ml") == ("issued for user.ml, an AI identity",)
    assert reasons(built, "user.ci") == ("holds the AI credential key.ci",)
    assert reasons(built, "key.plain") == () and reasons(built, "user.plain") == ()


def test_ai_relevance_flows_across_several_hops():
    built = inventory(
        [credential("user.bot", "user"), credential("key.bot", "access-key", parent="user.bot"),
         credential("role.app", "role"), credential("secret.anthropic", ai_hints=("anthropic",))],
        [workload("app", "role.app"), workload("bot-runner", "user.bot")],
        [use("app", "secret.anthropic", "env KEY"), use("bot-runner", "role.app", "assume")],
    )
    assert reasons(built, "role.app") == ("identity of app, which uses the AI credential secret.anthropic",)
    assert reasons(built, "user.bot") == ("identity of bot-runner, which uses the AI credential role.app",)
    assert reasons(built, "key.bot") == ("issued for user.bot, an AI identity",)


def test_direct_reasons_come_from_hints_grants_and_literal_formats():
    grant = Grant("policy statement 1", ("s3:GetObject", "bedrock:InvokeModel"), ("*",))
    built = inventory([credential("c", "role", scope=Scope((grant,)), ai_hints=("orders", "gemini-proxy"),
                                  hardcoded=(literal("value", "OpenAI"),))])
    assert reasons(built, "c") == (
        "'gemini-proxy' names Google Gemini / Vertex AI",
        "grants bedrock:InvokeModel (Amazon Bedrock)",
        "value at value matches the OpenAI key format",
    )


def test_cluster_names_resolve_from_any_root_through_aliases() -> None:
    """A Terraform ServiceAccount run by a YAML Deployment that reads a Terraform Secret: the
    Deployment names both by their cluster addresses, and both edges reach the Terraform records."""
    from dataclasses import replace

    secret = replace(credential("kubernetes_secret_v1.openai", ai_hints=("openai",)), root_module="infra", aliases=(("", "Secret/ml/openai"),))
    account = replace(credential("kubernetes_service_account_v1.chat", kind="service-account"), root_module="infra",
                      aliases=(("", "ServiceAccount/ml/chat"),))
    deployment = replace(workload("Deployment/ml/chat", identity="ServiceAccount/ml/chat"), root_module="")
    built = inventory(
        [secret, account], [deployment],
        [Usage.through_env("Deployment/ml/chat", "Secret/ml/openai", "OPENAI_API_KEY", HERE), Usage("Deployment/ml/chat", "ServiceAccount/ml/chat", "serviceAccountName", HERE)],
    )
    assert record(built, "kubernetes_secret_v1.openai").consumers == ("Deployment/ml/chat",)
    assert reasons(built, "kubernetes_service_account_v1.chat") == (
        "identity of Deployment/ml/chat, which uses the AI credential kubernetes_secret_v1.openai",
    )
    assert [(u.workload, u.credential, u.root_module) for u in built.usages] == [
        ("Deployment/ml/chat", "kubernetes_secret_v1.openai", ""),
        ("Deployment/ml/chat", "kubernetes_service_account_v1.chat", ""),
    ]


def test_a_secret_storing_an_ai_credential_is_an_ai_credential() -> None:
    key = credential("aws_iam_access_key.bedrock", kind="access-key", ai_hints=("bedrock",))
    store = credential("aws_secretsmanager_secret.ci", holds=("aws_iam_access_key.bedrock", "var.region"))
    plain = credential("aws_secretsmanager_secret.db", holds=("aws_iam_access_key.other",))
    built = inventory([key, store, plain])
    assert reasons(built, "aws_secretsmanager_secret.ci") == ("stores the value of aws_iam_access_key.bedrock, an AI credential",)
    assert reasons(built, "aws_secretsmanager_secret.db") == ()
