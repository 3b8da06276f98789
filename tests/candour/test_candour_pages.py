"""Duty of Candour for one event: the hand flag, the steps, validation, audit, conflicts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.roles import Role
from caresignals.safety.events import exports
from caresignals.safety.models import CandourRecord, ContactAttempt
from tests.candour.factories import notifiable_event, steps_post, undecided_event
from tests.clock import suite_today
from tests.factories import EventFactory, member

pytestmark = pytest.mark.django_db

D = dt.date


def url(event) -> str:
    return f"/safety/events/{event.reference}/candour/"


@pytest.fixture
def lead(client, small_ics):
    user = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    client.force_login(user)
    return user


def export_of(event) -> dict:
    return next(exports.records(exports.event_queryset().filter(pk=event.pk)))


def test_an_automatic_flag_is_shown_and_cannot_be_cleared(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a)
    page = client.get(url(event)).content.decode()
    assert "Notifiable by the rules" in page
    assert "cannot be cleared" in page
    assert "Flag as notifiable" not in page
    refused = client.post(
        url(event), {"action": "flag", "flag": "off", "reason": "x", "version": "0"}
    )
    assert refused.status_code == 400
    assert "This flag cannot be cleared" in refused.content.decode()
    assert not CandourRecord.objects.exists()


def test_a_hand_flag_turns_on_and_off_with_reasons_and_the_export_follows(client, lead, small_ics):
    event = undecided_event(small_ics.trust_a)
    assert export_of(event)["candour_notifiable"] is False
    assert export_of(event)["candour_due"] is None
    assert "a person must decide" in client.get(url(event)).content.decode()

    no_reason = client.post(
        url(event), {"action": "flag", "flag": "on", "reason": "", "version": "0"}
    )
    assert no_reason.status_code == 400
    assert "Enter the reason for your decision" in no_reason.content.decode()
    assert not CandourRecord.objects.exists()

    response = client.post(
        url(event),
        {"action": "flag", "flag": "on", "reason": "Distress lasted 6 weeks", "version": "0"},
    )
    assert response.status_code == 302
    record = CandourRecord.objects.get(event=event)
    assert record.hand_flagged and record.version == 1
    exported = export_of(event)
    assert exported["candour_notifiable"] is True
    assert exported["candour_due"] == "2026-03-16"
    page = client.get(url(event)).content.decode()
    assert "Flagged notifiable by hand" in page and "Distress lasted 6 weeks" in page
    assert "Clear the hand flag" in page

    client.post(
        url(event),
        {"action": "flag", "flag": "off", "reason": "Recovered within a week", "version": "1"},
    )
    record.refresh_from_db()
    assert not record.hand_flagged and record.hand_flag_reason == "Recovered within a week"
    assert export_of(event)["candour_notifiable"] is False
    actions = list(
        AuditEntry.objects.filter(object_id=event.reference)
        .order_by("id")
        .values_list("action", "details")
    )
    assert actions == [
        (AuditAction.CANDOUR_FLAGGED, {"reason": "Distress lasted 6 weeks"}),
        (AuditAction.CANDOUR_UNFLAGGED, {"reason": "Recovered within a week"}),
    ]


def test_the_export_counts_hand_flags_with_one_query_per_chunk(
    small_ics, django_assert_max_num_queries
):
    from caresignals.audit.services import Actor
    from caresignals.safety.candour import services as services_candour

    events = [undecided_event(small_ics.trust_a) for _ in range(30)]
    for e in events[::3]:
        services_candour.set_hand_flag(e, flag=True, reason="r", version=0, actor=Actor(label="t"))
    # Per chunk: the events, hand candour decisions, hand referrals, plan rules (once per
    # provider) and triage decisions; never one per event.
    with django_assert_max_num_queries(5):
        rows = list(exports.records(exports.event_queryset()))
    flagged = {r["reference"] for r in rows if r["candour_notifiable"]}
    assert flagged == {e.reference for e in events[::3]}


def test_recording_the_steps_and_seeing_the_clock(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    page = client.get(url(event)).content.decode()
    assert "16 March 2026" in page  # 10 working days after 2 March
    response = client.post(
        url(event),
        steps_post(
            0,
            notified_in_person_on=D(2026, 3, 18),
            notified_by="Dr Synthetic, consultant",
            apology_given=True,
            written_notification_on=D(2026, 3, 20),
        ),
    )
    assert response.status_code == 302, response.content.decode()
    record = CandourRecord.objects.get(event=event)
    assert record.notified_in_person_on == D(2026, 3, 18) and record.apology_given
    assert record.written_notification_on == D(2026, 3, 20) and record.version == 1
    page = client.get(url(event)).content.decode()
    assert "Done 2 working days late" in page
    entry = AuditEntry.objects.get(action=AuditAction.CANDOUR_STEPS_RECORDED)
    assert entry.details["changed"]["notified_in_person_on"] == "2026-03-18"
    assert entry.organisation_path == small_ics.trust_a.path


@pytest.mark.parametrize(
    ("steps", "field", "message"),
    [
        (
            {
                "notified_in_person_on": suite_today() + dt.timedelta(days=1),
                "notified_by": "A",
                "apology_given": True,
            },
            "notified_in_person_on",
            "must be today or in the past",
        ),
        (
            {"notified_in_person_on": D(2026, 3, 1), "notified_by": "A", "apology_given": True},
            "notified_in_person_on",
            "must be on or after the day the event was reported",
        ),
        (
            {"notified_in_person_on": D(2026, 3, 5), "apology_given": True},
            "notified_by",
            "Enter who told them in person",
        ),
        (
            {"notified_in_person_on": D(2026, 3, 5), "notified_by": "A"},
            "apology_given",
            "Confirm an apology was given",
        ),
        (
            {"written_notification_on": D(2026, 3, 5)},
            "written_notification_on",
            "Record the notification in person before the written notification",
        ),
        (
            {
                "notified_in_person_on": D(2026, 3, 9),
                "notified_by": "A",
                "apology_given": True,
                "written_notification_on": D(2026, 3, 5),
            },
            "written_notification_on",
            "on or after the notification in person",
        ),
        (
            {
                "notified_in_person_on": D(2026, 3, 5),
                "notified_by": "A",
                "apology_given": True,
                "results_shared_on": D(2026, 3, 9),
            },
            "results_shared_on",
            "Record the written notification before sharing the results",
        ),
        (
            {"contact_outcome": "not_contactable", "contact_outcome_on": D(2026, 3, 9)},
            "contact_outcome",
            "Record the attempts to contact them",
        ),
        ({"contact_outcome": "declined"}, "contact_outcome_on", "Enter the date of that outcome"),
        (
            {
                "notified_in_person_on": D(2026, 3, 5),
                "notified_by": "A",
                "apology_given": True,
                "contact_outcome": "declined",
                "contact_outcome_on": D(2026, 3, 5),
            },
            "contact_outcome",
            "the person was told in person",
        ),
    ],
)
def test_bad_steps_are_named_and_nothing_is_stored(client, lead, small_ics, steps, field, message):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    response = client.post(url(event), steps_post(0, **steps))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#{field}"' in page
    assert message in page
    assert not CandourRecord.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CANDOUR_STEPS_RECORDED).exists()


def test_an_empty_steps_form_saves_nothing(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a)
    response = client.post(url(event), steps_post(0))
    assert response.status_code == 400
    assert "Enter at least one step to save" in response.content.decode()
    assert not CandourRecord.objects.exists()
    assert not AuditEntry.objects.exists()


def test_steps_on_an_event_that_is_not_notifiable_are_refused(client, lead, small_ics):
    event = EventFactory(organisation=small_ics.trust_a, physical_harm="low")
    page = client.get(url(event)).content.decode()
    assert "Not notifiable by the rules" in page and "Save the steps" not in page
    response = client.post(
        url(event),
        steps_post(0, notified_in_person_on=D(2026, 3, 5), notified_by="A", apology_given=True),
    )
    assert response.status_code == 400
    assert "flag it notifiable first" in response.content.decode()
    assert not CandourRecord.objects.exists()


def test_attempts_then_not_contactable_closes_the_notification(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    bad = client.post(url(event), {"action": "attempt", "method": "", "outcome": ""})
    assert bad.status_code == 400
    assert "Select how you tried to contact them" in bad.content.decode()
    assert not ContactAttempt.objects.exists()
    for day in (3, 5):
        response = client.post(
            url(event),
            {
                "action": "attempt",
                "attempted_on_day": str(day),
                "attempted_on_month": "3",
                "attempted_on_year": "2026",
                "method": "phone",
                "outcome": "No answer; number unobtainable",
            },
        )
        assert response.status_code == 302
    assert ContactAttempt.objects.count() == 2
    version = CandourRecord.objects.get().version
    response = client.post(
        url(event),
        steps_post(version, contact_outcome="not_contactable", contact_outcome_on=D(2026, 3, 6)),
    )
    assert response.status_code == 302
    page = client.get(url(event)).content.decode()
    assert "Done on time" in page
    assert AuditEntry.objects.filter(action=AuditAction.CANDOUR_CONTACT_ATTEMPT).count() == 2


def test_two_people_saving_the_same_steps_do_not_overwrite_each_other(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    first = steps_post(0, notified_in_person_on=D(2026, 3, 4), notified_by="A", apology_given=True)
    second = steps_post(0, notified_in_person_on=D(2026, 3, 5), notified_by="B", apology_given=True)
    assert client.post(url(event), first).status_code == 302
    response = client.post(url(event), second)
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    record = CandourRecord.objects.get()
    assert (record.notified_by, record.version) == ("A", 1)
    # Stale version on an existing record, too.
    client.post(
        url(event),
        steps_post(1, notified_in_person_on=D(2026, 3, 4), notified_by="C", apology_given=True),
    )
    stale = client.post(
        url(event),
        steps_post(1, notified_in_person_on=D(2026, 3, 4), notified_by="D", apology_given=True),
    )
    assert "Someone else changed this record" in stale.content.decode()
    record.refresh_from_db()
    assert (record.notified_by, record.version) == ("C", 2)


def test_description_is_full_inside_the_provider_and_deidentified_outside(client, small_ics):
    event = notifiable_event(
        small_ics.trust_a, description="Mrs Jones (NHS 943 476 5919) fell at 12 Acacia Avenue."
    )
    inside = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="in")
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    client.force_login(inside)
    assert "943 476 5919" in client.get(url(event)).content.decode()
    client.force_login(icb)
    page = client.get(url(event)).content.decode()
    assert "943 476 5919" not in page and "Jones" not in page and "Acacia" not in page
    assert "Mrs [name]" in page and "(de-identified)" in page
    # The ICB sees, but cannot change.
    assert "Save the steps" not in page
    response = client.post(
        url(event),
        steps_post(0, notified_in_person_on=D(2026, 3, 4), notified_by="A", apology_given=True),
    )
    assert response.status_code == 403
    assert not CandourRecord.objects.exists()


def test_the_page_is_one_form_with_a_button_for_each_part(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    page = client.get(url(event)).content.decode()
    assert page.count("<form") == 1 + page.count('action="/accounts/sign-out')  # (the header's)
    for part in ("owner", "steps", "attempt"):
        assert re.search(rf'<button[^>]*name="action"[^>]*value="{part}"', page)


def test_an_error_in_one_part_keeps_what_was_typed_in_the_others(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    typed = steps_post(0, notified_in_person_on=D(2026, 3, 4), notified_by="Dr A Synthetic")
    typed |= {"action": "attempt", "method": "", "outcome": "Left a voicemail"}
    response = client.post(url(event), typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select how you tried to contact them" in page
    assert 'value="Dr A Synthetic"' in page  # the steps, not saved, still shown
    assert 'name="notified_in_person_on_day" type="text" value="4"' in page
    assert 'value="Left a voicemail"' in page
    assert not CandourRecord.objects.exists() and not ContactAttempt.objects.exists()


def test_saving_one_part_shows_the_page_again_with_the_others_as_typed(client, lead, small_ics):
    event = notifiable_event(small_ics.trust_a, reported_on=D(2026, 3, 2))
    typed = steps_post(0, notified_in_person_on=D(2026, 3, 4), notified_by="Dr A Synthetic")
    typed |= {
        "action": "attempt",
        "attempted_on_day": "3",
        "attempted_on_month": "3",
        "attempted_on_year": "2026",
        "method": "phone",
        "outcome": "No answer",
    }
    # The page is drawn again from the post (no redirect, nothing kept on the server): the
    # attempt saved, the steps as typed.
    response = client.post(url(event), typed)
    assert response.status_code == 200
    assert ContactAttempt.objects.count() == 1
    assert not CandourRecord.objects.filter(notified_by="Dr A Synthetic").exists()
    page = " ".join(response.content.decode().split())
    assert "The attempt to contact them is recorded" in page
    assert "Not saved yet:</strong> what you typed in Notification steps." in page
    assert 'value="Dr A Synthetic"' in page
    assert 'name="notified_in_person_on_day" type="text" value="4"' in page
    assert 'value="No answer"' not in page  # the attempt was recorded: its form is empty
    # Another part saved from that page: the steps typed are still there, and then saved.
    shown = re.search(r'name="version" value="(\d+)"', response.content.decode())
    assert shown is not None  # the page as drawn carries the stored version
    owner = typed | {"action": "owner", "owner_person": str(lead.pk), "version": shown[1]}
    response = client.post(url(event), owner)
    assert response.status_code == 200, response.content.decode()
    page = " ".join(response.content.decode().split())
    assert "The owner of the candour steps is saved" in page
    assert 'value="Dr A Synthetic"' in page and "Not saved yet" in page
    version = CandourRecord.objects.get().version
    steps = steps_post(
        version,
        notified_in_person_on=D(2026, 3, 4),
        notified_by="Dr A Synthetic",
        apology_given=True,
    )
    saved = client.post(url(event), steps | {"owner_person": str(lead.pk)})
    assert saved.status_code == 302  # nothing else typed: back to the page
    assert CandourRecord.objects.get().notified_by == "Dr A Synthetic"
    assert "Not saved yet" not in client.get(url(event)).content.decode()
    # Unchanged parts are not reported as unsaved, and with nothing else typed a save
    # goes back to the page.
    version = CandourRecord.objects.get().version
    unchanged = steps_post(
        version,
        notified_in_person_on=D(2026, 3, 4),
        notified_by="Dr A Synthetic",
        apology_given=True,
    )
    response = client.post(url(event), unchanged | {"action": "owner", "owner_person": ""})
    assert response.status_code == 302
