"""Builds the Terraform module trees of a scan: one root per folder of ``.tf`` files that no other
scanned folder calls as a module, with its tfvars applied and its local modules loaded.

A folder that is only ever called as a module is not judged as a root with its defaults: its
resources are judged through each call, with the inputs that call passes.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Mapping

from ..discover import Sources
from ..files import read_input
from ..model import Location, ScanError
from ..parallel import TERRAFORM, FileLoader
from .evaluate import LITERAL_EVALUATOR
from .hcl_ast import Literal
from .module import DataSourceEvaluator, Module, VariableValue
from .parse import TerraformFile


class _Folders:
    """Parsed ``.tf`` files per folder, parsed once however many calls use the folder."""

    def __init__(self, sources: Sources, errors: list[ScanError], loader: FileLoader) -> None:
        self.sources = sources
        self.errors = errors
        self.loader = loader
        self._parsed: dict[str, list[TerraformFile]] = {}
        loader.preload((TERRAFORM, path, sources.relative(path)) for directory in sorted(sources.terraform) for path in sources.terraform[directory])
        for directory in sorted(sources.terraform):
            self._parsed[directory] = self._parse(sources.terraform[directory])

    def _parse(self, paths: list[Path]) -> list[TerraformFile]:
        files = []
        for path in paths:
            parsed = self.loader.terraform(path, self.sources.relative(path))
            if isinstance(parsed, ScanError):
                self.errors.append(parsed)
            else:
                files.append(parsed)
        return files

    @property
    def scanned(self) -> list[str]:
        return sorted(self.sources.terraform)

    def files(self, folder: str) -> list[TerraformFile] | None:
        """Files of a folder inside the scanned root; a folder not discovered (under .terraform/,
        or excluded) is parsed on first use."""
        if folder not in self._parsed:
            path = (self.sources.root / folder).resolve()
            try:
                path.relative_to(self.sources.root)
            except ValueError:
                return None  # never read outside the scanned root
            if not path.is_dir():
                return None
            candidates = [*path.glob("*.tf"), *path.glob("*.tf.json")]
            self._parsed[folder] = self._parse(sorted(p for p in candidates if p.is_file() and not p.is_symlink()))
        return self._parsed[folder]


def load_modules(
    sources: Sources,
    data_sources: Mapping[str, DataSourceEvaluator],
    variables: Mapping[str, VariableValue] | None = None,
    loader: FileLoader | None = None,
) -> tuple[list[Module], list[ScanError]]:
    """Root module trees and the files that could not be read. ``variables`` (from
    ``--var-file`` / ``--var``) apply to every root, over its auto-loaded tfvars. ``loader``
    parses the files (parallel, cached, size-limited; default: in-process)."""
    errors: list[ScanError] = []
    loader = loader or FileLoader()
    folders = _Folders(sources, errors, loader)
    called = {target for folder in folders.scanned for target in _local_calls(folder, folders.files(folder) or [])}
    modules = []
    for directory in folders.scanned:
        if directory in called:
            continue
        tfvars = _load_tfvars(sources, sources.tfvars.get(directory, []), errors, loader)
        tfvars.update(variables or {})
        modules.append(
            Module(
                directory, folders.files(directory) or [], tfvars, data_sources,
                load_source=_source_loader(folders), root_path=sources.root,
            )
        )
    return modules, errors


def _local_calls(folder: str, files: list[TerraformFile]) -> set[str]:
    """Folders this folder calls as local modules."""
    targets = set()
    for terraform_file in files:
        for block in terraform_file.body.blocks_of("module"):
            source = block.body.attributes.get("source")
            if source is not None and isinstance(source.expr, Literal) and isinstance(source.expr.value, str):
                if _is_local(source.expr.value):
                    targets.add(posixpath.normpath(posixpath.join(folder, source.expr.value)))
    return targets


def _is_local(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def _source_loader(folders: _Folders):
    def load(source: str, name: str, caller: Module) -> tuple[str, list[TerraformFile]] | None:
        if _is_local(source):
            folder = posixpath.normpath(posixpath.join(caller.folder, source))
        else:
            folder = _downloaded_module(folders.sources.root, caller, name)
            if folder is None:
                return None
        files = folders.files(folder)
        return (folder, files) if files is not None else None

    return load


def _downloaded_module(root: Path, caller: Module, name: str) -> str | None:
    """A registry or git module that ``terraform init`` already downloaded: its copy, as listed in
    the root's ``.terraform/modules/modules.json``. Nothing is ever downloaded here."""
    manifest = root / caller.directory / ".terraform" / "modules" / "modules.json"
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
    except (OSError, ValueError, AttributeError):
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
    return {
        name: VariableValue(LITERAL_EVALUATOR.evaluate(attribute.expr), Location(relative, attribute.line, attribute.end_line), source)
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
