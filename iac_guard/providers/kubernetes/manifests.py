"""Kubernetes recognizer: the credentials and workloads that manifests define.

Credentials: Secrets (a service-account-token Secret is a ``token``, every other type a
``secret``), ServiceAccounts (identities, scoped by the RBAC rules bound to them), External
Secrets Operator ``ExternalSecret`` and Secrets Store CSI ``SecretProviderClass`` (secrets kept in
an external store), and literal secrets written into a container's ``env``. Workloads: Pods and
the controllers that template them; their ServiceAccount, ``secretKeyRef``, ``envFrom``, secret
volumes and CSI volumes become usages.

Everything reads the plain dict shape of an object through :class:`KubeObject` (``body``,
``line_of``, ``location``), never YAML, so an object converted from Terraform's ``kubernetes_*``
resources goes through the same functions.

Kubernetes has no field for owner, expiry or rotation, so iac-guard reads conventions:

- owner: the first of ``settings.owner_keys`` found among the labels, then the annotations (keys
  compared case-insensitively); a key with an empty value is an empty owner, which policies treat
  as a placeholder;
- expiry: annotation ``iac-guard.io/expires: YYYY-MM-DD``;
- rotation: annotation ``iac-guard.io/rotation-period`` with a unit ``h``, ``d`` or ``w``
  (``12h``, ``30d``, ``4w``).

An annotation that cannot be parsed gives an unknown value (never a failure). Annotations state
what the object itself cannot, so they override a kind's default; an ExternalSecret's own
``refreshInterval`` still wins over a rotation annotation.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from ...config.settings import Settings
from ...kubernetes.objects import KubeObject, PathKey, scalar_text
from ...model import (
    UNKNOWN,
    Credential,
    CredentialKind,
    Expiry,
    Extraction,
    Grant,
    Location,
    Owner,
    Rotation,
    Scope,
    SecretLiteral,
    Usage,
    Workload,
)
from ...secrets.detect import Detection, credential_kind, detect
from ..cluster import ClusterContext
from ..common.lifetimes import stated_expiry
from ..common.owners import owner_from_tags
from ..common.rotation import stated_rotation
from ..common.time_values import go_duration_seconds
from .vocabulary import (
    CSI_SECRETS_GROUP,
    EXPIRES_ANNOTATION,
    EXTERNAL_SECRETS_GROUP,
    POD_SPEC_PATHS,
    PROVIDER,
    RBAC_GROUP,
    ROTATION_ANNOTATION,
    SA_NAME_ANNOTATION,
    SA_TOKEN_TYPE,
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


@dataclass(frozen=True)
class _Index:
    """What the whole scan defines, to resolve names to addresses across files."""

    secrets: frozenset[str]
    #: Secret address a controller writes → the ExternalSecret / SecretProviderClass that writes it.
    generated: dict[str, str]
    service_accounts: frozenset[str]
    grants: dict[str, tuple[Grant, ...]]

    def secret(self, namespace: str | None, name: str) -> str:
        """The credential behind a Secret name: the Secret if the scan defines it, else its generator."""
        address = f"Secret/{namespace}/{name}"
        return address if address in self.secrets else self.generated.get(address, address)


def extract(cluster: ClusterContext, settings: Settings) -> Extraction:
    """Credentials, workloads and usages of every Kubernetes object in the YAML of the scan. The
    objects Terraform's kubernetes provider creates are context: a RoleBinding written in Terraform
    still scopes a ServiceAccount written in YAML (terraform.py extracts those objects)."""
    return extract_objects(cluster.yaml_objects, settings, context=[t.obj for t in cluster.terraform_objects])


def extract_objects(objects: Iterable[KubeObject], settings: Settings, context: Iterable[KubeObject] = ()) -> Extraction:
    """Credentials, workloads and usages of ``objects``, sorted by address (objects are visited in
    address order, so the output never depends on file order). ``context``: other objects of the
    scan, which resolve names (RBAC bindings, ExternalSecret targets) but are not extracted."""
    objects = sorted(objects, key=_order)
    index = _index(sorted([*objects, *context], key=_order))
    found = Extraction()
    for obj in objects:
        build = _CREDENTIAL_BUILDERS.get((obj.api_group, obj.kind))
        if build is not None:
            found.credentials.append(build(obj, _conventions(obj, settings), index))
        if obj.kind in POD_SPEC_PATHS:
            workload, usages, literal = _workload(obj, index)
            found.workloads.append(workload)
            found.usages.extend(usages)
            if literal is not None:
                found.credentials.append(literal)
    found.credentials.sort(key=lambda credential: (credential.address, credential.location))
    found.usages = _unique_usages(found.usages)
    return found


def _order(obj: KubeObject) -> tuple[str, Location]:
    return obj.address, obj.location


# --- credentials ------------------------------------------------------------------------------


def _secret(obj: KubeObject, conventions: _Conventions, index: _Index) -> Credential:
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
        hardcoded=_secret_literals(obj),
        ai_hints=_hints(obj, *_mapping(obj.body.get("stringData")), *_mapping(obj.body.get("data"))),
        parent=f"ServiceAccount/{obj.namespace}/{account}" if is_token and account else None,
    )


def _service_account(obj: KubeObject, conventions: _Conventions, index: _Index) -> Credential:
    """An identity: its own tokens are projected and short-lived; its scope is its RBAC."""
    grants = index.grants.get(obj.address, ())
    short_lived = Expiry(None, short_lived=True, source="projected service account tokens are short-lived")
    return _credential(
        obj,
        conventions,
        "service-account",
        expiry=conventions.expiry or _Evidence(short_lived),
        rotation=conventions.rotation or _Evidence(Rotation(None)),
        scope=_Evidence(Scope(grants), _first_wildcard(grants)),
        ai_hints=_hints(obj),
    )


def _external_secret(obj: KubeObject, conventions: _Conventions, index: _Index) -> Credential:
    """An ExternalSecret: the operator re-reads the external store every ``refreshInterval``."""
    spec = _mapping(obj.body.get("spec"))
    refresh = _refresh_rotation(spec.get("refreshInterval"))
    if refresh is not None:
        rotation = _Evidence(refresh, obj.location_of("spec", "refreshInterval") if "refreshInterval" in spec else None)
    else:
        rotation = conventions.rotation or _Evidence(Rotation(None))
    keys = [_dig(item, "secretKey") for item in _dicts(spec.get("data"))]
    keys += [_dig(item, "remoteRef", "key") for item in _dicts(spec.get("data"))]
    keys += [_dig(item, "extract", "key") for item in _dicts(spec.get("dataFrom"))]
    return _credential(
        obj,
        conventions,
        "secret",
        expiry=conventions.expiry or _Evidence(_EXTERNAL_EXPIRY),
        rotation=rotation,
        ai_hints=_hints(obj, _external_target(obj), *(key for key in keys if isinstance(key, str))),
    )


def _secret_provider_class(obj: KubeObject, conventions: _Conventions, index: _Index) -> Credential:
    """A SecretProviderClass: expiry and rotation live in the external store, so they are unknown."""
    parameters = _mapping(_dig(obj.body, "spec", "parameters"))
    names = [name for text in parameters.values() if isinstance(text, str) for name in _PROVIDER_OBJECT_NAME.findall(text)]
    return _credential(
        obj,
        conventions,
        "secret",
        expiry=conventions.expiry or _Evidence(_EXTERNAL_EXPIRY),
        rotation=conventions.rotation or _Evidence(Rotation(UNKNOWN, "the external secret store")),
        ai_hints=_hints(obj, *names),
    )


_CredentialBuilder = Callable[[KubeObject, _Conventions, _Index], Credential]
_CREDENTIAL_BUILDERS: dict[tuple[str, str], _CredentialBuilder] = {
    ("", "Secret"): _secret,
    ("", "ServiceAccount"): _service_account,
    (EXTERNAL_SECRETS_GROUP, "ExternalSecret"): _external_secret,
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


def _secret_literals(obj: KubeObject) -> tuple[SecretLiteral, ...]:
    """Secret values written in a Secret: every ``stringData`` value and decoded ``data`` value.

    A ``data`` value that is not base64 of UTF-8 text is skipped: binary data is not a key format
    we recognise, and it must not be printed either.
    """
    found = []
    for field in ("stringData", "data"):
        for key, raw in _mapping(obj.body.get(field)).items():
            detection = detect(raw if field == "stringData" else _decoded(raw), key)
            if detection is not None:
                found.append(_literal(f"{field}.{key}", detection, obj.location_of(field, key)))
    return tuple(found)


def _decoded(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:  # the API server's decoder ignores line breaks inside the value, so do we
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return None


def _refresh_rotation(value: Any) -> Rotation | None:
    """An ExternalSecret's ``refreshInterval`` as a rotation; None when it is ``0`` (never refreshed)."""
    if value is None:
        return _DEFAULT_REFRESH
    seconds = go_duration_seconds(scalar_text(value))
    if seconds == 0:
        return None
    return Rotation(UNKNOWN if seconds is None else seconds / 86400, "ExternalSecret refreshInterval")


