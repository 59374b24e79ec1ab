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

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import SEVERITY_ORDER, Credential, Finding, Location, Suppression, Unknown

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..discover import Sources
    from ..inventory.build import Inventory
    from ..policy.loader import Policy

STDIN_NAME = "<stdin>"
_UNKNOWN_KEY = "$unknown"


class MergeError(Exception):
    """Inputs that cannot be merged; the message names the file."""


# --- the split --------------------------------------------------------------------------------


def shard_of(name: str, count: int) -> int:
    """The 1-based shard of a unit (a root module's folder, a manifest's path): stable anywhere."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()[:8], "big") % count + 1


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def owns(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index

    def judges(self, root_module: str, location: Location | None) -> bool:
        """A record from Terraform by its root module; a cluster record by the file it is in."""
        if root_module:
            return self.owns(root_module)
        return location is not None and self.owns(location.file)


def judged_inventory(inventory: Inventory, shard: Shard) -> Inventory:
    from ..inventory.build import Inventory

    credentials = tuple(c for c in inventory.credentials if shard.judges(c.root_module, c.location))
    workloads = tuple(w for w in inventory.workloads if shard.judges(w.root_module, w.location))
    keys = {(c.root_module, c.address) for c in credentials}
    usages = tuple(u for u in inventory.usages if (u.root_module, u.credential) in keys)
    return Inventory(credentials, workloads, usages)


def shard_file_count(sources: Sources, shard: Shard) -> int:
    """Files of the units a shard owns: folders by name, manifests and plans by path. Summed over
    the shards it is the unsharded count (a module folder counts once, in its own shard)."""
    owned = sum(len(files) for folder, files in sources.terraform.items() if shard.owns(folder))
    owned += sum(len(files) for folder, files in sources.tfvars.items() if shard.owns(folder))
    owned += sum(1 for path in (*sources.yaml, *sources.kustomizations, *sources.plans) if shard.owns(sources.relative(path)))
    return owned + (1 if sources.read_stdin and shard.owns(STDIN_NAME) else 0)


# --- the inventory a shard exports --------------------------------------------------------------


def export_inventory(inventory: Inventory, shard: Shard, settings: Settings) -> dict[str, Any]:
    """The ``inventory`` section of a shard's JSON report (see the module docstring)."""
    from ..policy.facts import credential_facts

    entries = []
    for credential in inventory.credentials:
        judged = shard.judges(credential.root_module, credential.location)
        if not judged and credential.root_module:
            continue  # another shard's Terraform credential: no other shard can add to its view
        entry: dict[str, Any] = {
            "root_module": credential.root_module,
            "address": credential.address,
            "judged": judged,
            "kind": credential.kind,
            "file": credential.location.file,
            "line": credential.location.line,
            "ai_reasons": list(credential.ai_reasons),
            "consumers": list(credential.consumers),
        }
        if not credential.root_module:
            entry["grants"] = [
                {"statement": g.statement, "wildcard_reasons": list(g.wildcard_reasons), "location": _location(g.location) if g.location else None}
                for g in credential.scope.grants
            ]
            if judged:
                entry["record"] = {
                    "provider": credential.provider, "source_type": credential.source_type, "origin": credential.origin,
                    "end_line": credential.location.end_line,
                    "evidence": {name: _location(where) for name, where in sorted(credential.evidence.items())},
                }
                entry["facts"] = encode(credential_facts(credential, settings))
        entries.append(entry)
    return {"credentials": entries}


def _location(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "end_line": location.end_line}


def encode(value: Any) -> Any:
    """Facts as JSON: tuples as lists, an unknown as ``{"$unknown": [refs]}``."""
    if isinstance(value, Unknown):
        return {_UNKNOWN_KEY: sorted(value.refs)}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_UNKNOWN_KEY} and isinstance(value[_UNKNOWN_KEY], list):
            return Unknown(frozenset(value[_UNKNOWN_KEY]))
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    return value


def judging_record(settings: Settings | None, policies: Sequence[Policy]) -> dict[str, Any]:
    """What a shard judged with (its settings and policy ids): merge judges again with the same,
    and refuses shards that disagree."""
    from ..config.settings import Settings

    settings = settings or Settings()
    return {
        "settings": {
            "scope": settings.scope,
            "owner_keys": list(settings.owner_keys),
            "placeholder_owners": list(settings.placeholder_owners),
            "max_lifetime_days": settings.max_lifetime_days,
            "max_rotation_days": settings.max_rotation_days,
            "skip_policies": list(settings.skip_policies),
            "today": settings.today.isoformat(),
        },
        "policies": sorted(p.id for p in policies),
    }


