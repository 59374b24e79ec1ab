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

from ..model import Severity


@dataclass(frozen=True)
class KeyFormat:
    """One literal key format of the data file; its fields are described at the top of that file."""

    detector: str
    pattern: re.Pattern[str]
    provider: str | None  # AI provider name, None for non-AI formats
    title: str = ""
    severity: Severity = "high"
    #: Public prefixes a fingerprint may show, longest first (``sk-proj-`` before ``sk-``).
    shown: tuple[str, ...] = ()
    #: Lower-case words one of which must name the provider near the key; () for a format that
    #: counts alone.
    keywords: tuple[str, ...] = ()

    @property
    def whole_value(self) -> bool:
        """Whether the pattern is anchored to a whole value; if not, it begins a longer secret (PEM)."""
        source = self.pattern.pattern
        return source.startswith("^") and source.endswith("$")

    @property
    def body(self) -> str:
        """The pattern without its anchors, to find the format inside a longer string."""
        source = self.pattern.pattern
        return source[1:-1] if self.whole_value else source

    def shown_prefix(self, key: str) -> str:
        """The public part of ``key`` a fingerprint may show: one of ``shown`` that it begins with."""
        return next((prefix for prefix in self.shown if key.startswith(prefix)), "")


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
    formats: list[KeyFormat] = []
    for entry in raw["providers"]:
        providers.append(
            AIProvider(
                id=entry["id"],
                name=entry["name"],
                substrings=tuple(s.lower() for s in entry.get("substring", [])),
                tokens=frozenset(t.lower() for t in entry.get("token", [])),
            )
        )
        formats.extend(_key_format(fmt, entry["name"]) for fmt in entry.get("key_formats", []))
    formats.extend(_key_format(fmt, None) for fmt in raw.get("other_key_formats", []))
    grants = tuple(GrantPattern(re.compile(g["pattern"]), g["service"]) for g in raw["grant_patterns"])
    all_tokens = frozenset(token for p in providers for token in p.tokens)
    any_substring = _any_of(sub for p in providers for sub in p.substrings)
    return Vocabulary(tuple(providers), tuple(formats), grants, all_tokens, any_substring)


def _key_format(raw: dict[str, object], provider: str | None) -> KeyFormat:
    shown = sorted((str(prefix) for prefix in _strings(raw.get("shown"))), key=len, reverse=True)
    return KeyFormat(
        detector=str(raw["detector"]),
        pattern=re.compile(str(raw["pattern"])),
        provider=provider,
        title=str(raw.get("title", "")),
        severity=_severity(raw.get("severity", "high")),
        shown=tuple(shown),
        keywords=tuple(word.lower() for word in _strings(raw.get("keywords"))),
    )


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _severity(value: object) -> Severity:
    if value == "critical":
        return "critical"
    if value == "high":
        return "high"
    raise ValueError(f"ai_vocabulary.yaml: key format severity must be high or critical, not {value!r}")


def _any_of(strings: Iterable[str]) -> re.Pattern[str]:
    """A pattern found wherever one of the strings is; with no strings, one that is found nowhere."""
    alternatives = [re.escape(s) for s in strings]
    return re.compile("|".join(alternatives) if alternatives else "(?!)")
