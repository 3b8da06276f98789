"""The System Quality Group's surveillance and action logs: kept by the ICB quality team,
validated, audited, and carried into the SQG pack for the month of the meeting."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.intelligence import services
from caresignals.intelligence.models import SqgAction, SqgMeeting, SurveillanceEntry
from caresignals.signals.governance.pack import pack_for, print_html, system_pack

pytestmark = pytest.mark.django_db


def dated(prefix, day):
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def test_the_icb_keeps_a_meetings_logs_through_the_pages(client, people, today):
    client.force_login(people.icb)
    response = client.post("/intelligence/sqg/", dated("held_on", today))
    assert response.status_code == 302
    meeting = SqgMeeting.objects.get()
    base = f"/intelligence/sqg/{today.isoformat()}/"
    bad = client.post(base + "surveillance/new/", {"organisation": "TA", "status": "open"})
    page = bad.content.decode()
    assert bad.status_code == 400
    for message in (
        "Enter the concern",
        "Enter where the concern came from",
        "Enter what the group decided",
        "Enter who owns it",
        "Enter the review date",
    ):
        assert message in page
    assert not SurveillanceEntry.objects.exists()
    response = client.post(
        base + "surveillance/new/",
        {
            "organisation": "TA",
            "concern": "Maternity staffing at night",
            "source": "Healthwatch",
            "decision": "Enhanced surveillance",
            "owner": "Deputy chief nurse",
            "status": "open",
            **dated("review_on", today + dt.timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    response = client.post(
        base + "action/new/",
        {
            "organisation": "ICS1",
            "action": "Ask the trust for its staffing review",
            "owner": "Quality lead",
            "status": "open",
            **dated("due_on", today + dt.timedelta(days=14)),
        },
    )
    assert response.status_code == 302
    action = SqgAction.objects.get()
    assert action.organisation.code == "ICS1" and action.meeting == meeting
    response = client.post(f"{base}action/{action.pk}/status/", {"status": "closed"})
    action.refresh_from_db()
    assert action.status == "closed"
    assert AuditEntry.objects.filter(action="sqg.log_added").count() == 2
    assert AuditEntry.objects.get(action="sqg.log_updated").details == {
        "status": ["open", "closed"]
    }
    page = client.get(base).content.decode()
    assert "Maternity staffing at night" in page and "Ask the trust for its staffing review" in page


def test_the_logs_are_carried_into_the_pack_for_the_icb_only(people, small_ics, today):
    meeting = services.add_meeting(Actor(label="test"), small_ics.ics, today)
    services.add_surveillance(
        Actor(label="test"),
        meeting,
        small_ics.trust_a,
        concern="Falls on ward 3",
        source="Watchlist",
        decision="Monitor",
        owner="Quality lead",
        review_on=today + dt.timedelta(days=30),
    )
    services.add_action(
        Actor(label="test"),
        meeting,
        small_ics.trust_b,
        action="Visit ward 9",
        owner="Quality lead",
        due_on=today - dt.timedelta(days=1) + dt.timedelta(days=1),
    )
    month = today.replace(day=1)
    pack = pack_for(people.icb, month)
    assert pack.sqg_logs is not None and len(pack.sqg_logs) == 1
    assert [e.concern for e in pack.sqg_logs[0].surveillance] == ["Falls on ward 3"]
    assert [a.action for a in pack.sqg_logs[0].actions] == ["Visit ward 9"]
    assert system_pack(month).sqg_logs[0].held_on == today
    printed = print_html(pack, today=today)  # the PDF's HTML carries the logs too
    assert "Falls on ward 3" in printed and "Visit ward 9" in printed
    # A trust's board member reads the pack without the ICB's logs.
    assert pack_for(people.board_a, month).sqg_logs is None
    # Nothing carried into another month's pack.
    earlier = (month - dt.timedelta(days=1)).replace(day=1)
    assert pack_for(people.icb, earlier).sqg_logs == []


def test_the_pack_page_shows_the_logs(client, people, small_ics, today):
    meeting = services.add_meeting(Actor(label="test"), small_ics.ics, today)
    services.add_surveillance(
        Actor(label="test"),
        meeting,
        small_ics.trust_a,
        concern="Falls on ward 3",
        source="Watchlist",
        decision="Monitor",
        owner="Quality lead",
        review_on=today,
    )
    client.force_login(people.icb)
    page = client.get(f"/signals/pack/?period={today:%Y-%m}").content.decode()
    assert "surveillance and action logs" in page and "Falls on ward 3" in page
