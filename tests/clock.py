"""The suite's one clock (the fixtures that apply it are in tests/conftest.py).

Every test runs on the same day, 2026-11-16 (a Monday, so week-based pages have a whole week
behind them) unless CARESIGNALS_TEST_TODAY=YYYY-MM-DD moves it: the date-proof check
(tests/core/test_date_proof.py) runs the date-sensitive tests far apart that way. Code that needs
the date at import time (module constants, factories) calls `suite_today()`, which never reads
the real clock; tests take the `today` fixture.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import time_machine

DEFAULT_TODAY = dt.date(2026, 11, 16)
LONDON = ZoneInfo("Europe/London")


def suite_today() -> dt.date:
    value = os.environ.get("CARESIGNALS_TEST_TODAY", "").strip()
    return dt.date.fromisoformat(value) if value else DEFAULT_TODAY


def travel() -> time_machine.travel:
    """To 10:00 London time on the suite's day, far from midnight, so a slow test stays on it.

    tick=True: the clock moves on from there. A frozen clock would stall code that waits for
    time to pass (Django's live server, Playwright's timeouts, the API rate limiter's windows)
    and give every event reference made within one test the same time part.
    """
    return time_machine.travel(dt.datetime.combine(suite_today(), dt.time(10), LONDON), tick=True)
