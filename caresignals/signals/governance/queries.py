"""Scoped reads for escalation, rapid quality reviews and the quality risk register.

Who may see what (ADR 14, docs/adr/0014-quality-governance-access.md):
- reading governance records needs Capability.VIEW_QUALITY_GOVERNANCE (ICB quality lead,
  board member, patient-safety lead); without it the pages are forbidden, as the audit log is;
- with it, a person sees the records of the organisations where they hold it
  (`scope_for(user, capability)`, scoping.py): the ICB sees every provider and system-wide
  risk, a trust's board and safety lead their own trust's level, reviews and risks and nothing
  else (another trust's record is "not found", even where they hold some other role);
- changing anything needs Capability.MANAGE_QUALITY_GOVERNANCE (the ICB quality lead) for the
  record's organisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, QuerySet

from caresignals.analytics.models import MonthlyEventCount
from caresignals.core import clock
from caresignals.core.cache import cached
from caresignals.core.periods import Month
from caresignals.measures.models import MeasureValue
from caresignals.organisations.models import Organisation
from caresignals.organisations.permissions import require_capability
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import get_visible_or_404, scope_for, visible
from caresignals.signals.models import (
    EscalationChange,
    EscalationLevel,
    ProviderEscalation,
    QualityRisk,
    RapidQualityReview,
    ReviewAction,
)
from caresignals.signals.watchlist import compute as watchlist_module
from caresignals.signals.watchlist.types import WatchlistEntry

READ = Capability.VIEW_QUALITY_GOVERNANCE


def require(user: Any, capability: Capability) -> None:
    require_capability(user, capability)


def can_manage(user: Any, organisation_path: str | None = None) -> bool:
    """Whether the user may change governance records about the organisation (anywhere,
    without one: for the "add" buttons)."""
    scope = scope_for(user, Capability.MANAGE_QUALITY_GOVERNANCE)
    return not scope.is_empty if organisation_path is None else scope.covers(organisation_path)


def visible_providers(user: Any, capability: Capability = READ) -> QuerySet[Organisation]:
    return visible(
        Organisation.objects.filter(kind="provider"), user, path_field="path", capability=capability
    )


def provider_for(user: Any, code: str) -> Organisation:
    """A provider the user may see, or 404 (services and places have no escalation level)."""
    org = get_visible_or_404(
        visible_providers(user), user, path_field="path", capability=READ, code=code
    )
    assert isinstance(org, Organisation)
    return org


def current_escalation(provider: Organisation) -> ProviderEscalation | None:
    return ProviderEscalation.objects.filter(provider=provider).first()


def level_of(provider: Organisation) -> tuple[str, dt.date | None, int]:
    """(level, since, version): a provider never escalated is at routine, version 0."""
    row = current_escalation(provider)
    if row is None:
        return EscalationLevel.ROUTINE, None, 0
    return row.level, row.since, row.version


def history(provider: Organisation) -> list[EscalationChange]:
    return list(
        EscalationChange.objects.filter(provider=provider)
        .select_related("review")
        .order_by("-decided_on", "-id")
    )


def escalated(user: Any) -> list[ProviderEscalation]:
    """Providers in scope above routine quality monitoring, most intensive first."""
    rows = list(
        visible(
            ProviderEscalation.objects.exclude(level=EscalationLevel.ROUTINE),
            user,
            path_field="provider__path",
            capability=READ,
        ).select_related("provider")
    )
    order = {EscalationLevel.INTENSIVE: 0, EscalationLevel.ENHANCED: 1}
    rows.sort(key=lambda r: (order.get(EscalationLevel(r.level), 2), r.since, r.provider.name))
    return rows


def levels_by_code(codes: set[str]) -> dict[str, str]:
    return dict(
        ProviderEscalation.objects.filter(provider__code__in=codes).values_list(
            "provider__code", "level"
        )
    )


def reviews_for(provider: Organisation) -> list[RapidQualityReview]:
    return list(
        RapidQualityReview.objects.filter(provider=provider)
        .prefetch_related("actions", "exit_criteria")
        .order_by("-held_on", "-id")
    )


def review_for(user: Any, pk: int) -> RapidQualityReview:
    review = get_visible_or_404(
        RapidQualityReview.objects.select_related("provider").prefetch_related(
            "attendees", "actions", "exit_criteria", "changes"
        ),
        user,
        path_field="provider__path",
        capability=READ,
        pk=pk,
    )
    assert isinstance(review, RapidQualityReview)
    return review


def visible_actions(user: Any) -> QuerySet[ReviewAction]:
    return visible(
        ReviewAction.objects.select_related("review__provider"),
        user,
        path_field="review__provider__path",
        capability=READ,
    ).order_by("review__provider__name", "due_on", "id")


def changes_between(
    user: Any, start: dt.date, end: dt.date, capability: Capability = READ
) -> list[EscalationChange]:
    """Level changes decided in [start, end), in the user's scope, in date order."""
    return list(
        visible(
            EscalationChange.objects.filter(decided_on__gte=start, decided_on__lt=end),
            user,
            path_field="provider__path",
            capability=capability,
        )
        .select_related("provider")
        .order_by("decided_on", "id")
    )


# --------------------------------------------------------------------------- risks


def visible_risks(user: Any, capability: Capability = READ) -> QuerySet[QualityRisk]:
    return visible(
        QualityRisk.objects.select_related("organisation", "owner_person"),
        user,
        path_field="organisation__path",
        capability=capability,
    )


def risk_for(user: Any, reference: str) -> QualityRisk:
    risk = get_visible_or_404(
        QualityRisk.objects.select_related("organisation", "owner_person").prefetch_related(
            "reviews", "linked_actions__review__provider"
        ),
        user,
        path_field="organisation__path",
        capability=READ,
        reference=reference,
    )
    assert isinstance(risk, QualityRisk)
    return risk


def risk_places(user: Any) -> list[Organisation]:
    """Where a risk can sit: the ICS (system-wide), providers and services, in tree order."""
    return list(
        Organisation.objects.visible_to(user, Capability.MANAGE_QUALITY_GOVERNANCE)
        .filter(kind__in=["ics", "provider", "service"])
        .order_by("path")
    )


# --------------------------------------------------------------------------- the watchlist


def latest_period() -> str:
    """The month the escalation pages, the risk form and the SQG pack open on: the last
    complete month (core/clock.py's submission lag), or the latest with any measure or event
    if that is earlier; the last complete month when nothing is recorded yet."""
    months = [
        MeasureValue.objects.aggregate(m=Max("period"))["m"],
        MonthlyEventCount.objects.aggregate(m=Max("month"))["m"],
    ]
    found = [m for m in months if m is not None]
    latest = Month.of(max(found)) if found else None
    return str(clock.default_month(latest) or clock.last_complete_month())


def watchlist(user: Any, period: str, capability: Capability = READ) -> list[WatchlistEntry]:
    """The watchlist for `period`, only entries about providers the user may see.

    The list is computed for the whole system once per version of the data up to `period`
    (it does not depend on the reader) and narrowed to the reader's scope here.
    """
    entries = cached(
        None,
        "signals.watchlist",
        (period, clock.is_complete(Month.parse(period))),
        lambda: watchlist_module.compute_watchlist(period),
        through=Month.parse(period).first_day,
    )
    codes = set(visible_providers(user, capability).values_list("code", flat=True))
    return watchlist_module.withhold_intelligence(user, [e for e in entries if e.org_code in codes])


def watchlist_for(user: Any, provider: Organisation, period: str) -> list[WatchlistEntry]:
    return [e for e in watchlist(user, period) if e.org_code == provider.code]
