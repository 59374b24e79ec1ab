"""Loads the AI vocabulary (iac_guard/data/ai_vocabulary.yaml) once per process.

The vocabulary is data so that adding a provider, a key format or an AI service prefix is a one-line
change that every recognizer benefits from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class KeyFormat:
    detector: str
    pattern: re.Pattern[str]
    provider: str | None  # AI provider name, None for non-AI formats


@dataclass(frozen=True)
class AIProvider:
    id: str
    name: str
    substrings: tuple[str, ...]
    tokens: frozenset[str]


@dataclass(frozen=True)
class GrantPattern:
    pattern: re.Pattern[str]
    service: str


@dataclass(frozen=True)
class Vocabulary:
    providers: tuple[AIProvider, ...]
    key_formats: tuple[KeyFormat, ...]
    grant_patterns: tuple[GrantPattern, ...]
    #: Every provider's tokens, and one pattern for every provider's substrings: most names name
    #: no provider, and these tell so in one test instead of one per provider.
    all_tokens: frozenset[str]
    any_substring: re.Pattern[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    text = resources.files("iac_guard.data").joinpath("ai_vocabulary.yaml").read_text("utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # our own file: plain YAML
    providers = []
    formats = []
    for entry in raw["providers"]:
        providers.append(
            AIProvider(
                id=entry["id"],
                name=entry["name"],
                substrings=tuple(s.lower() for s in entry.get("substring", [])),
                tokens=frozenset(t.lower() for t in entry.get("token", [])),
            )
        )
        for fmt in entry.get("key_formats", []):
            formats.append(KeyFormat(fmt["detector"], re.compile(fmt["pattern"]), entry["name"]))
    for fmt in raw.get("other_key_formats", []):
        formats.append(KeyFormat(fmt["detector"], re.compile(fmt["pattern"]), None))
    grants = tuple(GrantPattern(re.compile(g["pattern"]), g["service"]) for g in raw["grant_patterns"])
    all_tokens = frozenset(token for p in providers for token in p.tokens)
    any_substring = _any_of(sub for p in providers for sub in p.substrings)
    return Vocabulary(tuple(providers), tuple(formats), grants, all_tokens, any_substring)


def _any_of(strings: Iterable[str]) -> re.Pattern[str]:
    """A pattern found wherever one of the strings is; with no strings, one that is found nowhere."""
    alternatives = [re.escape(s) for s in strings]
    return re.compile("|".join(alternatives) if alternatives else "(?!)")
