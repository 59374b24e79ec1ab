"""Standard input as the kind the command line settled on (``--stdin-kind``, or told by content).

Terraform from a pipe is one root module of one file, ``<stdin>``: it has no folder, so its local
module calls and ``file()`` reads stay unknown. Input that holds nothing of its kind is an error:
a pipe from the wrong command must not pass as a clean scan.
"""

from __future__ import annotations

from ..config.settings import Settings
from ..discover import EXPECTED_KINDS, Sources
from ..kubernetes.loader import load_kube_text
from ..kubernetes.objects import KubeObject
from ..model import ScanError
from ..providers import DATA_SOURCES
from ..result import STDIN_NAME
from ..terraform.module import Module
from ..terraform.syntax.parse import parse_json_text, parse_text
from ..terraform.syntax.plan import plan_from_bytes


def read_stdin(
    sources: Sources, settings: Settings, text: str | None, errors: list[ScanError]
) -> tuple[list[Module], list[KubeObject]]:
    """The module trees or the manifests standard input holds; what stopped it goes to ``errors``."""
    text = text or ""
    if settings.stdin_kind == "terraform":
        return _terraform(sources, text, errors), []
    if settings.stdin_kind == "plan":
        module, plan_errors = plan_from_bytes(text.encode("utf-8"), STDIN_NAME, DATA_SOURCES)
        errors += plan_errors
        return ([module] if module is not None else []), []
    objects, yaml_errors = load_kube_text(text, STDIN_NAME)
    errors += yaml_errors
    if not objects and not yaml_errors:
        errors.append(ScanError(STDIN_NAME, f"standard input holds no Kubernetes object (apiVersion and kind); expected {EXPECTED_KINDS}"))
    return [], objects


def _terraform(sources: Sources, text: str, errors: list[ScanError]) -> list[Module]:
    parse = parse_json_text if text.lstrip("\ufeff \t\r\n").startswith("{") else parse_text
    parsed = parse(text, STDIN_NAME)
    if isinstance(parsed, ScanError):
        errors.append(parsed)
        return []
    return [Module(STDIN_NAME, [parsed], {}, DATA_SOURCES, root_path=sources.root)]
