"""Readers for the files that carry keys into CI and agent toolchains: GitHub Actions workflows
and composite actions, GitLab CI pipelines and MCP client configurations.

Each reader turns text into a :class:`~iac_guard.containers.document.LinedDocument` and knows
nothing of credentials; the recognizers in ``providers.ci`` judge them.
"""
