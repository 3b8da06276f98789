"""A column rule read one value at a time (forms, the API) must agree with the same rule over
a whole batch (imports): same typed value, same verdict."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from caresignals.interop.columns import Column, choice
from caresignals.safety.events.importers import EventImporter

COLUMNS = [
    *EventImporter.columns,
    Column("count", "a whole number", required=False, kind="int", minimum=-5, maximum=99),
    Column("code", "a code", pattern=r"^[A-Z][0-9]{2}$", max_length=3),
    choice("kind", ["a", "b", "ß"], required=False),
]

# Text near the rules' edges: digits, dates, case, whitespace Python and Arrow both trim,
# letters whose lower case differs between them (İ), a year no calendar has.
_ALPHABET = st.sampled_from(
    [
        *"0123456789-TtRrUuEeFfAaLlSsNnKkOoWwEe ",
        *("\t", "\n", "\x1c", "\u3000", "İ", "é", "\u212a"),
        *"'=+@",  # a spreadsheet's text mark before a formula character (core/spreadsheets.py)
    ]
)
VALUES = st.one_of(
    st.text(_ALPHABET, max_size=12),
    st.text(max_size=8),
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.integers(-200, 10**13).map(str),
    st.sampled_from(["true", "FALSE", " Unknown ", "0000-01-01", "2026-02-29", "E01012345"]),
)


def _batch(column: Column, raw: str) -> tuple[object, bool]:
    typed, bad = column.parse(pa.array([raw], pa.string()))
    return typed[0].as_py(), bool(bad[0])


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.name)
@settings(max_examples=150, deadline=None)
@given(raw=VALUES)
@example(raw="0000-01-01")
@example(raw="  ")
@example(raw="İ")
@example(raw="'=1+1")
@example(raw=" ''-é ")
def test_one_value_is_read_exactly_as_a_batch_reads_it(column, raw):
    assert column.parse_one(raw) == _batch(column, raw)


def test_year_0000_is_not_a_date():
    column = Column("on", "a date", kind="date")
    assert column.parse_one("0000-01-01") == (None, True)
    assert _batch(column, "0000-01-01") == (None, True)


def test_a_choice_error_names_every_value():
    values = [f"value_{n:02d}" for n in range(30)]
    assert choice("kind", values).expected == "one of " + ", ".join(values)
