"""The scan pipeline: discover → load → recognise → inventory → judge → filter.

One direction, no stage reaching back: every command (scan, inventory, reports) runs this and
reads the result it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config.settings import Settings
from ..discover import Sources, discover
from ..filter.diff import apply_filters
from ..inventory.build import build_inventory
from ..model import Check, ScanError
from ..policy.engine import applicable, judge
from ..policy.loader import Policy, builtin_policy_dir, load_policies
from ..providers import extract_all
from ..result import Filters, ScanResult, ShardReport
from ..secrets.redact import redacted
from ..shard.split import Shard, export_inventory, judged_inventory
from ..support import progress
from ..support.files import recording_inputs
from ..support.process import gc_paused
from ..support.store import Cache
from . import result_cache
from .load import load_project


def load_pack(settings: Settings, extra_dirs: Sequence[Path] = ()) -> list[Policy]:
    return load_policies([builtin_policy_dir(), *settings.policy_dirs, *extra_dirs])


def run_scan(
    paths: Sequence[str],
    settings: Settings,
    policies: list[Policy],
    stdin_text: str | None = None,
    filters: Filters | None = None,
) -> ScanResult:
    """The whole pipeline, or the answer the result cache holds for the same inputs.

    Either way the result is redacted (redact.py): every command renders it, and no string in
    it holds a key, whether it came from a value, a name, a path or the configuration.
    ``filters`` defaults to judging every file with inline suppressions and no baseline.
    """
    filters = filters if filters is not None else Filters()
    with gc_paused():
        sources = discover(list(paths), settings.exclude)
        progress.found(sources.file_count)
        cache = Cache.open(settings.cache_dir) if settings.cache_dir is not None else None
        if cache is None:
            return scan_sources(sources, settings, policies, stdin_text, filters)
        return _cached_scan(cache, sources, settings, policies, stdin_text, filters)


def scan_sources(
    sources: Sources, settings: Settings, policies: list[Policy], stdin_text: str | None, filters: Filters
) -> ScanResult:
    """The pipeline over discovered sources, without the result cache (which calls it on a miss)."""
    errors: list[ScanError] = []
    shard = Shard(*settings.shard) if settings.shard else None
    project, tree_errors, files = load_project(sources, settings, stdin_text, shard, errors)
    extraction = extract_all(project, settings)  # releases each module tree once it is extracted
    errors += tree_errors  # complete now: evaluating the trees may have rejected expressions
    kube_objects, notes = project.kube_objects, sorted(set(project.notes))
    del project
    everything = build_inventory(extraction, settings)
    inventory = everything if shard is None else judged_inventory(everything, shard)
    findings = judge(policies, list(inventory.credentials), settings)
    checks = [Check(p.id, c.address, c.location) for p, c in applicable(policies, inventory.credentials, settings)]
    errors.sort(key=lambda e: (e.file, e.line or 0, e.column or 0))
    result = ScanResult(sources.root, findings, inventory, errors, files, policies, settings, checks, filters, notes=notes)
    if shard is not None:
        result.shard = ShardReport(shard.index, shard.count, export_inventory(everything, shard, settings))
    return redacted(apply_filters(result, kube_objects, sources, stdin_text))


def _cached_scan(
    cache: Cache, sources: Sources, settings: Settings, policies: list[Policy], stdin_text: str | None, filters: Filters
) -> ScanResult:
    key = result_cache.scan_key(sources, settings, policies, filters, stdin_text)
    answer = result_cache.lookup(cache, key)
    if answer is not None:
        # The answer was stored redacted (scan_sources); what this run brings to it is not yet.
        root, policies, settings, filters = redacted((sources.root, policies, settings, filters))
        return ScanResult(
            root, answer.findings, answer.inventory, answer.errors, answer.files_scanned, policies,
            settings, answer.checks, filters, answer.baseline_fixed, answer.shard, notes=answer.notes,
        )
    with recording_inputs() as log:
        result = scan_sources(sources, settings, policies, stdin_text, filters)
    answer = result_cache.Answer(
        result.findings, result.inventory, result.errors, result.files_scanned, result.checks,
        result.baseline_fixed, result.shard, result.notes,
    )
    result_cache.store(cache, key, log, answer)
    return result
