"""Finds the files a scan reads and sorts them by kind.

Walks without following symbolic links (a link could lead outside the scanned root or into a loop)
and always in sorted order, so two runs over the same tree read the same files in the same order.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .ci.files import ci_file_kind
from .config.settings import CONFIG_FILE_NAMES  # our own config file is never a Kubernetes manifest
from .containers.compose import is_compose_name
from .containers.dotenv import is_dotenv_name
from .model import ScanError

SKIPPED_DIRECTORIES = frozenset({".git", ".terraform", ".iac-guard-cache", "node_modules", "__pycache__", ".venv"})
TERRAFORM_SUFFIXES = (".tf", ".tf.json")
TFVARS_AUTOLOADED = ("terraform.tfvars", "terraform.tfvars.json")
TFVARS_AUTO_SUFFIXES = (".auto.tfvars", ".auto.tfvars.json")
YAML_SUFFIXES = (".yaml", ".yml")
#: The names kustomize looks for in a folder (kubernetes.kustomize reads them).
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
#: ``terraform show -json`` output is told by content, not name: it starts with these keys.
PLAN_MARKERS = ('"format_version"', '"terraform_version"')
_PLAN_HEAD_BYTES = 4096
STDIN = "-"
#: Names a scan reads that are not scanned on their own: a tfvars file that is not auto-loaded
#: (``--var-file`` reads it; named on the command line it brings its module) and the config file.
#: pre-commit passes them when they change; they are not "a file iac-guard cannot scan".
_READ_NOT_SCANNED = (".tfvars", ".tfvars.json")
EXPECTED_KINDS = (
    "Terraform (.tf, .tf.json, .tfvars), Kubernetes YAML (.yaml, .yml), a Terraform plan JSON (terraform show -json), "
    "a Dockerfile or Containerfile, a Compose file, a .env file or a Jupyter notebook (.ipynb)"
)
#: Application files, by kind (``containers`` reads them): see ``app_file_kind``.
DOCKERFILE, COMPOSE, DOTENV, NOTEBOOK = "dockerfile", "compose", "dotenv", "notebook"


@dataclass
class Sources:
    root: Path
    terraform: dict[str, list[Path]] = field(default_factory=dict)  # module dir (relative) -> .tf files
    tfvars: dict[str, list[Path]] = field(default_factory=dict)  # module dir -> auto-loaded tfvars, in load order
    yaml: list[Path] = field(default_factory=list)
    #: ``kustomization.yaml`` / ``.yml`` / ``Kustomization`` files: read by kubernetes.kustomize,
    #: never judged as manifests themselves.
    kustomizations: list[Path] = field(default_factory=list)
    plans: list[Path] = field(default_factory=list)
    #: Container builds, Compose files, ``.env`` files and notebooks, by kind (DOCKERFILE, ...).
    app_files: dict[str, list[Path]] = field(default_factory=dict)
    #: A Helm chart's ``values*.yaml`` (beside its ``Chart.yaml``): scanned for literal keys only,
    #: since they are a chart's inputs, not objects.
    helm_values: list[Path] = field(default_factory=list)
    #: Files under a chart's ``templates/`` that hold template directives, by chart folder: not
    #: YAML until rendered, so they are counted in a scan note instead of read.
    helm_templated: dict[str, list[Path]] = field(default_factory=dict)
    read_stdin: bool = False
    #: Why paths given yield nothing to judge: a named file of no kind the scan reads, or a
    #: scan with no file at all. A gate that judged nothing must not pass (exit 2).
    errors: list[ScanError] = field(default_factory=list)
    #: Files and folders the configured ``exclude`` patterns left out, for the messages.
    excluded: int = 0
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
        return (
            sum(len(f) for f in self.terraform.values()) + sum(len(f) for f in self.tfvars.values())
            + len(self.yaml) + len(self.kustomizations) + len(self.plans) + len(self.helm_values)
            + sum(len(f) for f in self.app_files.values())
        )


def scan_root(paths: list[str]) -> Path:
    """The folder findings are relative to: the one folder scanned, or the common parent of all paths."""
    real = [Path(p).resolve() for p in paths if p != STDIN] or [Path.cwd().resolve()]
    if len(real) == 1:
        return real[0] if real[0].is_dir() else real[0].parent
    return Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in real]))


def discover(paths: list[str], exclude: tuple[str, ...] = (), root: Path | None = None) -> Sources:
    """``root``: what file names are relative to (default: the scanned folder, see scan_root)."""
    sources = Sources(root or scan_root(paths))
    named_only = True  # every path is a file named on the command line
    for raw in paths:
        if raw == STDIN:
            sources.read_stdin = True
            continue
        path = Path(raw)
        if path.is_dir():
            named_only = False
            _walk(path, sources, exclude)
        elif not _add_file(path, sources, exclude) and not path.name.endswith(_READ_NOT_SCANNED) and path.name not in CONFIG_FILE_NAMES:
            sources.errors.append(_not_scannable(path, sources))
    for files in (*sources.terraform.values(), *sources.tfvars.values()):
        files[:] = _unique_sorted(files, sources)
    sources.yaml[:] = _unique_sorted(sources.yaml, sources)
    sources.kustomizations[:] = _unique_sorted(sources.kustomizations, sources)
    sources.plans[:] = _unique_sorted(sources.plans, sources)
    for files in sources.app_files.values():
        files[:] = _unique_sorted(files, sources)
    sources.helm_values[:] = _unique_sorted(sources.helm_values, sources)
    for templated in sources.helm_templated.values():
        templated[:] = _unique_sorted(templated, sources)
    if sources.file_count == 0 and not sources.read_stdin and not sources.errors and not named_only:
        sources.errors.append(_nothing_to_scan(paths, sources))
    return sources


def module_files(folder: Path) -> list[Path]:
    """A folder's own module files, as Terraform reads a module: its ``.tf`` and ``.tf.json``
    files and auto-loaded tfvars, none of its subfolders (those are modules only if called)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        entry for entry in entries
        if (entry.name.endswith((*TERRAFORM_SUFFIXES, *TFVARS_AUTO_SUFFIXES)) or entry.name in TFVARS_AUTOLOADED)
        and entry.is_file() and not entry.is_symlink()
    ]


