"""Vault tokens, and the auth roles whose logins issue them (AppRole, Kubernetes, JWT/OIDC).

How long a token lives, as Vault decides it: an explicit max TTL is a hard cap; a periodic token
(``period``, ``token_period``) is renewed without end, so it never expires; otherwise its max TTL
(``token_max_ttl``), or its TTL when it cannot be renewed (``renewable = false``, batch tokens);
otherwise the mount's max TTL, read from the mount resource when the code configures it
(``tune { max_lease_ttl }``) and unknown when only the server does. A lifetime of a day or less
is short-lived.

An auth role is judged as the credential its logins hand out: a new token at every login, so a
role's tokens are replaced at least as often as they expire. AppRole adds the secret ID the
workload keeps: it never expires unless ``secret_id_ttl`` is set, and the role lives as long as
the longer of its secret IDs and its tokens. Roles carry no metadata: the owner is read from the
``metadata`` of the ``vault_identity_entity`` an entity alias ties the role's logins to, or — for a
Kubernetes role bound to one service account — from that ServiceAccount's owner label or
annotation (in YAML or in Terraform), then from the config's ``owner_map``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...model import UNKNOWN, Credential, Expiry, Grant, Location, Owner, Rotation, Scope, SecretLiteral, Unknown
from ...terraform.view import BlockView, Resource
from ..common.links import link
from ..common.literals import known_strings
from ..common.owners import owner_from_tags
from ..common.secret_values import literals_in
from ..kubernetes.metadata import resolved_value
from .context import PROVIDER, StatedOwner, VaultModule, hints, lifetime, unknown_lifetime, wildcard_evidence

AUTH_MOUNTS = ("vault_auth_backend", "vault_jwt_auth_backend")
_LOGIN = "a new token at every login"


@dataclass(frozen=True)
class TtlFields:
    """Attribute names of a token's TTL settings; the first one written counts (deprecated names last)."""

    explicit: tuple[str, ...]
    period: tuple[str, ...]
    max_ttl: tuple[str, ...]
    ttl: tuple[str, ...]


TOKEN_TTLS = TtlFields(("explicit_max_ttl",), ("period",), (), ("ttl",))
_TOKEN_LIFETIME_FIELDS = ("ttl", "explicit_max_ttl", "period")
ROLE_TTLS = TtlFields(("token_explicit_max_ttl",), ("token_period", "period"), ("token_max_ttl", "max_ttl"), ("token_ttl", "ttl"))

_Part = tuple[Expiry, "Location | None"]


def token_expiry(vault: VaultModule, view: BlockView, fields: TtlFields, renewable: Any, mount: _Part | None) -> _Part:
    explicit, where, name = _first(vault, view, fields.explicit)
    if explicit is not None:
        return lifetime(explicit, f"{name} (a hard cap)"), where
    period, where, name = _first(vault, view, fields.period)
    if isinstance(period, Unknown):
        return unknown_lifetime(f"{name} not known before apply"), where
    if period is not None:
        return Expiry(None, source=f"periodic token ({name}): renewed without end"), where
    if not isinstance(renewable, bool):
        return unknown_lifetime("renewable not known before apply"), None
    if not renewable:
        ttl, where, name = _first(vault, view, fields.ttl)
        if ttl is not None:
            return lifetime(ttl, f"{name}, not renewable"), where
        return unknown_lifetime("no ttl written: the mount's default TTL applies (a server setting)"), None
    maximum, where, name = _first(vault, view, fields.max_ttl)
    if maximum is not None:
        own = lifetime(maximum, name)
        if mount and isinstance(own.lifetime_days, float) and isinstance(mount[0].lifetime_days, float):
            return (own, where) if own.lifetime_days <= mount[0].lifetime_days else mount
        return own, where
    if mount is not None:
        return mount
    return unknown_lifetime("no max TTL written: the mount's max TTL applies (a server setting, 32 days by default)"), None


def login_rotation(expiry: Expiry) -> Rotation:
    """Tokens from logins are replaced at least as often as they expire; periodic ones never."""
    return Rotation(expiry.lifetime_days, _LOGIN if expiry.lifetime_days is not None else "")


def _first(vault: VaultModule, view: BlockView, names: tuple[str, ...]) -> tuple[Any, Location | None, str]:
    for name in names:
        seconds, where = vault.ttl(view, name)
        if seconds is not None:
            return seconds, where, vault.written(view, name)
    return None, None, ""


