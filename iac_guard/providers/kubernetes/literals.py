"""Literal secrets written in a manifest's values: Secret and ConfigMap entries, env values,
container arguments, each judged by ``secret_values`` at the line it is written on."""

from __future__ import annotations

import base64
from typing import Any

from ...kubernetes.objects import KubeObject, PathKey
from ...model import SecretLiteral
from ...secrets.text import is_not_a_credential
from ..common.secret_values import literals_in
from .shapes import mapping


def value_literals(obj: KubeObject, path: PathKey, value: Any, field: str, name: str) -> tuple[SecretLiteral, ...]:
    """The literal secrets of the value at ``path``, judged by ``name`` and reported as ``field``.

    A multi-line string is a block scalar (``config.yaml: |``) whose text begins on the line
    after its key, so a key found inside is reported at its own line.
    """
    location = obj.location_of(*path)
    first_line = location.line + 1 if isinstance(value, str) and "\n" in value.rstrip("\n") else None
    return literals_in(value, field, location, name=name, first_line=first_line)


def entry_literals(obj: KubeObject, text_field: str, binary_field: str) -> tuple[SecretLiteral, ...]:
    """The literal secrets of a Secret's or ConfigMap's entries: ``text_field`` values as written,
    ``binary_field`` values base64-decoded.

    A binary value that is not base64 of UTF-8 text is skipped: binary data is not a key format
    we recognise, and it must not be printed either. Its decoded text has no file lines.
    """
    found: list[SecretLiteral] = []
    for key, raw in mapping(obj.body.get(text_field)).items():
        found += value_literals(obj, (text_field, key), raw, f"{text_field}.{key}", str(key))
    for key, raw in mapping(obj.body.get(binary_field)).items():
        found += literals_in(_decoded(raw), f"{binary_field}.{key}", obj.location_of(binary_field, key), name=str(key))
    return tuple(found)


def holds_only_configuration(obj: KubeObject) -> bool:
    """Whether an Opaque Secret's every entry is known and plainly no credential (an endpoint
    URL, a model id): configuration kept in a Secret is not an AI credential to own and rotate.
    An entry not readable as text may hold anything, so the Secret stays a credential."""
    if obj.body.get("type", "Opaque") != "Opaque":
        return False
    values = [*mapping(obj.body.get("stringData")).values(), *map(_decoded, mapping(obj.body.get("data")).values())]
    return bool(values) and all(isinstance(value, str) and is_not_a_credential(value) for value in values)


def _decoded(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:  # the API server's decoder ignores line breaks inside the value, so do we
        return base64.b64decode("".join(value.split()), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error and UnicodeDecodeError are both ValueErrors
        return None