def settings_from_record(record: Mapping[str, Any]) -> Settings:
    from datetime import date

    from ..config.settings import Settings

    values: dict[str, Any] = {}
    for name in ("scope", "max_lifetime_days", "max_rotation_days"):
        if name in record:
            values[name] = record[name]
    for name in ("owner_keys", "placeholder_owners", "skip_policies"):
        if isinstance(record.get(name), list):
            values[name] = tuple(record[name])
    if isinstance(record.get("today"), str):
        values["today"] = date.fromisoformat(record["today"])
    return Settings(**values)


# --- merging JSON reports -----------------------------------------------------------------------


@dataclass
class Merged:
    document: dict[str, Any]
    rejudged: list[str]  # addresses judged again with their merged view


def merge_json(
    documents: Sequence[tuple[str, Mapping[str, Any]]],
    policies: Sequence[Policy],
    settings: Settings,
    root: Path,
    baseline: Any = None,
) -> Merged:
    """One report from the shards' JSON reports (``(file name, document)`` pairs)."""
    shards = _check_shards(documents)
    findings = [finding for _, document in documents for finding in document.get("findings", [])]
    rejudged: list[str] = []
    matched: Counter = Counter()  # baseline entries that findings the merge added match
    entries = [entry for _, document in documents for entry in (document.get("inventory") or {}).get("credentials", [])]
    if shards:
        findings, rejudged, matched = _rejudge(entries, findings, policies, settings, root, baseline)
    # Shards judge disjoint credentials, so findings are never de-duplicated (identical findings
    # are real: three root modules calling one module with one input); errors are (a module
    # folder several shards load reports its errors in each).
    findings.sort(key=lambda f: (f["file"], f["line"], f["policy_id"], f["resource"], f["message"]))
    errors = _unique(error for _, document in documents for error in document.get("errors", []))
    errors.sort(key=lambda e: (e["file"], e.get("line") or 0, e.get("column") or 0, e.get("message", "")))
    first = documents[0][1]
    document: dict[str, Any] = {
        "tool": first["tool"],
        "summary": _summary(documents, findings, errors, entries, shards),
        "findings": findings,
        "errors": errors,
    }
    baselines = [d["baseline"] for _, d in documents if isinstance(d.get("baseline"), dict)]
    if baselines:
        document["baseline"] = _merged_baseline(baselines, findings, matched)
    if shards:
        document["merged"] = {"shards": shards, "rejudged": rejudged}
    return Merged(document, rejudged)


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
    import json

    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(json.dumps(item, sort_keys=True), dict(item))
    return list(seen.values())


def _rejudge(
    entries: list[Mapping[str, Any]], findings: list[dict[str, Any]], policies: Sequence[Policy],
    settings: Settings, root: Path, baseline: Any,
) -> tuple[list[dict[str, Any]], list[str], Counter]:
    """Judges again each cluster credential whose merged view differs from its own shard's."""
    views: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        if not entry.get("root_module"):
            views.setdefault(entry["address"], []).append(entry)
    replaced: dict[str, list[Finding]] = {}
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
        if consumers == owner.get("consumers") and reasons == owner.get("ai_reasons") and grants == owner.get("grants", []):
            continue
        replaced[address] = _judge(owner, consumers, reasons, grants, policies, settings)
    if not replaced:
        return findings, [], Counter()
    judging = {p.id for p in policies if p.judges == "credentials"}
    kept = [f for f in findings if not (f["resource"] in replaced and f["policy_id"] in judging)]
    old = {(f["policy_id"], f["resource"], f["file"], f["line"]): f for f in findings if f["resource"] in replaced}
    fresh: list[Finding] = [finding for group in replaced.values() for finding in group]
    carried: list[tuple[Finding, dict[str, Any]]] = []
    added: list[Finding] = []
    for finding in fresh:
        before = old.get((finding.policy_id, finding.resource, finding.file, finding.line))
        if before is not None:
            carried.append((finding, before))
        else:
            added.append(finding)
    result = [*kept, *(_carry(finding_to_json(f), before) for f, before in carried)]
    filtered = _filter_added(added, policies, settings, root, baseline)
    result += [finding_to_json(f) for f in filtered]
    matched: Counter = Counter()
    if baseline is not None:
        from ..filter.baseline import entry_for

        matched.update(entry_for(f, root, baseline.folder).key for f in filtered if f.baseline_state == "unchanged")
    return result, sorted(replaced), matched


