"""Owners: a tag or label map's owner key, the ``owner: <team>`` text convention of resources that
carry no tags, and the config's ``owner_map``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from ...config.settings import Settings
from ...model import UNKNOWN, Owner, Unknown
from .literals import known_strings

_OWNER_VALUE = r"\s*[:=]\s*([A-Za-z0-9][\w.@/+-]*)"


def owner_from_tags(tags: Any, settings: Settings, what: str = "tag") -> tuple[Owner, str | None]:
    """The owner named in a tag or label map, and the key it was found under; with
    ``owner_roles`` configured, the owner of each role too.

    Keys are compared case-insensitively: ``Owner`` and ``owner`` are both common in real code.
    A map that is not known before apply gives an unknown owner, never a missing one.
    """
    owner, key = _tagged_owner(tags, settings, what)
    if settings.owner_roles:
        owner = replace(owner, roles=UNKNOWN if isinstance(tags, Unknown) else _tagged_roles(tags, settings))
    return owner, key


def _tagged_owner(tags: Any, settings: Settings, what: str) -> tuple[Owner, str | None]:
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


def _tagged_roles(tags: Any, settings: Settings) -> tuple[tuple[str, str | None], ...] | Unknown:
    """Per configured role, the value of the first of its keys the map has (None: no key)."""
    lowered = {str(k).lower(): v for k, v in tags.items()} if isinstance(tags, dict) else {}
    roles: list[tuple[str, str | None]] = []
    for role, keys in settings.owner_roles:
        value = next((lowered[k.lower()] for k in keys if k.lower() in lowered), None)
        if isinstance(value, Unknown):
            return UNKNOWN
        roles.append((role, None if value is None else str(value)))
    return tuple(roles)


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
            named = _written_owner(written, settings.owner_keys)
            if named is not None:
                key, value = named
                return Owner(value, f"{field_name} '{key}:'", roles=_written_roles(texts, settings)), field_name
    mapped = owner_from_map(address, settings)
    if mapped is not None:
        return mapped, None
    if unknown_field:
        return Owner(UNKNOWN, f"{unknown_field} not known before apply"), None
    return Owner(None), None


def _written_owner(written: str, keys: Sequence[str]) -> tuple[str, str] | None:
    """The first ``<key>: <team>`` written in a text, as (key, team)."""
    for key in keys:
        match = re.search(rf"(?i)(?<![\w-]){re.escape(key)}{_OWNER_VALUE}", written)
        if match:
            return key, match.group(1).rstrip(".")
    return None


def _written_roles(texts: Sequence[tuple[str, Any]], settings: Settings) -> tuple[tuple[str, str | None], ...]:
    """Per configured role, the first ``<role key>: <team>`` the texts write."""
    written = [w for _, text in texts for w in known_strings(text)]
    return tuple(
        (role, next((found[1] for w in written if (found := _written_owner(w, keys)) is not None), None))
        for role, keys in settings.owner_roles
    )


def owner_from_map(address: str, settings: Settings) -> Owner | None:
    """The config's ``owner_map`` entry (a Terraform address or glob) matching an address."""
    for pattern, team in settings.owner_map:
        if fnmatchcase(address, pattern):
            return Owner(team, f"owner_map '{pattern}'")
    return None
