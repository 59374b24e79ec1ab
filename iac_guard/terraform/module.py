"""A Terraform root module (one folder of ``.tf`` files) with everything needed to evaluate it.

Recognizers read resources through ``BlockView``: evaluated attribute values, the line of each
attribute, and the addresses an attribute refers to. They never see HCL syntax, so the evaluation
rules (variables, locals, tfvars precedence, count, data sources) live here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Mapping

from ..model import Location, Unknown
from .evaluate import LITERAL_EVALUATOR, EvalError, Evaluator
from . import functions
from .hcl_ast import Attribute, Block, Variable, references
from .parse import TerraformFile

DataSourceEvaluator = Callable[["BlockView"], Mapping[str, Any]]
"""Computes a data source's attributes from its configuration (``aws_iam_policy_document`` →
``json``), for data sources whose result is fully determined by code."""

_REPEAT_SCOPE = {"count": {"index": Unknown()}, "each": {"key": Unknown(), "value": Unknown()}}


@dataclass(frozen=True)
class VariableValue:
    value: Any
    location: Location  # where the value was written: the default, or the tfvars line
    from_default: bool


class BlockView:
    """Read access to one block's evaluated attributes and nested blocks."""

    def __init__(self, block: Block, file: str, module: "Module", scope: Mapping[str, Any]) -> None:
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
        return default if attribute is None else LITERAL_EVALUATOR.evaluate(attribute.expr, self._scope)

    def line(self, name: str | None = None) -> int:
        attribute = self.block.body.attributes.get(name) if name else None
        return attribute.line if attribute else self.block.line

    def location_of(self, name: str) -> Location:
        attribute = self.block.body.attributes.get(name)
        if attribute is None:
            return self.location
        return Location(self.file, attribute.line, attribute.end_line)

    def refs(self, name: str) -> frozenset[str]:
        """Addresses the attribute's expression names, read from its syntax."""
        attribute = self.block.body.attributes.get(name)
        return references(attribute.expr) if attribute else frozenset()

    def blocks(self, block_type: str) -> list["BlockView"]:
        return [BlockView(b, self.file, self.module, self._scope) for b in self.block.body.blocks_of(block_type)]

    def first_block(self, block_type: str) -> "BlockView | None":
        found = self.blocks(block_type)
        return found[0] if found else None


class Resource(BlockView):
    """A ``resource`` or ``data`` block, addressed as Terraform addresses it."""

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
    def address(self) -> str:
        local = f"{self.resource_type}.{self.name}"
        prefix = "data." if self.mode == "data" else ""
        return f"{self.module.address_prefix}{prefix}{local}"


