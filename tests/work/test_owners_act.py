"""Triage has an owner, and owners act on what they own (ADR 21): an untriaged event can be
given to one of the provider's patient-safety leads, and the named owner of a safety action or
learning response who may not manage responses updates it rather than being refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.roles import Role
from caresignals.pages.work import my_work
from caresignals.safety.models import LearningResponse, SafetyAction, TriageOwner
from caresignals.safety.responses import psirf
from tests.factories import member
from tests.safety_response.factories import LearningResponseFactory, SafetyActionFactory, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(small_ics):
    return member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead", first_name="Lee")


@pytest.fixture
def colleague(small_ics):
    return member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="psl2", first_name="Pat")


@pytest.fixture
def nurse(small_ics):
    return member(small_ics.trust_a, Role.STAFF, username="nurse", first_name="Nia")


def _mine(user, today):
    work = my_work(user, today)
    return work.overdue + work.due_soon + work.later


def _team(user, today):
    return [i for team in my_work(user, today).teams for i in team.items]


# --- triage ------------------------------------------------------------------------------------


def test_an_untriaged_event_is_given_to_a_patient_safety_lead(
    client, small_ics, lead, colleague, nurse, today
):
    found = event(small_ics.trust_a, reported_on=today)
    page_url = reverse("safety:event", kwargs={"reference": found.reference})
    url = reverse("safety:event_triage_owner", kwargs={"reference": found.reference})
    client.force_login(lead)
    page = client.get(page_url).content.decode()
    assert "To triage: the patient-safety team" in page
    assert f'value="{colleague.pk}"' in page
    assert f'value="{nurse.pk}"' not in page  # only patient-safety leads are offered

    # Unassigned, it is the team's: in the lead's team view, in nobody's own work.
    assert found.reference in [i.reference for i in _team(lead, today)]
    assert found.reference not in [i.reference for i in _mine(colleague, today)]

    refused = client.post(url, {"owner_person": str(nurse.pk)})
    assert refused.status_code == 400 and not TriageOwner.objects.exists()
    assert client.post(url, {"owner_person": str(colleague.pk)}).status_code == 302
    assert TriageOwner.objects.get(event=found).owner_person == colleague
    entry = AuditEntry.objects.get(action=AuditAction.TRIAGE_ASSIGNED)
    assert entry.object_id == found.reference and entry.details["owner_person"] == colleague.pk
    assert "To triage: Pat" in client.get(page_url).content.decode()
    assert "To triage: Pat" in client.get(reverse("safety:triage")).content.decode()

    client.force_login(colleague)
    mine = client.get("/my-work/").content.decode()
    assert found.reference in mine and "Triage due" in mine
    item = next(i for i in _mine(colleague, today) if i.reference == found.reference)
    assert item.kind == "Triage" and item.due_on > today

    # Given back to the team, then triaged: it leaves everyone's work.
    client.force_login(lead)
    assert client.post(url, {"owner_person": ""}).status_code == 302
    assert not TriageOwner.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.TRIAGE_ASSIGNED).count() == 2
    client.post(url, {"owner_person": str(colleague.pk)})
    triage = reverse("safety:event_triage", kwargs={"reference": found.reference})
    assert client.post(triage, {"response": "none", "note": "", "version": "0"}).status_code == 302
    assert found.reference not in str(my_work(colleague, today))


def test_only_someone_who_triages_there_can_give_an_event_to_a_person(
    client, small_ics, colleague, nurse, today
):
    found = event(small_ics.trust_a, reported_on=today)
    url = reverse("safety:event_triage_owner", kwargs={"reference": found.reference})
    client.force_login(nurse)
    assert client.post(url, {"owner_person": str(colleague.pk)}).status_code == 403
    elsewhere = member(small_ics.trust_b, Role.PATIENT_SAFETY_LEAD, username="psl-b")
    client.force_login(elsewhere)
    assert client.post(url, {"owner_person": str(colleague.pk)}).status_code == 404
    assert not TriageOwner.objects.exists()


def test_an_overdue_triage_counts_working_days_from_reporting(small_ics, lead, today):
    late = event(small_ics.trust_a, reported_on=today - dt.timedelta(days=14))
    TriageOwner.objects.create(event=late, owner_person=lead)
    work = my_work(lead, today)
    assert [i.reference for i in work.overdue if i.kind == "Triage"] == [late.reference]
    assert psirf.TRIAGE_WORKING_DAYS == 3


# --- owners acting on what they own --------------------------------------------------------------


def test_the_owner_of_an_action_updates_its_status_and_progress(client, small_ics, nurse, today):
    response = LearningResponseFactory(organisation=small_ics.trust_a)
    action = SafetyActionFactory(response=response, owner_person=nurse, due_on=today)
    client.force_login(nurse)
    opened = client.get(reverse("safety:action", kwargs={"reference": action.reference}))
    progress = reverse("safety:action_progress", kwargs={"reference": action.reference})
    assert opened.status_code == 302 and opened["Location"] == progress
    page = client.get(progress)
    assert page.status_code == 200 and "Synthetic action." in page.content.decode()

    refused = client.post(progress, {"status": "not_taken_forward", "version": "1"})
    assert refused.status_code == 400
    assert "Enter why the action is not being taken forward" in refused.content.decode()
    saved = client.post(
        progress,
        {
            "status": "done",
            "progress": "Synthetic: handover checks in place on both wards.",
            "description": "Changed by the owner",  # not theirs to change: ignored
            "version": "1",
        },
    )
    assert saved.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.progress.startswith("Synthetic: handover")
    assert action.description == "Synthetic action." and action.version == 2
    entry = AuditEntry.objects.get(action=AuditAction.SAFETY_ACTION_PROGRESS)
    assert entry.object_id == action.reference and entry.details["status"] == "done"
    stale = client.post(progress, {"status": "open", "version": "1"})
    assert stale.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"  # the stale update was not saved
    # The patient-safety team reads the owner's note on the action.
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="psl-reads")
    client.force_login(lead)
    edit = client.get(reverse("safety:action", kwargs={"reference": action.reference}))
    assert "handover checks in place on both wards" in edit.content.decode()


def test_only_the_owner_reaches_the_update_page(client, small_ics, lead, nurse, today):
    response = LearningResponseFactory(organisation=small_ics.trust_a)
    action = SafetyActionFactory(response=response, owner_person=nurse, due_on=today)
    progress = reverse("safety:action_progress", kwargs={"reference": action.reference})
    edit = reverse("safety:action", kwargs={"reference": action.reference})
    other = member(small_ics.trust_a, Role.STAFF, username="other-nurse")
    client.force_login(other)
    assert client.get(progress).status_code == 404
    assert client.post(progress, {"status": "closed", "version": "1"}).status_code == 404
    assert client.get(edit).status_code == 403  # the current rules, unchanged
    # A lead who owns an action keeps the full form.
    mine = SafetyActionFactory(response=response, owner_person=lead, due_on=today)
    client.force_login(lead)
    assert (
        client.get(reverse("safety:action", kwargs={"reference": mine.reference})).status_code
        == 200
    )
    assert client.get(edit).status_code == 200
    assert SafetyAction.objects.get(pk=action.pk).status == "open"


def test_the_lead_of_a_learning_response_updates_it_but_does_not_complete_it(
    client, small_ics, nurse
):
    response = LearningResponseFactory(organisation=small_ics.trust_a, owner_person=nurse)
    client.force_login(nurse)
    detail = reverse("safety:response", kwargs={"reference": response.reference})
    progress = reverse("safety:response_progress", kwargs={"reference": response.reference})
    assert client.get(detail)["Location"] == progress
    assert client.get(progress).status_code == 200
    refused = client.post(progress, {"status": "completed", "version": "1"})
    assert refused.status_code == 400
    saved = client.post(
        progress,
        {"status": "in_progress", "progress": "Synthetic: interviews done.", "version": "1"},
    )
    assert saved.status_code == 302
    response.refresh_from_db()
    assert response.status == "in_progress" and response.progress == "Synthetic: interviews done."
    assert AuditEntry.objects.filter(action=AuditAction.LEARNING_RESPONSE_PROGRESS).count() == 1
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="psl-reads")
    client.force_login(lead)
    assert "Synthetic: interviews done." in client.get(detail).content.decode()
    client.force_login(nurse)
    LearningResponse.objects.filter(pk=response.pk).update(status="completed")
    after = client.post(progress, {"status": "planned", "version": "2"})
    assert after.status_code == 400
    assert LearningResponse.objects.get(pk=response.pk).status == "completed"
