"""Durations and dates as the providers write them: Go ``time.Duration`` strings (Kubernetes,
Azure, Vault), protobuf durations (Google Cloud), RFC 3339 timestamps and ISO dates. The one date
parser of the recognizers is here."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from ...model import UNKNOWN, Unknown

_GO_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DAY = r"(\d{4}-\d{2}-\d{2})"
_DATE = re.compile(_DAY)
_TIMESTAMP = re.compile(_DAY + r"(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?")


def go_duration_seconds(text: str) -> float | None:
    """A Go ``time.Duration`` string (``1h``, ``15m``, ``1h30m``, ``0``) in seconds; None if not one.

    Kubernetes (``refreshInterval``), Azure (``end_date_relative``) and Vault (TTLs) all write them;
    Google Cloud's protobuf durations (``86400s``) read the same way.
    """
    text = text.strip()
    if text == "0":
        return 0.0
    parts = list(_GO_DURATION_PART.finditer(text))
    if not parts or "".join(part.group(0) for part in parts) != text:
        return None
    return sum(float(number) * _GO_UNIT_SECONDS[unit] for number, unit in (part.groups() for part in parts))


def duration_days(value: Any) -> float | Unknown | None:
    """A Go or protobuf duration attribute value in days; UNKNOWN when it is not one we can read."""
    if value is None:
        return None
    seconds = go_duration_seconds(value) if isinstance(value, str) else None
    return UNKNOWN if seconds is None else seconds / 86400


def timestamp_date(text: str, *, time_of_day: bool = True) -> date | None:
    """The day of an RFC 3339 timestamp (``2027-03-31T00:00:00Z``) or an ISO date; None if neither.
    ``time_of_day=False`` accepts the date alone: a convention that asks for a date (the
    ``iac-guard.io/expires`` annotation) does not read a timestamp."""
    match = (_TIMESTAMP if time_of_day else _DATE).fullmatch(text.strip())
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:  # 2027-02-30
        return None


def epoch_date(seconds: float) -> date | None:
    """The UTC day of a Unix time (a JSON Web Token ``NumericDate``); None when out of range."""
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None
