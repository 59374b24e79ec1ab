"""kustomize's ``secretGenerator`` / ``configMapGenerator``: the Secrets and ConfigMaps they define.

kustomize writes these objects at build time, so a repository holds no manifest for them: the
values sit in the kustomization (``literals``), in ``.env`` files (``envs``) or in whole files
(``files``). We build the object kustomize would emit, with each value located where it is
written. The content-hash suffix kustomize appends to the name is left out: consumers name the
generator, and kustomize rewrites their references to the hashed name, so linking by the
generator's name is what the deployed cluster does.
"""

from __future__ import annotations

import base64
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..model import Location, ScanError
from .objects import KubeObject, PathKey

#: Reads a scanned-root-relative file as text, or says why it could not.
ReadText = Callable[[str], "str | ScanError"]

GENERATORS = (("secretGenerator", "Secret"), ("configMapGenerator", "ConfigMap"))


@dataclass(frozen=True)
class Generated:
    """One generator's object, and how it combines with one of the same name from a base."""

    obj: KubeObject
    behavior: str  # create, merge or replace


@dataclass
class _Values:
    data: dict[str, str]
    lines: dict[PathKey, int]
    elsewhere: dict[PathKey, Location]


def generated_objects(
    file: str, body: dict[str, Any], lines: dict[PathKey, int], read: ReadText
) -> tuple[list[Generated], list[ScanError]]:
    """Every generator entry of one kustomization (``file``, its ``body`` and line map)."""
    found: list[Generated] = []
    errors: list[ScanError] = []
    options = _mapping(body.get("generatorOptions"))
    for key, kind in GENERATORS:
        entries = body.get(key)
        for position, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                path: PathKey = (key, position)
                obj = _object(kind, entry, _values(file, entry, path, lines, read, errors), file, path, lines, options)
                found.append(Generated(obj, str(entry.get("behavior") or "create")))
    return found, errors


def _object(
    kind: str, entry: dict[str, Any], values: _Values, file: str, path: PathKey,
    lines: dict[PathKey, int], options: dict[str, Any],
) -> KubeObject:
    metadata: dict[str, Any] = {"name": entry["name"]}
    if isinstance(entry.get("namespace"), str):
        metadata["namespace"] = entry["namespace"]
    entry_options = _mapping(entry.get("options"))
    for field in ("labels", "annotations"):
        merged = {**_mapping(options.get(field)), **_mapping(entry_options.get(field))}
        if merged:
            metadata[field] = merged
    body: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata}
    if kind == "Secret":
        body["type"] = entry.get("type") or "Opaque"
        body["data"] = {key: base64.b64encode(value.encode("utf-8")).decode("ascii") for key, value in values.data.items()}
    else:
        body["data"] = values.data
    own_lines = {("metadata", "name"): lines.get((*path, "name"), lines.get(path, 1)), **values.lines}
    start = lines.get(path, 1)
    end = max([start, *(line for key, line in lines.items() if key[: len(path)] == path)])
    return replace(KubeObject.from_body(body, Location(file, start, end), own_lines), elsewhere=values.elsewhere)


def _values(
    file: str, entry: dict[str, Any], path: PathKey, lines: dict[PathKey, int], read: ReadText, errors: list[ScanError]
) -> _Values:
    """``literals`` first, then ``envs`` (and the older single ``env``), then ``files``: later
    sources of the same key win, as in kustomize's merged output."""
    values = _Values({}, {}, {})
    folder = posixpath.dirname(file)
    for position, literal in enumerate(_strings(entry.get("literals"))):
        key, sep, value = literal.partition("=")
        if sep:
            values.data[key.strip()] = _unquoted(value)
            values.lines[("data", key.strip())] = lines.get((*path, "literals", position), lines.get(path, 1))
    env_files = _strings(entry.get("envs")) + _strings([entry.get("env")])
    for env_file in env_files:
        _read_into(values, posixpath.normpath(posixpath.join(folder, env_file)), read, errors, _env_pairs)
    for spec in _strings(entry.get("files")):
        key, sep, source = spec.partition("=")
        key, source = (key, source) if sep else (posixpath.basename(spec), spec)
        rel = posixpath.normpath(posixpath.join(folder, source))
        _read_into(values, rel, read, errors, _whole_file(key))
    return values


def _read_into(
    values: _Values, rel: str, read: ReadText, errors: list[ScanError],
    pairs: Callable[[str], Iterator[tuple[str, str, int]]],
) -> None:
    text = read(rel)
    if isinstance(text, ScanError):
        errors.append(text)
        return
    for key, value, line in pairs(text):
        values.data[key] = value
        values.elsewhere[("data", key)] = Location(rel, line, line)


def _whole_file(key: str) -> Callable[[str], Iterator[tuple[str, str, int]]]:
    """A ``files`` entry: the whole text is one value, written from the file's first line."""
    return lambda text: iter([(key, text, 1)])


def _env_pairs(text: str) -> Iterator[tuple[str, str, int]]:
    """``KEY=value`` lines of an env file; blank lines and ``#`` comments are skipped, and so is a
    bare ``KEY`` (kustomize would take its value from the environment of whoever builds)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        key, sep, value = line.partition("=")
        if line and not line.startswith("#") and sep:
            yield key.strip(), value, number


def _unquoted(value: str) -> str:
    """kustomize drops one pair of matching quotes around a literal's value."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}
