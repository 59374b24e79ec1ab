"""The load stage of a scan: every file parsed once (from the parse cache, then in parallel), the
Terraform module trees built, plans, manifests and standard input read, into one ``Project``."""

from __future__ import annotations

import os
from pathlib import Path

from ..config.settings import Settings
from ..discover import Sources, discover, module_files
from ..kubernetes.helm import HelmValues, load_values, templates_note
from ..kubernetes.kustomize import load_kustomized
from ..load.app_files import load_app_files
from ..load.loader import FileLoader, file_loader
from ..model import ScanError, ScanNote
from ..providers import DATA_SOURCES
from ..providers.project import Project
from ..shard.split import Shard, scan_files, shard_file_count
from ..support import progress
from ..terraform.loader import load_modules
from ..terraform.module import Module
from ..terraform.syntax.plan import load_plan, source_blocks
from ..terraform.variables import given_variables
from ..terraform.view import Resource
from .stdin import read_stdin


def load_project(
    sources: Sources, settings: Settings, stdin_text: str | None, shard: Shard | None, errors: list[ScanError]
) -> tuple[Project, list[ScanError], int]:
    """Everything the recognizers read, the module trees' errors (kept apart: they are complete
    only once extraction has evaluated the trees) and the files this scan or shard counts.

    The parse results are dropped once the trees are built and the manifests taken: the syntax
    trees then live only in the trees that use them, and are freed root module by root module as
    extraction releases them."""
    loader = file_loader(settings)
    loader.preload(scan_files(sources, shard, settings.max_file_bytes))  # one pass: cached, then in parallel
    variables = given_variables(settings, sources, errors)
    modules, tree_errors = load_modules(
        sources, DATA_SOURCES, variables, loader, shard.owns if shard else None,
        (settings.max_module_instances, settings.max_resource_instances),
    )
    plans, plan_notes = _plans(sources, settings, errors, loader, shard)
    modules += plans
    errors += sources.errors
    stdin_modules, stdin_objects = read_stdin(sources, settings, stdin_text, errors) if sources.read_stdin else ([], [])
    project = Project(sources.root, modules + stdin_modules)
    objects, yaml_errors, project.notes = load_kustomized(
        sources.root, [(p, sources.relative(p)) for p in sources.yaml],
        [(p, sources.relative(p)) for p in sources.kustomizations], loader.kubernetes, settings.max_file_bytes,
    )
    project.kube_objects += objects
    errors += yaml_errors
    project.app_files = load_app_files(sources, settings.max_file_bytes, errors)
    project.helm_values = _helm_values(sources, settings, errors)
    project.notes += [templates_note(chart, len(files)) for chart, files in sorted(sources.helm_templated.items())]
    project.notes += plan_notes
    loader.forget()
    progress.all_parsed()
    files = sources.file_count if shard is None else shard_file_count(sources, shard)
    if sources.read_stdin:
        project.kube_objects += stdin_objects
        files += 1 if shard is None else 0
    return project, tree_errors, files


def _helm_values(sources: Sources, settings: Settings, errors: list[ScanError]) -> list[HelmValues]:
    """The charts' values files; one that does not parse is a scan error like any YAML file."""
    found = []
    for path in sources.helm_values:
        values = load_values(path, sources.relative(path), settings.max_file_bytes)
        if isinstance(values, ScanError):
            errors.append(values)
        elif values is not None:
            found.append(values)
    return found


def _plans(
    sources: Sources, settings: Settings, errors: list[ScanError], loader: FileLoader, shard: Shard | None = None
) -> tuple[list[Module], list[ScanNote]]:
    """Plan JSON files as module trees, and a note for each that ``--tf-dir`` lends nothing to."""
    if not sources.plans:
        return [], []
    blocks = _tf_dir_blocks(sources, settings, errors, loader)
    plans, notes = [], []
    for path in sources.plans:
        relative = sources.relative(path)
        if shard is not None and not shard.owns(relative):
            continue
        module, plan_errors = load_plan(path, relative, DATA_SOURCES, blocks, settings.max_file_bytes)
        errors += plan_errors
        if module is None:
            continue
        plans.append(module)
        planned = (*module.resources, *module.data)
        if settings.tf_dir is not None and planned and not any(r.file != relative for r in planned):
            notes.append(ScanNote(relative, f"--tf-dir {settings.tf_dir} holds none of this plan's resources: its findings point at the plan, not at .tf lines (give the folder the plan was made from)"))
    return plans, notes


def _tf_dir_blocks(sources: Sources, settings: Settings, errors: list[ScanError], loader: FileLoader) -> dict[str, Resource]:
    """The ``.tf`` blocks of ``--tf-dir`` by address. Only what the plan's configuration is made
    of is read: the folder's own files as the root module, and the module folders its calls
    reach (local sources, ``.terraform/modules`` copies), never every ``.tf`` file below it."""
    if settings.tf_dir is None:
        return {}
    tf_sources = discover([str(p) for p in module_files(settings.tf_dir)], settings.exclude, root=_tf_root(sources.root, settings.tf_dir))
    tf_modules, tf_errors = load_modules(
        tf_sources, DATA_SOURCES, loader=loader, max_instances=(settings.max_module_instances, settings.max_resource_instances)
    )
    errors += tf_errors
    return source_blocks(tf_modules)


def _tf_root(root: Path, tf_dir: Path) -> Path:
    """What ``--tf-dir``'s file names are relative to and its module calls may read in: the scan's
    root when the folder is inside it, else the folder both are in (``scan out/plan.json --tf-dir
    infra``: names as ``infra/…``, and ``infra``'s modules readable)."""
    folder = tf_dir.resolve()
    return root if folder.is_relative_to(root) else Path(os.path.commonpath([root, folder]))
