"""The result cache: a re-scan of an unchanged tree reuses the whole answer, and anything the scan
read — a scanned file, a ``file()`` target, a called module's folder, ``modules.json`` — or was
given — settings, the day, the policy pack, the baseline — changing makes it scan again."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from scanning import FIXTURES, TODAY, scan_path, write_project

from iac_guard.pipeline import result_cache
from iac_guard.pipeline import run as scan_module
from iac_guard.report.json_report import render
from iac_guard.result import ScanResult
from iac_guard.support.sealing import HEADER_BYTES, MAGIC, NONCE_BYTES
from iac_guard.support.store import Cache

ROLE = '''resource "aws_iam_role" "inference" {
  name               = "inference"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  tags               = { owner = "ml-platform" }
}

resource "aws_iam_role_policy" "invoke" {
  role   = aws_iam_role.inference.id
  policy = file("${path.module}/policies/invoke.json")
}
'''

KEY_CALL = '''module "keys" {
  source = "./modules/keys"
  user   = "bedrock-ci"
}
'''

KEY_MODULE = '''variable "user" {}

resource "aws_iam_user" "this" {
  name = var.user
  tags = { owner = "ml-platform" }
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}
'''

WILDCARD = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
SCOPED = WILDCARD.replace('"*", "Resource": "*"', '"bedrock:InvokeModel", "Resource": "arn:aws:bedrock:eu-west-1::foundation-model/x"')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "project",
        {
            "app/main.tf": ROLE + KEY_CALL,
            "app/policies/invoke.json": WILDCARD,
            "app/modules/keys/main.tf": KEY_MODULE,
        },
    )


class Scans:
    """Scans of one project with one cache folder, counting the ones that ran the pipeline."""

    def __init__(self, project: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.project, self.folder, self.ran = project, folder, 0
        original = scan_module.scan_sources

        def counting(*args: object, **kwargs: object) -> ScanResult:
            self.ran += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(scan_module, "scan_sources", counting)

    def json(self, **overrides: object) -> str:
        return render(scan_path(self.project, cache_dir=self.folder, scope="all", **overrides))


@pytest.fixture
def scans(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scans:
    return Scans(project, tmp_path / "cache", monkeypatch)


def test_an_unchanged_tree_reuses_the_answer_byte_for_byte(scans: Scans) -> None:
    cold = scans.json()
    assert "aws_iam_access_key" in cold
    assert scans.json() == cold
    assert scans.ran == 1


def test_the_reused_answer_equals_an_uncached_scan_of_every_fixture(tmp_path: Path) -> None:
    for fixture in ("ml-platform", "terraform/vault_ai", "projects/cross-format"):
        uncached = render(scan_path(FIXTURES / fixture, scope="all"))
        assert render(scan_path(FIXTURES / fixture, scope="all", cache_dir=tmp_path)) == uncached
        assert render(scan_path(FIXTURES / fixture, scope="all", cache_dir=tmp_path)) == uncached


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: (root / "app/main.tf").write_text((ROLE + KEY_CALL).replace("bedrock-ci", "ci")), id="scanned file"),
        pytest.param(lambda root: (root / "app/policies/invoke.json").write_text(SCOPED), id="file() target"),
        pytest.param(lambda root: (root / "app/policies/invoke.json").unlink(), id="file() target removed"),
        pytest.param(lambda root: (root / "app/modules/keys/main.tf").write_text(KEY_MODULE.replace("aws_iam_access_key", "aws_iam_service_specific_credential")), id="module file"),
    ],
)
def test_anything_the_scan_read_changing_scans_again(scans: Scans, change) -> None:
    cold = scans.json()
    change(scans.project)
    changed = scans.json()
    assert scans.ran == 2 and changed != cold
    assert render(scan_path(scans.project, scope="all")) == changed  # and the new answer is right


def test_a_file_added_to_a_module_folder_outside_the_discovered_tree_scans_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders under .terraform/ are not discovered, but a module call lists them: the listing is an input."""
    project = write_project(
        tmp_path / "project",
        {
            "main.tf": 'module "keys" {\n  source = "registry.example/keys/aws"\n  user = "ci"\n}\n',
            ".terraform/modules/modules.json": '{"Modules": [{"Key": "keys", "Source": "registry.example/keys/aws", "Dir": ".terraform/modules/keys"}]}',
            ".terraform/modules/keys/variables.tf": 'variable "user" {}\n',
        },
    )
    scans = Scans(project, tmp_path / "cache", monkeypatch)
    assert "aws_iam_access_key" not in scans.json()
    (project / ".terraform/modules/keys/main.tf").write_text(KEY_MODULE.replace('variable "user" {}\n', ""))
    assert "module.keys.aws_iam_access_key.this" in scans.json()
    (project / ".terraform/modules/modules.json").write_text('{"Modules": []}')
    assert "aws_iam_access_key" not in scans.json()
    assert scans.ran == 3


@pytest.mark.parametrize(
    "overrides",
    [
        {"max_rotation_days": 30},
        {"today": TODAY.replace(year=2030)},  # expiry is measured from the day
        {"skip_policies": ("IAG002",)},
        {"exclude": ("app/modules/**",)},
    ],
)
def test_what_the_scan_is_given_is_part_of_the_key(scans: Scans, overrides: dict) -> None:
    scans.json()
    scans.json(**overrides)
    assert scans.ran == 2


