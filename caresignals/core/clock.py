"""The product's "today": the one place pages, services and the demo ask for the date.

In production it is the real date in the ICS's time zone. Setting CARESIGNALS_TODAY
(YYYY-MM-DD, settings.CARESIGNALS_TODAY) pins it, so the synthetic demo, whose data end in a
fixed month, can be shown as of the day its story is told, and overdue counts, "today or in the
past" checks and the demo's records all agree on one day. The tests move the process clock
instead (tests/conftest.py), which this helper follows when the setting is unset.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    pinned: dt.date | None = getattr(settings, "CARESIGNALS_TODAY", None)
    return pinned or timezone.localdate()
