"""Suppressions that suppress nothing, reported like an unused ``noqa``: an ignore comment must not
outlive the problem it excused, or it silently excuses the next one written on its line.

A valid suppression of policy P is unused when the scan judged P on a credential the suppression
can reach (a credential's check whose block starts on, or spans, one of the lines the suppression
covers; for an annotation, the object carrying it) and no finding of P used it. Where the scan
could not have known (P skipped or not applicable, the credential out of scope or out of the
``--diff-base`` change, a suppression in a file holding no judged credential), nothing is said:
unknown never fails. Invalid suppressions are IAG900's; expired ones already fail again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Protocol

from ..config.settings import Settings
from ..model import Check, Finding
from ..policy.loader import Policy

#: The category of the ``judges: suppressions`` policy that reports them (IAG902).
UNUSED_SUPPRESSION = "unused-suppression"
#: The check of a policy that a marker can reach, if the scan made one.
_Judged = Callable[[str], "Check | None"]
#: One valid marker applied to one policy's finding: (file, line, source, policy id).
MarkerUse = tuple[str, int, str, str]


class Marker(Protocol):
    """What this module reads of a suppression (suppress.Marker)."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def policy_ids(self) -> tuple[str, ...]: ...
    @property
    def problem(self) -> str | None: ...


def unused_suppressions(
    findings: Sequence[Finding],
    checks: Sequence[Check],
    used: set[MarkerUse],
    comment_markers: Callable[[str], Iterable[tuple[Marker, range]]],
    annotation_markers: Iterable[tuple[str, Marker]],
    policies: Sequence[Policy],
    settings: Settings,
) -> list[Finding]:
    """A finding per policy id of a valid suppression that was judged and suppressed nothing:
    ``comment_markers`` gives a file's comment markers with the lines each covers,
    ``annotation_markers`` each annotation marker with its object's address."""
    judge = next((p for p in policies if p.category == UNUSED_SUPPRESSION and p.id not in settings.skip_policies), None)
    if judge is None:
        return []
    by_file: dict[str, list[Check]] = {}
    by_address: dict[tuple[str, str], Check] = {}
    for check in checks:
        by_file.setdefault(check.location.file, []).append(check)
        by_address.setdefault((check.resource, check.policy_id), check)
    failing = {(f.resource, f.policy_id): f for f in findings}
    found: dict[tuple[str, int, str], Finding] = {}
    for file in sorted(by_file):
        for marker, covered in comment_markers(file):
            for policy_id, check in _unused(marker, used, partial(_reached, by_file[file], covered)):
                elsewhere = failing.get((check.resource, policy_id))
                found.setdefault((marker.file, marker.line, policy_id), _finding(judge, marker, policy_id, check, elsewhere))
    for address, marker in annotation_markers:
        for policy_id, check in _unused(marker, used, partial(_of_object, by_address, address)):
            found.setdefault((marker.file, marker.line, policy_id), _finding(judge, marker, policy_id, check, None))
    return list(found.values())


def _unused(marker: Marker, used: set[MarkerUse], judged: _Judged) -> Iterator[tuple[str, Check]]:
    if marker.problem is not None:
        return
    for policy_id in marker.policy_ids:
        check = judged(policy_id)
        if check is not None and (marker.file, marker.line, marker.source, policy_id) not in used:
            yield policy_id, check


def _of_object(by_address: dict[tuple[str, str], Check], address: str, policy_id: str) -> Check | None:
    return by_address.get((address, policy_id))


def _reached(checks: list[Check], covered: range, policy_id: str) -> Check | None:
    """The first credential judged by the policy whose block a comment's covered lines touch."""
    for check in checks:
        if check.policy_id != policy_id:
            continue
        start, end = check.location.line, max(check.location.line, check.location.end_line)
        if start <= covered[-1] and covered[0] <= end:
            return check
    return None


def _finding(judge: Policy, marker: Marker, policy_id: str, check: Check, elsewhere: Finding | None) -> Finding:
    """``elsewhere``: the credential's finding of that policy, on a line the comment does not cover."""
    if elsewhere is None:
        why = f"{policy_id} passes on it; remove {policy_id} from the suppression, or the whole suppression"
    else:
        why = (
            f"its {policy_id} finding is on {elsewhere.file}:{elsewhere.line}, which this comment does not cover; "
            "move the comment to that line or the line above it"
        )
    return judge.finding_on_line(
        f"{check.resource}: the suppression of {policy_id} on line {marker.line} suppresses nothing: {why}",
        check.resource, marker.file, marker.line, resource_location=check.location,
    )


