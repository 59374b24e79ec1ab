"""The credentials Kubernetes objects define, and the conventions that state what Kubernetes has
no field for (owner labels, ``iac-guard.io/expires``, ``iac-guard.io/rotation-period``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from ...config.settings import Settings
from ...kubernetes.objects import KubeObject, scalar_text, string_map
from ...model import UNKNOWN, Credential, CredentialKind, Expiry, Location, Owner, Rotation, Scope
from ..common.lifetimes import stated_expiry
from ..common.owners import owner_from_tags
from ..common.rotation import stated_rotation
from ..common.time_values import go_duration_seconds
from .index import NameIndex, external_target
from .literals import entry_literals, holds_only_configuration
from .rbac import first_wildcard
from .secret_operators import cluster_external_spec, sealed_secret_target
from .shapes import dicts, dig, mapping
from .vocabulary import (
    CSI_SECRETS_GROUP,
    EXPIRES_ANNOTATION,
    EXTERNAL_SECRETS_GROUP,
    PROVIDER,
    ROTATION_ANNOTATION,
    SA_NAME_ANNOTATION,
    SA_TOKEN_TYPE,
    SEALED_SECRETS_GROUP,
)

_EXTERNAL_EXPIRY = Expiry(UNKNOWN, source="kept in the external secret store")
_DEFAULT_REFRESH = Rotation(1 / 24, "ExternalSecret refreshInterval (operator default 1h)")
#: Names inside a SecretProviderClass's ``parameters`` strings (Azure, AWS, GCP, Vault providers).
_PROVIDER_OBJECT_NAME = re.compile(
    r"\b(?:objectName|objectAlias|resourceName|secretPath|secretKey|path)\s*:\s*[\"']?([^\"'\s,}\]]+)"
)


class _Evidence(NamedTuple):
    """A value and where it is stated (None: a default nothing in the code states)."""

    value: Any
    where: Location | None = None


# One shared default: both the tuple and Scope are immutable, so sharing it cannot leak state between calls.

_UNSTATED_SCOPE = _Evidence(Scope())

@dataclass(frozen=True)
class _Conventions:
    owner: _Evidence
    expiry: _Evidence | None  # None: no annotation, the kind's default applies
    rotation: _Evidence | None


def object_credential(obj: KubeObject, settings: Settings, index: NameIndex) -> Credential | None:
    """The credential an object defines (a Secret, a ServiceAccount, an ExternalSecret, a
    SecretProviderClass), with the owner, expiry and rotation its conventions state; None for
    any other kind and for a Secret holding only configuration (``holds_only_configuration``)."""
    build = _CREDENTIAL_BUILDERS.get((obj.api_group, obj.kind))
    if build is None or (build is _secret and holds_only_configuration(obj)):
        return None
    return build(obj, _conventions(obj, settings), index)


def _secret(obj: KubeObject, conventions: _Conventions, index: NameIndex) -> Credential:
    """A Secret; a service-account-token Secret is a long-lived token of its ServiceAccount."""
    is_token = obj.body.get("type") == SA_TOKEN_TYPE
    account = obj.annotations.get(SA_NAME_ANNOTATION)
    default_expiry = Expiry(None, source="service account token Secrets never expire") if is_token else Expiry(None)
    return _credential(
        obj,
        conventions,
        "token" if is_token else "secret",
        expiry=conventions.expiry or _Evidence(default_expiry),
        rotation=conventions.rotation or _Evidence(Rotation(None)),
        hardcoded=entry_literals(obj, "stringData", "data"),
        ai_hints=_hints(obj, *mapping(obj.body.get("stringData")), *mapping(obj.body.get("data"))),
        parent=f"ServiceAccount/{obj.namespace}/{account}" if is_token and account else None,
    )


def _service_account(obj: KubeObject, conventions: _Conventions, index: NameIndex) -> Credential:
    """An identity: its own tokens are projected and short-lived; its scope is its RBAC."""
    grants = index.grants.get(obj.address, ())
    short_lived = Expiry(None, short_lived=True, source="projected service account tokens are short-lived")
    return _credential(
        obj,
        conventions,
        "service-account",
        expiry=conventions.expiry or _Evidence(short_lived),
        rotation=conventions.rotation or _Evidence(Rotation(None)),
        scope=_Evidence(Scope(grants), first_wildcard(grants)),
        ai_hints=_hints(obj),
    )


def _external_secret(obj: KubeObject, conventions: _Conventions, index: NameIndex) -> Credential:
    """An ExternalSecret: the operator re-reads the external store every ``refreshInterval``."""
    return _synced_secret(obj, conventions, mapping(obj.body.get("spec")), ("spec",), external_target(obj))


def _cluster_external_secret(obj: KubeObject, conventions: _Conventions, index: NameIndex) -> Credential:
    """A ClusterExternalSecret: one ExternalSecret spec stamped into several namespaces, each
    namespace's Secret resolving to this one credential (index.py)."""
    spec = cluster_external_spec(obj)
    target = dig(spec, "target", "name") or dig(obj.body, "spec", "externalSecretName") or obj.name
    return _synced_secret(obj, conventions, spec, ("spec", "externalSecretSpec"), str(target))


