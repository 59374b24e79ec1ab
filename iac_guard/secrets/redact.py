"""The last stage before output: no string that leaves the tool holds a key.

Detection (secrets.py) keeps literal values out of the model, but a key also reaches output as
part of a *name*: a resource label, a ``for_each`` or plan instance key, a Kubernetes name, an env
var name, a file or folder name, an owner tag, a suppression's fields, a config value. Rather than
trusting every place that builds a string, the scan returns each finished result through
``redacted`` (so does merge with its document), before any format renders it, and the command
line writes standard error through ``RedactingStream``: a format added later is covered without
knowing about keys.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import PurePath
from typing import Any, TextIO, TypeVar

from ..model import Unknown
from .detect import redact

T = TypeVar("T")

#: Values that hold no string: returned as they are without a look inside.
_OPAQUE = frozenset({int, float, bool, type(None), bytes})


def redacted(value: T) -> T:
    """``value`` with every string in it redacted: records, containers, paths, mapping keys.

    What holds no key comes back as the very same object, so a clean result costs one walk and
    no copies; a record that changes is copied with ``dataclasses.replace`` (records are frozen).
    Objects of other types (compiled patterns, dates) are returned untouched. A result holds
    hundreds of thousands of strings, hence strings and opaque values are handled in the loops
    rather than by a call each.
    """
    kind: type = type(value)
    if kind is str:
        return redact(value)  # type: ignore[return-value, arg-type]
    if kind in _OPAQUE:
        return value
    names = _field_names(kind)
    if names:
        return _record(value, names)
    if isinstance(value, (tuple, list, set, frozenset, dict)):
        return _container(value)
    return _other(value)


def _record(value: T, names: tuple[str, ...]) -> T:
    changes = {}
    for name in names:
        before = getattr(value, name)
        after = _item(before)
        if after is not before:
            changes[name] = after
    return dataclasses.replace(value, **changes) if changes else value  # type: ignore[type-var]


def _container(value: tuple[Any, ...] | list[Any] | set[Any] | frozenset[Any] | dict[Any, Any]) -> Any:
    """The container itself when nothing in it changes; a named tuple stays one."""
    if isinstance(value, dict):
        pairs = [(_item(key), _item(item)) for key, item in value.items()]
        if all(new is old for pair, old_pair in zip(pairs, value.items(), strict=True) for new, old in zip(pair, old_pair, strict=True)):
            return value
        return dict(pairs)
    items = [_item(item) for item in value]
    if all(item is original for item, original in zip(items, value, strict=True)):
        return value
    kind: Any = type(value)
    return kind._make(items) if hasattr(kind, "_make") else kind(items)


def _other(value: T) -> T:
    """Paths and unknown values, whose strings are inside; anything else is returned as it is."""
    if isinstance(value, PurePath):
        text = str(value)
        cleaned = redact(text)
        return value if cleaned is text else type(value)(cleaned)
    if isinstance(value, Unknown):
        refs = redacted(value.refs)
        return value if refs is value.refs else Unknown(refs)  # type: ignore[return-value]
    return value


def _item(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return redact(value)
    if kind in _OPAQUE or (kind is tuple and not value):
        return value
    return redacted(value)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A record type's fields that ``replace`` can set; () for any other type."""
    if not dataclasses.is_dataclass(kind):
        return ()
    return tuple(f.name for f in dataclasses.fields(kind) if f.init)


class RedactingStream:
    """A text stream (standard error) that redacts each write.

    Error lines are written from many places (config, policy, baseline and git errors, click's own
    usage errors naming a path, "wrote FILE"); this is the one place they all pass. It has no
    ``buffer``, so click writes text to it rather than bytes past it.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact(text) if isinstance(text, str) else text)

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)


def redacting(stream: TextIO) -> TextIO:
    """``stream`` behind a RedactingStream, once however often it is asked for."""
    return stream if isinstance(stream, RedactingStream) else RedactingStream(stream)  # type: ignore[return-value]
