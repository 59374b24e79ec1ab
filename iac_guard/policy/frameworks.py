"""Control catalogs: which controls a framework has, what each asks, and what code cannot show.

One YAML file per framework under ``policies/frameworks/`` (validated by the ``schema.json``
beside them). A catalog says which controls exist; which policies give evidence for a control is
written in the policies themselves (``controls: {framework: [ids]}``), so a custom pack maps
itself. A policy pack may bring catalogs of its own in a ``frameworks/`` folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..support.schemas import schema_problems
from ..support.yaml_files import YamlFileError, read_yaml
from .loader import builtin_policy_dir

FRAMEWORKS_FOLDER = "frameworks"


class FrameworkError(Exception):
    """A catalog that cannot be used; each line names the file and the field."""


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    text: str  # what the control asks, in our words
    url: str  # where its own text is published
    cannot_show: str  # what static analysis of infrastructure code cannot show about it
    section: str | None = None  # where in the source document, when the URL is the whole document


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    publisher: str
    version: str
    document: str  # the source the control texts summarise
    document_url: str
    coverage: str  # which part of the framework is listed, and why
    controls: tuple[Control, ...]
    source: Path  # the catalog file

    def control(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)


def builtin_framework_dir() -> Path:
    return builtin_policy_dir() / FRAMEWORKS_FOLDER


def load_frameworks(policy_dirs: Sequence[Path] = ()) -> dict[str, Framework]:
    """The built-in catalogs and those in the ``frameworks/`` folder of each policy pack, by id.

    Every problem of every file is collected into one FrameworkError.
    """
    folders = [builtin_framework_dir(), *(d / FRAMEWORKS_FOLDER for d in policy_dirs)]
    frameworks: dict[str, Framework] = {}
    errors: list[str] = []
    for folder in dict.fromkeys(f.resolve() for f in folders if f.is_dir()):
        for path in sorted(folder.glob("*.y*ml")):
            try:
                framework = _load_file(path)
            except FrameworkError as exc:
                errors.append(str(exc))
                continue
            if framework.id in frameworks:
                errors.append(f"{path}: id: duplicate framework id {framework.id} (also in {frameworks[framework.id].source})")
            frameworks.setdefault(framework.id, framework)
    if errors:
        raise FrameworkError("\n".join(errors))
    return dict(sorted(frameworks.items()))


def _load_file(path: Path) -> Framework:
    try:
        raw = read_yaml(path, "control catalog")
    except YamlFileError as exc:
        raise FrameworkError(str(exc)) from None
    problems = [f"{path}: {problem}" for problem in _problems(raw, path)]
    if problems:
        raise FrameworkError("\n".join(problems))
    return Framework(
        id=raw["id"],
        title=raw["title"],
        publisher=raw["publisher"],
        version=raw["version"],
        document=raw["source"]["document"],
        document_url=raw["source"]["url"],
        coverage=raw["coverage"].strip(),
        controls=tuple(
            Control(c["id"], c["title"], c["text"].strip(), c["url"], c["cannot_show"].strip(), c.get("section"))
            for c in raw["controls"]
        ),
        source=path,
    )


def _problems(raw: Any, path: Path) -> list[str]:
    problems = schema_problems(builtin_framework_dir() / "schema.json", raw)
    if problems:
        return problems
    if raw["id"] != path.stem:
        problems.append(f"id: {raw['id']!r} must be the file name ({path.stem!r})")
    seen: set[str] = set()
    for index, control in enumerate(raw["controls"]):
        if control["id"] in seen:
            problems.append(f"controls.{index}.id: duplicate control id {control['id']}")
        seen.add(control["id"])
    return problems
