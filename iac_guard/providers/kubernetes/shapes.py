"""Reading an object's plain dict shape, where any value may have any type: a manifest is
whatever was written, so a key that holds the wrong shape reads as absent."""

from __future__ import annotations

from typing import Any


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def dig(value: Any, *path: str | int) -> Any:
    """The value at a path of keys and list positions, or None where the shape does not fit."""
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value


def indexed_dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of a list with their positions (for line lookups); anything else is skipped."""
    if not isinstance(value, list):
        return []
    return [(position, item) for position, item in enumerate(value) if isinstance(item, dict)]


def dicts(value: Any) -> list[dict[str, Any]]:
    return [item for _, item in indexed_dicts(value)]


def strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
