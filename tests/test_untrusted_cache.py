"""Issue 11, a cache that can only miss: whoever can write (or read) the cache folder — a CI cache
restored from another job, a fork's pull request — can neither change a scan's result nor read a
secret out of it. The key lives outside the folder; entries are sealed (AES-GCM); the folder and
its files are private; anything that is not is refused with a warning and the scan runs uncached."""

from __future__ import annotations

import base64
import json
import os
import pickle
import secrets
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from untrusted_support import FAILING_FINDINGS, FAILING_TF, SECRET, run_cli, scan_json, write_tree

from iac_guard.cli import main
from iac_guard.load.loader import FileLoader, LoadOptions
from iac_guard.load.parse_cache import dumps, entry_name
from iac_guard.load.parsing import TERRAFORM, parse_file
from iac_guard.pipeline import result_cache
from iac_guard.support import cache_key
from iac_guard.support.sealing import Sealer
from iac_guard.support.store import FORMAT, Cache, forget_warnings

posix_only = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")


@pytest.fixture(autouse=True)
def fresh_warnings() -> None:
    """Each test sees the warnings its own scan gives (a process says each one once)."""
    forget_warnings()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config folder of this test's own, for in-process scans and child processes alike."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree", {"main.tf": FAILING_TF})


def _cached_scan(tree: Path, folder: Path, env: dict[str, str] | None = None):
    return run_cli(["scan", str(tree), "-f", "json", "--cache-dir", str(folder)], env=env)


def _attacker_sealer(master: bytes) -> Sealer:
    """What iac-guard would seal with if ``master`` were its key."""
    return Sealer(cache_key.entry_key_from(master))


def _plant_legacy_key(folder: Path) -> bytes:
    """The attacker's key, written where iac-guard 0.1 kept (and read) its key."""
    master = secrets.token_bytes(32)
    (folder / "key").write_bytes(master)
    return master


#: An answer with no findings, no errors and no inputs to check: what a forger wants reused.
EMPTY_ANSWER = b"".join(pickle.dumps(part) for part in ({}, (0, [], [], None, []), 0, 0, 0, 0, 0))


def test_a_forged_answer_sealed_with_a_key_planted_in_the_cache_folder_misses(tree: Path, tmp_path: Path, config: Path) -> None:
    """The attack on main: rewrite the answer and sign it with the key in the cache folder (exit
    0 instead of 4 findings). Now there is no key in the folder; one planted there is never read."""
    folder = tmp_path / "cache"
    uncached = scan_json(tree)
    assert uncached.exit_code == 1 and uncached.findings() == FAILING_FINDINGS
    assert _cached_scan(tree, folder).exit_code == 1
    assert not any(path.name == "key" for path in folder.rglob("*"))
    master = _plant_legacy_key(folder)
    answers = list((folder / result_cache.FOLDER).iterdir())
    assert len(answers) == 1
    for path in answers:
        path.write_bytes(_attacker_sealer(master).seal(path.name, EMPTY_ANSWER))
    # The forgery is well made: a scan that held the attacker's key would take it.
    fooled = _cached_scan(tree, folder, env={cache_key.ENVIRONMENT: master.hex()})
    assert (fooled.exit_code, fooled.findings()) == (0, set())
    rescan = _cached_scan(tree, folder)
    rescan.assert_clean_failure()
    assert (rescan.exit_code, rescan.stdout) == (1, uncached.stdout)


def test_forged_parse_entries_miss(tree: Path, tmp_path: Path, config: Path) -> None:
    """The same with the parse cache: the file's entry replaced by the parse of an empty file."""
    folder = tmp_path / "cache"
    uncached = scan_json(tree)
    assert _cached_scan(tree, folder).exit_code == 1
    master = _plant_legacy_key(folder)
    name = entry_name(TERRAFORM, "main.tf", (tree / "main.tf").read_bytes())
    with sqlite3.connect(folder / f"{FORMAT}.sqlite3") as database:
        forged = _attacker_sealer(master).seal(name, dumps(parse_file(TERRAFORM, "main.tf", b"")))
        assert database.execute("UPDATE entries SET data = ? WHERE name = ?", (forged, name)).rowcount == 1
    for path in (folder / result_cache.FOLDER).iterdir():
        path.unlink()  # no answer to reuse: the scan must take the parse from the cache
    fooled = _cached_scan(tree, folder, env={cache_key.ENVIRONMENT: master.hex()})
    assert (fooled.exit_code, fooled.findings()) == (0, set())
    for path in (folder / result_cache.FOLDER).iterdir():
        path.unlink()
    rescan = _cached_scan(tree, folder)
    assert (rescan.exit_code, rescan.stdout) == (1, uncached.stdout)


