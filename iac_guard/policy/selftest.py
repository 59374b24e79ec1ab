"""Policy self-tests: each policy's own examples, and the test cases written beside it, scanned whole.

A bad example must make its policy fail and a good one must not (sqlfluff-style rule cases; other
policies may fire: each example speaks only for its own policy). Test cases add more: a file
``IAG001-missing-owner.tests.yaml`` beside the policy, or any YAML file in a ``tests/`` folder of
the pack, holds ``cases`` (validated by ``policies/test-cases.schema.json``)::

    cases:
      - name: owner from the provider's default_tags
        terraform: |
          provider "aws" { default_tags { tags = { owner = "ml-platform" } } }
          resource "aws_secretsmanager_secret" "openai" { name = "openai-api-key" }
        expect_not: [IAG001]
        expect: [IAG003]

A case is one file (``terraform:`` → main.tf, ``kubernetes:`` → manifest.yaml) or several
(``files: {path: text}``); ``scope: all`` judges credentials that are not AI ones too. A policy
"fires" when it has a finding that is not suppressed. ``iac-guard policies test DIR`` and the
test suite (tests/test_policy_examples.py) both run this.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.settings import Settings
from ..support.schemas import schema_problems
from ..support.yaml_files import YamlFileError, read_yaml
from .loader import TEST_CASE_SUFFIXES, Policy, PolicyError, builtin_policy_dir

FILE_NAMES = {"terraform": "main.tf", "kubernetes": "manifest.yaml"}
TESTS_FOLDER = "tests"


@dataclass(frozen=True)
class Case:
    name: str  # "IAG001 bad example 1 (terraform)", or the name a test case gives itself
    files: Mapping[str, str]
    expect: tuple[str, ...] = ()  # policies that must fire
    expect_not: tuple[str, ...] = ()  # policies that must not
    scope: str | None = None
    source: Path | None = None

    @property
    def slug(self) -> str:
        """A short identifier (pytest ids)."""
        return "-".join(self.name.replace("(", "").replace(")", "").split())


@dataclass(frozen=True)
class Outcome:
    case: Case
    problems: tuple[str, ...] = ()  # empty: the case passed

    @property
    def passed(self) -> bool:
        return not self.problems


def example_cases(policy: Policy) -> list[Case]:
    """A case per example: bad ones expect the policy to fire, good ones expect it not to."""
    cases = []
    for index, example in enumerate(policy.examples, start=1):
        number = sum(1 for e in policy.examples[:index] if e.verdict == example.verdict)
        expected = (policy.id,)
        cases.append(Case(
            f"{policy.id} {example.verdict} example {number} ({example.language})",
            {FILE_NAMES[example.language]: example.code},
            expect=expected if example.verdict == "bad" else (),
            expect_not=() if example.verdict == "bad" else expected,
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
        problems = [
            f"{path}: cases.{index}.{key}: {pid} is not a policy of this pack"
            for index, case in enumerate(raw["cases"])
            for key in ("expect", "expect_not")
            for pid in case.get(key, ())
            if pid not in policy_ids
        ]
    if problems:
        raise PolicyError("\n".join(problems))
    return [_case(raw_case, path) for raw_case in raw["cases"]]


def _case(raw: Mapping[str, Any], path: Path) -> Case:
    files = dict(raw.get("files") or {})
    for language, name in FILE_NAMES.items():
        if language in raw:
            files[name] = raw[language]
    return Case(f"{path.name}: {raw['name']}", files, tuple(raw.get("expect", ())), tuple(raw.get("expect_not", ())), raw.get("scope"), path)


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


def run_case(case: Case, policies: Sequence[Policy], settings: Settings, workdir: Path) -> Outcome:
    """Write the case into ``workdir`` (an empty folder), scan it, and compare what fired."""
    from ..pipeline.run import run_scan

    for name, text in case.files.items():
        target = workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if case.scope:
        settings = settings.with_overrides(scope=case.scope)
    result = run_scan([str(workdir)], settings, list(policies))
    problems = [f"could not read {e.render()}" for e in result.errors]
    fired: dict[str, list[str]] = {}
    for finding in result.failing:
        fired.setdefault(finding.policy_id, []).append(finding.message)
    problems += [f"{pid} did not fire" for pid in case.expect if pid not in fired]
    problems += [f"{pid} fired: {'; '.join(fired[pid])}" for pid in case.expect_not if pid in fired]
    return Outcome(case, tuple(problems))


def run_cases(cases: Sequence[Case], policies: Sequence[Policy], settings: Settings) -> Iterator[Outcome]:
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="iac-guard-case-") as workdir:
            yield run_case(case, policies, settings, Path(workdir))
