"""Click options gathered into one request object per group (scan options, gate options).

A command taking twenty options as keyword arguments is hard to read and to pass on; each group
is a frozen dataclass instead. This lives apart from ``common`` so that both ``common`` (the scan
options) and ``gate`` (the gate options, which ``common`` reads) can use it without importing
each other.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any


def options_into(
    request_type: type, keyword: str, options: list[Callable[..., Any]]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator adding ``options``; the command receives their values as one ``request_type``
    (a dataclass whose fields are the options' names), passed as ``keyword``."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(command)
        def with_request(**kwargs: Any) -> Any:
            names = request_type.__dataclass_fields__  # type: ignore[attr-defined]
            request = request_type(**{name: kwargs.pop(name) for name in names})
            return command(**{keyword: request}, **kwargs)

        for option in reversed(options):
            with_request = option(with_request)
        return with_request

    return decorate
