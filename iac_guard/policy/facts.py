"""The field namespace policies read — the reference for policy authors.

Policies never see a ``Credential`` or a resource type: they read these facts by dotted path
(``owner.value``, ``item.fingerprint``), so one policy judges AWS keys and Kubernetes Secrets
alike. A value the scanner could not resolve stays ``Unknown``; a condition over it is UNKNOWN
and never fails a policy.

Every fact, with its type, is declared in ``fact_types.py``: the loader checks conditions against
those types and the policy reference (docs/policies.md, "Facts") is generated from them.

Text for messages, plain English: ``owner_text``, ``expiry_text``, ``rotation_text``,
``scope_text`` (wildcard reasons joined with "; ") and ``consumers_text`` (consumer addresses
joined with ", "). Messages may also name a policy's params (``{max_rotation_days}``).

No fact holds a secret value: the model only carries fingerprints.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from ..config.roster import fold_owner
from ..config.settings import Settings
from ..inventory.environments import is_production, kubernetes_namespace
from ..model import (
    UNKNOWN,
    Credential,
    Expiry,
    Flow,
    Grant,
    Location,
    Owner,
    Rotation,
    Scope,
    SecretLiteral,
    Unknown,
    Workload,
    is_unknown,
)

Facts = dict[str, Any]

#: Facts that are open mappings (a credential's or a consumer's ``tags``, ``owner.roles``): a
#: policy may read any key, and an absent key is None.
OPEN_FIELDS = frozenset({"tags", "roles"})


def credential_facts(credential: Credential, settings: Settings) -> Facts:
    """Everything a policy may read about one credential (see the module docstring), in the
    documented order: the report shows the facts as built."""
    consumers = tuple(credential.consumers)
    kept = _how_it_is_kept(credential, settings)
    workloads = {w.address: w for w in credential.consumer_workloads}
    facts_consumers = tuple(consumer_facts(address, workloads.get(address), settings) for address in consumers)
    static = tuple(_flow_facts(flow) for flow in credential.flows if flow.kind == "static")
    return {
        **_what_it_is(credential),
        **kept,
        "hardcoded": tuple(_literal_facts(literal) for literal in credential.hardcoded if _judged(literal, settings)),
        "consumers": facts_consumers,
        "consumer_count": len(consumers),
        "environment": credential.environment,
        "production": is_production(credential.environment, settings),
        "identity_platform": credential.identity_platform,
        "static_uses": static,
        "exposures": tuple(_flow_facts(flow) for flow in credential.flows if flow.kind == "exposed"),
        "parent": credential.parent,
        "tags": credential.tags if isinstance(credential.tags, Unknown) else dict(credential.tags),
        "owner_text": owner_text(credential.owner, settings),
        "expiry_text": expiry_text(credential.expiry),
        "rotation_text": rotation_text(credential.rotation),
        "scope_text": "; ".join(kept["scope"]["wildcard_reasons"]),
        "consumers_text": ", ".join(consumers),
        "consumer_environments_text": environments_text(facts_consumers),
    }


def _what_it_is(credential: Credential) -> Facts:
    return {
        "address": credential.address,
        "provider": credential.provider,
        "source_type": credential.source_type,
        "kind": credential.kind,
        "origin": credential.origin,
        "name": credential.name,
        "declared": credential.declared,
        "is_identity": credential.is_identity,
        "ai": bool(credential.ai_reasons),
        "ai_reasons": tuple(credential.ai_reasons),
    }


def _how_it_is_kept(credential: Credential, settings: Settings) -> Facts:
    """Owner, expiry, rotation and scope, each as the mapping policies read (``owner.inherited``)."""
    owner, expiry, rotation, scope = credential.owner, credential.expiry, credential.rotation, credential.scope
    return {
        "owner": {
            "value": owner.value, "source": owner.source, "inherited": owner.inherited,
            "current": owner_is_current(owner, settings),
            "roles": dict(owner.roles) if isinstance(owner.roles, tuple) else {},
            "missing_roles": missing_roles(owner, settings),
        },
        "expiry": {
            "lifetime_days": expiry.lifetime_days,
            "short_lived": expiry.short_lived,
            "expires_on": expiry.expires_on,
            "source": expiry.source,
        },
        "rotation": {"period_days": rotation.period_days, "mechanism": rotation.mechanism},
        "scope": {
            "wildcard": scope.wildcard,
            "wildcard_reasons": scope.wildcard_reasons,  # computed by the model on every read
            "inherited": scope.inherited_from is not None,
            "grant_count": len(scope.grants),
        },
    }


def consumer_facts(address: str, workload: Workload | None, settings: Settings) -> dict[str, Any]:
    """What a policy reads about one consumer (``some: {in: consumers, ...}``); a consumer whose
    record the scan lacks is known by its address alone."""
    if workload is None:
        return {"address": address, "kind": "", "provider": "", "platform": None, "environment": UNKNOWN, "production": UNKNOWN,
                "root_module": "", "namespace": None, "tags": {}}
    return {
        "address": address,
        "kind": workload.source_type,
        "provider": workload.provider,
        "platform": workload.platform,
        "environment": workload.environment,
        "production": is_production(workload.environment, settings),
        "root_module": workload.root_module,
        "namespace": kubernetes_namespace(address, workload.provider),
        "tags": workload.tags if isinstance(workload.tags, Unknown) else dict(workload.tags),
    }


def environments_text(consumers: Iterable[Mapping[str, Any]]) -> str:
    """Each consumer with its environment, for messages: ``a (prod), b (dev)``."""
    return ", ".join(f"{c['address']} ({display(c['environment'])})" for c in consumers)


def owner_is_current(owner: Owner, settings: Settings) -> bool | Unknown | None:
    """Whether every owner it names (the owner and each role's) is on the roster; None without
    a roster or an owner to look up."""
    if settings.owner_roster is None:
        return None
    if is_unknown(owner.value) or is_unknown(owner.roles):
        return UNKNOWN
    named = named_owners(owner)
    if not named:
        return None
    return all(fold_owner(name) in settings.owner_roster for name in named)


def named_owners(owner: Owner) -> list[str]:
    """The owner and each role's owner, once each, in order (an unknown owner names nobody)."""
    values = [owner.value, *(value for _, value in (owner.roles if isinstance(owner.roles, tuple) else ()))]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v.strip()))


