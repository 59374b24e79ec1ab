"""``iac-guard baseline create``: record today's findings so the gate fails only on new ones."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ScanRequest, run_scan_command, scan_options
from .exit_codes import EXIT_CLEAN, EXIT_ERROR

DEFAULT_BASELINE = Path(".iac-guard-baseline.json")


@click.group()
def baseline() -> None:
    """Adopt the gate on an existing repository: record today's findings, fail only on new ones.

    \b
    iac-guard baseline create -o .iac-guard-baseline.json
    iac-guard scan --baseline .iac-guard-baseline.json
    """


@baseline.command()
@scan_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_BASELINE, show_default=True, help="The baseline file to write.")
def create(request: ScanRequest, output: Path) -> None:
    """Scan PATHS and record every failing finding in a baseline file.

    Findings are recorded by policy, file (relative to the baseline's folder), resource and a
    content fingerprint, not by line: moving code does not make them new. Suppressed findings
    are not recorded (their suppression already excuses them, until it expires). Commit the file;
    re-create it to accept the current findings again.

    \b
    Exit codes: 0 written, 2 usage, config or parse error (nothing is written: a baseline of a
    scan that could not read every file would be incomplete).
    """
    from ..filter.baseline import create as create_baseline  # lazy: --help's start-up skips the scan's modules
    from ..filter.baseline import render  # lazy: --help's start-up skips the scan's modules

    result = run_scan_command(request)
    if result.errors:
        for error in result.errors:
            click.echo(f"error: {error.render()}", err=True)
        click.echo(f"iac-guard: {output} not written: {len(result.errors)} file(s) could not be read", err=True)
        sys.exit(EXIT_ERROR)
    recorded = create_baseline(result.findings, result.root, output)
    try:
        output.write_text(render(recorded), encoding="utf-8")
    except OSError as exc:
        click.echo(f"iac-guard: cannot write {output}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"iac-guard: recorded {len(recorded.entries)} finding(s) in {output}", err=True)
    sys.exit(EXIT_CLEAN)
