"""IAM policy documents: reading them (JSON, jsonencode, heredoc, aws_iam_policy_document) into
grants, and judging which grants are wildcards.

Wildcard judgement is AWS knowledge — which actions can be scoped to a resource, which managed
policies are administrator policies — so it lives here, and policies only read the reasons.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...model import Grant, Location, Unknown
from ...terraform.values import Unknownish, collect_refs, contains_unknown, json_partial
from ...terraform.view import BlockView
from .actions import Action, levels_of, matching

#: AWS managed policies by name: the actions they amount to (for AI relevance) and whether they
#: are administrator-level grants.
_ADMIN_POLICIES = {"AdministratorAccess": ("*",), "PowerUserAccess": ("*",), "IAMFullAccess": ("iam:*",)}
_SERVICE_OF_MANAGED_POLICY = {"AmazonBedrock": "bedrock", "AmazonSageMaker": "sagemaker", "AmazonS3": "s3", "AmazonDynamoDB": "dynamodb", "SecretsManager": "secretsmanager"}


@dataclass(frozen=True)
class Statement:
    index: int
    effect: Any
    actions: tuple[Any, ...]
    not_actions: tuple[Any, ...]
    resources: tuple[Any, ...]
    not_resources: tuple[Any, ...]
    has_not_action: bool
    has_not_resource: bool


def statements_of(document: Any) -> list[Statement] | Unknown:
    """The statements of a policy document given as JSON text, a structure or a partial value."""
    structure = json_partial(document) if not isinstance(document, dict) else document
    if isinstance(structure, Unknown) or not isinstance(structure, dict):
        return structure if isinstance(structure, Unknown) else Unknown()
    raw = structure.get("Statement")
    if isinstance(raw, Unknown):
        return raw
    raw_list = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    result = []
    for position, item in enumerate(raw_list, start=1):
        if not isinstance(item, dict):
            continue
        result.append(
            Statement(
                index=position,
                effect=item.get("Effect", "Allow"),
                actions=_as_tuple(item.get("Action")),
                not_actions=_as_tuple(item.get("NotAction")),
                resources=_as_tuple(item.get("Resource")),
                not_resources=_as_tuple(item.get("NotResource")),
                # A null NotAction (an optional module input left unset) is no statement element.
                has_not_action=item.get("NotAction") is not None,
                has_not_resource=item.get("NotResource") is not None,
            )
        )
    return result


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def grants_from_document(document: Any, label: str, location: Location) -> list[Grant]:
    statements = statements_of(document)
    if isinstance(statements, Unknown):
        return []
    grants = []
    for statement in statements:
        if statement.effect != "Allow":
            continue  # Deny statements take scope away; unknown effects are not judged
        grants.append(
            Grant(
                statement=f"{label} statement {statement.index}",
                # NotAction entries are what is *not* granted: they must not count as granted actions.
                actions=tuple(a for a in statement.actions if isinstance(a, str)),
                resources=tuple(r for r in statement.resources if isinstance(r, str)),
                wildcard_reasons=tuple(_wildcard_reasons(statement)),
                location=location,
            )
        )
    return grants


def _wildcard_reasons(statement: Statement) -> list[str]:
    """Why a statement is wildcard scope. Actions are judged against the IAM action database: an
    action no resource can scope (``sts:GetCallerIdentity``) is correct on ``Resource "*"``, and an
    action the database does not know is unknown, so it never makes a reason."""
    reasons = []
    if statement.has_not_action:
        reasons.append("NotAction allows every action except the ones listed")
    if statement.has_not_resource:
        reasons.append("NotResource applies to every resource except the ones listed")
    actions = [a for a in statement.actions if isinstance(a, str)]
    everything = [a for a in actions if a == "*"]
    service_wide = sorted({a for a in actions if a != "*" and a.endswith(":*")})
    any_resource = any(r == "*" for r in statement.resources if isinstance(r, str))
    on_any = ' on Resource "*"' if any_resource else ""
    if everything:
        reasons.append('Action "*" allows every action of every service' + on_any)
    elif service_wide:
        granted = [a for pattern in service_wide for a in matching(pattern)]
        reasons.append("service-wide actions " + ", ".join(service_wide) + on_any + _levels_note(granted))
    elif any_resource:
        by_name = {a.name: a for pattern in actions for a in matching(pattern) if a.scopable}
        scopable = [by_name[name] for name in sorted(by_name)]
        if scopable:
            shown = ", ".join(a.name for a in scopable[:3]) + (" …" if len(scopable) > 3 else "")
            reasons.append(f'Resource "*" on actions that can be scoped to resources ({shown})' + _levels_note(scopable))
    return reasons


def _levels_note(granted: list[Action]) -> str:
    """The access levels the granted actions reach, so a reader tells Write from Read at a glance."""
    levels = levels_of(granted)
    return f"; access levels {', '.join(levels)}" if levels else ""


def managed_policy_grant(arn: str, label: str, location: Location) -> Grant | None:
    """A grant for an AWS managed policy attached by ARN (``arn:aws:iam::aws:policy/...``)."""
    if ":iam::aws:policy/" not in arn:
        return None
    name = arn.rsplit("/", 1)[-1]
    if name in _ADMIN_POLICIES:
        return Grant(label, _ADMIN_POLICIES[name], ("*",), (f"AWS managed policy {name} grants administrator access",), location)
    service = next((s for prefix, s in _SERVICE_OF_MANAGED_POLICY.items() if name.startswith(prefix)), None)
    if name.endswith("FullAccess"):
        actions: tuple[str, ...] = (f"{service}:*",) if service else ()
        return Grant(label, actions, ("*",), (f"AWS managed policy {name} grants full access",), location)
    actions = (f"{service}:Get*", f"{service}:List*") if service else ()
    return Grant(label, actions, ("*",), (), location)


#: Names only AWS gives its managed policies: a customer policy cannot take them.
_AWS_MANAGED_NAME = re.compile(r"^(?:Amazon|AWS)[A-Za-z0-9]+$|^(?:AdministratorAccess|PowerUserAccess|ReadOnlyAccess|IAMFullAccess)$")


def looked_up_policy(view: BlockView) -> Mapping[str, Any]:
    """``data "aws_iam_policy"`` by ``arn``, or by the ``name`` of an AWS managed policy: its ARN,
    so attaching it grants what the managed policy does. Another name is a customer policy of an
    account the code does not say: unknown."""
    arn = view.value("arn")
    if isinstance(arn, str) and arn:
        return {"arn": arn, "name": arn.rsplit("/", 1)[-1]}
    name = view.value("name")
    if isinstance(name, str) and _AWS_MANAGED_NAME.match(name) and view.value("path_prefix") in (None, "/"):
        return {"arn": f"arn:aws:iam::aws:policy/{name}", "name": name}
    return {"arn": Unknown(), "name": name if isinstance(name, str) else Unknown()}


def render_policy_document(view: BlockView) -> Mapping[str, Any]:
    """``data "aws_iam_policy_document"`` → its ``json`` attribute, as Terraform would render it."""
    document_statements: list[dict[str, Any]] = []
    for base in ("source_policy_documents", "source_json"):
        value = view.value(base)
        for item in value if isinstance(value, list) else ([value] if value is not None else []):
            structure = json_partial(item)
            if isinstance(structure, dict) and isinstance(structure.get("Statement"), list):
                document_statements.extend(structure["Statement"])
            else:
                document_statements.append({"Effect": Unknown(), "Action": Unknown()})
    for block in view.blocks("statement"):  # dynamic "statement" blocks are expanded here too
        document_statements.append(_render_statement(block))
    document = {"Version": "2012-10-17", "Statement": document_statements}
    view.module.budget.admit(document)  # a thousand dynamic statements may repeat one large list
    if contains_unknown(document):
        refs = collect_refs(document)
        return {"json": Unknownish(refs, document), "minified_json": Unknown(refs)}
    text = json.dumps(document, indent=2)
    return {"json": text, "minified_json": json.dumps(document, separators=(",", ":"))}


_STATEMENT_FIELDS = {"actions": "Action", "not_actions": "NotAction", "resources": "Resource", "not_resources": "NotResource"}


def _render_statement(block: BlockView) -> dict[str, Any]:
    effect = block.value("effect")  # unset or null (an optional module input): Allow, as AWS reads it
    rendered: dict[str, Any] = {"Effect": "Allow" if effect is None else effect}
    for attribute, key in _STATEMENT_FIELDS.items():
        value = block.value(attribute) if block.has(attribute) else None
        if value is not None:  # an optional module input left null is no statement element
            rendered[key] = value
    if block.value("sid") is not None:
        rendered["Sid"] = block.value("sid")
    for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals: dict[str, Any] = {}
        for principal in block.blocks(block_type):
            principals.setdefault(principal.value("type"), []).extend(_as_list(principal.value("identifiers")))
        if principals:
            rendered[key] = {str(k): v for k, v in principals.items()}
    conditions: dict[str, Any] = {}
    for condition in block.blocks("condition"):
        test, variable = condition.value("test"), condition.value("variable")
        conditions.setdefault(str(test), {})[str(variable)] = condition.value("values")
    if conditions:
        rendered["Condition"] = conditions
    return rendered


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
