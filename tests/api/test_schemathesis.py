"""The whole API fuzzed from its own OpenAPI document: no request gives a server error.

Schemathesis generates requests for every operation in `/api/v1/openapi.json`, both ones that
fit the schema and ones that break it (wrong types, missing fields, odd headers and paths), and
each is sent through Django's test client with a valid token, so staff endpoints are reached
past authentication. A bounded, derandomised number of examples keeps it quick and repeatable.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from caresignals.speakup import services as speakup
from caresignals.speakup.vocabulary import Route
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation and mode


def send(client, case, token: str) -> Any:
    """A schemathesis case through Django's test client (in the test's transaction)."""
    kwargs = case.as_transport_kwargs(
        base_url="http://testserver", headers={"Authorization": f"Bearer {token}"}
    )
    headers = {k: v for k, v in kwargs["headers"].items() if k.lower() != "content-type"}
    content_type = kwargs["headers"].get("Content-Type", "application/octet-stream")
    if "json" in kwargs:
        data: Any = json.dumps(kwargs["json"])
    else:
        data = kwargs.get("data") or b""
    return client.generic(
        kwargs["method"],
        urlsplit(kwargs["url"]).path,
        data=data,
        content_type=content_type,
        headers=headers,
        query_params=kwargs.get("params") or None,
    )


@pytest.fixture
def operations(client) -> list[Any]:
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_gives_a_server_error(client, small_ics, icb, operations, mode):
    EventFactory.create_batch(3, organisation=small_ics.trust_a)
    raised = speakup.raise_concern(
        organisation=small_ics.trust_a, route=Route.ANONYMOUS, concern="Synthetic: a concern."
    )
    assert len(operations) >= 8  # every operation of docs/api.md
    for operation in operations:
        fixed: dict[str, Any] = {}
        if "/speakup/{reference}" in operation.path:
            # Half the cases open the real case, so answers are generated for it too.
            fixed = {
                "path_parameters": {"reference": raised.case.reference},
                "headers": {"X-Access-Code": raised.access_code},
            }

        @given(case=operation.as_strategy(mode) | operation.as_strategy(mode, **fixed))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: Any) -> None:
            cache.clear()  # the public rate limits would otherwise answer 429 to most cases
            response = send(client, case, icb.token)
            assert response.status_code < 500, (case.operation.label, case.as_curl_command())

        no_server_error()
