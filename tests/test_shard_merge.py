"""``scan --shard I/N`` and ``iac-guard merge``: the merged shards say what one scan says,
including sharing that only shows when the shards' inventories are put together."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from scanning import FIXTURES, load_pack, scan_path, settings, write_project

from iac_guard import __version__
from iac_guard.cli import main
from iac_guard.report.json_report import render
from iac_guard.shard.merge import merge_json
from iac_guard.shard.split import shard_of

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate_corpus import generate  # noqa: E402

SECRET_YAML = """apiVersion: v1
kind: Secret
metadata:
  name: openai
  namespace: ml
  labels: {owner: ml-platform}
  annotations:
    iac-guard.io/rotation-period: 30d
    iac-guard.io/expires: "2026-12-01"
stringData:
  OPENAI_API_KEY: placeholder
"""
APP_YAML = """apiVersion: apps/v1
kind: Deployment
metadata: {name: chat, namespace: ml}
spec:
  template:
    spec:
      containers:
        - name: c
          image: x
          env:
            - name: OPENAI_API_KEY
              valueFrom: {secretKeyRef: {name: openai, key: OPENAI_API_KEY}}
"""
TERRAFORM_DEPLOYMENT = """resource "kubernetes_deployment_v1" "batch" {
  metadata {
    name      = "batch"
    namespace = "ml"
  }
  spec {
    template {
      metadata {}
      spec {
        container {
          name  = "c"
          image = "x"
          env {
            name = "OPENAI_API_KEY"
            value_from {
              secret_key_ref {
                name = "openai"
                key  = "OPENAI_API_KEY"
              }
            }
          }
        }
      }
    }
  }
}
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def shard_reports(root: Path, count: int, **overrides: object) -> list[tuple[str, dict]]:
    return [(f"shard{i}.json", json.loads(render(scan_path(root, shard=(i, count), **overrides)))) for i in range(1, count + 1)]


def merged(root: Path, count: int, **overrides: object) -> dict:
    chosen = settings(**overrides)
    return merge_json(shard_reports(root, count, **overrides), load_pack(chosen), chosen, root).document


def as_multiset(findings: list[dict]) -> Counter:
    return Counter(json.dumps(f, sort_keys=True) for f in findings)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("monorepo")
    generate(root / "generated", 150, seed=11)
    for group in ("projects", "terraform", "kubernetes"):
        for path in (FIXTURES / group).rglob("*"):
            if path.is_file() and path.name != ".iac-guard.yaml":
                target = root / group / path.relative_to(FIXTURES / group)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    return root


@pytest.mark.parametrize("count", [1, 3, 5])
def test_merged_shards_say_what_one_scan_says(corpus: Path, count: int) -> None:
    whole = json.loads(render(scan_path(corpus, scope="all")))
    shards = shard_reports(corpus, count, scope="all")
    document = merge_json(shards, load_pack(settings(scope="all")), settings(scope="all"), corpus).document
    assert as_multiset(document["findings"]) == as_multiset(whole["findings"])
    assert document["summary"] == whole["summary"]
    assert document["errors"] == whole["errors"]
    # projects/cross-format binds YAML ServiceAccounts to roles and Secrets to workloads in
    # Terraform: when a manifest and that root module fall in different shards, only the merge
    # sees the grant or the user, and judges the credential again; projects/platform-identities
    # attaches a policy in one root module to a role another declares (issue 14).
    assert document["merged"]["shards"] == count
    assert all(address.startswith(("Secret/", "ServiceAccount/", "aws_iam_role.")) for address in document["merged"]["rejudged"])
    assert (count == 1) == (document["merged"]["rejudged"] == [])


def test_each_shard_judges_only_its_own_units(corpus: Path) -> None:
    for name, report in shard_reports(corpus, 3):
        index = report["shard"]["index"]
        judged = [e for e in report["inventory"]["credentials"] if e["judged"]]
        assert all(shard_of(e["root_module"] or e["file"], 3) == index for e in judged), name
        assert report["summary"]["credentials"] == len(judged)


