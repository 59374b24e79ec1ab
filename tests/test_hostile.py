"""Hostile input through the whole command line: every case ends with one clear error line naming
the file (and line and column where known), exit code 2 for that file's problem, the rest of the
scan completed, no traceback, and bounded time and memory.

The loaders' own tests (test_kubernetes_loader.py, test_terraform_parse.py) pin the messages of
single files; these run the scan end to end, next to a file that must still be judged.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import write_project

from iac_guard.cli import main

#: A file that must still be judged whatever else is in the tree: an AI secret with no owner,
#: expiry or rotation (IAG001, IAG002, IAG003).
GOOD = """resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
"""
GOOD_FINDINGS = {("IAG001", "good.tf"), ("IAG002", "good.tf"), ("IAG003", "good.tf")}
SECRET = "sk-proj-" + "Zq9xR2vW7tY4uI1oP6aS3dF8gH5jK0lL" * 2
SECONDS = 20  # per scan, generous for a loaded CI runner; typical cases take well under a second


def scan(root: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["scan", str(root), "-f", "json", "--no-cache", *extra], env=env)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"scan took {elapsed:.1f}s"
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout), result.stderr


def findings(report: dict) -> set[tuple[str, str]]:
    return {(f["policy_id"], f["file"]) for f in report["findings"]}


def assert_one_error(root: Path, file: str, message: str, line: int | None = None, column: int | None = None, **kwargs) -> dict:
    """Scans ``root`` (which holds good.tf): exit 2, one error for ``file``, good.tf judged."""
    code, report, stderr = scan(root, **kwargs)
    assert code == 2, report
    assert [(e["file"], e["line"], e["column"]) for e in report["errors"]] == [(file, line, column)], report["errors"]
    assert message in report["errors"][0]["message"], report["errors"][0]
    where = ":".join(str(part) for part in (file, line, column) if part is not None)
    assert f"error: {where}: " in stderr, stderr
    assert GOOD_FINDINGS <= findings(report)
    return report


def tree(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    write_project(tmp_path, {"good.tf": GOOD})
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def peak_memory(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- YAML ---------------------------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    + ["data: *a9", ""]
)


def test_yaml_alias_bomb_stops_quickly_in_bounded_memory(tmp_path: Path) -> None:
    root = tree(tmp_path, {"k8s/bomb.yaml": BILLION_LAUGHS})
    peak = peak_memory(lambda: assert_one_error(root, "k8s/bomb.yaml", "aliases expand to more than", 4, 52))
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MB"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: " + "[" * 5000 + "]" * 5000 + "\n", None, None),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)), None, None),
    ],
    ids=["flow-5000", "block-300"],
)
def test_yaml_deep_nesting_is_an_error_not_a_recursion_crash(tmp_path: Path, text: str, line, column) -> None:
    root = tree(tmp_path, {"deep.yaml": text})
    code, report, _ = scan(root)
    assert code == 2 and [e["file"] for e in report["errors"]] == ["deep.yaml"]
    assert "nest" in report["errors"][0]["message"]
    assert GOOD_FINDINGS <= findings(report)


def test_yaml_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"
        f"stringData:\n  k: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    root = tree(tmp_path, {"evil.yaml": text})
    assert_one_error(root, "evil.yaml", "unsupported tag !!python/object/apply:os.system", 5, 6)
    assert not marker.exists()


def test_unknown_yaml_tag_in_a_kubernetes_object_fails_that_file(tmp_path: Path) -> None:
    root = tree(tmp_path, {"tagged.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata:\n  k: !Ref Something\n"})
    assert_one_error(root, "tagged.yaml", "unsupported tag !Ref", 5, 6)


def test_duplicate_keys_keep_the_last_value_without_error(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dup\n  labels: {owner: a}\n  labels: {team: b}\nstringData:\n  OPENAI_API_KEY: x\n"
    hcl = 'resource "aws_iam_user" "u" {\n  name = "a"\n  name = "b"\n}\n'
    root = tree(tmp_path, {"dup.yaml": text, "dup.tf": hcl})
    code, report, _ = scan(root)
    assert code == 1 and report["errors"] == []
    assert ("IAG001", "dup.yaml") in findings(report)  # the owner label was overwritten


# --- Terraform ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "locals {\n  x = " + "[" * 600 + "]" * 600 + "\n}\n",
        "locals {\n  x = " + "{ a = " * 300 + "1" + " }" * 300 + "\n}\n",
        "".join(f'{"  " * i}block{i} {{\n' for i in range(400)) + "".join(f'{"  " * i}}}\n' for i in reversed(range(400))),
        "locals {\n  x = " + " + ".join(["1"] * 3000) + "\n}\n",
        "locals {\n  x = " + "!" * 2000 + "true\n}\n",
        "locals {\n  x = " + "f(" * 500 + ")" * 500 + "\n}\n",
        'locals {\n  x = "' + "${" * 300 + "1" + "}" * 300 + '"\n}\n',
    ],
    ids=["tuples", "objects", "blocks", "operators", "unary", "calls", "interpolations"],
)
def test_hcl_deep_nesting_is_an_error_not_a_recursion_crash(tmp_path: Path, text: str) -> None:
    root = tree(tmp_path, {"deep/main.tf": text})
    code, report, _ = scan(root)
    assert code == 2 and [e["file"] for e in report["errors"]] == ["deep/main.tf"], report["errors"]
    (error,) = report["errors"]
    assert "nest" in error["message"] or "not expected" in error["message"]
    # Only a chain of thousands of operators (no brackets to count) is caught without its line.
    assert error["line"] is not None or "+" in text
    assert GOOD_FINDINGS <= findings(report)


def test_moderate_nesting_still_parses_and_evaluates(tmp_path: Path) -> None:
    """The bound is far above real configurations: 40 levels of jsonencode'd objects are fine."""
    value = "{ a = " * 40 + '"x"' + " }" * 40
    root = tree(tmp_path, {"ok/main.tf": f'resource "aws_iam_role_policy" "p" {{\n  policy = jsonencode({value})\n}}\n'})
    code, report, _ = scan(root)
    assert report["errors"] == [] and code == 1


