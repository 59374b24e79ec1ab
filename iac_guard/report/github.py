"""GitHub Actions workflow commands: findings become annotations on the pull request's diff.

``::error file=…,line=…,endLine=…,title=…::message`` for a failing finding at or above
``--fail-on``, ``::warning`` for one below it; suppressed findings are not annotated. Files that
could not be read are ``::error`` annotations too. Each weakening the config in force applies is
a ``::warning`` on its line, and so is each inline suppression the change added (``--diff-base``;
without it every suppression in force is a ``::notice``). The last line is a plain summary.

GitHub resolves ``file=`` against the repository, so inside a workflow (``GITHUB_WORKSPACE`` set)
paths are written relative to the workspace when the scanned root lies in it; elsewhere they are
relative to the scanned root, like every other format.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..filter.trust import listed_suppressions
from ..model import Finding
from ..result import ScanResult
from .json_report import summary
from .paths import prefix_under


def render(result: ScanResult, color: bool = False) -> str:
    prefix = _workspace_prefix(result.root)
    gating = {id(f) for f in result.gating}
    lines = []
    for error in result.errors:
        place = {"file": prefix + error.file, **({"line": str(error.line)} if error.line else {})}
        if error.line and error.column:
            place["col"] = str(error.column)
        lines.append(_command("error", place | {"title": "iac-guard: file not scanned"}, error.message))
    for finding in result.findings:
        if finding.suppressed:
            continue
        level = "error" if id(finding) in gating else "warning"
        lines.append(_command(level, _properties(finding, prefix), finding.message))
    lines += _config_in_force(result, prefix)
    lines += _listed_suppressions(result, prefix)
    counts = summary(result)
    config = result.settings.config if result.settings else None
    lines.append(
        f"iac-guard: {counts['failing']} failing finding(s), {counts['suppressed']} suppressed, "
        f"{counts['errors']} file(s) not scanned"
        + (f", config {config.file} ({config.origin}) weakens {len(config.weakenings)} setting(s)" if config else "")
        + f"; exit code {result.exit_code}"
    )
    return "\n".join(lines) + "\n"


def _config_in_force(result: ScanResult, prefix: str) -> list[str]:
    """A warning per weakening, on its line of a repository config (a pinned one from outside the
    repository has no place in the diff: its path goes into the message)."""
    config = result.settings.config if result.settings else None
    if config is None:
        return []
    title = {"title": f"iac-guard: the config in force weakens the gate ({config.origin})"}
    if config.from_repository:
        return [
            _command("warning", {"file": prefix + w.file, "line": str(w.line), **title}, w.text) for w in config.weakenings
        ]
    return [_command("warning", title, f"{config.file}: {w.text}") for w in config.weakenings]


def _listed_suppressions(result: ScanResult, prefix: str) -> list[str]:
    """Suppressions the change added (a warning each: somebody must accept them), or without
    --diff-base every one in force (a notice each)."""
    heading, rows = listed_suppressions(result.findings, result.added_lines)
    level = "warning" if result.added_lines is not None else "notice"
    return [
        _command(level, {"file": prefix + r.file, "line": str(r.line), "title": f"iac-guard: suppression {heading} ({r.policy_id})"},
                 f"{r.resource}: {r.reason}")
        for r in rows
    ]


def _properties(finding: Finding, prefix: str) -> dict[str, str]:
    return {
        "file": prefix + finding.file,
        "line": str(finding.line),
        "endLine": str(max(finding.line, finding.end_line)),
        "title": f"{finding.policy_id} {finding.title} ({finding.resource})",
    }


def _workspace_prefix(root: Path) -> str:
    workspace = os.environ.get("GITHUB_WORKSPACE")
    return (prefix_under(root, Path(workspace)) or "") if workspace else ""


def _command(level: str, properties: dict[str, str], message: str) -> str:
    rendered = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{level} {rendered}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
