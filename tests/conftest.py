"""Helpers for the Terraform, AWS, secrets and inventory tests: HCL written inline and evaluated,
and fake credentials that have a real key's format but are built from repetition."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from iac_guard.model import ScanError
from iac_guard.terraform.module import DataSourceEvaluator, Module, VariableValue
from iac_guard.terraform.syntax.parse import TerraformFile, parse_text

TERRAFORM_FIXTURES = Path(__file__).parent / "fixtures" / "terraform"


def fake_key(prefix: str, chunk: str = "A1b2C3d4", times: int = 6) -> str:
    """A format-valid fake credential: ``fake_key("sk-proj-")`` is ``sk-proj-A1b2C3d4A1b2…``."""
    return prefix + chunk * times


def expected_fingerprint(value: str, prefix: str = "") -> str:
    """What secrets.fingerprint shows: a public prefix, the last 4 of a long value, length, hash."""
    tail = value[-4:] if len(value) >= 24 else ""
    return f"{prefix}…{tail} ({len(value)} chars, sha256:{hashlib.sha256(value.encode()).hexdigest()[:8]})"


def parse(source: str, path: str = "main.tf") -> TerraformFile:
    parsed = parse_text(source, path)
    assert not isinstance(parsed, ScanError), parsed.render()
    return parsed


def module_from(
    source: str,
    directory: str = ".",
    tfvars: Mapping[str, VariableValue] | None = None,
    data_sources: Mapping[str, DataSourceEvaluator] | None = None,
) -> Module:
    return Module(directory, [parse(source)], dict(tfvars or {}), dict(data_sources or {}))


def evaluate(expression: str, prelude: str = "", **module_options: Any) -> Any:
    """The value of one HCL expression, evaluated in a module made of ``prelude``."""
    source = f'{prelude}\nresource "terraform_data" "probe" {{\n  value = {expression}\n}}\n'
    module = module_from(source, **module_options)
    (probe,) = [r for r in module.resources if r.address == "terraform_data.probe"]
    return probe.value("value")


@pytest.fixture(autouse=True, scope="session")
def _cache_key_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Scans under test (in-process and child processes alike) make their cache key in a folder
    of the test run, never in the user's config folder, and never take one from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
        patch.delenv("IAC_GUARD_CACHE_KEY", raising=False)
        yield


#: What CI systems set that changes reports (paths from the workspace, links to the commit): a
#: test that wants them sets them itself, so the suite gives the same answers inside CI.
CI_REPORT_VARIABLES = ("GITHUB_WORKSPACE", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "CI_PROJECT_URL", "CI_COMMIT_SHA")


@pytest.fixture(autouse=True, scope="session")
def _no_ci_report_context() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in CI_REPORT_VARIABLES:
            patch.delenv(name, raising=False)
        yield
