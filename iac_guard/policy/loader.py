"""Loads policy packs: YAML files checked against policies/schema.json, then against the facts.

The schema catches shape errors (unknown keys, wrong types); the loader then catches what a
schema cannot see — a field path or message placeholder no credential has, a param that names
no setting, a regex that does not compile, an id two files claim — so that a broken policy stops
the scan when it loads, naming the file and the field, instead of silently never (or always)
firing. User packs are validated against the same built-in schema.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

import iac_guard

from ..config.settings import Settings
from ..model import Credential, Finding
from ..support.schemas import validator, validator_problems
from ..support.yaml_files import YamlFileError, read_yaml
from .conditions import Condition, DefinitionError, parse_condition
from .fact_types import FactPathError, FactType, type_of
from .facts import example_facts, lookup, render

_SETTING_NAMES = tuple(f.name for f in dataclasses.fields(Settings))


class PolicyError(Exception):
    """A policy pack that cannot be used; each line names the file and the field path."""


@dataclass(frozen=True)
class AppliesTo:
    """Record filters; an empty filter lets every credential through."""

    origins: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    kinds_not: tuple[str, ...] = ()
    identities: bool | None = None  # True: identities only, False: non-identities only

    def matches(self, credential: Credential) -> bool:
        return (
            (not self.origins or credential.origin in self.origins)
            and (not self.kinds or credential.kind in self.kinds)
            and credential.kind not in self.kinds_not
            and (self.identities is None or credential.is_identity == self.identities)
        )


@dataclass(frozen=True)
class Param:
    """A policy parameter: a scan setting (so users tune thresholds in config) or a constant."""

    setting: str | None = None
    value: Any = None

    def resolve(self, settings: Settings) -> Any:
        return getattr(settings, self.setting) if self.setting else self.value


@dataclass(frozen=True)
class Example:
    verdict: Literal["bad", "good"]  # bad: the scanner must flag it; good: it must not
    language: str  # terraform | kubernetes | github-actions
    code: str


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    category: str
    severity: str
    description: str
    remediation: str
    message: str
    fails_when: Condition | None  # None for a policy that judges suppressions, not credentials
    applies_to: AppliesTo
    for_each: str | None
    points_to: str | None
    params: Mapping[str, Param]
    controls: Mapping[str, tuple[str, ...]]
    references: tuple[str, ...]
    examples: tuple[Example, ...]
    source: Path
    #: What the policy judges: "credentials" (by the engine, through fails_when) or "suppressions"
    #: (built in: the suppression stage decides when an inline suppression is not valid).
    judges: str = "credentials"
    #: The ``fails_when`` as the pack writes it (YAML), for the policy reference.
    condition_source: str = ""
    #: A fact naming each finding's own severity (``item.severity``: an admin key's leak is worse
    #: than a project key's); ``severity`` when absent or not a severity.
    severity_from: str | None = None

    def param_values(self, settings: Settings) -> dict[str, Any]:
        return {name: param.resolve(settings) for name, param in self.params.items()}

    def finding_on_line(self, message: str, resource: str, file: str, line: int, **extra: Any) -> Finding:
        """A finding of a policy that judges what is written on one line rather than a
        credential (``judges: suppressions``): an invalid suppression, a weakened config."""
        return Finding(
            policy_id=self.id, category=self.category, severity=self.severity, title=self.title, message=message,
            resource=resource, file=file, line=line, end_line=line, controls=dict(self.controls),
            remediation=self.remediation, **extra,
        )


def builtin_policy_dir() -> Path:
    """The built-in pack: inside the wheel when installed, the top-level policies/ in a checkout."""
    package = Path(iac_guard.__file__).parent
    installed = package / "builtin_policies"
    return installed if installed.is_dir() else package.parent / "policies"


def load_policies(dirs: Sequence[Path]) -> list[Policy]:
    """Every ``*.yaml``/``*.yml`` policy under ``dirs``, sorted by id.

    Errors from all files are collected into one PolicyError so that a pack author sees every
    problem in one run.
    """
    policies: list[Policy] = []
    errors: list[str] = []
    builtin = builtin_policy_dir()
    for path in policy_files(dirs):
        try:
            # The built-in pack is checked against the schema by the test suite; skipping it here
            # keeps jsonschema's import (about 60 ms) out of every scan that has no pack of its own.
            policies.append(_load_file(path, validate=not path.is_relative_to(builtin)))
        except PolicyError as exc:
            errors.append(str(exc))
    errors.extend(_duplicate_ids(policies))
    if errors:
        raise PolicyError("\n".join(errors))
    return sorted(policies, key=lambda policy: policy.id)


def policy_files(dirs: Sequence[Path]) -> list[Path]:
    """The policy files of the packs in ``dirs``, each pack's sorted; a missing folder is a PolicyError."""
    files: list[Path] = []
    for folder in dirs:
        if not folder.is_dir():
            raise PolicyError(f"{folder}: policy directory not found")
        files.extend(sorted(p for p in folder.rglob("*") if is_policy_file(p, folder)))
    return files


