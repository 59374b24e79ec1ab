"""Everything the loaders produced for one scan, handed to every recognizer.

Recognizers see the whole project (all Terraform root modules, all Kubernetes objects) because
credentials cross file and format boundaries: a Secret made in Terraform is used by a Deployment
in YAML, an access key takes its owner from a user defined in another file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..containers.files import AppFiles

if TYPE_CHECKING:
    from ..kubernetes.helm import HelmValues
    from ..kubernetes.objects import KubeObject
    from ..model import ScanNote
    from ..terraform.module import Module


@dataclass
class Project:
    root: Path
    modules: list[Module] = field(default_factory=list)
    kube_objects: list[KubeObject] = field(default_factory=list)
    #: Container builds, Compose files, ``.env`` files and notebooks (providers.containers).
    app_files: AppFiles = field(default_factory=AppFiles)
    #: Helm charts' values files: read for literal keys only (providers/kubernetes/helm_values.py).
    helm_values: list[HelmValues] = field(default_factory=list)
    #: What loading did not follow or skipped (remote kustomize bases, Helm templates).
    notes: list[ScanNote] = field(default_factory=list)

    def with_modules(self, modules: list[Module]) -> Project:
        """The same scan, seen through some of its root modules."""
        return Project(self.root, modules, self.kube_objects, self.app_files, self.helm_values, self.notes)
