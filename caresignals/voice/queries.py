"""Reads of the voice domain, each limited to what the person may see.

Complaints and feedback hold names and contact details, so staff reads are scoped by role as
well as by organisation (`scoping.scope_for(user, capability)`): the complaints lead sees their own
organisation's, the ICB quality lead everyone's; anyone else finds nothing (404). Only the
complaints lead may change them. Public reads show only what moderation approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from caresignals.core import clock
from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import Scope, scope_for
from caresignals.voice import clocks
from caresignals.voice.clocks import ClockState, clock_state
from caresignals.voice.models import Complaint, Feedback, Kind, Publication


def voice_scope(user: Any, *, work: bool = False) -> Scope:
    capability = Capability.WORK_PATIENT_VOICE if work else Capability.VIEW_PATIENT_VOICE
    return scope_for(user, capability)


def can_work(user: Any, feedback: Feedback) -> bool:
    return voice_scope(user, work=True).covers(feedback.organisation.path)


# -- complaints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintRow:
    complaint: Complaint
    feedback: Feedback
    clock: ClockState


COMPLAINT_VIEWS = {
    "open": "Open complaints",
    "acknowledgement_overdue": "Acknowledgement overdue",
    "response_overdue": "Response overdue",
    "six_month_letter_due": "6-month letter due",
    "closed": "Final response sent",
    "all": "All complaints",
}


def _row(complaint: Complaint, today: dt.date) -> ComplaintRow:
    f = complaint.feedback
    return ComplaintRow(
        complaint,
        f,
        clock_state(
            received_on=f.received_on,
            acknowledged_on=complaint.acknowledged_on,
            response_due=complaint.response_due,
            six_month_letter_on=complaint.six_month_letter_on,
            final_response_on=complaint.final_response_on,
            today=today,
        ),
    )


def _complaints(user: Any) -> QuerySet[Complaint]:
    return Complaint.objects.filter(
        voice_scope(user).q("feedback__organisation__path")
    ).select_related("feedback", "feedback__organisation", "feedback__service", "safety_event")


PAGE_SIZE = 50


def _complaint_filters(today: dt.date) -> dict[str, Q]:
    """Each list of COMPLAINT_VIEWS as a database filter: the clocks of clocks.py, as ranges
    of the day received, so the lists and their counts never load every complaint."""
    open_ = Q(final_response_on__isnull=True)
    return {
        "open": open_,
        "acknowledgement_overdue": open_
        & Q(acknowledged_on__isnull=True)
        & Q(feedback__received_on__lte=clocks.acknowledgement_overdue_received_by(today)),
        "response_overdue": open_ & Q(response_due__lt=today),
        "six_month_letter_due": open_
        & Q(six_month_letter_on__isnull=True)
        & Q(feedback__received_on__lte=clocks.six_month_letter_due_received_by(today)),
        "closed": Q(final_response_on__isnull=False),
        "all": Q(),
    }


def complaint_rows(
    user: Any, view: str, *, page: int = 1, today: dt.date | None = None
) -> tuple[list[ComplaintRow], int]:
    """One page (PAGE_SIZE) of the complaints the user may see in one of COMPLAINT_VIEWS
    (open ones oldest first, closed ones newest first), and how many the list holds."""
    today = today or clock.today()
    qs = _complaints(user).filter(_complaint_filters(today)[view])
    if view in ("all", "closed"):
        qs = qs.order_by("-feedback__received_on", "-feedback__id")
    else:
        qs = qs.order_by("feedback__received_on", "feedback__id")
    first = (max(page, 1) - 1) * PAGE_SIZE
    return [_row(c, today) for c in qs[first : first + PAGE_SIZE]], qs.count()


def complaint_counts(user: Any, *, today: dt.date | None = None) -> dict[str, int]:
    """How many complaints each open list holds: one query."""
    filters = _complaint_filters(today or clock.today())
    counted = ("open", "acknowledgement_overdue", "response_overdue", "six_month_letter_due")
    found = (
        Complaint.objects.filter(voice_scope(user).q("feedback__organisation__path"))
        .order_by()
        .aggregate(**{name: Count("pk", filter=filters[name]) for name in counted})
    )
    return {name: int(found[name] or 0) for name in counted}


def complaint_for(
    user: Any, reference: str, *, work: bool = False, today: dt.date | None = None
) -> ComplaintRow:
    """The complaint with this feedback reference, or 404 if the user may not see (or, with
    `work`, change) it."""
    qs = Complaint.objects.filter(
        voice_scope(user, work=work).q("feedback__organisation__path"),
        feedback__reference=reference,
    ).select_related("feedback", "feedback__organisation", "feedback__service", "safety_event")
    complaint = qs.first()
    if complaint is None:
        raise Http404("Not found")
    return _row(complaint, today or clock.today())


# -- feedback -------------------------------------------------------------------------------

FEEDBACK_VIEWS = {
    "awaiting_moderation": "Stories waiting for moderation",
    "no_reply": "Not replied to",
    "all": "All feedback (not complaints)",
}
LIST_LIMIT = 200


def feedback_rows(user: Any, view: str) -> tuple[list[Feedback], int]:
    """Feedback other than FFT ratings and complaints, newest first (at most LIST_LIMIT)."""
    qs = Feedback.objects.filter(
        voice_scope(user).q("organisation__path"), kind__in=[Kind.COMPLIMENT, Kind.CONCERN]
    ).select_related("organisation", "service")
    if view == "awaiting_moderation":
        qs = Feedback.objects.filter(
            voice_scope(user).q("organisation__path"), publication=Publication.PENDING
        ).select_related("organisation", "service")
    elif view == "no_reply":
        qs = qs.filter(reply="")
    return list(qs.order_by("-received_on", "-id")[:LIST_LIMIT]), qs.count()


def feedback_for(user: Any, reference: str, *, work: bool = False) -> Feedback:
    found = (
        Feedback.objects.filter(
            voice_scope(user, work=work).q("organisation__path"), reference=reference
        )
        .select_related("organisation", "service")
        .first()
    )
    if found is None:
        raise Http404("Not found")
    return found


def insight_providers(user: Any) -> list[Organisation]:
    """Providers whose feedback insight the user may open from the feedback pages."""
    return list(
        Organisation.objects.filter(voice_scope(user).q("path"), kind="provider").order_by("name")
    )


# -- public ---------------------------------------------------------------------------------


def public_providers() -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(kind="provider").order_by("name").values_list("code", "name")
    )


def provider_or_404(code: str) -> Organisation:
    found = Organisation.objects.filter(code=code, kind="provider").first()
    if found is None:
        raise Http404("Not found")
    return found


def services_of(provider: Organisation) -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(parent=provider, kind="service")
        .order_by("name")
        .values_list("code", "name")
    )


PUBLIC_PAGE_SIZE = 20


def published_stories(provider: Organisation, service_code: str = "") -> QuerySet[Feedback]:
    """Approved stories, newest first, of one service if a code is given: only the
    moderator's de-identified text is shown. The page shows them PUBLIC_PAGE_SIZE at a time."""
    qs = Feedback.objects.filter(organisation=provider, publication=Publication.APPROVED)
    if service_code:
        qs = qs.filter(service__code=service_code)
    return qs.select_related("service").order_by("-published_on", "-received_on", "-id")
