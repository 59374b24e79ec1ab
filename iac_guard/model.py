"""The neutral credential model every stage after extraction reads.

Recognizers translate provider resources into these records once; policies, the inventory and the
reports never see a resource type's own shape. Records are frozen so that a later stage cannot
quietly change what an earlier one concluded: the inventory derives new records with
``dataclasses.replace`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal


class Unknown:
    """A value iac-guard could not resolve (a resource attribute known only after apply, a variable
    without a value, a function we do not evaluate).

    It remembers which resources it was computed from, so the inventory can still link a workload
    to the role whose ``.arn`` it names even though the ARN itself is unknown. Policies treat it as
    "cannot tell": a condition over an unknown value never fails.
    """

    __slots__ = ("refs",)

    def __init__(self, refs: frozenset[str] = frozenset()) -> None:
        self.refs = refs

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.refs)})" if self.refs else "Unknown()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.refs == self.refs

    def __hash__(self) -> int:
        return hash(("Unknown", self.refs))

    def __bool__(self) -> bool:
        # Truth-testing an unknown is always a bug in the caller: it must decide what unknown means.
        raise TypeError("an Unknown value has no truth value; test it with is_unknown()")


UNKNOWN = Unknown()


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


CredentialKind = Literal[
    "access-key",
    "api-key",
    "service-account-key",
    "secret",
    "token",
    "client-secret",
    "user",
    "service-account",
    "role",
    "managed-identity",
]

#: Kinds that are identities: they hold no secret of their own but are granted scope and run
#: workloads. Expiry and rotation apply to the secrets they issue, not to them.
IDENTITY_KINDS: frozenset[str] = frozenset({"user", "service-account", "role", "managed-identity"})

Origin = Literal["resource", "literal"]
"""``resource``: a credential object defined in code (a Secret, a key resource, an identity).
``literal``: a secret value written inline (a variable default, an environment value); it has no
owner or rotation of its own and is judged only as hardcoded."""


@dataclass(frozen=True, order=True)
class Location:
    file: str  # relative to the scanned root, forward slashes
    line: int
    end_line: int


@dataclass(frozen=True)
class Owner:
    value: str | None | Unknown  # None: no owner is recorded anywhere
    source: str = ""  # where it came from: "tag owner", "label team", "inherited from aws_iam_user.ci"
    #: The owner is its parent's (an access key's is its user's): policies read this, never ``source``,
    #: which is prose for people. Not in the JSON report: it is what ``source`` says.
    inherited: bool = False
    #: (role, owner) per configured owner role (``owner_roles``), None where no key names it;
    #: unknown when the tags are not known before apply.
    roles: tuple[tuple[str, str | None], ...] | Unknown = ()

    @classmethod
    def of_parent(cls, parent: Owner, parent_address: str) -> Owner:
        """The owner a credential takes from the identity or resource it belongs to."""
        return cls(parent.value, f"inherited from {parent_address}", inherited=True, roles=parent.roles)


@dataclass(frozen=True)
class Expiry:
    """How long an issued secret stays valid.

    ``lifetime_days`` None means it never expires; ``short_lived`` marks credentials that are
    short-lived by construction (STS sessions, bound tokens, TTL of a day or less), which need no
    rotation schedule.
    """

    lifetime_days: float | None | Unknown
    short_lived: bool | Unknown = False
    source: str = ""
    expires_on: str | None = None  # ISO date when the code states a date rather than a lifetime


@dataclass(frozen=True)
class Rotation:
    period_days: float | None | Unknown  # None: nothing rotates it
    mechanism: str = ""  # what rotates it: "aws_secretsmanager_secret_rotation.openai", ...


@dataclass(frozen=True)
class Grant:
    """One permission statement that gives an identity scope.

    Wildcard judgement needs provider knowledge (which actions can be scoped to a resource, which
    managed policies are administrator policies), so the recognizer records its reasons here and
    policies only read them.
    """

    statement: str  # human label: "aws_iam_role_policy.agent statement 1", "ClusterRole/ops rule 1"
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    wildcard_reasons: tuple[str, ...] = ()
    location: Location | None = None


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...] = ()
    inherited_from: str | None = None  # an access key's scope is its user's

    @property
    def wildcard(self) -> bool:
        return any(grant.wildcard_reasons for grant in self.grants)

    @property
    def wildcard_reasons(self) -> tuple[str, ...]:
        return tuple(reason for grant in self.grants for reason in grant.wildcard_reasons)


@dataclass(frozen=True)
class SecretLiteral:
    """A secret value found written in code. Only the fingerprint ever leaves the loader."""

    field: str  # where in the resource: "default", "environment.variables.OPENAI_API_KEY"
    detector: str  # "openai-api-key", "aws-access-key-id", "high-entropy", ...
    fingerprint: str  # "sk-p…x7Qa (51 chars, sha256:1a2b3c4d)"
    location: Location
    ai_provider: str | None = None  # provider whose key format matched
    severity: Severity = "high"  # how bad a leak of the format is: "critical" for admin keys
    #: Found by the field's name alone (``password = "root"``) or as a connection string's
    #: password: a hardcoded secret only when every credential is judged (``--scope all``).
    any_entropy: bool = False


@dataclass(frozen=True)
class Credential:
    address: str
    provider: str  # recognizer family: aws, kubernetes, ...
    source_type: str  # the resource type or Kubernetes kind it was read from
    kind: CredentialKind
    location: Location
    name: str | Unknown = ""
    origin: Origin = "resource"
    owner: Owner = Owner(None)
    expiry: Expiry = Expiry(None)
    rotation: Rotation = Rotation(None)
    scope: Scope = Scope()
    hardcoded: tuple[SecretLiteral, ...] = ()
    #: Words that may name an AI provider (names, descriptions, secret keys, env var names); the
    #: AI classifier reads them, recognizers only collect them.
    ai_hints: tuple[str, ...] = ()
    ai_reasons: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()  # workload addresses, filled by the inventory
    parent: str | None = None  # identity this secret belongs to (access key -> its user)
    tags: Mapping[str, Any] | Unknown = field(default_factory=dict)  # unknown: set only at apply
    #: Where the evidence for a field ("owner", "expiry", "rotation", "scope") is written, so a
    #: finding points at what to change — possibly in another file (a policy in policies.tf).
    evidence: Mapping[str, Location] = field(default_factory=dict)
    #: The Terraform root module folder the address belongs to ("" for Kubernetes, whose names are
    #: cluster-wide): two root modules may both define ``aws_iam_role.app``, and they are not one.
    root_module: str = ""
    #: Other (root_module, address) names the same credential is used by: a Terraform
    #: ``kubernetes_secret.openai`` is also ``("", "Secret/ml/openai")`` to the Deployments in YAML
    #: that read it, so both formats' consumers count as one credential's.
    aliases: tuple[tuple[str, str], ...] = ()
    #: Credentials whose value this one stores (a secret version written from an access key's
    #: ``secret``, a Secret Manager version from an API key's ``key_string``): it is an AI
    #: credential when what it stores is one.
    holds: tuple[str, ...] = ()
    #: False for a credential the scan only sees used by name (a ``${{ secrets.X }}`` of a
    #: workflow, a Vault path a pod injects): what it states about itself is unknown, and a
    #: declared credential that has the name as an alias (a Terraform ``github_actions_secret``)
    #: replaces it in the inventory.
    declared: bool = True
    #: Where its value goes that policies judge (Flow), filled by the inventory.
    flows: tuple[Flow, ...] = ()
    #: Its environment (prod, staging, ...) as its tags, namespace or folder say, and its consumer
    #: workloads' records (each with its own environment): filled by the inventory.
    environment: str | Unknown = UNKNOWN
    consumer_workloads: tuple[Workload, ...] = ()
    #: The platform whose own workload identities make this credential unnecessary for workloads
    #: running on it (an IAM access key: "aws"; a service account key: "gcp"; an Entra client
    #: secret or an AI services key with local auth on: "azure"); None when no platform does. Set
    #: by the recognizer that knows the key type; a store holding the value takes it from what it
    #: holds (the inventory).
    identity_platform: str | None = None

    @property
    def is_identity(self) -> bool:
        return self.kind in IDENTITY_KINDS


@dataclass(frozen=True)
class Workload:
    address: str
    provider: str
    source_type: str
    location: Location
    identity: str | None = None  # address of the credential it runs as (role, ServiceAccount)
    #: Why the workload itself is an AI workload (a Bedrock agent, a SageMaker endpoint): its
    #: identity is then an AI credential. Names go to ai_hints for the classifier.
    ai_reasons: tuple[str, ...] = ()
    ai_hints: tuple[str, ...] = ()
    root_module: str = ""
    #: Its tags or labels (a workflow job's ``environment`` reads as the tag ``environment``): the
    #: inventory reads its environment from them, and policies read them per consumer.
    tags: Mapping[str, Any] | Unknown = field(default_factory=dict)
    environment: str | Unknown = UNKNOWN  # filled by the inventory
    #: Where it runs, as far as the code shows: "aws", "gcp", "azure" (a cloud's own compute, or
    #: pods with that cloud's node or identity marks), "github-actions", "gitlab-ci"; None when the
    #: code does not say (a container image, a Compose service, a notebook, a plain pod).
    platform: str | None = None
    #: What its platform gives it in place of a stored key, said to people: "its execution role".
    platform_identity: str = ""


@dataclass(frozen=True)
class Usage:
    """An edge: a workload uses a credential (as its identity, through env, a volume, ...)."""

    workload: str
    credential: str
    via: str  # "role", "serviceAccountName", "env OPENAI_API_KEY", "volume creds"
    location: Location | None = None
    root_module: str = ""  # of both ends: a usage never crosses root modules
    #: The environment variable the credential is read into, for the inventory to read a provider
    #: from its name (``OPENAI_API_KEY``); None when not read into one. Not in the JSON report:
    #: ``via`` states it for people.
    env_var: str | None = None

    @classmethod
    def through_env(cls, workload: str, credential: str, name: str, location: Location | None) -> Usage:
        """A credential read into the environment variable ``name``."""
        return cls(workload, credential, f"env {name}", location, env_var=name)


FlowKind = Literal["static", "exposed"]


@dataclass(frozen=True)
class Flow:
    """Where a credential's value goes that a policy judges, apart from who consumes it: used as a
    long-lived static key where the platform offers workload identity (``static``), or written
    where it is printed, baked or readable (``exposed``).

    ``credential`` names the credential as written (a ``github-secret:NAME`` a workflow reads);
    the inventory resolves it like a usage and lists the flow on the credential it reaches."""

    kind: FlowKind
    credential: str
    #: Who or what makes the flow: a workflow job, a Terraform output.
    source: str
    how: str  # "passes it as aws-access-key-id to aws-actions/configure-aws-credentials"
    instead: str  # what to do instead: "use OIDC: role-to-assume with id-token: write"
    location: Location
    root_module: str = ""
    #: Where the flow runs (a workload's ``platform``); None when the code does not say.
    platform: str | None = None
    #: For a static use: whether that platform offers a workload identity in the key's place —
    #: True for a CI sign-in the recognizer read, the same cloud for a key read by a cloud
    #: workload; UNKNOWN when the platform is not known. Exposures leave it True.
    identity_offered: bool | Unknown = True


@dataclass
class Extraction:
    """What one recognizer found. Mutable while it is being filled; frozen records inside."""

    credentials: list[Credential] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)

    def extend(self, other: Extraction) -> None:
        self.credentials.extend(other.credentials)
        self.workloads.extend(other.workloads)
        self.usages.extend(other.usages)
        self.flows.extend(other.flows)

    def in_root_module(self, root_module: str) -> Extraction:
        """The same records, marked as belonging to one Terraform root module."""
        return Extraction(
            [replace(c, root_module=root_module) for c in self.credentials],
            [replace(w, root_module=root_module) for w in self.workloads],
            [replace(u, root_module=root_module) for u in self.usages],
            [replace(f, root_module=root_module) for f in self.flows],
        )


Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_ORDER: Mapping[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not fail the gate: an inline comment or annotation, or a baseline entry.

    An inline suppression past its ``expires`` date is kept on the finding with ``expired`` set:
    it no longer suppresses, and reports say so.
    """

    reason: str
    expires: str | None = None  # ISO date; valid through that day
    source: str = ""  # "comment", "annotation", "baseline"
    owner: str | None = None
    expired: bool = False
    location: Location | None = None  # where the suppression is written


