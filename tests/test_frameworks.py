"""The control catalogs (policies/frameworks/): complete where the issue asks, citing their
sources, consistent with the policies that map to them, and validated like policies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from iac_guard.policy.frameworks import FrameworkError, builtin_framework_dir, load_frameworks
from iac_guard.policy.loader import builtin_policy_dir, load_policies

FRAMEWORKS = load_frameworks()
PACK = load_policies([builtin_policy_dir()])
POLICY_SCHEMA = json.loads((builtin_policy_dir() / "schema.json").read_text(encoding="utf-8"))

REQUIRED = {
    "owasp-nhi-2025": {
        "NHI1": "Improper Offboarding", "NHI2": "Secret Leakage", "NHI3": "Vulnerable Third-Party NHI",
        "NHI4": "Insecure Authentication", "NHI5": "Overprivileged NHI",
        "NHI6": "Insecure Cloud Deployment Configurations", "NHI7": "Long-Lived Secrets",
        "NHI8": "Environment Isolation", "NHI9": "NHI Reuse", "NHI10": "Human Use of NHI",
    },
    "owasp-agentic-2026": {
        **{f"ASI{n:02d}": None for n in range(1, 11)},
        "ASI02": "Tool Misuse and Exploitation", "ASI03": "Identity and Privilege Abuse",
    },
    "nist-csf-2.0": dict.fromkeys(["PR.AA-01", "PR.AA-03", "PR.AA-05", "ID.AM-02", "ID.AM-08", "GV.RR-02", "PR.PS-01"]),
    "nist-ai-rmf-1.0": dict.fromkeys(["GOVERN 1.6", "GOVERN 1.7", "GOVERN 2.1", "MAP 4.2", "MANAGE 2.4", "MANAGE 3.1"]),
    "cis-v8": {"5.5": "Establish and Maintain an Inventory of Service Accounts", "6.2": None, "6.8": None},
}


def test_the_five_frameworks_ship() -> None:
    assert list(FRAMEWORKS) == ["cis-v8", "nist-ai-rmf-1.0", "nist-csf-2.0", "owasp-agentic-2026", "owasp-nhi-2025"]


@pytest.mark.parametrize("framework_id", sorted(REQUIRED))
def test_catalog_has_the_controls_the_issue_names(framework_id: str) -> None:
    framework = FRAMEWORKS[framework_id]
    for control_id, title in REQUIRED[framework_id].items():
        control = framework.control(control_id)
        assert control is not None, f"{framework_id} lacks {control_id}"
        if title:
            assert control.title == title


def test_owasp_lists_are_complete_and_in_order() -> None:
    assert [c.id for c in FRAMEWORKS["owasp-nhi-2025"].controls] == [f"NHI{n}" for n in range(1, 11)]
    assert [c.id for c in FRAMEWORKS["owasp-agentic-2026"].controls] == [f"ASI{n:02d}" for n in range(1, 11)]


@pytest.mark.parametrize("framework_id", sorted(FRAMEWORKS))
def test_every_control_cites_its_source_and_says_what_code_cannot_show(framework_id: str) -> None:
    framework = FRAMEWORKS[framework_id]
    assert framework.document and framework.document_url.startswith("https://")
    for control in framework.controls:
        assert control.url.startswith("https://"), control.id
        assert control.cannot_show, control.id
        # Short texts in our own words: a summary, never a copied passage.
        assert 20 <= len(control.text) <= 240, (control.id, len(control.text))


def test_every_control_a_policy_names_exists_in_its_catalog() -> None:
    for policy in PACK:
        for framework_id, control_ids in policy.controls.items():
            assert framework_id in FRAMEWORKS, f"{policy.id}: no catalog for {framework_id}"
            for control_id in control_ids:
                assert FRAMEWORKS[framework_id].control(control_id), f"{policy.id}: {framework_id} {control_id}"


def test_every_builtin_policy_maps_to_owasp_nhi_and_nist_csf() -> None:
    for policy in PACK:
        assert {"owasp-nhi-2025", "nist-csf-2.0"} <= set(policy.controls), policy.id


def test_cis_mapping_of_the_credential_policies() -> None:
    cis = {p.id: p.controls.get("cis-v8", ()) for p in PACK}
    assert {k: cis[k] for k in ("IAG001", "IAG002", "IAG003", "IAG004", "IAG005", "IAG006")} == {
        "IAG001": ("5.5",), "IAG002": ("6.2",), "IAG003": (), "IAG004": ("6.8",), "IAG005": ("6.8",), "IAG006": ("3.11",),
    }


@pytest.mark.parametrize("framework_id", sorted(POLICY_SCHEMA["properties"]["controls"]["properties"]))
def test_catalog_ids_match_the_id_format_policies_must_use(framework_id: str) -> None:
    pattern = POLICY_SCHEMA["properties"]["controls"]["properties"][framework_id]["items"]["pattern"]
    for control in FRAMEWORKS[framework_id].controls:
        assert re.search(pattern, control.id), control.id


def test_catalogs_are_not_loaded_as_policies() -> None:
    assert all("frameworks" not in p.source.parts for p in PACK)
    assert (builtin_framework_dir() / "schema.json").is_file()


def _write_catalog(folder: Path, name: str, text: str) -> Path:
    (folder / "frameworks").mkdir(parents=True, exist_ok=True)
    path = folder / "frameworks" / name
    path.write_text(text, encoding="utf-8")
    return path


CATALOG = """id: acme
title: ACME standard
publisher: ACME
version: "1"
source: {document: ACME standard 1, url: "https://acme.example/std"}
coverage: All of it.
controls:
  - {id: A-1, title: One, text: The first rule of ACME., url: "https://acme.example/std#1", cannot_show: Everything.}
