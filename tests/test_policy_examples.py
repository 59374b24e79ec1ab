"""Every policy's own examples, run through the whole scanner (sqlfluff-style rule cases).

A bad example must make its policy fire; a good one must not. Other policies may fire on an
example: each example speaks only for its own policy. The mechanism is the package's own
(``iac_guard.policy.selftest``), the one ``iac-guard policies test`` runs for custom packs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import settings

from iac_guard.filter.trust import judges_code
from iac_guard.pipeline.run import load_pack
from iac_guard.policy.selftest import Case, example_cases, run_case

POLICIES = load_pack(settings())
CASES = [pytest.param(case, id=case.slug) for policy in POLICIES for case in example_cases(policy)]


def test_every_policy_has_good_and_bad_examples_for_both_languages() -> None:
    for policy in filter(judges_code, POLICIES):  # IAG901 judges a config change: test_untrusted_trust.py
        kinds = {(e.verdict, e.language) for e in policy.examples}
        assert kinds >= {("bad", "terraform"), ("good", "terraform"), ("bad", "kubernetes"), ("good", "kubernetes")}, policy.id


@pytest.mark.parametrize("case", CASES)
def test_policy_example(tmp_path: Path, case: Case) -> None:
    outcome = run_case(case, POLICIES, settings(), tmp_path)
    assert outcome.passed, outcome.problems
