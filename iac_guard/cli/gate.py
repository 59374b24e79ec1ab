"""The gate's options: thresholds, suppressions, baseline and changed files, shared by ``scan``.

``--diff-base`` is the one place iac-guard runs a program (git), here in the command line layer:
the scan itself never starts a process. It asks git for the files changed since the merge base of
REF and HEAD — committed, staged, unstaged — and the untracked files, and the filter stage judges
only findings in those files (the whole tree is still loaded, so references resolve). After the
scan it reads the repository's config at that merge base (``git show``), so a change that weakens
the gate is a finding (IAG901), and the lines the change added to files holding suppressions, so
reports list the suppressions it added.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..model import SEVERITY_ORDER
from .exit_codes import EXIT_ERROR
from .options import options_into

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..result import Filters, ScanResult

GIT_TIMEOUT_SECONDS = 120


class GateError(Exception):
    """A gate option that cannot be honoured (bad baseline, no git, unknown ref): exit 2."""


@dataclass(frozen=True)
class GateRequest:
    """The gate's options as given; None: not on the command line (the config's value, else the default)."""

    fail_on: str | None
    soft_fail: bool | None
    no_ignore: bool
    baseline: Path | None
    diff_base: str | None


def gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds the gate options; the command receives them as ``gate``."""
    options = [
        click.option("--fail-on", type=click.Choice(list(SEVERITY_ORDER), case_sensitive=False), help="Lowest severity that fails the build (default: the config's fail_on, else low); findings below it are still reported."),
        click.option("--soft-fail/--no-soft-fail", default=None, help="Exit 0 even with failing findings (a file that could not be read still exits 2); --no-soft-fail overrides the config's soft_fail."),
        click.option("--no-ignore", is_flag=True, help="Ignore inline suppressions: report every finding as failing."),
        click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE", help="Fail only on findings not recorded in FILE (made by: iac-guard baseline create); default: the config's baseline."),
        click.option("--diff-base", metavar="REF", help="Judge only files changed since the merge base of REF and HEAD, and untracked files (needs git)."),
    ]
    return options_into(GateRequest, "gate", options)(command)


def gate_overrides(gate: GateRequest) -> dict[str, Any]:
    """The gate options the command line gave, as settings over the config's."""
    return {"fail_on": gate.fail_on.lower() if gate.fail_on else None, "soft_fail": gate.soft_fail, "baseline": gate.baseline}


def build_filters(gate: GateRequest, settings: Settings, root: Path) -> Filters:
    """The filter stage's inputs from the settings in force (the command line's gate options over
    the config's); on a bad baseline or git problem, the reason and exit 2."""
    from ..filter.baseline import BaselineError, load  # lazy: --help's start-up skips the scan's modules
    from ..result import Filters  # lazy: --help's start-up skips the scan's modules

    try:
        baseline = load(settings.baseline) if settings.baseline is not None else None
        changed = changed_files(root, gate.diff_base) if gate.diff_base is not None else None
    except (BaselineError, GateError) as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    return Filters(
        inline_suppressions=not gate.no_ignore,
        baseline=baseline,
        changed_files=changed,
        fail_on=settings.fail_on,
        soft_fail=settings.soft_fail,
    )


def changed_files(root: Path, ref: str) -> frozenset[Path]:
    """Resolved paths changed since the merge base of ``ref`` and HEAD, plus untracked files."""
    revision = merge_base(root, ref)
    names = revision.run("diff", "--name-only", "--no-renames", "-z", revision.commit, "--")
    names += revision.run("ls-files", "--others", "--exclude-standard", "-z")
    return frozenset((revision.top / name).resolve() for name in names.split("\0") if name)


@dataclass(frozen=True)
class Revision:
    """The merge base of ``--diff-base`` and HEAD in the work tree at ``top``: what the change
    under review is measured against."""

    git: str
    top: Path
    commit: str

    def run(self, *args: str) -> str:
        return _git(self.git, self.top, *args)

    def text_at(self, path: Path) -> str | None:
        """The file's text at the base, or None when the change added it."""
        name = self._name(path)
        if name is None or not self.run("ls-tree", "--name-only", self.commit, "--", name).strip():
            return None
        return self.run("show", f"{self.commit}:{name}")

    def added_lines(self, path: Path) -> frozenset[int] | None:
        """Line numbers the change added to the file (committed or not); None: all of them."""
        name = self._name(path)
        if name is None or self.text_at(path) is None:
            return None
        diff = self.run("diff", "-U0", "--no-renames", "--no-ext-diff", "--no-color", self.commit, "--", name)
        lines: set[int] = set()
        for hunk in _HUNK.finditer(diff):
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            lines.update(range(start, start + count))
        return frozenset(lines)

    def _name(self, path: Path) -> str | None:
        resolved = path.resolve()
        return resolved.relative_to(self.top).as_posix() if resolved.is_relative_to(self.top) else None


_HUNK = re.compile(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def merge_base(root: Path, ref: str) -> Revision:
    if not ref or ref.startswith("-"):
        raise GateError(f"--diff-base: {ref!r} is not a git revision")
    git = shutil.which("git")
    if git is None:
        raise GateError("--diff-base needs git, and git is not on PATH")
    folder = root if root.is_dir() else root.parent
    top = Path(_git(git, folder, "rev-parse", "--show-toplevel").strip()).resolve()
    return Revision(git, top, _git(git, top, "merge-base", ref, "HEAD").strip())


def review_change(result: ScanResult, ref: str, skipped_on_command_line: tuple[str, ...]) -> None:
    """With ``--diff-base``, after the scan: a weakening the change brings to the repository's
    config becomes a finding of the ``weakened-config`` policy, and the report learns which inline
    suppressions the change added. On a git problem, the reason and exit 2.

    A repository config cannot skip that policy (it is the config being judged); the command
    line can.
    """
    from ..config.settings import ConfigError, weakenings_of_text  # lazy: --help's start-up skips the scan's modules
    from ..filter.trust import (  # lazy: --help's start-up skips the scan's modules
        WEAKENED_CONFIG,
        AddedLines,
        inline_suppression_at,
        weakened_config_findings,
    )

    config = result.settings.config if result.settings else None
    try:
        revision = merge_base(result.root, ref)
        judge = next((p for p in result.policies if p.category == WEAKENED_CONFIG), None)
        if config is not None and config.from_repository and judge is not None and judge.id not in skipped_on_command_line:
            path = result.root / config.file
            base_text = revision.text_at(path)
            try:
                base = () if base_text is None else weakenings_of_text(base_text, path, config.file)
            except ConfigError:
                base = ()  # a base config that does not load weakened nothing: judge against the defaults
            result.findings = sorted(
                [*result.findings, *weakened_config_findings(config, base, judge)], key=lambda f: f.sort_key()
            )
        files = sorted({where.file for where in map(inline_suppression_at, result.findings) if where is not None})
        result.added_lines = AddedLines({file: revision.added_lines(result.root / file) for file in files})
    except GateError as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _git(git: str, folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args], capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=GIT_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GateError(f"--diff-base: git {args[0]} failed ({exc})") from None
    if done.returncode != 0:
        raise GateError(f"--diff-base: git {args[0]} failed: {_first_line(done.stderr)}{_hint(args)}")
    return done.stdout


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def _hint(args: tuple[str, ...]) -> str:
    if args[0] == "merge-base":
        return " (is the ref fetched? in CI, check out with full history, e.g. actions/checkout with fetch-depth: 0)"
    if args[0] == "rev-parse":
        return " (--diff-base needs the scanned folder to be inside a git work tree)"
    return ""
