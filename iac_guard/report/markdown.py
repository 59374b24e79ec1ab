"""A pull-request comment: the verdict, failing findings folded per file, the config in force
and what it weakens, the suppressions the change added (or all in force) listed, suppressed
findings folded away.

GitHub, GitLab and Bitbucket render it as it is (``gh pr comment --body-file``, a GitLab note, or
``$GITHUB_STEP_SUMMARY``). Each file's failing findings are one ``<details>`` block titled with
the file and its count, files failing the gate first and worst first, so a reviewer opens the
files that matter. Tables are capped at MAX_ROWS rows, and the whole text at GitHub's
65,536-character limit for a comment: the verdict and everything after the findings (the config
in force, suppressions, baseline) always fit first; the files that do not fit after them are left
out whole, with a note of how many files and findings; anything still too long is cut at a line.
The JSON or SARIF output has every finding. In GitHub Actions and GitLab CI each ``file:line``
links to that line at the scanned commit.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from itertools import groupby
from urllib.parse import quote

from ..filter.trust import listed_suppressions
from ..model import SEVERITY_ORDER, Finding
from ..result import ScanResult
from .evidence import markdown_cell, markdown_table, suppression_text
from .json_report import baseline_summary, summary
from .paths import source_root

MAX_ROWS = 50
#: GitHub refuses a comment or job summary longer than this many characters.
MAX_CHARACTERS = 65_536
_CUT_NOTE_RESERVE = 300


def render(result: ScanResult, color: bool = False) -> str:
    return within_limit(_render(result))


def within_limit(text: str, limit: int = MAX_CHARACTERS) -> str:
    """The text, or as many whole lines as fit with a note of how many were left out; a
    ``<details>`` the cut leaves open is closed, so what follows on the page is not swallowed."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - _CUT_NOTE_RESERVE:
            break
        kept.append(line)
        size += len(line) + 1
    left_out = len(lines) - len(kept)
    opened = sum(line.startswith("<details>") for line in kept) - sum(line == "</details>" for line in kept)
    closing = ["</details>"] if opened > 0 else []
    note = f"… cut here to stay within GitHub's {limit:,}-character limit: {left_out} more line(s) left out (see the JSON or SARIF output)."
    return "\n".join([*kept, *closing, "", note]) + "\n"


def _render(result: ScanResult) -> str:
    counts = summary(result)
    gating = result.gating
    failing = result.failing
    if result.errors:
        verdict = f"### :x: iac-guard: {counts['errors']} file(s) could not be scanned"
    elif gating and not result.filters.soft_fail:
        verdict = f"### :x: iac-guard: {len(gating)} failing finding(s)"
    elif failing:
        verdict = f"### :warning: iac-guard: {len(failing)} finding(s) that do not fail the gate"
    else:
        verdict = "### :white_check_mark: iac-guard: no failing findings"
    lines = [verdict, ""]
    lines.append(
        f"{counts['ai_credentials']} AI credential(s) of {counts['credentials']} found, "
        f"{counts['workloads']} workload(s), {counts['files_scanned']} file(s) scanned; "
        f"fails on {result.filters.fail_on} and above"
        + (" (soft fail: never fails the build on findings)" if result.filters.soft_fail else "")
        + "."
    )
    lines += _errors(result)
    link = _linker(result)
    if failing:
        lines += ["", *_severity_table(failing)]
    after = _after_findings(result, link)
    room = MAX_CHARACTERS - _CUT_NOTE_RESERVE - _size(lines) - _size(after)
    return "\n".join([*lines, *_findings_by_file(failing, {id(f) for f in gating}, link, room), *after]) + "\n"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _after_findings(result: ScanResult, link: Callable[[Finding], str]) -> list[str]:
    """What follows the findings: never left out for them, since it says what the gate let through."""
    lines = _notes(result)
    lines += _config_in_force(result)
    lines += _listed_suppressions(result)
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        lines += ["", f"<details><summary>{len(suppressed)} suppressed finding(s)</summary>", ""]
        lines += markdown_table(
            ("file", "policy", "resource", "suppression"),
            ((link(f), f.policy_id, f"`{f.resource}`", suppression_text(f.suppression)) for f in suppressed[:MAX_ROWS]),
        )
        lines += _more(len(suppressed)) + ["", "</details>"]
    baseline = baseline_summary(result)
    if baseline is not None:
        lines += ["", f"Baseline `{baseline['file']}`: {baseline['new']} new, {baseline['unchanged']} unchanged, {len(baseline['fixed'])} fixed."]
        lines += [f"- fixed: {e['policy_id']} `{markdown_cell(e['resource'])}` in `{markdown_cell(e['file'])}`" for e in baseline["fixed"][:MAX_ROWS]]
    return lines


