"""Which folders of Terraform are judged as root modules, read from their module calls.

Every folder is judged. It is judged through the calls that reach it (with the inputs each call
passes) only when a root module that is itself judged reaches it through at least one instance,
within the depth limit and not through a cycle; otherwise it is a root module of its own, with
its own defaults. A ``count = 0`` call, a decoy folder, a self-call or a cycle therefore cannot
take a folder out of judgment.

The loader decides in rounds (``source_folders``): the folders nothing undecided calls are
roots; what they reach is decided; repeat with the rest. Reach is read from the code alone
(``static_reach``: module blocks and their literal ``count`` / ``for_each``) where it can be, so
a shard, which parses only the module-declaring files of folders it does not own, decides as a
whole scan does; a call whose instance count only evaluation can tell (``count = var.n``) makes
the loader build the caller's tree to know (``needs_evaluation``).
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model import ScanError, Unknown
from ..support.files import read_input
from .evaluate import LITERAL_EVALUATOR
from .instances import instances_for, repetition
from .module import MAX_MODULE_DEPTH
from .syntax.nodes import Literal
from .syntax.parse import TerraformFile
from .syntax.references import references

#: A module block starts a line (HCL block headers stand on their own line); a file without one
#: cannot call a module. In JSON syntax the key ``"module"`` appears.
_MODULE_BLOCK = re.compile(rb'(?m)^(?:\xef\xbb\xbf)?[ \t]*module\b')


def declares_modules(path: Path, max_bytes: int) -> bool:
    """Whether a file may declare ``module`` blocks, from its bytes alone (a superset: a file it
    says yes to is parsed to know). A shard parses these in every folder to know the roots."""
    data = read_input(path, path.name, max_bytes)
    if isinstance(data, ScanError):
        return False  # reported by the shard that owns the folder
    return b'"module"' in data if path.name.endswith(".json") else _MODULE_BLOCK.search(data) is not None


Calls = Mapping[str, "list[ModuleCall]"]
"""Every discovered folder → the local module calls its files declare."""


@dataclass(frozen=True)
class ModuleCall:
    """A ``module`` block with a local source, as written."""

    caller: str  # folders relative to the scanned root
    target: str
    file: str
    line: int
    name: str
    instances: int | None  # how many instances it makes; None when only evaluation can tell


def is_local(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


def module_calls(folder: str, files: Iterable[TerraformFile]) -> list[ModuleCall]:
    """The local module calls of a folder's files. A count is taken as known only when its
    expression refers to nothing, so the tree built later evaluates it to the same number."""
    found = []
    for terraform_file in files:
        for block in terraform_file.body.blocks_of("module"):
            source = block.body.attributes.get("source")
            if source is None or not isinstance(source.expr, Literal) or not isinstance(source.expr.value, str):
                continue
            if len(block.labels) != 1 or not is_local(source.expr.value):
                continue
            meta = repetition(block)
            instances: int | None = 1
            if meta is not None:
                expr = block.body.attributes[meta].expr
                value = LITERAL_EVALUATOR.evaluate(expr)
                instances = None if references(expr) or isinstance(value, Unknown) else len(instances_for(meta, value))
            target = posixpath.normpath(posixpath.join(folder, source.expr.value))
            found.append(ModuleCall(folder, target, terraform_file.path, block.line, block.labels[0], instances))
    return found


def cycle_errors(calls: Calls) -> list[tuple[str, ScanError]]:
    """One error per cycle of module calls (a self-call included, whatever its ``count``:
    Terraform cannot load such a configuration), with the folder whose call it is reported at."""
    graph = {folder: [c for c in folder_calls if c.target in calls] for folder, folder_calls in calls.items()}
    errors = []
    for component in _components(sorted(graph), graph):
        members = set(component)
        start = min(component)
        if len(component) == 1 and not any(c.target == start for c in graph[start]):
            continue
        cycle = _cycle_through(start, members, graph)
        folders = " → ".join([c.caller for c in cycle] + [start])
        calls_text = ", ".join(f'module "{c.name}" in {c.file}:{c.line}' for c in cycle)
        message = (
            f"module calls form a cycle: {folders} ({calls_text}); Terraform cannot load it, so each folder "
            "is judged with the call back into the cycle left out"
        )
        errors.append((start, ScanError(cycle[0].file, message, cycle[0].line)))
    return errors


def source_folders(undecided: set[str], calls: Calls) -> list[str]:
    """The undecided folders that become roots this round: each one no other undecided folder
    calls (through a call that may make instances), and for a group that only calls itself
    (a cycle), its first folder in name order."""
    graph = {
        folder: [c for c in calls.get(folder, ()) if c.target in undecided and c.instances != 0] for folder in undecided
    }
    components = _components(sorted(undecided), graph)
    component_of = {folder: index for index, component in enumerate(components) for folder in component}
    called = {component_of[c.target] for folder in undecided for c in graph[folder] if component_of[c.target] != component_of[folder]}
    return sorted(min(component) for index, component in enumerate(components) if index not in called)


def static_reach(root: str, calls: Calls) -> set[str]:
    """The folders a root's tree surely holds, from calls whose instance count is known and not
    zero: each at most ``MAX_MODULE_DEPTH`` calls away (a shortest chain never repeats a folder,
    so no cycle cuts it)."""
    reached = {root}
    level = [root]
    for _ in range(MAX_MODULE_DEPTH):
        level = list(dict.fromkeys(c.target for folder in level for c in calls.get(folder, ()) if c.instances and c.target not in reached))
        reached.update(level)
    return reached - {root}


def needs_evaluation(root: str, calls: Calls, reached: set[str]) -> bool:
    """Whether the root's tree may hold a discovered folder not yet known to be reached behind a
    call whose instance count only evaluating it can tell."""
    seen = {(root, False)}
    pending = deque(seen)
    while pending:
        folder, behind_unknown = pending.popleft()
        if behind_unknown and folder in calls and folder not in reached and folder != root:
            return True
        for call in calls.get(folder, ()):
            state = (call.target, behind_unknown or call.instances is None)
            if call.instances != 0 and state not in seen:
                seen.add(state)
                pending.append(state)
    return False


def _components(nodes: list[str], graph: Mapping[str, list[ModuleCall]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative: a hostile tree may chain
    thousands of folders), in a fixed order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = graph.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position].target
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _cycle_through(start: str, members: set[str], graph: Mapping[str, list[ModuleCall]]) -> list[ModuleCall]:
    """A shortest chain of calls from ``start`` back to it inside its component."""
    came_by: dict[str, ModuleCall] = {}
    pending = deque([start])
    while pending:
        folder = pending.popleft()
        for call in graph[folder]:
            if call.target == start:
                chain = [call]
                while chain[0].caller != start:
                    chain.insert(0, came_by[chain[0].caller])
                return chain
            if call.target in members and call.target not in came_by:
                came_by[call.target] = call
                pending.append(call.target)
    raise AssertionError("a component with a cycle has a chain back to its first folder")