def _token_lifetime(vault: VaultModule, token: BlockView, renewable: Any) -> _Part:
    """A ``vault_token`` that writes none of its lifetime fields declares no expiry: the code
    leaves the lifetime to the server's defaults, as a provider's default is no explicit expiry.
    A field written but not known before apply stays unknown (``token_expiry``)."""
    if not any(token.has(name) for name in _TOKEN_LIFETIME_FIELDS):
        return Expiry(None, source="no ttl, explicit_max_ttl or period written: the code leaves the lifetime to the server"), None
    return token_expiry(vault, token, TOKEN_TTLS, renewable, None)


def tokens(vault: VaultModule) -> list[Credential]:
    """``vault_token``: scoped by its policies; its owner from its ``metadata`` map; rotated when a
    ``time_rotating`` replaces it."""
    result = []
    for token in vault.module.resources_of("vault_token"):
        renewable = token.value("renewable", True)
        expiry, where = _token_lifetime(vault, token, renewable)
        owner, evidence = vault.owner(token.address, vault.metadata_owner(token, "metadata", "metadata"))
        scheduled = vault.replaced_on_schedule(token)
        grants, names = vault.policies(token, "policies")
        metadata = token.value("metadata", {})
        result.append(
            Credential(
                address=token.address, provider=PROVIDER, source_type="vault_token", kind="token",
                location=token.location, name=_text(token.value("display_name")) or token.name,
                owner=owner, expiry=expiry, rotation=scheduled[0] if scheduled else Rotation(None),
                scope=Scope(tuple(grants)),
                ai_hints=_with_policies(hints(token, "display_name", "role_name"), names, grants),
                tags={k: v for k, v in metadata.items() if isinstance(v, str)} if isinstance(metadata, dict) else {},
                evidence=_evidence(evidence, expiry=where, rotation=scheduled[1] if scheduled else None, grants=grants),
            )
        )
    return result


def approle_roles(vault: VaultModule) -> list[Credential]:
    result = []
    secret_ids = list(vault.module.resources_of("vault_approle_auth_backend_role_secret_id"))
    roles = vault.by_type("vault_approle_auth_backend_role")
    for address, role in roles.items():
        own_ids = [s for s in secret_ids if link(s, "role_name", roles, "role_name") == address]
        tokens_part = _role_tokens(vault, role, "approle")
        secret_part = _secret_id_lifetime(vault, role)
        expiry, where = _longest(secret_part, tokens_part)
        if secret_part[0].short_lived is True:
            rotation, rotation_where = login_rotation(tokens_part[0]), tokens_part[1]
        else:
            scheduled = next(filter(None, (vault.replaced_on_schedule(v) for v in [role, *own_ids])), None)
            rotation, rotation_where = scheduled if scheduled else (Rotation(None), None)
        grants, names = _role_policies(vault, role)
        owner, evidence = vault.owner(address, vault.entity_owner(role))
        result.append(
            _role_credential(
                role, "client-secret", owner, expiry, rotation, grants,
                _with_policies(hints(role, "role_name"), names, grants),
                _evidence(evidence, expiry=where, rotation=rotation_where, grants=grants),
                hardcoded=tuple(lit for secret_id in own_ids for lit in _literal_secret_id(secret_id)),
            )
        )
    return result


def kubernetes_roles(vault: VaultModule) -> list[Credential]:
    result = []
    for role in vault.module.resources_of("vault_kubernetes_auth_backend_role"):
        names = resolved_value(role, "bound_service_account_names")
        namespaces = resolved_value(role, "bound_service_account_namespaces")
        bound = _bound_grant(role, names, namespaces)
        grants, policy_names = _role_policies(vault, role)
        grants = [bound, *grants]
        expiry, where = _role_tokens(vault, role, "kubernetes")
        owner, evidence = vault.owner(role.address, vault.entity_owner(role), _service_account_owner(vault, names, namespaces))
        result.append(
            _role_credential(
                role, "token", owner, expiry, login_rotation(expiry), grants,
                _with_policies(hints(role, "role_name") + tuple(n for n in known_strings(names) if n != "*"), policy_names, grants),
                _evidence(evidence, expiry=where, rotation=where, grants=grants),
            )
        )
    return result