def _sealed_secret(obj: KubeObject, conventions: _Conventions, index: NameIndex) -> Credential:
    """A SealedSecret: its ciphertext is safe in Git (never "hardcoded"), but the Secret it unseals
    into is as static as any other: it never expires or rotates unless resealed, and it needs an
    owner (on the SealedSecret, else on the template the Secret is made from)."""
    keys = [str(key) for key in mapping(dig(obj.body, "spec", "encryptedData"))]
    return _credential(
        obj,
        conventions,
        "secret",
        expiry=conventions.expiry or _Evidence(Expiry(None, source="a sealed secret never expires")),
        rotation=conventions.rotation or _Evidence(Rotation(None)),
        ai_hints=_hints(obj, sealed_secret_target(obj).rpartition("/")[2], *keys),
    )


def _synced_secret(obj: KubeObject, conventions: _Conventions, spec: dict[str, Any], spec_path: tuple[str, ...], target: str) -> Credential:
    """A secret an operator copies from an external store and refreshes every ``refreshInterval``."""
    refresh = _refresh_rotation(spec.get("refreshInterval"))
    if refresh is not None:
        rotation = _Evidence(refresh, obj.location_of(*spec_path, "refreshInterval") if "refreshInterval" in spec else None)
    else:
        rotation = conventions.rotation or _Evidence(Rotation(None))
    keys = [dig(item, "secretKey") for item in dicts(spec.get("data"))]
    keys += [dig(item, "remoteRef", "key") for item in dicts(spec.get("data"))]
    keys += [dig(item, "extract", "key") for item in dicts(spec.get("dataFrom"))]
    return _credential(
        obj,
        conventions,
        "secret",
        expiry=conventions.expiry or _Evidence(_EXTERNAL_EXPIRY),
        rotation=rotation,
        ai_hints=_hints(obj, target, *(key for key in keys if isinstance(key, str))),
    )


def _secret_provider_class(obj: KubeObject, conventions: _Conventions, index: NameIndex) -> Credential:
    """A SecretProviderClass: expiry and rotation live in the external store, so they are unknown."""
    parameters = mapping(dig(obj.body, "spec", "parameters"))
    names = [name for text in parameters.values() if isinstance(text, str) for name in _PROVIDER_OBJECT_NAME.findall(text)]
    return _credential(
        obj,
        conventions,
        "secret",
        expiry=conventions.expiry or _Evidence(_EXTERNAL_EXPIRY),
        rotation=conventions.rotation or _Evidence(Rotation(UNKNOWN, "the external secret store")),
        ai_hints=_hints(obj, *names),
    )


