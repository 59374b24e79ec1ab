"""The filter stage: judge only the changed files (``--diff-base``), then inline suppressions,
then the baseline.

Thresholds need no pass of their own: ``ScanResult.gating`` reads ``fail_on``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config.settings import Settings
from ..discover import Sources
from ..kubernetes.objects import KubeObject
from ..model import Location, ScanError
from ..result import STDIN_NAME, ScanResult
from .baseline import apply as apply_baseline
from .suppress import apply_suppressions


def apply_filters(result: ScanResult, kube_objects: list[KubeObject], sources: Sources, stdin_text: str | None) -> ScanResult:
    """The result with the findings the filters excuse marked, and those out of the diff dropped."""
    filters, root = result.filters, result.root
    changed = filters.changed_files
    if changed is not None:
        result.findings = [f for f in result.findings if judged_in_diff(root, changed, f.file, f.resource_location)]
        result.checks = [c for c in result.checks if judged_in_diff(root, changed, c.location.file)]
    if filters.inline_suppressions:
        texts = {STDIN_NAME: stdin_text} if stdin_text is not None else {}
        unread: list[ScanError] = []
        settings = result.settings or Settings()
        # A shard cannot tell an unused suppression: merge may judge its credential again (sharing).
        checks = None if settings.shard else result.checks
        result.findings = apply_suppressions(
            result.findings, root, kube_objects, result.policies, settings, texts, unread, checks=checks
        )
        # A file the loader already refused is reported once, not again for its suppressions.
        result.errors += [e for e in unread if e not in result.errors]
        result.errors.sort(key=lambda e: (e.file, e.line or 0, e.column or 0))
    if filters.baseline is not None:
        judged = _judged_by_scan(sources, root, changed)
        result.findings, result.baseline_fixed = apply_baseline(filters.baseline, result.findings, root, judged)
    return result


def _judged_by_scan(sources: Sources, root: Path, changed: frozenset[Path] | None) -> Callable[[Path], bool]:
    """Whether this scan judged a file: the baseline reports as fixed only entries of such files."""
    groups = (*sources.terraform.values(), *sources.tfvars.values(), sources.yaml, sources.kustomizations, sources.plans)
    scanned = {path.resolve() for group in groups for path in group}

    def judged(path: Path) -> bool:
        if path.name == STDIN_NAME:
            return sources.read_stdin
        resolved = path.resolve()
        on_disk = resolved in scanned or (not resolved.exists() and resolved.is_relative_to(root))
        return on_disk and (changed is None or resolved in changed)

    return judged


def judged_in_diff(root: Path, changed: frozenset[Path], file: str, resource: Location | None = None) -> bool:
    """A finding is judged when its file or its credential's file is among the changed files."""
    if file == STDIN_NAME:
        return True
    files = [file] + ([resource.file] if resource is not None else [])
    return any((root / name).resolve() in changed for name in files)
