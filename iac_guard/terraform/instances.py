"""Which instances a repeated block has: ``count`` and ``for_each`` read the way Terraform reads them.

Shared by the module tree (module.py), the block views of its resources (view.py) and the call
graph read from the code (roots.py), so which instances exist is decided by one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Unknown
from .syntax.nodes import Block

#: More instances than this (a hostile or generated ``count``) are judged as one representative.
MAX_INSTANCES = 1000
_UNKNOWN_EACH = {"count": {"index": Unknown()}, "each": {"key": Unknown(), "value": Unknown()}}


@dataclass(frozen=True)
class Instance:
    """One instance of a repeated block: its key (None when not repeated) and what ``each``/``count`` are."""

    key: Any
    scope: Mapping[str, Any]
    unknown: bool = False  # the keys are not known: a representative standing for all of them


#: The instance that stands for all of a block's instances when their keys are not known.
REPRESENTATIVE = Instance(None, _UNKNOWN_EACH, unknown=True)


def repetition(block: Block) -> str | None:
    """The meta-argument that repeats a block (``count`` or ``for_each``), if any."""
    attributes = block.body.attributes
    return "count" if "count" in attributes else "for_each" if "for_each" in attributes else None


def instances_for(meta: str | None, value: Any) -> list[Instance]:
    """The instances a block repeated by ``meta`` over this evaluated value has: none for
    ``count = 0`` or an empty ``for_each``, one representative when the value is not known. The
    loader reads call graphs through the same rule, so which folders a root reaches is the same
    whether it is read from the code or from the built tree."""
    if meta is None:
        return [Instance(None, {})]
    if meta == "count":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value > MAX_INSTANCES:
            return [REPRESENTATIVE]
        return [Instance(i, {"count": {"index": i}}) for i in range(max(0, int(value)))]
    if isinstance(value, dict) and len(value) <= MAX_INSTANCES:
        return [Instance(k, {"each": {"key": k, "value": v}}) for k, v in sorted(value.items())]
    if isinstance(value, list) and len(value) <= MAX_INSTANCES and all(isinstance(v, str) for v in value):
        return [Instance(v, {"each": {"key": v, "value": v}}) for v in sorted(set(value))]
    return [REPRESENTATIVE]
