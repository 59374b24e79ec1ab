"""The policy language beyond field tests: quantifiers over lists (some / every / none), a field
compared with another field, types checked when a pack loads, and the facts reference generated
from the one typed table — and a user pack that uses them, run through ``policies test``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scanning import FIXTURES

from iac_guard.cli import main
from iac_guard.config.settings import Settings
from iac_guard.model import UNKNOWN, Credential, Location, Owner, Workload
from iac_guard.policy.conditions import fields_read, parse_condition
from iac_guard.policy.fact_types import FACTS, walk
from iac_guard.policy.facts import credential_facts, example_facts

PACKS = FIXTURES / "policy-packs"


def workload(address: str, environment: Any = UNKNOWN, **tags: str) -> Workload:
    return Workload(address, "kubernetes", "Deployment", Location("k8s/app.yaml", 1, 20), tags=tags, environment=environment)


def secret(*consumers: Workload, environment: Any = UNKNOWN) -> Credential:
    return Credential(
        address="Secret/ml/openai", provider="kubernetes", source_type="Secret", kind="secret",
        location=Location("k8s/secret.yaml", 1, 9), owner=Owner("ml-platform", "label owner"), ai_reasons=("openai",),
        consumers=tuple(w.address for w in consumers), consumer_workloads=consumers, environment=environment,
        tags={"team": "ml"},
    )


def judge(condition: dict[str, Any], credential: Credential) -> Any:
    return parse_condition(condition, "fails_when", {}).evaluate(credential_facts(credential, Settings()), {})


PROD = workload("Deployment/ml-prod/chat", "prod", team="ml")
DEV = workload("Deployment/ml-dev/chat", "dev", team="ml")
UNSAID = workload("Deployment/ml/batch")
ADS = workload("Deployment/ads/ranker", "prod", team="ads")

IN_PROD = {"field": "each.environment", "is": "prod"}


@pytest.mark.parametrize(
    ("kind", "consumers", "expected"),
    [
        ("some", (PROD, DEV), True),
        ("some", (DEV,), False),
        ("some", (DEV, UNSAID), UNKNOWN),  # the unsaid one may be prod
        ("some", (UNSAID, PROD), True),  # one known True settles it
        ("some", (), False),
        ("every", (PROD,), True),
        ("every", (PROD, DEV), False),
        ("every", (PROD, UNSAID), UNKNOWN),
        ("every", (DEV, UNSAID), False),  # one known False settles it
        ("every", (), True),
        ("none", (DEV,), True),
        ("none", (DEV, PROD), False),
        ("none", (DEV, UNSAID), UNKNOWN),
        ("none", (), True),
    ],
)
def test_quantifiers_follow_kleene_logic_over_the_elements(kind: str, consumers: tuple[Workload, ...], expected: Any) -> None:
    assert judge({kind: {"in": "consumers", "where": IN_PROD}}, secret(*consumers)) == expected


def test_a_quantifier_over_a_list_of_text_binds_the_element_itself() -> None:
    condition = {"some": {"in": "ai_reasons", "as": "reason", "where": {"field": "reason", "matches": "^open"}}}
    assert judge(condition, secret()) is True


def test_a_field_compared_with_a_field_of_the_credential_or_another_element() -> None:
    other_team = {"some": {"in": "consumers", "where": {"not": {"field": "each.tags.team", "is": {"field": "tags.team"}}}}}
    assert judge(other_team, secret(PROD, DEV)) is False
    assert judge(other_team, secret(PROD, ADS)) is True
    assert judge(other_team, secret(UNSAID)) is True  # an absent tag is none, which is not "ml": PLAT1 tests exists first
    pairs = {"some": {"in": "consumers", "as": "a", "where": {"some": {"in": "consumers", "as": "b", "where": {
        "not": {"field": "a.environment", "is": {"field": "b.environment"}}}}}}}
    assert judge(pairs, secret(PROD, ADS)) is False  # both prod
    assert judge(pairs, secret(PROD, DEV)) is True
    assert judge(pairs, secret(PROD, UNSAID)) == UNKNOWN  # unknown never fails


def test_fields_read_name_element_paths_as_the_reference_does() -> None:
    condition = parse_condition(
        {"all": [{"field": "production", "is": True}, {"some": {"in": "consumers", "as": "c", "where": {"field": "c.production", "is": False}}}]},
        "fails_when", {},
    )
    assert fields_read(condition) == ["production", "consumers", "consumers[].production"]


def test_the_typed_table_and_the_facts_the_engine_builds_have_the_same_paths() -> None:
    facts = example_facts()
    assert [fact.name for fact in FACTS] == list(facts)
    for path, fact in walk():
        value: Any = facts
        for part in path.replace("[]", ".0").split("."):
            value = value[int(part)] if part.isdigit() else value[part]
        assert fact.type.kind != "object" or isinstance(value, dict), path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_user_pack_with_quantifiers_runs_its_cases_through_policies_test() -> None:
    result = run("policies", "test", str(PACKS / "platform-rules"))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "8 case(s): 8 passed, 0 failed"


def test_a_pack_with_a_type_error_is_refused_naming_file_policy_and_field() -> None:
    path = PACKS / "broken-types" / "BRK1-list-matched-as-text.yaml"
    for command in ("test", "validate"):
        result = CliRunner().invoke(main, ["policies", command, str(path.parent)])
        assert result.exit_code == 1
        assert (
            f"{path}: fails_when.matches: matches needs text, but 'consumers' is list of consumer: "
            "judge its elements with some, every or none (policy BRK1)"
        ) in result.output


def test_a_scan_with_a_type_error_in_its_pack_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_iam_user" "ci" { name = "ci" }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--policy-dir", str(PACKS / "broken-types")])
    assert result.exit_code == 2
    assert "matches needs text, but 'consumers' is list of consumer" in result.output
