"""The Kubernetes YAML loader: objects with their lines, and hostile input ending in a ScanError."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from iac_guard.kubernetes import loader
from iac_guard.kubernetes.loader import MAX_DEPTH, PureLineLoader, load_kube_file, load_kube_text
from iac_guard.kubernetes.objects import KubeObject
from iac_guard.model import Location, ScanError

FIXTURES = Path(__file__).parent / "fixtures" / "kubernetes"
FAKE_OPENAI_KEY = "sk-proj-" + "A1b2C3d4" * 6
LOADERS = [pytest.param(PureLineLoader, id="pure")]
if loader.CLineLoader is not None:
    LOADERS.append(pytest.param(loader.CLineLoader, id="libyaml"))

MULTI_DOC = """\
# a comment before the first document
apiVersion: v1
kind: ServiceAccount
metadata:
  name: chat-api
  namespace: ml-platform
---
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
  namespace: ignored-for-cluster-scoped
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""

LIST = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata:
    name: first
    namespace: ml
- not: an object
- apiVersion: v1
  kind: Secret
  metadata:
    name: second
"""


def load(text: str, loader_class=loader.DEFAULT_LOADER) -> list[KubeObject]:
    objects, errors = load_kube_text(text, "manifests/app.yaml", loader_class)
    assert errors == []
    return objects


@pytest.mark.parametrize("loader_class", LOADERS)
def test_multi_document_stream_gives_one_object_per_document(loader_class):
    objects = load(MULTI_DOC, loader_class)
    assert [o.address for o in objects] == [
        "ServiceAccount/ml-platform/chat-api", "ClusterRole/reader", "ConfigMap/default/settings"
    ]
    assert [o.namespace for o in objects] == ["ml-platform", None, "default"]
    assert [o.location for o in objects] == [
        Location("manifests/app.yaml", 2, 6),
        Location("manifests/app.yaml", 9, 17),
        Location("manifests/app.yaml", 19, 24),
    ]
    assert objects[1].body["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]


@pytest.mark.parametrize("loader_class", LOADERS)
def test_line_of_points_at_keys_and_list_items(loader_class):
    role = load(MULTI_DOC, loader_class)[1]
    assert role.line_of("metadata", "name") == 12
    assert role.line_of("rules") == 14
    assert role.line_of("rules", 0) == 15
    assert role.line_of("rules", 0, "verbs") == 17
    assert role.line_of("rules", 0, "verbs", 7) == 17  # deepest known prefix
    assert role.line_of("status") == 9  # nothing known: the object's line
    assert role.location_of("rules", 0, "resources") == Location("manifests/app.yaml", 16, 16)


@pytest.mark.parametrize("loader_class", LOADERS)
def test_list_kinds_are_expanded_into_their_items(loader_class):
    objects = load(LIST, loader_class)
    assert [o.address for o in objects] == ["Secret/ml/first", "Secret/default/second"]
    assert [o.location for o in objects] == [Location("manifests/app.yaml", 4, 8), Location("manifests/app.yaml", 10, 13)]
    assert objects[1].line_of("metadata", "name") == 13  # the item's own paths, not items.2....


def test_typed_lists_are_expanded_too():
    text = "apiVersion: v1\nkind: SecretList\nitems:\n  - {apiVersion: v1, kind: Secret, metadata: {name: a}}\n"
    assert [o.address for o in load(text)] == ["Secret/default/a"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "---\n---\n",
        (FIXTURES / "helm-values.yaml").read_text("utf-8"),
        "- apiVersion: v1\n  kind: Secret\n",  # a list, not an object
        "apiVersion: v1\nkind: [Secret]\n",  # kind is not a string
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n",
    ],
    ids=["empty", "comment", "empty-documents", "helm-values", "list", "kind-not-string", "workflow", "cloudformation"],
)
def test_yaml_without_kubernetes_objects_is_ignored(text):
    assert load_kube_text(text, "x.yaml") == ([], [])


def test_values_read_as_kubectl_reads_them():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        "  annotations:\n    iac-guard.io/expires: 2026-12-31\n"
        "data:\n  8080: port\n  true: yes\n  mode: first\n  mode: second\n  eq: =\n"
    )
    body = load(text)[0].body
    assert body["metadata"]["annotations"] == {"iac-guard.io/expires": "2026-12-31"}  # no datetime.date
    assert body["data"] == {"8080": "port", "true": True, "mode": "second", "eq": "="}  # last duplicate wins


@pytest.mark.parametrize("loader_class", LOADERS)
def test_merge_keys_are_merged_and_explicit_keys_win(loader_class):
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
        "x-defaults: &defaults\n  mode: slow\n  level: info\n"
        "data:\n  <<: *defaults\n  mode: fast\n"
    )
    obj = load(text, loader_class)[0]
    assert obj.body["data"] == {"mode": "fast", "level": "info"}
    assert obj.line_of("data", "mode") == 9
    assert obj.line_of("data", "level") == 6  # where the merged value is written


def test_labels_and_annotations_are_strings_and_empty_when_absent():
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  labels:\n    owner:\n    tier: 3\n    ai: true\n"
    obj = load(text)[0]
    assert obj.labels == {"owner": "", "tier": "3", "ai": "true"}
    assert obj.annotations == {}


def test_both_parsers_give_the_same_objects():
    files = sorted(FIXTURES.rglob("*.yaml"))
    texts = [path.read_text("utf-8") for path in files] + [MULTI_DOC, LIST]
    for text in texts:
        pure = load(text, PureLineLoader)
        fast = load(text, loader.DEFAULT_LOADER)
        assert [(o, o.body, dict(o._lines)) for o in pure] == [(o, o.body, dict(o._lines)) for o in fast]


def _billion_laughs(kind_line: str) -> str:
    lines = ["apiVersion: v1", kind_line, "metadata: {name: lol}", "data:", "  a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("loader_class", LOADERS)
@pytest.mark.parametrize("kind_line", ["kind: ConfigMap", "# no kind: an alias bomb is stopped anyway"])
def test_billion_laughs_stops_quickly_with_bounded_memory(loader_class, kind_line):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        objects, errors = load_kube_text(_billion_laughs(kind_line), "bomb.yaml", loader_class)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert objects == []
    assert [e.file for e in errors] == ["bomb.yaml"]
    assert "alias" in errors[0].message
    assert elapsed < 2.0
    assert peak < 64 * 1024 * 1024


@pytest.mark.parametrize("loader_class", LOADERS)
@pytest.mark.parametrize(
    "nested",
    ["[" * (MAX_DEPTH + 20) + "]" * (MAX_DEPTH + 20), "\n  " + "- " * 5000 + "deep", "&a [*a]"],
    ids=["past-our-limit", "past-the-parsers-limit", "self-referencing-alias"],
)
def test_deep_nesting_is_a_scan_error(loader_class, nested):
    objects, errors = load_kube_text(f"apiVersion: v1\nkind: ConfigMap\ndata: {nested}\n", "deep.yaml", loader_class)
    assert objects == []
    assert len(errors) == 1 and "nesting" in errors[0].message


@pytest.mark.parametrize("loader_class", LOADERS)
@pytest.mark.parametrize("kind_line", ["kind: ConfigMap", "# not an object: python tags fail the file anyway"])
def test_python_tags_are_never_constructed(loader_class, kind_line):
    text = f"apiVersion: v1\n{kind_line}\ndata: !!python/object/apply:os.system ['touch /tmp/pwned']\n"
    objects, errors = load_kube_text(text, "evil.yaml", loader_class)
    assert objects == []
    assert [(e.line, e.column) for e in errors] == [(3, 7)]
    assert "!!python/object/apply:os.system" in errors[0].message


@pytest.mark.parametrize("loader_class", LOADERS)
@pytest.mark.parametrize("value", ["!Ref BucketName", "!!binary aGVsbG8=", "!!int not-a-number", "{[a]: b}"])
def test_values_we_do_not_build_fail_a_kubernetes_object(loader_class, value):
    objects, errors = load_kube_text(f"apiVersion: v1\nkind: ConfigMap\ndata: {value}\n", "cm.yaml", loader_class)
    assert objects == [] and [e.line for e in errors] == [3]
    assert "not-a-number" not in errors[0].message


@pytest.mark.parametrize("loader_class", LOADERS)
@pytest.mark.parametrize(
    "line, column",
    [
        (f"  OPENAI_API_KEY: {FAKE_OPENAI_KEY}: trailing", 75),
        (f'  OPENAI_API_KEY: "{FAKE_OPENAI_KEY}', 1),
        (f"  OPENAI_API_KEY: *{FAKE_OPENAI_KEY}", 19),
    ],
    ids=["mapping-value", "unclosed-quote", "undefined-alias"],
)
def test_parse_errors_never_print_the_source_line(loader_class, line, column):
    text = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n{line}\n"
    objects, errors = load_kube_text(text, "secret.yaml", loader_class)
    assert objects == []
    [error] = errors
    assert error.file == "secret.yaml" and error.message.startswith("not valid YAML: ")
    assert error.column == column and error.line in (6, 7)  # an unclosed quote is reported at its end
    assert "A1b2C3d4" not in error.render()


@pytest.mark.parametrize("loader_class", LOADERS)
def test_unprintable_characters_are_reported_where_they_are(loader_class):
    text = "apiVersion: v1\nkind: Secret\nstringData:\n  k: é\x01x\n"
    objects, errors = load_kube_text(text, "ctrl.yaml", loader_class)
    assert objects == [] and [(e.line, e.column) for e in errors] == [(4, 7)]


def test_files_are_read_as_utf8_with_or_without_bom(tmp_path):
    path = tmp_path / "sa.yaml"
    path.write_bytes(b"\xef\xbb\xbfapiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: caf\xc3\xa9\n")
    objects, errors = load_kube_file(path, "sa.yaml")
    assert errors == [] and [o.address for o in objects] == ["ServiceAccount/default/café"]


def test_invalid_utf8_is_a_scan_error_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"apiVersion: v1\nkind: Secret\nstringData:\n  k: \xff\xfe\n")
    assert load_kube_file(path, "bad.yaml") == ([], [ScanError("bad.yaml", "not valid UTF-8 text", line=4)])


def test_unreadable_file_is_a_scan_error(tmp_path):
    objects, errors = load_kube_file(tmp_path / "missing.yaml", "missing.yaml")
    assert objects == [] and errors[0].file == "missing.yaml" and "cannot read" in errors[0].message


def test_empty_file_gives_nothing(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    assert load_kube_file(path, "empty.yaml") == ([], [])


def test_an_error_anywhere_drops_the_whole_file():
    text = MULTI_DOC + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: [unclosed\n"
    objects, errors = load_kube_text(text, "app.yaml")
    assert objects == [] and len(errors) == 1
