"""The application files of one scan, read: what ``providers.containers`` recognizes."""

from __future__ import annotations

from dataclasses import dataclass, field

from .compose import ComposeFile
from .dockerfile import Instruction
from .document import LinedDocument
from .dotenv import Assignment
from .notebook import CellText


@dataclass
class AppFiles:
    """Each kind by relative file name, in file order."""

    dockerfiles: dict[str, list[Instruction]] = field(default_factory=dict)
    compose: list[ComposeFile] = field(default_factory=list)
    dotenv: dict[str, list[Assignment]] = field(default_factory=dict)
    notebooks: dict[str, list[CellText]] = field(default_factory=dict)
    #: CI pipelines and agent configs (``ci.files``): kind → documents, in file order.
    ci: dict[str, list[LinedDocument]] = field(default_factory=dict)
