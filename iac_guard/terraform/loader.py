"""Builds the Terraform module trees of a scan: one root module per folder of ``.tf`` files that
is not judged through the calls that reach it (``roots.py`` decides which), with its tfvars
applied and its local modules loaded.

A folder a judged root module reaches as a module is not judged again as a root with its
defaults: its resources are judged through each call, with the inputs that call passes.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..discover import Sources
from ..load.loader import FileLoader
from ..load.parsing import TERRAFORM
from ..model import Location, ScanError
from ..support.files import read_input, regular_files
from .budget import Budget
from .evaluate import literal_evaluator
from .expansion import MAX_MODULE_INSTANCES, MAX_RESOURCE_INSTANCES, Expansion
from .module import DataSourceEvaluator, Module, VariableValue
from .roots import (
    Calls,
    ModuleCall,
    cycle_errors,
    declares_modules,
    is_local,
    module_calls,
    needs_evaluation,
    source_folders,
    static_reach,
)
from .syntax.parse import TerraformFile


class _Folders:
    """Parsed ``.tf`` files per folder, parsed once however many calls use the folder.

    ``owned`` (a sharded scan) limits which discovered folders are parsed up front; the others
    are parsed when a module call needs them, and only their module-declaring files are read to
    know which folders are called."""

    def __init__(
        self, sources: Sources, errors: list[ScanError], loader: FileLoader, owned: Callable[[str], bool] | None = None
    ) -> None:
        self.sources = sources
        self.errors = errors
        self.loader = loader
        self._parsed: dict[str, list[TerraformFile]] = {}
        chosen = [d for d in sorted(sources.terraform) if owned is None or owned(d)]
        loader.preload((TERRAFORM, path, sources.relative(path)) for directory in chosen for path in sources.terraform[directory])
        for directory in chosen:
            self._parsed[directory] = self._parse(sources.terraform[directory])

    def calls(self, folder: str) -> list[ModuleCall]:
        """Local module calls of a discovered folder, parsing only what can declare them."""
        if folder in self._parsed:
            return module_calls(folder, self._parsed[folder])
        limit = self.loader.options.max_file_bytes
        declaring = [path for path in self.sources.terraform.get(folder, []) if declares_modules(path, limit)]
        parsed = [self.loader.terraform(path, self.sources.relative(path)) for path in declaring]
        return module_calls(folder, [f for f in parsed if not isinstance(f, ScanError)])

    def prefetch(self, folders: Iterable[str]) -> None:
        """Parse the discovered files of these folders in one pass (in parallel when worth it)."""
        self.loader.preload(
            (TERRAFORM, path, self.sources.relative(path))
            for folder in folders if folder not in self._parsed for path in self.sources.terraform.get(folder, [])
        )

    def _parse(self, paths: list[Path]) -> list[TerraformFile]:
        files = []
        for path in paths:
            parsed = self.loader.terraform(path, self.sources.relative(path))
            if isinstance(parsed, ScanError):
                self.errors.append(parsed)
            else:
                files.append(parsed)
        return files

    def forget(self) -> None:
        """Drops the parsed files: module calls are loaded while trees are built, never after."""
        self._parsed.clear()

    @property
    def scanned(self) -> list[str]:
        return sorted(self.sources.terraform)

    def files(self, folder: str) -> list[TerraformFile] | None:
        """Files of a folder inside the scanned root, parsed on first use: a discovered folder's
        discovered files (as in a scan that parsed it up front), else (under .terraform/, or
        excluded) the folder's files."""
        if folder not in self._parsed and folder in self.sources.terraform:
            self._parsed[folder] = self._parse(self.sources.terraform[folder])
        if folder not in self._parsed:
            path = (self.sources.root / folder).resolve()
            try:
                path.relative_to(self.sources.root)
            except ValueError:
                return None  # never read outside the scanned root
            found = regular_files(path, (".tf", ".tf.json"))
            if found is None:
                return None
            self._parsed[folder] = self._parse(found)
        return self._parsed[folder]


