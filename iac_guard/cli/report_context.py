"""Where a report will be read: the repository top that SARIF paths are relative to, and the
analysis category, which the scan itself cannot know.

GitHub code scanning places an alert by its path from the repository's top. A scan of
``infra/prod`` run from the top must therefore write ``infra/prod/main.tf``, not ``main.tf``. The
top is the nearest folder holding ``.git`` (a file in a worktree or submodule), else
``GITHUB_WORKSPACE`` when it holds the scanned folder (a checkout without ``.git``, or an action
that copied the sources), else the current folder when it holds it; ``--sarif-root`` overrides.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from ..result import ReportContext


def sarif_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds ``--sarif-root`` and ``--sarif-category``; the command receives ``sarif_root`` and ``sarif_category``."""
    command = click.option(
        "--sarif-category", metavar="NAME",
        help="Name this analysis (SARIF automationDetails.id), so several scans of one commit, e.g. one per root module, keep their own alerts.",
    )(command)
    return click.option(
        "--sarif-root", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR",
        help="The folder SARIF paths are relative to (default: the repository's top, else GITHUB_WORKSPACE, else the current folder, when it holds the scanned folder).",
    )(command)


def report_context(scanned_root: Path, sarif_root: Path | None, category: str | None) -> ReportContext:
    """The context for one scanned root; a ``--sarif-root`` that does not hold it is a usage error."""
    scanned = scanned_root.resolve()
    if sarif_root is not None:
        chosen = sarif_root.resolve()
        if chosen != scanned and chosen not in scanned.parents:
            raise click.UsageError(f"--sarif-root {sarif_root} does not hold the scanned folder {scanned}; give the repository's top or leave it out")
        return ReportContext(source_root=chosen, category=category, browse_url=browse_url(os.environ))
    return ReportContext(source_root=_default_root(scanned), category=category, browse_url=browse_url(os.environ))


def browse_url(environ: Mapping[str, str]) -> str | None:
    """The code host's page of the checked-out commit, from the CI system's own variables
    (GitHub Actions, GitLab CI); None elsewhere: a link guessed from a remote could be wrong."""
    github = [environ.get(name, "") for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")]
    if all(github):
        return f"{github[0].rstrip('/')}/{github[1]}/blob/{github[2]}/"
    project, sha = environ.get("CI_PROJECT_URL", ""), environ.get("CI_COMMIT_SHA", "")
    if project and sha:
        return f"{project.rstrip('/')}/-/blob/{sha}/"
    return None


def _default_root(scanned: Path) -> Path | None:
    git_top = next((folder for folder in (scanned, *scanned.parents) if (folder / ".git").exists()), None)
    if git_top is not None:
        return git_top
    for candidate in (os.environ.get("GITHUB_WORKSPACE"), os.getcwd()):
        if candidate:
            folder = Path(candidate).resolve()
            if folder == scanned or folder in scanned.parents:
                return folder
    return None
