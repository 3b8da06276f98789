""" "My work": everything a person owns across domains, due soon and overdue first, and for those
who lead a team (patient safety, complaints, speak-up, quality governance) their team's open
work (ADR 21).

It sits in pages, above every domain app (ADR 16), and reads only through each app's `work`
module, which answers "items owned by this person" and "items of the team they lead" with
`core.work.WorkItem`s: no app imports another for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caresignals.core.work import DUE_SOON, OVERDUE, WorkItem
from caresignals.safety import work as safety_work
from caresignals.signals.governance import work as governance_work
from caresignals.speakup import work as speakup_work
from caresignals.voice import work as voice_work

Source = Callable[[Any, dt.date], list[WorkItem]]

# Each domain's two answers, and whether the person leads a team in it.
DOMAINS: tuple[tuple[str, Source, Source, Callable[[Any], bool]], ...] = (
    ("Patient safety", safety_work.owned_by, safety_work.team_of, safety_work.leads_a_team),
    ("Complaints", voice_work.owned_by, voice_work.team_of, voice_work.leads_a_team),
    ("Speak up", speakup_work.owned_by, speakup_work.team_of, speakup_work.leads_a_team),
    (
        "Quality governance",
        governance_work.owned_by,
        governance_work.team_of,
        governance_work.leads_a_team,
    ),
)


@dataclass(frozen=True)
class TeamWork:
    domain: str
    items: list[WorkItem]

    @property
    def overdue(self) -> int:
        return sum(i.state == OVERDUE for i in self.items)

    @property
    def due_soon(self) -> int:
        return sum(i.state == DUE_SOON for i in self.items)


@dataclass(frozen=True)
class MyWork:
    overdue: list[WorkItem]
    due_soon: list[WorkItem]
    later: list[WorkItem]
    teams: list[TeamWork]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_soon) + len(self.later)


def _sorted(items: list[WorkItem]) -> list[WorkItem]:
    return sorted(items, key=lambda i: i.sort_key)


def my_work(user: Any, today: dt.date) -> MyWork:
    if not getattr(user, "is_authenticated", False):
        return MyWork([], [], [], [])
    mine: list[WorkItem] = []
    teams: list[TeamWork] = []
    for domain, owned_by, team_of, leads in DOMAINS:
        mine += owned_by(user, today)
        if leads(user):
            teams.append(TeamWork(domain, _sorted(team_of(user, today))))
    mine = _sorted(mine)
    return MyWork(
        overdue=[i for i in mine if i.state == OVERDUE],
        due_soon=[i for i in mine if i.state == DUE_SOON],
        later=[i for i in mine if i.state not in (OVERDUE, DUE_SOON)],
        teams=teams,
    )


def counts(user: Any, today: dt.date) -> tuple[int, int]:
    """(overdue, due soon) of the person's own work, for the home page: only what names them,
    not their team's work, which for an ICB lead spans every provider (issue 18)."""
    if not getattr(user, "is_authenticated", False):
        return 0, 0
    states = [i.state for _, owned_by, _, _ in DOMAINS for i in owned_by(user, today)]
    return states.count(OVERDUE), states.count(DUE_SOON)
