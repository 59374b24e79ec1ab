"""What every Google Cloud recognizer step needs about one root module: its resources by type,
the labels a resource ends up with (provider ``default_labels`` included), owners, and finding
the service account an email, id or reference names."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Any

from ...model import Location, Owner, Unknown
from ...terraform.values import collect_refs, unknown_from
from ...terraform.view import BlockView, Resource
from ..common.identity_names import google_service_account
from ..common.links import provider_alias
from ..common.literals import partial_text, tag_map
from ..common.owners import owner_from_tags
from ..common.root_modules import RootModuleView

PROVIDER = "gcp"
#: ``name@project.iam.gserviceaccount.com``, ``projects/p/serviceAccounts/<email>``, ``serviceAccount:<email>``.
_SERVICE_ACCOUNT_EMAIL = re.compile(r"(?:^|[/:])(([a-z][a-z0-9-]{4,28}[a-z0-9])@[^/\s@:]+\.iam\.gserviceaccount\.com)$")


class GcpModule(RootModuleView):
    @cached_property
    def service_accounts(self) -> dict[str, Resource]:
        return self.by_type("google_service_account")

    @cached_property
    def _default_labels(self) -> dict[str, Any]:
        """Provider alias ("" for the default configuration) → its ``default_labels``."""
        found: dict[str, Any] = {}
        for provider in self.module.providers_named("google") + self.module.providers_named("google-beta"):
            alias = provider.value("alias", "")
            labels = provider.value("default_labels", {})
            found[alias if isinstance(alias, str) else ""] = {} if labels is None else labels
        return found

    def labels(self, resource: Resource) -> Any:
        """The labels a resource gets: its provider's ``default_labels``, then its own (as a plan's
        ``terraform_labels`` states them)."""
        planned = resource.value("terraform_labels")
        if isinstance(planned, dict):
            return planned
        own = resource.value("labels", {})
        own = {} if own is None else own
        defaults = self._default_labels.get(provider_alias(resource, "google"), {})
        if isinstance(own, Unknown) or isinstance(defaults, Unknown):
            return unknown_from(own, defaults)
        return {**defaults, **own} if isinstance(own, dict) and isinstance(defaults, dict) else {}

    def record_labels(self, resource: Resource) -> dict[str, Any] | Unknown:
        """The labels a record carries (unknown ones stay unknown: see the AWS context's)."""
        return tag_map(self.labels(resource))

    def owner(self, resource: Resource) -> tuple[Owner, dict[str, Location]]:
        """The owner in a resource's labels (``default_labels`` included), then its annotations."""
        owner, key = owner_from_tags(self.labels(resource), self.settings, "label")
        if key is not None:
            own = resource.value("labels", {})
            if isinstance(own, dict) and key in own:
                return owner, {"owner": resource.location_of("labels")}
            return replace(owner, source=f"default_labels {key}"), {}
        annotated, key = owner_from_tags(resource.value("annotations"), self.settings, "annotation")
        if key is not None:
            return annotated, {"owner": resource.location_of("annotations")}
        return owner, {}

    def service_account(self, view: BlockView, attribute: str) -> str | None:
        """The service account an attribute names: by reference (``google_service_account.x.email``,
        ``.name``, ``.member``), else by the account id in a written email or resource id, else
        the external address of the email (common/identity_names.py)."""
        value = view.value(attribute)
        return service_account_named(value, view.refs(attribute), self.service_accounts) or external_service_account(value)

    def email(self, account: Resource) -> str | None:
        """A declared account's email, ``ACCOUNT_ID@PROJECT.iam.gserviceaccount.com``, when its
        project (its own, else its provider's) is known: the name other root modules give it."""
        planned, account_id = account.value("email"), account.value("account_id")
        if isinstance(planned, str):
            return planned
        project = account.value("project")
        if project is None:
            project = self._default_projects.get(provider_alias(account, "google"))
        return f"{account_id}@{project}.iam.gserviceaccount.com" if isinstance(account_id, str) and isinstance(project, str) else None

    @cached_property
    def _default_projects(self) -> dict[str, Any]:
        """Provider alias ("" for the default configuration) → its ``project``."""
        found: dict[str, Any] = {}
        for provider in self.module.providers_named("google") + self.module.providers_named("google-beta"):
            alias = provider.value("alias", "")
            found.setdefault(alias if isinstance(alias, str) else "", provider.value("project"))
        return found


def service_account_named(value: Any, refs: frozenset[str], accounts: dict[str, Resource]) -> str | None:
    for ref in sorted(refs | collect_refs(value)):
        if ref in accounts:
            return ref
    written = partial_text(value)
    match = _SERVICE_ACCOUNT_EMAIL.search(written) if written else None
    if match is None:
        return None
    return next((a for a, account in sorted(accounts.items()) if account.value("account_id") == match.group(2)), None)


def external_service_account(value: Any) -> str | None:
    """The external address of the service account a written email names (``serviceAccount:EMAIL``,
    ``projects/P/serviceAccounts/EMAIL``); None when not written in full before apply."""
    match = _SERVICE_ACCOUNT_EMAIL.search(value) if isinstance(value, str) else None
    return google_service_account(match.group(1)) if match else None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""
