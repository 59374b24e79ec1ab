"""GitLab Code Quality: the JSON array of issues that merge requests show in their Code Quality
widget and diff (``artifacts: reports: codequality:`` in ``.gitlab-ci.yml``).

Each failing finding is one issue: the policy as ``check_name``, the message (fingerprinted, never
the value) as ``description``, the path from the repository's top and the lines, a severity on
GitLab's scale, and a ``fingerprint`` that does not depend on the line, so GitLab matches an issue
across commits and shows only what a merge request adds or fixes. Suppressed findings are left out
(GitLab has no notion of an accepted issue); a file that could not be read is a ``blocker`` issue,
as it fails the gate.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..filter.baseline import content_fingerprint
from ..model import Finding, ScanError
from ..result import ScanResult
from ..support.json_text import dumps_json
from .paths import source_root

#: GitLab's scale is info, minor, major, critical, blocker.
SEVERITIES = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}
ENGINE = "iac-guard"


def render(result: ScanResult, color: bool = False) -> str:
    return dumps_json(report(result))


def report(result: ScanResult) -> list[dict[str, Any]]:
    _, prefix = source_root(result)
    issues = [_error(error, prefix) for error in result.errors]
    issues += [_finding(finding, prefix) for finding in result.findings if not finding.suppressed]
    return issues


def _finding(finding: Finding, prefix: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "engine_name": ENGINE,
        "check_name": finding.policy_id,
        "description": finding.message,
        "categories": ["Security"],
        "severity": SEVERITIES.get(finding.severity, "major"),
        "fingerprint": content_fingerprint(finding, prefix + finding.file),
        "location": {
            "path": prefix + finding.file,
            "lines": {"begin": max(1, finding.line), "end": max(1, finding.line, finding.end_line)},
        },
    }


def _error(error: ScanError, prefix: str) -> dict[str, Any]:
    path = prefix + error.file
    return {
        "type": "issue",
        "engine_name": ENGINE,
        "check_name": "iac-guard/file-not-scanned",
        "description": f"iac-guard could not scan this file: {error.message}",
        "categories": ["Security"],
        "severity": "blocker",
        "fingerprint": hashlib.sha256(f"file-not-scanned\x1f{path}".encode()).hexdigest()[:32],
        "location": {"path": path, "lines": {"begin": max(1, error.line or 1)}},
    }
