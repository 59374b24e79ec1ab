"""What changed since a previous control report (``report --compare previous.json``): per
control, the failures that are new and those that are fixed, and status changes.

A failure is named by policy, credential and file, not line: a line moved by an edit above it is
the same failure. The previous report is the JSON of ``iac-guard report`` (any version: only the
fields every version writes are read); it is checked against a schema first, and a document that
is not one is a ``CompareError`` naming the field, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...model import Finding
from ...support.schemas import validator_problems

FailureKey = tuple[str, str, str]  # policy, resource, file
ControlKey = tuple[str, str]  # framework, control

_STRING = {"type": "string"}
_FINDING = {"type": "object", "required": ["policy_id", "resource", "file"],
            "properties": {"policy_id": _STRING, "resource": _STRING, "file": _STRING}}
_CONTROL = {"type": "object", "required": ["id", "status", "failing"],
            "properties": {"id": _STRING, "status": _STRING, "failing": {"type": "array", "items": _FINDING}}}
SCHEMA = {
    "type": "object", "required": ["frameworks"],
    "properties": {"frameworks": {"type": "array", "items": {
        "type": "object", "required": ["id", "controls"],
        "properties": {"id": _STRING, "controls": {"type": "array", "items": _CONTROL}},
    }}},
}


class CompareError(Exception):
    """A previous report that cannot be compared with; the message names the file and the field."""


@dataclass(frozen=True)
class PreviousReport:
    name: str  # the file's name
    statuses: Mapping[ControlKey, str]
    failures: Mapping[ControlKey, frozenset[FailureKey]]
    identity: str  # its commit and time, when it states them


@dataclass(frozen=True)
class ControlChange:
    framework_id: str
    control_id: str
    before: str | None  # None: the previous report did not cover this control
    after: str
    new: tuple[FailureKey, ...]
    fixed: tuple[FailureKey, ...]


@dataclass(frozen=True)
class Comparison:
    previous: PreviousReport
    changes: tuple[ControlChange, ...]  # only the controls whose status or failures changed

    @property
    def new(self) -> int:
        return sum(len(c.new) for c in self.changes)

    @property
    def fixed(self) -> int:
        return sum(len(c.fixed) for c in self.changes)


def parse_previous(text: str, name: str) -> PreviousReport:
    from jsonschema import Draft202012Validator  # lazy: only --compare pays for jsonschema's import

    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CompareError(f"{name}: not a JSON control report ({exc})") from None
    problems = validator_problems(Draft202012Validator(SCHEMA), document)
    if problems:
        raise CompareError(f"{name}: not an iac-guard control report in JSON: {'; '.join(problems[:5])}")
    statuses: dict[ControlKey, str] = {}
    failures: dict[ControlKey, frozenset[FailureKey]] = {}
    for framework in document["frameworks"]:
        for control in framework["controls"]:
            key = (framework["id"], control["id"])
            statuses[key] = control["status"]
            failures[key] = frozenset((f["policy_id"], f["resource"], f["file"]) for f in control["failing"])
    return PreviousReport(name, statuses, failures, _identity(document))


def compare(previous: PreviousReport, current: Iterable[tuple[ControlKey, str, Iterable[Finding]]]) -> Comparison:
    """``current``: each control's key, status and failing findings."""
    changes = []
    for key, status, failing in current:
        now = frozenset((f.policy_id, f.resource, f.file) for f in failing)
        before = previous.failures.get(key, frozenset())
        change = ControlChange(key[0], key[1], previous.statuses.get(key), status, tuple(sorted(now - before)), tuple(sorted(before - now)))
        if change.new or change.fixed or change.before != status:
            changes.append(change)
    return Comparison(previous, tuple(changes))


def _identity(document: Mapping[str, Any]) -> str:
    """"commit abc123 on main, generated 2026-…" from a report that states it; "" otherwise."""
    assessed = document.get("assessed")
    if not isinstance(assessed, dict):
        return ""
    found = assessed.get("revision")
    revision: dict[str, Any] = found if isinstance(found, dict) else {}
    parts = [f"commit {revision['commit'][:12]}" if isinstance(revision.get("commit"), str) else ""]
    parts.append(f"generated {assessed['generated_at']}" if isinstance(assessed.get("generated_at"), str) else "")
    return ", ".join(part for part in parts if part)
