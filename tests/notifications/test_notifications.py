"""Notifications in-app and by email, through a real SMTP server process on 127.0.0.1 (aiosmtpd),
each person receiving what they chose; never patient-identifiable or speak-up content."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.services import Actor
from caresignals.notifications import tasks
from caresignals.notifications.models import Kind, Notification
from caresignals.organisations.roles import Role
from caresignals.safety.events.services import record_event
from caresignals.speakup import services as speakup
from tests.factories import member
from tests.notifications.events import NEVER_EVENT
from tests.notifications.smtp import Inbox, free_port
from tests.safety_response.factories import LearningResponseFactory, SafetyActionFactory
from tests.speakup.factories import CONCERN, raise_case
from tests.voice.factories import complaint

pytestmark = pytest.mark.django_db


def test_a_never_event_tells_the_providers_safety_leads(
    small_ics, inbox, django_capture_on_commit_callbacks
):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    other = member(small_ics.trust_b, Role.PATIENT_SAFETY_LEAD, username="o", email="o@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(NEVER_EVENT, actor=Actor(label="tests"))
    note = Notification.objects.get(user=lead)
    assert note.kind == Kind.NATIONAL_REQUIREMENT and note.reference == event.reference
    assert not Notification.objects.filter(user=other).exists()
    [message] = inbox.to("l@example.com")
    body = Inbox.body(message)
    assert event.reference in body
    assert f"https://care-signals.example.nhs.uk/safety/events/{event.reference}/" in body
    assert "Example" not in body and "wrong side" not in body  # no patient details


def test_daily_reminders_respect_each_persons_choice(client, small_ics, inbox, today):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    nurse = member(small_ics.trust_a, Role.STAFF, username="n", email="n@example.com")
    response = LearningResponseFactory(
        organisation=small_ics.trust_a, owner_person=lead, due_on=today
    )
    late = SafetyActionFactory(
        response=response,
        owner_person=nurse,
        description="Synthetic: check Mr Example's bed rails.",
        due_on=today - dt.timedelta(days=1),
    )
    client.force_login(lead)
    form = {f"{k}_email": "on" for k in Kind.values} | {f"{k}_in_app": "on" for k in Kind.values}
    del form["work_due_email"]
    assert client.post("/notifications/preferences/", form).status_code == 302

    tasks.daily.enqueue()
    [message] = inbox.to("n@example.com")
    body = Inbox.body(message)
    assert f"Safety action overdue: {late.reference}" in body and "Example" not in body
    assert not inbox.to("l@example.com")  # the lead chose no email for work due
    assert Notification.objects.filter(user=lead, kind=Kind.WORK_DUE).exists()  # but in-app
    page = client.get("/notifications/").content.decode()
    assert response.reference in page

    tasks.daily.enqueue()  # the next run tells nobody twice
    assert len(inbox.messages) == 1


def test_a_complaint_clock_about_to_run_out_reaches_the_complaints_team(small_ics, inbox, today):
    member(small_ics.trust_a, Role.COMPLAINTS_LEAD, username="c", email="c@example.com")
    found = complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=1))
    tasks.daily.enqueue()
    [message] = inbox.to("c@example.com")
    body = Inbox.body(message)
    assert f"Complaint due soon: {found.feedback.reference}" in body
    assert "Synthetic Person" not in body and "person@example.com" not in body


def test_a_reporters_reply_reaches_the_guardian_with_no_content_and_only_the_day(
    small_ics, inbox, django_capture_on_commit_callbacks
):
    member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, username="g", email="g@example.com")
    case, _code = raise_case(small_ics.trust_a)
    with django_capture_on_commit_callbacks(execute=True):
        speakup.reporter_message(case, "Synthetic: it happened again last night.")
    note = Notification.objects.get(kind=Kind.SPEAKUP_REPLY)
    assert note.reference == case.reference and not note.emailed
    assert not inbox.messages  # the email waits for the daily run (H37)
    tasks.daily.enqueue()
    [message] = inbox.to("g@example.com")
    body = Inbox.body(message)
    assert case.reference in body and "again last night" not in body and CONCERN not in body


def test_the_weekly_digest_counts_and_links(small_ics, inbox, today):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    response = LearningResponseFactory(organisation=small_ics.trust_a, owner_person=lead)
    action = SafetyActionFactory(
        response=response, owner_person=lead, due_on=today - dt.timedelta(days=3)
    )
    tasks.weekly.enqueue()
    [message] = inbox.to("l@example.com")
    assert message["Subject"] == "Care Signals: your week"
    body = Inbox.body(message)
    assert "1 overdue" in body and action.reference in body
    assert "https://care-signals.example.nhs.uk/my-work/" in body


def test_a_mail_outage_fails_nothing_and_the_next_run_sends(small_ics, settings, inbox, today):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    response = LearningResponseFactory(
        organisation=small_ics.trust_a, owner_person=lead, due_on=today
    )
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    tasks.daily.enqueue()
    assert not Notification.objects.get(reference=response.reference).emailed
    settings.EMAIL_PORT = port
    tasks.daily.enqueue()
    [message] = inbox.to("l@example.com")
    assert response.reference in Inbox.body(message)
