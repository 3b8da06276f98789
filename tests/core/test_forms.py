"""The one NHS date input: the same checks and words on every form."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django import forms

from caresignals.core.forms import DateParts


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
