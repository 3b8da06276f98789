"""Reads of the ICS model, each scoped to what the user may see (scoping.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from caresignals.organisations.models import Membership, Organisation, User
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


def people_for(organisation_path: str, roles: Iterable[str] = ()) -> list[User]:
    """The people who may own work about the organisation at `organisation_path`: those with a
    role in it, in an organisation above it, or in one of its services (ADR 21), optionally
    only those holding one of `roles`. Active people only, by name."""
    ancestors = [organisation_path[: i + 1] for i, c in enumerate(organisation_path) if c == "/"]
    memberships = Membership.objects.filter(
        Q(organisation__path__in=ancestors) | Q(organisation__path__startswith=organisation_path)
    )
    if roles:
        memberships = memberships.filter(role__in=list(roles))
    return list(
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def person_choices(organisation_path: str, roles: Iterable[str] = ()) -> list[tuple[str, str]]:
    return [(str(u.pk), u.display_name) for u in people_for(organisation_path, roles)]


def person_in(organisation_path: str, person_id: object, roles: Iterable[str] = ()) -> User | None:
    """The chosen owner, if they may own work about this organisation; None otherwise."""
    try:
        pk = int(str(person_id))
    except ValueError:
        return None
    return next((u for u in people_for(organisation_path, roles) if u.pk == pk), None)
