"""The demo's learning from deaths, on a small region: deterministic, with something in
every list, and poor care leading to learning responses."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.services import Actor
from caresignals.demo import mortality as demo
from caresignals.mortality import queries
from caresignals.mortality.models import Death, StructuredJudgementReview
from caresignals.mortality.vocabulary import ReviewStatus
from caresignals.organisations.roles import Role
from tests.factories import OrganisationFactory, member
from tests.mortality.helpers import fatal_event

pytestmark = pytest.mark.django_db


def test_the_demo_screens_and_reviews_deaths(small_ics, today):
    for n in range(7):
        fatal_event(small_ics.trust_a, occurred_on=dt.date(2026, 9, 1 + n))
    fatal_event(small_ics.trust_b)
    actor = Actor(label="demo")

    added = demo.build(seed=3, actor=actor, until=dt.date(2026, 10, 31))

    # Trust A: 5 latest, one left to screen; trust B: its only death left to screen.
    assert added == 4
    reviews = StructuredJudgementReview.objects.all()
    assert reviews.count() in (2, 3)  # one left due; the last screened out unless it must not be
    poor = [r for r in reviews if r.learning_response is not None]
    for r in poor:
        assert r.learning_response.events.get() == r.death.event
    lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    statuses = {r.status for r in queries.rows(lead, today)}
    assert {ReviewStatus.TO_SCREEN, ReviewStatus.COMPLETED} <= statuses
    assert statuses & {ReviewStatus.DUE, ReviewStatus.OVERDUE}
    assert not Death.objects.filter(source="hand").exists()  # no RX1 in this region


def test_the_demo_trust_has_a_death_added_by_hand_and_notified_to_leder(small_ics):
    OrganisationFactory(code="RX1", name="Demo trust", type="acute_trust", parent=small_ics.place_a)
    demo.build(seed=3, actor=Actor(label="demo"), until=dt.date(2026, 10, 31))
    death = Death.objects.get(source="hand")
    assert death.screening == "in_scope"
    assert death.leder.notified_on == dt.date(2026, 10, 17)
