"""What a literal is when it is *not* a secret: a placeholder, a reference, a name.

These judge the shape of a value only; whether a known key format hides inside it is the finders'
business (``text.is_not_a_credential`` combines both).
"""

from __future__ import annotations

import re

_PLACEHOLDER_WORDS = re.compile(
    r"(?i)^(?:|x+|\*+|\.+|-+|<.*>|\{\{.*\}\}|\$\{.*\}|\$\(.*\)|%.*%|changeme|change[_-]?me|replace[_-]?me"
    r"|todo|tbd|fixme|none|null|nil|example|dummy|fake|test|placeholder|secret|password|token|redacted"
    r"|your[_-].*|.*[_-]here|insert[_-].*|<redacted>|default)$"
)
_REFERENCE = re.compile(
    r"^(?:arn:|projects/|secretsmanager:|ssm:|vault:|ref\+|sm://|azurekeyvault|@Microsoft\.KeyVault|"
    r"https?://|file:|/[\w.-]+(?:/[\w.-]+)*/?$)",
    re.IGNORECASE,
)
#: A name, id, DNS name, label key, path or model id: parts of letters and digits joined by
#: separators (``huggingface-secrets``, ``cloud.google.com/gke-preemptible``,
#: ``anthropic.claude-3-5-sonnet-20240620-v1:0``).
_NAME = re.compile(r"^[A-Za-z0-9]+(?:[-._/:@][A-Za-z0-9]+)+$")
_NAME_PART = re.compile(r"[A-Za-z0-9]+")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_ONE_CASE = re.compile(r"^(?:[a-z0-9]+|[A-Z0-9]+|[A-Z][a-z0-9]+)$")
_LETTER_DIGIT_CHANGE = re.compile(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
#: A URL's query parameters that carry a credential (an Azure SAS ``sig``, ``?key=AIza…``).
_SECRET_QUERY = re.compile(r"(?i)[?&](?:sig|signature|key|api[_-]?key|token|access_token|password|secret|code)=")
_URL = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://[^\s]*$")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]+@", re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    """A value written to be replaced (``changeme``, ``<your key>``, ``${OPENAI_KEY}``, ``sk-xxxx…``)."""
    stripped = value.strip()
    if _PLACEHOLDER_WORDS.match(stripped):
        return True
    if len(set(stripped)) <= 2:  # "aaaaaaaa", "xxxx-xxxx"
        return True
    lowered = stripped.lower()
    return any(word in lowered for word in ("xxxx", "example", "placeholder", "changeme", "your-", "your_"))


def is_reference(value: str) -> bool:
    """A value that says where a secret is (an ARN, a Secret Manager name, a Vault path, a URL)."""
    return bool(_REFERENCE.match(value.strip()))


def is_name_like(value: str) -> bool:
    """Whether ``value`` reads as a name rather than a random string.

    Names are words and numbers joined by separators; a random part (``3f2b8c1e``, where letters
    and digits alternate) or a UUID makes it an id that may well be a secret.
    """
    stripped = value.strip()
    if not _NAME.match(stripped) or _UUID.match(stripped):
        return False
    return not any(_looks_random(part) for part in _NAME_PART.findall(stripped))


def is_plain_url(value: str) -> bool:
    """A URL that carries no password and no credential in its query: an endpoint, not a key."""
    stripped = value.strip()
    return bool(_URL.match(stripped)) and not _URL_PASSWORD.match(stripped) and not _SECRET_QUERY.search(stripped)


def _looks_random(part: str) -> bool:
    """A part no name has: mixed case inside (base64: ``wJalrXUtnFEMI``) or letters and digits
    alternating (hex: ``3f2b8c1e``). CamelCase names are taken as random too: a secret missed costs
    more than a name reported."""
    if not _ONE_CASE.match(part):
        return True
    return len(part) >= 6 and len(_LETTER_DIGIT_CHANGE.findall(part)) >= 3
