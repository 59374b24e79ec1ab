"""The shape the code keeps: functions short enough to read in one screen.

A function longer than ``MAX_LINES`` (signature, docstring and body) says why on its ``def`` line
(``# long: …``), the way a lazy import says why it is lazy (tests/test_layers.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import iac_guard

PACKAGE = Path(iac_guard.__file__).parent
MAX_LINES = 40


def long_functions(source: str, name: str) -> list[str]:
    """``name:line function (N lines)`` for each function over the limit without a stated reason."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_LINES and "# long:" not in lines[node.lineno - 1]:
                found.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_is_longer_than_a_screen_without_a_reason() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += long_functions(path.read_text("utf-8"), path.relative_to(PACKAGE).as_posix())
    assert found == []


def test_a_long_function_is_found_unless_it_says_why() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_LINES))
    assert long_functions(f"def f():\n{body}", "m.py") == [f"m.py:1 f ({MAX_LINES + 1} lines)"]
    assert long_functions(f"def f():  # long: a table\n{body}", "m.py") == []
    assert long_functions("def g():\n    return 1\n", "m.py") == []
