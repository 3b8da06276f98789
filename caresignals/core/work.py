"""A piece of work a person owns, in one shape for every domain (ADR 21).

Each capture app (and signals) answers "items owned by this person" and "items of the team this
person leads" with `WorkItem`s, from its own queries and clocks; "My work" (pages) gathers them
without any app importing another. An item carries a reference and a link, never the content
of a speak-up case or anything that identifies a patient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from caresignals.core.workingdays import add_working_days

#: Due within this many working days counts as "due soon" (as Duty of Candour's lists do).
DUE_SOON_WORKING_DAYS = 5

OVERDUE, DUE_SOON, LATER = "overdue", "due_soon", "later"


def standing(due_on: dt.date | None, today: dt.date) -> str:
    """Overdue the day after its due date; due soon within `DUE_SOON_WORKING_DAYS`."""
    if due_on is None:
        return LATER
    if due_on < today:
        return OVERDUE
    if due_on <= add_working_days(today, DUE_SOON_WORKING_DAYS):
        return DUE_SOON
    return LATER


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "Safety action", "Complaint", …
    reference: str
    title: str  # never patient-identifiable or speak-up content
    organisation: str
    due_on: dt.date | None
    due_label: str  # what falls due: "Due", "Acknowledgement due", "Review due"
    url: str
    owner: str  # the person, or who holds it while no person does
    owner_id: int | None
    state: str  # OVERDUE, DUE_SOON or LATER on the day it was read

    @property
    def sort_key(self) -> tuple[int, dt.date, str]:
        order = {OVERDUE: 0, DUE_SOON: 1, LATER: 2}[self.state]
        return (order, self.due_on or dt.date.max, self.reference)


def person_label(user: Any) -> str:
    return str(user.get_full_name() or user.username) if user is not None else ""


def owner_label(user: Any, *, as_recorded: str = "", unassigned: str = "No one yet") -> str:
    """The person who owns an item; an older item's free-text owner "(as recorded)" until a
    person is named; otherwise who holds it meanwhile."""
    if user is not None:
        return person_label(user)
    if as_recorded:
        return f"{as_recorded} (as recorded)"
    return unassigned


def short(text: str, length: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
