"""The demo's candour steps and referral progress are plausible, valid and repeatable."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.services import Actor
from caresignals.demo.candour import build_candour
from caresignals.safety.models import CandourRecord, ContactAttempt, ReferralTask
from tests.candour.factories import notifiable_event, undecided_event

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def _region(small_ics) -> None:
    for i in range(300):
        reported = TODAY - dt.timedelta(days=20 + i)
        e = notifiable_event(small_ics.trust_a, reported_on=reported, occurred_on=reported)
        if i % 10 == 0:
            ReferralTask.objects.create(
                event=e, organisation=small_ics.trust_a, kind="safeguarding_referral"
            )
    for i in range(40):
        reported = TODAY - dt.timedelta(days=30 + i)
        undecided_event(small_ics.trust_b, reported_on=reported, occurred_on=reported)


def test_steps_are_a_believable_mix_and_every_one_is_valid(small_ics):
    _region(small_ics)
    written = build_candour(seed=3, actor=Actor(label="t"), today=TODAY)
    records = list(CandourRecord.objects.select_related("event"))
    assert written["candour_records"] == len(records) > 300
    assert 0 < written["hand_flags"] < 40
    told = [r for r in records if r.notified_in_person_on]
    assert 0.75 < len(told) / len(records) < 0.95
    late = [r for r in told if (r.notified_in_person_on - r.event.reported_on).days > 14]
    assert late, "some notifications are late"
    still_open = [r for r in records if not r.notification_done]
    assert still_open, "a few are still open, so overdue"
    for r in records:
        reported = r.event.reported_on
        if r.notified_in_person_on:
            assert reported <= r.notified_in_person_on <= TODAY and r.apology_given
            assert r.notified_by
        if r.written_notification_on:
            assert r.notified_in_person_on <= r.written_notification_on <= TODAY
        if r.results_shared_on:
            assert r.written_notification_on <= r.results_shared_on <= TODAY
        if r.contact_outcome == "not_contactable":
            assert r.attempts.count() == 2
    assert ContactAttempt.objects.exists()
    statuses = set(ReferralTask.objects.values_list("status", flat=True))
    assert {"referred", "to_do"} <= statuses
    for task in ReferralTask.objects.filter(status="referred"):
        assert task.referred_on and task.receiving_reference.startswith("SG-")


def test_the_same_seed_gives_the_same_steps(small_ics):
    _region(small_ics)
    build_candour(seed=3, actor=Actor(label="t"), today=TODAY)
    first = list(
        CandourRecord.objects.order_by("event_id").values_list(
            "event_id", "notified_in_person_on", "contact_outcome", "hand_flagged"
        )
    )
    CandourRecord.objects.all().delete()
    build_candour(seed=3, actor=Actor(label="t"), today=TODAY)
    again = list(
        CandourRecord.objects.order_by("event_id").values_list(
            "event_id", "notified_in_person_on", "contact_outcome", "hand_flagged"
        )
    )
    assert first == again
