"""tree-sitter and Lark read every file into the same nodes (issue 18): a differential test.

Every ``.tf``/``.tfvars`` under tests/fixtures and examples, a generated corpus and a table of
written cases are parsed both ways and compared by ``repr`` (so ``1`` and ``1.0``, ``True`` and
``1``, and the order of a body's attributes all count). A case Lark must read (a syntax error, a
line break Lark's grammar refuses, a number tree-sitter alone knows) is checked to be read by
Lark, with Lark's message; every other case is checked to be read by tree-sitter.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from iac_guard.load import parse_cache
from iac_guard.model import ScanError
from iac_guard.support.store import Cache
from iac_guard.terraform.syntax import grammar, sitter
from iac_guard.terraform.syntax.convert import parse_template_text
from iac_guard.terraform.syntax.nodes import GetAttr, Template, Variable
from iac_guard.terraform.syntax.parse import TerraformFile, lark_parse_text, parse_json_text, parse_text
from iac_guard.terraform.syntax.sitter_convert import parse_interpolation, sitter_body

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

from generate_corpus import generate  # noqa: E402 - the benchmark's generator, on the path above

REPO = Path(__file__).parent.parent


def both(text: str) -> tuple[str, str]:
    """(Lark's reading, the default reading), each as its repr."""
    return repr(lark_parse_text(text, "main.tf")), repr(parse_text(text, "main.tf"))


def read_by_sitter(text: str) -> bool:
    return sitter_body(text) is not None


def terraform_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".tf", ".tfvars", ".hcl") and p.is_file())


def test_tree_sitter_is_the_parser_in_use() -> None:
    assert sitter.parser_name().startswith("tree-sitter/")


def test_every_fixture_and_example_parses_to_identical_nodes() -> None:
    files = terraform_files(REPO / "tests" / "fixtures", REPO / "examples")
    assert len(files) >= 120
    for path in files:
        text = path.read_bytes().decode("utf-8-sig")
        lark, default = both(text)
        assert default == lark, path
        assert read_by_sitter(text), path  # none of them is one Lark must read
        assert isinstance(lark_parse_text(text, "main.tf"), TerraformFile), path


def test_a_generated_corpus_parses_to_identical_nodes(tmp_path: Path) -> None:
    generate(tmp_path, 2000, seed=18)
    files = terraform_files(tmp_path)
    assert len(files) >= 1100
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert read_by_sitter(text), path
        lark, default = both(text)
        assert default == lark, path


#: Written cases tree-sitter reads, each into Lark's nodes.
SITTER_CASES = [
    'a = "x${b}y$${c}z%%{d}w\\n\\t\\u00e9"\n',
    "a = <<EOT\nhello ${var.x}\n  ${ upper(local.y) } and $${z}\nEOT\n",
    "a = <<-EOT\n    hello ${var.x}\n      ${ upper(\n  local.y) }\n    EOT\n",
    "a = <<EOT\n%{ if x }y%{ endif }\nEOT\n",
    "a = <<EOT\nEOT\n",
    "a = <<EOF\n  {\"a\": \"${b}\"}\nEOF\nb = 2\n",
    "a = <<EOT\n${a}\r\nEOT\r\nb = 1\n",
    'a = "%{ for x in y }${x}%{ endfor }"\n',
    "a = x ? y : z ? w : v\nb = (x ? y : z) ? w : v\nc = x ? (y ? 1 : 2) : 3\n",
    "a = var.a.b[0].c[*].d\nb = var.a.*.b.c\nc = (var.a).b\nd = x.0.y\ne = x[*]\nf = var.x[*].id[0]\n",
    "a = !var.enabled\nb = x == 1 && y != 2 || !z\nc = x % 2 * 3 / 4 + 5 - 6 < 7\nd = a >= b <= c > d\ne = -x.y\n",
    "a = -12\nb = -1\nc = -07\nd = -2.5\ne = [1, -1, -12, -0.5]\nf = - 1\ng = 2 - -3\nh = b -1\ni = 10 - 2\n",
    "a = provider::aws::arn_parse(var.arn).account_id\nb = f(a, b...)\nc = f()\nd = lookup(var.m, \"k\", null)\n",
    'a = [for k, v in var.m : v if k != "x"]\nb = { for k, v in var.m : upper(k) => v... if v != null }\n',
    'a = {\n  in = 1\n  for = 2\n  "q" = 3\n  (local.k) = 4\n  a.b = 5\n}\nb = { x = 1, y = 2, }\nc = { a = 1 b = 2 }\n',
    'resource "aws_iam_user" "u" {\n  name = "a" # c\n  /* block */\n  tags = {}\n}\ndata aws_caller_identity current {}\n',
    'a = jsonencode({\n  Version = "2012-10-17"\n  Statement = [{\n    Effect = "Allow"\n  }]\n})\n',
    'a = "${a}"\nb = "${a}${b}"\nc = ""\nd = "a\\"b"\ne = true\nf = false\ng = null\nh = 1.5\ni = 007\n',
    'a = 1 +\n  2\nb = [\n  1,\n  2\n]\nc = f(\n  1,\n  2,\n)\nd = "${a ? "b" : "c"}"\n',
    'a = "$"\nb = "%"\nc = "$$"\nd = "a$b"\ne = "a$${b}c${d}e"\nf = "%%{ x }${y}"\ng = "${x}$"\n',
    'a = 1 b = 2\nc = try(var.x, null) != null ? 1 : 0\nd = {}\ne = []\nf = "x" // comment\n',
    'resource "x" "y" {\r\n  a = "b"\r\n}\r\n',
    "",
    "# only a comment\n",
]


