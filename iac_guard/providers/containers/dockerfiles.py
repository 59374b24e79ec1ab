"""Container builds: a Dockerfile or Containerfile is an image, a workload; keys written in its
``ARG`` defaults, ``ENV`` values and ``RUN`` commands are its literal credential.

``ARG`` and ``ENV`` values are judged like environment values (by the variable's name too, so a
long random ``ENV SERVICE_TOKEN=…`` counts); a ``RUN`` command is text, searched for keys of known
formats only. A BuildKit secret mount (``RUN --mount=type=secret,id=openai_api_key …``) is the
compliant form: the secret is read at build time and kept out of the image's layers and history,
so it is no literal and gives no finding. A value that is a variable (``ENV KEY=$KEY``) is a
reference to a build argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...containers.dockerfile import Instruction
from ...containers.files import AppFiles
from ...containers.interpolation import literal_part
from ...model import Extraction, Location, SecretLiteral, Workload
from ...secrets.detect import detect
from ...secrets.text import find_keys
from .records import literal, literal_records

PROVIDER = "docker"
_PAIR = re.compile(r"""([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")
_LEGACY_ENV = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s+(\S.*)$")


def extract(files: AppFiles) -> Extraction:
    found = Extraction()
    for rel in sorted(files.dockerfiles):
        instructions = files.dockerfiles[rel]
        end = instructions[-1].end_line if instructions else 1
        image = Workload(f"dockerfile:{rel}", PROVIDER, rel.rsplit("/", 1)[-1], Location(rel, 1, end))
        found.workloads.append(image)
        literals = [item for instruction in instructions for item in _literals(instruction, rel)]
        if literals:
            hints = [item.field.split(" ", 1)[-1] for item in literals]
            found.extend(literal_records(image, literals, hints, rel))
    return found


def _literals(instruction: Instruction, rel: str) -> Iterator[SecretLiteral]:
    if instruction.keyword in ("ARG", "ENV"):
        for name, value, line in _assignments(instruction):
            written = literal_part(value)
            detection = detect(written, name) if written is not None else None
            if detection is not None:
                yield literal(f"{instruction.keyword} {name}", detection, rel, line)
    elif instruction.keyword == "RUN":
        for match in find_keys(instruction.text):
            yield literal("RUN", match.detection, rel, instruction.line + match.line - 1)


def _assignments(instruction: Instruction) -> Iterator[tuple[str, str, int]]:
    """``NAME=value`` pairs (quotes removed), or the legacy ``ENV NAME value`` form."""
    text = instruction.text
    first = text.split("\n", 1)[0]
    words = first.split(None, 1)
    legacy = _LEGACY_ENV.match(first) if instruction.keyword == "ENV" and words and "=" not in words[0] else None
    if legacy is not None:
        yield legacy.group(1), legacy.group(2).strip().rstrip("\\").strip(), instruction.line
        return
    for match in _PAIR.finditer(text):
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        yield match.group(1), value, instruction.line_of(match.start())
