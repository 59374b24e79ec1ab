"""MCP client configs (``.mcp.json``, ``.vscode/mcp.json``, ``.cursor/mcp.json``,
``claude_desktop_config.json``): each server under ``mcpServers`` or ``servers`` is a workload.
Keys written in its ``env``, ``headers`` and ``args`` are its literal credential;
``${env:NAME}``, ``${NAME}`` and ``${input:id}`` are references, each a usage of the variable or
prompt the editor fills them from (``mcp-env:NAME``, ``mcp-input:<file>/id``), so one key that
several servers read is shared by them. What such a variable states about itself is kept where
it is set: unknown here.
"""

from __future__ import annotations

import re
from typing import Any

from ...containers.document import LinedDocument
from ...model import Credential, Extraction, Location, SecretLiteral, Usage, Workload
from ..containers.records import literal_records
from .records import leaves, literal_values, referenced_credential

PROVIDER = "mcp"
_REFERENCE = re.compile(r"\$\{(?:(env|input):)?([A-Za-z_][A-Za-z0-9_.-]*)\}")
_READ_FROM = ("env", "headers", "args")


def extract(configs: list[LinedDocument]) -> Extraction:
    found = Extraction()
    referenced: dict[str, Credential] = {}
    for document in sorted(configs, key=lambda d: d.file):
        for key in ("mcpServers", "servers"):
            servers = document.body.get(key)
            for name, server in sorted(servers.items()) if isinstance(servers, dict) else ():
                if isinstance(server, dict):
                    found.extend(_server(document, key, str(name), server, referenced))
    found.credentials += referenced.values()
    return found


def _server(document: LinedDocument, key: str, name: str, server: dict[str, Any], referenced: dict[str, Credential]) -> Extraction:
    line = document.line_of(key, name)
    workload = Workload(f"mcp:{document.file}/{name}", PROVIDER, "MCP server", Location(document.file, line, line), ai_hints=(name,))
    found = Extraction(workloads=[workload])
    literals: list[SecretLiteral] = []
    for section in _READ_FROM:
        for path, value in leaves(server.get(section), (key, name, section)):
            at = document.line_of(*path)
            location = Location(document.file, at, at)
            field_name = str(path[-1]) if section != "args" else "args"
            literals += literal_values(value, ".".join(map(str, path[2:])), location, field_name)
            for source, variable in _REFERENCE.findall(value) if isinstance(value, str) else ():
                address = f"mcp-input:{document.file}/{variable}" if source == "input" else f"mcp-env:{variable}"
                where = "the editor's input prompt" if source == "input" else "the environment of the MCP client"
                referenced.setdefault(address, referenced_credential(address, PROVIDER, "MCP config variable", variable, location, where))
                env_var = field_name if section == "env" else variable if source != "input" else None
                found.usages.append(Usage(workload.address, address, f"{section} {field_name}", location, env_var=env_var))
    if literals:
        found.extend(literal_records(workload, literals, [name, *(item.field.rsplit(".", 1)[-1] for item in literals)], name))
    return found
