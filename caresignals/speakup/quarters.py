"""Calendar quarters written `2026Q2` (April to June 2026).

The National Guardian's Office counts in financial-year quarters: calendar 2026Q2 is its
"Q1 2026/27". Both names are shown so nobody has to convert in their head.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 = January to March

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = QUARTER_PATTERN.match((text or "").strip().upper())
        if not match:
            raise ValueError(f"A quarter looks like 2026Q2, not {text!r}")
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise ValueError(f"The year must be between 2000 and 2100, not {year}")
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    @property
    def label(self) -> str:
        first = MONTH_NAMES[3 * self.number - 3]
        last = MONTH_NAMES[3 * self.number - 1]
        fy_start = self.year if self.number > 1 else self.year - 1
        fy_quarter = (self.number + 2) % 4 + 1
        return (
            f"{first} to {last} {self.year} "
            f"(Q{fy_quarter} {fy_start}/{str(fy_start + 1)[-2:]} in the NGO's financial year)"
        )


def quarters_between(first: dt.date, last: dt.date) -> list[Quarter]:
    """Every quarter from the one holding `first` to the one holding `last`, newest first."""
    out = []
    q = Quarter.of(first)
    end = Quarter.of(last)
    while q <= end:
        out.append(q)
        q = q.next()
    return out[::-1]
