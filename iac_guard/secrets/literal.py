"""Literal secrets whatever their entropy, where the field's name says it holds one (``--scope all``).

``detect`` keeps quiet about ``password = "postgres"``: with a narrow scope a short, guessable value
is more often a local example than a leak. With every category in scope the question is no
longer "is this random enough to be a key" but "is a secret written here": a password field
holding ``"root"`` or ``"P@ssw0rd"`` is a hardcoded secret, the weakest kind there is.
"""

from __future__ import annotations

import re

from .detect import Detection, detect, fingerprint, may_name_an_object, name_words
from .text import find_connection_passwords
from .values import is_name_like, is_placeholder, is_plain_url, is_reference

#: Last words of a name that say the field holds a secret value on their own.
_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential", "credentials", "pat", "bearer"}
)
#: ``key`` alone is a label key, a map key, a taint key: it holds a secret only after one of these.
_KEY_QUALIFIERS = frozenset(
    {"api", "private", "secret", "access", "auth", "client", "signing", "encryption", "master", "account",
     "shared", "subscription", "admin", "service", "app", "webhook", "license", "storage", "primary", "secondary"}
)
#: Values that configure rather than hold a secret (``secret = "false"``, ``token = "auto"``).
_NOT_SECRETS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable", "auto", "generated",
     "random", "required", "optional", "n/a", "na", "unset", "empty", "managed", "external"}
)
_SHELL_VARIABLE = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")


def names_a_secret(field_name: str) -> bool:
    """Whether a field's name says its value is a secret: ``admin_password``, ``client_secret``,
    ``api_key``, ``private_key``, ``OPENAI_TOKEN`` — not ``key``, ``key_name``, ``secret_arn``."""
    words = name_words(field_name)
    if not words:
        return False
    if words[-1] in _SECRET_WORDS:
        return True
    return words[-1] == "key" and len(words) > 1 and words[-2] in _KEY_QUALIFIERS


def literal_secret(value: object, field_name: str = "") -> Detection | None:
    """Decide whether ``value``, a literal in ``field_name``, is a hardcoded secret at any entropy.

    In order: a connection string's password (fingerprinted alone, in a field of any name); what
    ``detect`` finds (key formats, private key blocks anywhere, random values in secret fields);
    then any literal in a field that ``names_a_secret``, unless it is a placeholder, a reference, a
    variable, a setting (``"false"``), an endpoint URL, or — in a field that may hold a name, such
    as ``huggingface_artifact_secret`` — a name (``huggingface-secrets``).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    candidate = value.strip()
    passwords = find_connection_passwords(candidate)
    if passwords:
        return passwords[0].detection
    found = detect(candidate, field_name)
    if found is not None or not names_a_secret(field_name):
        return found
    if _is_no_secret(candidate) or (may_name_an_object(field_name) and is_name_like(candidate)):
        return None
    return Detection("literal-secret", fingerprint(candidate), None, "high", "secret written in a field named for one")


def _is_no_secret(value: str) -> bool:
    if is_placeholder(value) or is_reference(value) or is_plain_url(value) or _SHELL_VARIABLE.match(value):
        return True
    return value.lower() in _NOT_SECRETS
