"""ConfigMaps that hold a key: configuration is no place for one.

A ConfigMap is not a credential store, so one holding a key is recorded as a *literal* credential
(like keys written into a workload's env): it is judged only as a hardcoded secret, never for an
owner or rotation of its own, and the fix is to move the value into a Secret or secret store.
Keys are looked for in ``data`` values, in the config files embedded there (``config.yaml: |``,
``.env``) at their own lines, and in decoded ``binaryData``.
"""

from __future__ import annotations

from ...kubernetes.objects import KubeObject
from ...model import Credential
from ...secrets.detect import credential_kind
from .literals import entry_literals
from .shapes import mapping
from .vocabulary import PROVIDER


def config_map_credential(obj: KubeObject) -> Credential | None:
    """The literal credential of a ConfigMap holding keys; None for one holding none or any other kind."""
    if obj.kind != "ConfigMap" or obj.api_group:
        return None
    literals = entry_literals(obj, "data", "binaryData")
    if not literals:
        return None
    keys = (*mapping(obj.body.get("data")), *mapping(obj.body.get("binaryData")))
    return Credential(
        address=obj.address, provider=PROVIDER, source_type=obj.kind, kind=credential_kind(literals[0].detector),
        location=obj.location, name=obj.name, origin="literal", hardcoded=literals,
        tags=obj.labels, ai_hints=tuple(dict.fromkeys((obj.name, *keys))),
    )
