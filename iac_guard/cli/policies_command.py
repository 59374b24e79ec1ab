"""``iac-guard policies``: list, explain, document, validate and test policy packs."""

from __future__ import annotations

import io
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from .common import write_output
from .exit_codes import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS

if TYPE_CHECKING:
    from ..policy.frameworks import Framework
    from ..policy.loader import Policy

T = TypeVar("T")

_policy_dirs = click.option(
    "--policy-dir", "policy_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Add a policy pack to the built-in one (repeatable).",
)
_pack_dirs = click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))


@click.group()
def policies() -> None:
    """List, explain, document, validate and test policies.

    \b
    Exit codes of validate and test: 0 all good, 1 a policy, catalog or test case is invalid or a
    case failed, 2 usage error.
    """


@policies.command("list")
@_policy_dirs
def list_policies(policy_dirs: tuple[Path, ...]) -> None:
    """List the policies: id, category, severity, title and the controls each gives evidence for."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    pack = _builtin_and(policy_dirs)
    buffer = io.StringIO()
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=160, highlight=False)
    table = Table(box=box.SIMPLE, show_edge=False, header_style="bold" if color else "")
    for column in ("id", "category", "severity", "title", "controls"):
        table.add_column(column, overflow="fold")
    for policy in pack:
        controls = "\n".join(f"{fid}: {', '.join(ids)}" for fid, ids in sorted(policy.controls.items()))
        table.add_row(policy.id, policy.category, policy.severity, policy.title, controls)
    console.print(table)
    click.echo(buffer.getvalue(), nl=False)


@policies.command()
@click.argument("policy_id")
@_policy_dirs
def explain(policy_id: str, policy_dirs: tuple[Path, ...]) -> None:
    """Explain a policy: what it checks, why it matters, a bad and a good example, the fix,
    the controls and references."""
    from ..policy.docs import policy_page  # lazy: --help's start-up skips the policy modules

    pack = _builtin_and(policy_dirs)
    policy = next((p for p in pack if p.id.lower() == policy_id.lower()), None)
    if policy is None:
        raise click.BadParameter(f"no policy {policy_id} (policies: {', '.join(p.id for p in pack)})", param_hint="POLICY_ID")
    page = policy_page(policy, framework_catalogs(policy_dirs))
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(page, code_theme="ansi_light"))
    else:
        click.echo(page, nl=False)


@policies.command()
@_policy_dirs
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (docs/policies.md) instead of standard output.")
@click.option("--check", is_flag=True, help="Do not write: exit 1 when --output differs from what would be written.")
def docs(policy_dirs: tuple[Path, ...], output: Path | None, check: bool) -> None:
    """Write the policy reference (docs/policies.md) from the policy files and control catalogs."""
    from ..policy.docs import reference_page  # lazy: --help's start-up skips the policy modules

    page = reference_page(_builtin_and(policy_dirs), framework_catalogs(policy_dirs))
    if not check:
        write_output(page, output, "policy reference")
        return
    if output is None:
        raise click.UsageError("--check needs --output FILE")
    current = output.read_text(encoding="utf-8") if output.is_file() else None
    if current != page:
        state = "is stale" if current is not None else "does not exist"
        click.echo(f"iac-guard: {output} {state}; regenerate it with: {_docs_command(output, policy_dirs)}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"iac-guard: {output} is up to date", err=True)


def _docs_command(output: Path, policy_dirs: tuple[Path, ...]) -> str:
    """The command that writes what ``--check`` compared: the path and packs it was given, not
    the built-in pack's docs/policies.md (a pack's own reference is checked the same way)."""
    words = ["iac-guard", "policies", "docs", *(part for d in policy_dirs for part in ("--policy-dir", str(d))), "-o", str(output)]
    return shlex.join(words)


@policies.command()
@_pack_dirs
def validate(dirs: tuple[Path, ...]) -> None:
    """Check policy packs: every policy against the schema and the facts, test-case files, control
    catalogs, ids shared with the built-in pack; each problem with its file and field."""
    from ..policy.cases import all_cases  # lazy: --help's start-up skips the policy modules
    from ..policy.frameworks import FrameworkError, load_frameworks  # lazy: --help's start-up skips the policy modules
    from ..policy.loader import PolicyError, load_policies  # lazy: --help's start-up skips the policy modules

    problems: list[str] = []
    pack: list[Policy] = []
    catalogs: dict[str, Framework] = {}
    cases = []
    try:
        pack = load_policies(list(dirs))
        cases = all_cases(pack, dirs)
    except PolicyError as exc:
        problems += str(exc).splitlines()
    try:
        catalogs = load_frameworks(dirs)
    except FrameworkError as exc:
        problems += str(exc).splitlines()
    problems += _builtin_clashes(pack)
    for line in problems:
        click.echo(f"error: {line}", err=True)
    for line in _warnings(pack, catalogs):
        click.echo(f"warning: {line}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {' '.join(map(str, dirs))}")
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{len(pack)} policies and {len(cases)} test case(s) valid in {' '.join(map(str, dirs))}")


@policies.command("test")
@_pack_dirs
@click.option("-v", "--verbose", is_flag=True, help="List the cases that pass too.")
def test_command(dirs: tuple[Path, ...], verbose: bool) -> None:
    """Run each policy's bad and good examples and the test cases beside it (like conftest verify).

    A bad example must make its policy fire, a good one must not; a test case lists exactly the
    findings that fire on it (expect: policy, resource, line). The format is in the README.
    """
    from ..config.settings import Settings  # lazy: --help's start-up skips the policy modules
    from ..pipeline.selftest import run_cases  # lazy: --help's start-up skips the pipeline
    from ..policy.cases import all_cases  # lazy: --help's start-up skips the policy modules
    from ..policy.loader import PolicyError, load_policies  # lazy: --help's start-up skips the policy modules

    try:
        pack = load_policies(list(dirs))
        cases = all_cases(pack, dirs)
    except PolicyError as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    failed = 0
    for outcome in run_cases(cases, pack, Settings()):
        failed += not outcome.passed
        if verbose or not outcome.passed:
            click.echo(f"{'ok  ' if outcome.passed else 'FAIL'}  {outcome.case.name}")
        for problem in outcome.problems:
            click.echo(f"        {problem}")
    click.echo(f"{len(cases)} case(s): {len(cases) - failed} passed, {failed} failed")
    sys.exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _builtin_and(policy_dirs: Sequence[Path]) -> list[Policy]:
    from ..policy.loader import PolicyError, builtin_policy_dir, load_policies  # lazy: --help's start-up skips the policy modules

    return _or_exit(lambda: load_policies([builtin_policy_dir(), *policy_dirs]), PolicyError)


def framework_catalogs(policy_dirs: Sequence[Path]) -> dict[str, Framework]:
    """The built-in control catalogs and those the packs bring (exit 2 on a broken one)."""
    from ..policy.frameworks import FrameworkError, load_frameworks  # lazy: --help's start-up skips the policy modules

    return _or_exit(lambda: load_frameworks(policy_dirs), FrameworkError)


def _or_exit(load: Callable[[], T], error: type[Exception]) -> T:
    try:
        return load()
    except error as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _builtin_clashes(pack: Sequence[Policy]) -> list[str]:
    """A custom policy may not take a built-in policy's id: the scan would refuse both."""
    from ..policy.loader import builtin_policy_dir, load_policies  # lazy: --help's start-up skips the policy modules

    builtin = {p.id: p.source.resolve() for p in load_policies([builtin_policy_dir()])}
    return [
        f"{p.source}: id: {p.id} is a built-in policy id ({builtin[p.id].name})"
        for p in pack
        if p.id in builtin and builtin[p.id] != p.source.resolve()
    ]


def _warnings(pack: Sequence[Policy], catalogs: dict[str, Framework]) -> list[str]:
    """What does not stop a scan but weakens the pack: untested policies, unknown control ids."""
    from ..filter.trust import judges_code  # lazy: --help's start-up skips the policy modules

    warnings = []
    for policy in pack:
        verdicts = {e.verdict for e in policy.examples}
        warnings += [
            f"{policy.source}: examples.{verdict}: none, so `policies test` cannot show the policy "
            + ("fires" if verdict == "bad" else "stays quiet on good code")
            for verdict in ("bad", "good") if verdict not in verdicts and judges_code(policy)
        ]
        for framework_id, ids in sorted(policy.controls.items()):
            catalog = catalogs.get(framework_id)
            if catalog is None:
                warnings.append(f"{policy.source}: controls.{framework_id}: no catalog for this framework; reports cannot show it")
                continue
            warnings += [
                f"{policy.source}: controls.{framework_id}: {cid} is not in the {framework_id} catalog; reports will not show it"
                for cid in ids if catalog.control(cid) is None
            ]
    return warnings
