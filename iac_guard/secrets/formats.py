"""The vocabulary's key formats compiled for the three ways a key is looked for.

A literal that *is* a key (a whole value), a key *inside* a text (a heredoc, a header, a config file
held in a value) and a key anywhere in a string that leaves the tool (redaction) need different
boundaries: the whole value needs none, the text needs token boundaries so that a key is not
found inside a longer token, and redaction wants none at all because a false match there costs
only a less readable name. One data file, three compiled forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .vocabulary import KeyFormat, vocabulary

#: A key begins where no letter or digit is just before it (``ask-…`` holds no ``sk-`` key) and ends
#: where no character of a key's alphabet follows (a fixed-length format inside a longer token).
_TOKEN_START = r"(?<![A-Za-z0-9])"
_TOKEN_END = r"(?![A-Za-z0-9_-])"
#: A block format (a PEM private key) runs to its ``-----END …-----`` line, or to the end of the text.
_BLOCK_REST = r"(?:[\s\S]*?-----END[^\n]*?-----|[\s\S]*)"
#: How far around a match a keyword-gated format looks for its provider's name.
_KEYWORD_BEFORE = 80
_KEYWORD_AFTER = 40


def keyword_gate_open(key_format: KeyFormat, *texts: str) -> bool:
    """Whether a keyword-gated format may count: one of ``texts`` names its provider.

    A generic shape (``sk-`` + 32 hex digits) is a DeepSeek key only where something says so: the
    field name for a whole value, the text around the match inside a longer string.
    """
    if not key_format.keywords:
        return True
    lowered = [text.lower() for text in texts]
    return any(word in text for word in key_format.keywords for text in lowered)


def whole_value_format(value: str, field_name: str = "") -> KeyFormat | None:
    """The first format ``value`` (already stripped) is, or holds when the format begins a block."""
    for key_format in vocabulary().key_formats:
        if key_format.pattern.search(value) and keyword_gate_open(key_format, field_name):
            return key_format
    return None


def formats_in_text(text: str, field_name: str = "") -> Iterator[tuple[KeyFormat, re.Match[str]]]:
    """Each key of a known format inside ``text``, leftmost first, with its format.

    A keyword-gated format counts when ``field_name`` or the text near the match names its
    provider (``XI_API_KEY: sk_…``, ``deepseek: {api_key: sk-…}``).
    """
    for match in _text_pattern().finditer(text):
        key_format = format_of(match.group(0))
        if key_format is None:
            continue
        window = text[max(0, match.start() - _KEYWORD_BEFORE) : match.end() + _KEYWORD_AFTER]
        if keyword_gate_open(key_format, field_name, window):
            yield key_format, match


def redaction_pattern() -> re.Pattern[str]:
    """Every format as one pattern without boundaries, for ``redact`` (see ``format_of``)."""
    return _redaction_pattern()


def format_of(key: str) -> KeyFormat | None:
    """The format of ``key``, a match of one of the combined patterns.

    The combined patterns have no capturing groups, which would cost regular expression engine
    its prefix optimisations (redaction ten times slower): the format is found again, once per
    match, by the first format that the matched text is.
    """
    for key_format, whole in _formats_alone():
        if whole.fullmatch(key) if key_format.whole_value else whole.match(key):
            return key_format
    return None


@lru_cache(maxsize=1)
def _formats_alone() -> tuple[tuple[KeyFormat, re.Pattern[str]], ...]:
    return tuple((key_format, re.compile(key_format.body)) for key_format in vocabulary().key_formats)


@lru_cache(maxsize=1)
def _text_pattern() -> re.Pattern[str]:
    alternatives = []
    for key_format in vocabulary().key_formats:
        if key_format.whole_value:
            alternatives.append(f"{_TOKEN_START}(?:{key_format.body}){_TOKEN_END}")
        else:
            alternatives.append(f"(?:{key_format.body}){_BLOCK_REST}")
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=1)
def _redaction_pattern() -> re.Pattern[str]:
    """One pattern so that a string is scanned once, however many formats there are.

    A key can be part of a name (``aws_secret.a["sk-proj-…"]``, ``openai-sk-proj-…``), so no
    boundary applies; a block format takes everything after its header as part of the secret.
    """
    alternatives = [
        f"(?:{key_format.body})" if key_format.whole_value else f"(?:{key_format.body}).*"
        for key_format in vocabulary().key_formats
    ]
    return re.compile("|".join(alternatives), re.DOTALL)
