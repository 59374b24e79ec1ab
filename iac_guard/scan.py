"""The scan pipeline: discover → load → resolve → extract → inventory → check → filter.

One direction, no stage reaching back: every command (scan, inventory, reports) runs this and
reads the result it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .config import Settings
from .discover import discover
from .inventory import Inventory, build_inventory
from .model import Finding, ScanError
from .project import Project

if TYPE_CHECKING:
    from .policy.loader import Policy

STDIN_NAME = "<stdin>"


@dataclass
class ScanResult:
    root: Path
    findings: list[Finding]
    inventory: Inventory
    errors: list[ScanError]
    files_scanned: int
    policies: list["Policy"] = field(default_factory=list)

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def exit_code(self) -> int:
        """2 when an input could not be read (fail closed), else 1 for failing findings, else 0."""
        if self.errors:
            return 2
        return 1 if self.failing else 0


def load_pack(settings: Settings, extra_dirs: Sequence[Path] = ()) -> list["Policy"]:
    from .policy.loader import builtin_policy_dir, load_policies

    return load_policies([builtin_policy_dir(), *settings.policy_dirs, *extra_dirs])


def run_scan(
    paths: Sequence[str],
    settings: Settings,
    policies: list["Policy"],
    stdin_text: str | None = None,
) -> ScanResult:
    from .kubernetes.loader import load_kube_file, load_kube_text
    from .policy.engine import evaluate
    from .providers import DATA_SOURCES, extract_all
    from .terraform.loader import load_modules

    sources = discover(list(paths), settings.exclude)
    modules, errors = load_modules(sources, DATA_SOURCES)
    project = Project(sources.root, modules)
    for path in sources.yaml:
        objects, yaml_errors = load_kube_file(path, sources.relative(path))
        project.kube_objects += objects
        errors += yaml_errors
    files = sources.file_count
    if sources.read_stdin:
        objects, yaml_errors = load_kube_text(stdin_text or "", STDIN_NAME)
        project.kube_objects += objects
        errors += yaml_errors
        files += 1
    inventory = build_inventory(extract_all(project, settings))
    findings = evaluate(policies, list(inventory.credentials), settings)  # sorted by the engine
    errors.sort(key=lambda e: (e.file, e.line or 0, e.column or 0))
    return ScanResult(sources.root, findings, inventory, errors, files, policies)
