"""The easy-read form: a picture beside each short sentence and answer, the Friends and Family
Test in easy-read words, and complaining for someone else; the confirmation's next steps."""

from __future__ import annotations

import re

import pytest

from caresignals.core.formatting import nhs_date
from caresignals.voice import views_public
from caresignals.voice.clocks import acknowledgement_due
from caresignals.voice.models import Feedback
from tests.safety.test_record_views import errors_of

pytestmark = pytest.mark.django_db

IP = "203.0.113.71"
URL = "/feedback/easy-read/"


def send(client, data):
    return client.post(URL, {"website": "", **data}, REMOTE_ADDR=IP)


def test_every_short_sentence_and_answer_has_a_picture_hidden_from_screen_readers(
    client, small_ics
):
    page = client.get(URL).content.decode()
    pictures = re.findall(r"<svg class=\"cs-picture\"[^>]*>", page)
    assert len(pictures) >= 20
    assert all('aria-hidden="true"' in p and 'focusable="false"' in p for p in pictures)
    for sentence in (
        "You can tell us about good things.",
        "You can tell us about bad things.",
        "Someone can help you fill it in.",
        "We take out your name first.",
        "If you make a complaint, we will contact you within 3 working days.",
    ):
        line = re.search(
            r'<div class="cs-easy-line"><svg[^>]*>.*?</svg><p class="nhsuk-body-l">'
            + re.escape(sentence),
            page,
            re.S,
        )
        assert line, f"no picture beside {sentence!r}"
    for answer in ("Something was good", "I want to make a complaint", "Very good", "Poor"):
        assert re.search(
            r'<span class="cs-easy-choice"><svg[^>]*>.*?</svg><span>' + re.escape(answer),
            page,
            re.S,
        ), f"no picture beside the answer {answer!r}"


def test_the_friends_and_family_test_in_easy_read_words(client, small_ics):
    page = client.get(URL).content.decode()
    assert "I want to say how it was overall" in page
    assert "Overall, how was your experience of our service?" in page
    labels = re.findall(
        r'name="fft_rating" type="radio" value="(\w+)".*?<span>([^<]+)</span>', page, re.S
    )
    assert labels == [
        ("very_good", "Very good"),
        ("good", "Good"),
        ("neither", "Not good and not bad"),
        ("poor", "Poor"),
        ("very_poor", "Very poor"),
        ("dont_know", "I do not know"),
    ]
    assert errors_of(send(client, {"org_code": "TA", "kind": "fft"})) == {
        "fft_rating": ["Choose how it was"]
    }
    response = send(client, {"org_code": "TA", "kind": "fft", "fft_rating": "neither"})
    f = Feedback.objects.get()
    assert (f.kind, f.fft_rating, f.channel, f.text) == ("fft", "neither", "easy_read", "")
    page = response.content.decode()
    assert f.reference in page
    assert "We count your answer with other people&#39;s answers every month." in page


def test_an_easy_read_complaint_for_someone_else(client, small_ics, today):
    base = {
        "org_code": "TB",
        "kind": "complaint",
        "text": "Synthetic: my brother was not given his tablets.",
        "name": "Synthetic Person",
        "phone": "0191 496 0000",
        "consent_to_contact": "on",
        "care_of": "someone_else",
    }
    assert errors_of(send(client, base)) == {
        "relationship": ["Write who you are to them"],
        "representative_basis": ["Choose why you can complain for them"],
    }
    response = send(
        client, {**base, "relationship": "His sister", "representative_basis": "not_yet"}
    )
    f = Feedback.objects.get()
    assert (f.care_of, f.relationship, f.representative_basis) == (
        "someone_else",
        "His sister",
        "not_yet",
    )
    page = response.content.decode()
    assert f"That is by {nhs_date(acknowledgement_due(today))}." in page
    assert "The person you complained for has not said yes yet. We will ask them first." in page


