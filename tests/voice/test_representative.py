"""Complaining for someone else: whose care, the relationship and why the person may complain
for them, asked on the public forms and the API, stored, and shown to the complaints lead."""

from __future__ import annotations

import json

import pytest

from caresignals.core.formatting import nhs_date
from caresignals.voice.clocks import acknowledgement_due
from caresignals.voice.models import Complaint, Feedback
from tests.factories import member
from tests.safety.test_record_views import errors_of

pytestmark = pytest.mark.django_db

IP = "203.0.113.61"
COMPLAINANT = {
    "text": "Synthetic: my mother waited nine hours for pain relief.",
    "name": "Synthetic Person",
    "email": "person@example.com",
    "consent_to_contact": "on",
}


def send(client, data, *, kind="complaint"):
    return client.post(
        f"/feedback/give/?org_code=TA&kind={kind}", {"website": "", **data}, REMOTE_ADDR=IP
    )


def test_the_complaint_form_explains_who_may_complain_for_someone_else(client, small_ics):
    page = client.get("/feedback/give/?org_code=TA&kind=complaint").content.decode()
    assert "Is your complaint about your own care or someone else&#39;s?" in page
    assert "You can complain for someone else if they agree to it." in page
    for rule in ("have died", "are a child (under 18)", "mental capacity", "best interests"):
        assert rule in page
    assert "We will ask them to agree before we share any of their personal" in page
    for answer in (
        "They have agreed that I can complain for them",
        "They have died",
        "They are a child (under 18) and I am their parent or guardian",
        "None of these: they have not agreed yet",
    ):
        assert answer in page


def test_someone_elses_care_needs_the_relationship_and_the_reason(client, small_ics):
    response = send(client, {**COMPLAINANT, "care_of": "someone_else"})
    assert errors_of(response) == {
        "relationship": ["Enter who you are to the person, like their son or their carer"],
        "representative_basis": ["Select why you can complain for them"],
    }
    long = send(
        client,
        {
            **COMPLAINANT,
            "care_of": "someone_else",
            "relationship": "x" * 101,
            "representative_basis": "cousin",
        },
    )
    assert errors_of(long) == {
        "relationship": ["Who you are to the person must be 100 characters or fewer"],
        "representative_basis": ["Select why you can complain for them"],
    }
    assert not Feedback.objects.exists()


def test_a_complaint_for_a_relative_is_recorded_with_the_reason(client, small_ics, today):
    response = send(
        client,
        {
            **COMPLAINANT,
            "care_of": "someone_else",
            "relationship": "Daughter",
            "representative_basis": "lacks_capacity",
        },
    )
    f = Feedback.objects.get()
    assert (f.care_of, f.relationship, f.representative_basis) == (
        "someone_else",
        "Daughter",
        "lacks_capacity",
    )
    page = response.content.decode()
    assert f"by {nhs_date(acknowledgement_due(today))}" in page
    assert "will ask them before we share" not in page  # only when they have not agreed


def test_answers_to_hidden_questions_are_dropped_for_ones_own_care(client, small_ics):
    """Someone who chose "someone else", typed a relationship, then chose "my own care"."""
    send(
        client,
        {
            **COMPLAINANT,
            "care_of": "self",
            "relationship": "Son",
            "representative_basis": "died",
        },
    )
    f = Feedback.objects.get()
    assert (f.care_of, f.relationship, f.representative_basis) == ("self", "", "")


def test_feedback_for_someone_else_asks_only_the_relationship(client, small_ics):
    page = client.get("/feedback/give/?org_code=TA&kind=concern").content.decode()
    assert "Is this about your own care or someone else&#39;s? (optional)" in page
    assert "Why can you complain for them?" not in page
    assert (
        "Is this about" not in client.get("/feedback/give/?org_code=TA&kind=fft").content.decode()
    )
    response = send(
        client, {"text": "Synthetic: the ward was cold.", "care_of": "someone_else"}, kind="concern"
    )
    assert errors_of(response) == {
        "relationship": ["Enter who you are to the person, like their son or their carer"]
    }
    send(
        client,
        {"text": "Synthetic.", "care_of": "someone_else", "relationship": "Husband"},
        kind="concern",
    )
    f = Feedback.objects.get()
    assert (f.care_of, f.relationship, f.representative_basis) == ("someone_else", "Husband", "")
    send(client, {"text": "Synthetic: no answer to whose care."}, kind="concern")
    assert Feedback.objects.filter(care_of="").count() == 1


