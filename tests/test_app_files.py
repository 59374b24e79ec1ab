"""Container builds, Compose files, ``.env`` files and notebooks: reading, discovery, the records
they give, and the exact findings and non-findings of the app-monorepo fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scanning import FIXTURES, finding_keys, scan_path, write_project

from iac_guard.containers.dockerfile import parse_dockerfile
from iac_guard.containers.dotenv import parse_dotenv
from iac_guard.containers.interpolation import literal_part, variable_name
from iac_guard.containers.notebook import parse_notebook
from iac_guard.discover import COMPOSE, DOCKERFILE, DOTENV, NOTEBOOK, app_file_kind

MONOREPO = FIXTURES / "projects" / "app-monorepo"
OPENAI = "sk-proj-A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4A1b2C3d4"


# --- reading ---------------------------------------------------------------------------------------


def test_dockerfile_instructions_keep_lines_through_continuations_comments_and_heredocs() -> None:
    text = (
        "# syntax=docker/dockerfile:1.7\n"       # 1
        "FROM python:3.12 AS base\n"              # 2
        "ENV A=1 \\\n"                            # 3
        "# a comment inside the continuation\n"   # 4
        "    B=2\n"                               # 5
        "RUN <<EOF\n"                             # 6
        "echo hi\n"                               # 7
        "EOF\n"                                   # 8
        "  run echo done\n"                       # 9
    )
    found = [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(text)]
    assert found == [("FROM", 2, 2), ("ENV", 3, 5), ("RUN", 6, 8), ("RUN", 9, 9)]
    env = parse_dockerfile(text)[1]
    assert env.text.split("\n") == ["A=1 \\", "", "    B=2"]
    assert env.line_of(env.text.index("B=2")) == 5


def test_an_escape_directive_changes_the_continuation_character() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir `\n  c:\\\n"
    assert [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(text)] == [("FROM", 2, 2), ("RUN", 3, 4)]


@pytest.mark.parametrize(("text", "expected"), [
    ("FROM alpine\nRUN <<EOF\necho never closed\n", [("FROM", 1, 1), ("RUN", 2, 3)]),
    ("FROM alpine\nRUN echo \\\n", [("FROM", 1, 1), ("RUN", 2, 2)]),
    ("", []),
])
def test_a_truncated_dockerfile_is_read_to_its_end(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(text)] == expected


def test_dotenv_assignments_quotes_exports_comments_and_multiline_values() -> None:
    text = (
        "# comment\n"
        "export OPENAI_API_KEY=sk-1 # trailing comment\n"
        "QUOTED='a # not a comment'\n"
        'ESCAPED="say \\"hi\\""\n'
        'PEM="-----BEGIN\nbody\n-----END"\n'
        "EMPTY=\n"
        "not an assignment\n"
    )
    assert [(a.name, a.value, a.line) for a in parse_dotenv(text)] == [
        ("OPENAI_API_KEY", "sk-1", 2),
        ("QUOTED", "a # not a comment", 3),
        ("ESCAPED", 'say "hi"', 4),
        ("PEM", "-----BEGIN\nbody\n-----END", 5),
        ("EMPTY", "", 8),
    ]


def test_notebook_strings_carry_their_cell_and_file_line() -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "source": ["# Title\n"]},
        {"cell_type": "code", "source": ["x = 1\n"], "outputs": [
            {"output_type": "stream", "text": ["out\n"]},
            {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<Figure>"]}},
        ]},
    ]}
    text = json.dumps(notebook, indent=1)
    lines = text.splitlines()
    found = [(t.cell, t.part, t.text, lines[t.line - 1].strip()) for t in parse_notebook(text, "n.ipynb")]  # type: ignore[union-attr]
    assert found == [
        (0, "source", "# Title\n", '"# Title\\n"'),
        (1, "source", "x = 1\n", '"x = 1\\n"'),
        (1, "outputs[0]", "out\n", '"out\\n"'),
        (1, "outputs[1]", "<Figure>", '"<Figure>"'),
    ]


@pytest.mark.parametrize("text", ["{not json", "[]", '{"cells": 3}', "[" * 100_000])
def test_a_file_that_is_no_notebook_is_an_error(text: str) -> None:
    assert parse_notebook(text, "n.ipynb").file == "n.ipynb"  # type: ignore[union-attr]


@pytest.mark.parametrize(("value", "name", "literal"), [
    ("${OPENAI_API_KEY}", "OPENAI_API_KEY", None),
    ("$OPENAI_API_KEY", "OPENAI_API_KEY", None),
    ("${OPENAI_API_KEY:?set it}", "OPENAI_API_KEY", None),
    ("${OPENAI_API_KEY:-changeme}", "OPENAI_API_KEY", "changeme"),
    (f"${{OPENAI_API_KEY:-{OPENAI}}}", "OPENAI_API_KEY", OPENAI),
    ("postgres://u:${PW}@db/x", None, "postgres://u:${PW}@db/x"),
])
def test_interpolation_is_a_reference_and_only_its_default_is_literal(value: str, name: str | None, literal: str | None) -> None:
    assert (variable_name(value), literal_part(value)) == (name, literal)


@pytest.mark.parametrize(("name", "kind"), [
    ("Dockerfile", DOCKERFILE), ("Dockerfile.prod", DOCKERFILE), ("api.Dockerfile", DOCKERFILE),
    ("Containerfile", DOCKERFILE), ("Dockerfile.dockerignore", None),
    ("docker-compose.yml", COMPOSE), ("docker-compose.override.yaml", COMPOSE), ("compose.yaml", COMPOSE),
    (".env", DOTENV), (".env.production", DOTENV), (".env.example", None), (".env.sample", None),
    (".env.template", None), (".envrc", None),
    ("eval.ipynb", NOTEBOOK), ("values.yaml", None),
])
def test_application_files_are_told_by_name(name: str, kind: str | None) -> None:
    assert app_file_kind(name) == kind


# --- the fixture: exact findings and non-findings --------------------------------------------------


def test_the_app_monorepo_findings_say_which_cell_and_instruction() -> None:
    """The exact findings of the whole repository are in test_monorepo_fixture.py."""
    result = scan_path(MONOREPO, scope="all")
    assert result.errors == []
    messages = {f.resource: f.message for f in result.findings if f.policy_id == "IAG006"}
    assert "cell 2 outputs[0] holds a literal openai-api-key" in messages["notebook:notebooks/retrieval-eval.ipynb"]
    assert "ENV OPENAI_API_KEY holds" in messages["dockerfile:services/api/Dockerfile"]


def test_the_compliant_forms_give_nothing() -> None:
    """BuildKit secret mounts, ``${VAR}`` references, placeholder defaults, the templates beside
    ``.env``, a clean notebook and a short local database password are no findings."""
    result = scan_path(MONOREPO, scope="all")
    judged = {f.file for f in result.findings}
    assert not judged & {"services/ingest/Dockerfile", ".env.example", "notebooks/clean-embeddings.ipynb"}
    resources = {f.resource for f in result.findings}
    assert not resources & {
        "compose:docker-compose.yml/services/api", "compose:docker-compose.yml/services/db",
        "compose:docker-compose.yml/services/ingest", "dotenv:.env/POSTGRES_PASSWORD", "dotenv:.env/COHERE_API_KEY",
    }


def test_services_images_and_notebooks_are_consumers_in_the_inventory() -> None:
    result = scan_path(MONOREPO, scope="all")
    inventory = result.inventory
    consumers = {c.address: c.consumers for c in inventory.credentials}
    assert consumers["dotenv:.env/OPENAI_API_KEY"] == (
        "compose:docker-compose.yml/services/api", "compose:docker-compose.yml/services/ingest",
        "compose:docker-compose.yml/services/reranker",
    )
    assert consumers["dotenv:.env/HF_TOKEN"] == ("compose:docker-compose.yml/services/ingest",)
    for baked in ("dockerfile:services/api/Dockerfile", "notebook:notebooks/retrieval-eval.ipynb"):
        assert consumers[baked] == (baked,)
    app_workloads = ("compose:", "dockerfile:", "notebook:")
    assert sorted(w.address for w in inventory.workloads if w.address.startswith(app_workloads)) == [
        "compose:docker-compose.yml/services/api", "compose:docker-compose.yml/services/db",
        "compose:docker-compose.yml/services/ingest", "compose:docker-compose.yml/services/reranker",
        "dockerfile:services/api/Dockerfile", "dockerfile:services/eval/eval.Dockerfile",
        "dockerfile:services/ingest/Dockerfile", "notebook:notebooks/clean-embeddings.ipynb",
        "notebook:notebooks/retrieval-eval.ipynb",
    ]
    vias = sorted(u.via for u in inventory.usages if u.credential == "dotenv:.env/OPENAI_API_KEY")
    assert vias == ["env OPENAI_API_KEY", "env_file .env", "secret openai_api_key"]


# --- unknown never fails, false positives, suppressions --------------------------------------------


def test_references_and_unset_values_never_fail(tmp_path: Path) -> None:
    """No literal anywhere: nothing is hardcoded. The build argument is exposed (IAG008: an ARG
    keeps its value in the image history, the ENV bakes it in), the undeclared ``$CI_TOKEN`` is
    empty at build time and exposes nothing."""
    root = write_project(tmp_path, {
        "Dockerfile": "FROM alpine\nARG OPENAI_API_KEY\nENV OPENAI_API_KEY=${OPENAI_API_KEY} TOKEN=$CI_TOKEN\n",
        "compose.yaml": "services:\n  app:\n    environment:\n      OPENAI_API_KEY: ${OPENAI_API_KEY:?required}\n      HF_TOKEN:\n",
        ".env": "OPENAI_API_KEY=\nHF_TOKEN=${HF_TOKEN}\n",
    })
    result = scan_path(root, scope="all")
    assert result.errors == []
    assert finding_keys(result) == [
        ("IAG008", "docker-build-arg:Dockerfile/OPENAI_API_KEY", "Dockerfile", 2),
        ("IAG008", "docker-build-arg:Dockerfile/OPENAI_API_KEY", "Dockerfile", 3),
    ]


def test_a_default_holding_a_key_is_a_literal(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"compose.yaml": f"services:\n  app:\n    environment:\n      - OPENAI_API_KEY=${{OPENAI_API_KEY:-{OPENAI}}}\n"})
    assert finding_keys(scan_path(root, scope="all")) == [("IAG006", "compose:compose.yaml/services/app", "compose.yaml", 4)]


def test_a_key_only_named_in_a_run_command_is_no_literal(tmp_path: Path) -> None:
    """A RUN line naming a variable or a secret file is not a key: only known key formats count there."""
    root = write_project(tmp_path, {"Dockerfile": (
        "FROM alpine\n"
        "RUN --mount=type=secret,id=openai_api_key OPENAI_API_KEY=$(cat /run/secrets/openai_api_key) ./fetch.sh\n"
    )})
    assert finding_keys(scan_path(root, scope="all")) == []


def test_comment_suppressions_in_a_dockerfile_a_dotenv_and_a_notebook_cell(tmp_path: Path) -> None:
    marker = '# iac-guard:ignore IAG006 reason="revoked on 2026-11-01, kept for the demo" expires=2027-01-31'
    notebook = {"cells": [{"cell_type": "code", "outputs": [], "source": [marker + "\n", f'key = "{OPENAI}"\n']}]}
    root = write_project(tmp_path, {
        "Dockerfile": f"FROM alpine\n{marker}\nENV OPENAI_API_KEY={OPENAI}\n",
        ".env": f"{marker}\nOPENAI_API_KEY={OPENAI}\n",
        "demo.ipynb": json.dumps(notebook, indent=1),
    })
    result = scan_path(root, scope="all")
    assert [(f.policy_id, f.file, f.suppressed) for f in result.findings] == [
        ("IAG006", ".env", True), ("IAG006", "Dockerfile", True), ("IAG006", "demo.ipynb", True),
    ]


def test_env_file_entries_in_their_long_form_link_the_file_from_the_compose_folder(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "deploy/compose.yaml": "services:\n  app:\n    env_file:\n      - path: ../config/.env.production\n        required: false\n",
        "config/.env.production": f"OPENAI_API_KEY={OPENAI}\nLOG_LEVEL=info\n",
    })
    inventory = scan_path(root, scope="all").inventory
    assert [(u.workload, u.credential, u.via, u.env_var) for u in inventory.usages] == [
        ("compose:deploy/compose.yaml/services/app", "dotenv:config/.env.production/OPENAI_API_KEY",
         "env_file ../config/.env.production", "OPENAI_API_KEY"),
    ]


def test_a_compose_file_that_is_no_mapping_is_an_error(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"docker-compose.yml": "- just\n- a list\n"})
    result = scan_path(root, scope="all")
    assert [(e.file, e.message) for e in result.errors] == [
        ("docker-compose.yml", "a Compose file must be a mapping (services:, secrets:, ...)"),
    ]


def test_build_arguments_are_declared_names_not_words_of_a_quoted_default(tmp_path: Path) -> None:
    """``ARG HINT="set your API_KEY"`` declares HINT only; ``ARG A B_TOKEN`` declares both."""
    root = write_project(tmp_path, {"Dockerfile": 'FROM alpine\nARG HINT="set your API_KEY first" APP_VERSION=1\nARG A B_TOKEN\n'})
    assert finding_keys(scan_path(root, scope="all")) == [("IAG008", "docker-build-arg:Dockerfile/B_TOKEN", "Dockerfile", 3)]

