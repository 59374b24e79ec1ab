"""GitHub Actions workflow commands: findings become annotations on the pull request's diff.

``::error file=…,line=…,endLine=…,title=…::message`` for a failing finding at or above
``--fail-on``, ``::warning`` for one below it; suppressed findings are not annotated. Files that
could not be read are ``::error`` annotations too. The last line is a plain summary.

GitHub resolves ``file=`` against the repository, so inside a workflow (``GITHUB_WORKSPACE`` set)
paths are written relative to the workspace when the scanned root lies in it; elsewhere they are
relative to the scanned root, like every other format.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Finding
from ..scan import ScanResult
from .json_report import summary


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
    counts = summary(result)
    lines.append(
        f"iac-guard: {counts['failing']} failing finding(s), {counts['suppressed']} suppressed, "
        f"{counts['errors']} file(s) not scanned; exit code {result.exit_code}"
    )
    return "\n".join(lines) + "\n"


def _properties(finding: Finding, prefix: str) -> dict[str, str]:
    return {
        "file": prefix + finding.file,
        "line": str(finding.line),
        "endLine": str(max(finding.line, finding.end_line)),
        "title": f"{finding.policy_id} {finding.title} ({finding.resource})",
    }


def _workspace_prefix(root: Path) -> str:
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        relative = root.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


def _command(level: str, properties: dict[str, str], message: str) -> str:
    rendered = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{level} {rendered}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
