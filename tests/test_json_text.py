"""json_text writes exactly what ``json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`` writes:
the reports' bytes must not change with the encoder. Every case compares the two."""

from __future__ import annotations

import enum
import io
import json
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iac_guard.support.json_text import dumps_json, write_json


def reference(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


# Every code point, lone surrogates and control characters included: json passes the former
# through unchanged with ensure_ascii=False and escapes the latter.
TEXT = st.text(st.characters(codec=None, categories=None), max_size=12) | st.sampled_from(
    ["", "\x00", "\x1f\x7f", '"\\', "\ud800", "\udfff", "—", "😀", "\u2028", "line\nbreak"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | st.sampled_from([0.0, -0.0, float("nan"), float("inf"), float("-inf"), 1e300, 5e-324])
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5)
    | st.lists(children, max_size=3).map(tuple)
    | st.lists(TEXT, max_size=4)  # a list of strings, which is written inline
    | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_matches_json_dumps(value: Any) -> None:
    assert dumps_json(value) == reference(value)


@pytest.mark.parametrize("value", [
    {}, [], (), "", 0, None, True, float("nan"),
    {"a": {}, "b": [], "c": [[], {}, [[{}]]], "d": {"e": {"f": []}}},
    [[["x"]], ["y", ["z"]], ["a", 1], [1, "a"], [None], ["s", {"k": "v"}]],
    {2: "int", 1.5: "float", float("nan"): "nan", True: "true", False: "false", None: "null", "2": "str"},
    [{1: "a"}, {True: "b"}, {1.0: "c"}, {"1": "d"}, {0: "e"}, {False: "f"}, {-0.0: "g"}],  # equal keys, other texts
])
def test_explicit_shapes(value: Any) -> None:
    assert dumps_json(value) == reference(value)


def test_deep_nesting() -> None:
    value: Any = "leaf"
    for depth in range(150):
        value = {f"level{depth}": value} if depth % 2 else [value, depth]
    assert dumps_json(value) == reference(value)


def test_subclasses_encode_as_json_encodes_them() -> None:
    class Colour(enum.IntEnum):
        RED = 1

    class Text(str):
        pass

    class Number(float):
        pass

    class Items(list):  # type: ignore[type-arg]
        pass

    value = OrderedDict(
        [(Text("key"), Colour.RED), ("text", Text("a\nb")), ("number", Number(2.5)), ("items", Items(["x", Text("y")]))]
    )
    assert dumps_json(value) == reference(value)
    assert dumps_json([Text("only")]) == reference([Text("only")])
    assert dumps_json({Colour.RED: [Number(-0.0)]}) == reference({Colour.RED: [Number(-0.0)]})


@pytest.mark.parametrize("value", [{1, 2}, object(), {"a": [1, {"b": {1}}]}, ["a", b"bytes"], {"a": object()}])
def test_unserialisable_values_raise_type_error_as_json_does(value: Any) -> None:
    with pytest.raises(TypeError) as ours:
        dumps_json(value)
    with pytest.raises(TypeError) as theirs:
        reference(value)
    assert str(ours.value) == str(theirs.value)


def test_unsupported_key_raises_type_error() -> None:
    with pytest.raises(TypeError, match="keys must be str, int, float, bool or None, not tuple"):
        dumps_json({"a": {(1, 2): "pair"}})


def test_circular_reference_raises_value_error() -> None:
    looped: list[Any] = ["a"]
    looped.append({"back": looped})
    with pytest.raises(ValueError, match="Circular reference detected"):
        dumps_json(looped)


def test_shared_values_are_not_circular() -> None:
    shared = {"k": ["v"]}
    value = [shared, shared, {"again": shared}]
    assert dumps_json(value) == reference(value)


def test_write_json_streams_the_same_text_in_chunks() -> None:
    findings = [
        {"policy_id": f"IAG{i % 7:03d}", "line": i, "suppressed": i % 2 == 0, "suppression": None,
         "controls": {"cis-v8": ["6.2"], "nist": ["PR.AA-01", "ID.AM-08"]}, "ai_reasons": [], "score": i / 3}
        for i in range(2000)
    ]
    value = {"tool": {"name": "iac-guard"}, "findings": findings, "errors": []}

    class Recording(io.StringIO):
        writes = 0

        def write(self, text: str) -> int:
            self.writes += 1
            return super().write(text)

    handle = Recording()
    write_json(value, handle)
    assert handle.getvalue() == reference(value) == dumps_json(value)
    assert handle.writes > 1
