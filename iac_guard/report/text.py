"""Human output: one ``path:line:`` line per finding (grouped by file, worst first within a line), and a summary table.

Rendered with rich; colour only when writing to a terminal and NO_COLOR is unset, so piped output
and ``--output`` files are plain text that diffs cleanly.
"""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import SEVERITY_ORDER
from ..result import ScanResult
from .json_report import baseline_summary, summary

_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan"}


def render(result: ScanResult, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False, soft_wrap=True)
    for error in result.errors:
        console.print(Text(f"error: {error.render()}", style="bold red"))
    if result.errors:
        console.print()
    for _, findings in groupby(result.findings, key=lambda f: f.file):
        for finding in findings:
            # path:line first, as compilers write it: editors and terminals jump to it.
            line = Text(f"{finding.file}:{finding.line}: ", style="bold")
            line.append(f"{finding.severity.upper():<8}", style=_STYLE.get(finding.severity, ""))
            line.append(f" {finding.policy_id}  ", style="bold")
            line.append(finding.resource, style="bold")
            if finding.suppressed and finding.suppression:
                line.append(f"  (suppressed: {finding.suppression.reason})", style="dim")
            console.print(line)
            console.print(Text(f"         {finding.message}"))
        console.print()
    _summary_table(console, result)
    return buffer.getvalue()


def _summary_table(console: Console, result: ScanResult) -> None:
    counts = summary(result)
    if counts["failing"]:
        table = Table(title="Failing findings", show_edge=False, title_justify="left")
        table.add_column("severity")
        table.add_column("count", justify="right")
        for severity in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__, reverse=True):
            if counts["by_severity"][severity]:
                table.add_row(Text(severity, style=_STYLE[severity]), str(counts["by_severity"][severity]))
        console.print(table)
    verdict = (
        f"{counts['failing']} failing finding(s)" if counts["failing"] else "No failing findings"
    )
    below = counts["failing"] - counts["gating"]
    console.print(
        f"{verdict}; {counts['ai_credentials']} AI credential(s) of {counts['credentials']} found, "
        f"{counts['workloads']} workload(s), {counts['files_scanned']} file(s) scanned"
        + (f", {below} below --fail-on {result.filters.fail_on}" if below else "")
        + (f", {counts['suppressed']} suppressed" if counts["suppressed"] else "")
        + (f", {counts['errors']} file(s) could not be read" if counts["errors"] else "")
        + "."
    )
    for note in result.notes:
        console.print(Text(f"note: {note.render()}", style="dim"))
    _config_in_force(console, result)
    baseline = baseline_summary(result)
    if baseline is not None:
        console.print(f"Baseline {baseline['file']}: {baseline['new']} new, {baseline['unchanged']} unchanged, {len(baseline['fixed'])} fixed.")
        for entry in baseline["fixed"]:
            console.print(Text(f"  fixed: {entry['policy_id']}  {entry['resource']}  ({entry['file']})", style="green"))


def _config_in_force(console: Console, result: ScanResult) -> None:
    """Which config judged, and what it lets through: a gate weakened by the change under review
    must say so where the verdict is read."""
    config = result.settings.config if result.settings else None
    if config is None:
        return
    if not config.weakenings:
        console.print(f"Config in force: {config.file} ({config.origin}); it weakens nothing.")
        return
    console.print(Text(f"Config in force: {config.file} ({config.origin}) weakens the gate:", style="bold yellow"))
    for weakening in config.weakenings:
        console.print(Text(f"  {weakening.file}:{weakening.line}  {weakening.text}"))
