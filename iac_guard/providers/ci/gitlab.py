"""GitLab CI: each job of ``.gitlab-ci.yml`` is a workload; ``variables:`` written in the file
(global and per job) are judged for literal keys; a ``$NAME`` its script or variables read that
the file does not define, and whose name says it holds a secret, is a usage of CI/CD variable
NAME (``gitlab-variable:NAME``), declared by a Terraform ``gitlab_project_variable`` /
``gitlab_group_variable`` of that key when the scan has one. ``id_tokens:`` is the job's OIDC
token (workload identity), said on its usages.
"""

from __future__ import annotations

import re
from typing import Any

from ...containers.document import LinedDocument
from ...model import Credential, Extraction, Location, SecretLiteral, Usage, Workload
from ...secrets.literal import names_a_secret
from ..containers.records import literal_records
from .records import leaves, literal_values, referenced_credential

PROVIDER = "gitlab-ci"
VARIABLE_PREFIX = "gitlab-variable:"
#: Top-level keys that configure the pipeline rather than name a job.
_KEYWORDS = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec"}
_READ = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def extract(pipelines: list[LinedDocument]) -> Extraction:
    found = Extraction()
    variables: dict[str, Credential] = {}
    for document in sorted(pipelines, key=lambda d: d.file):
        shared = _variables(document.body.get("variables"))
        for job, body in sorted(document.body.items()):
            if job in _KEYWORDS or job.startswith(".") or not isinstance(body, dict):
                continue
            found.extend(_job(document, job, body, shared, variables))
        found.extend(_literals_of_shared(document))
    found.credentials += variables.values()
    return found


def _job(document: LinedDocument, job: str, body: dict[str, Any], shared: dict[str, Any], variables: dict[str, Credential]) -> Extraction:
    line = document.line_of(job)
    workload = Workload(f"gitlab-ci:{document.file}/jobs/{job}", PROVIDER, "pipeline job", Location(document.file, line, line), platform=PROVIDER)
    found = Extraction(workloads=[workload])
    defined = {**shared, **_variables(body.get("variables"))}
    federated = "id_tokens" in body
    literals: list[SecretLiteral] = []
    for path, value in leaves(body, (job,)):
        at = document.line_of(*path)
        location = Location(document.file, at, at)
        if len(path) >= 3 and path[1] == "variables":
            literals += literal_values(value, ".".join(map(str, path)), location, str(path[2]))
        for name in _read_names(value):
            if name in defined or name.startswith(("CI_", "GITLAB_")) or not names_a_secret(name):
                continue
            address = VARIABLE_PREFIX + name
            variables.setdefault(address, referenced_credential(address, PROVIDER, "GitLab CI/CD variable", name, location, "GitLab"))
            via = f"${name}" + (" (the job also has an OIDC id_token)" if federated else "")
            found.usages.append(Usage(workload.address, address, via, location, env_var=name))
    if literals:
        found.extend(literal_records(workload, literals, [item.field.split(".")[2] for item in literals], job))
    return found


def _literals_of_shared(document: LinedDocument) -> Extraction:
    """Keys written in the pipeline's global ``variables``: one literal credential of the file."""
    shared = document.body.get("variables")
    literals: list[SecretLiteral] = []
    for name, value in _variables(shared).items():
        at = document.line_of("variables", name)
        literals += literal_values(value, f"variables.{name}", Location(document.file, at, at), name)
    if not literals:
        return Extraction()
    workload = Workload(f"gitlab-ci:{document.file}", PROVIDER, "pipeline", Location(document.file, 1, 1), platform=PROVIDER)
    return literal_records(workload, literals, [item.field.split(".")[1] for item in literals], document.file)


def _variables(value: Any) -> dict[str, Any]:
    """``NAME: value`` and ``NAME: {value: …, description: …}`` as name → value."""
    if not isinstance(value, dict):
        return {}
    return {str(k): (v.get("value") if isinstance(v, dict) else v) for k, v in value.items()}


def _read_names(value: Any) -> list[str]:
    return _READ.findall(value) if isinstance(value, str) and "$" in value else []
