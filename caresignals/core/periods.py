"""Calendar months: the period every measure, count, report and watchlist is about.

A month travels as ``"YYYY-MM"`` in URLs, commands, API bodies and files, and is stored as the
first day of the month in the database. :class:`Month` is the one place that reads, writes and
counts them, so the edges convert and nothing in between parses a period again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import overload

__all__ = ["Month", "MonthError"]

_TEXT = re.compile(r"(\d{4})-(\d{2})")
_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class MonthError(ValueError):
    """A period that is not a calendar month; the message says what to write instead."""


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """One calendar month. Ordered, hashable and immutable; ``str()`` gives ``"YYYY-MM"``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12):
            raise MonthError(f"there is no month {self.year:04d}-{self.month:02d}")

    # ------------------------------------------------------------------ making one

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-10"`` → October 2026. Surrounding spaces are forgiven, nothing else."""
        match = _TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None or int(match[1]) < 1 or not 1 <= int(match[2]) <= 12:
            raise MonthError(f"write the month as YYYY-MM, for example 2026-10 (not {text!r})")
        return cls(int(match[1]), int(match[2]))

    @staticmethod
    def is_month(text: str) -> bool:
        """Whether ``text`` is exactly a month as ``"YYYY-MM"`` (no spaces), as keys and URLs
        carry it."""
        try:
            return str(Month.parse(text)) == text
        except MonthError:
            return False

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month a day falls in (a datetime counts by its date)."""
        return cls(day.year, day.month)

    @staticmethod
    def index_of(day: dt.date) -> int:
        """``Month.of(day).index`` without making the month, for loops over many points."""
        return day.year * 12 + day.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        """The inverse of :attr:`index`."""
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @classmethod
    def last_complete(cls, today: dt.date, lag: int = 0) -> Month:
        """The latest month that has ended by ``today``, ``lag`` further months back for data
        that arrive late (a submission lag). ``today`` is passed in: the type never reads the
        clock."""
        if lag < 0:
            raise ValueError(f"a submission lag cannot be negative (got {lag})")
        return cls.of(today) - (1 + lag)

    @classmethod
    def complete_by(cls, today: dt.date, lag_days: int = 0) -> Month:
        """The latest month whose data are complete on ``today``: it has ended and ``lag_days``
        have passed since (lag 10: October is complete from 11 November)."""
        if lag_days < 0:
            raise ValueError(f"a submission lag cannot be negative (got {lag_days})")
        month = cls.of(today) - 1
        while month.last_day + dt.timedelta(days=lag_days) >= today:
            month -= 1
        return month

    # ------------------------------------------------------------------ reading one

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """ "October 2026", for people."""
        return f"{_NAMES[self.month - 1]} {self.year}"

    @property
    def index(self) -> int:
        """Months since the start of year 0: differences of indexes count months."""
        return self.year * 12 + self.month - 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return (self + 1).first_day - dt.timedelta(days=1)

    @property
    def next(self) -> Month:
        return self + 1

    @property
    def previous(self) -> Month:
        return self - 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and (day.year, day.month) == (self.year, self.month)

    # ------------------------------------------------------------------ arithmetic

    def __add__(self, months: int) -> Month:
        if not isinstance(months, int) or isinstance(months, bool):
            return NotImplemented
        return Month.from_index(self.index + months)

    __radd__ = __add__

    @overload
    def __sub__(self, other: int) -> Month: ...

    @overload
    def __sub__(self, other: Month) -> int: ...

    def __sub__(self, other: int | Month) -> Month | int:
        """``m - 3`` is three months earlier; ``m - n`` is how many months ``n`` is before ``m``."""
        if isinstance(other, Month):
            return self.index - other.index
        if not isinstance(other, int) or isinstance(other, bool):
            return NotImplemented
        return Month.from_index(self.index - other)

    @staticmethod
    def range(first: Month, last: Month) -> list[Month]:
        """Every month from ``first`` to ``last``, both included; empty if ``last`` is earlier."""
        return [first + i for i in range(last - first + 1)]

    def until(self, last: Month) -> Iterator[Month]:
        """Iterate from this month to ``last`` inclusive."""
        return iter(Month.range(self, last))

    def window(self, count: int) -> list[Month]:
        """The ``count`` months ending with this one, oldest first."""
        return Month.range(self - (count - 1), self)
