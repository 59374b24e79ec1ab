"""Provider recognizers: the only code that knows resource types.

Each Terraform recognizer exposes ``extract(project, settings) -> Extraction`` and turns its
provider's resources into neutral Credential, Workload and Usage records; a recognizer that reads
across formats also takes the scan's :class:`ClusterContext`. Adding a provider family is adding
one module here and one line to the recognizers below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from ..config.settings import Settings
from ..model import Extraction
from ..support import progress
from . import aws, azure, ci, containers, gcp, openai, terraform_inputs, terraform_outputs, vault
from .ci import terraform as ci_terraform
from .cluster import ClusterContext
from .kubernetes import helm_release, helm_values
from .kubernetes import manifests as kubernetes
from .kubernetes import terraform as kubernetes_terraform
from .project import Project

Recognizer = Callable[[Project, Settings], Extraction]
ClusterRecognizer = Callable[[ClusterContext, Settings], Extraction]

#: Recognizers that read the whole cluster (every Kubernetes object, from YAML and from
#: Terraform), after those that read each Terraform root module on its own.
CLUSTER_RECOGNIZERS: tuple[ClusterRecognizer, ...] = (kubernetes.extract, kubernetes_terraform.extract, helm_values.extract)

#: Recognizers of the application files (container builds, Compose, ``.env``, notebooks, CI
#: pipelines and MCP configs), which
#: read no Terraform root module and run once per scan.
APP_RECOGNIZERS: tuple[Recognizer, ...] = (containers.extract, ci.extract)

#: Data sources whose result follows from code alone, evaluated while resolving Terraform.
DATA_SOURCES: Mapping[str, Any] = {**aws.DATA_SOURCES, **azure.DATA_SOURCES, **gcp.DATA_SOURCES, **vault.DATA_SOURCES}


def terraform_recognizers(cluster: ClusterContext) -> tuple[Recognizer, ...]:
    """The recognizers that read each Terraform root module on its own, in the order their records
    are combined; Vault's reads the cluster too (the ServiceAccounts its Kubernetes roles admit)."""
    return (
        terraform_inputs.extract, terraform_outputs.extract, aws.extract, azure.extract, gcp.extract, openai.extract,
        partial(vault.extract, cluster=cluster),
        helm_release.extract, ci_terraform.extract,
    )


def extract_all(project: Project, settings: Settings) -> Extraction:
    """Every recognizer's records, Terraform recognizers root module by root module, then the
    cluster recognizers.

    This consumes the project's module trees: once every Terraform recognizer has read a root
    module, it is released (``Module.release``), so a large scan never holds all its syntax trees
    and all its records at once. What recognizers need from every root (the objects Terraform's
    kubernetes provider creates) is read first, into the scan's :class:`ClusterContext`."""
    cluster = ClusterContext.of(project)
    recognizers = terraform_recognizers(cluster)
    found = {recognize: Extraction() for recognize in recognizers}
    progress.judging(len(project.modules))
    for module in project.modules:
        alone = project.with_modules([module])
        for recognize in recognizers:
            found[recognize].extend(recognize(alone, settings))
        module.release()
        progress.judged()
    combined = Extraction()
    for extraction in found.values():
        combined.extend(extraction)
    for read_cluster in CLUSTER_RECOGNIZERS:
        combined.extend(read_cluster(cluster, settings))
    for recognize_app in APP_RECOGNIZERS:
        combined.extend(recognize_app(project, settings))
    return combined
