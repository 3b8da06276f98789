"""The reporter's side: raise a concern, read replies and answer with the code, through the
pages and the API; bad input stores nothing; wrong codes are throttled."""

from __future__ import annotations

import re

import pytest

from caresignals.organisations.roles import Role
from caresignals.speakup import codes, services
from caresignals.speakup.models import SpeakUpCase, SpeakUpMessage
from tests.factories import member
from tests.speakup.factories import raise_case

pytestmark = pytest.mark.django_db

CONCERN = "Synthetic: agency staff are not shown the emergency procedures."


def test_the_anonymous_page_is_public_and_says_what_to_do_in_an_emergency(client, small_ics):
    page = client.get("/speak-up/anonymous/").content.decode()
    assert "Raise a concern anonymously" in page
    assert "call 999" in page and "111" in page and "urgent escalation route" in page
    assert 'value="TA"' in page and 'value="TB"' in page and 'value="TA-MAT"' not in page
    assert "Registered nurses and midwives" in page and "Bullying or harassment" in page
    assert 'name="website"' in page  # the honeypot


def test_raising_anonymously_shows_the_reference_and_code_once(client, small_ics):
    response = client.post(
        "/speak-up/anonymous/",
        {
            "org_code": "TA",
            "concern": CONCERN,
            "categories": ["patient_safety", "detriment"],
            "professional_group": "healthcare_assistants",
            "website": "",
        },
    )
    assert response.status_code == 200
    case = SpeakUpCase.objects.get()
    page = response.content.decode()
    assert case.reference in page and "only time we show the access code" in page
    assert case.route == "anonymous" and case.categories == ["patient_safety", "detriment"]
    assert case.professional_group == "healthcare_assistants" and case.concern == CONCERN
    assert "no-store" in response["Cache-Control"]


def test_bad_input_stores_nothing_and_says_what_to_fix(client, small_ics):
    response = client.post(
        "/speak-up/anonymous/",
        {"org_code": "ZZ", "concern": "", "categories": ["nonsense"], "professional_group": "x"},
    )
    page = response.content.decode()
    assert "There is a problem" in page
    for message in (
        "Select your organisation",
        "Enter your concern",
        "Select what your concern is about from the list",
        "Select your professional group from the list",
    ):
        assert message in page
    assert not SpeakUpCase.objects.exists()


def test_the_honeypot_answers_as_if_raised_and_stores_nothing(client, small_ics):
    response = client.post(
        "/speak-up/anonymous/", {"org_code": "TA", "concern": CONCERN, "website": "spam"}
    )
    assert (
        response.status_code == 200 and "Your concern has been raised" in response.content.decode()
    )
    api = client.post(
        "/api/v1/public/speakup",
        {"org_code": "TA", "concern": CONCERN, "website": "spam"},
        content_type="application/json",
    )
    assert api.status_code == 201 and set(api.json()) == {"reference", "access_code"}
    assert not SpeakUpCase.objects.exists()


def test_the_public_form_and_api_are_rate_limited(client, small_ics):
    for _ in range(10):
        client.post(
            "/speak-up/anonymous/", {"org_code": "TA", "concern": ""}, REMOTE_ADDR="192.0.2.5"
        )
    response = client.post(
        "/speak-up/anonymous/", {"org_code": "TA", "concern": CONCERN}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    for _ in range(10):
        client.post(
            "/api/v1/public/speakup", {}, content_type="application/json", REMOTE_ADDR="192.0.2.6"
        )
    api = client.post(
        "/api/v1/public/speakup",
        {"org_code": "TA", "concern": CONCERN},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.6",
    )
    assert api.status_code == 429 and "Retry-After" in api
    assert not SpeakUpCase.objects.exists()


def test_signed_in_staff_raise_openly_or_confidentially_about_their_own_trust(client, small_ics):
    person = member(small_ics.trust_a, Role.STAFF, first_name="Ola", last_name="Synthetic")
    client.force_login(person)
    page = client.get("/speak-up/raise/").content.decode()
    assert 'value="TA"' in page and 'value="TB"' not in page and "raise it anonymously" in page
    response = client.post(
        "/speak-up/raise/", {"org_code": "TA", "route": "confidential", "concern": CONCERN}
    )
    assert response.status_code == 200
    case = SpeakUpCase.objects.get()
    assert case.route == "confidential" and case.raised_by == person
    assert (
        client.post(
            "/speak-up/raise/", {"org_code": "TB", "route": "open", "concern": CONCERN}
        ).status_code
        == 200
    )
    assert SpeakUpCase.objects.count() == 1  # not their organisation: refused, nothing stored
    missing_route = client.post("/speak-up/raise/", {"org_code": "TA", "concern": CONCERN})
    assert "Select how you want to raise your concern" in missing_route.content.decode()


def test_the_api_raises_and_validates(client, small_ics):
    ok = client.post(
        "/api/v1/public/speakup",
        {"org_code": "TA", "concern": CONCERN, "categories": ["bullying_harassment"]},
        content_type="application/json",
    )
    assert ok.status_code == 201
    body = ok.json()
    assert set(body) == {"reference", "access_code"}
    case = SpeakUpCase.objects.get(reference=body["reference"])
    assert case.route == "anonymous" and case.categories == ["bullying_harassment"]
    assert codes.code_matches(body["access_code"], case.access_code_hash)
    bad = client.post(
        "/api/v1/public/speakup",
        {"org_code": "NOPE", "concern": "", "categories": "x", "extra": 1},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "extra" in bad.json()["errors"]
    bad = client.post(
        "/api/v1/public/speakup",
        {"org_code": "NOPE", "concern": "", "categories": ["x"]},
        content_type="application/json",
    )
    assert set(bad.json()["errors"]) == {"org_code", "concern", "categories"}
    malformed = client.post("/api/v1/public/speakup", "{", content_type="application/json")
    assert malformed.status_code == 400
    assert SpeakUpCase.objects.count() == 1


def test_the_reporter_reads_replies_and_answers_on_the_page(client, small_ics):
    case, code = raise_case(small_ics.trust_a)
    guardian = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN)
    services.guardian_reply(guardian, case, "Synthetic: thank you, can you say which ward?")
    page = client.post("/speak-up/case/", {"reference": case.reference, "access_code": code})
    text = page.content.decode()
    assert page.status_code == 200 and "can you say which ward?" in text
    assert "no-store" in page["Cache-Control"]
    sent = client.post(
        "/speak-up/case/",
        {
            "reference": case.reference.lower(),
            "access_code": code.replace("-", " "),
            "action": "reply",
            "text": "Synthetic: Ward 4.",
        },
    )
    assert "Your message has been sent" in sent.content.decode()
    assert [m.author for m in SpeakUpMessage.objects.order_by("sequence")] == [
        "guardian",
        "reporter",
    ]
    empty = client.post(
        "/speak-up/case/",
        {"reference": case.reference, "access_code": code, "action": "reply", "text": ""},
    )
    assert "Enter your message" in empty.content.decode()
    assert SpeakUpMessage.objects.count() == 2


def test_the_reporter_reads_and_answers_through_the_api(client, small_ics):
    case, code = raise_case(small_ics.trust_a)
    url = f"/api/v1/public/speakup/{case.reference}"
    read = client.get(url, HTTP_X_ACCESS_CODE=code)
    assert read.status_code == 200
    assert read.json()["reference"] == case.reference and read.json()["messages"] == []
    assert client.get(url).status_code == 404
    posted = client.post(
        url + "/messages",
        {"text": "Synthetic: more detail."},
        content_type="application/json",
        HTTP_X_ACCESS_CODE=code,
    )
    assert posted.status_code == 201 and posted.json()["from"] == "reporter"
    assert "T" not in posted.json()["sent_on"]  # a day, never a time
    assert (
        client.post(
            url + "/messages",
            {"text": ""},
            content_type="application/json",
            HTTP_X_ACCESS_CODE=code,
        ).status_code
        == 422
    )
    services.close_case(member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN), case, case.version)
    closed = client.post(
        url + "/messages", {"text": "x"}, content_type="application/json", HTTP_X_ACCESS_CODE=code
    )
    assert closed.status_code == 422 and "closed" in closed.json()["errors"]["text"][0]


