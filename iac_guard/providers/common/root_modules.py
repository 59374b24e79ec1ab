"""A Terraform recognizer reads one root module at a time: the view it reads through, and the
loop that marks each record with its root module."""

from __future__ import annotations

from collections.abc import Callable

from ...config.settings import Settings
from ...model import Extraction
from ...terraform.module import Module
from ...terraform.view import Resource
from ..project import Project


class RootModuleView:
    """One root module (the modules it calls included) and the scan settings: what every step of
    a Terraform recognizer reads."""

    def __init__(self, module: Module, settings: Settings) -> None:
        self.module = module
        self.settings = settings

    def by_type(self, *types: str) -> dict[str, Resource]:
        return {r.address: r for r in self.module.resources_of(*types)}


def each_root_module(project: Project, read: Callable[[Module], Extraction]) -> Extraction:
    """What ``read`` finds in every root module, each record marked with the module it belongs to."""
    found = Extraction()
    for module in project.modules:
        found.extend(read(module).in_root_module(module.directory))
    return found