def not_current(owner: Owner, settings: Settings) -> list[str]:
    """The owners it names that the roster lacks."""
    roster = settings.owner_roster or frozenset()
    return [name for name in named_owners(owner) if fold_owner(name) not in roster]


def missing_roles(owner: Owner, settings: Settings) -> tuple[str, ...] | Unknown:
    """The configured owner roles nothing names (or only a placeholder does)."""
    if not settings.owner_roles:
        return ()
    if isinstance(owner.roles, Unknown) or isinstance(owner.value, Unknown):
        return UNKNOWN
    named = dict(owner.roles)
    return tuple(
        role for role, _ in settings.owner_roles
        if not isinstance(named.get(role), str) or str(named[role]).strip().lower() in settings.placeholder_owners
    )


def _judged(literal: SecretLiteral, settings: Settings) -> bool:
    """A literal found only because its field is named for a secret (``password = "root"``), or
    a connection string's password, is a hardcoded secret only when every credential is judged:
    for AI credentials alone, a short local password beside an AI key is not what is asked."""
    return not literal.any_entropy or settings.scope == "all"


def _literal_facts(literal: SecretLiteral) -> dict[str, Any]:
    return {
        "field": literal.field,
        "detector": literal.detector,
        "fingerprint": literal.fingerprint,
        "ai_provider": literal.ai_provider,
        "severity": literal.severity,
        "file": literal.location.file,
        "line": literal.location.line,
    }


def _flow_facts(flow: Flow) -> dict[str, Any]:
    return {
        "source": flow.source, "how": flow.how, "instead": flow.instead, "file": flow.location.file, "line": flow.location.line,
        "platform": flow.platform, "identity_offered": flow.identity_offered,
    }


