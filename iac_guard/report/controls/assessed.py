"""What a control report assessed, so an auditor can file it and a reviewer can reproduce it: the
code (repository, commit, branch, uncommitted changes), when, the tool and policy pack, and the
configuration in force (limits, skipped policies, excludes, baseline, what the config weakens).

The code's place in version control is read by the command line (``cli/revision.py``), which may
run git; the scan itself runs no process. A field that could not be read is ``None`` and every
format prints it as not known rather than guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ... import __version__
from ...config.weakenings import LIMIT_KEYS, Weakening
from ...policy.pack import PackIdentity, pack_identity

if TYPE_CHECKING:
    from ...result import ScanResult

NOT_KNOWN = "not known"


@dataclass(frozen=True)
class Revision:
    """The scanned code in version control. ``repository`` is the origin remote's URL without any
    credentials in it, else the scanned folder's name."""

    repository: str
    commit: str | None = None
    branch: str | None = None  # None: a detached HEAD, or not a repository
    uncommitted: bool | None = None  # None: not known (no git, or not a repository)

    @property
    def uncommitted_text(self) -> str:
        if self.uncommitted is None:
            return NOT_KNOWN
        return "yes: the working tree differs from the commit" if self.uncommitted else "no"


@dataclass(frozen=True)
class Configuration:
    """The settings the scan judged with, as a reviewer needs them to reproduce the verdict."""

    scope: str
    limits: tuple[tuple[str, int], ...]  # (setting, value), in LIMIT_KEYS order
    skipped_policies: tuple[str, ...]
    excludes: tuple[str, ...]
    baseline: str | None  # the baseline file's name
    fail_on: str
    soft_fail: bool
    config_file: str | None  # None: the built-in defaults
    config_origin: str | None
    weakenings: tuple[Weakening, ...]


@dataclass(frozen=True)
class Assessed:
    """Everything that identifies one assessment."""

    revision: Revision | None
    generated_at: datetime | None  # with its time zone
    tool_version: str
    pack: PackIdentity
    configuration: Configuration

    @property
    def generated_text(self) -> str:
        return self.generated_at.isoformat(timespec="seconds") if self.generated_at else NOT_KNOWN


def assessed(
    result: ScanResult, revision: Revision | None, generated_at: datetime | None, policy_dirs: Sequence[Path] = ()
) -> Assessed:
    """``policy_dirs``: the packs the command line added to those the config names."""
    dirs = tuple(dict.fromkeys((*(result.settings.policy_dirs if result.settings else ()), *policy_dirs)))
    return Assessed(revision, generated_at, __version__, pack_identity(result.policies, dirs), configuration(result))


def configuration(result: ScanResult) -> Configuration:
    settings = result.settings
    config = settings.config if settings else None
    baseline = result.filters.baseline.path.name if result.filters.baseline else None
    if baseline is None and settings is not None and settings.baseline is not None:
        baseline = f"{settings.baseline.name} (named by the config; not applied: the report judges every finding)"
    return Configuration(
        scope=settings.scope if settings else "ai",
        limits=tuple((key, getattr(settings, key)) for key in LIMIT_KEYS) if settings else (),
        skipped_policies=tuple(settings.skip_policies) if settings else (),
        excludes=tuple(settings.exclude) if settings else (),
        baseline=baseline,
        fail_on=settings.fail_on if settings else result.filters.fail_on,
        soft_fail=settings.soft_fail if settings else result.filters.soft_fail,
        config_file=config.file if config else None,
        config_origin=config.origin if config else None,
        weakenings=config.weakenings if config else (),
    )


def identity_rows(assessed: Assessed) -> list[tuple[str, str]]:
    """The assessment's identity as (label, text) rows, the same in every format."""
    revision = assessed.revision
    pack = assessed.pack
    return [
        ("repository", revision.repository if revision else NOT_KNOWN),
        ("commit", (revision.commit if revision else None) or NOT_KNOWN),
        ("branch", (revision.branch if revision else None) or ("detached HEAD" if revision and revision.commit else NOT_KNOWN)),
        ("uncommitted changes", revision.uncommitted_text if revision else NOT_KNOWN),
        ("generated", assessed.generated_text),
        ("tool", f"iac-guard {assessed.tool_version}"),
        ("policy pack", f"{pack.policies} policies from {', '.join(pack.sources)}, sha256:{pack.digest}"),
    ]


def configuration_rows(config: Configuration) -> list[tuple[str, str]]:
    """The configuration in force as (setting, value) rows; weakenings are listed after them."""
    rows = [("scope", "AI credentials" if config.scope == "ai" else "all credentials")]
    rows += [(key, str(value)) for key, value in config.limits]
    rows += [
        ("skipped policies", ", ".join(config.skipped_policies) or "none"),
        ("excludes", ", ".join(config.excludes) or "none"),
        ("baseline", config.baseline or "none"),
        ("fail_on", config.fail_on),
        ("soft_fail", "yes" if config.soft_fail else "no"),
        ("config file", f"{config.config_file} ({config.config_origin})" if config.config_file else "none: built-in defaults"),
    ]
    return rows
