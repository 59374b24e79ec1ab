"""The scan settings: defaults, `.iac-guard.yaml`, and command-line overrides, in that order.

The config file is validated against data/config.schema.json so that a typo (``max_rotation_day``)
is an error naming the key instead of a silently ignored setting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .files import DEFAULT_MAX_FILE_BYTES
from .yaml_files import YamlFileError, read_yaml

CONFIG_FILE_NAME = ".iac-guard.yaml"
DEFAULT_PLACEHOLDER_OWNERS = ("", "tbd", "todo", "unknown", "none", "null", "n/a", "na", "changeme", "owner", "nobody", "-")


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    scope: str = "ai"
    owner_keys: tuple[str, ...] = ("owner",)
    placeholder_owners: tuple[str, ...] = DEFAULT_PLACEHOLDER_OWNERS
    max_lifetime_days: int = 90
    max_rotation_days: int = 90
    skip_policies: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    policy_dirs: tuple[Path, ...] = ()
    #: (address glob, team) pairs naming the owner of resources that carry no tags or labels
    #: (Google service accounts and API keys, Entra ID applications); the first match wins.
    owner_map: tuple[tuple[str, str], ...] = ()
    #: Terraform variables given like ``terraform plan`` takes them, applied to every root module
    #: over its auto-loaded tfvars: ``TF_VAR_*`` (only when asked for), then var files, then
    #: ``--var`` (later wins, as in Terraform).
    environment_variables: tuple[tuple[str, str], ...] = ()
    var_files: tuple[Path, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    #: Terraform source folder of the plan JSON files in the scan: gives their findings files and lines.
    tf_dir: Path | None = None
    #: Larger input files are not read (a ScanError names them): hostile or generated input.
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    #: How files are loaded (command line only: a config file in the scanned tree must not choose
    #: where cached parse results come from). cache_dir None: no parse cache; jobs None: one
    #: worker per CPU, 1: in-process.
    cache_dir: Path | None = None
    jobs: int | None = None
    #: ``--shard I/N`` as (I, N): judge only the root modules and manifests of shard I.
    shard: tuple[int, int] | None = None
    #: What ``-`` (standard input) holds: kubernetes, terraform or plan (command line only: told
    #: by ``--stdin-kind`` or by content before the scan starts).
    stdin_kind: str = "kubernetes"
    #: The day expiry dates are measured from; a parameter so tests and reports are reproducible.
    today: date = field(default_factory=date.today)

    def with_overrides(self, **overrides: Any) -> "Settings":
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(resources.files("iac_guard.data").joinpath("config.schema.json").read_text("utf-8"))


def find_config(root: Path) -> Path | None:
    """``.iac-guard.yaml`` in the scanned folder or the nearest folder above it, stopping at the
    repository's top (the folder holding ``.git``): pre-commit scans a few changed files, whose
    common folder is rarely where the repository keeps its config."""
    folder = (root if root.is_dir() else root.parent).resolve()
    for candidate_folder in (folder, *folder.parents):
        candidate = candidate_folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
        if (candidate_folder / ".git").exists():
            return None
    return None


def load_settings(path: Path | None, base: Settings | None = None) -> Settings:
    """Read and validate a config file; ``None`` gives the defaults."""
    settings = base or Settings()
    if path is None:
        return settings
    try:
        raw = read_yaml(path, "config file")
    except YamlFileError as exc:
        raise ConfigError(str(exc)) from None
    if raw is None:
        return settings
    _validate(path, raw)
    values: dict[str, Any] = dict(raw)
    for key in ("owner_keys", "placeholder_owners", "skip_policies", "exclude"):
        if key in values:
            values[key] = tuple(values[key])
    if "placeholder_owners" in values:
        values["placeholder_owners"] = tuple(v.lower() for v in values["placeholder_owners"])
    if "owner_map" in values:
        values["owner_map"] = tuple((str(k), str(v)) for k, v in values["owner_map"].items())
    if "policy_dirs" in values:
        values["policy_dirs"] = tuple((path.parent / d).resolve() for d in values["policy_dirs"])
    return replace(settings, **values)


def _validate(path: Path, raw: Any) -> None:
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(_schema()).iter_errors(raw), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = []
    for error in errors:
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        if error.validator == "additionalProperties":
            unknown = sorted(set(raw) - set(_schema()["properties"]))
            message = f"unknown key(s) {', '.join(unknown)}; known keys: {', '.join(sorted(_schema()['properties']))}"
        else:
            message = error.message
        lines.append(f"{path}: {key}: {message}")
    raise ConfigError("\n".join(lines))
