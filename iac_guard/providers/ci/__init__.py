"""Recognizers of CI pipelines and agent toolchains: GitHub Actions, GitLab CI and MCP client
configs as workloads with the secrets they read and the keys written in them, and the Terraform
resources that push a key into those systems (``github_actions_secret``, ``gitlab_project_variable``
…, terraform.py) as the declared records of those secrets.

Addresses name the file and the job or server (``workflow:.github/workflows/evals.yml/jobs/nightly``,
``gitlab-ci:.gitlab-ci.yml/jobs/eval``, ``mcp:.vscode/mcp.json/github``); the secrets are known
by name (``github-secret:OPENAI_API_KEY``, ``gitlab-variable:HF_TOKEN``, ``mcp-env:OPENAI_API_KEY``).
"""

from __future__ import annotations

from ...ci.files import GITHUB_WORKFLOW, GITLAB_CI, MCP_CONFIG
from ...config.settings import Settings
from ...model import Extraction
from ..project import Project
from . import github, gitlab, mcp


def extract(project: Project, settings: Settings) -> Extraction:
    documents = project.app_files.ci
    found = github.extract(documents.get(GITHUB_WORKFLOW, []))
    found.extend(gitlab.extract(documents.get(GITLAB_CI, [])))
    found.extend(mcp.extract(documents.get(MCP_CONFIG, [])))
    return found
