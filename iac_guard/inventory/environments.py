"""Which environment (prod, staging, dev, ...) a workload or credential belongs to.

OWASP NHI8 asks that a credential serve one environment: a key read by prod and dev lets a dev
box act on production. Nothing in Terraform or Kubernetes has an "environment" field, so it is
read from what teams write, in this order: a tag or label under the configured keys (a workflow
job's ``environment:`` reads as one), the Kubernetes namespace, the names of the ``--var-file``
files given (``prod.tfvars``, for Terraform records), then the folder names of the root module and
of the file (``live/prod/...``, ``overlays/staging``). Namespaces and folders count only when a
configured pattern matches them whole (``support-bot`` says nothing); a tag states an environment
even when no pattern knows its value. When nothing says, the environment is unknown, and unknown
never fails a policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

from ..config.settings import Settings
from ..model import UNKNOWN, Unknown

_TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfplan.json")


def environment_of(
    address: str, provider: str, file: str, root_module: str, tags: Mapping[str, Any] | Unknown, settings: Settings
) -> str | Unknown:
    """The environment a record's tags, namespace, var files or folders say; unknown if none does."""
    if isinstance(tags, Unknown):
        return UNKNOWN  # an environment tag may be among what is not known before apply
    stated = _tagged(tags, settings)
    if stated is not None:
        return stated
    candidates: list[str] = []
    namespace = kubernetes_namespace(address, provider)
    if namespace:
        candidates.append(namespace)
    if file.endswith(_TERRAFORM_SUFFIXES):
        candidates += [_stem(path.name) for path in settings.var_files]
    candidates += reversed(_folders(root_module))
    candidates += reversed(_folders(str(PurePosixPath(file).parent)))
    return next((name for name in (named(c, settings) for c in candidates) if name), UNKNOWN)


def kubernetes_namespace(address: str, provider: str) -> str | None:
    """The namespace of a ``Kind/namespace/name`` address (cluster-scoped objects have none)."""
    parts = address.split("/")
    return parts[1] if provider == "kubernetes" and len(parts) == 3 else None


def named(value: str, settings: Settings) -> str | None:
    """The configured environment whose patterns match ``value`` whole, case-insensitively."""
    folded = value.casefold()
    return next((name for name, patterns in settings.environments if any(fnmatchcase(folded, p.casefold()) for p in patterns)), None)


def is_production(environment: str | Unknown, settings: Settings) -> bool | Unknown:
    return environment if isinstance(environment, Unknown) else environment in settings.production_environments


def _tagged(tags: Mapping[str, Any], settings: Settings) -> str | Unknown | None:
    """The environment a tag under one of the keys states: its configured name, else its value."""
    lowered = {str(key).casefold(): value for key, value in tags.items()}
    for key in settings.environment_keys:
        value = lowered.get(key.casefold())
        if isinstance(value, Unknown):
            return UNKNOWN
        if isinstance(value, str) and value.strip():
            return named(value.strip(), settings) or value.strip().casefold()
    return None


def _folders(path: str) -> list[str]:
    return [part for part in PurePosixPath(path).parts if part not in (".", "/")]


def _stem(name: str) -> str:
    """``prod.tfvars`` and ``prod.auto.tfvars.json`` say ``prod``."""
    return name.split(".", 1)[0]