@pytest.mark.parametrize("text", SITTER_CASES)
def test_written_cases_parse_to_identical_nodes_by_tree_sitter(text: str) -> None:
    lark, default = both(text)
    assert default == lark
    assert read_by_sitter(text)
    assert isinstance(parse_text(text, "main.tf"), TerraformFile)


VALUE = "; expected a value (a string, number, name, list or object)"
#: Written cases Lark reads: (source, Lark's message, or None where Lark parses the file).
LARK_CASES = [
    ("a = 1e3\n", None),  # tree-sitter's numbers need a fraction before an exponent
    ("a = 0x1F\n", "unexpected end of file (an unclosed block, string or bracket?)"),
    ("a = -12.x\n", None),  # Lark's number -12 is the term the access applies to
    ("a = b -12\n", "a number was not expected here"),
    ('a = "$${"\n', "a character that is not HCL syntax here"),
    ('resource "a%{b" "c" {\n}\n', "text was not expected here"),
    ("a = x\n  .y\n", "'.' was not expected here"),
    ("a =\n  1\n", "a line break was not expected here" + VALUE),
    ("a = {\n  b =\n  2\n}\n", "a line break was not expected here" + VALUE),
    ("a = {\n  b\n  = 2\n}\n", "a line break was not expected here; expected ':' or '='"),
    ("a = !\n  b\n", "a line break was not expected here" + VALUE),
    ('a = "${\n x}"\n', "a line break was not expected here" + VALUE),
    ('a = "${~ x ~}"\n', "text was not expected here" + VALUE),
    ("a = [1, 2\n", "unexpected end of file (an unclosed block, string or bracket?)"),
    ('locals {\n  é = 1\n}\n', "text was not expected here"),
    ("a = !-x\n", "text was not expected here" + VALUE),
    ("a = <<EOT  \nfoo\nEOT\n", "text was not expected here" + VALUE),
    ("a = " + "[" * 70 + "]" * 70 + "\n", "nesting deeper than 64 levels"),
]


@pytest.mark.parametrize(("text", "message"), LARK_CASES)
def test_cases_tree_sitter_cannot_read_as_lark_does_are_read_by_lark(text: str, message: str | None) -> None:
    lark, default = both(text)
    assert default == lark
    assert not read_by_sitter(text)
    parsed = parse_text(text, "main.tf")
    if message is None:
        assert isinstance(parsed, TerraformFile)
    else:
        assert isinstance(parsed, ScanError) and parsed.message == message


_MUTATIONS = list('-+*/!?:=.,[](){}"$%#\n \\<>&|~') + ["${", "%{", "<<EOT\n", "\nEOT\n", "-1", "-12", "1.5", "/*", "*/"]


def test_mutated_files_parse_to_identical_nodes_or_go_to_lark() -> None:
    """Broken and odd files, made by mutating fixtures: whatever tree-sitter accepts is built as
    Lark builds it, and enough of them are accepted for that to mean something."""
    files = terraform_files(REPO / "tests" / "fixtures" / "terraform")
    rng = random.Random(18)
    accepted = 0
    for _ in range(400):
        text = rng.choice(files).read_text(encoding="utf-8")
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(_MUTATIONS) + text[at + rng.randint(0, 1) :]
        lark, default = both(text)
        assert default == lark, text
        accepted += read_by_sitter(text)
    assert accepted >= 60


@pytest.fixture
def without_tree_sitter(monkeypatch: pytest.MonkeyPatch):
    """As where the wheels are missing: importing tree_sitter_hcl fails."""
    monkeypatch.setitem(sys.modules, "tree_sitter_hcl", None)
    sitter.reset()
    parse_cache.versions.cache_clear()
    yield
    monkeypatch.undo()
    sitter.reset()
    parse_cache.versions.cache_clear()


def test_without_the_wheels_lark_parses_every_file(without_tree_sitter: None) -> None:
    text = SITTER_CASES[1]
    assert sitter.parser_name() == "lark"
    assert sitter_body(text) is None
    assert repr(parse_text(text, "main.tf")) == repr(lark_parse_text(text, "main.tf"))
    assert isinstance(parse_text("a = [1, 2\n", "main.tf"), ScanError)


def test_the_environment_can_ask_for_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sitter.PARSER_ENV, "lark")
    sitter.reset()
    try:
        assert sitter.parser_name() == "lark"
        assert sitter_body("a = 1\n") is None
    finally:
        monkeypatch.delenv(sitter.PARSER_ENV)
        sitter.reset()
    assert sitter_body("a = 1\n") is not None


