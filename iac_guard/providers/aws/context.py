"""What every AWS recognizer step needs about one root module: its resources by type, the tags
each resource ends up with (``default_tags`` included), and owners."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any

from ...config.settings import Settings
from ...model import Location, Owner, Unknown
from ...terraform.module import Module
from ...terraform.syntax.references import references
from ...terraform.values import unknown_from
from ...terraform.view import Resource
from ..common.literals import tag_map
from ..common.owners import owner_from_tags


class AwsModule:
    def __init__(self, module: Module, settings: Settings) -> None:
        self.module = module
        self.settings = settings

    def by_type(self, *types: str) -> dict[str, Resource]:
        return {r.address: r for r in self.module.resources_of(*types)}

    @cached_property
    def users(self) -> dict[str, Resource]:
        return self.by_type("aws_iam_user")

    @cached_property
    def roles(self) -> dict[str, Resource]:
        return self.by_type("aws_iam_role")

    @cached_property
    def groups(self) -> dict[str, Resource]:
        return self.by_type("aws_iam_group")

    @cached_property
    def _default_tags(self) -> dict[str, Any]:
        """Provider alias ("" for the default provider) → its default_tags.tags value."""
        result: dict[str, Any] = {}
        for provider in self.module.providers_named("aws"):
            alias = provider.value("alias", "")
            block = provider.first_block("default_tags")
            tags = block.value("tags", {}) if block else {}
            result[alias if isinstance(alias, str) else ""] = tags
        return result

    def tags(self, resource: Resource) -> Any:
        """The tags a resource gets: its provider's default_tags, then its own (``tags_all``).

        A plan JSON states ``tags_all`` itself, default_tags merged: that is then the answer.
        """
        planned = resource.value("tags_all")
        if isinstance(planned, dict):
            return planned
        own = resource.value("tags", {})
        own = {} if own is None else own  # tags = var.tags with a null value: only default_tags apply
        written = resource.attribute("provider")
        local = next(iter(sorted(references(written.expr))), "aws") if written else "aws"
        configuration = resource.module.root_provider(local)
        alias = configuration.split(".", 1)[1] if "." in configuration else ""
        defaults = self._default_tags.get(alias, {})
        if isinstance(own, Unknown) or isinstance(defaults, Unknown):
            return unknown_from(own, defaults)
        if not isinstance(own, dict) or not isinstance(defaults, dict):
            return {}
        return {**defaults, **own}

    def record_tags(self, resource: Resource) -> dict[str, Any] | Unknown:
        """The tags a record carries for policies and environments: unknown ones stay unknown, so
        that a policy over a tag set at apply can neither fail nor pass on it."""
        return tag_map(self.tags(resource))

    def owner(self, resource: Resource) -> tuple[Owner, dict[str, Location]]:
        """The resource's owner, and where it is written when that is the resource's own tags."""
        owner, key = owner_from_tags(self.tags(resource), self.settings)
        if key is None:
            return owner, {}
        own = resource.value("tags", {})
        if isinstance(own, dict) and key in own:
            return owner, {"owner": resource.location_of("tags")}
        return replace(owner, source=f"default_tags {key}"), {}
