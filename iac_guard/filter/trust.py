"""What the gate does with a config that weakens it and with the suppressions a change adds.

With ``--diff-base`` a weakening the change introduces (``config.weakenings``) is itself a failing
finding (IAG901), and the inline suppressions the change added are listed for the reviewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config.weakenings import ConfigInForce, Weakening, introduced
from ..model import Finding, Location

if TYPE_CHECKING:
    from ..policy.loader import Policy

#: The category of the ``judges: suppressions`` policy that judges a change to the config (IAG901).
WEAKENED_CONFIG = "weakened-config"


def judges_code(policy: Policy) -> bool:
    """Whether a policy judges scanned code, so its examples can be scanned. IAG901 judges a
    change to the config against a git revision: no snippet scan can show it fire."""
    return policy.category != WEAKENED_CONFIG


def weakened_config_findings(config: ConfigInForce, base: Sequence[Weakening], judge: Policy) -> list[Finding]:
    """One finding of ``judge`` per weakening the change introduced, on the key's line."""
    return [
        judge.finding_on_line(
            f"{config.file} weakens the gate: {weakening.subject} changed from {was} to {weakening.after}",
            weakening.subject, config.file, weakening.line,
        )
        for weakening, was in introduced(config.weakenings, base)
    ]


@dataclass(frozen=True)
class AddedLines:
    """With ``--diff-base``: the lines the change added, by file relative to the scanned root
    (None: the whole file is new), for the files that hold inline suppressions."""

    by_file: Mapping[str, frozenset[int] | None]

    def added(self, file: str, line: int) -> bool:
        if file not in self.by_file:
            return False
        lines = self.by_file[file]
        return lines is None or line in lines


@dataclass(frozen=True)
class ListedSuppression:
    file: str
    line: int
    policy_id: str
    resource: str
    reason: str


def listed_suppressions(findings: Sequence[Finding], added_lines: AddedLines | None) -> tuple[str, list[ListedSuppression]]:
    """The inline suppressions a reviewer must see, with a heading: with ``--diff-base`` (the
    lines the change added) those the change added, else every one in force. A count alone
    hides what was excused."""
    rows = []
    for finding in findings:
        where = inline_suppression_at(finding)
        if where is None or (added_lines is not None and not added_lines.added(where.file, where.line)):
            continue
        reason = finding.suppression.reason if finding.suppression else ""
        rows.append(ListedSuppression(where.file, where.line, finding.policy_id, finding.resource, reason))
    heading = "added by this change" if added_lines is not None else "in force"
    return heading, sorted(rows, key=lambda r: (r.file, r.line, r.policy_id, r.resource))


def inline_suppression_at(finding: Finding) -> Location | None:
    """Where the comment or annotation suppressing the finding is written; None when nothing
    inline suppresses it (a baseline entry is no change to the code)."""
    suppression = finding.suppression
    if not finding.suppressed or suppression is None or suppression.source == "baseline":
        return None
    return suppression.location
