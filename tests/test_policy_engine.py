"""The policy engine on hand-built Credential records: conditions, Kleene logic, built-in policies."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from iac_guard.config.settings import Settings
from iac_guard.model import (
    UNKNOWN,
    Credential,
    Expiry,
    Finding,
    Grant,
    Location,
    Owner,
    Rotation,
    Scope,
    SecretLiteral,
    Unknown,
    is_unknown,
)
from iac_guard.policy.conditions import parse_condition
from iac_guard.policy.engine import judge, once_per_place
from iac_guard.policy.facts import credential_facts
from iac_guard.policy.loader import builtin_policy_dir, load_policies
from iac_guard.secrets.detect import fingerprint

SETTINGS = Settings(today=date(2026, 1, 15))
POLICIES = load_policies([builtin_policy_dir()])
OPENAI_KEY = "sk-proj-" + "A1b2C3d4" * 6


def cred(address: str = "aws_secretsmanager_secret.openai", **fields: Any) -> Credential:
    """A compliant AI secret: each test breaks one thing."""
    values: dict[str, Any] = {
        "provider": "aws",
        "source_type": "aws_secretsmanager_secret",
        "kind": "secret",
        "location": Location("ai/secrets.tf", 10, 20),
        "owner": Owner("ml-platform", "tag owner"),
        "expiry": Expiry(30, source="aws_secretsmanager_secret_rotation.openai"),
        "rotation": Rotation(30, "aws_secretsmanager_secret_rotation.openai"),
        "ai_reasons": ("'openai' names OpenAI",),
        "evidence": {name: Location("ai/secrets.tf", line, line) for name, line in
                     {"owner": 14, "expiry": 30, "rotation": 31, "scope": 40}.items()},
    }
    values.update(fields)
    return Credential(address=address, **values)


def findings(*credentials: Credential, settings: Settings = SETTINGS) -> list[tuple[str, str, str, int]]:
    return [(f.policy_id, f.resource, f.file, f.line) for f in judge(POLICIES, credentials, settings)]


def messages(policy_id: str, *credentials: Credential, settings: Settings = SETTINGS) -> list[str]:
    return [f.message for f in judge(POLICIES, credentials, settings) if f.policy_id == policy_id]


def test_a_compliant_credential_has_no_findings() -> None:
    assert findings(cred()) == []


# --- conditions -------------------------------------------------------------------------------


def check(condition: dict[str, Any], credential: Credential, params: dict[str, Any] | None = None) -> Any:
    params = params or {}
    parsed = parse_condition(condition, "fails_when", params)
    return parsed.evaluate(credential_facts(credential, SETTINGS), params)


OWNERLESS = cred(owner=Owner(None))
UNKNOWN_OWNER = cred(owner=Owner(UNKNOWN))
TAGGED = cred(tags={"team": "ML", "cost": 3})


@pytest.mark.parametrize(
    ("condition", "credential", "expected"),
    [
        ({"field": "owner.value", "is": "ml-platform"}, cred(), True),
        ({"field": "owner.value", "is": "ML-PLATFORM"}, cred(), False),
        ({"field": "owner.value", "is": "ML-PLATFORM", "ignore_case": True}, cred(), True),
        ({"field": "owner.value", "is": None}, OWNERLESS, True),
        ({"field": "owner.value", "is": "x"}, UNKNOWN_OWNER, UNKNOWN),
        ({"field": "scope.wildcard", "is": False}, cred(), True),
        ({"field": "tags.cost", "is": True}, cred(tags={"cost": 1}), False),  # 1 is not true
        ({"field": "owner.value", "exists": True}, cred(), True),
        ({"field": "owner.value", "exists": False}, cred(), False),
        ({"field": "owner.value", "exists": False}, OWNERLESS, True),
        ({"field": "owner.value", "exists": False}, UNKNOWN_OWNER, UNKNOWN),
        ({"field": "tags.team", "exists": False}, cred(), True),  # an absent tag is known absent
        ({"field": "expiry.lifetime_days", "gt": 29}, cred(), True),
        ({"field": "expiry.lifetime_days", "gt": 30}, cred(), False),
        ({"field": "expiry.lifetime_days", "gte": 30}, cred(), True),
        ({"field": "expiry.lifetime_days", "lt": 30}, cred(), False),
        ({"field": "expiry.lifetime_days", "lte": 30}, cred(), True),
        ({"field": "expiry.lifetime_days", "gt": 1}, cred(expiry=Expiry(None)), False),
        ({"field": "expiry.lifetime_days", "gt": 1}, cred(expiry=Expiry(UNKNOWN)), UNKNOWN),
        ({"field": "owner.value", "in": ["a", "ml-platform"]}, cred(), True),
        ({"field": "owner.value", "in": ["ML-Platform"]}, cred(), False),
        ({"field": "owner.value", "in": ["ML-Platform"], "ignore_case": True}, cred(), True),
        ({"field": "owner.value", "in": ["a"]}, UNKNOWN_OWNER, UNKNOWN),
        ({"field": "address", "matches": "^aws_secretsmanager_"}, cred(), True),
        ({"field": "address", "matches": "OPENAI"}, cred(), False),
        ({"field": "address", "matches": "OPENAI", "ignore_case": True}, cred(), True),
        ({"field": "owner.value", "matches": "."}, OWNERLESS, False),
        ({"field": "name", "matches": "."}, cred(name=UNKNOWN), UNKNOWN),
        ({"field": "consumers", "count_gte": 2}, cred(consumers=("a", "b")), True),
        ({"field": "consumers", "count_gte": 2}, cred(consumers=("a",)), False),
        ({"field": "consumers", "count_gte": 0}, cred(), True),
        ({"field": "tags.team", "is": 3}, cred(tags={"team": UNKNOWN}), UNKNOWN),
        ({"field": "tags.team", "exists": True}, cred(tags=UNKNOWN), UNKNOWN),  # a path through an unknown
        ({"field": "tags.team", "is": "ML"}, TAGGED, True),
    ],
)
def test_field_tests(condition: dict[str, Any], credential: Credential, expected: Any) -> None:
    assert check(condition, credential) == expected


def test_comparison_and_membership_read_params() -> None:
    assert check({"field": "expiry.lifetime_days", "gt": {"param": "limit"}}, cred(), {"limit": 10}) is True
    assert check({"field": "expiry.lifetime_days", "gt": {"param": "limit"}}, cred(), {"limit": 90}) is False
    in_placeholders = {"field": "owner.value", "in": {"param": "placeholders"}, "ignore_case": True}
    assert check(in_placeholders, cred(owner=Owner("TBD")), {"placeholders": ("tbd",)}) is True


T = {"field": "ai", "is": True}
F = {"field": "ai", "is": False}
U = {"field": "owner.value", "exists": True}  # unknown on UNKNOWN_OWNER


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"all": [T, T]}, True),
        ({"all": [T, U]}, UNKNOWN),
        ({"all": [F, U]}, False),
        ({"all": [U, F]}, False),
        ({"any": [F, F]}, False),
        ({"any": [T, U]}, True),
        ({"any": [U, T]}, True),
        ({"any": [F, U]}, UNKNOWN),
        ({"not": T}, False),
        ({"not": F}, True),
        ({"not": U}, UNKNOWN),
        ({"not": {"all": [F, U]}}, True),
    ],
)
def test_connectives_follow_kleene_logic(condition: dict[str, Any], expected: Any) -> None:
    assert check(condition, UNKNOWN_OWNER) == expected


def test_an_unknown_result_has_no_truth_value() -> None:
    result = check(U, UNKNOWN_OWNER)
    assert is_unknown(result)
    with pytest.raises(TypeError):
        bool(result)


# --- IAG001 missing-owner ---------------------------------------------------------------------


def test_iag001_no_owner() -> None:
    ownerless = cred(owner=Owner(None), evidence={})
    assert findings(ownerless) == [("IAG001", ownerless.address, "ai/secrets.tf", 10)]
    assert messages("IAG001", ownerless) == [
        "aws_secretsmanager_secret.openai has no accountable owner: no 'owner' tag, label or annotation"
    ]


def test_iag001_names_every_owner_key() -> None:
    settings = dataclasses.replace(SETTINGS, owner_keys=("owner", "team"))
    assert messages("IAG001", cred(owner=Owner(None)), settings=settings) == [
        "aws_secretsmanager_secret.openai has no accountable owner: no 'owner' or 'team' tag, label or annotation"
    ]


@pytest.mark.parametrize("placeholder", ["TBD", "tbd", "changeme", ""])
def test_iag001_placeholder_owner_points_at_the_owner_line(placeholder: str) -> None:
    credential = cred(owner=Owner(placeholder, "tag owner"))
    assert findings(credential) == [("IAG001", credential.address, "ai/secrets.tf", 14)]
    assert messages("IAG001", credential) == [
        f"aws_secretsmanager_secret.openai has no accountable owner: owner '{placeholder}' is a placeholder"
    ]


@pytest.mark.parametrize(
    "credential",
    [
        cred(owner=Owner(UNKNOWN)),  # cannot tell: never a finding
        cred(owner=Owner(None, "inherited from aws_iam_user.bot", inherited=True)),  # judged on the user
        cred(owner=Owner("TBD", "inherited from aws_iam_user.bot", inherited=True)),
        cred(owner=Owner(None), origin="literal"),  # a literal is only judged as hardcoded
        cred(owner=Owner("tbd-team")),  # not a placeholder
    ],
)
def test_iag001_does_not_fire(credential: Credential) -> None:
    assert "IAG001" not in {f[0] for f in findings(credential)}


def test_iag001_placeholders_come_from_settings() -> None:
    settings = dataclasses.replace(SETTINGS, placeholder_owners=("nobody-yet",))
    assert findings(cred(owner=Owner("TBD")), settings=settings) == []
    assert [f[0] for f in findings(cred(owner=Owner("Nobody-Yet")), settings=settings)] == ["IAG001"]


# --- IAG002 missing-expiry / IAG003 missing-rotation -----------------------------------------


def test_iag002_iag003_never_expires_and_never_rotates() -> None:
    key = cred("aws_iam_access_key.bot", kind="access-key", expiry=Expiry(None), rotation=Rotation(None))
    assert findings(key) == [
        ("IAG002", "aws_iam_access_key.bot", "ai/secrets.tf", 30),
        ("IAG003", "aws_iam_access_key.bot", "ai/secrets.tf", 31),
    ]
    assert messages("IAG002", key) == ["aws_iam_access_key.bot never expires; it must expire within 90 days"]
    assert messages("IAG003", key) == [
        "aws_iam_access_key.bot: no rotation mechanism; rotate it at least every 90 days"
    ]


def test_iag002_iag003_too_long() -> None:
    secret = cred(
        expiry=Expiry(365.0, source="annotation iac-guard.io/expires", expires_on="2027-01-15"),
        rotation=Rotation(180, "time_rotating.openai"),
    )
    assert messages("IAG002", secret) == [
        "aws_secretsmanager_secret.openai lives 365 days (until 2027-01-15, from annotation iac-guard.io/expires);"
        " it must expire within 90 days"
    ]
    assert messages("IAG003", secret) == [
        "aws_secretsmanager_secret.openai: rotates every 180 days via time_rotating.openai;"
        " rotate it at least every 90 days"
    ]


def test_iag002_iag003_thresholds_come_from_settings() -> None:
    secret = cred(expiry=Expiry(365), rotation=Rotation(180, "x"))
    settings = dataclasses.replace(SETTINGS, max_lifetime_days=365, max_rotation_days=180)
    assert findings(secret, settings=settings) == []
    assert messages("IAG002", cred(expiry=Expiry(366)), settings=settings) == [
        "aws_secretsmanager_secret.openai lives 366 days; it must expire within 365 days"
    ]


@pytest.mark.parametrize(
    "credential",
    [
        cred(expiry=Expiry(1, short_lived=True), rotation=Rotation(None)),  # STS session, bound token
        cred(expiry=Expiry(None, short_lived=UNKNOWN), rotation=Rotation(None)),
        cred(expiry=Expiry(UNKNOWN), rotation=Rotation(UNKNOWN)),
        cred("aws_iam_role.agent", kind="role", expiry=Expiry(None), rotation=Rotation(None)),
        cred("var.openai_api_key", origin="literal", expiry=Expiry(None), rotation=Rotation(None)),
        cred(expiry=Expiry(90), rotation=Rotation(90, "x")),  # at the limit is within it
    ],
)
def test_iag002_iag003_do_not_fire(credential: Credential) -> None:
    assert not {"IAG002", "IAG003"} & {f[0] for f in findings(credential)}


# --- IAG004 wildcard-scope ----------------------------------------------------------------------

WILDCARD = Scope(
    (
        Grant("aws_iam_role_policy.agent statement 1", ("bedrock:*",), ("*",), ("bedrock:* (every Bedrock action)",)),
        Grant("aws_iam_role_policy.agent statement 2", ("s3:GetObject",), ("*",), ("s3:GetObject on every resource",)),
    )
)


def test_iag004_wildcard_scope_lists_the_reasons() -> None:
    role = cred("aws_iam_role.agent", kind="role", scope=WILDCARD)
    assert findings(role) == [("IAG004", "aws_iam_role.agent", "ai/secrets.tf", 40)]
    assert messages("IAG004", role) == [
        "aws_iam_role.agent has wildcard scope: bedrock:* (every Bedrock action); s3:GetObject on every resource"
    ]


@pytest.mark.parametrize(
    "scope",
    [
        Scope(WILDCARD.grants, inherited_from="aws_iam_user.bot"),  # judged on the user
        Scope((Grant("statement 1", ("bedrock:InvokeModel",), ("arn:aws:bedrock:::foundation-model/x",)),)),
        Scope(),
    ],
)
def test_iag004_does_not_fire(scope: Scope) -> None:
    assert findings(cred(scope=scope)) == []


# --- IAG005 shared-credential -------------------------------------------------------------------


def test_iag005_names_both_consumers() -> None:
    shared = cred(consumers=("aws_lambda_function.classify", "aws_lambda_function.summarize"))
    assert findings(shared) == [("IAG005", shared.address, "ai/secrets.tf", 10)]
    assert messages("IAG005", shared) == [
        "aws_secretsmanager_secret.openai is shared by 2 workloads: aws_lambda_function.classify,"
        " aws_lambda_function.summarize; give each workload its own credential"
    ]


def test_iag005_one_consumer_is_fine() -> None:
    assert findings(cred(consumers=("aws_lambda_function.classify",))) == []


# --- IAG006 hardcoded-secret --------------------------------------------------------------------


def literal(field: str, file: str, line: int) -> SecretLiteral:
    return SecretLiteral(field, "openai-api-key", fingerprint(OPENAI_KEY, 8), Location(file, line, line), "OpenAI")


def test_iag006_one_finding_per_literal_at_its_own_line() -> None:
    variable = cred(
        "var.openai_api_key",
        origin="literal",
        kind="api-key",
        owner=Owner(None),
        expiry=Expiry(None),
        rotation=Rotation(None),
        location=Location("ai/variables.tf", 1, 5),
        hardcoded=(literal("default", "ai/variables.tf", 4), literal("value", "ai/prod.tfvars", 2)),
    )
    result = judge(POLICIES, [variable], SETTINGS)
    print_safe = fingerprint(OPENAI_KEY, 8)
    assert [(f.policy_id, f.file, f.line, f.end_line, f.fingerprint) for f in result] == [
        ("IAG006", "ai/prod.tfvars", 2, 2, print_safe),
        ("IAG006", "ai/variables.tf", 4, 4, print_safe),
    ]
    assert result[1].message == (
        f"var.openai_api_key: default holds a literal openai-api-key value {print_safe};"
        " revoke it and load it from a secret store"
    )


def test_no_finding_ever_holds_a_secret_value() -> None:
    everything_wrong = cred(
        owner=Owner(None),
        expiry=Expiry(None),
        rotation=Rotation(None),
        scope=WILDCARD,
        consumers=("a", "b"),
        hardcoded=(literal("stringData.OPENAI_API_KEY", "k8s/secret.yaml", 9),),
    )
    result = judge(POLICIES, [everything_wrong], SETTINGS)
    assert {f.policy_id for f in result} == {"IAG001", "IAG002", "IAG003", "IAG004", "IAG005", "IAG006"}
    assert not any(OPENAI_KEY in repr(finding) or OPENAI_KEY[8:] in repr(finding) for finding in result)


# --- engine: scope, skips, finding fields, determinism -----------------------------------------

NOT_AI = cred("aws_secretsmanager_secret.db", ai_reasons=(), owner=Owner(None), evidence={})


def test_scope_ai_judges_only_ai_credentials() -> None:
    assert findings(NOT_AI) == []
    all_scope = dataclasses.replace(SETTINGS, scope="all")
    assert findings(NOT_AI, settings=all_scope) == [("IAG001", NOT_AI.address, "ai/secrets.tf", 10)]


def test_skip_policies() -> None:
    settings = dataclasses.replace(SETTINGS, skip_policies=("IAG001", "IAG003"))
    credential = cred(owner=Owner(None), expiry=Expiry(None), rotation=Rotation(None))
    assert [f[0] for f in findings(credential, settings=settings)] == ["IAG002"]


def test_finding_carries_the_policy_and_credential_details() -> None:
    (finding,) = judge(POLICIES, [cred(owner=Owner(None))], SETTINGS)
    iag001 = POLICIES[0]
    assert finding == Finding(
        policy_id="IAG001",
        category="missing-owner",
        severity="medium",
        title="AI credential has no accountable owner",
        message=finding.message,
        resource="aws_secretsmanager_secret.openai",
        file="ai/secrets.tf",
        line=14,
        end_line=14,
        controls=dict(iag001.controls),
        remediation=iag001.remediation,
        ai_reasons=("'openai' names OpenAI",),
        resource_location=Location("ai/secrets.tf", 10, 20),
    )
    assert finding.controls["owasp-nhi-2025"] == ("NHI1",)


def test_result_is_sorted_and_independent_of_input_order() -> None:
    many = [
        cred(f"aws_secretsmanager_secret.s{i}", owner=Owner(None), location=Location(f"f{i % 3}.tf", 30 - i, 40))
        for i in range(6)
    ]
    forward = judge(POLICIES, many, SETTINGS)
    assert forward == judge(POLICIES, list(reversed(many)), SETTINGS)
    assert forward == sorted(forward, key=Finding.sort_key)


# --- engine: generic features through a custom pack --------------------------------------------


def custom_policy(tmp_path: Path, **fields: Any) -> list:
    import yaml

    policy = {
        "id": "ACME1",
        "title": "t",
        "category": "custom",
        "severity": "low",
        "description": "d",
        "remediation": "r",
        "fails_when": {"field": "ai", "is": True},
        "message": "{address}",
        **fields,
    }
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    return load_policies([tmp_path])


def test_for_each_over_the_consumers(tmp_path: Path) -> None:
    policies = custom_policy(
        tmp_path,
        for_each="consumers",
        fails_when={"field": "item.address", "matches": "^aws_lambda_"},
        message="{address} used by {item}",
    )
    credential = cred(consumers=("aws_lambda_function.a", "aws_ecs_service.b", "aws_lambda_function.c"))
    assert [f.message for f in judge(policies, [credential], SETTINGS)] == [
        "aws_secretsmanager_secret.openai used by aws_lambda_function.a",
        "aws_secretsmanager_secret.openai used by aws_lambda_function.c",
    ]


def test_for_each_filters_items(tmp_path: Path) -> None:
    policies = custom_policy(
        tmp_path, for_each="hardcoded", fails_when={"field": "item.ai_provider", "exists": True}, points_to="item"
    )
    non_ai = dataclasses.replace(literal("password", "x.tf", 3), ai_provider=None)
    credential = cred(hardcoded=(non_ai, literal("key", "x.tf", 7)))
    assert [(f.file, f.line) for f in judge(policies, [credential], SETTINGS)] == [("x.tf", 7)]


@pytest.mark.parametrize(
    ("applies_to", "expected"),
    [
        ({"kinds": ["secret"]}, ["aws_secretsmanager_secret.openai"]),
        ({"kinds_not": ["secret"]}, ["aws_iam_role.agent", "var.key"]),
        ({"identities": True}, ["aws_iam_role.agent"]),
        ({"identities": False, "origin": ["literal"]}, ["var.key"]),
        ({}, ["aws_iam_role.agent", "aws_secretsmanager_secret.openai", "var.key"]),
    ],
)
def test_applies_to_filters(tmp_path: Path, applies_to: dict[str, Any], expected: list[str]) -> None:
    policies = custom_policy(tmp_path, applies_to=applies_to)
    credentials = [cred(), cred("aws_iam_role.agent", kind="role"), cred("var.key", origin="literal", kind="api-key")]
    assert sorted(f.resource for f in judge(policies, credentials, SETTINGS)) == expected


def test_messages_read_params_nested_facts_and_display_values(tmp_path: Path) -> None:
    policies = custom_policy(
        tmp_path,
        params={"limit": {"value": 7}, "days": {"setting": "max_rotation_days"}},
        message="{address}: {expiry.lifetime_days} > {limit}, {days}; ai={ai}; owner={owner.value}; tag={tags.team}",
    )
    credential = cred(expiry=Expiry(30.0), owner=Owner(UNKNOWN))
    assert [f.message for f in judge(policies, [credential], SETTINGS)] == [
        "aws_secretsmanager_secret.openai: 30 > 7, 90; ai=true; owner=unknown; tag=none"
    ]


def test_format_specs_apply_to_known_values_only(tmp_path: Path) -> None:
    policies = custom_policy(tmp_path, message="{address}: {expiry.lifetime_days:.1f}")
    credentials = [cred("a.known", expiry=Expiry(30)), cred("b.never", expiry=Expiry(None)), cred("c.unknown", expiry=Expiry(UNKNOWN))]
    assert [f.message for f in judge(policies, credentials, SETTINGS)] == ["a.known: 30.0", "b.never: none", "c.unknown: unknown"]


def test_points_to_without_evidence_falls_back_to_the_credential(tmp_path: Path) -> None:
    policies = custom_policy(tmp_path, points_to="scope")
    (finding,) = judge(policies, [cred(evidence={})], SETTINGS)
    assert (finding.file, finding.line, finding.end_line) == ("ai/secrets.tf", 10, 20)


def test_unknown_is_a_real_unknown() -> None:
    assert isinstance(credential_facts(UNKNOWN_OWNER, SETTINGS)["owner"]["value"], Unknown)


def test_durations_read_as_people_say_them() -> None:
    from iac_guard.policy.facts import duration_text

    assert [duration_text(d) for d in (30, 1, 1 / 24, 0.5, 15 / 1440, 90.5)] == [
        "30 days", "1 day", "1 hour", "12 hours", "15 minutes", "90.5 days",
    ]


def test_one_finding_per_place_lists_the_roots_and_keeps_different_messages_apart():
    base = Finding("IAG001", "missing-owner", "medium", "t", "m", "module.k.aws_iam_user.this", "modules/k/main.tf", 1, 4, {},
                   ai_reasons=("grants bedrock:*",), root_modules=("live/b",))
    same_elsewhere = dataclasses.replace(base, root_modules=("live/a",), ai_reasons=("'ci-gemini' names Gemini", "grants bedrock:*"))
    other_message = dataclasses.replace(base, message="m2", root_modules=("live/c",))
    merged = once_per_place([base, same_elsewhere, other_message])
    assert [(f.message, f.root_modules, f.ai_reasons) for f in merged] == [
        ("m", ("live/a", "live/b"), ("'ci-gemini' names Gemini", "grants bedrock:*")),
        ("m2", ("live/c",), ("grants bedrock:*",)),
    ]
