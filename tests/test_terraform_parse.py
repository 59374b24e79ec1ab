"""parse_text / parse_file: Lark tree to typed AST with lines, and every failure as a ScanError."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import fake_key, parse
from scanning import scan_path

from iac_guard.model import ScanError
from iac_guard.terraform.syntax.nodes import (
    BinaryOp,
    Block,
    Call,
    Conditional,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    ObjectExpr,
    Splat,
    Template,
    TupleExpr,
    UnaryOp,
    Unsupported,
    Variable,
)
from iac_guard.terraform.syntax.parse import parse_file, parse_text
from iac_guard.terraform.syntax.references import references
from iac_guard.terraform.syntax.templates import Interpolation, split_template

OPENAI_KEY = fake_key("sk-proj-")


def expr_of(source: str, name: str = "x"):
    return parse(source).body.attributes[name].expr


def value_of(source: str, name: str = "x"):
    expr = expr_of(source, name)
    assert isinstance(expr, Literal), expr
    return expr.value


# -- structure and lines ------------------------------------------------------------------------

ROLE = '''# IAM role for the agent
resource "aws_iam_role" "agent" {
  name = "agent"

  inline_policy {
    name = "invoke"
    policy = jsonencode({
      Statement = []
    })
  }
}

provider aws {
  region = "eu-west-1"
}
'''


def test_blocks_keep_type_labels_and_first_and_last_line():
    body = parse(ROLE).body
    role, provider = body.blocks
    assert (role.type, role.labels, role.line, role.end_line) == ("resource", ("aws_iam_role", "agent"), 2, 11)
    assert (provider.type, provider.labels, provider.line, provider.end_line) == ("provider", ("aws",), 13, 15)


def test_nested_blocks_and_attributes_keep_their_own_lines():
    role = parse(ROLE).body.blocks[0]
    (inline,) = role.body.blocks_of("inline_policy")
    assert isinstance(inline, Block) and (inline.line, inline.end_line) == (5, 10)
    name = role.body.attributes["name"]
    policy = inline.body.attributes["policy"]
    assert (name.line, name.end_line) == (3, 3)
    assert (policy.line, policy.end_line) == (7, 9)
    assert isinstance(policy.expr, Call) and policy.expr.name == "jsonencode"


def test_duplicate_attribute_keeps_the_last_one():
    assert value_of('x = "first"\nx = "second"\n') == "second"


# -- literals and strings -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r'x = "say \"hi\""', 'say "hi"'),
        (r'x = "line\nnext\ttab"', "line\nnext\ttab"),
        (r'x = "caf\u00e9"', "café"),
        (r'x = "back\\slash"', "back\\slash"),
        ('x = "$${literal}"', "${literal}"),
        ('x = "%%{literal}"', "%{literal}"),
        ("x = 42", 42),
        ("x = 1.5", 1.5),
        ("x = 2e3", 2000.0),
        ("x = true", True),
        ("x = false", False),
        ("x = null", None),
    ],
)
def test_literal_values(source, expected):
    value = value_of(source + "\n")
    assert value == expected and type(value) is type(expected)


def test_interpolation_makes_a_template_of_text_and_expressions():
    expr = expr_of('x = "arn:aws:s3:::${var.bucket}/*"\n')
    assert isinstance(expr, Template)
    text_before, interpolation, text_after = expr.parts
    assert (text_before, text_after) == ("arn:aws:s3:::", "/*")
    assert interpolation == GetAttr(Variable("var", 1), "bucket", 1)


def test_labels_are_unescaped_strings():
    (block,) = parse('resource "aws_iam_role" "a\\u00e9" {}\n').body.blocks
    assert block.labels == ("aws_iam_role", "aé")


# -- heredocs -----------------------------------------------------------------------------------

HEREDOCS = '''locals {
  plain = <<EOF
Hello ${var.name}
  indented stays
EOF
  trimmed = <<-EOT
    {
      "Resource": "${aws_s3_bucket.b.arn}"
    }
    EOT
}
'''


def heredoc(name: str):
    (local_block,) = parse(HEREDOCS).body.blocks
    return local_block.body.attributes[name]


def test_heredoc_body_keeps_indentation_and_interpolations():
    expr = heredoc("plain").expr
    assert isinstance(expr, Template)
    assert expr.parts[0] == "Hello " and expr.parts[2] == "\n  indented stays\n"
    assert isinstance(expr.parts[1], GetAttr) and expr.parts[1].name == "name"


def test_indented_heredoc_removes_the_common_indentation():
    expr = heredoc("trimmed").expr
    assert isinstance(expr, Template)
    assert expr.parts[0] == '{\n  "Resource": "'
    assert expr.parts[2] == '"\n}\n'
    assert references(expr) == {"aws_s3_bucket.b"}


def test_interpolation_inside_heredoc_reports_its_own_line():
    assert heredoc("plain").expr.parts[1].line == 3
    assert heredoc("trimmed").expr.parts[1].line == 8


def test_heredoc_without_interpolation_is_a_literal():
    assert value_of("x = <<EOF\n  just text\nEOF\n") == "  just text\n"


def test_heredoc_turns_escaped_interpolation_into_literal_text():
    assert value_of("x = <<EOF\n$${not_a_reference}\nEOF\n") == "${not_a_reference}\n"


def test_heredoc_turns_escaped_directive_into_literal_text():
    assert value_of("x = <<EOF\n%%{not_a_directive}\nEOF\n") == "%{not_a_directive}\n"


def test_heredoc_attribute_ends_on_its_closing_marker():
    assert (heredoc("plain").line, heredoc("plain").end_line) == (2, 5)


def test_operator_expression_ends_on_its_own_line():
    attribute = parse("x = var.a == 1\ny = 2\n").body.attributes["x"]
    assert (attribute.line, attribute.end_line) == (1, 1)


# -- expressions --------------------------------------------------------------------------------

def test_for_expression_over_a_list_with_a_filter():
    expr = expr_of('x = [for s in var.names : upper(s) if s != ""]\n')
    assert isinstance(expr, ForExpr)
    assert (expr.key_var, expr.value_var, expr.key, expr.group) == (None, "s", None, False)
    assert expr.collection == GetAttr(Variable("var", 1), "names", 1)
    assert isinstance(expr.value, Call) and expr.value.name == "upper"
    assert isinstance(expr.condition, BinaryOp) and expr.condition.operator == "!="


def test_for_expression_producing_a_grouped_object():
    expr = expr_of("x = {for k, v in var.teams : v => k...}\n")
    assert isinstance(expr, ForExpr)
    assert (expr.key_var, expr.value_var, expr.group) == ("k", "v", True)
    assert expr.key == Variable("v", 1) and expr.value == Variable("k", 1)


@pytest.mark.parametrize("source", ["x = aws_instance.web[*].id\n", "x = aws_instance.web.*.id\n"])
def test_splats_apply_their_steps_to_each_item(source):
    expr = expr_of(source)
    assert isinstance(expr, Splat)
    assert expr.steps == ("id",)
    assert references(expr) == {"aws_instance.web"}


def test_conditional_and_operator_precedence():
    expr = expr_of("x = var.n + 2 * 3 > 6 && !var.off ? -1 : 1\n")
    assert isinstance(expr, Conditional)
    condition = expr.condition
    assert isinstance(condition, BinaryOp) and condition.operator == "&&"
    comparison, negation = condition.left, condition.right
    assert comparison.operator == ">" and comparison.left.operator == "+" and comparison.left.right.operator == "*"
    assert isinstance(negation, UnaryOp) and negation.operator == "!"
    assert isinstance(expr.if_true, (Literal, UnaryOp))


def test_index_and_object_keys():
    expr = expr_of('x = {name = var.names[0], "quoted key" = 1, (local.k) = 2}\n')
    assert isinstance(expr, ObjectExpr)
    keys = [key for key, _ in expr.items]
    assert keys[:2] == [Literal("name", 1), Literal("quoted key", 1)]
    assert isinstance(keys[2], GetAttr)
    assert isinstance(expr.items[0][1], Index)


def test_tuple_items():
    expr = expr_of('x = ["a", 1, true]\n')
    assert isinstance(expr, TupleExpr)
    assert [item.value for item in expr.items] == ["a", 1, True]


def test_provider_function_is_unsupported_but_still_links_its_arguments():
    expr = expr_of("x = provider::aws::arn_parse(aws_iam_role.agent.arn)\n")
    assert isinstance(expr, Unsupported) and expr.reason == "provider-defined function"
    assert references(expr) == {"aws_iam_role.agent"}


@pytest.mark.parametrize(
    "source",
    [
        'x = "%{ if var.on }yes%{ else }no%{ endif }"\n',
        'x = "%{ for n in var.names }${n},%{ endfor }"\n',
        "x = <<EOF\n%{ if var.on }yes%{ endif }\nEOF\n",
    ],
)
def test_template_directives_are_unsupported(source):
    assert isinstance(expr_of(source), Unsupported)


def test_references_name_addresses_not_attributes():
    expr = expr_of(
        "x = [var.region, local.tags.owner, module.net.vpc_id, aws_iam_role.r.arn, each.key, path.module]\n"
    )
    assert references(expr) == {"var.region", "local.tags", "module.net", "aws_iam_role.r", "each.key", "path.module"}


def test_data_source_reference_is_only_the_data_source_address():
    expr = expr_of("x = data.aws_iam_policy_document.p.json\n")
    assert references(expr) == {"data.aws_iam_policy_document.p"}


# -- errors -------------------------------------------------------------------------------------

def scan_error(source: str) -> ScanError:
    result = parse_text(source, "secrets.tf")
    assert isinstance(result, ScanError), result
    return result


def test_syntax_error_has_line_and_column_and_never_the_secret():
    line = f'api_key = "{OPENAI_KEY}" "oops"'
    error = scan_error(f"region = 1\n{line}\n")
    assert (error.file, error.line, error.column) == ("secrets.tf", 2, line.index('"oops"') + 1)
    assert OPENAI_KEY not in error.message and OPENAI_KEY[-8:] not in error.render()
    assert "oops" not in error.message


def test_stray_character_before_a_secret_names_token_kinds_only():
    error = scan_error(f'token = "{OPENAI_KEY}"\nother = @{OPENAI_KEY}\n')
    assert (error.line, error.column) == (2, 9)
    assert error.message == "text was not expected here; expected a value (a string, number, name, list or object)"
    assert "A1b2C3d4" not in error.render()


@pytest.mark.parametrize(("source", "message"), [
    ("x = [1 2]\n", "a number was not expected here; expected ',' or ']' or a line break"),
    ("x == 1\n", "'==' was not expected here"),
    ('"x" = 1\n', "'\"' was not expected here"),
    ("x = [for a in b a]\n", "a name was not expected here; expected ':' or a line break"),
    ("x = 1 +\n", "unexpected end of file (an unclosed block, string or bracket?)"),
    ("region = \nzone = 1\n", "a line break was not expected here; expected a value (a string, number, name, list or object)"),
])
def test_syntax_errors_are_in_plain_words_never_grammar_terminal_names(source: str, message: str) -> None:
    for name in ("terraform.tfvars", "main.tf"):
        error = parse_text(source, name)
        assert isinstance(error, ScanError) and error.message == message


def test_a_broken_tfvars_file_is_reported_in_plain_words_by_the_scan(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "region" {}\n', encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1"\nzones = ["a" "b"]\n', encoding="utf-8")
    result = scan_path(tmp_path)
    assert [e.render() for e in result.errors] == ["terraform.tfvars:2:14: '\"' was not expected here; expected ',' or ']' or a line break"]


def test_unclosed_block_is_reported_at_end_of_file():
    source = 'resource "aws_iam_user" "ci" {\n  name = "ci"\n'
    error = scan_error(source)
    assert error.line == source.count("\n") + 1
    assert error.message.startswith("unexpected end of file")


def test_unterminated_string_never_shows_its_content():
    error = scan_error(f'key = "{OPENAI_KEY}\nnext = 1\n')
    assert error.line is not None and OPENAI_KEY not in error.render()


def test_crlf_input_parses_like_lf():
    source = 'resource "aws_iam_user" "ci" {\n  name = "ci"\n  tags = {\n    owner = "ops"\n  }\n}\n'
    lf, crlf = parse(source), parse(source.replace("\n", "\r\n"))
    assert crlf == lf


def test_crlf_heredoc_body_has_no_carriage_return():
    assert value_of("x = <<EOF\r\nfirst\r\nsecond\r\nEOF\r\n") == "first\nsecond\n"


def test_deep_nesting_is_a_scan_error_not_a_crash():
    error = scan_error("x = " + "[" * 3000 + "]" * 3000 + "\n")
    assert (error.message, error.line, error.column) == ("nesting deeper than 64 levels", 1, 69)  # the 65th "["


def write_bytes(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "main.tf"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'name = "a\x00b"\n', "binary content (NUL byte): not a Terraform file"),
        (b'name = "caf\xe9"\n', "not UTF-8 text (invalid byte at offset 11)"),
    ],
)
def test_unreadable_files_are_scan_errors(tmp_path, content, message):
    result = parse_file(write_bytes(tmp_path, content), "main.tf")
    assert result == ScanError("main.tf", message)


def test_missing_file_is_a_scan_error(tmp_path):
    result = parse_file(tmp_path / "gone.tf", "gone.tf")
    assert isinstance(result, ScanError) and result.message.startswith("cannot read the file")


def test_byte_order_mark_is_ignored(tmp_path):
    result = parse_file(write_bytes(tmp_path, b'\xef\xbb\xbfname = "ci"\n'), "main.tf")
    assert not isinstance(result, ScanError)
    assert result.body.attributes["name"].expr == Literal("ci", 1)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a $${b} ${c} %%{d} $$${e}\n", ["a ${b} ", Interpolation("c", 2), " %{d} $${e}\n"]),
        ("x\ny ${z}", ["x\ny ", Interpolation("z", 3)]),
        ("${a}${ b }", [Interpolation("a", 2), Interpolation(" b ", 2)]),
        ('${ f("}") }.', [Interpolation(' f("}") ', 2), "."]),
        ("", []),
        ("${ a", Unsupported("unterminated interpolation", 1)),
        ("%{ if a }b%{ endif }", Unsupported("template directive", 1)),
    ],
)
def test_template_text_splits_into_text_and_interpolations(text: str, parts: object) -> None:
    """Escapes become their literal text, each ``${…}`` keeps its source and line (the text's
    first line counts as the line after ``line``, as in a heredoc)."""
    assert split_template(text, 1) == parts
