"""The roster of current owners: the config's ``owners`` and the entries of its ``owners_file``.

Guidance for AI credentials ends with "revoke anything without a current owner": an owner tag
naming a team disbanded last year must not pass. The roster is what the organisation says exists
today, read from the file it already keeps — a ``CODEOWNERS`` file (its ``@org/team`` and
``@user`` entries), a YAML list or a CSV export — so nobody maintains a second list for us.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..support.files import DEFAULT_MAX_FILE_BYTES
from ..support.yaml_files import YamlFileError, parse_yaml

#: CSV columns that hold an owner's name, looked for in this order; else the first column.
_CSV_COLUMNS = ("owner", "team", "handle", "name", "email", "login")
#: YAML keys of a mapping that hold the list of owners.
_YAML_LISTS = ("owners", "teams", "people", "members")


class RosterError(Exception):
    """An owners file that cannot be read; the message names the file and what to do."""


def fold_owner(name: str) -> str:
    """How owners are compared: case-insensitively, without the ``@`` of a handle."""
    return name.strip().lstrip("@").casefold()


def roster_values(owners: Iterable[str], owners_file: Path | None, folder: Path) -> dict[str, Any]:
    """The Settings fields of a config's ``owners`` and ``owners_file`` (relative to ``folder``);
    RosterError when the file cannot be read."""
    path = (folder / owners_file).resolve() if owners_file is not None else None
    names = set(_folded(owners))
    if path is not None:
        names.update(_folded(read_roster(path)))
    return {"owner_roster": frozenset(names), "owners_file": path}


def _folded(names: Iterable[str]) -> Iterator[str]:
    """Each name folded, and an ``org/team`` entry's team too: tags name ``ml-platform`` where
    CODEOWNERS says ``@acme/ml-platform``."""
    for name in names:
        folded = fold_owner(name)
        if folded:
            yield folded
            if "/" in folded:
                yield folded.rsplit("/", 1)[1]


def read_roster(path: Path) -> list[str]:
    """The owner names of a roster file, by its kind: CODEOWNERS, CSV, else YAML."""
    if not path.is_file():
        raise RosterError(f"{path}: owners_file not found; give the path of a CODEOWNERS, YAML or CSV roster relative to the config")
    if path.stat().st_size > DEFAULT_MAX_FILE_BYTES:
        raise RosterError(f"{path}: owners_file is larger than {DEFAULT_MAX_FILE_BYTES} bytes; it is not read")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: owners_file cannot be read as UTF-8 text ({type(exc).__name__})") from None
    if path.name.upper().endswith("CODEOWNERS"):
        return codeowners_entries(text)
    if path.suffix.lower() == ".csv":
        return _csv_entries(text)
    return _yaml_entries(text, path)


def codeowners_entries(text: str) -> list[str]:
    """Every owner a CODEOWNERS file names: the ``@user``, ``@org/team`` and e-mail entries after
    each line's path pattern (a ``#`` starts a comment; ``[Section]`` headers are GitLab's)."""
    found = []
    for line in text.splitlines():
        content = line.split(" #", 1)[0].strip()
        if not content or content.startswith(("#", "[", "^[")):
            continue
        found += [entry for entry in content.split()[1:] if entry.startswith("@") or "@" in entry[1:]]
    return found


def _csv_entries(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().casefold() for cell in rows[0]]
    column = next((header.index(name) for name in _CSV_COLUMNS if name in header), None)
    body = rows[1:] if column is not None else rows
    index = column or 0
    return [row[index] for row in body if len(row) > index and row[index].strip()]


def _yaml_entries(text: str, path: Path) -> list[str]:
    try:
        raw = parse_yaml(text, path, "owners file")
    except YamlFileError as exc:
        raise RosterError(str(exc)) from None
    if isinstance(raw, Mapping):
        listed = next((raw[key] for key in _YAML_LISTS if key in raw), None)
        raw = listed if listed is not None else list(raw)
    if not isinstance(raw, list):
        raise RosterError(f"{path}: an owners file in YAML is a list of names, or a mapping with an 'owners' list")
    return [_entry_name(entry) for entry in raw if _entry_name(entry)]


def _entry_name(entry: Any) -> str:
    """A YAML roster entry: a name, or a mapping naming one (``{name: ml-platform, lead: ...}``)."""
    if isinstance(entry, (str, int)):
        return str(entry)
    if isinstance(entry, Mapping):
        return next((str(entry[key]) for key in _CSV_COLUMNS if isinstance(entry.get(key), (str, int))), "")
    return ""
