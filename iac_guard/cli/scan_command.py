"""``iac-guard scan``: the gate itself."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import ScanRequest, color_enabled, run_scan_command, scan_options, write_output
from .exit_codes import EXIT_ERROR
from .gate import GateRequest, gate_options, review_change
from .report_context import report_context, sarif_options

if TYPE_CHECKING:
    from ..report import Writer
    from ..result import ScanResult


class FormatTarget(click.ParamType):
    """``NAME`` (to standard output, or ``--output``) or ``NAME=FILE``."""

    name = "format"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, Path | None]:
        if isinstance(value, tuple):
            return value
        from ..report import FORMATS  # lazy: the report formats load the pipeline's result types, kept out of --help's start-up

        name, has_file, file = str(value).partition("=")
        name = name.lower()
        if name not in FORMATS:
            self.fail(f"{name!r} is not a format (formats: {', '.join(FORMATS)}; FORMAT=FILE writes one to a file)", param, ctx)
        if has_file and not file:
            self.fail(f"{value!r}: FORMAT=FILE needs a file name", param, ctx)
        return name, Path(file) if has_file else None


@click.command()
@scan_options
@gate_options
@click.option("-f", "--format", "formats", type=FormatTarget(), multiple=True, metavar="FORMAT[=FILE]", help="text (default), json, sarif, junit, github, gitlab (Code Quality) or markdown; FORMAT=FILE writes that format to FILE (repeatable: --format sarif=results.sarif --format text).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report (the format given without =FILE) to FILE instead of standard output.")
@sarif_options
def scan(
    request: ScanRequest, gate: GateRequest, formats: tuple[tuple[str, Path | None], ...], output: Path | None,
    sarif_root: Path | None, sarif_category: str | None,
) -> None:
    """Scan Terraform and Kubernetes files for AI credential problems.

    PATHS are folders or files (default: the current folder); a .tf file brings the rest of its
    module. '-' reads standard input (Kubernetes YAML, Terraform or a plan JSON, told by content
    or by --stdin-kind), e.g.  helm template . | iac-guard scan -

    \b
    Exit codes: 0 nothing failing, 1 failing findings at or above --fail-on (never with
    --soft-fail), 2 usage, config, baseline, git or parse error, nothing to scan, or a report
    standard output could not take; 130 interrupted.
    """
    from ..pipeline import warm_record  # lazy: --help's start-up skips the scan's modules
    from ..report import renderer, writer  # lazy: --help's start-up skips the scan's modules

    targets = _targets(formats, output) if formats else []  # usage errors before the scan
    result = run_scan_command(request, gate)
    warm_record.scanned(result.settings.cache_dir if result.settings else None, request.targets)
    result.context = report_context(result.root, sarif_root, sarif_category)
    if not formats:  # the config's format, else text
        targets = _targets(((result.settings.format if result.settings else "text", None),), output)
    if gate.diff_base is not None:
        review_change(result, gate.diff_base, request.skip_policies)
    to_stdout = [(name, path) for name, path in targets if path is None]
    if not to_stdout or to_stdout[0][0] != "text":
        for error in result.errors:
            click.echo(f"error: {error.render()}", err=True)
    summary = f"{len(result.failing)} failing finding(s)"
    for name, path in targets:
        if path is not None:
            _write(writer(name), result, path, summary)
    for name, _ in to_stdout:
        write_output(renderer(name)(result, name == "text" and color_enabled(None)), None, summary)
    sys.exit(result.exit_code)


def _targets(formats: tuple[tuple[str, Path | None], ...], output: Path | None) -> list[tuple[str, Path | None]]:
    """Each format with its file; the one format without a file goes to --output or stdout."""
    bare = [name for name, path in formats if path is None]
    if len(bare) > 1:
        raise click.UsageError(
            f"only one format can go to standard output, got {', '.join(bare)}; write the others to files, e.g. --format {bare[1]}=report.{bare[1]}"
        )
    if output is not None and not bare:
        raise click.UsageError("--output names the file of the format given without =FILE; there is none (use FORMAT=FILE)")
    return [(name, path if path is not None else output) for name, path in formats]


def _write(write: Writer, result: ScanResult, path: Path, summary: str) -> None:
    try:
        with path.open("w", encoding="utf-8") as handle:
            write(result, handle)
    except OSError as exc:
        click.echo(f"iac-guard: cannot write {path}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"iac-guard: wrote {path} ({summary})", err=True)