"""


def test_a_pack_may_bring_its_own_catalog(tmp_path: Path) -> None:
    _write_catalog(tmp_path, "acme.yaml", CATALOG)
    frameworks = load_frameworks([tmp_path])
    assert frameworks["acme"].control("A-1").title == "One"
    assert set(FRAMEWORKS) < set(frameworks)


def test_catalog_errors_name_the_file_and_the_field(tmp_path: Path) -> None:
    _write_catalog(tmp_path, "acme.yaml", CATALOG.replace('url: "https://acme.example/std#1"', "url: http://insecure"))
    _write_catalog(tmp_path, "other.yaml", CATALOG.replace("id: acme", "id: acme2", 1))
    _write_catalog(tmp_path, "dup.yaml", "id: dup\n" + CATALOG.split("\n", 1)[1] + "  - {id: A-1, title: Again, text: The same id twice., url: \"https://a.example\", cannot_show: x}\n")
    with pytest.raises(FrameworkError) as caught:
        load_frameworks([tmp_path])
    message = str(caught.value)
    assert f"{tmp_path / 'frameworks' / 'acme.yaml'}: controls.0.url: does not match the pattern" in message
    assert f"{tmp_path / 'frameworks' / 'other.yaml'}: id: 'acme2' must be the file name ('other')" in message
    assert f"{tmp_path / 'frameworks' / 'dup.yaml'}: controls.1.id: duplicate control id A-1" in message


def test_installed_package_carries_the_catalogs_and_schemas(tmp_path: Path) -> None:
    """Run outside the checkout: in CI (a plain ``pip install``) this proves the wheel has them."""
    listed = subprocess.run(
        [sys.executable, "-m", "iac_guard", "report", "--list-frameworks"], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(FRAMEWORKS)
    probe = subprocess.run(
        [sys.executable, "-c", "import iac_guard.policy.loader as l; print(l.builtin_policy_dir())"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )
    pack = Path(probe.stdout.strip())
    assert (pack / "frameworks" / "schema.json").is_file() and (pack / "test-cases.schema.json").is_file()
    assert sorted(p.stem for p in (pack / "frameworks").glob("*.yaml")) == sorted(FRAMEWORKS)
