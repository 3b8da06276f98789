"""Referral tasks: raised by the national rules when events are stored, then worked."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.audit.services import Actor
from caresignals.interop.importing import run_import
from caresignals.organisations.roles import Role
from caresignals.safety.events import exports
from caresignals.safety.events.importers import EventImporter
from caresignals.safety.events.services import record_event
from caresignals.safety.models import PatientSafetyEvent, ReferralTask
from tests.candour.factories import date_parts
from tests.factories import member
from tests.safety.test_import_events import event, write

pytestmark = pytest.mark.django_db

# One event per referral rule (docs/domain.md, "Responding and learning"), and one needing none.
RULE_ROWS = {
    "leder_referral": {
        "patient_died": "true",
        "learning_disability": "true",
        "physical_harm": "fatal",
        "service_code": "",
        "service_area": "acute",
        "category": "deterioration",
    },
    "leder_referral_autism": {
        "patient_died": "true",
        "autism": "true",
        "physical_harm": "fatal",
        "service_code": "",
        "service_area": "acute",
        "category": "deterioration",
    },
    "child_death_review": {
        "patient_died": "true",
        "patient_age_years": "9",
        "physical_harm": "fatal",
        "service_code": "",
        "service_area": "acute",
        "category": "sepsis",
    },
    "maternity_referral": {"physical_harm": "severe"},
    # (A maternity service's events can only have the maternity area now the area must fit
    # the service; the rule by service type alone is tested in tests/safety/test_rules.py.)
    "safeguarding_referral": {
        "category": "safeguarding",
        "service_code": "",
        "service_area": "acute",
    },
    "none": {"physical_harm": "moderate"},
}
EXPECTED = {
    "leder_referral": ["leder_referral"],
    "leder_referral_autism": ["leder_referral"],
    "child_death_review": ["child_death_review"],
    "maternity_referral": ["maternity_referral"],
    "safeguarding_referral": ["safeguarding_referral"],
    "none": [],
}


def _rows() -> list[dict[str, str]]:
    return [event(source_id=name, **fields) for name, fields in RULE_ROWS.items()]


def _tasks() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for source, kind in ReferralTask.objects.values_list("event__source_id", "kind"):
        found.setdefault(source, []).append(kind)
    return found


def test_an_import_raises_one_task_per_rule_and_a_second_import_changes_nothing(
    small_ics, tmp_path
):
    path = write(tmp_path, _rows())
    run_import(EventImporter(Actor(label="t")), path, progress=False)
    expected = {k: v for k, v in EXPECTED.items() if v}
    assert _tasks() == expected
    # Every task agrees with the derived field the exports publish.
    for record in exports.records(exports.event_queryset()):
        assert sorted(_tasks().get(record["source_id"], [])) == sorted(record["referrals"])
    assert set(ReferralTask.objects.values_list("organisation", flat=True)) == {
        small_ics.trust_a.pk
    }
    entry = AuditEntry.objects.get(action=AuditAction.REFERRAL_TASKS_CREATED)
    assert entry.details == {"created": 5, "by": "rules"}

    run_import(EventImporter(Actor(label="t")), path, progress=False)
    assert ReferralTask.objects.count() == 5
    assert AuditEntry.objects.filter(action=AuditAction.REFERRAL_TASKS_CREATED).count() == 1


@pytest.mark.parametrize("name", list(RULE_ROWS))
def test_each_rule_raises_its_task_for_one_event_as_for_an_import(small_ics, name):
    # One event is checked by the rules' scalar twin before any task is looked for.
    record_event(event(source_id=name, **RULE_ROWS[name]), actor=Actor(label="t"))
    assert _tasks().get(name, []) == EXPECTED[name]


def test_an_event_recorded_on_the_web_or_api_gets_its_tasks(small_ics):
    recorded = record_event(
        event(source_id="", category="safeguarding"), actor=Actor(label="t")
    ).load()
    assert list(recorded.referral_tasks.values_list("kind", flat=True)) == ["safeguarding_referral"]
    assert AuditEntry.objects.filter(
        action=AuditAction.REFERRAL_TASKS_CREATED, object_id=recorded.reference
    ).exists()


@pytest.fixture
def lead(client, small_ics):
    user = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    client.force_login(user)
    return user


@pytest.fixture
def safeguarding(small_ics):
    return record_event(event(source_id="", category="safeguarding"), actor=Actor(label="t")).load()


def task_url(e: PatientSafetyEvent, kind: str = "safeguarding_referral") -> str:
    return f"/safety/events/{e.reference}/referrals/{kind}/"


def test_a_task_is_referred_with_the_receiving_bodys_reference(client, lead, safeguarding, today):
    task = safeguarding.referral_tasks.get()
    bad = client.post(task_url(safeguarding), {"status": "referred", "version": "1"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Enter the date of the referral" in page
    assert "Enter the reference the receiving body gave" in page
    future = client.post(
        task_url(safeguarding),
        {
            "status": "referred",
            "version": "1",
            "receiving_reference": "LA-1",
            **date_parts("referred_on", today + dt.timedelta(days=2)),
        },
    )
    assert "must be today or in the past" in future.content.decode()
    task.refresh_from_db()
    assert task.status == "to_do" and task.version == 1

    ok = client.post(
        task_url(safeguarding),
        {
            "status": "referred",
            "version": "1",
            "receiving_reference": "LA-2026-0042",
            **date_parts("referred_on", dt.date(2026, 3, 4)),
        },
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.referred_on, task.receiving_reference, task.version) == (
        "referred",
        dt.date(2026, 3, 4),
        "LA-2026-0042",
        2,
    )
    entry = AuditEntry.objects.get(action=AuditAction.REFERRAL_TASK_UPDATED)
    assert entry.details["receiving_reference"] == "LA-2026-0042"
    # Someone still holding version 1 is told, not allowed to overwrite.
    stale = client.post(
        task_url(safeguarding), {"status": "not_needed", "version": "1", "not_needed_reason": "x"}
    )
    assert "Someone else changed this record" in stale.content.decode()
    task.refresh_from_db()
    assert task.status == "referred"


def test_not_needed_needs_a_reason(client, lead, safeguarding):
    response = client.post(task_url(safeguarding), {"status": "not_needed", "version": "1"})
    assert "Enter why the referral is not needed" in response.content.decode()
    client.post(
        task_url(safeguarding),
        {
            "status": "not_needed",
            "version": "1",
            "not_needed_reason": "Already raised by the local authority",
        },
    )
    task = safeguarding.referral_tasks.get()
    assert task.status == "not_needed" and task.referred_on is None


def test_a_homicide_review_is_added_by_hand_and_appears_in_the_export(client, lead, safeguarding):
    url = f"/safety/events/{safeguarding.reference}/candour/"
    empty = client.post(url, {"action": "add_referral", "kind": ""})
    assert "Select the referral to add" in empty.content.decode()
    response = client.post(url, {"action": "add_referral", "kind": "mh_homicide_review"})
    assert response.status_code == 302
    task = ReferralTask.objects.get(kind="mh_homicide_review")
    assert task.by_hand and task.status == "to_do"
    record = next(exports.records(exports.event_queryset()))
    assert record["referrals"] == ["safeguarding_referral", "mh_homicide_review"]
    assert AuditEntry.objects.filter(action=AuditAction.REFERRAL_TASK_ADDED).exists()
    again = client.post(url, {"action": "add_referral", "kind": "safeguarding_referral"})
    assert "already has that referral task" in again.content.decode()


def test_the_list_filters_by_provider_status_and_kind(client, small_ics, tmp_path):
    rows = [
        *_rows(),
        event(source_id="B1", org_code="TB", service_code="TB-MAT", physical_harm="fatal"),
    ]
    run_import(EventImporter(Actor(label="t")), write(tmp_path, rows), progress=False)
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    client.force_login(icb)
    page = client.get("/safety/referrals/").content.decode()
    assert "6 referral tasks" in page and "Trust B" in page
    only_a = client.get("/safety/referrals/?org=TA").content.decode()
    assert "5 referral tasks" in only_a
    maternity = client.get("/safety/referrals/?kind=maternity_referral").content.decode()
    assert "2 referral tasks" in maternity
    done = client.get("/safety/referrals/?status=referred").content.decode()
    assert "No referral tasks match" in done

    lead_b = member(small_ics.trust_b, Role.PATIENT_SAFETY_LEAD, username="lead.b")
    client.force_login(lead_b)
    page = client.get("/safety/referrals/").content.decode()
    assert "1 referral task," in page and "Trust A" not in page
    assert client.get("/safety/referrals/?org=TA").status_code == 404
