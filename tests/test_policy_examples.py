"""The built-in pack's self-tests, run through the whole scanner (sqlfluff-style rule cases).

Each policy's ``*.tests.yaml`` lists cases with the exact findings that fire on them; the policy
file keeps one short bad and one short good example for its docs, each also a case there. The
mechanism is the package's own (``policy.cases``, ``pipeline.selftest``), the one
``iac-guard policies test`` runs for custom packs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import settings

from iac_guard.filter.trust import judges_code
from iac_guard.pipeline.run import load_pack
from iac_guard.pipeline.selftest import run_case
from iac_guard.policy.cases import FILE_NAMES, Case, all_cases, load_cases
from iac_guard.policy.loader import builtin_policy_dir

POLICIES = load_pack(settings())
IDS = [p.id for p in POLICIES]
CASES = [pytest.param(case, id=case.slug) for case in all_cases(POLICIES, [builtin_policy_dir()])]


def _tests_file(policy_source: Path) -> list[Case]:
    return load_cases(policy_source.with_name(policy_source.stem + ".tests.yaml"), IDS)


def test_every_policy_keeps_one_bad_and_one_good_example_and_its_cases_beside_it() -> None:
    for policy in filter(judges_code, POLICIES):  # IAG901 judges a config change: test_untrusted_trust.py
        assert sorted(e.verdict for e in policy.examples) == ["bad", "good"], policy.id
        cases = _tests_file(policy.source)
        languages = {name for case in cases for name in case.files}
        # A policy of Terraform and Kubernetes is tested in both; one of workflows (IAG007, IAG008
        # read CI jobs) in that form, and in Terraform where it judges Terraform too.
        written = {FILE_NAMES[example.language] for example in policy.examples}
        expected = {FILE_NAMES["terraform"], FILE_NAMES["kubernetes"]} if written <= {FILE_NAMES["terraform"], FILE_NAMES["kubernetes"]} else written
        assert expected <= languages, policy.id
        fires = [any(e.policy == policy.id for e in case.expect or ()) for case in cases]
        assert True in fires and False in fires, policy.id


def test_each_example_is_a_case_with_exact_findings() -> None:
    """The docs show the examples: their exact findings are checked, not only their policy's."""
    for policy in filter(judges_code, POLICIES):
        cases = {next(iter(case.files.values())) for case in _tests_file(policy.source)}
        assert [e.code for e in policy.examples if e.code not in cases] == [], policy.id


@pytest.mark.parametrize("case", CASES)
def test_policy_case(tmp_path: Path, case: Case) -> None:
    outcome = run_case(case, POLICIES, settings(), tmp_path)
    assert outcome.passed, outcome.problems
