"""Each derived indicator's numerator, declared once in its definition file, counts the same
events in the store (the generated Django filter) as over Parquet (the generated DuckDB SQL)."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import pytest

from caresignals.analytics import event_indicators, parquet
from caresignals.measures import numerators
from caresignals.measures.services import read_definitions
from caresignals.safety.events import derived
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.vocabulary import Category, NeverEventType, RecordType
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PHYSICAL = ["", "none", "low", "moderate", "severe", "fatal"]
PSYCHOLOGICAL = ["", "none", "low", "moderate", "severe"]


def test_every_event_indicator_in_the_definitions_has_a_rule_both_engines_use():
    derived_codes = {d.code for d in read_definitions() if d.source == "derived from events"}
    assert derived_codes == set(numerators.rules("events")) == set(event_indicators.COUNTS)
    sql = parquet.monthly_counts_sql()
    for code in derived_codes:
        assert f" AS {code}" in sql


def test_the_store_and_duckdb_count_the_same_events_for_every_rule(small_ics, tmp_path):
    categories = sorted({"falls", "restrictive_practice", Category.values[0]})
    combos = itertools.product(RecordType.values, PHYSICAL, PSYCHOLOGICAL, categories, [0, 1])
    for i, (record_type, physical, psychological, category, never) in enumerate(combos):
        worst = derived.max_harm([physical or None], [psychological or None])[0].as_py()
        EventFactory(
            organisation=small_ics.trust_a,
            record_type=record_type,
            occurred_on=dt.date(2026, 1, 1) + dt.timedelta(days=i % 90),
            physical_harm=physical,
            psychological_harm=psychological,
            max_harm=worst,
            category=category,
            never_event_type=NeverEventType.values[0] if never else "",
        )
    path = parquet.write_snapshot(tmp_path)
    rules = numerators.rules("events")
    assert rules
    with duckdb.connect() as con:
        for code, rule in rules.items():
            in_store = PatientSafetyEvent.objects.filter(rule.q()).count()
            sql = f"WITH events AS ({rule.snapshot_sql}) SELECT count(*) FROM events"  # noqa: S608
            sql += f" WHERE {rule.sql()}"
            (in_duckdb,) = con.execute(sql, [str(path)]).fetchone()
            assert in_store == in_duckdb, code
            assert 0 < in_store < PatientSafetyEvent.objects.count(), code


def test_every_feedback_indicator_has_a_rule_both_engines_use():
    from caresignals.measures import feedback_indicators

    from_feedback = {
        d.code for d in read_definitions() if d.source == numerators.FEEDBACK_INDICATOR_SOURCE
    }
    assert from_feedback == set(numerators.rules("feedback")) == set(feedback_indicators.COUNTS)
    sql = parquet.monthly_counts_sql("feedback")
    for code in from_feedback:
        assert f" AS {code}" in sql


def test_the_store_and_duckdb_count_the_same_feedback_for_every_rule(small_ics, tmp_path):
    from caresignals.voice.models import Feedback, FftRating, Kind
    from tests.voice.factories import FeedbackFactory

    for i, (kind, rating) in enumerate(itertools.product(Kind.values, ["", *FftRating.values])):
        if (kind == Kind.FFT) != bool(rating):
            continue
        FeedbackFactory(
            organisation=small_ics.trust_a,
            kind=kind,
            fft_rating=rating,
            received_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )
    path = parquet.write_feedback_snapshot(tmp_path)
    rules = numerators.rules("feedback")
    with duckdb.connect() as con:
        for code, rule in rules.items():
            for q, condition in ((rule.q(), rule.sql()), (rule.out_of_q(), rule.out_of_sql())):
                if q is None or condition is None:
                    continue
                in_store = Feedback.objects.filter(q).count()
                sql = f"WITH r AS ({rule.snapshot_sql}) SELECT count(*) FROM r"  # noqa: S608
                (in_duckdb,) = con.execute(f"{sql} WHERE {condition}", [str(path)]).fetchone()
                assert in_store == in_duckdb, code
                assert 0 < in_store < Feedback.objects.count(), code
