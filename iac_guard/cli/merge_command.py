"""``iac-guard merge``: one report from the reports of ``scan --shard I/N`` jobs (see shard/merge.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..secrets.redact import redacted
from ..support.json_text import dumps_json
from .common import write_output
from .exit_codes import EXIT_ERROR
from .report_context import report_context, sarif_options

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..policy.loader import Policy
    from ..shard.merge import Merged


@click.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-f", "--format", "output_format", type=click.Choice(["json", "sarif"], case_sensitive=False), help="Output format (default: the inputs' format). JSON reports can be merged into SARIF; SARIF only into SARIF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the merged report to FILE instead of standard output.")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="A policy pack the shards used (repeatable), to judge again credentials shared across shards.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".", show_default=True, help="The folder the shards scanned: inline suppressions for findings the merge adds, and SARIF's base URI.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE", help="The baseline the shards used, for findings the merge adds.")
@sarif_options
def merge(
    reports: tuple[Path, ...], output_format: str | None, output: Path | None, policy_dirs: tuple[Path, ...], root: Path,
    baseline: Path | None, sarif_root: Path | None, sarif_category: str | None,
) -> None:
    """Combine the reports of sharded scans into one.

    REPORTS are the JSON reports of every `iac-guard scan --shard I/N --format json` job of one
    run (or their SARIF logs). JSON merging recomputes sharing across shards from the shards'
    inventories: a credential used by workloads in several shards is judged again as one.

    \b
    Exit codes, as scan: 0 nothing failing, 1 failing findings at or above the shards'
    --fail-on, 2 an error in any shard or reports that cannot be merged (a shard missing,
    different versions or shard counts).
    """
    from ..shard.merge import MergeError  # lazy: start-up time of the CLI

    documents = [(str(path), _read(path)) for path in reports]
    kinds = {_kind(name, document) for name, document in documents}
    if len(kinds) > 1:
        _fail("cannot merge JSON reports with SARIF logs: merge each kind on its own")
    kind = kinds.pop()
    if kind == "sarif" and (output_format or kind) == "json":
        _fail("SARIF logs merge into SARIF only (merge the shards' JSON reports to get JSON)")
    try:
        # Redacted as they come in: a field merge does not read (nested too deep, say) is walked too.
        documents = redacted(documents)
        if kind == "sarif":
            _merge_sarif_logs(documents, output)
        merged = _merge_json(documents, policy_dirs, root.resolve(), baseline)
    except MergeError as exc:
        _fail(str(exc))
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        _fail(f"the reports are not complete iac-guard {kind.upper()} reports of one version ({type(exc).__name__}: {exc})")
    merged.result.context = report_context(merged.result.root, sarif_root, sarif_category)
    _write_merged(merged, output_format == "sarif", output)


def _merge_sarif_logs(documents: list[tuple[str, Any]], output: Path | None) -> NoReturn:
    from ..shard.merge import merge_sarif  # lazy: start-up time of the CLI

    merged = redacted(merge_sarif(documents))
    failing = sum(1 for run in merged["runs"] for r in run["results"] if not r.get("suppressions"))
    ok = all(i.get("executionSuccessful", True) for run in merged["runs"] for i in run["invocations"])
    _write(dumps_json(merged), output, f"{failing} failing result(s)")
    sys.exit(2 if not ok else (1 if failing else 0))


def _write_merged(merged: Merged, as_sarif: bool, output: Path | None) -> NoReturn:
    """The merged report, rendered as a scan's would be (redacted, as the command line redacts a
    scan's result), its errors and what was judged again on standard error, and its exit code."""
    from ..report import sarif  # lazy: start-up time of the CLI

    document, result, rejudged = redacted((merged.document, merged.result, merged.rejudged))
    rendered = sarif.render(result, False) if as_sarif else dumps_json(document)
    for error in result.errors:
        where = ":".join(str(part) for part in (error.file, error.line, error.column) if part is not None)
        click.echo(f"error: {where}: {error.message}", err=True)
    if rejudged:
        click.echo(f"iac-guard: {len(rejudged)} credential(s) shared across shards judged again: {', '.join(rejudged)}", err=True)
    _write(rendered, output, f"{document['summary']['failing']} failing finding(s)")
    sys.exit(document["summary"]["exit_code"])


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: cannot read the report ({type(exc).__name__})")
    except json.JSONDecodeError as exc:
        _fail(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})")
    except RecursionError:
        _fail(f"{path}: nesting is too deep to read")


def _kind(name: str, document: Any) -> str:
    if isinstance(document, dict) and isinstance(document.get("runs"), list):
        return "sarif"
    if isinstance(document, dict) and isinstance(document.get("tool"), dict) and isinstance(document.get("findings"), list):
        return "json"
    _fail(f"{name}: neither an iac-guard JSON report nor a SARIF log")


def _merge_json(documents: list[tuple[str, Any]], policy_dirs: tuple[Path, ...], root: Path, baseline_path: Path | None) -> Merged:
    from ..filter.baseline import BaselineError, load  # lazy: start-up time of the CLI
    from ..shard.merge import merge_json  # lazy: start-up time of the CLI

    settings, policies = _judging(documents, policy_dirs)
    baseline = None
    if baseline_path is not None:
        try:
            baseline = load(baseline_path)
        except BaselineError as exc:
            _fail(str(exc))
    return merge_json(documents, policies, settings, root, baseline)


def _judging(documents: list[tuple[str, Any]], policy_dirs: tuple[Path, ...]) -> tuple[Settings, list[Policy]]:
    """The settings and policy pack the shards judged with, as their reports record them."""
    from ..pipeline.run import load_pack  # lazy: start-up time of the CLI
    from ..policy.loader import PolicyError  # lazy: start-up time of the CLI
    from ..report.json_read import settings_from_record  # lazy: start-up time of the CLI
    from ..shard.merge import MergeError  # lazy: start-up time of the CLI

    records = [(d.get("shard") or {}).get("judging") for _, d in documents]
    if any(record != records[0] for record in records):
        raise MergeError("the shards were judged with different settings or policies: scan every shard with the same options")
    record = records[0] or {}
    settings = settings_from_record(record.get("settings") or {})
    try:
        policies = load_pack(settings, policy_dirs)
    except PolicyError as exc:
        _fail(str(exc))
    missing = sorted(set(record.get("policies", [])) - {p.id for p in policies})
    if missing:
        raise MergeError(f"the shards used policies this merge cannot find ({', '.join(missing)}): pass their pack with --policy-dir")
    return settings, policies


def _write(rendered: str, output: Path | None, summary: str) -> None:
    try:
        write_output(rendered, output, summary)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")


def _fail(message: str) -> NoReturn:
    click.echo(f"iac-guard: {message}", err=True)
    sys.exit(EXIT_ERROR)
