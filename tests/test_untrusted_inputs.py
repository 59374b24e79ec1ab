"""Untrusted input, the inputs and the process: nothing to scan is an error, standard input is
bounded and read as the kind it is, and a report that cannot be delivered, an interrupt or a
killed parent never looks like a clean scan.

Each case was observed to exit 0 ("No failing findings"), leave workers running, or print a
traceback before; each now has the exact exit code it must have.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from untrusted_support import FAILING_FINDINGS, FAILING_TF, SECRET, run_cli, scan_json, write_tree

K8S_SECRET = f"""apiVersion: v1
kind: Secret
metadata:
  name: openai-api-key
  namespace: chat
stringData:
  OPENAI_API_KEY: {SECRET}
"""


def errors(run) -> list[tuple[str, str]]:
    return [(e["file"], e["message"]) for e in run.report["errors"]]


# --- nothing to scan --------------------------------------------------------------------------


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    run = scan_json(tmp_path)
    assert run.exit_code == 2
    [(file, message)] = errors(run)
    assert file == str(tmp_path)
    assert message.startswith("nothing to scan: no Terraform (.tf, .tf.json, .tfvars), Kubernetes YAML")
    assert f"error: {tmp_path}: nothing to scan" in run.stderr


def test_a_folder_of_files_no_scanner_reads_is_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"README.md": "# infra\n", "app/main.py": "print('hi')\n", "data.json": '{"a": 1}\n'})
    run = scan_json(tmp_path)
    assert run.exit_code == 2
    assert [file for file, _ in errors(run)] == [str(tmp_path)]
    assert run.report["summary"]["files_scanned"] == 0


def test_a_folder_the_config_excludes_whole_is_an_error_that_says_so(tmp_path: Path) -> None:
    write_tree(tmp_path, {".iac-guard.yaml": 'exclude: ["**"]\n', "prod/main.tf": FAILING_TF})
    run = scan_json(tmp_path)
    assert run.exit_code == 2
    [(_, message)] = errors(run)
    assert "(1 path(s) left out by the config's exclude patterns)" in message
    assert run.findings() == set()


def test_a_named_json_file_that_is_not_a_plan_is_an_error_and_the_rest_is_judged(tmp_path: Path) -> None:
    write_tree(tmp_path, {"infra/main.tf": FAILING_TF, "infra/outputs.json": '{"format_version": "1.0"}\n'})
    run = scan_json(tmp_path / "infra" / "main.tf", str(tmp_path / "infra" / "outputs.json"))
    assert run.exit_code == 2
    [(file, message)] = errors(run)
    assert file == "outputs.json"
    assert message.startswith("a JSON file that is not a Terraform plan")
    assert run.findings() == FAILING_FINDINGS


@pytest.mark.parametrize("name", ["README.md", "main.py", "Makefile"])
def test_a_named_file_of_no_scanned_kind_is_an_error(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, {name: "text\n"})
    run = scan_json(tmp_path / name)
    assert run.exit_code == 2
    assert errors(run) == [(name, (
        "not a file iac-guard scans; expected Terraform (.tf, .tf.json, .tfvars), Kubernetes YAML (.yaml, .yml), "
        "a Terraform plan JSON (terraform show -json), a Dockerfile or Containerfile, a Compose file, a .env file "
        "or a Jupyter notebook (.ipynb)"
    ))]


@pytest.mark.parametrize("name", ["prod.tfvars", "prod.tfvars.json", ".iac-guard.yaml"])
def test_files_a_scan_reads_but_does_not_judge_alone_are_no_error(tmp_path: Path, name: str) -> None:
    """pre-commit passes a changed var file or config file on its own: nothing failed to scan."""
    write_tree(tmp_path, {"main.tf": FAILING_TF, name: "{}\n" if name.endswith(".json") else "# nothing\n"})
    run = scan_json(tmp_path / name)
    assert (run.exit_code, run.report["errors"]) == ((1, []) if name.endswith(("tfvars", ".tfvars.json")) else (0, []))


def test_a_named_file_the_config_excludes_is_skipped_without_an_error(tmp_path: Path) -> None:
    """pre-commit passes the changed files; one the config leaves out is not a failure."""
    write_tree(tmp_path, {".iac-guard.yaml": 'exclude: ["generated.tf"]\n', "vendor/generated.tf": FAILING_TF})
    run = run_cli(["scan", str(tmp_path / "vendor" / "generated.tf"), "-f", "json", "--no-cache", "-c", str(tmp_path / ".iac-guard.yaml")])
    assert (run.exit_code, run.report["errors"], run.findings()) == (0, [], set())


# --- standard input ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [[], ["--stdin-kind", "terraform"]])
def test_terraform_on_standard_input_is_judged(tmp_path: Path, kind: list[str]) -> None:
    run = run_cli(["scan", "-", "-f", "json", "--no-cache", *kind], cwd=tmp_path, stdin=FAILING_TF.encode())
    assert run.exit_code == 1, run.stderr
    assert run.findings() == FAILING_FINDINGS
    assert {f["file"] for f in run.report["findings"]} == {"<stdin>"}


def test_terraform_json_syntax_on_standard_input_is_judged(tmp_path: Path) -> None:
    document = {"resource": {"aws_secretsmanager_secret": {"openai": {"name": "openai-api-key"}}}}
    run = run_cli(["scan", "-", "-f", "json", "--no-cache"], cwd=tmp_path, stdin=json.dumps(document).encode())
    assert run.exit_code == 1, run.stderr
    assert {(f["policy_id"], f["resource"]) for f in run.report["findings"]} == {
        ("IAG001", "aws_secretsmanager_secret.openai"), ("IAG002", "aws_secretsmanager_secret.openai"),
        ("IAG003", "aws_secretsmanager_secret.openai"),
    }


def test_kubernetes_yaml_on_standard_input_is_still_judged(tmp_path: Path) -> None:
    run = run_cli(["scan", "-", "-f", "json", "--no-cache"], cwd=tmp_path, stdin=K8S_SECRET.encode())
    assert run.exit_code == 1
    assert ("IAG006", "Secret/chat/openai-api-key") in run.findings()


def test_a_plan_on_standard_input_is_judged(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [{
            "address": "aws_secretsmanager_secret.openai", "mode": "managed", "type": "aws_secretsmanager_secret",
            "name": "openai", "values": {"name": "openai-api-key", "tags": {}},
        }]}},
    }
    run = run_cli(["scan", "-", "-f", "json", "--no-cache"], cwd=tmp_path, stdin=json.dumps(plan).encode())
    assert run.exit_code == 1, run.stderr
    assert ("IAG001", "aws_secretsmanager_secret.openai") in run.findings()


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b"", [], "standard input is empty: expected Terraform"),
        (b"Hello from the wrong command\n", [], "standard input holds nothing iac-guard reads: expected Terraform"),
        (b"name: values\nreplicas: 2\n", ["--stdin-kind", "kubernetes"], "<stdin>: standard input holds no Kubernetes object"),
        (b"\xff\xfe\x00r", [], "standard input is not UTF-8 text (invalid byte at offset 0)"),
        (b'resource "a" {', ["--stdin-kind", "terraform"], "<stdin>:1:"),
    ],
)
def test_standard_input_the_scan_cannot_read_is_an_error(tmp_path: Path, data: bytes, kind: list[str], message: str) -> None:
    run = run_cli(["scan", "-", "--no-cache", *kind], cwd=tmp_path, stdin=data)
    assert run.exit_code == 2
    assert message in run.stderr + run.stdout  # a usage error on stderr; a parse error in the report
    run.assert_clean_failure()


def test_standard_input_is_bounded_by_max_file_bytes(tmp_path: Path) -> None:
    """A producer that never stops must not fill memory: the read stops past the limit."""
    write_tree(tmp_path, {".iac-guard.yaml": "max_file_bytes: 100000\n"})
    flood = (K8S_SECRET + "---\n").encode() * 200_000  # ~36 MB
    run = run_cli(["scan", "-", "--no-cache"], cwd=tmp_path, stdin=flood)
    assert run.exit_code == 2
    assert "<stdin>: file is larger than max_file_bytes (at least 100,001 > 100,000 bytes)" in run.stderr
    assert run.peak_rss < 200 * 1024 * 1024


# --- the process ------------------------------------------------------------------------------


def test_a_closed_standard_output_is_exit_2_with_a_message(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": FAILING_TF})
    child = subprocess.run(
        [sys.executable, "-m", "iac_guard", "scan", str(tmp_path), "--no-cache"],
        stdout=None, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert child.returncode == 2
    stderr = child.stderr.decode()
    assert stderr.count("iac-guard: cannot write the report to standard output (standard output is closed)") == 1
    assert "Traceback" not in stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("tree", [{"main.tf": FAILING_TF}, {"main.tf": 'resource "aws_s3_bucket" "logs" {}\n'}])
def test_a_full_disk_on_standard_output_is_exit_2_never_a_clean_or_failing_gate(tmp_path: Path, tree: dict) -> None:
    write_tree(tmp_path, tree)
    with open("/dev/full", "w") as full:
        child = subprocess.run(
            [sys.executable, "-m", "iac_guard", "scan", str(tmp_path), "--no-cache", "-f", "json"],
            stdout=full, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60,
        )
    assert child.returncode == 2
    assert "cannot write the report to standard output (No space left on device)" in child.stderr.decode()
    assert "Traceback" not in child.stderr.decode()


def _workers(pid: int) -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found |= {int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()}
        except OSError:
            pass
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def pool_sized_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough Terraform that the scan parses it in a pool of workers, for long enough to signal."""
    root = tmp_path_factory.mktemp("pool")
    body = "".join(
        f'resource "aws_secretsmanager_secret" "s{i}" {{\n  name = "openai-{i}"\n  tags = {{ owner = "team-{i}" }}\n}}\n'
        for i in range(400)
    )
    write_tree(root, {f"unit{n:02}/main.tf": body for n in range(40)})
    return root


