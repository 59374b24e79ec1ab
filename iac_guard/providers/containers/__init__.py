"""Recognizers of application files: container builds, Compose services, ``.env`` files and
notebooks, as the same neutral records Terraform and Kubernetes give.

Addresses name the file (and the service): ``dockerfile:services/api/Dockerfile``,
``compose:docker-compose.yml/services/api``, ``dotenv:.env/OPENAI_API_KEY``,
``notebook:notebooks/eval.ipynb``. They hold ``/``, so like Kubernetes names they are visible
from every root module. An image, a service and a notebook are workloads; the literal keys written
in one are one literal credential at its address (as for a Kubernetes workload's ``env``); each
key of a ``.env`` file is a credential of its own, used by the services that load the file.
"""

from __future__ import annotations

from ...config.settings import Settings
from ...model import Extraction
from ..project import Project
from . import compose, dockerfiles, notebooks


def extract(project: Project, settings: Settings) -> Extraction:
    found = Extraction()
    for recognize in (dockerfiles.extract, compose.extract, notebooks.extract):
        found.extend(recognize(project.app_files))
    return found
