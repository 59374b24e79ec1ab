"""The credential inventory as rows: computed once from a scan, rendered by ``inventory_*.py``.

A row is a review artifact (CIS 5.5: owner, purpose, review): every credential in scope with its
owner and where that came from, expiry, rotation, scope, the workloads that use it and where it is
defined. Values only known after apply read as such, never as a guess; secret values never appear
(hardcoded values are shown by fingerprint).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import Credential, is_unknown
from ..policy.engine import in_scope
from ..policy.facts import duration_text, owner_is_current

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..result import ScanResult

UNKNOWN_TEXT = "(not known from the code)"


@dataclass(frozen=True)
class InventoryRow:
    credential: Credential
    failing_policies: tuple[str, ...]  # policies with an unsuppressed finding on it
    #: Whether its owners are on the configured roster (None: no roster, or nobody to look up).
    owner_current: bool | None = None

    @property
    def owner(self) -> str:
        return _text(self.credential.owner.value, none="(none)")

    @property
    def expiry(self) -> str:
        expiry = self.credential.expiry
        if expiry.short_lived is True:
            return "short-lived"
        if expiry.expires_on:
            return f"until {expiry.expires_on}"
        days = expiry.lifetime_days
        return _text(days, none="never", known=duration_text(days) if isinstance(days, (int, float)) else "")

    @property
    def rotation(self) -> str:
        days = self.credential.rotation.period_days
        return _text(days, none="none", known=f"every {duration_text(days)}" if isinstance(days, (int, float)) else "")

    @property
    def scope(self) -> str:
        scope = self.credential.scope
        inherited = f"inherited from {scope.inherited_from}; " if scope.inherited_from else ""
        if scope.wildcard:
            return f"{inherited}wildcard: {'; '.join(scope.wildcard_reasons)}"
        grants = len(scope.grants)
        return f"{inherited}no wildcard ({grants} grant{'' if grants == 1 else 's'})" if grants else f"{inherited}no grants"

    @property
    def location(self) -> str:
        return f"{self.credential.location.file}:{self.credential.location.line}"

    def text_columns(self) -> dict[str, str]:
        """Every column as text, for the table, Markdown and CSV formats."""
        c = self.credential
        return {
            "address": c.address,
            "root module": c.root_module,
            "provider": c.provider,
            "type": c.source_type,
            "kind": c.kind,
            "AI": "yes" if c.ai_reasons else "no",
            "AI reasons": "; ".join(c.ai_reasons),
            "owner": self.owner,
            "owner source": c.owner.source,
            "expiry": self.expiry,
            "expiry source": c.expiry.source,
            "rotation": self.rotation,
            "rotation mechanism": c.rotation.mechanism,
            "wildcard": "yes" if c.scope.wildcard else "no",
            "scope": self.scope,
            "consumers": ", ".join(c.consumers),
            "hardcoded": "; ".join(f"{h.field}: {h.fingerprint}" for h in c.hardcoded),
            "parent": c.parent or "",
            "file": c.location.file,
            "line": str(c.location.line),
            "failing policies": " ".join(self.failing_policies),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON row: typed values, ``null`` for what is absent, ``known: false`` for what only
        apply knows."""
        c = self.credential
        return {
            "address": c.address,
            "root_module": c.root_module,
            "provider": c.provider,
            "source_type": c.source_type,
            "kind": c.kind,
            "origin": c.origin,
            "ai": bool(c.ai_reasons),
            "ai_reasons": list(c.ai_reasons),
            "owner": self._owner_dict(),
            "environment": None if is_unknown(c.environment) else c.environment,
            "expiry": {
                **_value(c.expiry.lifetime_days, "lifetime_days"),
                "short_lived": c.expiry.short_lived if isinstance(c.expiry.short_lived, bool) else None,
                "expires_on": c.expiry.expires_on,
                "source": c.expiry.source,
                "text": self.expiry,
            },
            "rotation": {**_value(c.rotation.period_days, "period_days"), "mechanism": c.rotation.mechanism, "text": self.rotation},
            "scope": {
                "wildcard": c.scope.wildcard,
                "wildcard_reasons": list(c.scope.wildcard_reasons),
                "grants": len(c.scope.grants),
                "inherited_from": c.scope.inherited_from,
                "text": self.scope,
            },
            **self._use_dict(),
            "parent": c.parent, "declared": c.declared,
            "file": c.location.file,
            "line": c.location.line,
            "end_line": c.location.end_line,
            "failing_policies": list(self.failing_policies),
        }


    def _use_dict(self) -> dict[str, Any]:
        """Who uses it, in which environment, and the literal values it is written as."""
        c = self.credential
        return {
            "consumers": list(c.consumers),
            "consumer_environments": {
                w.address: None if is_unknown(w.environment) else w.environment for w in c.consumer_workloads
            },
            "hardcoded": [
                {"field": h.field, "detector": h.detector, "fingerprint": h.fingerprint, "file": h.location.file, "line": h.location.line}
                for h in c.hardcoded
            ],
        }

    def _owner_dict(self) -> dict[str, Any]:
        owner = self.credential.owner
        return {
            **_value(owner.value), "source": owner.source, "current": self.owner_current,
            "roles": dict(owner.roles) if isinstance(owner.roles, tuple) else None,
        }


def inventory_rows(result: ScanResult) -> list[InventoryRow]:
    """Every credential the scan judged (all of them with scope ``all``), sorted by address."""
    failing: dict[tuple[str, object], set[str]] = {}
    for finding in result.failing:
        failing.setdefault((finding.resource, finding.resource_location), set()).add(finding.policy_id)
    settings = result.settings
    return [
        InventoryRow(c, tuple(sorted(failing.get((c.address, c.location), ()))), _current(c, settings))
        for c in result.inventory.credentials
        if settings is None or in_scope(c, settings)
    ]


def _current(credential: Credential, settings: Settings | None) -> bool | None:
    current = owner_is_current(credential.owner, settings) if settings is not None else None
    return current if isinstance(current, bool) else None


def _text(value: object, none: str, known: str = "") -> str:
    if is_unknown(value):
        return UNKNOWN_TEXT
    if value is None:
        return none
    return known or str(value)


def _value(value: object, name: str = "value") -> dict[str, Any]:
    return {name: None if is_unknown(value) else value, "known": not is_unknown(value)}