def test_how_files_are_loaded_is_not(scans: Scans) -> None:
    cold = scans.json(jobs=1)
    assert scans.json(jobs=2) == cold and scans.ran == 1


def test_no_cache_stores_no_answer(project: Path, tmp_path: Path) -> None:
    scan_path(project)
    assert not (tmp_path / "cache").exists()


def _results(folder: Path) -> list[tuple[str, bytes]]:
    return sorted((path.name, path.read_bytes()) for path in (folder / result_cache.FOLDER).iterdir())


def _write_result(folder: Path, name: str, data: bytes) -> None:
    (folder / result_cache.FOLDER / name).write_bytes(data)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),
        lambda data: MAGIC + bytes(NONCE_BYTES) + data[HEADER_BYTES:],  # nonce wiped
    ],
)
def test_a_damaged_answer_is_a_miss(scans: Scans, damage) -> None:
    cold = scans.json()
    [(name, data)] = _results(scans.folder)
    _write_result(scans.folder, name, damage(data))
    assert scans.json() == cold and scans.ran == 2


def test_even_a_correctly_sealed_answer_builds_only_result_records(scans: Scans) -> None:
    cold = scans.json()
    [(name, _)] = _results(scans.folder)
    payload = pickle.dumps(({}, os.system))  # what an attacker holding the key would try
    _write_result(scans.folder, name, Cache.open(scans.folder).sealer.seal(name, payload))
    assert result_cache.read_sealed(Cache.open(scans.folder), name) == payload  # seal valid ...
    assert scans.json() == cold and scans.ran == 2  # ... and still refused: scanned again


def test_only_the_most_recent_answers_are_kept(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_cache, "KEPT", 2)
    scans = Scans(project, tmp_path / "cache", monkeypatch)
    for days in (10, 20, 30):
        scans.json(max_rotation_days=days)
    assert len(_results(scans.folder)) == 2


def test_an_answer_behind_a_symbolic_link_is_not_read(scans: Scans) -> None:
    cold = scans.json()
    [(name, data)] = _results(scans.folder)
    elsewhere = scans.folder.parent / "planted"
    elsewhere.write_bytes(data)
    (scans.folder / result_cache.FOLDER / name).unlink()
    (scans.folder / result_cache.FOLDER / name).symlink_to(elsewhere)
    assert scans.json() == cold and scans.ran == 2


def test_the_command_stores_its_answer_before_it_returns(project: Path, tmp_path: Path) -> None:
    """The ``iac-guard`` process ends without tearing its objects down (cli.output.exit_now): the
    entry must be whole on disk by then."""
    folder = tmp_path / "cache"
    command = [sys.executable, "-m", "iac_guard", "scan", str(project), "--cache-dir", str(folder), "--format", "json", "--scope", "all"]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    assert first.returncode == 1 and len(_results(folder)) == 1
    second = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (second.returncode, second.stdout) == (1, first.stdout)


def test_answers_beyond_the_size_budget_are_dropped_but_never_the_newest(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(result_cache, "KEPT_BYTES", 1)
    scans = Scans(project, tmp_path / "cache", monkeypatch)
    scans.json(max_rotation_days=10)
    newest = scans.json(max_rotation_days=20)
    assert len(_results(scans.folder)) == 1
    assert scans.json(max_rotation_days=20) == newest and scans.ran == 2


def test_the_key_is_the_same_in_every_process(project: Path) -> None:
    """Sets print in a different order in each process (string hashing is salted): the key must not."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, 'tests')\n"
        "from scanning import settings; from iac_guard.discover import discover\n"
        "from iac_guard.pipeline.run import load_pack; from iac_guard.result import Filters; from iac_guard.pipeline.result_cache import scan_key\n"
        f"root = Path({str(project)!r})\n"
        "changed = frozenset(root / f'app/file{n}.tf' for n in range(20))\n"
        "chosen = settings()\n"
        "print(scan_key(discover([str(root)]), chosen, load_pack(chosen), Filters(changed_files=changed), None))\n"
    )
    keys = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1 and next(iter(keys)).startswith("scan-")


def test_a_shard_answer_comes_back_whole(scans: Scans) -> None:
    """A shard's report carries its inventory for ``merge``: the reused answer must too."""
    cold = scans.json(shard=(1, 2))
    assert '"shard"' in cold and scans.json(shard=(1, 2)) == cold and scans.ran == 1


def test_concurrent_scans_sharing_a_cache_agree(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    command = [sys.executable, "-m", "iac_guard", "scan", str(project), "--cache-dir", str(folder), "--format", "json", "--scope", "all"]
    running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for _ in range(4)]
    outputs = {process.communicate()[0] for process in running}
    assert len(outputs) == 1 and [p.returncode for p in running] == [1, 1, 1, 1]
    assert len(_results(folder)) == 1 and not [p for p in (folder / result_cache.FOLDER).iterdir() if p.name.startswith(".")]
    assert subprocess.run(command, capture_output=True, text=True, check=False).stdout in outputs


def test_a_results_folder_that_cannot_be_used_never_fails_the_scan(scans: Scans) -> None:
    cold = scans.json()
    (scans.folder / result_cache.FOLDER).rename(scans.folder / "elsewhere")
    (scans.folder / result_cache.FOLDER).write_text("not a folder")
    assert scans.json() == cold and scans.json() == cold and scans.ran == 3
