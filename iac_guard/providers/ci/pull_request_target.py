"""``pull_request_target`` jobs that check out the pull request's own code.

Such a workflow runs with the base repository's secrets and a writable token even for a pull
request from a fork — safe only while the job runs the base branch's code. A job that checks out
the pull request's head (``actions/checkout`` with ``ref: ${{ github.event.pull_request.head.sha }}``,
``head.ref`` or ``refs/pull/<n>/merge``) and then builds or tests it runs code anyone can write
with every secret the job reads in reach: each is exposed (IAG008). ``actions/checkout`` v7 and
later refuses that checkout unless ``allow-unsafe-pr-checkout: true``; a version the ``uses`` pin
does not tell (a commit SHA, a branch) is not judged.
"""

from __future__ import annotations

import re
from typing import Any

from ...containers.document import LinedDocument
from ...kubernetes.objects import PathKey
from ...model import Flow, Location, Workload

_CHECKOUT = "actions/checkout"
#: A ``ref`` naming the pull request's own commits rather than the base branch's.
_HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/\$\{\{\s*github\.event\.(?:pull_request\.)?number\s*\}\}/(?:merge|head)"
)
_VERSION = re.compile(r"^v?(\d+)(?:\.\d+)*$")
#: The first ``actions/checkout`` major version that refuses a pull request head by default.
_PROTECTED_FROM = 7
_INSTEAD = ("run the pull request's code in a pull_request workflow without secrets, "
            "and do the privileged part in a workflow_run workflow that reads only its artifacts")


def runs_on_pull_request_target(triggers: Any) -> bool:
    """Whether a workflow's ``on:`` (a name, a list of names or a map) includes pull_request_target."""
    if isinstance(triggers, str):
        return triggers == "pull_request_target"
    if isinstance(triggers, (list, dict)):
        return "pull_request_target" in triggers
    return False


def untrusted_checkouts(document: LinedDocument, workload: Workload, job: dict[str, Any], path: PathKey, secrets: list[str]) -> list[Flow]:
    """An exposure of each secret the job reads, at each step that checks out the pull request head."""
    flows = []
    steps = job.get("steps")
    for position, step in enumerate(steps if isinstance(steps, list) else []):
        inputs = step.get("with") if isinstance(step, dict) else None
        if not isinstance(inputs, dict) or not _unsafe_checkout(step.get("uses"), inputs):
            continue
        line = document.line_of(*path, "steps", position, "with", "ref")
        how = (f"step {position + 1} checks out the pull request's head in a pull_request_target job, "
               "so code from a fork runs with it in reach")
        flows += [Flow("exposed", secret, workload.address, how, _INSTEAD, Location(document.file, line, line)) for secret in secrets]
    return flows


def _unsafe_checkout(uses: Any, inputs: dict[str, Any]) -> bool:
    if not isinstance(uses, str) or uses.split("@", 1)[0].lower() != _CHECKOUT:
        return False
    ref = inputs.get("ref")
    if not isinstance(ref, str) or not _HEAD_REF.search(ref):
        return False
    if inputs.get("allow-unsafe-pr-checkout") in (True, "true"):
        return True
    version = _VERSION.match(uses.split("@", 1)[1]) if "@" in uses else None
    return version is not None and int(version.group(1)) < _PROTECTED_FROM
