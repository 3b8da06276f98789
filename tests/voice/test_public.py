"""Feedback, compliments, complaints and the FFT from the public: forms and the API."""

from __future__ import annotations

import json

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.voice.models import Complaint, Feedback
from tests.safety.test_record_views import errors_of

pytestmark = pytest.mark.django_db

IP = "203.0.113.52"


def give_url(org="TA", kind="concern"):
    return f"/feedback/give/?org_code={org}&kind={kind}"


def send(client, data, *, org="TA", kind="concern", ip=IP):
    body = {"website": "", **data}
    return client.post(give_url(org, kind), body, REMOTE_ADDR=ip)


def test_start_page_is_public_and_lists_providers_and_kinds(client, small_ics):
    page = client.get("/feedback/").content.decode()
    assert "Tell us about your care" in page
    assert "call 999" in page and "call 111" in page
    assert 'value="TA"' in page and 'value="TA-MAT"' not in page
    assert "Answer the Friends and Family Test" in page and "easy read" in page
    assert 'method="get"' in page  # works without JavaScript
    assert 'href="/feedback/providers/TB/"' in page


def test_choosing_nothing_explains_what_to_choose(client, small_ics):
    response = client.get("/feedback/give/?org_code=&kind=")
    assert errors_of(response) == {
        "org_code": ["Select the NHS organisation"],
        "kind": ["Select what you want to do"],
    }


def test_the_form_offers_the_providers_services(client, small_ics):
    page = client.get(give_url()).content.decode()
    assert 'value="TA-MAT"' in page and 'value="TB-MAT"' not in page
    assert "call 999" in page and 'name="website"' in page


def test_anonymous_feedback_is_stored_and_audited(client, small_ics):
    response = send(
        client, {"service_code": "TA-MAT", "text": "Synthetic: the midwives were kind."}
    )
    assert response.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.reference in response.content.decode()
    assert feedback.organisation.code == "TA" and feedback.service.code == "TA-MAT"
    assert feedback.kind == "concern" and feedback.channel == "web"
    assert not feedback.contact_name and not feedback.consent_to_contact
    assert feedback.publication == "not_asked"
    entry = AuditEntry.objects.get()
    assert entry.action == "feedback.received" and entry.object_id == feedback.reference


def test_feedback_form_errors_per_field_and_nothing_stored(client, small_ics):
    response = send(client, {"service_code": "TB-MAT", "email": "not-an-email", "phone": "abc"})
    assert errors_of(response) == {
        "service_code": ["Select a service from the list"],
        "text": ["Tell us your feedback or concern"],
        "email": ["Enter an email address in the correct format, like name@example.com"],
        "phone": ["Enter a phone number, like 0191 496 0000 or 07700 900 982"],
    }
    assert not Feedback.objects.exists() and not AuditEntry.objects.exists()


def test_fft_uses_the_national_question_and_scale(client, small_ics):
    page = client.get(give_url(kind="fft")).content.decode()
    assert "Overall, how was your experience of our service?" in page
    for label in (
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don&#39;t know",
    ):
        assert label in page
    assert errors_of(send(client, {}, kind="fft")) == {
        "fft_rating": ["Select how your experience was"]
    }
    send(client, {"fft_rating": "dont_know"}, kind="fft")
    feedback = Feedback.objects.get()
    assert feedback.kind == "fft" and feedback.fft_rating == "dont_know" and feedback.text == ""


def test_a_complaint_needs_name_contact_and_consent(client, small_ics):
    page = client.get(give_url(kind="complaint")).content.decode()
    assert "within 3 working days" in page and "Ombudsman" in page and "6 months" in page
    response = send(client, {"text": "Synthetic complaint."}, kind="complaint")
    assert errors_of(response) == {
        "care_of": ["Select whether your complaint is about your own care or someone else's"],
        "name": ["Enter your name"],
        "email": ["Enter an email address or a phone number"],
        "consent_to_contact": ["Confirm that we may contact you about your complaint"],
    }
    assert not Feedback.objects.exists()


def test_a_complaint_opens_its_clocks(client, small_ics):
    response = send(
        client,
        {
            "text": "Synthetic: my father's discharge was rushed.",
            "name": "Synthetic Person",
            "phone": "0191 496 0000",
            "consent_to_contact": "on",
            "consent_to_publish": "on",
            "care_of": "self",
        },
        kind="complaint",
    )
    page = response.content.decode()
    complaint = Complaint.objects.select_related("feedback").get()
    assert complaint.feedback.reference in page and "within 3 working days" in page
    assert complaint.feedback.care_of == "self" and not complaint.feedback.relationship
    f = complaint.feedback
    assert f.contact_phone == "0191 496 0000" and f.consent_to_contact
    assert f.publication == "pending"  # consented: waits for moderation, not public