def test_the_split_is_stable() -> None:
    """Changing the hash would reshuffle every CI matrix: pinned."""
    assert [shard_of("infra", n) for n in (2, 3, 4, 5)] == [2, 2, 4, 5]
    assert [shard_of("k8s/secret.yaml", n) for n in (2, 3, 4, 5)] == [2, 3, 4, 2]


@pytest.fixture
def shared_across_shards(tmp_path: Path) -> Path:
    """A Secret in YAML used by a Deployment in YAML and by a Terraform kubernetes_deployment
    whose root module falls in another shard: only the merge sees both users."""
    root = write_project(tmp_path / "repo", {"k8s/secret.yaml": SECRET_YAML, "k8s/app.yaml": APP_YAML, "infra/main.tf": TERRAFORM_DEPLOYMENT})
    assert shard_of("k8s/secret.yaml", 3) != shard_of("infra", 3)
    return root


def _cli_shards(root: Path, out: Path, count: int, *extra: str) -> list[Path]:
    files = []
    for index in range(1, count + 1):
        target = out / f"shard-{index}.json"
        result = invoke("scan", str(root), "--shard", f"{index}/{count}", "--no-cache", "-f", "json", "-o", str(target), *extra)
        assert result.exit_code in (0, 1), result.output
        files.append(target)
    return files


def test_sharing_across_shards_is_recomputed_by_the_merge(shared_across_shards: Path, tmp_path: Path) -> None:
    root = shared_across_shards
    whole = json.loads(invoke("scan", str(root), "--no-cache", "-f", "json").stdout)
    assert [(f["policy_id"], f["resource"]) for f in whole["findings"]] == [("IAG005", "Secret/ml/openai")]
    files = _cli_shards(root, tmp_path, 3)
    assert all(json.loads(f.read_text())["findings"] == [] for f in files)  # no shard sees both users
    result = invoke("merge", *map(str, files), "--root", str(root))
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["findings"] == whole["findings"]
    assert document["summary"] == whole["summary"]
    assert document["merged"]["rejudged"] == ["Secret/ml/openai"]
    assert "judged again: Secret/ml/openai" in result.stderr


def test_a_finding_the_merge_adds_still_honours_inline_suppressions(shared_across_shards: Path, tmp_path: Path) -> None:
    root = shared_across_shards
    secret = root / "k8s" / "secret.yaml"
    secret.write_text(secret.read_text().replace(
        "    iac-guard.io/rotation-period: 30d\n",
        '    iac-guard.io/rotation-period: 30d\n    iac-guard.io/ignore: "IAG005: batch and chat share one key until 2027; expires=2099-01-01"\n',
    ))
    whole = json.loads(invoke("scan", str(root), "--no-cache", "-f", "json").stdout)
    files = _cli_shards(root, tmp_path, 3)
    result = invoke("merge", *map(str, files), "--root", str(root))
    document = json.loads(result.stdout)
    assert document["findings"] == whole["findings"] and document["findings"][0]["suppressed"] is True
    assert result.exit_code == 0


