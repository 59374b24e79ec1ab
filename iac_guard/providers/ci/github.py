"""GitHub Actions: each job of a workflow (and each composite action) is a workload; every
``${{ secrets.NAME }}`` it reads is a usage of repository, environment or organisation secret
NAME; keys written in its ``env``, ``with`` and ``run`` are its literal credential.

A secret is known by name (``github-secret:NAME``): a Terraform ``github_actions_secret`` (or
environment / organisation secret) of that ``secret_name`` in the scan is the declared record and
takes its usages (providers/ci/terraform.py); without one, what the secret states about itself is
in GitHub, unknown here. ``GITHUB_TOKEN`` is the job's own short-lived token, not a secret anyone
stored. How a job reaches a cloud is read from the official authentication actions and said on
the usage: a static key (``aws-access-key-id``, ``credentials_json``, ``creds``) or workload
identity federation (``role-to-assume``, ``workload_identity_provider``, ``client-id``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...containers.document import LinedDocument
from ...kubernetes.objects import PathKey
from ...model import Credential, Extraction, Location, SecretLiteral, Usage, Workload
from ..containers.records import literal_records
from .records import leaves, literal_values, referenced_credential

PROVIDER = "github-actions"
SECRET_PREFIX = "github-secret:"
_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_AUTOMATIC = {"GITHUB_TOKEN"}
#: Official authentication actions: the input that takes a static key, and the ones that federate.
_AUTH_ACTIONS = {
    "aws-actions/configure-aws-credentials": ("aws", ("aws-access-key-id", "aws-secret-access-key"), ("role-to-assume",)),
    "google-github-actions/auth": ("google cloud", ("credentials_json",), ("workload_identity_provider",)),
    "azure/login": ("azure", ("creds", "client-secret"), ("client-id",)),
}


def extract(workflows: list[LinedDocument]) -> Extraction:
    found = Extraction()
    secrets: dict[str, Credential] = {}
    for document in sorted(workflows, key=lambda d: d.file):
        shared_env = document.body.get("env")
        for name, path, body in _jobs(document):
            workload = Workload(f"workflow:{document.file}/{'/'.join(map(str, path))}", PROVIDER, "workflow job",
                                _at(document, *path))
            found.workloads.append(workload)
            found_leaves = list(leaves(body, path))
            if isinstance(shared_env, dict):
                found_leaves += leaves(shared_env, ("env",))
            auth = _authentication(body, path)
            found.extend(_job_records(document, workload, name, found_leaves, auth, secrets))
    found.credentials += secrets.values()
    return found


def _jobs(document: LinedDocument) -> Iterator[tuple[str, PathKey, dict[str, Any]]]:
    """Each job of a workflow (``jobs.<id>``), or a composite action's ``runs``."""
    jobs = document.body.get("jobs")
    if isinstance(jobs, dict):
        for job, body in sorted(jobs.items(), key=lambda item: str(item[0])):
            if isinstance(body, dict):
                yield str(job), ("jobs", str(job)), body
    runs = document.body.get("runs")
    if isinstance(runs, dict):
        yield "runs", ("runs",), runs


def _job_records(
    document: LinedDocument, workload: Workload, name: str, values: list[tuple[PathKey, Any]],
    auth: dict[PathKey, str], secrets: dict[str, Credential],
) -> Extraction:
    found = Extraction()
    literals: list[SecretLiteral] = []
    for path, value in values:
        location = _at(document, *path)
        key = str(path[-1]) if not isinstance(path[-1], int) else str(path[-2])
        literals += literal_values(value, ".".join(map(str, path)), location, key)
        for secret in _secret_names(value):
            address = SECRET_PREFIX + secret
            secrets.setdefault(address, referenced_credential(address, PROVIDER, "GitHub Actions secret", secret, location, "GitHub"))
            env_var = key if len(path) >= 2 and path[-2] == "env" else None
            via = auth.get(path, f"secrets.{secret}")
            found.usages.append(Usage(workload.address, address, via, location, env_var=env_var))
    if literals:
        found.extend(literal_records(workload, literals, [item.field.rsplit(".", 1)[-1] for item in literals], name))
    return found


def _authentication(job: dict[str, Any], path: PathKey) -> dict[PathKey, str]:
    """The ``with`` inputs of cloud authentication steps that take a static key, each with how it
    is used (said on the secret's usage), and the federated ones noted the same way."""
    said: dict[PathKey, str] = {}
    steps = job.get("steps")
    for position, step in enumerate(steps if isinstance(steps, list) else []):
        uses = step.get("uses") if isinstance(step, dict) else None
        action = uses.split("@", 1)[0].lower() if isinstance(uses, str) else ""
        if action not in _AUTH_ACTIONS or not isinstance(step.get("with"), dict):
            continue
        cloud, static, federated = _AUTH_ACTIONS[action]
        for key in step["with"]:
            where = (*path, "steps", position, "with", str(key))
            if key in static:
                said[where] = f"{cloud} static key ({action} {key})"
            elif key in federated:
                said[where] = f"{cloud} workload identity federation ({action} {key})"
    return said


def _secret_names(value: Any) -> list[str]:
    if not isinstance(value, str) or "secrets" not in value:
        return []
    names = []
    for expression in re.findall(r"\$\{\{(.*?)\}\}", value, flags=re.DOTALL):
        for match in _SECRET.finditer(expression):
            name = match.group(1) or match.group(2)
            if name and name not in _AUTOMATIC:
                names.append(name)
    return names


def _at(document: LinedDocument, *path: str | int) -> Location:
    line = document.line_of(*path)
    return Location(document.file, line, line)