def test_no_secret_of_the_scanned_tree_sits_on_disk(tree: Path, tmp_path: Path, config: Path) -> None:
    folder = tmp_path / "cache"
    for _ in range(2):  # cold, then warm
        run = _cached_scan(tree, folder)
        assert (run.exit_code, run.findings()) == (1, FAILING_FINDINGS)
    raw = SECRET.encode()
    forms = {raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw), raw[8:40]}
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {f"{FORMAT}.sqlite3"} and len(list((folder / result_cache.FOLDER).iterdir())) == 1
    for path in files:
        content = path.read_bytes()
        assert not [form for form in forms if form in content], path
    # ... while what is sealed in there does hold it: the check above is looking at the right bytes.
    sealed = Cache.open(folder)
    assert raw in sealed.get(entry_name(TERRAFORM, "main.tf", (tree / "main.tf").read_bytes()))


@posix_only
def test_the_cache_folder_is_tightened_and_every_file_is_private(tree: Path, tmp_path: Path, config: Path) -> None:
    folder = tmp_path / "cache"
    (folder / result_cache.FOLDER).mkdir(parents=True)
    sqlite3.connect(folder / f"{FORMAT}.sqlite3").close()  # made by an earlier run under umask 022
    for path, mode in ((folder, 0o755), (folder / result_cache.FOLDER, 0o777), (folder / f"{FORMAT}.sqlite3", 0o644)):
        path.chmod(mode)
    result = CliRunner().invoke(main, ["scan", str(tree), "--cache-dir", str(folder)])
    assert result.exit_code == 1, result.output
    reading = Cache.open(folder)  # SQLite's companion files exist while a connection is open
    assert reading is not None and reading.get(entry_name(TERRAFORM, "main.tf", (tree / "main.tf").read_bytes())) is not None
    inside = [folder, *folder.rglob("*")]
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in inside if path.is_dir()} == {"cache": 0o700, result_cache.FOLDER: 0o700}
    files = {path.relative_to(folder).parent.name or path.name: stat.S_IMODE(path.stat().st_mode) for path in inside if path.is_file()}
    assert files == {f"{FORMAT}.sqlite3": 0o600, f"{FORMAT}.sqlite3-wal": 0o600, f"{FORMAT}.sqlite3-shm": 0o600, result_cache.FOLDER: 0o600}
    key_file = config / "iac-guard" / cache_key.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700


def test_what_iac_guard_0_1_left_in_the_folder_is_removed_unread(tmp_path: Path, config: Path) -> None:
    """Its entries were in the clear, its key beside them."""
    folder = tmp_path / "cache"
    legacy = {"key": secrets.token_bytes(32), "v1.sqlite3": b"SQLite format 3\0" + SECRET.encode(), "results/scan-0": SECRET.encode(),
              "v1.sqlite3-wal": SECRET.encode(), "v1.sqlite3.damaged-7": SECRET.encode()}
    write_tree(folder, legacy)
    assert Cache.open(folder) is not None
    assert sorted(path.name for path in folder.iterdir()) == [f"{FORMAT}.sqlite3", f"{FORMAT}.sqlite3-shm", f"{FORMAT}.sqlite3-wal"]


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o620, 0o602])
def test_a_key_file_others_can_read_or_write_is_refused(tree: Path, tmp_path: Path, config: Path, mode: int) -> None:
    key_file = config / "iac-guard" / cache_key.KEY_FILE
    cache_key.master_key()  # made once, as a first scan would
    key_file.chmod(mode)
    folder = tmp_path / "cache"
    result = CliRunner().invoke(main, ["scan", str(tree), "-f", "json", "--cache-dir", str(folder)])
    assert result.exit_code == 1 and {(f["policy_id"], f["resource"]) for f in json.loads(result.stdout)["findings"]} == FAILING_FINDINGS
    assert result.stderr == (
        f"iac-guard: warning: not using the cache in {folder}: {key_file} can be read or written by other users "
        f"(mode {mode:04o}); delete it and a new one is made\n"
    )
    assert key_file.read_text().strip() not in result.stderr
    assert not folder.exists()  # cold: nothing read, nothing written