def test_not_yet_agreed_is_explained_to_the_complainant_and_flagged_to_the_lead(client, small_ics):
    response = send(
        client,
        {
            **COMPLAINANT,
            "care_of": "someone_else",
            "relationship": "Son",
            "representative_basis": "not_yet",
        },
    )
    assert "We will ask them before we share any of their personal or medical information" in (
        response.content.decode()
    )
    case = Complaint.objects.select_related("feedback").get()
    client.force_login(member(small_ics.trust_a, "complaints_lead"))
    page = client.get(f"/complaints/{case.feedback.reference}/").content.decode()
    assert "The person has not agreed yet" in page
    assert "The complainant (their Son) says the person whose care" in page
    assert "Ask the person for their consent before you share" in page
    assert "Someone else&#39;s. The complainant is their Son" in page
    assert "Complaining for them because" in page


@pytest.mark.parametrize(
    ("basis", "shown", "advice"),
    [
        ("consent", "The person has agreed", False),
        ("died", "The person has died", False),
        ("child", "The person is a child", True),
        ("lacks_capacity", "The person cannot make the complaint themselves", True),
    ],
)
def test_the_complaint_page_shows_why_they_complain_for_someone(
    client, small_ics, basis, shown, advice
):
    send(
        client,
        {
            **COMPLAINANT,
            "care_of": "someone_else",
            "relationship": "Partner",
            "representative_basis": basis,
        },
    )
    case = Complaint.objects.select_related("feedback").get()
    client.force_login(member(small_ics.trust_a, "complaints_lead"))
    page = client.get(f"/complaints/{case.feedback.reference}/").content.decode()
    assert "Complaining for them because" in page and shown in page
    assert ("acting in the person&#39;s best interests" in page) is advice
    assert "has not agreed yet" not in page


def test_the_complaint_page_says_when_the_question_was_not_asked(client, small_ics):
    client.post(
        "/api/v1/public/feedback",
        json.dumps(
            {
                "org_code": "TA",
                "kind": "complaint",
                "text": "Synthetic.",
                "contact": {"name": "Synthetic Person", "phone": "0191 496 0000"},
            }
        ),
        content_type="application/json",
        REMOTE_ADDR=IP,
    )
    case = Complaint.objects.select_related("feedback").get()
    client.force_login(member(small_ics.trust_a, "complaints_lead"))
    page = client.get(f"/complaints/{case.feedback.reference}/").content.decode()
    assert "Not asked (Public API)" in page and "Complaining for them because" not in page


def post(client, body):
    return client.post(
        "/api/v1/public/feedback",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=IP,
    )


def test_the_api_takes_and_checks_whose_care(client, small_ics):
    body = {
        "org_code": "TA",
        "kind": "complaint",
        "text": "Synthetic complaint.",
        "contact": {"name": "Synthetic Person", "email": "person@example.com"},
    }
    assert post(client, {**body, "care_of": "a friend"}).json()["errors"] == {
        "care_of": ["Expected self or someone_else"]
    }
    assert post(client, {**body, "care_of": "someone_else"}).json()["errors"] == {
        "relationship": ["Required when care_of is someone_else"],
        "representative_basis": ["Required for a complaint about someone_else"],
    }
    assert post(
        client,
        {**body, "care_of": "someone_else", "relationship": "Son", "representative_basis": "x"},
    ).json()["errors"] == {
        "representative_basis": ["Expected one of consent, died, child, lacks_capacity, not_yet"]
    }
    assert post(client, {**body, "care_of": "self", "relationship": "Son"}).json()["errors"] == {
        "relationship": ["Expected only when care_of is someone_else"]
    }
    assert not Feedback.objects.exists()
    ok = post(
        client,
        {**body, "care_of": "someone_else", "relationship": "Son", "representative_basis": "died"},
    )
    assert ok.status_code == 201
    f = Feedback.objects.get(reference=ok.json()["reference"])
    assert (f.care_of, f.relationship, f.representative_basis) == ("someone_else", "Son", "died")


def test_the_feedback_page_shows_whose_care(client, small_ics):
    send(
        client,
        {"text": "Synthetic.", "care_of": "someone_else", "relationship": "Wife"},
        kind="concern",
    )
    f = Feedback.objects.get()
    client.force_login(member(small_ics.trust_a, "complaints_lead"))
    page = client.get(f"/feedback/manage/{f.reference}/").content.decode()
    assert "Someone else&#39;s. The person giving feedback is their Wife" in page
