"""The watchlist sees people's experience counted from feedback records (issue 15, ADR 17).

A region with no measures import of the experience indicators at all: only feedback records,
imported with `caresignals import feedback` from a file written here. The watchlist rules are
unchanged; they read the values counted from the records.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from django.core.management import call_command

from caresignals.audit.services import Actor
from caresignals.core.periods import Month
from caresignals.measures.models import MeasureValue, Origin
from caresignals.measures.services import sync_definitions
from caresignals.signals.watchlist import compute

pytestmark = pytest.mark.django_db

HEADER = ["source_id", "org_code", "service_code", "received_on", "kind", "fft_rating", "text"]
MONTHS = 24
WORSE_FOR = 5  # the last months, where complaints and negative answers rise four-fold


def _rows(org, service, months, rng, *, worsening):
    rows = []
    for i, month in enumerate(months):
        factor = 4.0 if worsening and i >= len(months) - WORSE_FOR else 1.0
        answers = int(rng.poisson(120))
        negative = min(answers, int(rng.poisson(120 * 0.04 * factor)))
        positive = int(rng.binomial(answers - negative, 0.93))
        ratings = (
            ["very_poor"] * (negative // 2)
            + ["poor"] * (negative - negative // 2)
            + ["good"] * positive
            + ["neither"] * (answers - negative - positive)
        )
        last_day = month.last_day.day
        for n, rating in enumerate(ratings):
            day = month.first_day.replace(day=1 + n % last_day)
            rows.append([f"{service}-{month}-F{n}", org, service, day, "fft", rating, ""])
        for n in range(int(rng.poisson(4 * factor))):
            day = month.first_day.replace(day=1 + (7 * n) % last_day)
            rows.append(
                [f"{service}-{month}-C{n}", org, service, day, "complaint", "", "Synthetic."]
            )
    return rows


@pytest.fixture
def region(small_ics, today, tmp_path):
    sync_definitions(Actor(label="test"))
    last = Month.complete_by(today, 10)
    months = list((last - (MONTHS - 1)).until(last))
    rng = np.random.default_rng(15)
    rows = _rows("TA", "TA-MAT", months, rng, worsening=True)
    rows += _rows("TB", "TB-MAT", months, rng, worsening=False)
    path = tmp_path / "feedback.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    call_command("import", "feedback", str(path), "--no-progress")
    small_ics.last = str(last)
    return small_ics


def _kinds(entries, code):
    return {s.kind for e in entries if e.code == code for s in e.signals}


def test_a_service_whose_feedback_worsens_four_fold_is_listed_and_a_steady_one_is_not(region):
    # Nothing was submitted through the measures import: every value was counted from records.
    values = MeasureValue.objects.filter(
        indicator__code__in=["fft_negative", "fft_positive", "complaints"]
    )
    assert values.exists() and not values.exclude(origin=Origin.DERIVED).exists()

    entries = compute.compute_watchlist(region.last)
    assert {"experience_worsening", "complaints_rising"} <= _kinds(entries, "TA-MAT")
    assert not {"experience_worsening", "complaints_rising"} & _kinds(entries, "TB-MAT")
    listed = {e.code for e in entries}
    assert "TA-MAT" in listed and "TB-MAT" not in listed


def test_a_month_before_the_rise_lists_neither(region):
    before = str(Month.parse(region.last) - WORSE_FOR)
    entries = compute.compute_watchlist(before)
    assert not {"experience_worsening", "complaints_rising"} & _kinds(entries, "TA-MAT")
