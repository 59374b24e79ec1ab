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


#: A settings file is small; an expansion past this many nodes is an alias bomb, not a config.
MAX_NODES = 20_000
MAX_DEPTH = 64
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, what: str) -> Any:
    """The parsed document; ``what`` names the file's role in errors ("config file", ...)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise YamlFileError(f"{path}: cannot read the {what} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise YamlFileError(f"{path}: the {what} is not UTF-8 text") from None
    return parse_yaml(text, path, what)


def parse_yaml(text: str, path: Path, what: str) -> Any:
    """``read_yaml`` of text read elsewhere (a file at a git revision); ``path`` names it in errors."""
    try:
        return _load(text, path, what)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise YamlFileError(f"{path}{where}: the {what} is not valid YAML ({problem})") from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise YamlFileError(f"{path}: the {what} is refused (a number too long to read)") from None


def _load(text: str, path: Path, what: str) -> Any:
    """``yaml.safe_load`` (libyaml's parser when the wheel has it), refusing a document whose
    aliases expand past MAX_NODES or that nests deeper than MAX_DEPTH before anything is built."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problem = _oversized(node)
        if problem:
            raise YamlFileError(f"{path}: the {what} is refused ({problem})")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _oversized(root: yaml.Node) -> str | None:
    """Walks the node graph as construction would, with aliases expanded, without recursion."""
    stack = [(root, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            return f"more than {MAX_NODES} values once aliases are expanded"
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return None
