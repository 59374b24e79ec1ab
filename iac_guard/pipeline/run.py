"""The scan pipeline: discover → load → resolve → extract → inventory → check → filter.

One direction, no stage reaching back: every command (scan, inventory, reports) runs this and
reads the result it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.settings import Settings
from ..discover import EXPECTED_KINDS, Sources, discover
from ..inventory.build import Inventory, build_inventory
from ..kubernetes.kustomize import load_kustomized
from ..model import SEVERITY_ORDER, Check, Finding, Location, ScanError
from ..providers.project import Project
from ..secrets.redact import redacted

if TYPE_CHECKING:
    from ..filter.baseline import Baseline, BaselineEntry
    from ..filter.trust import AddedLines
    from ..kubernetes.objects import KubeObject
    from ..load.parse_cache import Cache
    from ..load.pool import FileLoader
    from ..policy.loader import Policy
    from ..shard.merge import Shard
    from ..terraform.module import Module

STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Filters:
    """The filter stage's inputs from the command line: what is excused, what is judged, what fails."""

    inline_suppressions: bool = True  # --no-ignore turns them off
    baseline: Baseline | None = None
    #: Resolved paths of the files to judge (``--diff-base``); None judges every scanned file.
    changed_files: frozenset[Path] | None = None
    fail_on: str = "low"  # the lowest severity that fails the gate
    soft_fail: bool = False  # findings never fail the gate (errors still do)


