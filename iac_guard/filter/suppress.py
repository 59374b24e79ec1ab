"""Filter stage: inline suppressions, written next to the code they excuse.

Two forms, one grammar for what is said (policy ids, a reason, an optional expiry and owner):

- a comment, in Terraform (``#``, ``//``, ``/* */``), YAML, a Dockerfile, a ``.env`` file, an
  editor's JSONC MCP config (``//``) or a notebook's code cell (``#``)::

      # iac-guard:ignore IAG003 reason="migrating to workload identity" expires=2027-03-31 owner=ml-platform

  on the line a finding points at, the line above it (or a run of comment lines directly above
  it), or the first line of the credential's block or object (or above it). In a notebook the
  comment is a line of the cell's source above the key; a key in a cell's stored *output* has no
  line to write one on (outputs are generated): clear the output, or accept it in the baseline;

- a Kubernetes annotation on the credential's object, one suppression per line of the value::

      iac-guard.io/ignore: "IAG003: migrating to workload identity; expires=2027-03-31; owner=ml-platform"

A suppression without a reason does not suppress anything: it is itself reported by the pack's
``judges: suppressions`` policy (IAG900), as is one that names no or an unknown policy, has an
``expires`` that is not a date, or an unknown key. A valid suppression past its ``expires`` day no
longer suppresses: the finding fails again and its message says when the suppression expired.

This stage reads the source lines of the files findings point to (comments are not part of any
parsed model) and the annotations the Kubernetes loader kept; it never runs anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.settings import Settings
from ..model import Check, Finding, Location, ScanError, Suppression
from ..secrets.detect import redact
from ..support.files import read_input
from .unused import MarkerUse, unused_suppressions

if TYPE_CHECKING:
    from ..kubernetes.objects import KubeObject
    from ..policy.loader import Policy

COMMENT_MARKER = "iac-guard:ignore"
ANNOTATION = "iac-guard.io/ignore"
KEYS = ("reason", "expires", "owner")
#: The category of the ``judges: suppressions`` policy this stage applies (IAG900); the pack's
#: other such policy (IAG901) judges config changes.
INVALID_SUPPRESSION = "invalid-suppression"

_COMMENT_OPENERS = ("#", "//", "/*")
#: Notebooks are JSON: their lines are read as the cell text they hold (``_cell_text``).
NOTEBOOK_SUFFIX = ".ipynb"
_IDS = r"[A-Za-z][A-Za-z0-9]*[0-9]+(?:\s*,\s*[A-Za-z][A-Za-z0-9]*[0-9]+)*"
_COMMENT_BODY = re.compile(rf"^(?:\s+(?P<ids>{_IDS}))?(?P<rest>.*)$")
_PAIR = re.compile(r"""\s+(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))""")
_ANNOTATION_LINE = re.compile(rf"^\s*(?P<ids>{_IDS})\s*(?::(?P<rest>.*))?$")
_ANNOTATION_KEY = re.compile(r"^\s*(?P<key>[A-Za-z_][\w-]*)\s*=\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class Marker:
    """One suppression as written: where, for which policies, and why (or why it is not valid)."""

    file: str
    line: int
    source: str  # "comment" | "annotation"
    policy_ids: tuple[str, ...]
    reason: str = ""
    expires: date | None = None
    owner: str | None = None
    problem: str | None = None  # set when the suppression is not valid

    def covers(self, policy_id: str) -> bool:
        return policy_id in self.policy_ids

    def suppression(self, today: date) -> Suppression:
        expires = self.expires.isoformat() if self.expires else None
        expired = self.expires is not None and today > self.expires
        return Suppression(self.reason, expires, self.source, self.owner, expired, Location(self.file, self.line, self.line))


@dataclass(frozen=True)
class MarkerContext:
    """What a marker is checked against: the loaded policy ids and the ones that may not be named."""

    known_ids: frozenset[str]
    unsuppressible: frozenset[str]
    placeholder_owners: tuple[str, ...]

    @classmethod
    def of(cls, policies: Sequence[Policy], settings: Settings) -> MarkerContext:
        """The pack's ids; its ``judges: suppressions`` policies are the ones no marker may name."""
        return cls(
            frozenset(p.id for p in policies),
            frozenset(p.id for p in policies if p.judges == "suppressions"),
            settings.placeholder_owners,
        )


