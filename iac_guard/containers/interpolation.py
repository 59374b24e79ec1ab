"""``$VAR``, ``${VAR}`` and ``${VAR:-default}``: the variables Dockerfiles and Compose files read.

A value that is only a variable is a reference, not a literal: the key is wherever the variable
is set (a build argument, the shell, the project's ``.env``). A default written after ``:-``
or ``-`` is a literal, though, and is judged as one.
"""

from __future__ import annotations

import re

_VARIABLE = re.compile(r"^\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::?(?P<op>[-+?=])(?P<default>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))$")


def variable_name(value: str) -> str | None:
    """The variable a value consists of (``${OPENAI_API_KEY}`` → ``OPENAI_API_KEY``), else None."""
    match = _VARIABLE.match(value.strip())
    return None if match is None else match.group("braced") or match.group("bare")


def literal_part(value: str) -> str | None:
    """What of ``value`` is written literally: the value, the default of a lone ``${VAR:-default}``,
    or None for a lone variable (and for ``${VAR:?message}``, whose text is an error message)."""
    match = _VARIABLE.match(value.strip())
    if match is None:
        return value
    if match.group("op") in ("-", "="):
        return match.group("default") or None
    return None
