"""Guardians work their cases: filters, the thread, the NGO record with versioned edits,
closing; every read and every change is audited, and the audit never holds the content."""

from __future__ import annotations

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.organisations.roles import Role
from caresignals.speakup import services
from caresignals.speakup.models import SpeakUpCase
from tests.factories import member
from tests.speakup.factories import CONCERN, raise_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def guardian(small_ics):
    return member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, first_name="Gwen", last_name="Guard")


def _views(case):
    return AuditEntry.objects.filter(action="speakup.case_viewed", object_id=case.reference)


def test_the_list_filters_by_status_and_category(client, small_ics, guardian):
    safety, _ = raise_case(small_ics.trust_a, categories=("patient_safety",))
    bullying, _ = raise_case(small_ics.trust_a, categories=("bullying_harassment",))
    services.close_case(guardian, bullying, bullying.version)
    client.force_login(guardian)
    page = client.get("/speak-up/cases/").content.decode()
    assert safety.reference in page and bullying.reference in page
    page = client.get("/speak-up/cases/?status=closed").content.decode()
    assert safety.reference not in page and bullying.reference in page
    page = client.get("/speak-up/cases/?category=patient_safety").content.decode()
    assert safety.reference in page and bullying.reference not in page
    page = client.get("/speak-up/cases/?status=open&category=detriment").content.decode()
    assert "No cases match" in page


def test_every_read_is_audited_without_content(client, small_ics, guardian):
    case, _ = raise_case(small_ics.trust_a)
    client.force_login(guardian)
    for _ in range(3):
        assert client.get(f"/speak-up/cases/{case.reference}/").status_code == 200
    client.get(f"/speak-up/cases/{case.reference}/record/")
    views = list(_views(case))
    assert len(views) == 4 and all(v.actor == guardian for v in views)
    assert sorted(v.details["page"] for v in views) == ["case", "case", "case", "edit"]
    assert all(CONCERN not in str(v.details) for v in AuditEntry.objects.all())


def test_the_guardian_sees_who_raised_a_confidential_case(client, small_ics, guardian):
    reporter = member(small_ics.trust_a, Role.STAFF, first_name="Noor", last_name="Synthetic")
    case, _ = raise_case(small_ics.trust_a, route="confidential", user=reporter)
    client.force_login(guardian)
    page = client.get(f"/speak-up/cases/{case.reference}/").content.decode()
    assert "Noor Synthetic" in page and "do not share their name" in page
    anonymous, _ = raise_case(small_ics.trust_a)
    page = client.get(f"/speak-up/cases/{anonymous.reference}/").content.decode()
    assert "nobody knows who raised it" in page


def test_a_reply_reaches_the_thread_and_is_audited(client, small_ics, guardian):
    case, code = raise_case(small_ics.trust_a)
    client.force_login(guardian)
    response = client.post(
        f"/speak-up/cases/{case.reference}/reply/", {"text": "Synthetic: thanks."}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="speakup.reply_sent", actor=guardian).count() == 1
    empty = client.post(f"/speak-up/cases/{case.reference}/reply/", {"text": " "})
    assert empty.status_code == 400 and "Enter your message" in empty.content.decode()
    assert case.messages.count() == 1
    client.logout()
    thread = client.post("/speak-up/case/", {"reference": case.reference, "access_code": code})
    assert "Synthetic: thanks." in thread.content.decode()


def _record(**overrides):
    data = {
        "version": "1",
        "categories": ["worker_safety", "detriment"],
        "professional_group": "medical_dental",
        "actions_taken": "Synthetic: met the ward manager.",
        "outcome": "Synthetic: rota changed.",
        "suffered_detriment": "no",
        "feedback_speak_up_again": "yes",
    }
    data.update(overrides)
    return data


def test_the_guardian_records_the_case_with_versioned_edits(client, small_ics, guardian):
    case, _ = raise_case(small_ics.trust_a)
    client.force_login(guardian)
    url = f"/speak-up/cases/{case.reference}/record/"
    assert client.post(url, _record()).status_code == 302
    case.refresh_from_db()
    assert case.categories == ["worker_safety", "detriment"] and case.version == 2
    assert case.professional_group == "medical_dental" and case.feedback_speak_up_again == "yes"
    entry = AuditEntry.objects.get(action="speakup.case_updated")
    assert entry.details["fields"] == sorted(
        [
            "patient_safety",
            "worker_safety",
            "detriment",
            "professional_group",
            "actions_taken",
            "outcome",
            "suffered_detriment",
            "feedback_speak_up_again",
        ]
    )
    assert "rota" not in str(entry.details)
    # A second guardian's stale form: refused, nothing overwritten, told clearly.
    stale = client.post(url, _record(outcome="Synthetic: overwritten?"), follow=True)
    assert "Someone else changed this case" in stale.content.decode()
    case.refresh_from_db()
    assert case.outcome == "Synthetic: rota changed." and case.version == 2
    bad = client.post(url, _record(version="2", professional_group="pilots"))
    assert bad.status_code == 400 and "Select the professional group" in bad.content.decode()


def test_closing_and_reopening(client, small_ics, guardian, today):
    case, _code = raise_case(small_ics.trust_a)
    client.force_login(guardian)
    url = f"/speak-up/cases/{case.reference}/close/"
    client.post(url, {"version": "1"})
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on == today
    assert AuditEntry.objects.filter(action="speakup.case_closed").count() == 1
    client.post(url, {"version": "1"})  # stale: ignored with a warning
    case.refresh_from_db()
    assert case.status == "closed"
    client.post(url, {"version": str(case.version)})
    case.refresh_from_db()
    assert case.status == "open" and case.closed_on is None


def test_guardian_memberships_only_open_their_own_organisation(small_ics, guardian):
    raise_case(small_ics.trust_a)
    raise_case(small_ics.trust_b)
    assert {c.organisation.code for c in SpeakUpCase.objects.for_guardian(guardian)} == {"TA"}
