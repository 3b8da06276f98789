"""The complaints lead works complaints and feedback; the ICB reads; nobody else sees them."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.safety.models import PatientSafetyEvent
from caresignals.voice import services
from caresignals.voice.models import Complaint, Feedback
from tests.factories import EventFactory, member
from tests.safety.test_record_views import errors_of
from tests.voice.factories import FeedbackFactory, complaint

pytestmark = pytest.mark.django_db

ROLES = [
    "staff",
    "patient_safety_lead",
    "complaints_lead",
    "speakup_guardian",
    "board_member",
    "analyst",
    "administrator",
]


@pytest.fixture
def case(small_ics):
    return complaint(small_ics.trust_a, received_on=dt.date(2026, 3, 2))


def signed_in(client, user):
    client.force_login(user)
    return client


def date(prefix, d):
    return {f"{prefix}_day": d.day, f"{prefix}_month": d.month, f"{prefix}_year": d.year}


def step(client, c, name, data):
    return client.post(
        f"/complaints/{c.feedback.reference}/{name}/", {"version": c.version, **data}
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_a_complaint(client, small_ics, case, role):
    """Only the complaints lead of the organisation (and the ICB, below) sees it."""
    user = member(small_ics.trust_a, role)
    signed_in(client, user)
    url = f"/complaints/{case.feedback.reference}/"
    expected = 200 if role == "complaints_lead" else 404
    assert client.get(url).status_code == expected
    assert client.get("/complaints/").status_code == expected
    assert client.get(f"/feedback/manage/{case.feedback.reference}/").status_code == expected


def test_another_organisations_complaints_lead_finds_nothing(client, small_ics, case):
    signed_in(client, member(small_ics.trust_b, "complaints_lead"))
    assert client.get(f"/complaints/{case.feedback.reference}/").status_code == 404
    assert case.feedback.reference not in client.get("/complaints/?view=all").content.decode()
    response = step(client, case, "acknowledge", date("acknowledged_on", dt.date(2026, 3, 3)))
    assert response.status_code == 404
    assert Complaint.objects.get().acknowledged_on is None


def test_icb_reads_everything_but_changes_nothing(client, small_ics, case):
    signed_in(client, member(small_ics.ics, "icb_quality_lead"))
    page = client.get(f"/complaints/{case.feedback.reference}/").content.decode()
    assert case.feedback.reference in page and "Record the acknowledgement" not in page
    assert case.feedback.reference in client.get("/complaints/?view=all").content.decode()
    response = step(client, case, "acknowledge", date("acknowledged_on", dt.date(2026, 3, 3)))
    assert response.status_code == 404


def test_the_overdue_lists(client, small_ics, case, today):
    late = complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=200))
    fresh = complaint(small_ics.trust_a, received_on=today)
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    ack = client.get("/complaints/?view=acknowledgement_overdue").content.decode()
    assert late.feedback.reference in ack and fresh.feedback.reference not in ack
    six = client.get("/complaints/?view=six_month_letter_due").content.decode()
    assert late.feedback.reference in six and fresh.feedback.reference not in six


def test_working_a_complaint_through_to_the_final_response(client, small_ics, case):
    lead = member(small_ics.trust_a, "complaints_lead")
    signed_in(client, lead)
    response = step(
        client,
        case,
        "acknowledge",
        {
            **date("acknowledged_on", dt.date(2026, 3, 4)),
            **date("response_due", dt.date(2026, 5, 1)),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.acknowledged_on == dt.date(2026, 3, 4) and case.response_due == dt.date(2026, 5, 1)
    assert (
        step(client, case, "response-date", date("response_due", dt.date(2026, 6, 1))).status_code
        == 302
    )
    case.refresh_from_db()
    assert (
        step(
            client, case, "six-month-letter", date("six_month_letter_on", dt.date(2026, 9, 1))
        ).status_code
        == 302
    )
    case.refresh_from_db()
    missing = step(client, case, "final-response", {})
    assert errors_of(missing) == {
        "final_response_on": ["Enter the date of the final response"],
        "outcome": ["Select the outcome"],
        "ombudsman_signposted": [
            "Confirm that the final response tells the complainant about the "
            "Parliamentary and Health Service Ombudsman"
        ],
    }
    done = step(
        client,
        case,
        "final-response",
        {
            **date("final_response_on", dt.date(2026, 9, 20)),
            "outcome": "partly_upheld",
            "ombudsman_signposted": "on",
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.outcome == "partly_upheld" and case.ombudsman_signposted and case.version == 5
    steps = [
        e.details["step"]
        for e in AuditEntry.objects.filter(action="complaint.updated").order_by("id")
    ]
    assert steps == ["acknowledge", "response-date", "six-month-letter", "final-response"]
    assert all(e.actor == lead for e in AuditEntry.objects.all())


def test_dates_are_checked_against_receipt(client, small_ics, case, today):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    response = step(
        client,
        case,
        "acknowledge",
        {
            **date("acknowledged_on", dt.date(2026, 3, 1)),
            **date("response_due", dt.date(2026, 2, 1)),
        },
    )
    assert errors_of(response) == {
        "acknowledged_on": ["The acknowledgement cannot be before the complaint was received"],
        "response_due": ["The response date must be after the acknowledgement"],
    }
    future = step(
        client, case, "acknowledge", date("acknowledged_on", today + dt.timedelta(days=3))
    )
    assert errors_of(future) == {
        "acknowledged_on": ["The date you acknowledged the complaint must be today or in the past"]
    }
    case.refresh_from_db()
    assert case.acknowledged_on is None and case.version == 1
    assert not AuditEntry.objects.exists()


def test_an_edit_on_an_old_copy_is_refused(client, small_ics, case):
    lead = member(small_ics.trust_a, "complaints_lead")
    signed_in(client, lead)
    services.update_complaint(
        case,
        {"response_due": dt.date(2026, 4, 1)},
        version=1,
        actor=services.Actor(user=lead),
        step="response-date",
    )
    stale = client.post(
        f"/complaints/{case.feedback.reference}/acknowledge/",
        {"version": 1, **date("acknowledged_on", dt.date(2026, 3, 3))},
    )
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.content.decode()
    case.refresh_from_db()
    assert case.acknowledged_on is None and case.version == 2


def test_link_a_complaint_to_an_event_of_the_same_provider(client, small_ics, case):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    theirs = EventFactory(organisation=small_ics.trust_b)
    wrong = step(client, case, "link-event", {"event_reference": theirs.reference})
    assert errors_of(wrong) == {"event_reference": ["Enter the reference of an event of Trust A"]}
    ours = EventFactory(organisation=small_ics.trust_a)
    assert (
        step(client, case, "link-event", {"event_reference": ours.reference.lower()}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.safety_event == ours
    entry = AuditEntry.objects.get(action="complaint.event_linked")
    assert entry.details == {"event": ours.reference}


def test_create_the_safety_event_a_complaint_reveals(client, small_ics, case):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    bad = step(client, case, "create-event", {"category": "falls"})
    assert set(errors_of(bad)) == {"occurred_on", "physical_harm", "reporter_type", "description"}
    later = step(
        client,
        case,
        "create-event",
        {
            **date("occurred_on", dt.date(2026, 3, 10)),  # after the complaint: impossible
            "category": "falls",
            "physical_harm": "low",
            "reporter_type": "family_carer",
            "description": "Synthetic: a fall on the ward.",
        },
    )
    assert errors_of(later) == {"occurred_on": ["Expected a date on or before reported_on"]}
    assert not PatientSafetyEvent.objects.exists()
    made = step(
        client,
        case,
        "create-event",
        {
            **date("occurred_on", dt.date(2026, 2, 20)),
            "category": "falls",
            "physical_harm": "low",
            "reporter_type": "family_carer",
            "description": "Synthetic: a fall on the ward.",
        },
    )
    assert made.status_code == 302
    event = PatientSafetyEvent.objects.get()
    assert event.reporter_type == "family_carer" and event.organisation == small_ics.trust_a
    assert event.reported_on == dt.date(2026, 3, 2)
    case.refresh_from_db()
    assert case.safety_event == event


# -- feedback: reply, moderation, change markers ---------------------------------------------


@pytest.fixture
def story(small_ics):
    return FeedbackFactory(
        organisation=small_ics.trust_a,
        service=small_ics.maternity_a,
        text="Synthetic: Nurse Jo Bloggs on Ward 3 never answered the call bell.",
        consent_to_publish=True,
        publication="pending",
    )


def fstep(client, f, name, data):
    return client.post(f"/feedback/manage/{f.reference}/{name}/", {"version": f.version, **data})


def test_nothing_is_public_until_approved(client, small_ics, story):
    public = client.get("/feedback/providers/TA/").content.decode()
    assert "call bell" not in public and "No stories have been published" in public
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    assert story.reference in client.get("/feedback/manage/").content.decode()
    missing = fstep(client, story, "moderate", {"decision": "approve", "published_text": ""})
    assert set(errors_of(missing)) == {"published_text"}
    ok = fstep(
        client,
        story,
        "moderate",
        {"decision": "approve", "published_text": "Synthetic: nobody answered the call bell."},
    )
    assert ok.status_code == 302
    story.refresh_from_db()
    assert (
        fstep(
            client, story, "reply", {"reply": "Synthetic: we are sorry; bells are now audited."}
        ).status_code
        == 302
    )
    story.refresh_from_db()
    assert (
        fstep(
            client,
            story,
            "change",
            {"change_status": "made", "change_description": "Call bells are audited nightly."},
        ).status_code
        == 302
    )
    client.logout()
    public = client.get("/feedback/providers/TA/").content.decode()
    assert "nobody answered the call bell" in public
    assert "Jo Bloggs" not in public and "Ward 3" not in public  # only the moderated text
    assert "bells are now audited" in public and "Change made" in public
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["feedback.moderated", "feedback.replied", "feedback.change_marked"]


def test_a_rejected_story_stays_private(client, small_ics, story):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    assert set(errors_of(fstep(client, story, "moderate", {"decision": "reject"}))) == {"reason"}
    fstep(
        client, story, "moderate", {"decision": "reject", "reason": "Identifies a member of staff."}
    )
    story.refresh_from_db()
    assert story.publication == "rejected"
    client.logout()
    assert "call bell" not in client.get("/feedback/providers/TA/").content.decode()


def test_a_story_without_consent_cannot_be_published(client, small_ics):
    private = FeedbackFactory(organisation=small_ics.trust_a)
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    response = fstep(client, private, "moderate", {"decision": "approve", "published_text": "x"})
    assert errors_of(response) == {"decision": ["The person did not agree to publication"]}
    assert Feedback.objects.get().publication == "not_asked"


def test_feedback_edit_conflict(client, small_ics, story):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    fstep(client, story, "reply", {"reply": "First reply."})
    stale = fstep(client, story, "reply", {"reply": "Second reply."})  # still version 1
    assert stale.status_code == 409
    assert Feedback.objects.get().reply == "First reply."


def test_other_organisation_cannot_moderate(client, small_ics, story):
    signed_in(client, member(small_ics.trust_b, "complaints_lead"))
    response = fstep(client, story, "moderate", {"decision": "approve", "published_text": "x"})
    assert response.status_code == 404
    assert Feedback.objects.get().publication == "pending"


def test_public_page_for_unknown_provider_is_404(client, small_ics):
    assert client.get("/feedback/providers/NOPE/").status_code == 404
    assert client.get("/feedback/providers/TA-MAT/").status_code == 404


def test_a_closed_complaint_takes_no_more_steps(client, small_ics, case):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    case.final_response_on = dt.date(2026, 4, 1)
    case.save()
    response = step(
        client, case, "six-month-letter", date("six_month_letter_on", dt.date(2026, 9, 3))
    )
    assert "the complaint is closed" in response.content.decode()
    case.refresh_from_db()
    assert case.six_month_letter_on is None


def test_feedback_page_links_to_insight(client, small_ics):
    signed_in(client, member(small_ics.trust_a, "complaints_lead"))
    page = client.get("/feedback/manage/").content.decode()
    assert "/feedback/insight/TA/" in page and "/feedback/insight/TB/" not in page