def apply_suppressions(
    findings: Sequence[Finding],
    root: Path,
    kube_objects: Sequence[KubeObject],
    policies: Sequence[Policy],
    settings: Settings,
    texts: Mapping[str, str] | None = None,
    errors: list[ScanError] | None = None,
    checks: Sequence[Check] | None = None,
) -> list[Finding]:
    """The findings with valid suppressions attached, a finding for each invalid suppression and,
    given the scan's ``checks``, for each valid one that suppresses nothing (filter/unused.py).

    ``texts`` holds sources that cannot be read again from disk (standard input), by file name.
    A source is read like every scanned file (``support.files.read_input``: at most
    ``max_file_bytes``, noted in the result cache's input log); one that cannot be read suppresses
    nothing, and why is appended to ``errors``; an absent file is no error (a merged view's).
    """
    judge = next((p for p in policies if p.category == INVALID_SUPPRESSION and p.id not in settings.skip_policies), None)
    context = MarkerContext.of(policies, settings)
    sources = SourceLines(root, texts or {}, context, settings.max_file_bytes, errors)
    annotations = AnnotationIndex(kube_objects, context)
    result: list[Finding] = []
    invalid: dict[tuple[str, int, str, str], Finding] = {}
    used: set[MarkerUse] = set()
    for finding in findings:
        markers = [m for m in _candidates(finding, sources, annotations) if _concerns(m, finding, context)]
        valid = [m for m in markers if m.problem is None]
        used.update((m.file, m.line, m.source, finding.policy_id) for m in valid)
        result.append(_suppressed(finding, valid, settings.today))
        if judge is not None:
            for marker in (m for m in markers if m.problem is not None):
                invalid.setdefault((marker.file, marker.line, marker.source, finding.resource), _invalid_finding(judge, marker, finding))
    result.extend(invalid.values())
    if checks is not None:
        result.extend(unused_suppressions(result, checks, used, sources.all_markers, annotations.all_markers(), policies, settings))
    return sorted(result, key=Finding.sort_key)


def _concerns(marker: Marker, finding: Finding, context: MarkerContext) -> bool:
    """A marker speaks to a finding it names, and (to report it) when it names nothing usable."""
    if marker.covers(finding.policy_id):
        return True
    return marker.problem is not None and (
        not marker.policy_ids or any(pid not in context.known_ids for pid in marker.policy_ids)
    )


def _suppressed(finding: Finding, valid: list[Marker], today: date) -> Finding:
    if not valid:
        return finding
    suppressions = [marker.suppression(today) for marker in valid]
    active = [s for s in suppressions if not s.expired]
    if active:
        return replace(finding, suppression=active[0])
    latest = max(suppressions, key=lambda s: s.expires or "")
    return replace(
        finding, suppression=latest, message=f"{finding.message}; its suppression expired on {latest.expires}"
    )


def _invalid_finding(judge: Policy, marker: Marker, finding: Finding) -> Finding:
    named = ",".join(marker.policy_ids) or "no policy"
    return judge.finding_on_line(
        f"{finding.resource}: the suppression of {named} is not valid: {marker.problem}",
        finding.resource, marker.file, marker.line,
        ai_reasons=finding.ai_reasons, resource_location=finding.resource_location,
    )


# --- where a finding's suppressions may be written -----------------------------------------------


def _candidates(finding: Finding, sources: SourceLines, annotations: AnnotationIndex) -> Iterator[Marker]:
    places = [(finding.file, finding.line)]
    if finding.resource_location is not None:
        places.append((finding.resource_location.file, finding.resource_location.line))
    seen: set[tuple[str, int]] = set()
    for file, line in places:
        for number in sources.lines_for(file, line):
            if (file, number) not in seen:
                seen.add((file, number))
                yield from sources.markers(file, number)
    yield from annotations.markers(finding)


