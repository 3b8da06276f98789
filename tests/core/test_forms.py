"""The one NHS date input: the same checks and words on every form."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django import forms

from caresignals.core.forms import DateParts, YearBeyond, date_from_parts


def check(field: DateParts, day: str, month: str, year: str) -> dt.date | None:
    return field.clean([day, month, year])


@time_machine.travel(dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "10", "2026"), "The date it happened must include a day"),
        (("31", "2", "2026"), "The date it happened must be a real date"),
        (("16", "10", "2026"), "The date it happened must be today or in the past"),
        (("1", "1", "1899"), "The date it happened must be after 1900"),
    ],
)
def test_a_past_date_says_what_to_fix(parts, message):
    with pytest.raises(forms.ValidationError, match=message):
        check(DateParts("the date it happened"), *parts)


@time_machine.travel(dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC), tick=False)
def test_future_dates_and_year_ranges():
    due = DateParts("the date it is due", future=True, years=(2000, 2100), out_of_years="is odd")
    assert check(due, "1", "3", "2027") == dt.date(2027, 3, 1)
    with pytest.raises(forms.ValidationError, match="The date it is due is odd"):
        check(due, "1", "3", "2101")
    assert check(DateParts("the date", required=False), "", "", "") is None
    with pytest.raises(forms.ValidationError, match="Enter the date"):
        check(DateParts("the date"), "", "", "")


@time_machine.travel(dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize(
    ("field", "parts", "message"),
    [
        (DateParts("the date"), ("1", "1", "2" * 20), "The date must be today or in the past"),
        (
            DateParts("the date", future=True, out_of_years="is too far"),
            ("1", "1", "9" * 5000),
            "The date is too far",
        ),
        (DateParts("the date"), ("1", "9" * 30, "2026"), "The date must be a real date"),
        (DateParts("the date"), ("9" * 30, "1", "2026"), "The date must be a real date"),
        (DateParts("the date"), ("-1", "1", "2026"), "The date must be a real date"),
        (DateParts("the date"), ("1", "1", "0"), "The date must be a real date"),
        (DateParts("the date"), ("1", "1", "2_026"), "The date must be a real date"),
    ],
)
def test_any_year_or_number_is_refused_in_words_not_a_crash(field, parts, message):
    with pytest.raises(forms.ValidationError, match=message):
        check(field, *parts)


def test_date_from_parts_is_the_one_parser():
    assert date_from_parts("02", "03", "2026") == dt.date(2026, 3, 2)
    assert date_from_parts("1", "1", "00002026") == dt.date(2026, 1, 1)
    with pytest.raises(YearBeyond):
        date_from_parts("1", "1", "10000")
    for parts in (("1", "1", " 2026"), ("1", "1", "+2026"), ("32", "1", "2026"), ("1", "", "")):
        with pytest.raises(ValueError):
            date_from_parts(*parts)
