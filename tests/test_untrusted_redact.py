"""A key written where a *name* goes (a label, an instance key, a Kubernetes name, an env var name,
a file name, an owner, a suppression's fields) is shown as its fingerprint in every output of
every command, and in every line on standard error, never as the value (redact.py)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from untrusted_support import FAILING_FINDINGS, FAILING_TF, SECRET, scan_json, write_tree

from iac_guard.cli import main
from iac_guard.filter.baseline import content_fingerprint
from iac_guard.model import Finding, Location, Unknown
from iac_guard.secrets.detect import _SHORTEST_KEY, fingerprint, redact
from iac_guard.secrets.redact import RedactingStream, redacted
from iac_guard.secrets.vocabulary import vocabulary

#: One format-valid fake key per position, each built from its own repeated unit, so a test can
#: tell which position's fingerprint an output shows.
KEYS = {
    "resource label": "sk-proj-" + "La7Bc2Dx" * 4,
    "for_each key": "sk-proj-" + "Fe4Gh8Jk" * 4,
    "plan instance key": "sk-proj-" + "Pi3Qr6St" * 4,
    "kubernetes name": "hf_" + "Kn5Mp2Vw" * 5,
    "kubernetes namespace": "hf_" + "Ns8Tb3Yc" * 5,
    "env var name": "sk-ant-api03-" + "Ev6Wq1Zr" * 4,
    "file name": "sk-proj-" + "Fn2Hs7Ld" * 4,
    "folder name": "sk-proj-" + "Fo9Rx4Mt" * 4,
    "owner tag value": "AIza" + "Ow3Kd8Pq" * 4 + "abc",
    "suppression owner": "sk-proj-" + "So5Vn1Bg" * 4,
    "suppression policy id": "AKIA" + "SP2X7Q4R8M3N6K51",
}
PUBLIC_PREFIX = {"sk-proj-": 8, "hf_": 3, "sk-ant-": 7, "AIza": 4, "AKIA": 4}
LITERAL = "sk-proj-" + "Vl8Mn3Qx" * 4  # the env var's value: a hardcoded key, fingerprinted as ever


def shown_as(key: str) -> str:
    prefix = next(length for start, length in PUBLIC_PREFIX.items() if key.startswith(start))
    return fingerprint(key, prefix)


def _secret(label: str, extra: str = "") -> str:
    return f'resource "aws_secretsmanager_secret" "{label}" {{\n  name = "openai-api-key"{extra}\n}}\n'


def _plan(index: str) -> str:
    resource = {
        "address": f'aws_secretsmanager_secret.planned["{index}"]', "mode": "managed",
        "type": "aws_secretsmanager_secret", "name": "planned", "index": index,
        "provider_name": "registry.terraform.io/hashicorp/aws", "values": {"name": "openai-api-key"},
    }
    return json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {"resources": [resource]}}})


TREE = {
    "tf/label.tf": _secret(KEYS["resource label"]),
    "tf/each.tf": _secret("each", f'\n  for_each = toset(["{KEYS["for_each key"]}"])'),
    "tf/owner.tf": _secret("owned", f'\n  tags = {{ owner = "{KEYS["owner tag value"]}" }}'),
    "tf/suppressed.tf": f'# iac-guard:ignore IAG002 reason="migrating" owner={KEYS["suppression owner"]}\n' + _secret("suppressed"),
    "tf/unknown_id.tf": f'# iac-guard:ignore {KEYS["suppression policy id"]} reason="typo"\n' + _secret("unknown_id"),
    f"tf/{KEYS['file name']}.tf": _secret("in_named_file"),
    f"{KEYS['folder name']}/main.tf": _secret("in_named_folder"),
    "plan/plan.json": _plan(KEYS["plan instance key"]),
    "k8s/objects.yaml": f"""apiVersion: v1
