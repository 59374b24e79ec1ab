"""A Terraform module instance with everything needed to evaluate it, and the tree a root module
builds by calling local modules.

Recognizers read resources through ``BlockView`` (view.py) and never see HCL syntax, so the evaluation
rules (variables and their precedence, locals, module inputs and outputs, ``count`` and
``for_each`` instances, ``dynamic`` blocks, data sources, ``file()``) live here once.

A root ``Module``'s ``resources`` include those of every module it calls, each addressed as
Terraform does (``module.iam.aws_iam_role.agent``, ``aws_iam_access_key.k["ci"]``) and evaluated
in its own instance, so a recognizer sees one root module the way ``terraform plan`` does.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model import Location, ScanError, Unknown
from ..support.files import read_input
from . import functions
from .budget import Budget, file_holding
from .evaluate import LITERAL_EVALUATOR, Evaluator, literal_evaluator
from .expansion import Expansion
from .instances import REPRESENTATIVE, Instance, instances_for, repetition
from .syntax.nodes import Attribute, Block, Expr, ObjectExpr, Variable
from .syntax.parse import TerraformFile
from .syntax.references import DATA_ROOT, NOT_RESOURCES, SCOPE_ROOTS, references
from .type_constraints import with_optional_defaults
from .values import IndexKey, instance_suffix
from .view import BlockView, Resource

DataSourceEvaluator = Callable[["BlockView"], Mapping[str, Any]]
"""Computes a data source's attributes from its configuration (``aws_iam_policy_document`` →
``json``), for data sources whose result is fully determined by code."""

ModuleSourceLoader = Callable[[str, str, "Module"], "tuple[str, list[TerraformFile]] | None"]
"""A called module's folder (relative to the scanned root) and parsed files, from its source as
written, the call's name and the calling module; None when the source cannot be read without
downloading it."""

#: Deeper module nesting than this is not followed, and is an error (Terraform projects rarely
#: pass 5); the folders below are judged as root modules of their own.
MAX_MODULE_DEPTH = 16
_META_ARGUMENTS = frozenset({"source", "version", "providers", "count", "for_each", "depends_on"})
_FILE_SIZE_LIMIT = 1 << 20


@dataclass(frozen=True)
class VariableValue:
    value: Any
    location: Location  # where the value was written: the default, the tfvars line, the module call
    source: str = "default"  # default | tfvars | module input | command line | environment

    @property
    def from_default(self) -> bool:
        return self.source == "default"


@dataclass(frozen=True)
class ModuleInput:
    """An argument of a module call, evaluated in the caller (with the call's ``each``/``count``)."""

    expr: Expr
    caller: Module
    scope: Mapping[str, Any]
    location: Location


@dataclass
class Module:
    directory: str  # the root module's folder, relative to the scanned root ("." for the root itself)
    files: list[TerraformFile]
    tfvars: Mapping[str, VariableValue] = field(default_factory=dict)
    data_sources: Mapping[str, DataSourceEvaluator] = field(default_factory=dict)
    address_prefix: str = ""  # "module.x." inside a called module
    source_dir: str | None = None  # where this instance's files are (None: the root's own folder)
    inputs: Mapping[str, ModuleInput] = field(default_factory=dict)
    load_source: ModuleSourceLoader | None = None
    parent: Module | None = None
    provider_map: Mapping[str, str] = field(default_factory=dict)  # the call's providers = {...}
    root_path: Path | None = None  # absolute path of the scanned root, for file()
    depth: int = 0
    instance_key: Any = None  # this instance's key when the module call has count / for_each
    expansion: Expansion = field(default_factory=Expansion)  # shared by the whole root module tree
    budget: Budget = field(default_factory=Budget)  # the root's, shared by the whole tree

    def __post_init__(self) -> None:
        self._built = False  # until the whole tree below is collected, lookups are not indexed
        self._indexes: dict[str, tuple[list[Resource], dict[str, list[int]]]] = {}
        self.evaluator = Evaluator(self._resolve, self._read_file, budget=self.budget, locate=self._file_of)
        self.literal_evaluator = literal_evaluator(self.budget.literal, self._file_of)
        self.own_resources: list[Resource] = []
        self.own_data: list[Resource] = []
        self.providers: list[BlockView] = []
        #: The module's ``output`` blocks, for recognizers that judge what an output exposes.
        self.output_blocks: list[BlockView] = []
        self.children: list[Module] = []
        self._variables: dict[str, tuple[Block, str]] = {}
        self._locals: dict[str, tuple[Attribute, str]] = {}
        self._outputs: dict[str, Attribute] = {}
        self._locals_in_progress: set[str] = set()
        self._local_values: dict[str, Any] = {}
        self._data_values: dict[str, Any] = {}
        self._data_in_progress: set[str] = set()
        self._children_by_call: dict[str, list[Module]] = {}
        #: (type, name) → the instances of each repeated resource, once the module is built.
        self._repeated: dict[tuple[str, str], list[Resource]] | None = None
        self._first_of_folder = self.expansion.enter(self.folder)  # later instances cost the budget
        # Declarations first: whether a resource exists (count = 0) may depend on any of them.
        for terraform_file in self.files:
            self._collect_declarations(terraform_file)
        for terraform_file in self.files:
            self._collect_resources(terraform_file)
        for terraform_file in self.files:
            self._collect_calls(terraform_file)
        self._built = True

    def release(self) -> None:
        """Drops everything this module tree holds, once the scan has extracted it. A module is
        full of reference cycles (its evaluator, resources and children point back to it) and a
        scan runs with the cyclic garbage collector paused (parallel.gc_paused), so without this
        its syntax trees would stay in memory until the process ends."""
        for child in self.children:
            child.release()
        self.__dict__.clear()

    @property
    def folder(self) -> str:
        """Where this instance's files are, relative to the scanned root."""
        return self.source_dir if self.source_dir is not None else self.directory

    def _collect_declarations(self, terraform_file: TerraformFile) -> None:
        for block in terraform_file.body.blocks:
            if block.type == "provider" and block.labels:
                self.providers.append(BlockView(block, terraform_file.path, self, {}))
            elif block.type == "variable" and block.labels:
                self._variables[block.labels[0]] = (block, terraform_file.path)
            elif block.type == "locals":
                for name, attribute in block.body.attributes.items():
                    self._locals[name] = (attribute, terraform_file.path)
            elif block.type == "output" and block.labels and "value" in block.body.attributes:
                self._outputs[block.labels[0]] = block.body.attributes["value"]
                self.output_blocks.append(BlockView(block, terraform_file.path, self, {}))

    def _collect_resources(self, terraform_file: TerraformFile) -> None:
        for block in terraform_file.body.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                target = self.own_resources if block.type == "resource" else self.own_data
                instances = self._admitted_resources(block, terraform_file.path)
                target += [Resource(block, terraform_file.path, self, i) for i in instances]

    def _admitted_resources(self, block: Block, file: str) -> list[Instance]:
        """The instances of a resource or data block the tree's budget admits. Past it, a
        repeated block is judged through one representative, and a folder's later module
        instances make none: its first instance judges the same blocks."""
        instances = self.instances_of(block)
        repeated = repetition(block) is not None or not self._first_of_folder
        if not repeated or self.expansion.admit_resources(len(instances)):
            return instances
        self._report_budget(f"{block.labels[0]}.{block.labels[1]}", "resource", file, block.line)
        if not self._first_of_folder:
            return []
        return instances if len(instances) <= 1 else [REPRESENTATIVE]

    def instances_of(self, block: Block) -> list[Instance]:
        """The instances ``count`` or ``for_each`` make of a block: none for ``count = 0``."""
        meta = repetition(block)
        return instances_for(meta, None if meta is None else self.evaluator.evaluate(block.body.attributes[meta].expr))

    def _collect_calls(self, terraform_file: TerraformFile) -> None:
        if self.load_source is None:
            return
        for block in terraform_file.body.blocks:
            if block.type != "module" or len(block.labels) != 1 or "source" not in block.body.attributes:
                continue
            source = LITERAL_EVALUATOR.evaluate(block.body.attributes["source"].expr)
            name = block.labels[0]
            loaded = self.load_source(source, name, self) if isinstance(source, str) else None
            if loaded is None:
                continue  # a registry/git source never downloaded, or a call back into its caller
            folder, files = loaded
            instances = self.instances_of(block)
            if instances and self.depth >= MAX_MODULE_DEPTH:
                self._report_depth(name, folder, terraform_file.path, block.line)
                continue
            for instance in self._admitted(instances, name, folder, terraform_file.path, block.line):
                key = "" if instance.key is None or instance.unknown else instance_suffix(instance.key)
                child = Module(
                    directory=self.directory,
                    files=files,
                    data_sources=self.data_sources,
                    address_prefix=f"{self.address_prefix}module.{name}{key}.",
                    source_dir=folder,
                    inputs=self._call_inputs(block, terraform_file.path, instance.scope),
                    load_source=self.load_source,
                    parent=self,
                    provider_map=self._call_providers(block),
                    root_path=self.root_path,
                    depth=self.depth + 1,
                    instance_key=None if instance.unknown else instance.key,
                    expansion=self.expansion,
                    budget=self.budget,
                )
                self.children.append(child)
                self._children_by_call.setdefault(name, []).append(child)

    def _admitted(self, instances: list[Instance], name: str, folder: str, file: str, line: int) -> list[Instance]:
        """The instances of a module call the tree's budget admits. Past it, one representative
        stands for them all; once even that is spent, a call is followed only into a folder the
        tree has no instance of yet, so the budget bounds the tree and every folder is still
        judged."""
        if self.expansion.admit_modules(len(instances)):
            return instances
        self._report_budget(f"module.{name}", "module", file, line)
        if self.expansion.admit_modules(1) or folder not in self.expansion.folders:
            return instances if len(instances) == 1 else [REPRESENTATIVE]
        return []

    def _report_budget(self, block: str, kind: str, file: str, line: int) -> None:
        limit = self.expansion.max_modules if kind == "module" else self.expansion.max_resources
        self.expansion.report(ScanError(
            file,
            f"{block}: count/for_each across nested modules make more than {limit:,} {kind} instances in root "
            f"module {self.directory}; the instances beyond are not expanded (one representative, or the "
            f"module's first instance, stands for them); raise max_{kind}_instances in .iac-guard.yaml if "
            "the root really holds that many",
            line,
        ))

    def _report_depth(self, name: str, folder: str, file: str, line: int) -> None:
        """The call that would pass the depth limit, with the chain that leads to it."""
        chain = ".".join(f"module.{call}" for call in (*self.call_path, name))
        folders = []
        module: Module | None = self
        while module is not None:
            folders.append(module.folder)
            module = module.parent
        self.expansion.report(ScanError(
            file,
            f"module nesting deeper than {MAX_MODULE_DEPTH} levels: {chain} (folders {' → '.join([*reversed(folders), folder])}) "
            f"is not followed from root module {self.directory}",
            line,
        ))

    def _call_inputs(self, block: Block, file: str, scope: Mapping[str, Any]) -> dict[str, ModuleInput]:
        return {
            name: ModuleInput(attribute.expr, self, scope, Location(file, attribute.line, attribute.end_line))
            for name, attribute in block.body.attributes.items() if name not in _META_ARGUMENTS
        }

    def _call_providers(self, block: Block) -> dict[str, str]:
        """``providers = { aws = aws.west }``: the child's provider names → the caller's."""
        attribute = block.body.attributes.get("providers")
        if attribute is None or not isinstance(attribute.expr, ObjectExpr):
            return {}
        mapping = {}
        for key_expr, value_expr in attribute.expr.items:
            key = "".join(sorted(references(key_expr))) or LITERAL_EVALUATOR.evaluate(key_expr)
            value = sorted(references(value_expr))
            if isinstance(key, str) and value:
                mapping[key] = value[0]
        return mapping

    # -- lookups used by recognizers -------------------------------------------------------------

    @property
    def resources(self) -> list[Resource]:
        """Managed resources of this module and of every module it calls."""
        return self._indexed("resources")[0]

    @property
    def data(self) -> list[Resource]:
        return self._indexed("data")[0]

    def _indexed(self, mode: str) -> tuple[list[Resource], dict[str, list[int]]]:
        """The tree's resources (or data sources) in order, and their positions by type.
        Recognizers ask a root for its resources of a few types tens of thousands of times in a
        large scan; once the tree is built (not while ``count`` expressions are still being
        evaluated during collection) the answer is kept."""
        known = self._indexes.get(mode)
        if known is not None:
            return known
        own = self.own_resources if mode == "resources" else self.own_data
        found = own + [r for child in self.children for r in child._indexed(mode)[0]]
        positions: dict[str, list[int]] = {}
        for position, resource in enumerate(found):
            positions.setdefault(resource.resource_type, []).append(position)
        if self._built:
            self._indexes[mode] = (found, positions)
        return found, positions

    def instances(self) -> Iterator[Module]:
        """This module instance and every instance below it."""
        yield self
        for child in self.children:
            yield from child.instances()

    def resources_of(self, *types: str) -> Iterator[Resource]:
        return self._of_types("resources", types)

    def data_of(self, *types: str) -> Iterator[Resource]:
        return self._of_types("data", types)

    def _of_types(self, mode: str, types: tuple[str, ...]) -> Iterator[Resource]:
        found, positions = self._indexed(mode)
        chosen = positions.get(types[0], []) if len(types) == 1 else sorted(i for t in set(types) for i in positions.get(t, ()))
        return (found[i] for i in chosen)

    def providers_named(self, name: str) -> list[BlockView]:
        return [p for p in self.providers if p.labels[0] == name]

    def root_provider(self, local: str) -> str:
        """The root module's provider configuration a provider reference means here
        (``aws.west`` in a module called with ``providers = { aws = aws.west }`` for ``aws``)."""
        if self.parent is None:
            return local
        mapped = self.provider_map.get(local)
        if mapped is None and "." not in local:
            mapped = local  # the default configuration is inherited implicitly
        return self.parent.root_provider(mapped) if mapped else local

    @property
    def call_path(self) -> tuple[str, ...]:
        """Names of the module calls leading here (``("a", "b")`` for ``module.a.module.b``), as
        ``.terraform/modules/modules.json`` keys them."""
        names = [part.split("[", 1)[0] for part in self.address_prefix.split(".")[1::2]]
        return tuple(names)

    def qualify(self, address: str) -> str:
        """A reference written in this module, as the whole tree addresses it."""
        if not self.address_prefix or address.split(".", 1)[0] in SCOPE_ROOTS:
            return address
        return f"{self.address_prefix}{address}"

    def variables(self) -> Iterator[tuple[str, VariableValue | None, Block, str]]:
        """Each declared variable with the value Terraform would use."""
        for name, (block, file) in sorted(self._variables.items()):
            yield name, self.variable_value(name), block, file

    def variable_value(self, name: str) -> VariableValue | None:
        """The value Terraform would use: a module input, else tfvars/command line, else the default."""
        if name in self.inputs:
            given = self.inputs[name]
            value = given.caller.evaluator.evaluate(given.expr, given.scope)
            return VariableValue(self._convert(name, value), given.location, "module input")
        if name in self.tfvars:
            supplied = self.tfvars[name]
            return replace(supplied, value=self._convert(name, supplied.value))
        declared = self._variables.get(name)
        if declared is None:
            return None
        block, file = declared
        default = block.body.attributes.get("default")
        if default is None:
            return None
        value = self._with_type(name, self.evaluator.evaluate(default.expr))
        return VariableValue(value, Location(file, default.line, default.end_line), "default")

    def undeclared_tfvars(self) -> Iterator[tuple[str, VariableValue]]:
        """tfvars values for variables no file declares (Terraform warns; the value is still written)."""
        for name in sorted(set(self.tfvars) - set(self._variables)):
            yield name, self.tfvars[name]

    def _with_type(self, name: str, value: Any) -> Any:
        """The value with the optional attributes its variable's ``type`` declares filled in."""
        declared = self._variables.get(name)
        type_attribute = declared[0].body.attributes.get("type") if declared else None
        if type_attribute is None or not isinstance(value, (dict, list)):
            return value
        return with_optional_defaults(type_attribute.expr, value, self.evaluator.evaluate)

    def _convert(self, name: str, value: Any) -> Any:
        """A string for a ``number`` or ``bool`` variable, converted as Terraform does; objects
        get the optional attributes their type declares."""
        declared = self._variables.get(name)
        type_attribute = declared[0].body.attributes.get("type") if declared else None
        value = self._with_type(name, value)
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
        name = steps[0] if steps and isinstance(steps[0], str) else None
        if root == "var" and name:
            found = self.variable_value(name)
            return (found.value if found else Unknown(frozenset({f"var.{name}"}))), 1
        if root == "local" and name:
            return self._local(name), 1
        if root == "path" and name in ("module", "root"):
            return (self._path_module() if name == "module" else "."), 1
        if root == "data" and name and len(steps) >= 2 and isinstance(steps[1], str):
            key = steps[2] if len(steps) > 2 and isinstance(steps[2], IndexKey) else None
            return self._data_source(name, steps[1], key), 3 if key is not None else 2
        if root == "module" and name:
            return self._module_output(name, steps[1:])
        if root in NOT_RESOURCES or root == DATA_ROOT or not name:
            return Unknown(), len(steps)
        # A managed resource: its attributes are known only after apply.
        address = f"{self.address_prefix}{root}.{name}"
        if len(steps) > 1 and isinstance(steps[1], IndexKey) and not isinstance(steps[1].key, Unknown):
            address += instance_suffix(steps[1].key)
        elif len(steps) == 1 and (instances := self._instance_collection(root, name)) is not None:
            return instances, 1
        return Unknown(frozenset({address})), len(steps)

    def _instance_collection(self, resource_type: str, name: str) -> dict[str, Unknown] | list[Unknown] | None:
        """A repeated resource named without an index (``aws_secretsmanager_secret.this``) as
        Terraform sees it: a map of its ``for_each`` instances or a list of its ``count`` ones,
        each an unknown naming that instance. So ``{ for k, s in aws_x.this : k => s.arn }`` and
        ``[for s in aws_x.this : s.arn]`` keep which instance each element comes from, and a
        consumer of ``module.m.out["k"]`` links to that one instance. None (the whole resource is
        one unknown) when its keys are not known, or while the module is still being collected
        and the block is not yet (a block's instances are collected at once: never a part)."""
        repeated = self._repeated if self._repeated is not None else self._repeated_resources()
        found = repeated.get((resource_type, name))
        if not found or any(r.instance.unknown for r in found):
            return None
        if repetition(found[0].block) == "for_each":
            return {functions.to_string(r.instance.key): Unknown(frozenset({r.address})) for r in found}
        return [Unknown(frozenset({r.address})) for r in sorted(found, key=lambda r: r.instance.key)]

    def _repeated_resources(self) -> dict[tuple[str, str], list[Resource]]:
        """The instances of each repeated resource collected so far; kept once the module is built."""
        repeated: dict[tuple[str, str], list[Resource]] = {}
        for resource in self.own_resources:
            if resource.instance.key is not None or resource.instance.unknown:
                repeated.setdefault((resource.resource_type, resource.name), []).append(resource)
        if self._built:
            self._repeated = repeated
        return repeated

    def _path_module(self) -> str:
        relative = posixpath.relpath(self.folder, self.directory) if self.folder != self.directory else "."
        return relative

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

    def _module_output(self, call: str, steps: list[Any]) -> tuple[Any, int]:
        """``module.x.out`` / ``module.x["k"].out``: the output evaluated in the called instance."""
        unknown = Unknown(frozenset({f"{self.address_prefix}module.{call}"}))
        children = self._children_by_call.get(call, [])
        consumed = 1
        if steps and isinstance(steps[0], IndexKey):
            children = [c for c in children if c.instance_key == steps[0].key and not isinstance(steps[0].key, Unknown)]
            consumed, steps = 2, steps[1:]
        if len(children) != 1 or not steps or not isinstance(steps[0], str):
            return unknown, consumed + len(steps)
        return children[0].output(steps[0]), consumed + 1

    def output(self, name: str) -> Any:
        attribute = self._outputs.get(name)
        if attribute is None:
            return Unknown(frozenset({self.address_prefix.rstrip(".")}))
        return self.evaluator.evaluate(attribute.expr)

    def _data_source(self, data_type: str, name: str, key: IndexKey | None) -> Any:
        cache_key = f"{data_type}.{name}{instance_suffix(key.key) if key else ''}"
        if cache_key in self._data_in_progress:  # a document that includes itself: Terraform rejects it
            return Unknown(frozenset({f"{self.address_prefix}data.{data_type}.{name}"}))
        if cache_key not in self._data_values:
            self._data_in_progress.add(cache_key)
            try:
                self._data_values[cache_key] = self._compute_data_source(data_type, name, key)
            finally:
                self._data_in_progress.discard(cache_key)
        return self._data_values[cache_key]

    def _compute_data_source(self, data_type: str, name: str, key: IndexKey | None) -> Any:
        evaluator = self.data_sources.get(data_type)
        wanted = None if key is None else key.key
        matches = [d for d in self.own_data if d.resource_type == data_type and d.name == name and d.instance.key == wanted]
        if evaluator is None or len(matches) != 1 or matches[0].unknown_instances:
            return Unknown(frozenset({f"{self.address_prefix}data.{data_type}.{name}"}))
        return dict(evaluator(matches[0]))

    def _file_of(self, line: int, expr: Expr) -> str | None:
        return file_holding(self.files, line, expr)

    def _read_file(self, path: str) -> str | None:
        """``file()`` on a file inside the scanned tree (never outside it), relative to the root
        module's folder as Terraform resolves it; None when it cannot or may not be read."""
        if self.root_path is None:
            return None
        base = (self.root_path / self.directory).resolve()
        target = (base / path).resolve()
        try:
            target.relative_to(self.root_path.resolve())
        except ValueError:
            return None
        data = read_input(target, path, _FILE_SIZE_LIMIT)
        if isinstance(data, ScanError):
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
