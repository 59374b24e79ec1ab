"""Lifetimes: when a credential stops being valid, from a timestamp or duration attribute, or from
the ``iac-guard.io/expires`` convention for what has no field of its own."""

from __future__ import annotations

from datetime import date

from ...config.settings import Settings
from ...model import UNKNOWN, Expiry, Location
from ...terraform.syntax.nodes import Call
from ...terraform.view import BlockView
from .rotation import rotation_named_by
from .time_values import duration_days, epoch_date, timestamp_date

#: Written as a Kubernetes annotation, or as a key of a Vault metadata map (``custom_metadata``).
EXPIRES_KEY = "iac-guard.io/expires"


def expiry_at(view: BlockView, attribute: str, settings: Settings) -> Expiry | None:
    """When a credential stops being valid, from a timestamp attribute (``expiration_date``,
    ``end_date``, ``expire_time``; a number is seconds since 1970), as a lifetime counted from
    ``settings.today``.

    ``time_rotating.x.rotation_rfc3339`` moves the date forward on a schedule: the lifetime is the
    schedule's period. ``timeadd(<start>, "2160h")`` lives the added duration. A value known only
    after apply is UNKNOWN. None when the attribute is not written (or is null).
    """
    value = view.value(attribute)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = epoch_date(value)  # Key Vault's ``exp`` (an ARM body): seconds since 1970
        if day is None:
            return Expiry(UNKNOWN, source=f"{attribute} is not a timestamp")
        return Expiry((day - settings.today).days, source=attribute, expires_on=day.isoformat())
    if isinstance(value, str):
        day = timestamp_date(value)
        if day is None:
            return Expiry(UNKNOWN, source=f"{attribute} is not a timestamp")
        return Expiry((day - settings.today).days, source=attribute, expires_on=day.isoformat())
    expression = view.attribute(attribute).expr  # type: ignore[union-attr]
    if isinstance(expression, Call) and expression.name == "timeadd" and len(expression.args) == 2:
        added = view.module.evaluator.evaluate(expression.args[1])
        days = duration_days(added)
        return Expiry(days if isinstance(days, float) else UNKNOWN, source=f"{attribute} = timeadd(…, {added if isinstance(added, str) else '…'})")
    schedule = rotation_named_by(view.module, view, attribute)
    if schedule is not None:
        return Expiry(schedule.period_days, source=f"{attribute} follows {schedule.mechanism}")
    return Expiry(UNKNOWN, source=f"{attribute} not known before apply")


def stated_lifetime(
    view: BlockView, settings: Settings, timestamp: str, duration: str | None = None
) -> tuple[Expiry, dict[str, Location]] | None:
    """The lifetime a resource states, with the line stating it: a timestamp attribute
    (``expiry_at``), else a duration attribute (``end_date_relative = "2160h"``, ``ttl = "86400s"``);
    None when neither is written."""
    expiry = expiry_at(view, timestamp, settings)
    if expiry is not None:
        return expiry, {"expiry": view.location_of(timestamp)}
    if duration and view.has(duration):
        return Expiry(duration_days(view.value(duration)), source=duration), {"expiry": view.location_of(duration)}
    return None


def stated_expiry(text: str, today: date, source: str) -> Expiry:
    """``iac-guard.io/expires: 2027-03-31`` as a lifetime counted from ``today``; a value that is
    not a date gives an unknown lifetime, never a failure."""
    day = timestamp_date(text, time_of_day=False)
    if day is None:
        return Expiry(UNKNOWN, source=source)
    return Expiry((day - today).days, expires_on=day.isoformat(), source=source)
