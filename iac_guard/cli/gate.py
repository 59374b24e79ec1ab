"""The gate's options: thresholds, suppressions, baseline and changed files, shared by ``scan``.

``--diff-base`` is the one place iac-guard runs a program (git), here in the command line layer:
the scan itself never starts a process. It asks git for the files changed since the merge base of
REF and HEAD — committed, staged, unstaged — and the untracked files, and the filter stage judges
only findings in those files (the whole tree is still loaded, so references resolve).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from ..model import SEVERITY_ORDER
from .common import options_into
from .exit_codes import EXIT_ERROR

GIT_TIMEOUT_SECONDS = 120


class GateError(Exception):
    """A gate option that cannot be honoured (bad baseline, no git, unknown ref): exit 2."""


@dataclass(frozen=True)
class GateRequest:
    fail_on: str
    soft_fail: bool
    no_ignore: bool
    baseline: Path | None
    diff_base: str | None


def gate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds the gate options; the command receives them as ``gate``."""
    options = [
        click.option("--fail-on", type=click.Choice(list(SEVERITY_ORDER)), default="low", show_default=True, help="Lowest severity that fails the build; findings below it are still reported."),
        click.option("--soft-fail", is_flag=True, help="Exit 0 even with failing findings (a file that could not be read still exits 2)."),
        click.option("--no-ignore", is_flag=True, help="Ignore inline suppressions: report every finding as failing."),
        click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE", help="Fail only on findings not recorded in FILE (made by: iac-guard baseline create)."),
        click.option("--diff-base", metavar="REF", help="Judge only files changed since the merge base of REF and HEAD, and untracked files (needs git)."),
    ]
    return options_into(GateRequest, "gate", options)(command)


def build_filters(gate: GateRequest, root: Path) -> Any:
    """The filter stage's inputs; on a bad baseline or git problem, the reason and exit 2."""
    from ..baseline import BaselineError, load
    from ..scan import Filters

    try:
        baseline = load(gate.baseline) if gate.baseline is not None else None
        changed = changed_files(root, gate.diff_base) if gate.diff_base is not None else None
    except (BaselineError, GateError) as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    return Filters(
        inline_suppressions=not gate.no_ignore,
        baseline=baseline,
        changed_files=changed,
        fail_on=gate.fail_on,
        soft_fail=gate.soft_fail,
    )


def changed_files(root: Path, ref: str) -> frozenset[Path]:
    """Resolved paths changed since the merge base of ``ref`` and HEAD, plus untracked files."""
    if not ref or ref.startswith("-"):
        raise GateError(f"--diff-base: {ref!r} is not a git revision")
    git = shutil.which("git")
    if git is None:
        raise GateError("--diff-base needs git, and git is not on PATH")
    folder = root if root.is_dir() else root.parent
    top = Path(_git(git, folder, "rev-parse", "--show-toplevel").strip())
    base = _git(git, top, "merge-base", ref, "HEAD").strip()
    names = _git(git, top, "diff", "--name-only", "--no-renames", "-z", base, "--")
    names += _git(git, top, "ls-files", "--others", "--exclude-standard", "-z")
    return frozenset((top / name).resolve() for name in names.split("\0") if name)


def _git(git: str, folder: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS, check=False
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
