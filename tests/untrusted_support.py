"""Helpers for the untrusted-input tests (``tests/test_untrusted_*.py``): the scan run as a real
process, the way a CI runner runs it on a pull request, under an address-space limit and a wall
clock, so a case that would hang or exhaust memory fails the test instead of the machine.

Every case asserts the exact exit code, and where the tree also holds a failing file, that the
failing file is still found: a gate that passes silently is the bug these tests exist for.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: A file every hostile tree carries beside the hostile part: a hardcoded OpenAI key in an AI
#: secret with no owner, expiry or rotation. It must be found whatever else the tree holds.
SECRET = "sk-proj-" + "Zq9xR2vW7tY4uI1oP6aS3dF8gH5jK0lL" * 2
FAILING_TF = f"""resource "aws_secretsmanager_secret" "openai" {{
  name = "openai-api-key"
}}

resource "aws_secretsmanager_secret_version" "openai" {{
  secret_id     = aws_secretsmanager_secret.openai.id
  secret_string = "{SECRET}"
}}
"""
#: The findings FAILING_TF yields in a folder of its own, as (policy, resource).
FAILING_FINDINGS = {
    ("IAG001", "aws_secretsmanager_secret.openai"),
    ("IAG002", "aws_secretsmanager_secret.openai"),
    ("IAG003", "aws_secretsmanager_secret.openai"),
    ("IAG006", "aws_secretsmanager_secret.openai"),
}

#: Bounds for one whole-process scan: far above a normal small scan (~0.3 s, ~60 MB of heap),
#: far below what the unbounded cases used (minutes, gigabytes).
WALL_SECONDS = 30.0
ADDRESS_SPACE_BYTES = 1536 * 1024 * 1024


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    #: The scan process's peak resident set size, in bytes (its pool workers are not counted).
    peak_rss: int

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)

    def findings(self) -> set[tuple[str, str]]:
        return {(f["policy_id"], f["resource"]) for f in self.report["findings"]}

    def assert_clean_failure(self) -> None:
        """No traceback and no 'internal error': hostile input ends in a clear message."""
        assert "Traceback" not in self.stderr, self.stderr
        assert "internal error" not in self.stderr, self.stderr


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _limit_address_space(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


#: Runs the scan as its own child and reports that child's peak memory on the file descriptor
#: given first. The test process cannot measure the scan directly: a child forked from it starts
#: with the test process's pages resident, and Linux keeps that high-water mark across exec, so
#: the scan's peak would include the whole test session's memory. The launcher is exec'd fresh
#: (small), so the scan forked from it starts small. A scan killed by a signal kills the launcher
#: by the same signal, so the exit code reads as the scan's own.
LAUNCHER = """
import os, signal, sys
report = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(report)
    os.execv(sys.executable, [sys.executable, "-m", "iac_guard", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
os.write(report, str(usage.ru_maxrss).encode())
os.close(report)
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(  # long: one child's whole life: spawn, feed, pump, time out, reap, measure
    args: list[str],
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    wall_seconds: float = WALL_SECONDS,
    address_space: int = ADDRESS_SPACE_BYTES,
) -> Run:
    """``python -m iac_guard ARGS`` in a child process with ``RLIMIT_AS`` and a timeout.

    A timeout is a failed test (the child is killed), not a skip: a hang is what is being tested.
    """
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    started = time.monotonic()
    peak_read, peak_write = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(peak_write), *args],
        cwd=cwd,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        pass_fds=(peak_write,),
        start_new_session=True,
        preexec_fn=lambda: _limit_address_space(address_space),
    )
    os.close(peak_write)
    outputs: dict[str, bytes] = {}
    pumps = [
        threading.Thread(target=lambda: outputs.__setitem__("stdout", child.stdout.read())),
        threading.Thread(target=lambda: outputs.__setitem__("stderr", child.stderr.read())),
        threading.Thread(target=lambda: outputs.__setitem__("peak", os.read(peak_read, 64))),
    ]
    if stdin is not None:
        pumps.append(threading.Thread(target=_feed, args=(child.stdin, stdin)))
    for pump in pumps:
        pump.start()
    timer = threading.Timer(wall_seconds, lambda: os.killpg(child.pid, 9))  # the launcher and the scan
    timer.start()
    try:
        child.wait()
    finally:
        timer.cancel()
    for pump in pumps:
        pump.join()
    os.close(peak_read)
    seconds = time.monotonic() - started
    if seconds >= wall_seconds:
        raise AssertionError(f"iac-guard {' '.join(args)} ran longer than {wall_seconds} s")
    if not outputs["peak"]:
        raise AssertionError(f"iac-guard {' '.join(args)}: the launcher reported no peak memory (stderr: {outputs['stderr'][-500:]!r})")
    peak = int(outputs["peak"]) * 1024  # KiB on Linux
    return Run(child.returncode, outputs["stdout"].decode("utf-8", "replace"), outputs["stderr"].decode("utf-8", "replace"), seconds, peak)


def _feed(pipe, data: bytes) -> None:
    """Standard input for the child; a child that stops reading (a bounded read) closes it."""
    try:
        pipe.write(data)
        pipe.close()
    except BrokenPipeError:
        pass


def scan_json(root: Path, *extra: str, **options) -> Run:
    """``iac-guard scan ROOT -f json --no-cache EXTRA…`` as a bounded process."""
    return run_cli(["scan", str(root), "-f", "json", "--no-cache", *extra], **options)
