"""Number and date formatting in the NHS style (GOV.UK / NHS.UK content guidance)."""

from __future__ import annotations

import datetime as dt
import math


def number(value: float | int | None, places: int = 0) -> str:
    """Thousands separators; an em dash for a missing or undefined value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{places}f}"


def percent(value: float | None, places: int = 1) -> str:
    """A fraction shown as a percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.{places}f}%"


def nhs_date(value: dt.date | dt.datetime | None) -> str:
    """'5 March 2026', as NHS content style asks (no leading zero, no ordinal)."""
    if value is None:
        return "–"
    return f"{value.day} {value:%B %Y}"
