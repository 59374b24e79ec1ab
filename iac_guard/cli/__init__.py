"""The ``iac-guard`` command line: one module per command, registered here.

Exit codes are the contract CI systems rely on: 0 nothing failing, 1 failing findings, 2 a usage,
config or parse error (fail closed: a file we could not read is not a clean scan). No traceback
reaches the user; set IAC_GUARD_DEBUG=1 to see one when reporting a bug.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .. import __version__
from ..secrets.redact import redacting
from .baseline_command import baseline
from .exit_codes import EXIT_ERROR, EXIT_INTERRUPTED
from .inventory_command import inventory
from .merge_command import merge
from .output import OUTPUT_ERRNOS, exit_now, guard_closed_streams, report_output_failure
from .policies_command import policies
from .report_command import report
from .scan_command import scan


class _Group(click.Group):
    """Turns unexpected exceptions into one clear line and exit code 2."""

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        """Without ``args`` this is the ``iac-guard`` process itself (a test runner always passes
        them): the process is ours to tune (``parallel.own_process``), a closed standard output
        fails loudly, and it ends without tearing down the scan's objects one by one. Standard
        error is redacted either way: error lines name paths and values from the scanned tree."""
        if args is None:
            guard_closed_streams()
        sys.stderr = redacting(sys.stderr)
        if args is not None:
            return super().main(args, *rest, **options)
        from ..support.process import own_process  # lazy: start-up time of the CLI (--help, --version)

        own_process()
        from ..pipeline import warm_record  # lazy: start-up time of the CLI (--help, --version)

        try:
            return super().main(args, *rest, **options)
        except SystemExit as done:
            warm_record.finish(done.code)  # a recorded scan is stored for the warm fast path
            exit_now(done.code)
            raise

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            # Not click's "Aborted!" and exit 1: 1 means "failing findings" to a CI system.
            click.echo("iac-guard: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno not in OUTPUT_ERRNOS or os.environ.get("IAC_GUARD_DEBUG"):
                raise _internal(exc, ctx)  # noqa: B904 - under IAC_GUARD_DEBUG _internal returns exc itself, which cannot be its own cause
            report_output_failure(exc)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - last line of defence, by design
            raise _internal(exc, ctx)  # noqa: B904 - under IAC_GUARD_DEBUG _internal returns exc itself, which cannot be its own cause


def _internal(exc: Exception, ctx: click.Context) -> BaseException:
    if os.environ.get("IAC_GUARD_DEBUG"):
        return exc
    click.echo(f"iac-guard: internal error ({type(exc).__name__}); rerun with IAC_GUARD_DEBUG=1 and report it", err=True)
    return SystemExit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iac-guard")
def main() -> None:
    """Policy-as-code linter for AI service credentials in Terraform and Kubernetes.

    Fails the build when an AI credential has no owner, no expiry or rotation, wildcard scope,
    is shared between workloads, or is hardcoded. Start with:  iac-guard scan .
    """


main.add_command(scan)
main.add_command(report)
main.add_command(inventory)
main.add_command(policies)
main.add_command(baseline)
main.add_command(merge)
