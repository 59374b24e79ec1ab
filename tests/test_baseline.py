"""Baselines: create, then fail only on new findings; fixed ones reported; lines may move."""

from __future__ import annotations

import json
from pathlib import Path

from gate_support import fixed_today, invoke, keys, scan_json  # noqa: F401 - fixed_today is autouse
from scanning import write_project

from iac_guard.filter.baseline import FORMAT

OPENAI = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
}
'''
COHERE = OPENAI.replace('"openai"', '"cohere"').replace("openai-api-key", "cohere-api-key")
KEY = "sk-proj-" + "Qz7Wx3Rt" * 6
LAMBDA = f'''resource "aws_lambda_function" "chat" {{
  function_name = "chat"
  role          = "arn:aws:iam::123456789012:role/chat"
  environment {{
    variables = {{
      OPENAI_API_KEY = "{KEY}"
      OPENAI_BACKUP_KEY = "{KEY}"
    }}
  }}
}}
'''


def create(root: Path, *paths: object, output: Path | None = None) -> Path:
    output = output or root / ".iac-guard-baseline.json"
    result = invoke("baseline", "create", *(paths or (root,)), "-o", output)
    assert result.exit_code == 0, result.output
    return output


def test_create_records_failing_findings_without_lines(tmp_path: Path) -> None:
    write_project(tmp_path, {"infra/main.tf": OPENAI})
    baseline = create(tmp_path)
    document = json.loads(baseline.read_text())
    assert document["format"] == FORMAT and document["version"] == 1
    assert [(e["policy_id"], e["file"], e["resource"]) for e in document["findings"]] == [
        ("IAG001", "infra/main.tf", "aws_secretsmanager_secret.openai"),
        ("IAG002", "infra/main.tf", "aws_secretsmanager_secret.openai"),
        ("IAG003", "infra/main.tf", "aws_secretsmanager_secret.openai"),
    ]
    assert all(set(e) == {"policy_id", "file", "resource", "fingerprint", "title"} for e in document["findings"])
    assert "\"line\"" not in baseline.read_text()
    assert create(tmp_path).read_text() == baseline.read_text()  # re-created unchanged: no diff


def test_unchanged_findings_pass_and_new_ones_fail(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI})
    baseline = create(tmp_path)
    unchanged = invoke("scan", tmp_path, "--baseline", baseline)
    assert unchanged.exit_code == 0, unchanged.output
    assert "Baseline .iac-guard-baseline.json: 0 new, 3 unchanged, 0 fixed." in unchanged.output

    write_project(tmp_path, {"cohere.tf": COHERE})
    document = scan_json(str(tmp_path), "--baseline", str(baseline))
    assert document["summary"]["exit_code"] == 1
    assert [(f["policy_id"], f["resource"], f["suppressed"], f["baseline_state"]) for f in document["findings"]] == [
        ("IAG001", "aws_secretsmanager_secret.cohere", False, "new"),
        ("IAG002", "aws_secretsmanager_secret.cohere", False, "new"),
        ("IAG003", "aws_secretsmanager_secret.cohere", False, "new"),
        ("IAG001", "aws_secretsmanager_secret.openai", True, "unchanged"),
        ("IAG002", "aws_secretsmanager_secret.openai", True, "unchanged"),
        ("IAG003", "aws_secretsmanager_secret.openai", True, "unchanged"),
    ]
    assert document["findings"][3]["suppression"] == {
        "reason": "recorded in the baseline .iac-guard-baseline.json", "expires": None, "expired": False,
        "source": "baseline", "owner": None,
    }
    assert document["baseline"] == {"file": ".iac-guard-baseline.json", "new": 3, "unchanged": 3, "fixed": []}


def test_findings_that_disappeared_are_reported_fixed(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI, "cohere.tf": COHERE})
    baseline = create(tmp_path)
    (tmp_path / "cohere.tf").unlink()
    write_project(tmp_path, {"main.tf": OPENAI.replace("}\n", '  tags = { owner = "ml-platform" }\n}\n')})
    result = invoke("scan", tmp_path, "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert "Baseline .iac-guard-baseline.json: 0 new, 2 unchanged, 4 fixed." in result.output
    for line in (
        "fixed: IAG001  aws_secretsmanager_secret.cohere  (cohere.tf)",
        "fixed: IAG002  aws_secretsmanager_secret.cohere  (cohere.tf)",
        "fixed: IAG003  aws_secretsmanager_secret.cohere  (cohere.tf)",
        "fixed: IAG001  aws_secretsmanager_secret.openai  (main.tf)",
    ):
        assert line in result.output
    fixed = scan_json(str(tmp_path), "--baseline", str(baseline))["baseline"]["fixed"]
    assert [(e["policy_id"], e["file"]) for e in fixed] == [
        ("IAG001", "cohere.tf"), ("IAG002", "cohere.tf"), ("IAG003", "cohere.tf"), ("IAG001", "main.tf")
    ]


def test_lines_shifted_by_an_edit_are_still_unchanged(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI, "lambda.tf": LAMBDA})
    baseline = create(tmp_path)
    write_project(tmp_path, {
        "main.tf": "# Secrets of the chat service.\n\n\n" + OPENAI,
        "lambda.tf": LAMBDA.replace('  function_name = "chat"\n', '  function_name = "chat"\n  description   = "answers"\n  timeout       = 30\n'),
    })
    document = scan_json(str(tmp_path), "--baseline", str(baseline))
    assert [(f["policy_id"], f["line"], f["baseline_state"]) for f in document["findings"]] == [
        ("IAG006", 8, "unchanged"), ("IAG006", 9, "unchanged"),
        ("IAG001", 4, "unchanged"), ("IAG002", 4, "unchanged"), ("IAG003", 4, "unchanged"),
    ]
    assert document["summary"]["exit_code"] == 0


def test_a_baseline_entry_matches_one_finding_only(tmp_path: Path) -> None:
    write_project(tmp_path, {"lambda.tf": LAMBDA.replace(f'      OPENAI_BACKUP_KEY = "{KEY}"\n', "")})
    baseline = create(tmp_path)
    write_project(tmp_path, {"lambda.tf": LAMBDA})  # the same key pasted a second time
    document = scan_json(str(tmp_path), "--baseline", str(baseline))
    assert [(f["policy_id"], f["line"], f["baseline_state"], f["suppressed"]) for f in document["findings"]] == [
        ("IAG006", 6, "unchanged", True),
        ("IAG006", 7, "new", False),
    ]
    assert document["summary"]["exit_code"] == 1


def test_a_different_hardcoded_value_is_a_new_finding(tmp_path: Path) -> None:
    write_project(tmp_path, {"lambda.tf": LAMBDA})
    baseline = create(tmp_path)
    write_project(tmp_path, {"lambda.tf": LAMBDA.replace(KEY, "sk-proj-" + "Mn4Bv8Cx" * 6, 1)})
    document = scan_json(str(tmp_path), "--baseline", str(baseline))
    assert [f["baseline_state"] for f in document["findings"]] == ["new", "unchanged"]
    assert len(document["baseline"]["fixed"]) == 1


def test_a_scan_of_part_of_the_tree_reports_no_unrelated_fixed(tmp_path: Path) -> None:
    write_project(tmp_path, {"infra/main.tf": OPENAI, "k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: openai, namespace: chat}\n"})
    baseline = create(tmp_path)
    assert len(json.loads(baseline.read_text())["findings"]) == 6
    document = scan_json(str(tmp_path / "infra" / "main.tf"), "--baseline", str(baseline))
    assert document["baseline"] == {"file": ".iac-guard-baseline.json", "new": 0, "unchanged": 3, "fixed": []}
    assert [f["file"] for f in document["findings"]] == ["main.tf"] * 3  # relative to the scanned folder


def test_inline_suppressed_findings_are_not_recorded(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": '# iac-guard:ignore IAG001 reason="team being created" expires=2027-01-31\n' + OPENAI})
    baseline = create(tmp_path)
    assert [e["policy_id"] for e in json.loads(baseline.read_text())["findings"]] == ["IAG002", "IAG003"]


def test_findings_tagged_new_are_exactly_the_ones_counted_new(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI})
    baseline = create(tmp_path)
    suppressed = '# iac-guard:ignore IAG001 reason="team being created" expires=2027-01-31\n'
    write_project(tmp_path, {"cohere.tf": suppressed + COHERE})
    document = scan_json(str(tmp_path), "--baseline", str(baseline))
    assert [(f["policy_id"], f["resource"], f["suppressed"], f.get("baseline_state")) for f in document["findings"]] == [
        ("IAG001", "aws_secretsmanager_secret.cohere", True, None),
        ("IAG002", "aws_secretsmanager_secret.cohere", False, "new"),
        ("IAG003", "aws_secretsmanager_secret.cohere", False, "new"),
        ("IAG001", "aws_secretsmanager_secret.openai", True, "unchanged"),
        ("IAG002", "aws_secretsmanager_secret.openai", True, "unchanged"),
        ("IAG003", "aws_secretsmanager_secret.openai", True, "unchanged"),
    ]
    assert document["baseline"]["new"] == 2 == sum(f.get("baseline_state") == "new" for f in document["findings"])
    results = json.loads(invoke("scan", tmp_path, "--baseline", baseline, "-f", "sarif").stdout)["runs"][0]["results"]
    assert sum(r.get("baselineState") == "new" for r in results) == 2


def test_a_missing_or_malformed_baseline_is_an_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI, "bad.json": "{not json", "other.json": '{"format": "sarif"}'})
    missing = invoke("scan", tmp_path, "--baseline", tmp_path / "nope.json")
    assert missing.exit_code == 2
    assert "nope.json: cannot read the baseline" in missing.output
    malformed = invoke("scan", tmp_path, "--baseline", tmp_path / "bad.json")
    assert malformed.exit_code == 2
    assert "bad.json: not a baseline file (not valid JSON" in malformed.output
    other = invoke("scan", tmp_path, "--baseline", tmp_path / "other.json")
    assert other.exit_code == 2
    assert "other.json: not an iac-guard baseline" in other.output


def test_create_does_not_write_a_baseline_of_an_incomplete_scan(tmp_path: Path) -> None:
    write_project(tmp_path, {"main.tf": OPENAI, "broken.tf": 'resource "x" "y" {\n  name = \n'})
    output = tmp_path / "baseline.json"
    result = invoke("baseline", "create", tmp_path, "-o", output)
    assert result.exit_code == 2
    assert f"{output} not written: 1 file(s) could not be read" in result.output
    assert not output.exists()


def test_baseline_entries_are_relative_to_the_baseline_file(tmp_path: Path) -> None:
    write_project(tmp_path, {"repo/infra/main.tf": OPENAI})
    baseline = create(tmp_path, tmp_path / "repo" / "infra", output=tmp_path / "repo" / "baseline.json")
    assert {e["file"] for e in json.loads(baseline.read_text())["findings"]} == {"infra/main.tf"}
    assert keys(scan_json(str(tmp_path / "repo"), "--baseline", str(baseline))) == [
        ("IAG001", "aws_secretsmanager_secret.openai", "infra/main.tf", 1, True),
        ("IAG002", "aws_secretsmanager_secret.openai", "infra/main.tf", 1, True),
        ("IAG003", "aws_secretsmanager_secret.openai", "infra/main.tf", 1, True),
    ]
