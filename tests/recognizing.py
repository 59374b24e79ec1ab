"""Helpers for recognizer tests: a folder scanned by chosen recognizers into an inventory, with
lookups by address, and fake keys' fingerprints. Scans use the fixed day of scanning.TODAY."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from scanning import scan_path, settings, write_project

from iac_guard.config.settings import Settings
from iac_guard.discover import discover
from iac_guard.inventory.build import Inventory, build_inventory
from iac_guard.model import Credential, Extraction, Grant, Workload
from iac_guard.providers import DATA_SOURCES, ClusterRecognizer, terraform_inputs
from iac_guard.providers.cluster import ClusterContext
from iac_guard.providers.project import Project
from iac_guard.terraform.loader import load_modules

Recognizer = Callable[[Project, Settings], Extraction]


def with_cluster(recognize: Callable[[Project, Settings, ClusterContext], Extraction]) -> Recognizer:
    """A Terraform recognizer that also reads the cluster (Vault), run with the project's own."""
    return lambda project, chosen: recognize(project, chosen, ClusterContext.of(project))


def of_cluster(recognize: ClusterRecognizer) -> Recognizer:
    """A cluster recognizer (Kubernetes), run over the project's cluster."""
    return lambda project, chosen: recognize(ClusterContext.of(project), chosen)


@dataclass(frozen=True)
class Records:
    inventory: Inventory

    def credential(self, address: str) -> Credential:
        (found,) = self.inventory.credentials_at(address)
        return found

    def has(self, address: str) -> bool:
        return bool(self.inventory.credentials_at(address))

    def workload(self, address: str) -> Workload:
        (found,) = [w for w in self.inventory.workloads if w.address == address]
        return found

    def usages_of(self, workload: str) -> list[tuple[str, str, int | None]]:
        """(via, credential, line) of a workload's usages, sorted by credential."""
        return [(u.via, u.credential, u.location.line if u.location else None) for u in self.inventory.usages if u.workload == workload]


def records(path: Path, recognizer: Recognizer, chosen: Settings | None = None) -> Records:
    sources = discover([str(path)])
    modules, errors = load_modules(sources, DATA_SOURCES)
    assert errors == []
    project = Project(sources.root, modules)
    extraction = Extraction()
    for recognize in (terraform_inputs.extract, recognizer):
        extraction.extend(recognize(project, chosen or settings()))
    return Records(build_inventory(extraction))


def records_of(tmp_path: Path, recognizer: Recognizer, main_tf: str, chosen: Settings | None = None, **other_files: str) -> Records:
    return records(write_project(tmp_path, {"main.tf": main_tf, **other_files}), recognizer, chosen)


def grant_summary(grants: Iterable[Grant]) -> list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    return [(g.statement, g.actions, g.resources, g.wildcard_reasons) for g in grants]


def flagged(path: Path, **overrides: object) -> dict[str, set[str]]:
    """Resource → the policies that fail it, in a whole scan with the built-in pack."""
    found: dict[str, set[str]] = {}
    for finding in scan_path(path, **overrides).findings:
        found.setdefault(finding.resource, set()).add(finding.policy_id)
    return found


def flagged_source(tmp_path: Path, main_tf: str, **overrides: object) -> dict[str, set[str]]:
    return flagged(write_project(tmp_path, {"main.tf": main_tf}), **overrides)
