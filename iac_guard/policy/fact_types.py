"""The type of every fact policies read: one table that the loader checks conditions against, the
policy reference documents and ``policies explain`` quotes.

A schema can say that ``matches`` takes a string; only the fact's type can say that ``matches``
on ``consumers`` (a list) or ``gt`` on ``owner.value`` (text) would never fire. The loader refuses
such a condition when the pack loads, naming the file, policy and field, instead of letting the
policy silently never fail anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "number", "bool", "scalar", "list", "object", "map"]
#: ``scalar``: text, a number or a bool, whichever was written (a tag's value).
SCALARS: frozenset[str] = frozenset({"text", "number", "bool", "scalar"})


@dataclass(frozen=True)
class FactType:
    """What a fact holds. ``absent``: it may be known to be missing (None); ``unknown``: it may be
    unresolved, and a condition over it is then UNKNOWN."""

    kind: Kind
    element: FactType | None = None  # of a list
    fields: tuple[Fact, ...] = ()  # of an object
    name: str = ""  # an object type's name in the reference ("consumer")
    absent: bool = False
    unknown: bool = False

    def field(self, name: str) -> Fact | None:
        return next((f for f in self.fields if f.name == name), None)

    def __str__(self) -> str:
        if self.kind == "list":
            shown = f"list of {self.element}"
        elif self.kind == "object":
            shown = self.name or "object"
        elif self.kind == "map":
            shown = f"map of {self.element}"
        else:
            shown = self.kind
        return shown + (" | none" if self.absent else "") + (" | unknown" if self.unknown else "")


@dataclass(frozen=True)
class Fact:
    name: str
    type: FactType
    meaning: str


def _t(kind: Kind, absent: bool = False, unknown: bool = False) -> FactType:
    return FactType(kind, absent=absent, unknown=unknown)


TEXT = _t("text")
TEXT_LIST = FactType("list", element=TEXT)
TAGS = FactType("map", element=_t("scalar", absent=True), unknown=True)


def _object(name: str, *fields: Fact) -> FactType:
    return FactType("object", fields=fields, name=name)


LITERAL = _object(
    "literal",
    Fact("field", TEXT, "the attribute, env var or key path the value is written in"),
    Fact("detector", TEXT, "which detector matched: openai-api-key, generic-secret, ..."),
    Fact("fingerprint", TEXT, "a redacted fingerprint of the value (never the value)"),
    Fact("ai_provider", _t("text", absent=True), "the AI provider the key format belongs to"),
    Fact("severity", TEXT, "the severity the key format gives a leak"),
    Fact("file", TEXT, "file of the value"),
    Fact("line", _t("number"), "line of the value (of the match, inside a longer value)"),
)

FLOW = _object(
    "flow",
    Fact("source", TEXT, "who or what makes the flow: a workflow job, a Terraform output"),
    Fact("how", TEXT, "what it does with the value"),
    Fact("instead", TEXT, "what to do instead"),
    Fact("file", TEXT, "file of the flow"),
    Fact("line", _t("number"), "line of the flow"),
    Fact("platform", _t("text", absent=True), "where the use runs: aws, gcp, azure, github-actions, gitlab-ci; none: not known"),
    Fact("identity_offered", _t("bool", unknown=True),
         "that platform offers an identity in the key's place (a static use: a CI sign-in with a stored key, a workload on its identity platform)"),
)

CONSUMER = _object(
    "consumer",
    Fact("address", TEXT, "the workload's address"),
    Fact("kind", TEXT, "its resource type or kind: aws_lambda_function, Deployment, workflow job"),
    Fact("provider", TEXT, "its recognizer family: aws, kubernetes, github-actions, ..."),
    Fact("platform", _t("text", absent=True), "where it runs: aws, gcp, azure, github-actions, gitlab-ci; none: not known"),
    Fact("environment", _t("text", unknown=True), "its environment (docs/owners-and-environments.md); unknown when nothing says"),
    Fact("production", _t("bool", unknown=True), "its environment is one of production_environments"),
    Fact("root_module", TEXT, "its Terraform root module folder (empty for other formats)"),
    Fact("namespace", _t("text", absent=True), "its Kubernetes namespace"),
    Fact("tags", TAGS, "its tags or labels; an absent key is none"),
)

FACTS: tuple[Fact, ...] = (
    Fact("address", TEXT, "Terraform address or `Kind/namespace/name`"),
    Fact("provider", TEXT, "recognizer family: aws, kubernetes, ..."),
    Fact("source_type", TEXT, "resource type or Kubernetes kind it came from"),
    Fact("kind", TEXT, "access-key, api-key, secret, token, role, ..."),
    Fact("origin", TEXT, "resource (defined in code) or literal (a value)"),
    Fact("name", _t("text", unknown=True), "the credential's own name"),
    Fact("declared", _t("bool"), "false for a credential the scan only sees used by name"),
    Fact("is_identity", _t("bool"), "user, service-account, role, managed-identity"),
    Fact("ai", _t("bool"), "`ai_reasons` is not empty"),
    Fact("ai_reasons", TEXT_LIST, "why it counts as an AI service credential"),
    Fact("owner", _object(
        "owner",
        Fact("value", _t("text", absent=True, unknown=True), "the owner; none: no owner recorded anywhere"),
        Fact("source", TEXT, "where it was read: \"tag owner\", \"inherited from aws_iam_user.ci\""),
        Fact("inherited", _t("bool"), "the owner is its parent's"),
        Fact("current", _t("bool", absent=True, unknown=True),
             "the owner is on the configured roster (`owners`, `owners_file`); none without a roster or an owner"),
        Fact("roles", FactType("map", element=_t("text", absent=True)), "the owner of each configured role (`owner_roles`)"),
        Fact("missing_roles", FactType("list", element=TEXT, unknown=True), "configured roles no tag names; unknown when the tags are"),
    ), "who is accountable for it"),
    Fact("expiry", _object(
        "expiry",
        Fact("lifetime_days", _t("number", absent=True, unknown=True), "none: never expires"),
        Fact("short_lived", _t("bool", unknown=True), "short-lived by construction (STS, bound tokens)"),
        Fact("expires_on", _t("text", absent=True), "ISO date when the code states one"),
        Fact("source", TEXT, "where the lifetime was read"),
    ), "how long an issued secret stays valid"),
    Fact("rotation", _object(
        "rotation",
        Fact("period_days", _t("number", absent=True, unknown=True), "none: nothing rotates it"),
        Fact("mechanism", TEXT, "what rotates it"),
    ), "what replaces it on a schedule"),
    Fact("scope", _object(
        "scope",
        Fact("wildcard", _t("bool"), "a grant has a wildcard reason"),
        Fact("wildcard_reasons", TEXT_LIST, "the reasons, in grant order"),
        Fact("inherited", _t("bool"), "its scope is its parent identity's"),
        Fact("grant_count", _t("number"), "permission statements granted to it"),
    ), "what it may do"),
    Fact("hardcoded", FactType("list", element=LITERAL),
         "literal values (field-gated any-entropy literals and connection-string passwords: scope all only)"),
    Fact("consumers", FactType("list", element=CONSUMER), "the workloads that use it"),
    Fact("consumer_count", _t("number"), "`len(consumers)`"),
    Fact("environment", _t("text", unknown=True), "its own environment (docs/owners-and-environments.md); unknown when nothing says"),
    Fact("production", _t("bool", unknown=True), "its environment is one of production_environments"),
    Fact("identity_platform", _t("text", absent=True),
         "the platform whose workload identities make it unnecessary there (aws, gcp, azure), its own or what it stores"),
    Fact("static_uses", FactType("list", element=FLOW),
         "where it is used as a long-lived static key though the platform offers workload identity"),
    Fact("exposures", FactType("list", element=FLOW), "where its value is printed, baked or made readable"),
    Fact("parent", _t("text", absent=True), "identity it belongs to (access key → user)"),
    Fact("tags", TAGS, "any key (`tags.team`); an absent key is none"),
    Fact("owner_text", TEXT, "the owner, in words, for messages"),
    Fact("expiry_text", TEXT, "the lifetime, in words, for messages"),
    Fact("rotation_text", TEXT, "the rotation, in words, for messages"),
    Fact("scope_text", TEXT, "wildcard reasons joined with \"; \""),
    Fact("consumers_text", TEXT, "consumer addresses joined with \", \""),
    Fact("consumer_environments_text", TEXT, "each consumer with its environment: `a (prod), b (dev)`"),
)

ROOT = _object("credential", *FACTS)


class FactPathError(Exception):
    """A path that names no fact, or walks into a list without a quantifier."""


def type_of(path: str, bound: Mapping[str, FactType] | None = None) -> FactType:
    """The type at a dotted path; ``bound`` names the elements a ``for_each`` (``item``) or a
    quantifier (``each``, or its ``as``) brings into scope."""
    head, *rest = path.split(".")
    scope = dict(bound or {})
    current = scope[head] if head in scope else _field(ROOT, head, path)
    for part in rest:
        if current.kind == "map":
            assert current.element is not None
            current = current.element
        elif current.kind == "object":
            current = _field(current, part, path)
        elif current.kind == "list":
            raise FactPathError(f"{path!r} reads into a list: judge its elements with some, every or none")
        else:
            raise FactPathError(f"{path!r} reads into {current.kind} fact {head!r}")
    return current


def _field(parent: FactType, name: str, path: str) -> FactType:
    found = parent.field(name)
    if found is None:
        raise FactPathError(f"unknown field {path!r} (the facts are listed in docs/policies.md, \"Facts\")")
    return found.type


def walk(facts: tuple[Fact, ...] = FACTS, prefix: str = "") -> Iterator[tuple[str, Fact]]:
    """Every fact with its path, objects before their fields; list elements as ``path[]``."""
    for fact in facts:
        path = f"{prefix}{fact.name}"
        yield path, fact
        if fact.type.kind == "object":
            yield from walk(fact.type.fields, f"{path}.")
        elif fact.type.kind == "list" and fact.type.element is not None and fact.type.element.kind == "object":
            yield from walk(fact.type.element.fields, f"{path}[].")


@dataclass(frozen=True)
class Operand:
    """What an operator needs its field to be, for the load-time check."""

    kinds: frozenset[str]
    wants: str = field(default="")  # the words of the error: "a number", "text"


#: The kinds of field each operator can apply to; exists applies to everything.
OPERAND_KINDS: dict[str, Operand] = {
    "is": Operand(SCALARS, "text, a number or a bool"),
    "in": Operand(SCALARS, "text, a number or a bool"),
    "matches": Operand(frozenset({"text", "scalar"}), "text"),
    "gt": Operand(frozenset({"number", "scalar"}), "a number"),
    "gte": Operand(frozenset({"number", "scalar"}), "a number"),
    "lt": Operand(frozenset({"number", "scalar"}), "a number"),
    "lte": Operand(frozenset({"number", "scalar"}), "a number"),
    "count_gte": Operand(frozenset({"list"}), "a list"),
}


def reference_section(level: int = 1) -> list[str]:
    """The facts table for the policy reference, generated from :data:`FACTS`."""
    h = "#" * level
    lines = [
        f"{h} Facts",
        "",
        "What a policy's `fails_when` may read, by dotted path, with its type. A fact that may be *unknown* "
        "(a value known only after apply) makes a test over it unknown, and unknown never fails. A list is "
        "judged element by element with `some` / `every` / `none` (`{some: {in: consumers, as: c, where: ...}}`); "
        "`for_each: LIST` judges each element as `item`. An operator that cannot apply to a fact's type "
        "(`matches` on a list, `gt` on text) is refused when the pack loads.",
        "",
        "| field | type | meaning |",
        "| --- | --- | --- |",
    ]
    lines += [table_row(path, fact) for path, fact in walk()]
    return lines + [""]


def table_row(path: str, fact: Fact) -> str:
    """A fact as a row of a Markdown table (its type's ``|`` escaped)."""
    shown = str(fact.type).replace("|", "\\|")
    return f"| `{path}` | {shown} | {fact.meaning} |"
