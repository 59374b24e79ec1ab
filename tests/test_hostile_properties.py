"""Properties over every fixture: mutated files never crash a scan, and no scan opens a socket or
starts a program.

The mutation test runs with ``IAC_GUARD_DEBUG=1``, so an unexpected exception propagates instead
of becoming the CLI's "internal error" line: any exception that escapes is a failure here. It is
derandomized with a bounded number of examples, so the suite stays fast and reproducible.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scanning import fixture_projects

from iac_guard.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
SUFFIXES = (".tf", ".tfvars", ".yaml", ".yml", ".json")


#: Each project is the folder a mutated file is scanned in.
PROJECTS = fixture_projects() + [EXAMPLES / "insecure", EXAMPLES / "compliant"]
FILES = [(project, path.relative_to(project)) for project in PROJECTS for path in sorted(project.rglob("*"))
         if path.is_file() and path.name.endswith(SUFFIXES)]

mutation = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from([b"{", b"}", b"[", b'"', b"${", b"\x00", b"\xff", b"&a", b"*a", b"\n---\n", b"<<EOF\n", b"!!python/object:os.system", b"\r\n", b"  - ", b": "])),
    st.tuples(st.just("shuffle"), st.integers(0, 2**32)),
    st.tuples(st.just("duplicate"), st.floats(0, 1)),
    st.tuples(st.just("drop"), st.floats(0, 1)),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    for step in steps:
        kind = step[0]
        at = int(step[1] * len(data)) if kind != "shuffle" else 0
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ step[2] or 1]) + data[at + 1:]
        elif kind == "insert":
            data = data[:at] + step[2] + data[at:]
        else:
            lines = data.splitlines(keepends=True)
            if not lines:
                continue
            index = min(int(step[1] * len(lines)), len(lines) - 1) if kind != "shuffle" else 0
            if kind == "shuffle":
                random.Random(step[1]).shuffle(lines)
            elif kind == "duplicate":
                lines.insert(index, lines[index])
            else:
                del lines[index]
            data = b"".join(lines)
    return data


@settings(max_examples=120, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(target=st.sampled_from(FILES), steps=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_fixtures_never_crash_a_scan(target: tuple[Path, Path], steps: list[tuple]) -> None:
    project, relative = target
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / project.name
        shutil.copytree(project, root)
        path = root / relative
        path.write_bytes(mutate(path.read_bytes(), steps))
        result = CliRunner().invoke(
            main, ["scan", str(root), "-f", "json", "--no-cache", "--scope", "all"],
            env={"IAC_GUARD_DEBUG": "1"}, catch_exceptions=False,
        )
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.stderr
    if relative.name == ".iac-guard.yaml" and not result.stdout:
        # A config the scan cannot use stops it before any report: exit 2, naming the file.
        assert result.exit_code == 2 and ".iac-guard.yaml" in result.stderr, result.stderr
        return
    report = json.loads(result.stdout)
    assert report["summary"]["exit_code"] == result.exit_code


# --- no network, no code execution ------------------------------------------------------------


class Forbidden(AssertionError):
    pass


def _forbid(name: str):
    def forbidden(*args: object, **kwargs: object) -> None:
        raise Forbidden(f"a scan called {name}")

    return forbidden


@pytest.fixture
def sealed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way out of the process a scan could take: sockets, name lookups, programs."""
    for module, names in (
        (socket, ["socket", "create_connection", "getaddrinfo", "gethostbyname", "socketpair"]),
        (subprocess, ["Popen", "run", "call", "check_call", "check_output", "getoutput", "getstatusoutput"]),
        (os, ["system", "popen", "fork", "forkpty", "execv", "execve", "execvp", "execvpe", "execl", "execle", "execlp",
              "execlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp"]),
    ):
        for name in names:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, _forbid(f"{module.__name__}.{name}"))


@pytest.mark.parametrize("project", PROJECTS, ids=[str(p.relative_to(p.parents[1])) for p in PROJECTS])
def test_scanning_every_fixture_opens_no_socket_and_runs_nothing(project: Path, sealed: None) -> None:
    extra = ["--tf-dir", str(project / "src")] if (project / "src").is_dir() and (project / "plan.json").is_file() else []
    for output_format in ("json", "sarif", "text"):
        result = CliRunner().invoke(main, ["scan", str(project), "-f", output_format, "--no-cache", *extra],
                                    env={"IAC_GUARD_DEBUG": "1"}, catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), result.output


def test_the_seal_works(sealed: None) -> None:
    with pytest.raises(Forbidden):
        socket.create_connection(("example.com", 443))
    with pytest.raises(Forbidden):
        subprocess.run(["true"])
