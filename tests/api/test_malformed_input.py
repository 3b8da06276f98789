"""Any input, no crash: every JSON endpoint refuses what no field can hold with a 4xx naming
the field, and stores nothing (core/api.py `json_object`, core/middleware.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from caresignals.core.api import MAX_BODY_BYTES, MAX_DEPTH
from caresignals.safety.models import PatientSafetyEvent
from caresignals.speakup import services as speakup
from caresignals.speakup.models import SpeakUpCase, SpeakUpMessage
from caresignals.speakup.vocabulary import Route
from caresignals.voice.models import Feedback
from tests.safety.test_import_events import event

pytestmark = pytest.mark.django_db


@dataclass
class Endpoint:
    url: str
    body: dict[str, Any]
    text: str  # a text field of the body
    headers: dict[str, str] = field(default_factory=dict)


def stored() -> tuple[int, ...]:
    models = (PatientSafetyEvent, Feedback, SpeakUpCase, SpeakUpMessage)
    return tuple(model.objects.count() for model in models)


@pytest.fixture(params=["events", "public_events", "public_feedback", "speakup", "answer"])
def endpoint(request, small_ics, staff_a) -> Endpoint:
    name = request.param
    if name == "events":
        return Endpoint("/api/v1/events", event(), "description", staff_a.headers)
    if name == "public_events":
        body = {
            "org_code": "TA",
            "description": "Synthetic: a long wait.",
            "occurred_on": "2026-03-02",
            "reporter_type": "patient",
        }
        return Endpoint("/api/v1/public/events", body, "description")
    if name == "public_feedback":
        body = {"org_code": "TA", "kind": "compliment", "text": "Synthetic: kind staff."}
        return Endpoint("/api/v1/public/feedback", body, "text")
    if name == "speakup":
        body = {"org_code": "TA", "concern": "Synthetic: unsafe staffing at night."}
        return Endpoint("/api/v1/public/speakup", body, "concern")
    raised = speakup.raise_concern(
        organisation=small_ics.trust_a, route=Route.ANONYMOUS, concern="Synthetic: a concern."
    )
    return Endpoint(
        f"/api/v1/public/speakup/{raised.case.reference}/messages",
        {"text": "Synthetic: more detail."},
        "text",
        {"X-Access-Code": raised.access_code},
    )


def send(client, endpoint: Endpoint, data: str | bytes, content_type="application/json"):
    return client.post(endpoint.url, data=data, content_type=content_type, headers=endpoint.headers)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def refused(response, status: int = 400) -> dict[str, list[str]]:
    assert response.status_code == status, response.content[:300]
    return response.json()["errors"]


def test_the_valid_bodies_are_accepted(client, endpoint):
    """The bodies below differ from these in one field only."""
    before = stored()
    assert send(client, endpoint, json.dumps(endpoint.body)).status_code == 201
    assert stored() != before


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100, 100_000])
def test_deep_nesting_is_400_naming_the_field(client, endpoint, depth):
    before = stored()
    text = json.dumps({**endpoint.body, endpoint.text: "@"}).replace('"@"', nested(depth))
    errs = refused(send(client, endpoint, text))
    assert len(errs) == 1
    (name,) = errs
    # Shallow enough to parse: the field is named; deeper: the body is refused unparsed.
    assert name.startswith(endpoint.text) if depth <= 64 else name == "body"
    assert "Nested too deeply" in errs[name][0]
    assert stored() == before


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "\udc00\ud800"])
def test_a_lone_surrogate_is_400_naming_the_field(client, endpoint, bad):
    before = stored()
    errs = refused(send(client, endpoint, json.dumps({**endpoint.body, endpoint.text: bad})))
    assert list(errs) == [endpoint.text] and "surrogate" in errs[endpoint.text][0]
    assert stored() == before


def test_a_surrogate_as_raw_bytes_or_other_invalid_utf8_is_400(client, endpoint):
    before = stored()
    for raw in (b'{"x": "\xed\xa0\x80"}', b'{"x": "\xff"}'):
        assert list(refused(send(client, endpoint, raw))) == ["body"]
    assert stored() == before


def test_a_surrogate_in_a_field_name_is_400(client, endpoint):
    errs = refused(send(client, endpoint, json.dumps({**endpoint.body, "a\ud800": "x"})))
    assert list(errs) == ["a\ufffd"]


@pytest.mark.parametrize("bad", ["\x00", "Synthetic\x00 text", "\x00" * 1000])
def test_nul_is_400_naming_the_field(client, endpoint, bad):
    before = stored()
    errs = refused(send(client, endpoint, json.dumps({**endpoint.body, endpoint.text: bad})))
    assert errs == {endpoint.text: ["Text must not contain NUL characters"]}
    assert stored() == before


def test_nul_in_a_nested_value_or_a_name_is_400(client, endpoint):
    errs = refused(send(client, endpoint, json.dumps({**endpoint.body, "x": {"y": ["\x00"]}})))
    assert list(errs) == ["x.y.0"]
    errs = refused(send(client, endpoint, json.dumps({**endpoint.body, "n\x00": 1})))
    assert list(errs) == ["n\ufffd"]


@pytest.mark.parametrize(
    "number", ["9223372036854775808", "-9223372036854775809", "1" + "0" * 4000, "1e999", "-1e400"]
)
def test_numbers_beyond_64_bits_or_infinite_are_400_naming_the_field(client, endpoint, number):
    before = stored()
    text = json.dumps({**endpoint.body, endpoint.text: "@"}).replace('"@"', number)
    assert refused(send(client, endpoint, text)) == {endpoint.text: ["Number too large"]}
    assert stored() == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, endpoint, constant):
    text = json.dumps({**endpoint.body, endpoint.text: "@"}).replace('"@"', constant)
    assert list(refused(send(client, endpoint, text))) == ["body"]


def test_a_number_with_5000_digits_is_400_not_a_crash(client, endpoint):
    """Beyond Python's limit on converting digits (4,300), the parser itself refuses."""
    text = json.dumps({**endpoint.body, endpoint.text: "@"}).replace('"@"', "9" * 5000)
    assert list(refused(send(client, endpoint, text))) == ["body"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "",
    ],
)
def test_a_body_not_sent_as_json_is_415(client, endpoint, content_type):
    """A page on another site can make a browser post `text/plain` or a form without asking;
    `application/json` needs the site's permission (CORS), which is never given."""
    before = stored()
    response = send(client, endpoint, json.dumps(endpoint.body), content_type=content_type)
    assert refused(response, 415) == {
        "body": ["Send a JSON object with Content-Type: application/json"]
    }
    assert stored() == before


