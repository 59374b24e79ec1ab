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
from ...model import Credential, Extraction, Flow, Location, SecretLiteral, Usage, Workload
from ..containers.records import literal_records
from .build_args import build_arg_exposures
from .pull_request_target import runs_on_pull_request_target, untrusted_checkouts
from .records import leaves, literal_values, referenced_credential
from .secret_references import SECRET_PREFIX, secret_names

PROVIDER = "github-actions"
#: Official authentication actions: the input that takes a static key, and the ones that federate.
_AUTH_ACTIONS = {
    "aws-actions/configure-aws-credentials": ("aws", ("aws-access-key-id", "aws-secret-access-key"), ("role-to-assume",)),
    "google-github-actions/auth": ("google cloud", ("credentials_json",), ("workload_identity_provider",)),
    "azure/login": ("azure", ("creds", "client-secret"), ("client-id",)),
}
#: What each cloud offers a workflow instead of a stored key.
_FEDERATION = {
    "aws": "use OIDC instead: role-to-assume, with permissions id-token: write",
    "google cloud": "use Workload Identity Federation instead: workload_identity_provider and service_account",
    "azure": "use a federated credential instead: client-id, tenant-id and subscription-id, with permissions id-token: write",
}
#: Job keys whose values are settings, never values a step is given: ``permissions`` holds access
#: levels (``id-token: write``), which a secret-named key would otherwise make a literal "secret".
_SETTINGS = {"permissions"}
#: A shell line that prints what it is given, or traces or dumps the environment.
_PRINTS = re.compile(r"(?:^|[;&|]\s*|\s)(?:echo|printf|cat|tee)\b")
_DUMPS = re.compile(r"(?m)^\s*(?:set\s+(?:-[a-z]*x|-o\s+xtrace)|(?:env|printenv)\s*(?:$|[;|>]))")


def _deployment_environment(job: dict[str, Any]) -> dict[str, Any]:
    """A job's ``environment:`` (a name, or ``{name: ..., url: ...}``) as the tag the inventory reads
    environments from; an expression (``${{ inputs.env }}``) says nothing known."""
    stated = job.get("environment")
    name = stated.get("name") if isinstance(stated, dict) else stated
    return {"environment": name} if isinstance(name, str) and "${{" not in name else {}


def extract(workflows: list[LinedDocument]) -> Extraction:
    found = Extraction()
    secrets: dict[str, Credential] = {}
    for document in sorted(workflows, key=lambda d: d.file):
        shared_env = document.body.get("env")
        # YAML 1.1 reads the key ``on`` as True, which the document keeps as the text "true".
        privileged = runs_on_pull_request_target(document.body.get("on", document.body.get("true")))
        for name, path, body in _jobs(document):
            workload = Workload(f"workflow:{document.file}/{'/'.join(map(str, path))}", PROVIDER, "workflow job",
                                _at(document, *path), platform=PROVIDER, tags=_deployment_environment(body))
            found.workloads.append(workload)
            found_leaves = list(leaves({k: v for k, v in body.items() if k not in _SETTINGS}, path))
            if isinstance(shared_env, dict):
                found_leaves += leaves(shared_env, ("env",))
            auth = _authentication(body, path)
            found.extend(_job_records(document, workload, name, found_leaves, auth, secrets))
            found.flows += _exposures(document, workload, body, path, shared_env)
            found.flows += build_arg_exposures(document, workload, body, path)
            if privileged:
                read = sorted({n for _, value in found_leaves for n in secret_names(value)})
                found.flows += untrusted_checkouts(document, workload, body, path, [SECRET_PREFIX + n for n in read])
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
    auth: dict[PathKey, tuple[str, str | None]], secrets: dict[str, Credential],
) -> Extraction:
    found = Extraction()
    literals: list[SecretLiteral] = []
    for path, value in values:
        location = _at(document, *path)
        key = str(path[-1]) if not isinstance(path[-1], int) else str(path[-2])
        literals += literal_values(value, ".".join(map(str, path)), location, key)
        for secret in secret_names(value):
            address = SECRET_PREFIX + secret
            secrets.setdefault(address, referenced_credential(address, PROVIDER, "GitHub Actions secret", secret, location, "GitHub"))
            env_var = key if len(path) >= 2 and path[-2] == "env" else None
            via, instead = auth.get(path, (f"secrets.{secret}", None))
            found.usages.append(Usage(workload.address, address, via, location, env_var=env_var))
            if instead is not None:
                found.flows.append(Flow("static", address, workload.address, f"passes it as {via}", instead, location, platform=PROVIDER))
    if literals:
        found.extend(literal_records(workload, literals, [item.field.rsplit(".", 1)[-1] for item in literals], name))
    return found


def _authentication(job: dict[str, Any], path: PathKey) -> dict[PathKey, tuple[str, str | None]]:
    """The ``with`` inputs of cloud authentication steps: how each is used (said on the secret's
    usage) and, for a static key, the federation the cloud offers instead."""
    said: dict[PathKey, tuple[str, str | None]] = {}
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
                said[where] = (f"{cloud} static key ({action} {key})", _FEDERATION[cloud])
            elif key in federated:
                said[where] = (f"{cloud} workload identity federation ({action} {key})", None)
    return said


def _exposures(document: LinedDocument, workload: Workload, job: dict[str, Any], path: PathKey, shared_env: Any) -> list[Flow]:
    """Steps whose ``run`` prints a secret it names (``echo ${{ secrets.X }}``), or traces or dumps
    the environment (``set -x``, ``env``, ``printenv``) while a secret is in it: GitHub masks a
    secret's exact value in logs, not an encoding or a part of it, nor what a command derives."""
    flows = []
    in_job = {n for env in (shared_env, job.get("env")) if isinstance(env, dict) for v in env.values() for n in secret_names(v)}
    steps = job.get("steps")
    for position, step in enumerate(steps if isinstance(steps, list) else []):
        script = step.get("run") if isinstance(step, dict) else None
        if not isinstance(script, str):
            continue
        where = (*path, "steps", position, "run")
        line = document.line_of(*where)
        location = Location(document.file, line, line)
        env = step.get("env")
        in_step = in_job | {n for v in (env.values() if isinstance(env, dict) else ()) for n in secret_names(v)}
        printed = {n for text in script.splitlines() if _PRINTS.search(text) for n in secret_names(text)}
        for name in sorted(printed):
            flows.append(Flow("exposed", SECRET_PREFIX + name, workload.address, f"step {position + 1} prints it in the job log",
                              "pass it to the command in an environment variable and never print it", location))
        if _DUMPS.search(script):
            for name in sorted(in_step - printed):
                flows.append(Flow("exposed", SECRET_PREFIX + name, workload.address,
                                  f"step {position + 1} traces or dumps its environment (set -x, env) with it in scope",
                                  "remove set -x / env from steps that hold secrets", location))
    return flows


def _at(document: LinedDocument, *path: str | int) -> Location:
    line = document.line_of(*path)
    return Location(document.file, line, line)