def _external_target(obj: KubeObject) -> str:
    """The Secret an ExternalSecret writes: ``spec.target.name``, by default its own name."""
    name = _dig(obj.body, "spec", "target", "name")
    return name if isinstance(name, str) and name else obj.name


# --- conventions ------------------------------------------------------------------------------


def _conventions(obj: KubeObject, settings: Settings) -> _Conventions:
    annotations = obj.annotations
    return _Conventions(
        _owner(obj, settings), _stated_expiry(obj, annotations, settings.today), _stated_rotation(obj, annotations)
    )


def _owner(obj: KubeObject, settings: Settings) -> _Evidence:
    for where, values in (("labels", obj.labels), ("annotations", obj.annotations)):
        owner, key = owner_from_tags(values, settings, where[:-1])
        if key is not None:
            return _Evidence(owner, obj.location_of("metadata", where, key))
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


# --- RBAC -------------------------------------------------------------------------------------


def _rbac_grants(objects: list[KubeObject]) -> dict[str, tuple[Grant, ...]]:
    """The grants of every ServiceAccount a RoleBinding or ClusterRoleBinding names."""
    roles: dict[str, KubeObject] = {}
    for obj in objects:
        if obj.api_group == RBAC_GROUP and obj.kind in ("Role", "ClusterRole"):
            roles.setdefault(obj.address, obj)
    grants: dict[str, list[Grant]] = {}
    for binding in objects:
        if binding.api_group == RBAC_GROUP and binding.kind in ("RoleBinding", "ClusterRoleBinding"):
            bound = _binding_grants(binding, roles)
            for account in _bound_service_accounts(binding):
                grants.setdefault(account, []).extend(bound)
    return {account: tuple(dict.fromkeys(found)) for account, found in grants.items()}


