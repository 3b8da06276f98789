"""The DuckDB-over-Parquet path gives the same monthly numerators as the operational one."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from caresignals.analytics import event_indicators, parquet
from tests.factories import EventFactory
from tests.voice.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


def test_duckdb_over_a_snapshot_agrees_with_the_database(small_ics, tmp_path):
    rng = random.Random(7)
    harms = ["none", "low", "moderate", "severe", "fatal"]
    for i in range(300):
        physical = rng.choice(harms)
        psychological = rng.choice(["", "none", "moderate", "severe"])
        record_type = rng.choice(["incident"] * 8 + ["outcome", "risk"])
        org, service = rng.choice(
            [
                (small_ics.trust_a, small_ics.maternity_a),
                (small_ics.trust_a, None),
                (small_ics.trust_b, small_ics.maternity_b),
            ]
        )
        EventFactory(
            organisation=org,
            service=service,
            record_type=record_type,
            occurred_on=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(400)),
            physical_harm=physical if record_type != "risk" else "",
            psychological_harm=psychological if record_type != "risk" else "",
            max_harm=max(
                [physical, psychological or "none"],
                key=["none", "low", "moderate", "severe", "fatal"].index,
            )
            if record_type != "risk"
            else "",
            category=rng.choice(["falls", "restrictive_practice", "medication", "other"]),
            never_event_type="wrong_site_surgery"
            if i % 97 == 0 and record_type == "incident"
            else "",
        )
    path = parquet.write_snapshot(tmp_path)
    duck = parquet.monthly_counts(path).to_pylist()
    from_duckdb = sorted(
        (r["org_code"], r["service_code"], r["month"], {k: r[k] for k in event_indicators.COUNTS})
        for r in duck
    )
    assert from_duckdb == event_indicators.monthly_counts_table()
    assert sum(r[3]["never_events"] for r in from_duckdb) >= 1


def test_duckdb_counts_feedback_as_the_database_does(small_ics, tmp_path):
    """The experience indicators' numerators and denominators (ADR 17), from one declaration."""
    from caresignals.measures import feedback_indicators
    from caresignals.voice.models import FftRating, Kind

    rng = random.Random(11)
    for i in range(400):
        kind = rng.choice([Kind.FFT] * 6 + [Kind.COMPLAINT, Kind.CONCERN, Kind.COMPLIMENT])
        org, service = rng.choice(
            [
                (small_ics.trust_a, small_ics.maternity_a),
                (small_ics.trust_a, None),
                (small_ics.trust_b, small_ics.maternity_b),
            ]
        )
        FeedbackFactory(
            organisation=org,
            service=service,
            source_id=f"P{i}",
            kind=kind,
            fft_rating=rng.choice(FftRating.values) if kind == Kind.FFT else "",
            received_on=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(400)),
        )
    path = parquet.write_feedback_snapshot(tmp_path)
    duck = parquet.monthly_counts(path, "feedback").to_pylist()
    names = [n for n in duck[0] if n not in ("org_code", "service_code", "month")]
    assert {"complaints", "fft_negative", "fft_negative__out_of"} <= set(names)
    from_duckdb = sorted(
        (r["org_code"], r["service_code"], r["month"], {k: r[k] for k in names}) for r in duck
    )
    assert from_duckdb == feedback_indicators.monthly_counts_table()
    assert sum(r[3]["complaints"] for r in from_duckdb) >= 1


def test_commands(small_ics, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    EventFactory(organisation=small_ics.trust_a)
    out = StringIO()
    call_command("analytics", "snapshot", str(tmp_path), stdout=out)
    assert (tmp_path / "events.parquet").exists()
    assert (tmp_path / "feedback.parquet").exists()
    call_command("analytics", "refresh", stdout=out)
    assert "derived values written" in out.getvalue()
