"""SARIF 2.1.0, for GitHub code scanning and every other SARIF viewer.

One run. ``tool.driver.rules`` lists every policy that can fire (loaded and not skipped) with its
title, description, remediation as help, a help URI (the policy's first reference), tags for its
category and controls, GitHub's ``security-severity``, and a help URI at the policy's own section
of the policy reference. Each result points at a path relative to the repository's top, not the
scanned folder (``uriBaseId`` ``%SRCROOT%``, whose absolute location is in ``originalUriBaseIds``):
code scanning places an alert by its path in the repository, so ``scan infra/prod`` must write
``infra/prod/main.tf``. It carries ``partialFingerprints`` that do not depend on the line (so an
alert follows its code when lines move), ``suppressions`` for suppressed findings, and a
``baselineState`` when a baseline was applied. Files that could not be read are
``toolExecutionNotifications`` and make the invocation unsuccessful. The run's properties hold
the config in force and every weakening it applies (``configInForce``), as the JSON summary does.
A category (``--sarif-category``) becomes ``automationDetails.id``, so two analyses of one commit
(say, two root modules scanned by two jobs) do not replace each other's alerts.

An expired suppression is not written as a SARIF suppression (a viewer could dismiss the alert
on it): the result stays open and its properties say when the suppression expired.
"""

from __future__ import annotations

import re
from typing import Any, TextIO
from urllib.parse import quote

from .. import HOMEPAGE, __version__
from ..filter.baseline import content_fingerprint
from ..model import Finding, ScanError
from ..policy.docs import help_url
from ..result import ScanResult
from ..support.json_text import dumps_json, write_json
from .json_report import config_in_force, notes
from .paths import source_root

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "iacGuardFinding/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
#: GitHub's scale: 9.0+ critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}


def render(result: ScanResult, color: bool = False) -> str:
    return dumps_json(document(result))


def write(result: ScanResult, handle: TextIO) -> None:
    """The log straight into a file, a piece at a time: never the whole text in memory."""
    write_json(document(result), handle)


def document(result: ScanResult) -> dict[str, Any]:
    skipped = set(result.settings.skip_policies) if result.settings else set()
    policies = [p for p in result.policies if p.id not in skipped]
    rule_index = {policy.id: index for index, policy in enumerate(policies)}
    base, prefix = source_root(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "iac-guard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [_rule(policy) for policy in policies],
            }
        },
        "invocations": [_invocation(result.errors, prefix)],
        "originalUriBaseIds": {ROOT_ID: {"uri": base.as_uri().rstrip("/") + "/"}},
        "columnKind": "utf16CodeUnits",
        "results": [_result(finding, rule_index, prefix) for finding in result.findings],
    }
    if result.context.category:
        run["automationDetails"] = {"id": f"{result.context.category}/"}
    properties: dict[str, Any] = {}
    config = config_in_force(result)
    if config is not None:
        properties["configInForce"] = config
    if result.notes:  # not followed or skipped, never failing: no result, no notification
        properties["notes"] = notes(result)
    if result.filters.baseline is not None:
        properties["baseline"] = str(result.filters.baseline.path.name)
        properties["baselineFixed"] = [entry.to_dict() for entry in result.baseline_fixed]
    if properties:
        run["properties"] = properties
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(policy: Any) -> dict[str, Any]:
    level = LEVELS.get(policy.severity, "warning")
    controls = [f"{framework}:{control}" for framework, ids in sorted(policy.controls.items()) for control in ids]
    rule: dict[str, Any] = {
        "id": policy.id,
        "name": _pascal(policy.category),
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": _plain(policy.description), "markdown": policy.description},
        "help": {"text": _plain(policy.remediation), "markdown": policy.remediation},
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": ["security", policy.category, *controls],
            "precision": "high",
            "problem.severity": "recommendation" if level == "note" else level,
            "security-severity": SECURITY_SEVERITY.get(policy.severity, "5.5"),
        },
    }
    url = help_url(policy)
    if url:
        rule["helpUri"] = url
    return rule


def _uri(file: str, prefix: str) -> str:
    return quote(prefix + file, safe="/")


def _result(finding: Finding, rule_index: dict[str, int], prefix: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.file, prefix), "uriBaseId": ROOT_ID},
            "region": {"startLine": max(1, finding.line), "endLine": max(1, finding.line, finding.end_line)},
        },
        "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
    }
    properties: dict[str, Any] = {"resource": finding.resource, "category": finding.category, "severity": finding.severity}
    properties |= {"rootModule": finding.root_module, "rootModules": list(finding.root_modules)}
    if finding.fingerprint:
        properties["valueFingerprint"] = finding.fingerprint
    if finding.ai_reasons:
        properties["aiReasons"] = list(finding.ai_reasons)
    sarif: dict[str, Any] = {
        "ruleId": finding.policy_id,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: content_fingerprint(finding, prefix + finding.file)},
        "properties": properties,
    }
    if finding.policy_id in rule_index:
        sarif["ruleIndex"] = rule_index[finding.policy_id]
    suppression = finding.suppression
    if finding.suppressed and suppression is not None:
        entry: dict[str, Any] = {
            "kind": "external" if suppression.source == "baseline" else "inSource",
            "status": "accepted",
            "justification": suppression.reason,
        }
        details = {k: v for k, v in (("source", suppression.source), ("expires", suppression.expires), ("owner", suppression.owner)) if v}
        if details:
            entry["properties"] = details
        sarif["suppressions"] = [entry]
    elif suppression is not None and suppression.expired:
        properties["expiredSuppression"] = {"reason": suppression.reason, "expired": suppression.expires}
    if finding.baseline_state is not None:
        sarif["baselineState"] = finding.baseline_state
    return sarif


def _invocation(errors: list[ScanError], prefix: str) -> dict[str, Any]:
    return {
        "executionSuccessful": not errors,
        "toolExecutionNotifications": [_notification(error, prefix) for error in errors],
    }


def _notification(error: ScanError, prefix: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(error.file, prefix), "uriBaseId": ROOT_ID}}
    if error.line:
        physical["region"] = {"startLine": error.line, **({"startColumn": error.column} if error.column else {})}
    return {"level": "error", "message": {"text": error.message}, "locations": [{"physicalLocation": physical}]}


def _pascal(category: str) -> str:
    return "".join(word.capitalize() for word in re.split(r"[^A-Za-z0-9]+", category) if word)


def _plain(markdown: str) -> str:
    """Markdown as plain text for viewers that show ``text``: headings and emphasis marks dropped."""
    text = re.sub(r"^#+\s*", "", markdown, flags=re.MULTILINE)
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text).strip()