def jwt_roles(vault: VaultModule) -> list[Credential]:
    result = []
    for role in vault.module.resources_of("vault_jwt_auth_backend_role"):
        bound = _claims_grant(role)
        grants, policy_names = _role_policies(vault, role)
        grants = [bound, *grants]
        expiry, where = _role_tokens(vault, role, "jwt")
        claims = role.value("bound_claims")
        claim_texts = [t for v in claims.values() for t in known_strings(v)] if isinstance(claims, dict) else []
        owner, evidence = vault.owner(role.address, vault.entity_owner(role))
        result.append(
            _role_credential(
                role, "token", owner, expiry, login_rotation(expiry), grants,
                _with_policies(hints(role, "role_name", "bound_subject") + tuple(claim_texts), policy_names, grants),
                _evidence(evidence, expiry=where, rotation=where, grants=grants),
            )
        )
    return result


# --- roles: parts ------------------------------------------------------------------------------


def _role_tokens(vault: VaultModule, role: Resource, default_mount: str) -> _Part:
    mount = vault.mount(role, "backend", default_mount, AUTH_MOUNTS)
    renewable = role.value("token_type", "default")
    renewable = UNKNOWN if isinstance(renewable, Unknown) else renewable != "batch"
    return token_expiry(vault, role, ROLE_TTLS, renewable, vault.mount_max_ttl(mount))


def _secret_id_lifetime(vault: VaultModule, role: Resource) -> _Part:
    bind = role.value("bind_secret_id", True)
    if isinstance(bind, Unknown):
        return unknown_lifetime("bind_secret_id not known before apply"), None
    if bind is False:
        return Expiry(None, source="bind_secret_id = false: the role ID alone logs in, and it never expires"), role.location_of("bind_secret_id")
    seconds, where = vault.ttl(role, "secret_id_ttl")
    if seconds is None:
        source = "AppRole secret IDs never expire unless secret_id_ttl is set"
        return Expiry(None, source=source), role.location_of("secret_id_ttl") if role.has("secret_id_ttl") else None
    return lifetime(seconds, vault.written(role, "secret_id_ttl") + " (secret IDs)"), where


def _longest(*parts: _Part) -> _Part:
    """The longer-lived of what a role hands out: never expiring beats everything, unknown beats a
    known lifetime (it may be longer)."""
    for part in parts:
        if part[0].lifetime_days is None:
            return part
    for part in parts:
        if isinstance(part[0].lifetime_days, Unknown):
            return part
    return max(parts, key=lambda part: part[0].lifetime_days)  # type: ignore[arg-type,return-value]


def _role_policies(vault: VaultModule, role: Resource) -> tuple[list[Grant], list[str]]:
    grants, names = vault.policies(role, "token_policies", "policies")
    entity = vault.entity(role)
    if entity is not None:
        more, more_names = vault.policies(entity, "policies")
        grants, names = grants + [g for g in more if g not in grants], names + more_names
    return grants, names


def _service_account_owner(vault: VaultModule, names: Any, namespaces: Any) -> StatedOwner:
    """The owner of the one ServiceAccount a Kubernetes role admits, from the scan's YAML or the
    Terraform that creates it (labels first, then annotations), where it is written. Unknown when
    the account is not known before apply or not in the scan (its owner may be written elsewhere)."""
    if not (isinstance(names, list) and isinstance(namespaces, list) and len(names) == len(namespaces) == 1):
        return (Owner(UNKNOWN, "bound service accounts not known before apply"), {}) if _unknown_in(names, namespaces) else (Owner(None), {})
    if not all(isinstance(v, str) for v in (names[0], namespaces[0])):
        return Owner(UNKNOWN, "bound service account not known before apply"), {}
    if "*" in (names[0], namespaces[0]):
        return Owner(None), {}  # any account: none to take the owner from
    address = f"ServiceAccount/{namespaces[0]}/{names[0]}"
    objects = vault.cluster.by_address.get(address)
    if not objects:
        return Owner(UNKNOWN, f"{address} is not in the scan"), {}
    account, unknown = objects[0]
    keys = {f"{where}:{key.lower()}" for where in ("labels", "annotations") for key in vault.settings.owner_keys}
    if {"labels", "annotations", *keys} & unknown:
        return Owner(UNKNOWN, f"labels or annotations of {address} not known before apply"), {}
    for where in ("labels", "annotations"):
        owner, key = owner_from_tags(getattr(account, where), vault.settings, f"{address} {where[:-1]}")
        if key is not None:
            return owner, {"owner": account.location_of("metadata", where, key)}
    return Owner(None), {}


