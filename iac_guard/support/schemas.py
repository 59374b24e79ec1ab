"""JSON-schema checks of the files iac-guard is configured with (config, policy packs, control
catalogs, policy test cases): each problem as ``field.path: rule broken``, so an author sees which
field to fix.

A problem never quotes the value it is about. These files may come from a pull request (a
repository's ``.iac-guard.yaml`` and the packs it names), and jsonschema's own messages repeat the
offending instance — a pasted key in a mistyped field would be printed into the CI log. The rule
broken is stated from the schema's side (its type, enum, pattern, bound), which is public.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any


@cache
def validator(schema_path: Path) -> Any:
    from jsonschema import Draft202012Validator  # lazily: only the commands that validate pay for it

    return Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))


def schema_problems(schema_path: Path, document: Any) -> list[str]:
    return validator_problems(validator(schema_path), document)


def validator_problems(checker: Any, document: Any) -> list[str]:
    """Every problem once, sorted by field. A schema part with an ``errorMessage`` says in words
    what it wants (a failed ``oneOf`` gets that, not a dump of its branches); an unknown key is
    named with the keys allowed beside it."""
    problems: list[str] = []
    for error in sorted(checker.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        where = list(error.absolute_path)
        if "errorMessage" in error.schema:
            problems.append(f"{dotted(where)}: {error.schema['errorMessage']}")
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = list(error.schema.get("properties", {}))
            problems.extend(
                f"{dotted([*where, key])}: unknown key (known keys here: {', '.join(known)})"
                for key in sorted(set(error.instance) - set(known), key=str)
            )
        else:
            problems.append(f"{dotted(where)}: {rule_broken(error.validator, error.validator_value, error.instance)}")
    return list(dict.fromkeys(problems))


def dotted(path: Sequence[Any]) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def rule_broken(keyword: str, rule: Any, instance: Any) -> str:
    """The schema rule a value breaks, worded from the rule alone. ``instance`` is read only for
    which required keys are missing (names the schema lists), never quoted."""
    if keyword == "type":
        kinds = rule if isinstance(rule, list) else [rule]
        return f"must be of type {' or '.join(kinds)} (type)"
    if keyword == "enum":
        return f"must be one of {', '.join(json.dumps(choice) for choice in rule)} (enum)"
    if keyword == "const":
        return f"must be {json.dumps(rule)} (const)"
    if keyword == "required":
        missing = [key for key in rule if not isinstance(instance, dict) or key not in instance]
        return f"missing required key(s) {', '.join(missing)} (required)"
    wording = _WORDING.get(keyword)
    if wording is not None:
        return f"{wording.format(rule=rule)} ({keyword})"
    return f"breaks the schema rule {keyword}"


_WORDING = {
    "pattern": "does not match the pattern {rule}",
    "format": "is not a valid {rule}",
    "minimum": "must be at least {rule}",
    "maximum": "must be at most {rule}",
    "exclusiveMinimum": "must be greater than {rule}",
    "exclusiveMaximum": "must be less than {rule}",
    "minLength": "must be at least {rule} character(s) long",
    "maxLength": "must be at most {rule} character(s) long",
    "minItems": "must have at least {rule} item(s)",
    "maxItems": "must have at most {rule} item(s)",
    "uniqueItems": "must not repeat an item",
    "minProperties": "must have at least {rule} key(s)",
    "maxProperties": "must have at most {rule} key(s)",
    "not": "is a form not allowed here",
    "oneOf": "must match exactly one of the allowed forms",
    "anyOf": "must match one of the allowed forms",
}