def owner_text(owner: Owner, settings: Settings) -> str:
    """Why the owner does or does not name somebody accountable, and who is missing."""
    if isinstance(owner.value, Unknown):
        return "owner could not be resolved"
    if owner.value is None:  # the keys are joined only for this text, not for every credential's
        keys = " or ".join(f"'{key}'" for key in settings.owner_keys)
        said = f"no {keys} tag, label or annotation"
    elif owner.value.lower() in settings.placeholder_owners:
        said = f"owner '{owner.value}' is a placeholder"
    else:
        said = f"owner '{owner.value}'{_details(source=owner.source)}"
    return "; ".join([said, *_owner_problems(owner, settings)])


def _owner_problems(owner: Owner, settings: Settings) -> list[str]:
    """What the roster and the owner roles say is wrong beyond the owner itself."""
    problems = []
    if settings.owner_roster is not None and not is_unknown(owner.roles):
        stale = not_current(owner, settings)
        if stale:
            roster = f"owners_file {settings.owners_file.name}" if settings.owners_file else "owners"
            problems.append(f"{', '.join(repr(n) for n in stale)} {'is' if len(stale) == 1 else 'are'} not a current owner (not in {roster})")
    missing = missing_roles(owner, settings)
    if not isinstance(missing, Unknown):
        keys = dict(settings.owner_roles)
        problems += [f"no {role} owner ({' or '.join(repr(k) for k in keys[role])})" for role in missing]
    return problems


def expiry_text(expiry: Expiry) -> str:
    days = expiry.lifetime_days
    never = f"never expires ({expiry.source})" if expiry.source else "never expires"
    return _stated(
        days, "has a lifetime that could not be resolved", never,
        lambda known: f"lives {_days(known)}{_details(until=expiry.expires_on, source=expiry.source)}",
    )


def rotation_text(rotation: Rotation) -> str:
    days = rotation.period_days
    via = f" via {rotation.mechanism}" if rotation.mechanism else ""
    return _stated(
        days, "rotation period could not be resolved", "no rotation mechanism", lambda known: f"rotates every {_days(known)}{via}"
    )


def _stated(value: float | Unknown | None, unknown: str, absent: str, known: Callable[[float], str]) -> str:
    """The text for a value that is unknown, known to be absent, or known."""
    if isinstance(value, Unknown):
        return unknown
    return absent if value is None else known(value)


def _days(count: float) -> str:
    return duration_text(count)


@lru_cache(maxsize=1024)
def duration_text(days: float) -> str:
    """A lifetime or period as people say it: ``30 days``, ``1 hour``, ``15 minutes``.

    Cached: a scan's credentials share a few lifetimes and periods (30, 90, 365 days).
    """
    unit, size = next(((u, s) for u, s in (("day", 1.0), ("hour", 1 / 24)) if days >= s), ("minute", 1 / 1440))
    amount = round(days / size, 1)
    shown = str(int(amount)) if float(amount).is_integer() else str(amount)
    return f"{shown} {unit}" if shown == "1" else f"{shown} {unit}s"


def _details(until: str | None = None, source: str = "") -> str:
    parts = ([f"until {until}"] if until else []) + ([f"from {source}"] if source else [])
    return f" ({', '.join(parts)})" if parts else ""