def test_50_mb_file_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.tf"
    tree(tmp_path, {})
    with big.open("wb") as handle:
        line = b'  tag = "' + b"x" * 100 + b'"\n'
        handle.write(b"locals {\n" + line * (50 * 2**20 // len(line)) + b"}\n")
    peak = peak_memory(lambda: assert_one_error(tmp_path, "huge.tf", "file is larger than max_file_bytes"))
    assert peak < 100 * 2**20


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        ("bin.tf", b'resource "aws_iam_user" "x" {\n  name = "a\x00b"\n}\n', "binary content (NUL byte)", None),
        ("elf.tf", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "not UTF-8 text", None),
        ("latin1.tf", 'name = "café"\n'.encode("latin-1"), "not UTF-8 text (invalid byte at offset 11)", None),
        ("utf16.tf", "\ufeffname = 1\n".encode("utf-16"), "UTF-16 or UTF-32 text", None),
        ("utf16.yaml", "\ufeffapiVersion: v1\n".encode("utf-16"), "UTF-16 or UTF-32 text", None),
        ("latin1.yaml", "apiVersion: v1\nkind: Secret\ndata: {k: café}\n".encode("latin-1"), "not valid UTF-8 text", 3),
        ("vars.tfvars.json", b'{"a": "caf\xe9"}', "not UTF-8 text", None),
    ],
)
def test_binary_and_badly_encoded_files(tmp_path: Path, name: str, content: bytes, message: str, line: int | None) -> None:
    target = "terraform.tfvars.json" if name == "vars.tfvars.json" else name
    root = tree(tmp_path, {target: content})
    assert_one_error(root, target, message, line)


