"""The kustomize transformation as a pure function: parsed kustomizations and loaded manifests in,
the objects kustomize would deploy out. No disk: files are texts keyed by their relative path."""

from __future__ import annotations

import base64

from iac_guard.kubernetes.kustomize import Kustomization, kustomize, parse_kustomization
from iac_guard.kubernetes.loader import load_kube_text
from iac_guard.kubernetes.objects import KubeObject
from iac_guard.model import Location, ScanError

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api:1
          envFrom:
            - secretRef:
                name: keys
          env:
            - name: MODEL
              value: small
      volumes:
        - name: config
          configMap:
            name: settings
"""


def build(files: dict[str, str]) -> tuple[dict[str, KubeObject], list[ScanError]]:
    """Every ``kustomization.yaml`` of ``files`` parsed, every other ``.yaml`` loaded, the rest
    readable by the generators and patches; the result by address."""
    kustomizations: list[Kustomization] = []
    manifests: dict[str, list[KubeObject]] = {}
    for rel, text in files.items():
        if rel.endswith("kustomization.yaml"):
            parsed = parse_kustomization(text, rel)
            assert isinstance(parsed, Kustomization), parsed
            kustomizations.append(parsed)
        elif rel.endswith(".yaml"):
            manifests[rel] = load_kube_text(text, rel)[0]

    def read(rel: str) -> str | ScanError:
        return files[rel] if rel in files else ScanError(rel, "no such file")

    objects, errors, _ = kustomize(manifests, kustomizations, read)
    return {obj.address: obj for obj in objects}, errors


def app(kustomization: str, files: dict[str, str] | None = None) -> tuple[dict[str, KubeObject], list[ScanError]]:
    """``app/kustomization.yaml`` over ``app/deploy.yaml`` (DEPLOYMENT) and other ``files`` of ``app/``."""
    return build({"app/kustomization.yaml": kustomization, "app/deploy.yaml": DEPLOYMENT, **{f"app/{k}": v for k, v in (files or {}).items()}})


def test_name_prefix_renames_objects_and_the_references_to_them() -> None:
    objects, errors = app(
        (
            "namePrefix: prod-\nresources:\n  - deploy.yaml\nsecretGenerator:\n  - name: keys\n    literals:\n      - A=b\n"
            "configMapGenerator:\n  - name: settings\n    literals:\n      - B=c\n"
        ),
    )
    assert errors == []
    assert sorted(objects) == ["ConfigMap/default/prod-settings", "Deployment/default/prod-api", "Secret/default/prod-keys"]
    spec = objects["Deployment/default/prod-api"].body["spec"]["template"]["spec"]
    assert spec["containers"][0]["envFrom"][0]["secretRef"]["name"] == "prod-keys"
    assert spec["volumes"][0]["configMap"]["name"] == "prod-settings"


def test_a_reference_to_an_object_outside_the_kustomization_keeps_its_name() -> None:
    objects, _ = build({"app/kustomization.yaml": "namePrefix: prod-\nresources:\n  - deploy.yaml\n", "app/deploy.yaml": DEPLOYMENT})
    spec = objects["Deployment/default/prod-api"].body["spec"]["template"]["spec"]
    assert spec["containers"][0]["envFrom"][0]["secretRef"]["name"] == "keys"


def test_labels_and_annotations_land_where_kustomize_puts_them_and_point_at_their_line() -> None:
    objects, _ = app(
        (
            "resources:\n  - deploy.yaml\nlabels:\n  - pairs:\n      owner: ml\n  - pairs:\n      tier: web\n"
            "    includeTemplates: true\ncommonAnnotations:\n  note: hi\n"
        ),
    )
    deployment = objects["Deployment/default/api"]
    assert deployment.labels == {"owner": "ml", "tier": "web"}
    assert deployment.body["spec"]["template"]["metadata"] == {"labels": {"tier": "web"}, "annotations": {"note": "hi"}}
    assert deployment.location_of("metadata", "labels", "owner") == Location("app/kustomization.yaml", 5, 5)
    assert deployment.location_of("metadata", "annotations", "note") == Location("app/kustomization.yaml", 10, 10)
    assert deployment.location_of("spec", "template", "spec", "containers", 0, "image") == Location("app/deploy.yaml", 10, 10)


def test_a_strategic_merge_patch_merges_containers_and_env_by_name() -> None:
    objects, _ = app(
        "resources:\n  - deploy.yaml\npatches:\n  - path: patch.yaml\n",
        {"patch.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: api\n          env:\n            - name: MODEL\n              value: large\n"
            "            - name: KEY\n              value: x\n"
        )},
    )
    assert list(objects) == ["Deployment/default/api"]  # the patch is not an object of its own
    deployment = objects["Deployment/default/api"]
    container = deployment.body["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "example/api:1"
    assert container["env"] == [{"name": "MODEL", "value": "large"}, {"name": "KEY", "value": "x"}]
    env = ("spec", "template", "spec", "containers", 0, "env")
    assert deployment.location_of(*env, 0, "value") == Location("app/patch.yaml", 12, 12)
    assert deployment.location_of(*env, 1, "value") == Location("app/patch.yaml", 14, 14)


def test_json_6902_and_inline_patches_with_targets() -> None:
    objects, errors = app(
        (
            "resources:\n  - deploy.yaml\npatchesJson6902:\n  - target:\n      kind: Deployment\n      name: ap.*\n"
            "    path: ops.yaml\npatches:\n  - target:\n      kind: Deployment\n    patch: |-\n"
            "      - op: replace\n        path: /spec/template/spec/containers/0/image\n        value: example/api:2\n"
        ),
        {"ops.yaml": "- op: add\n  path: /spec/template/spec/containers/0/env/-\n  value:\n    name: KEY\n    value: x\n"},
    )
    assert errors == []
    deployment = objects["Deployment/default/api"]
    container = deployment.body["spec"]["template"]["spec"]["containers"][0]
    assert container["env"][-1] == {"name": "KEY", "value": "x"}
    assert container["image"] == "example/api:2"
    containers = ("spec", "template", "spec", "containers", 0)
    assert deployment.location_of(*containers, "env", 1, "value") == Location("app/ops.yaml", 5, 5)
    assert deployment.location_of(*containers, "image") == Location("app/kustomization.yaml", 14, 14)


def test_a_delete_patch_removes_the_object() -> None:
    objects, _ = app(
        "resources:\n  - deploy.yaml\npatchesStrategicMerge:\n  - gone.yaml\n",
        {"gone.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n$patch: delete\n"},
    )
    assert objects == {}


def test_a_component_adds_its_objects_and_patches_its_parents() -> None:
    objects, errors = build({
        "app/kustomization.yaml": "namespace: prod\nresources:\n  - deploy.yaml\ncomponents:\n  - ../extra\n",
        "app/deploy.yaml": DEPLOYMENT,
        "extra/kustomization.yaml": (
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  owner: ml\n"
            "secretGenerator:\n  - name: keys\n    envs:\n      - keys.env\n"
        ),
        "extra/keys.env": "# keys\nOPENAI_API_KEY=sk-x\n",
    })
    assert errors == []
    assert objects["Deployment/prod/api"].labels == {"owner": "ml"}
    secret = objects["Secret/prod/keys"]
    assert base64.b64decode(secret.body["data"]["OPENAI_API_KEY"]) == b"sk-x"
    assert secret.location_of("data", "OPENAI_API_KEY") == Location("extra/keys.env", 2, 2)
    assert secret.labels == {"owner": "ml"}


def test_generator_files_and_options() -> None:
    objects, _ = build({
        "app/kustomization.yaml": (
            "generatorOptions:\n  labels:\n    owner: ml\nconfigMapGenerator:\n  - name: prompts\n    files:\n"
            "      - system.txt\n      - user=templates/user.txt\n"
        ),
        "app/system.txt": "You are helpful.",
        "app/templates/user.txt": "Hi",
    })
    config = objects["ConfigMap/default/prompts"]
    assert config.body["data"] == {"system.txt": "You are helpful.", "user": "Hi"}
    assert config.labels == {"owner": "ml"}
    assert config.location_of("data", "user") == Location("app/templates/user.txt", 1, 1)


def test_a_generator_file_that_cannot_be_read_is_an_error() -> None:
    _, errors = build({"app/kustomization.yaml": "secretGenerator:\n  - name: keys\n    envs:\n      - missing.env\n"})
    assert errors == [ScanError("app/missing.env", "no such file")]


def test_depth_is_bounded() -> None:
    files = {f"k{n}/kustomization.yaml": f"resources:\n  - ../k{n + 1}\n" for n in range(30)}
    files["k30/kustomization.yaml"] = "namespace: deep\n"
    _, errors = build(files)
    assert [(e.file, e.message) for e in errors] == [("k19/kustomization.yaml", "kustomizations nest deeper than 20 levels")]


def test_without_kustomizations_manifests_pass_through_unchanged() -> None:
    manifests = {"a.yaml": load_kube_text(DEPLOYMENT, "a.yaml")[0]}
    assert kustomize(manifests, [], lambda rel: ScanError(rel, "unused")) == (manifests["a.yaml"], [], [])


def test_two_kustomizations_in_one_folder_are_an_error() -> None:
    first = parse_kustomization("namespace: a\n", "app/kustomization.yaml")
    second = parse_kustomization("namespace: b\n", "app/kustomization.yml")
    assert isinstance(first, Kustomization) and isinstance(second, Kustomization)
    _, errors, _ = kustomize({}, [first, second], lambda rel: ScanError(rel, "unused"))
    assert [e.file for e in errors] == ["app/kustomization.yml"]


def test_a_tree_that_lists_each_base_twice_is_stopped_not_expanded() -> None:
    files = {f"k{n}/kustomization.yaml": f"resources:\n  - ../k{n + 1}\n  - ../k{n + 1}\n" for n in range(19)}
    files["k19/kustomization.yaml"] = "namespace: deep\n"
    _, errors = build(files)
    assert [(e.file, e.message) for e in errors] == [
        ("k18/kustomization.yaml", "kustomizations expand to more than 2000 builds (a base listed many times over?): no kustomization is judged"),
    ]


def test_binding_subjects_follow_the_service_accounts_the_kustomization_moves_and_renames() -> None:
    objects, _ = build({
        "app/kustomization.yaml": "namespace: ml\nnamePrefix: x-\nresources:\n  - rbac.yaml\n",
        "app/rbac.yaml": (
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n---\n"
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: runner\n"
            "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\nsubjects:\n"
            "  - kind: ServiceAccount\n    name: runner\n    namespace: default\n"
            "  - kind: ServiceAccount\n    name: other\n    namespace: tools\n"
        ),
    })
    assert objects["ClusterRoleBinding/x-runner"].body["subjects"] == [
        {"kind": "ServiceAccount", "name": "x-runner", "namespace": "ml"},
        {"kind": "ServiceAccount", "name": "other", "namespace": "tools"},
    ]
    assert "ServiceAccount/ml/x-runner" in objects