def _not_scannable(path: Path, sources: Sources) -> ScanError:
    rel = sources.relative(path)
    if path.name.endswith(".json") and path.is_file():
        return ScanError(
            rel, "a JSON file that is not a Terraform plan (terraform show -json output starts with format_version "
            f"and terraform_version; Terraform's JSON syntax is named *.tf.json); expected {EXPECTED_KINDS}"
        )
    return ScanError(rel, f"not a file iac-guard scans; expected {EXPECTED_KINDS}")


def _nothing_to_scan(paths: list[str], sources: Sources) -> ScanError:
    """Named by the first folder as given: the error belongs to the command line, not to a file."""
    first = next(p for p in paths if p != STDIN and Path(p).is_dir())
    excluded = f" ({sources.excluded} path(s) left out by the config's exclude patterns)" if sources.excluded else ""
    return ScanError(
        first,
        f"nothing to scan: no {EXPECTED_KINDS} under this folder{excluded}; name the folders that hold them, "
        "or pipe one to '-'",
    )


def _unique_sorted(files: list[Path], sources: Sources) -> list[Path]:
    by_name = {sources.relative(f): f for f in files}
    ordered = sorted(by_name)
    # terraform.tfvars, then terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order:
    # Terraform's precedence, later files winning.
    ordered.sort(key=lambda rel: (not rel.endswith(TFVARS_AUTOLOADED), rel))
    return [by_name[rel] for rel in ordered]


def _walk(directory: Path, sources: Sources, exclude: tuple[str, ...]) -> None:
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        kept = [d for d in dirnames if d not in SKIPPED_DIRECTORIES]
        dirnames[:] = sorted(d for d in kept if not _excluded(Path(current, d), sources, exclude, is_dir=True))
        sources.excluded += len(kept) - len(dirnames)
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


def _add_file(path: Path, sources: Sources, exclude: tuple[str, ...]) -> bool:
    """Files it takes, by kind; False for a file of no kind the scan reads. An excluded file
    counts as taken (the config chose to leave it out; that is stated, not an error)."""
    name = path.name
    if name in CONFIG_FILE_NAMES:
        return False
    if _excluded(path, sources, exclude):
        sources.excluded += 1
        return True
    module_dir = sources.relative(path.parent)
    module_dir = "." if module_dir in ("", ".") else module_dir
    if name.endswith(TERRAFORM_SUFFIXES):
        sources.terraform.setdefault(module_dir, []).append(path)
    elif name in TFVARS_AUTOLOADED or name.endswith(TFVARS_AUTO_SUFFIXES):
        sources.tfvars.setdefault(module_dir, []).append(path)
    elif name in KUSTOMIZATION_NAMES:
        sources.kustomizations.append(path)
    elif (kind := app_file_kind(name) or ci_file_kind(sources.relative(path))) is not None:
        sources.app_files.setdefault(kind, []).append(path)
    elif name.endswith(YAML_SUFFIXES):
        _add_yaml(path, sources)
    elif name.endswith(".json") and not name.endswith(".tfvars.json") and looks_like_plan(path):
        sources.plans.append(path)
    else:
        return False
    return True


