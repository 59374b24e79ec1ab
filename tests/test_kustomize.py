"""kustomize as GitOps repositories write it (issue 13): the fixture repository's exact findings
and non-findings, and the failures a kustomization tree must report rather than hide."""

from __future__ import annotations

from pathlib import Path

from scanning import FIXTURES, finding_keys, scan_path, write_project

from iac_guard.discover import discover

GITOPS = FIXTURES / "projects" / "gitops-kustomize"
APP = "apps/chat-api"


def test_each_overlay_builds_its_own_objects_and_the_base_alone_is_not_judged() -> None:
    result = scan_path(GITOPS, scope="all")
    addresses = sorted(c.address for c in result.inventory.credentials)
    assert addresses == [
        "Secret/chat-prod/anthropic-credentials",
        "Secret/chat-prod/huggingface-token",
        "Secret/chat-prod/openai-credentials",
        "Secret/chat-staging/staging-huggingface-token",
        "Secret/chat-staging/staging-openai-credentials",
    ]
    assert sorted(w.address for w in result.inventory.workloads) == [
        "Deployment/chat-prod/chat-api", "Deployment/chat-staging/staging-chat-api",
    ]
    assert result.errors == []


def test_findings_point_at_the_file_and_line_where_each_value_is_written() -> None:
    base, prod, staging = f"{APP}/base", f"{APP}/overlays/prod", f"{APP}/overlays/staging"
    assert finding_keys(scan_path(GITOPS, scope="all")) == [
        ("IAG006", "Secret/chat-prod/huggingface-token", f"{base}/huggingface.env", 2),
        ("IAG006", "Secret/chat-staging/staging-huggingface-token", f"{base}/huggingface.env", 2),
        ("IAG002", "Secret/chat-staging/staging-huggingface-token", f"{base}/kustomization.yaml", 23),
        ("IAG003", "Secret/chat-staging/staging-huggingface-token", f"{base}/kustomization.yaml", 23),
        ("IAG006", "Secret/chat-prod/anthropic-credentials", f"{prod}/anthropic.key", 1),
        ("IAG001", "Secret/chat-prod/openai-credentials", f"{prod}/kustomization.yaml", 15),
        ("IAG006", "Secret/chat-prod/openai-credentials", f"{prod}/kustomization.yaml", 17),
        ("IAG001", "Secret/chat-prod/anthropic-credentials", f"{prod}/kustomization.yaml", 18),
        ("IAG001", "Secret/chat-staging/staging-openai-credentials", f"{staging}/kustomization.yaml", 13),
        ("IAG002", "Secret/chat-staging/staging-openai-credentials", f"{staging}/kustomization.yaml", 13),
        ("IAG003", "Secret/chat-staging/staging-openai-credentials", f"{staging}/kustomization.yaml", 13),
        ("IAG006", "Secret/chat-staging/staging-openai-credentials", f"{staging}/openai.env", 2),
    ]


def test_what_is_not_a_finding() -> None:
    result = scan_path(GITOPS, scope="all")
    resources = {f.resource for f in result.findings}
    files = {f.file for f in result.findings}
    # The base alone is never judged as deployed (it would be in ``default``); the patches are not
    # objects; the ConfigMap of a model name and log level holds no key.
    assert not any("/default/" in resource for resource in resources)
    assert not {f"{APP}/overlays/staging/replicas-patch.yaml", f"{APP}/overlays/prod/env-patch.yaml"} & files
    assert not any(resource.startswith("ConfigMap/") for resource in resources)
    # prod's commonAnnotations reach the Secrets it generates and the ones its base generates.
    rotation = {c.address: c.rotation.period_days for c in result.inventory.credentials}
    assert rotation["Secret/chat-prod/huggingface-token"] == rotation["Secret/chat-prod/openai-credentials"] == 30
    assert rotation["Secret/chat-staging/staging-huggingface-token"] is None


def test_an_owner_label_set_once_in_the_base_owns_what_the_overlays_build_from_it() -> None:
    result = scan_path(GITOPS, scope="all")
    unowned = sorted(f.resource for f in result.findings if f.policy_id == "IAG001")
    # The overlays' own generators are not under the base's labels, exactly as kustomize builds them.
    assert unowned == [
        "Secret/chat-prod/anthropic-credentials", "Secret/chat-prod/openai-credentials",
        "Secret/chat-staging/staging-openai-credentials",
    ]
    owners = {c.address: c.owner.value for c in result.inventory.credentials}
    assert owners["Secret/chat-staging/staging-huggingface-token"] == "ml-platform-team"


def test_consumers_follow_the_name_prefix_and_patches_change_the_real_object() -> None:
    credentials = {c.address: c for c in scan_path(GITOPS, scope="all").inventory.credentials}
    assert credentials["Secret/chat-staging/staging-openai-credentials"].consumers == ("Deployment/chat-staging/staging-chat-api",)
    # Only prod's patch adds the Anthropic key; the patch file is not an object of its own.
    assert credentials["Secret/chat-prod/anthropic-credentials"].consumers == ("Deployment/chat-prod/chat-api",)
    assert credentials["Secret/chat-prod/huggingface-token"].consumers == ("Deployment/chat-prod/chat-api",)


