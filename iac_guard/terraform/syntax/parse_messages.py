"""Parser failures in plain words, for ``.tf`` and ``.tfvars`` files alike.

Lark names what it met and what it wanted by its grammar's terminal names (``INT_LITERAL``,
``NL_OR_COMMENT``, ``RSQB``), which mean nothing to whoever wrote the file. Each is said here as
the thing a person typed. The words come from the token *type* only, never its text: on a line
holding a secret, the offending token is the secret.
"""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

#: python-hcl2's terminals, as a person would name them.
TOKEN_WORDS = {
    "NAME": "a name",
    "STRING_CHARS": "text",
    "TEMPLATE_STRING": "a quoted string",
    "INT_LITERAL": "a number",
    "FLOAT_LITERAL": "a number",
    "NL_OR_COMMENT": "a line break",
    "HEREDOC_TEMPLATE": "a heredoc",
    "HEREDOC_TEMPLATE_TRIM": "a heredoc",
    "ESCAPED_INTERPOLATION": "an escaped '$${'",
    "ESCAPED_DIRECTIVE": "an escaped '%%{'",
    "INTERP_START": "'${'",
    "DIRECTIVE_START": "'%{'",
    "FULL_SPLAT_START": "'[*]'",
    "ATTR_SPLAT": "'.*'",
    "FOR_OBJECT_ARROW": "'=>'",
    "ELLIPSIS": "'...'",
    "COLONS": "'::'",
    "DOUBLE_EQ": "'=='",
    "NEQ": "'!='",
    "LEQ": "'<='",
    "GEQ": "'>='",
    "DOUBLE_AMP": "'&&'",
    "DOUBLE_PIPE": "'||'",
    "LT": "'<'",
    "GT": "'>'",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "ASTERISK": "'*'",
    "SLASH": "'/'",
    "PERCENT": "'%'",
    "NOT": "'!'",
    "QMARK": "'?'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "DOT": "'.'",
    "EQ": "'='",
    "COLON": "':'",
    "DBLQUOTE": "'\"'",
    "STRIP_MARKER": "'~'",
    "$END": "the end of the file",
    **{keyword.upper(): f"'{keyword}'" for keyword in ("if", "in", "for", "for_each", "else", "endif", "endfor", "null", "true", "false")},
}
END_OF_FILE = "unexpected end of file (an unclosed block, string or bracket?)"
#: Terminals only the start of an expression accepts: a parser wanting them wants a value.
_VALUE_STARTS = frozenset({"INT_LITERAL", "DBLQUOTE", "NAME", "LSQB", "LBRACE"})


def token_words(token_type: str) -> str:
    """A terminal as a person names it; one this table does not know (a grammar changed with a
    python-hcl2 release) is "a symbol", never its internal name."""
    return TOKEN_WORDS.get(token_type, "a symbol")


def describe(exc: UnexpectedInput) -> str:
    """What the parser met and, when it wanted few things, what it wanted, in plain words."""
    if isinstance(exc, UnexpectedEOF):
        return END_OF_FILE
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            return END_OF_FILE
        return f"{_met(exc)} was not expected here{_wanted(set(exc.accepts or exc.expected))}"
    if isinstance(exc, UnexpectedCharacters):
        return "a character that is not HCL syntax here"
    return "syntax error"


def _met(exc: UnexpectedToken) -> str:
    """What was met. Whether the token starts with a line break is all its text is asked: a
    value left out at the end of a line (``name =``) lexes as text from that line break on,
    which is "a line break" to a reader."""
    if exc.token.type == "STRING_CHARS" and str(exc.token)[:1] in ("\n", "\r"):
        return "a line break"
    return token_words(exc.token.type)


def _wanted(expected: set[str]) -> str:
    """What was wanted, when it is a value or one of a few things; nothing for a long list."""
    if _VALUE_STARTS <= expected:
        return "; expected a value (a string, number, name, list or object)"
    words = sorted({token_words(name) for name in expected})
    return f"; expected {' or '.join(words)}" if 0 < len(words) <= 3 else ""
