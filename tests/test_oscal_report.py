"""``report --format oscal``: NIST OSCAL 1.0.4 assessment results, validated against NIST's
published JSON Schema (vendored in tests/fixtures/schemas/), with one finding per assessed
control, none for a control that was not assessed, and UUIDs that the same inputs reproduce."""

from __future__ import annotations

import copy
import json
import uuid
from functools import cache
from typing import Any

import pytest
import regex
from gate_support import SCHEMAS, fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from jsonschema import Draft7Validator, ValidationError, validators
from scanning import FIXTURES

from iac_guard.report.controls.oscal import token

ML_PLATFORM = FIXTURES / "projects" / "ml-platform"
SUPPORT_BOT = FIXTURES / "projects" / "support-bot"
SCHEMA = SCHEMAS / "oscal_assessment-results_schema-1.0.4.json"


def _unicode_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """OSCAL's patterns use ``\\p{L}``, which ``re`` cannot compile: match them with ``regex``."""
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"does not match the pattern {pattern}")


@cache
def _validator() -> Any:
    checker = validators.extend(Draft7Validator, {"pattern": _unicode_pattern})
    return checker(json.loads(SCHEMA.read_text(encoding="utf-8")))


def schema_errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)]


@pytest.fixture
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")


def oscal(*args: object) -> dict[str, Any]:
    result = invoke("report", *args, "-f", "oscal")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("project", [ML_PLATFORM, SUPPORT_BOT, ML_PLATFORM / "infra" / "bedrock-agent"])
def test_valid_against_nists_schema(project: object, fixed_time: None) -> None:
    assert schema_errors(oscal(project)) == []


def test_the_validator_rejects_what_oscal_does_not_allow(fixed_time: None) -> None:
    """The schema check can fail: a status OSCAL has no word for, a random UUID, a token with a space."""
    document = oscal(SUPPORT_BOT)
    broken = copy.deepcopy(document)
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "not-assessed"
    broken["assessment-results"]["uuid"] = "not-a-uuid"
    broken["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"][0]["control-id"] = "GOVERN 1.6"
    errors = schema_errors(broken)
    assert len(errors) >= 3
    assert any("['assessment-results', 'uuid']" in e for e in errors)
    assert any("include-controls" in e for e in errors)


def test_one_finding_per_assessed_control_and_observations_for_the_rest(fixed_time: None) -> None:
    results = {r["props"][0]["value"]: r for r in oscal(SUPPORT_BOT, "--framework", "owasp-nhi-2025")["assessment-results"]["results"]}
    nhi = results["owasp-nhi-2025"]
    assert [c["control-id"] for c in nhi["reviewed-controls"]["control-selections"][0]["include-controls"]] == [
        "nhi1", "nhi2", "nhi3", "nhi4", "nhi5", "nhi6", "nhi7", "nhi8", "nhi9", "nhi10"
    ]
    states = {f["target"]["target-id"]: (f["target"]["status"]["state"], f["target"]["status"]["reason"]) for f in nhi["findings"]}
    assert states == {
        "nhi1": ("satisfied", "pass"), "nhi2": ("satisfied", "pass"), "nhi5": ("satisfied", "pass"),
        "nhi7": ("not-satisfied", "fail"), "nhi8": ("satisfied", "pass"), "nhi9": ("satisfied", "pass"),
    }  # NHI3, 4, 6, 10 were not assessed: no finding claims either way
    observations = {o["uuid"]: o for o in nhi["observations"]}
    nhi7 = next(f for f in nhi["findings"] if f["target"]["target-id"] == "nhi7")
    related = [observations[r["observation-uuid"]] for r in nhi7["related-observations"]]
    assert [o["title"] for o in related] == [
        "IAG003 AI credential has no rotation schedule: aws_ssm_parameter.anthropic",
        "IAG002 AI credential never expires or lives too long: aws_ssm_parameter.anthropic",
        "NHI7: what the mapped policies judged",
    ]
    failing = related[0]
    props = {p["name"]: p["value"] for p in failing["props"]}
    assert props == {"policy-id": "IAG003", "severity": "high", "resource": "aws_ssm_parameter.anthropic", "owner": "support-bot",
                     "suppressed": "false", "suppression": "rotated by hand during the pilot (expired 2026-01-31, comment)"}
    assert failing["relevant-evidence"] == [{"description": "infra/main.tf:25: aws_ssm_parameter.anthropic"}]
    assert failing["methods"] == ["TEST"] and failing["collected"] == "2025-12-01T00:00:00+00:00"
    assert failing["remarks"].startswith("## How to fix")
    assert {p["name"]: p["value"] for p in related[1]["props"]}["suppressed"] == "true"
    not_assessed = next(o for o in nhi["observations"] if o["title"] == "NHI3: what the mapped policies judged")
    assert not_assessed["description"] == "no policy maps to this control. no credential judged."


def test_uuids_are_version_5_and_reproducible(fixed_time: None, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = oscal(ML_PLATFORM), oscal(ML_PLATFORM)
    assert first == second
    document = first["assessment-results"]
    assert uuid.UUID(document["uuid"]).version == 5
    everything = [r["uuid"] for r in document["results"]] + [o["uuid"] for r in document["results"] for o in r["observations"]]
    everything += [f["uuid"] for r in document["results"] for f in r.get("findings", ())]
    assert len(everything) == len(set(everything))  # unique within the document
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    later = oscal(ML_PLATFORM)["assessment-results"]
    assert later["uuid"] != document["uuid"]  # a new revision of the document
    assert [o["uuid"] for o in later["results"][0]["observations"]] == [o["uuid"] for o in document["results"][0]["observations"]]


def test_control_ids_become_oscal_tokens() -> None:
    assert [token(i) for i in ("NHI7", "GOVERN 1.6", "GV.RR-02", "3.11", "ASI01")] == [
        "nhi7", "govern-1.6", "gv.rr-02", "control-3.11", "asi01"
    ]