@dataclass
class Module:
    directory: str  # relative to the scanned root, forward slashes ("." for the root itself)
    files: list[TerraformFile]
    tfvars: Mapping[str, VariableValue] = field(default_factory=dict)
    data_sources: Mapping[str, DataSourceEvaluator] = field(default_factory=dict)
    address_prefix: str = ""  # "module.x." for a module called from a root (see the modules issue)

    def __post_init__(self) -> None:
        self.evaluator = Evaluator(self._resolve)
        self.resources: list[Resource] = []
        self.data: list[Resource] = []
        self.providers: list[BlockView] = []
        self._variables: dict[str, tuple[Block, str]] = {}
        self._locals: dict[str, tuple[Attribute, str]] = {}
        self._locals_in_progress: set[str] = set()
        self._local_values: dict[str, Any] = {}
        self._data_values: dict[str, Any] = {}
        self._data_in_progress: set[str] = set()
        # Declarations first: whether a resource exists (count = 0) may depend on any of them.
        for terraform_file in self.files:
            self._collect_declarations(terraform_file)
        for terraform_file in self.files:
            self._collect_resources(terraform_file)

    def _collect_resources(self, terraform_file: TerraformFile) -> None:
        for block in terraform_file.body.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                if _instance_count_is_zero(self, block):
                    continue
                target = self.resources if block.type == "resource" else self.data
                target.append(Resource(block, terraform_file.path, self, _repeat_scope(block)))

    def _collect_declarations(self, terraform_file: TerraformFile) -> None:
        for block in terraform_file.body.blocks:
            if block.type == "provider" and block.labels:
                self.providers.append(BlockView(block, terraform_file.path, self, {}))
            elif block.type == "variable" and block.labels:
                self._variables[block.labels[0]] = (block, terraform_file.path)
            elif block.type == "locals":
                for name, attribute in block.body.attributes.items():
                    self._locals[name] = (attribute, terraform_file.path)

    # -- lookups used by recognizers -------------------------------------------------------------

    def resources_of(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.resources if r.resource_type in types)

    def data_of(self, *types: str) -> Iterator[Resource]:
        return (r for r in self.data if r.resource_type in types)

    def providers_named(self, name: str) -> list[BlockView]:
        return [p for p in self.providers if p.labels[0] == name]

    def variables(self) -> Iterator[tuple[str, VariableValue | None, Block, str]]:
        """Each declared variable with the value Terraform would use (tfvars over default)."""
        for name, (block, file) in sorted(self._variables.items()):
            yield name, self.variable_value(name), block, file

    def variable_value(self, name: str) -> VariableValue | None:
        if name in self.tfvars:
            given = self.tfvars[name]
            return replace(given, value=self._convert(name, given.value))
        declared = self._variables.get(name)
        if declared is None:
            return None
        block, file = declared
        default = block.body.attributes.get("default")
        if default is None:
            return None
        value = self.evaluator.evaluate(default.expr)
        return VariableValue(value, Location(file, default.line, default.end_line), True)

    def undeclared_tfvars(self) -> Iterator[tuple[str, VariableValue]]:
        """tfvars values for variables no file declares (Terraform warns; the value is still written)."""
        for name in sorted(set(self.tfvars) - set(self._variables)):
            yield name, self.tfvars[name]

    def _convert(self, name: str, value: Any) -> Any:
        """A tfvars string for a ``number`` or ``bool`` variable, converted as Terraform does."""
        declared = self._variables.get(name)
        type_attribute = declared[0].body.attributes.get("type") if declared else None
        if not isinstance(value, str) or type_attribute is None or not isinstance(type_attribute.expr, Variable):
            return value
        try:
            if type_attribute.expr.name == "number":
                return functions.to_number(value)
            if type_attribute.expr.name == "bool":
                return functions.call("tobool", [value])
        except ValueError:
            return Unknown(frozenset({f"var.{name}"}))
        return value

    def locals(self) -> Iterator[tuple[str, Attribute, str]]:
        for name, (attribute, file) in sorted(self._locals.items()):
            yield name, attribute, file

    # -- evaluation ------------------------------------------------------------------------------

    def _resolve(self, path: list[Any], line: int) -> tuple[Any, int]:
        root, steps = path[0], path[1:]
        if root == "var" and steps:
            found = self.variable_value(str(steps[0]))
            return (found.value if found else Unknown(frozenset({f"var.{steps[0]}"}))), 1
        if root == "local" and steps:
            return self._local(str(steps[0])), 1
        if root == "path" and steps and steps[0] in ("module", "root"):
            return self.directory, 1
        if root == "data" and len(steps) >= 2:
            return self._data_source(str(steps[0]), str(steps[1])), 2
        if root in ("var", "local", "path", "data", "terraform", "self", "each", "count") or not steps:
            return Unknown(), len(steps)
        if root == "module":
            return Unknown(frozenset({f"module.{steps[0]}"})), len(steps)
        # A managed resource: its attributes are known only after apply.
        return Unknown(frozenset({f"{self.address_prefix}{root}.{steps[0]}"})), len(steps)

    def _local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        declared = self._locals.get(name)
        if declared is None or name in self._locals_in_progress:
            return Unknown(frozenset({f"local.{name}"}))
        self._locals_in_progress.add(name)
        try:
            value = self.evaluator.evaluate(declared[0].expr)
        finally:
            self._locals_in_progress.discard(name)
        self._local_values[name] = value
        return value

    def _data_source(self, data_type: str, name: str) -> Any:
        key = f"{data_type}.{name}"
        if key in self._data_in_progress:  # a document that includes itself: Terraform rejects it
            return Unknown(frozenset({f"{self.address_prefix}data.{key}"}))
        if key not in self._data_values:
            self._data_in_progress.add(key)
            try:
                self._data_values[key] = self._compute_data_source(data_type, name, key)
            finally:
                self._data_in_progress.discard(key)
        return self._data_values[key]

    def _compute_data_source(self, data_type: str, name: str, key: str) -> Any:
        evaluator = self.data_sources.get(data_type)
        matches = [d for d in self.data if d.resource_type == data_type and d.name == name]
        if evaluator is None or not matches:
            return Unknown(frozenset({f"{self.address_prefix}data.{key}"}))
        return dict(evaluator(matches[0]))


def _repeat_scope(block: Block) -> Mapping[str, Any]:
    attributes = block.body.attributes
    return _REPEAT_SCOPE if ("count" in attributes or "for_each" in attributes) else {}


def _instance_count_is_zero(module: Module, block: Block) -> bool:
    """``count = 0`` or an empty ``for_each``: Terraform creates nothing, so there is nothing to judge."""
    attributes = block.body.attributes
    try:
        if "count" in attributes:
            return module.evaluator.evaluate(attributes["count"].expr) == 0
        if "for_each" in attributes:
            value = module.evaluator.evaluate(attributes["for_each"].expr)
            return isinstance(value, (dict, list)) and len(value) == 0
    except EvalError:
        return False
    return False

