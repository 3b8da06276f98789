"""Reads of the ICS model, each scoped to what the user may see (scoping.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from caresignals.organisations.models import Membership, Organisation
from caresignals.organisations.scoping import get_visible_or_404, scope_for


def memberships_of(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )


def visible_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user)


def top_organisations(user: Any) -> list[Organisation]:
    """The highest organisations the user can see: their way into the tree."""
    scope = scope_for(user)
    return list(Organisation.objects.filter(path__in=scope.paths).order_by("path"))


def organisation_for(user: Any, code: str) -> Organisation:
    """The organisation with this code, or 404 if it does not exist or is out of scope."""
    org = get_visible_or_404(
        Organisation.objects.select_related("parent"), user, path_field="path", code=code
    )
    assert isinstance(org, Organisation)
    return org


def visible_children(user: Any, organisation: Organisation) -> list[Organisation]:
    return list(
        visible_organisations(user).filter(parent=organisation).order_by("kind", "type", "name")
    )


def visible_ancestors(user: Any, organisation: Organisation) -> list[Organisation]:
    codes = organisation.ancestor_codes()
    found = {o.code: o for o in visible_organisations(user).filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
