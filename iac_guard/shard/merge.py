"""Sharding a scan over CI jobs (``--shard I/N``) and merging the shards' results (``iac-guard merge``).

**What a shard judges.** Work is split by unit: a Terraform root module (by its folder) or a
Kubernetes manifest file (by its path), assigned to shard ``sha256(name) mod N``, so the split
is the same on every runner and a unit never moves while its name stays. A shard loads its own
root modules with every module they call, every file that declares a ``module`` block (so it
knows which folders are roots, exactly as an unsharded scan does), and every manifest (cluster
references cross files: a Deployment here reads a Secret there). It judges only the credentials
of its units: a Terraform credential by its root module, a cluster credential (YAML) by its file.
Counts (files, credentials, workloads) cover its units only, so the shards' counts add up.

**What crosses shards.** Terraform root modules never reference each other, and every shard
sees every manifest, so a shard's view of a credential is complete except in one case: a cluster
credential (a Secret in YAML) used or bound by Terraform ``kubernetes_*`` resources of a root
module in another shard. Its sharing (consumers), the AI relevance that flows from those users,
and RBAC grants from Terraform bindings are then split over shards. With ``--shard`` the JSON
report carries an ``inventory`` section: every cluster credential the shard sees (judged by it or
not) with its consumers, AI reasons and grants, and, for those it judges, the facts policies read.
``merge`` unions consumers, reasons and grants per credential, and judges again — with the same
policy pack and settings — every credential whose merged view differs from its shard's: that is
how sharing across workloads spans shards. Findings the merge adds get inline suppressions when
the sources are present (``--root``) and the baseline given to merge. Multi-hop AI relevance
through two other shards (a workload in shard A makes a Secret AI, which makes the identity of a
workload in shard B AI) is not recomputed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config.settings import Settings
from ..filter.baseline import Baseline, entry_for
from ..filter.baseline import apply as apply_baseline
from ..filter.suppress import apply_suppressions
from ..inventory.build import Inventory
from ..kubernetes.loader import load_kube_file
from ..model import Credential, Finding, Location, ScanNote
from ..policy.engine import FactsOf, judge, once_per_place, united
from ..policy.facts import consumer_facts, environments_text
from ..policy.loader import Policy
from ..report.json_read import error_from_json, facts_from_json, finding_from_json
from ..report.json_report import document as json_document
from ..result import Filters, ScanResult


class MergeError(Exception):
    """Inputs that cannot be merged; the message names the file."""


@dataclass
class Merged:
    #: The merged findings and errors, for the renderers (SARIF, …).
    result: ScanResult
    #: The merged JSON report: the shards' own counts, and what merge did.
    document: dict[str, Any]
    rejudged: list[str]  # addresses judged again with their merged view


def merge_json(
    documents: Sequence[tuple[str, Mapping[str, Any]]],
    policies: Sequence[Policy],
    settings: Settings,
    root: Path,
    baseline: Baseline | None = None,
) -> Merged:
    """One report from the shards' JSON reports (``(file name, document)`` pairs)."""
    shards = _check_shards(documents)
    findings = [finding_from_json(f) for _, document in documents for f in document.get("findings", [])]
    rejudged: list[str] = []
    matched: Counter[tuple[Any, ...]] = Counter()  # baseline entries that findings the merge added match
    entries = [entry for _, document in documents for entry in (document.get("inventory") or {}).get("credentials", [])]
    shadowed = _shadowed(entries)
    findings = [f for f in findings if f.resource not in shadowed]
    folded = [e for e in entries if e.get("address") in shadowed and e.get("declared") is False and e.get("root_module")]
    entries = [e for e in entries if e.get("address") not in shadowed or e.get("declared") is not False]
    if shards:
        findings, rejudged, matched = _rejudge(entries, folded, findings, policies, settings, root, baseline)
    # Shards judging root modules that call one module each report its resource: one finding per
    # place, listing the roots, as one scan says (policy.engine.once_per_place); reports of
    # separate scans are a plain union. Errors are de-duplicated (a module folder several shards
    # load reports its errors in each).
    findings = sorted(once_per_place(findings) if shards else findings, key=Finding.sort_key)
    errors = [error_from_json(e) for e in _unique(e for _, document in documents for e in document.get("errors", []))]
    errors.sort(key=lambda e: (e.file, e.line or 0, e.column or 0, e.message))
    result = _merged_result(documents, findings, errors, policies, settings, root)
    result.notes = _notes(documents)
    document = json_document(result)
    document["tool"] = documents[0][1]["tool"]
    document["summary"].update(_counts(documents, entries, folded, shards))
    baselines = [d["baseline"] for _, d in documents if isinstance(d.get("baseline"), dict)]
    if baselines:
        document["baseline"] = _merged_baseline(baselines, findings, matched)
    if shards:
        document["merged"] = {"shards": shards, "rejudged": rejudged}
    return Merged(result, document, rejudged)


