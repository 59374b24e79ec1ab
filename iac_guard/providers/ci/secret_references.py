"""How a GitHub workflow names the secrets it reads: ``${{ secrets.NAME }}`` (or
``secrets['NAME']``) inside an expression, known as ``github-secret:NAME``. ``GITHUB_TOKEN`` is the
job's own short-lived token, not a secret anyone stored."""

from __future__ import annotations

import re
from typing import Any

SECRET_PREFIX = "github-secret:"
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", flags=re.DOTALL)
_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_AUTOMATIC = {"GITHUB_TOKEN"}


def secret_names(value: Any) -> list[str]:
    """The stored secrets a value's expressions read, in order."""
    if not isinstance(value, str) or "secrets" not in value:
        return []
    names = []
    for expression in _EXPRESSION.findall(value):
        for match in _SECRET.finditer(expression):
            name = match.group(1) or match.group(2)
            if name and name not in _AUTOMATIC:
                names.append(name)
    return names
