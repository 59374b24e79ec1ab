"""Conventions shared by the Terraform recognizers of every cloud: owner tags and the ``owner:``
text convention, ``time_rotating`` schedules, timestamps and durations, finding the resource an
attribute points at, and the environment entries of compute resources.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

from ..config.settings import Settings
from ..model import UNKNOWN, Credential, Expiry, Extraction, Location, Owner, Rotation, SecretLiteral, Unknown, Usage
from ..secrets.detect import credential_kind, find_in
from ..terraform.evaluate import UNKNOWN_MARK, Unknownish, collect_refs, json_partial
from ..terraform.module import BlockView, Module, Resource
from ..terraform.syntax.nodes import Call, Expr, GetAttr, Index, Literal, ObjectExpr, Splat, Variable, references
from .project import Project

_DAYS_PER_UNIT = {"rotation_minutes": 1 / 1440, "rotation_hours": 1 / 24, "rotation_days": 1, "rotation_months": 30, "rotation_years": 365}


class RootModuleView:
    """One root module (the modules it calls included) and the scan settings: what every step of
    a Terraform recognizer reads."""

    def __init__(self, module: Module, settings: Settings) -> None:
        self.module = module
        self.settings = settings

    def by_type(self, *types: str) -> dict[str, Resource]:
        return {r.address: r for r in self.module.resources_of(*types)}


def each_root_module(project: Project, read: Callable[[Module], Extraction]) -> Extraction:
    """What ``read`` finds in every root module, each record marked with the module it belongs to."""
    found = Extraction()
    for module in project.modules:
        found.extend(read(module).in_root_module(module.directory))
    return found


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

    Kubernetes (``refreshInterval``), Azure (``end_date_relative``) and Vault (TTLs) all write them;
    Google Cloud's protobuf durations (``86400s``) read the same way.
    """
    text = text.strip()
    if text == "0":
        return 0.0
    parts = list(_GO_DURATION_PART.finditer(text))
    if not parts or "".join(part.group(0) for part in parts) != text:
        return None
    return sum(float(number) * _GO_UNIT_SECONDS[unit] for number, unit in (part.groups() for part in parts))


# -- owners of resources that carry no tags ---------------------------------------------------------

_OWNER_VALUE = r"\s*[:=]\s*([A-Za-z0-9][\w.@/+-]*)"


def owner_by_convention(address: str, texts: Sequence[tuple[str, Any]], settings: Settings) -> tuple[Owner, str | None]:
    """The owner of a resource that has no tag or label map (a Google service account, an API
    key, an Entra ID application), and the field it was read from.

    In order: ``owner: <team>`` written in one of ``texts`` (``(field, value)`` pairs: a
    description, a display name, an application's string tags; the keys are the configured owner
    keys), then the config's ``owner_map``. A text that is not known before apply makes the owner
    unknown rather than missing.
    """
    unknown_field = None
    for field_name, text in texts:
        if isinstance(text, Unknown) or isinstance(text, list) and any(isinstance(t, Unknown) for t in text):
            unknown_field = unknown_field or field_name
        for written in known_strings(text):
            for key in settings.owner_keys:
                match = re.search(rf"(?i)(?<![\w-]){re.escape(key)}{_OWNER_VALUE}", written)
                if match:
                    return Owner(match.group(1).rstrip("."), f"{field_name} '{key}:'"), field_name
    mapped = owner_from_map(address, settings)
    if mapped is not None:
        return mapped, None
    if unknown_field:
        return Owner(UNKNOWN, f"{unknown_field} not known before apply"), None
    return Owner(None), None


def owner_from_map(address: str, settings: Settings) -> Owner | None:
    """The config's ``owner_map`` entry (a Terraform address or glob) matching an address."""
    for pattern, team in settings.owner_map:
        if fnmatchcase(address, pattern):
            return Owner(team, f"owner_map '{pattern}'")
    return None


# -- durations and timestamps ------------------------------------------------------------------------

_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?")


def duration_days(value: Any) -> float | Unknown | None:
    """A Go or protobuf duration attribute value in days; UNKNOWN when it is not one we can read."""
    if value is None:
        return None
    seconds = go_duration_seconds(value) if isinstance(value, str) else None
    return UNKNOWN if seconds is None else seconds / 86400


def timestamp_date(text: str) -> date | None:
    """The day of an RFC 3339 timestamp (``2027-03-31T00:00:00Z``) or an ISO date; None if neither."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:  # 2027-02-30
        return None


def expiry_at(view: BlockView, attribute: str, settings: Settings) -> Expiry | None:
    """When a credential stops being valid, from a timestamp attribute (``expiration_date``,
    ``end_date``, ``expire_time``), as a lifetime counted from ``settings.today``.

    ``time_rotating.x.rotation_rfc3339`` moves the date forward on a schedule: the lifetime is the
    schedule's period. ``timeadd(<start>, "2160h")`` lives the added duration. A value known only
    after apply is UNKNOWN. None when the attribute is not written (or is null).
    """
    value = view.value(attribute)
    if value is None:
        return None
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


# -- references that name an attribute ---------------------------------------------------------------

_NOT_RESOURCES = frozenset({"var", "local", "module", "each", "count", "path", "self", "terraform"})


def attribute_references(view: BlockView, attribute: str) -> frozenset[str]:
    """``type.name.attribute`` of every resource attribute an attribute's expression reads
    (``azurerm_cognitive_account.openai.primary_access_key``), where ``BlockView.refs`` names only
    the resource: whether a setting reads an account's key or its endpoint is in the attribute."""
    written = view.attribute(attribute)
    return expression_attribute_references(written.expr, view.module) if written else frozenset()


