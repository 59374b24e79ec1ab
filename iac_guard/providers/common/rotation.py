"""Rotation: the ``time_rotating`` schedule that replaces a resource, and the
``iac-guard.io/rotation-period`` convention for what has no field of its own."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...model import UNKNOWN, Location, Rotation, Unknown
from ...terraform.module import Module
from ...terraform.values import collect_refs
from ...terraform.view import BlockView

_DAYS_PER_UNIT = {"rotation_minutes": 1 / 1440, "rotation_hours": 1 / 24, "rotation_days": 1, "rotation_months": 30, "rotation_years": 365}
#: Written as a Kubernetes annotation, or as a key of a Vault metadata map (``custom_metadata``).
ROTATION_PERIOD_KEY = "iac-guard.io/rotation-period"
_PERIOD = re.compile(r"(\d+(?:\.\d+)?)\s*([hdw])")
_PERIOD_UNIT_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0}


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


def schedule_rotation(view: BlockView, *attributes: str) -> tuple[Rotation, dict[str, Location]]:
    """The ``time_rotating`` schedule that replaces a resource: named by one of ``attributes``
    (``keepers``, ``rotate_when_changed``) or by ``lifecycle { replace_triggered_by }``, with the
    line naming it as evidence; ``Rotation(None)`` when nothing replaces it."""
    candidates = [(view, attribute) for attribute in attributes]
    lifecycle = view.first_block("lifecycle")
    if lifecycle is not None:
        candidates.append((lifecycle, "replace_triggered_by"))
    for block, attribute in candidates:
        if block.has(attribute):
            rotation = rotation_named_by(view.module, block, attribute)
            if rotation is not None:
                return rotation, {"rotation": block.location_of(attribute)}
    return Rotation(None), {}


def stated_rotation(text: str, source: str) -> Rotation:
    """``iac-guard.io/rotation-period: 30d`` (units ``h``, ``d``, ``w``) as a rotation; a value that
    cannot be read gives an unknown period."""
    match = _PERIOD.fullmatch(text.strip())
    return Rotation(float(match.group(1)) * _PERIOD_UNIT_DAYS[match.group(2)] if match else UNKNOWN, source)
