"""Literal secrets in a written value, as the model records them: the one path every recognizer
takes from a value it reads (an attribute, an env entry, a ConfigMap entry) to ``SecretLiteral``.

Each string gives its strongest judgement once, in order: the whole value is a secret
(``detect``: a key format, a random value in a field named for a secret); else keys of a known
format and connection-string passwords *inside* it (a ``user_data`` heredoc, an embedded
``config.yaml``, ``--api-key=sk-…``), each at its own line when the value's first line is known;
else a literal in a field whose name says it holds a secret, whatever its entropy
(``password = "P@ssw0rd"``), which counts only with ``--scope all``.
"""

from __future__ import annotations

from ...model import Location, SecretLiteral
from ...secrets.detect import Detection, detect
from ...secrets.literal import literal_secret
from ...secrets.text import find_connection_passwords, find_keys

#: Deeper than any configuration is written; hostile nesting stops here instead of recursing on.
_MAX_DEPTH = 32


def literals_in(
    value: object, field: str, location: Location, name: str | None = None, first_line: int | None = None
) -> tuple[SecretLiteral, ...]:
    """Every literal secret in ``value`` (a string, or maps and lists of them) with its field path.

    A string is judged by its own key's name (``OPENAI_API_KEY`` inside ``environment.variables``);
    ``name`` overrides it for the top value when the field itself is the secret (``secret_string``).
    ``first_line`` is the file line where a multi-line top string's text begins (a heredoc's first
    line, a YAML block scalar's): a key found inside is reported at its own line.
    """
    found: list[SecretLiteral] = []
    _walk(value, field, name or field.rsplit(".", 1)[-1], location, first_line, found, 0)
    return tuple(found)


def string_literals(
    text: str, field: str, name: str, location: Location, first_line: int | None = None
) -> list[SecretLiteral]:
    """The literal secrets of one string (see the module docstring for the order)."""
    whole = detect(text, name)
    if whole is not None:
        return [_literal(field, whole, location)]
    inside = sorted(find_keys(text, name) + find_connection_passwords(text), key=lambda match: match.start)
    if inside:
        return [
            _literal(field, match.detection, _line_in(location, first_line, match.line),
                     any_entropy=match.detection.detector == "connection-string-password")
            for match in inside
        ]
    weak = literal_secret(text, name)
    return [_literal(field, weak, location, any_entropy=True)] if weak is not None else []


def _walk(
    value: object, path: str, name: str, location: Location, first_line: int | None,
    found: list[SecretLiteral], depth: int,
) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        found.extend(string_literals(value, path, name, location, first_line))
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            _walk(value[key], f"{path}.{key}", str(key), location, None, found, depth + 1)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _walk(item, f"{path}[{position}]", name, location, None, found, depth + 1)


def _line_in(location: Location, first_line: int | None, line_in_text: int) -> Location:
    """The file line of a match on ``line_in_text`` of a value beginning at ``first_line``; the
    value's own location when where its text begins is not known (a one-line or computed value)."""
    if first_line is None:
        return location
    line = first_line + line_in_text - 1
    return Location(location.file, line, line)


def _literal(field: str, detection: Detection, location: Location, any_entropy: bool = False) -> SecretLiteral:
    return SecretLiteral(
        field, detection.detector, detection.fingerprint, location, detection.ai_provider,
        detection.severity, any_entropy,
    )