def test_wrong_codes_are_throttled_per_reference(client, small_ics):
    case, code = raise_case(small_ics.trust_a)
    wrong = codes.new_access_code()
    for i in range(codes.FAILURES_PER_REFERENCE):
        response = client.post(
            "/speak-up/case/",
            {"reference": case.reference, "access_code": wrong},
            REMOTE_ADDR=f"192.0.2.{i + 10}",  # a different client each time
        )
        assert response.status_code == 200 and "could not open a case" in response.content.decode()
    # Now even the right code waits: the reference is locked for the window.
    locked = client.post(
        "/speak-up/case/",
        {"reference": case.reference, "access_code": code},
        REMOTE_ADDR="192.0.2.99",
    )
    assert locked.status_code == 429 and int(locked["Retry-After"]) == codes.FAILURE_WINDOW
    api = client.get(
        f"/api/v1/public/speakup/{case.reference}",
        HTTP_X_ACCESS_CODE=code,
        REMOTE_ADDR="192.0.2.98",
    )
    assert api.status_code == 429


def test_wrong_codes_are_throttled_per_client(client, small_ics):
    cases = [raise_case(small_ics.trust_a)[0] for _ in range(3)]
    attempts = 0
    statuses = []
    while attempts < codes.CLIENT_RATE + 1:
        case = cases[attempts % 3]
        statuses.append(
            client.get(
                f"/api/v1/public/speakup/{case.reference}",
                HTTP_X_ACCESS_CODE=codes.new_access_code(),
                REMOTE_ADDR="192.0.2.77",
            ).status_code
        )
        attempts += 1
    assert statuses[: codes.CLIENT_RATE] == [404] * codes.CLIENT_RATE
    assert statuses[-1] == 429


def test_an_unknown_reference_and_a_wrong_code_look_the_same(client, small_ics):
    case, _code = raise_case(small_ics.trust_a)
    wrong = codes.new_access_code()
    unknown = client.get("/api/v1/public/speakup/FTSU-00000000", HTTP_X_ACCESS_CODE=wrong)
    bad = client.get(f"/api/v1/public/speakup/{case.reference}", HTTP_X_ACCESS_CODE=wrong)
    assert unknown.status_code == bad.status_code == 404
    assert unknown.json() == bad.json()


def test_sending_the_same_form_twice_raises_one_concern(client, small_ics):
    page = client.get("/speak-up/anonymous/").content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    form = {"org_code": "TA", "concern": CONCERN, "website": "", "submission": token}
    first = client.post("/speak-up/anonymous/", form)
    case = SpeakUpCase.objects.get()
    assert case.reference in first.content.decode()
    again = client.post("/speak-up/anonymous/", form)  # a refresh of the confirmation page
    text = again.content.decode()
    assert "already raised" in text and case.reference in text
    assert 'id="access-code"' not in text
    assert SpeakUpCase.objects.count() == 1
    # An error page keeps the token, so the corrected form still counts once.
    client.post("/speak-up/anonymous/", {**form, "concern": "", "submission": "x" * 20})
    assert SpeakUpCase.objects.count() == 1
