"""The complaint clocks (docs/domain.md, "Complaints and feedback"), as pure functions.

- Acknowledge within 3 working days of receipt (the day received is day 0; Monday to Friday,
  less England and Wales bank holidays: the same calendar as Duty of Candour).
- A response period is agreed with the complainant: the agreed date is the response's due date.
- If there is no final response 6 calendar months after receipt, the complainant must be told
  why (the "6-month letter").
- The final response must tell the complainant about the Parliamentary and Health Service
  Ombudsman.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from caresignals.core.workingdays import add_working_days

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 3
SIX_MONTHS = relativedelta(months=6)


def acknowledgement_due(received_on: dt.date) -> dt.date:
    return add_working_days(received_on, ACKNOWLEDGE_WITHIN_WORKING_DAYS)


def six_month_point(received_on: dt.date) -> dt.date:
    """Six calendar months after receipt (31 August → 28 or 29 February)."""
    return received_on + SIX_MONTHS


@dataclass(frozen=True)
class ClockState:
    acknowledgement_due: dt.date
    six_month_point: dt.date
    acknowledgement_overdue: bool
    response_overdue: bool
    six_month_letter_due: bool
    closed: bool

    @property
    def status(self) -> str:
        """One plain phrase for the list: the most pressing thing first."""
        if self.closed:
            return "Final response sent"
        if self.acknowledgement_overdue:
            return "Acknowledgement overdue"
        if self.six_month_letter_due:
            return "6-month letter due"
        if self.response_overdue:
            return "Response overdue"
        return "Open"

    @property
    def overdue(self) -> bool:
        return self.acknowledgement_overdue or self.response_overdue or self.six_month_letter_due


def clock_state(
    *,
    received_on: dt.date,
    acknowledged_on: dt.date | None,
    response_due: dt.date | None,
    six_month_letter_on: dt.date | None,
    final_response_on: dt.date | None,
    today: dt.date,
) -> ClockState:
    """Where a complaint stands on `today`. A clock is overdue the day after its due date."""
    ack_due = acknowledgement_due(received_on)
    six = six_month_point(received_on)
    closed = final_response_on is not None
    return ClockState(
        acknowledgement_due=ack_due,
        six_month_point=six,
        acknowledgement_overdue=acknowledged_on is None and not closed and today > ack_due,
        response_overdue=not closed and response_due is not None and today > response_due,
        six_month_letter_due=not closed and six_month_letter_on is None and today >= six,
        closed=closed,
    )


# The clocks as ranges of the day received, so lists count and filter complaints in the
# database: each due day never goes back as the day received moves forward, so "overdue on
# `today`" is "received on or before" one day.


def acknowledgement_overdue_received_by(today: dt.date) -> dt.date:
    """Unacknowledged open complaints received on or before this day are overdue `today`."""
    day = today - dt.timedelta(days=1)
    while acknowledgement_due(day) >= today:
        day -= dt.timedelta(days=1)
    return day


def six_month_letter_due_received_by(today: dt.date) -> dt.date:
    """Open complaints received on or before this day, with no 6-month letter, need one."""
    day = today - SIX_MONTHS - dt.timedelta(days=4)  # before the answer: month ends vary
    while six_month_point(day + dt.timedelta(days=1)) <= today:
        day += dt.timedelta(days=1)
    return day
