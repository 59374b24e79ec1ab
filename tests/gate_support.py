"""Helpers for the pull-request gate tests: the CLI through click's runner with a fixed day, the
official output schemas (vendored in tests/fixtures/schemas/, so validation never skips), git repos."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from click.testing import CliRunner, Result
from scanning import FIXTURES, TODAY

from iac_guard.cli import main
from iac_guard.config import settings as config

GATE = FIXTURES / "gate"
SCHEMAS = FIXTURES / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"
JUNIT_SCHEMA = SCHEMAS / "junit-10.xsd"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI measures expiry from Settings.today; tests fix the day as scan_path does."""
    load_settings = config.load_settings
    monkeypatch.setattr(config, "load_settings", lambda *args, **kw: replace(load_settings(*args, **kw), today=TODAY))


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def scan_json(*args: str) -> dict[str, Any]:
    result = invoke("scan", *args, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def keys(document: dict[str, Any]) -> list[tuple[str, str, str, int, bool]]:
    """(policy, resource, file, line, suppressed) of every finding of a JSON report."""
    return [(f["policy_id"], f["resource"], f["file"], f["line"], f["suppressed"]) for f in document["findings"]]


@lru_cache(maxsize=1)
def _sarif_validator() -> Any:
    from jsonschema import Draft4Validator

    return Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


def assert_valid_sarif(document: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _sarif_validator().iter_errors(document)]
    assert errors == []


def assert_valid_junit(xml: str) -> None:
    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(xml)


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=iac-guard tests", "-c", "user.email=tests@iac-guard.invalid",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=folder, capture_output=True, text=True, check=True,
    )
    return done.stdout


def needs_git() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
