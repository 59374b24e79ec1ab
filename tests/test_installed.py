"""The installed package, run as a separate process the way the README's Quickstart runs it.

Run from a folder outside the checkout, so that in CI (which installs with a plain, non-editable
``pip install``) this proves the wheel carries the policy pack and the data files.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from iac_guard.policy.loader import policy_files

EXAMPLES = Path(__file__).parent.parent / "examples"
PACK = Path(__file__).parent.parent / "policies"  # the source of the pack the wheel must carry


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iac_guard", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_quickstart_scan_of_the_examples_fails_on_the_insecure_ones(tmp_path: Path) -> None:
    result = run_cli("scan", str(EXAMPLES), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["tool"]["policies"] == len(policy_files([PACK]))  # not the *.tests.yaml beside them
    assert document["summary"]["failing"] == 19
    assert {f["file"].split("/")[0] for f in document["findings"]} == {"insecure"}


def test_installed_package_is_the_one_outside_the_checkout(tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import iac_guard.policy.loader as l; print(l.builtin_policy_dir())"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
    )
    pack = Path(probe.stdout.strip())
    assert (pack / "schema.json").is_file()
    assert len(list((pack / "ai-credentials").glob("*.yaml"))) == len(list((PACK / "ai-credentials").glob("*.yaml")))


def test_the_wheel_lists_every_package_of_the_tree() -> None:
    """The package list in pyproject.toml is explicit (the pack is mapped in from policies/); an
    editable install runs a package the list forgot, a wheel does not, so the two must match."""
    text = (PACK.parent / "pyproject.toml").read_text("utf-8")
    block = re.search(r"(?ms)^\[tool\.setuptools\]\s*packages = \[(.*?)\]", text)
    assert block is not None
    listed = set(re.findall(r'"([\w.]+)"', block.group(1)))  # tomllib is Python 3.11+
    package = PACK.parent / "iac_guard"
    tree = {".".join(init.parent.relative_to(package.parent).parts) for init in package.rglob("__init__.py")}
    assert sorted(tree - listed) == []
    assert sorted(listed - tree) == ["iac_guard.builtin_policies"]
