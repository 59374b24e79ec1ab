"""The built-in policy pack and the schema: what loads, and how a broken policy file is reported."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

import iac_guard
from iac_guard.filter.trust import judges_code
from iac_guard.model import SEVERITY_ORDER, CredentialKind
from iac_guard.policy.conditions import OPERATORS
from iac_guard.policy.loader import PolicyError, builtin_policy_dir, load_policies
from iac_guard.secrets.detect import detect

PACK = load_policies([builtin_policy_dir()])
SCHEMA = json.loads((builtin_policy_dir() / "schema.json").read_text(encoding="utf-8"))
REQUIRED_FRAMEWORKS = {"owasp-nhi-2025", "nist-csf-2.0"}


def test_builtin_dir_is_the_top_level_policies_folder_in_a_checkout() -> None:
    assert builtin_policy_dir() == Path(iac_guard.__file__).parent.parent / "policies"


def test_builtin_dir_is_inside_the_package_when_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "iac_guard" / "builtin_policies").mkdir(parents=True)
    monkeypatch.setattr(iac_guard, "__file__", str(tmp_path / "iac_guard" / "__init__.py"))
    assert builtin_policy_dir() == tmp_path / "iac_guard" / "builtin_policies"


def test_the_pack_has_one_policy_per_category() -> None:
    assert [(p.id, p.category, p.severity) for p in PACK] == [
        ("IAG001", "missing-owner", "medium"),
        ("IAG002", "missing-expiry", "high"),
        ("IAG003", "missing-rotation", "high"),
        ("IAG004", "wildcard-scope", "high"),
        ("IAG005", "shared-credential", "medium"),
        ("IAG006", "hardcoded-secret", "high"),  # critical for an admin key: severity_from
        ("IAG007", "static-credential", "high"),
        ("IAG008", "exposed-secret", "high"),
        ("IAG009", "environment-isolation", "high"),
        ("IAG900", "invalid-suppression", "medium"),
        ("IAG901", "weakened-config", "high"),
        ("IAG902", "unused-suppression", "low"),
    ]
    assert all(p.source.parent == builtin_policy_dir() / "ai-credentials" for p in PACK)


@pytest.mark.parametrize("policy", PACK, ids=lambda p: p.id)
def test_each_policy_is_documented_mapped_and_exemplified(policy: Any) -> None:
    assert REQUIRED_FRAMEWORKS <= set(policy.controls)
    assert "## What it does" in policy.description and "## Why is this bad?" in policy.description
    assert "**Terraform (AWS):**" in policy.remediation and "**Kubernetes:**" in policy.remediation
    assert policy.references and all(ref.startswith("https://") for ref in policy.references)
    verdicts = sorted(example.verdict for example in policy.examples)
    # One short before/after pair for the docs; the cases in both languages are in *.tests.yaml
    # (tests/test_policy_examples.py).
    if judges_code(policy):
        assert verdicts == ["bad", "good"] and len({e.language for e in policy.examples}) == 1
    else:  # IAG901 judges a config change against git: tests/test_untrusted_trust.py runs it
        assert verdicts == []


def test_example_keys_are_format_valid_fakes() -> None:
    (hardcoded,) = [p for p in PACK if p.category == "hardcoded-secret"]
    keys = {key for ex in hardcoded.examples for key in re.findall(r"sk-proj-\w+", ex.code)}
    assert keys == {"sk-proj-" + "A1b2C3d4" * 6}
    assert detect(keys.pop()).detector == "openai-api-key"


def test_schema_is_valid_and_matches_the_model() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(SCHEMA)
    defs = SCHEMA["$defs"]
    assert defs["kinds"]["items"]["enum"] == list(get_args(CredentialKind))
    assert SCHEMA["properties"]["severity"]["enum"] == list(SEVERITY_ORDER)
    assert [r["required"][0] for r in defs["one_operator"]["oneOf"]] == list(OPERATORS)


def test_a_user_pack_loads_with_the_builtin_pack(tmp_path: Path) -> None:
    write(tmp_path / "nested" / "acme.yml", valid(id="ACME7"))
    ids = [p.id for p in load_policies([builtin_policy_dir(), tmp_path])]
    assert ids == ["ACME7"] + [p.id for p in PACK]


# --- malformed policy files ---------------------------------------------------------------------


def valid(**changes: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "id": "ACME1",
        "title": "Tokens without a team tag",
        "category": "custom-owner",
        "severity": "low",
        "description": "d",
        "remediation": "r",
        "applies_to": {"kinds": ["token"]},
        "fails_when": {"any": [{"field": "tags.team", "exists": False}, {"field": "expiry.lifetime_days", "gt": 10}]},
        "message": "{address} has no team tag",
        "controls": {"owasp-nhi-2025": ["NHI1"]},
    }
    policy.update(changes)
    return policy


def write(path: Path, policy: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"severty": "low"}, "severty: unknown key"),
        ({"applies_to": {"kind": ["token"]}}, "applies_to.kind: unknown key (known keys here: origin, kinds"),
        ({"fails_when": {"any": [{"field": "ai", "gt": "abc"}]}}, "fails_when.any.0.gt: must be of type number (type)"),
        ({"fails_when": {"field": "ai", "is": True, "exists": True}}, "fails_when: a field test takes exactly one operator"),
        ({"fails_when": {"field": "ai"}}, "fails_when: a field test takes exactly one operator"),
        ({"fails_when": {"field": "ai", "gt": 1, "ignore_case": True}}, "fails_when: ignore_case applies only to"),
        ({"fails_when": {"all": []}}, "fails_when.all: must have at least 1 item(s) (minItems)"),
        ({"fails_when": {"all": [], "any": []}}, "fails_when: a condition is {field: PATH"),
        ({"severity": "urgent"}, 'severity: must be one of "low", "medium", "high", "critical" (enum)'),
        ({"id": "acme-1"}, "id: does not match the pattern ^[A-Z][A-Z0-9]*[0-9]+$ (pattern)"),
        ({"applies_to": {"kinds": ["token"], "kinds_not": ["role"]}}, "applies_to: use kinds or kinds_not, not both"),
        ({"controls": {"owasp-nhi-2025": ["NHI11"]}}, "controls.owasp-nhi-2025.0: does not match the pattern ^NHI([1-9]|10)$ (pattern)"),
        ({"examples": {"bad": [{"terraform": "a", "kubernetes": "b"}]}}, "examples.bad.0: an example is one snippet"),
        ({"title": None}, "title: must be of type string (type)"),
        ({"fails_when": {"field": "name", "matches": "(unclosed"}}, "fails_when.matches: invalid regular expression"),
        ({"fails_when": {"field": "owner.vaule", "exists": False}}, "fails_when.field: unknown field 'owner.vaule'"),
        ({"fails_when": {"field": "item.line", "exists": True}}, "fails_when.field: unknown field 'item.line'"),
        ({"message": "{address} {ownr_text}"}, "message: unknown placeholder {ownr_text}"),
        ({"message": "{address"}, "message: not a valid message template"),
        ({"params": {"limit": {"setting": "max_lifetime"}}}, "params.limit.setting: names no setting (settings: scope, owner_keys,"),
        ({"params": {"address": {"value": 1}}}, "params.address: a param may not take the name of a fact"),
        ({"fails_when": {"field": "consumer_count", "gt": {"param": "limit"}}}, "fails_when.gt.param: unknown param 'limit'"),
        (
            {"params": {"owners": {"setting": "placeholder_owners"}}, "fails_when": {"field": "consumer_count", "gt": {"param": "owners"}}},
            "fails_when.gt.param: param 'owners' is not a number",
        ),
        (
            {"params": {"n": {"value": 3}}, "fails_when": {"field": "ai", "in": {"param": "n"}}},
            "fails_when.in.param: param 'n' is not a list",
        ),
        ({"points_to": "item"}, "points_to: 'item' needs for_each"),
        ({"for_each": "owner"}, "for_each: 'owner' is not a list field"),
        ({"for_each": "no_such_list"}, "for_each: 'no_such_list' is not a list field"),
        # Types: a test that could never hold is refused when the pack loads.
        ({"fails_when": {"field": "consumers", "matches": "lambda"}},
         "fails_when.matches: matches needs text, but 'consumers' is list of consumer: judge its elements with some, every or none"),
        ({"fails_when": {"field": "owner.value", "gt": 3}}, "fails_when.gt: gt needs a number, but 'owner.value' is text | none | unknown"),
        ({"fails_when": {"field": "ai_reasons", "is": "x"}}, "fails_when.is: is needs text, a number or a bool, but 'ai_reasons' is list of text"),
        ({"fails_when": {"field": "consumer_count", "is": "two"}}, "fails_when.is: 'two' is not number, so it never equals number field values"),
        ({"fails_when": {"field": "scope.wildcard", "in": ["yes", True]}}, "fails_when.in: 'yes' is not bool"),
        ({"fails_when": {"field": "consumers.environment", "is": "prod"}},
         "fails_when.field: 'consumers.environment' reads into a list: judge its elements with some, every or none"),
        ({"fails_when": {"some": {"in": "owner.value", "where": {"field": "each", "is": "x"}}}},
         "fails_when.some.in: 'owner.value' is text | none | unknown, not a list: some judges the elements of a list"),
        ({"fails_when": {"none": {"in": "consumers", "as": "address", "where": {"field": "address", "is": "x"}}}},
         "fails_when.none.as: 'address' is already a fact or an element in scope"),
        ({"fails_when": {"some": {"in": "consumers", "where": {"field": "each.environment", "is": {"field": "consumer_count"}}}}},
         "fails_when.some.where.is.field: is cannot compare text | unknown with 'consumer_count', which is number"),
        ({"fails_when": {"some": {"in": "consumers", "where": {"field": "each.colour", "exists": True}}}},
         "fails_when.some.where.field: unknown field 'each.colour'"),
    ],
)
def test_malformed_policy_names_file_and_field(tmp_path: Path, changes: dict[str, Any], expected: str) -> None:
    path = write(tmp_path / "acme.yaml", valid(**changes))
    with pytest.raises(PolicyError) as caught:
        load_policies([tmp_path])
    assert f"{path}: {expected}" in str(caught.value)


def test_duplicate_ids_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", valid())
    second = write(tmp_path / "b.yaml", valid(title="another"))
    with pytest.raises(PolicyError, match=re.escape(f"{second}: id: duplicate policy id ACME1 (also defined in {first})")):
        load_policies([tmp_path])


def test_a_user_policy_may_not_reuse_a_builtin_id(tmp_path: Path) -> None:
    write(tmp_path / "mine.yaml", valid(id="IAG001"))
    with pytest.raises(PolicyError, match="duplicate policy id IAG001"):
        load_policies([builtin_policy_dir(), tmp_path])


def test_every_broken_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", valid(id="ACME1", severity="urgent"))
    write(tmp_path / "b.yaml", valid(id="ACME2", bogus=1))
    with pytest.raises(PolicyError) as caught:
        load_policies([tmp_path])
    assert str(caught.value).count("\n") == 1


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: ACME1\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(f"{tmp_path / 'bad.yaml'}:3:1: the policy file is not valid YAML")):
        load_policies([tmp_path])


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"empty\.yaml: \(top level\): must be of type object \(type\)"):
        load_policies([tmp_path])


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="policy directory not found"):
        load_policies([tmp_path / "nope"])
