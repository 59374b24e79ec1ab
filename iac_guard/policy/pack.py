"""Which policy pack judged a scan, for evidence: the packs by name and one digest of the policy
files as loaded, so two reports that name the same digest were judged by the same rules (a pack
has no version of its own; the built-in one ships with the tool's)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from .loader import Policy, builtin_policy_dir

DIGEST_LENGTH = 16


@dataclass(frozen=True)
class PackIdentity:
    policies: int
    sources: tuple[str, ...]  # "built-in pack of iac-guard 0.1.0", "pack acme"
    digest: str  # hex, the first DIGEST_LENGTH characters of a sha256


def pack_identity(policies: Sequence[Policy], policy_dirs: Sequence[Path] = ()) -> PackIdentity:
    """The packs behind ``policies`` and a digest over each policy's id and file content, in id order."""
    digest = hashlib.sha256()
    for policy in sorted(policies, key=lambda p: p.id):
        digest.update(policy.id.encode("utf-8") + b"\0" + _content(policy.source) + b"\0")
    builtin = builtin_policy_dir()
    sources = [f"built-in pack of iac-guard {__version__}"] if any(_under(p.source, builtin) for p in policies) else []
    sources += [f"pack {folder.name}" for folder in policy_dirs if any(_under(p.source, folder) for p in policies)]
    return PackIdentity(len(policies), tuple(dict.fromkeys(sources)), digest.hexdigest()[:DIGEST_LENGTH])


def _content(path: Path) -> bytes:
    """A policy's file as it is now; a file gone since it was loaded hashes as its name alone."""
    try:
        return path.read_bytes()
    except OSError:
        return path.name.encode("utf-8")


def _under(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