class SourceLines:
    """Source lines of the files findings point to, and the markers on them. Findings come sorted
    by file, so the last few files read are kept, not all: on a large scan every file's lines
    at once were the filter stage's memory peak."""

    KEPT = 32

    def __init__(
        self, root: Path, texts: Mapping[str, str], context: MarkerContext, max_bytes: int, errors: list[ScanError] | None
    ) -> None:
        self._root = root
        self._texts = texts
        self._context = context
        self._max_bytes = max_bytes
        self._errors = errors
        self._lines: dict[str, list[str]] = {}
        self._refused: set[str] = set()  # files whose error is already reported

    def _file(self, file: str) -> list[str]:
        lines = self._lines.pop(file, None)
        if lines is None:
            text = self._texts.get(file)
            lines = (self._read(file) if text is None else text).splitlines()
            if file.endswith(NOTEBOOK_SUFFIX):
                lines = [_cell_text(line) for line in lines]
            if len(self._lines) >= self.KEPT:
                del self._lines[next(iter(self._lines))]  # the least recently used
        self._lines[file] = lines  # now the most recently used
        return lines

    def _read(self, file: str) -> str:
        data = read_input(self._root / file, file, self._max_bytes)
        if isinstance(data, bytes):
            return data.decode("utf-8", errors="replace")
        missing = not (self._root / file).exists()  # a merged view's sources may be elsewhere: nothing to say
        if self._errors is not None and not missing and file not in self._refused:
            self._refused.add(file)
            self._errors.append(data)
        return ""

    def lines_for(self, file: str, line: int) -> Iterator[int]:
        """The line itself, the line above, and the comment-only lines directly above that."""
        lines = self._file(file)
        if not 1 <= line <= len(lines):
            return
        yield line
        number = line - 1
        while number >= 1:
            yield number
            if not _comment_only(lines[number - 1]):
                return
            number -= 1

    def markers(self, file: str, line: int) -> Iterator[Marker]:
        body = comment_marker_body(self._file(file)[line - 1])
        if body is not None:
            yield parse_comment(body, file, line, self._context)

    def all_markers(self, file: str) -> Iterator[tuple[Marker, range]]:
        """Every comment marker in a file, with the lines whose findings it can suppress: its own,
        and each line down to the first one that is not a comment (``lines_for`` walked back)."""
        lines = self._file(file)
        for number, text in enumerate(lines, start=1):
            if COMMENT_MARKER not in text:
                continue
            for marker in self.markers(file, number):
                last = number + 1
                while last <= len(lines) and _comment_only(lines[last - 1]):
                    last += 1
                yield marker, range(number, last + 1)


def _cell_text(line: str) -> str:
    """A notebook's file line as the cell text it holds: a cell's source is JSON, one string per
    line, so ``"# iac-guard:ignore IAG006 reason=\\"…\\"\\n",`` is the comment it encodes."""
    stripped = line.strip().removesuffix(",")
    if len(stripped) < 2 or not (stripped.startswith('"') and stripped.endswith('"')):
        return line
    try:
        decoded = json.loads(stripped)
    except ValueError:
        return line
    return decoded.replace("\n", " ") if isinstance(decoded, str) else line


def _comment_only(line: str) -> bool:
    return line.lstrip().startswith(_COMMENT_OPENERS)


def comment_marker_body(line: str) -> str | None:
    """The text after ``iac-guard:ignore`` when the line has it inside a comment, else None."""
    index = line.find(COMMENT_MARKER)
    if index < 0:
        return None
    before = line[:index].rstrip()
    opener = next((o for o in _COMMENT_OPENERS if before.endswith(o)), None)
    if opener is None:
        return None
    start = len(before) - len(opener)
    if start > 0 and not line[start - 1].isspace():
        return None  # `a#b` is no comment in YAML, and a marker glued to code is not one we trust
    if _inside_string(line[:start]):
        return None
    body = line[index + len(COMMENT_MARKER):]
    if opener == "/*":
        body = body.split("*/", 1)[0]
    return body.rstrip()


def _inside_string(prefix: str) -> bool:
    """Whether a double-quoted string is still open at the end of ``prefix`` (HCL and YAML)."""
    quoted = False
    escaped = False
    for char in prefix:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
    return quoted


# --- what a suppression says ----------------------------------------------------------------------


def parse_comment(body: str, file: str, line: int, context: MarkerContext) -> Marker:
    """``IAG003[,IAG002] reason="…" expires=YYYY-MM-DD owner=TEAM`` (the text after the marker)."""
    match = _COMMENT_BODY.match(body)
    assert match is not None  # the pattern matches any text
    ids = _ids(match.group("ids"))
    values: dict[str, str] = {}
    problems: list[str] = []
    rest = match.group("rest")
    position = 0
    for pair in _PAIR.finditer(rest):
        if rest[position:pair.start()].strip():
            break
        key = pair.group("key").lower()
        value = next(v for v in (pair.group("dq"), pair.group("sq"), pair.group("bare")) if v is not None)
        if key in values:
            problems.append(f"{key}= is given twice")
        values[key] = value.replace('\\"', '"')
        position = pair.end()
    if rest[position:].strip():
        problems.append('unexpected text; write key=value pairs: reason="…" expires=YYYY-MM-DD owner=TEAM')
    return _marker(file, line, "comment", ids, values, problems, context)


