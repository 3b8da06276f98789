"""Every write of the voice domain: one transaction each, audited, versioned where edited.

Callers (views, the API, the demo) have already checked what a person typed with a form or
`public.check_body`; these functions check what only the database knows (codes, the event a
complaint links to) and refuse an edit made on an out-of-date copy (`EditConflict`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core import clock
from caresignals.core.concurrency import save_if_unchanged
from caresignals.core.periods import Month
from caresignals.core.references import normalise_reference
from caresignals.organisations.models import Organisation
from caresignals.voice import hooks, safety_events
from caresignals.voice.models import (
    Channel,
    Complaint,
    Feedback,
    Kind,
    Publication,
)
from caresignals.voice.public import PublicFeedback


@dataclass
class FeedbackInvalid(Exception):
    """Nothing was stored; `errors` maps each field to what is wrong."""

    errors: dict[str, list[str]]


def _today() -> dt.date:
    return clock.today()


def _change(action: AuditAction, feedback: Feedback, **details: object) -> Change:
    return Change(
        action, "feedback", feedback.reference, feedback.organisation.path, details=dict(details)
    )


@transaction.atomic
def receive_feedback(item: PublicFeedback, *, channel: str, actor: Actor) -> Feedback:
    """Store feedback from a member of the public (a complaint also opens its clocks)."""
    provider = Organisation.objects.filter(code=item.org_code, kind="provider").first()
    if provider is None:
        raise FeedbackInvalid({"org_code": ["Expected the code of an NHS provider"]})
    service = None
    if item.service_code:
        service = Organisation.objects.filter(
            code=item.service_code, kind="service", parent=provider
        ).first()
        if service is None:
            raise FeedbackInvalid({"service_code": [f"Expected a service of {provider.code}"]})
    feedback = Feedback.objects.create(
        organisation=provider,
        service=service,
        source_id=f"{channel}-{uuid.uuid4().hex[:16]}",
        kind=item.kind,
        fft_rating=item.fft_rating,
        text=item.text,
        received_on=_today(),
        channel=channel,
        contact_name=item.name,
        contact_email=item.email,
        contact_phone=item.phone,
        consent_to_contact=item.consent_to_contact,
        consent_to_publish=item.consent_to_publish,
        care_of=item.care_of,
        relationship=item.relationship,
        representative_basis=item.representative_basis,
        publication=Publication.PENDING if item.consent_to_publish else Publication.NOT_ASKED,
    )
    if feedback.kind == Kind.COMPLAINT:
        Complaint.objects.create(feedback=feedback)
    record(actor, _change(AuditAction.FEEDBACK_RECEIVED, feedback, kind=feedback.kind))
    hooks.feedback_received.send(
        sender=Feedback,
        provider_months={(provider.pk, Month.of(feedback.received_on).first_day)},
    )
    return feedback


# -- "you said, we did" ---------------------------------------------------------------------


@transaction.atomic
def record_reply(feedback: Feedback, reply: str, *, version: int, actor: Actor) -> None:
    save_if_unchanged(feedback, version, reply=reply, replied_on=_today())
    record(actor, _change(AuditAction.FEEDBACK_REPLIED, feedback))


@transaction.atomic
def moderate(
    feedback: Feedback,
    *,
    approve: bool,
    published_text: str = "",
    reason: str = "",
    version: int,
    actor: Actor,
) -> None:
    """Approve a consented story with the moderator's de-identified text, or reject it."""
    if not feedback.consent_to_publish:
        raise FeedbackInvalid({"decision": ["The person did not agree to publication"]})
    if approve:
        save_if_unchanged(
            feedback,
            version,
            publication=Publication.APPROVED,
            published_text=published_text,
            rejection_reason="",
            published_on=_today(),
        )
    else:
        save_if_unchanged(
            feedback,
            version,
            publication=Publication.REJECTED,
            published_text="",
            rejection_reason=reason,
            published_on=None,
        )
    record(
        actor,
        _change(
            AuditAction.FEEDBACK_MODERATED,
            feedback,
            decision="approved" if approve else "rejected",
        ),
    )


@transaction.atomic
def mark_change(
    feedback: Feedback, status: str, description: str, *, version: int, actor: Actor
) -> None:
    save_if_unchanged(feedback, version, change_status=status, change_description=description)
    record(actor, _change(AuditAction.FEEDBACK_CHANGE_MARKED, feedback, status=status))


# -- complaints -----------------------------------------------------------------------------


def _complaint_change(complaint: Complaint, **details: object) -> Change:
    return _change(AuditAction.COMPLAINT_UPDATED, complaint.feedback, **details)


@transaction.atomic
def update_complaint(
    complaint: Complaint, changes: Mapping[str, object], *, version: int, actor: Actor, step: str
) -> None:
    """Record one step (acknowledgement, agreed date, 6-month letter, final response)."""
    save_if_unchanged(complaint, version, **changes)
    record(
        actor,
        _complaint_change(
            complaint,
            step=step,
            **{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in changes.items()},
        ),
    )


@transaction.atomic
def assign_complaint(complaint: Complaint, owner: Any, *, version: int, actor: Actor) -> None:
    """Name the person who works the complaint; None hands it back to the team."""
    save_if_unchanged(complaint, version, owner_person=owner)
    record(actor, _complaint_change(complaint, step="owner", owner=owner.pk if owner else None))


def _link(complaint: Complaint, event: Any, version: int, actor: Actor) -> None:
    save_if_unchanged(complaint, version, safety_event=event)
    record(
        actor,
        _change(AuditAction.COMPLAINT_EVENT_LINKED, complaint.feedback, event=event.reference),
    )


@transaction.atomic
def link_event(complaint: Complaint, reference: str, *, version: int, actor: Actor) -> None:
    """Link to an event of the same provider, found by its public reference."""
    events = Complaint._meta.get_field("safety_event").related_model._default_manager
    event = events.filter(
        reference=normalise_reference(reference), organisation=complaint.feedback.organisation
    ).first()
    if event is None:
        raise FeedbackInvalid(
            {
                "event_reference": [
                    f"Enter the reference of an event of {complaint.feedback.organisation.name}"
                ]
            }
        )
    _link(complaint, event, version, actor)


@transaction.atomic
def create_event_for(
    complaint: Complaint,
    *,
    occurred_on: dt.date,
    category: str,
    physical_harm: str,
    reporter_type: str,
    description: str,
    version: int,
    actor: Actor,
) -> Any:
    """Record the safety event a complaint reveals (an incident the family reported) and link it.

    The event goes through safety's `record_event` (voice/safety_events.py), so through every
    rule an imported event meets.
    """
    feedback = complaint.feedback
    try:
        stored = safety_events.record_event(
            {
                "record_type": "incident",
                "org_code": feedback.organisation.code,
                "service_code": feedback.service.code if feedback.service else "",
                "occurred_on": occurred_on.isoformat(),
                "reported_on": feedback.received_on.isoformat(),
                "service_area": "unknown",
                "category": category,
                "physical_harm": physical_harm,
                "patient_died": False,
                "learning_disability": "unknown",
                "autism": "unknown",
                "detained_mha": "unknown",
                "description": description,
                "reporter_type": reporter_type,
                "anonymous": False,
            },
            actor,
        )
    except safety_events.EventRefused as refused:
        raise FeedbackInvalid(refused.errors) from None
    _link(complaint, stored, version, actor)
    return stored


def channel_label(channel: str) -> str:
    return str(Channel(channel).label)
