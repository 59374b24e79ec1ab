"""JUnit XML, for the test report views of GitLab, Jenkins, Azure DevOps and the like.

One ``testsuite`` per policy that can fire, one ``testcase`` per credential that policy judged
(classname ``iac-guard.IAG003``, name ``address (file:line)``):

- a failing finding at or above ``--fail-on`` is a ``failure`` (several findings of one policy on
  one credential — two hardcoded keys — are one failure listing each);
- a suppressed finding is ``skipped``, with the reason;
- a failing finding below ``--fail-on`` passes, its message in ``system-out``: the report agrees
  with the exit code;
- findings about something other than a credential (an invalid suppression) are test cases of
  their own, and files that could not be read are ``error`` test cases in an ``iac-guard`` suite.

Valid against the JUnit schema Jenkins' xUnit plugin reads (junit-10.xsd).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..model import Finding
from ..result import ScanResult


def render(result: ScanResult, color: bool = False) -> str:
    gating = {id(f) for f in result.gating}
    by_check, loose = _by_check(result)
    root = ET.Element("testsuites", name="iac-guard")
    skipped = set(result.settings.skip_policies) if result.settings else set()
    checks_by_policy: dict[str, list[Any]] = defaultdict(list)
    for check in result.checks:
        checks_by_policy[check.policy_id].append(check)
    for policy in result.policies:
        if policy.id in skipped:
            continue
        suite = ET.SubElement(root, "testsuite", name=f"{policy.id} {policy.title}")
        for check in checks_by_policy[policy.id]:
            key = (check.policy_id, check.resource, check.location.file, check.location.line)
            name = f"{check.resource} ({check.location.file}:{check.location.line})"
            _testcase(suite, policy.id, name, by_check.get(key, []), gating)
        for finding in loose.pop(policy.id, []):
            _testcase(suite, policy.id, f"{finding.resource} ({finding.file}:{finding.line})", [finding], gating)
        _count(suite)
    for policy_id, findings in sorted(loose.items()):  # a policy no longer loaded (cannot happen today)
        suite = ET.SubElement(root, "testsuite", name=policy_id)
        for finding in findings:
            _testcase(suite, policy_id, f"{finding.resource} ({finding.file}:{finding.line})", [finding], gating)
        _count(suite)
    if result.errors:
        _error_suite(root, result)
    _total(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _by_check(result: ScanResult) -> tuple[dict[tuple[str, str, str, int], list[Finding]], dict[str, list[Finding]]]:
    """The findings of each credential a policy judged, and those about something else (an
    invalid suppression) by policy: those are test cases of their own."""
    by_check: dict[tuple[str, str, str, int], list[Finding]] = defaultdict(list)
    loose: dict[str, list[Finding]] = defaultdict(list)
    checked = {(c.policy_id, c.resource, c.location.file, c.location.line) for c in result.checks}
    for finding in result.findings:
        key = _check_key(finding)
        if key in checked:
            by_check[key].append(finding)
        else:
            loose[finding.policy_id].append(finding)
    return by_check, loose


def _error_suite(root: ET.Element, result: ScanResult) -> None:
    suite = ET.SubElement(root, "testsuite", name="iac-guard errors")
    for error in result.errors:
        case = ET.SubElement(suite, "testcase", classname="iac-guard.errors", name=error.file, time="0")
        ET.SubElement(case, "error", type="ScanError", message=error.render()).text = error.render()
    _count(suite)


def _check_key(finding: Finding) -> tuple[str, str, str, int]:
    where = finding.resource_location
    return (finding.policy_id, finding.resource, where.file if where else "", where.line if where else 0)


def _testcase(suite: ET.Element, policy_id: str, name: str, findings: list[Finding], gating: set[int]) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"iac-guard.{policy_id}", name=name, time="0")
    failures = [f for f in findings if id(f) in gating]
    below = [f for f in findings if not f.suppressed and id(f) not in gating]
    suppressed = [f for f in findings if f.suppressed]
    if failures:
        worst = failures[0]
        ET.SubElement(case, "failure", type=worst.severity, message=worst.message).text = _details(failures)
    elif suppressed:
        ET.SubElement(case, "skipped", message="suppressed: " + "; ".join(_suppressed(f) for f in suppressed))
    if below:
        ET.SubElement(case, "system-out").text = "below the --fail-on threshold:\n" + _details(below)


def _details(findings: Iterable[Finding]) -> str:
    return "\n".join(
        f"{f.policy_id} {f.severity.upper()} at {f.file}:{f.line}: {f.message}" for f in findings
    )


def _suppressed(finding: Finding) -> str:
    suppression = finding.suppression
    assert suppression is not None
    until = f" (until {suppression.expires})" if suppression.expires else ""
    return f"{suppression.reason}{until}"


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    suite.set("time", "0")


def _total(root: ET.Element) -> None:
    suites = root.findall("testsuite")
    for attribute in ("tests", "failures", "errors"):
        root.set(attribute, str(sum(int(s.get(attribute, "0")) for s in suites)))
    root.set("time", "0")
