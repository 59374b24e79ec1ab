"""The scan settings: defaults, `.iac-guard.yaml`, and command-line overrides, in that order.

The config file is validated against data/config.schema.json so that a typo (``max_rotation_day``)
is an error naming the key instead of a silently ignored setting.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..support.files import DEFAULT_MAX_FILE_BYTES
from ..support.schemas import validator_problems
from ..support.yaml_files import YamlFileError, parse_yaml, read_yaml
from ..terraform.expansion import MAX_MODULE_INSTANCES, MAX_RESOURCE_INSTANCES
from .roster import RosterError, roster_values
from .weakenings import ConfigInForce, Weakening, weakenings

#: The config file's names, looked for in this order; a folder holding both is an error.
CONFIG_FILE_NAMES = (".iac-guard.yaml", ".iac-guard.yml")
DEFAULT_PLACEHOLDER_OWNERS = ("", "tbd", "todo", "unknown", "none", "null", "n/a", "na", "changeme", "owner", "nobody", "-")
#: Environment names and the glob patterns (matched whole, case-insensitively) of the tag values,
#: namespaces and folder names that say them; the first environment that matches wins.
DEFAULT_ENVIRONMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("prod", ("prod", "production", "prd", "prod-*", "*-prod", "prod_*", "*_prod", "production-*", "*-production")),
    ("staging", ("staging", "stage", "stg", "preprod", "pre-prod", "uat", "staging-*", "*-staging", "stg-*", "*-stg")),
    ("dev", ("dev", "development", "develop", "sandbox", "dev-*", "*-dev", "dev_*", "*_dev")),
    ("test", ("test", "testing", "qa", "test-*", "*-test", "qa-*", "*-qa")),
)


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
    #: The current owners (``owners`` and the entries of ``owners_file``), folded: when set, an
    #: owner not on it is no current owner. None: no roster is configured.
    owner_roster: frozenset[str] | None = None
    owners_file: Path | None = None
    #: (role, tag keys) pairs: each role must be named by one of its keys (``owner_roles``).
    owner_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Where environments are read: tag/label keys, then name patterns, and which are production.
    environment_keys: tuple[str, ...] = ("environment", "env", "stage")
    environments: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_ENVIRONMENTS
    production_environments: tuple[str, ...] = ("prod",)
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
    #: How many module instances, and resource instances made by repetition, one root module's
    #: tree may hold (terraform/expansion.py): count/for_each multiply across nested modules.
    max_module_instances: int = MAX_MODULE_INSTANCES
    max_resource_instances: int = MAX_RESOURCE_INSTANCES
    #: The gate: the lowest severity that fails it, whether findings fail it at all, and the
    #: baseline whose findings pass (the command line's --fail-on/--soft-fail/--baseline win).
    fail_on: str = "low"
    soft_fail: bool = False
    baseline: Path | None = None
    #: The format written to standard output when the command line names none.
    format: str = "text"
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
    #: The config file in force and what it weakens (trust.py): every output states it.
    config: ConfigInForce | None = None

    def with_overrides(self, **overrides: Any) -> Settings:
        """The settings with command-line values over the file's; the config in force then lists
        only the weakenings the command line left standing."""
        updated = replace(self, **{k: v for k, v in overrides.items() if v is not None})
        if updated.config is None:
            return updated
        return replace(updated, config=updated.config.still_applied(updated))


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files("iac_guard.data").joinpath("config.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def find_config(root: Path) -> Path | None:
    """``.iac-guard.yaml`` in the scanned folder or the nearest folder above it, stopping at the
    repository's top (the folder holding ``.git``): pre-commit scans a few changed files, whose
    common folder is rarely where the repository keeps its config."""
    folder = (root if root.is_dir() else root.parent).resolve()
    for candidate_folder in (folder, *folder.parents):
        found = [candidate_folder / name for name in CONFIG_FILE_NAMES if (candidate_folder / name).is_file()]
        if len(found) > 1:
            raise ConfigError(f"{candidate_folder}: both {' and '.join(CONFIG_FILE_NAMES)} exist; keep one (which applies would be a guess)")
        if found:
            return found[0]
        if (candidate_folder / ".git").exists():
            return None
    return None


def repository_root(folder: Path) -> Path:
    """The folder holding ``.git`` at or above ``folder``, else ``folder`` itself: what a pull
    request's files may refer to."""
    folder = folder.resolve()
    return next((f for f in (folder, *folder.parents) if (f / ".git").exists()), folder)


