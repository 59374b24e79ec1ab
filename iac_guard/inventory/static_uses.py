"""Static uses a recognizer cannot see alone: a credential whose platform offers workload identity
read by a workload whose platform is known.

A recognizer knows the key type (an IAM access key stands in for an AWS identity) and, separately,
where a workload runs (a Lambda function runs on AWS); only the joined graph says that this key is
read by that function. Every such use becomes a ``static`` flow carrying both platforms, and
whether the workload's platform offers an identity in the key's place: the same platform does, a
known other one does not (that is for the owner to judge), and an unknown one is UNKNOWN, which
never fails a policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ..model import UNKNOWN, Credential, Flow, Usage, Workload
from ..secrets.detect import issuing_platform

Key = tuple[str, str]
Edge = tuple[Usage, Key]
#: The credential a name in a root module stands for (the inventory graph's ``resolve``).
ResolveName = Callable[[str, str | None], Key | None]

#: How deep a chain of stores holding stores is followed (a Secret holding a secret version…).
_MAX_HOLDS = 8


def identity_platforms(credentials: Mapping[Key, Credential], resolve: ResolveName) -> dict[Key, str]:
    """Each credential's identity platform: its own, else that of a credential whose value it
    stores (a Secrets Manager secret written from an access key's ``secret``), else that of a key
    format written in it (an ``AKIA…`` id in a Kubernetes Secret)."""
    found: dict[Key, str] = {}
    for key in credentials:
        platform = _platform(key, credentials, resolve, 0)
        if platform is not None:
            found[key] = platform
    return found


def _platform(key: Key, credentials: Mapping[Key, Credential], resolve: ResolveName, depth: int) -> str | None:
    credential = credentials[key]
    if credential.identity_platform is not None:
        return credential.identity_platform
    written = next((p for literal in credential.hardcoded if (p := issuing_platform(literal.detector))), None)
    if written is not None or depth >= _MAX_HOLDS:
        return written
    for address in credential.holds:
        held = resolve(key[0], address)
        if held is not None and held != key and (platform := _platform(held, credentials, resolve, depth + 1)):
            return platform
    return None


def static_flows(
    edges: list[Edge], workloads: Mapping[Key, Workload], platforms: Mapping[Key, str], credentials: Mapping[Key, Credential]
) -> Iterator[tuple[Key, Flow]]:
    """A static flow per use of a credential with an identity platform by a workload in the scan
    (its identity, a role or ServiceAccount, is no stored key and is left out)."""
    for usage, target in edges:
        platform = platforms.get(target)
        workload = workloads.get((usage.root_module, usage.workload))
        if platform is None or workload is None or workload.identity == usage.credential:
            continue
        credential = credentials[target]
        yield target, Flow(
            "static", credential.address, workload.address, f"reads it ({usage.via}){_on(workload.platform)}",
            _instead(workload, platform), usage.location or workload.location,
            usage.root_module, workload.platform,
            UNKNOWN if workload.platform is None else workload.platform == platform,
        )


def _on(platform: str | None) -> str:
    return f" on {platform}" if platform else ", where it runs is not known"


def _instead(workload: Workload, platform: str) -> str:
    if workload.platform == platform and workload.platform_identity:
        return f"use {workload.platform_identity} instead of a stored key"
    return f"a workload on {platform} would use its own identity instead of a stored key"
