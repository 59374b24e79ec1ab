"""Workload Identity Federation: who may impersonate a service account through a workload
identity pool is scope too. A pool provider for an OIDC issuer without ``attribute_condition``
accepts every token that issuer signs ("if unspecified, all valid authentication credentials are
accepted"); GitHub's one issuer signs for every repository on GitHub. A service account whose
``roles/iam.workloadIdentityUser`` goes to the whole pool (``principalSet://…/<pool>/*``) can then
be impersonated by anyone with such a token: a wildcard grant on the service account, pointing
at the provider, where the condition belongs.

A member narrowed to one attribute or subject (``…/attribute.repository/acme/app``) is not the
whole pool, and a condition, pool or member not known before apply makes no reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...model import Grant
from ...terraform.view import Resource
from ..common.literals import partial_text
from .context import GcpModule

_UNKNOWN_PART = "\u0000"
_WHOLE_POOL = re.compile(r"^principalSet://iam\.googleapis\.com/(?P<pool>[^*]+)/\*$")
_POOL_ID = re.compile(r"workloadIdentityPools/([^/]+)$")


def federation_grants(gcp: GcpModule, bindings: list[tuple[Any, str, Any]]) -> Iterator[tuple[str, Grant]]:
    """(service account, grant) for each Workload Identity binding that gives a whole pool
    with an unconditioned OIDC provider the right to impersonate the account."""
    pools = gcp.by_type("google_iam_workload_identity_pool")
    open_providers = _unconditioned(gcp, pools)
    for binding, account, member in bindings:
        pool = _whole_pool(member, pools)
        if pool is None:
            continue
        for provider, issuer in open_providers.get(pool, []):
            reason = (f"workload identity pool provider {provider.address} has no attribute_condition: anyone with a "
                      f"token from {issuer} can impersonate the service account")
            yield account, Grant(f"{binding.resource.address} ({binding.role})", (binding.role,), (pool,), (reason,), provider.location)


def _unconditioned(gcp: GcpModule, pools: dict[str, Resource]) -> dict[str, list[tuple[Resource, str]]]:
    """Pool address → its OIDC providers written without an ``attribute_condition``, with their issuer."""
    found: dict[str, list[tuple[Resource, str]]] = {}
    for provider in gcp.module.resources_of("google_iam_workload_identity_pool_provider"):
        oidc = provider.first_block("oidc")
        condition = provider.value("attribute_condition")
        if oidc is None or not (condition is None or condition == ""):
            continue
        pool = _pool_of(provider, pools)
        if pool:
            issuer = oidc.value("issuer_uri")
            found.setdefault(pool, []).append((provider, issuer if isinstance(issuer, str) else "its issuer (not known before apply)"))
    return found


def _pool_of(provider: Resource, pools: dict[str, Resource]) -> str | None:
    for ref in sorted(provider.refs("workload_identity_pool_id")):
        if ref in pools:
            return ref
    return _pool_named(provider.value("workload_identity_pool_id"), pools)


def _pool_named(pool_id: Any, pools: dict[str, Resource]) -> str | None:
    if not isinstance(pool_id, str):
        return None
    return next((address for address, pool in sorted(pools.items()) if pool.value("workload_identity_pool_id") == pool_id), None)


def _whole_pool(member: Any, pools: dict[str, Resource]) -> str | None:
    """The pool a member names as a whole (``principalSet://iam.googleapis.com/<pool>/*``), by
    reference to its ``name`` or by the pool id written at the end of its resource name."""
    written = partial_text(member, _UNKNOWN_PART)
    match = _WHOLE_POOL.match(written) if written else None
    if match is None:
        return None
    if match.group("pool") == _UNKNOWN_PART:  # "${google_iam_workload_identity_pool.x.name}"
        return next((ref for ref in sorted(getattr(member, "refs", frozenset())) if ref in pools), None)
    pool_id = _POOL_ID.search(match.group("pool"))
    return _pool_named(pool_id.group(1), pools) if pool_id and _UNKNOWN_PART not in pool_id.group(1) else None