def test_the_easy_read_page_explains_who_can_complain_for_someone(client, small_ics):
    page = client.get(URL).content.decode()
    assert "You can complain for someone if they say yes." in page
    assert "if they have died, if they are a child, or if they cannot do it" in page
    for answer in ("They said yes", "They have died", "They have not said yes yet"):
        assert answer in page


@pytest.mark.parametrize(
    ("kind", "text", "expected", "absent"),
    [
        (
            "concern",
            "Synthetic: noisy ward.",
            ["Not every piece of feedback gets a reply.", "formally looked into"],
            ["working days"],
        ),
        (
            "compliment",
            "Synthetic: kind staff.",
            ["will read what you told us"],
            ["formally looked into", "working days"],
        ),
        ("fft", "", ["counted with everyone else", "do not get a reply"], ["working days"]),
    ],
)
def test_the_confirmation_says_what_happens_next(client, small_ics, kind, text, expected, absent):
    data = {"text": text, "fft_rating": "good"} if kind == "fft" else {"text": text}
    response = client.post(
        f"/feedback/give/?org_code=TA&kind={kind}", {"website": "", **data}, REMOTE_ADDR=IP
    )
    page = response.content.decode()
    assert "What happens next" in page
    for phrase in expected:
        assert phrase in page
    for phrase in absent:
        assert phrase not in page


def test_the_complaint_confirmation_gives_the_acknowledgement_date(client, small_ics, today):
    response = client.post(
        "/feedback/give/?org_code=TA&kind=complaint",
        {
            "website": "",
            "text": "Synthetic.",
            "name": "Synthetic Person",
            "email": "person@example.com",
            "consent_to_contact": "on",
            "care_of": "self",
        },
        REMOTE_ADDR=IP,
    )
    page = response.content.decode()
    due = acknowledgement_due(today)
    assert f"We will acknowledge your complaint within 3 working days, by {nhs_date(due)}." in page
    assert "If it will take longer than 6 months, we will write to tell you why." in page
    assert "Parliamentary and Health Service Ombudsman" in page


def test_the_error_summary_lists_the_questions_in_page_order(client, small_ics):
    easy = send(client, {"org_code": "TB", "kind": "complaint", "care_of": "someone_else"})
    assert list(errors_of(easy)) == [
        "text",
        "relationship",
        "representative_basis",
        "name",
        "email",
        "consent_to_contact",
    ]
    standard = client.post(
        "/feedback/give/?org_code=TA&kind=complaint",
        {"website": "", "email": "nope", "care_of": "someone_else"},
        REMOTE_ADDR=IP,
    )
    assert list(errors_of(standard)) == [
        "relationship",
        "representative_basis",
        "text",
        "name",
        "email",
        "consent_to_contact",
    ]


def test_the_place_is_chosen_with_the_organisation_picker_in_easy_read_words(client, small_ics):
    page = client.get(URL).content.decode()
    assert '<select id="org_code"' not in page
    assert '<label class="nhsuk-label nhsuk-label--s" for="org_code">' in page
    assert "Type the name of the place</label>" in page
    assert 'name="org_code_search" type="search"' in page
    assert ">Search</button>" in page
    assert "Choose the place</legend>" in page
    assert "in alphabetical order" not in page  # no list until a search is made
    assert "organisations" not in page
    for code in ("TA", "TB"):
        assert f'name="org_code" type="radio" value="{code}"' in page
    assert errors_of(send(client, {"kind": "compliment", "text": "Synthetic."})) == {
        "org_code": ["Choose the place"]
    }
    assert not Feedback.objects.exists()


