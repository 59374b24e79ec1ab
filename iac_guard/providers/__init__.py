"""Provider recognizers: the only code that knows resource types.

Each module exposes ``extract(project, settings) -> Extraction`` and turns its provider's
resources into neutral Credential, Workload and Usage records. Adding a provider family is adding
one module here and one line to RECOGNIZERS.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..config import Settings
from ..model import Extraction
from ..project import Project
from . import aws, azure, gcp, kubernetes, kubernetes_terraform, terraform_inputs, vault

Recognizer = Callable[[Project, Settings], Extraction]

RECOGNIZERS: tuple[Recognizer, ...] = (
    terraform_inputs.extract, aws.extract, azure.extract, gcp.extract, vault.extract, kubernetes.extract,
    kubernetes_terraform.extract,
)

#: Data sources whose result follows from code alone, evaluated while resolving Terraform.
DATA_SOURCES: Mapping[str, Any] = {**aws.DATA_SOURCES, **azure.DATA_SOURCES, **gcp.DATA_SOURCES, **vault.DATA_SOURCES}


def extract_all(project: Project, settings: Settings) -> Extraction:
    combined = Extraction()
    for recognize in RECOGNIZERS:
        combined.extend(recognize(project, settings))
    return combined
