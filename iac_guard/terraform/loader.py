"""Builds one Module per folder of ``.tf`` files, with that folder's auto-loaded tfvars applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from ..discover import Sources
from ..model import Location, ScanError
from .evaluate import LITERAL_EVALUATOR
from .module import DataSourceEvaluator, Module, VariableValue
from .parse import TerraformFile, parse_file


def load_modules(
    sources: Sources, data_sources: Mapping[str, DataSourceEvaluator]
) -> tuple[list[Module], list[ScanError]]:
    modules: list[Module] = []
    errors: list[ScanError] = []
    for directory in sorted(sources.terraform):
        files: list[TerraformFile] = []
        for path in sources.terraform[directory]:
            parsed = parse_file(path, sources.relative(path))
            if isinstance(parsed, ScanError):
                errors.append(parsed)
            else:
                files.append(parsed)
        tfvars = _load_tfvars(sources, sources.tfvars.get(directory, []), errors)
        modules.append(Module(directory, files, tfvars, data_sources))
    return modules, errors


def _load_tfvars(sources: Sources, paths: list[Path], errors: list[ScanError]) -> dict[str, VariableValue]:
    """Later files win, as in Terraform: terraform.tfvars, then *.auto.tfvars in lexical order."""
    values: dict[str, VariableValue] = {}
    for path in paths:
        relative = sources.relative(path)
        if path.name.endswith(".json"):
            values.update(_json_tfvars(path, relative, errors))
            continue
        parsed = parse_file(path, relative)
        if isinstance(parsed, ScanError):
            errors.append(parsed)
            continue
        for name, attribute in parsed.body.attributes.items():
            location = Location(relative, attribute.line, attribute.end_line)
            values[name] = VariableValue(LITERAL_EVALUATOR.evaluate(attribute.expr), location, False)
    return values


def _json_tfvars(path: Path, relative: str, errors: list[ScanError]) -> dict[str, VariableValue]:
    """``*.tfvars.json``: a JSON object of variable values; each value's line is where its key is."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        document = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(ScanError(relative, f"cannot read the file ({type(exc).__name__})"))
        return {}
    except json.JSONDecodeError as exc:
        errors.append(ScanError(relative, f"not valid JSON ({exc.msg})", exc.lineno, exc.colno))
        return {}
    if not isinstance(document, dict):
        errors.append(ScanError(relative, "a tfvars JSON file must hold one object of variable values"))
        return {}
    lines = text.splitlines()
    values = {}
    for name, value in document.items():
        line = next((n for n, content in enumerate(lines, start=1) if f'"{name}"' in content), 1)
        values[name] = VariableValue(value, Location(relative, line, line), False)
    return values
