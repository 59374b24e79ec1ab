"""What every Azure recognizer step needs about one root module: its resources by type, owners
from tags, and the managed identities resources carry."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ...model import Location, Owner, Unknown
from ...terraform.view import Resource
from ..common.literals import tag_map
from ..common.owners import owner_from_tags
from ..common.root_modules import RootModuleView
from .azapi import AZAPI_TYPE, ArmResource, arm_resources

PROVIDER = "azure"


class AzureModule(RootModuleView):
    @cached_property
    def _arm_resources(self) -> list[ArmResource]:
        return arm_resources(list(self.module.resources_of(AZAPI_TYPE)))

    def resources_of(self, *types: str) -> list[Resource]:
        """The resources of these azurerm types, and the ``azapi_resource`` written as one."""
        return [*self.module.resources_of(*types), *(r for r in self._arm_resources if r.like in types)]

    def by_type(self, *types: str) -> dict[str, Resource]:
        return {r.address: r for r in self.resources_of(*types)}

    def owner(self, resource: Resource) -> tuple[Owner, dict[str, Location]]:
        """The owner in the resource's own ``tags``. Azure has no provider-wide default tags, and a
        resource group's tags do not propagate to what it contains, so nothing else is read."""
        owner, key = owner_from_tags(resource.value("tags"), self.settings)
        return owner, ({"owner": resource.location_of("tags")} if key is not None else {})

    def record_tags(self, resource: Resource) -> dict[str, Any] | Unknown:
        """The tags a record carries (unknown ones stay unknown: see the AWS context's)."""
        return tag_map(resource.value("tags", {}))


def type_of(resource: Resource) -> str:
    """The azurerm type a resource is read as: its own, or the one its ARM type stands for."""
    return resource.like if isinstance(resource, ArmResource) else resource.resource_type


def system_identity_address(resource_address: str) -> str:
    """The address a resource's system-assigned identity is recorded under."""
    return f"{resource_address}.identity"


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""
