"""The product's "today": the one place pages, services and the demo ask for the date.

In production it is the real date in the ICS's time zone. Setting CARESIGNALS_TODAY
(YYYY-MM-DD, settings.CARESIGNALS_TODAY) pins it, so the synthetic demo, whose data end in a
fixed month, can be shown as of the day its story is told, and overdue counts, "today or in the
past" checks and the demo's records all agree on one day. The tests move the process clock
instead (tests/conftest.py), which this helper follows when the setting is unset.

It also says which months are complete: a month has ended and the submission lag
(settings.CARESIGNALS_SUBMISSION_LAG_DAYS, 10 days by default) has passed. Every monthly view and
command opens on the last complete month (README, "Complete months").
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from caresignals.core.periods import Month


def today() -> dt.date:
    pinned: dt.date | None = getattr(settings, "CARESIGNALS_TODAY", None)
    return pinned or timezone.localdate()


def submission_lag_days() -> int:
    """Days after a month ends before its data count as complete
    (settings.CARESIGNALS_SUBMISSION_LAG_DAYS)."""
    return int(getattr(settings, "CARESIGNALS_SUBMISSION_LAG_DAYS", 10))


def last_complete_month(day: dt.date | None = None) -> Month:
    """The latest month that has ended with its submission lag passed, on ``day`` (today)."""
    return Month.complete_by(day or today(), submission_lag_days())


def is_complete(month: Month, day: dt.date | None = None) -> bool:
    """Whether ``month``'s data are complete: a month that is not is labelled so, and no rule
    judges a fall or an absence on it."""
    return month <= last_complete_month(day)


def default_month(latest_with_data: Month | None, day: dt.date | None = None) -> Month | None:
    """The month every monthly view and command opens on: the last complete month, or the
    latest month with data if that is earlier. One event recorded early in a new month does not
    move it. None when there are no data."""
    if latest_with_data is None:
        return None
    return min(latest_with_data, last_complete_month(day))
