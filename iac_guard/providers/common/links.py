"""Links between resources: the resource an attribute points at (by reference, name or ARN), the
resource attributes an expression reads, the credentials a value is written from, and the
provider configuration a resource uses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...model import Unknown
from ...terraform.module import Module
from ...terraform.syntax.nodes import Expr, GetAttr, Index, Splat, Variable, children
from ...terraform.syntax.references import DATA_ROOT, NOT_RESOURCES, SCOPE_ROOTS, references
from ...terraform.values import collect_refs
from ...terraform.view import BlockView, Resource

_ARN_NAME = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:[^:]*:(?:[a-z-]+[/:])*(?P<name>[^/:]+)$")


def link(view: BlockView, attribute: str, candidates: Mapping[str, Resource], *name_attributes: str) -> str | None:
    """The candidate resource an attribute points at: by reference, else by its name or ARN."""
    refs = view.refs(attribute)
    for ref in sorted(refs):
        if ref in candidates:
            return ref
    value = view.value(attribute)
    return link_value(value, candidates, *name_attributes)


def link_value(value: Any, candidates: Mapping[str, Resource], *name_attributes: str) -> str | None:
    if isinstance(value, Unknown):
        return next((ref for ref in sorted(value.refs) if ref in candidates), None)
    if not isinstance(value, str) or not value:
        return None
    wanted = {value, arn_name(value)}
    for address, candidate in sorted(candidates.items()):
        for name_attribute in name_attributes or ("name",):
            name = candidate.value(name_attribute)
            if isinstance(name, str) and name in wanted:
                return address
    return None


def external_name(view: BlockView, attribute: str, data_type: str) -> str | None:
    """The name of an identity an attribute gives when no resource of the scan is it: a written
    name, or an ARN's last segment, or the ``name`` a data source of ``data_type`` looks up
    (``data.aws_iam_role.batch.name``). None when not known before apply: an unknown names no
    identity (common/identity_names.py)."""
    value = view.value(attribute)
    if isinstance(value, str):
        return arn_name(value) or None
    refs = value.refs if isinstance(value, Unknown) else frozenset()
    for looked_up in view.module.data_of(data_type) if refs else ():
        name = looked_up.value("name")
        if looked_up.address in refs and isinstance(name, str) and name:
            return name
    return None


def arn_name(value: str) -> str:
    """Last name segment of an ARN (``arn:aws:iam::1:role/ml/agent`` → ``agent``)."""
    match = _ARN_NAME.match(value)
    return match.group("name") if match else value


def attribute_references(view: BlockView, attribute: str) -> frozenset[str]:
    """``type.name.attribute`` of every resource attribute an attribute's expression reads
    (``azurerm_cognitive_account.openai.primary_access_key``), where ``BlockView.refs`` names only
    the resource: whether a setting reads an account's key or its endpoint is in the attribute."""
    written = view.attribute(attribute)
    return expression_attribute_references(written.expr, view.module) if written else frozenset()


def expression_attribute_references(expression: Expr, module: Module) -> frozenset[str]:
    found: set[str] = set()
    _collect_attribute_references(expression, found)
    return frozenset(module.qualify(reference) for reference in found)


def _collect_attribute_references(node: Expr, found: set[str]) -> None:
    names = _traversal_names(node)
    if names is not None:
        width = 4 if names[0] == "data" else 3
        if names[0] not in NOT_RESOURCES and len(names) >= width:
            found.add(".".join(names[:width]))
        return
    for child in children(node):
        _collect_attribute_references(child, found)


def _traversal_names(node: Expr) -> list[str] | None:
    """``a.b[0].c.d`` → [a, b, c, d]: index steps skipped, where ``references`` reads the address
    left of an index; None when not a plain traversal."""
    names: list[str] = []
    while isinstance(node, (GetAttr, Index, Splat)):
        if isinstance(node, GetAttr):
            names.append(node.name)
        elif isinstance(node, Splat):
            names.extend(reversed([s for s in node.steps if isinstance(s, str)]))
        node = node.target
    if not isinstance(node, Variable) or not names:
        return None
    return [node.name, *reversed(names)]


def held_credentials(view: BlockView, *attributes: str) -> tuple[str, ...]:
    """Resources whose attributes a value is written from (``secret_string =
    aws_iam_access_key.ci.secret``): the credentials a secret stores, for the inventory to judge
    whether it stores an AI credential. Variables, locals and data sources are not credentials."""
    refs: set[str] = set()
    for attribute in attributes:
        refs |= view.refs(attribute) | collect_refs(view.value(attribute))
    skipped = SCOPE_ROOTS | {DATA_ROOT}
    return tuple(sorted(
        r for r in refs
        if r.partition(".")[0] not in skipped and _names_resource(r)
        and not any(other.startswith(f"{r}[") for other in refs)  # the instance the value names is the one
    ))


_MODULE_STEP = re.compile(r"^module\.[^.\[]+(?:\[[^\]]*\])?\.?")


def _names_resource(ref: str) -> bool:
    """Whether a reference names a resource, not only a module call (``module.keys`` as the
    syntax of ``module.keys.out["k"]`` names it; the value names the resource it comes from)."""
    while ref.startswith("module."):
        ref = _MODULE_STEP.sub("", ref, count=1)
    return "." in ref


#: Attributes that name or locate a credential rather than hold it: copying ``aws_iam_access_key.ci.id``
#: beside its ``secret`` is one copy of the key, not two, and the id alone is no copy.
#: An instance's key at the end of an address: the syntax reading ``x.this[each.key].id`` names ``x.this``.
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")
_IDENTIFIERS = frozenset({"id", "arn", "name", "user", "key_id", "client_id", "tenant_id", "endpoint", "url"})


def copied_credentials(view: BlockView, *attributes: str) -> tuple[str, ...]:
    """The resources whose secret a value is written from (``value = aws_iam_access_key.ci.secret``):
    what a store, a CI secret or a Secret copies. A resource only named by its identifiers
    (``.id``, ``.arn``, ``.name``…) is not copied; the inventory makes each copy a consumer of
    what it copies (inventory/build.py)."""
    held = set(held_credentials(view, *attributes))
    read = {ref for attribute in attributes for ref in attribute_references(view, attribute)}
    identifiers_only = {
        source for source in held
        if (reads := {ref.rpartition(".")[2] for ref in read if ref.rpartition(".")[0] == _INSTANCE_KEY.sub("", source)})
        and reads <= _IDENTIFIERS
    }
    return tuple(sorted(held - identifiers_only))


def provider_alias(resource: Resource, local_name: str) -> str:
    """The alias of the root provider configuration a resource uses ("" for the default one),
    through ``provider = google.west`` and module calls' ``providers = {…}``."""
    written = resource.attribute("provider")
    local = next(iter(sorted(references(written.expr))), local_name) if written else local_name
    configuration = resource.module.root_provider(local)
    return configuration.split(".", 1)[1] if "." in configuration else ""
