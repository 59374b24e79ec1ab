"""What every Vault recognizer step needs about one root module: its resources by type, TTLs as
Vault reads them, owners from metadata maps, the mounts a role takes its TTL limits from, the
policies tokens and roles name, and the identity entities that stand behind roles."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from ...config.settings import Settings
from ...model import UNKNOWN, Expiry, Grant, Location, Owner, Rotation, Unknown
from ...terraform.module import Module
from ...terraform.view import BlockView, Resource
from ..cluster import ClusterContext
from ..common.literals import known_strings
from ..common.owners import owner_from_map, owner_from_tags
from ..common.rotation import rotation_named_by
from ..common.time_values import go_duration_seconds
from .policies import ROOT_POLICY, policy_grants, root_grant

PROVIDER = "vault"
StatedOwner = tuple[Owner, dict[str, Location]]
SHORT_LIVED_DAYS = 1.0
_DAYS = re.compile(r"(\d+(?:\.\d+)?)d")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def vault_seconds(value: Any) -> float | Unknown | None:
    """A Vault duration in seconds: a number, a numeric string, a Go duration (``768h``, ``30m``) or
    days (``30d``), as Vault's own parser reads them. None when not written; UNKNOWN when it is not
    known before apply or cannot be read."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return UNKNOWN
    text = value.strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    days = _DAYS.fullmatch(text)
    if days:
        return float(days.group(1)) * 86400
    seconds = go_duration_seconds(text)
    return UNKNOWN if seconds is None else seconds


def lifetime(seconds: float | Unknown | None, source: str) -> Expiry:
    """A lifetime in days; a day or less is short-lived."""
    if isinstance(seconds, Unknown) or seconds is None:
        return unknown_lifetime(source)
    days = seconds / 86400
    return Expiry(days, days <= SHORT_LIVED_DAYS, source)


def unknown_lifetime(source: str, short_lived: bool | Unknown = UNKNOWN) -> Expiry:
    """A lifetime not known before apply: whether it is short-lived is not known either (unless
    the kind of credential says so), so neither expiry nor rotation can fail on it."""
    return Expiry(UNKNOWN, short_lived, source)


