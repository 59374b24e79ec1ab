"""How far one root module's tree of instances may grow, and what it met on the way.

``count`` and ``for_each`` multiply across nested module calls: four levels of ``count = 40``
are 2.5 million module instances from a few hundred bytes of HCL. A root module's tree therefore
shares one ``Expansion``: past its figures, a repeated block is judged through one
representative instance (as when its keys are unknown), so every resource is still judged
once, and the calling file gets an error (exit 2) instead of the scan exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import ScanError

#: Module instances one root module's tree may hold (a large real root holds a few hundred).
MAX_MODULE_INSTANCES = 1000
#: Resource and data source instances one root module's tree may make by repetition: those of a
#: block with ``count`` / ``for_each``, and every instance in a folder's second and later module
#: instances. A folder's first instance of a block written once is free: its cost is the code's.
MAX_RESOURCE_INSTANCES = 1000


@dataclass
class Expansion:
    """The instance counts of one root module's tree and the errors met while building it.

    The limits are settings (``max_module_instances``, ``max_resource_instances``): a large real
    root that repeats more must be adoptable by raising them, which every report then states."""

    max_modules: int = MAX_MODULE_INSTANCES
    max_resources: int = MAX_RESOURCE_INSTANCES
    module_instances: int = 0
    resource_instances: int = 0
    errors: list[ScanError] = field(default_factory=list)
    #: Folders with an instance in the tree: once the budget is spent, a call still gets one
    #: representative if its folder has none yet, so no folder goes unjudged.
    folders: set[str] = field(default_factory=set)
    _reported: set[tuple[str, int | None, str]] = field(default_factory=set)

    def enter(self, folder: str) -> bool:
        """Records an instance of a folder; whether it is the folder's first in the tree."""
        first = folder not in self.folders
        self.folders.add(folder)
        return first

    def report(self, error: ScanError) -> None:
        """Keeps one error per place and message: a call repeated by every instance of its
        caller reports once."""
        key = (error.file, error.line, error.message)
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(error)

    def admit_modules(self, wanted: int) -> bool:
        """Whether ``wanted`` more module instances fit; if so they are counted."""
        if self.module_instances + wanted > self.max_modules:
            return False
        self.module_instances += wanted
        return True

    def admit_resources(self, wanted: int) -> bool:
        """Whether ``wanted`` more repeated resource instances fit; if so they are counted."""
        if self.resource_instances + wanted > self.max_resources:
            return False
        self.resource_instances += wanted
        return True
