"""Joins what the recognizers found into one credential inventory.

Everything that needs the whole graph is computed here, once, for every provider: which workloads
use a credential (sharing), which identities are AI identities because of what their workloads use,
and the lifetime of a secret that is replaced on a schedule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..config.settings import Settings
from ..model import UNKNOWN, Credential, Expiry, Extraction, Flow, Unknown, Usage, Workload
from . import ai
from .environments import environment_of
from .static_uses import identity_platforms, static_flows


@dataclass(frozen=True)
class Inventory:
    credentials: tuple[Credential, ...]
    workloads: tuple[Workload, ...]
    usages: tuple[Usage, ...]

    def credentials_at(self, address: str) -> list[Credential]:
        """Every credential with this address (one per root module that defines it)."""
        return [c for c in self.credentials if c.address == address]


#: Records are identified by their root module and address: two root modules may both define
#: ``aws_iam_role.app``, and those are two roles.
Key = tuple[str, str]


def build_inventory(extraction: Extraction, settings: Settings | None = None) -> Inventory:
    settings = settings or Settings()
    credentials = _without_shadowed(_merge_duplicates(extraction.credentials))
    graph = _Graph(
        credentials, (_placed(w, settings) for w in extraction.workloads),
        [*extraction.usages, *_copy_usages(credentials, extraction.usages)],
    )
    reasons = _classify(credentials, graph)
    flows = _flows(extraction.flows, graph, credentials)
    for key, credential in credentials.items():
        credentials[key] = _derived(
            credential, tuple(sorted(graph.consumers.get(key, ()))), _expiry_from_rotation(credential), reasons[key]
        )
        credentials[key] = replace(
            credentials[key],
            # A credential known only by use is where it is used, not where it lives: unknown.
            environment=environment_of(credential.address, credential.provider, credential.location.file,
                                       credential.root_module, credential.tags, settings) if credential.declared else UNKNOWN,
            consumer_workloads=tuple(sorted(
                (graph.workloads[k] for k in graph.consumer_keys.get(key, ()) if k in graph.workloads), key=lambda w: (w.address, w.root_module)
            )),
            flows=tuple(flows[key]) if key in flows else credentials[key].flows,
        )
        if credential.parent is None and len(credential.holds) == 1 and graph.resolve(key[0], credential.holds[0]):
            credentials[key] = replace(credentials[key], parent=credential.holds[0])  # a copy links back to its source
    return Inventory(
        credentials=tuple(credentials[k] for k in sorted(credentials, key=lambda k: (k[1], k[0]))),
        workloads=tuple(graph.workloads[k] for k in sorted(graph.workloads, key=lambda k: (k[1], k[0]))),
        usages=tuple(u if u.credential == target[1] else replace(u, credential=target[1]) for u, target in graph.edges),
    )


def _placed(workload: Workload, settings: Settings) -> Workload:
    """The workload with the environment its tags, namespace or folders say."""
    environment = environment_of(workload.address, workload.provider, workload.location.file, workload.root_module, workload.tags, settings)
    return replace(workload, environment=environment)


def _derived(credential: Credential, consumers: tuple[str, ...], expiry: Expiry, ai_reasons: tuple[str, ...]) -> Credential:
    """The credential with what the inventory derived, in one copy, or the record itself when that
    changes nothing (no consumers, no schedule, no reason): ``replace`` is not cheap."""
    if expiry is credential.expiry and consumers == credential.consumers and ai_reasons == credential.ai_reasons:
        return credential
    return replace(credential, consumers=consumers, expiry=expiry, ai_reasons=ai_reasons)


class _Graph:
    """Workloads, and which credential each usage reaches once aliases are resolved.

    A usage keeps the workload's root module and names the credential as written (a YAML
    Deployment naming ``Secret/ml/openai``); the edge it makes leads to the credential that name
    stands for (a Terraform ``kubernetes_secret_v1.openai``), so sharing, identities and AI
    relevance see one credential whatever format defined it. The inventory lists each usage with
    the credential's own address.
    """

    def __init__(self, credentials: dict[Key, Credential], workloads: Iterable[Workload], usages: Iterable[Usage]) -> None:
        self.credentials = credentials
        self._aliases = {alias: key for key, credential in credentials.items() for alias in credential.aliases}
        self.workloads = {(w.root_module, w.address): w for w in workloads}
        unique = {(u.root_module, u.workload, u.credential, u.via): u for u in usages}
        self.edges: list[tuple[Usage, Key]] = sorted(
            ((u, target) for u in unique.values() if (target := self.resolve(u.root_module, u.credential)) is not None),
            key=lambda edge: (edge[1], edge[0].workload, edge[0].via, edge[0].root_module),
        )
        self.consumers: dict[Key, set[str]] = defaultdict(set)
        self.consumer_keys: dict[Key, set[Key]] = defaultdict(set)
        self.uses: dict[Key, set[Key]] = defaultdict(set)
        for usage, target in self.edges:
            self.consumers[target].add(usage.workload)
            self.consumer_keys[target].add((usage.root_module, usage.workload))
            self.uses[(usage.root_module, usage.workload)].add(target)

    def resolve(self, root: str, address: str | None) -> Key | None:
        """The credential a name in a root module stands for, directly or by alias.

        Kubernetes names (``Secret/ml/openai``) are cluster-wide — root "" — and visible from any
        root module; they never collide with Terraform addresses, which hold no ``/``.
        """
        if address is None:
            return None
        for key in ((root, address), ("", address)):
            if key in self.credentials:
                return key
            if key in self._aliases:
                return self._aliases[key]
        return None


def _copy_usages(credentials: dict[Key, Credential], usages: Iterable[Usage]) -> list[Usage]:
    """A credential that stores another's value (``holds``: a Secrets Manager version, an SSM
    parameter, a Secret, a Vault KV secret or a CI secret written from it) is a consumer of it: one
    key copied into three stores is shared by three. A copy already using its source (a CI
    secret's own usage) is not counted twice."""
    existing = {(u.root_module, u.workload, u.credential) for u in usages}
    return [
        Usage(address, held, "holds a copy of its value", credential.location, root_module=root)
        for (root, address), credential in credentials.items()
        for held in credential.holds
        if held != address and (root, address, held) not in existing
    ]


def _merge_duplicates(found: Iterable[Credential]) -> dict[Key, Credential]:
    """Two records for one address (a workload with literal keys found twice) become one."""
    merged: dict[Key, Credential] = {}
    for credential in found:
        key = (credential.root_module, credential.address)
        existing = merged.get(key)
        if existing is None:
            merged[key] = credential
        else:
            merged[key] = replace(
                existing,
                hardcoded=existing.hardcoded + credential.hardcoded,
                ai_hints=existing.ai_hints + credential.ai_hints,
            )
    return merged


def _flows(found: Iterable[Flow], graph: _Graph, credentials: dict[Key, Credential]) -> dict[Key, list[Flow]]:
    """Each flow on the credential its name reaches, like a usage's, with the static uses only the
    graph shows (static_uses.py); in a stable order."""
    reached = [(target, flow) for flow in set(found) if (target := graph.resolve(flow.root_module, flow.credential)) is not None]
    platforms = identity_platforms(credentials, graph.resolve)
    reached += static_flows(graph.edges, graph.workloads, platforms, credentials)
    flows: dict[Key, list[Flow]] = defaultdict(list)
    for target, flow in sorted(set(reached), key=_flow_order):
        flows[target].append(flow)
    return flows


def _flow_order(reached: tuple[Key, Flow]) -> tuple[object, ...]:
    target, flow = reached
    return (flow.location, flow.kind, flow.source, flow.how, flow.instead, target)


def _without_shadowed(credentials: dict[Key, Credential]) -> dict[Key, Credential]:
    """Credentials known only by use or by name (``declared`` false) fold into the credential that
    name stands for: a declared one that has it as an alias, else the scan-wide record (root "")
    of that name — an IAM role attached to by name in two root modules and annotated on a
    ServiceAccount is one external role. Their usages then reach it by the name, and the grants
    they were given go with them (common/identity_names.py)."""
    aliased = {alias: key for key, credential in credentials.items() for alias in credential.aliases}
    kept = dict(credentials)
    for key in sorted(k for k, c in credentials.items() if not c.declared):
        target = _fold_target(key, aliased, credentials)
        if target is not None and target in kept:
            kept[target] = _with_grants_of(kept[target], kept.pop(key))
    return kept


def _fold_target(key: Key, aliased: dict[Key, Key], credentials: dict[Key, Credential]) -> Key | None:
    """The credential an undeclared record's name stands for, following a scan-wide record to the
    declared one that has its name; None when the record stands for itself."""
    root, address = key
    target = aliased.get(key) or aliased.get(("", address))
    if target is None and root and ("", address) in credentials:
        target = ("", address)
        target = aliased.get(target, target) if not credentials[target].declared else target
    return target if target != key else None


def _with_grants_of(target: Credential, folded: Credential) -> Credential:
    """The target with the grants (and AI hints) of a record folded into it."""
    if not folded.scope.grants and not folded.ai_hints:
        return target
    grants = tuple(dict.fromkeys((*target.scope.grants, *folded.scope.grants)))
    evidence = dict(target.evidence)
    if "scope" in folded.evidence:
        evidence.setdefault("scope", folded.evidence["scope"])
    return replace(
        target, scope=replace(target.scope, grants=grants), evidence=evidence,
        ai_hints=tuple(dict.fromkeys((*target.ai_hints, *folded.ai_hints))),
    )


def _expiry_from_rotation(credential: Credential) -> Expiry:
    """A secret replaced on a schedule lives no longer than the schedule: that is its expiry."""
    expiry, period = credential.expiry, credential.rotation.period_days
    if expiry.lifetime_days is None and not _is_true(expiry.short_lived) and isinstance(period, (int, float)):
        return Expiry(period, False, f"rotation by {credential.rotation.mechanism}")
    if expiry.lifetime_days is None and isinstance(period, Unknown):
        return Expiry(period, expiry.short_lived, f"replaced on a schedule not known before apply ({credential.rotation.mechanism})")
    return expiry


def _is_true(value: object) -> bool:
    return value is True


def _classify(credentials: dict[Key, Credential], graph: _Graph) -> dict[Key, tuple[str, ...]]:
    """Every credential's ``ai_reasons``: direct evidence first, then what flows along usages and parents."""
    reasons: dict[Key, list[str]] = {k: list(ai.direct_reasons(c)) for k, c in credentials.items()}
    for usage, target in graph.edges:
        name = usage.env_var
        provider = ai.provider_named_by(name) if name else None
        if provider:
            reasons[target].append(f"used as {name} by {usage.workload} ({provider.name})")
    identities = _identity_links(graph)
    holdings = _holding_links(credentials, graph)
    changed = True
    while changed:  # each round only adds reasons, and there are finitely many: it ends
        changed = False
        for address, identity, cause, used in identities:
            if reasons[identity]:
                continue
            used_ai = next((u for u in used if reasons[u]), None)
            if cause or used_ai:
                reasons[identity].append(
                    f"identity of {address}, which uses the AI credential {used_ai[1]}" if used_ai
                    else f"identity of {address} ({cause})"
                )
                changed = True
        changed = _spread_along_holdings(holdings, reasons) or changed
    return {key: tuple(dict.fromkeys(found)) for key, found in reasons.items()}


def _spread_along_holdings(holdings: list[tuple[Key, list[Key], Key | None]], reasons: dict[Key, list[str]]) -> bool:
    """One round of AI relevance between copies and what they copy, and between secrets and the
    identity they are issued for, both ways; whether it added a reason."""
    changed = False
    for key, held_keys, parent in holdings:
        held = next((h for h in held_keys if reasons[h]), None)
        if held and not reasons[key]:
            reasons[key].append(f"stores the value of {held[1]}, an AI credential")
            changed = True
        for source in held_keys if reasons[key] else ():
            if not reasons[source]:  # a copy an AI workload reads, or named for an AI provider
                reasons[source].append(f"copied into {key[1]}, an AI credential")
                changed = True
        if parent is None:
            continue
        if reasons[parent] and not reasons[key]:
            reasons[key].append(f"issued for {parent[1]}, an AI identity")
            changed = True
        if reasons[key] and not reasons[parent]:
            reasons[parent].append(f"holds the AI credential {key[1]}")
            changed = True
    return changed


def _identity_links(graph: _Graph) -> list[tuple[str, Key, str | None, list[Key]]]:
    """Per workload with an identity in the inventory: its address, that identity, why the
    workload is itself an AI workload, and the other credentials it uses, in order.

    Resolved once, not in every round of ``_classify``.
    """
    links = []
    for (root, address), workload in graph.workloads.items():
        identity = graph.resolve(root, workload.identity)
        if identity is not None:
            used = [u for u in sorted(graph.uses.get((root, address), ())) if u != identity]
            links.append((address, identity, _workload_reasons(workload), used))
    return links


def _holding_links(credentials: dict[Key, Credential], graph: _Graph) -> list[tuple[Key, list[Key], Key | None]]:
    """Per credential that stores another's value or has a parent: the credentials it stores and
    its parent, resolved once, not in every round of ``_classify``."""
    links = []
    for key, credential in credentials.items():
        held = [h for h in (graph.resolve(key[0], a) for a in credential.holds) if h and h != key]
        parent = graph.resolve(key[0], credential.parent)
        if held or parent is not None:
            links.append((key, held, parent))
    return links


def _workload_reasons(workload: Workload) -> str | None:
    """Why a workload is itself an AI workload (a Bedrock agent, a function named for OpenAI)."""
    if workload.ai_reasons:
        return workload.ai_reasons[0]
    for hint in workload.ai_hints:
        provider = ai.provider_named_by(hint)
        if provider:
            return f"'{hint}' names {provider.name}"
    return None
