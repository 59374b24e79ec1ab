"""``iac-guard report``: the control-mapping report an auditor reads."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import ScanRequest, run_scan_command, scan_options, write_output
from .exit_codes import EXIT_CLEAN, EXIT_ERROR
from .policies_command import framework_catalogs

if TYPE_CHECKING:
    from ..policy.frameworks import Framework
    from ..report.controls.compare import PreviousReport

#: A previous report larger than this is not one iac-guard wrote for a repository.
MAX_PREVIOUS_BYTES = 256 * 1024 * 1024

FORMATS = ("html", "markdown", "json", "csv", "oscal")


@click.command()
@scan_options
@click.option("--framework", "framework_ids", multiple=True, metavar="ID", help="Framework to report on (repeatable; default: every one). See --list-frameworks.")
@click.option("-f", "--format", "output_format", type=click.Choice(FORMATS, case_sensitive=False), default="markdown", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report to FILE instead of standard output.")
@click.option("--compare", "previous_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE", help="A previous report in JSON (report -f json): say per control which failures are new and which are fixed.")
@click.option("--list-frameworks", is_flag=True, help="Print the framework ids and exit.")
def report(
    request: ScanRequest, framework_ids: tuple[str, ...], output_format: str, output: Path | None,
    previous_path: Path | None, list_frameworks: bool,
) -> None:
    """Report which controls of security frameworks the scanned code meets.

    For each control of each framework (OWASP NHI Top 10, OWASP Agentic Top 10, NIST CSF 2.0,
    NIST AI RMF, CIS Controls v8): its status (failing, passing, not assessed), the policies
    behind it, the failing credentials with file:line, owner and remediation, suppressed findings
    with their reasons and expiries, and what static analysis cannot show. It states what was
    assessed (repository, commit, branch, uncommitted changes, time, tool and pack, configuration)
    and ends with the credential graph and inventory. `-f oscal` writes NIST OSCAL
    assessment-results JSON; SOURCE_DATE_EPOCH fixes the time it states.

    \b
    Exit codes: 0 the report was written (whatever it shows; use `scan` to gate),
    2 usage or config error, or a file that could not be read (the report says which).
    """
    from ..report.controls.assessed import assessed  # lazy: --help's start-up skips the scan's modules
    from ..report.controls.model import build_report  # lazy: --help's start-up skips the scan's modules
    from ..secrets.redact import redacted  # lazy: --help's start-up skips the scan's modules
    from .revision import read_revision  # lazy: --help's start-up skips the scan's modules

    if list_frameworks:
        _list(framework_catalogs(request.policy_dirs))
        return
    previous = _previous(previous_path) if previous_path else None
    result = run_scan_command(request)
    catalogs = framework_catalogs(tuple(result.settings.policy_dirs if result.settings else ()) + request.policy_dirs)
    chosen = _chosen(catalogs, framework_ids)
    target = request.targets[0]
    revision = read_revision(Path("." if target == "-" else target))
    identity = assessed(result, revision, generated_at(os.environ), request.policy_dirs)
    compliance = redacted(build_report(result, chosen, request.targets, identity, previous))
    for error in result.errors:
        click.echo(f"error: {error.render()}", err=True)
    summary = "; ".join(f"{f.framework.id}: {f.summary}" for f in compliance.frameworks)
    write_output(_renderer(output_format)(compliance), output, summary)
    sys.exit(EXIT_ERROR if result.errors else EXIT_CLEAN)


def generated_at(environ: Mapping[str, str]) -> datetime:
    """Now, in the local time zone; ``SOURCE_DATE_EPOCH`` (reproducible builds) fixes it, in UTC."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(f"SOURCE_DATE_EPOCH must be seconds since 1970 (got {len(epoch)} characters that are not)") from None
    return datetime.now().astimezone()


def _previous(path: Path) -> PreviousReport:
    """The previous report, read whole but bounded; one that is not a control report is exit 2."""
    from ..report.controls.compare import CompareError, parse_previous  # lazy: only --compare reads it

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PREVIOUS_BYTES + 1)
    except OSError as exc:
        raise click.UsageError(f"--compare {path}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_PREVIOUS_BYTES:
        raise click.UsageError(f"--compare {path}: larger than {MAX_PREVIOUS_BYTES:,} bytes: not a control report")
    try:
        return parse_previous(data.decode("utf-8", errors="replace"), path.name)
    except CompareError as exc:
        raise click.UsageError(f"--compare {exc}") from None


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
    elif name == "oscal":
        from ..report.controls.oscal import render  # lazy: only the format asked for is loaded
    else:
        from ..report.controls.markdown import render  # lazy: only the format asked for is loaded
    return render
