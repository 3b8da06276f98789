"""The product's one "today": the date where the service runs, unless the setting pins it."""

from __future__ import annotations

import datetime as dt

from caresignals.core import clock


def test_unset_it_is_the_date_in_london(settings, today):
    settings.CARESIGNALS_TODAY = None
    assert clock.today() == today


def test_the_setting_pins_it(settings):
    settings.CARESIGNALS_TODAY = dt.date(2026, 11, 2)
    assert clock.today() == dt.date(2026, 11, 2)
