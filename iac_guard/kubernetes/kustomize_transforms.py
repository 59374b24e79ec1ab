"""What a kustomization does to the objects it lists: names, namespace, labels and annotations.

Applied in kustomize's order (each kustomization to the output of its resources, base first), so
an overlay's ``namespace`` wins over its base's, and a label set once in a base is on every object
the overlays build from it. Each value added points at the kustomization line that sets it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from ..model import Location
from .objects import CLUSTER_SCOPED_KINDS, KubeObject, PathKey, scalar_text

#: Kinds kustomize does not rename with ``namePrefix`` / ``nameSuffix``.
_NOT_RENAMED = frozenset({"Namespace", "CustomResourceDefinition"})
#: Kinds whose renaming kustomize carries into the pod specs that reference them.
_REFERENCED = frozenset({"Secret", "ConfigMap", "ServiceAccount"})
_BINDINGS = frozenset({"RoleBinding", "ClusterRoleBinding"})


class Kustomizing:
    """One kustomization's transformations (its file, body and line map)."""

    def __init__(self, file: str, body: dict[str, Any], lines: dict[PathKey, int]) -> None:
        self.file = file
        self.body = body
        self.lines = lines

    def at(self, *path: str | int) -> Location:
        line = next((self.lines[path[:end]] for end in range(len(path), 0, -1) if path[:end] in self.lines), 1)
        return Location(self.file, line, line)

    def apply(self, objects: list[KubeObject]) -> list[KubeObject]:
        renames = self._renames(objects)
        accounts = {(renames.get((obj.kind, obj.name), obj.name), obj.namespace) for obj in objects if obj.kind == "ServiceAccount"}
        return [self._one(obj, renames, accounts) for obj in objects]

    def _renames(self, objects: list[KubeObject]) -> dict[tuple[str, str], str]:
        prefix, suffix = scalar_text(self.body.get("namePrefix")), scalar_text(self.body.get("nameSuffix"))
        if not (prefix or suffix):
            return {}
        return {(obj.kind, obj.name): prefix + obj.name + suffix for obj in objects if obj.kind not in _NOT_RENAMED}

    def _one(self, obj: KubeObject, renames: dict[tuple[str, str], str], accounts: set[tuple[str, str | None]]) -> KubeObject:
        body = copy.deepcopy(obj.body)
        metadata = body.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            return obj
        written: dict[PathKey, Location] = {}
        if (obj.kind, obj.name) in renames:
            metadata["name"] = renames[(obj.kind, obj.name)]
        _rename_references(body, renames)
        namespace = self.body.get("namespace")
        if isinstance(namespace, str) and namespace and obj.kind not in CLUSTER_SCOPED_KINDS:
            metadata["namespace"] = namespace
            written[("metadata", "namespace")] = self.at("namespace")
        if isinstance(namespace, str) and namespace:
            _move_subjects(body, namespace, accounts)
        for field, pairs, templates in self._metadata_pairs():
            if not pairs:
                continue
            for at in [("metadata",), *(_template_paths(body) if templates else [])]:
                _merge_into(body, at, field, pairs, written)
        return obj.rebuilt(body, written)

    def _metadata_pairs(self) -> Iterator[tuple[str, list[tuple[str, str, Location]], bool]]:
        """``commonLabels`` (on pod templates too), each ``labels`` entry (on templates when it
        says ``includeTemplates`` or ``includeSelectors``) and ``commonAnnotations`` (templates
        too), with their lines. Selectors change no judgement and are left alone."""
        yield "labels", self._pairs(("commonLabels",)), True
        entries = self.body.get("labels")
        for position, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                templates = entry.get("includeTemplates") is True or entry.get("includeSelectors") is True
                yield "labels", self._pairs(("labels", position, "pairs")), templates
        yield "annotations", self._pairs(("commonAnnotations",)), True

    def _pairs(self, path: PathKey) -> list[tuple[str, str, Location]]:
        value: Any = self.body
        for part in path:
            if isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, dict):
            return []
        return [(str(key), scalar_text(item), self.at(*path, key)) for key, item in value.items() if not isinstance(item, (dict, list))]


