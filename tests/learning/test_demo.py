"""The demo's learning library: approved summaries across trusts, searchable, reused."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.services import Actor
from caresignals.demo import learning_library, safety_responses
from caresignals.learning import queries
from caresignals.learning.models import LearningReuse, LearningSummary
from tests.safety_response.factories import event

pytestmark = pytest.mark.django_db


def test_demo_shares_approved_summaries_across_trusts(small_ics):
    for trust in (small_ics.trust_a, small_ics.trust_b):
        for i in range(12):
            event(
                trust,
                category="falls",
                physical_harm="moderate",
                max_harm="moderate",
                description="Synthetic: Mr Noel Garside slipped in the bathroom at night.",
                reported_on=dt.date(2025, 6, 1) + dt.timedelta(days=7 * i),
            )
    actor = Actor(label="test")
    safety_responses.build(seed=1, actor=actor)
    written = learning_library.build(actor=actor)
    summaries = list(LearningSummary.objects.all())
    assert written == len(summaries) > 0
    assert {s.organisation for s in summaries} == {small_ics.trust_a, small_ics.trust_b}
    assert all(s.status == "approved" and s.approver_name for s in summaries)
    assert all("Garside" not in s.search_body for s in summaries)  # de-identified by rule
    assert LearningReuse.objects.exists()
    assert all(r.organisation != r.summary.organisation for r in LearningReuse.objects.all())
    assert queries.search(queries.SYSTEM_READER, "falls").total == len(summaries)
