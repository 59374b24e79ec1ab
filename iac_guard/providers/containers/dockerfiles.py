"""Container builds: a Dockerfile or Containerfile is an image, a workload; keys written in its
``ARG`` defaults, ``ENV`` values and ``RUN`` commands are its literal credential.

``ARG`` and ``ENV`` values are judged like environment values (by the variable's name too, so a
long random ``ENV SERVICE_TOKEN=…`` counts); a ``RUN`` command is text, searched for keys of known
formats only. A BuildKit secret mount (``RUN --mount=type=secret,id=openai_api_key …``) is the
compliant form: the secret is read at build time and kept out of the image's layers and history,
so it is no literal and gives no finding. A value that is a variable (``ENV KEY=$KEY``) is a
reference to a build argument.

A secret passed in as a build argument is a credential known by name
(``docker-build-arg:services/api/Dockerfile/OPENAI_API_KEY``): a key-named ``ARG`` keeps the value
it was given in the image's history and build metadata, and an ``ENV`` set from it bakes it into
the image's configuration, readable by anyone who can pull the image — both exposures (IAG008),
as Docker's own ``SecretsUsedInArgOrEnv`` build check says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...containers.dockerfile import Instruction
from ...containers.files import AppFiles
from ...containers.interpolation import literal_part, variable_name
from ...model import Credential, Extraction, Flow, Location, SecretLiteral, Usage, Workload
from ...secrets.detect import detect
from ...secrets.literal import names_a_secret
from ...secrets.text import find_keys
from ..ci.records import referenced_credential
from .records import literal, literal_records

PROVIDER = "docker"
BUILD_ARG_PREFIX = "docker-build-arg:"
_INSTEAD = "pass it as a BuildKit secret (RUN --mount=type=secret,id=…) or give it to the container when it runs"
_PAIR = re.compile(r"""([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")
_BARE_NAME = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)")
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
        found.extend(_build_arguments(instructions, rel, image))
    return found


def _build_arguments(instructions: list[Instruction], rel: str, image: Workload) -> Extraction:
    """Key-named ``ARG``s without a literal key (given with ``--build-arg``) and ``ENV``s set from
    a declared build argument: each is an exposure of the build argument it reads."""
    found = Extraction()
    arguments: dict[str, Credential] = {}
    declared_args: set[str] = set()
    for instruction in instructions:
        if instruction.keyword not in ("ARG", "ENV"):
            continue
        written = _assignments(instruction) if instruction.keyword == "ENV" else _arg_declarations(instruction)
        for name, value, line in written:
            if instruction.keyword == "ARG":
                declared_args.add(name)
            read = _read_argument(instruction.keyword, name, value)
            if read is None or read not in declared_args:  # an undeclared variable is empty: nothing to bake
                continue
            address = f"{BUILD_ARG_PREFIX}{rel}/{read}"
            location = Location(rel, line, line)
            arguments.setdefault(address, referenced_credential(address, PROVIDER, "build argument", read, location, "the build's --build-arg"))
            how = ("keeps the value it is built with in the image's history and build metadata" if instruction.keyword == "ARG"
                   else f"bakes it into the image's environment ({name}), readable by anyone who can pull the image")
            found.usages.append(Usage(image.address, address, f"{instruction.keyword} {name}", location, env_var=name))
            found.flows.append(Flow("exposed", address, image.address, f"{instruction.keyword} {name} {how}", _INSTEAD, location))
    found.credentials += arguments.values()
    return found


def _read_argument(keyword: str, name: str, value: str | None) -> str | None:
    """The build argument a key-named ``ARG`` or ``ENV`` holds: the ``ARG``'s own name when no
    literal default is written (a literal is judged as hardcoded instead), the variable an ``ENV``
    is set from."""
    if keyword == "ARG":
        given = value is None or not value.strip() or variable_name(value) is not None
        return name if given and names_a_secret(name) else None
    variable = variable_name(value) if value else None
    return variable if variable is not None and (names_a_secret(name) or names_a_secret(variable)) else None


def _arg_declarations(instruction: Instruction) -> Iterator[tuple[str, str | None, int]]:
    """``ARG NAME=default`` pairs and bare ``ARG NAME`` names (BuildKit takes several at once)."""
    yield from _assignments(instruction)
    # Pairs blanked out first, so that words of a quoted default are never read as names.
    bare = _PAIR.sub(lambda pair: " " * len(pair.group(0)), instruction.text)
    for match in _BARE_NAME.finditer(bare):
        yield match.group(1), None, instruction.line_of(match.start())


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