def test_crlf_line_endings_parse_with_the_same_lines(tmp_path: Path) -> None:
    crlf = tree(tmp_path / "crlf", {"k.yaml": "apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: openai\r\nstringData:\r\n  OPENAI_API_KEY: x\r\n"})
    (crlf / "good.tf").write_bytes(GOOD.replace("\n", "\r\n").encode())
    lf = tree(tmp_path / "lf", {"k.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\nstringData:\n  OPENAI_API_KEY: x\n"})
    (code_crlf, crlf_report, _), (code_lf, lf_report, _) = scan(crlf), scan(lf)
    assert code_crlf == code_lf == 1 and crlf_report["errors"] == []
    assert crlf_report["findings"] == lf_report["findings"]


def test_empty_files_are_not_errors(tmp_path: Path) -> None:
    root = tree(tmp_path, {"empty.tf": "", "empty.yaml": "", "empty/terraform.tfvars": "", "blank.tf": "\n\n   \n"})
    code, report, _ = scan(root)
    assert code == 1 and report["errors"] == [] and findings(report) == GOOD_FINDINGS


def test_unterminated_heredoc_is_a_parse_error_at_end_of_file(tmp_path: Path) -> None:
    root = tree(tmp_path, {"h.tf": 'locals {\n  x = <<EOT\nhello\n'})
    code, report, _ = scan(root)
    assert code == 2 and report["errors"][0]["file"] == "h.tf" and GOOD_FINDINGS <= findings(report)


def test_a_long_value_does_not_make_detection_slow(tmp_path: Path) -> None:
    """Secret detection runs regexes over literal values; a huge crafted value must stay linear."""
    value = ("aA0-_" * 40_000) + "!"
    root = tree(tmp_path, {"long.tf": f'variable "api_key" {{\n  default = "{value}"\n}}\n', "long.yaml": f"apiVersion: v1\nkind: Secret\nmetadata: {{name: x}}\nstringData:\n  token: '{value}'\n"})
    code, report, _ = scan(root)
    assert code == 1 and report["errors"] == []


def test_plan_markers_on_a_file_that_is_not_a_plan(tmp_path: Path) -> None:
    text = '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [{"mode": "managed"}]}}}'
    root = tree(tmp_path, {"plan.json": text})
    assert_one_error(root, "plan.json", "not a plan JSON iac-guard can read")


# --- the file system ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_symlink_loops_and_links_outside_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = write_project(tmp_path / "outside", {"secret.tf": f'variable "k" {{\n  default = "{SECRET}"\n}}\n'})
    root = tree(tmp_path / "root", {})
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root / "sub", target_is_directory=True)
    (root / "outside-dir").symlink_to(outside, target_is_directory=True)
    (root / "outside.tf").symlink_to(outside / "secret.tf")
    (root / "dangling.tf").symlink_to(tmp_path / "nowhere.tf")
    write_project(root, {"mod/main.tf": 'module "m" {\n  source = "../../outside"\n}\nlocals {\n  k = file("../../outside/secret.tf")\n}\n'})
    code, report, stderr = scan(root)
    assert code == 1 and report["errors"] == [] and findings(report) == GOOD_FINDINGS
    assert SECRET[-8:] not in json.dumps(report) + stderr


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes")
    root = tree(tmp_path, {})
    os.mkfifo(root / "pipe.tf")
    assert_one_error(root, "pipe.tf", "not a regular file")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    root = tree(tmp_path, {"locked.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"})
    (root / "locked.yaml").chmod(0)
    try:
        assert_one_error(root, "locked.yaml", "cannot read the file (Permission denied)")
    finally:
        (root / "locked.yaml").chmod(0o600)


def test_a_file_deleted_during_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import iac_guard.pipeline.run as scan_module

    root = tree(tmp_path, {"gone.tf": 'resource "aws_iam_user" "x" {}\n', "gone.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"})
    real = scan_module.discover

    def discover_then_delete(*args, **kwargs):
        sources = real(*args, **kwargs)
        (root / "gone.tf").unlink()
        (root / "gone.yaml").unlink()
        return sources

    monkeypatch.setattr(scan_module, "discover", discover_then_delete)
    code, report, _ = scan(root)
    assert code == 2 and GOOD_FINDINGS <= findings(report)
    assert {(e["file"], e["message"]) for e in report["errors"]} == {
        ("gone.tf", "cannot read the file (No such file or directory)"),
        ("gone.yaml", "cannot read the file (No such file or directory)"),
    }


