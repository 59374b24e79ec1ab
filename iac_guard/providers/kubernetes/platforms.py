"""Which cloud runs a pod, as far as its manifests say: a Kubernetes object does not name its
cluster, but a workload identity annotation on its ServiceAccount, the label a cloud's identity
webhook reads, or a node label only that cloud sets (``eks.amazonaws.com/nodegroup``) does. No mark
leaves the platform unknown, and unknown never fails a policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .shapes import dicts, dig, mapping
from .vocabulary import NODE_PLATFORM_LABEL_PREFIXES, POD_PLATFORM_LABELS


def pod_platform(spec: dict[str, Any], labels: dict[str, Any], account_platform: str | None) -> str | None:
    """The cloud a pod runs on: its ServiceAccount's, else its labels', else its node selection's;
    None when the marks say nothing (or name two clouds)."""
    if account_platform is not None:
        return account_platform
    found = {POD_PLATFORM_LABELS[key] for key in labels if key in POD_PLATFORM_LABELS}
    found |= {platform for key in _node_label_keys(spec) for prefix, platform in NODE_PLATFORM_LABEL_PREFIXES.items() if key.startswith(prefix)}
    return found.pop() if len(found) == 1 else None


def _node_label_keys(spec: dict[str, Any]) -> Iterator[str]:
    """The node label keys a pod selects on: ``nodeSelector`` and required node affinity terms."""
    yield from (key for key in mapping(spec.get("nodeSelector")) if isinstance(key, str))
    terms = dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
    for term in dicts(terms):
        for expression in dicts(term.get("matchExpressions")):
            key = expression.get("key")
            if isinstance(key, str):
                yield key
