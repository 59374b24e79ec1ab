"""Paths as code hosts read them: relative to the repository's top, not to the scanned folder.

GitHub code scanning (SARIF), GitHub annotations and GitLab Code Quality each place a finding by its
path in the repository. The scan reports paths relative to its root; these helpers put the root's
own place in the repository in front.
"""

from __future__ import annotations

from pathlib import Path

from ..result import ScanResult


def prefix_under(root: Path, base: Path) -> str | None:
    """``root``'s path under ``base`` as a prefix ("" or "infra/prod/"); None when ``base`` does not hold it."""
    try:
        under = root.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return None
    return "" if under == "." else f"{under}/"


def source_root(result: ScanResult) -> tuple[Path, str]:
    """The folder report paths are relative to (the command line's source root, see
    cli/report_context.py) and the scanned root's prefix under it. A source root that does not
    hold the scanned root is ignored: paths outside it could not be placed."""
    root = result.root.resolve()
    base = result.context.source_root
    prefix = prefix_under(root, base) if base is not None else None
    return (root, "") if base is None or prefix is None else (base.resolve(), prefix)
