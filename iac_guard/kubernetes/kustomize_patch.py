"""kustomize's patches, applied to the objects they target.

A patch file is a partial object: judged on its own it would replace the real object of the same
address with a fragment. Applied, it changes the real object, and every value it sets points at
the line of the patch that wrote it.

- Strategic merge: lists of containers, env vars, volumes and ports merge by their key (the API's
  ``patchMergeKey``); any other list, and every scalar, is replaced; ``null`` deletes a field and
  ``$patch: delete`` the object.
- JSON 6902 (RFC 6902): ``add``, ``replace`` and ``remove``; ``move``, ``copy`` and ``test`` change
  no value a policy reads and are not applied.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import Location
from .objects import KubeObject, PathKey

#: List fields merged item by item, and the key that matches items.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "ports": "containerPort", "imagePullSecrets": "name",
}


@dataclass(frozen=True)
class Patch:
    """A strategic-merge object or JSON 6902 operations (with their file and lines), and the
    ``target`` selector, when the kustomization gives one."""

    merge: KubeObject | None = None
    operations: list[Any] = field(default_factory=list)
    file: str = ""
    lines: dict[PathKey, int] = field(default_factory=dict)
    target: dict[str, Any] | None = None


def apply_patch(objects: list[KubeObject], patch: Patch) -> list[KubeObject]:
    patched: list[KubeObject] = []
    for obj in objects:
        if not _targets(obj, patch):
            patched.append(obj)
        elif patch.merge is not None:
            if patch.merge.body.get("$patch") != "delete":
                patched.append(strategic_merge(obj, patch.merge))
        else:
            patched.append(_json_patch(obj, patch))
    return patched


def _targets(obj: KubeObject, patch: Patch) -> bool:
    if patch.target is not None:
        return selects(patch.target, obj)
    if patch.merge is None:
        return False
    stated = patch.merge.metadata.get("namespace")
    return (obj.kind, obj.name) == (patch.merge.kind, patch.merge.name) and (not stated or stated == obj.namespace)


def selects(target: dict[str, Any], obj: KubeObject) -> bool:
    """A ``target``: kind, group, version, name and namespace (names are anchored regular
    expressions), label and annotation selectors of ``key``, ``key=value`` and ``key!=value``."""
    group, _, version = obj.api_version.rpartition("/")
    for key, actual in (("kind", obj.kind), ("group", group), ("version", version)):
        if isinstance(target.get(key), str) and target[key] != actual:
            return False
    for key, actual in (("name", obj.name), ("namespace", obj.namespace or "")):
        if isinstance(target.get(key), str) and not _anchored(target[key], actual):
            return False
    return _selector(target.get("labelSelector"), obj.labels) and _selector(target.get("annotationSelector"), obj.annotations)


def _anchored(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return pattern == text


def _selector(selector: Any, values: dict[str, str]) -> bool:
    if not isinstance(selector, str) or not selector.strip():
        return True
    for term in selector.split(","):
        key, negated, value = term.partition("!=")
        if not negated:
            key, equal, value = term.partition("=")
            if (values.get(key.strip()) != value.strip().lstrip("=")) if equal else key.strip() not in values:
                return False
        elif values.get(key.strip()) == value.strip():
            return False
    return True


def strategic_merge(target: KubeObject, patch: KubeObject) -> KubeObject:
    body = copy.deepcopy(target.body)
    written: dict[PathKey, Location] = {}
    _Merge(_Source(patch.location.file, patch.lines), written).mapping(body, patch.body, (), ())
    body["metadata"] = {**body.get("metadata", {}), "name": target.name}  # a target selector names the object
    return target.rebuilt(body, written)


@dataclass(frozen=True)
class _Source:
    """Where a patch's values are written: its file and line map."""

    file: str
    lines: dict[PathKey, int] | Any

    def note(self, written: dict[PathKey, Location], at: PathKey, source: PathKey) -> None:
        """Every line the patch wrote under ``source`` now stands for the same place under ``at``."""
        for path, line in self.lines.items():
            if path[: len(source)] == source:
                written[at + path[len(source):]] = Location(self.file, line, line)


