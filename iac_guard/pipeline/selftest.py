"""Running policy test cases (``policy.cases``): each case is written to an empty folder and scanned
whole, as a user's project would be, so a case tests the loaders and recognizers a policy relies on
as well as its condition. ``iac-guard policies test DIR`` and the test suite
(tests/test_policy_examples.py) both run this."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..config.settings import Settings, config_values
from ..policy.cases import Case, differences
from ..policy.loader import Policy
from .run import run_scan


@dataclass(frozen=True)
class Outcome:
    case: Case
    problems: tuple[str, ...] = ()  # empty: the case passed

    @property
    def passed(self) -> bool:
        return not self.problems


def run_case(case: Case, policies: Sequence[Policy], settings: Settings, workdir: Path) -> Outcome:
    """Write the case into ``workdir`` (an empty folder), scan it with the case's settings over
    ``settings``, and compare what fired with what the case expects."""
    for name, text in case.files.items():
        target = workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if case.settings:
        settings = replace(settings, **config_values(case.settings, workdir))
    result = run_scan([str(workdir)], settings, list(policies))
    problems = [f"could not read {e.render()}" for e in result.errors]
    return Outcome(case, tuple(problems + differences(case, result.failing)))


def run_cases(cases: Sequence[Case], policies: Sequence[Policy], settings: Settings) -> Iterator[Outcome]:
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="iac-guard-case-") as workdir:
            yield run_case(case, policies, settings, Path(workdir))
