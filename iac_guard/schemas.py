"""JSON-schema checks of the data files that are not policies (control catalogs, policy test
cases): each problem as ``field.path: message``, so an author sees which field to fix."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=None)
def validator(schema_path: Path) -> Any:
    from jsonschema import Draft202012Validator  # lazily: only the commands that validate pay for it

    return Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))


def schema_problems(schema_path: Path, document: Any) -> list[str]:
    """Every problem once, sorted by field. A schema part with an ``errorMessage`` says in words
    what a failed ``oneOf`` / ``anyOf`` under it wants, instead of jsonschema's dump."""
    problems = []
    for error in sorted(validator(schema_path).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        message = error.schema.get("errorMessage") if error.validator in ("oneOf", "anyOf") else None
        problems.append(f"{where}: {message or error.message}")
    return list(dict.fromkeys(problems))
