"""The one place that answers "what may this user see, and where may they do it?".

Every query a person can trigger goes through `scope_for(user, capability)`: a user sees the
organisations they are a member of and everything beneath them in the ICS tree. An ICB
member (membership of the ICS itself) therefore sees the whole system; a trust's staff see
their trust and its services. Records outside the scope are reported as not found (404),
never as forbidden, so their existence does not leak.

A capability (roles.py) is held *in an organisation*: with `capability`, the scope is only the
organisations (and what lies beneath them) where the person holds a role granting it. So a
board member at one trust who is plain staff at another reads the first trust's governance
records and not the second's. Pages check the capability once (permissions.py: 403 when the
person holds it nowhere); every read and write then filters or checks against this scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    """The organisation paths a user may see beneath."""

    paths: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.paths

    def q(self, path_field: str) -> Q:
        """A filter on `path_field` (an Organisation.path, possibly across relations)."""
        if not self.paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in self.paths))

    def covers(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path, so filters stay short."""
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for p in ordered:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def scope_for(user: Any, capability: Any = None) -> Scope:
    """Where `user` may see records; with `capability` (or a tuple of them: any one), where
    they may use it."""
    if isinstance(capability, tuple):
        return scope_for_any(user, *capability)
    if capability is not None:
        return scope_for_capability(user, capability)
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(paths=())
    cached: Scope | None = getattr(user, "_care_signals_scope", None)
    if cached is None:
        paths = set(user.memberships.values_list("organisation__path", flat=True))
        cached = Scope(paths=_minimal(paths))
        user._care_signals_scope = cached
    return cached


def scope_for_roles(user: Any, roles: frozenset[str]) -> Scope:
    """The paths beneath the organisations where the user holds one of `roles`: for records
    only some roles may see (complaints, with names and contact details)."""
    if user is None or not getattr(user, "is_authenticated", False) or not roles:
        return Scope(paths=())
    paths = set(
        user.memberships.filter(role__in=roles).values_list("organisation__path", flat=True)
    )
    return Scope(paths=_minimal(paths))


def scope_for_capability(user: Any, capability: Any) -> Scope:
    """The paths beneath the organisations where the user holds a role with `capability`
    (roles.py): the scope of every read and write that needs the capability."""
    from caresignals.organisations.roles import roles_with

    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(paths=())
    cache: dict[Any, Scope] = user.__dict__.setdefault("_care_signals_capability_scopes", {})
    if capability not in cache:
        cache[capability] = scope_for_roles(user, roles_with(capability))
    return cache[capability]


def scope_for_any(user: Any, *capabilities: Any) -> Scope:
    """Where the user holds a role with any of `capabilities` (pages several roles share)."""
    paths = {p for c in capabilities for p in scope_for_capability(user, c).paths}
    return Scope(paths=_minimal(paths))


def may(user: Any, capability: Any, organisation_path: str) -> bool:
    """Whether the user holds `capability` for the organisation at `organisation_path`."""
    return scope_for_capability(user, capability).covers(organisation_path)


def belongs_to(user: Any, organisation_path: str, *capabilities: Any) -> bool:
    """Whether the user works in the organisation itself or beneath it (one of its services),
    as opposed to seeing it from above: such people read its free text in full. With
    `capabilities`, only memberships whose role grants one of them count."""
    if capabilities:
        from caresignals.organisations.roles import capabilities as granted

        paths = [
            path
            for path, role in _memberships(user)
            if any(c in granted(role) for c in capabilities)
        ]
    else:
        paths = [path for path, _ in _memberships(user)]
    return any(p.startswith(organisation_path) for p in paths)


def _memberships(user: Any) -> list[tuple[str, str]]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get("_care_signals_membership_paths")
    if cached is None:
        cached = list(user.memberships.values_list("organisation__path", "role"))
        user.__dict__["_care_signals_membership_paths"] = cached
    return list(cached)


def visible(
    queryset: QuerySet[Any], user: Any, *, path_field: str, capability: Any = None
) -> QuerySet[Any]:
    """Filter any queryset by the organisation path reached through `path_field`: to the
    user's organisations, or with `capability` to those where they hold it."""
    return queryset.filter(scope_for(user, capability).q(path_field))


def get_visible_or_404(
    queryset: QuerySet[Any], user: Any, *, path_field: str, capability: Any = None, **lookup: Any
) -> Model:
    """The record, read as the product's convention says: outside the person's organisations
    it is not found (404); with `capability`, inside them but by someone who holds it nowhere
    it is forbidden (403), and where they hold it only elsewhere it is not found (404)."""
    if capability is not None and scope_for(user, capability).is_empty:
        if not visible(queryset, user, path_field=path_field).filter(**lookup).exists():
            raise Http404("Not found")
        raise PermissionDenied
    try:
        return visible(queryset, user, path_field=path_field, capability=capability).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Not found") from None


def sees_exact_counts(user: Any) -> bool:
    """Whether counts reach this person exactly, or through disclosure control (docs/domain.md,
    "Disclosure control", which the lens, the matrix and the funnels follow).

    Disclosure control (suppress 1 to 7, round the rest to 5) protects people in outputs read
    by those not entitled to the records behind them: anything published or public, and staff
    who see a count for an organisation whose records they cannot read. Staff of the ICB
    itself who hold, at the integrated care system, a role that reads patient-safety records
    across providers (Capability.VIEW_SAFETY_SYSTEM: the ICB quality lead and the analyst)
    can already open every record a count is made of, so rounding would only make their
    figures disagree with the records and with the percentages beside them. Everyone else,
    and everyone signed out, gets controlled counts. This is the one place that decides.
    """
    from caresignals.organisations.roles import Capability

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        p.strip("/").count("/") == 0
        for p in scope_for_capability(user, Capability.VIEW_SAFETY_SYSTEM).paths
    )
