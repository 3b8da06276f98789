"""Working days in England and Wales: Monday to Friday, less bank holidays.

Statutory clocks count them (Duty of Candour's 10 working days, a complaint's 3-day
acknowledgement), so every capture app uses this one calendar.
"""

from __future__ import annotations

import functools
from datetime import date

import holidays
import numpy as np


@functools.lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    """Monday to Friday, less England and Wales bank holidays (substitute days included).

    The holidays package's "ENG" subdivision of GB is the England and Wales list (Wales has
    no bank holiday of its own), including one-off days such as the 2022 state funeral.
    """
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.busdaycalendar(holidays=np.array(sorted(days), dtype="datetime64[D]"))


def calendar_for(first: np.datetime64, last: np.datetime64, n: int) -> np.busdaycalendar:
    """A calendar wide enough to step ``n`` working days from any date in [first, last]."""
    slack = abs(n) // 200 + 1  # 200 working days never take a whole year
    years = np.array([first, last], dtype="datetime64[Y]").astype(int) + 1970
    return _calendar(int(years[0]) - slack, int(years[1]) + slack)


def offset_working_days(days: np.ndarray, n: int, calendar: np.busdaycalendar) -> np.ndarray:
    if n == 0:
        return days
    # Rolling a weekend or holiday start back (or forward, counting back) leaves the working
    # days strictly after (before) it unchanged, so the start itself is day 0 whatever it is.
    if n > 0:
        return np.busday_offset(days, n, roll="backward", busdaycal=calendar)
    return np.busday_offset(days, n, roll="forward", busdaycal=calendar)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``start`` is day 0 even when it falls on a weekend or bank holiday, so an event reported
    on a Saturday is due on the same day as one reported the Friday before; ``n == 0`` gives
    ``start``. Working days are Monday to Friday, not England and Wales bank holidays.
    """
    day = np.datetime64(start, "D")
    result = offset_working_days(np.array([day]), n, calendar_for(day, day, n))[0]
    return result.astype(date)


def working_days_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; ``-working_days_between(b, a)``
    when ``b`` is before ``a``.

    The inverse of :func:`add_working_days` on working days: a complaint received on ``a``
    and acknowledged on ``b`` met the three-working-day standard when this is at most 3.
    """
    start, end = np.datetime64(a, "D"), np.datetime64(b, "D")
    if end < start:
        return -working_days_between(b, a)
    one = np.timedelta64(1, "D")
    return int(np.busday_count(start + one, end + one, busdaycal=calendar_for(start, end, 0)))
