"""The demo's feedback follows the generated measures, deterministically."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.demo.voice import FFT_CAP, build_voice
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.voice.insight import provider_insight
from caresignals.voice.models import Complaint, Feedback

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 11)]


@pytest.fixture
def measures(small_ics):
    codes = {}
    for code, unit in (
        ("fft_positive", "proportion"),
        ("fft_negative", "proportion"),
        ("complaints", "count"),
    ):
        codes[code] = Indicator.objects.create(code=code, name=code, unit=unit, polarity="neutral")
    for i, month in enumerate(MONTHS):
        positive = 0.95 if i < 5 else 0.6  # a decline from June
        for service in (small_ics.maternity_a, small_ics.maternity_b):
            MeasureValue.objects.create(
                organisation=service,
                indicator=codes["fft_positive"],
                period=month,
                numerator=round(200 * positive),
                denominator=200,
            )
            MeasureValue.objects.create(
                organisation=service,
                indicator=codes["fft_negative"],
                period=month,
                numerator=round(200 * (0.95 - positive) + 4),
                denominator=200,
            )
            MeasureValue.objects.create(
                organisation=service,
                indicator=codes["complaints"],
                period=month,
                numerator=2 if i < 5 else 6,
            )
    return small_ics


def test_demo_feedback_follows_the_measures(measures):
    counts = build_voice(seed=3, today=TODAY)
    assert counts["fft"] == FFT_CAP * len(MONTHS) * 2  # sampled: capped per service-month
    assert (
        Complaint.objects.count()
        == counts["complaint"]
        == Feedback.objects.filter(kind="complaint").count()
    )
    fft = provider_insight(measures.trust_a, months=10).fft[0].months
    before = sum(m.positive for m in fft[:5]) / sum(m.responses for m in fft[:5])
    after = sum(m.positive for m in fft[5:]) / sum(m.responses for m in fft[5:])
    assert before > 0.85 and after < 0.75
    early = Feedback.objects.filter(kind="complaint", received_on__lt=dt.date(2026, 6, 1)).count()
    late = Feedback.objects.filter(kind="complaint", received_on__gte=dt.date(2026, 6, 1)).count()
    assert late > early
    # Nothing public without consent and moderation.
    for f in Feedback.objects.filter(publication="approved"):
        assert f.consent_to_publish and f.published_text and f.kind != "fft"
    # Clocks in a mix of states, all dates consistent.
    for c in Complaint.objects.select_related("feedback"):
        if c.acknowledged_on:
            assert c.acknowledged_on >= c.feedback.received_on
        if c.final_response_on:
            assert c.ombudsman_signposted and c.outcome and c.final_response_on <= TODAY


def test_demo_feedback_is_deterministic(measures):
    build_voice(seed=3, today=TODAY)
    first = list(
        Feedback.objects.order_by("source_id").values_list("reference", "fft_rating", "text")
    )
    Feedback.objects.all().delete()
    build_voice(seed=3, today=TODAY)
    again = list(
        Feedback.objects.order_by("source_id").values_list("reference", "fft_rating", "text")
    )
    assert first == again
