"""A YAML or JSON file read as a value with the line of every key path: what Compose files, CI
workflows and agent configs are, as opposed to Kubernetes objects with a kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..kubernetes.loader import load_yaml_value
from ..kubernetes.objects import PathKey
from ..model import ScanError


@dataclass(frozen=True)
class LinedDocument:
    file: str
    body: dict[str, Any]
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, *path: str | int) -> int:
        """The line of ``path`` or of its nearest written parent; 1 when none is known."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


def parse_yaml_mapping(text: str, rel: str, what: str, hint: str) -> tuple[dict[str, Any], dict[PathKey, int]] | ScanError:
    """A YAML file whose document must be a mapping, read with the Kubernetes loader's limits
    (aliases, depth, safe tags only); ``what`` and ``hint`` (its top-level keys) say in the error
    what was expected."""
    loaded = load_yaml_value(text, rel)
    if isinstance(loaded, ScanError):
        return loaded
    value, lines = loaded
    if not isinstance(value, dict):
        return ScanError(rel, f"{what} must be a mapping ({hint})")
    return {str(key): item for key, item in value.items()}, {_text_path(path): line for path, line in lines.items()}


def _text_path(path: PathKey) -> PathKey:
    """YAML 1.1 reads a workflow's ``on:`` key as True: every mapping key is kept as text."""
    return tuple(item if isinstance(item, (str, int)) and not isinstance(item, bool) else str(item) for item in path)