#: Folders of a pack that hold no policies: control catalogs and policy test cases.
NOT_POLICY_FOLDERS = frozenset({"frameworks", "tests"})
TEST_CASE_SUFFIXES = (".tests.yaml", ".tests.yml")


def is_policy_file(path: Path, folder: Path) -> bool:
    """A YAML file of a pack that is a policy: not a test-case file (``IAG001-x.tests.yaml`` or
    under ``tests/``) and not a control catalog (under ``frameworks/``)."""
    return (
        path.suffix in (".yaml", ".yml")
        and not path.name.endswith(TEST_CASE_SUFFIXES)
        and not NOT_POLICY_FOLDERS & set(path.relative_to(folder).parts[:-1])
        and path.is_file()
    )


def _duplicate_ids(policies: Sequence[Policy]) -> Iterator[str]:
    first: dict[str, Path] = {}
    for policy in policies:
        if policy.id in first:
            yield f"{policy.source}: id: duplicate policy id {policy.id} (also defined in {first[policy.id]})"
        first.setdefault(policy.id, policy.source)


def schema_problems(path: Path) -> list[str]:
    """The policy file's schema errors as ``path: field.path: rule broken``; the built-in pack,
    which scans do not validate, is checked with this by the test suite."""
    return [f"{path}: {problem}" for problem in _schema_problems(_read_yaml(path))]


def _load_file(path: Path, validate: bool = True) -> Policy:
    raw = _read_yaml(path)
    problems = [f"{path}: {problem}" for problem in _schema_problems(raw)] if validate else []
    if problems:
        raise PolicyError("\n".join(problems))
    try:
        return _build(path, raw)
    except DefinitionError as exc:
        raise PolicyError(f"{path}: {exc} (policy {raw['id']})") from None


def _read_yaml(path: Path) -> Any:
    try:
        return read_yaml(path, "policy file")
    except YamlFileError as exc:
        raise PolicyError(str(exc)) from None


def _schema_problems(raw: Any) -> list[str]:
    """Schema errors as ``field.path: rule broken``, each once, never quoting a value (a user
    pack may sit in the pull request under review: see schemas.py)."""
    return validator_problems(validator(builtin_policy_dir() / "schema.json"), raw)


def _build(path: Path, raw: Mapping[str, Any]) -> Policy:
    if raw.get("judges") == "suppressions":
        return _suppression_policy(path, raw)
    facts = example_facts()
    params = {name: _param(name, spec, facts) for name, spec in raw.get("params", {}).items()}
    example_params = {name: param.resolve(Settings()) for name, param in params.items()}
    bound = _for_each_element(raw)
    facts = {**facts, "item": _example_item(raw, facts)} if bound else facts
    fails_when = parse_condition(raw["fails_when"], "fails_when", example_params, bound)
    _check_message(raw["message"], {**facts, **example_params})
    applies_to = raw.get("applies_to", {})
    return Policy(
        **_described(path, raw),
        message=raw["message"],
        fails_when=fails_when,
        applies_to=AppliesTo(
            origins=tuple(applies_to.get("origin", ())),
            kinds=tuple(applies_to.get("kinds", ())),
            kinds_not=tuple(applies_to.get("kinds_not", ())),
            identities=applies_to.get("identities"),
        ),
        for_each=raw.get("for_each"),
        points_to=raw.get("points_to"),
        params=params,
        severity_from=_checked_path(raw, "severity_from", bound),
        condition_source=yaml.safe_dump(raw["fails_when"], sort_keys=False, default_flow_style=None, width=100),
    )


