"""``.env`` files: each assignment whose value is a key is a literal credential of its own.

One credential per key, not per file, because Compose services load a file and read some of its
keys: the service that interpolates ``${OPENAI_API_KEY}`` consumes that key, not the file's
database password.
"""

from __future__ import annotations

from ...containers.files import AppFiles
from ...model import Credential, Extraction
from ...secrets.detect import credential_kind, detect
from .records import literal

PROVIDER = "dotenv"


def extract(files: AppFiles) -> Extraction:
    return Extraction(credentials=[c for rel in sorted(files.dotenv) for c in file_credentials(files, rel).values()])


def file_credentials(files: AppFiles, rel: str) -> dict[str, Credential]:
    """The credentials of one ``.env`` file by variable name; the last assignment of a name wins,
    as it does for Compose and python-dotenv."""
    found: dict[str, Credential] = {}
    for assignment in files.dotenv.get(rel, ()):
        detection = detect(assignment.value, assignment.name)
        if detection is None:
            found.pop(assignment.name, None)
            continue
        item = literal(assignment.name, detection, rel, assignment.line)
        found[assignment.name] = Credential(
            address=f"dotenv:{rel}/{assignment.name}", provider=PROVIDER, source_type=".env",
            kind=credential_kind(detection.detector), location=item.location, name=assignment.name,
            origin="literal", hardcoded=(item,), ai_hints=(assignment.name,),
        )
    return found
