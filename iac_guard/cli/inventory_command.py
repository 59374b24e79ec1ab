"""``iac-guard inventory``: every credential the code defines, where it is used, and by whom it is owned."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ScanRequest, color_enabled, output_width, run_scan_command, scan_options, write_output
from .exit_codes import EXIT_CLEAN, EXIT_ERROR


@click.command()
@scan_options
@click.option("-f", "--format", "output_format", type=click.Choice(["table", "json", "csv", "markdown"], case_sensitive=False), default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the inventory to FILE instead of standard output.")
def inventory(request: ScanRequest, output_format: str, output: Path | None) -> None:
    """List every credential found: owner, expiry, rotation, scope, consumers, file:line.

    With --scope all every credential, not only AI ones. JSON is {"credentials": [...]}, each row
    with its address named as in findings; CSV opens in a spreadsheet for a review. The table
    fits the terminal (or COLUMNS): when it is too narrow, each credential is stacked instead.

    \b
    Exit codes: 0 the inventory was written, 2 usage or config error, or a file that could not
    be read (its credentials are missing from the inventory).
    """
    from ..report.inventory_formats import RENDERERS, render_table  # lazy: --help's start-up skips the scan's modules
    from ..report.inventory_rows import inventory_rows  # lazy: --help's start-up skips the scan's modules

    result = run_scan_command(request)
    rows = inventory_rows(result)
    for error in result.errors:
        click.echo(f"error: {error.render()}", err=True)
    if output_format == "table":
        rendered = render_table(rows, color_enabled(output), output_width(output))
    else:
        rendered = RENDERERS[output_format](rows)
    write_output(rendered, output, f"{len(rows)} credential(s)")
    sys.exit(EXIT_ERROR if result.errors else EXIT_CLEAN)