@posix_only
def test_a_key_file_that_is_a_symbolic_link_is_refused(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text(secrets.token_hex(32))
    elsewhere.chmod(0o600)
    (config / "iac-guard").mkdir(parents=True)
    (config / "iac-guard" / cache_key.KEY_FILE).symlink_to(elsewhere)
    assert Cache.open(tmp_path / "cache") is None
    assert capsys.readouterr().err.startswith(
        f"iac-guard: warning: not using the cache in {tmp_path / 'cache'}: cannot read or create the key file {config / 'iac-guard' / cache_key.KEY_FILE}: "
    )


@posix_only
def test_folders_of_another_user_are_refused(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The key's folder, then (with the key from the environment) the cache folder itself."""
    folder = tmp_path / "cache"
    folder.mkdir()
    cache_key.master_key()
    owner = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    assert Cache.open(folder) is None
    assert capsys.readouterr().err == (
        f"iac-guard: warning: not using the cache in {folder}: the folder {config / 'iac-guard'} belongs to another user (uid {owner})\n"
    )
    monkeypatch.setenv(cache_key.ENVIRONMENT, secrets.token_hex(32))
    assert Cache.open(folder) is None
    assert capsys.readouterr().err == f"iac-guard: warning: not using the cache in {folder}: the folder {folder} belongs to another user (uid {owner})\n"


def test_a_warning_is_given_once_per_process(tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(cache_key.ENVIRONMENT, "too short")
    assert Cache.open(tmp_path / "cache") is None and Cache.open(tmp_path / "cache") is None
    assert len(capsys.readouterr().err.splitlines()) == 1


RANDOM = bytes(range(7, 7 + 32))


@pytest.mark.parametrize(
    "text",
    [
        RANDOM.hex(),
        RANDOM.hex().upper(),
        base64.b64encode(RANDOM).decode(),
        base64.urlsafe_b64encode(RANDOM + b"\xfb\xff").decode().rstrip("="),
    ],
)
def test_a_cache_key_is_hex_or_base64_of_at_least_32_bytes(text: str) -> None:
    assert cache_key.parse_key(text, "K")[:32] == RANDOM


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("00" * 32, "is too weak (32 bytes, 1 distinct; at least 32 random bytes are needed)"),
        ("0123456789abcdef" * 4, "is too weak (32 bytes, 8 distinct; at least 32 random bytes are needed)"),
        (RANDOM[:16].hex(), "is too weak (16 bytes, 16 distinct; at least 32 random bytes are needed)"),
        ("correct horse battery staple", "is neither hex nor base64"),
    ],
)
def test_a_weak_cache_key_is_refused(text: str, problem: str) -> None:
    with pytest.raises(cache_key.KeyRefused) as refused:
        cache_key.parse_key(text, "K")
    assert str(refused.value) == f"K {problem}; make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"


def test_a_weak_key_in_the_environment_means_no_cache_not_another_key(tree: Path, tmp_path: Path, config: Path) -> None:
    folder = tmp_path / "cache"
    weak = "ab" * 32
    run = _cached_scan(tree, folder, env={cache_key.ENVIRONMENT: weak})
    assert (run.exit_code, run.findings()) == (1, FAILING_FINDINGS)
    assert run.stderr == (
        f"iac-guard: warning: not using the cache in {folder}: {cache_key.ENVIRONMENT} is too weak (32 bytes, 1 distinct; "
        "at least 32 random bytes are needed); make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'\n"
    )
    assert not folder.exists() and not config.exists()


def test_a_key_from_the_environment_leaves_the_config_folder_alone(tree: Path, tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache_key.ENVIRONMENT, secrets.token_hex(32))
    assert cache_key.master_key() == bytes.fromhex(os.environ[cache_key.ENVIRONMENT]) and not config.exists()
    monkeypatch.setenv(cache_key.ENVIRONMENT, "")  # what CI gives a job that may not see the secret
    assert cache_key.master_key() == bytes.fromhex((config / "iac-guard" / cache_key.KEY_FILE).read_text())


def test_a_cache_restored_without_its_key_is_cold_and_its_entries_are_replaced(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, files = tmp_path / "cache", [(TERRAFORM, tree / "main.tf", "main.tf")]

    def load() -> tuple[int, int]:
        loader = FileLoader(LoadOptions(cache_dir=folder))
        loader.preload(files)
        return loader.parsed, loader.cache_hits

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "job-1"))
    assert [load(), load()] == [(1, 0), (0, 1)]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "job-2"))  # another machine: the folder restored, not the key
    assert [load(), load()] == [(1, 0), (0, 1)]


def test_a_sealed_entry_opens_only_under_its_own_name_and_key() -> None:
    sealer, payload = Sealer(secrets.token_bytes(32)), b"payload" * 100
    sealed = sealer.seal("a", payload)
    assert sealer.unseal("a", sealed) == payload
    assert sealer.unseal("b", sealed) is None
    assert Sealer(secrets.token_bytes(32)).unseal("a", sealed) is None
    assert sealer.seal("a", payload) != sealed  # a fresh nonce every time


def test_an_entry_sealed_as_a_stream_opens_like_one_sealed_at_once(tmp_path: Path) -> None:
    sealer, parts = Sealer(secrets.token_bytes(32)), [b"x" * 70_000, b"", b"yz" * 3]
    with (tmp_path / "entry").open("wb") as handle:
        writer = sealer.writer("scan-1", handle)
        for part in parts:
            assert writer.write(part) == len(part)
        writer.finish()
    sealed = (tmp_path / "entry").read_bytes()
    assert sealer.unseal("scan-1", sealed) == b"".join(parts) and sealer.unseal("scan-2", sealed) is None