def _checked_path(raw: Mapping[str, Any], key: str, bound: Mapping[str, FactType]) -> str | None:
    """A field path the policy names outside its condition, resolved against the fact types so
    that a typo is a load-time error."""
    path = raw.get(key)
    if path is None:
        return None
    try:
        type_of(path, bound)
    except FactPathError as exc:
        raise DefinitionError(key, str(exc)) from None
    return str(path)


def _suppression_policy(path: Path, raw: Mapping[str, Any]) -> Policy:
    """A policy the suppression stage applies: the pack gives its id, text, severity and controls."""
    return Policy(
        **_described(path, raw),
        message="",
        fails_when=None,
        applies_to=AppliesTo(),
        for_each=None,
        points_to=None,
        params={},
        judges="suppressions",
    )


def _described(path: Path, raw: Mapping[str, Any]) -> dict[str, Any]:
    """What every policy has, whatever it judges: its id, text, severity, controls and examples."""
    return {
        "id": raw["id"],
        "title": raw["title"],
        "category": raw["category"],
        "severity": raw["severity"],
        "description": raw["description"].strip(),
        "remediation": raw["remediation"].strip(),
        "controls": {framework: tuple(ids) for framework, ids in raw.get("controls", {}).items()},
        "references": tuple(raw.get("references", ())),
        "examples": tuple(_examples(raw.get("examples", {}))),
        "source": path,
    }


def _param(name: str, spec: Mapping[str, Any], facts: Mapping[str, Any]) -> Param:
    if name in facts:
        raise DefinitionError(f"params.{name}", "a param may not take the name of a fact")
    if "setting" not in spec:
        return Param(value=spec["value"])
    if spec["setting"] not in _SETTING_NAMES:
        known = ", ".join(_SETTING_NAMES)
        raise DefinitionError(f"params.{name}.setting", f"names no setting (settings: {known})")
    return Param(setting=spec["setting"])


def _for_each_element(raw: Mapping[str, Any]) -> dict[str, FactType]:
    """With for_each, the type of ``item`` (its list's element), to check ``item.*`` paths against."""
    for_each = raw.get("for_each")
    if raw.get("points_to") == "item" and not for_each:
        raise DefinitionError("points_to", "'item' needs for_each")
    if not for_each:
        return {}
    try:
        listed = type_of(for_each)
    except FactPathError:
        listed = None
    if listed is None or listed.kind != "list" or listed.element is None:
        raise DefinitionError("for_each", f"{for_each!r} is not a list field (the facts are listed in docs/policies.md, \"Facts\")")
    return {"item": listed.element}


def _example_item(raw: Mapping[str, Any], facts: Mapping[str, Any]) -> Any:
    """An element of the for_each list of the example facts, to render the message against."""
    return lookup(facts, raw["for_each"])[0]


def _check_message(message: str, namespace: Mapping[str, Any]) -> None:
    try:
        render(message, namespace)
    except KeyError as exc:
        raise DefinitionError("message", f"unknown placeholder {{{exc.args[0]}}}") from None
    except (ValueError, TypeError, IndexError) as exc:
        raise DefinitionError("message", f"not a valid message template ({exc})") from None


def _examples(raw: Mapping[str, Sequence[Mapping[str, str]]]) -> Iterator[Example]:
    for verdict in ("bad", "good"):
        for snippet in raw.get(verdict, ()):
            ((language, code),) = snippet.items()
            yield Example(verdict, language, code)
