"""The fast paths of the inventory and policy stages give what the plain code they replace gave.

Each test holds the straightforward version (the per-provider scan, ``string.Formatter.vformat``,
the generic walk over a fact path, ``is`` per option) as the reference, so that a later change to
a fast path cannot drift from it unnoticed. No timing is asserted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from iac_guard.inventory.ai import provider_named_by
from iac_guard.model import UNKNOWN, is_unknown
from iac_guard.policy.conditions import FieldTest, Truth
from iac_guard.policy.facts import _FORMATTER, OPEN_FIELDS, duration_text, example_facts, lookup, render
from iac_guard.secrets.detect import name_words
from iac_guard.secrets.vocabulary import AIProvider, vocabulary

# -- ai.provider_named_by: cached, with a combined first test ----------------------------------

def _named_by_each_provider(text: str) -> AIProvider | None:
    """The reference: every provider in vocabulary order, tokens as words, substrings anywhere."""
    lowered, words = text.lower(), set(name_words(text))
    for provider in vocabulary().providers:
        if words & provider.tokens or any(sub in lowered for sub in provider.substrings):
            return provider
    return None


def _names() -> list[str]:
    terms = [t for p in vocabulary().providers for t in (*p.tokens, *p.substrings)]
    glued = [f"my{t}key" for t in terms] + [f"MY_{t.upper()}_KEY" for t in terms] + [f"x{t.title()}Token" for t in terms]
    plain = ["", "this", "endpoint", "username", "batch_0", "/batch/", "maintain", "email", "domain", "chain",
             "AZURE_OPENAI_API_KEY", "openaiApiKey", "hf-token", "HF_TOKEN", "gpt4", "ai", "AI_KEY", "Ünïcode-ai"]
    return terms + glued + plain


@pytest.mark.parametrize("text", _names())
def test_provider_named_by_is_the_per_provider_scan(text: str) -> None:
    assert provider_named_by(text) is _named_by_each_provider(text)
    assert provider_named_by(text) is _named_by_each_provider(text)  # and again, from the cache


# -- policy.facts.lookup: a fast path for plain dicts -------------------------------------------

def _walk(namespace: Mapping[str, Any], path: str) -> Any:
    """The reference: the generic walk, testing every value on the way."""
    value: Any = namespace
    walked = ""
    for part in path.split("."):
        if value is None or is_unknown(value):
            return value
        if not isinstance(value, Mapping):
            raise KeyError(path)
        if part not in value:
            if walked in OPEN_FIELDS:
                return None
            raise KeyError(path)
        value = value[part]
        walked = f"{walked}.{part}" if walked else part
    return value


NAMESPACE = {
    **example_facts(),
    "absent": None,
    "unknown": UNKNOWN,
    "proxy": MappingProxyType({"inner": {"x": 1}, "none": None}),
    "": {"tags": {"team": "a"}},
    "text": "not a mapping",
    "falsy": {"zero": 0, "empty": "", "false": False},
}
PATHS = [
    "address", "owner.value", "expiry.lifetime_days", "tags.owner", "tags.team", "tags.team.deeper", "absent",
    "absent.below", "unknown", "unknown.below.more", "proxy.inner.x", "proxy.none.x", "proxy.missing", ".tags.team",
    ".tags.nothing", "text.below", "missing", "owner.missing", "falsy.zero", "falsy.empty", "falsy.false", "",
]


@pytest.mark.parametrize("path", PATHS)
def test_lookup_is_the_generic_walk(path: str) -> None:
    try:
        expected: Any = _walk(NAMESPACE, path)
    except KeyError as error:
        with pytest.raises(KeyError) as raised:
            lookup(NAMESPACE, path)
        assert raised.value.args == error.args
    else:
        assert lookup(NAMESPACE, path) is expected or lookup(NAMESPACE, path) == expected


# -- policy.facts.render: templates parsed once ---------------------------------------------------

TEMPLATES = [
    "{address} has no accountable owner: {owner_text}",
    "{address}: {item.field} holds {item.fingerprint}",
    "lives {expiry.lifetime_days:.1f} days, {expiry.lifetime_days:>8} wide, {absent:.0f}",
    "{address!r} and {address!s} and {address!a}",
    "{{literal braces}} {address} }}",
    "{expiry.lifetime_days:{width}}",
    "{}", "{0}", "{address}{}", "{", "}", "{address", "{address!x}", "{address!}", "{missing}", "{tags.team}",
    "{ai_reasons} {ai} {unknown} {absent} {scope.wildcard_reasons}", "",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_render_is_string_formatter(template: str) -> None:
    namespace = {**NAMESPACE, "item": NAMESPACE["hardcoded"][0], "width": 12}
    try:
        expected = _FORMATTER.vformat(template, (), namespace)
    except (KeyError, ValueError) as error:
        with pytest.raises(type(error)) as raised:
            render(template, namespace)
        assert raised.value.args == error.args
    else:
        assert render(template, namespace) == expected
        assert render(template, namespace) == expected  # and again, from the parsed template


# -- policy.conditions: ``in`` folds the value once -------------------------------------------

VALUES = [True, False, 1, 0, 1.0, None, "Team", "team", "TEAM", "straße", "STRASSE", UNKNOWN]


@pytest.mark.parametrize("ignore_case", [False, True])
@pytest.mark.parametrize("value", VALUES)
def test_in_is_is_against_each_option(value: Any, ignore_case: bool) -> None:
    def holds(op: str, operand: Any) -> Truth:
        return FieldTest("value", op, operand, ignore_case).evaluate({"value": value}, {})

    for options in ([], [True], [1], [None], ["team"], ["TEAM", "x"], [0, False, None, "Team"], ["strasse"], VALUES):
        if is_unknown(value):
            assert holds("in", options) is UNKNOWN
        else:
            assert holds("in", options) == any(holds("is", o) for o in options), options


def test_cached_durations_read_the_same_for_ints_and_floats() -> None:
    assert [duration_text(v) for v in (30, 30.0, 1, 1.0, 0.5, 1 / 24, 1 / 1440)] == [
        "30 days", "30 days", "1 day", "1 day", "12 hours", "1 hour", "1 minute"
    ]