@dataclass
class ScanResult:
    root: Path
    findings: list[Finding]
    inventory: Inventory
    errors: list[ScanError]
    files_scanned: int
    policies: list[Policy] = field(default_factory=list)
    #: The settings the scan ran with (scope, skipped policies, the day): reports and the
    #: inventory say what was judged, not only what failed.
    settings: Settings | None = None
    #: Every (policy, credential) pair judged, failing or not, in the judged files.
    checks: list[Check] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    #: Baseline entries no finding matched any more: fixed since the baseline was made.
    baseline_fixed: list[BaselineEntry] = field(default_factory=list)
    #: With ``--shard``: which shard, and the inventory ``iac-guard merge`` needs (merge.py).
    shard: ShardReport | None = None
    #: With ``--diff-base``: the lines the change added to files holding inline suppressions,
    #: so reports list the suppressions it added (set by the command line after the scan).
    added_lines: AddedLines | None = None

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def gating(self) -> list[Finding]:
        """Failing findings at or above ``--fail-on``: the ones that fail the gate."""
        threshold = SEVERITY_ORDER[self.filters.fail_on]
        return [f for f in self.failing if SEVERITY_ORDER.get(f.severity, 0) >= threshold]

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read (fail closed, even with --soft-fail), else 1 for
        failing findings at or above the threshold (unless --soft-fail), else 0."""
        if self.errors:
            return 2
        return 1 if self.gating and not self.filters.soft_fail else 0


@dataclass(frozen=True)
class ShardReport:
    index: int
    count: int
    inventory: dict


def load_pack(settings: Settings, extra_dirs: Sequence[Path] = ()) -> list[Policy]:
    from ..policy.loader import builtin_policy_dir, load_policies

    return load_policies([builtin_policy_dir(), *settings.policy_dirs, *extra_dirs])


def _plans(
    sources: Sources, settings: Settings, errors: list[ScanError], loader: FileLoader, shard: Shard | None = None
) -> list[Module]:
    """Plan JSON files as module trees; their source folder (``--tf-dir``) only lends lines."""
    if not sources.plans:
        return []
    from ..providers import DATA_SOURCES
    from ..terraform.loader import load_modules
    from ..terraform.syntax.plan import load_plan, source_blocks

    blocks = {}
    if settings.tf_dir is not None:
        tf_sources = discover([str(settings.tf_dir)], settings.exclude, root=sources.root)
        tf_modules, tf_errors = load_modules(
            tf_sources, DATA_SOURCES, loader=loader, max_instances=(settings.max_module_instances, settings.max_resource_instances)
        )
        errors += tf_errors
        blocks = source_blocks(tf_modules)
    plans = []
    for path in sources.plans:
        if shard is not None and not shard.owns(sources.relative(path)):
            continue
        module, plan_errors = load_plan(path, sources.relative(path), DATA_SOURCES, blocks, settings.max_file_bytes)
        errors += plan_errors
        if module is not None:
            plans.append(module)
    return plans


def run_scan(
    paths: Sequence[str],
    settings: Settings,
    policies: list[Policy],
    stdin_text: str | None = None,
    filters: Filters = Filters(),
) -> ScanResult:
    """The whole pipeline, or the answer the result cache holds for the same inputs.

    Either way the result is redacted (redact.py): every command renders it, and no string in
    it holds a key, whether it came from a value, a name, a path or the configuration.
    """
    from ..load.pool import gc_paused

    with gc_paused():
        sources = discover(list(paths), settings.exclude)
        cache = _result_cache(settings)
        if cache is None:
            return _run_scan(sources, settings, policies, stdin_text, filters)
        from ..support.files import recording_inputs
        from . import result_cache

        key = result_cache.scan_key(sources, settings, policies, filters, stdin_text)
        answer = result_cache.lookup(cache, key)
        if answer is not None:
            # The answer was stored redacted (_run_scan); what this run brings to it is not yet.
            root, policies, settings, filters = redacted((sources.root, policies, settings, filters))
            return ScanResult(
                root, answer.findings, answer.inventory, answer.errors, answer.files_scanned, policies,
                settings, answer.checks, filters, answer.baseline_fixed, answer.shard,
            )
        with recording_inputs() as log:
            result = _run_scan(sources, settings, policies, stdin_text, filters)
        answer = result_cache.Answer(
            result.findings, result.inventory, result.errors, result.files_scanned, result.checks,
            result.baseline_fixed, result.shard,
        )
        result_cache.store(cache, key, log, answer)
        return result


def _result_cache(settings: Settings) -> Cache | None:
    from ..load.parse_cache import Cache

    return Cache.open(settings.cache_dir) if settings.cache_dir is not None else None


def _run_scan(
    sources: Sources, settings: Settings, policies: list[Policy], stdin_text: str | None, filters: Filters
) -> ScanResult:
    from ..load.pool import file_loader, scan_files
    from ..policy.engine import applicable, evaluate
    from ..providers import DATA_SOURCES, extract_all
    from ..shard.merge import Shard, export_inventory, judged_inventory, shard_file_count
    from ..terraform.loader import load_modules
    from ..terraform.variables import given_variables

    errors: list[ScanError] = []
    shard = Shard(*settings.shard) if settings.shard else None
    loader = file_loader(settings)
    loader.preload(scan_files(sources, shard, settings.max_file_bytes))  # one pass: cached, then in parallel
    variables = given_variables(settings, sources, errors)
    modules, load_errors = load_modules(
        sources, DATA_SOURCES, variables, loader, shard.owns if shard else None,
        (settings.max_module_instances, settings.max_resource_instances),
    )
    modules += _plans(sources, settings, errors, loader, shard)
    errors += sources.errors
    stdin_modules, stdin_objects = _stdin(sources, settings, stdin_text, errors) if sources.read_stdin else ([], [])
    project = Project(sources.root, modules + stdin_modules)
    objects, yaml_errors = load_kustomized(
        sources.root, [(p, sources.relative(p)) for p in sources.yaml],
        [(p, sources.relative(p)) for p in sources.kustomizations], loader.kubernetes, settings.max_file_bytes,
    )
    project.kube_objects += objects
    errors += yaml_errors
    loader.forget()
    files = sources.file_count if shard is None else shard_file_count(sources, shard)
    if sources.read_stdin:
        project.kube_objects += stdin_objects
        files += 1 if shard is None else 0
    extraction = extract_all(project, settings)  # releases each module tree once it is extracted
    errors += load_errors  # complete now: evaluating the trees may have rejected expressions
    kube_objects = project.kube_objects
    del project, modules, loader
    everything = build_inventory(extraction)
    inventory = everything if shard is None else judged_inventory(everything, shard)
    findings = evaluate(policies, list(inventory.credentials), settings)  # sorted by the engine
    checks = [Check(p.id, c.address, c.location) for p, c in applicable(policies, inventory.credentials, settings)]
    errors.sort(key=lambda e: (e.file, e.line or 0, e.column or 0))
    result = ScanResult(sources.root, findings, inventory, errors, files, policies, settings, checks, filters)
    if shard is not None:
        result.shard = ShardReport(shard.index, shard.count, export_inventory(everything, shard, settings))
    return redacted(_filter(result, kube_objects, sources, stdin_text))


def _stdin(
    sources: Sources, settings: Settings, text: str | None, errors: list[ScanError]
) -> tuple[list[Module], list[KubeObject]]:
    """Standard input as the kind the command line settled on (``--stdin-kind``, or told by
    content). Terraform from a pipe is one root module of one file, ``<stdin>``: it has no folder,
    so its local module calls and ``file()`` reads stay unknown. Input that holds nothing of its
    kind is an error: a pipe from the wrong command must not pass as a clean scan."""
    from ..providers import DATA_SOURCES

    text = text or ""
    if settings.stdin_kind == "terraform":
        from ..terraform.module import Module
        from ..terraform.syntax.parse import parse_json_text, parse_text

        parse = parse_json_text if text.lstrip("\ufeff \t\r\n").startswith("{") else parse_text
        parsed = parse(text, STDIN_NAME)
        if isinstance(parsed, ScanError):
            errors.append(parsed)
            return [], []
        return [Module(STDIN_NAME, [parsed], {}, DATA_SOURCES, root_path=sources.root)], []
    if settings.stdin_kind == "plan":
        from ..terraform.syntax.plan import plan_from_bytes

        module, plan_errors = plan_from_bytes(text.encode("utf-8"), STDIN_NAME, DATA_SOURCES)
        errors += plan_errors
        return ([module] if module is not None else []), []
    from ..kubernetes.loader import load_kube_text

    objects, yaml_errors = load_kube_text(text, STDIN_NAME)
    errors += yaml_errors
    if not objects and not yaml_errors:
        errors.append(ScanError(STDIN_NAME, f"standard input holds no Kubernetes object (apiVersion and kind); expected {EXPECTED_KINDS}"))
    return [], objects


def _filter(result: ScanResult, kube_objects: list[KubeObject], sources: Sources, stdin_text: str | None) -> ScanResult:
    """The filter stage: judge only the changed files, then inline suppressions, then the baseline.

    Thresholds need no pass of their own: ``ScanResult.gating`` reads ``fail_on``.
    """
    from ..filter.baseline import apply as apply_baseline
    from ..filter.suppress import apply_suppressions

    filters, root = result.filters, result.root
    changed = filters.changed_files
    if changed is not None:
        result.findings = [f for f in result.findings if _judged(root, changed, f.file, f.resource_location)]
        result.checks = [c for c in result.checks if _judged(root, changed, c.location.file)]
    if filters.inline_suppressions:
        texts = {STDIN_NAME: stdin_text} if stdin_text is not None else {}
        result.findings = apply_suppressions(
            result.findings, root, kube_objects, result.policies, result.settings or Settings(), texts
        )
    if filters.baseline is not None:
        groups = (*sources.terraform.values(), *sources.tfvars.values(), sources.yaml, sources.kustomizations, sources.plans)
        scanned = {path.resolve() for group in groups for path in group}

        def judged(path: Path) -> bool:
            if path.name == STDIN_NAME:
                return sources.read_stdin
            resolved = path.resolve()
            on_disk = resolved in scanned or (not resolved.exists() and resolved.is_relative_to(root))
            return on_disk and (changed is None or resolved in changed)

        result.findings, result.baseline_fixed = apply_baseline(filters.baseline, result.findings, root, judged)
    return result


def _judged(root: Path, changed: frozenset[Path], file: str, resource: Location | None = None) -> bool:
    """A finding is judged when its file or its credential's file is among the changed files."""
    if file == STDIN_NAME:
        return True
    files = [file] + ([resource.file] if resource is not None else [])
    return any((root / name).resolve() in changed for name in files)
