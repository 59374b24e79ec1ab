"""Provider recognizers: the only code that knows resource types.

Each module exposes ``extract(project, settings) -> Extraction`` and turns its provider's
resources into neutral Credential, Workload and Usage records. Adding a provider family is adding
one module here and one line to RECOGNIZERS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..config.settings import Settings
from ..model import Extraction
from . import aws, azure, gcp, terraform_inputs, vault
from .kubernetes import manifests as kubernetes
from .kubernetes import terraform as kubernetes_terraform
from .kubernetes.terraform import terraform_objects
from .project import Project

Recognizer = Callable[[Project, Settings], Extraction]

#: Recognizers that read each Terraform root module on its own, then those that read the whole
#: cluster (every Kubernetes object, from YAML and from Terraform), in the order their records
#: are combined.
TERRAFORM_RECOGNIZERS: tuple[Recognizer, ...] = (
    terraform_inputs.extract, aws.extract, azure.extract, gcp.extract, vault.extract,
)
CLUSTER_RECOGNIZERS: tuple[Recognizer, ...] = (kubernetes.extract, kubernetes_terraform.extract)
RECOGNIZERS: tuple[Recognizer, ...] = TERRAFORM_RECOGNIZERS + CLUSTER_RECOGNIZERS

#: Data sources whose result follows from code alone, evaluated while resolving Terraform.
DATA_SOURCES: Mapping[str, Any] = {**aws.DATA_SOURCES, **azure.DATA_SOURCES, **gcp.DATA_SOURCES, **vault.DATA_SOURCES}


def extract_all(project: Project, settings: Settings) -> Extraction:
    """Every recognizer's records, in ``RECOGNIZERS`` order, root module by root module.

    This consumes the project's module trees: once every Terraform recognizer has read a root
    module, it is released (``Module.release``), so a large scan never holds all its syntax trees
    and all its records at once. What recognizers need from every root (the objects Terraform's
    kubernetes provider creates) is computed first and shared (``Project.shared``)."""
    terraform_objects(project)
    found = {recognize: Extraction() for recognize in TERRAFORM_RECOGNIZERS}
    for module in project.modules:
        alone = project.with_modules([module])
        for recognize in TERRAFORM_RECOGNIZERS:
            found[recognize].extend(recognize(alone, settings))
        module.release()
    combined = Extraction()
    for extraction in found.values():
        combined.extend(extraction)
    for recognize in CLUSTER_RECOGNIZERS:
        combined.extend(recognize(project, settings))
    return combined
