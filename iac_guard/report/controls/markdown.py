"""The control report as Markdown: what was assessed, the executive summary, a summary table per
framework, then every control with its status, the policies behind it, its failing findings with
owner and how to fix them, suppressed findings, and what code cannot show; the inventory last."""

from __future__ import annotations

from ...model import Finding
from ..evidence import markdown_cell, markdown_table, suppression_text, where
from .markdown_sections import appendix_lines, assessed_lines, executive_lines
from .model import STATUS_LABELS, STATUS_MEANINGS, STATUSES, ComplianceReport, ControlResult, FrameworkResult


def render(report: ComplianceReport) -> str:
    lines = ["# iac-guard control report", "", scan_line(report), ""]
    if report.assessed is not None:
        lines += assessed_lines(report.assessed)
    lines += ["How to read it:", ""]
    lines += [f"- **{STATUS_LABELS[s]}**: {STATUS_MEANINGS[s]}." for s in STATUSES]
    lines += ["", "Each control also says what static analysis of the code cannot show about it.", ""]
    if report.errors:
        lines += [f"**{len(report.errors)} file(s) could not be read; the statuses below do not cover them:**", ""]
        lines += [f"- `{markdown_cell(e.render())}`" for e in report.errors] + [""]
    lines += executive_lines(report)
    for framework in report.frameworks:
        lines += _framework(report, framework)
    lines += appendix_lines(report)
    return "\n".join(lines).rstrip() + "\n"


def scan_line(report: ComplianceReport) -> str:
    """One sentence on what was scanned, shared with the HTML report."""
    targets = " ".join(report.targets) or "."
    when = f" on {report.evaluated_on.isoformat()}" if report.evaluated_on else ""
    scope = "AI credentials" if report.scope == "ai" else "all credentials"
    return (
        f"Scanned `{targets}`{when} with iac-guard {report.tool_version}: {report.files_scanned} file(s), "
        f"{report.credentials} credential(s) found, {report.judged_credentials} judged (scope: {scope}), "
        f"{report.workloads} workload(s)."
    )


def _framework(report: ComplianceReport, result: FrameworkResult) -> list[str]:
    framework = result.framework
    lines = [
        f"## {framework.title} (`{framework.id}`)",
        "",
        f"Source: [{framework.document}]({framework.document_url}), {framework.publisher}. {framework.coverage}",
        "",
        f"**{result.summary}.**",
        "",
    ]
    lines += markdown_table(
        ("control", "title", "status", "credentials", "policies", "failing", "suppressed"),
        (
            (c.control.id, c.control.title, STATUS_LABELS[c.status], c.credentials_text,
             ", ".join(p.id for p in c.policies) or "none", len(c.failing), len(c.suppressed))
            for c in result.controls
        ),
    )
    lines.append("")
    for control in result.controls:
        lines += _control(report, control)
    return lines


def _control(report: ComplianceReport, result: ControlResult) -> list[str]:
    control = result.control
    section = f", {control.section}" if control.section else ""
    lines = [
        f"### {control.id} {control.title}: {STATUS_LABELS[result.status]}",
        "",
        f"{control.text} ([source]({control.url}){section})",
        "",
        f"- Status: {result.reason}.",
        f"- Credentials: {result.credentials_text}.",
        f"- Policies: {', '.join(f'{p.id} ({p.title})' for p in result.policies) or 'none'}.",
        f"- What static analysis cannot show: {control.cannot_show}",
    ]
    if result.failing:
        lines += ["", "Failing:", ""] + [_finding(report, f) for f in result.failing]
        lines += _remediation(result.failing)
    if result.suppressed:
        lines += ["", "Suppressed:", ""] + [_finding(report, f) for f in result.suppressed]
    return lines + [""]


def _remediation(findings: tuple[Finding, ...]) -> list[str]:
    """How to fix each failing policy, once per policy, folded (GitHub and GitLab render ``<details>``)."""
    texts = {f.policy_id: f.remediation for f in findings if f.remediation}
    lines = []
    for policy_id, text in sorted(texts.items()):
        body = text.strip().removeprefix("## How to fix").strip()
        lines += ["", f"<details><summary>How to fix {policy_id}</summary>", "", body, "", "</details>"]
    return lines


def _finding(report: ComplianceReport, finding: Finding) -> str:
    text = (
        f"- `{where(finding)}` {finding.policy_id} ({finding.severity}) `{finding.resource}` (owner: {markdown_cell(report.owner_of(finding))}): "
        f"{markdown_cell(finding.message)}"
    )
    if finding.suppression:
        text += f" (suppression: {markdown_cell(suppression_text(finding.suppression))})"
    return text