class _Merge:
    def __init__(self, source: _Source, written: dict[PathKey, Location]) -> None:
        self.source = source
        self.written = written

    def mapping(self, base: dict[str, Any], patch: dict[str, Any], at: PathKey, source: PathKey) -> None:
        for key, value in patch.items():
            if key.startswith("$"):  # directives ($patch, $setElementOrder): not values
                continue
            here, there = (*at, key), (*source, key)
            current = base.get(key)
            if value is None:
                base.pop(key, None)
            elif isinstance(value, dict) and isinstance(current, dict):
                self.mapping(current, value, here, there)
            elif isinstance(value, list) and isinstance(current, list) and key in MERGE_KEYS:
                self.merge_list(current, value, MERGE_KEYS[key], here, there)
            else:
                base[key] = copy.deepcopy(value)
                self.source.note(self.written, here, there)

    def merge_list(self, base: list[Any], patch: list[Any], key: str, at: PathKey, source: PathKey) -> None:
        by_key = {item.get(key): position for position, item in enumerate(base) if isinstance(item, dict)}
        for offset, item in enumerate(patch):
            position = by_key.get(item.get(key)) if isinstance(item, dict) else None
            if position is not None and isinstance(item, dict):
                self.mapping(base[position], item, (*at, position), (*source, offset))
            else:
                base.append(copy.deepcopy(item))
                self.source.note(self.written, (*at, len(base) - 1), (*source, offset))


def _json_patch(obj: KubeObject, patch: Patch) -> KubeObject:
    body = copy.deepcopy(obj.body)
    written: dict[PathKey, Location] = {}
    source = _Source(patch.file, patch.lines)
    for position, operation in enumerate(patch.operations):
        if isinstance(operation, dict) and isinstance(operation.get("path"), str):
            at = _operate(body, operation)
            if at is not None:
                source.note(written, at, (position, "value"))
    return obj.rebuilt(body, written)


def _operate(body: dict[str, Any], operation: dict[str, Any]) -> PathKey | None:
    """One operation; the path it wrote a value at, or None (nothing written)."""
    steps = [step.replace("~1", "/").replace("~0", "~") for step in operation["path"].split("/")[1:]]
    if not steps:
        return None
    parent: Any = body
    for step in steps[:-1]:
        parent = _child(parent, step)
        if parent is None:
            return None
    return _set(parent, steps[-1], operation, tuple(_indexes(body, steps[:-1])))


def _child(value: Any, step: str) -> Any:
    if isinstance(value, dict):
        return value.get(step)
    if isinstance(value, list) and step.isdigit() and int(step) < len(value):
        return value[int(step)]
    return None


def _indexes(body: Any, steps: list[str]) -> list[str | int]:
    """The pointer's steps as a path key: list positions as ints."""
    path: list[str | int] = []
    value = body
    for step in steps:
        path.append(int(step) if isinstance(value, list) else step)
        value = _child(value, step)
    return path


def _set(parent: Any, last: str, operation: dict[str, Any], at: PathKey) -> PathKey | None:
    op, value = operation.get("op"), copy.deepcopy(operation.get("value"))
    if isinstance(parent, dict):
        if op == "remove":
            parent.pop(last, None)
            return None
        if op in ("add", "replace"):
            parent[last] = value
            return (*at, last)
    elif isinstance(parent, list):
        index = len(parent) if last == "-" else int(last) if last.isdigit() else None
        if index is None or index > len(parent):
            return None
        if op == "remove" and index < len(parent):
            del parent[index]
        elif op == "add":
            parent.insert(index, value)
            return (*at, index)
        elif op == "replace" and index < len(parent):
            parent[index] = value
            return (*at, index)
    return None