@dataclass(frozen=True)
class Finding:
    policy_id: str
    category: str
    severity: str
    title: str
    message: str
    resource: str
    file: str
    line: int
    end_line: int
    controls: Mapping[str, tuple[str, ...]]
    remediation: str = ""
    ai_reasons: tuple[str, ...] = ()
    fingerprint: str | None = None  # of a hardcoded value, never the value
    suppression: Suppression | None = None
    #: The judged credential's own block or object (a finding may point into another file): where
    #: a resource-level suppression is written and which file ``--diff-base`` asks about.
    resource_location: Location | None = None
    #: With a baseline: "unchanged" (recorded in it) or "new"; None without a baseline, and for a
    #: finding suppressed inline that the baseline does not record.
    baseline_state: str | None = None
    #: The root modules the finding was judged in, sorted ("" for Kubernetes): a module's resource
    #: judged alike under several roots (a module repository's ``examples/``) is one finding.
    root_modules: tuple[str, ...] = ()

    @property
    def root_module(self) -> str:
        """The first root module it was judged in (every report carries it)."""
        return self.root_modules[0] if self.root_modules else ""

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None and not self.suppression.expired

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.policy_id, self.resource, self.message)


@dataclass(frozen=True)
class Check:
    """One policy applied to one credential, failing or not (a JUnit test case)."""

    policy_id: str
    resource: str
    location: Location


@dataclass(frozen=True)
class ScanError:
    """A problem with one input (a file that does not parse, a file we may not read).

    The message never contains file content beyond what the parser names (token kinds, not
    values), so an error on a line that holds a secret cannot print it.
    """

    file: str
    message: str
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"



@dataclass(frozen=True, order=True)
class ScanNote:
    """Something a scan chose not to follow or could not read as what it is, and says so: a
    remote kustomize base it does not fetch, Helm templates it cannot render. Never an error and
    never a failure (nothing in the scanned files is wrong), but a gate that passed must not hide
    what it did not see. Ordered by file, line, message; a report shows each once."""

    file: str
    message: str
    line: int | None = None

    def render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

Value = str | int | float | bool | None | list | dict | Unknown