def load_settings(
    path: Path | None, base: Settings | None = None, scanned_root: Path | None = None, pinned: bool = False
) -> Settings:
    """Read and validate a config file; ``None`` gives the defaults.

    A config found in the scanned tree, or pinned with ``--config`` from inside the repository
    under scan, is written by whoever wrote the change: a found one must not be a link out of the
    repository, and its ``policy_dirs`` must stay inside it. A pinned config from elsewhere is
    trusted and may name any folder.
    """
    settings = base or Settings()
    if path is None:
        return settings
    if not pinned and not path.resolve().is_relative_to(repository_root(path.parent)):
        raise ConfigError(f"{path}: the config file links out of the repository ({repository_root(path.parent)}); it is not read")
    try:
        raw = read_yaml(path, "config file")
    except YamlFileError as exc:
        raise ConfigError(str(exc)) from None
    if raw is None:
        raw = {}
    _validate(path, raw)
    root = (scanned_root or path.parent).resolve()
    resolved = path.resolve()
    from_repository = not pinned or resolved.is_relative_to(repository_root(root))
    shown = Path(os.path.relpath(resolved, root)).as_posix() if from_repository else str(resolved)
    if from_repository and isinstance(raw.get("owners_file"), str):  # checked before it is read
        _check_inside(path, {"owners_file": (path.parent / raw["owners_file"]).resolve()}, repository_root(path.parent))
    values = config_values(raw, path.parent)
    if from_repository:
        _check_inside(path, values, repository_root(path.parent))
    text = path.read_text(encoding="utf-8-sig")
    values["config"] = ConfigInForce(shown, from_repository, weakenings(raw, text, shown, Settings(), path.parent))
    return replace(settings, **values)


def config_problems(raw: Any) -> list[str]:
    """What makes ``raw`` not a valid config (``key: rule broken``), as a config file is checked:
    a policy test case's ``settings`` are config keys too."""
    return validator_problems(_validator(), raw)


def config_values(raw: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """A valid config's keys as Settings fields: lists as tuples, placeholder owners folded,
    ``policy_dirs`` resolved against ``folder`` (where the config sits)."""
    values: dict[str, Any] = dict(raw)
    for key in ("owner_keys", "placeholder_owners", "skip_policies", "exclude"):
        if key in values:
            values[key] = tuple(values[key])
    if "placeholder_owners" in values:
        values["placeholder_owners"] = tuple(v.lower() for v in values["placeholder_owners"])
    if "owner_map" in values:
        values["owner_map"] = tuple((str(k), str(v)) for k, v in values["owner_map"].items())
    for key in ("owner_roles", "environments"):
        if key in values:
            values[key] = tuple((str(name), tuple(str(v) for v in listed)) for name, listed in values[key].items())
    if "owner_roles" in values and "owner_keys" not in values:
        # Whoever a role's key names is an owner: the roles' keys, in order, are the owner keys.
        values["owner_keys"] = tuple(dict.fromkeys(key for _, keys in values["owner_roles"] for key in keys))
    for key in ("environment_keys", "production_environments"):
        if key in values:
            values[key] = tuple(str(v).lower() for v in values[key])
    if "owners" in values or "owners_file" in values:
        try:
            values.update(roster_values(values.pop("owners", ()), values.get("owners_file"), folder))
        except RosterError as exc:
            raise ConfigError(str(exc)) from None
    if "policy_dirs" in values:
        values["policy_dirs"] = tuple((folder / d).resolve() for d in values["policy_dirs"])
    if "baseline" in values:
        values["baseline"] = (folder / values["baseline"]).resolve()
    for key in ("fail_on", "format"):
        if key in values:
            values[key] = values[key].lower()
    return values


def weakenings_of_text(text: str, path: Path, shown: str) -> tuple[Weakening, ...]:
    """The weakenings of a config's text (read at a git revision); ConfigError when it is not a
    valid config."""
    try:
        raw = parse_yaml(text, path, "config file")
    except YamlFileError as exc:
        raise ConfigError(str(exc)) from None
    raw = {} if raw is None else raw
    _validate(path, raw)
    return weakenings(raw, text, shown, Settings(), path.parent)


def _check_inside(path: Path, values: Mapping[str, Any], repository: Path) -> None:
    """A repository's config may name only files inside the repository: the policy packs it loads
    and the baseline that excuses findings. Named by key and index, not by value: an outside path
    is none of the report's business."""
    named = [(f"policy_dirs.{i}", folder) for i, folder in enumerate(values.get("policy_dirs", ()))]
    named += [(key, values[key]) for key in ("baseline", "owners_file") if values.get(key) is not None]
    outside = [key for key, named_path in named if not named_path.is_relative_to(repository)]
    if outside:
        raise ConfigError("\n".join(
            f"{path}: {key}: the path is outside the repository ({repository}); a repository's config may only "
            "name policy packs and baselines inside it (a config pinned with --config from outside the repository may name others)"
            for key in outside
        ))


def _validate(path: Path, raw: Any) -> None:
    problems = config_problems(raw)
    if problems:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in problems))