def _binding_grants(binding: KubeObject, roles: dict[str, KubeObject]) -> list[Grant]:
    """One grant per rule of the bound role. A built-in role that grants too much and is not in the
    scan (cluster-admin, or admin/edit cluster-wide) still gives a grant naming why."""
    ref = _mapping(binding.body.get("roleRef"))
    name = scalar_text(ref.get("name"))
    cluster_role = ref.get("kind") == "ClusterRole"
    role_address = f"ClusterRole/{name}" if cluster_role else f"Role/{binding.namespace}/{name}"
    reason = _built_in_reason(binding.kind, name) if cluster_role else None
    role = roles.get(role_address)
    if role is not None:
        return [_rule_grant(role, position, rule, reason) for position, rule in _indexed_dicts(role.body.get("rules"))]
    if reason is None:
        return []
    location = binding.location_of("roleRef")
    return [Grant(f"{role_address} (built-in)", resources=("*",), wildcard_reasons=(reason,), location=location)]


def _built_in_reason(binding_kind: str, cluster_role: str) -> str | None:
    if cluster_role == "cluster-admin":
        return "bound to cluster-admin"
    if cluster_role in ("admin", "edit") and binding_kind == "ClusterRoleBinding":
        return f"bound cluster-wide to {cluster_role}"
    return None


def _rule_grant(role: KubeObject, position: int, rule: dict[str, Any], binding_reason: str | None) -> Grant:
    """A PolicyRule as a grant: actions ``<apiGroup>/<resource>:<verb>`` (core group as ``core``)."""
    fields = ("apiGroups", "resources", "verbs", "nonResourceURLs")
    groups, resources, verbs, urls = (_strings(rule.get(key)) for key in fields)
    actions = [f"{group or 'core'}/{resource}:{verb}" for group in groups for resource in resources for verb in verbs]
    actions += [f"{url}:{verb}" for url in urls for verb in verbs]
    named = {"verbs": verbs, "resources": resources, "apiGroups": groups, "nonResourceURLs": urls}
    reasons = [f"'*' in {field}" for field, values in named.items() if any("*" in value for value in values)]
    if binding_reason:
        reasons.append(binding_reason)
    return Grant(
        statement=f"{role.address} rule {position + 1}",
        actions=tuple(actions),
        resources=tuple(_strings(rule.get("resourceNames"))) or ("*",),
        wildcard_reasons=tuple(reasons),
        location=role.location_of("rules", position),
    )