class VaultModule:
    def __init__(self, module: Module, settings: Settings, cluster: ClusterContext) -> None:
        self.module = module
        self.settings = settings
        self.cluster = cluster

    def by_type(self, *types: str) -> dict[str, Resource]:
        return {r.address: r for r in self.module.resources_of(*types)}

    # -- TTLs -----------------------------------------------------------------------------------

    def ttl(self, view: BlockView, attribute: str | None) -> tuple[float | Unknown | None, Location | None]:
        """A TTL attribute in seconds, None when not written or 0 (Vault's "use the default")."""
        if attribute is None or not view.has(attribute):
            return None, None
        seconds = vault_seconds(view.value(attribute))
        if isinstance(seconds, float) and seconds <= 0:
            return None, None
        return seconds, view.location_of(attribute)

    def written(self, view: BlockView, attribute: str) -> str:
        value = view.value(attribute)
        return f"{attribute} {value}" if isinstance(value, (str, int, float)) else attribute

    def mount_max_ttl(self, mount: Resource | None, *attributes: str) -> tuple[Expiry, Location | None] | None:
        """The longest lease a mount allows, when its configuration is in the code: a role that
        sets no max TTL of its own takes it from its parent mount."""
        if mount is None:
            return None
        for view, attribute in [(mount, a) for a in attributes] + [(mount.first_block("tune"), "max_lease_ttl")]:
            if view is None:
                continue
            seconds, where = self.ttl(view, attribute)
            if seconds is not None:
                return lifetime(seconds, f"{attribute} of {mount.address}"), where
        return None

    def mount(self, view: BlockView, attribute: str, default_path: str, types: tuple[str, ...]) -> Resource | None:
        """The mount (auth method or secrets engine) a role lives in: named by reference, or by
        its path (a mount's path defaults to its type)."""
        candidates = self.by_type(*types)
        for ref in sorted(view.refs(attribute)):
            if ref in candidates:
                return candidates[ref]
        path = view.value(attribute, default_path)
        if not isinstance(path, str):
            return None
        for candidate in candidates.values():
            written = candidate.value("path", _default_mount_path(candidate))
            if isinstance(written, str) and written.strip("/") == path.strip("/"):
                return candidate
        return None

    # -- owners and rotation --------------------------------------------------------------------

    def owner(self, address: str, *stated: StatedOwner) -> StatedOwner:
        """The first owner the code states, else the config's ``owner_map`` entry for the address,
        else an owner the code states in a value not known before apply (unknown), else none."""
        stated = tuple(stated)
        for owner, evidence in stated:
            if owner.value is not None and not isinstance(owner.value, Unknown):
                return owner, evidence
        mapped = owner_from_map(address, self.settings)
        if mapped:
            return mapped, {}
        return next(((o, e) for o, e in stated if isinstance(o.value, Unknown)), (Owner(None), {}))

    def metadata_owner(self, view: BlockView, attribute: str, what: str) -> StatedOwner:
        """The owner named in a metadata map (``owner_keys``, compared case-insensitively)."""
        owner, key = owner_from_tags(view.value(attribute, {}), self.settings, what)
        return owner, ({"owner": view.location_of(attribute)} if key is not None else {})

    def replaced_on_schedule(self, view: BlockView) -> tuple[Rotation, Location] | None:
        """``lifecycle { replace_triggered_by = [time_rotating.x] }``."""
        lifecycle = view.first_block("lifecycle")
        rotation = rotation_named_by(self.module, lifecycle, "replace_triggered_by") if lifecycle else None
        if rotation is None or lifecycle is None:
            return None
        return rotation, lifecycle.location_of("replace_triggered_by")

    @cached_property
    def _entity_aliases(self) -> tuple[dict[str, Resource | None], bool]:
        """Role address → the ``vault_identity_entity`` an entity alias ties its logins to (None:
        an entity the code does not define, or names in a value not known before apply); and
        whether an alias names a role in a value not known before apply (it may be any role's)."""
        entities = self.by_type("vault_identity_entity")
        approles = {r.value("role_id"): address for address, r in self.by_type("vault_approle_auth_backend_role").items()}
        found: dict[str, Resource | None] = {}
        unresolved = False
        for alias in self.module.resources_of("vault_identity_entity_alias"):
            entity = next((entities[r] for r in sorted(alias.refs("canonical_id")) if r in entities), None)
            name = alias.value("name")
            roles = sorted(ref for ref in alias.refs("name") if ref in self._roles)
            roles = roles or ([approles[name]] if isinstance(name, str) and name in approles else [])
            unresolved |= not roles and isinstance(name, Unknown)
            for role in roles:
                found.setdefault(role, entity)
        return found, unresolved

    @cached_property
    def _roles(self) -> frozenset[str]:
        return frozenset(r.address for r in self.module.resources if r.resource_type.endswith("_auth_backend_role"))

    def entity(self, role: Resource) -> Resource | None:
        return self._entity_aliases[0].get(role.address)

    def entity_owner(self, role: Resource) -> StatedOwner:
        """The owner in the ``metadata`` of the identity entity a role's logins belong to."""
        aliases, unresolved = self._entity_aliases
        if role.address in aliases:
            entity = aliases[role.address]
            if entity is None:
                return Owner(UNKNOWN, "its identity entity is not defined in this module"), {}
            return self.metadata_owner(entity, "metadata", f"{entity.address} metadata")
        if unresolved:
            return Owner(UNKNOWN, "an identity entity alias names a role not known before apply"), {}
        return Owner(None), {}

    # -- policies -------------------------------------------------------------------------------

    @cached_property
    def _policies(self) -> dict[str, tuple[Resource, tuple[Grant, ...]]]:
        return {address: (policy, policy_grants(policy)) for address, policy in self.by_type("vault_policy").items()}

    def policies(self, view: BlockView, *attributes: str) -> tuple[list[Grant], list[str]]:
        """The grants of the policies an attribute names (by reference or by name; ``root`` is the
        built-in root policy; others, like ``default``, are not in the code), and their names."""
        named: dict[str, tuple[Grant, ...]] = {}
        names: list[str] = []
        by_name = {
            value.lower(): address
            for address, (policy, _) in self._policies.items()
            if isinstance(value := policy.value("name"), str)
        }
        for attribute in attributes:
            for ref in sorted(view.refs(attribute)):
                if ref in self._policies:
                    named.setdefault(ref, self._policies[ref][1])
            for name in known_strings(view.value(attribute)):
                names.append(name)
                if name.lower() == ROOT_POLICY:
                    named.setdefault(ROOT_POLICY, (root_grant(view.location_of(attribute)),))
                elif name.lower() in by_name:
                    address = by_name[name.lower()]
                    named.setdefault(address, self._policies[address][1])
        return [grant for grants in named.values() for grant in grants], names


def _default_mount_path(mount: Resource) -> Any:
    """Where a mount resource mounts when it names no ``path``: ``vault_jwt_auth_backend`` at
    ``jwt``, ``vault_aws_secret_backend`` at ``aws``, ``vault_auth_backend`` at its type."""
    defaults = {"vault_jwt_auth_backend": "jwt", "vault_aws_secret_backend": "aws"}
    if mount.resource_type in defaults:
        return defaults[mount.resource_type]
    return mount.value("type") if mount.resource_type == "vault_auth_backend" else None


def wildcard_evidence(grants: list[Grant]) -> dict[str, Location]:
    """Where the first wildcard is written (often a policy in another file)."""
    where = next((g.location for g in grants if g.wildcard_reasons and g.location), None)
    return {"scope": where} if where else {}


def hints(view: Resource, *attributes: str) -> tuple[str, ...]:
    """Names that may say which AI provider a credential serves: the resource's own name and the
    known text of the given attributes."""
    return tuple(dict.fromkeys((view.name, *view.known_texts(*attributes))))
