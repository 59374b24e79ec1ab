"""Terraform variables given outside the scanned code: ``TF_VAR_*``, ``--var-file`` and ``--var``.

Values given on the command line or in the environment are not code: they are never reported as
hardcoded. A var file is a file, so a key written in it is (at its line).
"""

from __future__ import annotations

from ..config.settings import Settings
from ..discover import Sources
from ..model import Location, ScanError
from .evaluate import LITERAL_EVALUATOR
from .loader import load_tfvars_file
from .module import VariableValue
from .syntax.parse import parse_text

_COMMAND_LINE = Location("<command line>", 0, 0)
_ENVIRONMENT = Location("<environment>", 0, 0)


def given_variables(settings: Settings, sources: Sources, errors: list[ScanError]) -> dict[str, VariableValue]:
    values: dict[str, VariableValue] = {}
    for name, text in settings.environment_variables:
        values[name] = VariableValue(_cli_value(text), _ENVIRONMENT, "environment")
    for path in settings.var_files:
        values.update(load_tfvars_file(path, sources.relative(path), errors))
    for name, text in settings.variables:
        values[name] = VariableValue(_cli_value(text), _COMMAND_LINE, "command line")
    return values


def _cli_value(text: str) -> object:
    """As Terraform reads ``-var``: a list or map in HCL syntax, anything else as the string itself
    (a number or bool variable converts it later, by its declared type)."""
    if not text.lstrip().startswith(("[", "{")):
        return text
    parsed = parse_text(f"value = {text}\n", "<command line>")
    if isinstance(parsed, ScanError) or "value" not in parsed.body.attributes:
        return text
    return LITERAL_EVALUATOR.evaluate(parsed.body.attributes["value"].expr)
