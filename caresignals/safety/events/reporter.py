"""What a person who recorded an event through the staff form may follow of it ("My events").

The link is `EventReporter` alone: an anonymous or public report has none (core/anonymity.py),
so it never appears here. The reporter sees a reporter-safe level of detail: what they
recorded (the description de-identified, as outside the provider), where it has got to, and
the learning shared back once a learning response is completed; never the triage note,
Duty of Candour, referrals or the patient's details (hazard H68).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from caresignals.safety.deidentify import deidentify
from caresignals.safety.models import LearningResponse, PatientSafetyEvent
from caresignals.safety.responses import psirf
from caresignals.safety.responses.access import read_scope
from caresignals.safety.vocabulary import Category, MaxHarm, RecordType


class ReportStatus(enum.StrEnum):
    """Where a recorded event has got to, in the words a reporter expects (LFPSE, Datix)."""

    RECEIVED = "Received"
    TRIAGED = "Triaged"
    LEARNING_RESPONSE = "Under a learning response"
    CLOSED = "Closed"


@dataclass(frozen=True)
class SharedLearning:
    reference: str
    kind_label: str
    title: str
    completed_on: dt.date | None
    summary: str  # de-identified


@dataclass(frozen=True)
class ReportedEvent:
    reference: str
    organisation: str
    record_type: str
    category: str
    harm: str
    occurred_on: dt.date
    reported_on: dt.date
    status: ReportStatus
    description: str  # de-identified
    learning: tuple[SharedLearning, ...]


def _label(choices: Any, value: str, default: str = "Not recorded") -> str:
    return str(dict(choices).get(value, default)) if value else default


def status_of(event: PatientSafetyEvent) -> ReportStatus:
    """Closed once triage decides no further response or every learning response on the event
    is completed; under a learning response while one is open; triaged once decided."""
    responses = list(event.learning_responses.all())
    if responses:
        if all(r.status == psirf.ResponseStatus.COMPLETED for r in responses):
            return ReportStatus.CLOSED
        return ReportStatus.LEARNING_RESPONSE
    triage = getattr(event, "triage", None)
    if triage is None:
        return ReportStatus.RECEIVED
    if triage.response == psirf.ResponseType.NONE:
        return ReportStatus.CLOSED
    return ReportStatus.TRIAGED


def _reported(event: PatientSafetyEvent) -> ReportedEvent:
    learning = tuple(
        SharedLearning(
            reference=r.reference,
            kind_label=_label(psirf.LearningResponseType.choices, r.kind, r.kind),
            title=deidentify(r.title),
            completed_on=r.completed_on,
            summary=deidentify(r.summary),
        )
        for r in event.learning_responses.all()
        if r.status == psirf.ResponseStatus.COMPLETED and r.summary
    )
    place = event.service or event.organisation
    return ReportedEvent(
        reference=event.reference,
        organisation=place.name,
        record_type=_label(RecordType.choices, event.record_type),
        category=_label(Category.choices, event.category),
        harm=_label(MaxHarm.choices, event.max_harm),
        occurred_on=event.occurred_on,
        reported_on=event.reported_on,
        status=status_of(event),
        description=deidentify(event.description) or "Not recorded",
        learning=learning,
    )


def _reported_by(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False):
        return PatientSafetyEvent.objects.none()
    return (
        PatientSafetyEvent.objects.filter(reporter_link__user=user, anonymous=False)
        .select_related("organisation", "service", "triage")
        .prefetch_related(
            Prefetch("learning_responses", queryset=LearningResponse.objects.order_by("id"))
        )
    )


def my_events(user: Any) -> list[ReportedEvent]:
    """The events `user` recorded through the staff form, newest first."""
    return [_reported(e) for e in _reported_by(user).order_by("-reported_on", "-id")]


def my_event(user: Any, reference: str) -> ReportedEvent:
    """One of them; anyone else's event (or an anonymous one) is not found."""
    event = _reported_by(user).filter(reference=reference).first()
    if event is None:
        raise Http404("No such event")
    return _reported(event)


def is_reporter(user: Any, reference: str) -> bool:
    return _reported_by(user).filter(reference=reference).exists()


def reporter_only(user: Any, reference: str) -> bool:
    """Whether `user` recorded the event but may not read its full page (no patient-safety role
    where it happened): the full page's link then leads to the reporter's page, not a 403."""
    if not is_reporter(user, reference):
        return False
    readable = PatientSafetyEvent.objects.filter(reference=reference).filter(
        read_scope(user).q("organisation__path")
    )
    return not readable.exists()