def lookup(namespace: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``owner.value``).

    A path through an unknown value is unknown, and through a known-absent one (None) is absent.
    A path the namespace does not have raises KeyError: the loader resolves every path against
    :func:`example_facts`, so a typo (``owner.vaule``) is a load-time error rather than a field
    that is silently always absent — which ``exists: false`` would turn into a finding.
    """
    value: Any = namespace
    for part, in_open_field in _steps(path):
        if type(value) is dict:  # what facts are made of: the general tests below are slow
            found = value.get(part, _ABSENT)
        elif value is None or isinstance(value, Unknown):
            return value
        elif isinstance(value, Mapping):
            found = value[part] if part in value else _ABSENT
        else:
            raise KeyError(path)
        if found is _ABSENT:
            if in_open_field:
                return None
            raise KeyError(path)
        value = found
    return value


_ABSENT = object()


@lru_cache(maxsize=1024)
def _steps(path: str) -> tuple[tuple[str, bool], ...]:
    """A path's parts, each with whether the part before it names an open field.

    Split once per path: the engine looks the same few paths up in every credential's facts.
    """
    steps = []
    previous = ""
    for part in path.split("."):
        steps.append((part, previous in OPEN_FIELDS))
        previous = part
    return tuple(steps)


def display(value: Any) -> str:
    """How a fact reads in a message: ``365`` not ``365.0``, lists joined, unknowns named."""
    if type(value) is str:  # most facts: skip the tests below
        return value
    if value is None:
        return "none"
    if is_unknown(value):
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(display(element) for element in value)
    if isinstance(value, Mapping) and "address" in value:  # a consumer reads as its address
        return display(value["address"])
    return str(value)


class _MessageFormatter(string.Formatter):
    """``str.format`` over dotted fact paths, with :func:`display` as the default rendering."""

    def get_field(self, field_name: str, args: Any, kwargs: Mapping[str, Any]) -> tuple[Any, str]:
        return lookup(kwargs, field_name), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        # A spec (``:.0f``) fits the field's known values; None and unknown still read as words.
        if not format_spec or value is None or is_unknown(value):
            return display(value)
        return format(value, format_spec)


_FORMATTER = _MessageFormatter()

#: Literal text, then the replacement field after it if any: path, conversion, format spec.
_Part = tuple[str, str | None, str | None, str]


def render(template: str, namespace: Mapping[str, Any]) -> str:
    """Fill a policy message. Raises KeyError/ValueError on a placeholder the namespace lacks."""
    parts = _compiled(template)
    if parts is None:
        return _FORMATTER.vformat(template, (), namespace)
    out = []
    for literal, field, conversion, spec in parts:
        out.append(literal)
        if field is not None:
            value = lookup(namespace, field)
            if conversion is not None:
                value = _FORMATTER.convert_field(value, conversion)
            out.append(_FORMATTER.format_field(value, spec))
    return "".join(out)


@lru_cache(maxsize=256)
def _compiled(template: str) -> tuple[_Part, ...] | None:
    """A template parsed once, since every finding of a policy fills the same message.

    None for the rare templates whose rendering (or error) only ``string.Formatter.vformat``
    gives exactly — malformed ones, numbered or automatic fields, fields inside a format spec —
    so that :func:`render` leaves them to it.
    """
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError:
        return None
    for _, field, spec, _ in parsed:
        if field is not None and (field == "" or field.isdigit() or (spec is not None and ("{" in spec or "}" in spec))):
            return None
    return tuple((literal, field, conversion, spec or "") for literal, field, spec, conversion in parsed)


_EXAMPLE = Credential(
    address="aws_iam_access_key.example",
    provider="aws",
    source_type="aws_iam_access_key",
    kind="access-key",
    location=Location("main.tf", 1, 9),
    name="example",
    owner=Owner("team-a", "tag owner"),
    expiry=Expiry(30, False, "time_rotating.example", "2026-01-31"),
    rotation=Rotation(30, "time_rotating.example"),
    scope=Scope(
        (Grant("aws_iam_user_policy.example statement 1", ("s3:*",), ("*",), ("s3:* on *",)),),
        inherited_from="aws_iam_user.example",
    ),
    hardcoded=(SecretLiteral("default", "openai-api-key", "sk-proj-…AAAA (56 chars, sha256:00000000)",
                             Location("main.tf", 3, 3), "OpenAI"),),
    ai_reasons=("'example' names an AI service",),
    consumers=("aws_lambda_function.example",),
    parent="aws_iam_user.example",
    tags={"owner": "team-a"},
    identity_platform="aws",
    flows=(
        Flow("static", "aws_iam_access_key.example", "workflow:.github/workflows/ci.yml/jobs/deploy", "passes it as a static key",
             "use OIDC instead", Location(".github/workflows/ci.yml", 12, 12), platform="github-actions"),
        Flow("exposed", "aws_iam_access_key.example", "output.example", "prints it", "mark it sensitive", Location("main.tf", 11, 11)),
    ),
)


def example_facts() -> Facts:
    """Facts of a credential with every field filled in.

    The loader resolves field paths and renders messages against it, so a policy that names a
    fact that does not exist fails when it loads instead of on the first matching credential.
    """
    return credential_facts(_EXAMPLE, Settings())
