"""Recognizes literal secret values and turns them into fingerprints.

This is the only module that looks at a secret's characters. Everything it returns is safe to
print: a fingerprint shows the public format prefix (``sk-p``), the last four characters of a long
value, its length and a short SHA-256 prefix — enough to find the value in a secret store, never
enough to use it.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..model import CredentialKind
from .vocabulary import vocabulary

#: The last word of a field or variable name that says "this holds a secret" (``OPENAI_API_KEY``,
#: ``client_secret``, ``dbPassword``). Only the last word counts, so ``kms_key_id`` or
#: ``secret_arn`` — names of things that point at a secret — do not.
_SECRET_WORDS = frozenset(
    {"key", "apikey", "secret", "token", "password", "passwd", "pwd", "credential", "credentials",
     "pat", "passphrase", "bearer"}
)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

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
_MIN_GENERIC_LENGTH = 16
#: No known key format matches fewer characters (a Slack token: ``xoxb-`` and ten more); shorter
#: strings, most of what is redacted (ids, severities, short names), skip the pattern.
_SHORTEST_KEY = 15
_MIN_ENTROPY = 3.0


@dataclass(frozen=True)
class Detection:
    detector: str
    fingerprint: str
    ai_provider: str | None


def fingerprint(value: str, prefix_chars: int = 0) -> str:
    """A printable stand-in for a secret; ``prefix_chars`` > 0 only for a public format prefix."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    head = value[:prefix_chars] if prefix_chars else ""
    tail = value[-4:] if len(value) >= 24 else ""
    shown = f"{head}…{tail}" if (head or tail) else "…"
    return f"{shown} ({len(value)} chars, sha256:{digest})"


def is_placeholder(value: str) -> bool:
    stripped = value.strip()
    if _PLACEHOLDER_WORDS.match(stripped):
        return True
    if len(set(stripped)) <= 2:  # "aaaaaaaa", "xxxx-xxxx"
        return True
    lowered = stripped.lower()
    return any(word in lowered for word in ("xxxx", "example", "placeholder", "changeme", "your-", "your_"))


def is_reference(value: str) -> bool:
    return bool(_REFERENCE.match(value.strip()))


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def name_words(name: str) -> list[str]:
    """Words of an identifier: ``OPENAI_API_KEY`` and ``openaiApiKey`` both give openai/api/key."""
    return [word.lower() for word in _WORD_SPLIT.split(name) if word]


def is_secret_field(name: str) -> bool:
    words = name_words(name)
    return bool(words) and words[-1] in _SECRET_WORDS


def detect(value: object, field_name: str = "") -> Detection | None:
    """Decide whether ``value`` is a literal credential.

    A known key format counts wherever it appears; any other value counts only in a field whose
    name says it holds a secret, and only when it is long and random enough to be one (so that
    ``password = "postgres"`` in a local docker-compose-like example stays quiet).
    """
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if not candidate or is_reference(candidate) or is_placeholder(candidate):
        return None
    for key_format in vocabulary().key_formats:
        if key_format.pattern.search(candidate):
            prefix = _format_prefix(candidate)
            return Detection(key_format.detector, fingerprint(candidate, prefix), key_format.provider)
    if not field_name or not is_secret_field(field_name):
        return None
    if len(candidate) < _MIN_GENERIC_LENGTH or any(ch.isspace() for ch in candidate):
        return None
    if shannon_entropy(candidate) < _MIN_ENTROPY or not _mixes_character_classes(candidate):
        return None
    return Detection("high-entropy-secret", fingerprint(candidate), None)


def _format_prefix(value: str) -> int:
    """Length of the public part of a known format (``sk-proj-``, ``hf_``, ``AKIA``): safe to show."""
    match = re.match(r"^(?:sk-(?:ant-|proj-|svcacct-|admin-)?|hf_|gsk_|r8_|pcsk_|lsv2_|pplx-|xai-|AIza|AKIA|ASIA|gh[pousr]_)", value)
    return len(match.group(0)) if match else 0


@lru_cache(maxsize=1)
def _embedded_key() -> re.Pattern[str]:
    """Every known key format as one pattern that finds a key inside a longer string.

    The vocabulary anchors its formats to a whole value (a literal *is* a key); a key can also be
    part of a name (``aws_secret.a["sk-proj-…"]``, ``openai-sk-proj-…``), so here the anchors are
    dropped. A format written without anchors marks where a longer secret begins (a PEM header),
    and everything after it is taken as part of that secret.
    """
    bodies = []
    for key_format in vocabulary().key_formats:
        source = key_format.pattern.pattern
        if source.startswith("^") and source.endswith("$"):
            bodies.append(source[1:-1])
        else:
            bodies.append(f"{source}.*")
    return re.compile("|".join(f"(?:{body})" for body in bodies), re.DOTALL)


def _fingerprint_key(match: re.Match[str]) -> str:
    key = match.group(0)
    return fingerprint(key, _format_prefix(key))


def redact(text: str) -> str:
    """``text`` with every known key format in it replaced by the key's fingerprint.

    Unlike ``detect`` this judges no field name and spares no placeholder: it runs on every string
    that leaves the tool (addresses, names, paths, messages), where a false match costs only a less
    readable name and a missed one prints a key. ``text`` itself comes back when it holds no key
    (callers tell a change by identity), and a fingerprint holds none, so redacting twice changes
    nothing.
    """
    if len(text) < _SHORTEST_KEY:
        return text
    cleaned = _redacted(text)
    return text if cleaned == text else cleaned


@lru_cache(maxsize=1 << 16)
def _redacted(text: str) -> str:
    """The redaction itself, once per distinct string: a file name is in every finding of its file."""
    return _embedded_key().sub(_fingerprint_key, text)


def _mixes_character_classes(value: str) -> bool:
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return sum(classes) >= 2


def find_in(value: object, field_path: str, name: str | None = None) -> list[tuple[str, Detection]]:
    """Every literal secret inside a value (a string, or maps and lists of them), with its path.

    The name a string is judged by is its own key (``OPENAI_API_KEY`` inside
    ``environment.variables``), which is what says whether a random-looking value is a secret;
    ``name`` overrides it for the top value when the field itself is the secret (``secret_string``).
    """
    found: list[tuple[str, Detection]] = []
    _walk_literals(value, field_path, name or field_path.rsplit(".", 1)[-1], found, depth=0)
    return found


def _walk_literals(value: object, path: str, name: str, found: list[tuple[str, Detection]], depth: int) -> None:
    if depth > 32:
        return
    if isinstance(value, str):
        detection = detect(value, name)
        if detection:
            found.append((path, detection))
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            _walk_literals(value[key], f"{path}.{key}", str(key), found, depth + 1)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _walk_literals(item, f"{path}[{position}]", name, found, depth + 1)


def credential_kind(detector: str) -> CredentialKind:
    """The model kind a detected literal stands for."""
    if detector == "aws-access-key-id":
        return "access-key"
    if detector in ("high-entropy-secret", "private-key"):
        return "secret"
    return "token" if detector.endswith("token") else "api-key"
