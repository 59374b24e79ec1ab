"""Reads a Compose file (``docker-compose.yml``, ``compose.yaml``) into its value and lines.

Read with the Kubernetes loader's limits (aliases, depth, safe tags only): Compose files use
anchors and merge keys (``<<: *defaults``) as much as manifests do.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from ..kubernetes.loader import load_yaml_value
from ..kubernetes.objects import PathKey
from ..model import ScanError

COMPOSE_PATTERNS = ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml")


@dataclass(frozen=True)
class ComposeFile:
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

    @property
    def services(self) -> dict[str, Any]:
        services = self.body.get("services")
        return {str(k): v for k, v in services.items() if isinstance(v, dict)} if isinstance(services, dict) else {}


def is_compose_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in COMPOSE_PATTERNS)


def parse_compose(text: str, rel: str) -> ComposeFile | ScanError:
    loaded = load_yaml_value(text, rel)
    if isinstance(loaded, ScanError):
        return loaded
    value, lines = loaded
    if not isinstance(value, dict):
        return ScanError(rel, "a Compose file must be a mapping (services:, secrets:, ...)")
    return ComposeFile(rel, value, lines)
