"""The cluster a scan describes: every Kubernetes object, written in YAML or made by Terraform's
kubernetes provider.

``extract_all`` builds it once per scan, before any module tree is released (the objects
Terraform makes are read from the trees), and hands it to the recognizers that read across
formats: the Kubernetes recognizers (a RoleBinding in Terraform scopes a ServiceAccount in YAML)
and Vault's Kubernetes auth roles (the owner of the ServiceAccount a role admits).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..kubernetes.helm import HelmValues
from ..kubernetes.objects import KubeObject
from .kubernetes.convert import TerraformObject, convert_all
from .project import Project

#: An object of the cluster, and the label and annotation maps or keys not known before apply.
ClusterObject = tuple[KubeObject, frozenset[str]]


@dataclass(frozen=True)
class ClusterContext:
    yaml_objects: tuple[KubeObject, ...] = ()
    terraform_objects: tuple[TerraformObject, ...] = ()
    #: The values files of the scan's Helm charts: what a chart would deploy is not known without
    #: rendering it, but a key written in its values is.
    helm_values: tuple[HelmValues, ...] = ()

    @classmethod
    def of(cls, project: Project) -> ClusterContext:
        """The cluster of a project whose module trees are still loaded."""
        return cls(tuple(project.kube_objects), tuple(convert_all(project.modules)), tuple(project.helm_values))

    @cached_property
    def by_address(self) -> dict[str, list[ClusterObject]]:
        """Every object by cluster address (``ServiceAccount/ml/agent``), YAML first: two root
        modules, or YAML and Terraform, may both define one address."""
        found: dict[str, list[ClusterObject]] = {}
        for obj in self.yaml_objects:
            found.setdefault(obj.address, []).append((obj, frozenset()))
        for made in self.terraform_objects:
            found.setdefault(made.obj.address, []).append((made.obj, made.unknown))
        return found
