"""The one Month type: parsing, formatting, arithmetic and the last complete month."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caresignals.core.periods import Month, MonthError

months = st.builds(Month, st.integers(1, 9998), st.integers(1, 12))


def test_parse_and_format():
    m = Month.parse("2026-10")
    assert m == Month(2026, 10)
    assert str(m) == "2026-10"
    assert m.label == "October 2026"
    assert f"{Month(987, 1)}" == "0987-01"
    assert Month.parse(" 2026-01 ") == Month(2026, 1)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-10", "October", "", "0000-01"])
def test_parse_names_the_value(bad):
    with pytest.raises(MonthError, match="YYYY-MM") as caught:
        Month.parse(bad)
    assert repr(bad) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_no_month_thirteen():
    with pytest.raises(MonthError):
        Month(2026, 13)


def test_days():
    assert Month.of(dt.date(2024, 2, 17)) == Month(2024, 2)
    assert Month(2024, 2).first_day == dt.date(2024, 2, 1)
    assert Month(2024, 2).last_day == dt.date(2024, 2, 29)
    assert Month(2026, 12).last_day == dt.date(2026, 12, 31)
    assert dt.date(2026, 10, 31) in Month(2026, 10)
    assert dt.date(2026, 11, 1) not in Month(2026, 10)


def test_arithmetic():
    m = Month(2026, 11)
    assert m + 3 == Month(2027, 2)
    assert 3 + m == Month(2027, 2)
    assert m - 11 == Month(2025, 12)
    assert m.next == Month(2026, 12) and m.previous == Month(2026, 10)
    assert Month(2027, 2) - m == 3
    assert Month.range(Month(2026, 11), Month(2027, 1)) == [
        Month(2026, 11),
        Month(2026, 12),
        Month(2027, 1),
    ]
    assert Month.range(Month(2027, 1), Month(2026, 11)) == []
    assert list(Month(2026, 12).until(Month(2027, 1))) == [Month(2026, 12), Month(2027, 1)]
    assert Month(2026, 2).window(3) == [Month(2025, 12), Month(2026, 1), Month(2026, 2)]


def test_ordered_and_hashable():
    assert Month(2025, 12) < Month(2026, 1)
    assert sorted([Month(2026, 3), Month(2025, 4)]) == [Month(2025, 4), Month(2026, 3)]
    assert {Month(2026, 1): "a"}[Month.parse("2026-01")] == "a"


def test_last_complete_month_takes_today_and_a_lag():
    assert Month.last_complete(dt.date(2026, 12, 7)) == Month(2026, 11)
    assert Month.last_complete(dt.date(2026, 1, 1)) == Month(2025, 12)
    assert Month.last_complete(dt.date(2026, 12, 7), lag=2) == Month(2026, 9)
    with pytest.raises(ValueError):
        Month.last_complete(dt.date(2026, 12, 7), lag=-1)


@given(months)
def test_text_round_trip(m):
    assert Month.parse(str(m)) == m


@given(months)
def test_day_round_trip(m):
    assert Month.of(m.first_day) == m
    assert Month.of(m.last_day) == m
    assert Month.index_of(m.last_day) == m.index
    assert m.last_day + dt.timedelta(days=1) == m.next.first_day


@given(months, st.integers(-1200, 1200))
def test_adding_then_taking_away(m, k):
    if m.index + k >= 12 and (m.index + k) // 12 <= 9999:
        assert (m + k) - k == m
        assert (m + k) - m == k


@given(months, months)
def test_order_agrees_with_days(a, b):
    assert (a < b) == (a.first_day < b.first_day)
    assert len(Month.range(a, b)) == max(0, b - a + 1)
