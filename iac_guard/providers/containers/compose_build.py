"""Compose build arguments: a service's ``build.args`` that carry a project ``.env`` key into an
image build. A build argument's value stays in the image's history and build metadata (Docker's
``SecretsUsedInArgOrEnv``), so each is an exposure of the ``.env`` key (IAG008); Compose's
``build.secrets`` (read with ``RUN --mount=type=secret``) is the compliant form and gives nothing.

An argument is judged when its name or the variable it takes says it holds a secret, and the
variable is one the project's ``.env`` sets: ``OPENAI_API_KEY: ${OPENAI_API_KEY}``, the list form
``- OPENAI_API_KEY=${OPENAI_API_KEY}``, or a bare ``- OPENAI_API_KEY`` (taken from the same
variables). Other values are the shell's, unknown here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...containers.compose import ComposeFile
from ...containers.interpolation import variable_name
from ...model import Credential, Flow, Location
from ...secrets.literal import names_a_secret

_INSTEAD = "declare it under build.secrets and read it with RUN --mount=type=secret,id=… instead of a build argument"


def build_arg_exposures(compose: ComposeFile, name: str, service: dict[str, Any], project_env: dict[str, Credential]) -> list[Flow]:
    flows = []
    for argument, variable, path in _arguments(service):
        if variable not in project_env or not (names_a_secret(argument) or names_a_secret(variable)):
            continue
        line = compose.line_of("services", name, *path)
        how = f"passes it to the image build as build argument {argument}, which the image's history keeps"
        flows.append(Flow("exposed", project_env[variable].address, f"compose:{compose.file}/services/{name}", how, _INSTEAD,
                          Location(compose.file, line, line)))
    return flows


def _arguments(service: dict[str, Any]) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """``(argument, variable it takes, path)`` of the map and list forms of ``build.args``."""
    build = service.get("build")
    args = build.get("args") if isinstance(build, dict) else None
    if isinstance(args, dict):
        for key, value in args.items():
            variable = variable_name(value) if isinstance(value, str) else str(key) if value is None else None
            if variable is not None:
                yield str(key), variable, ("build", "args", str(key))
    elif isinstance(args, list):
        for position, item in enumerate(args):
            if not isinstance(item, str):
                continue
            key, equals, value = item.partition("=")
            variable = variable_name(value) if equals else key.strip()
            if variable is not None:
                yield key.strip(), variable, ("build", "args", position)
