"""The progress line (issue 17): counts of files found, parsed and root modules judged, drawn on
standard error only for a person at a terminal and only once a scan has taken a while; nothing
on standard error when it is piped or in CI."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import settings, write_project

from iac_guard.cli import main
from iac_guard.cli import progress as progress_line
from iac_guard.cli.progress import ProgressLine, interactive, progress_text, with_progress
from iac_guard.pipeline.run import load_pack, run_scan
from iac_guard.support.progress import Progress, reporting

MODULE = 'resource "aws_secretsmanager_secret" "openai_{n}" {{\n  name = "openai-{n}"\n}}\n'


class FakeTerminal(io.StringIO):
    """Standard error as a terminal: what the progress line wrote, and when it wrote."""

    def __init__(self) -> None:
        super().__init__()
        self.written = threading.Event()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.written.set()
        return super().write(text)


def project(root: Path) -> Path:
    """Three root modules, a manifest and a Dockerfile: 3 + 1 + 1 files found."""
    write_project(root, {f"stack{n}/main.tf": MODULE.format(n=n) for n in range(3)})
    write_project(root, {"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: openai, namespace: chat}\n", "Dockerfile": "FROM python:3.12\n"})
    return root


def test_the_stages_count_files_found_parsed_and_root_modules_judged(tmp_path: Path) -> None:
    root = project(tmp_path)
    chosen = settings()
    with reporting(Progress()) as counts:
        result = run_scan([str(root)], chosen, load_pack(chosen))
    assert result.files_scanned == 5
    assert (counts.found, counts.parsed, counts.judged, counts.roots) == (5, 5, 3, 3)
    assert progress_text(counts) == "iac-guard: 5 files found, 5 parsed, 3 of 3 root modules judged"


def test_no_scan_counts_into_a_progress_it_was_not_given(tmp_path: Path) -> None:
    chosen = settings()
    untouched = Progress()
    with reporting(untouched):
        pass
    run_scan([str(project(tmp_path))], chosen, load_pack(chosen))
    assert untouched == Progress()


def test_the_text_names_counts_not_a_spinner() -> None:
    assert progress_text(Progress(found=1204, parsed=812)) == "iac-guard: 1,204 files found, 812 parsed"
    # Module folders outside the discovered tree are parsed too: never "more parsed than found".
    assert progress_text(Progress(found=10, parsed=14, judged=2, roots=7)) == "iac-guard: 10 files found, 10 parsed, 2 of 7 root modules judged"


@pytest.mark.parametrize(("tty", "environ", "shown"), [
    (True, {}, True),
    (True, {"CI": "true"}, False),
    (False, {}, False),
])
def test_only_a_terminal_outside_ci_is_interactive(tty: bool, environ: dict[str, str], shown: bool) -> None:
    stream = FakeTerminal() if tty else io.StringIO()
    assert interactive(stream, environ) is shown


def test_the_line_is_drawn_after_the_delay_and_erased_at_the_end() -> None:
    terminal = FakeTerminal()
    line = ProgressLine(terminal, delay=0, width=lambda: 30)
    line.progress.found, line.progress.parsed = 12, 3
    with line:
        assert terminal.written.wait(5)
    text = terminal.getvalue()
    assert text.startswith("\r\x1b[Kiac-guard: 12 files found, ")  # cut to the terminal's width - 1
    assert all(len(frame) <= 29 for frame in text.split("\r\x1b[K"))
    assert text.endswith("\r\x1b[K")


def test_a_quick_scan_draws_nothing() -> None:
    terminal = FakeTerminal()
    with ProgressLine(terminal, delay=60) as counts:
        counts.found = 3
    assert terminal.getvalue() == ""


def test_with_progress_draws_on_a_terminal_with_the_scans_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_line, "DELAY_SECONDS", 0)
    monkeypatch.setenv("COLUMNS", "200")  # the line is cut to the terminal's width
    root = project(tmp_path)
    chosen = settings()
    terminal = FakeTerminal()

    def work() -> int:
        result = run_scan([str(root)], chosen, load_pack(chosen))
        terminal.written.clear()
        assert terminal.written.wait(5)  # a frame drawn once every count is in
        return result.files_scanned

    assert with_progress(work, terminal, {}) == 5
    frames = terminal.getvalue().split("\r\x1b[K")
    assert frames[-1] == "" and "iac-guard: 5 files found, 5 parsed, 3 of 3 root modules judged" in frames
    assert with_progress(lambda: 5, terminal := FakeTerminal(), {"CI": "1"}) == 5 and terminal.getvalue() == ""


def test_a_piped_scan_writes_nothing_on_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(project(tmp_path)), "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert "files found" not in result.stdout
