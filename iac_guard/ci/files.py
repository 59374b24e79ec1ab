"""Which files are CI pipelines or agent configs, told by name and place, and how each is read."""

from __future__ import annotations

from pathlib import PurePosixPath

from ..containers.document import LinedDocument, parse_yaml_mapping
from ..model import ScanError
from ..support.placed_json import load_with_lines, without_comments

GITHUB_WORKFLOW, GITLAB_CI, MCP_CONFIG = "github-workflow", "gitlab-ci", "mcp-config"

#: MCP client configs: Claude Code's project file, Claude Desktop's, and editors' (VS Code, Cursor).
_MCP_NAMES = {".mcp.json", "claude_desktop_config.json"}
_MCP_EDITOR_FOLDERS = {".vscode", ".cursor"}


def ci_file_kind(relative: str) -> str | None:
    """``.github/workflows/*.yml`` and composite actions' ``action.yml`` are GitHub workflows;
    ``.gitlab-ci.yml`` is a GitLab pipeline; ``.mcp.json``, ``claude_desktop_config.json`` and
    ``mcp.json`` in ``.vscode``/``.cursor`` are MCP configs."""
    path = PurePosixPath(relative)
    name = path.name
    if name in ("action.yml", "action.yaml"):
        return GITHUB_WORKFLOW
    if path.suffix in (".yml", ".yaml") and path.parent.name == "workflows" and path.parent.parent.name == ".github":
        return GITHUB_WORKFLOW
    if name == ".gitlab-ci.yml":
        return GITLAB_CI
    if name in _MCP_NAMES or (name == "mcp.json" and path.parent.name in _MCP_EDITOR_FOLDERS):
        return MCP_CONFIG
    return None


def parse_ci_file(kind: str, text: str, rel: str) -> LinedDocument | ScanError:
    if kind == MCP_CONFIG:
        return _parse_json(text, rel)
    hint = "on:, jobs: or runs:" if kind == GITHUB_WORKFLOW else "stages:, variables: and jobs"
    loaded = parse_yaml_mapping(text, rel, "a GitHub workflow" if kind == GITHUB_WORKFLOW else "a GitLab pipeline", hint)
    return loaded if isinstance(loaded, ScanError) else LinedDocument(rel, *loaded)


def _parse_json(text: str, rel: str) -> LinedDocument | ScanError:
    """An MCP config is JSON; editors' may hold comments and trailing commas (JSONC)."""
    try:
        value, lines = load_with_lines(without_comments(text))
    except ValueError as exc:
        return ScanError(rel, f"not a valid MCP config: the JSON does not parse ({str(exc).split(':')[0]})")
    if not isinstance(value, dict):
        return ScanError(rel, "an MCP config must be a JSON object (mcpServers: or servers:)")
    return LinedDocument(rel, {str(k): v for k, v in value.items()}, lines)
