"""The page that sets a provider's "candour tracked from" date: who may, what is checked,
and what it changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.roles import Role
from caresignals.safety.candour import queries
from tests.candour.factories import date_parts, notifiable_event
from tests.factories import member

pytestmark = pytest.mark.django_db


def url(code: str) -> str:
    return f"/safety/candour/tracked-from/{code}/"


def signed_in(organisation, role: str, username: str) -> Client:
    client = Client()
    client.force_login(member(organisation, role, username=username))
    return client


def post_date(client: Client, code: str, day: dt.date | None, action: str = "set"):
    return client.post(url(code), {"action": action, **date_parts("tracked_from", day)})


def test_a_patient_safety_lead_sets_and_clears_their_providers_date(small_ics, today):
    old = notifiable_event(small_ics.trust_a, reported_on=today - dt.timedelta(days=200))
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    client = Client()
    client.force_login(lead)
    page = client.get(url("TA")).content.decode()
    assert "Candour tracked from" in page and "There is no date now" in page
    assert "1 is overdue" in page

    day = today - dt.timedelta(days=100)
    response = post_date(client, "TA", day)
    assert response.status_code == 302 and response["Location"].endswith("?org=TA")
    small_ics.trust_a.refresh_from_db()
    assert small_ics.trust_a.candour_tracked_from == day
    entry = AuditEntry.objects.get(action=AuditAction.ORGANISATION_UPDATED, object_id="TA")
    assert entry.details == {"changed": {"candour_tracked_from": ["", day.isoformat()]}}
    assert entry.actor == lead
    listing = queries.candour_list(
        lead, provider=small_ics.trust_a, status="not_known", today=today
    )
    assert [r.reference for r in listing.rows] == [old.reference]
    assert listing.counts["overdue"] == 0
    shown = client.get("/safety/candour/?org=TA").content.decode()
    assert f"Candour tracked from: {day:%-d %b %Y}" in shown

    response = client.post(url("TA"), {"action": "clear"})
    assert response.status_code == 302
    small_ics.trust_a.refresh_from_db()
    assert small_ics.trust_a.candour_tracked_from is None
    assert AuditEntry.objects.filter(action=AuditAction.ORGANISATION_UPDATED).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "set", **date_parts("tracked_from", None)}, "Enter the candour tracked from"),
        (
            {
                "action": "set",
                "tracked_from_day": "31",
                "tracked_from_month": "2",
                "tracked_from_year": "2026",
            },
            "must be a real date",
        ),
        (
            {
                "action": "set",
                "tracked_from_day": "1",
                "tracked_from_month": "3",
                "tracked_from_year": "",
            },
            "must include a year",
        ),
    ],
)
def test_a_wrong_date_is_said_and_nothing_changes(small_ics, data, message):
    client = signed_in(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, "lead.a")
    response = client.post(url("TA"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    small_ics.trust_a.refresh_from_db()
    assert small_ics.trust_a.candour_tracked_from is None
    assert not AuditEntry.objects.filter(action=AuditAction.ORGANISATION_UPDATED).exists()


def test_a_future_date_is_refused(small_ics, today):
    client = signed_in(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, "lead.a")
    response = post_date(client, "TA", today + dt.timedelta(days=1))
    assert response.status_code == 400
    assert "today or in the past" in response.content.decode()


def test_the_icb_quality_lead_sets_any_providers_date(small_ics, today):
    client = signed_in(small_ics.ics, Role.ICB_QUALITY_LEAD, "icb.lead")
    assert post_date(client, "TB", today).status_code == 302
    small_ics.trust_b.refresh_from_db()
    assert small_ics.trust_b.candour_tracked_from == today


def test_another_providers_date_a_service_and_other_roles_are_refused(small_ics, today):
    lead = signed_in(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, "lead.a")
    assert lead.get(url("TB")).status_code == 404
    assert post_date(lead, "TB", today).status_code == 404
    assert lead.get(url(small_ics.maternity_a.code)).status_code == 404  # a service
    for role in (Role.STAFF, Role.BOARD_MEMBER, Role.ANALYST, Role.COMPLAINTS_LEAD):
        client = signed_in(small_ics.trust_a, role, f"{role}.a")
        assert client.get(url("TA")).status_code == 403, role
        assert post_date(client, "TA", today).status_code == 403, role
    small_ics.trust_b.refresh_from_db()
    assert small_ics.trust_b.candour_tracked_from is None
