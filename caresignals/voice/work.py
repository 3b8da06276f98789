"""The voice app's part of "My work" (ADR 21): open complaints by their next statutory clock.

`owned_by` is what names the person; `team_of` is every open complaint where the person works
patient voice (the complaints lead), whoever owns it. A complaint with no person named belongs
to the provider's complaints team. Items carry the reference, never the complainant's words or
name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from caresignals.core.work import WorkItem, owner_label, standing
from caresignals.voice.clocks import acknowledgement_due, six_month_point
from caresignals.voice.models import Complaint
from caresignals.voice.queries import voice_scope

LIMIT = 300
COMPLAINTS_TEAM = "Complaints team"


def next_clock(complaint: Complaint) -> tuple[dt.date, str]:
    """The earliest clock still to be met: acknowledgement, the agreed response date, or the
    6-month letter."""
    received = complaint.feedback.received_on
    owed: list[tuple[dt.date, str]] = []
    if complaint.acknowledged_on is None:
        owed.append((acknowledgement_due(received), "Acknowledgement due"))
    if complaint.response_due is not None:
        owed.append((complaint.response_due, "Response due"))
    if complaint.six_month_letter_on is None:
        owed.append((six_month_point(received), "6-month letter due"))
    return min(owed)


def _item(c: Complaint, today: dt.date) -> WorkItem:
    due, label = next_clock(c)
    f = c.feedback
    return WorkItem(
        kind="Complaint",
        reference=f.reference,
        title=f"Complaint received {f.received_on:%-d %B %Y}",
        organisation=f.organisation.name,
        due_on=due,
        due_label=label,
        url=reverse("voice:complaint", kwargs={"reference": f.reference}),
        owner=owner_label(c.owner_person, unassigned=COMPLAINTS_TEAM),
        owner_id=c.owner_person_id,
        state=standing(due, today),
    )


def _open() -> QuerySet[Complaint]:
    return Complaint.objects.filter(final_response_on__isnull=True).select_related(
        "feedback", "feedback__organisation", "owner_person"
    )


def _items(qs: QuerySet[Complaint], today: dt.date) -> list[WorkItem]:
    return [_item(c, today) for c in qs.order_by("feedback__received_on", "id")[:LIMIT]]


def owned_by(user: Any, today: dt.date) -> list[WorkItem]:
    return _items(_open().filter(owner_person=user), today)


def team_of(user: Any, today: dt.date) -> list[WorkItem]:
    scope = voice_scope(user, work=True)
    return _items(_open().filter(scope.q("feedback__organisation__path")), today)


def leads_a_team(user: Any) -> bool:
    return not voice_scope(user, work=True).is_empty
