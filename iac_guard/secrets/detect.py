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

from ..model import CredentialKind, Severity
from .formats import format_of, redaction_pattern, whole_value_format
from .values import is_name_like, is_placeholder, is_reference
from .vocabulary import KeyFormat

#: The last word of a field or variable name that says "this holds a secret" (``OPENAI_API_KEY``,
#: ``client_secret``, ``dbPassword``). Only the last word counts, so ``kms_key_id`` or
#: ``secret_arn`` — names of things that point at a secret — do not.
_SECRET_WORDS = frozenset(
    {"key", "apikey", "secret", "token", "password", "passwd", "pwd", "credential", "credentials",
     "pat", "passphrase", "bearer"}
)
#: Of those, the words that also name the *thing* holding a secret: ``huggingface_artifact_secret``
#: may hold the name of a Kubernetes Secret, a taint's ``key`` a label key. In such a field a name
#: (``huggingface-secrets``, ``cloud.google.com/gke-preemptible``) is a name; a password field
#: never holds one.
_OBJECT_WORDS = frozenset({"key", "secret", "token", "credential", "credentials"})
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

_MIN_GENERIC_LENGTH = 16
#: No known key format matches fewer characters (a Slack token: ``xoxb-`` and ten more); shorter
#: strings, most of what is redacted (ids, severities, short names), skip the pattern.
_SHORTEST_KEY = 15
_MIN_ENTROPY = 3.0


@dataclass(frozen=True)
class Detection:
    """A literal secret as the model may hold it: which detector saw it and its fingerprint.

    ``severity`` ranks a leak of the format (an organisation admin key is worse than a project
    key); ``title`` names the format for a reader ("Google API key").
    """

    detector: str
    fingerprint: str
    ai_provider: str | None
    severity: Severity = "high"
    title: str = ""


def fingerprint(value: str, prefix_chars: int = 0) -> str:
    """A printable stand-in for a secret; ``prefix_chars`` > 0 only for a public format prefix."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    head = value[:prefix_chars] if prefix_chars else ""
    tail = value[-4:] if len(value) >= 24 else ""
    shown = f"{head}…{tail}" if (head or tail) else "…"
    return f"{shown} ({len(value)} chars, sha256:{digest})"


def format_detection(key_format: KeyFormat, key: str) -> Detection:
    """The detection of ``key``, a value of ``key_format``: its fingerprint shows the public prefix."""
    shown = len(key_format.shown_prefix(key))
    return Detection(key_format.detector, fingerprint(key, shown), key_format.provider, key_format.severity, key_format.title)


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


def may_name_an_object(field_name: str) -> bool:
    """Whether a field's name could be that of a field holding a *name* (``…_secret``, ``key``)."""
    words = name_words(field_name)
    return bool(words) and words[-1] in _OBJECT_WORDS


def detect(value: object, field_name: str = "") -> Detection | None:
    """Decide whether ``value`` is a literal credential.

    A known key format counts wherever it appears (a keyword-gated one where ``field_name`` names
    its provider); any other value counts only in a field whose name says it holds a secret, and
    only when it is long and random enough to be one (so that ``password = "postgres"`` in a local
    docker-compose-like example stays quiet) and not a name in a field that may hold a name.
    """
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if not candidate or is_reference(candidate) or is_placeholder(candidate):
        return None
    key_format = whole_value_format(candidate, field_name)
    if key_format is not None:
        return format_detection(key_format, candidate)
    if not field_name or not is_secret_field(field_name) or not _random_enough(candidate):
        return None
    if may_name_an_object(field_name) and is_name_like(candidate):
        return None
    return Detection("high-entropy-secret", fingerprint(candidate), None)


def _random_enough(value: str) -> bool:
    if len(value) < _MIN_GENERIC_LENGTH or any(ch.isspace() for ch in value):
        return False
    return shannon_entropy(value) >= _MIN_ENTROPY and _mixes_character_classes(value)


def _fingerprint_key(match: re.Match[str]) -> str:
    key = match.group(0)
    key_format = format_of(key)
    return fingerprint(key, len(key_format.shown_prefix(key)) if key_format else 0)


def redact(text: str) -> str:
    """``text`` with every known key format in it replaced by the key's fingerprint.

    Unlike ``detect`` this judges no field name, no keyword and spares no placeholder: it runs on
    every string that leaves the tool (addresses, names, paths, messages), where a false match
    costs only a less readable name and a missed one prints a key. ``text`` itself comes back when
    it holds no key (callers tell a change by identity), and a fingerprint holds none, so
    redacting twice changes nothing.
    """
    if len(text) < _SHORTEST_KEY:
        return text
    cleaned = _redacted(text)
    return text if cleaned == text else cleaned


@lru_cache(maxsize=1 << 16)
def _redacted(text: str) -> str:
    """The redaction itself, once per distinct string: a file name is in every finding of its file."""
    return redaction_pattern().sub(_fingerprint_key, text)


def _mixes_character_classes(value: str) -> bool:
    classes = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return sum(classes) >= 2


def credential_kind(detector: str) -> CredentialKind:
    """The model kind a detected literal stands for."""
    if detector == "aws-access-key-id":
        return "access-key"
    if detector in ("high-entropy-secret", "private-key", "literal-secret", "connection-string-password"):
        return "secret"
    return "token" if detector.endswith("token") else "api-key"


#: Key formats issued for one platform's own identities, which that platform's workloads can do
#: without (an AWS access key id stands in for an IAM identity an AWS workload already has).
_ISSUING_PLATFORMS = {"aws-access-key-id": "aws"}


def issuing_platform(detector: str) -> str | None:
    """The platform whose identities a key of this format stands in for, if any."""
    return _ISSUING_PLATFORMS.get(detector)
