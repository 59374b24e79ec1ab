"""No output of any format, and no error message, ever contains a secret value."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import write_project

from iac_guard.cli import main
from iac_guard.report import FORMATS

OPENAI = "sk-proj-" + "Qz7Wx3Rt" * 6
ANTHROPIC = "sk-ant-api03-" + "Lp4Mn8Bv" * 6
HUGGING_FACE = "hf_" + "Tg5Yh6Uj" * 5
AWS_KEY_ID = "AKIA" + "Z7Q4X2R8M3N6P5K1"
DB_PASSWORD = "Vq3#mZ8!pL2@xR7$kN5w"
SECRETS = (OPENAI, ANTHROPIC, HUGGING_FACE, AWS_KEY_ID, DB_PASSWORD)

PROJECT = {
    "tf/main.tf": f'''
variable "openai_api_key" {{
  default = "{OPENAI}"
}}
locals {{
  aws_access_key_id = "{AWS_KEY_ID}"
}}
resource "aws_lambda_function" "chat" {{
  function_name = "chat"
  role          = "arn:aws:iam::123456789012:role/chat"
  environment {{
    variables = {{
      ANTHROPIC_API_KEY = "{ANTHROPIC}"
      DB_PASSWORD       = "{DB_PASSWORD}"
    }}
  }}
}}
''',
    "tf/terraform.tfvars": f'hf_token = "{HUGGING_FACE}"\n',
    "tf/variables.tf": 'variable "hf_token" {}\n',
    "k8s/secret.yaml": f'''apiVersion: v1
kind: Secret
metadata:
  name: ai-keys
  namespace: ml
stringData:
  OPENAI_API_KEY: {OPENAI}
data:
  HF_TOKEN: {base64.b64encode(HUGGING_FACE.encode()).decode()}
''',
    # A parse error on a line that holds a secret: the message must not quote it.
    "broken/main.tf": f'api_key = "{ANTHROPIC}" "{OPENAI}"\n',
    "broken/bad.yaml": f"apiVersion: v1\nkind: Secret\nstringData: {{key: {OPENAI}\n",
}


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("scope", ["ai", "all"])
def test_no_format_prints_a_secret(tmp_path: Path, output_format: str, scope: str) -> None:
    write_project(tmp_path, PROJECT)
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "-f", output_format, "--scope", scope])
    assert result.exit_code == 2  # the broken files
    assert "IAG006" in result.output
    assert "sk-proj-…" in result.output  # fingerprints are shown ...
    for secret in SECRETS:
        assert secret not in result.output  # ... values never
        assert secret[8:24] not in result.output


def test_the_output_file_holds_no_secret_either(tmp_path: Path) -> None:
    write_project(tmp_path / "src", PROJECT)
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "src"), "-f", "json", "-o", str(report), "--scope", "all"])
    written = report.read_text()
    for secret in SECRETS:
        assert secret not in written
        assert secret not in result.output


def test_every_format_written_to_files_at_once_holds_no_secret(tmp_path: Path) -> None:
    """The gate's formats (SARIF, JUnit, GitHub annotations, Markdown) and a baseline, with a secret
    also pasted into a suppression reason."""
    project = dict(PROJECT)
    project["tf/suppressed.tf"] = (
        f'# iac-guard:ignore IAG001 reason="old key {OPENAI} was revoked"\n'
        'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-api-key"\n}\n'
    )
    write_project(tmp_path / "src", project)
    outputs = {name: tmp_path / f"report.{name}" for name in FORMATS}
    args = ["scan", str(tmp_path / "src"), "--scope", "all"]
    for name, path in outputs.items():
        args += ["-f", f"{name}={path}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    baseline = tmp_path / "baseline.json"
    CliRunner().invoke(main, ["baseline", "create", str(tmp_path / "src" / "tf"), "--scope", "all", "-o", str(baseline)])
    written = {name: path.read_text() for name, path in outputs.items()} | {"baseline": baseline.read_text()}
    for name, text in {**written, "stdout and stderr": result.output}.items():
        assert "IAG006" in text or name == "stdout and stderr", name
        for secret in SECRETS:
            assert secret not in text, name
            assert secret[8:24] not in text, name


def test_the_scan_result_and_its_cached_answer_hold_no_key_in_any_name(tmp_path: Path) -> None:
    """Redaction is part of the result, not of each format: the records a scan returns, and the
    answer the result cache stores on disk, hold a key written in a name only as its fingerprint.
    (The cache also records the paths it read, to check them again: the key is not in a path here.)"""
    import pickle

    from scanning import settings

    from iac_guard.pipeline.run import load_pack, run_scan

    label = "sk-proj-" + "Nm4Kd7Wq" * 5
    write_project(tmp_path / "src", {
        "main.tf": f'resource "aws_secretsmanager_secret" "{label}" {{\n  name = "openai-api-key"\n}}\n',
    })
    chosen = settings(cache_dir=tmp_path / "cache")
    for _ in ("cold", "warm"):
        result = run_scan([str(tmp_path / "src")], chosen, load_pack(chosen))
        assert {f.policy_id for f in result.findings} == {"IAG001", "IAG002", "IAG003"}
        assert label.encode() not in pickle.dumps(result)
    from iac_guard.pipeline.result_cache import FOLDER

    stored = [path.read_bytes() for path in (tmp_path / "cache" / FOLDER).rglob("*") if path.is_file()]
    assert stored and not any(label.encode() in data for data in stored)