def _errors(result: ScanResult) -> list[str]:
    if not result.errors:
        return []
    return ["", "**Files that could not be scanned**", "", *(f"- `{markdown_cell(e.render())}`" for e in result.errors)]


def _notes(result: ScanResult) -> list[str]:
    """What the scan did not follow or skipped: said beside the verdict, never part of it."""
    if not result.notes:
        return []
    return ["", "**Not followed or skipped** (these do not fail the gate)", "", *(f"- {markdown_cell(n.render())}" for n in result.notes)]


def _config_in_force(result: ScanResult) -> list[str]:
    config = result.settings.config if result.settings else None
    if config is None:
        return []
    if not config.weakenings:
        return ["", f"Config in force: `{markdown_cell(config.file)}` ({config.origin}); it weakens nothing."]
    lines = ["", f"**:warning: Config in force: `{markdown_cell(config.file)}` ({config.origin}) weakens the gate:**", ""]
    return lines + [f"- `{markdown_cell(w.file)}:{w.line}` {markdown_cell(w.text)}" for w in config.weakenings]


def _listed_suppressions(result: ScanResult) -> list[str]:
    """Every suppression the change added (with --diff-base), else every one in force, in full:
    a reviewer accepts an exception by reading its reason, not a count."""
    heading, rows = listed_suppressions(result.findings, result.added_lines)
    if not rows:
        return []
    lines = ["", f"**Suppressions {heading}: {len(rows)}**", ""]
    lines += markdown_table(
        ("file", "policy", "resource", "reason"),
        ((f"`{r.file}:{r.line}`", r.policy_id, f"`{r.resource}`", r.reason) for r in rows[:MAX_ROWS]),
    )
    return lines + _more(len(rows))


def _severity_table(failing: list[Finding]) -> list[str]:
    order = sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__, reverse=True)
    counts = {severity: sum(1 for f in failing if f.severity == severity) for severity in order}
    return markdown_table(("severity", "failing"), ((s, n) for s, n in counts.items() if n))


def _findings_by_file(failing: list[Finding], gating: set[int], link: Callable[[Finding], str], room: int) -> list[str]:
    """One folded block per file, files failing the gate first, then worst first, then by path;
    whole blocks while they fit in ``room`` characters, then a note of the files left out."""
    def rank(f: Finding) -> tuple[bool, int]:
        return id(f) not in gating, -SEVERITY_ORDER.get(f.severity, 0)

    files = [(file, sorted(group, key=lambda f: (*rank(f), f.line))) for file, group in groupby(sorted(failing, key=lambda f: f.file), key=lambda f: f.file)]
    files.sort(key=lambda item: (rank(item[1][0]), item[0]))
    lines: list[str] = []
    size = 0
    for shown, (file, findings) in enumerate(files):
        block = _file_block(file, findings, gating, link)
        size += _size(block)
        if size > room:
            left = files[shown:]
            count = sum(len(findings) for _, findings in left)
            return [*lines, "", f"… {len(left)} more file(s) with {count} failing finding(s) left out to stay within GitHub's {MAX_CHARACTERS:,}-character limit (see the JSON or SARIF output)."]
        lines += block
    return lines


def _file_block(file: str, findings: list[Finding], gating: set[int], link: Callable[[Finding], str]) -> list[str]:
    """A file's failing findings, those that fail the gate first and worst first."""
    rows = (
        ("fails" if id(f) in gating else "below threshold", f.severity, link(f), f.policy_id, f"`{f.resource}`", f.message)
        for f in findings[:MAX_ROWS]
    )
    table = markdown_table(("", "severity", "where", "policy", "resource", "message"), rows)
    summary = f"<details><summary><code>{escape(file)}</code> ({len(findings)})</summary>"
    return ["", summary, "", *table, *_more(len(findings)), "", "</details>"]


def _linker(result: ScanResult) -> Callable[[Finding], str]:
    """``file:line``, as a link to the line at the scanned commit when the CI system says where."""
    base = result.context.browse_url
    _, prefix = source_root(result)

    def where(finding: Finding) -> str:
        text = f"`{finding.file}:{finding.line}`"
        return f"[{text}]({base}{quote(prefix + finding.file)}#L{finding.line})" if base else text

    return where


def _more(total: int) -> list[str]:
    return ["", f"… and {total - MAX_ROWS} more (see the JSON or SARIF output)."] if total > MAX_ROWS else []
