"""Every policy's own examples, run through the whole scanner (sqlfluff-style rule cases).

A bad example must make its policy fire; a good one must not. Other policies may fire on an
example: each example speaks only for its own policy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_guard.policy.loader import Example, Policy
from scanning import scan_path, settings, write_project
from iac_guard.scan import load_pack

FILE_NAMES = {"terraform": "main.tf", "kubernetes": "manifest.yaml"}
POLICIES = load_pack(settings())
CASES = [
    pytest.param(policy, example, id=f"{policy.id}-{example.verdict}-{index}-{example.language}")
    for policy in POLICIES
    for index, example in enumerate(policy.examples)
]


def test_every_policy_has_good_and_bad_examples_for_both_languages() -> None:
    for policy in POLICIES:
        kinds = {(e.verdict, e.language) for e in policy.examples}
        assert kinds >= {("bad", "terraform"), ("good", "terraform"), ("bad", "kubernetes"), ("good", "kubernetes")}, policy.id


@pytest.mark.parametrize(("policy", "example"), CASES)
def test_policy_example(tmp_path: Path, policy: Policy, example: Example) -> None:
    write_project(tmp_path, {FILE_NAMES[example.language]: example.code})
    result = scan_path(tmp_path)
    assert result.errors == [], [e.render() for e in result.errors]
    fired = [f for f in result.findings if f.policy_id == policy.id]
    if example.verdict == "bad":
        assert fired, f"{policy.id} did not fire on its bad example"
    else:
        assert not fired, f"{policy.id} fired on its good example: {[f.message for f in fired]}"