def _merged_grants(group: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    grants: dict[str, Any] = {}
    for entry in sorted(group, key=lambda e: (-len(e.get("grants", [])), not e.get("judged"))):
        for grant in entry.get("grants", []):
            grants.setdefault(grant["statement"], grant)
    return list(grants.values())


def _judge(
    owner: Mapping[str, Any], consumers: list[str], reasons: list[str], grants: list[dict[str, Any]],
    policies: Sequence[Policy], settings: Settings,
) -> list[Finding]:
    from ..policy import engine

    facts = dict(decode(owner["facts"]))
    wildcard = tuple(r for g in grants for r in g.get("wildcard_reasons", []))
    facts.update(
        consumers=tuple(consumers), consumer_count=len(consumers), consumers_text=", ".join(consumers),
        ai=bool(reasons), ai_reasons=tuple(reasons),
        scope={**facts["scope"], "wildcard": bool(wildcard), "wildcard_reasons": wildcard, "grant_count": len(grants)},
        scope_text="; ".join(wildcard),
    )
    record = owner["record"]
    evidence = {name: Location(w["file"], w["line"], w["end_line"]) for name, w in record["evidence"].items()}
    first_wildcard = next((g["location"] for g in grants if g.get("wildcard_reasons") and g.get("location")), None)
    if first_wildcard is not None:  # a finding on scope points at the first wildcard grant
        evidence["scope"] = Location(first_wildcard["file"], first_wildcard["line"], first_wildcard["end_line"])
    credential = Credential(
        address=owner["address"], provider=record["provider"], source_type=record["source_type"], kind=owner["kind"],
        location=Location(owner["file"], owner["line"], record["end_line"]), origin=record["origin"],
        ai_reasons=tuple(reasons), consumers=tuple(consumers), evidence=evidence,
    )
    found: list[Finding] = []
    params = {policy.id: policy.param_values(settings) for policy in policies}
    for policy, judged in engine.applicable(policies, [credential], settings):
        found.extend(engine._findings(policy, params[policy.id], judged, facts))
    return found


def _carry(new: dict[str, Any], before: Mapping[str, Any]) -> dict[str, Any]:
    """A finding the shard already had: what the filter stage decided about it stays."""
    for key in ("suppressed", "suppression", "baseline_state"):
        if key in before:
            new[key] = before[key]
    return new


def _filter_added(added: list[Finding], policies: Sequence[Policy], settings: Settings, root: Path, baseline: Any) -> list[Finding]:
    """Findings only the merged view shows: inline suppressions from the sources under ``root``
    (when they are there), then the baseline."""
    if not added:
        return []
    from ..filter.suppress import apply_suppressions
    from ..kubernetes.loader import load_kube_file

    files = sorted({f.resource_location.file for f in added if f.resource_location is not None} | {f.file for f in added})
    objects = [obj for name in files if (root / name).is_file() for obj in load_kube_file(root / name, name)[0]]
    added = apply_suppressions(added, root, objects, policies, settings)
    if baseline is not None:
        from ..filter.baseline import apply

        added, _ = apply(baseline, added, root, lambda path: False)
    return added


def finding_to_json(finding: Finding) -> dict[str, Any]:
    from ..report.json_report import finding_to_dict

    return finding_to_dict(finding)


def _summary(
    documents: Sequence[tuple[str, Mapping[str, Any]]], findings: list[dict[str, Any]], errors: list[dict[str, Any]],
    entries: list[Mapping[str, Any]], shards: int,
) -> dict[str, Any]:
    summaries = [d.get("summary", {}) for _, d in documents]
    failing = [f for f in findings if not f.get("suppressed")]
    fail_on = summaries[0].get("fail_on", "low")
    threshold = SEVERITY_ORDER.get(fail_on, 1)
    gating = [f for f in failing if SEVERITY_ORDER.get(f["severity"], 0) >= threshold]
    soft_fail = any((d.get("shard") or {}).get("soft_fail") for _, d in documents)
    by_severity = Counter(f["severity"] for f in failing)
    judged = [e for e in entries if e.get("judged")] if shards else []
    cluster_ai = {e["address"] for e in entries if not e.get("root_module") and e.get("ai_reasons")}
    ai = sum(1 for e in judged if e.get("ai_reasons") or (not e.get("root_module") and e["address"] in cluster_ai))
    return {
        "files_scanned": sum(s.get("files_scanned", 0) for s in summaries),
        "credentials": len(judged) if shards else sum(s.get("credentials", 0) for s in summaries),
        "ai_credentials": ai if shards else sum(s.get("ai_credentials", 0) for s in summaries),
        "workloads": sum(s.get("workloads", 0) for s in summaries),
        "findings": len(findings),
        "failing": len(failing),
        "suppressed": len(findings) - len(failing),
        "by_severity": {s: by_severity.get(s, 0) for s in sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__, reverse=True)},
        "by_category": dict(sorted(Counter(f["category"] for f in failing).items())),
        "errors": len(errors),
        "fail_on": fail_on,
        "gating": len(gating),
        "exit_code": 2 if errors else (1 if gating and not soft_fail else 0),
        "config": summaries[0].get("config"),  # every shard ran with the same config
    }