def load_modules(
    sources: Sources,
    data_sources: Mapping[str, DataSourceEvaluator],
    variables: Mapping[str, VariableValue] | None = None,
    loader: FileLoader | None = None,
    owned: Callable[[str], bool] | None = None,
    max_instances: tuple[int, int] = (MAX_MODULE_INSTANCES, MAX_RESOURCE_INSTANCES),
) -> tuple[list[Module], list[ScanError]]:
    """Root module trees, in folder order, and the files that could not be read or loaded.
    ``variables`` (from ``--var-file`` / ``--var``) apply to every root, over its auto-loaded
    tfvars. ``loader`` parses the files (parallel, cached, size-limited; default: in-process).
    ``owned`` (``--shard``) keeps only the root modules whose folder it accepts; which folders
    are roots is still decided over every discovered folder, as without it (roots.py). Each
    root's evaluation budget reports into the returned errors as the trees are evaluated, i.e.
    until they are extracted. ``max_instances``: module and repeated resource instances each
    root's tree may hold (expansion.py)."""
    errors: list[ScanError] = []
    loader = loader or FileLoader()
    folders = _Folders(sources, errors, loader, owned)
    calls = {folder: folders.calls(folder) for folder in folders.scanned}
    errors += [error for folder, error in cycle_errors(calls) if owned is None or owned(folder)]
    build = _Build(sources, folders, data_sources, variables or {}, loader, owned, max_instances, calls, errors)
    undecided = set(folders.scanned)
    while undecided:
        roots = source_folders(undecided, calls)
        build.wave(roots)
        undecided -= set(roots) | build.reached
    folders.forget()  # every tree is built: each keeps its own files, and frees them when released
    build.modules.sort(key=lambda module: module.directory)
    return build.modules, errors


@dataclass
class _Build:
    """What one ``load_modules`` call builds from, and what it has built and reached so far."""

    sources: Sources
    folders: _Folders
    data_sources: Mapping[str, DataSourceEvaluator]
    variables: Mapping[str, VariableValue]
    loader: FileLoader
    owned: Callable[[str], bool] | None
    max_instances: tuple[int, int]
    calls: Calls
    errors: list[ScanError]
    modules: list[Module] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)

    def wave(self, roots: list[str]) -> None:
        """Builds the trees of ``roots`` (folders no undecided folder calls): this shard's, and the
        others' whose evaluation decides what they reach (roots.py)."""
        for root in roots:
            self.reached |= static_reach(root, self.calls)
        if self.owned is not None:
            self.folders.prefetch(_reachable([root for root in roots if self.owned(root)], self.calls))
        for root in roots:
            self._root(root)

    def _root(self, root: str) -> None:
        mine = self.owned is None or self.owned(root)
        evaluate = needs_evaluation(root, self.calls, self.reached)
        if not (mine or evaluate):
            return
        module = self._module(root, self.errors if mine else [])
        if evaluate:
            self.reached |= {instance.folder for instance in module.instances()} - {root}
        if mine:
            self.modules.append(module)
            self.errors += module.expansion.errors
        else:
            module.release()  # built only to know what it reaches: its shard judges it

    def _module(self, directory: str, errors: list[ScanError]) -> Module:
        tfvars = _load_tfvars(self.sources, self.sources.tfvars.get(directory, []), errors, self.loader)
        tfvars.update(self.variables)
        return Module(
            directory, self.folders.files(directory) or [], tfvars, self.data_sources,
            load_source=_source_loader(self.folders), root_path=self.sources.root, budget=Budget(errors.append),
            expansion=Expansion(*self.max_instances),
        )


def _reachable(roots: list[str], calls: Calls) -> list[str]:
    """The discovered folders these roots call, directly or through other modules."""
    seen: set[str] = set()
    pending = [call.target for root in roots for call in calls.get(root, ())]
    while pending:
        folder = pending.pop()
        if folder not in seen:
            seen.add(folder)
            pending.extend(call.target for call in calls.get(folder, ()))
    return sorted(seen)


def _source_loader(folders: _Folders):
    def load(source: str, name: str, caller: Module) -> tuple[str, list[TerraformFile]] | None:
        folder: str | None
        if is_local(source):
            folder = posixpath.normpath(posixpath.join(caller.folder, source))
        else:
            folder = _downloaded_module(folders.sources.root, caller, name)
            if folder is None:
                return None
        chain = _call_chain(caller)
        if folder in chain:
            _report_unseen_cycle(folders, caller, name, chain[: chain.index(folder) + 1])
            return None  # the call back into the chain: the folders on it are judged once each
        files = folders.files(folder)
        return (folder, files) if files is not None else None

    return load


