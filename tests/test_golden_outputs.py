"""Golden outputs: the JSON report, the SARIF log and the JSON inventory of every fixture project, in
both scopes, byte for byte as recorded under tests/fixtures/golden/<project>/<scope>/.

They pin the tool's behaviour across the restructuring of issue 12 (and any refactoring after it):
a change that is meant to keep behaviour must leave every file identical. Each output is made by the
CLI in-process (click's runner), with the day pinned by gate_support's `fixed_today` (the CLI has
no option for it) and `--no-cache`, scanning from inside the fixture project with relative paths.

Two things are normalised before comparing, so the files do not depend on where the project is
checked out nor change with every release:
- the scanned root, which SARIF states absolutely (`originalUriBaseIds`), becomes `<root>` (its
  `file://` URI `<root-uri>`);
- the tool's version string (JSON `version`, SARIF `driver.version`) becomes `<iac-guard version>`.

When a change of output is intended, rewrite the files and review their diff before committing:

    IAC_GUARD_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_outputs.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from gate_support import fixed_today, invoke  # noqa: F401 - fixed_today is autouse
from scanning import FIXTURES, fixture_projects

from iac_guard import __version__

GOLDEN = FIXTURES / "golden"
UPDATE = os.environ.get("IAC_GUARD_UPDATE_GOLDEN") == "1"
SCOPES = ("ai", "all")
#: What is scanned, relative to the project folder: a plan is judged against the sources it came from.
TARGETS = {"plan/bedrock-app": ("plan.json", "--tf-dir", "src")}
#: Golden file name → the command line (after the target) that makes it.
OUTPUTS = {
    "report.json": ("scan", "-f", "json"),
    "report.sarif": ("scan", "-f", "sarif", "--sarif-root", "."),
    "inventory.json": ("inventory", "-f", "json"),
}
#: Only these exit codes are normal runs: 1 is a scan with failing findings.
EXIT_CODES = {"scan": (0, 1), "inventory": (0,)}
DIFF_LINES = 40

PROJECTS = [project.relative_to(FIXTURES).as_posix() for project in fixture_projects()]


def render(project: str, scope: str, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> bytes:
    """One output of the real CLI, normalised as the module docstring says."""
    root = (FIXTURES / project).resolve()
    monkeypatch.chdir(root)
    name, *options = command
    result = invoke(name, *TARGETS.get(project, (".",)), "--scope", scope, "--no-cache", *options)
    assert result.exit_code in EXIT_CODES[name], result.stderr
    text = result.stdout.replace(root.as_uri(), "<root-uri>").replace(str(root), "<root>")
    return text.replace(f'"{__version__}"', '"<iac-guard version>"').encode("utf-8")


def short_diff(recorded: bytes, produced: bytes, path: Path) -> str:
    lines = difflib.unified_diff(
        recorded.decode("utf-8").splitlines(), produced.decode("utf-8").splitlines(),
        f"{path.relative_to(FIXTURES)} (recorded)", "produced", lineterm="",
    )
    shown = list(lines) or ["(the lines are equal: the files differ in line endings or a final newline)"]
    more = f"\n… {len(shown) - DIFF_LINES} more diff lines" if len(shown) > DIFF_LINES else ""
    return "\n".join(shown[:DIFF_LINES]) + more


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("project", PROJECTS)
def test_outputs_are_byte_identical_to_the_recorded_ones(project: str, scope: str, monkeypatch: pytest.MonkeyPatch) -> None:
    differing = []
    for file_name, command in OUTPUTS.items():
        path = GOLDEN / project / scope / file_name
        produced = render(project, scope, command, monkeypatch)
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(produced)
            continue
        assert path.is_file(), f"{path} is missing: record it with IAC_GUARD_UPDATE_GOLDEN=1"
        recorded = path.read_bytes()
        if produced != recorded:
            differing.append(short_diff(recorded, produced, path))
    assert not differing, "output differs from the golden files:\n" + "\n\n".join(differing)


def test_every_golden_file_belongs_to_a_fixture_project() -> None:
    """A removed or renamed project must take its golden files with it, or they would rot unread."""
    recorded = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    expected = sorted(f"{project}/{scope}/{name}" for project in PROJECTS for scope in SCOPES for name in OUTPUTS)
    assert recorded == expected