def test_merge_into_sarif(shared_across_shards: Path, tmp_path: Path) -> None:
    files = _cli_shards(shared_across_shards, tmp_path, 3)
    result = invoke("merge", *map(str, files), "--root", str(shared_across_shards), "-f", "sarif")
    run = json.loads(result.stdout)["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["IAG005"]
    assert run["tool"]["driver"]["name"] == "iac-guard" and result.exit_code == 1


def test_sarif_logs_of_shards_merge_into_one_run(corpus: Path, tmp_path: Path) -> None:
    """SARIF carries no inventory: a plain union, exact when no cluster credential is shared with
    Terraform across shards (as here); otherwise merge the JSON reports into SARIF."""

    def sarif(*extra: str) -> dict:
        result = invoke("scan", str(corpus / "generated"), "--no-cache", "-f", "sarif", "--scope", "all", *extra)
        return json.loads(result.stdout)

    whole = sarif()
    files = []
    for index in (1, 2, 3):
        target = tmp_path / f"{index}.sarif"
        target.write_text(json.dumps(sarif("--shard", f"{index}/3")))
        files.append(str(target))
    result = invoke("merge", *files)
    (run,) = json.loads(result.stdout)["runs"]
    (expected,) = whole["runs"]
    assert as_multiset(run["results"]) == as_multiset(expected["results"])
    assert run["tool"] == expected["tool"] and run["invocations"] == expected["invocations"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda docs: docs[:2], "shard(s) 3 of 3 missing"),
        (lambda docs: [docs[0], docs[0], docs[2]], "shard 1/3 is also in"),
        (lambda docs: [docs[0], docs[1], {**docs[2], "tool": {**docs[2]["tool"], "version": "0.0.1"}}], "different iac-guard versions"),
        (lambda docs: [docs[0], docs[1], {**docs[2], "shard": {**docs[2]["shard"], "count": 4, "index": 4}}], "different shard counts"),
        (lambda docs: [docs[0], docs[1], {"runs": []}], "cannot merge JSON reports with SARIF logs"),
        (lambda docs: [docs[0], docs[1], {"something": "else"}], "neither an iac-guard JSON report nor a SARIF log"),
        (lambda docs: [docs[0], docs[1], {**docs[2], "shard": {**docs[2]["shard"], "judging": {"settings": {"scope": "all"}}}}], "judged with different settings"),
        (lambda docs: [docs[0], docs[1], {**docs[2], "findings": [{"policy_id": "IAG001"}]}], "not complete iac-guard JSON reports"),
    ],
    ids=["missing", "duplicate", "versions", "counts", "kinds", "foreign", "settings", "truncated"],
)
def test_reports_that_cannot_be_merged_exit_2_naming_why(shared_across_shards: Path, tmp_path: Path, mutate, message: str) -> None:
    documents = [json.loads(f.read_text()) for f in _cli_shards(shared_across_shards, tmp_path, 3)]
    files = []
    for index, document in enumerate(mutate(documents)):
        target = tmp_path / f"in-{index}.json"
        target.write_text(json.dumps(document))
        files.append(str(target))
    result = invoke("merge", *files)
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_a_custom_pack_must_be_given_to_merge(shared_across_shards: Path, tmp_path: Path) -> None:
    pack = FIXTURES / "policy-packs" / "acme"
    files = _cli_shards(shared_across_shards, tmp_path, 2, "--policy-dir", str(pack))
    without = invoke("merge", *map(str, files))
    assert without.exit_code == 2 and "pass their pack with --policy-dir" in without.stderr
    with_pack = invoke("merge", *map(str, files), "--policy-dir", str(pack), "--root", str(shared_across_shards))
    assert with_pack.exit_code in (0, 1), with_pack.stderr


@pytest.mark.parametrize("value", ["0/3", "4/3", "a/b", "3", "1/0"])
def test_shard_must_be_i_of_n(tmp_path: Path, value: str) -> None:
    result = invoke("scan", str(tmp_path), "--shard", value)
    assert result.exit_code == 2 and "expected I/N" in result.stderr


def test_errors_of_a_module_several_shards_load_are_reported_once(tmp_path: Path) -> None:
    files = {f"live/r{i}/main.tf": 'module "m" {\n  source = "../../modules/m"\n}\n' for i in range(6)}
    files["modules/m/main.tf"] = 'resource "aws_iam_user" "u" {\n  name = \n'
    root = write_project(tmp_path, files)
    whole = json.loads(render(scan_path(root)))
    document = merge_json(shard_reports(root, 3), load_pack(settings()), settings(), root).document
    assert document["errors"] == whole["errors"] and len(whole["errors"]) == 1
    assert document["summary"]["exit_code"] == 2 and document["summary"]["files_scanned"] == whole["summary"]["files_scanned"]


def test_unsharded_reports_merge_as_a_plain_union(tmp_path: Path) -> None:
    one = write_project(tmp_path / "one", {"main.tf": 'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-api-key"\n}\n'})
    reports = [("a.json", json.loads(render(scan_path(one)))), ("b.json", json.loads(render(scan_path(one))))]
    document = merge_json(reports, load_pack(settings()), settings(), tmp_path).document
    assert len(document["findings"]) == 2 * len(reports[0][1]["findings"])
    assert document["tool"]["version"] == __version__ and "merged" not in document


