"""The result of a scan, as every layer above the pipeline reads it: reports, the gate, the merge.

These records live below the pipeline so that a renderer or the merge can name a result without
importing the stages that computed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .filter.trust import WEAKENED_CONFIG
from .model import SEVERITY_ORDER, Check, Finding, ScanError, ScanNote

if TYPE_CHECKING:
    from .config.settings import Settings
    from .filter.baseline import Baseline, BaselineEntry
    from .filter.trust import AddedLines
    from .inventory.build import Inventory
    from .policy.loader import Policy

#: The file name standard input is scanned, reported and suppressed under.
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Filters:
    """The filter stage's inputs from the command line: what is excused, what is judged, what fails."""

    inline_suppressions: bool = True  # --no-ignore turns them off
    baseline: Baseline | None = None
    #: Resolved paths of the files to judge (``--diff-base``); None judges every scanned file.
    changed_files: frozenset[Path] | None = None
    fail_on: str = "low"  # the lowest severity that fails the gate
    soft_fail: bool = False  # findings never fail the gate (errors still do)


@dataclass(frozen=True)
class ShardReport:
    index: int
    count: int
    inventory: dict[str, Any]


@dataclass(frozen=True)
class ReportContext:
    """Where and how a report will be read, which the scan cannot know: set by the command line."""

    #: The folder report paths are relative to for code hosts (SARIF): the repository's top,
    #: which holds the scanned root. None: the scanned root itself.
    source_root: Path | None = None
    #: Tells apart several analyses of one commit (SARIF ``automationDetails``).
    category: str | None = None
    #: Where the source root's files are browsed at the scanned commit
    #: (``https://github.com/o/r/blob/<sha>/``), for links to ``file#Lline``; None: no links.
    browse_url: str | None = None


@dataclass
class ScanResult:
    root: Path
    findings: list[Finding]
    inventory: Inventory
    errors: list[ScanError]
    files_scanned: int
    policies: list[Policy] = field(default_factory=list)
    #: The settings the scan ran with (scope, skipped policies, the day): reports and the
    #: inventory say what was judged, not only what failed.
    settings: Settings | None = None
    #: Every (policy, credential) pair judged, failing or not, in the judged files.
    checks: list[Check] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    #: Baseline entries no finding matched any more: fixed since the baseline was made.
    baseline_fixed: list[BaselineEntry] = field(default_factory=list)
    #: With ``--shard``: which shard, and the inventory ``iac-guard merge`` needs (shard/merge.py).
    shard: ShardReport | None = None
    #: With ``--diff-base``: the lines the change added to files holding inline suppressions,
    #: so reports list the suppressions it added (set by the command line after the scan).
    added_lines: AddedLines | None = None
    #: What the scan did not follow or skipped, on purpose (model.ScanNote): said in every
    #: report, never failing the gate. Sorted, each once.
    notes: list[ScanNote] = field(default_factory=list)
    context: ReportContext = field(default_factory=ReportContext)

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def gating(self) -> list[Finding]:
        """Failing findings at or above ``--fail-on``: the ones that fail the gate. A change that
        weakens the config (IAG901) gates whatever the threshold, which that config may set."""
        threshold = SEVERITY_ORDER[self.filters.fail_on]
        return [
            f for f in self.failing
            if SEVERITY_ORDER.get(f.severity, 0) >= threshold or f.category == WEAKENED_CONFIG
        ]

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read (fail closed, even with --soft-fail), else 1 for
        failing findings at or above the threshold (unless --soft-fail), else 0. ``soft_fail``
        never passes an IAG901 finding: the config that change wrote may be what set it (skip the
        policy on the command line to pass it)."""
        if self.errors:
            return 2
        if any(f.category == WEAKENED_CONFIG for f in self.gating):
            return 1
        return 1 if self.gating and not self.filters.soft_fail else 0