def _bound_service_accounts(binding: KubeObject) -> Iterator[str]:
    for subject in _dicts(binding.body.get("subjects")):
        name = subject.get("name")
        if subject.get("kind") == "ServiceAccount" and isinstance(name, str):
            namespace = scalar_text(subject.get("namespace")) or binding.namespace or "default"
            yield f"ServiceAccount/{namespace}/{name}"


def _first_wildcard(grants: tuple[Grant, ...]) -> Location | None:
    """Where the first wildcard rule is written (often another file than the ServiceAccount)."""
    return next((g.location for g in grants if g.wildcard_reasons and g.location is not None), None)


# --- workloads --------------------------------------------------------------------------------


def _workload(obj: KubeObject, index: _Index) -> tuple[Workload, list[Usage], Credential | None]:
    """A workload, what it uses, and the literal credential its env values hold, if any."""
    spec_path = POD_SPEC_PATHS[obj.kind]
    spec = _mapping(_dig(obj.body, *spec_path))
    identity, usages = _identity(obj, spec, spec_path, index)
    literals: list[tuple[str, SecretLiteral]] = []
    for section in ("initContainers", "containers"):
        for position, container in _indexed_dicts(spec.get(section)):
            path = spec_path + (section, position)
            usages += _container_usages(obj, container, path, index)
            literals += _env_literals(obj, container, path, section)
    usages += _volume_usages(obj, spec, spec_path, index)
    workload = Workload(obj.address, PROVIDER, obj.kind, obj.location, identity)
    return workload, usages, _literal_credential(obj, literals) if literals else None


def _identity(obj: KubeObject, spec: dict[str, Any], spec_path: PathKey, index: _Index) -> tuple[str | None, list[Usage]]:
    """The ServiceAccount a pod runs as. ``automountServiceAccountToken: false`` still counts: the
    pod is bound to the identity even when the token is not mounted, and RBAC stays attached.
    Without ``serviceAccountName`` the pod runs as ``default``, used only if the scan defines it."""
    for field in ("serviceAccountName", "serviceAccount"):  # serviceAccount: the deprecated alias
        name = spec.get(field)
        if isinstance(name, str) and name:
            address = f"ServiceAccount/{obj.namespace}/{name}"
            return address, [_usage(obj, address, "serviceAccountName", spec_path + (field,))]
    default = f"ServiceAccount/{obj.namespace}/default"
    if default in index.service_accounts:
        return default, [_usage(obj, default, "serviceAccountName", spec_path)]
    return None, []


def _container_usages(obj: KubeObject, container: dict[str, Any], path: PathKey, index: _Index) -> list[Usage]:
    usages = []
    for position, env in _indexed_dicts(container.get("env")):
        secret = _dig(env, "valueFrom", "secretKeyRef", "name")
        if isinstance(secret, str):
            reference = path + ("env", position, "valueFrom", "secretKeyRef", "name")
            name = scalar_text(env.get("name"))
            usages.append(_usage(obj, index.secret(obj.namespace, secret), f"env {name}", reference, env_var=name))
    for position, source in _indexed_dicts(container.get("envFrom")):
        secret = _dig(source, "secretRef", "name")
        if isinstance(secret, str):
            reference = path + ("envFrom", position, "secretRef", "name")
            usages.append(_usage(obj, index.secret(obj.namespace, secret), "envFrom", reference))
    return usages


def _volume_usages(obj: KubeObject, spec: dict[str, Any], spec_path: PathKey, index: _Index) -> list[Usage]:
    usages = []
    for position, volume in _indexed_dicts(spec.get("volumes")):
        via = f"volume {scalar_text(volume.get('name'))}"
        for reference, name in _volume_references(volume):
            if reference[0] == "csi":
                credential = f"SecretProviderClass/{obj.namespace}/{name}"
            else:
                credential = index.secret(obj.namespace, name)
            usages.append(_usage(obj, credential, via, spec_path + ("volumes", position) + reference))
    return usages


