"""Vault ACL policies: ``vault_policy`` documents (HCL text written inline, read with ``file()``, or
rendered by a ``vault_policy_document`` data source) read into grants, and which are wildcards.

A grant is one ``path`` block: its actions are the capabilities (``read``; ``*:read`` on a path
that matches every mount) and its resource the path. Wildcard reasons — Vault knowledge, so recorded here for the policies
to read — are a path whose first segment is a glob (``*``, ``+/*``: every secrets engine and auth
method), the ``sudo`` capability, and the built-in ``root`` policy. ``deny`` takes access away and
gives no grant. A path that is not known before apply is never a wildcard.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Any

from ...model import Grant, Location, Unknown
from ...terraform.evaluate import LITERAL_EVALUATOR
from ...terraform.syntax.nodes import Call, Literal, Template
from ...terraform.syntax.parse import parse_text
from ...terraform.values import collect_refs, contains_unknown
from ...terraform.view import BlockView, Resource
from ..common.literals import known_strings, partial_text

ROOT_POLICY = "root"
DOCUMENT_DATA_SOURCE = "vault_policy_document"
_UNKNOWN_PART = "<unknown>"


def root_grant(location: Location) -> Grant:
    """The built-in ``root`` policy: everything, everywhere."""
    return Grant("policy root", ("*",), ("*",), ("the root policy allows every operation on every path",), location)


def policy_grants(policy: Resource) -> tuple[Grant, ...]:
    """The grants of one ``vault_policy``, each located where its path is written."""
    label = policy.address
    documents = {d.address: d for d in policy.module.data_of(DOCUMENT_DATA_SOURCE)}
    for ref in sorted(policy.refs("policy")):
        if ref in documents:
            return tuple(_rule_grants(label, documents[ref]))
    text = partial_text(policy.value("policy"), _UNKNOWN_PART)
    if text is None:
        return ()
    return tuple(_text_grants(label, text, _text_origin(policy)))


def path_grant(label: str, path: Any, capabilities: Any, location: Location) -> Grant | None:
    """One ``path`` rule as a grant; None for a ``deny`` rule."""
    granted = known_strings(capabilities)
    if "deny" in granted:
        return None
    if not isinstance(path, str):
        return Grant(f"{label} path (not known before apply)", (), (), (), location)
    reasons = []
    first = path.split("/", 1)[0]
    everywhere = _UNKNOWN_PART not in first and (first.startswith("*") or first == "+")
    if everywhere:
        reached = "every path" if path.startswith("*") else "every secrets engine and auth method"
        reasons.append(f'path "{path}" matches {reached}')
    if "sudo" in granted:
        reasons.append(f'sudo capability on "{path}"')
    actions = tuple(f"*:{c}" if everywhere else c for c in granted)
    return Grant(f'{label} path "{path}"', actions, (path,), tuple(reasons), location)


def render_policy_document(view: BlockView) -> Mapping[str, Any]:
    """``data "vault_policy_document"`` → its ``hcl`` attribute, as the provider renders it."""
    rules = [[rule.value("path"), rule.value("capabilities")] for rule in view.blocks("rule")]
    view.module.budget.admit(rules)  # a thousand dynamic rules may repeat one large list
    if contains_unknown(rules):
        return {"hcl": Unknown(collect_refs(rules))}
    text = "\n".join(
        f"path {json.dumps(path)} {{\n  capabilities = {json.dumps(known_strings(capabilities))}\n}}\n"
        for path, capabilities in rules
    )
    return {"hcl": text}


def _rule_grants(label: str, document: Resource) -> list[Grant]:
    grants = []
    for rule in document.blocks("rule"):
        grant = path_grant(label, rule.value("path"), rule.value("capabilities"), rule.location)
        if grant is not None:
            grants.append(grant)
    return grants


def _text_grants(label: str, text: str, origin: tuple[str, int] | Location) -> list[Grant]:
    """``path "…" { capabilities = […] }`` blocks of policy text. A document that does not parse
    gives no grants (its scope is not judged), never an error: it is not a file of the scan."""
    parsed = parse_text(text, "policy")
    if not hasattr(parsed, "body"):
        return []
    grants = []
    for block in parsed.body.blocks_of("path"):
        if len(block.labels) != 1:
            continue
        attribute = block.body.attributes.get("capabilities")
        capabilities = LITERAL_EVALUATOR.evaluate(attribute.expr) if attribute else []
        if isinstance(origin, Location):
            location = origin
        else:
            file, offset = origin
            location = Location(file, offset + block.line, offset + block.end_line)
        grant = path_grant(label, block.labels[0], capabilities, location)
        if grant is not None:
            grants.append(grant)
    return grants


def _text_origin(policy: Resource) -> tuple[str, int] | Location:
    """Where line 1 of the policy text is: the line after a heredoc's opening, or line 1 of the
    file ``file()`` reads; otherwise the attribute itself stands for every rule."""
    attribute = policy.attribute("policy")
    assert attribute is not None
    expr = attribute.expr
    if isinstance(expr, Call) and expr.name == "file" and len(expr.args) == 1:
        path = policy.module.evaluator.evaluate(expr.args[0])
        if isinstance(path, str) and not posixpath.isabs(path):
            relative = posixpath.normpath(posixpath.join(policy.module.directory, path))
            if not relative.startswith(".."):
                return relative, 0
    if isinstance(expr, (Literal, Template)) and attribute.end_line > attribute.line:
        return policy.file, attribute.line
    return policy.location_of("policy")
