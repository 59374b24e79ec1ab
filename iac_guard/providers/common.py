"""Conventions shared by the Terraform recognizers of every cloud: owner tags and the ``owner:``
text convention, ``time_rotating`` schedules, timestamps and durations, finding the resource an
attribute points at, and the environment entries of compute resources.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..config import Settings
from ..model import UNKNOWN, Credential, Expiry, Location, Owner, Rotation, SecretLiteral, Unknown, Usage
from ..secrets import credential_kind, find_in
from ..terraform.evaluate import Unknownish, collect_refs
from ..terraform.hcl_ast import Call, Expr, GetAttr, Index, Literal, ObjectExpr, Splat, Variable, references
from ..terraform.module import BlockView, Module, Resource

_DAYS_PER_UNIT = {"rotation_minutes": 1 / 1440, "rotation_hours": 1 / 24, "rotation_days": 1, "rotation_months": 30, "rotation_years": 365}


def owner_from_tags(tags: Any, settings: Settings, what: str = "tag") -> tuple[Owner, str | None]:
    """The owner named in a tag or label map, and the key it was found under.

    Keys are compared case-insensitively: ``Owner`` and ``owner`` are both common in real code.
    A map that is not known before apply gives an unknown owner, never a missing one.
    """
    if isinstance(tags, Unknown):
        return Owner(UNKNOWN, f"{what}s not known before apply"), None
    if not isinstance(tags, dict):
        return Owner(None), None
    lowered = {str(k).lower(): k for k in tags}
    for key in settings.owner_keys:
        original = lowered.get(key.lower())
        if original is None:
            continue
        value = tags[original]
        if isinstance(value, Unknown):
            return Owner(UNKNOWN, f"{what} {original}"), original
        return Owner("" if value is None else str(value), f"{what} {original}"), original
    return Owner(None), None


def rotation_named_by(module: Module, view: BlockView, attribute: str) -> Rotation | None:
    """The ``time_rotating`` schedule an attribute names (``replace_triggered_by``, ``keepers``,
    ``rotate_when_changed``). Evaluated references carry instance keys (``time_rotating.k["ci"]``
    for ``each.key = "ci"``), syntactic ones only the resource."""
    return rotation_from_schedule(module, collect_refs(view.value(attribute)) | view.refs(attribute))


def rotation_from_schedule(module: Module, refs: Iterable[str]) -> Rotation | None:
    """A ``time_rotating`` among ``refs`` as a rotation; when a reference names only a repeated
    resource (no instance key), its instances must agree on one period."""
    schedules = {r.address: r for r in module.resources_of("time_rotating")}
    named = sorted(refs)
    for ref in named:
        if ref in schedules:
            return Rotation(schedule_period_days(schedules[ref]), ref)
    for ref in named:
        instances = [s for address, s in schedules.items() if address.split("[", 1)[0] == ref]
        if instances:
            periods = {schedule_period_days(s) for s in instances}
            return Rotation(periods.pop() if len(periods) == 1 else UNKNOWN, ref)
    return None


def schedule_period_days(schedule: BlockView) -> float | Unknown | None:
    total = 0.0
    for attribute, days in _DAYS_PER_UNIT.items():
        value = schedule.value(attribute)
        if value is None:
            continue
        if isinstance(value, Unknown) or isinstance(value, bool) or not isinstance(value, (int, float)):
            return UNKNOWN
        total += value * days
    return total if total > 0 else UNKNOWN  # rotation_rfc3339 alone: a fixed date, not a period


def link(view: BlockView, attribute: str, candidates: Mapping[str, Resource], *name_attributes: str) -> str | None:
    """The candidate resource an attribute points at: by reference, else by its name or ARN."""
    refs = view.refs(attribute)
    for ref in sorted(refs):
        if ref in candidates:
            return ref
    value = view.value(attribute)
    return link_value(value, candidates, *name_attributes)


def link_value(value: Any, candidates: Mapping[str, Resource], *name_attributes: str) -> str | None:
    if isinstance(value, Unknown):
        return next((ref for ref in sorted(value.refs) if ref in candidates), None)
    if not isinstance(value, str) or not value:
        return None
    wanted = {value, arn_name(value)}
    for address, candidate in sorted(candidates.items()):
        for name_attribute in name_attributes or ("name",):
            name = candidate.value(name_attribute)
            if isinstance(name, str) and name in wanted:
                return address
    return None


_ARN_NAME = re.compile(r"^arn:[^:]*:[^:]*:[^:]*:[^:]*:(?:[a-z-]+[/:])*(?P<name>[^/:]+)$")


def arn_name(value: str) -> str:
    """Last name segment of an ARN (``arn:aws:iam::1:role/ml/agent`` → ``agent``)."""
    match = _ARN_NAME.match(value)
    return match.group("name") if match else value


def known_strings(value: Any) -> list[str]:
    """The known strings of a string-or-list attribute; unknown items are left out."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


_GO_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> float | None:
    """A Go ``time.Duration`` string (``1h``, ``15m``, ``1h30m``, ``0``) in seconds; None if not one.

    Kubernetes (``refreshInterval``), Azure (``end_date_relative``) and Vault (TTLs) all write them.
    """
    text = text.strip()
    if text == "0":
        return 0.0
    parts = list(_GO_DURATION_PART.finditer(text))
    if not parts or "".join(part.group(0) for part in parts) != text:
        return None
    return sum(float(number) * _GO_UNIT_SECONDS[unit] for number, unit in (part.groups() for part in parts))
