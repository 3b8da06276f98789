"""Background work on django-tasks (ADR 21): sending email, the daily reminders and the weekly
digest. Which backend runs them is settings.TASKS; see the README ("Notifications")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from caresignals.core import clock
from caresignals.core.work import DUE_SOON, OVERDUE, WorkItem
from caresignals.notifications import following, services
from caresignals.notifications.models import Kind
from caresignals.safety import work as safety_work
from caresignals.signals.governance import work as governance_work
from caresignals.speakup import work as speakup_work
from caresignals.voice import work as voice_work

OWNED = (safety_work.owned_by, voice_work.owned_by, governance_work.owned_by)
TEAMS = (
    (safety_work.leads_a_team, safety_work.team_of),
    (voice_work.leads_a_team, voice_work.team_of),
    (governance_work.leads_a_team, governance_work.team_of),
)
KIND_OF = {
    "Duty of Candour": Kind.CANDOUR,
    "Complaint": Kind.COMPLAINT_CLOCK,
    "Safety action": Kind.WORK_DUE,
    "Learning response": Kind.WORK_DUE,
    "Quality risk review": Kind.WORK_DUE,
    "Rapid-review action": Kind.WORK_DUE,
}
STATE_TEXT = {OVERDUE: "overdue", DUE_SOON: "due soon"}


@task()
def send_emails() -> int:
    return services.send_pending_emails()


def _pressing(user: Any, today: dt.date) -> list[WorkItem]:
    """What the person owns that is overdue or due soon, and for a lead, the team's items
    that no one person owns yet."""
    items = [i for owned_by in OWNED for i in owned_by(user, today)]
    for leads, team_of in TEAMS:
        if leads(user):
            items += [i for i in team_of(user, today) if i.owner_id is None]
    return [i for i in items if i.state in STATE_TEXT and i.kind in KIND_OF]


def remind(today: dt.date) -> int:
    """Tell each person once when an item of theirs becomes due soon and once when it becomes
    overdue; returns how many notifications were made."""
    made = 0
    for user in (
        get_user_model().objects.filter(is_active=True, memberships__isnull=False).distinct()
    ):
        for item in _pressing(user, today):
            text = f"{item.kind} {STATE_TEXT[item.state]}"
            if services.notify(user, KIND_OF[item.kind], item.reference, text, item.url, on=today):
                made += 1
    return made


@task()
def daily() -> int:
    """The daily run: reminders, changes to followed providers, then every email not yet sent
    (speak-up replies included)."""
    made = remind(clock.today())
    made += following.tell_followers(clock.today())
    services.send_pending_emails()
    return made


def digest(today: dt.date) -> int:
    sent = 0
    for user in (
        get_user_model().objects.filter(is_active=True, memberships__isnull=False).distinct()
    ):
        mine = [i for owned_by in OWNED for i in owned_by(user, today)]
        mine += speakup_work.owned_by(user, today)
        team = sum(len(team_of(user, today)) for leads, team_of in TEAMS if leads(user))
        overdue = [i for i in mine if i.state == OVERDUE]
        due_soon = [i for i in mine if i.state == DUE_SOON]
        if services.send_digest(user, overdue, due_soon, team):
            sent += 1
    return sent


@task()
def weekly() -> int:
    return digest(clock.today())