def expression_attribute_references(expression: Expr, module: Module) -> frozenset[str]:
    found: set[str] = set()
    _collect_attribute_references(expression, found)
    return frozenset(module.qualify(reference) for reference in found)


def _collect_attribute_references(node: Any, found: set[str]) -> None:
    names = _traversal_names(node)
    if names is not None:
        width = 4 if names[0] == "data" else 3
        if names[0] not in _NOT_RESOURCES and len(names) >= width:
            found.add(".".join(names[:width]))
        return
    for child in _sub_expressions(node):
        _collect_attribute_references(child, found)


def _traversal_names(node: Any) -> list[str] | None:
    """``a.b[0].c.d`` → [a, b, c, d] (index steps skipped); None when not a plain traversal."""
    names: list[str] = []
    while isinstance(node, (GetAttr, Index, Splat)):
        if isinstance(node, GetAttr):
            names.append(node.name)
        elif isinstance(node, Splat):
            names.extend(reversed([s for s in node.steps if isinstance(s, str)]))
        node = node.target
    if not isinstance(node, Variable) or not names:
        return None
    return [node.name, *reversed(names)]


def _sub_expressions(node: Any) -> Iterator[Any]:
    if not dataclasses.is_dataclass(node):
        return
    for item in dataclasses.fields(node):
        yield from _expressions_in(getattr(node, item.name))


def _expressions_in(value: Any) -> Iterator[Any]:
    if isinstance(value, tuple):
        for element in value:
            yield from _expressions_in(element)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value


# -- environment entries of workloads ----------------------------------------------------------------


@dataclass(frozen=True)
class EnvEntry:
    """One named setting a workload runs with (an environment variable, an app setting)."""

    name: str
    value: Any  # evaluated: links the entry to the credential it names
    literal: Any  # only what is written here: judged for hardcoded keys
    refs: frozenset[str] | None  # syntax references, when the entry is an expression of its own
    field: str
    location: Location
    attributes: frozenset[str] = frozenset()  # resource attributes it reads (attribute_references)
    kind: str = "env"  # the usage reads "<kind> <name>": "env OPENAI_API_KEY", "secret openai-key"

    def usage(self, workload: str, credential: str) -> Usage:
        """The workload reads ``credential`` through this entry; an environment variable keeps its
        name apart, for the inventory to read a provider from it."""
        via = f"{self.kind} {self.name}"
        return Usage(workload, credential, via, self.location, env_var=self.name if self.kind == "env" else None)


def map_entries(view: BlockView, attribute: str, field_name: str) -> Iterator[EnvEntry]:
    """The entries of a map attribute (``environment.variables``, ``app_settings``,
    ``environment_variables``), each at its own line when the map is written as an object."""
    written = view.attribute(attribute)
    values = view.value(attribute)
    if written is None or not isinstance(values, dict):
        return
    literals = view.literal_value(attribute)
    location = view.location_of(attribute)
    items = _object_items(written.expr)
    for name in sorted(values):
        expression, line = items.get(name, (None, None))
        yield EnvEntry(
            name, values[name], literals.get(name) if isinstance(literals, dict) else None,
            frozenset(view.module.qualify(r) for r in references(expression)) if expression is not None else frozenset(),
            f"{field_name}.{name}", Location(location.file, line, line) if line else location,
            expression_attribute_references(expression, view.module) if expression is not None else frozenset(),
        )


def block_entry(block: BlockView, name: str, value_attribute: str, field_name: str, kind: str = "env") -> EnvEntry:
    """An entry written as a block (``env { name = "X" value = … }``)."""
    return EnvEntry(
        name, block.value(value_attribute), block.literal_value(value_attribute), block.refs(value_attribute),
        field_name, block.location_of(value_attribute), attribute_references(block, value_attribute), kind,
    )


def _object_items(expression: Expr) -> dict[str, tuple[Expr, int]]:
    if not isinstance(expression, ObjectExpr):
        return {}
    lines = expression.item_lines or tuple(0 for _ in expression.items)
    return {key.value: (value, line) for (key, value), line in zip(expression.items, lines, strict=True) if isinstance(key, Literal)}