def test_json_with_a_charset_or_in_capitals_is_json(client, endpoint):
    response = send(client, endpoint, json.dumps(endpoint.body), "Application/JSON; charset=utf-8")
    assert response.status_code == 201


def test_a_body_over_the_limit_is_413(client, endpoint):
    before = stored()
    text = json.dumps({**endpoint.body, endpoint.text: "x" * MAX_BODY_BYTES})
    assert list(refused(send(client, endpoint, text), 413)) == ["body"]
    assert stored() == before


def test_nul_in_the_address_or_a_query_parameter_is_400_naming_it(client, endpoint):
    response = client.post(
        endpoint.url + "?x=%00", json.dumps(endpoint.body), "application/json",
        headers=endpoint.headers,
    )  # fmt: skip
    assert refused(response) == {"x": ["NUL characters are not allowed"]}
    response = client.get("/api/v1/events/EV%00", headers=endpoint.headers)
    assert refused(response) == {"path": ["NUL characters are not allowed"]}


# -- query parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("offset=9223372036854775808", "offset"),
        ("offset=1000000001", "offset"),
        ("offset=-1", "offset"),
        ("offset=1e3", "offset"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=" + "9" * 5000, "limit"),
        ("org=%00", "org"),
    ],
)
def test_offset_and_limit_are_bounded_naming_the_parameter(client, staff_a, query, name):
    response = client.get(f"/api/v1/events?{query}", headers=staff_a.headers)
    assert response.status_code in (400, 422)
    assert list(response.json()["errors"]) == [name]


def test_the_largest_offset_is_an_empty_page(client, staff_a):
    response = client.get("/api/v1/events?offset=1000000000&limit=1000", headers=staff_a.headers)
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["offset"] == 10**9
