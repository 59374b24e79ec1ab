"""Startup scripts of EC2 instances and launch templates: ``user_data`` heredocs often export an
API key or an AWS key pair for the software they install (``export OPENAI_API_KEY=sk-…``)."""

from __future__ import annotations

from ...model import Credential
from ..common.literals import literal_credential, written_literals
from .context import AwsModule

#: The attributes that hold a script run at boot, by resource type.
_SCRIPT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_instance": ("user_data",),
    "aws_launch_template": ("user_data",),
    "aws_launch_configuration": ("user_data",),
}


def script_credentials(aws: AwsModule) -> list[Credential]:
    """The keys written into each resource's startup script, as one literal credential per resource,
    each key at its own line of the script when the script is a heredoc."""
    found = []
    for resource in aws.module.resources_of(*_SCRIPT_ATTRIBUTES):
        literals = tuple(lit for name in _SCRIPT_ATTRIBUTES[resource.resource_type] for lit in written_literals(resource, name))
        if literals:
            found.append(literal_credential(resource, "aws", literals))
    return found