def read_entries(
    workload: str, entries: Iterable[EnvEntry], find_target: Callable[[EnvEntry], str | None]
) -> tuple[list[Usage], list[SecretLiteral]]:
    """Each entry either reads a credential (a usage) or is judged for a literal key written in it."""
    usages: list[Usage] = []
    literals: list[SecretLiteral] = []
    for entry in entries:
        target = find_target(entry)
        if target:
            usages.append(entry.usage(workload, target))
        else:
            literals += [SecretLiteral(entry.field, d.detector, d.fingerprint, entry.location, d.ai_provider) for _, d in find_in(entry.literal, entry.name)]
    return usages, literals


def referenced_credential(entry: EnvEntry, targets: Mapping[str, frozenset[str] | None]) -> str | None:
    """The credential an entry reads by reference: any attribute of a secret store (``None``), or
    one of the attributes that hold a key resource's secret (``{"primary_access_key", …}``)."""
    exact = collect_refs(entry.value) | (entry.refs or frozenset())
    for address in sorted(targets):
        base = address.split("[", 1)[0]
        if address not in exact and (base != address or base not in exact):
            continue
        attributes = targets[address]
        if attributes is None or any(f"{base}.{name}" in entry.attributes for name in attributes):
            return address
    return None


def literal_credential(resource: Resource, provider: str, literals: Sequence[SecretLiteral]) -> Credential:
    """The keys written into a workload's settings, as one literal credential at the workload."""
    return Credential(
        address=resource.address, provider=provider, source_type=resource.resource_type,
        kind=credential_kind(literals[0].detector), location=literals[0].location,
        name=resource.name, origin="literal", hardcoded=tuple(literals),
        ai_hints=tuple(literal.field.rsplit(".", 1)[-1] for literal in literals),
    )


def written_literals(view: BlockView, attribute: str, name: str | None = None) -> tuple[SecretLiteral, ...]:
    """Literal keys written into one attribute (a secret's value, or each entry of a JSON object
    written there with ``jsonencode``), at the attribute's lines."""
    value = view.literal_value(attribute)
    structure = json_partial(value) if isinstance(value, str) and value.lstrip().startswith("{") else value
    return tuple(
        SecretLiteral(path, d.detector, d.fingerprint, view.location_of(attribute), d.ai_provider)
        for path, d in find_in(structure if isinstance(structure, dict) else value, attribute, name=name)
    )


def partial_text(value: Any, placeholder: str = "\u0000") -> str | None:
    """A string value, or the known text of a partly unknown template with each unknown part
    replaced by ``placeholder`` (``"/subscriptions/${var.id}"`` → ``"/subscriptions/\\0"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknownish) and isinstance(value.partial, str):
        return value.partial.replace(UNKNOWN_MARK, placeholder)
    return None


# -- conventions for what a resource has no field of its own for -------------------------------------

#: Written as Kubernetes annotations, or as keys of a Vault metadata map (``custom_metadata``).
EXPIRES_KEY = "iac-guard.io/expires"
ROTATION_PERIOD_KEY = "iac-guard.io/rotation-period"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"(\d+(?:\.\d+)?)\s*([hdw])")
_PERIOD_UNIT_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0}


def stated_expiry(text: str, today: date, source: str) -> Expiry:
    """``iac-guard.io/expires: 2027-03-31`` as a lifetime counted from ``today``; a value that is
    not a date gives an unknown lifetime, never a failure."""
    day = None
    if _ISO_DATE.fullmatch(text.strip()):
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:  # 2026-02-30
            pass
    if day is None:
        return Expiry(UNKNOWN, source=source)
    return Expiry((day - today).days, expires_on=day.isoformat(), source=source)


def stated_rotation(text: str, source: str) -> Rotation:
    """``iac-guard.io/rotation-period: 30d`` (units ``h``, ``d``, ``w``) as a rotation; a value that
    cannot be read gives an unknown period."""
    match = _PERIOD.fullmatch(text.strip())
    return Rotation(float(match.group(1)) * _PERIOD_UNIT_DAYS[match.group(2)] if match else UNKNOWN, source)


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


def provider_alias(resource: Resource, local_name: str) -> str:
    """The alias of the root provider configuration a resource uses ("" for the default one),
    through ``provider = google.west`` and module calls' ``providers = {…}``."""
    written = resource.attribute("provider")
    local = next(iter(sorted(references(written.expr))), local_name) if written else local_name
    configuration = resource.module.root_provider(local)
    return configuration.split(".", 1)[1] if "." in configuration else ""


def held_credentials(view: BlockView, *attributes: str) -> tuple[str, ...]:
    """Resources whose attributes a value is written from (``secret_string =
    aws_iam_access_key.ci.secret``): the credentials a secret stores, for the inventory to judge
    whether it stores an AI credential. Variables, locals and data sources are not credentials."""
    refs: set[str] = set()
    for attribute in attributes:
        refs |= view.refs(attribute) | collect_refs(view.value(attribute))
    skipped = ("var.", "local.", "data.", "path.", "each.", "count.", "terraform.", "self.")
    return tuple(sorted(r for r in refs if not r.startswith(skipped)))
