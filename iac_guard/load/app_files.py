"""Reads the scan's application files (container builds, Compose, ``.env``, notebooks, CI
pipelines and MCP configs).

Read here, in the scan's process, not through the parse cache and pool of ``loader.py``: they are
few and small next to a tree of Terraform, and each parses in well under a millisecond. Every file
is read with ``support.files.read_input`` (regular files only, the size limit, and the input log
the result cache checks), and a file that cannot be read or parsed is the file's ScanError.
"""

from __future__ import annotations

from pathlib import Path

from ..ci.files import GITHUB_WORKFLOW, GITLAB_CI, MCP_CONFIG, parse_ci_file
from ..containers.compose import parse_compose
from ..containers.dockerfile import parse_dockerfile
from ..containers.dotenv import parse_dotenv
from ..containers.files import AppFiles
from ..containers.notebook import parse_notebook
from ..discover import COMPOSE, DOCKERFILE, DOTENV, NOTEBOOK, Sources
from ..kubernetes.loader import decode_text
from ..model import ScanError
from ..support.files import read_input


def load_app_files(sources: Sources, max_bytes: int, errors: list[ScanError]) -> AppFiles:
    found = AppFiles()
    for kind in (DOCKERFILE, COMPOSE, DOTENV, NOTEBOOK, GITHUB_WORKFLOW, GITLAB_CI, MCP_CONFIG):
        for path in sources.app_files.get(kind, ()):
            rel = sources.relative(path)
            text = _text(path, rel, max_bytes)
            if isinstance(text, ScanError):
                errors.append(text)
            else:
                _add(found, kind, rel, text, errors)
    return found


def _text(path: Path, rel: str, max_bytes: int) -> str | ScanError:
    data = read_input(path, rel, max_bytes)
    return data if isinstance(data, ScanError) else decode_text(data, rel)


def _add(found: AppFiles, kind: str, rel: str, text: str, errors: list[ScanError]) -> None:
    if kind in (GITHUB_WORKFLOW, GITLAB_CI, MCP_CONFIG):
        document = parse_ci_file(kind, text, rel)
        if isinstance(document, ScanError):
            errors.append(document)
        else:
            found.ci.setdefault(kind, []).append(document)
    elif kind == DOCKERFILE:
        found.dockerfiles[rel] = parse_dockerfile(text)
    elif kind == DOTENV:
        found.dotenv[rel] = parse_dotenv(text)
    else:
        parsed = parse_compose(text, rel) if kind == COMPOSE else parse_notebook(text, rel)
        if isinstance(parsed, ScanError):
            errors.append(parsed)
        elif isinstance(parsed, list):
            found.notebooks[rel] = parsed
        else:
            found.compose.append(parsed)