def test_a_baseline_across_shards(shared_across_shards: Path, tmp_path: Path) -> None:
    """Entries are fixed only if no shard — and no finding the merge adds — matches them."""
    root = shared_across_shards
    baseline = tmp_path / "baseline.json"
    assert invoke("baseline", "create", str(root), "--no-cache", "-o", str(baseline)).exit_code == 0
    stale = json.loads(baseline.read_text())
    stale["findings"].append({**stale["findings"][0], "resource": "Secret/ml/gone", "fingerprint": "0" * 32})
    baseline.write_text(json.dumps(stale))
    whole = json.loads(invoke("scan", str(root), "--no-cache", "-f", "json", "--baseline", str(baseline)).stdout)
    files = _cli_shards(root, tmp_path, 3, "--baseline", str(baseline))
    result = invoke("merge", *map(str, files), "--root", str(root), "--baseline", str(baseline))
    document = json.loads(result.stdout)
    assert document["findings"] == whole["findings"] and document["findings"][0]["baseline_state"] == "unchanged"
    assert document["baseline"] == whole["baseline"]
    assert [entry["resource"] for entry in document["baseline"]["fixed"]] == ["Secret/ml/gone"]
    assert result.exit_code == whole["summary"]["exit_code"] == 0


def test_the_readme_matrix_example_uses_real_options() -> None:
    import re

    import yaml

    text = (Path(__file__).parent.parent / "docs" / "large-repositories.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yml\n(.*?)```", text, flags=re.DOTALL) if "--shard" in b]
    workflow = yaml.safe_load(block)
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    scan_help, merge_help = invoke("scan", "--help").output, invoke("merge", "--help").output
    for command in runs:
        for name, text_help in (("iac-guard scan", scan_help), ("iac-guard merge", merge_help)):
            if name in command:
                for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+|-o)(?![\w-])", command.split(name, 1)[1]):
                    assert option in text_help, (option, command)
    assert workflow["jobs"]["merge"]["needs"] == "scan"


def test_every_shard_decides_the_roots_one_scan_decides(tmp_path: Path) -> None:
    """Calls through zero instances (written, or known only by evaluating a variable), through one
    instance known only by evaluation, a cycle and a chain past the depth limit: merged shards
    judge each folder exactly as one scan does."""
    secret = 'resource "aws_secretsmanager_secret" "openai" {\n  name = "openai-api-key"\n}\n'

    def call(target: str, repeat: str = "") -> str:
        return f'variable "n" {{\n  default = {1 if "one" in target else 0}\n}}\nmodule "x" {{\n  source = "../{target}"\n{repeat}}}\n'

    files = {
        "decoy/main.tf": call("prod", "  count = 0\n"), "prod/main.tf": secret,
        "gate/main.tf": call("gated", "  count = var.n\n"), "gated/main.tf": secret,
        "open/main.tf": call("gated-one", "  count = var.n\n"), "gated-one/main.tf": secret,
        "a/main.tf": call("b"), "b/main.tf": secret + call("a"),
        **{f"c{i:02}/main.tf": call(f"c{i + 1:02}") for i in range(18)}, "c18/main.tf": secret,
    }
    root = write_project(tmp_path, files)
    whole = json.loads(render(scan_path(root)))
    assert whole["summary"]["exit_code"] == 2 and len(whole["errors"]) == 2  # the cycle, the depth
    secret_address = "aws_secretsmanager_secret.openai"
    assert {(f["resource"], f["file"]) for f in whole["findings"]} == {
        (secret_address, "prod/main.tf"), (secret_address, "gated/main.tf"),
        (f"module.x[0].{secret_address}", "gated-one/main.tf"),
        (f"module.x.{secret_address}", "b/main.tf"), (f"module.x.{secret_address}", "c18/main.tf"),
    }
    for count in (2, 3, 5):
        document = merged(root, count)
        assert as_multiset(document["findings"]) == as_multiset(whole["findings"])
        assert document["errors"] == whole["errors"]
