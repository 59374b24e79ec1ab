"""Reads the YAML files iac-guard is configured with (config, policy packs) safely.

Both need the same thing: safe loading only, and an error that says which file, where, and why,
without a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class YamlFileError(Exception):
    """A settings file that cannot be read or is not valid YAML; the message names it."""


def read_yaml(path: Path, what: str) -> Any:
    """The parsed document; ``what`` names the file's role in errors ("config file", ...)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise YamlFileError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise YamlFileError(f"{path}: the {what} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise YamlFileError(f"{path}{where}: the {what} is not valid YAML ({problem})") from None
