"""Owners: a tag or label map's owner key, the ``owner: <team>`` text convention of resources that
carry no tags, and the config's ``owner_map``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from ...config.settings import Settings
from ...model import UNKNOWN, Owner, Unknown
from .literals import known_strings

_OWNER_VALUE = r"\s*[:=]\s*([A-Za-z0-9][\w.@/+-]*)"


def owner_from_tags(tags: Any, settings: Settings, what: str = "tag") -> tuple[Owner, str | None]:
    """The owner named in a tag or label map, and the key it was found under.

    Keys are compared case-insensitively: ``Owner`` and ``owner`` are both common in real code.
    A map that is not known before apply gives an unknown owner, never a missing one.
    """
    if isinstance(tags, Unknown):
        return Owner(UNKNOWN, f"{what}s not known before apply"), None
    if not isinstance(tags, dict):
        return Owner(None), None
    lowered = {str(k).lower(): k for k in tags}
    for key in settings.owner_keys:
        original = lowered.get(key.lower())
        if original is None:
            continue
        value = tags[original]
        if isinstance(value, Unknown):
            return Owner(UNKNOWN, f"{what} {original}"), original
        return Owner("" if value is None else str(value), f"{what} {original}"), original
    return Owner(None), None


def owner_by_convention(address: str, texts: Sequence[tuple[str, Any]], settings: Settings) -> tuple[Owner, str | None]:
    """The owner of a resource that has no tag or label map (a Google service account, an API
    key, an Entra ID application), and the field it was read from.

    In order: ``owner: <team>`` written in one of ``texts`` (``(field, value)`` pairs: a
    description, a display name, an application's string tags; the keys are the configured owner
    keys), then the config's ``owner_map``. A text that is not known before apply makes the owner
    unknown rather than missing.
    """
    unknown_field = None
    for field_name, text in texts:
        if isinstance(text, Unknown) or isinstance(text, list) and any(isinstance(t, Unknown) for t in text):
            unknown_field = unknown_field or field_name
        for written in known_strings(text):
            for key in settings.owner_keys:
                match = re.search(rf"(?i)(?<![\w-]){re.escape(key)}{_OWNER_VALUE}", written)
                if match:
                    return Owner(match.group(1).rstrip("."), f"{field_name} '{key}:'"), field_name
    mapped = owner_from_map(address, settings)
    if mapped is not None:
        return mapped, None
    if unknown_field:
        return Owner(UNKNOWN, f"{unknown_field} not known before apply"), None
    return Owner(None), None


def owner_from_map(address: str, settings: Settings) -> Owner | None:
    """The config's ``owner_map`` entry (a Terraform address or glob) matching an address."""
    for pattern, team in settings.owner_map:
        if fnmatchcase(address, pattern):
            return Owner(team, f"owner_map '{pattern}'")
    return None
