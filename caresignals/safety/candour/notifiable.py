"""The Duty of Candour clock and the notifiable test as a database filter.

rules.py decides, for one event or an array, whether the law makes it notifiable; a person may
also decide so by hand (CandourRecord.hand_flagged). This module says the same in SQL, so lists
of overdue notifications are one query, and works out where a notification stands on a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.db.models import F, Q

from caresignals.safety.events import rules

#: Open notifications due within this many working days count as "due soon".
DUE_SOON_WORKING_DAYS: Final = 3


def automatic_q(prefix: str = "") -> Q:
    """Events rules.candour_notifiable marks True, for the event model (or through ``prefix``).

    Severe or fatal physical harm and severe psychological harm for every provider; moderate
    physical harm too for NHS trusts. "For a person to decide" (None) is not included.
    """
    return (
        Q(**{f"{prefix}physical_harm__in": ["severe", "fatal"]})
        | Q(**{f"{prefix}psychological_harm": "severe"})
        | Q(
            **{
                f"{prefix}physical_harm": "moderate",
                f"{prefix}organisation__type__in": sorted(rules.NHS_TRUST_TYPES),
            }
        )
    )


def notifiable_q(prefix: str = "") -> Q:
    """Notifiable by the rules or by a person's decision."""
    return automatic_q(prefix) | Q(**{f"{prefix}candour__hand_flagged": True})


def done_q(prefix: str = "") -> Q:
    """The first notification is done: in person, or the person declined or was unreachable."""
    return Q(**{f"{prefix}candour__notified_in_person_on__isnull": False}) | Q(
        **{f"{prefix}candour__contact_outcome__in": ["declined", "not_contactable"]}
    )


def not_notifiable_q(prefix: str = "") -> Q:
    """Notifications a person decided are not needed (the event is not a notifiable safety
    incident, with a reason), unless a first notification was made all the same."""
    return Q(**{f"{prefix}candour__not_notifiable": True}) & ~done_q(prefix)


def not_known_q(prefix: str = "") -> Q:
    """Open notifications whose steps this system has never seen, so "not known", never
    overdue:

    - the event was reported before its provider's "candour tracked from" date; or
    - the event came in through an import that carried no candour data for it
      (`candour_not_supplied`), whatever its provider's date: the date says where the steps
      recorded here begin, not that a local system's extract holds them. A row stating
      `candour_not_notifiable` false (or any candour step) carries data, so a local system
      puts its imported events on the clock that way.

    An event whose first notification is recorded, or that a person decided is not
    notifiable, is known whatever its date or however it arrived.
    """
    tracked_from = F(f"{prefix}organisation__candour_tracked_from")
    before = Q(**{f"{prefix}reported_on__lt": tracked_from})
    not_supplied = Q(**{f"{prefix}candour_not_supplied": True})
    return (before | not_supplied) & ~done_q(prefix) & ~not_notifiable_q(prefix)


def open_q(prefix: str = "") -> Q:
    """Notifications still to be made and counted on the clock: not done, not decided not
    notifiable, not "not known". Overdue, due soon and open are ranges of these."""
    return ~done_q(prefix) & ~not_notifiable_q(prefix) & ~not_known_q(prefix)


def is_known(
    reported_on: dt.date, tracked_from: dt.date | None, *, not_supplied: bool = False
) -> bool:
    """`not_known_q` for one open notification."""
    if not_supplied:
        return False
    return tracked_from is None or reported_on >= tracked_from


def latest_reported_on(due_by: dt.date) -> dt.date:
    """The latest reporting day whose candour notification falls due on or before ``due_by``.

    The due date never goes back as the reporting day moves forward, so "due on or before X"
    is "reported on or before this day": a range on a plain date column.
    """
    day = due_by
    while rules.add_working_days(day, rules.CANDOUR_WORKING_DAYS) > due_by:
        day -= dt.timedelta(days=1)
    return day


def overdue_reported_before(today: dt.date) -> dt.date:
    """Open notifications of events reported on or before this day are overdue today."""
    return latest_reported_on(today - dt.timedelta(days=1))


def due_soon_reported_by(today: dt.date) -> dt.date:
    """…and those reported after the overdue day, up to this one, are due soon."""
    return latest_reported_on(rules.add_working_days(today, DUE_SOON_WORKING_DAYS))


@dataclass(frozen=True)
class Clock:
    """Where the first notification stands on ``today``.

    ``working_days`` counts working days (England and Wales): left until the due day when
    open and not yet due (0 on the due day), past it when overdue, and for a done step how
    late it was (0 when on time).
    """

    due: dt.date
    # "done_on_time", "done_late", "open", "due_soon", "overdue", "not_known", "not_notifiable"
    state: str
    working_days: int
    done_on: dt.date | None

    @property
    def is_open(self) -> bool:
        return self.state in ("open", "due_soon", "overdue")

    @property
    def text(self) -> str:
        n = self.working_days
        days = f"{n} working day{'' if n == 1 else 's'}"
        if self.state == "not_known":
            return "Not known"
        if self.state == "not_notifiable":
            return "Decided not notifiable"
        if self.state == "done_on_time":
            return "Done on time"
        if self.state == "done_late":
            return f"Done {days} late"
        if self.state == "overdue":
            return f"Overdue by {days}"
        if n == 0:
            return "Due today"
        return f"{days} left"

    @property
    def tag_colour(self) -> str:
        return {
            "done_on_time": "green",
            "done_late": "orange",
            "open": "blue",
            "due_soon": "yellow",
            "overdue": "red",
            "not_known": "grey",
            "not_notifiable": "white",
        }[self.state]


def clock(
    reported_on: dt.date,
    done_on: dt.date | None,
    today: dt.date,
    *,
    known: bool = True,
    not_notifiable: bool = False,
) -> Clock:
    """The clock of a notifiable event reported on ``reported_on``; ``known`` False when its
    steps were never seen here (`is_known`); ``not_notifiable`` when a person decided it is
    not a notifiable safety incident. A notification made counts first, whatever else."""
    due = rules.add_working_days(reported_on, rules.CANDOUR_WORKING_DAYS)
    if done_on is None and not_notifiable:
        return Clock(due, "not_notifiable", 0, None)
    if done_on is None and not known:
        return Clock(due, "not_known", 0, None)
    if done_on is not None:
        if done_on <= due:
            return Clock(due, "done_on_time", 0, done_on)
        # A weekend after the due day is still late: at least one day.
        return Clock(due, "done_late", max(1, rules.working_days_between(due, done_on)), done_on)
    if today > due:
        return Clock(due, "overdue", max(1, rules.working_days_between(due, today)), None)
    left = rules.working_days_between(today, due)
    state = "due_soon" if left <= DUE_SOON_WORKING_DAYS else "open"
    return Clock(due, state, left, None)
