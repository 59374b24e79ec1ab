"""The scanned code's place in version control, for the control report's "what was assessed":
repository, commit, branch, and whether the working tree differs from the commit.

Read after the scan by running the local ``git`` (never a fetch: nothing here touches a remote),
with the file-system monitor and optional locks off, so reading a checkout cannot start a
program configured in it or write to its index. Where git will not run or refuses the checkout
(a CI container whose checkout another user owns: git's "dubious ownership"), the commit, branch
and remote are read from the ``.git`` files themselves and whether the tree differs stays not
known; outside a repository every field is not known (``None``), never guessed. A remote URL can
carry a token (``https://user:TOKEN@host/...``): only its host and path are kept.
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
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: git metadata files are small; packed-refs of a large repository stays well under this.
_MAX_METADATA_BYTES = 16 * 1024 * 1024
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")


def read_revision(target: Path, environ: Mapping[str, str] = os.environ) -> Revision:
    folder = (target if target.is_dir() else target.parent).resolve()
    git = shutil.which("git")
    top = _git(git, folder, "rev-parse", "--show-toplevel") if git else None
    if git is None or top is None:
        return _from_files(folder, environ)
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


def _from_files(folder: Path, environ: Mapping[str, str]) -> Revision:
    """The revision from the ``.git`` folder (or a worktree's ``.git`` file) above ``folder``."""
    top = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
    git_dir = _git_dir(top / ".git") if top else None
    if top is None or git_dir is None:
        return Revision(repository=folder.name)
    common = git_dir
    if (git_dir / "commondir").is_file():
        common = (git_dir / _read(git_dir / "commondir")).resolve()
    head = _read(git_dir / "HEAD")
    branch = head[len("ref: refs/heads/"):] if head.startswith("ref: refs/heads/") else None
    commit = _ref(common, f"refs/heads/{branch}") if branch else (head if _SHA.fullmatch(head) else None)
    remote = _origin_url(_read(common / "config"))
    return Revision(repository=without_credentials(remote) if remote else top.name, commit=commit, branch=branch or _ci_branch(environ))


def _git_dir(dot_git: Path) -> Path | None:
    if dot_git.is_dir():
        return dot_git
    pointer = _read(dot_git)
    if pointer.startswith("gitdir: "):
        found = (dot_git.parent / pointer[len("gitdir: "):]).resolve()
        return found if found.is_dir() else None
    return None


def _ref(common: Path, name: str) -> str | None:
    loose = _read(common / name)
    if _SHA.fullmatch(loose):
        return loose
    for line in _read(common / "packed-refs").splitlines():
        sha, _, ref = line.partition(" ")
        if ref == name and _SHA.fullmatch(sha):
            return sha
    return None


def _origin_url(config: str) -> str | None:
    """``url`` of ``[remote "origin"]`` in a git config file's text."""
    section = ""
    for raw in config.splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
        elif section == '[remote "origin"]' and line.split("=", 1)[0].strip() == "url" and "=" in line:
            return line.split("=", 1)[1].strip() or None
    return None


def _read(path: Path) -> str:
    """A small git metadata file's text, stripped; "" when it cannot be read."""
    if not path.is_file():  # never open a FIFO or device a checkout could hold
        return ""
    try:
        with path.open("rb") as handle:
            return handle.read(_MAX_METADATA_BYTES).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""


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
