"""Workflow steps that hand a stored secret to an image build as a build argument.

A build argument's value stays in the image's history and build metadata (Docker's
``SecretsUsedInArgOrEnv``), readable by anyone who can pull the image: ``docker build
--build-arg KEY=${{ secrets.X }}`` in a ``run`` step, or ``docker/build-push-action``'s
``build-args`` input, exposes secret X (IAG008). The action's ``secrets`` / ``secret-envs`` inputs
and ``docker build --secret`` are BuildKit secrets, the compliant form, and give nothing.
"""

from __future__ import annotations

import re
from typing import Any

from ...containers.document import LinedDocument
from ...kubernetes.objects import PathKey
from ...model import Flow, Location, Workload
from .secret_references import SECRET_PREFIX, secret_names

_BUILD_PUSH = "docker/build-push-action"
_BUILD_ARG_FLAG = re.compile(r"--build-arg(?:\s+|=)")
#: Where a build argument's value ends: the next option (``-t``, ``--secret``) of the command.
_OPTION = re.compile(r"\s-")
_INSTEAD = "pass it as a BuildKit secret (the action's secrets input, docker build --secret) and read it with RUN --mount=type=secret"


def build_arg_exposures(document: LinedDocument, workload: Workload, job: dict[str, Any], path: PathKey) -> list[Flow]:
    """An exposure of each secret a step passes to ``--build-arg`` or ``build-args``."""
    flows = []
    steps = job.get("steps")
    for position, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        for where, names in _passed(step):
            line = document.line_of(*path, "steps", position, *where)
            how = f"step {position + 1} passes it to an image build as a build argument, which the image's history keeps"
            flows += [Flow("exposed", SECRET_PREFIX + name, workload.address, how, _INSTEAD, Location(document.file, line, line))
                      for name in dict.fromkeys(names)]
    return flows


def _passed(step: dict[str, Any]) -> list[tuple[PathKey, list[str]]]:
    """(where in the step, the secrets it passes as build arguments there)."""
    found: list[tuple[PathKey, list[str]]] = []
    uses, inputs = step.get("uses"), step.get("with")
    if isinstance(uses, str) and uses.split("@", 1)[0].lower() == _BUILD_PUSH and isinstance(inputs, dict):
        names = secret_names(inputs.get("build-args"))
        if names:
            found.append((("with", "build-args"), names))
    script = step.get("run")
    if isinstance(script, str) and "--build-arg" in script:
        names = [name for text in _commands(script) for argument in _BUILD_ARG_FLAG.split(text)[1:]
                 for name in secret_names(_OPTION.split(argument, 1)[0])]
        if names:
            found.append((("run",), names))
    return found


def _commands(script: str) -> list[str]:
    """A script's commands, with backslash-continued lines joined."""
    return script.replace("\\\n", " ").splitlines()
