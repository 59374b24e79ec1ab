"""What an expression refers to, read from its syntax: traversals and the addresses they name.

Read from the syntax, not the value, so ``lifecycle.replace_triggered_by`` and unknown ARNs still
link resources. The roots that do not name a resource are defined here once, with the distinctions
their readers need (a module qualifying a reference, the evaluator resolving one, the plan reader
and the recognizers linking resources).
"""

from __future__ import annotations

from collections.abc import Iterator

from .nodes import Expr, GetAttr, Index, Resolved, Splat, Variable, children

#: Roots naming something of the referring module's own scope (``var.x``, ``each.key``,
#: ``path.module``…): the same text means another thing in another module, so it is never
#: qualified with a module's address, and it never names an object of the tree.
SCOPE_ROOTS = frozenset({"var", "local", "each", "count", "path", "self", "terraform"})
#: Roots that are not resources: the scope's, and ``module`` (a call's outputs, addressed
#: ``module.NAME`` like a resource, but not one).
NOT_RESOURCES = SCOPE_ROOTS | {"module"}
#: The root of data sources, whose addresses have one part more (``data.TYPE.NAME``).
DATA_ROOT = "data"


def address_parts(root: str) -> int:
    """How many names of a traversal make the address of what it reads (``data.t.n``: 3, ``t.n``: 2)."""
    return 3 if root == DATA_ROOT else 2


def references(expr: Expr) -> frozenset[str]:
    """Addresses an expression names (``aws_iam_role.agent``, ``var.x``, ``data.t.n``, ``module.m``)."""
    found: set[str] = set()
    _collect_references(expr, found)
    return frozenset(found)


def _collect_references(expr: Expr, found: set[str]) -> None:
    if isinstance(expr, Resolved):
        found |= expr.refs
        return
    chain = traversal(expr)
    if chain and len(chain) > 1:
        found.add(address_of(chain))
        below: Iterator[Expr] = _traversal_keys(expr)  # its prefixes are not addresses of their own
    else:
        below = children(expr)
    for child in below:
        _collect_references(child, found)


def _traversal_keys(expr: Expr) -> Iterator[Expr]:
    """Index expressions inside a traversal (``aws_iam_role.r[var.k].arn`` → ``var.k``)."""
    node: Expr = expr
    while isinstance(node, (GetAttr, Index, Splat)):
        if isinstance(node, Index):
            yield node.key
        elif isinstance(node, Splat):
            yield from (s for s in node.steps if not isinstance(s, str))
        node = node.target


def traversal(expr: Expr) -> list[str] | None:
    """``aws_iam_role.agent.arn`` → [aws_iam_role, agent, arn]; None if not a plain traversal.

    Names right of an index or splat are dropped: the address is read from what stands left of it."""
    names: list[str] = []
    node: Expr = expr
    while True:
        if isinstance(node, GetAttr):
            names.append(node.name)
            node = node.target
        elif isinstance(node, (Index, Splat)):
            names.clear()
            node = node.target
        elif isinstance(node, Variable):
            names.append(node.name)
            return list(reversed(names))
        else:
            return None


def address_of(chain: list[str]) -> str:
    """The address a traversal's names read from (``data.t.n.arn`` → ``data.t.n``, ``var.x`` → ``var.x``)."""
    head = chain[0]
    if head in NOT_RESOURCES and len(chain) > 1:
        return f"{head}.{chain[1]}"
    if head == DATA_ROOT and len(chain) > 2:
        return f"data.{chain[1]}.{chain[2]}"
    if len(chain) > 1:
        return f"{head}.{chain[1]}"
    return head
