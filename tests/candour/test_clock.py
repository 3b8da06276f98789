"""The candour clock as the pages show it, across Christmas, Easter and New Year."""

from __future__ import annotations

import datetime as dt

from caresignals.safety.candour import notifiable as candour
from caresignals.safety.events import rules

D = dt.date


def test_due_over_christmas_and_new_year():
    # Reported Monday 21 December 2026: 25 December, 28 December (the Boxing Day substitute)
    # and 1 January are bank holidays, so the 10th working day is Thursday 7 January 2027.
    reported = D(2026, 12, 21)
    assert candour.clock(reported, None, D(2026, 12, 21)).due == D(2027, 1, 7)
    soon = candour.clock(reported, None, D(2027, 1, 5))
    assert (soon.state, soon.working_days, soon.text) == ("due_soon", 2, "2 working days left")
    on_the_day = candour.clock(reported, None, D(2027, 1, 7))
    assert (on_the_day.state, on_the_day.text) == ("due_soon", "Due today")
    late = candour.clock(reported, None, D(2027, 1, 11))
    assert (late.state, late.working_days, late.text) == ("overdue", 2, "Overdue by 2 working days")
    # Between the holidays: 30 and 31 December, then 4 to 7 January.
    between = candour.clock(reported, None, D(2026, 12, 29))
    assert (between.state, between.working_days, between.text) == (
        "open",
        6,
        "6 working days left",
    )


def test_due_over_easter():
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    reported = D(2027, 3, 22)
    assert candour.clock(reported, None, reported).due == D(2027, 4, 7)
    assert candour.clock(reported, None, D(2027, 3, 26)).working_days == 7  # Good Friday
    assert candour.clock(reported, None, D(2027, 4, 8)).state == "overdue"


def test_done_on_time_or_late_and_weekends_after_the_due_day_count_as_late():
    reported = D(2026, 3, 2)  # due Monday 16 March
    assert candour.clock(reported, D(2026, 3, 16), D(2026, 6, 1)).text == "Done on time"
    late = candour.clock(reported, D(2026, 3, 18), D(2026, 6, 1))
    assert (late.state, late.working_days) == ("done_late", 2)
    friday_due = D(2026, 3, 6)  # due Friday 20 March; done the Saturday after
    saturday = candour.clock(friday_due, D(2026, 3, 21), D(2026, 6, 1))
    assert (saturday.state, saturday.working_days) == ("done_late", 1)
    overdue_on_saturday = candour.clock(friday_due, None, D(2026, 3, 21))
    assert (overdue_on_saturday.state, overdue_on_saturday.working_days) == ("overdue", 1)


def test_the_list_bounds_agree_with_the_clock_every_day_for_two_years():
    """The overdue and due-soon lists filter on reported_on ranges; check every pair of days
    (each "today" in 2026-2027 against the 40 days before it) gives the clock's answer."""
    today = D(2026, 1, 1)
    while today < D(2028, 1, 1):
        overdue_by = candour.overdue_reported_before(today)
        soon_by = candour.due_soon_reported_by(today)
        for back in range(0, 40):
            reported = today - dt.timedelta(days=back)
            state = candour.clock(reported, None, today).state
            assert (reported <= overdue_by) == (state == "overdue"), (today, reported)
            in_soon = overdue_by < reported <= soon_by
            assert in_soon == (state == "due_soon"), (today, reported)
        today += dt.timedelta(days=1)


def test_latest_reported_on_is_exact():
    for due_by in (D(2026, 12, 24), D(2027, 1, 4), D(2027, 3, 29), D(2026, 6, 6)):
        day = candour.latest_reported_on(due_by)
        assert rules.add_working_days(day, 10) <= due_by
        assert rules.add_working_days(day + dt.timedelta(days=1), 10) > due_by