def app_file_kind(name: str) -> str | None:
    """The application file kind a name says: ``Dockerfile``, ``api.Dockerfile``, ``Dockerfile.prod``,
    ``Containerfile``; ``docker-compose*.yml`` and ``compose*.yaml`` (before other YAML: a Compose
    file is no manifest); ``.env`` and ``.env.<stage>`` but not its templates; ``*.ipynb``."""
    lowered = name.lower()
    if lowered.endswith(".dockerignore"):
        return None
    if lowered in ("dockerfile", "containerfile") or lowered.endswith(".dockerfile") or lowered.startswith(("dockerfile.", "containerfile.")):
        return DOCKERFILE
    if is_compose_name(name):
        return COMPOSE
    if is_dotenv_name(name):
        return DOTENV
    return NOTEBOOK if lowered.endswith(".ipynb") else None


#: Bytes of a chart template read to tell a plain manifest from a Go template.
_TEMPLATE_HEAD_BYTES = 1 << 20
_TEMPLATE_DIRECTIVE = b"{{"


def _add_yaml(path: Path, sources: Sources) -> None:
    """A YAML file by its place in a Helm chart: a chart's ``values*.yaml`` is values; a file under
    its ``templates/`` is a manifest only when it holds no template directive (``{{``), else it
    is counted as skipped; any other YAML file is a manifest. Told by the path whether the file
    was walked or named on the command line (pre-commit names the changed files)."""
    chart = _chart_of_template(path)
    if chart is not None:
        if _holds_directives(path):
            sources.helm_templated.setdefault(sources.relative(chart), []).append(path)
        else:
            sources.yaml.append(path)
    elif path.name.startswith("values") and (path.parent / "Chart.yaml").is_file():
        sources.helm_values.append(path)
    else:
        sources.yaml.append(path)


def _chart_of_template(path: Path) -> Path | None:
    """The chart folder whose ``templates/`` holds ``path`` (at any depth), or None."""
    for folder in path.parents:
        if folder.name == "templates" and (folder.parent / "Chart.yaml").is_file():
            return folder.parent
    return None


def _holds_directives(path: Path) -> bool:
    """Whether a chart template holds ``{{``; a file that cannot be read is left to the loader,
    which reports why."""
    try:
        with path.open("rb") as handle:
            return _TEMPLATE_DIRECTIVE in handle.read(_TEMPLATE_HEAD_BYTES)
    except OSError:
        return False


#: A Terraform block header at the very start of a line: ``resource "x" "y" {``, ``locals {``.
#: Unindented, so Terraform text inside a YAML block scalar (a ConfigMap holding a .tf file) is
#: not taken for Terraform; YAML's own top level is ``key:``, ``- `` or ``---``, never this.
_TERRAFORM_BLOCK = re.compile(
    r'(?m)^(?:resource|data|module|variable|output|locals|provider|terraform|moved|import|check|removed)'
    r'(?:[ \t][^\n{=]*)?\{'  # one pass over the line: no nested repetition to backtrack over
)


def stdin_kind(text: str) -> str | None:
    """What standard input holds, told by content: a plan JSON (its marker keys), Terraform (a
    block header on a line of its own, or a JSON object of Terraform's top-level keys), or
    Kubernetes YAML (``apiVersion:`` and ``kind:``); None when it is none of them, so a pipe
    from the wrong command is an error rather than a scan of nothing."""
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        if all(marker in head[:_PLAN_HEAD_BYTES] for marker in PLAN_MARKERS):
            return "plan"
        if _JSON_TERRAFORM_KEY.search(head):
            return "terraform"
        return None
    if _TERRAFORM_BLOCK.search(text):
        return "terraform"
    if _KUBERNETES_KEYS[0].search(text) and _KUBERNETES_KEYS[1].search(text):
        return "kubernetes"
    return None


_JSON_TERRAFORM_KEY = re.compile(r'^\{\s*"(?:resource|data|module|variable|output|locals|provider|terraform)"\s*:')
_KUBERNETES_KEYS = (re.compile(r"(?m)^[ \t-]*apiVersion[ \t]*:"), re.compile(r"(?m)^[ \t-]*kind[ \t]*:"))


def looks_like_plan(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_PLAN_HEAD_BYTES).decode("utf-8", "ignore")
    except OSError:
        return False
    return all(marker in head for marker in PLAN_MARKERS)