def _volume_references(volume: dict[str, Any]) -> Iterator[tuple[PathKey, str]]:
    """Where a volume names a Secret (a secret volume, a projected secret) or, under ``csi``, a
    Secrets Store SecretProviderClass."""
    sources = _indexed_dicts(_dig(volume, "projected", "sources"))
    paths: list[PathKey] = [("secret", "secretName"), ("csi", "volumeAttributes", "secretProviderClass")]
    paths += [("projected", "sources", number, "secret", "name") for number, _ in sources]
    for path in paths:
        name = _dig(volume, *path)
        if isinstance(name, str):
            yield path, name


def _env_literals(
    obj: KubeObject, container: dict[str, Any], path: PathKey, section: str
) -> list[tuple[str, SecretLiteral]]:
    """Secret values written straight into ``env[].value``, with the variable's name."""
    found = []
    container_name = scalar_text(container.get("name"))
    for position, env in _indexed_dicts(container.get("env")):
        name = scalar_text(env.get("name"))
        detection = detect(env.get("value"), name)
        if detection is not None:
            field = f"{section}.{container_name}.env.{name}"
            found.append((name, _literal(field, detection, obj.location_of(*path, "env", position))))
    return found


def _literal_credential(obj: KubeObject, found: list[tuple[str, SecretLiteral]]) -> Credential:
    """All literal secrets of one workload as one credential at the workload's address."""
    literals = tuple(literal for _, literal in found)
    kinds = [credential_kind(literal.detector) for literal in literals]
    return Credential(
        address=obj.address,
        provider=PROVIDER,
        source_type=obj.kind,
        kind=next((kind for kind in kinds if kind != "secret"), "secret"),
        location=Location(obj.location.file, literals[0].location.line, literals[-1].location.line),
        name=obj.name,
        origin="literal",
        hardcoded=literals,
        ai_hints=tuple(dict.fromkeys(name for name, _ in found)),
    )


def _literal(field: str, detection: Detection, location: Location) -> SecretLiteral:
    return SecretLiteral(field, detection.detector, detection.fingerprint, location, detection.ai_provider)


def _usage(obj: KubeObject, credential: str, via: str, path: PathKey, env_var: str | None = None) -> Usage:
    return Usage(obj.address, credential, via, obj.location_of(*path), env_var=env_var)


def _unique_usages(usages: list[Usage]) -> list[Usage]:
    """One usage per (workload, credential, via), the first found, in a stable order."""
    unique: dict[tuple[str, str, str], Usage] = {}
    for usage in usages:
        unique.setdefault((usage.workload, usage.credential, usage.via), usage)
    return [unique[key] for key in sorted(unique)]


# --- the scan-wide index ----------------------------------------------------------------------


def _index(objects: list[KubeObject]) -> _Index:
    generated: dict[str, str] = {}
    for obj in objects:
        for name in _generated_secrets(obj):
            generated.setdefault(f"Secret/{obj.namespace}/{name}", obj.address)
    return _Index(
        secrets=frozenset(obj.address for obj in objects if (obj.api_group, obj.kind) == ("", "Secret")),
        generated=generated,
        service_accounts=frozenset(obj.address for obj in objects if (obj.api_group, obj.kind) == ("", "ServiceAccount")),
        grants=_rbac_grants(objects),
    )


def _generated_secrets(obj: KubeObject) -> list[str]:
    """Names of the Secrets a controller writes from this object (ExternalSecret target,
    SecretProviderClass ``secretObjects``), which workloads then reference by name."""
    group = obj.api_group
    if (group, obj.kind) == (EXTERNAL_SECRETS_GROUP, "ExternalSecret"):
        return [_external_target(obj)]
    if (group, obj.kind) == (CSI_SECRETS_GROUP, "SecretProviderClass"):
        names = (_dig(item, "secretName") for item in _dicts(_dig(obj.body, "spec", "secretObjects")))
        return [name for name in names if isinstance(name, str)]
    return []


# --- plain-dict helpers -----------------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dig(value: Any, *path: str | int) -> Any:
    """The value at a path of keys and list positions, or None where the shape does not fit."""
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value


def _indexed_dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of a list with their positions (for line lookups); anything else is skipped."""
    if not isinstance(value, list):
        return []
    return [(position, item) for position, item in enumerate(value) if isinstance(item, dict)]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for _, item in _indexed_dicts(value)]


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