def _merged_baseline(baselines: list[Mapping[str, Any]], findings: list[dict[str, Any]], matched: Counter) -> dict[str, Any]:
    """Every shard reports as fixed the baseline entries it did not match; an entry is fixed
    only if no shard matched it (every shard reports it) and no finding the merge added does."""
    import json

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
        "new": sum(1 for f in findings if f.get("baseline_state") == "new" and not f.get("suppressed")),
        "unchanged": sum(1 for f in findings if f.get("baseline_state") == "unchanged"),
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
    results = []
    for run in runs:
        for result in run.get("results", []):
            result = dict(result)
            if result.get("ruleId") in index:
                result["ruleIndex"] = index[result["ruleId"]]
            results.append(result)
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


def _sarif_order(result: Mapping[str, Any]) -> tuple[str, int, str, str]:
    """The order scan writes results in: file, line, rule, resource."""
    location = (result.get("locations") or [{}])[0]
    physical = location.get("physicalLocation", {})
    logical = (location.get("logicalLocations") or [{}])[0]
    return (
        physical.get("artifactLocation", {}).get("uri", ""), physical.get("region", {}).get("startLine", 0),
        str(result.get("ruleId")), str(logical.get("fullyQualifiedName", "")),
    )


def sarif_from_merged(document: Mapping[str, Any], policies: Sequence[Policy], settings: Settings, root: Path) -> str:
    """A merged JSON report rendered as SARIF, through the SARIF renderer itself (redacted, as
    the command line redacts a scan's result: the root and settings are not in the document)."""
    from ..inventory.build import Inventory
    from ..model import ScanError
    from ..pipeline.run import Filters, ScanResult
    from ..report.sarif import render
    from ..secrets.redact import redacted

    findings = [_finding_from_json(f) for f in document["findings"]]
    errors = [ScanError(e["file"], e["message"], e.get("line"), e.get("column")) for e in document["errors"]]
    result = ScanResult(root, findings, Inventory((), (), ()), errors, document["summary"]["files_scanned"],
                        list(policies), settings, [], Filters(fail_on=document["summary"].get("fail_on", "low")))
    return render(redacted(result), False)


def _finding_from_json(item: Mapping[str, Any]) -> Finding:
    suppression = item.get("suppression")
    return Finding(
        policy_id=item["policy_id"], category=item["category"], severity=item["severity"], title=item["title"],
        message=item["message"], resource=item["resource"], file=item["file"], line=item["line"],
        end_line=item.get("end_line", item["line"]), controls={k: tuple(v) for k, v in item.get("controls", {}).items()},
        remediation=item.get("remediation", ""), ai_reasons=tuple(item.get("ai_reasons", [])),
        fingerprint=item.get("fingerprint"), baseline_state=item.get("baseline_state"),
        suppression=Suppression(
            suppression.get("reason", ""), suppression.get("expires"), suppression.get("source", ""),
            suppression.get("owner"), bool(suppression.get("expired", False)),
        ) if isinstance(suppression, Mapping) else None,
    )
