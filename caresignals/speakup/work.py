"""The speak-up app's part of "My work" (ADR 21): open cases, by reference only.

Only guardians ever see a case (`SpeakUpCase.objects.for_guardian`), so `owned_by` and
`team_of` both stay inside it: a case names its guardian as owner, and the guardians of an
organisation see its open cases. An item never carries the concern, its categories or who
raised it; the date shown is the day raised, which the case already keeps (no finer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from caresignals.core.work import LATER, WorkItem, owner_label
from caresignals.speakup.models import SpeakUpCase, guardian_organisation_ids
from caresignals.speakup.vocabulary import Status

LIMIT = 300
GUARDIANS = "Speak-up guardians"


def _item(case: SpeakUpCase, today: dt.date) -> WorkItem:
    return WorkItem(
        kind="Speak-up case",
        reference=case.reference,
        title="Open speak-up case",
        organisation=case.organisation.name,
        due_on=None,  # no national clock; the guardian agrees timescales with the person
        due_label="",
        url=reverse("speakup:case", kwargs={"reference": case.reference}),
        owner=owner_label(case.owner_person, unassigned=GUARDIANS),
        owner_id=case.owner_person_id,
        state=LATER,
    )


def _open(user: Any) -> QuerySet[SpeakUpCase]:
    return (
        SpeakUpCase.objects.for_guardian(user)
        .filter(status=Status.OPEN)
        .select_related("organisation", "owner_person")
    )


def owned_by(user: Any, today: dt.date) -> list[WorkItem]:
    qs = _open(user).filter(owner_person=user).order_by("raised_on", "reference")
    return [_item(c, today) for c in qs[:LIMIT]]


def team_of(user: Any, today: dt.date) -> list[WorkItem]:
    qs = _open(user).order_by("raised_on", "reference")
    return [_item(c, today) for c in qs[:LIMIT]]


def leads_a_team(user: Any) -> bool:
    return bool(guardian_organisation_ids(user))
