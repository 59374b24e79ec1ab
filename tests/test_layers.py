"""The package's import graph, read with ``ast``: layers in pipeline order, no cycle, no hidden imports.

The tree shows the pipeline (model < support < secrets < syntax and objects < config < discover <
loading < recognizers < inventory < policy < filter < pipeline < report < merge < cli), and this test
keeps it so: a module may import only from its own layer or below, the graph of every import
(module level, function level and ``TYPE_CHECKING`` alike) has no cycle, and an import of our own
code inside a function says on its line why it is deliberately lazy (``# lazy: …``), because such
imports are how cycles hid before.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import iac_guard

PACKAGE = Path(iac_guard.__file__).parent

#: Layer of each part of the package, lowest first; the longest matching prefix decides.
LAYERS: dict[str, int] = {
    "iac_guard": 0,
    "iac_guard.model": 0,
    "iac_guard.support": 1,
    "iac_guard.secrets": 2,
    "iac_guard.terraform": 3,
    "iac_guard.kubernetes": 3,
    "iac_guard.containers": 3,
    "iac_guard.ci": 3,
    "iac_guard.config": 4,
    "iac_guard.discover": 5,
    "iac_guard.load": 6,
    "iac_guard.terraform.loader": 6,
    "iac_guard.terraform.variables": 6,
    "iac_guard.providers": 7,
    "iac_guard.inventory": 8,
    "iac_guard.policy": 9,
    "iac_guard.filter": 10,
    "iac_guard.result": 10,
    "iac_guard.pipeline": 11,
    "iac_guard.shard.split": 11,
    "iac_guard.report": 12,
    "iac_guard.shard": 13,
    "iac_guard.cli": 14,
    "iac_guard.__main__": 14,
    "iac_guard.launch": 14,
}

@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (an attribute import counts as its module)
    line: int
    lazy: bool  # inside a function
    documented: bool  # a ``# lazy:`` comment on the statement's first line
    typing_only: bool  # under ``if TYPE_CHECKING:``: a layer edge, but it cannot close a cycle at import time


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports(modules: dict[str, Path]) -> list[Import]:
    found = []
    for name, path in sorted(modules.items()):
        text = path.read_text("utf-8")
        lines = text.splitlines()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, lazy, typing_only in _import_nodes(ast.parse(text)):
            documented = "# lazy:" in lines[node.lineno - 1]
            for target in _targets(node, package, modules):
                if target != name:
                    found.append(Import(name, target, node.lineno, lazy, documented, typing_only))
    return found


def _import_nodes(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """Every import statement, whether it runs inside a function, and whether only a type checker runs it."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool, bool]] = []

    def visit(node: ast.AST, in_function: bool, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, in_function, typing_only))
            function = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, function, typing_only or _is_type_checking_block(child))

    visit(tree, False, False)
    return found


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _targets(node: ast.Import | ast.ImportFrom, package: str, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
    else:
        if node.level:
            parts = package.split(".")
            parts = parts[: len(parts) - node.level + 1]
            base = ".".join(parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        bases = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    targets = []
    for target in bases:
        while target not in modules and "." in target:
            target = target.rpartition(".")[0]
        if target in modules:
            targets.append(target)
    return sorted(set(targets))


def layer(module: str) -> int:
    prefix = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    graph: dict[str, list[str]] = {}
    for source, target in sorted(edges):
        graph.setdefault(source, []).append(target)
        graph.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(graph[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(found)


ALL = imports(module_names())


def _breaks_rules(found: Import) -> bool:
    return layer(found.target) > layer(found.source) or (found.lazy and not found.documented)


def test_every_module_is_in_a_layer() -> None:
    assert all(layer(name) >= 0 for name in module_names())


def test_imports_go_down_the_layers_and_lazy_imports_say_why() -> None:
    broken = sorted(f"{i.source}:{i.line} imports {i.target}" for i in ALL if _breaks_rules(i))
    assert broken == []


def test_no_import_cycle() -> None:
    assert cycles({(i.source, i.target) for i in ALL if not i.typing_only}) == []


def test_cycle_finder_finds_a_cycle() -> None:
    edges = {("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d")}
    assert cycles(edges) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({("a", "b"), ("b", "c")}) == []


def test_layer_of_the_most_specific_prefix() -> None:
    assert layer("iac_guard.terraform.loader") == 6
    assert layer("iac_guard.terraform.syntax.parse") == 3
    assert layer("iac_guard.shard.merge") > layer("iac_guard.report.sarif") > layer("iac_guard.shard.split")


def test_an_upward_or_unexplained_lazy_import_breaks_the_rules() -> None:
    upward = Import("iac_guard.policy.engine", "iac_guard.pipeline.run", 1, lazy=False, documented=False, typing_only=False)
    hidden = Import("iac_guard.cli.common", "iac_guard.pipeline.run", 1, lazy=True, documented=False, typing_only=False)
    said = Import("iac_guard.cli.common", "iac_guard.pipeline.run", 1, lazy=True, documented=True, typing_only=False)
    down = Import("iac_guard.pipeline.run", "iac_guard.policy.engine", 1, lazy=False, documented=False, typing_only=False)
    assert [_breaks_rules(i) for i in (upward, hidden, said, down)] == [True, True, False, False]
