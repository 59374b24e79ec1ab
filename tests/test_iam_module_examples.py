"""A module repository (terraform-aws-iam style): one role module, three ``examples/`` roots.

Exact findings and non-findings across the IAM precision mechanisms: the action database
(unscopable actions on ``Resource "*"``), null optional statement attributes, trust policies as
scope, and one finding per place listing the roots that judged it alike.
"""

import json

from scanning import FIXTURES, scan_path

from iac_guard.report.json_report import render as render_json
from iac_guard.report.sarif import render as render_sarif

PROJECT = FIXTURES / "projects" / "iam-module-examples"
ROLE = "module.iam_role.aws_iam_role.this"
MODULE = "modules/iam-role/main.tf"


def findings() -> list[tuple[str, str, str, int, tuple[str, ...]]]:
    return [(f.policy_id, f.resource, f.file, f.line, f.root_modules) for f in scan_path(PROJECT, scope="all").findings]


def test_exact_findings_each_once_with_the_roots_that_judged_it():
    assert findings() == [
        # No owner in two roots: the same place and message, reported once listing both.
        ("IAG001", ROLE, MODULE, 56, ("examples/iam-github-oidc", "examples/iam-role")),
        ("IAG004", ROLE, MODULE, 58, ("examples/iam-role",)),
        ("IAG004", ROLE, MODULE, 67, ("examples/iam-github-oidc",)),
    ]


def test_wildcard_messages_name_trust_and_access_levels_but_not_unscopable_actions():
    messages = {f.root_module: f.message for f in scan_path(PROJECT, scope="all").findings if f.policy_id == "IAG004"}
    assert messages == {
        "examples/iam-role": f"{ROLE} has wildcard scope: trust policy lets every identity of account 111122223333 "
                             "assume the role without a condition",
        "examples/iam-github-oidc": f'{ROLE} has wildcard scope: Resource "*" on actions that can be scoped to resources '
                                    "(s3:GetObject, s3:ListBucket); access levels Read, List; trust policy lets any GitHub "
                                    "Actions workflow assume the role (no token.actions.githubusercontent.com:sub condition)",
    }


def test_exact_non_findings():
    scan = scan_path(PROJECT, scope="all")
    by_root = {c.root_module: c for c in scan.inventory.credentials if c.address == ROLE}
    assert sorted(by_root) == ["examples/iam-github-oidc", "examples/iam-role", "examples/iam-role-owned"]
    # sts:GetCallerIdentity, bedrock:ListFoundationModels, iam:GetAccountPasswordPolicy on "*":
    # correct IAM; statements whose not_actions / not_resources are null invent no NotAction.
    assert [g.wildcard_reasons for g in by_root["examples/iam-role"].scope.grants if "inline" in g.statement] == [(), ()]
    # Owned, trust pinned to a :sub, a Deny with NotAction (null effect elsewhere is Allow): nothing.
    assert by_root["examples/iam-role-owned"].scope.wildcard_reasons == ()
    assert not [f for f in scan.findings if "examples/iam-role-owned" in f.root_modules]


def test_every_json_and_sarif_finding_carries_its_root_modules():
    result = scan_path(PROJECT, scope="all")
    first = json.loads(render_json(result))["findings"][0]
    assert (first["root_module"], first["root_modules"]) == ("examples/iam-github-oidc", ["examples/iam-github-oidc", "examples/iam-role"])
    properties = json.loads(render_sarif(result))["runs"][0]["results"][0]["properties"]
    assert (properties["rootModule"], properties["rootModules"]) == ("examples/iam-github-oidc", ["examples/iam-github-oidc", "examples/iam-role"])