# --- secrets never in error output --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.tf", f'resource "aws_iam_user" "x" {{\n  key = "{SECRET}" "{SECRET}"\n}}\n'),
        ("bad2.tf", f'locals {{\n  k = {SECRET}\n  = 1\n}}\n'),
        ("bad.tf.json", f'{{"locals": {{"k": "{SECRET}" "x"}}}}'),
        ("terraform.tfvars.json", f'{{"k": "{SECRET}" x}}'),
        ("bad.yaml", f"apiVersion: v1\nkind: Secret\nstringData:\n  k: {SECRET}\n  - {SECRET}\n"),
        ("bad2.yaml", f"apiVersion: v1\nkind: Secret\nstringData: {{k: *{SECRET}}}\n"),
        ("plan.json", f'{{"format_version": "1", "terraform_version": "1", "x": "{SECRET}" "y"}}'),
    ],
)
@pytest.mark.parametrize("output_format", ["json", "text", "sarif", "github", "junit", "markdown"])
def test_a_parse_error_on_a_line_holding_a_secret_never_prints_it(tmp_path: Path, name: str, content: str, output_format: str) -> None:
    root = tree(tmp_path, {name: content})
    result = CliRunner().invoke(main, ["scan", str(root), "-f", output_format, "--no-cache"])
    assert result.exit_code == 2, result.output
    for part in (SECRET, SECRET[8:40], SECRET[-12:]):
        assert part not in result.stdout and part not in result.stderr


# --- malformed config and policy files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("scope: everything\n", 'scope: must be one of "ai", "all" (enum)'),
        ("max_file_bytes: many\n", "max_file_bytes: must be of type integer (type)"),
        ("max_file_bytes: 0\n", "max_file_bytes: must be at least 1 (minimum)"),
        ("cache_dir: /tmp/x\n", "cache_dir: unknown key (known keys here: scope,"),
        ("- scope\n", "(top level): must be of type object (type)"),
        ("scope: [ai\n", ".iac-guard.yaml:2:1: the config file is not valid YAML"),
        ("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}, *{'a' if i == 0 else f'b{i - 1}'}]\n" for i in range(12)),
         "the config file is refused (more than 20000 values once aliases are expanded)"),
        ("exclude:\n  x: " + "[" * 200 + "]" * 200 + "\n", "the config file is"),
    ],
    ids=["enum", "type", "minimum", "not-from-a-repo", "not-a-mapping", "syntax", "alias-bomb", "deep"],
)
def test_a_malformed_config_names_the_file_and_the_field(tmp_path: Path, config: str, expected: str) -> None:
    root = write_project(tmp_path, {".iac-guard.yaml": config, "good.tf": GOOD})
    started = time.monotonic()
    result = CliRunner().invoke(main, ["scan", str(root), "--no-cache"])
    assert time.monotonic() - started < SECONDS
    assert result.exit_code == 2
    assert ".iac-guard.yaml" in result.stderr and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("id: X1\ntitle: t\n", "X1.yaml: (top level): missing required key(s) category, severity, description, remediation (required)"),
        ("id: X1\n" + "".join(f"k{i}: &k{i} [" + ", ".join([f"*k{i - 1}"] * 6 if i else ["1"] * 6) + "]\n" for i in range(10)),
         "the policy file is refused (more than 20000 values once aliases are expanded)"),
        ("\x00\x01binary", "X1.yaml"),
    ],
    ids=["missing-field", "alias-bomb", "binary"],
)
def test_a_malformed_policy_file_names_the_file_and_the_field(tmp_path: Path, policy: str, expected: str) -> None:
    pack = write_project(tmp_path / "pack", {"X1.yaml": policy})
    root = write_project(tmp_path / "root", {"good.tf": GOOD})
    result = CliRunner().invoke(main, ["scan", str(root), "--no-cache", "--policy-dir", str(pack)])
    assert result.exit_code == 2 and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
