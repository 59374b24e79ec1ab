"""Policy test cases: each policy's own examples, and the cases written beside it, read and checked.

Cases are kept apart from the policies, as sqlfluff keeps rule cases apart from rules: a file
``IAG001-missing-owner.tests.yaml`` beside the policy, or any YAML file in a ``tests/`` folder of
the pack, holds ``cases`` (validated by ``policies/test-cases.schema.json``)::

    cases:
      - name: owner from the provider's default_tags
        settings: {max_rotation_days: 30}
        terraform: |
          provider "aws" { default_tags { tags = { owner = "ml-platform" } } }
          resource "aws_secretsmanager_secret" "openai" { name = "openai-api-key" }
        expect:
          - {policy: IAG002, resource: aws_secretsmanager_secret.openai, line: 2}
          - {policy: IAG003, resource: aws_secretsmanager_secret.openai, line: 2}

A case is one file (``terraform:`` → main.tf, ``kubernetes:`` → manifest.yaml) or several
(``files: {path: text}``), with optional ``settings`` (keys of ``.iac-guard.yaml``), and lists
exactly the findings that fire (not suppressed) on it: the pack's every policy, in any order; an
empty list says the case is compliant. Exact lists catch what "this policy fires" cannot: a second
finding, a finding on the wrong resource or line. A policy file's own examples (the one good and
one bad example its docs show) are cases too, judged for their policy only: a bad one must make it
fire and a good one must not.

This module reads and compares; running a case is a scan (``pipeline.selftest``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..config.settings import config_problems
from ..model import Finding
from ..support.schemas import schema_problems
from ..support.yaml_files import YamlFileError, read_yaml
from .loader import TEST_CASE_SUFFIXES, Policy, PolicyError, builtin_policy_dir

FILE_NAMES = {"terraform": "main.tf", "kubernetes": "manifest.yaml", "github-actions": ".github/workflows/example.yml"}
TESTS_FOLDER = "tests"


class Expected(NamedTuple):
    """One finding a case expects, as a person reads it off the report."""

    policy: str
    resource: str
    line: int

    def __str__(self) -> str:
        return f"{self.policy} {self.resource} line {self.line}"


class ExampleClaim(NamedTuple):
    """What a policy's own example says: ``policy`` fires on it (bad) or does not (good)."""

    policy: str
    verdict: str  # "bad" | "good"


@dataclass(frozen=True)
class Case:
    name: str  # "IAG001 bad example 1 (terraform)", or the name a test case gives itself
    files: Mapping[str, str]
    #: The exact findings that fire; None for a policy's own example, which ``example`` judges.
    expect: tuple[Expected, ...] | None = None
    example: ExampleClaim | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # config keys over the run's settings
    source: Path | None = None

    @property
    def slug(self) -> str:
        """A short identifier (pytest ids)."""
        return "-".join(self.name.replace("(", "").replace(")", "").split())


def example_cases(policy: Policy) -> list[Case]:
    """A case per example of the policy file: bad ones expect the policy to fire, good ones not."""
    cases = []
    for index, example in enumerate(policy.examples, start=1):
        number = sum(1 for e in policy.examples[:index] if e.verdict == example.verdict)
        cases.append(Case(
            f"{policy.id} {example.verdict} example {number} ({example.language})",
            {FILE_NAMES[example.language]: example.code},
            example=ExampleClaim(policy.id, example.verdict),
            source=policy.source,
        ))
    return cases


def case_files(dirs: Sequence[Path]) -> list[Path]:
    """Test-case files of the packs: ``*.tests.yaml`` anywhere, and YAML files under ``tests/``."""
    found = []
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            parts = set(path.relative_to(folder).parts[:-1])
            if path.suffix in (".yaml", ".yml") and path.is_file() and "frameworks" not in parts and (
                path.name.endswith(TEST_CASE_SUFFIXES) or TESTS_FOLDER in parts
            ):
                found.append(path)
    return found


def load_cases(path: Path, policy_ids: Sequence[str]) -> list[Case]:
    """The cases of one file; a PolicyError names the file and the field of every problem."""
    try:
        raw = read_yaml(path, "test-case file")
    except YamlFileError as exc:
        raise PolicyError(str(exc)) from None
    problems = [f"{path}: {p}" for p in schema_problems(builtin_policy_dir() / "test-cases.schema.json", raw)]
    if not problems:
        problems = [f"{path}: cases.{index}.{p}" for index, case in enumerate(raw["cases"]) for p in _case_problems(case, policy_ids)]
    if problems:
        raise PolicyError("\n".join(problems))
    return [_case(raw_case, path) for raw_case in raw["cases"]]


def _case_problems(raw: Mapping[str, Any], policy_ids: Sequence[str]) -> list[str]:
    """What the schema cannot check: policies of the pack, and settings a config file may hold."""
    problems = [
        f"expect.{index}.policy: {expected['policy']} is not a policy of this pack"
        for index, expected in enumerate(raw["expect"])
        if expected["policy"] not in policy_ids
    ]
    return problems + [f"settings.{problem}" for problem in config_problems(raw.get("settings", {}))]


def _case(raw: Mapping[str, Any], path: Path) -> Case:
    files = dict(raw.get("files") or {})
    for language, name in FILE_NAMES.items():
        if language in raw:
            files[name] = raw[language]
    expect = tuple(Expected(e["policy"], e["resource"], e["line"]) for e in raw["expect"])
    return Case(f"{path.name}: {raw['name']}", files, expect, settings=raw.get("settings", {}), source=path)


def all_cases(policies: Sequence[Policy], dirs: Sequence[Path]) -> list[Case]:
    """Every policy's examples, then the test cases in the packs; problems of every file at once."""
    cases = [case for policy in policies for case in example_cases(policy)]
    errors = []
    for path in case_files(dirs):
        try:
            cases += load_cases(path, [p.id for p in policies])
        except PolicyError as exc:
            errors.append(str(exc))
    if errors:
        raise PolicyError("\n".join(errors))
    return cases


def differences(case: Case, fired: Sequence[Finding]) -> list[str]:
    """How the findings that fired differ from what the case expects, one line each: what is
    missing, then what was not expected (with its message, which usually says why)."""
    if case.example is not None:
        return _example_differences(case.example, fired)
    found = Counter(Expected(f.policy_id, f.resource, f.line) for f in fired)
    wanted = Counter(case.expect or ())
    messages = {Expected(f.policy_id, f.resource, f.line): f.message for f in fired}
    missing = [f"expected, not found: {e}" for e in sorted(wanted - found)]
    extra = [f"found, not expected: {e}: {messages[e]}" for e in sorted(found - wanted)]
    return missing + extra


def _example_differences(example: ExampleClaim, fired: Sequence[Finding]) -> list[str]:
    messages = [f.message for f in fired if f.policy_id == example.policy]
    if example.verdict == "bad":
        return [] if messages else [f"{example.policy} did not fire"]
    return [f"{example.policy} fired: {'; '.join(messages)}"] if messages else []
