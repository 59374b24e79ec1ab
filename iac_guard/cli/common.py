"""What every command that scans shares: the options that shape a scan, and running it.

``scan``, ``inventory``, ``report`` and ``baseline`` all read the same paths with the same config,
so they take the same options (``@scan_options``) and call ``run_scan_command``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .exit_codes import EXIT_ERROR
from .gate import GateRequest, build_filters, gate_overrides
from .options import options_into
from .progress import with_progress

#: What '-' may hold (``discover.stdin_kind`` tells them by content; ``scan._stdin`` reads each).
STDIN_KINDS = ("kubernetes", "terraform", "plan")

if TYPE_CHECKING:
    from ..config.settings import Settings
    from ..policy.loader import Policy
    from ..result import ScanResult


@dataclass(frozen=True)
class ScanRequest:
    """The scan-shaping options of one command line."""

    paths: tuple[str, ...]
    config_path: Path | None
    scope: str | None
    policy_dirs: tuple[Path, ...]
    skip_policies: tuple[str, ...]
    owner_keys: tuple[str, ...]
    max_lifetime_days: int | None
    max_rotation_days: int | None
    var_files: tuple[Path, ...]
    variables: tuple[str, ...]
    tf_var_env: bool
    tf_dir: Path | None
    jobs: int | None = None
    no_cache: bool = False
    cache_dir: Path | None = None
    shard: tuple[int, int] | None = None
    stdin_kind: str = "auto"

    @property
    def targets(self) -> list[str]:
        return list(self.paths) or ["."]


def scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds PATHS and the scan-shaping options; the command receives them as ``request``."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(allow_dash=True)),
        click.option("-c", "--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Pin the config file: the repository's .iac-guard.yaml is then ignored (default: .iac-guard.yaml in the scanned folder or above it, up to the repository's top)."),
        click.option("--scope", type=click.Choice(["ai", "all"], case_sensitive=False), help="Judge only AI service credentials (default) or every credential."),
        click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path), help="Add a policy pack (repeatable)."),
        click.option("--skip-policy", "skip_policies", multiple=True, metavar="ID", help="Do not evaluate this policy (repeatable)."),
        click.option("--owner-key", "owner_keys", multiple=True, metavar="KEY", help="Tag/label/annotation key naming the owner (repeatable; default: owner)."),
        click.option("--max-lifetime-days", type=click.IntRange(min=1), help="Longest allowed credential lifetime (default 90)."),
        click.option("--max-rotation-days", type=click.IntRange(min=1), help="Longest allowed rotation period (default 90)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Terraform variable file (.tfvars or .tfvars.json) for every root module (repeatable)."),
        click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", callback=_check_variables, help="Terraform variable value, as terraform plan -var (repeatable)."),
        click.option("--tf-var-env", is_flag=True, help="Also read TF_VAR_* variables from the environment."),
        click.option("--tf-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Terraform folder a scanned plan JSON was made from: findings point at its files and lines."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes that parse files (default: one per CPU for large scans; 1: in-process)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the parse cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Parse cache folder (default: $IAC_GUARD_CACHE_DIR, else the user cache folder, e.g. ~/.cache/iac-guard)."),
        click.option("--shard", metavar="I/N", callback=_check_shard, help="Judge only shard I of N (root modules and manifests split by a stable hash); combine the shards' JSON with iac-guard merge."),
        click.option("--stdin-kind", type=click.Choice(["auto", *STDIN_KINDS], case_sensitive=False), default="auto", show_default=True, help="What '-' (standard input) holds: Kubernetes YAML, Terraform, or a plan JSON; auto tells them by content."),
    ]

    return options_into(ScanRequest, "request", options)(command)


def run_scan_command(request: ScanRequest, gate: GateRequest | None = None) -> ScanResult:
    """Load settings and policies (exit 2 on a config or policy error), then scan.

    ``gate`` (``scan``'s gate options) adds the filter stage's thresholds, baseline and changed
    files; without it every finding is judged with inline suppressions applied.
    """
    from ..discover import scan_root  # lazy: --help's start-up skips the pipeline
    from ..pipeline.run import run_scan  # lazy: --help's start-up skips the pipeline
    from ..result import Filters  # lazy: --help's start-up skips the pipeline

    targets = request.targets
    for target in targets:
        if target != "-" and not Path(target).exists():
            raise click.BadParameter(f"{target} does not exist", param_hint="PATHS")
    targets = with_module_files(targets)
    settings, policies = _settings_and_pack(request, targets)
    filters = Filters()
    if gate is not None:
        settings = settings.with_overrides(**gate_overrides(gate))
        filters = build_filters(gate, settings, scan_root(targets))
    stdin_text = None
    if "-" in targets:
        stdin_text, kind = _read_stdin(request.stdin_kind, settings.max_file_bytes)
        settings = settings.with_overrides(stdin_kind=kind)
    return with_progress(lambda: run_scan(targets, settings, policies, stdin_text, filters), sys.stderr)


def _settings_and_pack(request: ScanRequest, targets: list[str]) -> tuple[Settings, list[Policy]]:
    """The config file's settings with the command line's options over them, and the policy
    pack they select; on a config or policy error, the reason and exit 2."""
    from ..config.settings import ConfigError, find_config, load_settings  # lazy: loads PyYAML, not needed by --help
    from ..discover import scan_root  # lazy: --help's start-up skips the pipeline
    from ..pipeline.run import load_pack  # lazy: --help's start-up skips the pipeline
    from ..policy.loader import PolicyError  # lazy: --help's start-up skips the pipeline

    try:
        root = scan_root(targets)
        config = request.config_path or find_config(root)
        settings = load_settings(config, scanned_root=root, pinned=request.config_path is not None)
        settings = settings.with_overrides(
            scope=request.scope,
            owner_keys=request.owner_keys or None,
            max_lifetime_days=request.max_lifetime_days,
            max_rotation_days=request.max_rotation_days,
            skip_policies=(settings.skip_policies + request.skip_policies) or None,
            var_files=request.var_files or None,
            variables=tuple(tuple(v.split("=", 1)) for v in request.variables) or None,
            environment_variables=_tf_var_environment() if request.tf_var_env else None,
            tf_dir=request.tf_dir,
            jobs=request.jobs,
            cache_dir=_cache_folder(request, targets),
            shard=request.shard,
        )
        return settings, load_pack(settings, request.policy_dirs)
    except (ConfigError, PolicyError) as exc:
        click.echo(f"iac-guard: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _read_stdin(requested: str, max_bytes: int) -> tuple[str, str]:
    """Standard input's text and kind, or exit 2 saying what was expected: read no more than
    ``max_bytes`` (a producer that never stops must not fill memory), as UTF-8, of a kind the
    scan reads."""
    from ..discover import EXPECTED_KINDS, stdin_kind  # lazy: --help's start-up skips the pipeline
    from ..support.files import read_stream  # lazy: only a scan of standard input reads it

    stream = getattr(sys.stdin, "buffer", None)
    data = read_stream(stream, "<stdin>", max_bytes) if stream is not None else b""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _stdin_error(f"standard input is not UTF-8 text (invalid byte at offset {exc.start})")
        kind = stdin_kind(text) if requested == "auto" else requested
        if kind is not None:
            return text, kind
        what = "is empty" if not text.strip() else "holds nothing iac-guard reads"
        _stdin_error(f"standard input {what}: expected {EXPECTED_KINDS}; name the kind with --stdin-kind if it is one of them")
    _stdin_error(data.render())


def _stdin_error(message: str) -> NoReturn:
    click.echo(f"iac-guard: {message}", err=True)
    sys.exit(EXIT_ERROR)


def with_module_files(targets: list[str]) -> list[str]:
    """A Terraform file given on its own brings the rest of its module (its folder's ``.tf`` and
    auto-loaded tfvars files), as Terraform reads a module: pre-commit passes only the changed
    files, and references to the other files must still resolve."""
    from ..discover import (  # lazy: --help's start-up skips the pipeline
        TERRAFORM_SUFFIXES,
        TFVARS_AUTO_SUFFIXES,
        TFVARS_AUTOLOADED,
        module_files,
    )

    module_file = (*TERRAFORM_SUFFIXES, *TFVARS_AUTO_SUFFIXES, *TFVARS_AUTOLOADED, ".tfvars", ".tfvars.json")
    expanded: list[str] = []
    for target in targets:
        expanded.append(target)
        path = Path(target)
        if target != "-" and path.is_file() and path.name.endswith(module_file):
            expanded += [str(sibling) for sibling in module_files(path.parent)]
    return list(dict.fromkeys(expanded))


def _check_shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise click.BadParameter(f"expected I/N with 1 <= I <= N (e.g. 2/4), got {value!r}")
    return int(index), int(count)


def _cache_folder(request: ScanRequest, targets: list[str]) -> Path | None:
    """The parse cache folder, unless ``--no-cache``. A folder inside the scanned tree is refused:
    files under review must never be able to act as cached parse results."""
    if request.no_cache:
        return None
    from ..support.store import default_folder  # lazy: start-up time of the CLI (only scans that cache need it)

    folder = (request.cache_dir or default_folder()).resolve()
    for target in targets:
        if target != "-" and folder.is_relative_to(Path(target).resolve()):
            click.echo(f"iac-guard: not using the cache folder {folder}: it is inside the scanned path {target}; choose one outside it with --cache-dir", err=True)
            return None
    return folder


def _check_variables(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        name = value.split("=", 1)[0]
        if "=" not in value or not name.isidentifier():
            raise click.BadParameter(f"expected NAME=VALUE, got {name!r}…" if "=" in value else "expected NAME=VALUE")
    return values


def _tf_var_environment() -> tuple[tuple[str, str], ...]:
    """``TF_VAR_name=value`` from the environment, read here so the scan itself reads no environment."""
    prefix = "TF_VAR_"
    return tuple(sorted((k[len(prefix):], v) for k, v in os.environ.items() if k.startswith(prefix) and len(k) > len(prefix)))


def write_output(rendered: str, output: Path | None, summary: str) -> None:
    """The report to ``output`` (with ``summary`` on stderr) or to standard output."""
    if output is not None:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"iac-guard: wrote {output} ({summary})", err=True)
    else:
        click.echo(rendered, nl=False)


def output_width(output: Path | None) -> int | None:
    """How wide a view written to standard output may be: the terminal's width, or ``COLUMNS``
    when piped and set (a pager, a narrow CI log); None (as wide as the content) for a file or
    a pipe with no width given."""
    if output is not None:
        return None
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def color_enabled(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
