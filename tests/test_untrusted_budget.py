"""Issue #11, the evaluation budget and linear-time regular expressions: a few bytes of hostile
HCL or a hostile policy pattern must end in an error for that file (exit 2), in bounded time and
memory, while the rest of the tree — here FAILING_TF — is still judged."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import evaluate
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scanning import scan_path, settings
from untrusted_support import FAILING_FINDINGS, FAILING_TF, scan_json, write_tree

from iac_guard.cli import main
from iac_guard.model import Unknown
from iac_guard.pipeline.run import load_pack, run_scan
from iac_guard.policy.loader import PolicyError, load_policies
from iac_guard.terraform.budget import MAX_ELEMENTS, MAX_INTEGER_BITS, MAX_STRING_LENGTH

STRING_LIMIT = f"a string would be longer than {MAX_STRING_LENGTH:,} characters (evaluation limit)"
ELEMENT_LIMIT = f"a value would hold more than {MAX_ELEMENTS:,} elements (evaluation limit)"
INTEGER_LIMIT = f"a number would be larger than {MAX_INTEGER_BITS} bits (evaluation limit)"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from fuzz_evaluation import generate  # noqa: E402

STEP_LIMIT = "evaluation needs more than 524,288 steps for this root module (evaluation limit)"


def _chain(name: str, first: str, step: str, count: int) -> str:
    """``locals`` where each of ``count`` values is ``step`` applied to the one before."""
    lines = [f"  {name}0 = {first}"]
    lines += [f"  {name}{i + 1} = {step.format(p=f'local.{name}{i}')}" for i in range(count)]
    return "locals {\n" + "\n".join(lines) + "\n}\n"


def _user(value: str) -> str:
    return f'resource "aws_iam_user" "hostile" {{\n  name = {value}\n}}\n'


#: A thousand dynamic statements that each repeat local.p15 (32,768 actions).
POLICY_DOCUMENT = """
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = range(1000)
    content {
      actions   = local.p15
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "openai"
  policy = data.aws_iam_policy_document.p.json
}
"""

#: (id, hostile file, the errors as (line, message)) — each observed on main as a hang or a
#: MemoryError/internal error.
HOSTILE = [
    ("doubling-strings", _chain("a", '"ab"', '"${{{p}}}${{{p}}}"', 40) + _user("local.a40"), [(24, STRING_LIMIT)]),
    ("huge-range", _user("length(range(1000000000))"), [(2, ELEMENT_LIMIT)]),
    ("format-width", _user('format("%0999999999d", 1)'), [(2, STRING_LIMIT)]),
    ("integer-squared", _chain("n", "99999999999", "{p} * {p}", 30) + _user("local.n30"), [(7, INTEGER_LIMIT)]),
    ("nested-for", _user("length([for i in range(20000) : [for j in range(20000) : j]])"), [(2, ELEMENT_LIMIT)]),
    ("shared-halves", _chain("l", '["x"]', "[{p}, {p}]", 40) + _user("jsonencode(local.l40)"),
     # l15 is too large; from l16 on, halves of unknowns double again until l31
     [(17, ELEMENT_LIMIT), (33, ELEMENT_LIMIT)]),
    ("join-growth", _chain("j", '["abcdefgh"]', 'concat({p}, {p})', 30) + _user('join(",", local.j30)'), [(18, ELEMENT_LIMIT)]),
    ("replace-growth", _chain("r", '"a"', 'replace({p}, "a", "aaaaaaaa")', 12) + _user("local.r12"), [(10, STRING_LIMIT)]),
    ("regex-replace-growth", _chain("g", '"ab"', 'replace({p}, "/(a|b)/", "$1$1$1")', 20) + _user("local.g20"), [(12, STEP_LIMIT)]),
    ("regexall-everywhere", _chain("s", '"ab"', '"${{{p}}}${{{p}}}"', 20) + _user('length(regexall("", local.s20))'), [(25, STEP_LIMIT)]),
    ("work", _chain("w", "[for i in range(50000) : i]", "[for x in {p} : x + 1]", 40) + _user("length(local.w40)"), [(4, STEP_LIMIT)]),
    ("policy-document-repeats", _chain("p", '["s3:GetObject"]', "concat({p}, {p})", 15) + POLICY_DOCUMENT, [(32, ELEMENT_LIMIT)]),
    ("invalid-pattern", _user('replace("abc", "/(/", "b")'), [(2, "invalid regular expression (missing ))")]),
    ("invalid-regex", _user('regex("[a", "abc")'), [(2, "invalid regular expression (missing ])")]),
    ("pattern-through-try", _user('try(regexall("(", "abc"), [])'), [(2, "invalid regular expression (missing ))")]),
]


@pytest.mark.parametrize(("hostile", "errors"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_over_budget_is_an_error_for_the_file_and_the_rest_is_judged(tmp_path: Path, hostile: str, errors: list) -> None:
    write_tree(tmp_path, {"hostile/main.tf": hostile, "secret/main.tf": FAILING_TF})
    result = scan_path(tmp_path)
    assert result.exit_code == 2
    assert [(e.line, e.message) for e in result.errors] == errors
    assert {e.file for e in result.errors} == {"hostile/main.tf"}
    assert {(f.policy_id, f.resource) for f in result.findings} == FAILING_FINDINGS


def test_the_same_root_still_judges_its_other_resources(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": FAILING_TF + _user('format("%0999999999d", 1)')})
    result = scan_path(tmp_path)
    assert result.exit_code == 2
    assert [(e.file, e.line, e.message) for e in result.errors] == [("main.tf", 10, STRING_LIMIT)]
    assert {(f.policy_id, f.resource) for f in result.findings} == FAILING_FINDINGS


def test_a_root_that_spends_its_budget_still_has_its_hardcoded_secret_found(tmp_path: Path) -> None:
    work = _chain("w", "[for i in range(50000) : i]", "[for x in {p} : x + 1]", 40) + _user("length(local.w40)")
    write_tree(tmp_path, {"main.tf": FAILING_TF + work})
    result = scan_path(tmp_path)
    assert result.exit_code == 2
    assert [(e.file, e.line, e.message) for e in result.errors] == [("main.tf", 12, STEP_LIMIT)]
    assert {(f.policy_id, f.resource) for f in result.findings} == FAILING_FINDINGS


def test_a_chain_of_locals_deeper_than_the_stack_is_an_error_not_a_silent_unknown(tmp_path: Path) -> None:
    write_tree(tmp_path, {"hostile/main.tf": _chain("d", '"x"', "{p}", 3000) + _user("local.d3000"), "secret/main.tf": FAILING_TF})
    result = scan_path(tmp_path)
    assert result.exit_code == 2
    # The line is that of the deepest local the stack still had room to report from.
    assert [(e.file, e.message) for e in result.errors] == [("hostile/main.tf", "expressions nest too deeply to evaluate (evaluation limit)")]
    assert {(f.policy_id, f.resource) for f in result.findings} == FAILING_FINDINGS


def test_an_over_budget_tfvars_value_is_an_error_for_the_tfvars_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "main.tf": FAILING_TF + 'variable "x" {}\n' + _user("var.x"),
        "terraform.tfvars": 'x = format("%0999999999d", 1)\n',
    })
    result = scan_path(tmp_path)
    assert [(e.file, e.line, e.message) for e in result.errors] == [("terraform.tfvars", 1, STRING_LIMIT)]
    assert result.exit_code == 2
    assert {(f.policy_id, f.resource) for f in result.findings} == FAILING_FINDINGS


@pytest.mark.parametrize(
    "expression",
    [
        'format("%0999999999d", 1)',
        "length(range(1000000000))",
        'length(regexall("", join("", [for i in range(70000) : "a"])))',
    ],
)
def test_an_over_budget_value_is_unknown_never_a_wrong_known_value(expression: str) -> None:
    assert isinstance(evaluate(expression), Unknown)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('length(format("%0100000d", 1))', 100000),
        ("length(range(65535))", 65535),
        ('length(join(",", [for i in range(20000) : "abcdefgh"]))', 20000 * 9 - 1),
        ("length(distinct(concat(range(30000), range(30000))))", 30000),
        ("340282366920938463463374607431768211456 * 340282366920938463463374607431768211456", 2**256),
    ],
)
def test_large_values_real_terraform_could_use_are_within_the_budget(expression: str, expected: object) -> None:
    assert evaluate(expression) == expected


def test_a_function_given_the_wrong_types_is_unknown_not_a_crash() -> None:
    """Found by the fuzzer: join() with a list for its separator was an internal error."""
    assert isinstance(evaluate('join(["a"], ["b", "c"])'), Unknown)


# -- Terraform's regular expressions, with RE2 --------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc"),
        ('regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ["2019", "02", "01"]),
        ('regex("^(?P<scheme>[a-z]+)://(?P<host>[^/]+)", "https://example.com/x")', {"scheme": "https", "host": "example.com"}),
        ('regex("(a)(b)?", "ac")', ["a", None]),
        ('regexall("[a-z]+", "1234abcd5678efgh9")', ["abcd", "efgh"]),
        ('regexall("(\\\\d)([a-z])", "1a2b")', [["1", "a"], ["2", "b"]]),
        ('length(regexall("[a-z]+", "123456789")) > 0', False),
        ('replace("hello world", "/w.*d/", "everybody")', "hello everybody"),
        ('replace("John Doe", "/(\\\\w+) (?P<last>\\\\w+)/", "$2, $1 ($${last}) $$5 $9")', "Doe, John (Doe) $5 "),
        ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
        ('replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "/(a+)+$/", "b")', "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"),
        ('can(regex("^[a-z]+$", "ABC"))', False),
    ],
)
def test_regular_expression_functions_follow_terraform(expression: str, expected: object) -> None:
    assert evaluate(expression) == expected


@pytest.mark.parametrize("expression", ['regex("x", "abc")', 'regex("(?P<a>x)(y)", "xy")'])
def test_a_regex_terraform_rejects_at_plan_time_is_unknown(expression: str) -> None:
    assert isinstance(evaluate(expression), Unknown)


# -- policy packs -------------------------------------------------------------------------------


def _pack(folder: Path, pattern: str) -> Path:
    policy = {
        "id": "ACME1",
        "title": "Secret names that backtrack",
        "category": "custom-name",
        "severity": "low",
        "description": "d",
        "remediation": "r",
        "fails_when": {"field": "address", "matches": pattern},
        "message": "{address} matched",
    }
    folder.mkdir(parents=True)
    (folder / "acme.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    return folder


def test_an_invalid_policy_pattern_is_a_load_error_naming_file_and_policy(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "pack", "(unclosed")
    with pytest.raises(PolicyError) as caught:
        load_policies([pack])
    assert str(caught.value) == f"{pack / 'acme.yaml'}: fails_when.matches: invalid regular expression (missing )) (policy ACME1)"


def test_an_invalid_policy_pattern_fails_the_scan_and_policies_validate(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "pack", "(unclosed")
    write_tree(tmp_path / "tree", {"main.tf": FAILING_TF})
    problem = f"{pack / 'acme.yaml'}: fails_when.matches: invalid regular expression (missing )) (policy ACME1)"
    scan = CliRunner().invoke(main, ["scan", str(tmp_path / "tree"), "--policy-dir", str(pack), "--no-cache"])
    assert (scan.exit_code, problem in scan.output) == (2, True)
    validate = CliRunner().invoke(main, ["policies", "validate", str(pack)])
    assert validate.exit_code == 1  # validate's own contract: 1 for an invalid pack
    assert f"error: {problem}" in validate.output


def test_a_backtracking_policy_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    name = "a" * 5000 + "!"
    write_tree(tmp_path / "tree", {"main.tf": f'resource "aws_iam_user" "{name}" {{\n  name = "x"\n}}\n'})
    chosen = settings()
    policies = load_pack(chosen, [_pack(tmp_path / "pack", "(a+)+$")])
    result = run_scan([str(tmp_path / "tree")], chosen, policies)
    assert [f.policy_id for f in result.findings if f.policy_id == "ACME1"] == []
    assert result.errors == []


# -- bounded, as a CI runner runs it ----------------------------------------------------------


def test_every_hostile_case_at_once_stays_within_time_and_memory(tmp_path: Path) -> None:
    """One process over all the cases above, each its own root module: every one reported, the
    failing file still found, in seconds and well under the address-space limit."""
    files = {f"{case_id}/main.tf": hostile for case_id, hostile, _ in HOSTILE}
    write_tree(tmp_path, {**files, "secret/main.tf": FAILING_TF})
    run = scan_json(tmp_path)
    run.assert_clean_failure()
    assert run.exit_code == 2
    expected = sorted((f"{case_id}/main.tf", line, message) for case_id, _, errors in HOSTILE for line, message in errors)
    assert sorted((e["file"], e["line"], e["message"]) for e in run.report["errors"]) == expected
    assert run.findings() == FAILING_FINDINGS
    assert run.seconds < 25
    assert run.peak_rss < 400 * 1024 * 1024


def test_a_backtracking_policy_pattern_in_a_pack_does_not_hang_the_process(tmp_path: Path) -> None:
    name = "a" * 20000 + "!"
    write_tree(tmp_path / "tree", {"main.tf": f'resource "aws_iam_user" "{name}" {{\n  name = "x"\n}}\n', "secret/main.tf": FAILING_TF})
    run = scan_json(tmp_path / "tree", "--policy-dir", str(_pack(tmp_path / "pack", "(a+)+$")))
    run.assert_clean_failure()
    assert run.exit_code == 1
    assert run.findings() == FAILING_FINDINGS
    assert run.seconds < 25


# -- fuzz: mutated expressions inside evaluable files (benchmarks/fuzz_evaluation.py runs longer) ---


@hypothesis_settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_mutated_evaluable_terraform_never_crashes_and_the_failing_file_is_still_found(tmp_path: Path, rng: random.Random) -> None:
    folder = tmp_path / str(rng.random())
    write_tree(folder, {"fuzz/main.tf": generate(rng), "secret/main.tf": FAILING_TF})
    started = time.monotonic()
    result = scan_path(folder)
    assert time.monotonic() - started < 15
    assert result.exit_code in (1, 2)
    assert {e.file for e in result.errors} <= {"fuzz/main.tf"}
    assert FAILING_FINDINGS <= {(f.policy_id, f.resource) for f in result.findings}
