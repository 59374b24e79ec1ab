"""The ``iac-guard`` command line.

Exit codes are the contract CI systems rely on: 0 nothing failing, 1 failing findings, 2 a usage,
config or parse error (fail closed: a file we could not read is not a clean scan). No traceback
reaches the user; set IAC_GUARD_DEBUG=1 to see one when reporting a bug.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

if TYPE_CHECKING:
    from .scan import ScanResult

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Group(click.Group):
    """Turns unexpected exceptions into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence, by design
            if os.environ.get("IAC_GUARD_DEBUG"):
                raise
            click.echo(f"iac-guard: internal error ({type(exc).__name__}); rerun with IAC_GUARD_DEBUG=1 and report it", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iac-guard")
def main() -> None:
    """Policy-as-code linter for AI service credentials in Terraform and Kubernetes.

    Fails the build when an AI credential has no owner, no expiry or rotation, wildcard scope,
    is shared between workloads, or is hardcoded. Start with:  iac-guard scan .
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-f", "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report to FILE instead of standard output.")
@click.option("-c", "--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Config file (default: .iac-guard.yaml in the scanned folder).")
@click.option("--scope", type=click.Choice(["ai", "all"]), help="Judge only AI service credentials (default) or every credential.")
@click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Add a policy pack (repeatable).")
@click.option("--skip-policy", "skip_policies", multiple=True, metavar="ID", help="Do not evaluate this policy (repeatable).")
@click.option("--owner-key", "owner_keys", multiple=True, metavar="KEY", help="Tag/label/annotation key naming the owner (repeatable; default: owner).")
@click.option("--max-lifetime-days", type=click.IntRange(min=1), help="Longest allowed credential lifetime (default 90).")
@click.option("--max-rotation-days", type=click.IntRange(min=1), help="Longest allowed rotation period (default 90).")
def scan(
    paths: tuple[str, ...],
    output_format: str,
    output: Path | None,
    config_path: Path | None,
    scope: str | None,
    policy_dirs: tuple[Path, ...],
    skip_policies: tuple[str, ...],
    owner_keys: tuple[str, ...],
    max_lifetime_days: int | None,
    max_rotation_days: int | None,
) -> None:
    """Scan Terraform and Kubernetes files for AI credential problems.

    PATHS are folders or files (default: the current folder); '-' reads Kubernetes YAML from
    standard input, e.g.  helm template . | iac-guard scan -

    \b
    Exit codes: 0 nothing failing, 1 failing findings, 2 usage, config or parse error.
    """
    from .config import ConfigError, find_config, load_settings
    from .discover import scan_root
    from .policy.loader import PolicyError
    from .report import renderer
    from .scan import load_pack, run_scan

    targets = list(paths) or ["."]
    for target in targets:
        if target != "-" and not Path(target).exists():
            raise click.BadParameter(f"{target} does not exist", param_hint="PATHS")
    try:
        settings = load_settings(config_path or find_config(scan_root(targets)))
        settings = settings.with_overrides(
            scope=scope,
            owner_keys=owner_keys or None,
            max_lifetime_days=max_lifetime_days,
            max_rotation_days=max_rotation_days,
            skip_policies=(settings.skip_policies + skip_policies) or None,
        )
        policies = load_pack(settings, policy_dirs)
    except (ConfigError, PolicyError) as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    stdin_text = sys.stdin.read() if "-" in targets else None
    result = _run_with_progress(lambda: run_scan(targets, settings, policies, stdin_text))
    color = output is None and output_format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    rendered = renderer(output_format)(result, color)
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
        for error in result.errors:
            click.echo(f"error: {error.render()}", err=True)
        click.echo(f"iac-guard: wrote {output} ({len(result.failing)} failing finding(s))", err=True)
    else:
        click.echo(rendered, nl=False)
    sys.exit(result.exit_code)


def _run_with_progress(work: "Callable[[], ScanResult]") -> "ScanResult":
    """A spinner on stderr while scanning, only for a person at a terminal: CI logs stay clean."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return work()
    from rich.console import Console

    with Console(stderr=True).status("Scanning…", spinner="dots"):
        return work()


if __name__ == "__main__":  # pragma: no cover
    main()