def _scan_with_workers(root: Path) -> tuple[subprocess.Popen, set[int]]:
    child = subprocess.Popen(
        [sys.executable, "-m", "iac_guard", "scan", str(root), "--no-cache", "-j", "2", "-f", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while not workers and time.monotonic() < deadline and child.poll() is None:
        workers = _workers(child.pid)
        time.sleep(0.02)
    if not workers:
        child.kill()
        pytest.fail("the scan started no worker processes")
    return child, workers


def _gone(workers: set[int], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_running(pid) for pid in workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_die_with_a_killed_parent(pool_sized_tree: Path) -> None:
    child, workers = _scan_with_workers(pool_sized_tree)
    child.kill()
    child.wait()
    assert _gone(workers), "workers outlived their parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_exits_130_without_tracebacks_and_takes_the_workers(pool_sized_tree: Path) -> None:
    child, workers = _scan_with_workers(pool_sized_tree)
    for pid in {child.pid, *workers}:  # a terminal signals the whole process group
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            pass
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 130
    assert stderr.decode().strip().splitlines()[-1] == "iac-guard: interrupted"
    assert "Traceback" not in stderr.decode()
    assert _gone(workers)


def test_a_closed_standard_error_loses_only_the_messages(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": FAILING_TF})
    child = subprocess.run(
        [sys.executable, "-m", "iac_guard", "scan", str(tmp_path), "--no-cache", "-f", "json"],
        stdout=subprocess.PIPE, stderr=None, stdin=subprocess.DEVNULL, timeout=60, preexec_fn=lambda: os.close(2),
    )
    assert child.returncode == 1
    assert {(f["policy_id"], f["resource"]) for f in json.loads(child.stdout)["findings"]} == FAILING_FINDINGS
