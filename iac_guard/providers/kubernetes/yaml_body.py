"""The object a ``kubectl_manifest`` creates: its ``yaml_body`` read as the manifest it is.

The kubectl provider applies ``yaml_body`` as written, so the object is judged like the same YAML
in a file, under the resource's Terraform address (convert.py records it). Which text is read:

- an inline body (a heredoc, a string), with only what is written in the resource: a reference
  (``${var.openai_key}``) is unknown, so a key in a variable default is reported once, at the
  variable, and an unknown value never fails a policy; lines count from the attribute's line, so
  they point into the ``.tf`` file;
- a ``templatefile()`` or ``file()`` of a file in the module, as rendered, at the attribute's
  line. A ``file()`` of a ``.yaml`` file is also scanned as that file; its Terraform object is
  the same object under the address that creates it.

A body that is not one Kubernetes object (unknown, not YAML, several documents) creates nothing
iac-guard can judge, and is left out.
"""

from __future__ import annotations

from typing import Any

from ...kubernetes.loader import load_kube_text
from ...kubernetes.objects import PathKey
from ...terraform.view import Resource
from ..common.literals import partial_text

KUBECTL_MANIFEST = "kubectl_manifest"
#: Stands for an unknown part of an inline body: a reference, never a value or a key.
UNKNOWN_PART = "${unknown}"


def yaml_body_object(resource: Resource) -> tuple[dict[str, Any], dict[PathKey, int]] | None:
    """The object's plain body and its lines in the ``.tf`` file, or None."""
    attribute = resource.attribute("yaml_body")
    if attribute is None:
        return None
    inline = partial_text(resource.literal_value("yaml_body"), UNKNOWN_PART)
    text = inline if inline is not None else resource.value("yaml_body")
    if not isinstance(text, str):
        return None
    objects, errors = load_kube_text(text, resource.location.file)
    if errors or len(objects) != 1:
        return None
    found = objects[0]
    if inline is not None:
        return found.body, {path: line + attribute.line for path, line in found.lines.items()}
    return found.body, {path: attribute.line for path in found.lines}