def parse_annotation(value: str, file: str, line: int, context: MarkerContext) -> list[Marker]:
    """Each non-empty line of the annotation: ``IAG003[,IAG002]: reason[; expires=…][; owner=…]``."""
    markers = []
    for text in value.splitlines():
        if not text.strip():
            continue
        match = _ANNOTATION_LINE.match(text)
        if match is None:
            markers.append(_marker(file, line, "annotation", (), {}, ["write IAG003: reason; expires=YYYY-MM-DD"], context))
            continue
        values: dict[str, str] = {}
        problems: list[str] = []
        reason_parts = []
        for part in (match.group("rest") or "").split(";"):
            pair = _ANNOTATION_KEY.match(part)
            if pair is None:
                reason_parts.append(part)
                continue
            key = pair.group("key").lower()
            if key in values:
                problems.append(f"{key}= is given twice")
            values[key] = pair.group("value").strip("\"'")
        if reason_parts and "reason" not in values:
            values["reason"] = ";".join(reason_parts)
        elif "".join(reason_parts).strip():
            problems.append("the reason is given twice")
        markers.append(_marker(file, line, "annotation", _ids(match.group("ids")), values, problems, context))
    return markers


def _ids(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip().upper() for part in (text or "").split(",") if part.strip()))


def _marker(
    file: str,
    line: int,
    source: str,
    ids: tuple[str, ...],
    values: Mapping[str, str],
    problems: list[str],
    context: MarkerContext,
) -> Marker:
    problems = list(problems)
    if not ids:
        problems.insert(0, "it names no policy (iac-guard:ignore IAG003 …)")
    unknown = [pid for pid in ids if pid not in context.known_ids]
    if unknown:
        problems.append(f"no loaded policy has the id {', '.join(unknown)}")
    forbidden = [pid for pid in ids if pid in context.unsuppressible]
    if forbidden:
        problems.append(f"{', '.join(forbidden)} cannot be suppressed")
    extra = sorted(set(values) - set(KEYS))
    if extra:
        problems.append(f"unknown key {', '.join(k + '=' for k in extra)} (keys: reason, expires, owner)")
    reason = redact(" ".join(values.get("reason", "").split()))  # printed in every report
    if not reason:
        problems.append('it gives no reason; write reason="why this is accepted"')
    expires = None
    if "expires" in values:
        try:
            expires = date.fromisoformat(values["expires"])
        except ValueError:
            problems.append("expires= is not a date (YYYY-MM-DD)")
    owner = values.get("owner")
    if owner is not None and owner.strip().lower() in context.placeholder_owners:
        problems.append("owner= is empty or a placeholder")
    return Marker(
        file, line, source, ids, reason, expires, owner.strip() if owner else None,
        "; ".join(problems) if problems else None,
    )


# --- Kubernetes annotations -----------------------------------------------------------------------


class AnnotationIndex:
    """``iac-guard.io/ignore`` annotations of the scanned Kubernetes objects, by object address."""

    def __init__(self, objects: Iterable[KubeObject], context: MarkerContext) -> None:
        self._by_address: dict[str, list[tuple[Location, list[Marker]]]] = {}
        for obj in objects:
            value = obj.annotations.get(ANNOTATION)
            if value is None:
                continue
            line = obj.line_of("metadata", "annotations", ANNOTATION)
            markers = parse_annotation(value, obj.location.file, line, context)
            self._by_address.setdefault(obj.address, []).append((obj.location, markers))

    def all_markers(self) -> Iterator[tuple[str, Marker]]:
        """Every annotation marker, with the address of the object that carries it."""
        for address, entries in self._by_address.items():
            for _, markers in entries:
                for marker in markers:
                    yield address, marker

    def markers(self, finding: Finding) -> Iterator[Marker]:
        for location, markers in self._by_address.get(finding.resource, ()):
            where = finding.resource_location
            if where is None or (where.file, where.line) == (location.file, location.line):
                yield from markers

