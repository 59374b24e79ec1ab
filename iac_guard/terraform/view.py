"""How recognizers read a block: evaluated attribute values, the line of each attribute, the
addresses an attribute refers to, nested and ``dynamic`` blocks, and a resource's address.

Recognizers never see HCL syntax through these views; the module (module.py) evaluates what they
ask for in the block's own instance (its ``each``/``count``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..model import Location, Unknown
from .instances import MAX_INSTANCES, Instance
from .syntax.nodes import Attribute, Block, Expr, Variable
from .syntax.references import references
from .values import UNKNOWN_MARK, Unknownish, instance_suffix

if TYPE_CHECKING:
    from .module import Module


class BlockView:
    """Read access to one block's evaluated attributes and nested blocks."""

    def __init__(self, block: Block, file: str, module: Module, scope: Mapping[str, Any]) -> None:
        self.block = block
        self.file = file
        self.module = module
        self._scope = scope
        self._cache: dict[str, Any] = {}

    @property
    def type(self) -> str:
        return self.block.type

    @property
    def labels(self) -> tuple[str, ...]:
        return self.block.labels

    @property
    def location(self) -> Location:
        return Location(self.file, self.block.line, self.block.end_line)

    def has(self, name: str) -> bool:
        return name in self.block.body.attributes

    def attribute(self, name: str) -> Attribute | None:
        return self.block.body.attributes.get(name)

    def value(self, name: str, default: Any = None) -> Any:
        """The evaluated attribute; ``default`` when the attribute is not written."""
        attribute = self.block.body.attributes.get(name)
        if attribute is None:
            return default
        if name not in self._cache:
            self._cache[name] = self.module.evaluator.evaluate(attribute.expr, self._scope)
        return self._cache[name]

    def literal_value(self, name: str, default: Any = None) -> Any:
        """The attribute with every reference unknown: only the values written right here.

        Hardcoded-secret checks use it so that a key written in a variable default is reported
        once, where it is written, and not again at every resource that references it.
        """
        attribute = self.block.body.attributes.get(name)
        return default if attribute is None else self.module.literal_evaluator.evaluate(attribute.expr, self._scope)

    def literal_of(self, expression: Expr) -> Any:
        """An expression inside one of this block's attributes, evaluated as ``literal_value`` does
        (the script inside ``base64encode(<<-EOF … EOF)``)."""
        return self.module.literal_evaluator.evaluate(expression, self._scope)

    def known_texts(self, *names: str) -> tuple[str, ...]:
        """The text of these attributes as far as it is known: ``"openai-${each.key}"`` with an
        unknown key still reads ``openai-*``, which is enough to name a provider."""
        texts = []
        for name in names:
            value = self.value(name)
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, Unknownish) and isinstance(value.partial, str):
                texts.append(value.partial.replace(UNKNOWN_MARK, "*"))
        return tuple(t for t in texts if t.strip("*"))

    def line(self, name: str | None = None) -> int:
        attribute = self.block.body.attributes.get(name) if name else None
        return attribute.line if attribute else self.block.line

    def location_of(self, name: str) -> Location:
        attribute = self.block.body.attributes.get(name)
        if attribute is None:
            return self.location
        return Location(self.file, attribute.line, attribute.end_line)

    def refs(self, name: str) -> frozenset[str]:
        """Addresses the attribute's expression names, read from its syntax (module-prefixed)."""
        attribute = self.block.body.attributes.get(name)
        if attribute is None:
            return frozenset()
        return frozenset(self.module.qualify(ref) for ref in references(attribute.expr))

    def blocks(self, block_type: str) -> list[BlockView]:
        """Nested blocks of a type, ``dynamic`` ones expanded over their collection.

        A ``dynamic`` block over a collection that is not known gives one representative block
        whose iterator is unknown, so its attributes are unknown rather than missing.
        """
        found = [BlockView(b, self.file, self.module, self._scope) for b in self.block.body.blocks_of(block_type)]
        for dynamic in self.block.body.blocks_of("dynamic"):
            if dynamic.labels == (block_type,):
                found += self._expand_dynamic(dynamic, block_type)
        return found

    def _expand_dynamic(self, dynamic: Block, block_type: str) -> list[BlockView]:
        content = next(dynamic.body.blocks_of("content"), None)
        for_each = dynamic.body.attributes.get("for_each")
        if content is None or for_each is None:
            return []
        iterator_attribute = dynamic.body.attributes.get("iterator")
        iterator = iterator_attribute.expr.name if iterator_attribute and isinstance(iterator_attribute.expr, Variable) else block_type
        collection = self.module.evaluator.evaluate(for_each.expr, self._scope)
        return [
            BlockView(replace(content, type=block_type), self.file, self.module, {**self._scope, iterator: item})
            for item in _iterations(collection)
        ]

    def first_block(self, block_type: str) -> BlockView | None:
        found = self.blocks(block_type)
        return found[0] if found else None


def _iterations(collection: Any) -> list[dict[str, Any]]:
    """``{key, value}`` of each element a ``dynamic`` block iterates over."""
    if isinstance(collection, dict):
        return [{"key": k, "value": v} for k, v in sorted(collection.items())][:MAX_INSTANCES]
    if isinstance(collection, list):
        return [{"key": i, "value": v} for i, v in enumerate(collection)][:MAX_INSTANCES]
    if isinstance(collection, Unknown):
        return [{"key": Unknown(collection.refs), "value": Unknown(collection.refs)}]
    return []


class Resource(BlockView):
    """A ``resource`` or ``data`` block instance, addressed as Terraform addresses it."""

    def __init__(self, block: Block, file: str, module: Module, instance: Instance) -> None:
        super().__init__(block, file, module, instance.scope)
        self.instance = instance

    @property
    def mode(self) -> str:
        return self.block.type  # "resource" or "data"

    @property
    def resource_type(self) -> str:
        return self.block.labels[0]

    @property
    def name(self) -> str:
        return self.block.labels[1]

    @property
    def unknown_instances(self) -> bool:
        """This stands for instances whose keys are not known (``for_each`` over an unknown map)."""
        return self.instance.unknown

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        key = "" if self.instance.key is None or self.instance.unknown else instance_suffix(self.instance.key)
        return f"{self.module.address_prefix}{prefix}{self.resource_type}.{self.name}{key}"
