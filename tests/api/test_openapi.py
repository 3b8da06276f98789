"""The OpenAPI schema and the docs page, which loads nothing from other hosts."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/events"]) == {"get", "post"}
    assert set(paths["/api/v1/events/{reference}"]) == {"get"}
    assert set(paths["/api/v1/public/events"]) == {"post"}
    assert "security" not in paths["/api/v1/public/events"]["post"]
    assert paths["/api/v1/events"]["post"]["security"]
    body = paths["/api/v1/public/events"]["post"]["requestBody"]["content"]["application/json"]
    assert "description" in body["schema"]["required"]
    assert {"201", "422", "429"} <= set(paths["/api/v1/public/events"]["post"]["responses"])


def test_every_operation_with_a_body_lists_the_refusals_of_any_body(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    with_body = [op for ops in paths.values() for op in ops.values() if "requestBody" in op]
    # Recording an event, the public event, feedback and speak-up, and the reporter's answer
    # by URL (deprecated) and by header.
    assert len(with_body) == 6
    for operation in with_body:
        assert {"400", "413", "415"} <= set(operation["responses"])
    offset = next(p for p in paths["/api/v1/events"]["get"]["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] == 10**9


def test_the_docs_page_loads_nothing_from_other_hosts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.findall(r"(?:https?:)?//[a-z0-9.-]+", html, flags=re.IGNORECASE)
    assert '"validatorUrl": null' in html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert asset.startswith("/static/")
        served = client.get(asset)
        assert served.status_code == 200
        served.close()
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_recording_an_event_documents_the_candour_steps(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    body = paths["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    fields = set(body["schema"]["properties"])
    assert {
        "candour_notified_on",
        "candour_written_on",
        "candour_not_notifiable",
        "candour_not_notifiable_reason",
    } <= fields
    assert body["schema"]["additionalProperties"] is False
    # The public report takes none of them.
    public = paths["/api/v1/public/events"]["post"]["requestBody"]["content"]["application/json"]
    assert not {f for f in public["schema"]["properties"] if f.startswith("candour")}