_CredentialBuilder = Callable[[KubeObject, _Conventions, NameIndex], Credential]
_CREDENTIAL_BUILDERS: dict[tuple[str, str], _CredentialBuilder] = {
    ("", "Secret"): _secret,
    ("", "ServiceAccount"): _service_account,
    (EXTERNAL_SECRETS_GROUP, "ExternalSecret"): _external_secret,
    (EXTERNAL_SECRETS_GROUP, "ClusterExternalSecret"): _cluster_external_secret,
    (SEALED_SECRETS_GROUP, "SealedSecret"): _sealed_secret,
    (CSI_SECRETS_GROUP, "SecretProviderClass"): _secret_provider_class,
}


def _credential(
    obj: KubeObject,
    conventions: _Conventions,
    kind: CredentialKind,
    *,
    expiry: _Evidence,
    rotation: _Evidence,
    scope: _Evidence = _UNSTATED_SCOPE,
    **fields: Any,
) -> Credential:
    """The fields every resource credential shares; evidence lines only for what the code states."""
    evidence = {"owner": conventions.owner, "expiry": expiry, "rotation": rotation, "scope": scope}
    return Credential(
        address=obj.address,
        provider=PROVIDER,
        source_type=obj.kind,
        kind=kind,
        location=obj.location,
        name=obj.name,
        owner=conventions.owner.value,
        expiry=expiry.value,
        rotation=rotation.value,
        scope=scope.value,
        tags=obj.labels,
        evidence={name: item.where for name, item in evidence.items() if item.where is not None},
        **fields,
    )


def _hints(obj: KubeObject, *extra: str) -> tuple[str, ...]:
    """Names that may say which AI provider a credential is for: the object's name, the given
    keys and names, and descriptive annotations (any annotation whose name ends in description)."""
    descriptions = [value for key, value in obj.annotations.items() if key.lower().endswith("description")]
    return tuple(dict.fromkeys(hint for hint in (obj.name, *extra, *descriptions) if hint))


def _refresh_rotation(value: Any) -> Rotation | None:
    """An ExternalSecret's ``refreshInterval`` as a rotation; None when it is ``0`` (never refreshed)."""
    if value is None:
        return _DEFAULT_REFRESH
    seconds = go_duration_seconds(scalar_text(value))
    if seconds == 0:
        return None
    return Rotation(UNKNOWN if seconds is None else seconds / 86400, "ExternalSecret refreshInterval")


def _conventions(obj: KubeObject, settings: Settings) -> _Conventions:
    annotations = obj.annotations
    owner = _owner(obj, settings)
    if owner.where is None and (obj.api_group, obj.kind) == (SEALED_SECRETS_GROUP, "SealedSecret"):
        owner = _owner(obj, settings, ("spec", "template", "metadata"))  # the Secret it unseals into carries it
    return _Conventions(owner, _stated_expiry(obj, annotations, settings.today), _stated_rotation(obj, annotations))


def _owner(obj: KubeObject, settings: Settings, metadata_path: tuple[str, ...] = ("metadata",)) -> _Evidence:
    metadata = mapping(dig(obj.body, *metadata_path))
    for where in ("labels", "annotations"):
        values = string_map(metadata.get(where))
        owner, key = owner_from_tags(values, settings, where[:-1])
        if key is not None:
            return _Evidence(owner, obj.location_of(*metadata_path, where, key))
    return _Evidence(Owner(None))


def _stated_expiry(obj: KubeObject, annotations: dict[str, str], today: date) -> _Evidence | None:
    value = annotations.get(EXPIRES_ANNOTATION)
    if value is None:
        return None
    expiry = stated_expiry(value, today, f"annotation {EXPIRES_ANNOTATION}")
    return _Evidence(expiry, obj.location_of("metadata", "annotations", EXPIRES_ANNOTATION))


def _stated_rotation(obj: KubeObject, annotations: dict[str, str]) -> _Evidence | None:
    value = annotations.get(ROTATION_ANNOTATION)
    if value is None:
        return None
    rotation = stated_rotation(value, f"annotation {ROTATION_ANNOTATION}")
    return _Evidence(rotation, obj.location_of("metadata", "annotations", ROTATION_ANNOTATION))
