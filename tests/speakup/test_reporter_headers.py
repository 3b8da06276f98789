"""The reporter's API with the reference in a header (never in a URL a log could keep), the old
URL routes still answering, and answers that do not tell whether a case exists."""

from __future__ import annotations

import re

import pytest

from caresignals.speakup import codes
from caresignals.speakup.models import SpeakUpMessage
from tests.speakup.factories import raise_case

pytestmark = pytest.mark.django_db

UNKNOWN = "FTSU-00000000"
WRONG_CODE = "0000-0000-0000-0000-0000-0000-0000"


def _headers(reference: str, code: str) -> dict[str, str]:
    return {"HTTP_X_CASE_REFERENCE": reference, "HTTP_X_ACCESS_CODE": code}


def test_the_reporter_reads_and_answers_with_headers_only(client, small_ics):
    case, code = raise_case(small_ics.trust_a)
    read = client.get("/api/v1/public/speakup/case", **_headers(case.reference, code))
    assert read.status_code == 200 and read.json()["reference"] == case.reference
    assert read["Cache-Control"] == "no-store"
    sent = client.post(
        "/api/v1/public/speakup/case/messages",
        {"text": "Synthetic: it happened again last week."},
        content_type="application/json",
        **_headers(case.reference.lower().removeprefix("ftsu-"), code.replace("-", " ")),
    )
    assert sent.status_code == 201 and sent.json()["from"] == "reporter"
    assert SpeakUpMessage.objects.filter(case=case).count() == 1


def test_the_old_routes_still_answer_and_are_marked_deprecated(client, small_ics):
    case, code = raise_case(small_ics.trust_a)
    headers = {"HTTP_X_ACCESS_CODE": code}
    assert client.get(f"/api/v1/public/speakup/{case.reference}", **headers).status_code == 200
    answered = client.post(
        f"/api/v1/public/speakup/{case.reference}/messages",
        {"text": "Synthetic: more."},
        content_type="application/json",
        **headers,
    )
    assert answered.status_code == 201
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert paths["/api/v1/public/speakup/{reference}"]["get"]["deprecated"] is True
    assert paths["/api/v1/public/speakup/{reference}/messages"]["post"]["deprecated"] is True
    new = paths["/api/v1/public/speakup/case"]["get"]
    assert not new.get("deprecated")
    assert {p["name"] for p in new["parameters"]} >= {"X-Case-Reference", "X-Access-Code"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/public/speakup/case"), ("post", "/api/v1/public/speakup/case/messages")],
)
def test_an_unknown_reference_and_a_wrong_code_get_the_same_bytes(client, small_ics, method, path):
    case, _code = raise_case(small_ics.trust_a)
    send = getattr(client, method)
    extra = {"data": {"text": "x"}, "content_type": "application/json"} if method == "post" else {}
    answers = [
        send(path, **extra, **_headers(case.reference, WRONG_CODE)),
        send(path, **extra, **_headers(UNKNOWN, WRONG_CODE)),
        send(path, **extra, **_headers("not a reference", WRONG_CODE)),
        send(path, **extra, **_headers(case.reference, "")),
        send(path, **extra),
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    # The same headers too, but for the per-request nonce of the security policy.
    headers = [
        tuple(sorted((k, v) for k, v in a.headers.items() if k != "Content-Security-Policy"))
        for a in answers
    ]
    assert len(set(headers)) == 1


def _without_token(html: bytes) -> bytes:
    """The page without its per-request form token and script nonce (each the same length)."""
    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    return re.sub(rb'nonce="[^"]+"', b"", html)


def test_the_page_answers_an_unknown_reference_and_a_wrong_code_alike(client, small_ics):
    case, _code = raise_case(small_ics.trust_a)
    wrong = client.post("/speak-up/case/", {"reference": case.reference, "access_code": WRONG_CODE})
    unknown = client.post("/speak-up/case/", {"reference": UNKNOWN, "access_code": WRONG_CODE})
    assert wrong.status_code == unknown.status_code == 200
    assert len(wrong.content) == len(unknown.content)
    assert _without_token(wrong.content) == _without_token(unknown.content)


def test_a_locked_reference_and_an_unknown_one_lock_alike(client, small_ics):
    case, code = raise_case(small_ics.trust_a)
    for reference in (case.reference, UNKNOWN):
        answers = [
            client.get(
                "/api/v1/public/speakup/case",
                REMOTE_ADDR=f"192.0.2.{n}",
                **_headers(reference, WRONG_CODE),
            ).status_code
            for n in range(codes.FAILURES_PER_REFERENCE + 1)
        ]
        assert answers == [404] * codes.FAILURES_PER_REFERENCE + [429]
    # Even the right code waits for the window to end (the bounded denial of service, ADR 13).
    assert client.get("/api/v1/public/speakup/case", **_headers(case.reference, code)).status_code
    assert (
        client.get(
            "/api/v1/public/speakup/case",
            REMOTE_ADDR="192.0.2.99",
            **_headers(case.reference, code),
        ).status_code
        == 429
    )


def test_the_answer_to_raising_a_concern_is_the_same_size_whatever_was_said(client, small_ics):
    short, long = "Synthetic: short.", "Synthetic: " + "a much longer account. " * 200
    pages = [
        client.post(
            "/speak-up/anonymous/",
            {"org_code": org, "concern": text, "categories": cats, "website": ""},
        )
        for org, text, cats in [("TA", short, []), ("TB", long, ["patient_safety", "detriment"])]
    ]
    assert all("Your concern has been raised" in p.content.decode() for p in pages)
    assert len({len(p.content) for p in pages}) == 1
    answers = [
        client.post(
            "/api/v1/public/speakup",
            {"org_code": org, "concern": text},
            content_type="application/json",
        )
        for org, text in [("TA", short), ("TB", long)]
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert len({len(a.content) for a in answers}) == 1