def _shadowed(entries: Sequence[Mapping[str, Any]]) -> set[str]:
    """Credentials known only by use that another shard declares (by alias): a shard that did not
    load the Terraform declaring a secret judged the name workflows read it by, where one scan
    drops that record (inventory/build.py). Their findings and counts go."""
    aliases = {alias for entry in entries for alias in entry.get("aliases", []) if isinstance(alias, str)}
    return {entry["address"] for entry in entries if entry.get("declared") is False and entry.get("address") in aliases}


def _notes(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[ScanNote]:
    """The shards' notes, each once: every shard loads the same manifests and says the same."""
    found = set()
    for _, document in documents:
        for note in (document.get("summary") or {}).get("notes") or []:
            if isinstance(note, dict) and isinstance(note.get("file"), str) and isinstance(note.get("message"), str):
                line = note.get("line")
                found.add(ScanNote(note["file"], note["message"], line if isinstance(line, int) else None))
    return sorted(found)


def _merged_result(
    documents: Sequence[tuple[str, Mapping[str, Any]]], findings: list[Finding], errors: list[Any],
    policies: Sequence[Policy], settings: Settings, root: Path,
) -> ScanResult:
    """The merged findings as a scan's result: its gate (failing, gating, exit code) is a scan's."""
    summaries = [d.get("summary", {}) for _, d in documents]
    filters = Filters(
        fail_on=summaries[0].get("fail_on", "low"),
        soft_fail=any((d.get("shard") or {}).get("soft_fail") for _, d in documents),
    )
    files = sum(s.get("files_scanned", 0) for s in summaries)
    return ScanResult(root, findings, Inventory((), (), ()), errors, files, list(policies), settings, filters=filters)


def _counts(
    documents: Sequence[tuple[str, Mapping[str, Any]]], entries: list[Mapping[str, Any]], folded: list[Mapping[str, Any]], shards: int,
) -> dict[str, Any]:
    """What the merged findings do not tell: credentials and workloads, and the shards' config.
    Sharded, a credential counts in the shard that judges it, AI when any shard saw it used by AI
    or an external record of its name (``folded``) was an AI identity."""
    summaries = [d.get("summary", {}) for _, d in documents]
    counts: dict[str, Any] = {
        "credentials": sum(s.get("credentials", 0) for s in summaries),
        "ai_credentials": sum(s.get("ai_credentials", 0) for s in summaries),
        "workloads": sum(s.get("workloads", 0) for s in summaries),
        "config": summaries[0].get("config"),  # every shard ran with the same config
    }
    if shards:
        judged = [e for e in entries if e.get("judged")]
        cluster_ai = {e["address"] for e in entries if not e.get("root_module") and e.get("ai_reasons")}
        folded_ai = {e["address"] for e in folded if e.get("ai_reasons")}
        counts["credentials"] = len(judged)
        counts["ai_credentials"] = sum(
            1 for e in judged
            if e.get("ai_reasons") or (not e.get("root_module") and e["address"] in cluster_ai)
            or any(alias in folded_ai for alias in e.get("aliases", []))
        )
    return counts


def _check_shards(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
    """The shard count, after checking the inputs are one complete set (0: plain reports)."""
    if not documents:
        raise MergeError("nothing to merge")
    seen: dict[int, str] = {}
    counts = set()
    versions = set()
    for name, document in documents:
        if not isinstance(document, Mapping) or not isinstance(document.get("tool"), Mapping) or "findings" not in document:
            raise MergeError(f"{name}: not an iac-guard JSON report")
        versions.add(document["tool"].get("version"))
        shard = document.get("shard")
        if shard is None:
            counts.add(0)
            continue
        index, count = shard.get("index"), shard.get("count")
        if not (isinstance(index, int) and isinstance(count, int) and 1 <= index <= count):
            raise MergeError(f"{name}: shard: expected index and count with 1 <= index <= count")
        if index in seen:
            raise MergeError(f"{name}: shard {index}/{count} is also in {seen[index]}")
        seen[index] = name
        counts.add(count)
    if len(versions) > 1:
        raise MergeError(f"reports from different iac-guard versions ({', '.join(sorted(map(str, versions)))}): scan all shards with one version")
    if len(counts) > 1:
        raise MergeError("cannot merge reports of different shard counts, or sharded with unsharded reports")
    count = counts.pop()
    missing = [str(i) for i in range(1, count + 1) if i not in seen]
    if missing:
        raise MergeError(f"shard(s) {', '.join(missing)} of {count} missing: a partial merge would hide their findings")
    return count


def _unique(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(json.dumps(item, sort_keys=True), dict(item))
    return list(seen.values())


# --- judging shared credentials again ------------------------------------------------------------


def _rejudge(
    entries: list[Mapping[str, Any]], folded: list[Mapping[str, Any]], findings: list[Finding], policies: Sequence[Policy],
    settings: Settings, root: Path, baseline: Baseline | None,
) -> tuple[list[Finding], list[str], Counter[tuple[Any, ...]]]:
    """Judges again each cluster credential whose merged view differs from its own shard's, and
    each Terraform identity another shard's external records of its name fold into (``folded``)."""
    replaced = {
        address: judge(policies, [credential], settings, _recorded(facts))
        for address, (credential, facts) in _changed_views(_views(entries, folded)).items()
    }
    if not replaced:
        return findings, [], Counter()
    judging = {p.id for p in policies if p.judges == "credentials"}
    kept = [f for f in findings if not (f.resource in replaced and f.policy_id in judging)]
    old = {_place(f): f for f in findings if f.resource in replaced}
    carried: list[Finding] = []
    added: list[Finding] = []
    for finding in (finding for group in replaced.values() for finding in group):
        before = old.get(_place(finding))
        if before is not None:
            carried.append(_carry(finding, before))
        else:
            added.append(finding)
    filtered = _filter_added(added, policies, settings, root, baseline)
    matched: Counter[tuple[Any, ...]] = Counter()
    if baseline is not None:
        matched.update(entry_for(f, root, baseline.folder).key for f in filtered if f.baseline_state == "unchanged")
    return [*kept, *carried, *filtered], sorted(replaced), matched


def _recorded(facts: Mapping[str, Any]) -> FactsOf:
    """The facts of the merged view, whatever the engine would derive from the record."""

    def facts_of(_credential: Credential, _settings: Settings) -> Mapping[str, Any]:
        return facts

    return facts_of


def _place(finding: Finding) -> tuple[str, str, str, int]:
    return (finding.policy_id, finding.resource, finding.file, finding.line)


def _views(entries: list[Mapping[str, Any]], folded: list[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Every shard's view of each cluster credential, by address; and of each judged Terraform
    identity that external records of another shard name by one of its aliases."""
    views: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        if not entry.get("root_module"):
            views.setdefault(entry["address"], []).append(entry)
    named = {alias: e for e in entries if e.get("root_module") and "facts" in e for alias in e.get("aliases", [])}
    for entry in folded:
        owner = named.get(entry["address"])
        if owner is not None:
            views.setdefault(owner["address"], [owner]).append(entry)
    return views


def _changed_views(views: dict[str, list[Mapping[str, Any]]]) -> dict[str, tuple[Credential, dict[str, Any]]]:
    """Per credential whose merged view (consumers, AI reasons, grants) differs from the view of
    the shard that judged it: the credential and facts that view gives."""
    changed = {}
    for address, group in sorted(views.items()):
        owner = next((entry for entry in group if entry.get("judged") and "facts" in entry), None)
        if owner is None:
            continue
        consumers = sorted({c for entry in group for c in entry.get("consumers", [])})
        # The fullest view first: a shard that saw every user of the credential lists reasons and
        # grants in the order one scan would.
        fullest = sorted(group, key=lambda e: (-len(e.get("ai_reasons", [])), e is not owner))
        reasons = list(dict.fromkeys(r for entry in fullest for r in entry.get("ai_reasons", [])))
        grants = _merged_grants(group)
        if consumers != owner.get("consumers") or reasons != owner.get("ai_reasons") or grants != owner.get("grants", []):
            seen = {c["address"]: c for entry in group for c in facts_from_json(entry.get("consumer_facts", []))}
            described = tuple(seen.get(c) or consumer_facts(c, None, Settings()) for c in consumers)
            changed[address] = (_credential(owner, consumers, reasons, grants), _facts(owner, described, reasons, grants))
    return changed


def _merged_grants(group: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    grants: dict[str, Any] = {}
    for entry in sorted(group, key=lambda e: (-len(e.get("grants", [])), not e.get("judged"))):
        for grant in entry.get("grants", []):
            grants.setdefault(grant["statement"], grant)
    return list(grants.values())


def _facts(
    owner: Mapping[str, Any], consumers: tuple[dict[str, Any], ...], reasons: list[str], grants: list[dict[str, Any]]
) -> dict[str, Any]:
    """The facts the owning shard recorded, with what the merged view changes."""
    facts = dict(facts_from_json(owner["facts"]))
    wildcard = tuple(r for g in grants for r in g.get("wildcard_reasons", []))
    facts.update(
        consumers=consumers, consumer_count=len(consumers), consumers_text=", ".join(c["address"] for c in consumers),
        consumer_environments_text=environments_text(consumers),
        ai=bool(reasons), ai_reasons=tuple(reasons),
        scope={**facts["scope"], "wildcard": bool(wildcard), "wildcard_reasons": wildcard, "grant_count": len(grants)},
        scope_text="; ".join(wildcard),
    )
    return facts


def _credential(owner: Mapping[str, Any], consumers: list[str], reasons: list[str], grants: list[dict[str, Any]]) -> Credential:
    """The record the owning shard exported, with the merged consumers and reasons; a finding on
    scope points at the first wildcard grant."""
    record = owner["record"]
    evidence = {name: _location(where) for name, where in record["evidence"].items()}
    first_wildcard = next((g["location"] for g in grants if g.get("wildcard_reasons") and g.get("location")), None)
    if first_wildcard is not None:
        evidence["scope"] = _location(first_wildcard)
    return Credential(
        address=owner["address"], provider=record["provider"], source_type=record["source_type"], kind=owner["kind"],
        location=Location(owner["file"], owner["line"], record["end_line"]), origin=record["origin"],
        ai_reasons=tuple(reasons), consumers=tuple(consumers), evidence=evidence, root_module=owner.get("root_module", ""),
    )


def _location(where: Mapping[str, Any]) -> Location:
    return Location(file=where["file"], line=where["line"], end_line=where["end_line"])


def _carry(new: Finding, before: Finding) -> Finding:
    """A finding the shard already had: what the filter stage decided about it stays."""
    state = before.baseline_state if before.baseline_state is not None else new.baseline_state
    return replace(new, suppression=before.suppression, baseline_state=state)


def _filter_added(
    added: list[Finding], policies: Sequence[Policy], settings: Settings, root: Path, baseline: Baseline | None
) -> list[Finding]:
    """Findings only the merged view shows: inline suppressions from the sources under ``root``
    (when they are there), then the baseline."""
    if not added:
        return []
    files = sorted({f.resource_location.file for f in added if f.resource_location is not None} | {f.file for f in added})
    objects = [obj for name in files if (root / name).is_file() for obj in load_kube_file(root / name, name)[0]]
    added = apply_suppressions(added, root, objects, policies, settings)
    if baseline is not None:
        added, _ = apply_baseline(baseline, added, root, lambda path: False)
    return added


def _merged_baseline(baselines: list[Mapping[str, Any]], findings: list[Finding], matched: Counter[tuple[Any, ...]]) -> dict[str, Any]:
    """Every shard reports as fixed the baseline entries it did not match; an entry is fixed
    only if no shard matched it (every shard reports it) and no finding the merge added does."""
    fixed = Counter(json.dumps(entry, sort_keys=True) for entry in baselines[0].get("fixed", []))
    for other in baselines[1:]:
        fixed &= Counter(json.dumps(entry, sort_keys=True) for entry in other.get("fixed", []))
    for text in list(fixed.elements()):
        entry = json.loads(text)
        key = (entry.get("file"), entry.get("resource"), entry.get("policy_id"), entry.get("fingerprint"))
        if matched[key] > 0:
            matched[key] -= 1
            fixed[text] -= 1
    return {
        "file": baselines[0].get("file"),
        "new": sum(1 for f in findings if f.baseline_state == "new" and not f.suppressed),
        "unchanged": sum(1 for f in findings if f.baseline_state == "unchanged"),
        "fixed": [json.loads(entry) for entry in fixed.elements()],
    }


# --- merging SARIF ------------------------------------------------------------------------------


def merge_sarif(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """One run: the first run's tool and base URIs, rules united by id, results concatenated (the
    shards judged disjoint credentials), notifications united, unsuccessful if any shard was."""
    runs = []
    for name, document in documents:
        if not isinstance(document, Mapping) or document.get("version") != "2.1.0" or not isinstance(document.get("runs"), list):
            raise MergeError(f"{name}: not a SARIF 2.1.0 log")
        runs += [run for run in document["runs"] if isinstance(run, Mapping)]
    if not runs:
        raise MergeError("no SARIF runs to merge")
    first = runs[0]
    rules: dict[str, Any] = {}
    for run in runs:
        for rule in run.get("tool", {}).get("driver", {}).get("rules", []):
            rules.setdefault(rule.get("id"), rule)
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    results = _sarif_once_per_place(dict(result) for run in runs for result in run.get("results", []))
    for result in results:
        if result.get("ruleId") in index:
            result["ruleIndex"] = index[result["ruleId"]]
    notifications = _unique(n for run in runs for i in run.get("invocations", []) for n in i.get("toolExecutionNotifications", []))
    merged = {
        **{k: v for k, v in first.items() if k not in ("tool", "results", "invocations")},
        "tool": {**first.get("tool", {}), "driver": {**first.get("tool", {}).get("driver", {}), "rules": list(rules.values())}},
        "invocations": [{
            "executionSuccessful": all(i.get("executionSuccessful", True) for run in runs for i in run.get("invocations", [])),
            "toolExecutionNotifications": notifications,
        }],
        "results": sorted(results, key=_sarif_order),
    }
    return {key: value for key, value in documents[0][1].items() if key != "runs"} | {"runs": [merged]}


_PER_ROOT = ("rootModule", "rootModules", "aiReasons")  # what one place judged under several roots may differ in


def _sarif_once_per_place(results: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results that differ only in the root modules they were judged in are one, listing the
    roots, as one scan reports them (``policy.engine.once_per_place``)."""
    merged: dict[str, dict[str, Any]] = {}
    for result in results:
        properties = _properties(result)
        place = {k: v for k, v in result.items() if k != "ruleIndex"}  # each shard numbers its own rules
        key = json.dumps({**place, "properties": {k: v for k, v in properties.items() if k not in _PER_ROOT}}, sort_keys=True)
        seen = merged.get(key)
        if seen is not None:
            before = _properties(seen)
            roots = united(before.get("rootModules", []), properties.get("rootModules", []))
            reasons = united(before.get("aiReasons", []), properties.get("aiReasons", []))
            seen["properties"] = {**before, "rootModule": roots[0] if roots else "", "rootModules": list(roots)}
            if reasons:
                seen["properties"]["aiReasons"] = list(reasons)
            continue
        merged[key] = result
    return list(merged.values())


def _properties(result: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = result.get("properties")
    return properties if isinstance(properties, Mapping) else {}


def _sarif_order(result: Mapping[str, Any]) -> tuple[str, int, str, str]:
    """The order scan writes results in: file, line, rule, resource."""
    location = (result.get("locations") or [{}])[0]
    physical = location.get("physicalLocation", {})
    logical = (location.get("logicalLocations") or [{}])[0]
    return (
        physical.get("artifactLocation", {}).get("uri", ""), physical.get("region", {}).get("startLine", 0),
        str(result.get("ruleId")), str(logical.get("fullyQualifiedName", "")),
    )