BASE = {
    "base/kustomization.yaml": "resources:\n  - secret.yaml\n",
    "base/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\n  labels:\n    owner: ml\nstringData:\n  OPENAI_API_KEY: x\n",
}


def test_a_cycle_between_kustomizations_is_a_scan_error(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "a/kustomization.yaml": "resources:\n  - ../b\n",
        "b/kustomization.yml": "resources:\n  - ../a\n",
    })
    errors = scan_path(tmp_path).errors
    assert [(e.file, e.line, e.message) for e in errors] == [("b/kustomization.yml", 2, "kustomization cycle: a -> b -> a")]


def test_a_resource_outside_the_scanned_folder_is_a_scan_error(tmp_path: Path) -> None:
    write_project(tmp_path, BASE)
    write_project(tmp_path, {"overlay/kustomization.yaml": "namespace: prod\nresources:\n  - ../base\n"})
    errors = scan_path(tmp_path / "overlay").errors
    assert [(e.file, e.line) for e in errors] == [("kustomization.yaml", 3)]
    assert "outside the scanned folder" in errors[0].message


def test_remote_resources_are_notes_not_errors_and_said_once_per_kustomization(tmp_path: Path) -> None:
    """A remote base is never fetched; nothing here is wrong, so the gate judges what is here and
    the note says what it did not see. A base built by two overlays is still noted once."""
    write_project(tmp_path, BASE)
    write_project(tmp_path, {"overlay/kustomization.yaml": (
        "resources:\n  - ../base\n  - github.com/example/platform//base?ref=v1\n"
        "  - https://example.com/manifests/install.yaml\n"
    )})
    write_project(tmp_path, {"base/kustomization.yaml": BASE["base/kustomization.yaml"] + "  - git@github.com:example/crds.git\n"})
    write_project(tmp_path, {"other/kustomization.yaml": "namespace: other\nresources:\n  - ../base\n"})
    result = scan_path(tmp_path)
    assert result.errors == []
    assert result.exit_code == 1  # the Secrets' own findings: a note never makes it 2
    assert [(n.file, n.line, n.message.split(" (")[0]) for n in result.notes] == [
        ("base/kustomization.yaml", 3, "1 remote kustomize resource(s) not followed"),
        ("overlay/kustomization.yaml", 3, "2 remote kustomize resource(s) not followed"),
    ]
    assert sorted(c.address for c in result.inventory.credentials) == ["Secret/default/openai", "Secret/other/openai"]


def test_a_missing_resource_is_a_scan_error_never_a_silent_gap(tmp_path: Path) -> None:
    write_project(tmp_path, {"kustomization.yaml": "resources:\n  - gone.yaml\n"})
    errors = scan_path(tmp_path).errors
    assert [(e.file, e.line) for e in errors] == [("kustomization.yaml", 2)]


def test_files_no_kustomization_lists_are_still_judged(tmp_path: Path) -> None:
    write_project(tmp_path, BASE)
    write_project(tmp_path, {"base/stray.yaml": BASE["base/secret.yaml"].replace("name: openai", "name: stray")})
    addresses = sorted(c.address for c in scan_path(tmp_path).inventory.credentials)
    assert addresses == ["Secret/default/openai", "Secret/default/stray"]


def test_an_overlay_namespace_wins_and_a_merge_generator_keeps_the_base_keys(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "base/kustomization.yaml": "namespace: base\nsecretGenerator:\n  - name: keys\n    literals:\n      - A=1\n",
        "prod/kustomization.yaml": (
            "namespace: prod\nresources:\n  - ../base\nsecretGenerator:\n  - name: keys\n    behavior: merge\n"
            "    literals:\n      - OPENAI_API_KEY=sk-proj-A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4\n"
        ),
    })
    result = scan_path(tmp_path, scope="all")
    assert [c.address for c in result.inventory.credentials] == ["Secret/prod/keys"]
    assert [(f.policy_id, f.file, f.line) for f in result.findings if f.policy_id == "IAG006"] == [
        ("IAG006", "prod/kustomization.yaml", 8),
    ]


def test_discovery_reads_every_kustomization_name_and_never_as_a_manifest(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "a/kustomization.yaml": "", "b/kustomization.yml": "", "c/Kustomization": "", "c/app.yaml": "",
        "d/kustomization.json": "",
    })
    sources = discover([str(tmp_path)])
    assert [sources.relative(p) for p in sources.kustomizations] == ["a/kustomization.yaml", "b/kustomization.yml", "c/Kustomization"]
    assert [sources.relative(p) for p in sources.yaml] == ["c/app.yaml"]
    assert sources.file_count == 4


def test_a_kustomization_named_on_the_command_line_is_scanned(tmp_path: Path) -> None:
    write_project(tmp_path, BASE)
    result = scan_path(tmp_path / "base" / "kustomization.yaml")
    # Named alone, the file it lists was not named: said, not silently skipped.
    assert [(e.file, e.line) for e in result.errors] == [("kustomization.yaml", 2)]
