"""Who may assume a role is scope too: a trust policy that lets anyone (``Principal "*"``), a
whole account (its root) or any GitHub Actions workflow (an OIDC trust without a ``:sub``
condition) assume the role makes it a wildcard grant on the role.

A principal or condition not known before apply is unknown and never makes a reason.
"""

from __future__ import annotations

import re
from typing import Any

from ...model import Grant, Location, Unknown
from ...terraform.values import json_partial
from ..common.literals import known_strings, partial_text

_GITHUB_ISSUER = "token.actions.githubusercontent.com"
_ACCOUNT_ROOT = re.compile(r"^(?:arn:aws[\w-]*:iam::(\d{12}):root|(\d{12}))$")


def trust_grants(document: Any, label: str, location: Location, github_providers: frozenset[str]) -> list[Grant]:
    """One grant per Allow statement of a trust policy that is open to too many principals;
    ``github_providers`` are the module's ``aws_iam_openid_connect_provider`` addresses whose URL is
    GitHub's, so a ``Federated`` principal that references one is a GitHub trust too."""
    structure = json_partial(document) if not isinstance(document, dict) else document
    if not isinstance(structure, dict):
        return []
    raw = structure.get("Statement")
    grants = []
    for position, statement in enumerate(raw if isinstance(raw, list) else [raw], start=1):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        reasons = _open_trust(statement.get("Principal"), statement.get("Condition"), github_providers)
        if reasons:
            actions = tuple(known_strings(statement.get("Action")))
            grants.append(Grant(f"{label} statement {position}", actions, (), tuple(reasons), location))
    return grants


def _open_trust(principal: Any, condition: Any, github_providers: frozenset[str]) -> list[str]:
    if isinstance(condition, Unknown):
        return []  # a condition not known before apply may narrow the trust
    conditioned = isinstance(condition, dict) and bool(condition)
    if principal == "*":
        return [] if conditioned else ['trust policy lets any AWS principal assume the role (Principal "*") without a condition']
    if not isinstance(principal, dict):
        return []
    reasons = []
    aws = known_strings(principal.get("AWS"))
    if not conditioned and "*" in aws:
        reasons.append('trust policy lets any AWS principal assume the role (Principal AWS "*") without a condition')
    accounts = sorted({next(filter(None, m.groups())) for a in aws if (m := _ACCOUNT_ROOT.match(a))})
    if not conditioned and accounts:
        reasons.append(f"trust policy lets every identity of account {', '.join(accounts)} assume the role without a condition")
    if _trusts_github(principal.get("Federated"), github_providers) and not _conditions_on(condition, f"{_GITHUB_ISSUER}:sub"):
        reasons.append(f"trust policy lets any GitHub Actions workflow assume the role (no {_GITHUB_ISSUER}:sub condition)")
    return reasons


def _trusts_github(federated: Any, github_providers: frozenset[str]) -> bool:
    items = federated if isinstance(federated, list) else [federated]
    return any(
        (partial_text(item) or "").endswith(f"oidc-provider/{_GITHUB_ISSUER}")  # the account may be unknown
        or (isinstance(item, Unknown) and bool(item.refs & github_providers))
        for item in items
    )


def github_oidc_providers(providers: dict[str, Any]) -> frozenset[str]:
    """The OIDC provider resources (address → view) whose ``url`` is GitHub Actions' issuer."""
    return frozenset(
        address for address, provider in providers.items()
        if any(_GITHUB_ISSUER in url for url in known_strings(provider.value("url")))
    )


def _conditions_on(condition: Any, key: str) -> bool:
    """Whether a condition block tests ``key`` under any operator; a key not known counts as tested."""
    if not isinstance(condition, dict):
        return False
    for tests in condition.values():
        if not isinstance(tests, dict):
            return True  # an operator's tests not known before apply
        if any(not isinstance(k, str) or k.lower() == key for k in tests):
            return True
    return False