def _call_chain(module: Module) -> list[str]:
    """The folders from this instance up to its root module."""
    chain = []
    current: Module | None = module
    while current is not None:
        chain.append(current.folder)
        current = current.parent
    return chain


def _report_unseen_cycle(folders: _Folders, caller: Module, name: str, cycle: list[str]) -> None:
    """A cycle through a folder that was not discovered (a downloaded copy, an excluded folder):
    roots.cycle_errors reports those among discovered folders, from the code alone."""
    if all(folder in folders.sources.terraform for folder in cycle):
        return
    site = next(
        ((f.path, b.line) for f in caller.files for b in f.body.blocks_of("module") if b.labels == (name,)), (caller.folder, None)
    )
    path = " → ".join([*reversed(cycle), cycle[-1]])
    caller.expansion.report(ScanError(
        site[0],
        f'module calls form a cycle: {path} (module "{name}"); Terraform cannot load it, so the call back into '
        "the cycle is left out",
        site[1],
    ))


def _downloaded_module(root: Path, caller: Module, name: str) -> str | None:
    """A registry or git module that ``terraform init`` already downloaded: its copy, as listed in
    the root's ``.terraform/modules/modules.json``. Nothing is ever downloaded here."""
    manifest = root / caller.directory / ".terraform" / "modules" / "modules.json"
    data = read_input(manifest, manifest.name)
    if isinstance(data, ScanError):
        return None
    try:
        entries = json.loads(data.decode("utf-8")).get("Modules", [])
    except (ValueError, AttributeError, RecursionError):
        return None
    key = ".".join((*caller.call_path, name))
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("Key") == key and isinstance(entry.get("Dir"), str):
            return posixpath.normpath(posixpath.join(caller.directory, entry["Dir"]))
    return None


def _load_tfvars(sources: Sources, paths: list[Path], errors: list[ScanError], loader: FileLoader) -> dict[str, VariableValue]:
    """Later files win, as in Terraform: terraform.tfvars(.json), then *.auto.tfvars(.json) in
    lexical order."""
    values: dict[str, VariableValue] = {}
    for path in paths:
        values.update(load_tfvars_file(path, sources.relative(path), errors, loader=loader))
    return values


def load_tfvars_file(
    path: Path, relative: str, errors: list[ScanError], source: str = "tfvars", loader: FileLoader | None = None
) -> dict[str, VariableValue]:
    loader = loader or FileLoader()
    if path.name.endswith(".json"):
        return _json_tfvars(path, relative, errors, source, loader.options.max_file_bytes)
    parsed = loader.terraform(path, relative)
    if isinstance(parsed, ScanError):
        errors.append(parsed)
        return {}
    evaluator = literal_evaluator(Budget(errors.append), lambda line, expr: relative)
    return {
        name: VariableValue(evaluator.evaluate(attribute.expr), Location(relative, attribute.line, attribute.end_line), source)
        for name, attribute in parsed.body.attributes.items()
    }


def _json_tfvars(path: Path, relative: str, errors: list[ScanError], source: str, max_bytes: int) -> dict[str, VariableValue]:
    """``*.tfvars.json``: a JSON object of variable values; each value's line is where its key is."""
    data = read_input(path, relative, max_bytes)
    if isinstance(data, ScanError):
        errors.append(data)
        return {}
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        errors.append(ScanError(relative, f"not UTF-8 text (invalid byte at offset {exc.start})"))
        return {}
    except json.JSONDecodeError as exc:
        errors.append(ScanError(relative, f"not valid JSON ({exc.msg})", exc.lineno, exc.colno))
        return {}
    except RecursionError:
        errors.append(ScanError(relative, "nesting is too deep to parse"))
        return {}
    if not isinstance(document, dict):
        errors.append(ScanError(relative, "a tfvars JSON file must hold one object of variable values"))
        return {}
    lines = text.splitlines()
    values = {}
    for name, value in document.items():
        line = next((n for n, content in enumerate(lines, start=1) if f'"{name}"' in content), 1)
        values[name] = VariableValue(value, Location(relative, line, line), source)
    return values
