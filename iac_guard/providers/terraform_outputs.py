"""Root module outputs that print a credential's secret: Terraform shows every output not marked
``sensitive = true`` on each plan and apply, in CI logs, and to anyone who reads the state.

Not a provider of its own: any output can read ``aws_iam_access_key.ci.secret`` or
``azurerm_cognitive_account.openai.primary_access_key``. Which attribute is the secret is told by
its name (``secret``, ``password``, ``…_access_key``, ``private_key``), as for literal values;
``nonsensitive()`` around it is the code asking for it to be shown.
"""

from __future__ import annotations

from ..config.settings import Settings
from ..model import Extraction, Flow
from ..secrets.literal import names_a_secret
from ..terraform.module import Module
from ..terraform.syntax.nodes import Call, Expr, children
from .common.links import attribute_references
from .project import Project


def extract(project: Project, settings: Settings) -> Extraction:
    found = Extraction()
    for module in project.modules:
        found.extend(Extraction(flows=_exposed_outputs(module)).in_root_module(module.directory))
    return found


def _exposed_outputs(root: Module) -> list[Flow]:
    flows = []
    for output in root.output_blocks:
        written = output.attribute("value")
        if written is None or (output.value("sensitive") is True and not _unmasks(written.expr)):
            continue
        for reference in sorted(attribute_references(output, "value")):
            address, _, attribute = reference.rpartition(".")
            if names_a_secret(attribute):
                flows.append(Flow(
                    "exposed", address, f"output.{output.labels[0]}",
                    f"prints its {attribute} on every plan and apply", "mark the output sensitive = true, or output only where the secret is stored",
                    output.location_of("value"),
                ))
    return flows


def _unmasks(expression: Expr) -> bool:
    """Whether the value calls ``nonsensitive(…)`` anywhere."""
    if isinstance(expression, Call) and expression.name == "nonsensitive":
        return True
    return any(_unmasks(child) for child in children(expression))
