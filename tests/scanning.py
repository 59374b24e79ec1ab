"""Helpers for tests that run whole scans: a project written to a temporary folder, scanned with
the built-in policy pack and a fixed day, so expiry dates are reproducible."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from iac_guard.config.settings import Settings
from iac_guard.pipeline.run import load_pack, run_scan
from iac_guard.result import ScanResult

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 11, 28)
#: Fixture groups holding one project per subfolder; the other groups are one project each.
_GROUPS_OF_PROJECTS = ("terraform", "projects", "plan")
#: Fixture folders that are not scanned as projects: a policy pack, the recorded outputs, schemas.
_NOT_PROJECTS = ("policy-packs", "golden", "schemas")


def fixture_projects() -> list[Path]:
    """Each fixture project (the unit a user scans), so tests over all of them also cover a new one."""
    found = []
    for group in sorted(FIXTURES.iterdir()):
        if group.name in _GROUPS_OF_PROJECTS:
            found += sorted(p for p in group.iterdir() if p.is_dir())
        elif group.is_dir() and group.name not in _NOT_PROJECTS:
            found.append(group)
    return found


def settings(**overrides: object) -> Settings:
    return Settings(today=TODAY).with_overrides(**overrides)


def scan_path(path: Path | str, **overrides: object) -> ScanResult:
    chosen = settings(**overrides)
    return run_scan([str(path)], chosen, load_pack(chosen))


def write_project(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def finding_keys(result: ScanResult) -> list[tuple[str, str, str, int]]:
    """(policy, resource, file, line) of every finding, in output order."""
    return [(f.policy_id, f.resource, f.file, f.line) for f in result.findings]
