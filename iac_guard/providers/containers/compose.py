"""Compose files: each service is a workload; literal keys in its ``environment`` are its literal
credential; the ``.env`` keys it reads make it their consumer.

A service reads a ``.env`` key three ways, each a usage:

- ``env_file: [.env.production]`` loads the whole file into its environment (every key of it);
- ``environment: {OPENAI_API_KEY: ${OPENAI_API_KEY}}`` interpolates from the project's ``.env``,
  the one beside the Compose file;
- ``secrets: [openai_api_key]`` with the top-level ``secrets: {openai_api_key: {environment:
  OPENAI_API_KEY}}``, which Compose fills from the same variables.

``${VAR}`` is never a literal (``${VAR:-default}``'s default is judged as one); a secret read
from a ``file:`` holds a value the scan does not read. A ``.env`` key passed to an image build as
a build argument is exposed (compose_build.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from ...containers.compose import ComposeFile
from ...containers.files import AppFiles
from ...containers.interpolation import literal_part, variable_name
from ...model import Credential, Extraction, Location, Usage, Workload
from ...secrets.detect import detect
from . import dotenv
from .compose_build import build_arg_exposures
from .records import literal, literal_records

PROVIDER = "docker"


def extract(files: AppFiles) -> Extraction:
    found = dotenv.extract(files)
    for compose in sorted(files.compose, key=lambda c: c.file):
        folder = posixpath.dirname(compose.file)
        project_env = dotenv.file_credentials(files, posixpath.join(folder, ".env") if folder else ".env")
        for name, service in sorted(compose.services.items()):
            found.extend(_service(compose, name, service, project_env))
            found.usages += _env_file_usages(files, compose, name, service, folder)
            found.usages += _secret_usages(compose, name, service, project_env)
            found.flows += build_arg_exposures(compose, name, service, project_env)
    return found


def _service(compose: ComposeFile, name: str, service: dict[str, Any], project_env: dict[str, Credential]) -> Extraction:
    """The service as a workload, its literal credential, and the project ``.env`` keys it interpolates."""
    line = compose.line_of("services", name)
    workload = Workload(f"compose:{compose.file}/services/{name}", PROVIDER, "compose service", Location(compose.file, line, line))
    found = Extraction(workloads=[workload])
    literals = []
    for key, value, path in _environment(service):
        at = compose.line_of("services", name, *path)
        written = literal_part(value)
        detection = detect(written, key) if written is not None else None
        if detection is not None:
            literals.append(literal(f"environment.{key}", detection, compose.file, at))
        reference = variable_name(value)
        if reference is not None and reference in project_env:
            found.usages.append(Usage.through_env(workload.address, project_env[reference].address, key, Location(compose.file, at, at)))
    if literals:
        found.extend(literal_records(workload, literals, [item.field.split(".", 1)[1] for item in literals], name))
    return found


def _environment(service: dict[str, Any]) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """``(name, value, path)`` of the map form and of the ``- NAME=value`` list form."""
    environment = service.get("environment")
    if isinstance(environment, dict):
        for key, value in environment.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                yield str(key), str(value), ("environment", str(key))
    elif isinstance(environment, list):
        for position, item in enumerate(environment):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                yield key.strip(), value, ("environment", position)


def _env_file_usages(files: AppFiles, compose: ComposeFile, name: str, service: dict[str, Any], folder: str) -> list[Usage]:
    entries = service.get("env_file")
    entries = [entries] if isinstance(entries, (str, dict)) else entries if isinstance(entries, list) else []
    usages = []
    for position, entry in enumerate(entries):
        path = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(path, str):
            continue
        rel = posixpath.normpath(posixpath.join(folder, path))
        line = compose.line_of("services", name, "env_file", position) if isinstance(service.get("env_file"), list) else compose.line_of("services", name, "env_file")
        for key, credential in dotenv.file_credentials(files, rel).items():
            usages.append(Usage(f"compose:{compose.file}/services/{name}", credential.address, f"env_file {path}", Location(compose.file, line, line), env_var=key))
    return usages


def _secret_usages(compose: ComposeFile, name: str, service: dict[str, Any], project_env: dict[str, Credential]) -> list[Usage]:
    declared = compose.body.get("secrets")
    declared = declared if isinstance(declared, dict) else {}
    usages = []
    entries = service.get("secrets")
    for position, entry in enumerate(entries if isinstance(entries, list) else []):
        secret = entry.get("source") if isinstance(entry, dict) else entry
        definition = declared.get(secret) if isinstance(secret, str) else None
        variable = definition.get("environment") if isinstance(definition, dict) else None
        if isinstance(variable, str) and variable in project_env:
            line = compose.line_of("services", name, "secrets", position)
            usages.append(Usage(f"compose:{compose.file}/services/{name}", project_env[variable].address, f"secret {secret}", Location(compose.file, line, line), env_var=variable))
    return usages

