"""The safety app's part of "My work" (ADR 21): triage, safety actions, learning responses and
Duty of Candour steps, each as a `core.work.WorkItem`.

`owned_by` is what names the person as owner; `team_of` is the work of the providers where the
person leads patient safety (MANAGE_SAFETY_RESPONSES, MANAGE_CANDOUR), whoever owns it. Candour
steps, and events waiting for triage, with no person named belong to the provider's
patient-safety team.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from caresignals.core.work import WorkItem, owner_label, short, standing
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import Scope, scope_for
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.events import rules
from caresignals.safety.models import LearningResponse, PatientSafetyEvent, SafetyAction
from caresignals.safety.responses import psirf

LIMIT = 200  # of each kind, most pressing first
SAFETY_TEAM = "Patient-safety team"


def _action(a: SafetyAction, today: dt.date) -> WorkItem:
    return WorkItem(
        kind="Safety action",
        reference=a.reference,
        title=short(a.description),
        organisation=a.organisation.name,
        due_on=a.due_on,
        due_label="Due",
        url=reverse("safety:action", kwargs={"reference": a.reference}),
        owner=owner_label(a.owner_person, as_recorded=a.owner),
        owner_id=a.owner_person_id,
        state=standing(a.due_on, today),
    )


def _response(r: LearningResponse, today: dt.date) -> WorkItem:
    return WorkItem(
        kind="Learning response",
        reference=r.reference,
        title=short(r.title),
        organisation=r.organisation.name,
        due_on=r.due_on,
        due_label="Due to complete",
        url=reverse("safety:response", kwargs={"reference": r.reference}),
        owner=owner_label(r.owner_person, as_recorded=r.lead),
        owner_id=r.owner_person_id,
        state=standing(r.due_on, today),
    )


def _candour(e: PatientSafetyEvent, today: dt.date) -> WorkItem:
    due = rules.add_working_days(e.reported_on, rules.CANDOUR_WORKING_DAYS)
    record = getattr(e, "candour", None)
    person = record.owner_person if record is not None else None
    return WorkItem(
        kind="Duty of Candour",
        reference=e.reference,
        title="First notification to the person affected",
        organisation=e.organisation.name,
        due_on=due,
        due_label="Notification due",
        url=reverse("safety:event_candour", kwargs={"reference": e.reference}),
        owner=owner_label(person, unassigned=SAFETY_TEAM),
        owner_id=person.pk if person is not None else None,
        state=standing(due, today),
    )


def _triage(e: PatientSafetyEvent, today: dt.date) -> WorkItem:
    due = rules.add_working_days(e.reported_on, psirf.TRIAGE_WORKING_DAYS)
    link = getattr(e, "triage_owner", None)
    person = link.owner_person if link is not None else None
    return WorkItem(
        kind="Triage",
        reference=e.reference,
        title=f"Decide the learning response ({e.get_category_display()})",
        organisation=e.organisation.name,
        due_on=due,
        due_label="Triage due",
        url=reverse("safety:event", kwargs={"reference": e.reference}),
        owner=owner_label(person, unassigned=SAFETY_TEAM),
        owner_id=person.pk if person is not None else None,
        state=standing(due, today),
    )


def _untriaged() -> QuerySet[PatientSafetyEvent]:
    return (
        PatientSafetyEvent.objects.filter(triage__isnull=True)
        .exclude(record_type="good_care")
        .select_related("organisation", "triage_owner__owner_person")
    )


def _open_actions() -> QuerySet[SafetyAction]:
    return SafetyAction.objects.filter(status__in=psirf.ACTION_OPEN_STATUSES).select_related(
        "organisation", "owner_person"
    )


def _open_responses() -> QuerySet[LearningResponse]:
    return LearningResponse.objects.exclude(status=psirf.ResponseStatus.COMPLETED).select_related(
        "organisation", "owner_person"
    )


def _open_candour() -> QuerySet[PatientSafetyEvent]:
    """Notifiable events whose first notification is still owed (and is held here)."""
    return (
        PatientSafetyEvent.objects.filter(candour.notifiable_q())
        .exclude(candour.done_q())
        .exclude(candour.not_known_q())
        .select_related("organisation", "candour__owner_person")
    )


def _items(
    actions: QuerySet[SafetyAction],
    responses: QuerySet[LearningResponse],
    events: QuerySet[PatientSafetyEvent],
    untriaged: QuerySet[PatientSafetyEvent],
    today: dt.date,
) -> list[WorkItem]:
    return (
        [_triage(e, today) for e in untriaged.order_by("reported_on", "id")[:LIMIT]]
        + [_action(a, today) for a in actions.order_by("due_on", "id")[:LIMIT]]
        + [_response(r, today) for r in responses.order_by("due_on", "id")[:LIMIT]]
        + [_candour(e, today) for e in events.order_by("reported_on", "id")[:LIMIT]]
    )


def owned_by(user: Any, today: dt.date) -> list[WorkItem]:
    """Open safety work naming `user` as its owner."""
    return _items(
        _open_actions().filter(owner_person=user),
        _open_responses().filter(owner_person=user),
        _open_candour().filter(candour__owner_person=user),
        _untriaged().filter(triage_owner__owner_person=user),
        today,
    )


def _in(scope: Scope, path_field: str) -> Q:
    return scope.q(path_field)


def team_of(user: Any, today: dt.date) -> list[WorkItem]:
    """Open safety work at the providers where `user` leads patient safety, whoever owns it."""
    responses_scope = scope_for(user, Capability.MANAGE_SAFETY_RESPONSES)
    candour_scope = scope_for(user, Capability.MANAGE_CANDOUR)
    return _items(
        _open_actions().filter(_in(responses_scope, "organisation__path")),
        _open_responses().filter(_in(responses_scope, "organisation__path")),
        _open_candour().filter(_in(candour_scope, "organisation__path")),
        _untriaged().filter(_in(responses_scope, "organisation__path")),
        today,
    )


def leads_a_team(user: Any) -> bool:
    return not scope_for(
        user, (Capability.MANAGE_SAFETY_RESPONSES, Capability.MANAGE_CANDOUR)
    ).is_empty
