"""The anonymity scan: after anonymous submissions and replies, through the page and the API,
nothing in the database, the audit log, the cache, the session store or the logs holds the
sender's address, browser, session, or any time more precise than the day."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from caresignals.audit.models import AuditEntry
from caresignals.organisations.roles import Role
from caresignals.speakup.models import SpeakUpCase, SpeakUpMessage
from tests.factories import member

pytestmark = pytest.mark.django_db

IP = "198.51.100.77"
AGENT = "AnonScanBrowser/4.2 (marker-7f3c91e0)"
# A distinctive moment: if any part of it below the day is stored, the scan finds it.
MOMENT = dt.datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=dt.UTC)
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")
MOMENT_MARKERS = (
    "15:09",
    "16:09",  # the same moment in summer time, should the zone be applied
    "535897",
    str(int(MOMENT.timestamp())),
    str(int(MOMENT.timestamp()))[:8],  # a timestamp to within ~100 seconds
)
CONCERN = "Synthetic: staff are told not to record restraint on the ward."


def _all_rows() -> dict[str, set[tuple[str, ...]]]:
    rows: dict[str, set[tuple[str, ...]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = {tuple(_text(v) for v in row) for row in cursor.fetchall()}
    return rows


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


@pytest.fixture
def locmem_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "scan"}
    }
    cache = caches["default"]
    cache.clear()
    return cache


def _cache_text(cache) -> str:
    parts = []
    for key, value in list(cache._cache.items()):
        parts.append(str(key))
        try:
            parts.append(repr(pickle.loads(value)))  # noqa: S301 - our own cache, in a test
        except Exception:
            parts.append(repr(value))
    return "\n".join(parts)


def test_nothing_identifying_is_stored_anywhere(
    client, small_ics, locmem_cache, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    member(small_ics.trust_a, Role.STAFF, username="someone")  # rows that must stay unlinked
    before = _all_rows()
    audit_before = AuditEntry.objects.count()
    monkeypatch.setattr(timezone, "now", lambda: MOMENT)
    meta = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT, "HTTP_X_FORWARDED_FOR": IP}

    # 1. Through the page (GET then POST, as a browser does).
    assert client.get("/speak-up/anonymous/", **meta).status_code == 200
    page = client.post(
        "/speak-up/anonymous/",
        {"org_code": "TA", "concern": CONCERN, "categories": ["patient_safety"], "website": ""},
        **meta,
    )
    assert page.status_code == 200
    case = SpeakUpCase.objects.get()
    code = re.search(r'id="access-code"[^>]*>([0-9A-Z-]+)<', page.content.decode()).group(1)
    # 2. Through the API.
    api = client.post(
        "/api/v1/public/speakup",
        {"org_code": "TB", "concern": CONCERN, "categories": ["worker_safety"]},
        content_type="application/json",
        **meta,
    )
    assert api.status_code == 201
    api_ref, api_code = api.json()["reference"], api.json()["access_code"]
    # 3. The reporter reads and answers, through the page and the API.
    thread = client.post(
        "/speak-up/case/",
        {"reference": case.reference, "access_code": code, "action": "reply", "text": "More."},
        **meta,
    )
    assert thread.status_code == 200 and "Your message has been sent" in thread.content.decode()
    headers = {"HTTP_X_ACCESS_CODE": api_code, **meta}
    assert client.get(f"/api/v1/public/speakup/{api_ref}", **headers).status_code == 200
    answered = client.post(
        f"/api/v1/public/speakup/{api_ref}/messages",
        {"text": "And more."},
        content_type="application/json",
        **headers,
    )
    assert answered.status_code == 201
    monkeypatch.undo()

    assert SpeakUpCase.objects.count() == 2 and SpeakUpMessage.objects.count() == 2
    assert all(
        c.raised_by_id is None and c.raised_on == MOMENT.date() for c in SpeakUpCase.objects.all()
    )

    # No session, no audit entry.
    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies
    assert AuditEntry.objects.count() == audit_before

    # Every table and column: nothing new holds the address, the browser or a time of day.
    after = _all_rows()
    new_cells = [
        (table, cell)
        for table, rows in after.items()
        for row in rows - before.get(table, set())
        for cell in row
    ]
    assert new_cells, "the scan must see the new rows"
    for table, cell in new_cells:
        assert not TIME_OF_DAY.search(cell), f"{table} stores a time of day: {cell!r}"
    everything = "\n".join(cell for rows in after.values() for row in rows for cell in row)
    for marker in (IP, AGENT, "AnonScanBrowser", code, api_code, *MOMENT_MARKERS):
        assert marker not in everything, f"the database holds {marker!r}"

    # The cache holds only hashed, expiring rate-limit counters.
    cached = _cache_text(locmem_cache)
    for marker in (IP, AGENT, "AnonScanBrowser", code, api_code, case.reference, api_ref):
        assert marker not in cached, f"the cache holds {marker!r}"

    # Nothing was logged about the sender or the code.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for marker in (IP, AGENT, code, api_code):
        assert marker not in logged


def test_a_signed_in_person_raising_anonymously_is_not_linked(client, small_ics):
    person = member(small_ics.trust_a, Role.STAFF)
    client.force_login(person)
    response = client.post(
        "/speak-up/anonymous/", {"org_code": "TA", "concern": CONCERN, "website": ""}
    )
    assert response.status_code == 200
    case = SpeakUpCase.objects.get()
    assert case.route == "anonymous" and case.raised_by_id is None
    assert person.username not in response.content.decode().split("<main", 1)[1]
