"""The pieces IAG007 and IAG008 read: where a pod runs, which workflows are privileged, which
Dockerfile names are build arguments, and IAG007's "every use could go keyless" as a quantifier."""

from __future__ import annotations

import pytest

from iac_guard.config.settings import Settings
from iac_guard.model import UNKNOWN, Credential, Flow, Location
from iac_guard.policy.conditions import parse_condition
from iac_guard.policy.facts import credential_facts
from iac_guard.providers.ci.pull_request_target import runs_on_pull_request_target
from iac_guard.providers.kubernetes.platforms import pod_platform

HERE = Location("main.tf", 1, 1)


@pytest.mark.parametrize(("spec", "labels", "account", "expected"), [
    ({"nodeSelector": {"eks.amazonaws.com/nodegroup": "gpu"}}, {}, None, "aws"),
    ({"nodeSelector": {"cloud.google.com/gke-nodepool": "pool-a"}}, {}, None, "gcp"),
    ({}, {"azure.workload.identity/use": "true"}, None, "azure"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.azure.com/agentpool", "operator": "In", "values": ["gpu"]}]}]}}}}, {}, None, "azure"),
    ({"nodeSelector": {"kubernetes.io/os": "linux"}}, {}, None, None),  # every cluster sets it
    ({"nodeSelector": {"eks.amazonaws.com/nodegroup": "a", "cloud.google.com/gke-nodepool": "b"}}, {}, None, None),  # two clouds
    ({"nodeSelector": {"cloud.google.com/gke-nodepool": "b"}}, {}, "aws", "aws"),  # its ServiceAccount's identity first
    ({"nodeSelector": ["not", "a", "map"]}, {}, None, None),
])
def test_a_pods_cloud_comes_from_marks_only_that_cloud_sets(spec, labels, account, expected) -> None:
    assert pod_platform(spec, labels, account) == expected


@pytest.mark.parametrize(("triggers", "expected"), [
    ("pull_request_target", True), (["push", "pull_request_target"], True), ({"pull_request_target": None}, True),
    ("pull_request", False), ({"pull_request": {"types": ["opened"]}}, False), (None, False), (7, False),
])
def test_which_workflows_run_with_the_base_repositorys_secrets(triggers, expected) -> None:
    assert runs_on_pull_request_target(triggers) is expected


def _static(offered) -> Flow:
    return Flow("static", "aws_iam_access_key.k", "aws_lambda_function.f", "reads it", "use its role", HERE, identity_offered=offered)


@pytest.mark.parametrize(("offers", "expected"), [
    ((), False), ((True,), True), ((True, True), True), ((True, False), False), ((True, UNKNOWN), UNKNOWN), ((UNKNOWN, False), False),
])
def test_every_use_offering_an_identity_is_three_valued(offers, expected) -> None:
    credential = Credential("aws_iam_access_key.k", "aws", "aws_iam_access_key", "access-key", HERE,
                            flows=tuple(_static(offer) for offer in offers), identity_platform="aws")
    facts = credential_facts(credential, Settings())
    every_use = parse_condition({"all": [
        {"field": "static_uses", "count_gte": 1},
        {"every": {"in": "static_uses", "as": "use", "where": {"field": "use.identity_offered", "is": True}}},
    ]}, "fails_when", {})
    assert every_use.evaluate(facts, {}) == expected
    assert [item["identity_offered"] for item in facts["static_uses"]] == list(offers)
    assert facts["identity_platform"] == "aws"
