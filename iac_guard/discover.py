"""Finds the files a scan reads and sorts them by kind.

Walks without following symbolic links (a link could lead outside the scanned root or into a loop)
and always in sorted order, so two runs over the same tree read the same files in the same order.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import CONFIG_FILE_NAME  # our own config file is never a Kubernetes manifest

SKIPPED_DIRECTORIES = frozenset({".git", ".terraform", ".iac-guard-cache", "node_modules", "__pycache__", ".venv"})
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
TFVARS_AUTOLOADED = ("terraform.tfvars", "terraform.tfvars.json")
TFVARS_AUTO_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")
YAML_SUFFIXES = (".yaml", ".yml")
#: ``terraform show -json`` output is told by content, not name: it starts with these keys.
PLAN_MARKERS = ('"format_version"', '"terraform_version"')
_PLAN_HEAD_BYTES = 4096
STDIN = "-"


@dataclass
class Sources:
    root: Path
    terraform: dict[str, list[Path]] = field(default_factory=dict)  # module dir (relative) -> .tf files
    tfvars: dict[str, list[Path]] = field(default_factory=dict)  # module dir -> auto-loaded tfvars, in load order
    yaml: list[Path] = field(default_factory=list)
    plans: list[Path] = field(default_factory=list)
    read_stdin: bool = False
    #: path → relative name: resolving a path costs a system call per component, and every file
    #: is named several times in a scan.
    _relative: dict[Path, str] = field(default_factory=dict, repr=False, compare=False)

    def relative(self, path: Path) -> str:
        known = self._relative.get(path)
        if known is None:
            try:
                known = path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                known = path.as_posix()
            self._relative[path] = known
        return known

    @property
    def file_count(self) -> int:
        return sum(len(f) for f in self.terraform.values()) + sum(len(f) for f in self.tfvars.values()) + len(self.yaml) + len(self.plans)


def scan_root(paths: list[str]) -> Path:
    """The folder findings are relative to: the one folder scanned, or the common parent of all paths."""
    real = [Path(p).resolve() for p in paths if p != STDIN] or [Path.cwd().resolve()]
    if len(real) == 1:
        return real[0] if real[0].is_dir() else real[0].parent
    return Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in real]))


def discover(paths: list[str], exclude: tuple[str, ...] = (), root: Path | None = None) -> Sources:
    """``root``: what file names are relative to (default: the scanned folder, see scan_root)."""
    sources = Sources(root or scan_root(paths))
    for raw in paths:
        if raw == STDIN:
            sources.read_stdin = True
            continue
        path = Path(raw)
        if path.is_dir():
            _walk(path, sources, exclude)
        else:
            _add_file(path, sources, exclude)
    for files in (*sources.terraform.values(), *sources.tfvars.values()):
        files[:] = _unique_sorted(files, sources)
    sources.yaml[:] = _unique_sorted(sources.yaml, sources)
    sources.plans[:] = _unique_sorted(sources.plans, sources)
    return sources


def _unique_sorted(files: list[Path], sources: Sources) -> list[Path]:
    by_name = {sources.relative(f): f for f in files}
    ordered = sorted(by_name)
    # terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order:
    # Terraform's precedence, later files winning.
    ordered.sort(key=lambda rel: (not rel.endswith(TFVARS_AUTOLOADED), rel))
    return [by_name[rel] for rel in ordered]


def _walk(directory: Path, sources: Sources, exclude: tuple[str, ...]) -> None:
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        # A Helm chart's templates are Go templates, not YAML: scan `helm template` output instead.
        helm_templates = {"templates"} if "Chart.yaml" in filenames else set()
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIPPED_DIRECTORIES and d not in helm_templates
            and not _excluded(Path(current, d), sources, exclude, is_dir=True)
        )
        folder = Path(current)
        base = sources.relative(folder)  # resolved once per folder, not once per file
        for name in sorted(filenames):
            candidate = folder / name
            if not candidate.is_symlink():
                # Not a link, in a folder reached without following links: it resolves to its
                # folder's resolved path plus its name.
                sources._relative.setdefault(candidate, name if base == "." else f"{base}/{name}")
                _add_file(candidate, sources, exclude)


def _excluded(path: Path, sources: Sources, patterns: tuple[str, ...], is_dir: bool = False) -> bool:
    if not patterns:
        return False
    relative = sources.relative(path)
    candidates = (relative, relative + "/") if is_dir else (relative,)
    pure = PurePosixPath(relative)
    return any(
        fnmatch.fnmatch(candidate, pattern) or fnmatch.fnmatch(candidate, pattern.rstrip("/") + "/*")
        or pure.match(pattern)
        for pattern in patterns for candidate in candidates
    )


def _add_file(path: Path, sources: Sources, exclude: tuple[str, ...]) -> None:
    if _excluded(path, sources, exclude):
        return
    name = path.name
    module_dir = sources.relative(path.parent)
    module_dir = "." if module_dir in ("", ".") else module_dir
    if name.endswith(TERRAFORM_SUFFIXES):
        sources.terraform.setdefault(module_dir, []).append(path)
    elif name in TFVARS_AUTOLOADED or name.endswith(TFVARS_AUTO_SUFFIXES):
        sources.tfvars.setdefault(module_dir, []).append(path)
    elif name.endswith(YAML_SUFFIXES) and name != CONFIG_FILE_NAME:
        sources.yaml.append(path)
    elif name.endswith(".json") and not name.endswith(".tfvars.json") and looks_like_plan(path):
        sources.plans.append(path)


def looks_like_plan(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_PLAN_HEAD_BYTES).decode("utf-8", "ignore")
    except OSError:
        return False
    return all(marker in head for marker in PLAN_MARKERS)
