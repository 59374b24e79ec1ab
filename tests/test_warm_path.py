"""Issue 18, the warm fast path: a re-scan of an unchanged tree is answered from the stored run
before click, PyYAML, Lark or the model are imported, with the bytes a cold ``--no-cache -j 1``
scan writes; any change a scan could see — a file's bytes, a file added beside it, a config
appearing above it, an option, an environment variable — answers the long way.

Every scan here is a real process (the fast path is the process's start). Whether the fast path
answered is read from the cache folder: the long way stores a result-cache answer, the fast path
touches nothing. The trees are written once and aged past ``RACY_NS`` (a file changed just before
a scan is never trusted by ``stat``), so a module costs one wait, not one per test.
"""

from __future__ import annotations

import os
import pickle
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from untrusted_support import FAILING_TF, write_tree

from iac_guard.pipeline import result_cache, warm_path
from iac_guard.support import cache_key, stat_check
from iac_guard.support.sealing import Sealer

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the recorder needs Python 3.11's pathlib")

COMPLIANT_TF = """resource "aws_iam_user" "ci" {
  name = "ci"
  tags = { owner = "platform" }
}
"""
SECRET_YAML = """apiVersion: v1
kind: Secret
metadata:
  name: openai
  labels:
    owner: ml
stringData:
  OPENAI_API_KEY: placeholder
"""


#: The scans' base environment: without CI (set where the suite itself runs in CI), which a case
#: below sets to show that it makes another entry.
_OUTSIDE_CI = {name: value for name, value in os.environ.items() if name != "CI"}


@dataclass(frozen=True)
class Run:
    code: int
    stdout: bytes
    stderr: bytes
    warm: bool  # answered by the fast path: the long way stored no result-cache answer


@dataclass(frozen=True)
class Workspace:
    root: Path
    tree: Path
    cwd: Path
    cache: Path
    out: Path

    def scan(self, *args: str, env: dict[str, str] | None = None, cached: bool = True) -> Run:
        answers = self.cache / result_cache.FOLDER
        for entry in answers.iterdir() if answers.is_dir() else ():
            entry.unlink()
        cache = ["--cache-dir", str(self.cache)] if cached else ["--no-cache", "-j", "1"]
        done = subprocess.run(
            [sys.executable, "-m", "iac_guard", "scan", str(self.tree), *args, *cache],
            cwd=self.cwd, capture_output=True, timeout=120, check=False, env={**_OUTSIDE_CI, "NO_COLOR": "1", **(env or {})},
        )
        stored = answers.is_dir() and any(answers.iterdir())
        return Run(done.returncode, done.stdout, done.stderr, warm=cached and not stored)

    def warm_entries(self) -> list[Path]:
        folder = self.cache / warm_path.FOLDER
        return sorted(folder.iterdir()) if folder.is_dir() else []


def _aged() -> None:
    time.sleep(stat_check.RACY_NS / 1e9 + 0.2)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("warm")
    tree = write_tree(root / "repo", {
        "infra/main.tf": FAILING_TF, "infra/iam.tf": COMPLIANT_TF,
        "k8s/secret.yaml": SECRET_YAML, "modules/empty/README.md": "a module folder with no Terraform yet\n",
    })
    for folder in ("cwd", "out"):
        (root / folder).mkdir()
    _aged()
    return Workspace(root, tree, root / "cwd", root / "cache", root / "out")


def test_a_second_scan_is_answered_warm_with_the_bytes_of_a_cold_uncached_scan(workspace: Workspace) -> None:
    cold = workspace.scan("-f", "json", cached=False)
    first, second = workspace.scan("-f", "json"), workspace.scan("-f", "json")
    assert cold.code == 1 and b'"IAG006"' in cold.stdout
    assert (first.warm, second.warm) == (False, True)
    assert (second.code, second.stdout, second.stderr) == (first.code, first.stdout, first.stderr) == (cold.code, cold.stdout, cold.stderr)


