"""kustomize without the binary: the objects a GitOps repository's kustomizations deploy.

:func:`kustomize` is a pure transformation over loaded manifests and parsed kustomizations, keyed
by root-relative POSIX path. Each kustomization no other one lists is built (its ``resources``
first, recursively, then its generators, patches and transformations), so a base used by two
overlays yields each overlay's objects, and a base alone is not also judged as if deployed.
Files a kustomization lists as resources or patches are judged only through it; every other
manifest is judged as it is, so nothing drops out of the scan unseen.

Failing closed: a cycle, a resource outside the scanned folder, one that is not among the
scanned files, nesting deeper than ``MAX_DEPTH`` and more than ``MAX_BUILDS`` builds are scan errors. Remote resources (URLs,
``github.com/...``) are never fetched: nothing in the scanned files is wrong, so one scan note per
kustomization (not an error: the gate still judges what is here) says how many were not followed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Location, ScanError, ScanNote
from ..support.files import DEFAULT_MAX_FILE_BYTES, read_input
from .kustomize_generators import ReadText, generated_objects
from .kustomize_patch import Patch, apply_patch
from .kustomize_transforms import Kustomizing
from .loader import decode_text, load_kube_text, load_yaml_value
from .objects import KubeObject, PathKey

MAX_DEPTH = 20
#: Kustomization builds per scan: a base listed twice at each of 20 levels would be built a
#: million times over. Real trees build each kustomization once or a few times.
MAX_BUILDS = 2_000
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|(?:github|gitlab|bitbucket)\.(?:com|org)/)|\?ref=", re.IGNORECASE)
_PATCH_FIELDS = ("patchesStrategicMerge", "patches", "patchesJson6902")

LoadManifest = Callable[[Path, str], "tuple[list[KubeObject], list[ScanError]]"]


@dataclass(frozen=True)
class Kustomization:
    file: str  # relative to the scanned root
    body: dict[str, Any]
    lines: dict[PathKey, int]

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.file) or "."

    def line(self, *path: str | int) -> int:
        return next((self.lines[path[:end]] for end in range(len(path), 0, -1) if path[:end] in self.lines), 1)

    def entries(self, key: str) -> list[tuple[int, str]]:
        values = self.body.get(key)
        return [(n, v) for n, v in enumerate(values) if isinstance(v, str)] if isinstance(values, list) else []

    def patch_entries(self) -> list[tuple[str, int, Any]]:
        """(field, position, entry) of every patch, in kustomize's order of fields."""
        found = []
        for key in _PATCH_FIELDS:
            values = self.body.get(key)
            found += [(key, position, entry) for position, entry in enumerate(values if isinstance(values, list) else [])]
        return found


def parse_kustomization(text: str, rel: str) -> Kustomization | ScanError:
    parsed = load_yaml_value(text, rel)
    if isinstance(parsed, ScanError):
        return parsed
    if not isinstance(parsed[0], dict):
        return ScanError(rel, "a kustomization that is not a YAML mapping")
    return Kustomization(rel, parsed[0], parsed[1])


def kustomize(
    manifests: Mapping[str, list[KubeObject]], kustomizations: Sequence[Kustomization], read: ReadText
) -> tuple[list[KubeObject], list[ScanError], list[ScanNote]]:
    """The objects to judge: every kustomization's build, and the manifests none of them lists;
    the errors, and the notes of remote resources not followed."""
    build = _Build(manifests, {}, read)
    for k in kustomizations:
        if k.folder in build.by_folder:  # kustomize refuses to build such a folder
            build.errors.append(ScanError(k.file, f"a second kustomization in its folder (beside {build.by_folder[k.folder].file}): not read"))
        else:
            build.by_folder[k.folder] = k
    try:
        for folder in build.roots():
            build.objects += build.kustomization(folder, ())
        for folder in sorted(build.by_folder):  # one not built yet is only reached through a cycle
            if folder not in build.built:
                build.objects += build.kustomization(folder, ())
    except _Exhausted as exc:
        message = f"kustomizations expand to more than {MAX_BUILDS} builds (a base listed many times over?): no kustomization is judged"
        build.errors.append(ScanError(exc.file, message))
        build.objects = []
    standalone = [obj for rel, objects in manifests.items() if rel not in build.claimed for obj in objects]
    return standalone + build.objects, build.errors, build.remote_notes()


