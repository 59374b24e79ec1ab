"""The scanned code's place in version control, for the control report's "what was assessed":
repository, commit, branch, and whether the working tree differs from the commit.

Read after the scan by running the local ``git`` (never a fetch: nothing here touches a remote),
with the file-system monitor and optional locks off, so reading a checkout cannot start a
program configured in it or write to its index. Without git, outside a repository, or on any git
failure the fields are not known (``None``), never guessed. A remote URL can carry a token
(``https://user:TOKEN@host/...``): only its host and path are kept.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..report.controls.assessed import Revision
from .gate import GIT_TIMEOUT_SECONDS

#: Safe for any checkout: no fsmonitor hook, no pager, no lock taken for a status refresh.
_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "--no-pager")
#: Branch names CI systems check out as a detached HEAD give in their own variables.
_CI_BRANCH_VARIABLES = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME")
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")


def read_revision(target: Path, environ: Mapping[str, str] = os.environ) -> Revision:
    folder = (target if target.is_dir() else target.parent).resolve()
    git = shutil.which("git")
    top = _git(git, folder, "rev-parse", "--show-toplevel") if git else None
    if git is None or top is None:
        return Revision(repository=folder.name)
    top_folder = Path(top)
    remote = _git(git, top_folder, "config", "--get", "remote.origin.url")
    status = _git(git, top_folder, "status", "--porcelain", "--ignore-submodules=dirty")
    return Revision(
        repository=without_credentials(remote) if remote else top_folder.name,
        commit=_git(git, top_folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"),
        branch=_git(git, top_folder, "symbolic-ref", "--short", "--quiet", "HEAD") or _ci_branch(environ),
        uncommitted=None if status is None else bool(status),
    )


def without_credentials(url: str) -> str:
    """A remote URL with any ``user:password@`` removed; scp-style ``git@host:path`` keeps its user
    (a login name, not a secret)."""
    return _USERINFO.sub(lambda match: match.group("scheme"), url.strip())


def _ci_branch(environ: Mapping[str, str]) -> str | None:
    return next((environ[name] for name in _CI_BRANCH_VARIABLES if environ.get(name)), None)


def _git(git: str | None, folder: Path, *args: str) -> str | None:
    """Git's output, stripped; None when git fails or says nothing."""
    if git is None:
        return None
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            [git, *_SAFE, "-C", str(folder), *args], capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=GIT_TIMEOUT_SECONDS, check=False, env=environment,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or ("" if args[0] == "status" else None)