def test_the_fast_path_imports_neither_click_nor_yaml_nor_lark_nor_the_model(workspace: Workspace) -> None:
    workspace.scan()
    timed = workspace.scan(env={"PYTHONPROFILEIMPORTTIME": "1"})
    again = workspace.scan(env={"PYTHONPROFILEIMPORTTIME": "1"})
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.decode().splitlines() if line.startswith("import time:")}
    assert not timed.warm and again.warm and again.code == 1
    assert "iac_guard.pipeline.warm_path" in imported
    assert not imported & {"click", "yaml", "lark", "hcl2", "iac_guard.model", "iac_guard.cli", "iac_guard.discover"}


def test_a_file_the_scan_wrote_is_checked_and_a_deleted_one_is_written_the_long_way(workspace: Workspace) -> None:
    """A replay leaves the report it wrote as it is, so the report must still hold those bytes."""
    report = workspace.out / "report.sarif"
    args = ("-f", f"sarif={report}", "-f", "text")
    cold = workspace.scan(*args, cached=False)
    cold_report = report.read_bytes()
    workspace.scan(*args)
    warm = workspace.scan(*args)
    assert warm.warm and report.read_bytes() == cold_report
    assert (warm.code, warm.stdout, warm.stderr) == (cold.code, cold.stdout, cold.stderr)
    assert b"wrote " + str(report).encode() in warm.stderr
    report.unlink()
    again = workspace.scan(*args)
    assert not again.warm and report.read_bytes() == cold_report and (again.code, again.stdout, again.stderr) == (cold.code, cold.stdout, cold.stderr)


def test_touching_a_file_without_changing_it_is_still_answered_warm(workspace: Workspace) -> None:
    workspace.scan()
    os.utime(workspace.tree / "infra" / "iam.tf")
    try:
        assert workspace.scan().warm
    finally:
        _aged()  # a file changed just now is not trusted by the next test's first scan


@pytest.mark.parametrize("change", ["bytes", "new-file", "new-module-file", "config-above", "removed"])
def test_a_change_the_scan_could_see_answers_the_long_way(workspace: Workspace, change: str) -> None:
    """Each kind of input: a scanned file's bytes (same size), a file added to a scanned folder, a
    file added to a folder a scan only listed, a config file appearing above the tree (only ever
    asked about), a scanned file removed. The answer is then the cold scan's."""
    workspace.scan("--scope", "all")
    assert workspace.scan("--scope", "all").warm
    main_tf = workspace.tree / "infra" / "main.tf"
    undo = _change(workspace, change, main_tf)
    try:
        changed = workspace.scan("--scope", "all")
        cold = workspace.scan("--scope", "all", cached=False)
        assert not changed.warm and (changed.code, changed.stdout) == (cold.code, cold.stdout)
    finally:
        undo()
        _aged()


def _change(workspace: Workspace, change: str, main_tf: Path):  # noqa: ANN202 - returns its own undo
    original = main_tf.read_bytes()
    if change == "bytes":
        main_tf.write_bytes(original.replace(b'name = "openai-api-key"', b'name = "openai-api-kez"'))
        return lambda: main_tf.write_bytes(original)
    made = {
        "new-file": workspace.tree / "infra" / "owner.tf",
        "new-module-file": workspace.tree / "modules" / "empty" / "main.tf",
        "config-above": workspace.root / ".iac-guard.yaml",
    }.get(change)
    if made is not None:
        made.write_text('resource "aws_iam_user" "extra" {}\n' if made.suffix == ".tf" else "fail_on: critical\n")
        return made.unlink
    main_tf.unlink()
    return lambda: main_tf.write_bytes(original)


@pytest.mark.parametrize(("env", "args"), [({"NO_COLOR": ""}, ()), ({"COLUMNS": "40"}, ()), ({"CI": "true"}, ()), ({}, ("--fail-on", "critical"))])
def test_another_option_or_environment_is_another_entry(workspace: Workspace, env: dict[str, str], args: tuple[str, ...]) -> None:
    workspace.scan("-f", "markdown")
    assert workspace.scan("-f", "markdown").warm
    other = workspace.scan("-f", "markdown", *args, env=env)
    cold = workspace.scan("-f", "markdown", *args, env=env, cached=False)
    assert not other.warm and (other.code, other.stdout) == (cold.code, cold.stdout)


