"""The load stage's process pool and parse cache: same bytes out as a serial, uncached scan, and
a cache that is ignored — never trusted — when it is damaged, foreign or planted."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import FIXTURES, scan_path, write_project

from iac_guard.cli import main
from iac_guard.load import loader as loading
from iac_guard.load import parse_cache as cache_module
from iac_guard.load.loader import FileLoader, LoadOptions
from iac_guard.load.parse_cache import entry_name
from iac_guard.load.parsing import KUBERNETES, TERRAFORM, parse_file
from iac_guard.model import ScanError
from iac_guard.report.json_report import render
from iac_guard.support.sealing import MAGIC, NONCE_BYTES, TAG_BYTES
from iac_guard.support.store import FORMAT, Cache
from iac_guard.terraform.syntax import grammar

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate_corpus import generate  # noqa: E402

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small monorepo from the benchmark's generator, plus every fixture project."""
    root = tmp_path_factory.mktemp("corpus")
    generate(root / "generated", 120, seed=3)
    for name in ("projects", "terraform", "kubernetes", "gate"):
        _copy(FIXTURES / name, root / name)
    return root


def _copy(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())


@pytest.fixture
def pool_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool for any amount of work, so small test trees exercise it."""
    monkeypatch.setattr(loading, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(loading, "PARALLEL_MIN_BYTES", 1)


def _json(root: Path, **overrides: object) -> str:
    return render(scan_path(root, scope="all", **overrides))


def test_parallel_and_cached_scans_are_byte_identical_to_a_serial_one(corpus: Path, tmp_path: Path, pool_always: None) -> None:
    serial = _json(corpus, jobs=1)
    assert json.loads(serial)["summary"]["credentials"] > 100
    assert _json(corpus, jobs=2) == serial
    assert _json(corpus, jobs=2, cache_dir=tmp_path / "cache") == serial  # cold: writes entries
    assert _json(corpus, jobs=1, cache_dir=tmp_path / "cache") == serial  # warm: reads them


def test_a_warm_cache_parses_nothing(corpus: Path, tmp_path: Path) -> None:
    files = [(TERRAFORM, p, p.relative_to(corpus).as_posix()) for p in corpus.rglob("*.tf")]
    files += [(KUBERNETES, p, p.relative_to(corpus).as_posix()) for p in corpus.rglob("*.yaml")]
    cold = FileLoader(LoadOptions(cache_dir=tmp_path))
    cold.preload(files)
    warm = FileLoader(LoadOptions(cache_dir=tmp_path))
    warm.preload(files)
    assert (cold.parsed, cold.cache_hits) == (len(files), 0)
    assert (warm.parsed, warm.cache_hits) == (0, len(files))
    for kind, path, rel in files:
        assert warm.result(kind, path, rel) == cold.result(kind, path, rel)


def test_a_changed_or_moved_file_misses(tmp_path: Path) -> None:
    assert entry_name(TERRAFORM, "a/main.tf", b"x = 1\n") != entry_name(TERRAFORM, "a/main.tf", b"x = 2\n")
    assert entry_name(TERRAFORM, "a/main.tf", b"x = 1\n") != entry_name(TERRAFORM, "b/main.tf", b"x = 1\n")
    assert entry_name(TERRAFORM, "a.yaml", b"x: 1\n") != entry_name(KUBERNETES, "a.yaml", b"x: 1\n")


def _one_entry(tmp_path: Path) -> tuple[Path, Path, str]:
    project = write_project(tmp_path / "project", {"main.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'})
    folder = tmp_path / "cache"
    loader = FileLoader(LoadOptions(cache_dir=folder))
    loader.terraform(project / "main.tf", "main.tf")
    name = entry_name(TERRAFORM, "main.tf", (project / "main.tf").read_bytes())
    assert _row(folder, name) is not None
    return project, folder, name


def _row(folder: Path, name: str) -> bytes | None:
    with sqlite3.connect(folder / f"{FORMAT}.sqlite3") as database:
        found = database.execute("SELECT data FROM entries WHERE name = ?", (name,)).fetchone()
    return found[0] if found else None


def _write_row(folder: Path, name: str, data: bytes) -> None:
    with sqlite3.connect(folder / f"{FORMAT}.sqlite3") as database:
        database.execute("INSERT OR REPLACE INTO entries (name, data) VALUES (?, ?)", (name, data))


def _reload(project: Path, folder: Path) -> tuple[object, FileLoader]:
    loader = FileLoader(LoadOptions(cache_dir=folder))
    return loader.terraform(project / "main.tf", "main.tf"), loader


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated (a crash mid-write elsewhere)
        lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),  # one bit of the payload flipped
        lambda data: b"",  # empty
        lambda data: b"garbage" * 10,  # not ours at all
        lambda data: MAGIC + bytes(NONCE_BYTES) + pickle.dumps(ScanError("main.tf", "planted")) + bytes(TAG_BYTES),  # not sealed
    ],
)
def test_a_damaged_entry_is_a_miss_and_the_file_is_parsed_again(tmp_path: Path, damage) -> None:
    project, folder, name = _one_entry(tmp_path)
    _write_row(folder, name, damage(_row(folder, name)))
    parsed, loader = _reload(project, folder)
    assert not isinstance(parsed, ScanError) and parsed.body.blocks[0].labels == ("aws_iam_user", "ci")
    assert (loader.cache_hits, loader.parsed) == (0, 1)


def test_an_entry_moved_to_another_name_is_refused(tmp_path: Path) -> None:
    """The seal covers the entry's name: a valid entry copied over another file's is a miss."""
    project, folder, name = _one_entry(tmp_path)
    other = write_project(tmp_path / "other", {"main.tf": 'resource "aws_iam_role" "x" {\n}\n'})
    _write_row(folder, entry_name(TERRAFORM, "main.tf", (other / "main.tf").read_bytes()), _row(folder, name))
    parsed = FileLoader(LoadOptions(cache_dir=folder)).terraform(other / "main.tf", "main.tf")
    assert parsed.body.blocks[0].labels == ("aws_iam_role", "x")


def test_even_a_correctly_signed_entry_cannot_build_anything_but_parse_records(tmp_path: Path) -> None:
    """Defence in depth behind the seal: the unpickler only builds our record classes."""
    project, folder, name = _one_entry(tmp_path)
    payload = pickle.dumps(os.system)  # what an attacker holding the key would try
    _write_row(folder, name, Cache.open(folder).sealer.seal(name, payload))
    assert Cache.open(folder).get(name) == payload  # seal valid ...
    with pytest.raises(pickle.UnpicklingError):
        cache_module.loads(payload)  # ... and still refused
    parsed, loader = _reload(project, folder)
    assert parsed.body.blocks[0].labels == ("aws_iam_user", "ci") and loader.parsed == 1


def test_concurrent_scans_sharing_a_cache_agree(corpus: Path, tmp_path: Path) -> None:
    """Two processes filling one empty cache at once: whole entries or none, same results."""
    folder = tmp_path / "shared-cache"
    command = [sys.executable, "-m", "iac_guard", "scan", str(corpus / "generated"), "-f", "json", "--cache-dir", str(folder)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [1, 1], [err for _, err in outputs]
    assert outputs[0][0] == outputs[1][0]
    again = subprocess.run(command, capture_output=True, timeout=120)
    assert again.stdout == outputs[0][0]


def test_a_damaged_database_is_set_aside(tmp_path: Path) -> None:
    project, folder, _ = _one_entry(tmp_path)
    for leftover in folder.glob(f"{FORMAT}.sqlite3*"):
        leftover.unlink()
    (folder / f"{FORMAT}.sqlite3").write_bytes(b"this is not a database" * 100)
    parsed, loader = _reload(project, folder)
    assert parsed.body.blocks[0].labels == ("aws_iam_user", "ci") and loader.parsed == 1
    assert list(folder.glob(f"{FORMAT}.sqlite3.damaged-*"))
    assert _reload(project, folder)[1].cache_hits == 1  # the new database works


def test_no_cache_reads_and_writes_nothing(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"main.tf": 'resource "aws_iam_user" "ci" {}\n'})
    folder = tmp_path / "cache"
    result = CliRunner().invoke(main, ["scan", str(project), "--no-cache", "--cache-dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert not folder.exists()


def test_a_cache_folder_inside_the_scanned_tree_is_refused(tmp_path: Path) -> None:
    """Files under review must never act as cached parse results."""
    project = write_project(tmp_path, {"main.tf": 'resource "aws_iam_user" "ci" {}\n'})
    result = CliRunner().invoke(main, ["scan", str(project), "--cache-dir", str(project / ".iac-guard-cache")])
    assert result.exit_code == 0
    assert "not using the cache folder" in result.stderr
    assert not (project / ".iac-guard-cache").exists()


def test_parser_tables_that_are_tampered_with_are_derived_again() -> None:
    derived = grammar.load_parser(None)
    assert derived is not None
    assert grammar.load_parser(derived) is None  # usable tables are used as given
    assert grammar.load_parser(derived[:-10] + b"0123456789") is not None
    assert grammar.load_parser(pickle.dumps(Path("planted"))) is not None  # tables are plain data only
    assert grammar.hcl_parser().parse('a = "b"\n').children


_WARM_AND_PARSE = (
    "import sys; from pathlib import Path; from iac_guard.support.store import Cache;"
    " from iac_guard.load.parse_cache import warm_parser; from iac_guard.terraform.syntax.grammar import hcl_parser;"
    " warm_parser(Cache.open(Path(sys.argv[1]))); print(len(hcl_parser().parse('a = \"b\"\\n').children))"
)


def test_the_cache_keeps_the_parser_tables_and_ignores_a_tampered_entry(tmp_path: Path) -> None:
    folder, name = tmp_path / "cache", grammar.tables_name()
    assert name is not None
    first = subprocess.run([sys.executable, "-c", _WARM_AND_PARSE, str(folder)], capture_output=True, text=True, timeout=120)
    stored = _row(folder, name)
    assert first.stdout.strip() == "1" and stored is not None
    _write_row(folder, name, stored[:-10] + b"0123456789")
    again = subprocess.run([sys.executable, "-c", _WARM_AND_PARSE, str(folder)], capture_output=True, text=True, timeout=120)
    assert again.stdout.strip() == "1", again.stderr
    assert _row(folder, name) != stored[:-10] + b"0123456789"  # derived again and kept


def _twelve_modules(tmp_path: Path) -> tuple[dict[str, str], list[tuple[str, Path, str]]]:
    files = {f"m{i}/main.tf": f'resource "aws_iam_user" "u{i}" {{\n  name = "u{i}"\n}}\n' for i in range(12)}
    project = write_project(tmp_path, files)
    return files, [(TERRAFORM, project / name, name) for name in files]


def test_a_worker_that_dies_does_not_lose_the_scan(tmp_path: Path, pool_always: None) -> None:
    files, jobs = _twelve_modules(tmp_path)
    parent = os.getpid()

    def dying(kind: str, rel: str, data: bytes) -> object:  # a native crash in a parser, as the pool sees it
        if rel == "m3/main.tf" and os.getpid() != parent:
            os._exit(70)
        return parse_file(kind, rel, data)

    loader = FileLoader(LoadOptions(jobs=2), parse=dying)  # forked workers inherit it
    loader.preload(jobs)
    assert loader.workers == 2
    assert sorted(loader.terraform(p, rel).body.blocks[0].labels[1] for _, p, rel in jobs) == sorted(f"u{i}" for i in range(12))


class ParserBug(Exception):
    """A bug in the parsing code, as opposed to the OS refusing a pool."""


def test_a_bug_in_a_worker_surfaces_instead_of_a_silent_serial_parse(tmp_path: Path, pool_always: None) -> None:
    _, jobs = _twelve_modules(tmp_path)
    parent = os.getpid()

    def buggy(kind: str, rel: str, data: bytes) -> object:
        if os.getpid() != parent:
            raise ParserBug(rel)
        return parse_file(kind, rel, data)

    with pytest.raises(ParserBug):
        FileLoader(LoadOptions(jobs=2), parse=buggy).preload(jobs)


def test_small_scans_stay_in_process(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"main.tf": 'resource "aws_iam_user" "ci" {}\n'})
    loader = FileLoader(LoadOptions(jobs=4))
    loader.preload([(TERRAFORM, project / "main.tf", "main.tf")])
    assert loader.workers == 0


def test_max_file_bytes_from_the_config_file(tmp_path: Path) -> None:
    project = write_project(tmp_path, {
        ".iac-guard.yaml": "max_file_bytes: 64\n",
        "big.tf": 'resource "aws_iam_user" "ci" {\n  name = "' + "x" * 100 + '"\n}\n',
        "small.tf": 'resource "aws_iam_user" "ok" {}\n',
    })
    result = CliRunner().invoke(main, ["scan", str(project), "--no-cache", "-f", "json"])
    assert result.exit_code == 2
    size = (project / "big.tf").stat().st_size
    errors = json.loads(result.stdout)["errors"]
    assert errors == [{"file": "big.tf", "line": None, "column": None,
                       "message": f"file is larger than max_file_bytes ({size} > 64 bytes): not read; raise max_file_bytes in .iac-guard.yaml to scan it"}]


def test_the_builtin_pack_passes_its_schema() -> None:
    """Scans skip the schema for the built-in pack (start-up time); this test is what checks it."""
    from iac_guard.policy.loader import builtin_policy_dir, policy_files, schema_problems

    files = policy_files([builtin_policy_dir()])
    assert len(files) == 12 and [problem for path in files for problem in schema_problems(path)] == []


def test_a_plain_scan_imports_neither_rich_nor_jsonschema_nor_cryptography(tmp_path: Path) -> None:
    """Each costs start-up time a pre-commit hook feels; cryptography only a scan using the cache needs."""
    project = write_project(tmp_path, {"main.tf": 'resource "aws_iam_user" "ci" {}\n'})
    code = (
        "import sys\nfrom iac_guard.cli import main\n"
        f"try:\n    main(['scan', {str(project)!r}, '--no-cache', '-f', 'json'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('rich', 'jsonschema', 'cryptography') if m in sys.modules), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.stderr.strip().splitlines()[-1] == "[]", run.stderr