class _Exhausted(Exception):
    """The build budget ran out; ``file`` is the kustomization that would have passed it."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.file = file


@dataclass
class _Build:
    manifests: Mapping[str, list[KubeObject]]
    by_folder: dict[str, Kustomization]
    read: ReadText
    objects: list[KubeObject] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)
    built: set[str] = field(default_factory=set)
    builds: int = 0
    remote: list[tuple[str, int]] = field(default_factory=list)

    def roots(self) -> list[str]:
        listed = {rel for k in self.by_folder.values() for rel in self._listed(k)}
        return sorted(folder for folder in self.by_folder if folder not in listed)

    def kustomization(self, folder: str, stack: tuple[str, ...], objects: Sequence[KubeObject] = ()) -> list[KubeObject]:
        """The objects a kustomization builds; for a ``Component``, ``objects`` are its parent's so
        far, which its patches and transformations change too."""
        k = self.by_folder[folder]
        self.built.add(folder)
        self.builds += 1
        if self.builds > MAX_BUILDS:
            raise _Exhausted(k.file)
        built = list(objects)
        for (key, position), entry in self._resources(k):
            built += self._resource(k, key, position, entry, (*stack, folder))
        for position, entry in k.entries("components"):
            built = self._component(k, position, entry, (*stack, folder), built)
        generated, errors = generated_objects(k.file, k.body, k.lines, self.read)
        self.errors += errors
        for item in generated:
            built = _combine(built, item.obj, item.behavior)
        for patch in self._patches(k):
            built = apply_patch(built, patch)
        return Kustomizing(k.file, k.body, k.lines).apply(built)

    def _resources(self, k: Kustomization) -> list[tuple[tuple[str, int], str]]:
        return [((key, n), entry) for key in ("resources", "bases") for n, entry in k.entries(key)]

    def _listed(self, k: Kustomization) -> list[str]:
        entries = [entry for _, entry in self._resources(k)] + [entry for _, entry in k.entries("components")]
        return [self._resolve(k, entry) for entry in entries if not _REMOTE.search(entry)]

    def _component(
        self, k: Kustomization, position: int, entry: str, stack: tuple[str, ...], objects: list[KubeObject]
    ) -> list[KubeObject]:
        if _REMOTE.search(entry):
            self.remote.append((k.file, k.line("components", position)))
            return objects
        rel = self._resolve(k, entry)
        problem = self._problem(rel, entry, stack)
        if problem is None and rel not in self.by_folder:
            problem = f"component {entry!r} is not a folder with a kustomization"
        if problem is not None:
            self.errors.append(ScanError(k.file, problem, line=k.line("components", position)))
            return objects
        return self.kustomization(rel, stack, objects)

    def _resolve(self, k: Kustomization, entry: str) -> str:
        return posixpath.normpath(posixpath.join(k.folder, entry))

    def _resource(self, k: Kustomization, key: str, position: int, entry: str, stack: tuple[str, ...]) -> list[KubeObject]:
        line = k.line(key, position)
        if _REMOTE.search(entry):
            self.remote.append((k.file, line))
            return []
        rel = self._resolve(k, entry)
        problem = self._problem(rel, entry, stack)
        if problem is not None:
            self.errors.append(ScanError(k.file, problem, line=line))
            return []
        if rel in self.by_folder:
            return self.kustomization(rel, stack)
        self.claimed.add(rel)
        return list(self.manifests[rel])

    def _problem(self, rel: str, entry: str, stack: tuple[str, ...]) -> str | None:
        if rel == ".." or rel.startswith("../"):
            return f"resource {entry!r} is outside the scanned folder: scan the folder that holds it too"
        if rel in stack:
            return "kustomization cycle: " + " -> ".join((*stack[stack.index(rel):], rel))
        if len(stack) >= MAX_DEPTH:
            return f"kustomizations nest deeper than {MAX_DEPTH} levels"
        if rel not in self.by_folder and rel not in self.manifests:
            return f"resource {entry!r} is neither a scanned manifest nor a folder with a kustomization"
        return None

    def _patches(self, k: Kustomization) -> list[Patch]:
        found: list[Patch] = []
        for key, position, entry in k.patch_entries():
            where = (key, position) if isinstance(entry, str) else (key, position, "patch")
            path, inline = (entry, None) if isinstance(entry, str) else (entry.get("path"), entry.get("patch"))
            if key == "patchesStrategicMerge" and isinstance(entry, str) and "\n" in entry:
                path, inline = None, entry
            target = entry.get("target") if isinstance(entry, dict) and isinstance(entry.get("target"), dict) else None
            if isinstance(path, str):
                found += self._file_patch(k, (key, position), path, target)
            elif isinstance(inline, str):
                found += self._inline_patch(k, inline, k.line(*where), target)
        return found

    def _file_patch(self, k: Kustomization, where: tuple[str, int], entry: str, target: dict[str, Any] | None) -> list[Patch]:
        """A patch file: the objects it holds (strategic merge), else its JSON 6902 operations."""
        rel = self._resolve(k, entry)
        self.claimed.add(rel)
        if self.manifests.get(rel):
            return [Patch(merge=obj, target=target) for obj in self.manifests[rel]]
        text = self.read(rel)
        parsed = text if isinstance(text, ScanError) else load_yaml_value(text, rel)
        if isinstance(parsed, ScanError):
            self.errors.append(ScanError(k.file, f"patch {entry!r} could not be read: {parsed.message}", line=k.line(*where)))
            return []
        if not isinstance(parsed[0], list):
            self.errors.append(ScanError(k.file, f"patch {entry!r} is neither an object nor a list of operations", line=k.line(*where)))
            return []
        return [Patch(operations=parsed[0], file=rel, lines=parsed[1], target=target)]

    def _inline_patch(self, k: Kustomization, text: str, line: int, target: dict[str, Any] | None) -> list[Patch]:
        """A patch written in the kustomization: its lines count from the line that holds it."""
        objects, errors = load_kube_text(text, k.file)
        if errors or objects:
            self.errors += [ScanError(k.file, e.message, line=line) for e in errors]
            return [Patch(merge=_shifted(obj, line), target=target) for obj in objects]
        parsed = load_yaml_value(text, k.file)
        if isinstance(parsed, ScanError) or not isinstance(parsed[0], list):
            return []
        return [Patch(operations=parsed[0], file=k.file, lines={p: n + line for p, n in parsed[1].items()}, target=target)]

    def remote_notes(self) -> list[ScanNote]:
        """One note per kustomization that lists remote resources, at the first of them."""
        by_file: dict[str, set[int]] = {}  # a base two overlays build is listed once
        for file, line in self.remote:
            by_file.setdefault(file, set()).add(line)
        return [
            ScanNote(
                file, f"{len(lines)} remote kustomize resource(s) not followed (iac-guard does not fetch them): "
                "scan `kustomize build` output to judge them", line=min(lines),
            )
            for file, lines in sorted(by_file.items())
        ]


def _combine(objects: list[KubeObject], generated: KubeObject, behavior: str) -> list[KubeObject]:
    """An overlay generator with ``behavior: merge`` or ``replace`` changes the base's object of
    the same name; ``create`` adds one."""
    same = [i for i, obj in enumerate(objects) if (obj.kind, obj.name) == (generated.kind, generated.name)]
    if behavior not in ("merge", "replace") or not same:
        return [*objects, generated]
    base = objects[same[0]]
    if behavior == "merge":
        data = {**_data(base), **_data(generated)}
        written: dict[PathKey, Location] = {("data", key): base.location_of("data", key) for key in _data(base)}
        written.update({("data", key): generated.location_of("data", key) for key in _data(generated)})
        generated = generated.rebuilt({**generated.body, "data": data}, written)
    return [*objects[: same[0]], generated, *objects[same[0] + 1:]]


def _shifted(obj: KubeObject, line: int) -> KubeObject:
    """An object parsed from text inside the kustomization, with lines of the kustomization."""
    location = Location(obj.location.file, obj.location.line + line, obj.location.end_line + line)
    return KubeObject.from_body(obj.body, location, {path: n + line for path, n in obj.lines.items()})


def _data(obj: KubeObject) -> dict[str, Any]:
    data = obj.body.get("data")
    return data if isinstance(data, dict) else {}


def load_kustomized(
    root: Path, manifests: Sequence[tuple[Path, str]], kustomization_files: Sequence[tuple[Path, str]],
    load: LoadManifest, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> tuple[list[KubeObject], list[ScanError], list[ScanNote]]:
    """The scan's hook: reads the files (manifests through ``load``, the parse cache's loader),
    then :func:`kustomize`. Without kustomizations the manifests pass through unchanged."""
    errors: list[ScanError] = []
    loaded: dict[str, list[KubeObject]] = {}
    for path, rel in manifests:
        objects, file_errors = load(path, rel)
        loaded[rel] = objects
        errors += file_errors
    parsed: list[Kustomization] = []
    for path, rel in kustomization_files:
        text = _read_text(path, rel, max_bytes)
        result = text if isinstance(text, ScanError) else parse_kustomization(text, rel)
        if isinstance(result, ScanError):
            errors.append(result)
        else:
            parsed.append(result)
    if not parsed:
        return [obj for objects in loaded.values() for obj in objects], errors, []
    objects, build_errors, notes = kustomize(loaded, parsed, lambda rel: _read_text(root / rel, rel, max_bytes))
    return objects, errors + build_errors, notes


def _read_text(path: Path, rel: str, max_bytes: int) -> str | ScanError:
    data = read_input(path, rel, max_bytes)
    return data if isinstance(data, ScanError) else decode_text(data, rel)

