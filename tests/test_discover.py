"""Which files a scan reads, in which order, and what it skips."""

from __future__ import annotations

import os
from pathlib import Path

from scanning import write_project

from iac_guard.discover import discover, scan_root


def relative(sources, paths) -> list[str]:
    return [sources.relative(p) for p in paths]


def test_files_are_grouped_by_kind_and_sorted(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "b/main.tf": "", "a/z.tf": "", "a/b.tf": "", "a/terraform.tfvars": "", "a/x.auto.tfvars": "",
        "a/a.auto.tfvars": "", "k8s/app.yaml": "", "k8s/app.yml": "", "README.md": "", "a/notes.txt": "",
    })
    sources = discover([str(tmp_path)])
    assert {d: relative(sources, f) for d, f in sources.terraform.items()} == {"a": ["a/b.tf", "a/z.tf"], "b": ["b/main.tf"]}
    # terraform.tfvars first, then *.auto.tfvars in lexical order: later files win.
    assert relative(sources, sources.tfvars["a"]) == ["a/terraform.tfvars", "a/a.auto.tfvars", "a/x.auto.tfvars"]
    assert relative(sources, sources.yaml) == ["k8s/app.yaml", "k8s/app.yml"]
    assert sources.file_count == 8


def test_skipped_folders_symlinks_and_helm_templates(tmp_path: Path) -> None:
    write_project(tmp_path, {
        ".git/config.tf": "", ".terraform/modules/m/main.tf": "", "node_modules/x/a.yaml": "",
        "charts/chat/Chart.yaml": "name: chat\n", "charts/chat/templates/deployment.yaml": "{{ .Values }}\n",
        "charts/chat/crds/crd.yaml": "", "main.tf": "",
    })
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.tf").write_text("")
    os.symlink(outside, tmp_path / "linked")
    os.symlink(outside / "secret.tf", tmp_path / "linked.tf")
    sources = discover([str(tmp_path)])
    assert list(sources.terraform) == ["."]
    assert relative(sources, sources.terraform["."]) == ["main.tf"]
    assert relative(sources, sources.yaml) == ["charts/chat/Chart.yaml", "charts/chat/crds/crd.yaml"]


def test_exclude_globs(tmp_path: Path) -> None:
    write_project(tmp_path, {"legacy/old/main.tf": "", "live/main.tf": "", "live/test.yaml": ""})
    sources = discover([str(tmp_path)], exclude=("legacy/**", "*.yaml"))
    assert list(sources.terraform) == ["live"]
    assert sources.yaml == []


def test_scan_root_is_the_folder_or_the_common_parent(tmp_path: Path) -> None:
    write_project(tmp_path, {"a/main.tf": "", "b/main.tf": ""})
    assert scan_root([str(tmp_path / "a")]) == (tmp_path / "a").resolve()
    assert scan_root([str(tmp_path / "a" / "main.tf")]) == (tmp_path / "a").resolve()
    assert scan_root([str(tmp_path / "a"), str(tmp_path / "b")]) == tmp_path.resolve()
    assert discover(["-"]).read_stdin


def test_json_tfvars_are_loaded_in_terraforms_order(tmp_path: Path) -> None:
    from scanning import scan_path

    write_project(tmp_path, {
        "variables.tf": 'variable "openai_api_key" {\n  default = ""\n}\n',
        "terraform.tfvars": 'openai_api_key = ""\n',
        "terraform.tfvars.json": '{\n  "openai_api_key": "sk-proj-' + "W4e5R6t7" * 6 + '"\n}\n',
    })
    sources = discover([str(tmp_path)])
    assert relative(sources, sources.tfvars["."]) == ["terraform.tfvars", "terraform.tfvars.json"]
    result = scan_path(tmp_path)
    assert [(f.policy_id, f.resource, f.file, f.line) for f in result.findings] == [
        ("IAG006", "var.openai_api_key", "terraform.tfvars.json", 2)
    ]
