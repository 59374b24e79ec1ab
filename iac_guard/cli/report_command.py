"""``iac-guard report``: the control-mapping report an auditor reads."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import ScanRequest, run_scan_command, scan_options, write_output
from .exit_codes import EXIT_CLEAN, EXIT_ERROR
from .policies_command import framework_catalogs

if TYPE_CHECKING:
    from ..policy.frameworks import Framework

FORMATS = ("html", "markdown", "json", "csv")


@click.command()
@scan_options
@click.option("--framework", "framework_ids", multiple=True, metavar="ID", help="Framework to report on (repeatable; default: every one). See --list-frameworks.")
@click.option("-f", "--format", "output_format", type=click.Choice(FORMATS, case_sensitive=False), default="markdown", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report to FILE instead of standard output.")
@click.option("--list-frameworks", is_flag=True, help="Print the framework ids and exit.")
def report(request: ScanRequest, framework_ids: tuple[str, ...], output_format: str, output: Path | None, list_frameworks: bool) -> None:
    """Report which controls of security frameworks the scanned code meets.

    For each control of each framework (OWASP NHI Top 10, OWASP Agentic Top 10, NIST CSF 2.0,
    NIST AI RMF, CIS Controls v8): its status (failing, passing, not assessed), the policies
    behind it, the failing credentials with file:line, suppressed findings with their reasons and
    expiries, and what static analysis cannot show.

    \b
    Exit codes: 0 the report was written (whatever it shows; use `scan` to gate),
    2 usage or config error, or a file that could not be read (the report says which).
    """
    from ..report.controls.model import build_report  # lazy: --help's start-up skips the scan's modules

    if list_frameworks:
        _list(framework_catalogs(request.policy_dirs))
        return
    result = run_scan_command(request)
    catalogs = framework_catalogs(tuple(result.settings.policy_dirs if result.settings else ()) + request.policy_dirs)
    chosen = _chosen(catalogs, framework_ids)
    compliance = build_report(result, chosen, request.targets)
    for error in result.errors:
        click.echo(f"error: {error.render()}", err=True)
    summary = "; ".join(f"{f.framework.id}: {f.summary}" for f in compliance.frameworks)
    write_output(_renderer(output_format)(compliance), output, summary)
    sys.exit(EXIT_ERROR if result.errors else EXIT_CLEAN)


def _chosen(catalogs: dict[str, Framework], framework_ids: Sequence[str]) -> list[Framework]:
    unknown = [f for f in framework_ids if f not in catalogs]
    if unknown:
        raise click.BadParameter(
            f"unknown framework {', '.join(unknown)} (known: {', '.join(catalogs)})", param_hint="--framework"
        )
    return [catalogs[f] for f in dict.fromkeys(framework_ids)] if framework_ids else list(catalogs.values())


def _list(catalogs: dict[str, Framework]) -> None:
    width = max(len(framework_id) for framework_id in catalogs)
    for framework in catalogs.values():
        click.echo(f"{framework.id:<{width}}  {framework.title} ({len(framework.controls)} controls)")


def _renderer(name: str) -> Callable:
    if name == "html":
        from ..report.controls.html import render  # lazy: only the format asked for is loaded
    elif name == "json":
        from ..report.controls.json import render  # lazy: only the format asked for is loaded
    elif name == "csv":
        from ..report.controls.csv import render  # lazy: only the format asked for is loaded
    else:
        from ..report.controls.markdown import render  # lazy: only the format asked for is loaded
    return render