def test_search_shows_the_places_that_match_and_keeps_every_answer_without_sending(
    client, small_ics
):
    typed = {
        "org_code_search": "trust b",
        "org_picker_search": "org_code",
        "kind": "complaint",
        "fft_rating": "poor",
        "text": "Synthetic: nobody answered the bell.",
        "care_of": "someone_else",
        "relationship": "Her son",
        "name": "Synthetic Person",
        "email": "person@example.com",
        "consent_to_contact": "on",
    }
    response = send(client, typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert not Feedback.objects.exists()
    assert "There is a problem" not in page
    assert "1 of 2 places match “trust b”." in page
    shown = re.findall(
        r'<div class="nhsuk-radios__item"[^>]*>\s*<input[^>]*name="org_code" type="radio" value="(\w+)"',
        page,
    )
    assert shown == ["TB"]
    assert 'value="trust b"' in page
    assert re.search(r'name="kind" type="radio" value="complaint" checked', page)
    assert re.search(r'name="fft_rating" type="radio" value="poor" checked', page)
    assert re.search(r'name="care_of" type="radio" value="someone_else" checked', page)
    assert "Synthetic: nobody answered the bell.</textarea>" in page
    for value in ("Her son", "Synthetic Person", "person@example.com"):
        assert f'value="{value}"' in page
    assert re.search(r'name="consent_to_contact" type="checkbox" value="\w+" checked', page)


def test_a_friends_and_family_answer_given_with_other_feedback_is_kept_as_its_own_response(
    client, small_ics
):
    page = client.get(URL).content.decode()
    assert "You can answer this whatever you chose in question 2." in page
    response = send(
        client,
        {
            "org_code": "TA",
            "kind": "compliment",
            "fft_rating": "very_good",
            "text": "Synthetic: the nurses were kind.",
            "name": "Synthetic Person",
            "email": "person@example.com",
            "consent_to_contact": "on",
            "consent_to_publish": "on",
        },
    )
    compliment = Feedback.objects.get(kind="compliment")
    fft = Feedback.objects.get(kind="fft")
    assert Feedback.objects.count() == 2
    assert (compliment.fft_rating, compliment.text, compliment.contact_email) == (
        "",
        "Synthetic: the nurses were kind.",
        "person@example.com",
    )
    assert compliment.consent_to_publish
    # The FFT answer is anonymous and counted like any other: no contact, no comment.
    assert (fft.fft_rating, fft.channel, fft.organisation.code, fft.text) == (
        "very_good",
        "easy_read",
        "TA",
        "",
    )
    assert (fft.contact_name, fft.contact_email, fft.consent_to_publish) == ("", "", False)
    page = response.content.decode()
    assert compliment.reference in page
    assert "You also said how it was overall." in page


def test_feedback_without_a_friends_and_family_answer_stores_one_response(client, small_ics):
    response = send(client, {"org_code": "TA", "kind": "concern", "text": "Synthetic: noisy."})
    assert Feedback.objects.get().kind == "concern"
    assert "You also said how it was overall." not in response.content.decode()
    Feedback.objects.all().delete()
    send(client, {"org_code": "TA", "kind": "fft", "fft_rating": "good", "text": "Synthetic."})
    assert [(f.kind, f.fft_rating) for f in Feedback.objects.all()] == [("fft", "good")]


def test_nothing_is_stored_when_the_other_feedback_has_a_mistake(client, small_ics):
    errors = errors_of(send(client, {"org_code": "TA", "kind": "compliment", "fft_rating": "good"}))
    assert errors == {"text": ["Write what happened"]}
    assert not Feedback.objects.exists()


def test_the_feedback_and_its_fft_answer_are_stored_both_or_neither(client, small_ics, monkeypatch):
    original = views_public.receive_feedback
    stored = []

    def store_once(item, **kw):
        if stored:
            raise RuntimeError("the second write fails")
        stored.append(item.kind)
        return original(item, **kw)

    monkeypatch.setattr(views_public, "receive_feedback", store_once)
    data = {"org_code": "TA", "kind": "concern", "fft_rating": "poor", "text": "Synthetic."}
    with pytest.raises(RuntimeError):
        send(client, data)
    assert stored == ["concern"]
    assert not Feedback.objects.exists()
