"""Splitting a scan over CI jobs (``--shard I/N``): which shard owns a unit, what it parses, what
it judges and counts, and the inventory it exports for ``iac-guard merge`` (shard/merge.py says
why a shard parses and exports what it does).

This half of sharding sits below the pipeline, which runs it; the merge sits above the reports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config.settings import Settings
from ..discover import Sources
from ..inventory.build import Inventory
from ..load.parsing import KUBERNETES, TERRAFORM
from ..model import Credential, Location, Unknown
from ..policy.facts import consumer_facts, credential_facts
from ..policy.loader import Policy
from ..result import STDIN_NAME
from ..support.files import DEFAULT_MAX_FILE_BYTES
from ..terraform.roots import declares_modules

#: How an unknown fact is written in JSON: ``{"$unknown": [refs]}``.
UNKNOWN_KEY = "$unknown"


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


def scan_files(sources: Sources, shard: Shard | None = None, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[tuple[str, Path, str]]:
    """Every file a scan parses with the HCL or YAML parser, for one ``preload``. A shard parses
    the folders it owns, the files that declare modules (to know which folders are roots) and
    every manifest (cluster references cross files)."""

    def owned(folder: str) -> bool:
        return shard is None or shard.owns(folder)

    files = [
        (TERRAFORM, path, sources.relative(path))
        for directory in sorted(sources.terraform) for path in sources.terraform[directory]
        if owned(directory) or declares_modules(path, max_bytes)
    ]
    files += [
        (TERRAFORM, path, sources.relative(path))
        for directory in sorted(sources.tfvars) if owned(directory)
        for path in sources.tfvars[directory] if not path.name.endswith(".json")
    ]
    files += [(KUBERNETES, path, sources.relative(path)) for path in sources.yaml]
    return files


def judged_inventory(inventory: Inventory, shard: Shard) -> Inventory:
    credentials = tuple(c for c in inventory.credentials if shard.judges(c.root_module, c.location))
    workloads = tuple(w for w in inventory.workloads if shard.judges(w.root_module, w.location))
    keys = {(c.root_module, c.address) for c in credentials}
    usages = tuple(u for u in inventory.usages if (u.root_module, u.credential) in keys)
    return Inventory(credentials, workloads, usages)


def shard_file_count(sources: Sources, shard: Shard) -> int:
    """Files of the units a shard owns: folders by name, manifests, plans and application files by path. Summed over
    the shards it is the unsharded count (a module folder counts once, in its own shard)."""
    owned = sum(len(files) for folder, files in sources.terraform.items() if shard.owns(folder))
    owned += sum(len(files) for folder, files in sources.tfvars.items() if shard.owns(folder))
    manifests = (*sources.yaml, *sources.kustomizations, *sources.plans, *sources.helm_values)
    owned += sum(1 for path in manifests if shard.owns(sources.relative(path)))
    owned += sum(1 for files in sources.app_files.values() for path in files if shard.owns(sources.relative(path)))
    return owned + (1 if sources.read_stdin and shard.owns(STDIN_NAME) else 0)


# --- the inventory a shard exports --------------------------------------------------------------


def export_inventory(inventory: Inventory, shard: Shard, settings: Settings) -> dict[str, Any]:
    """The ``inventory`` section of a shard's JSON report: every cluster credential the shard sees
    (judged by it or not) with what another shard may add to (consumers, AI reasons, grants), and
    for those it judges, what merge needs to judge them again (the record and its facts)."""
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
        # A credential known only by use (declared false) is replaced by the one that has its
        # name as an alias, which may be another shard's: merge drops its findings then.
        if credential.aliases:
            entry["aliases"] = [alias for _, alias in credential.aliases]
        if not credential.declared:
            entry["declared"] = False
        if not credential.root_module or _named_across_roots(credential):
            entry.update(_cluster_entry(credential, judged, settings))
        entries.append(entry)
    return {"credentials": entries}


def _named_across_roots(credential: Credential) -> bool:
    """A Terraform identity another root module may grant or run as by name: an external record
    (declared false) or a declared identity with a scan-wide name. Merge folds the first into the
    second, with its grants and consumers, when two shards hold them (inventory/build.py does so
    in one scan), so both export what a cluster credential does."""
    return credential.is_identity and (not credential.declared or any(not root for root, _ in credential.aliases))


def _cluster_entry(credential: Credential, judged: bool, settings: Settings) -> dict[str, Any]:
    """What a credential others may add to exports: its grants, and when judged here its record and facts."""
    entry: dict[str, Any] = {
        "grants": [
            {"statement": g.statement, "wildcard_reasons": list(g.wildcard_reasons), "location": _location(g.location) if g.location else None}
            for g in credential.scope.grants
        ],
    }
    if judged:
        entry["record"] = {
            "provider": credential.provider, "source_type": credential.source_type, "origin": credential.origin,
            "end_line": credential.location.end_line,
            "evidence": {name: _location(where) for name, where in sorted(credential.evidence.items())},
        }
        entry["facts"] = encode(credential_facts(credential, settings))
    workloads = {w.address: w for w in credential.consumer_workloads}
    # Each consumer as policies read it (its environment, tags): the merge lists them on the
    # credential whichever shard saw them.
    entry["consumer_facts"] = [encode(consumer_facts(a, workloads.get(a), settings)) for a in credential.consumers]
    return entry


def _location(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "end_line": location.end_line}


def encode(value: Any) -> Any:
    """Facts as JSON: tuples as lists, an unknown as ``{"$unknown": [refs]}``."""
    if isinstance(value, Unknown):
        return {UNKNOWN_KEY: sorted(value.refs)}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def judging_record(settings: Settings | None, policies: Sequence[Policy]) -> dict[str, Any]:
    """What a shard judged with (its settings and policy ids): merge judges again with the same,
    and refuses shards that disagree."""
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
