"""``extract_all`` reads the Terraform root modules one at a time and releases each: its records
are exactly those of every recognizer run over the whole project, in the same order, also where
recognizers need the whole scan (Vault roles bound to cluster ServiceAccounts, Terraform-made
Kubernetes objects used from YAML)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import FIXTURES, settings

from iac_guard.discover import discover
from iac_guard.kubernetes.loader import load_kube_file
from iac_guard.model import Extraction
from iac_guard.providers import CLUSTER_RECOGNIZERS, DATA_SOURCES, extract_all, terraform_recognizers
from iac_guard.providers.cluster import ClusterContext
from iac_guard.providers.project import Project
from iac_guard.terraform.loader import load_modules


def _project(path: Path) -> Project:
    sources = discover([str(path)])
    modules, _ = load_modules(sources, DATA_SOURCES)
    objects = [obj for file in sources.yaml for obj in load_kube_file(file, sources.relative(file))[0]]
    return Project(sources.root, modules, objects)


@pytest.mark.parametrize("fixture", ["projects/cross-format", "projects/ml-platform", "terraform/vault_ai", "terraform/kubernetes_provider", "terraform/modules_project"])
def test_root_by_root_equals_every_recognizer_over_the_whole_project(fixture: str) -> None:
    whole = Extraction()
    cluster = ClusterContext.of(_project(FIXTURES / fixture))
    for recognize in terraform_recognizers(cluster):
        whole.extend(recognize(_project(FIXTURES / fixture), settings()))
    for read_cluster in CLUSTER_RECOGNIZERS:
        whole.extend(read_cluster(cluster, settings()))
    project = _project(FIXTURES / fixture)
    assert len(project.modules) >= 1
    assert extract_all(project, settings()) == whole
    assert all(vars(module) == {} for module in project.modules)  # each tree released once read
