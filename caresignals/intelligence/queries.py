"""Scoped reads of soft intelligence, safety alerts and the SQG's logs, and the one
definition of an overdue alert (shared by the ICB's table and the watchlist's signal).

Who reads what (ADR 31):
- soft intelligence: the ICB quality team, everything in its scope (VIEW_INTELLIGENCE); a
  provider's patient-safety lead and board only what the ICB has shared with the provider
  (VIEW_SHARED_INTELLIGENCE), and never who logged it;
- safety alerts: every holder of VIEW_SAFETY_ALERTS reads the alerts, and the responses of
  the providers in their scope;
- the SQG's logs: the ICB quality team, through each line's organisation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from caresignals.intelligence.models import (
    AlertAction,
    AlertResponse,
    SafetyAlert,
    SoftIntelligence,
    SqgAction,
    SqgMeeting,
    SurveillanceEntry,
)
from caresignals.intelligence.vocabulary import CREDIBLE, DONE, ActionStatus, Severity
from caresignals.organisations.models import Organisation, OrganisationKind
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for, visible


def visible_intelligence(user: Any) -> QuerySet[SoftIntelligence]:
    """Every item the ICB quality team may read (nothing for anyone else)."""
    return visible(
        SoftIntelligence.objects.select_related("organisation", "organisation__parent"),
        user,
        path_field="organisation__path",
        capability=Capability.VIEW_INTELLIGENCE,
    )


def intelligence_about(
    user: Any, organisation: Organisation
) -> tuple[list[SoftIntelligence], bool]:
    """The items about `organisation` (and its services) the user may read, newest first, and
    whether they read them as the ICB (all, with who logged them) rather than as the provider
    (shared ones only)."""
    items = SoftIntelligence.objects.filter(
        organisation__path__startswith=organisation.path
    ).select_related("organisation")
    if scope_for(user, Capability.VIEW_INTELLIGENCE).covers(organisation.path):
        return list(items), True
    if scope_for(user, Capability.VIEW_SHARED_INTELLIGENCE).covers(organisation.path):
        return list(items.filter(shared_with_provider=True)), False
    return [], False


def credible_severe_open(day: dt.date, since: dt.date) -> dict[str, list[SoftIntelligence]]:
    """{organisation code: items} graded high severity and credible or corroborated, received
    from `since` to `day` and still open on `day` (the watchlist's soft-intelligence signal)."""
    found: dict[str, list[SoftIntelligence]] = defaultdict(list)
    rows = SoftIntelligence.objects.filter(
        severity=Severity.HIGH,
        credibility__in=list(CREDIBLE),
        received_on__gte=since,
        received_on__lte=day,
    ).select_related("organisation")
    for item in rows.order_by("received_on", "id"):
        if item.open_on(day):
            found[item.organisation.code].append(item)
    return dict(found)


# --------------------------------------------------------------------------- safety alerts


def providers_for(
    alert: SafetyAlert, within: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    qs = within if within is not None else Organisation.objects.all()
    return qs.filter(kind=OrganisationKind.PROVIDER, type__in=alert.provider_types).order_by("name")


@dataclass(frozen=True)
class ProviderStatus:
    """Where one provider stands on one alert, on a day."""

    alert: SafetyAlert
    provider: Organisation
    counts: dict[str, int]  # by ActionStatus value
    outstanding: int  # actions not completed nor not applicable
    overdue: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _done_by(response: AlertResponse | None, day: dt.date) -> bool:
    return (
        response is not None
        and response.status in DONE
        and response.done_on is not None
        and response.done_on <= day
    )


def statuses(
    alerts: Iterable[SafetyAlert], providers: QuerySet[Organisation], day: dt.date
) -> list[ProviderStatus]:
    """Each (alert, provider it applies to) as it stood on `day`. An alert is overdue at a
    provider once its deadline has passed (the day after it) with any action not completed
    or marked not applicable by then; an action with no status recorded is not started."""
    alerts = list(alerts)
    actions: dict[int, list[AlertAction]] = defaultdict(list)
    for a in AlertAction.objects.filter(alert__in=alerts).order_by("number"):
        actions[a.alert_id].append(a)
    provider_list = list(providers.filter(kind=OrganisationKind.PROVIDER))
    responses = {
        (r.action_id, r.provider_id): r
        for r in AlertResponse.objects.filter(action__alert__in=alerts, provider__in=provider_list)
    }
    out = []
    for alert in alerts:
        for provider in provider_list:
            if provider.type not in alert.provider_types:
                continue
            counts = {s: 0 for s in ActionStatus.values}
            outstanding = 0
            for action in actions[alert.pk]:
                r = responses.get((action.pk, provider.pk))
                # Done by `day` counts as done; a completion recorded after it was still in
                # progress then; otherwise the status as recorded.
                if _done_by(r, day):
                    status = r.status if r is not None else ActionStatus.NOT_STARTED
                elif r is None:
                    status = ActionStatus.NOT_STARTED
                elif r.status in DONE:
                    status = ActionStatus.IN_PROGRESS
                else:
                    status = r.status
                counts[status] += 1
                if status not in DONE:
                    outstanding += 1
            out.append(
                ProviderStatus(
                    alert, provider, counts, outstanding, alert.deadline < day and outstanding > 0
                )
            )
    out.sort(key=lambda s: (s.provider.name, s.alert.deadline, s.alert.reference))
    return out


def overdue_at(day: dt.date) -> dict[str, list[ProviderStatus]]:
    """{provider code: its overdue alerts on `day`}, across the whole system (the watchlist
    is computed for everyone; readers see only their scope's entries)."""
    alerts = SafetyAlert.objects.filter(issued_on__lte=day, deadline__lt=day)
    found: dict[str, list[ProviderStatus]] = defaultdict(list)
    for s in statuses(alerts, Organisation.objects.all(), day):
        if s.overdue:
            found[s.provider.code].append(s)
    return dict(found)


def visible_alert_providers(user: Any) -> QuerySet[Organisation]:
    """The providers whose alert responses the user may read."""
    return visible(
        Organisation.objects.filter(kind=OrganisationKind.PROVIDER),
        user,
        path_field="path",
        capability=Capability.VIEW_SAFETY_ALERTS,
    )


def responses_of(alert: SafetyAlert, provider: Organisation) -> dict[int, AlertResponse]:
    return {
        r.action_id: r for r in AlertResponse.objects.filter(action__alert=alert, provider=provider)
    }


# --------------------------------------------------------------------------- SQG logs


def visible_meetings() -> QuerySet[SqgMeeting]:
    return SqgMeeting.objects.all()


def meeting_logs(user: Any, meeting: SqgMeeting) -> tuple[list[SurveillanceEntry], list[SqgAction]]:
    """The meeting's surveillance and action logs, as far as the user's scope reaches."""
    scope = scope_for(user, Capability.VIEW_INTELLIGENCE)
    return logs_in(meeting, scope.q("organisation__path"))


def logs_in(meeting: SqgMeeting, q: Any = None) -> tuple[list[SurveillanceEntry], list[SqgAction]]:
    surveillance = SurveillanceEntry.objects.filter(meeting=meeting).select_related("organisation")
    actions = SqgAction.objects.filter(meeting=meeting).select_related("organisation")
    if q is not None:
        surveillance, actions = surveillance.filter(q), actions.filter(q)
    return list(surveillance), list(actions)


def log_lines(
    meeting: SqgMeeting, kind: str
) -> QuerySet[SurveillanceEntry] | QuerySet[SqgAction] | None:
    """One log of a meeting ("surveillance" or "action"), unscoped; None for another kind."""
    if kind == "surveillance":
        return SurveillanceEntry.objects.filter(meeting=meeting).select_related("organisation")
    if kind == "action":
        return SqgAction.objects.filter(meeting=meeting).select_related("organisation")
    return None


def meeting(day: dt.date) -> SqgMeeting | None:
    return SqgMeeting.objects.filter(held_on=day).first()


def alert(pk: int) -> SafetyAlert | None:
    """An alert: every holder of VIEW_SAFETY_ALERTS reads every alert (national, not any one
    provider's); the responses shown are cut to their scope."""
    return SafetyAlert.objects.filter(pk=pk).first()


def organisation(code: str) -> Organisation | None:
    """An organisation by code, for a write the service then checks against the actor's scope."""
    return Organisation.objects.filter(code=code).first()


def system_within(scope: Any) -> Organisation | None:
    """The integrated care system, when `scope` covers it."""
    for org in Organisation.objects.filter(kind=OrganisationKind.ICS):
        if scope.covers(org.path):
            return org
    return None
