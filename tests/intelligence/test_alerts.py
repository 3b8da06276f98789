"""National patient safety alerts: adding one, providers recording each action's status with
evidence (their own only), and who is overdue, computed with the injected clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.intelligence import queries, services
from caresignals.intelligence.models import AlertResponse, SafetyAlert
from caresignals.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def alert(small_ics, today, *, deadline_days=-10, reference="NatPSA/2026/001/NHSPS", actions=2):
    return services.add_alert(
        Actor(label="test"),
        small_ics.ics,
        reference=reference,
        title="Safer use of bed rails",
        issued_on=today - dt.timedelta(days=90),
        deadline=today + dt.timedelta(days=deadline_days),
        provider_types=["acute_trust"],
        actions=[f"Action text {i}" for i in range(1, actions + 1)],
    )


def respond(user, provider, a, statuses, today, **extra):
    rows = [
        services.ResponseInput(
            action,
            status,
            evidence=extra.get("evidence", "Policy v2"),
            reason=extra.get("reason", ""),
        )
        for action, status in zip(a.actions.all(), statuses, strict=True)
    ]
    services.record_responses(Actor(user=user), provider, rows, today=today)


def dated(prefix, day):
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def test_the_icb_adds_an_alert_through_the_page(client, people, today):
    client.force_login(people.icb)
    data = {
        "reference": "NatPSA/2026/004/NHSPS",
        "title": "Oxygen cylinders",
        "provider_types": ["acute_trust", "community_trust"],
        "action_1": "Identify every ward holding cylinders",
        "action_3": "Train staff",
        **dated("issued_on", today - dt.timedelta(days=5)),
        **dated("deadline", today + dt.timedelta(days=60)),
    }
    response = client.post("/intelligence/alerts/new/", data)
    assert response.status_code == 302
    saved = SafetyAlert.objects.get()
    assert [a.text for a in saved.actions.all()] == [
        "Identify every ward holding cylinders",
        "Train staff",
    ]
    assert saved.provider_types == ["acute_trust", "community_trust"]
    assert AuditEntry.objects.filter(
        action="safety_alert.added", object_id=saved.reference
    ).exists()
    # The same reference twice, no action, a deadline before issue: each names its field.
    again = client.post("/intelligence/alerts/new/", data)
    assert "already been added" in again.content.decode() and again.status_code == 400
    bad = {
        **data,
        "reference": "X1",
        "action_1": "",
        "action_3": "",
        **dated("deadline", today - dt.timedelta(days=30)),
    }
    page = client.post("/intelligence/alerts/new/", bad).content.decode()
    assert "Enter at least one action" in page and "The deadline must be on or after" in page
    assert SafetyAlert.objects.count() == 1


def test_a_provider_records_status_with_evidence_for_its_own_alert_only(
    client, people, small_ics, today
):
    a = alert(small_ics, today)
    first, second = a.actions.all()
    client.force_login(people.lead_a)
    url = f"/intelligence/alerts/{a.pk}/TA/"
    assert client.get(url).status_code == 200
    # Completed needs evidence; not applicable needs a reason: nothing is stored until both.
    response = client.post(
        url,
        {
            "action_1_status": "completed",
            "action_1_evidence": "",
            "action_2_status": "not_applicable",
            "action_2_reason": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Enter the evidence that action 1 is complete" in page
        and "Enter why action 2 does not apply" in page
    )
    assert not AlertResponse.objects.exists()
    response = client.post(
        url,
        {
            "action_1_status": "completed",
            "action_1_evidence": "Audit of wards, May",
            "action_2_status": "not_applicable",
            "action_2_reason": "No bed rails in use",
        },
    )
    assert response.status_code == 302
    r1 = AlertResponse.objects.get(action=first)
    assert (r1.status, r1.evidence, r1.done_on) == ("completed", "Audit of wards, May", today)
    assert AlertResponse.objects.get(action=second).reason == "No bed rails in use"
    assert AuditEntry.objects.filter(action="safety_alert.response").count() == 2
    # Another provider's alert: not found; through the service: refused.
    assert client.get(f"/intelligence/alerts/{a.pk}/TB/").status_code == 404
    with pytest.raises(PermissionDenied):
        respond(people.lead_a, small_ics.trust_b, a, ["completed", "completed"], today)
    # The ICB reads every provider but does not answer for them.
    client.force_login(people.icb)
    assert client.get(url).status_code == 403


def test_overdue_is_computed_with_the_clock_by_provider(client, people, small_ics, today):
    late = alert(small_ics, today, deadline_days=-1)
    alert(small_ics, today, deadline_days=0, reference="NatPSA/2026/002/NHSPS")  # due today
    respond(people.lead_a, small_ics.trust_a, late, ["completed", "in_progress"], today)
    respond(
        people.lead_b,
        small_ics.trust_b,
        late,
        ["completed", "not_applicable"],
        today,
        reason="No such wards",
    )
    overdue = queries.overdue_at(today)
    assert set(overdue) == {"TA"}
    assert overdue["TA"][0].outstanding == 1 and overdue["TA"][0].alert == late
    # The day the deadline fell, nobody was overdue yet; the day after, the second alert is.
    assert queries.overdue_at(today - dt.timedelta(days=1)) == {}
    tomorrow = queries.overdue_at(today + dt.timedelta(days=1))
    assert {s.alert.reference for s in tomorrow["TB"]} == {"NatPSA/2026/002/NHSPS"}
    client.force_login(people.icb)
    page = client.get("/intelligence/alerts/").content.decode()
    table = page.split("Overdue, by provider")[1].split("Every alert")[0]
    assert "Trust A" in table and "Trust B" not in table and "1 of 2" in table
    # A provider's board sees its own trust's line only.
    client.force_login(people.board_a)
    page = client.get(f"/intelligence/alerts/{late.pk}/").content.decode()
    assert "Trust A" in page and "Trust B" not in page


def test_completion_recorded_after_a_day_does_not_count_on_that_day(people, small_ics, today):
    a = alert(small_ics, today, deadline_days=-20)
    respond(people.lead_a, small_ics.trust_a, a, ["completed", "completed"], today)
    assert "TA" not in queries.overdue_at(today)
    ten_days_ago = queries.overdue_at(today - dt.timedelta(days=10))
    assert ten_days_ago["TA"][0].outstanding == 2
    assert Organisation.objects.get(code="TB").code in ten_days_ago  # never started
