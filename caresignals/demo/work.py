"""Owners for the synthetic region's work, so "My work" and "My events" have something to show
(ADR 21). Runs after everything else is built; deterministic (lowest keys first); invented.

- the patient-safety lead leads her trust's open learning responses and owns half of its
  open safety actions and a few Duty of Candour steps; the rest stay with the team;
- the staff member owns two safety actions, and a few of her trust's staff-recorded events are
  linked to her as their reporter (never an anonymous one);
- the complaints lead works half of his trust's open complaints;
- each trust's speak-up guardian has taken up the older half of the trust's open cases, signs
  the guardian's replies to anonymous reporters there, and has read every thread but three
  open ones where the person has just written again;
- the ICB quality lead owns the risks and rapid-review actions, but the board member owns one
  risk at his trust.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max

from caresignals.core import clock
from caresignals.organisations.models import User
from caresignals.organisations.roles import Role
from caresignals.safety.models import (
    CandourRecord,
    EventReporter,
    LearningResponse,
    PatientSafetyEvent,
    SafetyAction,
)
from caresignals.safety.responses import psirf
from caresignals.signals.models import QualityRisk, ReviewAction, RiskStatus
from caresignals.speakup.models import CaseReading, SpeakUpCase, SpeakUpMessage
from caresignals.speakup.vocabulary import Author, Status
from caresignals.voice.models import Complaint

REPORTED_BY_STAFF = 4
CANDOUR_OWNED = 3


def _ids(qs: object, n: int | None = None) -> list[int]:
    ids = list(qs.order_by("id").values_list("id", flat=True))  # type: ignore[attr-defined]
    return ids if n is None else ids[:n]


@transaction.atomic
def build_work() -> None:
    people = {u.username: u for u in User.objects.all()}
    lead, staff = people.get("safety.lead"), people.get("staff")
    if lead is None or staff is None:
        return
    trust = lead.memberships.get().organisation
    LearningResponse.objects.filter(organisation=trust).exclude(
        status=psirf.ResponseStatus.COMPLETED
    ).update(owner_person=lead)
    actions = _ids(
        SafetyAction.objects.filter(organisation=trust, status__in=psirf.ACTION_OPEN_STATUSES)
    )
    SafetyAction.objects.filter(id__in=actions[:2]).update(owner_person=staff)
    SafetyAction.objects.filter(id__in=actions[2::2]).update(owner_person=lead)
    CandourRecord.objects.filter(
        id__in=_ids(CandourRecord.objects.filter(event__organisation=trust), CANDOUR_OWNED)
    ).update(owner_person=lead)
    events = _ids(
        PatientSafetyEvent.objects.filter(
            organisation=trust, anonymous=False, reporter_type="staff"
        ),
        REPORTED_BY_STAFF,
    )
    EventReporter.objects.bulk_create(EventReporter(event_id=e, user=staff) for e in events)

    if complaints_lead := people.get("complaints.lead"):
        open_ = _ids(
            Complaint.objects.filter(feedback__organisation=trust, final_response_on__isnull=True)
        )
        Complaint.objects.filter(id__in=open_[::2]).update(owner_person=complaints_lead)
    guardians = User.objects.filter(memberships__role=Role.SPEAKUP_GUARDIAN).order_by("id")
    for guardian in guardians:
        where = guardian.memberships.get().organisation
        cases = _ids(SpeakUpCase.objects.filter(organisation=where, status=Status.OPEN))
        SpeakUpCase.objects.filter(id__in=cases[: len(cases) // 2]).update(owner_person=guardian)
        _read_all_but_three(guardian, where)
        SpeakUpMessage.objects.filter(case__organisation=where, author=Author.GUARDIAN).update(
            guardian=guardian
        )
    if icb := people.get("icb.quality"):
        QualityRisk.objects.filter(status=RiskStatus.OPEN).update(owner_person=icb)
        ReviewAction.objects.update(owner_person=icb)
    if board := people.get("board"):
        mine = _ids(QualityRisk.objects.filter(organisation__path__startswith=trust.path), 1)
        QualityRisk.objects.filter(id__in=mine).update(owner_person=board)


NEW_MESSAGES = 3
WROTE_AGAIN = "Synthetic: it happened again this week. Is anything being done?"


def _read_all_but_three(guardian: Any, where: Any) -> None:
    """The person who spoke up has written again on the three most recently raised open cases
    at the guardian's trust, and she has read every other thread: "New messages (3)" on her
    list and home page."""
    recent = list(
        SpeakUpCase.objects.filter(organisation=where, status=Status.OPEN).order_by(
            "-raised_on", "id"
        )[:NEW_MESSAGES]
    )
    today = clock.today()
    for case in recent:
        last = case.messages.aggregate(n=Max("sequence"), day=Max("sent_on"))
        day = max(last["day"] or case.raised_on, case.raised_on + dt.timedelta(days=2))
        SpeakUpMessage.objects.create(
            case=case,
            sequence=(last["n"] or 0) + 1,
            author=Author.REPORTER,
            text=WROTE_AGAIN,
            sent_on=min(day, today),
        )
    unread = {case.pk for case in recent}
    last_read = (
        SpeakUpMessage.objects.filter(case__organisation=where)
        .values("case_id")
        .annotate(n=Max("sequence"))
        .values_list("case_id", "n")
    )
    # She has opened every case (one with no message yet is read to 0), and read each of
    # the three up to the message just before the new one.
    read_to = dict(last_read)
    cases = SpeakUpCase.objects.filter(organisation=where).values_list("pk", flat=True)
    CaseReading.objects.bulk_create(
        CaseReading(
            case_id=case_id,
            guardian=guardian,
            read_to=read_to.get(case_id, 0) - (1 if case_id in unread else 0),
        )
        for case_id in cases
    )
