"""Secrets inside a longer string: a ``user_data`` heredoc, a header, a config file held in a value.

``detect`` judges a value that *is* a secret. Values that *hold* one are common in infrastructure
code: ``export OPENAI_API_KEY=sk-…`` in a startup script, ``Authorization: Bearer sk-ant-…``, a
``.env`` or JSON file in a ConfigMap, ``--api-key=sk-…`` in a container's arguments, a database URL
with its password. Only known key formats and connection-string passwords are looked for here:
a random-looking word inside prose says nothing, so entropy stays a whole-value, field-name-gated
judgement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .detect import Detection, fingerprint, format_detection
from .formats import formats_in_text
from .values import is_name_like, is_placeholder, is_plain_url, is_reference

#: ``Server=…;Password=…`` (ADO.NET, ODBC, JDBC properties): the value runs to ``;`` or is quoted.
_KEYWORD_PASSWORD = re.compile(r"""(?i)(?:^|[;\s])(?:password|pwd)\s*=\s*("[^"]*"|'[^']*'|[^;\s"']+)""")
#: ``scheme://user:password@host``: the password is the userinfo after the first colon.
_URL_PASSWORD = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^:/@\s]*:([^\s/]+)@")
#: A shell or template variable standing for the password (``$DB_PASSWORD``, ``%s``).
_VARIABLE = re.compile(r"^(?:\$[A-Za-z_][A-Za-z0-9_]*|%[sd]|%\([a-z_]+\)s|\?)$")


@dataclass(frozen=True)
class TextMatch:
    """A secret found inside a text: its detection and where it is, to report the line.

    ``start`` and ``end`` are offsets into the text; ``line`` is 1-based within the text, so a
    caller adds it to the line where a multi-line value begins.
    """

    detection: Detection
    start: int
    end: int
    line: int


def find_keys(text: str, field_name: str = "") -> list[TextMatch]:
    """Every key of a known format inside ``text``, in order, placeholders (``sk-xxxx…``) left out.

    A key must stand on its own: one inside a longer token of letters and digits is not matched.
    ``field_name`` is the name of the field holding the text: it may open a keyword-gated format
    (``elevenlabs_config``); so may the words around the match.
    """
    found = []
    for key_format, match in formats_in_text(text, field_name):
        key = match.group(0)
        if not is_placeholder(key):
            found.append(_at(text, match.start(), match.end(), format_detection(key_format, key)))
    return found


def find_connection_passwords(text: str) -> list[TextMatch]:
    """The password parts of the connection strings inside ``text``, fingerprinted alone.

    ``Server=db;User Id=app;Password=s3cret;`` and ``postgres://app:s3cret@db/orders`` each give the
    password ``s3cret`` (its offsets, its fingerprint), never the rest of the string, which names
    hosts and users. A password that is a placeholder, a reference or a variable is none.
    """
    found = []
    for pattern in (_KEYWORD_PASSWORD, _URL_PASSWORD):
        for match in pattern.finditer(text):
            start, end = match.span(1)
            password = match.group(1)
            if password[:1] in "\"'" and len(password) >= 2:
                start, end, password = start + 1, end - 1, password[1:-1]
            if _is_a_password(password):
                detection = Detection("connection-string-password", fingerprint(password), None, "high", "password in a connection string")
                found.append(_at(text, start, end, detection))
    return sorted(found, key=lambda item: item.start)


def is_not_a_credential(value: str) -> bool:
    """Whether a known value is plainly no credential: an endpoint URL, an ARN, a path, a name.

    For a secret whose value is known (a Key Vault secret holding an endpoint, a Secret entry
    naming a model id such as ``anthropic.claude-3-5-sonnet-20240620-v1:0``): such a secret needs
    no owner or rotation as a credential would. A value holding a key or a password is never
    "plainly no credential", whatever it looks like.
    """
    stripped = value.strip()
    if not stripped or find_keys(stripped) or find_connection_passwords(stripped):
        return False
    if is_plain_url(stripped) or is_name_like(stripped):
        return True
    return is_reference(stripped) and not stripped.lower().startswith(("http://", "https://"))


def _is_a_password(password: str) -> bool:
    stripped = password.strip()
    return bool(stripped) and not is_placeholder(stripped) and not is_reference(stripped) and not _VARIABLE.match(stripped)


def _at(text: str, start: int, end: int, detection: Detection) -> TextMatch:
    return TextMatch(detection, start, end, text.count("\n", 0, start) + 1)