def test_a_forged_entry_or_one_copied_to_another_name_is_never_replayed(workspace: Workspace) -> None:
    """Whoever can write the cache folder has no key: an entry sealed under another key, or a
    real entry copied under the name of another command line, opens to nothing."""
    workspace.scan("--scope", "ai")
    honest = workspace.scan("--scope", "ai")
    assert honest.warm and honest.code == 1
    forged = pickle.dumps({"inputs": [], "writes": [(1, b"all clear\n")], "code": 0})
    for entry in workspace.warm_entries():
        entry.write_bytes(Sealer(cache_key.entry_key_from(secrets.token_bytes(32))).seal(entry.name, forged))
    after = workspace.scan("--scope", "ai")
    assert not after.warm and (after.code, after.stdout) == (honest.code, honest.stdout)
    real = max(workspace.warm_entries(), key=lambda e: e.stat().st_size)
    for entry in workspace.warm_entries():
        entry.write_bytes(real.read_bytes())  # the "--scope ai" run's entry under every name
    other, cold = workspace.scan("--scope", "all"), workspace.scan("--scope", "all", cached=False)
    assert not other.warm and (other.code, other.stdout) == (cold.code, cold.stdout)


def test_standard_input_a_scan_that_runs_git_and_an_uncached_scan_store_nothing(workspace: Workspace, tmp_path: Path) -> None:
    """Standard input is no file to check; ``--diff-base`` asks git (another program's reads)."""
    before = workspace.warm_entries()
    piped = subprocess.run(
        [sys.executable, "-m", "iac_guard", "scan", "-", "--cache-dir", str(workspace.cache), "--stdin-kind", "terraform"],
        input=COMPLIANT_TF.encode(), cwd=workspace.cwd, capture_output=True, timeout=120, check=False,
    )
    repository = write_tree(tmp_path / "repository", {"main.tf": COMPLIANT_TF})
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one"]):
        subprocess.run(["git", *command], cwd=repository, check=True, capture_output=True, timeout=60)
    _aged()
    gated = [
        subprocess.run(
            [sys.executable, "-m", "iac_guard", "scan", str(repository), "--diff-base", "HEAD", "--cache-dir", str(workspace.cache)],
            cwd=workspace.cwd, capture_output=True, timeout=120, check=False,
        ) for _ in range(2)
    ]
    workspace.scan("--skip-policy", "IAG001", cached=False)
    assert piped.returncode == 0 and [run.returncode for run in gated] == [0, 0]
    assert workspace.warm_entries() == before


def test_stat_check_trusts_a_signature_only_when_it_is_not_racy(tmp_path: Path) -> None:
    path = tmp_path / "a.tf"
    path.write_text("one")
    now = time.time_ns()
    assert stat_check.record("file", str(path), now) is None  # changed just now: never trusted
    entry = stat_check.record("file", str(path), now + 10 * stat_check.RACY_NS)
    assert entry is not None and stat_check.unchanged([entry])
    path.write_text("two")
    assert not stat_check.unchanged([entry])
    path.write_text("one")
    assert stat_check.unchanged([entry])  # another signature, the same bytes


def test_a_folder_listing_sees_an_entry_replaced_by_another_kind(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("")
    entry = stat_check.record("folder", str(tmp_path), time.time_ns() + 10 * stat_check.RACY_NS)
    assert entry is not None and stat_check.unchanged([entry])
    (tmp_path / "x").unlink()
    (tmp_path / "x").mkdir()
    assert not stat_check.unchanged([entry])
    probe = ("probe", str(tmp_path / "x"), (True, stat_check.kind_of(str(tmp_path / "x"))))
    assert stat_check.unchanged([probe])
    (tmp_path / "x").rmdir()
    assert not stat_check.unchanged([probe])
