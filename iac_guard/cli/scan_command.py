"""``iac-guard scan``: the gate itself."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ScanRequest, color_enabled, run_scan_command, scan_options, write_output


@click.command()
@scan_options
@click.option("-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report to FILE instead of standard output.")
def scan(request: ScanRequest, output_format: str, output: Path | None) -> None:
    """Scan Terraform and Kubernetes files for AI credential problems.

    PATHS are folders or files (default: the current folder); '-' reads Kubernetes YAML from
    standard input, e.g.  helm template . | iac-guard scan -

    \b
    Exit codes: 0 nothing failing, 1 failing findings, 2 usage, config or parse error.
    """
    from ..report import renderer

    result = run_scan_command(request)
    rendered = renderer(output_format)(result, output_format == "text" and color_enabled(output))
    if output is not None:
        for error in result.errors:
            click.echo(f"error: {error.render()}", err=True)
    write_output(rendered, output, f"{len(result.failing)} failing finding(s)")
    sys.exit(result.exit_code)
