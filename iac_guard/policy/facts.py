"""The field namespace policies read — the reference for policy authors.

Policies never see a ``Credential`` or a resource type: they read these facts by dotted path
(``owner.value``, ``item.fingerprint``), so one policy judges AWS keys and Kubernetes Secrets
alike. A value the scanner could not resolve stays ``Unknown``; a condition over it is UNKNOWN
and never fails a policy.

=========================  =======================  ============================================
field                      type                     meaning
=========================  =======================  ============================================
address                    str                      Terraform address or ``Kind/namespace/name``
provider                   str                      recognizer family: aws, kubernetes, ...
source_type                str                      resource type or Kubernetes kind it came from
kind                       str                      access-key, api-key, secret, token, role, ...
origin                     str                      resource (defined in code) or literal (a value)
name                       str | Unknown            the credential's own name
is_identity                bool                     user, service-account, role, managed-identity
ai                         bool                     ``ai_reasons`` is not empty
ai_reasons                 list[str]                why it counts as an AI service credential
owner.value                str | None | Unknown     None: no owner recorded anywhere
owner.source               str                      "tag owner", "inherited from aws_iam_user.ci"
owner.inherited            bool                     the owner is its parent's
expiry.lifetime_days       number | None | Unknown  None: never expires
expiry.short_lived         bool | Unknown           short-lived by construction (STS, bound tokens)
expiry.expires_on          str | None               ISO date when the code states one
expiry.source              str                      where the lifetime was read
rotation.period_days       number | None | Unknown  None: nothing rotates it
rotation.mechanism         str                      what rotates it
scope.wildcard             bool                     a grant has a wildcard reason
scope.wildcard_reasons     list[str]                the reasons, in grant order
scope.inherited            bool                     its scope is its parent identity's
scope.grant_count          int                      permission statements granted to it
hardcoded                  list[item]               literal values; item: field, detector,
                                                    fingerprint, ai_provider, severity, file,
                                                    line (field-gated any-entropy literals and
                                                    connection-string passwords: scope all only)
consumers                  list[str]                addresses of the workloads that use it
identity_platform          str | None               the platform whose workload identities make
                                                    it unnecessary there (aws, gcp, azure), its
                                                    own or that of what it stores; None: none
static_uses                list[item]               where it is used as a long-lived static key;
                                                    item: source, how, instead, file, line,
                                                    platform (where the use runs, None: not
                                                    known), identity_offered (bool | Unknown:
                                                    that platform offers an identity in its
                                                    place — a CI sign-in with a stored key, or a
                                                    workload on its identity platform)
identity_for_every_use     bool | Unknown           it has static uses and every one's
                                                    identity_offered is true (unknown if one is
                                                    unknown and none false)
exposures                  list[item]               where its value is printed, baked or made
                                                    readable; item: source, how, instead, file,
                                                    line
consumer_count             int                      ``len(consumers)``
parent                     str | None               identity it belongs to (access key → user)
tags                       mapping                  any key (``tags.team``); absent key → None
item                       (with ``for_each``)      the current element of the for_each list
=========================  =======================  ============================================

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

from ..config.settings import Settings
from ..model import UNKNOWN, Credential, Expiry, Flow, Grant, Location, Owner, Rotation, Scope, SecretLiteral, Unknown, is_unknown

Facts = dict[str, Any]

#: Facts that are open mappings: a policy may read any key, and an absent key is None.
OPEN_FIELDS = frozenset({"tags"})


def credential_facts(credential: Credential, settings: Settings) -> Facts:
    """Everything a policy may read about one credential (see the module docstring), in the
    documented order: the report shows the facts as built."""
    consumers = tuple(credential.consumers)
    kept = _how_it_is_kept(credential)
    static = tuple(_flow_facts(flow) for flow in credential.flows if flow.kind == "static")
    return {
        **_what_it_is(credential),
        **kept,
        "hardcoded": tuple(_literal_facts(literal) for literal in credential.hardcoded if _judged(literal, settings)),
        "consumers": consumers,
        "consumer_count": len(consumers),
        "identity_platform": credential.identity_platform,
        "static_uses": static,
        "identity_for_every_use": _every(item["identity_offered"] for item in static),
        "exposures": tuple(_flow_facts(flow) for flow in credential.flows if flow.kind == "exposed"),
        "parent": credential.parent,
        "tags": credential.tags if is_unknown(credential.tags) else dict(credential.tags),
        "owner_text": owner_text(credential.owner, settings),
        "expiry_text": expiry_text(credential.expiry),
        "rotation_text": rotation_text(credential.rotation),
        "scope_text": "; ".join(kept["scope"]["wildcard_reasons"]),
        "consumers_text": ", ".join(consumers),
    }


def _what_it_is(credential: Credential) -> Facts:
    return {
        "address": credential.address,
        "provider": credential.provider,
        "source_type": credential.source_type,
        "kind": credential.kind,
        "origin": credential.origin,
        "name": credential.name,
        "is_identity": credential.is_identity,
        "ai": bool(credential.ai_reasons),
        "ai_reasons": tuple(credential.ai_reasons),
    }


def _how_it_is_kept(credential: Credential) -> Facts:
    """Owner, expiry, rotation and scope, each as the mapping policies read (``owner.inherited``)."""
    owner, expiry, rotation, scope = credential.owner, credential.expiry, credential.rotation, credential.scope
    return {
        "owner": {"value": owner.value, "source": owner.source, "inherited": owner.inherited},
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


def _every(truths: Iterable[bool | Unknown]) -> bool | Unknown:
    """All true (and at least one), in three-valued logic: a false one settles it, an unknown one
    leaves it unknown."""
    seen = unknown = False
    for truth in truths:
        if truth is False:
            return False
        unknown = unknown or isinstance(truth, Unknown)
        seen = True
    return UNKNOWN if unknown else seen


def owner_text(owner: Owner, settings: Settings) -> str:
    """Why the owner does or does not name somebody accountable."""
    if isinstance(owner.value, Unknown):
        return "owner could not be resolved"
    if owner.value is None:  # the keys are joined only for this text, not for every credential's
        keys = " or ".join(f"'{key}'" for key in settings.owner_keys)
        return f"no {keys} tag, label or annotation"
    if owner.value.lower() in settings.placeholder_owners:
        return f"owner '{owner.value}' is a placeholder"
    return f"owner '{owner.value}'{_details(source=owner.source)}"


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
    """A path's parts, each with whether the path walked before it is an open field.

    Split once per path: the engine looks the same few paths up in every credential's facts.
    """
    steps = []
    walked = ""
    for part in path.split("."):
        steps.append((part, walked in OPEN_FIELDS))
        walked = f"{walked}.{part}" if walked else part
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
