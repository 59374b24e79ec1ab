"""Regular expressions compiled with RE2, the engine (and syntax) Terraform's own functions use.

RE2 matches in time linear in the input whatever the pattern, so neither a pull request's
``replace(s, "/(a+)+$/", "b")`` nor a policy pack's ``matches`` can backtrack the scan into a hang,
and its memory per pattern is capped. Python's ``re`` is never given a pattern from the input.
"""

from __future__ import annotations

import re2

#: Memory RE2 may use for one compiled pattern (its default); a larger pattern is invalid here.
_MAX_PATTERN_MEMORY = 8 << 20


class PatternError(Exception):
    """A pattern RE2 does not accept; the message names the problem, never the pattern's text
    (which may hold a secret)."""


def compile_pattern(pattern: str, ignore_case: bool = False) -> re2._Regexp:
    options = re2.Options()
    options.log_errors = False  # RE2 would print the pattern to stderr
    options.max_mem = _MAX_PATTERN_MEMORY
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        raise PatternError(f"invalid regular expression ({_reason(exc)})") from None


def _reason(exc: re2.error) -> str:
    """RE2's message without the fragment of the pattern it quotes after the colon."""
    detail = exc.args[0] if exc.args else b""
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    return text.split(":", 1)[0].strip() or "not accepted by RE2"
