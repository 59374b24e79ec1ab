"""Filter stage: a baseline of accepted findings, so a team can adopt the gate on an existing repo.

``iac-guard baseline create`` records today's failing findings; ``scan --baseline FILE`` then fails
only on findings that are not in it, and reports the recorded ones that are gone as fixed.

A finding is recorded by policy, file, resource and a content fingerprint — never by line, so an
edit that moves a block does not turn an old finding into a new one. The fingerprint hashes the
same fields plus what tells two findings of one policy on one resource apart (the fingerprint of
a hardcoded value); the message is left out on purpose, as some messages change by themselves
(a lifetime counted from today). One entry matches one finding: two identical findings need two
entries, and a second hardcoded key in the same place is new.

Files are recorded relative to the baseline file's folder, so the same baseline serves a scan of
the whole repository, of one folder, or of the files pre-commit passes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import Finding, Suppression
from ..secrets.detect import redact
from ..support.json_text import dumps_json

FORMAT = "iac-guard-baseline"
VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message names the file and the problem."""


def content_fingerprint(finding: Finding, file: str | None = None) -> str:
    """A stable id for a finding that does not depend on its line (SARIF partialFingerprints too).

    It hashes the redacted names: a scan compares baseline entries with findings before the
    command line redacts them (redact.py), and SARIF computes it after. A name without a key is
    hashed as it is, so ordinary fingerprints do not change.
    """
    parts = (finding.policy_id, finding.file if file is None else file, finding.resource, finding.fingerprint or "")
    return hashlib.sha256("\x1f".join(redact(part) for part in parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, order=True)
class BaselineEntry:
    file: str  # relative to the baseline file's folder, forward slashes
    resource: str
    policy_id: str
    fingerprint: str
    title: str = field(default="", compare=False)  # for people reading the file

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.file, self.resource, self.policy_id, self.fingerprint)

    def to_dict(self) -> dict[str, str]:
        return {
            "policy_id": self.policy_id,
            "file": self.file,
            "resource": self.resource,
            "fingerprint": self.fingerprint,
            "title": self.title,
        }


@dataclass(frozen=True)
class Baseline:
    path: Path  # resolved
    entries: tuple[BaselineEntry, ...]

    @property
    def folder(self) -> Path:
        return self.path.parent


def baseline_file(root: Path, file: str, folder: Path) -> str:
    """A finding's file (relative to the scanned root) relative to the baseline's folder."""
    if file.startswith("<"):  # <stdin>: no place on disk
        return file
    return Path(os.path.relpath(root / file, folder)).as_posix()


def entry_for(finding: Finding, root: Path, folder: Path) -> BaselineEntry:
    """The finding as the baseline records it, its names redacted: the file is committed."""
    file = baseline_file(root, finding.file, folder)
    return BaselineEntry(
        redact(file), redact(finding.resource), redact(finding.policy_id), content_fingerprint(finding, file),
        redact(finding.title),
    )


def create(findings: Iterable[Finding], root: Path, path: Path) -> Baseline:
    """A baseline of ``findings`` (the failing ones: a suppressed finding is excused already)."""
    path = path.resolve()
    entries = sorted(entry_for(f, root, path.parent) for f in findings if not f.suppressed)
    return Baseline(path, tuple(entries))


def render(baseline: Baseline) -> str:
    """The file's text: no date and sorted entries, so re-creating an unchanged baseline is no diff."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "generated_by": f"iac-guard {__version__}",
        "findings": [entry.to_dict() for entry in baseline.entries],
    }
    return dumps_json(document)


def load(path: Path) -> Baseline:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a baseline file (not valid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BaselineError(f"{path}: not an iac-guard baseline (create one with: iac-guard baseline create -o {path.name})")
    if document.get("version") != VERSION:
        raise BaselineError(f"{path}: version: this baseline version is not supported (expected {VERSION})")
    raw = document.get("findings")
    if not isinstance(raw, list):
        raise BaselineError(f"{path}: findings: expected a list")
    return Baseline(path.resolve(), tuple(_entry(path, index, item) for index, item in enumerate(raw)))


def _entry(path: Path, index: int, item: Any) -> BaselineEntry:
    keys = ("file", "resource", "policy_id", "fingerprint")
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item.get(k) for k in keys):
        raise BaselineError(f"{path}: findings.{index}: expected policy_id, file, resource and fingerprint strings")
    title = item.get("title")
    return BaselineEntry(item["file"], item["resource"], item["policy_id"], item["fingerprint"], title if isinstance(title, str) else "")


def apply(
    baseline: Baseline, findings: Sequence[Finding], root: Path, judged: Callable[[Path], bool]
) -> tuple[list[Finding], list[BaselineEntry]]:
    """Findings marked new or unchanged (unchanged ones suppressed), and the entries now fixed.
    A finding suppressed inline and not in the baseline is neither (``baseline create`` never
    records one): the findings marked new are exactly the ones the summary counts as new.

    ``judged`` says whether this scan judged a file (an absolute path, or ``<stdin>``) at all: an
    entry for a file that was not scanned (another folder, outside ``--diff-base``) is not fixed.
    """
    remaining = Counter(entry.key for entry in baseline.entries)
    reason = f"recorded in the baseline {baseline.path.name}"
    marked: list[Finding] = []
    for finding in findings:
        key = entry_for(finding, root, baseline.folder).key
        if remaining[key] > 0:
            remaining[key] -= 1
            suppression = finding.suppression if finding.suppressed else Suppression(reason, source="baseline")
            marked.append(replace(finding, baseline_state="unchanged", suppression=suppression))
        elif finding.suppressed:
            marked.append(finding)  # excused inline, so never recorded: neither new nor unchanged
        else:
            marked.append(replace(finding, baseline_state="new"))
    fixed: list[BaselineEntry] = []
    for entry in baseline.entries:
        where = Path(entry.file) if entry.file.startswith("<") else baseline.folder / entry.file
        if remaining[entry.key] > 0 and judged(where):
            remaining[entry.key] -= 1
            fixed.append(entry)
    return marked, fixed
