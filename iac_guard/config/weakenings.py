"""What a config file weakens: every setting that lets through what the defaults fail.

On a pull request the repository's ``.iac-guard.yaml`` is written by the author under review, so
each weakening it applies is computed here once, when the config is read, and stated in every
output (a gate switched off by ``exclude: ["**"]`` must say so). Weakenings are measured against the
built-in defaults, the same for a pinned ``--config`` (listed as the config in force, not from the
repository). ``filter.trust`` turns the ones a change introduces into findings (IAG901).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from .settings import Settings

#: Settings whose larger value fails less: a raised limit is a weakening.
LIMIT_KEYS = ("max_lifetime_days", "max_rotation_days", "max_file_bytes", "max_module_instances", "max_resource_instances")
#: Severities from the lowest: a ``fail_on`` further up fails less (model.SEVERITY_ORDER's order).
_SEVERITIES = ("low", "medium", "high", "critical")
#: How an empty entry (the placeholder owner "") reads in a weakening's text.
EMPTY_ENTRY = '""'


@dataclass(frozen=True)
class Weakening:
    """One thing the config makes pass: ``key`` (and ``entry``, for a list or map key) turns what
    the defaults do (``before``) into ``after``, written at ``file``:``line``."""

    key: str
    entry: str | None
    before: str
    after: str
    file: str
    line: int
    #: What ``applies`` compares the settings in force with, when the text shown is not it (the
    #: resolved baseline path); never in the outputs.
    compared: str | None = None

    @property
    def subject(self) -> str:
        if self.entry is None:
            return self.key
        return f"{self.key} {self.entry or EMPTY_ENTRY}"

    def applies(self, settings: Settings) -> bool:
        """Whether the settings in force still carry it: a command-line option overrides the file."""
        value = getattr(settings, self.key)
        if self.key in LIMIT_KEYS:
            return value == int(self.after)
        if self.key in ("placeholder_owners", "production_environments", "environment_keys"):
            return self.entry not in value
        if self.key == "owner_roles":
            return self.entry in settings.owner_keys
        if self.key in ("exclude", "skip_policies", "owner_keys"):
            return self.entry in value
        if self.key == "fail_on":
            return value == self.after
        if self.key == "soft_fail":
            return value is True
        if self.key == "baseline":
            return value is not None and str(value) == self.compared
        return True

    @property
    def text(self) -> str:
        return f"{self.subject}: {self.before} → {self.after}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "entry": self.entry, "default": self.before, "value": self.after,
            "file": self.file, "line": self.line, "text": self.text,
        }


@dataclass(frozen=True)
class ConfigInForce:
    """The config file a scan ran with. ``file`` is shown relative to the scanned root when the
    file belongs to the repository under scan; a pinned one from outside keeps its full path."""

    file: str
    from_repository: bool
    weakenings: tuple[Weakening, ...]

    def still_applied(self, settings: Settings) -> ConfigInForce:
        return replace(self, weakenings=tuple(w for w in self.weakenings if w.applies(settings)))

    @property
    def origin(self) -> str:
        return "from the repository" if self.from_repository else "pinned, not from the repository"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "from_repository": self.from_repository,
            "weakenings": [weakening.to_dict() for weakening in self.weakenings],
        }


def weakenings(
    raw: Mapping[str, Any], text: str, file: str, defaults: Settings, folder: Path | None = None
) -> tuple[Weakening, ...]:
    """Every weakening of a schema-valid config (``raw``, parsed from ``text``, in ``folder``), in key order."""
    lines = _KeyLines(text)

    def found(
        key: str, entry: str | None, before: str, after: str, at: str | int | None = None, compared: str | None = None
    ) -> Weakening:
        return Weakening(key, entry, before, after, file, lines.of(key, at), compared)

    result = [
        found(key, None, str(getattr(defaults, key)), str(raw[key]))
        for key in LIMIT_KEYS
        if key in raw and raw[key] > getattr(defaults, key)
    ]
    result += _gate_weakenings(raw, found, folder)
    result += [found("exclude", p, "scanned", "not scanned", i) for i, p in enumerate(raw.get("exclude", ()))]
    result += [found("skip_policies", p, "evaluated", "not evaluated", i) for i, p in enumerate(raw.get("skip_policies", ()))]
    result += _owner_and_environment_weakenings(raw, found, defaults)
    result += [
        found("policy_dirs", folder, "not loaded", "loaded beside the built-in pack", i)
        for i, folder in enumerate(raw.get("policy_dirs", ()))
    ]
    return tuple(sorted(result, key=lambda weakening: weakening.line))  # stable: key order within a line


def _gate_weakenings(raw: Mapping[str, Any], found: Callable[..., Weakening], folder: Path | None) -> list[Weakening]:
    """What the config does to the gate itself: a higher threshold, no failing at all, a baseline."""
    result = []
    fail_on = str(raw.get("fail_on", "low")).lower()
    if _SEVERITIES.index(fail_on) > 0:
        result.append(found("fail_on", None, "low", fail_on))
    if raw.get("soft_fail") is True:
        result.append(found("soft_fail", None, "failing findings fail the gate", "findings never fail the gate"))
    if "baseline" in raw:
        resolved = str(((folder or Path(".")) / raw["baseline"]).resolve())
        result.append(found("baseline", raw["baseline"], "every finding judged", "findings it records pass", compared=resolved))
    return result


def _owner_and_environment_weakenings(raw: Mapping[str, Any], found: Callable[..., Weakening], defaults: Settings) -> list[Weakening]:
    """What lets an owner pass (placeholders accepted, new owner keys — from ``owner_roles`` too —,
    mapped owners) and environment settings that can let a credential cross environments unseen
    (IAG009): each stated, since the repository under review wrote them."""
    result = []
    if "placeholder_owners" in raw:
        kept = {value.lower() for value in raw["placeholder_owners"]}
        result += [
            found("placeholder_owners", value, "a placeholder", "accepted as an owner")
            for value in defaults.placeholder_owners
            if value not in kept
        ]
    result += [
        found("owner_keys", key, "not an owner key", "names the owner", i)
        for i, key in enumerate(raw.get("owner_keys", ()))
        if key not in defaults.owner_keys
    ]
    result += [
        found("owner_map", str(address), "no owner", f"owner {team}", str(address))
        for address, team in raw.get("owner_map", {}).items()
    ]
    if "owner_roles" in raw and "owner_keys" not in raw:
        role_keys = dict.fromkeys(str(k) for keys in raw["owner_roles"].values() for k in keys)
        result += [found("owner_roles", key, "not an owner key", "names the owner") for key in role_keys if key not in defaults.owner_keys]
    if "environment_keys" in raw:
        kept = {str(k).lower() for k in raw["environment_keys"]}
        result += [found("environment_keys", key, "names the environment", "ignored") for key in defaults.environment_keys if key not in kept]
    if "environments" in raw:
        result.append(found("environments", None, "the default environment patterns", "the config's patterns"))
    if "production_environments" in raw:
        kept = {str(e).lower() for e in raw["production_environments"]}
        result += [
            found("production_environments", env, "production", "not production")
            for env in defaults.production_environments if env not in kept
        ]
    return result


def introduced(head: Sequence[Weakening], base: Sequence[Weakening]) -> Iterator[tuple[Weakening, str]]:
    """The weakenings of ``head`` the ``base`` config did not already apply (a limit raised
    further counts), each with what it was at the base: the default, or the base's own value."""
    at_base = {(w.key, w.entry): w for w in base}
    for weakening in head:
        before = at_base.get((weakening.key, weakening.entry))
        if before is None:
            yield weakening, weakening.before
        elif weakening.key in LIMIT_KEYS and int(weakening.after) > int(before.after):
            yield weakening, before.after
        elif weakening.key == "fail_on" and _SEVERITIES.index(weakening.after) > _SEVERITIES.index(before.after):
            yield weakening, before.after


class _KeyLines:
    """Line numbers of a config's top-level keys and of their list items or map keys, read from
    the node tree (composing builds no values, so it cannot expand an alias)."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, str | int | None], int] = {}
        try:
            root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return
        if not isinstance(root, yaml.MappingNode):
            return
        for key, value in root.value:
            name = str(key.value)
            self._lines[(name, None)] = key.start_mark.line + 1
            if isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    self._lines[(name, index)] = item.start_mark.line + 1
            elif isinstance(value, yaml.MappingNode):
                for entry, _ in value.value:
                    self._lines[(name, str(entry.value))] = entry.start_mark.line + 1

    def of(self, key: str, at: str | int | None = None) -> int:
        return self._lines.get((key, at), self._lines.get((key, None), 1))