def test_the_honeypot_stores_nothing(client, small_ics):
    response = send(client, {"text": "Buy things", "website": "http://spam.example"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_form_is_rate_limited(client, small_ics):
    for _ in range(10):
        assert send(client, {"text": "Synthetic."}).status_code == 200
    refused = send(client, {"text": "Synthetic."})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "call 999" in refused.content.decode()
    assert Feedback.objects.count() == 10
    assert send(client, {"text": "Synthetic."}, ip="203.0.113.53").status_code == 200


def test_easy_read_form(client, small_ics):
    page = client.get("/feedback/easy-read/").content.decode()
    assert "easy read" in page and "Call 999" in page and "nhsuk-body-l" in page
    assert errors_of(client.post("/feedback/easy-read/", {}, REMOTE_ADDR=IP)) == {
        "org_code": ["Choose the place"],
        "kind": ["Choose what you want to tell us"],
    }
    response = client.post(
        "/feedback/easy-read/",
        {"org_code": "TB", "kind": "compliment", "text": "Synthetic: kind staff."},
        REMOTE_ADDR=IP,
    )
    feedback = Feedback.objects.get()
    assert feedback.reference in response.content.decode()
    assert feedback.channel == "easy_read" and feedback.organisation.code == "TB"


def test_easy_read_complaint_needs_contact(client, small_ics):
    response = client.post(
        "/feedback/easy-read/", {"org_code": "TB", "kind": "complaint"}, REMOTE_ADDR=IP
    )
    assert set(errors_of(response)) == {"care_of", "text", "name", "email", "consent_to_contact"}
    assert errors_of(response)["care_of"] == ["Choose who it is about"]
    assert errors_of(response)["text"] == ["Write what happened"]


# -- the API --------------------------------------------------------------------------------

API = "/api/v1/public/feedback"


def post(client, body, ip=IP):
    return client.post(API, json.dumps(body), content_type="application/json", REMOTE_ADDR=ip)


def test_api_takes_a_complaint(client, small_ics):
    response = post(
        client,
        {
            "org_code": "TA",
            "service_code": "TA-MAT",
            "kind": "complaint",
            "text": "Synthetic complaint.",
            "contact": {"name": "Synthetic Person", "email": "person@example.com"},
            "consent_to_publish": False,
        },
    )
    assert response.status_code == 201
    feedback = Feedback.objects.get(reference=response.json()["reference"])
    assert feedback.channel == "api" and feedback.consent_to_contact
    assert Complaint.objects.filter(feedback=feedback).exists()


def test_api_errors_per_field(client, small_ics):
    response = post(client, {"kind": "complaint", "fft_rating": "good", "colour": "blue"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "colour": ["Not a field of public feedback"],
        "org_code": ["Required"],
        "fft_rating": ["Expected no rating unless kind is fft"],
        "text": ["Required"],
        "contact.name": ["Required for a complaint"],
        "contact": ["A complaint needs an email address or a phone number"],
    }
    bad = post(client, {"org_code": "TA", "kind": "fft", "fft_rating": "great"})
    assert bad.json()["errors"] == {
        "fft_rating": ["Expected one of very_good, good, neither, poor, very_poor, dont_know"]
    }
    unknown = post(client, {"org_code": "TA-MAT", "kind": "fft", "fft_rating": "good"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"org_code": ["Expected the code of an NHS provider"]}
    wrong_service = post(
        client, {"org_code": "TA", "service_code": "TB-MAT", "kind": "fft", "fft_rating": "good"}
    )
    assert wrong_service.json()["errors"] == {"service_code": ["Expected a service of TA"]}
    assert post(client, []).status_code == 400
    assert not Feedback.objects.exists()


def test_api_honeypot_and_rate_limit(client, small_ics):
    body = {"org_code": "TA", "kind": "fft", "fft_rating": "good"}
    robot = post(client, {**body, "website": "x"})
    assert robot.status_code == 201 and not Feedback.objects.exists()
    for _ in range(9):
        assert post(client, body).status_code == 201
    refused = post(client, body)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Feedback.objects.count() == 9


def test_api_contact_details_are_checked_and_consent_respected(client, small_ics):
    bad = post(
        client,
        {
            "org_code": "TA",
            "kind": "concern",
            "text": "Synthetic.",
            "contact": {"email": "nope", "phone": "12", "fax": "1"},
        },
    )
    assert bad.json()["errors"] == {
        "contact.fax": ["Not a field of contact"],
        "contact.email": ["Expected an email address such as name@example.com"],
        "contact.phone": ["Expected a UK phone number such as 0191 496 0000"],
    }
    ok = post(
        client,
        {
            "org_code": "TA",
            "kind": "concern",
            "text": "Synthetic.",
            "contact": {"email": "person@example.com"},
            "consent_to_contact": False,
            "consent_to_publish": True,
        },
    )
    feedback = Feedback.objects.get(reference=ok.json()["reference"])
    assert not feedback.consent_to_contact and feedback.publication == "pending"
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.actor_label == "public feedback via the API"
