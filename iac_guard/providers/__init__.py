"""Provider recognizers: the only code that knows resource types.

Each module exposes ``extract(project, settings) -> Extraction`` and turns its provider's
resources into neutral Credential, Workload and Usage records. Adding a provider family is adding
one module here and one line to RECOGNIZERS.
"""

from __future__ import annotations

from typing import Callable

from ..config import Settings
from ..model import Extraction
from ..project import Project
from . import aws, kubernetes

Recognizer = Callable[[Project, Settings], Extraction]

RECOGNIZERS: tuple[Recognizer, ...] = (aws.extract, kubernetes.extract)


def extract_all(project: Project, settings: Settings) -> Extraction:
    combined = Extraction()
    for recognize in RECOGNIZERS:
        combined.extend(recognize(project, settings))
    return combined
