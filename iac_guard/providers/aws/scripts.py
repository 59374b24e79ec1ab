"""Startup scripts of EC2 instances and launch templates: ``user_data`` heredocs often export an
API key or an AWS key pair for the software they install (``export OPENAI_API_KEY=sk-…``)."""

from __future__ import annotations

from ...model import Credential, Location, SecretLiteral
from ...terraform.syntax.nodes import Call, Expr
from ...terraform.view import Resource
from ..common.literals import heredoc_first_line, literal_credential
from ..common.secret_values import literals_in
from .context import AwsModule

#: The attributes that hold a script run at boot, by resource type.
_SCRIPT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_instance": ("user_data", "user_data_base64"),
    "aws_launch_template": ("user_data",),
    "aws_launch_configuration": ("user_data", "user_data_base64"),
}
#: Calls that only encode the script they wrap (``user_data = base64encode(<<-EOF … EOF)``).
_ENCODINGS = frozenset({"base64encode", "base64gzip"})


def script_credentials(aws: AwsModule) -> list[Credential]:
    """The keys written into each resource's startup script, as one literal credential per resource,
    each key at its own line of the script when the script is a heredoc."""
    found = []
    for resource in aws.module.resources_of(*_SCRIPT_ATTRIBUTES):
        literals = tuple(lit for name in _SCRIPT_ATTRIBUTES[resource.resource_type] for lit in _script_literals(resource, name))
        if literals:
            found.append(literal_credential(resource, "aws", literals))
    return found


def _script_literals(resource: Resource, attribute: str) -> tuple[SecretLiteral, ...]:
    written = resource.attribute(attribute)
    if written is None:
        return ()
    expression = _script(written.expr)
    text = resource.literal_of(expression)
    location = Location(resource.file, written.line, written.end_line)
    return literals_in(text, attribute, location, first_line=heredoc_first_line(expression, written.end_line, text))


def _script(expression: Expr) -> Expr:
    """The script an attribute writes, through the calls that only encode it."""
    while isinstance(expression, Call) and expression.name in _ENCODINGS and len(expression.args) == 1:
        expression = expression.args[0]
    return expression
