"""Reads a Compose file (``docker-compose.yml``, ``compose.yaml``) into its value and lines.

Read with the Kubernetes loader's limits (aliases, depth, safe tags only): Compose files use
anchors and merge keys (``<<: *defaults``) as much as manifests do.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from ..model import ScanError
from .document import LinedDocument, parse_yaml_mapping

COMPOSE_PATTERNS = ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml")


@dataclass(frozen=True)
class ComposeFile(LinedDocument):
    @property
    def services(self) -> dict[str, Any]:
        services = self.body.get("services")
        return {str(k): v for k, v in services.items() if isinstance(v, dict)} if isinstance(services, dict) else {}


def is_compose_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in COMPOSE_PATTERNS)


def parse_compose(text: str, rel: str) -> ComposeFile | ScanError:
    loaded = parse_yaml_mapping(text, rel, "a Compose file", "services:, secrets:, ...")
    return loaded if isinstance(loaded, ScanError) else ComposeFile(rel, *loaded)
