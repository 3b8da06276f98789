"""The complaint clocks across weekends and England and Wales bank holidays."""

from __future__ import annotations

import datetime as dt

from caresignals.voice.clocks import acknowledgement_due, clock_state, six_month_point

D = dt.date


def test_acknowledgement_is_due_three_working_days_after_receipt():
    assert acknowledgement_due(D(2026, 3, 2)) == D(2026, 3, 5)  # Monday → Thursday
    assert acknowledgement_due(D(2026, 3, 5)) == D(2026, 3, 10)  # Thursday → Tuesday


def test_christmas_and_boxing_day_and_new_year_are_not_working_days():
    # Wednesday 23 December 2026: Thursday 24, then 25 and 28 (Boxing Day substitute) are
    # bank holidays, Tuesday 29 and Wednesday 30 are working days.
    assert acknowledgement_due(D(2026, 12, 23)) == D(2026, 12, 30)
    # Received 30 December 2026: 31 December, 1 January (bank holiday), 4 and 5 January.
    assert acknowledgement_due(D(2026, 12, 30)) == D(2027, 1, 5)


def test_easter_good_friday_and_easter_monday_are_not_working_days():
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert acknowledgement_due(D(2026, 4, 1)) == D(2026, 4, 8)
    # Received on Good Friday itself: counted from that day, 7, 8 and 9 April.
    assert acknowledgement_due(D(2026, 4, 3)) == D(2026, 4, 9)


def test_six_month_point_is_six_calendar_months_on():
    assert six_month_point(D(2026, 3, 2)) == D(2026, 9, 2)
    assert six_month_point(D(2025, 8, 31)) == D(2026, 2, 28)


def state(today, **kw):
    values = {
        "received_on": D(2026, 3, 2),
        "acknowledged_on": None,
        "response_due": None,
        "six_month_letter_on": None,
        "final_response_on": None,
    }
    values.update(kw)
    return clock_state(today=today, **values)


def test_acknowledgement_is_overdue_the_day_after_it_is_due():
    assert not state(D(2026, 3, 5)).acknowledgement_overdue
    s = state(D(2026, 3, 6))
    assert s.acknowledgement_overdue and s.overdue and s.status == "Acknowledgement overdue"
    assert not state(D(2026, 3, 6), acknowledged_on=D(2026, 3, 4)).acknowledgement_overdue


def test_response_overdue_after_the_agreed_date_unless_answered():
    kw = {"acknowledged_on": D(2026, 3, 3), "response_due": D(2026, 4, 30)}
    assert not state(D(2026, 4, 30), **kw).response_overdue
    assert state(D(2026, 5, 1), **kw).status == "Response overdue"
    closed = state(D(2026, 5, 1), final_response_on=D(2026, 4, 29), **kw)
    assert not closed.overdue and closed.status == "Final response sent"


def test_six_month_letter_due_from_the_six_month_point_until_sent():
    kw = {"acknowledged_on": D(2026, 3, 3), "response_due": D(2026, 12, 1)}
    assert not state(D(2026, 9, 1), **kw).six_month_letter_due
    assert state(D(2026, 9, 2), **kw).status == "6-month letter due"
    assert not state(D(2026, 9, 2), six_month_letter_on=D(2026, 8, 30), **kw).overdue