kind: Secret
metadata: {{name: {KEYS['kubernetes name']}, namespace: ml}}
stringData: {{OPENAI_API_KEY: "${{OPENAI_API_KEY}}"}}
---
apiVersion: v1
kind: Secret
metadata: {{name: openai, namespace: {KEYS['kubernetes namespace']}}}
stringData: {{OPENAI_API_KEY: "${{OPENAI_API_KEY}}"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: chat, namespace: ml}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app
          env:
            - {{name: {KEYS['env var name']}, value: "{LITERAL}"}}
""",
}

#: Where each output shows a position at all (what main printed raw before redaction): every
#: position but these. A finding never names an owner that is there; JUnit, GitHub annotations,
#: text and CSV do not print a suppression's owner; the inventory lists no suppressions; the
#: baseline records only failing findings, and no message.
NOT_SHOWN = {
    # The control report names each finding's owner (as a fingerprint here), the scan's outputs do not.
    "owner tag value": {"scan text", "scan json", "scan sarif", "scan junit", "scan github", "scan gitlab", "scan markdown",
                        "baseline", "merge json", "merge sarif"},
    "suppression owner": {"scan text", "scan junit", "scan github", "scan gitlab", "report csv", "baseline",
                          "inventory table", "inventory json", "inventory csv", "inventory markdown"},
    "suppression policy id": {"baseline", "inventory table", "inventory json", "inventory csv", "inventory markdown"},
    "env var name": {"baseline", "inventory table"},
}
OUTPUTS = (
    *(f"scan {name}" for name in ("text", "json", "sarif", "junit", "github", "gitlab", "markdown")),
    *(f"inventory {name}" for name in ("table", "json", "csv", "markdown")),
    *(f"report {name}" for name in ("html", "markdown", "json", "csv")),
    "baseline", "merge json", "merge sarif",
)
#: Wide enough that no table cell folds a fingerprint onto two lines.
WIDE = {"COLUMNS": "1000", "NO_COLOR": "1"}
EXPECTED_EXIT = {"scan": 1, "inventory": 0, "report": 0, "baseline": 0, "merge": 1}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """(exit code, output, standard error) of every command and format on TREE, run once."""
    work = tmp_path_factory.mktemp("redact")
    source = str(write_tree(work / "src", TREE))
    runner = CliRunner()
    results: dict[str, tuple[int, str, str]] = {}

    def run(name: str, args: list[str], written: Path | None = None) -> None:
        done = runner.invoke(main, [*args, "--no-cache"] if args[0] != "merge" else args, env=WIDE)
        text = written.read_text(encoding="utf-8") if written is not None else done.stdout
        results[name] = (done.exit_code, text, done.stderr)

    for name in ("text", "json", "sarif", "junit", "github", "gitlab", "markdown"):
        run(f"scan {name}", ["scan", source, "-f", name])
    for name in ("table", "json", "csv", "markdown"):
        run(f"inventory {name}", ["inventory", source, "-f", name])
    for name in ("html", "markdown", "json", "csv"):
        run(f"report {name}", ["report", source, "-f", name])
    run("baseline", ["baseline", "create", source, "-o", str(work / "baseline.json")], work / "baseline.json")
    for kind in ("json", "sarif"):
        shards = [work / f"shard{i}.{kind}" for i in (1, 2)]
        for index, shard in enumerate(shards, 1):
            runner.invoke(main, ["scan", source, "--no-cache", "--shard", f"{index}/2", "-f", f"{kind}={shard}"])
        run(f"merge {kind}", ["merge", *map(str, shards), "--root", source])
    return results


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("position", KEYS)
def test_a_key_in_a_name_is_shown_only_as_its_fingerprint(
    outputs: dict[str, tuple[int, str, str]], position: str, output: str
) -> None:
    exit_code, text, stderr = outputs[output]
    key = KEYS[position]
    assert exit_code == EXPECTED_EXIT[output.split()[0]], stderr
    assert key not in text and key not in stderr
    assert key[-12:] not in text and key[-12:] not in stderr  # not even a tail of it
    shown = output not in NOT_SHOWN.get(position, set())
    assert any(form in text for form in _written_forms(shown_as(key))) is shown


def _written_forms(shown: str) -> tuple[str, ...]:
    """A fingerprint as formats write it: as is, in a SARIF URI, in a GitHub annotation property."""
    return shown, quote(shown), shown.replace(",", "%2C").replace(":", "%3A")


@pytest.mark.parametrize("output", [o for o in OUTPUTS if o.startswith(("scan", "merge"))])
def test_the_findings_on_keyed_names_are_still_found(outputs: dict[str, tuple[int, str, str]], output: str) -> None:
    """Redaction renames, it does not drop: the hardcoded literal and every unowned secret fail."""
    _, text, _ = outputs[output]
    assert shown_as(LITERAL) in text
    if output in ("scan json", "merge json"):
        resources = {(f["policy_id"], f["resource"]) for f in json.loads(text)["findings"] if not f["suppressed"]}
        assert ("IAG001", f"aws_secretsmanager_secret.{shown_as(KEYS['resource label'])}") in resources
        assert ("IAG001", f'aws_secretsmanager_secret.each["{shown_as(KEYS["for_each key"])}"]') in resources
        assert ("IAG001", f'aws_secretsmanager_secret.planned["{shown_as(KEYS["plan instance key"])}"]') in resources
        assert ("IAG001", f"Secret/ml/{shown_as(KEYS['kubernetes name'])}") in resources
        assert ("IAG001", f"Secret/{shown_as(KEYS['kubernetes namespace'])}/openai") in resources
        assert ("IAG900", "aws_secretsmanager_secret.unknown_id") in resources
        assert ("IAG001", "aws_secretsmanager_secret.owned") not in resources


def test_a_baseline_of_keyed_names_matches_them_again(tmp_path: Path) -> None:
    """The baseline stores fingerprints, and a scan against it finds every finding unchanged."""
    source = write_tree(tmp_path / "src", {k: v for k, v in TREE.items() if not k.startswith("k8s/")})
    baseline = tmp_path / "baseline.json"
    created = CliRunner().invoke(main, ["baseline", "create", str(source), "--no-cache", "-o", str(baseline)])
    assert created.exit_code == 0, created.stderr
    stored = baseline.read_text(encoding="utf-8")
    assert all(key not in stored for key in KEYS.values())
    done = CliRunner().invoke(main, ["scan", str(source), "--no-cache", "--baseline", str(baseline), "-f", "json"])
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    states = {(f["resource"], f.get("baseline_state"), (f["suppression"] or {}).get("source")) for f in report["findings"]}
    assert {state for _, state, source in states if source != "comment"} == {"unchanged"}
    assert {state for _, state, source in states if source == "comment"} == {None}  # excused inline: never recorded
    assert {resource for resource, state, _ in states if state == "unchanged"} >= {
        f"aws_secretsmanager_secret.{shown_as(KEYS['resource label'])}",
        f'aws_secretsmanager_secret.each["{shown_as(KEYS["for_each key"])}"]',
        f'aws_secretsmanager_secret.planned["{shown_as(KEYS["plan instance key"])}"]',
        "aws_secretsmanager_secret.in_named_file", "aws_secretsmanager_secret.in_named_folder",
    }
    assert report["baseline"]["fixed"] == []


def test_a_finding_without_a_key_keeps_its_baseline_fingerprint() -> None:
    """Redaction changes no fingerprint of an ordinary finding: existing baselines stay valid."""
    finding = Finding("IAG001", "missing-owner", "high", "t", "m", "aws_iam_access_key.ci", "tf/main.tf", 3, 3, {})
    assert content_fingerprint(finding) == "29f8ee21292636d3def52f8455ec4b9b"  # as before redaction


# --- standard error -------------------------------------------------------------------------------


def test_an_error_in_a_keyed_file_names_its_fingerprint(tmp_path: Path) -> None:
    key = KEYS["file name"]
    source = write_tree(tmp_path / "src", {f"{key}/broken.tf": 'resource "x" {\n', "ok.tf": FAILING_TF})
    for output_format in ("text", "json", "sarif"):
        done = CliRunner().invoke(main, ["scan", str(source), "--no-cache", "-f", output_format], env=WIDE)
        assert done.exit_code == 2
        assert key not in done.stdout and key not in done.stderr
        assert shown_as(key) in done.stdout + done.stderr
        assert SECRET not in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["scan", "{missing}"], id="a path that does not exist (click's usage error)"),
        pytest.param(["scan", "{source}", "--baseline", "{missing}"], id="a baseline that cannot be read"),
        pytest.param(["scan", "{source}", "-f", "json={written}"], id="the 'wrote FILE' line"),
    ],
)
def test_standard_error_lines_show_a_keyed_path_as_its_fingerprint(tmp_path: Path, args: list[str]) -> None:
    key = KEYS["folder name"]
    source = write_tree(tmp_path / "src", {"ok.tf": FAILING_TF})
    (tmp_path / key).mkdir()
    names = {"missing": str(tmp_path / key / "nothing.json"), "source": str(source), "written": str(tmp_path / key / "out.json")}
    done = CliRunner().invoke(main, [arg.format(**names) for arg in args] + ["--no-cache"], env=WIDE)
    assert done.exit_code == (1 if "json={written}" in args[-1] else 2)
    assert key not in done.stderr
    assert shown_as(key) in done.stderr


def test_the_stream_redacts_each_write_and_hides_its_buffer() -> None:
    class Sink:
        encoding = "utf-8"

        def __init__(self) -> None:
            self.written: list[str] = []

        def write(self, text: str) -> int:
            self.written.append(text)
            return len(text)

    sink = Sink()
    stream = RedactingStream(sink)  # type: ignore[arg-type]
    stream.write(f"error: {KEYS['file name']}.tf:1: bad\n")
    assert sink.written == [f"error: {shown_as(KEYS['file name'])}.tf:1: bad\n"]
    assert stream.encoding == "utf-8"
    assert not hasattr(stream, "buffer")  # click then writes text through it, not bytes past it


# --- the bounded process ----------------------------------------------------------------------------


def test_the_gate_process_prints_no_keyed_name_and_still_fails(tmp_path: Path) -> None:
    """The real process, beside the file that must fail: both streams clean, exit 1, bounded."""
    files = {"failing/main.tf": FAILING_TF, **{f"keyed/{name}": text for name, text in TREE.items()}}
    run = scan_json(write_tree(tmp_path, files), env=WIDE)
    run.assert_clean_failure()
    assert run.exit_code == 1
    assert FAILING_FINDINGS <= run.findings()
    for key in (*KEYS.values(), SECRET, LITERAL):
        assert key not in run.stdout and key not in run.stderr
    assert run.seconds < 30 and run.peak_rss < 1024 * 1024 * 1024


def test_a_name_made_of_key_prefixes_is_redacted_in_bounded_time(tmp_path: Path) -> None:
    """Near-misses of every format, packed into one long label, cost no backtracking."""
    near_misses = "sk-proj-sk-ant-hf_AIzaAKIAghp_xoxb-lsv2_pt_" * 4000
    label = near_misses + KEYS["resource label"]
    run = scan_json(write_tree(tmp_path, {"main.tf": _secret(label), "failing/main.tf": FAILING_TF}), "--scope", "all")
    run.assert_clean_failure()
    assert run.exit_code == 1
    assert FAILING_FINDINGS <= run.findings()
    assert KEYS["resource label"] not in run.stdout
    assert run.seconds < 30 and run.peak_rss < 1024 * 1024 * 1024


# --- the pieces ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f'module.x.aws_secret.a["{KEYS["resource label"]}"]', f'module.x.aws_secret.a["{shown_as(KEYS["resource label"])}"]', id="inside an address"),
        pytest.param(f"openai-{KEYS['file name']}.tf", f"openai-{shown_as(KEYS['file name'])}.tf", id="glued to a word"),
        pytest.param(f"{KEYS['kubernetes name']} and {KEYS['suppression policy id']}", f"{shown_as(KEYS['kubernetes name'])} and {shown_as(KEYS['suppression policy id'])}", id="two keys"),
        pytest.param("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", fingerprint("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"), id="a PEM block, to its end"),
    ],
)
def test_redact_replaces_each_key_inside_a_string(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected  # a fingerprint holds no key


@pytest.mark.parametrize("text", ["aws_iam_access_key.ci", 'aws_secretsmanager_secret.each["prod"]', "Secret/ml/openai-api-key", "sk-proj-short", ""])
def test_redact_returns_a_string_without_a_key_itself(text: str) -> None:
    assert redact(text) is text


def test_no_key_format_is_shorter_than_the_length_precheck() -> None:
    """The length pre-check may skip only strings no format can match."""
    import re

    for key_format in vocabulary().key_formats:
        shortest, _ = re._parser.parse(key_format.pattern.pattern).getwidth()  # type: ignore[attr-defined]
        assert shortest >= _SHORTEST_KEY, key_format.detector


def test_redacted_walks_records_containers_paths_and_unknowns() -> None:
    key = KEYS["resource label"]
    location = Location(f"{key}.tf", 1, 2)
    record = {"where": location, f"name {key}": [Path(f"/tmp/{key}"), Unknown(frozenset({f"x.{key}"}))], "n": 3}
    clean = redacted(record)
    fp = shown_as(key)
    assert clean == {"where": Location(f"{fp}.tf", 1, 2), f"name {fp}": [Path(f"/tmp/{fp}"), Unknown(frozenset({f"x.{fp}"}))], "n": 3}
    ordinary = {"where": Location("main.tf", 1, 2), "names": ("a", "b")}
    assert redacted(ordinary) is ordinary


def test_a_shard_report_nested_too_deep_to_redact_is_a_clear_error(tmp_path: Path) -> None:
    """Redacting the merged document walks every value: nesting no iac-guard report has is an
    error (exit 2) naming the cause, not an internal error."""
    source = write_tree(tmp_path / "src", {"main.tf": FAILING_TF})
    shards = [tmp_path / f"shard{i}.json" for i in (1, 2)]
    for index, shard in enumerate(shards, 1):
        CliRunner().invoke(main, ["scan", str(source), "--no-cache", "--shard", f"{index}/2", "-f", f"json={shard}"])
    documents = [json.loads(shard.read_text()) for shard in shards]
    (target, document), = [(shard, d) for shard, d in zip(shards, documents, strict=True) if d["findings"]]
    deep: object = "x"
    for _ in range(900):
        deep = [deep]
    document["findings"][0]["extra"] = deep
    target.write_text(json.dumps(document))
    done = CliRunner().invoke(main, ["merge", *map(str, shards), "--root", str(source)])
    assert done.exit_code == 2
    assert "iac-guard: the reports are not complete iac-guard JSON reports of one version (RecursionError" in done.stderr
    assert "internal error" not in done.stderr
