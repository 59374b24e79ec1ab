"""The control report's Markdown sections around the controls: what was assessed, the executive
summary with what changed since the previous report, and the inventory appendix."""

from __future__ import annotations

from ..evidence import markdown_cell, markdown_table
from .assessed import Assessed, configuration_rows, identity_rows
from .compare import Comparison
from .model import STATUS_LABELS, ComplianceReport


def assessed_lines(assessed: Assessed) -> list[str]:
    lines = ["## What was assessed", ""]
    lines += markdown_table(("what", "value"), identity_rows(assessed))
    lines += ["", "Configuration in force:", ""]
    lines += markdown_table(("setting", "value"), configuration_rows(assessed.configuration))
    weakenings = assessed.configuration.weakenings
    if weakenings:
        lines += ["", "The config weakens the defaults:", ""]
        lines += [f"- {markdown_cell(w.text)} (`{w.file}:{w.line}`)" for w in weakenings]
    else:
        lines += ["", "The config weakens none of the defaults."]
    return lines + [""]


def executive_lines(report: ComplianceReport) -> list[str]:
    lines = ["## Executive summary", ""]
    lines += markdown_table(
        ("framework", "control", "title", "status", "credentials", "failing findings"),
        ((f.framework.id, c.control.id, c.control.title, STATUS_LABELS[c.status], c.credentials_text, len(c.failing))
         for f in report.frameworks for c in f.controls),
    )
    lines += ["", "Credentials with the most failing findings:", ""]
    most = report.executive.most_failing
    lines += markdown_table(
        ("credential", "defined at", "owner", "failing findings", "policies"),
        ((f"`{t.address}`", f"`{t.file}:{t.line}`", t.owner, t.failing, ", ".join(t.policies)) for t in most),
    ) if most else ["No credential has a failing finding."]
    lines += ["", "Owners with the most to fix:", ""]
    owners = report.executive.owners
    lines += markdown_table(
        ("owner", "credentials with failing findings", "failing findings"), ((o.owner, o.credentials, o.failing) for o in owners)
    ) if owners else ["No owner has anything to fix."]
    if report.comparison is not None:
        lines += comparison_lines(report.comparison)
    return lines + [""]


def comparison_lines(comparison: Comparison) -> list[str]:
    previous = comparison.previous
    named = previous.name + (f" ({previous.identity})" if previous.identity else "")
    lines = ["", "### Since the previous report", "", f"Compared with `{named}`: {comparison.new} new and {comparison.fixed} fixed failing finding(s).", ""]
    if not comparison.changes:
        return lines + ["No control changed."]

    def failures(keys: tuple[tuple[str, str, str], ...]) -> str:
        return "; ".join(f"{p} `{r}` `{f}`" for p, r, f in keys) or "none"

    return lines + markdown_table(
        ("framework", "control", "status", "new failures", "fixed failures"),
        ((c.framework_id, c.control_id, f"{STATUS_LABELS[c.before] if c.before else 'not in the previous report'} → {STATUS_LABELS[c.after]}",
          failures(c.new), failures(c.fixed)) for c in comparison.changes),
    )


def appendix_lines(report: ComplianceReport) -> list[str]:
    lines = ["## Appendix: credential inventory", "", f"{len(report.inventory)} credential(s) in scope.", ""]
    if not report.inventory:
        return lines
    return lines + markdown_table(
        ("credential", "kind", "owner", "expiry", "rotation", "scope", "used by", "parent", "defined at", "failing"),
        ((f"`{r.credential.address}`", r.credential.kind, report.owner_cell(r.credential),
          r.expiry, r.rotation, r.scope, ", ".join(r.credential.consumers) or "none", r.credential.parent or "",
          f"`{r.location}`", " ".join(r.failing_policies) or "none") for r in report.inventory),
    ) + [""]
