"""What every Azure recognizer step needs about one root module: its resources by type, owners
from tags, and the managed identities resources carry."""

from __future__ import annotations

from typing import Any

from ...model import Location, Owner, Unknown
from ...terraform.view import Resource
from ..common.literals import tag_map
from ..common.owners import owner_from_tags
from ..common.root_modules import RootModuleView

PROVIDER = "azure"


class AzureModule(RootModuleView):
    def owner(self, resource: Resource) -> tuple[Owner, dict[str, Location]]:
        """The owner in the resource's own ``tags``. Azure has no provider-wide default tags, and a
        resource group's tags do not propagate to what it contains, so nothing else is read."""
        owner, key = owner_from_tags(resource.value("tags"), self.settings)
        return owner, ({"owner": resource.location_of("tags")} if key is not None else {})

    def record_tags(self, resource: Resource) -> dict[str, Any] | Unknown:
        """The tags a record carries (unknown ones stay unknown: see the AWS context's)."""
        return tag_map(resource.value("tags", {}))


def system_identity_address(resource_address: str) -> str:
    """The address a resource's system-assigned identity is recorded under."""
    return f"{resource_address}.identity"


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""