def _merge_into(
    body: dict[str, Any], at: PathKey, field: str, pairs: list[tuple[str, str, Location]], written: dict[PathKey, Location]
) -> None:
    """The pairs over the labels or annotations of the metadata at ``at`` (they win, as in kustomize)."""
    metadata: Any = body
    for part in at:
        metadata = metadata.get(part) if isinstance(metadata, dict) else None
    if not isinstance(metadata, dict):
        return
    current = metadata.get(field)
    metadata[field] = {**(current if isinstance(current, dict) else {}), **{key: value for key, value, _ in pairs}}
    written.update({(*at, field, key): where for key, _, where in pairs})


def _template_paths(body: dict[str, Any]) -> list[PathKey]:
    """The pod template metadata of a workload and of a CronJob's job template (created if absent)."""
    found: list[PathKey] = []
    for path in (("spec", "template"), ("spec", "jobTemplate", "spec", "template")):
        template = _get(body, *path)
        if isinstance(template, dict):
            if not isinstance(template.get("metadata"), dict):
                template["metadata"] = {}
            found.append((*path, "metadata"))
    return found


def _move_subjects(body: dict[str, Any], namespace: str, accounts: set[tuple[str, str | None]]) -> None:
    """A binding's ServiceAccount subjects follow the accounts the kustomization moves (and the
    ``default`` account, which every namespace has), as kustomize's namespace transformer does."""
    for subject in _dicts(body.get("subjects")) if body.get("kind") in _BINDINGS else []:
        name, current = subject.get("name"), subject.get("namespace")
        if subject.get("kind") == "ServiceAccount" and (name == "default" or (name, current or "default") in accounts):
            subject["namespace"] = namespace


def _rename_references(body: dict[str, Any], renames: dict[tuple[str, str], str]) -> None:
    """References from pod specs to renamed Secrets, ConfigMaps and ServiceAccounts follow them."""
    if not any(kind in _REFERENCED for kind, _ in renames):
        return
    for subject in _dicts(body.get("subjects")) if body.get("kind") in _BINDINGS else []:
        if subject.get("kind") == "ServiceAccount":
            _rename(subject, "name", "ServiceAccount", renames)
    for spec in _pod_specs(body):
        _rename(spec, "serviceAccountName", "ServiceAccount", renames)
        for item in _dicts(spec.get("imagePullSecrets")):
            _rename(item, "name", "Secret", renames)
        for volume in _dicts(spec.get("volumes")):
            _rename(volume.get("secret"), "secretName", "Secret", renames)
            _rename(volume.get("configMap"), "name", "ConfigMap", renames)
            for source in _dicts(_get(volume, "projected", "sources")):
                _rename(source.get("secret"), "name", "Secret", renames)
                _rename(source.get("configMap"), "name", "ConfigMap", renames)
        for container in (*_dicts(spec.get("containers")), *_dicts(spec.get("initContainers"))):
            for env in _dicts(container.get("env")):
                _rename(_get(env, "valueFrom", "secretKeyRef"), "name", "Secret", renames)
                _rename(_get(env, "valueFrom", "configMapKeyRef"), "name", "ConfigMap", renames)
            for source in _dicts(container.get("envFrom")):
                _rename(source.get("secretRef"), "name", "Secret", renames)
                _rename(source.get("configMapRef"), "name", "ConfigMap", renames)


def _pod_specs(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The pod spec of a Pod, of a workload's template, and of a CronJob's job template."""
    for path in (("spec",), ("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec")):
        spec = _get(body, *path)
        if isinstance(spec, dict) and "containers" in spec:
            yield spec


def _rename(holder: Any, field: str, kind: str, renames: dict[tuple[str, str], str]) -> None:
    if isinstance(holder, dict) and isinstance(holder.get(field), str) and (kind, holder[field]) in renames:
        holder[field] = renames[(kind, holder[field])]


def _get(value: Any, *path: str) -> Any:
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
