"""Identities one recognizer's records reach by name when the scan may not declare them: a pod in
YAML runs as an IAM role defined in a Terraform root module, or in no file of the scan at all.

Each such identity has one scan-wide name, its *external address* (``aws_iam_role[name=ml-batch]``,
``ServiceAccount/ml/batch``, ``google_service_account[email=…]``). A recognizer that sees the
identity referenced but not declared makes an external identity record at that address
(``external_identity``: ``declared=False``, carrying the grants and usages it sees); the recognizer
that declares the identity gives its record the address as an alias (root ""), and the inventory
then folds every external record of that name into the declared one, grants included
(inventory/build.py), as the shard merge drops their findings (shard/merge.py). A name no
credential declares and no recognizer records reaches nothing, so a recognizer may name it
whenever the link is possible.

The address names no Terraform resource (no ``.`` before the bracket) and no Kubernetes object
kind it is not, so it cannot collide with a declared record's own address.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from ...model import UNKNOWN, Credential, CredentialKind, Expiry, Grant, Location, Owner, Rotation, Scope, Usage

#: ``eks-service-account:NS/NAME``: the role a ServiceAccount's pods get through IRSA's trust
#: policy or an EKS Pod Identity association (an alias only, never a record).
EKS_SERVICE_ACCOUNT = "eks-service-account:"


#: ``type[name=…]`` / ``type[email=…]``: no dot before the bracket, unlike a Terraform instance address.
_EXTERNAL_ADDRESS = re.compile(r"^(?P<type>[a-z][a-z0-9_]*)\[(?:name|email)=(?P<name>.+)\]$")
#: The kind of identity each external address type is.
_KINDS: dict[str, CredentialKind] = {"aws_iam_role": "role", "aws_iam_user": "user", "google_service_account": "service-account"}


def is_external_address(address: str) -> bool:
    """Whether an address is a cloud identity's external address (not a Kubernetes one, which is
    the cluster address a declared object has too)."""
    return _EXTERNAL_ADDRESS.match(address) is not None


def aws_role(name: str) -> str:
    """The IAM role of that name (an ARN's last segment): what an attachment by name or ARN, a
    workload's role ARN and an EKS ServiceAccount's ``eks.amazonaws.com/role-arn`` name."""
    return f"aws_iam_role[name={name}]"


def aws_user(name: str) -> str:
    return f"aws_iam_user[name={name}]"


def google_service_account(email: str) -> str:
    """The Google service account with that email (an IAM member ``serviceAccount:EMAIL``)."""
    return f"google_service_account[email={email}]"


def kubernetes_service_account(namespace: str, name: str) -> str:
    """A ServiceAccount's cluster address, declared or not: the same name either way."""
    return f"ServiceAccount/{namespace}/{name}"


def external_identity(
    address: str, provider: str, source_type: str, kind: CredentialKind, location: Location, name: str, kept_in: str,
    scope: Scope | None = None, evidence: Mapping[str, Location] | None = None,
) -> Credential:
    """An identity the scan sees referenced (granted, bound, run as) but not declared.

    ``source_type`` says what referenced it; ``kept_in`` where what it states about itself is
    kept. Its owner, expiry and rotation are unknown here — never failing — while its grants and
    consumers are what the scan sees: it is judged on scope and sharing."""
    return Credential(
        address=address, provider=provider, source_type=source_type, kind=kind, location=location, name=name,
        owner=Owner(UNKNOWN, source=f"kept in {kept_in}"), expiry=Expiry(UNKNOWN, source=f"kept in {kept_in}"),
        rotation=Rotation(UNKNOWN, f"kept in {kept_in}"), scope=scope or Scope(), ai_hints=(name,),
        evidence=dict(evidence or {}), declared=False,
    )


def external_identities(grants: Mapping[str, list[Grant]], usages: Iterable[Usage], provider: str, kept_in: str) -> list[Credential]:
    """A record for every identity a root module names at an external address (it grants it
    something, or a workload runs as it) but does not declare, with the grants the module gives
    it; its workloads reach it by their usages. Where it is written: the first place in the files
    that grants or names it."""
    places: dict[str, list[Location]] = defaultdict(list)
    for address, given in grants.items():
        if is_external_address(address):
            places[address] += [g.location for g in given if g.location]
    for usage in usages:
        if is_external_address(usage.credential) and usage.location:
            places[usage.credential].append(usage.location)
    result = []
    for address, locations in sorted((a, where) for a, where in places.items() if where):
        match = _EXTERNAL_ADDRESS.match(address)
        assert match is not None  # is_external_address held
        scope = Scope(tuple(grants.get(address, ())))
        wildcard = next((g.location for g in scope.grants if g.wildcard_reasons and g.location), None)
        result.append(external_identity(
            address, provider, f"{match['type']} named, not declared", _KINDS.get(match["type"], "role"), min(locations),
            match["name"], kept_in, scope, {"scope": wildcard} if wildcard else None,
        ))
    return result