def test_the_parse_cache_key_names_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree tree-sitter built is never read back by a process parsing with Lark, nor the reverse."""
    parse_cache.versions.cache_clear()
    with_sitter = parse_cache.entry_name("terraform", "main.tf", b"a = 1\n")
    monkeypatch.setitem(sys.modules, "tree_sitter_hcl", None)
    sitter.reset()
    parse_cache.versions.cache_clear()
    try:
        with_lark = parse_cache.entry_name("terraform", "main.tf", b"a = 1\n")
        assert "/lark/" in parse_cache.versions()
    finally:
        monkeypatch.undo()
        sitter.reset()
        parse_cache.versions.cache_clear()
    assert with_sitter != with_lark
    assert "/tree-sitter/" in parse_cache.versions()
    assert parse_cache.entry_name("terraform", "main.tf", b"a = 1\n") == with_sitter


def test_lark_is_built_only_when_a_file_needs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where tree-sitter reads the files, a scan of sound files never builds Lark's parser; the
    first broken file builds it, from the cache's tables as before (and keeps them there)."""
    monkeypatch.setattr(grammar, "_parser", None)
    cache = Cache.open(tmp_path / "cache")
    assert cache is not None
    parse_cache.warm_parser(cache)
    assert isinstance(parse_text(SITTER_CASES[1], "main.tf"), TerraformFile)
    assert not grammar.parser_loaded()
    broken = parse_text("a = [1, 2\n", "main.tf")
    assert isinstance(broken, ScanError) and broken.message.startswith("unexpected end of file")
    assert grammar.parser_loaded()
    name = grammar.tables_name()
    assert name is not None and cache.get(name) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a = " + " + ".join(["1"] * 3000) + "\n",
        "a = " + " ? 1 : ".join(["x"] * 3000) + " ? 1 : 2\n",
        "a = x" + ".y" * 3000 + "\n",
        "a = x" + "[0]" * 3000 + "\n",
        "a = " + "f(" * 3000 + "\n",
        "a {\n" * 3000,
    ],
)
def test_long_chains_and_deep_nesting_go_to_lark_and_end_in_its_error(text: str) -> None:
    """Chains tree-sitter lists flat nest in our nodes; past the bound Lark reads them, and the
    error is Lark's (its nesting bound, or "too deep to parse"), never a RecursionError here."""
    assert not read_by_sitter(text)
    parsed = parse_text(text, "main.tf")
    assert isinstance(parsed, ScanError)
    assert parsed.message in ("nesting deeper than 64 levels", "nesting is too deep to parse")
    assert repr(parsed) == repr(lark_parse_text(text, "main.tf"))


#: Template texts by what they hold.
TEMPLATE_TEXTS = {
    "policy JSON": '{"Resource": "${aws_s3_bucket.logs.arn}/*", "Account": "${data.aws_caller_identity.current.account_id}"}\n',
    "indexes and calls": "key = ${var.keys[0]}, ${upper(local.names[\"a\"])} and $${literal}\n",
    "operators": "${ var.enabled ? \"on\" : \"off\" }\n${ -12 } ${ -1 } ${ [for x in var.l : x] }\n",
    "multi-line": "${\n  jsonencode({ a = 1 })\n}\n",
    "Lark's alone": "${ 1e3 } ${ x\n .y } ${ } ${ unclosed\n",
    "directive": "%{ for name in var.names }${name}%{ endfor }\n",
    "no interpolation": "plain text, no interpolation\n",
}


@pytest.mark.parametrize("text", TEMPLATE_TEXTS.values(), ids=TEMPLATE_TEXTS.keys())
def test_template_text_interpolations_parse_as_lark_parses_them(text: str) -> None:
    """JSON strings, heredocs and ``templatefile`` texts: each ``${…}`` as Lark reads it, by
    tree-sitter where it reads it alike (``1e3``, a line break before ``.y`` and ``${ }`` go to Lark)."""
    assert repr(parse_template_text(text, 7, parse_interpolation)) == repr(parse_template_text(text, 7))


def test_terraform_json_strings_need_no_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grammar, "_parser", None)
    source = '{"resource": {"aws_iam_access_key": {"ci": {"user": "${aws_iam_user.ci.name}", "pgp_key": "${var.key}"}}}}\n'
    parsed = parse_json_text(source, "main.tf.json")
    assert isinstance(parsed, TerraformFile)
    block = parsed.body.blocks[0]
    assert (block.type, block.labels) == ("resource", ("aws_iam_access_key", "ci"))
    user = block.body.attributes["user"].expr
    # line 2 for the outer node: split_template counts an interpolation's line as a heredoc's
    # (its text starting on the line after), and Lark's reading does the same
    assert user == Template((GetAttr(GetAttr(Variable("aws_iam_user", 1), "ci", 1), "name", 2),), 1)
    assert not grammar.parser_loaded()
    monkeypatch.setitem(sys.modules, "tree_sitter_hcl", None)
    sitter.reset()
    try:
        assert repr(parse_json_text(source, "main.tf.json")) == repr(parsed)  # read by Lark alone
        assert grammar.parser_loaded()
    finally:
        monkeypatch.undo()
        sitter.reset()