def _unknown_in(*values: Any) -> bool:
    return any(isinstance(v, Unknown) or isinstance(v, list) and any(isinstance(i, Unknown) for i in v) for v in values)


def _bound_grant(role: Resource, names: Any, namespaces: Any) -> Grant:
    """Who may log in: the bound service accounts; ``*`` in names or namespaces is a wildcard."""
    name_list, namespace_list = known_strings(names), known_strings(namespaces)
    reasons = []
    if isinstance(names, list) and isinstance(namespaces, list) and len(name_list) == len(names):
        any_name, any_namespace = "*" in name_list, "*" in namespace_list and len(namespace_list) == len(namespaces)
        if any_name and any_namespace:
            reasons.append("any service account of any namespace can log in")
        elif any_name:
            reasons.append(f"bound_service_account_names \"*\": any service account in {', '.join(namespace_list)} can log in")
        elif any_namespace:
            reasons.append(f"bound_service_account_namespaces \"*\": {', '.join(name_list)} of any namespace can log in")
    accounts = tuple(f"ServiceAccount/{ns}/{name}" for ns in namespace_list for name in name_list)
    return Grant(f"{role.address} bound service accounts", ("login",), accounts, tuple(reasons), role.location_of("bound_service_account_names"))


def _claims_grant(role: Resource) -> Grant:
    """Who may log in with a JWT: a ``jwt`` role that binds no subject and no claim admits any token
    the issuer signs for its audience; a glob claim of ``*`` admits any value."""
    claims = role.value("bound_claims", {})
    subject = role.value("bound_subject", "")
    reasons = []
    if role.value("role_type") == "jwt" and claims == {} and subject == "":
        reasons.append("no bound_subject or bound_claims: any token the issuer signs for the audience can log in")
    if role.value("bound_claims_type") == "glob" and isinstance(claims, dict):
        for claim, value in sorted(claims.items()):
            if any(part.strip() == "*" for text in known_strings(value) for part in text.split(",")):
                reasons.append(f'bound claim {claim} "*" matches any value')
    bound = [f"sub={subject}"] if isinstance(subject, str) and subject else []
    bound += [f"{k}={v}" for k, v in sorted(claims.items())] if isinstance(claims, dict) else []
    where = role.location_of("bound_claims") if role.has("bound_claims") else role.location
    return Grant(f"{role.address} bound claims", ("login",), tuple(bound), tuple(reasons), where)


def _literal_secret_id(secret_id: Resource) -> tuple[SecretLiteral, ...]:
    return literals_in(secret_id.literal_value("secret_id"), "secret_id", secret_id.location_of("secret_id"), name="secret")


def _role_credential(
    role: Resource, kind: Any, owner: Owner, expiry: Expiry, rotation: Rotation, grants: list[Grant],
    ai_hints: tuple[str, ...], evidence: dict[str, Location], hardcoded: tuple[SecretLiteral, ...] = (),
) -> Credential:
    return Credential(
        address=role.address, provider=PROVIDER, source_type=role.resource_type, kind=kind,
        location=role.location, name=_text(role.value("role_name")) or role.name, owner=owner,
        expiry=expiry, rotation=rotation, scope=Scope(tuple(grants)), hardcoded=hardcoded,
        ai_hints=ai_hints, evidence=evidence,
    )


def _with_policies(own: tuple[str, ...], names: list[str], grants: list[Grant]) -> tuple[str, ...]:
    """A token's hints include its policies' names and the paths they reach
    (``secret/data/ml/openai``): a token that can read an OpenAI key is an AI credential."""
    paths = [resource for grant in grants for resource in grant.resources if resource != "*"]
    return tuple(dict.fromkeys((*own, *names, *paths)))


def _evidence(base: dict[str, Location], *, expiry: Location | None = None, rotation: Location | None = None,
              grants: list[Grant] = ()) -> dict[str, Location]:  # type: ignore[assignment]
    found = dict(base)
    if expiry:
        found["expiry"] = expiry
    if rotation:
        found["rotation"] = rotation
    found.update(wildcard_evidence(list(grants)))
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
